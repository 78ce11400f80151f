package paperwork

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
)

// Factsheet is the one-page factsheet on a local government, for its
// council: where it stands on the path to a cooperation agreement, what
// it misses without one, context figures, what the agreement involves,
// the steps to sign and whom to contact. It holds finished text: the
// caller writes every string (in Dutch for the council), so that the
// printable page and the PDF say the same.
type Factsheet struct {
	Title    string
	Subtitle string
	// Marker is printed in a shaded box under the title, e.g. that the
	// figures are fictitious demo data; "" for none.
	Marker   string
	Sections []FactsheetSection
	// Footer is the small print at the bottom of the page.
	Footer string
	// Subject goes into the PDF's metadata.
	Subject     string
	GeneratedOn time.Time // the PDF creation date
}

// FactsheetSection is one section: a heading, then its paragraphs, table,
// steps, bullets and notes, in that order. ID is an anchor for the page.
type FactsheetSection struct {
	ID      string
	Heading string
	Paras   []string
	Table   *FactsheetTable
	Steps   []FactsheetStep
	Bullets []string
	Notes   []string
}

// FactsheetTable is a small table of figures: header rows, body rows and
// an optional totals row. The first column labels the row; the others are
// figures.
type FactsheetTable struct {
	Caption string
	Head    [][]string
	Rows    [][]string
	Foot    []string
}

// StepState is where a step of the path to signature stands.
type StepState string

// The states of a step.
const (
	StepDone    StepState = "done"
	StepCurrent StepState = "current" // the local government is at this step
	StepNext    StepState = "next"    // the first step still to take
	StepTodo    StepState = "todo"
)

// FactsheetStep is one step of the path to signature. StateLabel says the
// state in words ("afgerond", "hier staat u nu"), for a reader who cannot
// see the marks.
type FactsheetStep struct {
	Title      string
	Text       string
	State      StepState
	StateLabel string
}

// Page geometry (mm) of the factsheet: tighter than the agreements, to
// keep it on one page.
const (
	fsMarginSide   = 18.0
	fsMarginTop    = 14.0
	fsMarginBottom = 16.0
	fsFooterY      = -13.0
)

// fsScales are the type scales tried, largest first, until the factsheet
// fits on one page.
var fsScales = []float64{1, 0.94, 0.88, 0.82, 0.76}

// ErrFactsheetTooLong is returned when the factsheet does not fit on one
// page even at the smallest type scale.
var ErrFactsheetTooLong = errors.New("paperwork: the factsheet does not fit on one page")

// FactsheetPDF renders the factsheet as a one-page A4 PDF. The output is
// deterministic: the same factsheet gives the same bytes.
func FactsheetPDF(fs Factsheet) ([]byte, error) {
	if strings.TrimSpace(fs.Title) == "" {
		return nil, errors.New("paperwork: the factsheet has no title")
	}
	for _, scale := range fsScales {
		f, err := layoutFactsheet(fs, scale)
		if err != nil {
			return nil, err
		}
		if f.PageNo() > 1 {
			continue
		}
		var buf bytes.Buffer
		if err := f.Output(&buf); err != nil {
			return nil, fmt.Errorf("paperwork: write factsheet PDF: %w", err)
		}
		return buf.Bytes(), nil
	}
	return nil, ErrFactsheetTooLong
}

// fsDoc lays out a factsheet at one type scale.
type fsDoc struct {
	f     *fpdf.Fpdf
	width float64
	scale float64
}

func (d *fsDoc) size(pt float64) float64 { return pt * d.scale }

// line is the line height (mm) of text of pt points at the scale.
func (d *fsDoc) line(pt float64) float64 { return d.size(pt) * 0.47 }

