package attendance

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

// want is the expected outcome of one row of a meeting report.
type rowWant struct {
	line    int
	nis     string
	how     string
	problem string
}

func matchReport(t *testing.T, file string, on time.Time) (*Table, Report) {
	t.Helper()
	tab, err := Parse(bytes.NewReader(readTestdata(t, file)))
	if err != nil {
		t.Fatalf("Parse(%s): %v", file, err)
	}
	return tab, MatchAll(tab, nil, on)
}

func checkRows(t *testing.T, rep Report, wants []rowWant) {
	t.Helper()
	if len(rep.Rows) != len(wants) {
		for _, m := range rep.Rows {
			t.Logf("line %d %q: %s %s %s", m.Row.Line, m.Text, m.NIS, m.How, m.Problem)
		}
		t.Fatalf("%d rows, want %d: no participant may be dropped", len(rep.Rows), len(wants))
	}
	for i, w := range wants {
		m := rep.Rows[i]
		if m.Row.Line != w.line || m.NIS != w.nis || m.How != w.how || m.Problem != w.problem {
			t.Errorf("row %d: line %d, NIS %q, how %q, problem %q; want line %d, %q, %q, %q (%s)",
				i, m.Row.Line, m.NIS, m.How, m.Problem, w.line, w.nis, w.how, w.problem, m.Message)
		}
		if m.Message == "" {
			t.Errorf("row %d: no message", i)
		}
	}
}

var march11 = time.Date(2025, 3, 11, 0, 0, 0, 0, time.UTC)

// TestTeamsReportDutch reads a Teams attendance report as Teams writes it in Dutch: UTF-16LE
// with BOM, tabs, the summary, the participants (no organisation column, the municipality in
// the display name or the e-mail domain) and the activities, which are not read.
func TestTeamsReportDutch(t *testing.T) {
	tab, rep := matchReport(t, "teams_nl_utf16le.csv", march11)
	if tab.Encoding != EncodingUTF16LE || tab.Separator != "\t" || tab.HeaderLine != 10 {
		t.Errorf("encoding %q, separator %q, header line %d; want UTF-16LE, tab, 10", tab.Encoding, tab.Separator, tab.HeaderLine)
	}
	checkRows(t, rep, []rowWant{
		{11, "46021", HowDisplayName, ""}, // (Gemeente Sint-Niklaas) (Gast)
		{12, "", "", ProblemOrganizer},    // the organiser, not a municipality
		{13, "46029", HowDisplayName, ""}, // (OCMW Lokeren)
		{14, "46030", HowMerged, ""},      // only the UPN: zwijndrecht.be, merged
		{15, "44021", HowDisplayName, ""}, // (Stad Gent)
		{16, "23106", HowDisplayName, ""}, // (Lokaal bestuur Pajottegem)
		{17, "", "", ProblemAmbiguous},    // (Gemeente Sint-Gillis)
		{18, "", "", ProblemEmpty},        // (Gast) and an unknown domain
		{19, "", "", ProblemConflict},     // Lokeren in the name, sint-niklaas.be address
		{20, "46020", HowDisplayName, ""}, // the presenter from Sint-Gillis-Waas counts
	})
	if rep.Accepted || rep.Unmatched != 3 || rep.Organizers != 1 || rep.Ambiguous != 1 {
		t.Errorf("accepted %v, unmatched %d, organisers %d, ambiguous %d; want false, 3, 1, 1", rep.Accepted, rep.Unmatched, rep.Organizers, rep.Ambiguous)
	}
	if len(rep.NotRead) != 1 || rep.NotRead[0].Line != 22 || rep.NotRead[0].Rows != 2 {
		t.Errorf("not read %+v; want the activities at line 22 with 2 rows", rep.NotRead)
	}
	if got := rep.Rows[0].Row.Name; got != "Els Claes" {
		t.Errorf("name %q, want the display name without its parentheses", got)
	}
	c := rep.Rows[6].Candidates
	if len(c) != 2 || c[0].NIS != "46020" || c[1].NIS != "21013" {
		t.Errorf("candidates %+v; want Sint-Gillis-Waas and Sint-Gillis", c)
	}
}

// TestTeamsReportEnglish reads the English Teams report.
func TestTeamsReportEnglish(t *testing.T) {
	_, rep := matchReport(t, "teams_en_utf16le.csv", march11)
	checkRows(t, rep, []rowWant{
		{11, "46021", HowDisplayName, ""},
		{12, "", "", ProblemOrganizer},
		{13, "71072", HowDisplayName, ""},
		{14, "", "", ProblemEmpty}, // (Unverified), no address
	})
	if len(rep.NotRead) != 1 || rep.NotRead[0].Title != "3. In-Meeting Activities" {
		t.Errorf("not read %+v", rep.NotRead)
	}
}

