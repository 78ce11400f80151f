package paperwork

import (
	"bytes"
	_ "embed"
	"fmt"
	"time"

	"github.com/go-pdf/fpdf"

	"kansrijk/internal/agreement"
)

// DejaVu Sans (Bitstream Vera licence, see fonts/LICENSE): the core PDF
// fonts cannot show UTF-8 text such as "Anaïs" or "Jérôme".
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

const fontFamily = "DejaVu"

// Page geometry (mm, A4) and type sizes (pt).
const (
	marginLeft   = 25.0
	marginRight  = 25.0
	marginTop    = 22.0
	marginBottom = 25.0 // automatic page break; the footer sits below it
	footerY      = -18.0

	sizeTitle    = 16.0
	sizeSubtitle = 10.5
	sizeHeading  = 11.0
	sizeBody     = 10.0
	sizeQuote    = 9.5
	sizeSign     = 9.0
	sizeFooter   = 7.5

	lineBody    = 5.0
	lineQuote   = 4.8
	lineHeading = 6.0
	lineSign    = 4.5
)

var (
	colorText    = [3]int{25, 25, 25}
	colorHeading = [3]int{20, 50, 90}
	colorMuted   = [3]int{100, 100, 100}
	colorRule    = [3]int{170, 175, 185}
	colorQuoteBg = [3]int{240, 243, 247}
)

// render lays the blocks out as a PDF. It runs twice: once to count the
// pages, once to print "pagina X van Y" with the right Y (fpdf's page
// alias would be measured as "{nb}" and misalign the right-aligned
// footer).
func render(blocks []block, d data, sigs []agreement.Signature, generated time.Time) ([]byte, error) {
	title := "Overeenkomst"
	for _, b := range blocks {
		if b.kind == kindTitle {
			title = b.text
			break
		}
	}
	count, err := layout(blocks, d, sigs, generated, title, 0)
	if err != nil {
		return nil, err
	}
	pdf, err := layout(blocks, d, sigs, generated, title, count.PageNo())
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("paperwork: write PDF: %w", err)
	}
	return buf.Bytes(), nil
}

type doc struct {
	f     *fpdf.Fpdf
	width float64 // of the text column
}

func layout(blocks []block, d data, sigs []agreement.Signature, generated time.Time, title string, pages int) (*fpdf.Fpdf, error) {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCatalogSort(true)
	f.SetCreationDate(generated)
	f.SetModificationDate(generated)
	f.SetTitle(title+" – "+d.MunicipalityName, true)
	f.SetSubject(fmt.Sprintf("%s nr. %d tussen %s en %s", title, d.AgreementID, d.TeamName, d.RecipientName), true)
	f.SetAuthor("Kansrijk", true)
	f.SetCreator("Kansrijk", true)
	f.SetLang("nl-BE")
	f.AddUTF8FontFromBytes(fontFamily, "", fontRegular)
	f.AddUTF8FontFromBytes(fontFamily, "B", fontBold)
	f.SetMargins(marginLeft, marginTop, marginRight)
	f.SetAutoPageBreak(true, marginBottom)

	number := fmt.Sprintf("nr. %d", d.AgreementID)
	if d.AgreementID == 0 {
		number = "(nog zonder nummer)"
	}
	footer1 := fmt.Sprintf("%s %s · %s (NIS %s)", title, number, d.MunicipalityName, d.MunicipalityNIS)
	footer2 := fmt.Sprintf("Sjabloon %s · parameterversie %d · aangemaakt op %s door Kansrijk",
		d.TemplateVersion, d.ParameterVersion, d.GeneratedOn)
	f.SetFooterFunc(func() {
		pw, _ := f.GetPageSize()
		f.SetY(footerY)
		y := f.GetY()
		setDraw(f, colorRule)
		f.SetLineWidth(0.2)
		f.Line(marginLeft, y, pw-marginRight, y)
		f.SetFont(fontFamily, "", sizeFooter)
		setText(f, colorMuted)
		f.SetXY(marginLeft, y+1.5)
		w := pw - marginLeft - marginRight
		f.CellFormat(w, 3.6, footer1, "", 0, "L", false, 0, "")
		f.SetXY(marginLeft, y+1.5)
		f.CellFormat(w, 3.6, fmt.Sprintf("pagina %d van %d", f.PageNo(), pages), "", 0, "R", false, 0, "")
		f.SetXY(marginLeft, y+5.1)
		f.CellFormat(w, 3.6, footer2, "", 0, "L", false, 0, "")
	})

	pw, _ := f.GetPageSize()
	dc := &doc{f: f, width: pw - marginLeft - marginRight}
	f.AddPage()
	dc.blocks(blocks, signatureMap(sigs))
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("paperwork: layout: %w", err)
	}
	return f, nil
}

