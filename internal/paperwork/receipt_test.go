package paperwork

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func sampleReceipt(lang string) ReceiptInput {
	return ReceiptInput{
		Lang:             lang,
		Code:             "KR-AB2C-DE3F-GH4J",
		TeamName:         "Lokaal team Zuiderkempen",
		TeamPhone:        "+32 14 12 34 56",
		TeamEmail:        "team-zuiderkempen@kansrijk.example",
		RecipientName:    "OCMW Hulshout",
		MunicipalityName: "Hulshout",
		Parents: []ReceiptParent{
			{Name: "Anaïs Peeters", Address: "Kerkstraat 12 bus 3, 2235 Hulshout", Phone: "+32 470 00 00 00", Email: "anais@example.org"},
			{Name: "Jérôme Dubois", Address: "Kerkstraat 12 bus 3, 2235 Hulshout", Email: "jerome@example.org"},
		},
		ConsentOn:       time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
		Method:          "signed",
		SentOn:          time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC),
		RetentionDays:   137,
		InformationText: "Met uw toestemming geeft het lokaal team uw naam en contactgegevens door.\nU kunt uw toestemming altijd intrekken.",
		StatusURL:       "https://kansrijk.example/ontvangstbewijs",
		GeneratedOn:     time.Date(2026, 3, 9, 10, 30, 0, 0, time.UTC),
	}
}

func TestReceipt(t *testing.T) {
	common := []string{"KR-AB2C-DE3F-GH4J", "Lokaal team Zuiderkempen", "OCMW Hulshout", "Anaïs Peeters", "Jérôme Dubois",
		"Kerkstraat 12 bus 3, 2235 Hulshout", "0470 00 00 00", // phones as people write them
		"anais@example.org", "137", "https://kansrijk.example/ontvangstbewijs",
		"Met uw toestemming geeft het lokaal team uw naam en contactgegevens door.", "Kansrijk",
		"014 12 34 56", "team-zuiderkempen@kansrijk.example"} // the team's contact details, to withdraw consent
	cases := map[string][]string{
		"nl": {"Ontvangstbewijs van uw toestemming", "Wat wordt doorgegeven?", "Aan wie?", "Waarom?", "gewist 137 dagen nadat",
			"Hoe trekt u uw toestemming in?", "2 maart 2026", "schriftelijk", "verstuurd op 3 maart 2026", "beroepsgeheim",
			"Sjabloon ontvangstbewijs 2026.2", "Zo bereikt u Lokaal team Zuiderkempen: telefoon", "9 maart 2026", "pagina 1 van"},
		"fr": {"Accusé de réception de votre consentement", "Qu'est-ce qui est transmis ?", "À qui ?", "Pourquoi ?",
			"effacées 137 jours après", "Comment retirer votre consentement ?", "2 mars 2026", "par écrit", "envoyées le 3 mars 2026",
			"secret professionnel", "Modèle d'accusé de réception 2026.2", "Pour joindre Lokaal team Zuiderkempen : téléphone", "9 mars 2026", "page 1 sur"},
		"en": {"Receipt for your consent", "What is passed on?", "To whom?", "Why?", "deleted 137 days after",
			"How do you withdraw your consent?", "2 March 2026", "in writing", "sent on 3 March 2026", "professional secrecy",
			"Receipt template 2026.2", "How to reach Lokaal team Zuiderkempen: phone", "9 March 2026", "page 1 of"},
		"tr": {"Onayınız için alındı belgesi", "Ne iletiliyor?", "Kime?", "Neden?", "kapandıktan 137 gün sonra silinir",
			"Onayınızı nasıl geri alırsınız?", "2 Mart 2026", "yazılı olarak", "3 Mart 2026 tarihinde gönderildi", "meslek sırrı",
			"Alındı belgesi şablonu 2026.2", "9 Mart 2026", "sayfa 1 /"},
		"pl": {"Potwierdzenie Twojej zgody", "Co jest przekazywane?", "Komu?", "Dlaczego?", "usuwane 137 dni po",
			"Jak wycofać zgodę?", "2 marca 2026", "na piśmie", "wysłane dnia 3 marca 2026", "tajemnica zawodowa",
			"Wzór potwierdzenia 2026.2", "9 marca 2026", "strona 1 z"},
		"ro": {"Confirmarea consimțământului dumneavoastră", "Ce se transmite?", "Cui?", "De ce?", "șterse la 137 de zile",
			"Cum vă retrageți consimțământul?", "2 martie 2026", "în scris", "trimise la 3 martie 2026", "secretul profesional",
			"Model de confirmare 2026.2", "9 martie 2026", "pagina 1 din"},
	}
	for lang, want := range cases {
		t.Run(lang, func(t *testing.T) {
			pdf, err := Receipt(sampleReceipt(lang))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
				t.Fatalf("not a PDF: %q", pdf[:min(len(pdf), 16)])
			}
			flat, _ := pdfText(t, pdf)
			for _, w := range append(append([]string{}, common...), want...) {
				if !strings.Contains(flat, w) {
					t.Errorf("missing %q in:\n%s", w, flat)
				}
			}
			if strings.ContainsRune(flat, '\uFFFD') || strings.Contains(flat, "Ã") {
				t.Error("garbled UTF-8 in the extracted text")
			}
			if strings.Contains(flat, "{{") || strings.Contains(flat, "<no value>") {
				t.Error("template residue in the receipt")
			}
		})
	}
}