// TestZoomMeetingParticipants reads Zoom's participants export with the meeting's data above.
func TestZoomMeetingParticipants(t *testing.T) {
	tab, rep := matchReport(t, "zoom_meeting_participants.csv", march11)
	if tab.HeaderLine != 4 {
		t.Errorf("header line %d, want 4 (not the meeting summary)", tab.HeaderLine)
	}
	checkRows(t, rep, []rowWant{
		{5, "", "", ProblemOrganizer}, // Guest = No
		{6, "46021", HowDisplayName, ""},
		{7, "46029", HowEmailDomain, ""},
		{8, "46029", HowEmailDomain, ProblemDuplicate},
		{9, "", "", ProblemEmpty},
	})
}

// TestZoomWebinarReport reads the attendee section of Zoom's webinar report and names the
// hosts, panelists and others it does not read.
func TestZoomWebinarReport(t *testing.T) {
	_, rep := matchReport(t, "zoom_webinar_attendee_report.csv", march11)
	checkRows(t, rep, []rowWant{
		{13, "46021", HowName, ""},
		{14, "46020", HowPostcode, ""}, // "Sint-Gillis" with 9170
		{15, "", "", ProblemAmbiguous}, // "Sint-Gillis" alone
		{16, "71072", HowName, ""},
	})
	if rep.Rows[1].Row.Attended || !rep.Rows[1].Row.Registered {
		t.Errorf("registered, not attended: %+v", rep.Rows[1].Row)
	}
	var titles []string
	for _, s := range rep.NotRead {
		titles = append(titles, s.Title)
	}
	if len(titles) != 3 || titles[0] != "Host Details" || titles[1] != "Panelist Details" || titles[2] != "Other Attended" {
		t.Errorf("not read %q", titles)
	}
}

// TestWebexAttendees reads Webex's attendee report (UTF-16LE, tabs): the e-mail domain says
// where people come from.
func TestWebexAttendees(t *testing.T) {
	_, rep := matchReport(t, "webex_attendees_utf16le.csv", march11)
	checkRows(t, rep, []rowWant{
		{2, "46021", HowEmailDomain, ""},
		{3, "24055", HowEmailDomain, ""}, // gemeente-kortenberg.be
		{4, "23106", HowEmailDomain, ""},
		{5, "", "", ProblemEmpty},
	})
	if rep.Rows[2].Row.Attended || rep.Rows[3].Row.Registered {
		t.Errorf("0 mins is not attended, Registered No is not registered")
	}
}

// TestSintGillisAsked: "Sint-Gillis" typed by hand is asked, never guessed; a postal code or
// the user's choice settles it.
func TestSintGillisAsked(t *testing.T) {
	tab, rep := matchReport(t, "excel_sint_gillis_cp1252.csv", march11)
	if tab.Encoding != EncodingWindows1252 {
		t.Errorf("encoding %q", tab.Encoding)
	}
	checkRows(t, rep, []rowWant{
		{2, "", "", ProblemAmbiguous},
		{3, "46020", HowPostcode, ""},
		{4, "46020", HowName, ""},
		{5, "21013", HowName, ProblemOutsideFlanders}, // Saint-Gilles, Brussels
		{6, "46021", HowName, ""},
	})
	if rep.Accepted {
		t.Fatal("accepted with an ambiguous row")
	}
	// A choice that is not a candidate changes nothing.
	if n := rep.ApplyChoices(map[int]string{2: "44021", 3: "21013"}); n != 0 || rep.Rows[0].Problem != ProblemAmbiguous || rep.Rows[1].NIS != "46020" {
		t.Fatalf("ApplyChoices took a choice that is no candidate: %d", n)
	}
	if n := rep.ApplyChoices(map[int]string{2: "21013"}); n != 1 {
		t.Fatalf("settled %d rows, want 1", n)
	}
	if m := rep.Rows[0]; m.NIS != "21013" || m.How != HowChosen || m.Problem != ProblemOutsideFlanders || !rep.Accepted || rep.Unmatched != 0 || rep.OutsideFlanders != 2 {
		t.Errorf("after choosing the Brussels municipality: %+v, accepted %v", m, rep.Accepted)
	}
	_, rep = matchReport(t, "excel_sint_gillis_cp1252.csv", march11)
	if n := rep.ApplyChoices(map[int]string{2: "46020"}); n != 1 || rep.Rows[0].Problem != "" || rep.Rows[0].NIS != "46020" || !rep.Accepted {
		t.Errorf("after choosing Sint-Gillis-Waas: %+v", rep.Rows[0])
	}
}

