package birth

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"
)

// The import corpus: CSV batches built the way the programs clinics use
// write them (see testdata/README.md). The files are committed;
// TestCorpusFiles rebuilds them and fails when they differ, so what is in
// testdata is what these builders make (go test ./internal/birth/ -run
// TestCorpusFiles -update writes them).

var update = flag.Bool("update", false, "rewrite the generated corpus files in testdata")

// corpusToday is the day the corpus's dates are recent on: its rows are
// born in the week before (46362 is Excel's serial of 6 December 2026).
const corpusToday = "2026-12-10"

// excelCSV writes rows as Belgian Excel's "CSV (gescheiden door
// lijstscheidingsteken)": Windows-1252, ";" between cells, CRLF, no BOM;
// a cell with a ";" or a quote is quoted, quotes doubled.
func excelCSV(t testing.TB, rows [][]string) []byte {
	t.Helper()
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			if i > 0 {
				b.WriteByte(';')
			}
			if strings.ContainsAny(c, ";\"\r\n") {
				c = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
			}
			b.WriteString(c)
		}
		b.WriteString("\r\n")
	}
	out, err := charmap.Windows1252.NewEncoder().Bytes([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// excelUnicodeText writes rows as Excel's "Unicode-tekst": UTF-16LE with
// a BOM, tabs between cells, CRLF; a cell with a tab or a quote is quoted.
func excelUnicodeText(rows [][]string) []byte {
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			if i > 0 {
				b.WriteByte('\t')
			}
			if strings.ContainsAny(c, "\t\"\r\n") {
				c = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
			}
			b.WriteString(c)
		}
		b.WriteString("\r\n")
	}
	u := utf16.Encode([]rune(b.String()))
	out := []byte{0xFF, 0xFE}
	for _, x := range u {
		out = append(out, byte(x), byte(x>>8))
	}
	return out
}

// macCSV writes rows as Excel for Mac's "CSV (Macintosh)" did: "," and a
// lone CR after every line (ASCII only: its Mac Roman is not read).
func macCSV(rows [][]string) []byte {
	var b bytes.Buffer
	for _, r := range rows {
		for i, c := range r {
			if i > 0 {
				b.WriteByte(',')
			}
			if strings.ContainsAny(c, ",\"\r\n") {
				c = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
			}
			b.WriteString(c)
		}
		b.WriteByte('\r')
	}
	return b.Bytes()
}

// corpus returns the generated files by name.
func corpus(t testing.TB) map[string][]byte {
	return map[string][]byte{
		// A title line and an empty row (as Excel writes one: only
		// separators) above the header, Dutch headers with spaces, three
		// trailing empty columns, serial dates, neen and "ja, graag",
		// language names, a telephone number without its 0 and one Excel
		// shortened beyond repair, accents in Windows-1252.
		"FICTIEF_excel_windows1252.csv": excelCSV(t, [][]string{
			{"Geboortemeldingen Kraamkliniek Zonnedal – week 49", "", "", "", "", "", "", "", "", "", "", "", ""},
			{"", "", "", "", "", "", "", "", "", "", "", "", ""},
			{"Naam moeder", "Straat moeder", "Huisnummer moeder", "Postcode moeder", "NIS gemeente moeder", "Telefoon moeder", "Taal moeder",
				"Naam meeouder", "Geboortedatum kind", "Vroeg contact gevraagd", "Referentie", "", ""},
			{"Zoë Claeßens", "Kerkstraat", "12", "2235", "13016", "471234567", "Nederlands", "Noël Dubœuf", "46362", "ja, graag", "ZD-2026-0412", "", ""},
			{"Anaïs Verhaeghe", "Stationsstraat", "8", "2000", "11002", "0470 12 34 56", "Frans", "", "04/12/2026", "neen", "ZD-2026-0413", "", ""},
			{"Fatima El Idrissi", "Dorpsplein", "3", "2235", "13016", "3,2471E+10", "Arabisch", "", "1-12-2026", "Ja", "ZD-2026-0414", "", ""},
		}),
		// Excel's "Unicode-tekst": English headers, tabs, a telephone
		// number in scientific notation with every digit and one without
		// its +, English language names, a quoted name with a tab.
		"FICTIEF_excel_unicode.txt": excelUnicodeText([][]string{
			{"mother_name", "mother_street", "mother_number", "mother_postcode", "mother_municipality_nis", "mother_phone", "mother_email",
				"mother_language", "child_birth_date", "early_contact_requested", "clinic_reference"},
			{"Marie Dubois", "Kerkstraat", "14", "2235", "13016", "3,2471234567E+10", "", "French", "2026-12-05", "yes", "ZD-2026-0420"},
			{"Aylin Yılmaz", "Stationsstraat", "10", "2000", "11002", "32475123456", "aylin@example.org", "Turkish", "6/12/2026", "no", "ZD-2026-0421"},
			{"Oksana \"Ksenia\" Koval", "Markt", "1", "2235", "13016", "+32 15 22 40 11", "", "Oekraïens", "03.12.2026", "nee", "ZD-2026-0422"},
		}),
		// A lone CR after every line, "," as separator.
		"FICTIEF_mac_cr.csv": macCSV([][]string{
			{"naam moeder", "straat moeder", "huisnummer moeder", "postcode moeder", "nis gemeente moeder", "telefoon moeder", "taal moeder",
				"geboortedatum kind", "vroeg contact"},
			{"Lotte Peeters", "Kerkstraat", "16", "2235", "13016", "0471 11 22 33", "nl", "2026-12-02", "nee"},
			{"Sara Janssens", "Kerkstraat", "18", "2235", "13016", "0032 471 11 22 44", "Engels", "02/12/2026", "ja"},
		}),
		// Hostile cells: formulas, a NUL, a control character; the good
		// row goes in, every other row is refused with its own problem.
		"FICTIEF_vijandig.csv": []byte("moeder_naam;moeder_straat;moeder_huisnummer;moeder_postcode;moeder_nis;moeder_telefoon;moeder_taal;geboortedatum;vroeg_contact\r\n" +
			"Goede Rij;Kerkstraat;20;2235;13016;0470 00 00 20;nl;2026-12-01;nee\r\n" +
			"=cmd|' /C calc'!A0;Kerkstraat;22;2235;13016;0470 00 00 22;nl;2026-12-01;nee\r\n" +
			"Een Naam;@SUM(1+1)*cmd|' /C calc'!A0;24;2235;13016;0470 00 00 24;nl;2026-12-01;nee\r\n" +
			"Nog Een;Kerkstraat;26;2235;13016;+cmd|' /C calc'!A0;nl;2026-12-01;nee\r\n" +
			"Met\x00Nul;Kerkstraat;28;2235;13016;0470 00 00 28;nl;2026-12-01;nee\r\n" +
			"Met\x1bEscape;Kerkstraat;30;2235;13016;0470 00 00 30;nl;2026-12-01;nee\r\n" +
			"Verzonnen Nummer;Kerkstraat;32;2235;13016;0470;nl;2026-12-01;nee\r\n"),
	}
}

// TestCorpusFiles: the committed corpus is what the builders make.
func TestCorpusFiles(t *testing.T) {
	for name, want := range corpus(t) {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what its builder makes: run go test ./internal/birth/ -run TestCorpusFiles -update", name)
		}
	}
}
