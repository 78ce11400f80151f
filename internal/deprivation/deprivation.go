// Package deprivation imports Kind en Gezin's deprivation index (kansarmoede-index) per
// municipality and year, from the CSV or XLSX spreadsheets in which Opgroeien publishes it.
// Kansrijk shows it as public context next to its own counts; the index itself is never kept in
// the repository (the test files are fictitious and say so).
//
// The published index for year x is a three-cohort rate: the children born in x-2, x-1 and x in
// a deprived family and living in the municipality on 31 December of x, over all children born
// then and living there (see DOMAIN.md §4).
//
// # Files
//
// A file is a table, after any title or comment rows: lines whose first cell starts with "#"
// are comments, and the header is the first row that names a municipality column. Two layouts
// are read:
//
//   - long: one row per municipality and year, with the columns NIS-code (also NIS, refnis),
//     Gemeente (Municipality), Jaar (Year), Kansarmoede-index (Index, Percentage), and optionally
//     Geboorten (Births) and Kansarm (Deprived), the denominator and numerator of the rate;
//   - wide: one row per municipality and one column per year, headed "2021", "2022", …; an
//     empty cell is a year without a value.
//
// Other columns (province, a note) are ignored. Rows for Flanders, a province or an
// arrondissement (NIS codes ending in 000, 20001, 20002, or such a name without a code) are
// skipped, as are empty rows and notes ("Bron: …") that fill no value column.
//
// CSV files are UTF-8 with or without BOM, UTF-16 with BOM, or else Windows-1252, separated by
// ";", "," or tab (see sniffSeparator). XLSX files are read from their first sheet.
//
// # Values
//
// A municipality is matched by its NIS code; the name is a fallback for a row without one, and a
// problem when it disagrees with the code. The code must be valid on 31 December of the year, the
// reference day of the index: a pre-2025 code such as 46003 Beveren for 2025 is a problem. The
// municipality reference data starts in 2019, so earlier years cannot be matched.
//
// The index is a percentage from 0 to 100. "12,7", "12.7", "12,7%" and "12.7 %" all read as
// 12.7. A fraction such as 0.127 is told apart by the whole file rather than by one cell: when
// neither the header nor any cell carries "%" and every value of the file is at most 1, all
// values are fractions and are multiplied by 100. (No Flemish municipality has an index below
// 1 %, while a single value can be either; an XLSX cell formatted as a percentage carries "%".)
// Births and deprived children are whole numbers; "1.234" reads as 1234 there.
//
// Problems are reported per row with a stable code and a Dutch message; the caller imports a
// file only when it is Accepted, all or nothing.
package deprivation

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/xuri/excelize/v2"

	"kansrijk/internal/municipality"
	"kansrijk/internal/textnorm"
)

// MaxFileSize is the largest file ParseCSV and ParseXLSX read.
const MaxFileSize = 32 << 20

// MinYear and MaxYear bound the years of a value.
const (
	MinYear = 2000
	MaxYear = 2100
)

// The problem codes.
const (
	CodeEmptyFile            = "empty_file"             // nothing but empty or comment rows
	CodeNoHeader             = "no_header"              // no row names a NIS-code or Gemeente column
	CodeMissingColumn        = "missing_column"         // the header lacks a required column
	CodeDuplicateColumn      = "duplicate_column"       // two columns mean the same
	CodeColumnNotSupported   = "column_not_supported"   // Geboorten/Kansarm in the wide layout
	CodeNoValues             = "no_values"              // a header but no data rows
	CodeCSVSyntax            = "csv_syntax"             // a malformed CSV line (e.g. an unclosed quote)
	CodeMunicipalityMissing  = "municipality_missing"   // neither NIS code nor name
	CodeNISInvalid           = "nis_invalid"            // not five digits
	CodeMunicipalityUnknown  = "municipality_unknown"   // no municipality with that code or name
	CodeMunicipalityNotValid = "municipality_not_valid" // the municipality did not exist on 31 December of the year
	CodeMunicipalityAmbig    = "municipality_ambiguous" // the name fits several municipalities
	CodeNameMismatch         = "name_mismatch"          // code and name are different municipalities
	CodeYearMissing          = "year_missing"
	CodeYearInvalid          = "year_invalid"
	CodeYearOutOfRange       = "year_out_of_range" // outside MinYear–MaxYear
	CodeValueMissing         = "value_missing"
	CodeValueInvalid         = "value_invalid"
	CodePercentOutOfRange    = "percent_out_of_range" // outside 0–100
	CodeBirthsInvalid        = "births_invalid"
	CodeDeprivedInvalid      = "deprived_invalid"
	CodeDeprivedExceedsBirth = "deprived_exceeds_births"
	CodePercentMismatch      = "percent_mismatch" // the index differs from Kansarm/Geboorten
	CodeDuplicate            = "duplicate"        // the same municipality and year twice
	CodeInvalidText          = "invalid_text"     // a cell holds a control character or a line break
)