func signatureMap(sigs []agreement.Signature) map[string]agreement.Signature {
	m := make(map[string]agreement.Signature, len(sigs))
	for _, s := range sigs {
		m[s.Function] = s // the last one recorded for a function counts
	}
	return m
}

func (dc *doc) blocks(blocks []block, sigs map[string]agreement.Signature) {
	f := dc.f
	prev := blockKind(-1)
	for i := 0; i < len(blocks); i++ {
		b := blocks[i]
		if prev == kindSubtitle || prev == kindTitle {
			if b.kind != kindSubtitle {
				dc.titleRule()
			}
		}
		switch b.kind {
		case kindTitle:
			f.SetFont(fontFamily, "B", sizeTitle)
			setText(f, colorHeading)
			f.MultiCell(0, 8, b.text, "", "C", false)
			f.Ln(1.5)
		case kindSubtitle:
			f.SetFont(fontFamily, "", sizeSubtitle)
			setText(f, colorText)
			f.MultiCell(0, 5.5, b.text, "", "C", false)
		case kindHeading:
			if prev >= 0 && prev != kindTitle && prev != kindSubtitle {
				f.Ln(4)
			}
			need := lineHeading + 2*lineBody + 2
			if sectionSigns(blocks[i+1:]) {
				need = 75 // keep "Ondertekening" with its signature blocks
			}
			dc.keepSpace(need)
			f.SetFont(fontFamily, "B", sizeHeading)
			setText(f, colorHeading)
			f.MultiCell(0, lineHeading, b.text, "", "L", false)
			f.Ln(1)
		case kindPara:
			if prev == kindPara || prev == kindBullet || prev == kindQuote || prev == kindSignature {
				f.Ln(2.5)
			}
			f.SetFont(fontFamily, "", sizeBody)
			setText(f, colorText)
			// Left-aligned: without hyphenation, justified Dutch text
			// with long compounds gets wide gaps.
			f.MultiCell(0, lineBody, b.text, "", "L", false)
		case kindBullet:
			if prev == kindBullet {
				f.Ln(0.8)
			} else if prev == kindPara || prev == kindQuote {
				f.Ln(1.5)
			}
			f.SetFont(fontFamily, "", sizeBody)
			setText(f, colorText)
			dc.keepSpace(lineBody)
			f.SetX(marginLeft + 3)
			f.CellFormat(5, lineBody, "•", "", 0, "L", false, 0, "")
			f.SetX(marginLeft + 8)
			f.MultiCell(dc.width-8, lineBody, b.text, "", "L", false)
		case kindQuote:
			j := i
			for j < len(blocks) && blocks[j].kind == kindQuote {
				j++
			}
			if prev >= 0 {
				f.Ln(2.5)
			}
			dc.quote(blocks[i:j])
			i = j - 1
		case kindSignature:
			j := i
			for j < len(blocks) && blocks[j].kind == kindSignature && j-i < 3 {
				j++
			}
			f.Ln(6)
			dc.signatures(blocks[i:j], sigs)
			i = j - 1
		}
		prev = b.kind
	}
}

// sectionSigns reports whether the section that starts with blocks holds
// signature blocks.
func sectionSigns(blocks []block) bool {
	for _, b := range blocks {
		switch b.kind {
		case kindHeading:
			return false
		case kindSignature:
			return true
		}
	}
	return false
}

// titleRule closes the title block with a thin line.
func (dc *doc) titleRule() {
	f := dc.f
	f.Ln(4)
	setDraw(f, colorRule)
	f.SetLineWidth(0.3)
	y := f.GetY()
	f.Line(marginLeft, y, marginLeft+dc.width, y)
	f.Ln(6)
}

// keepSpace starts a new page when less than h mm is left, so that a
// heading is not left alone at the bottom of a page.
func (dc *doc) keepSpace(h float64) {
	f := dc.f
	_, ph := f.GetPageSize()
	if f.GetY()+h > ph-marginBottom {
		f.AddPage()
	}
}

