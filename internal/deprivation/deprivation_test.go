package deprivation

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"kansrijk/internal/municipality"
)

// All test data is fictitious: the files say FICTIEF in their name and in a comment row or note.

func reg(t testing.TB) *municipality.Registry {
	t.Helper()
	return municipality.MustLoad()
}

func ptr(n int) *int { return &n }

// v is a compact expected value: births and deprived -1 for none.
func v(nis string, year int, pct float64, births, deprived int) Value {
	out := Value{NIS: nis, Year: year, Percent: pct}
	if births >= 0 {
		out.Births = ptr(births)
	}
	if deprived >= 0 {
		out.Deprived = ptr(deprived)
	}
	return out
}

func fmtValues(vs []Value) []string {
	out := make([]string, len(vs))
	for i, x := range vs {
		b, d := "-", "-"
		if x.Births != nil {
			b = fmt.Sprint(*x.Births)
		}
		if x.Deprived != nil {
			d = fmt.Sprint(*x.Deprived)
		}
		out[i] = fmt.Sprintf("%s/%d=%g(%s/%s)", x.NIS, x.Year, x.Percent, d, b)
	}
	return out
}

// prob is an expected problem: line, column and code.
type prob struct {
	line      int
	col, code string
}

func probs(ps []RowProblem) []prob {
	out := make([]prob, len(ps))
	for i, p := range ps {
		out[i] = prob{p.Line, p.Column, p.Code}
	}
	return out
}

func parseFile(t *testing.T, name string) Result {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := ParseCSV(f, reg(t))
	if err != nil {
		t.Fatalf("ParseCSV(%s): %v", name, err)
	}
	checkInvariants(t, res)
	return res
}

// checkInvariants holds for every result.
func checkInvariants(t testing.TB, res Result) {
	t.Helper()
	if res.Accepted != (len(res.Problems) == 0) {
		t.Fatalf("Accepted = %v with %d problems", res.Accepted, len(res.Problems))
	}
	r := municipality.MustLoad()
	seen := map[string]bool{}
	for _, x := range res.Values {
		if x.Year < MinYear || x.Year > MaxYear || x.Percent < 0 || x.Percent > 100 {
			t.Fatalf("value out of range: %+v", x)
		}
		if !r.ValidOn(x.NIS, dec31(x.Year)) {
			t.Fatalf("value for %s not valid in %d", x.NIS, x.Year)
		}
		k := fmt.Sprint(x.NIS, x.Year)
		if seen[k] {
			t.Fatalf("duplicate value %s", k)
		}
		seen[k] = true
	}
	for i, p := range res.Problems {
		if p.Code == "" || p.Message == "" {
			t.Fatalf("problem without code or message: %+v", p)
		}
		if i > 0 && p.Line < res.Problems[i-1].Line {
			t.Fatalf("problems out of order: %+v", res.Problems)
		}
	}
}

