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

	"kansrijk/internal/agreement"
	"kansrijk/internal/store"
)

const infoText = `Met uw toestemming geeft het lokaal team uw naam en contactgegevens door aan het OCMW van Sint-Genesius-Rode.
Waarom: zodat het OCMW u vroeg kan contacteren (ook in het Frans: « bienvenue »).
Wat u mag verwachten: het OCMW neemt contact met u op. U kunt uw toestemming altijd intrekken.`

func sample() Input {
	return Input{
		AgreementID:      4711,
		TeamName:         "Lokaal team Zuiderkempen-Noord",
		RecipientName:    "OCMW Sint-Katelijne-Waver",
		MunicipalityName: "Sint-Genesius-Rode",
		MunicipalityNIS:  "23101",
		Version: agreement.Version{
			Version:           3,
			RetentionDays:     137,
			StatusFeedback:    true,
			FirstContactDays:  11,
			InformationText:   infoText,
			ProtocolReference: "PROT-2026-017",
			DPOAdviceOn:       "2026-02-12",
			PublicationURL:    "https://www.sint-genesius-rode.be/protocollen",
			TemplateVersion:   TemplateVersion,
		},
		Signatures: []agreement.Signature{
			{Function: "administrator_general", Name: "Anaïs Vercruyssen", SignedOn: "2026-03-02"},
			{Function: "council_chair", Name: "Jérôme Dubois", SignedOn: "2026-03-05"},
			{Function: "general_director", Name: "Zoë Van den Brœck", SignedOn: "2026-03-06"},
		},
		GeneratedOn: time.Date(2026, 3, 9, 10, 30, 0, 0, time.UTC),
	}
}

// pdfText extracts the text of a PDF with pdftotext -layout and collapses
// all whitespace, so that phrases broken over lines still match.
func pdfText(t testing.TB, pdf []byte) (flat, layout string) {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext (poppler-utils) is required in CI")
		}
		t.Skip("pdftotext not installed (apt-get install poppler-utils)")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	layout = string(out)
	return strings.Join(strings.Fields(layout), " "), layout
}

