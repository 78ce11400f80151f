package export

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

type status string // a named string type, like agreement.Status

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// sample is a table with every kind of cell. want is the text a spreadsheet shows (CSV: with
// the guard apostrophe).
func sample() Table {
	brussels, _ := time.LoadLocation("Europe/Brussels")
	return Table{
		Sheet:  "Overeenkomsten 2023-03-08",
		Header: []string{"nis", "naam", "provincie", "status", "sinds", "aantal", "aandeel", "in_werking", "team", "opmerking"},
		Rows: [][]any{
			{"12035", "Sint-Katelijne-Waver", "Antwerpen", status("actief"), date("2023-03-08"), 42, 0.5, true, "team-mechelen", "=1+1"},
			{"37012", "Ruiselede", "West-Vlaanderen", "beëindigd", time.Date(2024, 12, 31, 23, 30, 0, 0, brussels), int64(7), 1.25, false, nil, "+32 2 123 45 67"},
			{"11056", "Zwijndrecht", "Antwerpen", "geïnteresseerd", nil, 0, -3.5, false, "", "-5"},
			{"46030", "Beveren-Kruibeke-Zwijndrecht", "Oost-Vlaanderen", "opgeschort", date("2025-01-01"), uint16(3), float32(2), true, "@team", "regel 1\nregel 2; \"citaat\""},
			{"21004", "Brussel", "Brussel-Hoofdstad", "none"}, // short row
		},
	}
}

// wantCSV is the expected CSV text of every cell of sample(), header included.
var wantCSV = [][]string{
	{"nis", "naam", "provincie", "status", "sinds", "aantal", "aandeel", "in_werking", "team", "opmerking"},
	{"12035", "Sint-Katelijne-Waver", "Antwerpen", "actief", "2023-03-08", "42", "0,5", "true", "team-mechelen", "'=1+1"},
	{"37012", "Ruiselede", "West-Vlaanderen", "beëindigd", "2024-12-31", "7", "1,25", "false", "", "'+32 2 123 45 67"},
	{"11056", "Zwijndrecht", "Antwerpen", "geïnteresseerd", "", "0", "-3,5", "false", "", "'-5"},
	{"46030", "Beveren-Kruibeke-Zwijndrecht", "Oost-Vlaanderen", "opgeschort", "2025-01-01", "3", "2", "true", "'@team", "regel 1\nregel 2; \"citaat\""},
	{"21004", "Brussel", "Brussel-Hoofdstad", "none", "", "", "", "", "", ""},
}

func TestWriteCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if !bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}) {
		t.Fatalf("no UTF-8 BOM: % x", b[:min(3, len(b))])
	}
	b = b[3:]
	if !bytes.HasSuffix(b, []byte("\r\n")) {
		t.Error("last line does not end in CRLF")
	}
	// Every line ends in CRLF, also the one inside the quoted cell (encoding/csv writes a
	// line break in a field as CRLF too; readers give back "\n").
	if n, m := bytes.Count(b, []byte("\r\n")), bytes.Count(b, []byte("\n")); n != len(wantCSV)+1 || m != n {
		t.Errorf("%d CRLF and %d LF, want %d of each", n, m, len(wantCSV)+1)
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.Comma = ';'
	got, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(wantCSV) {
		t.Fatalf("%d records, want %d", len(got), len(wantCSV))
	}
	for i := range wantCSV {
		if len(got[i]) != len(wantCSV[i]) {
			t.Errorf("record %d has %d fields, want %d", i, len(got[i]), len(wantCSV[i]))
			continue
		}
		for j := range wantCSV[i] {
			if got[i][j] != wantCSV[i][j] {
				t.Errorf("record %d field %d (%s) = %q, want %q", i, j, wantCSV[0][j], got[i][j], wantCSV[i][j])
			}
		}
	}
}