// quote prints consecutive quote lines as one shaded, indented block.
func (dc *doc) quote(lines []block) {
	f := dc.f
	f.SetFont(fontFamily, "", sizeQuote)
	setText(f, colorText)
	setFill(f, colorQuoteBg)
	const indent = 4.0
	w := dc.width - indent
	saved := f.GetCellMargin()
	f.SetCellMargin(3)
	dc.keepSpace(3 + 2*lineQuote)
	pad := func(h float64) {
		f.SetX(marginLeft + indent)
		f.CellFormat(w, h, "", "", 2, "L", true, 0, "")
	}
	pad(2.5)
	for k, l := range lines {
		if k > 0 {
			pad(1.8)
		}
		f.SetX(marginLeft + indent)
		f.MultiCell(w, lineQuote, l.text, "", "L", true)
	}
	pad(2.5)
	f.SetCellMargin(saved)
}

// signatures prints up to three signature blocks side by side.
func (dc *doc) signatures(blocks []block, sigs map[string]agreement.Signature) {
	f := dc.f
	const gap, pad = 6.0, 3.0
	n := float64(len(blocks))
	colW := (dc.width - (n-1)*gap) / n
	textW := colW - 2*pad

	type lines struct{ party, role []string }
	content := make([]lines, len(blocks))
	maxParty, maxRole := 0, 0
	for k, b := range blocks {
		f.SetFont(fontFamily, "B", sizeSign)
		content[k].party = f.SplitText(b.party, textW)
		f.SetFont(fontFamily, "", sizeSign)
		content[k].role = f.SplitText(b.role, textW)
		maxParty = max(maxParty, len(content[k].party))
		maxRole = max(maxRole, len(content[k].role))
	}
	// Party, role and the name lines start at the same height in every
	// column.
	const signSpace = 18.0
	roleY := pad + float64(maxParty)*lineSign + 1.5
	nameY := roleY + float64(maxRole)*lineSign + 3
	h := nameY + 3*(lineSign+1) + signSpace + pad
	dc.keepSpace(h)

	y0 := f.GetY()
	for k, b := range blocks {
		x := marginLeft + float64(k)*(colW+gap)
		setDraw(f, colorRule)
		f.SetLineWidth(0.2)
		f.Rect(x, y0, colW, h, "D")
		y := y0 + pad
		cell := func(style, s string) {
			f.SetFont(fontFamily, style, sizeSign)
			f.SetXY(x+pad, y)
			f.CellFormat(textW, lineSign, s, "", 0, "L", false, 0, "")
			y += lineSign
		}
		setText(f, colorText)
		for _, s := range content[k].party {
			cell("B", s)
		}
		y = y0 + roleY
		for _, s := range content[k].role {
			cell("", s)
		}
		y = y0 + nameY
		sig := sigs[b.function]
		field := func(label, value string) {
			f.SetFont(fontFamily, "", sizeSign)
			f.SetXY(x+pad, y)
			if value == "" {
				// The label and a line to write on, inside the box.
				lw := f.GetStringWidth(label+" ") + f.GetCellMargin()
				f.CellFormat(textW, lineSign, label, "", 0, "L", false, 0, "")
				setDraw(f, colorRule)
				f.Line(x+pad+lw, y+lineSign-0.8, x+colW-pad, y+lineSign-0.8)
			} else {
				// Shrink a long name rather than run out of the box.
				s := label + " " + value
				size := sizeSign
				for size > 6 && f.GetStringWidth(s)+2*f.GetCellMargin() > textW {
					size -= 0.5
					f.SetFontSize(size)
				}
				f.CellFormat(textW, lineSign, s, "", 0, "L", false, 0, "")
				f.SetFontSize(sizeSign)
			}
			y += lineSign + 1
		}
		field("Naam:", oneLine(sig.Name))
		field("Datum:", oneLine(dutchDateString(sig.SignedOn)))
		setText(f, colorMuted)
		cell("", "Handtekening:")
		setDraw(f, colorRule)
		f.Line(x+pad, y0+h-pad-1, x+colW-pad, y0+h-pad-1)
	}
	f.SetXY(marginLeft, y0+h)
}

func setText(f *fpdf.Fpdf, c [3]int) { f.SetTextColor(c[0], c[1], c[2]) }
func setDraw(f *fpdf.Fpdf, c [3]int) { f.SetDrawColor(c[0], c[1], c[2]) }
func setFill(f *fpdf.Fpdf, c [3]int) { f.SetFillColor(c[0], c[1], c[2]) }