// TestReceiptOnlyNameAndContact: the receipt holds what passed and
// nothing of Kind en Gezin's assessment: its input has no place for it,
// and the text names no criterion.
func TestReceiptOnlyNameAndContact(t *testing.T) {
	pdf, err := Receipt(sampleReceipt("nl"))
	if err != nil {
		t.Fatal(err)
	}
	flat, layout := pdfText(t, pdf)
	bullets := regexp.MustCompile(`(?m)^\s*•\s+(.*)$`).FindAllStringSubmatch(layout, -1)
	if len(bullets) != 2 {
		t.Errorf("%d bullets, want one per parent: %q", len(bullets), bullets)
	}
	for _, bad := range []string{"maandinkomen", "opleiding", "arbeidssituatie", "stimulatie", "huisvesting", "kansarm"} {
		if strings.Contains(strings.ToLower(flat), bad) {
			t.Errorf("the receipt mentions %q", bad)
		}
	}
}

func TestReceiptAfterDeletion(t *testing.T) {
	in := sampleReceipt("nl")
	in.Parents, in.InformationText, in.SentOn, in.StatusURL = nil, "", time.Time{}, ""
	in.Method = "verbal"
	pdf, err := Receipt(in)
	if err != nil {
		t.Fatal(err)
	}
	flat, _ := pdfText(t, pdf)
	for _, w := range []string{"Uw gegevens zijn intussen gewist.", "mondeling", "nog niet verstuurd", "pagina „Ontvangstbewijs” van Kansrijk"} {
		if !strings.Contains(flat, w) {
			t.Errorf("missing %q", w)
		}
	}
	if strings.Contains(flat, "De informatie die u kreeg") {
		t.Error("empty information text section")
	}
}

func TestReceiptCAW(t *testing.T) {
	in := sampleReceipt("nl")
	in.RecipientName, in.MunicipalityName = "CAW Brussel", "Sint-Jans-Molenbeek"
	pdf, err := Receipt(in)
	if err != nil {
		t.Fatal(err)
	}
	flat, _ := pdfText(t, pdf)
	if !strings.Contains(flat, "Het CAW Brussel gebruikt uw gegevens") || !strings.Contains(flat, "de rol van het OCMW opneemt") {
		t.Errorf("CAW Brussel text missing:\n%s", flat)
	}
}

func TestReceiptDeterministic(t *testing.T) {
	a, err := Receipt(sampleReceipt("fr"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Receipt(sampleReceipt("fr"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("two runs with the same input give different PDFs")
	}
	if !bytes.Contains(a, []byte("/CreationDate (D:20260309")) {
		t.Error("creation date is not GeneratedOn")
	}
}

func TestReceiptInvalidInput(t *testing.T) {
	for name, mutate := range map[string]func(*ReceiptInput){
		"no code":       func(in *ReceiptInput) { in.Code = "" },
		"no team":       func(in *ReceiptInput) { in.TeamName = " " },
		"no recipient":  func(in *ReceiptInput) { in.RecipientName = "" },
		"no retention":  func(in *ReceiptInput) { in.RetentionDays = 0 },
		"no generation": func(in *ReceiptInput) { in.GeneratedOn = time.Time{} },
		"language":      func(in *ReceiptInput) { in.Lang = "de" },
	} {
		in := sampleReceipt("nl")
		mutate(&in)
		if _, err := Receipt(in); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	in := sampleReceipt("")
	if _, err := Receipt(in); err != nil {
		t.Errorf("empty language (Dutch): %v", err)
	}
	in.TemplateVersion = "1999.9"
	if _, err := Receipt(in); !errors.Is(err, ErrUnknownTemplate) {
		t.Errorf("err = %v, want ErrUnknownTemplate", err)
	}
}

func TestReceiptVersions(t *testing.T) {
	if vs := ReceiptVersions(); !contains(vs, ReceiptTemplateVersion) {
		t.Fatalf("ReceiptVersions() = %v, want it to hold %q", vs, ReceiptTemplateVersion)
	}
	// An older version keeps its own text; every version needs every language.
	fsys := fstest.MapFS{
		"2025.1/nl.txt": {Data: []byte("# Oud\n\nCode {{.Code}}\n")},
		"2025.1/fr.txt": {Data: []byte("# Ancien\n")},
		"2025.1/en.txt": {Data: []byte("# Old\n")},
	}
	sets, err := loadReceiptTemplates(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := sets["2025.1"]["nl"].Execute(&buf, newReceiptData(sampleReceipt("nl"), "2025.1")); err != nil || !strings.Contains(buf.String(), "Code KR-AB2C-DE3F-GH4J") {
		t.Errorf("old version rendered %q, %v", buf.String(), err)
	}
	delete(fsys, "2025.1/fr.txt")
	if _, err := loadReceiptTemplates(fsys); err == nil {
		t.Error("a version without French loaded")
	}
}

// TestReceiptPNG writes the receipt as PNG next to the other test
// artifacts when KANSRIJK_RECEIPT_PNG is set, to look at it.
func TestReceiptPNG(t *testing.T) {
	dir := os.Getenv("KANSRIJK_RECEIPT_PNG")
	if dir == "" {
		t.Skip("set KANSRIJK_RECEIPT_PNG to a directory to get PNGs of the receipt")
	}
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Skip("pdftoppm not installed")
	}
	for _, lang := range ReceiptLangs {
		pdf, err := Receipt(sampleReceipt(lang))
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(dir, "receipt-"+lang+".pdf")
		if err := os.WriteFile(f, pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("pdftoppm", "-png", "-r", "70", f, filepath.Join(dir, "receipt-"+lang)).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v %s", err, out)
		}
	}
}

// The PDF cannot shape Arabic (see ReceiptLangs): it is refused, and
// the Arabic receipt is the HTML page.
func TestReceiptNoArabicPDF(t *testing.T) {
	if _, err := Receipt(sampleReceipt("ar")); err == nil {
		t.Error("an Arabic PDF was rendered without shaping")
	}
}
