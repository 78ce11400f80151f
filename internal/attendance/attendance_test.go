package attendance

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"kansrijk/internal/municipality"
)

var (
	webinar2023 = time.Date(2023, 3, 8, 0, 0, 0, 0, time.UTC)
	webinar2025 = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
)

func registry(t testing.TB) *municipality.Registry {
	t.Helper()
	r, err := municipality.Load()
	if err != nil {
		t.Fatalf("municipality.Load: %v", err)
	}
	return r
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// want is the expected outcome of one row.
type want struct {
	line    int
	nis     string
	how     string
	problem string
}

func TestFiles(t *testing.T) {
	reg := registry(t)
	tests := []struct {
		file      string
		on        time.Time
		encoding  string
		sep       string
		header    int // header line
		rows      []want
		matched   int
		unmatched int
		dups      int
		accepted  bool
	}{
		{
			file: "bom_semicolon_nl.csv", on: webinar2023, encoding: EncodingUTF8BOM, sep: ";", header: 1,
			rows: []want{
				{2, "12035", HowName, ""},
				{3, "12035", HowName, ""},               // St.-Katelijne-Waver
				{4, "24055", HowName, ""},               // Gemeente Kortenberg
				{5, "23033", HowName, ""},               // OCMW Hoeilaart
				{8, "", "", ProblemUnknown},             // Atlantis
				{9, "12035", HowName, ProblemDuplicate}, // same e-mail as line 2, other case
				{10, "12035", HowPostcode, ""},          // 2860
				{11, "", "", ProblemEmpty},
				{12, "", "", ProblemUnknown},                // Lokaal bestuur Brussel-Noord
				{13, "71024", HowName, ProblemInvalidValue}, // Aanwezig: misschien
			},
			matched: 5, unmatched: 4, dups: 1,
		},
		{
			file: "utf8_comma_quoted.csv", on: webinar2023, encoding: EncodingUTF8, sep: ",", header: 1,
			rows: []want{
				{2, "46021", HowName, ""},                // Lokaal bestuur Sint-Niklaas
				{3, "44021", HowName, ""},                // "OCMW Gent\n(sociale dienst)"
				{5, "41002", HowNIS, ""},                 // NIS and name agree
				{6, "", "", ProblemConflict},             // NIS 11002 (Antwerpen) vs Kortenberg
				{7, "11056", HowNIS, ""},                 // Zwijndrecht still exists in 2023
				{8, "", "", ProblemUnknown},              // Pajottegem only exists from 2025
				{9, "23033", HowFuzzy, ""},               // Hoeilaert
				{10, "", "", ProblemAmbiguous},           // Heren: Herne or Herent
				{11, "46021", HowName, ProblemDuplicate}, // same name (other order) and municipality as line 2
				{12, "", "", ProblemConflict},            // NIS 99999 does not exist, the name does
			},
			matched: 5, unmatched: 4, dups: 1,
		},
		{
			file: "windows1252_accents.csv", on: webinar2023, encoding: EncodingWindows1252, sep: ";", header: 1,
			rows: []want{
				{2, "24055", HowName, ""},
				{3, "12035", HowName, ""}, // SINT-KATELIJNE-WAVER
				{4, "23033", HowName, ""},
				{5, "", "", ProblemUnknown},                   // Brussel-Noord
				{6, "24055", HowName, ProblemDuplicate},       // ANAÏS DEMO, Kortenberg, no e-mail
				{7, "21004", HowName, ProblemOutsideFlanders}, // Stad Brussel
				{8, "12035", HowName, ""},                     // Sint-Katelijne-Wäver
				{9, "", "", ProblemUnknown},                   // Atlantis
			},
			matched: 4, unmatched: 2, dups: 1,
		},
		{
			file: "teams_utf16le.csv", on: webinar2025, encoding: EncodingUTF16LE, sep: "\t", header: 8,
			rows: []want{
				{9, "46030", HowMerged, ""},  // OCMW Zwijndrecht
				{10, "11002", HowMerged, ""}, // Gemeente Borsbeek
				{11, "23106", HowName, ""},   // Lokaal bestuur Pajottegem
				{12, "71072", HowName, ""},   // Stad Hasselt (the 2025 Hasselt)
				{13, "71072", HowMerged, ""}, // Kortessem
			},
			matched: 5, accepted: true,
		},
		{
			file: "zoom_tab_en.tsv", on: webinar2023, encoding: EncodingUTF8, sep: "\t", header: 9,
			rows: []want{
				{10, "12035", HowName, ""},
				{11, "12035", HowName, ProblemDuplicate}, // rejoined: same e-mail
				{12, "44021", HowName, ""},               // City of Ghent
				{13, "24055", HowName, ""},               // Kortenberg Municipality
				{14, "", "", ProblemUnknown},             // Atlantis Welfare Centre
				{15, "", "", ProblemEmpty},
			},
			matched: 3, unmatched: 2, dups: 1,
		},
		{
			file: "merged_2025.csv", on: webinar2025, encoding: EncodingUTF8, sep: ",", header: 1,
			rows: []want{
				{2, "46030", HowMerged, ""},   // Zwijndrecht
				{3, "11002", HowMerged, ""},   // Borsbeek
				{4, "46030", HowName, ""},     // Beveren-Kruibeke-Zwijndrecht
				{5, "11002", HowMerged, ""},   // NIS 11007 Borsbeek
				{6, "23106", HowName, ""},     // Pajottegem
				{7, "71072", HowName, ""},     // Hasselt
				{8, "71072", HowMerged, ""},   // Kortessem
				{9, "11002", HowPostcode, ""}, // 2150 is Antwerpen from 2025
				{10, "", "", ProblemUnknown},  // Brussel-Noord
			},
			matched: 8, unmatched: 1,
		},
		{
			file: "merged_2025.csv", on: webinar2023, encoding: EncodingUTF8, sep: ",", header: 1,
			rows: []want{
				{2, "11056", HowName, ""},     // Zwijndrecht still exists
				{3, "11007", HowName, ""},     // Borsbeek
				{4, "", "", ProblemUnknown},   // Beveren-Kruibeke-Zwijndrecht does not exist yet
				{5, "11007", HowNIS, ""},      // NIS 11007
				{6, "", "", ProblemUnknown},   // Pajottegem does not exist yet
				{7, "71022", HowName, ""},     // the old Hasselt
				{8, "73040", HowName, ""},     // Kortessem
				{9, "11007", HowPostcode, ""}, // 2150 is Borsbeek before 2025
				{10, "", "", ProblemUnknown},
			},
			matched: 6, unmatched: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.file+"@"+tt.on.Format(time.DateOnly), func(t *testing.T) {
			tab, err := Parse(bytes.NewReader(readTestdata(t, tt.file)))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if tab.Encoding != tt.encoding || tab.Separator != tt.sep || tab.HeaderLine != tt.header {
				t.Errorf("encoding, separator, header line = %q, %q, %d; want %q, %q, %d",
					tab.Encoding, tab.Separator, tab.HeaderLine, tt.encoding, tt.sep, tt.header)
			}
			rep := MatchAll(tab, reg, tt.on)
			if rep.Encoding != tab.Encoding || rep.Separator != tab.Separator || len(rep.Header) != len(tab.Header) {
				t.Errorf("report does not carry the table's encoding, separator and header")
			}
			if len(rep.Rows) != len(tt.rows) {
				for _, m := range rep.Rows {
					t.Logf("line %d: %s %s %s %s", m.Row.Line, m.NIS, m.How, m.Problem, m.Message)
				}
				t.Fatalf("%d rows, want %d", len(rep.Rows), len(tt.rows))
			}
			for i, w := range tt.rows {
				m := rep.Rows[i]
				if m.Row.Line != w.line || m.NIS != w.nis || m.How != w.how || m.Problem != w.problem {
					t.Errorf("row %d: line %d, NIS %q, how %q, problem %q; want line %d, %q, %q, %q (%s)",
						i, m.Row.Line, m.NIS, m.How, m.Problem, w.line, w.nis, w.how, w.problem, m.Message)
				}
				if m.Message == "" {
					t.Errorf("line %d: empty message", m.Row.Line)
				}
				if m.NIS != "" {
					if mm, ok := reg.SuccessorOn(m.NIS, tt.on); !ok || mm.NIS != m.NIS || mm.Name != m.MunicipalityName {
						t.Errorf("line %d: %s %q is not a municipality valid on %s", m.Row.Line, m.NIS, m.MunicipalityName, rep.Date)
					}
				}
			}
			if rep.Matched != tt.matched || rep.Unmatched != tt.unmatched || rep.Duplicates != tt.dups || rep.Accepted != tt.accepted {
				t.Errorf("matched %d, unmatched %d, duplicates %d, accepted %v; want %d, %d, %d, %v",
					rep.Matched, rep.Unmatched, rep.Duplicates, rep.Accepted, tt.matched, tt.unmatched, tt.dups, tt.accepted)
			}
			if rep.Matched+rep.Unmatched+rep.Duplicates+rep.Organizers+rep.OutsideFlanders != len(rep.Rows) {
				t.Errorf("counts do not add up to %d rows", len(rep.Rows))
			}
		})
	}
}

// matchFile parses a testdata file and matches it.
func matchFile(t *testing.T, name string, on time.Time) (*Table, Report) {
	t.Helper()
	tab, err := Parse(bytes.NewReader(readTestdata(t, name)))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return tab, MatchAll(tab, registry(t), on)
}

func rowAt(t *testing.T, rep Report, line int) Match {
	t.Helper()
	for _, m := range rep.Rows {
		if m.Row.Line == line {
			return m
		}
	}
	t.Fatalf("no row on line %d", line)
	return Match{}
}

func TestRowFields(t *testing.T) {
	tab, rep := matchFile(t, "utf8_comma_quoted.csv", webinar2023)
	r := tab.Rows[0]
	if r.Name != "Deelnemer, Demo" || r.Function != "Diensthoofd, sociale dienst" || r.Email != "demo.deelnemer@example.org" ||
		r.Organisation != "Lokaal bestuur Sint-Niklaas" || !r.Registered || r.Attended {
		t.Errorf("row 1 = %+v", r)
	}
	r = tab.Rows[1]
	if r.Name != "Zoë Voorbeeld" || r.Organisation != "OCMW Gent (sociale dienst)" || r.Function != `Coördinator "Kansrijk"` {
		t.Errorf("row 2 = %+v", r)
	}
	if got := r.Raw["Organisation"]; got != "OCMW Gent\n(sociale dienst)" {
		t.Errorf("Raw[Organisation] = %q", got)
	}
	if r := tab.Rows[2]; r.NIS != "41002" || r.Registered != true || r.Attended != false {
		t.Errorf("row 3 = %+v", r)
	}
	// The kept row of a duplicated person combines the attendance of its rows.
	if m := rowAt(t, rep, 2); !m.Row.Attended {
		t.Errorf("line 2 kept for a person who attended (line 11), Attended = false")
	}
	if m := rowAt(t, rep, 11); !strings.Contains(m.Message, "regel 2") {
		t.Errorf("duplicate message %q does not point to line 2", m.Message)
	}
	if want := map[string]int{FieldName: 0, FieldEmail: 1, FieldOrganisation: 2, FieldFunction: 3, FieldNIS: 4,
		FieldRegistered: 5, FieldAttended: 6}; fmt.Sprint(tab.Columns) != fmt.Sprint(want) {
		t.Errorf("Columns = %v, want %v", tab.Columns, want)
	}

	tab, _ = matchFile(t, "windows1252_accents.csv", webinar2023)
	names := []string{}
	for _, r := range tab.Rows {
		names = append(names, r.Name)
	}
	if got := strings.Join(names, "|"); got != "Anaïs Demo|Zoë Deelnemer|René Voorbeeld|Chloé Test|ANAÏS DEMO|Jérôme Proef|Loïc Fictief|François Demo" {
		t.Errorf("names = %s", got)
	}

	tab, rep = matchFile(t, "bom_semicolon_nl.csv", webinar2023)
	if tab.Rows[0].Name != "Demo Deelnemer" || tab.Rows[3].Function != "Armoedecoördinator" || tab.Skipped != 3 {
		t.Errorf("first name + last name, accents or skipped lines wrong: %+v, skipped %d", tab.Rows[0], tab.Skipped)
	}
	if len(tab.Header) != 6 {
		t.Errorf("header %q: the trailing separator should not add a column", tab.Header)
	}
	if m := rowAt(t, rep, 13); !strings.Contains(m.Message, "misschien") || !strings.Contains(m.Message, "Aanwezig") {
		t.Errorf("invalid value message %q", m.Message)
	}

	tab, _ = matchFile(t, "teams_utf16le.csv", webinar2025)
	if !tab.HasAttendance {
		t.Error("Teams export: HasAttendance = false")
	}
	for i, want := range []bool{true, true, true, false, true} {
		if tab.Rows[i].Attended != want {
			t.Errorf("Teams row %d (%s): Attended = %v, want %v", i, tab.Rows[i].Name, tab.Rows[i].Attended, want)
		}
	}

	tab, _ = matchFile(t, "zoom_tab_en.tsv", webinar2023)
	if r := tab.Rows[2]; r.Name != "Test Persoon" || r.Attended || !r.Registered || r.Function != "Social worker" {
		t.Errorf("Zoom row = %+v", r)
	}
}

func TestMessages(t *testing.T) {
	_, rep := matchFile(t, "merged_2025.csv", webinar2025)
	if m := rowAt(t, rep, 2); !strings.Contains(m.Message, "Zwijndrecht") || !strings.Contains(m.Message, "Beveren-Kruibeke-Zwijndrecht") ||
		m.MunicipalityName != "Beveren-Kruibeke-Zwijndrecht" {
		t.Errorf("merged note: %+v", m)
	}
	_, rep = matchFile(t, "merged_2025.csv", webinar2023)
	if m := rowAt(t, rep, 6); !strings.Contains(m.Message, "1 januari 2025") || !strings.Contains(m.Message, "Galmaarden, Gooik en Herne") {
		t.Errorf("2025 name on a 2023 date: %q", m.Message)
	}
	if m := rowAt(t, rep, 4); !strings.Contains(m.Message, "Beveren, Kruibeke en Zwijndrecht") {
		t.Errorf("2025 name on a 2023 date: %q", m.Message)
	}
	_, rep = matchFile(t, "utf8_comma_quoted.csv", webinar2023)
	if m := rowAt(t, rep, 10); !strings.Contains(m.Message, "Herent") || !strings.Contains(m.Message, "Herne") {
		t.Errorf("ambiguous message %q", m.Message)
	}
	if m := rowAt(t, rep, 9); !strings.Contains(m.Message, "Hoeilaart") {
		t.Errorf("fuzzy message %q", m.Message)
	}
	if m := rowAt(t, rep, 6); !strings.Contains(m.Message, "Antwerpen") || !strings.Contains(m.Message, "Kortenberg") {
		t.Errorf("conflict message %q", m.Message)
	}
	_, rep = matchFile(t, "bom_semicolon_nl.csv", webinar2023)
	if m := rowAt(t, rep, 8); !strings.Contains(m.Message, "Atlantis") || !strings.Contains(m.Message, "8 maart 2023") {
		t.Errorf("unknown message %q", m.Message)
	}
}

func TestBrokenFiles(t *testing.T) {
	tests := []struct {
		file string
		code string
		line int
	}{
		{"broken_empty.csv", CodeEmpty, 0},
		{"broken_blank_lines.csv", CodeNoHeader, 0},
		{"broken_binary.bin", CodeBinary, 0},
		{"broken_workbook.xlsx", CodeBinary, 0},
		{"broken_header_only.csv", CodeNoRows, 1},
		{"broken_no_municipality.csv", CodeNoMunicipalityColumn, 0},
		{"broken_no_header.csv", CodeNoHeader, 0},
		{"broken_unterminated_quote.csv", CodeMalformed, 3},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			tab, err := Parse(bytes.NewReader(readTestdata(t, tt.file)))
			assertRejected(t, tab, err, tt.code)
			var e *Error
			if errors.As(err, &e) && (e.Line != tt.line || e.Message == "") {
				t.Errorf("error line %d, message %q; want line %d and a message", e.Line, e.Message, tt.line)
			}
		})
	}
}