func TestTemplateVersionMatchesStore(t *testing.T) {
	if TemplateVersion != store.TemplateVersion {
		t.Fatalf("paperwork.TemplateVersion %q != store.TemplateVersion %q", TemplateVersion, store.TemplateVersion)
	}
	if vs := Versions(); len(vs) == 0 || !contains(vs, TemplateVersion) {
		t.Fatalf("Versions() = %v, want it to hold %q", vs, TemplateVersion)
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func TestDocuments(t *testing.T) {
	common := []string{
		// parties
		"Opgroeien regie", "Lokaal team Zuiderkempen-Noord", "OCMW Sint-Katelijne-Waver",
		"Sint-Genesius-Rode", "23101",
		// the three signatory functions
		"administrateur-generaal", "voorzitter van de raad voor maatschappelijk welzijn", "algemeen directeur",
		// accented signatories, names and dates
		"Anaïs Vercruyssen", "Jérôme Dubois", "Zoë Van den Brœck", "2 maart 2026", "5 maart 2026",
		// retention and references
		"137 dagen na de afsluiting",
		"PROT-2026-017", "12 februari 2026", "https://www.sint-genesius-rode.be/protocollen",
		// footer
		"nr. 4711", "Sjabloon 2026.1", "9 maart 2026", "pagina 1 van",
	}
	cases := []struct {
		name string
		gen  func(Input) ([]byte, error)
		want []string
	}{
		{"samenwerkingsovereenkomst", CooperationAgreement, []string{
			"Lokale samenwerkingsovereenkomst",
			"decreet van 9 februari 2018 betreffende het lokaal sociaal beleid",
			"decreet van 4 februari 2022 tot wijziging van het decreet van 30 april 2004",
			"onderbescherming", "vrijwillig en uitdrukkelijk", "intrekken", "beroepsgeheim",
			"welke gegevens worden doorgegeven", "aan wie de gegevens worden doorgegeven",
			"waarom de gegevens worden doorgegeven", "wat er met de gegevens gebeurt",
			"wat zij na de toeleiding mogen verwachten",
			// the information text, line by line
			"Met uw toestemming geeft het lokaal team uw naam en contactgegevens door aan het OCMW van Sint-Genesius-Rode.",
			"Waarom: zodat het OCMW u vroeg kan contacteren (ook in het Frans: « bienvenue »).",
			"U kunt uw toestemming altijd intrekken.",
			"binnen 11 dagen", "uitsluitend met statuscodes",
			"onbepaalde duur", "opzeggen", "fusie van de gemeente Sint-Genesius-Rode",
			"Duur en beëindiging",
		}},
		{"verwerkingsovereenkomst", ProcessingAgreement, []string{
			"Verwerkingsovereenkomst", "Doelbinding", "Beveiligingsmaatregelen", "Vertrouwelijkheid",
			"Rechten van de betrokkenen", "binnen 72 uur", "artikel 33 AVG", "Logging en audit",
			"geïnformeerd",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pdf, err := c.gen(sample())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
				t.Fatalf("not a PDF: %q", pdf[:min(len(pdf), 16)])
			}
			flat, layout := pdfText(t, pdf)
			for _, w := range append(append([]string{}, common...), c.want...) {
				if !strings.Contains(flat, w) {
					t.Errorf("missing %q", w)
				}
			}
			// The data items: exactly the four, each as a bullet.
			for _, item := range []string{"naam;", "adres;", "telefoonnummer;", "e-mailadres."} {
				if !regexp.MustCompile(`(?m)^\s*•\s+` + regexp.QuoteMeta(item) + `\s*$`).MatchString(layout) {
					t.Errorf("data item %q is not listed as a bullet", item)
				}
			}
			// Nothing beyond them: no forbidden item anywhere, let alone as a bullet.
			lower := strings.ToLower(flat)
			for _, bad := range []string{"rijksregisternummer", "geboortedatum", "insz", "diagnose"} {
				if strings.Contains(lower, bad) {
					t.Errorf("forbidden item %q appears in the document", bad)
				}
			}
			for _, bad := range []string{"reden", "score", "kind", "gezondheid"} {
				if regexp.MustCompile(`(?mi)^\s*•\s+[^\n]*` + bad).MatchString(dataItems(layout)) {
					t.Errorf("forbidden item %q listed as a data item", bad)
				}
			}
			if strings.ContainsRune(flat, '\uFFFD') || strings.Contains(flat, "Ã") {
				t.Error("garbled UTF-8 in the extracted text")
			}
			if !regexp.MustCompile(`pagina (\d+) van (\d+)`).MatchString(flat) {
				t.Error("no page numbers")
			}
		})
	}
}

// dataItems returns the bullets that follow the data-items heading, up to
// the next paragraph.
func dataItems(layout string) string {
	i := strings.Index(layout, "gegevens van de ouder(s)")
	if i < 0 {
		return ""
	}
	var b strings.Builder
	for _, line := range strings.Split(layout[i:], "\n")[1:] {
		tl := strings.TrimSpace(line)
		if tl == "" {
			continue
		}
		if !strings.HasPrefix(tl, "•") {
			break
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

// TestDataItemBlocks checks the template itself: the bullet list after
// "Artikel 2" holds exactly the four items, in both documents.
func TestDataItemBlocks(t *testing.T) {
	sets, err := loadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	for v, set := range sets {
		for _, tmpl := range []string{cooperationFile, processingFile} {
			tp := set.cooperation
			if tmpl == processingFile {
				tp = set.processing
			}
			src, err := execute(tp, newData(sample(), v))
			if err != nil {
				t.Fatal(err)
			}
			blocks, err := parseBlocks(src)
			if err != nil {
				t.Fatal(err)
			}
			var items []string
			for i, b := range blocks {
				if b.kind == kindHeading && strings.HasPrefix(b.text, "Artikel 2") {
					for _, n := range blocks[i+1:] {
						if n.kind == kindBullet {
							items = append(items, n.text)
						} else if len(items) > 0 {
							break
						}
					}
				}
			}
			want := []string{"naam;", "adres;", "telefoonnummer;", "e-mailadres."}
			if strings.Join(items, "|") != strings.Join(want, "|") {
				t.Errorf("%s/%s: data items %q, want %q", v, tmpl, items, want)
			}
			sig := 0
			for _, b := range blocks {
				if b.kind == kindSignature {
					sig++
					if !contains(agreement.SignatoryFunctions, b.function) {
						t.Errorf("%s/%s: unknown signatory function %q", v, tmpl, b.function)
					}
				}
			}
			if sig != len(agreement.SignatoryFunctions) {
				t.Errorf("%s/%s: %d signature blocks, want %d", v, tmpl, sig, len(agreement.SignatoryFunctions))
			}
		}
	}
}

func TestBlankSignaturesAndDefaults(t *testing.T) {
	in := sample()
	in.Signatures = nil
	in.Version.ProtocolReference, in.Version.DPOAdviceOn, in.Version.PublicationURL = "", "", ""
	in.Version.StatusFeedback = false
	in.Version.TemplateVersion = "" // the current version
	pdf, err := CooperationAgreement(in)
	if err != nil {
		t.Fatal(err)
	}
	flat, _ := pdfText(t, pdf)
	if n := strings.Count(flat, "niet van toepassing / nog niet bepaald"); n != 3 {
		t.Errorf("%d times 'niet van toepassing / nog niet bepaald', want 3", n)
	}
	if strings.Contains(flat, "Anaïs") {
		t.Error("signatory name without signatures")
	}
	if n := strings.Count(flat, "Naam:"); n != 3 {
		t.Errorf("%d name fields, want 3", n)
	}
	// pdftotext puts the columns side by side: a blank "Naam:" is followed
	// by the next column's "Naam:" or by "Datum:", never by a name.
	if regexp.MustCompile(`Naam: [^ND]`).MatchString(flat) {
		t.Errorf("a blank name field holds text: %s", flat[strings.Index(flat, "Naam:"):])
	}
	if !strings.Contains(flat, "Partijen komen geen terugkoppeling overeen") {
		t.Error("no-feedback clause missing")
	}
}

func TestCAWBrussel(t *testing.T) {
	in := sample()
	in.RecipientName = "CAW Brussel"
	in.MunicipalityName, in.MunicipalityNIS = "Sint-Jans-Molenbeek", "21012"
	pdf, err := CooperationAgreement(in)
	if err != nil {
		t.Fatal(err)
	}
	flat, _ := pdfText(t, pdf)
	for _, w := range []string{"het CAW Brussel", "Brussels Hoofdstedelijk Gewest", "Sint-Jans-Molenbeek"} {
		if !strings.Contains(flat, w) {
			t.Errorf("missing %q", w)
		}
	}
	if strings.Contains(flat, "hierna „het OCMW”") {
		t.Error("CAW Brussel called OCMW")
	}
}

func TestDeterministic(t *testing.T) {
	for _, gen := range []func(Input) ([]byte, error){CooperationAgreement, ProcessingAgreement} {
		a, err := gen(sample())
		if err != nil {
			t.Fatal(err)
		}
		b, err := gen(sample())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Fatal("two runs with the same input give different PDFs")
		}
		if !bytes.Contains(a, []byte("/CreationDate (D:20260309")) {
			t.Error("creation date is not GeneratedOn")
		}
		in := sample()
		in.GeneratedOn = in.GeneratedOn.AddDate(0, 0, 1)
		c, err := gen(in)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(a, c) {
			t.Error("another generation date gives the same PDF")
		}
	}
}

func TestMetadata(t *testing.T) {
	if _, err := exec.LookPath("pdfinfo"); err != nil {
		t.Skip("pdfinfo not installed")
	}
	pdf, err := ProcessingAgreement(sample())
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "v.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfinfo", f).Output()
	if err != nil {
		t.Fatal(err)
	}
	info := string(out)
	for _, w := range []string{"Title:", "Verwerkingsovereenkomst – Sint-Genesius-Rode", "Author:", "Kansrijk"} {
		if !strings.Contains(info, w) {
			t.Errorf("pdfinfo lacks %q:\n%s", w, info)
		}
	}
}

func TestUnknownTemplateVersion(t *testing.T) {
	in := sample()
	in.Version.TemplateVersion = "1999.9"
	for _, gen := range []func(Input) ([]byte, error){CooperationAgreement, ProcessingAgreement} {
		if _, err := gen(in); !errors.Is(err, ErrUnknownTemplate) {
			t.Errorf("err = %v, want ErrUnknownTemplate", err)
		}
	}
}

func TestInvalidInput(t *testing.T) {
	for name, mutate := range map[string]func(*Input){
		"no team":       func(in *Input) { in.TeamName = " " },
		"no recipient":  func(in *Input) { in.RecipientName = "" },
		"no info text":  func(in *Input) { in.Version.InformationText = "" },
		"no retention":  func(in *Input) { in.Version.RetentionDays = 0 },
		"no generation": func(in *Input) { in.GeneratedOn = time.Time{} },
	} {
		in := sample()
		mutate(&in)
		if _, err := CooperationAgreement(in); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestVersionedTemplates: an older template version stays renderable next
// to a newer one, each with its own text.
func TestVersionedTemplates(t *testing.T) {
	fsys := fstest.MapFS{
		"2025.1/samenwerkingsovereenkomst.txt": {Data: []byte("# Oude tekst\n\nBewaartermijn {{.RetentionDays}} dagen.\n")},
		"2025.1/verwerkingsovereenkomst.txt":   {Data: []byte("# Oude verwerking\n")},
		"2026.1/samenwerkingsovereenkomst.txt": {Data: []byte("# Nieuwe tekst\n")},
		"2026.1/verwerkingsovereenkomst.txt":   {Data: []byte("# Nieuwe verwerking\n")},
	}
	sets, err := loadTemplates(fsys)
	if err != nil {
		t.Fatal(err)
	}
	set, v, err := lookup(sets, "2025.1")
	if err != nil || v != "2025.1" {
		t.Fatalf("lookup: %v %q", err, v)
	}
	src, err := execute(set.cooperation, newData(sample(), v))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(src, "Oude tekst") || !strings.Contains(src, "137 dagen") {
		t.Errorf("old version rendered %q", src)
	}
	if _, _, err := lookup(sets, "2024.1"); !errors.Is(err, ErrUnknownTemplate) {
		t.Errorf("err = %v", err)
	}
	// A version folder missing a document is an error, not a silent gap.
	delete(fsys, "2026.1/verwerkingsovereenkomst.txt")
	if _, err := loadTemplates(fsys); err == nil {
		t.Error("incomplete version folder accepted")
	}
}

func TestParseBlocks(t *testing.T) {
	blocks, err := parseBlocks("# T\n^ s\n## H\nline one\nline two\n\n- a\n  continued\n> q1\n> q2\n@handtekening f | r | p, with | bar\n")
	if err != nil {
		t.Fatal(err)
	}
	got := []block{
		{kind: kindTitle, text: "T"}, {kind: kindSubtitle, text: "s"}, {kind: kindHeading, text: "H"},
		{kind: kindPara, text: "line one line two"}, {kind: kindBullet, text: "a continued"},
		{kind: kindQuote, text: "q1"}, {kind: kindQuote, text: "q2"},
		{kind: kindSignature, function: "f", role: "r", party: "p, with | bar"},
	}
	if len(blocks) != len(got) {
		t.Fatalf("%d blocks: %+v", len(blocks), blocks)
	}
	for i := range got {
		if blocks[i] != got[i] {
			t.Errorf("block %d = %+v, want %+v", i, blocks[i], got[i])
		}
	}
	if _, err := parseBlocks("@onbekend x\n"); err == nil {
		t.Error("unknown directive accepted")
	}
	// Text from the database cannot inject markup: quote prefixes every line.
	q := funcs["quote"].(func(string) string)("# niet een titel\n\n@handtekening x | y | z")
	if q != "> # niet een titel\n> @handtekening x | y | z" {
		t.Errorf("quote = %q", q)
	}
}

func BenchmarkCooperationAgreement(b *testing.B) {
	in := sample()
	for b.Loop() {
		if _, err := CooperationAgreement(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProcessingAgreement(b *testing.B) {
	in := sample()
	for b.Loop() {
		if _, err := ProcessingAgreement(in); err != nil {
			b.Fatal(err)
		}
	}
}
