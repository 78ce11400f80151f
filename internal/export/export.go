// Package export writes tables for spreadsheet users in Belgium: CSV as Excel with Belgian
// (Dutch or French) regional settings opens it by double-click, and XLSX.
//
// A Table's cells may be string, int (any size, signed or unsigned), float64 or float32,
// time.Time (a calendar date: the time of day is dropped), bool or nil (an empty cell). Named
// types with one of those underlying kinds (e.g. agreement.Status) are accepted too. Any other
// type is an error, so that a forgotten conversion does not silently end up as Go syntax in
// a spreadsheet.
//
// Both formats guard against CSV/formula injection: a string cell that begins with =, +, -, @,
// a tab or a carriage return is written with a leading apostrophe in CSV (Excel shows the
// text, without the apostrophe, and does not evaluate it) and as a plain string, never a
// formula, in XLSX.
package export

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Table is a sheet: a header row and data rows of cells.
type Table struct {
	// Sheet is the name of the XLSX worksheet. Characters Excel forbids (: \ / ? * [ ]) are
	// replaced by "-" and the name is cut to 31 characters; empty means "Blad1".
	Sheet  string
	Header []string
	Rows   [][]any
}

// The cell kinds after normalisation.
type kind int

const (
	kEmpty kind = iota
	kString
	kInt
	kUint
	kFloat
	kDate
	kBool
)

// cell is a normalised cell value.
type cell struct {
	k kind
	s string
	i int64
	u uint64
	f float64
	t time.Time // UTC midnight of the date
	b bool
}

// normalise converts a cell value to its kind.
func normalise(v any) (cell, error) {
	switch x := v.(type) {
	case nil:
		return cell{}, nil
	case string:
		return cell{k: kString, s: x}, nil
	case int:
		return cell{k: kInt, i: int64(x)}, nil
	case int64:
		return cell{k: kInt, i: x}, nil
	case float64:
		return floatCell(x)
	case bool:
		return cell{k: kBool, b: x}, nil
	case time.Time:
		if x.IsZero() {
			return cell{}, nil
		}
		y, m, d := x.Date()
		return cell{k: kDate, t: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}, nil
	case *time.Time:
		if x == nil {
			return cell{}, nil
		}
		return normalise(*x)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return cell{k: kString, s: rv.String()}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return cell{k: kInt, i: rv.Int()}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return cell{k: kUint, u: rv.Uint()}, nil
	case reflect.Float32, reflect.Float64:
		return floatCell(rv.Float())
	case reflect.Bool:
		return cell{k: kBool, b: rv.Bool()}, nil
	case reflect.Pointer:
		if rv.IsNil() {
			return cell{}, nil
		}
		return normalise(rv.Elem().Interface())
	}
	return cell{}, fmt.Errorf("unsupported cell type %T", v)
}

func floatCell(f float64) (cell, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return cell{}, fmt.Errorf("cell value %v is not a finite number", f)
	}
	return cell{k: kFloat, f: f}, nil
}

// cellErr wraps a cell error with its position (1-based row in the data, column name).
func cellErr(t Table, row, col int, err error) error {
	name := strconv.Itoa(col + 1)
	if col < len(t.Header) {
		name = fmt.Sprintf("%d (%s)", col+1, t.Header[col])
	}
	return fmt.Errorf("export: row %d, column %s: %w", row+1, name, err)
}