func TestTestdataIsFictitious(t *testing.T) {
	files, _ := filepath.Glob("testdata/*")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	for _, f := range files {
		if st, err := os.Stat(f); err != nil || st.IsDir() {
			continue // e.g. testdata/fuzz
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(filepath.Base(f), "FICTIEF") || !bytes.Contains(bytes.ToUpper(data), []byte("FICTIEF")) {
			t.Errorf("%s: test data must say FICTIEF in its name and its content", f)
		}
	}
}

func TestParseCSVFiles(t *testing.T) {
	tests := []struct {
		file  string
		want  []Value
		probs []prob
	}{
		{
			file: "FICTIEF_lang_puntkomma_utf8-bom.csv",
			want: []Value{
				v("11002", 2023, 19.8, 20000, 3960),
				v("12035", 2023, 6.5, 600, 39),
				v("44021", 2023, 14.2, -1, -1),
				v("11056", 2024, 11.1, 900, 100),
				v("46030", 2025, 10.4, -1, -1),
				v("71072", 2025, 9.9, -1, -1),
			},
		},
		{
			// Windows-1252, commas, English headers, fractions, a bilingual Brussels name.
			file: "FICTIEF_lang_komma_cp1252.csv",
			want: []Value{
				v("31005", 2022, 11.8, 1500, 177),
				v("35029", 2022, 25.4, -1, -1),
				v("21009", 2022, 30.1, -1, -1),
				v("13040", 2022, 16, -1, -1),
			},
		},
		{
			// Wide, ";", "%" signs, an empty cell, "n.b.", a province row, a trailing comment.
			file: "FICTIEF_breed_puntkomma.csv",
			want: []Value{
				v("11002", 2021, 20.1, -1, -1), v("11002", 2022, 19.9, -1, -1), v("11002", 2023, 19.8, -1, -1),
				v("44021", 2021, 14, -1, -1), v("44021", 2023, 14.2, -1, -1),
				v("71016", 2021, 17.5, -1, -1), v("71016", 2022, 17.8, -1, -1),
			},
		},
		{
			// Wide, ",", quoted decimal commas, across the 2025 mergers, a row matched by name.
			file: "FICTIEF_breed_komma_utf8.csv",
			want: []Value{
				v("11002", 2023, 19.8, -1, -1), v("11002", 2024, 19.5, -1, -1), v("11002", 2025, 19.2, -1, -1),
				v("46003", 2023, 10.1, -1, -1), v("46003", 2024, 10.3, -1, -1),
				v("46030", 2025, 10.4, -1, -1),
				v("12035", 2023, 6.5, -1, -1), v("12035", 2024, 6.4, -1, -1), v("12035", 2025, 6.3, -1, -1),
			},
		},
		{
			file: "FICTIEF_fouten.csv",
			want: []Value{
				v("11002", 2023, 19.8, -1, -1),
				v("11056", 2024, 11.1, -1, -1),
			},
			probs: []prob{
				{4, "NIS", CodeMunicipalityUnknown},
				{5, "NIS", CodeNISInvalid},
				{6, "NIS", CodeMunicipalityNotValid},
				{7, "Gemeente", CodeNameMismatch},
				{9, "Gemeente", CodeMunicipalityUnknown},
				{10, "Jaar", CodeYearInvalid},
				{11, "Jaar", CodeYearOutOfRange},
				{12, "Kansarmoede-index", CodePercentOutOfRange},
				{13, "Kansarmoede-index", CodeValueInvalid},
				{14, "Kansarmoede-index", CodeValueMissing},
				{15, "Kansarmoede-index", CodeDuplicate},
				{16, "Kansarm", CodeDeprivedExceedsBirth},
				{17, "Kansarmoede-index", CodePercentMismatch},
				{18, "Geboorten", CodeBirthsInvalid},
				{19, "Gemeente", CodeMunicipalityNotValid},
				{20, "NIS", CodeMunicipalityMissing},
				{21, "Jaar", CodeYearMissing},
			},
		},
		{
			file: "FICTIEF_breed_fouten.csv",
			want: []Value{
				v("11002", 2024, 19.5, -1, -1), v("11002", 2025, 19.2, -1, -1),
				v("46003", 2024, 10.3, -1, -1),
				v("44021", 2024, 14.1, -1, -1),
			},
			probs: []prob{
				{2, "1999", CodeYearOutOfRange},
				{4, "NIS", CodeMunicipalityNotValid},
				{5, "NIS", CodeNISInvalid},
				{6, "2025", CodeValueInvalid},
				{7, "2024", CodeDuplicate},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res := parseFile(t, tt.file)
			if got, want := fmtValues(res.Values), fmtValues(tt.want); !slices.Equal(got, want) {
				t.Errorf("values\n got %q\nwant %q", got, want)
			}
			if got := probs(res.Problems); !slices.Equal(got, tt.probs) {
				t.Errorf("problems\n got %v\nwant %v", got, tt.probs)
				for _, p := range res.Problems {
					t.Logf("  %+v", p)
				}
			}
			if res.Accepted != (len(tt.probs) == 0) {
				t.Errorf("Accepted = %v", res.Accepted)
			}
		})
	}
}

func TestProblemMessages(t *testing.T) {
	res := parseFile(t, "FICTIEF_fouten.csv")
	msg := map[int]string{}
	for _, p := range res.Problems {
		msg[p.Line] += p.Message
	}
	for line, want := range map[int]string{
		6:  "gemeente 46003 (Beveren) bestond niet op 31-12-2025: gebruik 46030 (Beveren-Kruibeke-Zwijndrecht)",
		7:  "NIS-code 11002 is Antwerpen, niet Gent",
		15: "gemeente 11002 staat voor 2023 al op regel 3",
		17: "past niet bij 90 kansarme kinderen op 1000 geboorten (9,0 %)",
		19: "gemeente 11056 (Zwijndrecht) bestond niet op 31-12-2025: gebruik 46030",
	} {
		if !strings.Contains(msg[line], want) {
			t.Errorf("line %d: message %q does not contain %q", line, msg[line], want)
		}
	}
}

func parseString(t *testing.T, s string) Result {
	t.Helper()
	res, err := ParseCSV(strings.NewReader(s), reg(t))
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, res)
	return res
}

