package paperwork

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sampleFactsheet is a full factsheet with accents, suppressed counts and
// a merged municipality's figures: the heaviest case a page must hold.
func sampleFactsheet() Factsheet {
	months := []string{"Gemeente", "dec", "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "Totaal"}
	years := []string{"", "2025", "2026", "2026", "2026", "2026", "2026", "2026", "2026", "2026", "2026", "2026", "2026", ""}
	long := "Het decreet van 4 februari 2022 laat het lokaal team van Kind en Gezin toe gezinnen met een ondersteuningsnood door te verwijzen naar het OCMW, om hen vroeg te helpen en onderbescherming te voorkomen."
	return Factsheet{
		Title:    "Beveren-Kruibeke-Zwijndrecht: samenwerken met Kind en Gezin tegen onderbescherming",
		Subtitle: "Factsheet voor de gemeenteraad en de raad voor maatschappelijk welzijn · NIS 46030 · provincie Oost-Vlaanderen · toestand op 29-11-2026",
		Marker:   "Let op: de cijfers over kansarmoede op deze fiche zijn fictief (demogegevens).",
		Subject:  "Samenwerkingsovereenkomst – OCMW Beveren-Kruibeke-Zwijndrecht",
		Sections: []FactsheetSection{
			{ID: "stand", Heading: "Stand van zaken", Paras: []string{"Fase: in gesprek, sinds 12-04-2023.", "Beveren-Kruibeke-Zwijndrecht is in gesprek met het lokaal team (laatste contact op 03-10-2026)."},
				Notes: []string{"Beveren-Kruibeke-Zwijndrecht ontstond door de fusie van 1 januari 2025."}},
			{ID: "gemist", Heading: "Wat Beveren-Kruibeke-Zwijndrecht mist zonder overeenkomst", Paras: []string{long},
				Table: &FactsheetTable{Caption: "Doorverwijzingen die niet konden, per maand", Head: [][]string{months, years},
					Rows: [][]string{{"Beveren-Kruibeke-Zwijndrecht", "0", "<5", "0", "7", "x", "0", "<5", "0", "0", "0", "0", "0", "x"}}},
				Notes: []string{"Anoniem geteld.", "\"<5\": 1 tot 4, verborgen om personen te beschermen. \"x\": verborgen zodat een klein aantal niet kan worden afgeleid."}},
			{ID: "context", Heading: "Context: de kansarmoede-index van Kind en Gezin", Paras: []string{long},
				Table: &FactsheetTable{Caption: "Kansarmoede-index per jaar", Head: [][]string{{"Gemeente", "2021", "2022", "2023", "2024", "2025"}},
					Rows: [][]string{{"Beveren-Kruibeke-Zwijndrecht", "–", "–", "–", "–", "10,1 %"}, {"Beveren (vóór de fusie)", "10,0 %", "10,1 %", "10,2 %", "10,5 %", "–"},
						{"Kruibeke (vóór de fusie)", "7,0 %", "7,0 %", "7,1 %", "7,3 %", "–"}, {"Zwijndrecht (vóór de fusie)", "12,9 %", "12,6 %", "12,4 %", "12,0 %", "–"}}},
				Notes: []string{"Bron: fictief — demogegevens (2021–2025)."}},
			{ID: "overeenkomst", Heading: "Wat houdt de samenwerking in?", Paras: []string{long},
				Bullets: []string{long, long, "Alleen als er een samenwerkingsovereenkomst van kracht is.", "Beroepsgeheim aan beide kanten.", long, "Ook een verwerkingsovereenkomst (AVG)."}},
			{ID: "stappen", Heading: "Zo komt de overeenkomst tot stand", Steps: []FactsheetStep{
				{Title: "Aanmelden", Text: "Het lokaal bestuur laat het lokaal team weten dat het wil samenwerken.", State: StepDone, StateLabel: "afgerond"},
				{Title: "Ontwerp van overeenkomst", Text: "Lokaal team en OCMW vullen het model aan.", State: StepCurrent, StateLabel: "hier staat Beveren-Kruibeke-Zwijndrecht nu"},
				{Title: "Goedkeuring door de raad", Text: "De raad voor maatschappelijk welzijn keurt goed.", State: StepTodo},
				{Title: "Ondertekening", Text: "Voorzitter, algemeen directeur en administrateur-generaal tekenen.", State: StepTodo},
				{Title: "Van kracht", Text: "Vanaf de startdatum kan het lokaal team doorverwijzen.", State: StepTodo}}},
			{ID: "contact", Heading: "Contact", Paras: []string{"Uw aanspreekpunt is Demoteam regio Sint-Niklaas, het lokaal team van Kind en Gezin voor Beveren-Kruibeke-Zwijndrecht."}},
		},
		Footer:      "Opgemaakt door Kansrijk op 29-11-2026. Aantallen van 1 tot 4 staan er als \"<5\". Deze fiche bevat geen persoonsgegevens.",
		GeneratedOn: time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC),
	}
}