// PercentTolerance is how far, in percentage points, the index may be from 100 × Kansarm /
// Geboorten (published figures are rounded).
const PercentTolerance = 0.1

// Value is the index of one municipality in one year.
type Value struct {
	// NIS is the municipality's NIS code, valid on 31 December of Year.
	NIS string
	// Year is the reference year.
	Year int
	// Percent is the index, 0–100.
	Percent float64
	// Births is the number of children the rate is over, when the file gives it.
	Births *int
	// Deprived is the number of children in a deprived family, when the file gives it.
	Deprived *int
}

// RowProblem is one thing wrong with a file.
type RowProblem struct {
	// Line is the line (CSV) or row (XLSX) number, from 1; 0 for the file as a whole.
	Line int
	// Column is the header of the column concerned, as in the file, or "".
	Column string
	// Code is a stable code, one of the Code constants.
	Code string
	// Message explains the problem in Dutch.
	Message string
}

// Result is a parsed file.
type Result struct {
	// Values are the rows without problems, in file order (wide layout: row by row, years left
	// to right). Import them only when Accepted.
	Values []Value
	// Problems are in file order.
	Problems []RowProblem
	// Accepted is true when there is no problem: the file may be imported as a whole.
	Accepted bool
}

// ParseCSV reads a CSV file. The error is only for a failing reader or a file larger than
// MaxFileSize; everything wrong with the content is a problem in the Result.
func ParseCSV(r io.Reader, reg *municipality.Registry) (Result, error) {
	data, err := readAll(r)
	if err != nil {
		return Result{}, err
	}
	text := decodeText(data)
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = sniffSeparator(text)
	cr.FieldsPerRecord = -1
	cr.Comment = '#'
	var rows [][]string
	var lines []int
	var syntax *RowProblem
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			syntax = &RowProblem{Line: line, Code: CodeCSVSyntax, Message: fmt.Sprintf("regel %d is geen geldige CSV (bv. een aanhalingsteken dat niet gesloten wordt)", line)}
			break
		}
		line, _ := cr.FieldPos(0)
		rows = append(rows, rec)
		lines = append(lines, line)
	}
	p := newParser(reg)
	p.run(rows, lines)
	if syntax != nil {
		p.problems = append(p.problems, *syntax)
	}
	return p.result(), nil
}

// ParseXLSX reads the first sheet of an XLSX file. The error is for a failing reader, a file
// larger than MaxFileSize, or a file that is not a readable XLSX workbook.
func ParseXLSX(r io.Reader, reg *municipality.Registry) (Result, error) {
	data, err := readAll(r)
	if err != nil {
		return Result{}, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 8 * MaxFileSize, UnzipXMLSizeLimit: 8 * MaxFileSize})
	if err != nil {
		return Result{}, fmt.Errorf("deprivation: not a readable XLSX file: %w", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return Result{}, errors.New("deprivation: the workbook has no sheet")
	}
	shown, err := f.GetRows(sheets[0])
	if err != nil {
		return Result{}, fmt.Errorf("deprivation: reading sheet %q: %w", sheets[0], err)
	}
	raw, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return Result{}, fmt.Errorf("deprivation: reading sheet %q: %w", sheets[0], err)
	}
	// The raw value keeps a number's precision and avoids locale formatting ("1.234"); the
	// formatted one tells a percentage cell (0.127 shown as "12.7%").
	rows := make([][]string, len(raw))
	lines := make([]int, len(raw))
	for i := range raw {
		lines[i] = i + 1
		rows[i] = make([]string, len(raw[i]))
		for j, v := range raw[i] {
			rows[i][j] = v
			if i < len(shown) && j < len(shown[i]) && strings.HasSuffix(strings.TrimSpace(shown[i][j]), "%") {
				if x, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					rows[i][j] = strconv.FormatFloat(x*100, 'f', -1, 64) + "%"
				} else {
					rows[i][j] = shown[i][j]
				}
			}
		}
	}
	p := newParser(reg)
	p.run(rows, lines)
	return p.result(), nil
}