func assertRejected(t *testing.T, tab *Table, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("Parse accepted the file: %d rows", len(tab.Rows))
	}
	if tab != nil {
		t.Errorf("Parse returned a table and an error")
	}
	if got := Code(err); got != code {
		t.Errorf("error code %q (%v), want %q", got, err, code)
	}
	// Nothing to import: a nil table matches to an empty, unaccepted report.
	rep := MatchAll(tab, nil, webinar2023)
	if len(rep.Rows) != 0 || rep.Accepted {
		t.Errorf("rejected file gives a report with %d rows, accepted %v", len(rep.Rows), rep.Accepted)
	}
}

func TestLimits(t *testing.T) {
	// Too large.
	big := bytes.Repeat([]byte("Demo Deelnemer;Kortenberg;demo.deelnemer@example.org\n"), MaxBytes/50)
	big = append([]byte("Naam;Gemeente;E-mail\n"), big...)
	tab, err := Parse(bytes.NewReader(big))
	assertRejected(t, tab, err, CodeTooLarge)

	// Too many rows.
	var b strings.Builder
	b.WriteString("Naam;Gemeente\n")
	for i := range MaxRows + 1 {
		fmt.Fprintf(&b, "Demo %d;Kortenberg\n", i)
	}
	tab, err = Parse(strings.NewReader(b.String()))
	assertRejected(t, tab, err, CodeTooManyRows)

	// Exactly MaxRows is fine, and blank lines do not count.
	b.Reset()
	b.WriteString("Naam;Gemeente\n")
	for i := range MaxRows {
		fmt.Fprintf(&b, "Demo %d;Kortenberg\n\n", i)
	}
	if tab, err = Parse(strings.NewReader(b.String())); err != nil || len(tab.Rows) != MaxRows {
		t.Errorf("MaxRows rows: %v", err)
	}

	// A read error.
	tab, err = Parse(errReader{})
	assertRejected(t, tab, err, CodeRead)
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestEncodings(t *testing.T) {
	const text = "Naam;Gemeente;Aanwezig\r\nZoë Deelnemer;Sint-Katelijne-Waver;ja\r\n"
	utf16le := func(s string, bom bool) []byte {
		var b []byte
		if bom {
			b = []byte{0xFF, 0xFE}
		}
		for _, u := range utf16.Encode([]rune(s)) {
			b = append(b, byte(u), byte(u>>8))
		}
		return b
	}
	utf16be := func(s string) []byte {
		b := []byte{0xFE, 0xFF}
		for _, u := range utf16.Encode([]rune(s)) {
			b = append(b, byte(u>>8), byte(u))
		}
		return b
	}
	tests := []struct {
		name string
		data []byte
		enc  string
	}{
		{"utf8", []byte(text), EncodingUTF8},
		{"utf8 bom", append([]byte("\xEF\xBB\xBF"), text...), EncodingUTF8BOM},
		{"utf16le bom", utf16le(text, true), EncodingUTF16LE},
		{"utf16le without bom", utf16le(text, false), EncodingUTF16LE},
		{"utf16be bom", utf16be(text), EncodingUTF16BE},
		{"windows-1252", []byte("Naam;Gemeente;Aanwezig\r\nZo\xEB Deelnemer;Sint-Katelijne-Waver;ja\r\n"), EncodingWindows1252},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := Parse(bytes.NewReader(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if tab.Encoding != tt.enc || tab.Separator != ";" || len(tab.Rows) != 1 {
				t.Fatalf("encoding %q, separator %q, %d rows", tab.Encoding, tab.Separator, len(tab.Rows))
			}
			if r := tab.Rows[0]; r.Name != "Zoë Deelnemer" || r.Municipality != "Sint-Katelijne-Waver" || !r.Attended || r.Line != 2 {
				t.Errorf("row = %+v", r)
			}
		})
	}
}

func TestSeparatorsAndHeaders(t *testing.T) {
	tests := []struct {
		name, text, sep string
		cols            map[string]int
	}{
		{"excel sep line", "sep=,\nNaam,Gemeente\nDemo Deelnemer,Kortenberg\n", ",", map[string]int{FieldName: 0, FieldMunicipality: 1}},
		{"one column", "Gemeente\nKortenberg\nHoeilaart\n", ";", map[string]int{FieldMunicipality: 0}},
		{"quoted separators in header", "\"Naam; voornaam\",Gemeente,\"E-mail\"\nDemo,Kortenberg,demo@example.org\n", ",",
			map[string]int{FieldFirstName: 0, FieldMunicipality: 1, FieldEmail: 2}},
		{"english, case and accents", "FIRST NAME\tLast Name\tE-MAIL ADDRESS\tMunicipality\tATTENDED\n" +
			"Demo\tDeelnemer\tdemo@example.org\tKortenberg\tyes\n", "\t",
			map[string]int{FieldFirstName: 0, FieldLastName: 1, FieldEmail: 2, FieldMunicipality: 3, FieldAttended: 4}},
		{"dutch variants", "Familienaam;Voornaam;E-mailadres;Lokaal bestuur;NIS-code;Geregistreerd;Aanwezigheid;Functie\n" +
			"Deelnemer;Demo;demo@example.org;Kortenberg;24055;ja;nee;Schepen\n", ";",
			map[string]int{FieldLastName: 0, FieldFirstName: 1, FieldEmail: 2, FieldMunicipality: 3, FieldNIS: 4,
				FieldRegistered: 5, FieldAttended: 6, FieldFunction: 7}},
		{"keyword header", "Naam en voornaam;Uw e-mailadres;Naam van uw gemeente of stad\nDemo;demo@example.org;Kortenberg\n", ";",
			map[string]int{FieldName: 0, FieldEmail: 1, FieldMunicipality: 2}},
		{"repeated header", "Naam;Gemeente\nDemo;Kortenberg\nNaam;Gemeente\nTest;Hoeilaart\n", ";", map[string]int{FieldName: 0, FieldMunicipality: 1}},
		{"leading blank lines", "\n\n;;\nNaam;Organisatie\nDemo;Gemeente Kortenberg\n", ";", map[string]int{FieldName: 0, FieldOrganisation: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := Parse(strings.NewReader(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			if tab.Separator != tt.sep || fmt.Sprint(tab.Columns) != fmt.Sprint(tt.cols) {
				t.Errorf("separator %q, columns %v; want %q, %v", tab.Separator, tab.Columns, tt.sep, tt.cols)
			}
			rep := MatchAll(tab, nil, webinar2023)
			if tt.name == "repeated header" && len(rep.Rows) != 2 {
				t.Errorf("repeated header read as a row: %d rows", len(rep.Rows))
			}
			if !rep.Accepted {
				for _, m := range rep.Rows {
					t.Logf("%+v", m)
				}
				t.Errorf("not accepted")
			}
		})
	}
}

// Only a report of numbered sections (Teams) ends at the next section title: elsewhere such a
// row is a row, never silently dropped.
func TestSectionTitleIsARow(t *testing.T) {
	tab, err := Parse(strings.NewReader("Naam;Gemeente\nDemo;Kortenberg\n\n3. Test;\nProef;Hoeilaart\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Rows) != 3 || tab.Rows[1].Name != "3. Test" {
		t.Errorf("rows %+v", tab.Rows)
	}
}

func TestNameVariants(t *testing.T) {
	reg := registry(t)
	tests := []struct {
		cell    string
		on      time.Time
		nis     string
		how     string
		problem string
	}{
		{"Sint-Katelijne-Waver", webinar2023, "12035", HowName, ""},
		{"sint katelijne waver", webinar2023, "12035", HowName, ""},
		{"St.-Katelijne-Waver", webinar2023, "12035", HowName, ""},
		{"ST KATELIJNE-WAVER", webinar2023, "12035", HowName, ""},
		{"SintKatelijneWaver", webinar2023, "12035", HowName, ""},
		{"Gemeente Sint-Katelijne-Waver", webinar2023, "12035", HowName, ""},
		{"Gemeente en OCMW Sint-Katelijne-Waver", webinar2023, "12035", HowName, ""},
		{"Lokaal bestuur Kortenberg", webinar2023, "24055", HowName, ""},
		{"Stad & OCMW Gent - dienst Welzijn", webinar2023, "44021", HowName, ""},
		{"2860 Sint-Katelijne-Waver", webinar2023, "12035", HowName, ""},
		{"Gemeente De Panne", webinar2023, "38008", HowName, ""},
		{"Stad Herk-de-Stad", webinar2023, "71024", HowName, ""},
		{"Anvers", webinar2023, "11002", HowName, ""},
		{"Tongres", webinar2025, "73111", HowMerged, ""},
		{"Sint-Katelijne-Waever", webinar2023, "12035", HowFuzzy, ""},
		{"24055", webinar2023, "24055", HowNIS, ""},
		{"11056", webinar2025, "46030", HowMerged, ""},
		{"46030", webinar2023, "", "", ProblemUnknown},
		{"2150", webinar2025, "11002", HowPostcode, ""},
		{"9999", webinar2023, "", "", ProblemUnknown},
		{"Zwijndrecht", webinar2025, "46030", HowMerged, ""},
		{"Zwijndrecht", webinar2023, "11056", HowName, ""},
		{"Pajottegem", webinar2023, "", "", ProblemUnknown},
		{"Tielt", webinar2025, "37022", HowName, ""},
		{"Heren", webinar2025, "", "", ProblemAmbiguous}, // Herent, or Herne (now Pajottegem)
		{"Zwijndrect", webinar2025, "46030", HowFuzzy, ""},
		{"Atlantis", webinar2023, "", "", ProblemUnknown},
		{"Brussel-Noord", webinar2023, "", "", ProblemUnknown},
		{"Gent en Aalst", webinar2023, "", "", ProblemUnknown},
		{"OCMW", webinar2023, "", "", ProblemUnknown},
		{"Kortenberg", time.Date(2018, 6, 1, 0, 0, 0, 0, time.UTC), "", "", ProblemUnknown},
	}
	for _, tt := range tests {
		tab := &Table{Rows: []Row{{Line: 2, Municipality: tt.cell}}}
		m := MatchAll(tab, reg, tt.on).Rows[0]
		if m.NIS != tt.nis || m.How != tt.how || m.Problem != tt.problem {
			t.Errorf("%q on %s: NIS %q, how %q, problem %q; want %q, %q, %q (%s)", tt.cell, tt.on.Format(time.DateOnly),
				m.NIS, m.How, m.Problem, tt.nis, tt.how, tt.problem, m.Message)
		}
	}
}

func TestEmailDomain(t *testing.T) {
	reg := registry(t)
	tests := []struct {
		org, email string
		nis, how   string
		problem    string
	}{
		{"", "onthaal@kortenberg.be", "24055", HowEmailDomain, ""},
		{"", "info@ocmw-kortenberg.be", "24055", HowEmailDomain, ""},
		{"", "welzijn@stad.gent", "44021", HowEmailDomain, ""},
		{"", "info@sint-katelijne-waver.be", "12035", HowEmailDomain, ""},
		{"Sociaal Huis", "info@sint-katelijne-waver.be", "12035", HowEmailDomain, ""},
		{"", "demo.deelnemer@example.org", "", "", ProblemEmpty},
		{"Kind en Gezin", "demo.deelnemer@example.org", "", "", ProblemUnknown},
	}
	for _, tt := range tests {
		tab := &Table{Rows: []Row{{Line: 2, Organisation: tt.org, Email: tt.email}}}
		m := MatchAll(tab, reg, webinar2023).Rows[0]
		if m.NIS != tt.nis || m.How != tt.how || m.Problem != tt.problem {
			t.Errorf("%q %q: NIS %q, how %q, problem %q; want %q, %q, %q (%s)", tt.org, tt.email,
				m.NIS, m.How, m.Problem, tt.nis, tt.how, tt.problem, m.Message)
		}
	}
	// The municipality column wins over the e-mail domain.
	tab := &Table{Rows: []Row{{Line: 2, Municipality: "Atlantis", Email: "info@kortenberg.be"}}}
	if m := MatchAll(tab, reg, webinar2023).Rows[0]; m.Problem != ProblemUnknown {
		t.Errorf("Atlantis with a Kortenberg address: %+v", m)
	}
}

func TestAccepted(t *testing.T) {
	reg := registry(t)
	tab := &Table{Rows: []Row{
		{Line: 2, Name: "Demo Deelnemer", Municipality: "Kortenberg", Email: "demo@example.org"},
		{Line: 3, Name: "Demo Deelnemer", Municipality: "Gemeente Kortenberg", Attended: true},
		{Line: 4, Name: "Test Persoon", Municipality: "Hoeilaart", Email: "DEMO@example.org "},
	}}
	rep := MatchAll(tab, reg, webinar2023)
	if !rep.Accepted || rep.Matched != 1 || rep.Duplicates != 2 || rep.Unmatched != 0 {
		t.Fatalf("report %+v", rep)
	}
	if !rep.Rows[0].Row.Attended {
		t.Error("kept row does not combine attendance")
	}
	// The first matched row of a person is kept, even if an unmatched row came first.
	tab = &Table{Rows: []Row{
		{Line: 2, Name: "Demo Deelnemer", Municipality: "Atlantis", Email: "demo@example.org"},
		{Line: 3, Name: "Demo Deelnemer", Municipality: "Kortenberg", Email: "demo@example.org"},
	}}
	rep = MatchAll(tab, reg, webinar2023)
	if !rep.Accepted || rep.Rows[0].Problem != ProblemDuplicate || rep.Rows[1].Problem != "" {
		t.Errorf("report %+v", rep)
	}
	if rep := MatchAll(&Table{}, reg, webinar2023); rep.Accepted {
		t.Error("an empty table is accepted")
	}
}

func TestAliasesExist(t *testing.T) {
	reg := registry(t)
	for a, nis := range aliases {
		if _, ok := reg.ByNIS(nis); !ok {
			t.Errorf("alias %q: unknown NIS %s", a, nis)
		}
	}
	want := map[string]string{"anvers": "Antwerpen", "ghent": "Gent", "louvain": "Leuven", "bruges": "Brugge",
		"bruxelles": "Brussel", "tongres": "Tongeren", "courtrai": "Kortrijk", "ostend": "Oostende"}
	for a, name := range want {
		if m, _ := reg.ByNIS(aliases[a]); m.Name != name {
			t.Errorf("alias %q is %q, want %q", a, m.Name, name)
		}
	}
}

func TestScan(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"a;b;c", "[a b c]"},
		{"a;b;\n", "[a b ]"},
		{"a;b;", "[a b ]"},
		{`"a;b";"c""d"` + "\n", `[a;b c"d]`},
		{`"a` + "\n" + `b";c`, "[a\nb c]"},
		{`a"b;c`, `[a"b c]`},
		{` "a;b" ;c`, `[a;b  c]`},
		{`"a"b;c`, `[ab c]`},
		{"\n", "[]"},
	}
	for _, tt := range tests {
		var got []string
		if err := scan(tt.in, ';', 1, func(r record) bool {
			got = append(got, fmt.Sprint(r.fields))
			return true
		}); err != nil {
			t.Errorf("scan(%q): %v", tt.in, err)
		}
		if g := strings.Join(got, "|"); g != tt.want {
			t.Errorf("scan(%q) = %s, want %s", tt.in, g, tt.want)
		}
	}
}

func BenchmarkParseAndMatch(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("\xEF\xBB\xBFVoornaam;Achternaam;E-mailadres;Functie;Gemeente;Aanwezig\r\n")
	cells := []string{"Sint-Katelijne-Waver", "Gemeente Kortenberg", "OCMW Hoeilaart", "Zwijndrecht", "Atlantis",
		"St.-Katelijne-Waver", "Lokaal bestuur Gent", "Hoeilaert", "2860", ""}
	for i := range 10000 {
		fmt.Fprintf(&buf, "Demo;Deelnemer %d;demo.%d@example.org;\"Medewerker; sociale dienst\";%s;ja\r\n", i, i, cells[i%len(cells)])
	}
	data := buf.Bytes()
	reg := registry(b)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		tab, err := Parse(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		if rep := MatchAll(tab, reg, webinar2025); len(rep.Rows) != 10000 {
			b.Fatalf("%d rows", len(rep.Rows))
		}
	}
}