func TestParseCSVCases(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		want  []Value
		probs []prob
	}{
		{
			name: "fractions with decimal comma",
			in:   "NIS;Jaar;Index\n11002;2023;0,198\n44021;2023;0,142\n",
			want: []Value{v("11002", 2023, 19.8, -1, -1), v("44021", 2023, 14.2, -1, -1)},
		},
		{
			name: "a low value among percentages is a percentage",
			in:   "NIS;Jaar;Index\n11002;2023;0,9\n44021;2023;14,2\n",
			want: []Value{v("11002", 2023, 0.9, -1, -1), v("44021", 2023, 14.2, -1, -1)},
		},
		{
			name: "% in the header: no fractions",
			in:   "NIS;Jaar;Kansarmoede-index (%)\n11002;2023;0,9\n",
			want: []Value{v("11002", 2023, 0.9, -1, -1)},
		},
		{
			name: "% in a cell: no fractions",
			in:   "NIS;Jaar;Index\n11002;2023;0,9 %\n44021;2023;0,5\n",
			want: []Value{v("11002", 2023, 0.9, -1, -1), v("44021", 2023, 0.5, -1, -1)},
		},
		{
			name: "dot decimals and thousands in counts",
			in:   "nis,year,percentage,births,deprived\n11002,2023,19.8,\"20.000\",3960\n44021,2023,14.2,1 000,142\n",
			want: []Value{v("11002", 2023, 19.8, 20000, 3960), v("44021", 2023, 14.2, 1000, 142)},
		},
		{
			name: "name only, folded",
			in:   "Gemeente;Jaar;Index\nSINT KATELIJNE-WAVER;2023;6,5\n",
			want: []Value{v("12035", 2023, 6.5, -1, -1)},
		},
		{
			name: "tab separated",
			in:   "NIS\tJaar\tIndex\n11002\t2023\t19,8\n",
			want: []Value{v("11002", 2023, 19.8, -1, -1)},
		},
		{
			name: "title rows before the header",
			in:   "Kansarmoede-index per gemeente (FICTIEF)\n\nNIS;Gemeente;Jaar;Index\n11002;Antwerpen;2024;19,5\n",
			want: []Value{v("11002", 2024, 19.5, -1, -1)},
		},
		{
			name: "births and deprived zero",
			in:   "NIS;Jaar;Index;Geboorten;Kansarm\n11002;2023;0;0;0\n",
			want: []Value{v("11002", 2023, 0, 0, 0)},
		},
		{
			name:  "before 2019 the registry cannot tell",
			in:    "NIS;Jaar;Index\n11002;2017;19,8\n",
			probs: []prob{{2, "NIS", CodeMunicipalityNotValid}},
		},
		{
			name:  "empty",
			in:    "\n# FICTIEF\n",
			probs: []prob{{0, "", CodeEmptyFile}},
		},
		{
			name:  "no header",
			in:    "a;b;c\n1;2;3\n",
			probs: []prob{{1, "", CodeNoHeader}},
		},
		{
			name:  "header only",
			in:    "NIS;Jaar;Index\n",
			probs: []prob{{1, "", CodeNoValues}},
		},
		{
			name:  "missing columns",
			in:    "NIS;Gemeente\n11002;Antwerpen\n",
			probs: []prob{{1, "", CodeMissingColumn}, {1, "", CodeMissingColumn}},
		},
		{
			name:  "duplicate column",
			in:    "NIS;refnis;Jaar;Index\n11002;11002;2023;19,8\n",
			want:  []Value{v("11002", 2023, 19.8, -1, -1)},
			probs: []prob{{1, "refnis", CodeDuplicateColumn}},
		},
		{
			name:  "wide with births",
			in:    "NIS;2023;Geboorten\n11002;19,8;100\n",
			want:  []Value{v("11002", 2023, 19.8, -1, -1)},
			probs: []prob{{1, "Geboorten", CodeColumnNotSupported}},
		},
		{
			name:  "csv syntax",
			in:    "NIS;Jaar;Index\n11002;2023;19,8\n44021;2023;\"14,2\n",
			want:  []Value{v("11002", 2023, 19.8, -1, -1)},
			probs: []prob{{3, "", CodeCSVSyntax}},
		},
		{
			name:  "negative percentage",
			in:    "NIS;Jaar;Index\n11002;2023;-1\n",
			probs: []prob{{2, "Index", CodePercentOutOfRange}},
		},
		{
			name:  "deprived invalid",
			in:    "NIS;Jaar;Index;Geboorten;Kansarm\n11002;2023;19,8;100;1,5\n",
			probs: []prob{{2, "Kansarm", CodeDeprivedInvalid}},
		},
		{
			name:  "code and name of different eras",
			in:    "NIS;Gemeente;Jaar;Index\n46030;Beveren;2025;10\n",
			probs: []prob{{2, "Gemeente", CodeNameMismatch}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := parseString(t, tt.in)
			if got, want := fmtValues(res.Values), fmtValues(tt.want); !slices.Equal(got, want) {
				t.Errorf("values\n got %q\nwant %q", got, want)
			}
			if got := probs(res.Problems); !slices.Equal(got, tt.probs) {
				t.Errorf("problems\n got %v\nwant %v", got, tt.probs)
				for _, p := range res.Problems {
					t.Logf("  %+v", p)
				}
			}
		})
	}
}