func readAll(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("deprivation: reading file: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("deprivation: file larger than %d MiB", MaxFileSize>>20)
	}
	return data, nil
}

// field is what a column holds.
type field int

const (
	fNone field = iota
	fNIS
	fName
	fYear
	fValue
	fBirths
	fDeprived
	fYearCol // wide layout: the values of one year
)

var headerAliases = map[string]field{}

func init() {
	for f, names := range map[field][]string{
		fNIS: {"nis", "nis code", "niscode", "refnis", "refnis code", "ref nis", "nis gemeente", "nis code gemeente",
			"gemeentecode", "nis5", "code", "municipality code", "nis municipality", "municipality nis"},
		fName: {"gemeente", "gemeentenaam", "naam gemeente", "naam", "municipality", "municipality name", "name", "gemeente naam"},
		fYear: {"jaar", "year", "referentiejaar", "jaartal"},
		fValue: {"kansarmoede index", "kansarmoedeindex", "kansarmoede", "kansarmoedecijfer", "index", "percentage", "percent",
			"pct", "kansarmoede index kind en gezin", "aandeel kansarm", "aandeel kansarme kinderen", "deprivation index",
			"deprivation", "waarde", "value", "rate"},
		fBirths: {"geboorten", "geboortes", "aantal geboorten", "births", "number of births", "aantal kinderen",
			"kinderen", "children", "noemer", "denominator"},
		fDeprived: {"kansarm", "kansarme", "kansarmen", "aantal kansarm", "aantal kansarme", "aantal kansarme kinderen",
			"kansarme kinderen", "kansarme geboorten", "deprived", "deprived children", "number deprived", "teller", "numerator"},
	} {
		for _, n := range names {
			headerAliases[fold(n)] = f
		}
	}
}

var yearHeader = regexp.MustCompile(`^\s*(\d{4})\s*(\(\s*%\s*\)|%)?\s*$`)

// classify maps a header cell to a field, whether it announces percentages, and the year of a
// wide-layout column.
func classify(h string) (f field, percent bool, year int) {
	if m := yearHeader.FindStringSubmatch(h); m != nil {
		y, _ := strconv.Atoi(m[1])
		return fYearCol, m[2] != "", y
	}
	percent = strings.Contains(h, "%")
	k := fold(strings.ReplaceAll(h, "%", " "))
	k = strings.TrimSuffix(strings.TrimSuffix(k, " in"), " procent")
	return headerAliases[k], percent, 0
}

type column struct {
	idx    int
	header string
	year   int // fYearCol
}

type parser struct {
	reg      *municipality.Registry
	problems []RowProblem
	values   []Value
	anyName  map[string][]string // folded name → NIS codes of every era
	seen     map[string]int      // NIS/year → line
}

func newParser(reg *municipality.Registry) *parser {
	if reg == nil {
		reg = municipality.MustLoad()
	}
	return &parser{reg: reg, seen: map[string]int{}}
}

func (p *parser) result() Result {
	return Result{Values: p.values, Problems: p.problems, Accepted: len(p.problems) == 0}
}

// add records a problem, once: the wide layout may meet the same one in every year column.
func (p *parser) add(line int, col, code, format string, args ...any) {
	pr := RowProblem{Line: line, Column: col, Code: code, Message: fmt.Sprintf(format, args...)}
	for i := len(p.problems) - 1; i >= 0 && p.problems[i].Line == line; i-- {
		if p.problems[i] == pr {
			return
		}
	}
	p.problems = append(p.problems, pr)
}

func cell(row []string, c *column) string {
	if c == nil || c.idx >= len(row) {
		return ""
	}
	return strings.TrimSpace(row[c.idx])
}

// skippable reports whether a row is empty or a comment.
func skippable(row []string) bool {
	for _, c := range row {
		if c = strings.TrimSpace(c); c != "" {
			return strings.HasPrefix(c, "#")
		}
	}
	return true
}

// rawValue is a parsed index cell before the fraction decision.
type rawValue struct {
	x       float64
	percent bool
	ok      bool
}

// pending is a data cell waiting for the fraction decision.
type pending struct {
	line     int
	col      *column
	nis      string
	year     int
	v        rawValue
	births   *int
	deprived *int
	ok       bool // no problem so far
}