func layoutFactsheet(fs Factsheet, scale float64) (*fpdf.Fpdf, error) {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCatalogSort(true)
	f.SetCreationDate(fs.GeneratedOn)
	f.SetModificationDate(fs.GeneratedOn)
	f.SetTitle(fs.Title, true)
	f.SetSubject(fs.Subject, true)
	f.SetAuthor("Kansrijk", true)
	f.SetCreator("Kansrijk", true)
	f.SetLang("nl-BE")
	f.AddUTF8FontFromBytes(fontFamily, "", fontRegular)
	f.AddUTF8FontFromBytes(fontFamily, "B", fontBold)
	f.SetMargins(fsMarginSide, fsMarginTop, fsMarginSide)
	f.SetAutoPageBreak(true, fsMarginBottom)
	pw, _ := f.GetPageSize()
	d := &fsDoc{f: f, width: pw - 2*fsMarginSide, scale: scale}

	f.SetFooterFunc(func() {
		f.SetY(fsFooterY)
		y := f.GetY()
		setDraw(f, colorRule)
		f.SetLineWidth(0.2)
		f.Line(fsMarginSide, y, pw-fsMarginSide, y)
		f.SetFont(fontFamily, "", sizeFooter)
		setText(f, colorMuted)
		f.SetXY(fsMarginSide, y+1.2)
		f.MultiCell(d.width, 3.3, fs.Footer, "", "L", false)
	})
	f.AddPage()

	// Title block.
	f.SetFont(fontFamily, "B", d.size(15))
	setText(f, colorHeading)
	f.MultiCell(0, d.line(15)+0.6, fs.Title, "", "L", false)
	if fs.Subtitle != "" {
		f.Ln(0.8)
		f.SetFont(fontFamily, "", d.size(9.5))
		setText(f, colorMuted)
		f.MultiCell(0, d.line(9.5), fs.Subtitle, "", "L", false)
	}
	f.Ln(2)
	setDraw(f, colorRule)
	f.SetLineWidth(0.3)
	y := f.GetY()
	f.Line(fsMarginSide, y, fsMarginSide+d.width, y)
	f.Ln(2.5)
	if fs.Marker != "" {
		f.SetFont(fontFamily, "B", d.size(9))
		setText(f, colorText)
		setFill(f, [3]int{255, 236, 179})
		saved := f.GetCellMargin()
		f.SetCellMargin(2.5)
		f.MultiCell(0, d.line(9)+1.2, fs.Marker, "", "L", true)
		f.SetCellMargin(saved)
		f.Ln(2)
	}
	for i, s := range fs.Sections {
		if i > 0 {
			f.Ln(2.6 * scale)
		}
		d.section(s)
	}
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("paperwork: factsheet layout: %w", err)
	}
	return f, nil
}

func (d *fsDoc) section(s FactsheetSection) {
	f := d.f
	f.SetFont(fontFamily, "B", d.size(10.5))
	setText(f, colorHeading)
	f.MultiCell(0, d.line(10.5)+0.4, s.Heading, "", "L", false)
	f.Ln(0.6)
	body := func() {
		f.SetFont(fontFamily, "", d.size(9))
		setText(f, colorText)
	}
	for i, p := range s.Paras {
		if i > 0 {
			f.Ln(1)
		}
		body()
		f.MultiCell(0, d.line(9), p, "", "L", false)
	}
	if s.Table != nil {
		f.Ln(1.2)
		d.table(*s.Table)
	}
	if len(s.Steps) > 0 {
		f.Ln(1)
		d.steps(s.Steps)
	}
	if len(s.Bullets) > 0 {
		f.Ln(0.8)
		for _, b := range s.Bullets {
			body()
			f.SetX(fsMarginSide + 1.5)
			f.CellFormat(4, d.line(9), "•", "", 0, "L", false, 0, "")
			f.SetX(fsMarginSide + 5.5)
			f.MultiCell(d.width-5.5, d.line(9), b, "", "L", false)
			f.Ln(0.5)
		}
	}
	for _, n := range s.Notes {
		f.Ln(0.8)
		f.SetFont(fontFamily, "", d.size(7.8))
		setText(f, colorMuted)
		f.MultiCell(0, d.line(7.8), n, "", "L", false)
	}
}