func TestEncodings(t *testing.T) {
	// Windows-1252: the name in the message comes out as UTF-8.
	res := parseString(t, "NIS;Gemeente;Jaar;Index\n11002;Li\xe8ge;2023;19,8\n")
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Message, "niet Liège") {
		t.Errorf("cp1252: %+v", res.Problems)
	}
	// UTF-8 with BOM: the BOM is not part of the first header.
	res = parseString(t, "\ufeffNIS,Jaar,Index\n11002,2023,\"19,8\"\n")
	if !res.Accepted || len(res.Values) != 1 {
		t.Errorf("BOM: %+v", res)
	}
	// UTF-16LE with BOM, tab separated (Excel's "Unicode text").
	u := utf16.Encode([]rune("NIS\tGemeente\tJaar\tIndex\r\n21009\tElsene\t2023\t30,1\r\n"))
	b := []byte{0xFF, 0xFE}
	for _, c := range u {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	res, err := ParseCSV(bytes.NewReader(b), reg(t))
	if err != nil || !res.Accepted || fmtValues(res.Values)[0] != "21009/2023=30.1(-/-)" {
		t.Errorf("UTF-16: %+v %v", res, err)
	}
}

func TestSniffSeparator(t *testing.T) {
	for in, want := range map[string]rune{
		"a;b;c\n1,5;2,5;3\n":         ';',
		"a,b,c\n\"1,5\",\"2,5\",3\n": ',',
		"a\tb\n1,5\t2\n":             '\t',
		"# a, b, c, d\na;b\n":        ';',
		"single\n":                   ';',
	} {
		if got := sniffSeparator(in); got != want {
			t.Errorf("sniffSeparator(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTooLarge(t *testing.T) {
	big := strings.NewReader(strings.Repeat("x", MaxFileSize+1))
	if _, err := ParseCSV(big, reg(t)); err == nil {
		t.Error("no error for a file over MaxFileSize")
	}
}

// xlsx builds a workbook in memory; rows of any cell values, with percentage cells given as
// pctCell.
type pctCell float64

func xlsx(t *testing.T, sheets map[string][][]any, order []string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range order {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range sheets[name] {
			for c, val := range row {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if p, ok := val.(pctCell); ok {
					_ = f.SetCellValue(name, ref, float64(p))
					_ = f.SetCellStyle(name, ref, ref, pct)
					continue
				}
				if err := f.SetCellValue(name, ref, val); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParseXLSX(t *testing.T) {
	long := xlsx(t, map[string][][]any{
		"Kansarmoede FICTIEF": {
			{"FICTIEF – verzonnen kansarmoede-index, niet van Kind en Gezin"},
			{},
			{"NIS-code", "Gemeente", "Jaar", "Kansarmoede-index", "Geboorten", "Kansarm"},
			{11002, "Antwerpen", 2023, pctCell(0.198), 20000, 3960},
			{44021, "Gent", 2023, 14.2},
			{"12035", "Sint-Katelijne-Waver", "2023", "6,5%"},
			{46003, "Beveren", 2025, pctCell(0.104)},
			{"Bron: FICTIEF"},
		},
		"Andere": {{"NIS", "Jaar", "Index"}, {99999, 1999, "x"}},
	}, []string{"Kansarmoede FICTIEF", "Andere"})
	res, err := ParseXLSX(bytes.NewReader(long), reg(t))
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, res)
	want := []Value{v("11002", 2023, 19.8, 20000, 3960), v("44021", 2023, 14.2, -1, -1), v("12035", 2023, 6.5, -1, -1)}
	if got, w := fmtValues(res.Values), fmtValues(want); !slices.Equal(got, w) {
		t.Errorf("long values\n got %q\nwant %q", got, w)
	}
	if got, w := probs(res.Problems), []prob{{7, "NIS-code", CodeMunicipalityNotValid}}; !slices.Equal(got, w) {
		t.Errorf("long problems = %v, want %v", got, w)
	}

	wide := xlsx(t, map[string][][]any{
		"Blad1": {
			{"# FICTIEF"},
			{"refnis", "Gemeente", 2022, 2023},
			{11002, "Antwerpen", pctCell(0.199), pctCell(0.198)},
			{"", "Gent", "14,0", ""},
			{"02000", "Vlaams Gewest", pctCell(0.126), pctCell(0.121)},
		},
	}, []string{"Blad1"})
	res, err = ParseXLSX(bytes.NewReader(wide), reg(t))
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, res)
	want = []Value{v("11002", 2022, 19.9, -1, -1), v("11002", 2023, 19.8, -1, -1), v("44021", 2022, 14, -1, -1)}
	if got, w := fmtValues(res.Values), fmtValues(want); !slices.Equal(got, w) || !res.Accepted {
		t.Errorf("wide values\n got %q\nwant %q\n%+v", got, w, res.Problems)
	}

	// Fractions without a percentage format.
	frac := xlsx(t, map[string][][]any{"FICTIEF": {{"NIS", "Jaar", "Index"}, {11002, 2023, 0.198}, {44021, 2023, 0.142}}}, []string{"FICTIEF"})
	res, err = ParseXLSX(bytes.NewReader(frac), reg(t))
	if err != nil || !slices.Equal(fmtValues(res.Values), []string{"11002/2023=19.8(-/-)", "44021/2023=14.2(-/-)"}) {
		t.Errorf("fractions: %+v %v", res, err)
	}

	if _, err := ParseXLSX(strings.NewReader("NIS;Jaar;Index\n"), reg(t)); err == nil {
		t.Error("a CSV file read as XLSX gives no error")
	}
}

func FuzzParseCSV(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.csv")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("NIS;2023;2024\n11002;0,2;0,3\n"))
	f.Add([]byte("Gemeente,Year,Index\n\"Gent\",2023,\"14,2 %\"\n"))
	r := municipality.MustLoad()
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := ParseCSV(bytes.NewReader(data), r)
		if err != nil {
			t.Fatalf("error on in-memory input: %v", err)
		}
		checkInvariants(t, res)
	})
}