func (p *parser) run(rows [][]string, lines []int) {
	// The header: the first row, after comments and titles, that names a municipality column.
	hi := -1
	first := -1
	for i, row := range rows {
		if skippable(row) {
			continue
		}
		if first < 0 {
			first = i
		}
		for _, h := range row {
			if f, _, _ := classify(h); f == fNIS || f == fName {
				hi = i
				break
			}
		}
		if hi >= 0 || i-first >= 30 {
			break
		}
	}
	if first < 0 {
		p.add(0, "", CodeEmptyFile, "het bestand is leeg")
		return
	}
	if hi < 0 {
		p.add(lines[first], "", CodeNoHeader, "geen kopregel gevonden: verwacht een kolom NIS-code of Gemeente, een kolom Jaar en een kolom Kansarmoede-index, of een kolom per jaar (2021, 2022, …)")
		return
	}
	hline := lines[hi]
	cols := map[field]*column{}
	var yearCols []*column
	byYear := map[int]*column{}
	headerPercent := false
	for j, h := range rows[hi] {
		f, pct, y := classify(h)
		h = strings.TrimSpace(h)
		switch f {
		case fNone:
			continue
		case fYearCol:
			if prev, ok := byYear[y]; ok {
				p.add(hline, h, CodeDuplicateColumn, "de kolommen %q en %q zijn allebei het jaar %d", prev.header, h, y)
				continue
			}
			c := &column{idx: j, header: h, year: y}
			byYear[y] = c
			yearCols = append(yearCols, c)
			headerPercent = headerPercent || pct
			if y < MinYear || y > MaxYear {
				p.add(hline, h, CodeYearOutOfRange, "het jaar %d ligt niet tussen %d en %d", y, MinYear, MaxYear)
			}
		default:
			if prev, ok := cols[f]; ok {
				p.add(hline, h, CodeDuplicateColumn, "de kolommen %q en %q betekenen hetzelfde", prev.header, h)
				continue
			}
			cols[f] = &column{idx: j, header: h}
			if f == fValue {
				headerPercent = headerPercent || pct
			}
		}
	}
	wide := cols[fYear] == nil && cols[fValue] == nil && len(yearCols) > 0
	if wide {
		for _, f := range []field{fBirths, fDeprived} {
			if c := cols[f]; c != nil {
				p.add(hline, c.header, CodeColumnNotSupported, "de kolom %q kan niet met één kolom per jaar: gebruik één rij per gemeente en jaar", c.header)
			}
		}
	} else {
		if cols[fYear] == nil {
			p.add(hline, "", CodeMissingColumn, "de kolom Jaar ontbreekt (of gebruik één kolom per jaar, zoals 2023)")
		}
		if cols[fValue] == nil {
			p.add(hline, "", CodeMissingColumn, "de kolom Kansarmoede-index ontbreekt")
		}
		if cols[fYear] == nil || cols[fValue] == nil {
			return
		}
	}

	var pend []pending
	for i := hi + 1; i < len(rows); i++ {
		row, line := rows[i], lines[i]
		if skippable(row) {
			continue
		}
		if j, bad := controlCell(row); bad {
			h := fmt.Sprintf("kolom %d", j+1)
			if j < len(rows[hi]) && strings.TrimSpace(rows[hi][j]) != "" {
				h = strings.TrimSpace(rows[hi][j])
			}
			p.add(line, h, CodeInvalidText, "de cel in kolom %q bevat een onzichtbaar stuurteken of een regeleinde: verwijder het", h)
			continue
		}
		nisRaw, nameRaw := cell(row, cols[fNIS]), cell(row, cols[fName])
		// A note ("Bron: Kind en Gezin") fills no value column and has no code.
		valueCols := yearCols
		if !wide {
			valueCols = []*column{cols[fYear], cols[fValue], cols[fBirths], cols[fDeprived]}
		}
		empty := true
		for _, c := range valueCols {
			if cell(row, c) != "" {
				empty = false
			}
		}
		if empty && !nisLike(nisRaw) && len(p.namesOfAnyEra()[fold(nameRaw)]) == 0 {
			continue
		}
		if aggregate(nisRaw, nameRaw) {
			continue
		}
		if wide {
			// A bad or unknown code is reported once for the row, not per year.
			before := len(p.problems)
			if p.resolve(line, nisRaw, nameRaw, cols, 0, false); len(p.problems) > before {
				continue
			}
			for _, c := range yearCols {
				s := cell(row, c)
				if s == "" || noValue(s) || c.year < MinYear || c.year > MaxYear {
					continue
				}
				pd := pending{line: line, col: c, year: c.year, ok: true}
				pd.nis, pd.ok = p.resolve(line, nisRaw, nameRaw, cols, c.year, true)
				pd.v = p.parseValue(line, c, s)
				pend = append(pend, pd)
			}
			continue
		}
		pd := pending{line: line, col: cols[fValue], ok: true}
		year, yearOK := p.parseYear(line, cols[fYear], cell(row, cols[fYear]))
		pd.year = year
		pd.nis, pd.ok = p.resolve(line, nisRaw, nameRaw, cols, year, yearOK)
		pd.ok = pd.ok && yearOK
		if s := cell(row, cols[fValue]); s == "" || noValue(s) {
			p.add(line, cols[fValue].header, CodeValueMissing, "de kansarmoede-index ontbreekt")
			pd.ok = false
		} else {
			pd.v = p.parseValue(line, cols[fValue], s)
		}
		var bOK, dOK bool
		pd.births, bOK = p.parseCount(line, cols[fBirths], cell(row, cols[fBirths]), CodeBirthsInvalid, "het aantal geboorten")
		pd.deprived, dOK = p.parseCount(line, cols[fDeprived], cell(row, cols[fDeprived]), CodeDeprivedInvalid, "het aantal kansarme kinderen")
		pd.ok = pd.ok && bOK && dOK
		if pd.births != nil && pd.deprived != nil && *pd.deprived > *pd.births {
			p.add(line, cols[fDeprived].header, CodeDeprivedExceedsBirth, "er zijn meer kansarme kinderen (%d) dan geboorten (%d)", *pd.deprived, *pd.births)
			pd.ok = false
		}
		pend = append(pend, pd)
	}

	// Fractions or percentages: decided by the whole file.
	fraction := !headerPercent
	seenValue := false
	for _, pd := range pend {
		if pd.v.ok {
			seenValue = true
			if pd.v.percent || pd.v.x > 1 {
				fraction = false
			}
		}
	}
	fraction = fraction && seenValue

	for _, pd := range pend {
		if !pd.v.ok {
			continue // value problem already reported, or missing
		}
		pct := pd.v.x
		if fraction && !pd.v.percent {
			pct *= 100
		}
		pct = math.Round(pct*1e6) / 1e6
		ok := pd.ok
		if pct < 0 || pct > 100 || math.IsNaN(pct) {
			p.add(pd.line, pd.col.header, CodePercentOutOfRange, "de kansarmoede-index %s ligt niet tussen 0 en 100 %%", nl(pct, -1))
			ok = false
		} else if pd.births != nil && pd.deprived != nil && *pd.births > 0 && *pd.deprived <= *pd.births {
			want := 100 * float64(*pd.deprived) / float64(*pd.births)
			if math.Abs(want-pct) > PercentTolerance {
				p.add(pd.line, pd.col.header, CodePercentMismatch, "de kansarmoede-index %s %% past niet bij %d kansarme kinderen op %d geboorten (%s %%)",
					nl(pct, -1), *pd.deprived, *pd.births, nl(want, 1))
				ok = false
			}
		}
		if pd.nis != "" && pd.year != 0 {
			key := pd.nis + "/" + strconv.Itoa(pd.year)
			if prev, dup := p.seen[key]; dup {
				p.add(pd.line, pd.col.header, CodeDuplicate, "gemeente %s staat voor %d al op regel %d", pd.nis, pd.year, prev)
				ok = false
			} else {
				p.seen[key] = pd.line
			}
		}
		if ok {
			p.values = append(p.values, Value{NIS: pd.nis, Year: pd.year, Percent: pct, Births: pd.births, Deprived: pd.deprived})
		}
	}
	sortProblems(p.problems)
	if len(p.values) == 0 && len(p.problems) == 0 {
		p.add(hline, "", CodeNoValues, "het bestand bevat geen waarden")
	}
}