// TestDisplayName takes display names apart as Teams and Zoom write them.
func TestDisplayName(t *testing.T) {
	tests := []struct {
		in, name string
		aff      []string
		guest    bool
	}{
		{"Els Claes (Gemeente Sint-Niklaas) (Gast)", "Els Claes", []string{"Gemeente Sint-Niklaas"}, true},
		{"Els (Els Claes (OCMW Lokeren))", "Els", []string{"OCMW Lokeren", "Els Claes"}, false},
		{"Proef Persoon (Unverified)", "Proef Persoon", nil, true},
		{"Onevenwichtig (Stad Gent", "Onevenwichtig (Stad Gent", nil, false},
		{"Zonder haakjes", "Zonder haakjes", nil, false},
	}
	for _, tt := range tests {
		name, aff, guest := splitDisplayName(tt.in)
		if name != tt.name || guest != tt.guest || len(aff) != len(tt.aff) {
			t.Errorf("%q: %q %q %v; want %q %q %v", tt.in, name, aff, guest, tt.name, tt.aff, tt.guest)
			continue
		}
		for i := range aff {
			if aff[i] != tt.aff[i] {
				t.Errorf("%q: affiliations %q, want %q", tt.in, aff, tt.aff)
			}
		}
	}
	if got := emailFromUPN("els.claes_sint-niklaas.be#EXT#@tenant.onmicrosoft.com"); got != "els.claes@sint-niklaas.be" {
		t.Errorf("emailFromUPN: %q", got)
	}
}

// TestDomainTable: the domains come from the names, mergers included.
func TestDomainTable(t *testing.T) {
	for _, tt := range []struct{ email, nis string }{
		{"a@sint-niklaas.be", "46021"},
		{"a@sintniklaas.be", "46021"},
		{"a@ocmw.sint-niklaas.be", "46021"},
		{"a@ocmw-lokeren.be", "46029"},
		{"a@stad.gent", "44021"},
		{"a@zwijndrecht.be", "46030"}, // merged on 1 January 2025
		{"a@beveren-kruibeke-zwijndrecht.be", "46030"},
		{"a@example.org", ""},
		{"a@gmail.com", ""},
	} {
		o, _ := newIndexFor(t).byEmail(tt.email)
		if o.m.NIS != tt.nis && !(tt.nis == "" && !o.found) {
			t.Errorf("%s: %q (found %v), want %q", tt.email, o.m.NIS, o.found, tt.nis)
		}
	}
}

func newIndexFor(t *testing.T) *index {
	t.Helper()
	return newIndex(registry(t), march11)
}

// TestCorpusAsWritten checks that the meeting reports in testdata have the bytes the programs
// write: Teams and Webex UTF-16LE with BOM and CRLF, Excel Windows-1252 with CRLF.
func TestCorpusAsWritten(t *testing.T) {
	for _, f := range []string{"teams_nl_utf16le.csv", "teams_en_utf16le.csv", "webex_attendees_utf16le.csv"} {
		b := readTestdata(t, f)
		if !bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || !bytes.Contains(b, []byte{'\r', 0, '\n', 0}) || !bytes.Contains(b, []byte{'\t', 0}) {
			t.Errorf("%s: not UTF-16LE with BOM, CRLF and tabs", f)
		}
	}
	b := readTestdata(t, "excel_sint_gillis_cp1252.csv")
	if !bytes.Contains(b, []byte{0xEF}) || !bytes.Contains(b, []byte("\r\n")) { // ï of Anaïs in Windows-1252
		t.Errorf("excel file: not Windows-1252 with CRLF")
	}
}

// BenchmarkTeamsReport parses and matches a Teams report of 5,000
// participants (the Dutch test report's participants repeated), the size of
// a large webinar series.
func BenchmarkTeamsReport(b *testing.B) {
	text := string(readTestdataUTF16(b, "teams_nl_utf16le.csv"))
	head, rest, _ := strings.Cut(text, "Rol\r\n")
	rows, tail, _ := strings.Cut(rest, "\r\n\r\n")
	var sb strings.Builder
	sb.WriteString(head + "Rol\r\n")
	for sb.Len() < 5000*90 {
		sb.WriteString(rows + "\r\n")
	}
	sb.WriteString("\r\n" + tail)
	data := encodeUTF16LE(sb.String())
	reg := registry(b)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		tab, err := Parse(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		MatchAll(tab, reg, march11)
	}
}

func readTestdataUTF16(tb testing.TB, name string) []byte {
	tb.Helper()
	text, _, e := decode(readTestdata(tb, name))
	if e != nil {
		tb.Fatal(e)
	}
	return []byte(text)
}

func encodeUTF16LE(s string) []byte {
	out := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}
