package birth

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"kansrijk/internal/apperr"
	"kansrijk/internal/i18n"
	"kansrijk/internal/municipality"
	"kansrijk/internal/textnorm"
)

// checkCorpus parses and checks a corpus file on corpusToday.
func checkCorpus(t *testing.T, name string) (*Batch, BatchReport) {
	t.Helper()
	b, err := ParseBatch(readTestdata(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	rep, _ := CheckBatch(b, "clinic-zonnedal", municipality.MustLoad(), date(corpusToday))
	return b, rep
}

// TestParseBatchExcelWindows1252: Belgian Excel's CSV with a title line,
// an empty row and trailing empty columns, accents in Windows-1252, serial
// dates, neen and "ja, graag", language names, a telephone number without
// its 0 (accepted with a warning) and one Excel shortened (refused).
func TestParseBatchExcelWindows1252(t *testing.T) {
	b, rep := checkCorpus(t, "FICTIEF_excel_windows1252.csv")
	if b.Encoding != textnorm.EncodingWindows1252 || b.Separator != ";" || b.HeaderLine != 3 || len(b.Rows) != 3 || b.BOM {
		t.Fatalf("encoding %s separator %q header line %d rows %d", b.Encoding, b.Separator, b.HeaderLine, len(b.Rows))
	}
	n := b.Rows[0].Notification
	if b.Rows[0].Line != 4 || n.Mother.Name != "Zoë Claeßens" || n.Mother.Phone != "+32471234567" || n.Mother.Language != "nl" ||
		n.ChildBirthDate != "2026-12-06" || !n.EarlyContactRequested || n.ClinicReference != "ZD-2026-0412" ||
		n.CoParent == nil || n.CoParent.Name != "Noël Dubœuf" {
		t.Errorf("row 4 = %+v co-parent %+v", n, n.CoParent)
	}
	if n := b.Rows[1].Notification; n.Mother.Language != "fr" || n.ChildBirthDate != "2026-12-04" || n.EarlyContactRequested {
		t.Errorf("row 5 = %+v", n)
	}
	if n := b.Rows[2].Notification; n.Mother.Language != "ar" || n.ChildBirthDate != "2026-12-01" || !n.EarlyContactRequested {
		t.Errorf("row 6 = %+v", n)
	}
	wantWarnings(t, rep, Problem{Row: 4, Column: "Telefoon moeder", Code: apperr.PhoneRepaired,
		Message: "Telefoonnummer '471234567' miste de 0 vooraan (Excel laat die weg): gelezen als +32471234567."})
	if len(rep.Problems) != 1 || rep.Problems[0].Row != 6 || rep.Problems[0].Code != apperr.PhoneInvalid || rep.Problems[0].Column != "Telefoon moeder" ||
		!strings.Contains(rep.Problems[0].Message, "wetenschappelijke notatie") {
		t.Errorf("problems %+v", rep.Problems)
	}
	if got := statuses(rep); got != "created created rejected" {
		t.Errorf("statuses %s", got)
	}
	if b.Rows[1].Notification.Mother.Phone != "+32470123456" {
		t.Errorf("phone of row 5 = %q, want E.164", b.Rows[1].Notification.Mother.Phone)
	}
}

// TestParseBatchExcelUnicodeText: Excel's "Unicode-tekst" (UTF-16LE with
// BOM, tabs): scientific notation with every digit and a dropped + are
// repaired with a warning each.
func TestParseBatchExcelUnicodeText(t *testing.T) {
	b, rep := checkCorpus(t, "FICTIEF_excel_unicode.txt")
	if b.Encoding != textnorm.EncodingUTF16LE || b.Separator != "\t" || b.HeaderLine != 1 || len(b.Rows) != 3 {
		t.Fatalf("encoding %s separator %q header line %d rows %d", b.Encoding, b.Separator, b.HeaderLine, len(b.Rows))
	}
	if rep.Rejected != 0 {
		t.Fatalf("problems %+v", rep.Problems)
	}
	wantWarnings(t, rep,
		Problem{Row: 2, Column: "mother_phone", Code: apperr.PhoneRepaired,
			Message: "Telefoonnummer '3,2471234567E+10' stond in wetenschappelijke notatie (Excel): gelezen als +32471234567."},
		Problem{Row: 3, Column: "mother_phone", Code: apperr.PhoneRepaired,
			Message: "Telefoonnummer '32475123456' miste de + vooraan (Excel laat die weg): gelezen als +32475123456."})
	r := b.Rows
	if r[0].Notification.Mother.Phone != "+32471234567" || r[0].Notification.Mother.Language != "fr" || !r[0].Notification.EarlyContactRequested ||
		r[1].Notification.Mother.Name != "Aylin Yılmaz" || r[1].Notification.ChildBirthDate != "2026-12-06" || r[1].Notification.Mother.Language != "tr" ||
		r[2].Notification.Mother.Name != `Oksana "Ksenia" Koval` || r[2].Notification.Mother.Phone != "+3215224011" ||
		r[2].Notification.Mother.Language != "uk" || r[2].Notification.ChildBirthDate != "2026-12-03" || r[2].Notification.ClinicReference != "ZD-2026-0422" {
		t.Errorf("rows %+v", r)
	}
}

// TestParseBatchMacCR: lone CR line ends.
func TestParseBatchMacCR(t *testing.T) {
	b, rep := checkCorpus(t, "FICTIEF_mac_cr.csv")
	if b.Separator != "," || len(b.Rows) != 2 || b.Rows[1].Line != 3 || rep.Rejected != 0 || len(rep.Warnings) != 0 {
		t.Fatalf("separator %q rows %+v problems %+v", b.Separator, b.Rows, rep.Problems)
	}
	if n := b.Rows[1].Notification; n.Mother.Phone != "+32471112244" || n.Mother.Language != "en" || n.ChildBirthDate != "2026-12-02" {
		t.Errorf("row 3 = %+v", n)
	}
}

// TestParseBatchHostile: formulas, a NUL and a control character refuse
// their rows; the good row stays good.
func TestParseBatchHostile(t *testing.T) {
	_, rep := checkCorpus(t, "FICTIEF_vijandig.csv")
	want := map[int]string{3: apperr.FormulaCell, 4: apperr.FormulaCell, 5: apperr.PhoneInvalid, 6: apperr.InvalidText, 7: apperr.InvalidText,
		8: apperr.PhoneInvalid}
	got := map[int]string{}
	for _, p := range rep.Problems {
		if _, seen := got[p.Row]; !seen {
			got[p.Row] = p.Code
		}
		if p.Message == "" || strings.ContainsAny(p.Message, "\x00\x1b") {
			t.Errorf("problem %+v", p)
		}
	}
	for row, code := range want {
		if got[row] != code {
			t.Errorf("row %d: first problem %q, want %q (%+v)", row, got[row], code, rep.Problems)
		}
	}
	if statuses(rep) != "created rejected rejected rejected rejected rejected rejected" {
		t.Errorf("statuses %s", statuses(rep))
	}
	for _, p := range rep.Problems {
		if p.Row == 3 && p.Code == apperr.FormulaCell && p.Message != "De cel begint met '=', zoals een formule in een rekenblad: zo'n waarde wordt niet ingelezen." {
			t.Errorf("formula message %q", p.Message)
		}
	}
	// A line of 4 MB: a row problem; 10 MB: the file is too large, and
	// says so with its limits.
	header := "moeder_naam;moeder_straat;moeder_huisnummer;moeder_postcode;moeder_nis;moeder_telefoon;moeder_taal;geboortedatum\n"
	b, err := ParseBatch([]byte(header + strings.Repeat("a", 4<<20) + ";Kerkstraat;1;2235;13016;0470 00 00 01;nl;2026-12-01\n"))
	if err != nil {
		t.Fatal(err)
	}
	if rep, _ := CheckBatch(b, "clinic-zonnedal", municipality.MustLoad(), date(corpusToday)); rep.Rejected != 1 || rep.Problems[0].Code != apperr.FieldTooLong {
		t.Errorf("a 4 MB name: %+v", rep.Problems)
	}
	_, err = ParseBatch(bytes.Repeat([]byte("a"), 10<<20))
	var fe *FileError
	if !errors.As(err, &fe) || fe.Code != apperr.TooLarge || fe.Message != "Het bestand is groter dan 5 MB. Splits het op in bestanden van hoogstens 5 MB en 5000 rijen." {
		t.Errorf("10 MB: %v (%+v)", err, fe)
	}
}

// TestParseBatchFileMessages: file-level messages in Dutch (and English
// through their key) with every number filled in; an unknown column names
// the expected ones.
func TestParseBatchFileMessages(t *testing.T) {
	header := "mother_name;mother_street;mother_number;mother_postcode;mother_municipality_nis;mother_language;child_birth_date"
	fe := fileError(t, []byte(header+";geslacht kind\n"))
	if fe.Code != apperr.UnknownColumn || !strings.HasPrefix(fe.Message, "De kolom 'geslacht kind' kent Kansrijk niet. Gebruik de kolommen: moeder_naam, moeder_straat,") ||
		!strings.Contains(fe.Message, "referentie") || strings.Contains(fe.Message, "rijksregisternummer") {
		t.Errorf("unknown column: %q", fe.Message)
	}
	if en := i18n.T(i18n.EN, fe.Key, fe.Args); !strings.Contains(en, "Use the columns: mother_name, mother_street,") {
		t.Errorf("English: %q", en)
	}
	fe = fileError(t, readTestdata(t, "FICTIEF_rijksregisternummer.csv"))
	if !strings.Contains(fe.Message, "rijksregisternummer of medische gegevens") || !strings.Contains(fe.Message, "Gebruik de kolommen: moeder_naam") {
		t.Errorf("national register number: %q", fe.Message)
	}
	fe = fileError(t, []byte(header+"\n"+strings.Repeat("a;b;1;2235;13016;nl;2025-03-01\n", MaxBatchRows+1)))
	if fe.Code != apperr.TooManyRows || !strings.Contains(fe.Message, "meer dan 5000 rijen") || fe.AppErr().Args["N"] != MaxBatchRows ||
		strings.Contains(i18n.T(i18n.EN, fe.AppErr().Key, fe.AppErr().Args), "{") {
		t.Errorf("too many rows: %q %+v", fe.Message, fe.AppErr())
	}
	fe = fileError(t, []byte("mother_name;mother_street;mother_number;mother_postcode;mother_municipality_nis;mother_language\nA;b;1;2235;13016;nl\n"))
	if fe.Message != "Het bestand heeft geen kolom 'geboortedatum' (of 'child_birth_date'). Die is verplicht." {
		t.Errorf("missing column: %q", fe.Message)
	}
	// A title line that happens to hold commas, above a ";" header.
	b, err := ParseBatch([]byte("Kliniek Zonnedal, geboortes, december\n\n" + header + "\nAn;Kerkstraat;1;2235;13016;nl;2026-12-01\n"))
	if err != nil || b.Separator != ";" || b.HeaderLine != 3 || b.Rows[0].Line != 4 {
		t.Fatalf("title line: %v %+v", err, b)
	}
}

func TestParseYesNoAndLanguage(t *testing.T) {
	for _, s := range []string{"ja", "JA", "Ja, graag", "ja graag", "jawel", "yes", "WAAR", "x", "1", "✓", "oui"} {
		if yes, ok := parseYesNo(s); !yes || !ok {
			t.Errorf("%q is not yes", s)
		}
	}
	for _, s := range []string{"", "nee", "Neen", "nee, bedankt", "no", "ONWAAR", "0", "non"} {
		if yes, ok := parseYesNo(s); yes || !ok {
			t.Errorf("%q is not no", s)
		}
	}
	for _, s := range []string{"misschien", "?", "-"} {
		if _, ok := parseYesNo(s); ok {
			t.Errorf("%q is read as yes or no", s)
		}
	}
	for in, want := range map[string]string{"Nederlands": "nl", "NL": "nl", "nl-BE": "nl", "fr_BE": "fr", "Frans": "fr", "Français": "fr",
		"Arabisch": "ar", "Arabic": "ar", "Turks": "tr", "Oekraïens": "uk", "Tigrinya": "ti", "Klingon": "Klingon", "": ""} {
		if got := languageCode(in); got != want {
			t.Errorf("languageCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func fileError(t *testing.T, data []byte) *FileError {
	t.Helper()
	_, err := ParseBatch(data)
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v, want a FileError", err)
	}
	if strings.Contains(fe.Message, "{") || strings.HasPrefix(fe.Message, "imports.") {
		t.Errorf("message %q has a hole", fe.Message)
	}
	return fe
}

func wantWarnings(t *testing.T, rep BatchReport, want ...Problem) {
	t.Helper()
	if len(rep.Warnings) != len(want) {
		t.Fatalf("warnings %+v, want %+v", rep.Warnings, want)
	}
	for i := range want {
		if rep.Warnings[i] != want[i] {
			t.Errorf("warning %d = %+v, want %+v", i, rep.Warnings[i], want[i])
		}
	}
}

func statuses(rep BatchReport) string {
	var s []string
	for _, r := range rep.Rows {
		s = append(s, r.Status)
	}
	return strings.Join(s, " ")
}

// BenchmarkCheckBatchExcel: a full batch (5000 rows) as Belgian Excel
// writes it — Windows-1252, a title line, serial dates, language names,
// every telephone number without its 0 — parsed and checked.
func BenchmarkCheckBatchExcel(b *testing.B) {
	rows := [][]string{{"Geboortes"}, {"Naam moeder", "Straat moeder", "Huisnummer moeder", "Postcode moeder", "NIS gemeente moeder",
		"Telefoon moeder", "Taal moeder", "Geboortedatum kind", "Vroeg contact gevraagd", "", ""}}
	for i := range MaxBatchRows {
		rows = append(rows, []string{"Moeder Nummer " + strconv.Itoa(i), "Kerkstraat", strconv.Itoa(1 + i%200), "2235", "13016",
			"4712" + fmt.Sprintf("%05d", i), "Nederlands", strconv.Itoa(46355 + i%7), "ja, graag", "", ""})
	}
	data := excelCSV(b, rows)
	reg := municipality.MustLoad()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		bt, err := ParseBatch(data)
		if err != nil {
			b.Fatal(err)
		}
		if rep, _ := CheckBatch(bt, "clinic-bench", reg, date(corpusToday)); rep.Rejected != 0 || len(rep.Warnings) != MaxBatchRows {
			b.Fatalf("rejected %d warnings %d: %+v", rep.Rejected, len(rep.Warnings), rep.Problems[:1])
		}
	}
}