// nl formats a number the Dutch way, with a decimal comma.
func nl(x float64, prec int) string {
	return strings.Replace(strconv.FormatFloat(x, 'f', prec, 64), ".", ",", 1)
}

// sortProblems orders problems by line, keeping the order within a line.
func sortProblems(ps []RowProblem) {
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && ps[j].Line < ps[j-1].Line; j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

var nisPattern = regexp.MustCompile(`^\d{5}$`)

// nisLike reports whether s looks like a code rather than a note: it starts with a digit.
func nisLike(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// normNIS strips what a spreadsheet adds to a code: ".0", spaces.
func normNIS(s string) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	return strings.TrimSuffix(s, ".0")
}

// aggregate reports whether a row is for a region, province or arrondissement.
func aggregate(nisRaw, name string) bool {
	if n := normNIS(nisRaw); n != "" {
		return nisPattern.MatchString(n) && (strings.HasSuffix(n, "000") || n == "20001" || n == "20002")
	}
	f := fold(name)
	for _, pre := range []string{"vlaams gewest", "vlaanderen", "brussels hoofdstedelijk gewest", "waals gewest", "belgie",
		"totaal", "total", "provincie ", "province ", "arrondissement "} {
		if f == strings.TrimSpace(pre) || strings.HasPrefix(f, pre) {
			return true
		}
	}
	return false
}

// noValue reports whether s is a spreadsheet's way to say "no value".
func noValue(s string) bool {
	switch strings.ToLower(s) {
	case "-", "–", "—", ".", "n.b.", "nb", "n/a", "na", "onbekend", "geen gegevens":
		return true
	}
	return false
}

func dec31(year int) time.Time { return time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC) }