// needsGuard reports whether a string would be taken for a formula by a spreadsheet.
func needsGuard(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// csvText returns the CSV text of a cell: dates as YYYY-MM-DD, numbers without thousands
// separators and with a decimal comma (the Belgian convention that goes with ';'), booleans as
// true/false, guarded strings with a leading apostrophe.
func csvText(c cell) string {
	switch c.k {
	case kString:
		if needsGuard(c.s) {
			return "'" + c.s
		}
		return c.s
	case kInt:
		return strconv.FormatInt(c.i, 10)
	case kUint:
		return strconv.FormatUint(c.u, 10)
	case kFloat:
		return strings.Replace(strconv.FormatFloat(c.f, 'f', -1, 64), ".", ",", 1)
	case kDate:
		return c.t.Format(time.DateOnly)
	case kBool:
		return strconv.FormatBool(c.b)
	}
	return ""
}

// WriteCSV writes t as CSV for spreadsheets set to Belgian regional settings: UTF-8 with a byte
// order mark (so that Excel reads the accents right), ';' as separator, CRLF line ends, a header
// row, dates as YYYY-MM-DD and decimal commas. Rows shorter than the header are padded with
// empty cells.
func WriteCSV(w io.Writer, t Table) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString("\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cw.Comma = ';'
	cw.UseCRLF = true
	width := len(t.Header)
	for _, r := range t.Rows {
		width = max(width, len(r))
	}
	rec := make([]string, width)
	for i, h := range t.Header {
		rec[i] = h
		if needsGuard(h) {
			rec[i] = "'" + h
		}
	}
	clear(rec[len(t.Header):])
	if len(t.Header) > 0 {
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	for ri, r := range t.Rows {
		clear(rec)
		for ci, v := range r {
			c, err := normalise(v)
			if err != nil {
				return cellErr(t, ri, ci, err)
			}
			rec[ci] = csvText(c)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// SheetName returns the worksheet name WriteXLSX uses for name.
func SheetName(name string) string {
	name = strings.Map(func(r rune) rune {
		switch r {
		case ':', '\\', '/', '?', '*', '[', ']':
			return '-'
		}
		if r < ' ' {
			return ' '
		}
		return r
	}, strings.TrimSpace(name))
	name = strings.Trim(name, "'") // Excel forbids a leading or trailing apostrophe
	if utf8.RuneCountInString(name) > 31 {
		name = string([]rune(name)[:31])
	}
	if strings.TrimSpace(name) == "" || strings.EqualFold(name, "History") {
		return "Blad1"
	}
	return name
}

// Column width limits, in Excel character units.
const (
	minColWidth  = 6.0
	maxColWidth  = 60.0
	dateColWidth = 11.0
)

// WriteXLSX writes t as an Excel workbook with one sheet: a bold header row that stays in view
// (frozen pane) with an auto filter over the whole table, numbers as numbers, dates as real
// dates shown yyyy-mm-dd, booleans as booleans, strings as (inline) text, never as formulas,
// and column widths fitted to the content. It streams the rows (excelize StreamWriter).
func WriteXLSX(w io.Writer, t Table) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	sheet := SheetName(t.Sheet)
	if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
		return fmt.Errorf("export: sheet name %q: %w", sheet, err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "top"}})
	if err != nil {
		return err
	}
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd")})
	if err != nil {
		return err
	}

	// Normalise every cell first: errors surface before anything is written, and the column
	// widths are known before the first row (the StreamWriter needs them up front).
	width := len(t.Header)
	for _, r := range t.Rows {
		width = max(width, len(r))
	}
	if width == 0 {
		width = 1
	}
	cells := make([][]cell, len(t.Rows))
	colW := make([]float64, width)
	for i, h := range t.Header {
		colW[i] = max(colW[i], textWidth(h)+3) // room for the filter button
	}
	for ri, r := range t.Rows {
		cells[ri] = make([]cell, len(r))
		for ci, v := range r {
			c, err := normalise(v)
			if err != nil {
				return cellErr(t, ri, ci, err)
			}
			cells[ri][ci] = c
			var cw float64
			switch c.k {
			case kDate:
				cw = dateColWidth
			case kString:
				cw = textWidth(c.s)
			case kEmpty:
			default:
				cw = float64(len(csvText(c)))
			}
			colW[ci] = max(colW[ci], cw+1)
		}
	}

	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	// Last column first: excelize puts each new <col> in front of the earlier ones, and Excel
	// wants them in ascending order.
	for ci := len(colW) - 1; ci >= 0; ci-- {
		if err := sw.SetColWidth(ci+1, ci+1, min(maxColWidth, max(minColWidth, colW[ci]))); err != nil {
			return err
		}
	}
	if len(t.Header) > 0 {
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
			Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
			return err
		}
		hdr := make([]any, len(t.Header))
		for i, h := range t.Header {
			hdr[i] = excelize.Cell{StyleID: bold, Value: h}
		}
		if err := sw.SetRow("A1", hdr, excelize.RowOpts{StyleID: bold}); err != nil {
			return err
		}
	}
	first := 1
	if len(t.Header) > 0 {
		first = 2
	}
	row := make([]any, width)
	for ri, r := range cells {
		clear(row)
		for ci, c := range r {
			switch c.k {
			case kString:
				row[ci] = c.s // a string is always written as text, never as a formula
			case kInt:
				row[ci] = c.i
			case kUint:
				row[ci] = c.u
			case kFloat:
				row[ci] = c.f
			case kDate:
				row[ci] = excelize.Cell{StyleID: dateStyle, Value: c.t}
			case kBool:
				row[ci] = c.b
			}
		}
		ref, _ := excelize.CoordinatesToCellName(1, first+ri)
		if err := sw.SetRow(ref, row[:len(r)]); err != nil {
			return err
		}
	}
	if len(t.Header) > 0 {
		// The auto filter must be set on the worksheet before Flush writes it out.
		last, _ := excelize.CoordinatesToCellName(width, max(1, len(t.Rows)+1))
		if err := f.AutoFilter(sheet, "A1:"+last, nil); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

// textWidth estimates a string's width in Excel character units: one per character, a bit
// more for wide letters and digits, for the longest line.
func textWidth(s string) float64 {
	best := 0.0
	for line := range strings.SplitSeq(s, "\n") {
		n := 0.0
		for _, r := range line {
			switch {
			case r == 'm' || r == 'w' || r == 'M' || r == 'W':
				n += 1.4
			case r >= 'A' && r <= 'Z':
				n += 1.15
			case r == 'i' || r == 'l' || r == 'j' || r == '.' || r == ',' || r == '\'' || r == ' ':
				n += 0.6
			default:
				n += 1
			}
		}
		best = max(best, n)
	}
	return best
}

func ptr[T any](v T) *T { return &v }