func TestWriteXLSX(t *testing.T) {
	tab := sample()
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, tab); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := tab.Sheet
	if got := f.GetSheetList(); len(got) != 1 || got[0] != sheet {
		t.Fatalf("sheets %v, want [%s]", got, sheet)
	}

	// Header: text, bold.
	for j, h := range tab.Header {
		ref, _ := excelize.CoordinatesToCellName(j+1, 1)
		if v, _ := f.GetCellValue(sheet, ref); v != h {
			t.Errorf("%s = %q, want %q", ref, v, h)
		}
		id, _ := f.GetCellStyle(sheet, ref)
		if st, err := f.GetStyle(id); err != nil || st.Font == nil || !st.Font.Bold {
			t.Errorf("header %s is not bold", ref)
		}
	}

	// Every cell, compared with the input by type.
	for i, row := range tab.Rows {
		for j := range tab.Header {
			ref, _ := excelize.CoordinatesToCellName(j+1, i+2)
			var in any
			if j < len(row) {
				in = row[j]
			}
			shown, _ := f.GetCellValue(sheet, ref)
			raw, _ := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
			typ, _ := f.GetCellType(sheet, ref)
			if formula, _ := f.GetCellFormula(sheet, ref); formula != "" {
				t.Errorf("%s has formula %q", ref, formula)
			}
			switch v := in.(type) {
			case nil:
				if raw != "" {
					t.Errorf("%s = %q, want empty", ref, raw)
				}
			case string, status:
				s := fmt.Sprint(v)
				if shown != s || (typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString) {
					t.Errorf("%s = %q (type %v), want the string %q", ref, shown, typ, s)
				}
			case int, int64, uint16:
				n, err := strconv.ParseInt(raw, 10, 64)
				if err != nil || fmt.Sprint(n) != fmt.Sprint(v) || typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString {
					t.Errorf("%s = %q (type %v), want the number %v", ref, raw, typ, v)
				}
			case float64, float32:
				x, err := strconv.ParseFloat(raw, 64)
				if err != nil || x != toFloat(v) || typ == excelize.CellTypeInlineString {
					t.Errorf("%s = %q (type %v), want the number %v", ref, raw, typ, v)
				}
			case bool:
				if typ != excelize.CellTypeBool || raw != map[bool]string{true: "1", false: "0"}[v] {
					t.Errorf("%s = %q (type %v), want the boolean %v", ref, raw, typ, v)
				}
			case time.Time:
				serial, err := strconv.ParseFloat(raw, 64)
				if err != nil {
					t.Errorf("%s = %q, want a date serial number", ref, raw)
					continue
				}
				got, _ := excelize.ExcelDateToTime(serial, false)
				y, m, d := v.Date()
				if want := time.Date(y, m, d, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
					t.Errorf("%s = %v, want the date %v", ref, got, want)
				}
				if want := v.Format(time.DateOnly); shown != want {
					t.Errorf("%s shows %q, want %q", ref, shown, want)
				}
				id, _ := f.GetCellStyle(sheet, ref)
				if st, _ := f.GetStyle(id); st == nil || st.CustomNumFmt == nil || *st.CustomNumFmt != "yyyy-mm-dd" {
					t.Errorf("%s has no yyyy-mm-dd number format", ref)
				}
			default:
				t.Fatalf("test table has a %T", v)
			}
		}
	}
	rows, _ := f.GetRows(sheet)
	if len(rows) != len(tab.Rows)+1 {
		t.Errorf("%d rows, want %d", len(rows), len(tab.Rows)+1)
	}

	// Frozen header row.
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes %+v, %v: want the first row frozen", panes, err)
	}
	// Column widths fit the content: the long name column is wider than the nis column.
	wNIS, _ := f.GetColWidth(sheet, "A")
	wName, _ := f.GetColWidth(sheet, "B")
	if !(wName > 25 && wNIS < wName && wNIS >= 6) {
		t.Errorf("column widths A=%.1f B=%.1f", wNIS, wName)
	}
	// Auto filter over the whole table.
	sheetXML := zipEntry(t, buf.Bytes(), "xl/worksheets/sheet1.xml")
	if !strings.Contains(sheetXML, `<autoFilter ref="A1:J6"`) && !strings.Contains(sheetXML, `<autoFilter ref="$A$1:$J$6"`) {
		t.Errorf("no auto filter A1:J6 in the sheet: %.300s…", sheetXML[strings.Index(sheetXML, "</sheetData>"):])
	}
	// <col> elements in ascending order, as Excel requires.
	prev := 0
	for _, m := range regexp.MustCompile(`<col min="(\d+)"`).FindAllStringSubmatch(sheetXML, -1) {
		n, _ := strconv.Atoi(m[1])
		if n <= prev {
			t.Errorf("<col min=%d> after min=%d", n, prev)
		}
		prev = n
	}
	if prev != len(tab.Header) {
		t.Errorf("widths for %d columns, want %d", prev, len(tab.Header))
	}
	if strings.Contains(sheetXML, "<f>") {
		t.Error("the sheet contains a formula")
	}
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case float32:
		return float64(x)
	case float64:
		return x
	}
	return 0
}