// nameIndexes caches, per registry (immutable), folded name → NIS codes of every era.
var nameIndexes sync.Map

func (p *parser) namesOfAnyEra() map[string][]string {
	if p.anyName == nil {
		if ix, ok := nameIndexes.Load(p.reg); ok {
			p.anyName = ix.(map[string][]string)
		} else {
			ix := map[string][]string{}
			for _, m := range p.reg.All() {
				k := fold(m.Name)
				ix[k] = append(ix[k], m.NIS)
			}
			nameIndexes.Store(p.reg, ix)
			p.anyName = ix
		}
	}
	return p.anyName
}

// validIn returns the municipality nis as it was on 31 December of year, if it existed then.
func (p *parser) validIn(nis string, year int) (municipality.Municipality, bool) {
	m, ok := p.reg.SuccessorOn(nis, dec31(year))
	return m, ok && m.NIS == nis
}

// nameMatches reports whether a name in the file is the municipality's name; a bilingual
// "Elsene / Ixelles" matches on either part.
func nameMatches(file, official string) bool {
	o := fold(official)
	if fold(file) == o {
		return true
	}
	for _, part := range strings.Split(file, "/") {
		if fold(part) == o {
			return true
		}
	}
	return false
}

// resolve finds the municipality of a row for a year (checked only when yearOK). It reports
// false, after adding the problem, when the row cannot be matched.
func (p *parser) resolve(line int, nisRaw, name string, cols map[field]*column, year int, yearOK bool) (string, bool) {
	nisCol, nameCol := "", ""
	if c := cols[fNIS]; c != nil {
		nisCol = c.header
	}
	if c := cols[fName]; c != nil {
		nameCol = c.header
	}
	if nisRaw != "" {
		nis := normNIS(nisRaw)
		if !nisPattern.MatchString(nis) {
			p.add(line, nisCol, CodeNISInvalid, "%q is geen NIS-code (vijf cijfers)", nisRaw)
			return "", false
		}
		m, ok := p.reg.ByNIS(nis)
		if !ok {
			p.add(line, nisCol, CodeMunicipalityUnknown, "er is geen gemeente met NIS-code %s", nis)
			return "", false
		}
		if !yearOK {
			return nis, false
		}
		cur, valid := p.validIn(nis, year)
		if !valid {
			p.notValid(line, nisCol, m, year)
			return nis, false
		}
		if name != "" && !nameMatches(name, cur.Name) {
			p.add(line, nameCol, CodeNameMismatch, "NIS-code %s is %s, niet %s", nis, cur.Name, name)
			return nis, false
		}
		return nis, true
	}
	if name == "" {
		p.add(line, nisCol, CodeMunicipalityMissing, "de rij heeft geen NIS-code en geen gemeente")
		return "", false
	}
	if !yearOK {
		return "", false
	}
	var found []string
	for _, part := range append([]string{name}, strings.Split(name, "/")...) {
		for _, nis := range p.namesOfAnyEra()[fold(part)] {
			if _, ok := p.validIn(nis, year); ok {
				found = append(found, nis)
			}
		}
		if len(found) > 0 {
			break
		}
	}
	switch {
	case len(found) == 1:
		return found[0], true
	case len(found) > 1:
		p.add(line, nameCol, CodeMunicipalityAmbig, "de naam %q past bij meer dan één gemeente (%s): vul de NIS-code in", name, strings.Join(found, ", "))
		return "", false
	}
	if other := p.namesOfAnyEra()[fold(name)]; len(other) > 0 {
		m, _ := p.reg.ByNIS(other[0])
		p.notValid(line, nameCol, m, year)
		return "", false
	}
	p.add(line, nameCol, CodeMunicipalityUnknown, "er is geen gemeente %q", name)
	return "", false
}