// table draws a table: the label column as wide as its longest text
// (within bounds), the figure columns sharing the rest.
func (d *fsDoc) table(t FactsheetTable) {
	f := d.f
	pt := 8.0
	h := d.line(pt) + 1.4
	cols := 0
	for _, r := range append(append(append([][]string{}, t.Head...), t.Rows...), t.Foot) {
		cols = max(cols, len(r))
	}
	if cols == 0 {
		return
	}
	if t.Caption != "" {
		f.SetFont(fontFamily, "B", d.size(8.5))
		setText(f, colorText)
		f.MultiCell(0, d.line(8.5), t.Caption, "", "L", false)
		f.Ln(0.6)
	}
	f.SetCellMargin(1.2)
	label := 0.0
	f.SetFont(fontFamily, "B", d.size(pt))
	for _, r := range append(append(append([][]string{}, t.Head...), t.Rows...), t.Foot) {
		if len(r) > 0 {
			label = max(label, f.GetStringWidth(r[0])+3)
		}
	}
	rest := cols - 1
	minFig := 9.5
	label = min(max(label, 24), d.width-float64(rest)*minFig, 75)
	fig := d.width - label
	if rest > 0 {
		fig /= float64(rest)
	}
	// Figure columns no wider than needed; the table stays left-aligned.
	if rest > 0 && fig > 26 {
		fig = 26
	}
	row := func(cells []string, bold, fill bool) {
		style := ""
		if bold {
			style = "B"
		}
		f.SetFont(fontFamily, style, d.size(pt))
		setText(f, colorText)
		setDraw(f, colorRule)
		f.SetLineWidth(0.15)
		if fill {
			setFill(f, colorQuoteBg)
		}
		f.SetX(fsMarginSide)
		for j := 0; j < cols; j++ {
			s := ""
			if j < len(cells) {
				s = cells[j]
			}
			w, align := fig, "C"
			if j == 0 {
				w, align = label, "L"
			}
			// Shrink a figure that would not fit its cell.
			size := d.size(pt)
			for size > 5 && f.GetStringWidth(s)+2*f.GetCellMargin() > w {
				size -= 0.3
				f.SetFontSize(size)
			}
			f.CellFormat(w, h, s, "1", 0, align, fill, 0, "")
			f.SetFontSize(d.size(pt))
		}
		f.Ln(-1)
	}
	for _, r := range t.Head {
		row(r, true, true)
	}
	for _, r := range t.Rows {
		row(r, false, false)
	}
	if t.Foot != nil {
		row(t.Foot, true, true)
	}
	f.SetCellMargin(1)
}

// steps draws the numbered path to signature, marking what is done and
// where the local government stands.
func (d *fsDoc) steps(steps []FactsheetStep) {
	f := d.f
	lh := d.line(9)
	for i, s := range steps {
		mark := "○"
		switch s.State {
		case StepDone:
			mark = "✓"
		case StepCurrent, StepNext:
			mark = "▶"
		}
		f.SetFont(fontFamily, "B", d.size(9))
		setText(f, colorHeading)
		if s.State == StepDone {
			setText(f, colorMuted)
		}
		f.SetX(fsMarginSide + 1.5)
		f.CellFormat(5, lh, mark, "", 0, "L", false, 0, "")
		f.SetX(fsMarginSide + 6.5)
		title := fmt.Sprintf("%d. %s", i+1, s.Title)
		if s.StateLabel != "" {
			title += " (" + s.StateLabel + ")"
		}
		setText(f, colorText)
		f.MultiCell(d.width-6.5, lh, title, "", "L", false)
		if s.Text != "" {
			f.SetFont(fontFamily, "", d.size(8.5))
			f.SetX(fsMarginSide + 6.5)
			f.MultiCell(d.width-6.5, d.line(8.5), s.Text, "", "L", false)
		}
		f.Ln(0.6)
	}
}

// Columns returns the header of each column as the non-empty parts of the
// header rows ("dec", "2025"), for a page that shows one header row.
func (t FactsheetTable) Columns() [][]string {
	var out [][]string
	for _, r := range t.Head {
		for j, c := range r {
			for len(out) <= j {
				out = append(out, nil)
			}
			if c != "" {
				out[j] = append(out[j], c)
			}
		}
	}
	return out
}
