package pack_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/api"
	"kansrijk/internal/demo"
	"kansrijk/internal/export"
	"kansrijk/internal/parliament"
	"kansrijk/internal/parliament/pack"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

var analyst = account.Actor{UserID: 2, Email: "analist@opgroeien.test", Role: account.Analyst, Org: "opgroeien", OrgKind: account.KindOpgroeien}

// service is the pack service over db, as the server wires it.
func service(db *store.DB) *pack.Service {
	return &pack.Service{Store: db, Today: func() time.Time { return api.Today(time.Now()) },
		Sources: pack.Sources{Agreements: db, Outreach: db, Teams: db, Outcomes: db, Municipalities: db.Municipalities}}
}

// PDFText extracts the text of a PDF with pdftotext (poppler-utils): required on CI.
func PDFText(t testing.TB, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext (poppler-utils) is required on CI to check the pack's PDF")
		}
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	cmd := exec.Command(bin, "-layout", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// TestPackOn8March2023 makes the pack for 8 March 2023 on the demo data, twice, on both
// databases: the same figures and the same bytes; the stored hash is the SHA-256 of the
// downloaded PDF; the PDF says what the minister answered (no local government had signed up,
// they had been informed through VVSG's newsletters and a joint webinar), with its tables,
// counts and accents; the database refuses to change the pack.
func TestPackOn8March2023(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("loads the demo data")
	}
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := demo.Load(ctx, db); err != nil {
			t.Fatal(err)
		}
		svc := service(db)
		asOf := time.Date(2023, 3, 8, 0, 0, 0, 0, time.UTC)
		fg1, err := pack.Gather(ctx, svc.Sources, asOf, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		p1, err := svc.Make(ctx, analyst, asOf, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		p2, err := svc.Make(ctx, account.System("test"), asOf, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if p1.ID == p2.ID || p1.SHA256 != p2.SHA256 {
			t.Errorf("two packs of the same date and data: %s and %s", p1.SHA256, p2.SHA256)
		}
		fg2, err := pack.Gather(ctx, svc.Sources, asOf, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		var c1, c2 bytes.Buffer
		if err := writeCSV(&c1, fg1); err != nil {
			t.Fatal(err)
		}
		if err := writeCSV(&c2, fg2); err != nil {
			t.Fatal(err)
		}
		if c1.String() != c2.String() {
			t.Error("the figures of two gatherings differ")
		}
		files := map[string][]byte{}
		for _, k := range parliament.Kinds {
			f1, err := db.ParliamentPackFile(ctx, analyst, p1.ID, k)
			if err != nil {
				t.Fatal(err)
			}
			f2, err := db.ParliamentPackFile(ctx, analyst, p2.ID, k)
			if err != nil {
				t.Fatal(err)
			}
			if parliament.Sum(f1.Bytes) != f1.SHA256 {
				t.Errorf("%s: stored hash %s, bytes %s", k, f1.SHA256, parliament.Sum(f1.Bytes))
			}
			if k != parliament.XLSX && !bytes.Equal(f1.Bytes, f2.Bytes) { // the XLSX carries its creation time
				t.Errorf("%s: two packs of the same date differ", k)
			}
			files[k] = f1.Bytes
		}
		if parliament.Sum(files[parliament.PDF]) != p1.SHA256 {
			t.Errorf("pack sha256 %s is not the PDF's", p1.SHA256)
		}
		if !bytes.HasPrefix(files[parliament.CSV], []byte("\ufeffvraag;onderdeel;nis;naam")) {
			t.Errorf("CSV: %q", files[parliament.CSV][:60])
		}
		if !bytes.HasPrefix(files[parliament.XLSX], []byte("PK")) {
			t.Error("XLSX is not a zip")
		}

		text := PDFText(t, files[parliament.PDF])
		flat := strings.Join(strings.Fields(text), " ")
		for _, want := range []string{
			"Toestand op 8 maart 2023", "België",
			"1. Hoe werden de lokale besturen geïnformeerd?",
			"De lokale besturen werden geïnformeerd via 3 nieuwsbrieven van VVSG (26 april 2022, 18 oktober 2022 en 17 januari 2023) en een gezamenlijk webinar van VVSG en Opgroeien (9 februari 2023).",
			"2. Hoeveel lokale besturen hebben zich aangemeld, en welke?",
			"Op 8 maart 2023 had nog geen enkel lokaal bestuur zich aangemeld (0 van de 300 Vlaamse lokale besturen).",
			"Provincie Gemeenten Aangemeld Overeenkomst van kracht", "Antwerpen 69 0 0", "Vlaams-Brabant 65 0 0", "Vlaanderen 300 0 0",
			"3. Hoeveel lokale besturen hebben een samenwerkingsovereenkomst van kracht?",
			"bij geen enkel Vlaams lokaal bestuur een samenwerkingsovereenkomst van kracht", "niet aangemeld 300",
			"4. Hoeveel gezinnen werden doorverwezen en bereikt",
			"5. Welke lokale besturen hebben zich nog niet aangemeld",
			"Op 8 maart 2023 hadden 300 van de 300 lokale besturen zich nog niet aangemeld",
			"Sint-Genesius-Rode", "Gemeentegrenzen: Statbel",
		} {
			if !strings.Contains(flat, want) {
				t.Errorf("the PDF lacks %q", want)
			}
		}
		if strings.Count(text, "pagina ") < 2 {
			t.Errorf("no page numbers")
		}

		// A pack of today: who signed up, the map's legend, the families' table as published,
		// each as the figures say.
		today := api.Today(time.Now())
		fg, err := pack.Gather(ctx, svc.Sources, today, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		pt, err := svc.Make(ctx, analyst, today, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		pdf, err := db.ParliamentPackFile(ctx, analyst, pt.ID, parliament.PDF)
		if err != nil {
			t.Fatal(err)
		}
		flat = strings.Join(strings.Fields(PDFText(t, pdf.Bytes)), " ")
		want := []string{pack.SignedUpSentence(fg), "De lokale besturen die zich hadden aangemeld", "Tijdlijn: aangemeld en overeenkomst van kracht",
			"actief (" + strconv.Itoa(fg.Agreements.Counts["active"]) + ")", "niet aangemeld (" + strconv.Itoa(fg.Agreements.Counts["none"]) + ")"}
		if fg.Agreements.SignedUp == 0 || fg.Families == nil || !fg.Published || len(fg.Families.Rows) == 0 {
			t.Fatalf("the demo of today: %d signed up, families %+v", fg.Agreements.SignedUp, fg.Families)
		}
		for _, r := range append(fg.Families.Rows, fg.Families.Total) {
			want = append(want, strings.Join([]string{r.Province, r.Sent.String(), r.Reached.String(), r.RightsOpened.String()}, " "))
		}
		for _, m := range fg.Agreements.Municipalities {
			if m.Status.SignedUp() {
				want = append(want, m.Name+" "+m.Province)
			}
		}
		for _, w := range want {
			if !strings.Contains(flat, w) {
				t.Errorf("the pack of today lacks %q", w)
			}
		}

		// The pack is immutable.
		if _, err := db.SQL().ExecContext(ctx, `UPDATE parliament_packs SET as_of = '2023-03-09'`); err == nil {
			t.Error("UPDATE accepted")
		}
		if f, _ := db.ParliamentPackFile(ctx, analyst, p1.ID, parliament.PDF); parliament.Sum(f.Bytes) != p1.SHA256 || f.AsOf != "2023-03-08" {
			t.Error("the stored pack changed")
		}
	})
}

func writeCSV(w *bytes.Buffer, fg pack.Figures) error {
	return export.WriteCSV(w, pack.Table(fg))
}