func (p *parser) notValid(line int, col string, m municipality.Municipality, year int) {
	msg := fmt.Sprintf("gemeente %s (%s) bestond niet op 31-12-%d", m.NIS, m.Name, year)
	if succ, ok := p.reg.SuccessorOn(m.NIS, dec31(year)); ok && succ.NIS != m.NIS {
		msg += fmt.Sprintf(": gebruik %s (%s)", succ.NIS, succ.Name)
	} else if year < 2019 {
		msg += ": de gemeentelijst van Kansrijk begint op 1-1-2019"
	}
	p.add(line, col, CodeMunicipalityNotValid, "%s", msg)
}

var yearPattern = regexp.MustCompile(`^\d{4}(\.0)?$`)

func (p *parser) parseYear(line int, c *column, s string) (int, bool) {
	if s == "" {
		p.add(line, c.header, CodeYearMissing, "het jaar ontbreekt")
		return 0, false
	}
	if !yearPattern.MatchString(s) {
		p.add(line, c.header, CodeYearInvalid, "%q is geen jaartal", s)
		return 0, false
	}
	y, _ := strconv.Atoi(s[:4])
	if y < MinYear || y > MaxYear {
		p.add(line, c.header, CodeYearOutOfRange, "het jaar %d ligt niet tussen %d en %d", y, MinYear, MaxYear)
		return 0, false
	}
	return y, true
}

var decimalPattern = regexp.MustCompile(`^[+-]?(\d+([.,]\d*)?|[.,]\d+)$`)

// parseValue reads an index cell: "12,7", "12.7", "12,7%", "0.127".
func (p *parser) parseValue(line int, c *column, s string) rawValue {
	t := strings.ReplaceAll(strings.ReplaceAll(s, "\u00a0", ""), " ", "")
	percent := strings.HasSuffix(t, "%")
	t = strings.TrimSuffix(t, "%")
	if !decimalPattern.MatchString(t) {
		p.add(line, c.header, CodeValueInvalid, "%q is geen getal (bv. 12,7 of 12,7%%)", s)
		return rawValue{}
	}
	x, err := strconv.ParseFloat(strings.Replace(t, ",", ".", 1), 64)
	if err != nil || math.IsInf(x, 0) {
		p.add(line, c.header, CodeValueInvalid, "%q is geen getal (bv. 12,7 of 12,7%%)", s)
		return rawValue{}
	}
	return rawValue{x: x, percent: percent, ok: true}
}

var countPattern = regexp.MustCompile(`^(\d{1,3}([., \x{202f}]\d{3})+|\d+)([.,]0+)?$`)

// parseCount reads a whole number: "1234", "1.234", "1 234", "1234.0". An empty cell is no
// value.
func (p *parser) parseCount(line int, c *column, s, code, what string) (*int, bool) {
	if c == nil || s == "" || noValue(s) {
		return nil, true
	}
	t := strings.ReplaceAll(s, "\u00a0", " ")
	m := countPattern.FindStringSubmatch(t)
	if m == nil {
		p.add(line, c.header, code, "%s %q is geen geheel getal van 0 of meer", what, s)
		return nil, false
	}
	digits := strings.NewReplacer(".", "", ",", "", " ", "", "\u202f", "").Replace(m[1])
	n, err := strconv.Atoi(digits)
	if err != nil || n > 100_000_000 {
		p.add(line, c.header, code, "%s %q is geen geheel getal van 0 of meer", what, s)
		return nil, false
	}
	return &n, true
}

// controlCell returns the index of the first cell of row that holds a
// control character or a line break, as no cell of the index may.
func controlCell(row []string) (int, bool) {
	for j, c := range row {
		if _, bad := textnorm.SingleLine(c); bad {
			return j, true
		}
	}
	return 0, false
}