func TestFactsheetPDF(t *testing.T) {
	fs := sampleFactsheet()
	pdf, err := FactsheetPDF(fs)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:min(len(pdf), 16)])
	}
	again, _ := FactsheetPDF(fs)
	if !bytes.Equal(pdf, again) {
		t.Error("the same factsheet gave different bytes")
	}
	if n := factsheetPages(t, pdf); n != 1 {
		t.Errorf("%d pages, want one", n)
	}
	flat, layout := pdfText(t, pdf)
	for _, want := range []string{
		"Beveren-Kruibeke-Zwijndrecht: samenwerken met Kind en Gezin tegen onderbescherming",
		"fictief (demogegevens)", "Wat houdt de samenwerking in?", "Kruibeke (vóór de fusie)", "10,1 %", "Bron: fictief — demogegevens (2021–2025).",
		"✓", "hier staat Beveren-Kruibeke-Zwijndrecht nu", "geen persoonsgegevens", "Goedkeuring door de raad",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, flat)
		}
	}
	// The row of counts, as shown: suppressed cells, never their values.
	if !strings.Contains(flat, "Beveren-Kruibeke-Zwijndrecht 0 <5 0 7 x 0 <5 0 0 0 0 0 x") {
		t.Errorf("the counts row is not as given:\n%s", layout)
	}
}

// A factsheet that cannot fit one page is refused rather than spilling
// onto a second.
func TestFactsheetTooLong(t *testing.T) {
	fs := sampleFactsheet()
	for range 4 {
		fs.Sections = append(fs.Sections, fs.Sections...)
	}
	if _, err := FactsheetPDF(fs); err != ErrFactsheetTooLong {
		t.Fatalf("a factsheet of %d sections: %v, want ErrFactsheetTooLong", len(fs.Sections), err)
	}
	if _, err := FactsheetPDF(Factsheet{}); err == nil {
		t.Error("a factsheet without a title was rendered")
	}
}

func TestFactsheetColumns(t *testing.T) {
	tb := FactsheetTable{Head: [][]string{{"Gemeente", "dec", "jan", "Totaal"}, {"", "2025", "2026", ""}}}
	var cols []string
	for _, c := range tb.Columns() {
		cols = append(cols, strings.Join(c, " "))
	}
	got := strings.Join(cols, "|")
	if want := "Gemeente|dec 2025|jan 2026|Totaal"; got != want {
		t.Errorf("Columns() = %q, want %q", got, want)
	}
}

// factsheetPages counts the pages with pdfinfo (poppler-utils, like
// pdftotext).
func factsheetPages(t *testing.T, pdf []byte) int {
	t.Helper()
	pdfText(t, pdf) // skips or fails without poppler-utils
	in := filepath.Join(t.TempDir(), "f.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfinfo", in).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if f := strings.Fields(l); len(f) == 2 && f[0] == "Pages:" {
			n := 0
			for _, c := range f[1] {
				n = n*10 + int(c-'0')
			}
			return n
		}
	}
	t.Fatalf("pdfinfo gave no page count:\n%s", out)
	return 0
}