func zipEntry(t *testing.T, b []byte, name string) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range z.File {
		if f.Name == name {
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			data, _ := io.ReadAll(r)
			return string(data)
		}
	}
	t.Fatalf("no %s in the workbook", name)
	return ""
}

func TestUnsupportedCell(t *testing.T) {
	tab := Table{Header: []string{"a", "b"}, Rows: [][]any{{"x", struct{}{}}}}
	for name, write := range map[string]func(io.Writer, Table) error{"csv": WriteCSV, "xlsx": WriteXLSX} {
		err := write(io.Discard, tab)
		if err == nil || !strings.Contains(err.Error(), "row 1, column 2 (b)") {
			t.Errorf("%s: err = %v, want an error naming row 1, column 2", name, err)
		}
	}
}

func TestSheetName(t *testing.T) {
	for in, want := range map[string]string{
		"":                                      "Blad1",
		"Register":                              "Register",
		"a/b:c?d*e[f]g\\h":                      "a-b-c-d-e-f-g-h",
		"'quoted'":                              "quoted",
		"Een heel lange naam voor een werkblad": "Een heel lange naam voor een we",
		"History":                               "Blad1",
	} {
		if got := SheetName(in); got != want {
			t.Errorf("SheetName(%q) = %q, want %q", in, got, want)
		}
	}
	// A name that needed cleaning still gives a readable workbook.
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, Table{Sheet: "Stand 08/03/2023", Header: []string{"x"}}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 1 || got[0] != "Stand 08-03-2023" {
		t.Errorf("sheets %v", got)
	}
}

func bigTable(n int) Table {
	t := Table{Sheet: "Register", Header: []string{"nis", "naam", "provincie", "status", "sinds", "agreement_id", "aandeel"}}
	names := []string{"Sint-Katelijne-Waver", "Ruiselede", "Zwijndrecht", "Beveren-Kruibeke-Zwijndrecht"}
	for i := range n {
		t.Rows = append(t.Rows, []any{strconv.Itoa(10000 + i), names[i%len(names)], "Antwerpen", "actief", date("2023-03-08").AddDate(0, 0, i%700), int64(i), float64(i) / 7})
	}
	return t
}

func BenchmarkWriteCSV10k(b *testing.B) {
	t := bigTable(10000)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteCSV(io.Discard, t); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteXLSX10k(b *testing.B) {
	t := bigTable(10000)
	b.ReportAllocs()
	var n int
	for b.Loop() {
		var buf bytes.Buffer
		if err := WriteXLSX(&buf, t); err != nil {
			b.Fatal(err)
		}
		n = buf.Len()
	}
	b.ReportMetric(float64(n), "bytes/file")
}
