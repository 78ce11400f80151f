package paperwork

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"text/template"
	"time"

	"github.com/go-pdf/fpdf"

	"kansrijk/internal/phone"
)

// The consent receipt the family keeps: what is shared (only the parents'
// name and contact details), with whom, why, how long it is kept, how to
// withdraw, and the receipt code. One text per language in versioned,
// embedded folders (receipts/<version>/<lang>.txt), with the same line
// markup as the agreements (see parseBlocks); a new text is a new folder,
// and receipts that refer to an older version keep their own text.
//
//go:embed receipts
var receiptFS embed.FS

// ReceiptTemplateVersion is the current version of the receipt texts.
const ReceiptTemplateVersion = "2026.2" // 2026.2: the team's phone and e-mail to withdraw consent

// ReceiptLangs are the languages of the receipt PDF, Dutch first.
//
// Arabic is not among them: the PDF library lays out glyphs one by one,
// left to right, without shaping (joining forms) or bidirectional
// ordering, so Arabic text would come out as isolated letters in the
// wrong order, although DejaVu Sans has the glyphs. The Arabic receipt is
// the HTML page (/referrals/{id}/receipt?lang=ar), which the browser
// shapes and prints correctly.
var ReceiptLangs = []string{"nl", "fr", "en", "tr", "pl", "ro"}

// ReceiptParent is what was shared of one parent.
type ReceiptParent struct {
	Name    string
	Address string // street, number, box, postcode and municipality on one line
	Phone   string
	Email   string
}

// ReceiptInput is what the receipt shows. The caller fills it from the
// referral, its agreement and the local team.
type ReceiptInput struct {
	Lang     string // nl (default), fr or en
	Code     string // the family's receipt code
	TeamName string // the local team of Kind en Gezin
	// TeamPhone and TeamEmail: how the family reaches the team to withdraw
	// its consent (empty when the team has none).
	TeamPhone, TeamEmail string
	RecipientName        string // "OCMW Hulshout" or "CAW Brussel"
	MunicipalityName     string
	// Parents are the data shared; empty once they were deleted.
	Parents []ReceiptParent
	// ConsentOn is the day consent was recorded; Method is "verbal" or
	// "signed".
	ConsentOn time.Time
	Method    string
	// SentOn is the day the referral was sent (zero: not yet).
	SentOn time.Time
	// RetentionDays is the agreement's retention period after closing.
	RetentionDays int
	// InformationText is the agreement's information text (Dutch), shown
	// as given; may be empty.
	InformationText string
	// StatusURL is where the family enters its code (no login).
	StatusURL       string
	TemplateVersion string    // "" is the current ReceiptTemplateVersion
	GeneratedOn     time.Time // printed in the footer, and the PDF creation date
}

// receiptData is what the receipt templates see.
type receiptData struct {
	Code             string
	TeamName         string
	TeamPhone        string
	TeamEmail        string
	RecipientName    string
	MunicipalityName string
	CAW              bool
	Parents          []ReceiptParent
	ConsentOn        string // localised date, "" when unknown
	Signed           bool   // consent was signed (else spoken)
	SentOn           string // localised date, "" when not sent
	RetentionDays    int
	InformationText  string // use {{quote .InformationText}}
	StatusURL        string
	TemplateVersion  string
	GeneratedOn      string
}

var loadReceipts = sync.OnceValues(func() (map[string]map[string]*template.Template, error) {
	sub, err := fs.Sub(receiptFS, "receipts")
	if err != nil {
		return nil, err
	}
	return loadReceiptTemplates(sub)
})

// requiredReceiptLangs must exist in every version folder; the other
// languages of ReceiptLangs came later (2026.1) and are optional, so
// that an older version keeps loading without them.
var requiredReceiptLangs = []string{"nl", "fr", "en"}

// loadReceiptTemplates reads every version folder of fsys: one template
// per language of ReceiptLangs, those of requiredReceiptLangs required.
func loadReceiptTemplates(fsys fs.FS) (map[string]map[string]*template.Template, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("paperwork: read receipt templates: %w", err)
	}
	out := map[string]map[string]*template.Template{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		set := map[string]*template.Template{}
		for _, lang := range ReceiptLangs {
			name := path.Join(e.Name(), lang+".txt")
			src, err := fs.ReadFile(fsys, name)
			if errors.Is(err, fs.ErrNotExist) && !slices.Contains(requiredReceiptLangs, lang) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("paperwork: receipt template %s: %w", name, err)
			}
			t, err := template.New(name).Option("missingkey=error").Funcs(funcs).Parse(string(src))
			if err != nil {
				return nil, fmt.Errorf("paperwork: receipt template %s: %w", name, err)
			}
			set[lang] = t
		}
		out[e.Name()] = set
	}
	return out, nil
}

// ReceiptVersions lists the receipt template versions, sorted.
func ReceiptVersions() []string {
	sets, err := loadReceipts()
	if err != nil {
		return nil
	}
	vs := make([]string, 0, len(sets))
	for v := range sets {
		vs = append(vs, v)
	}
	slices.Sort(vs)
	return vs
}

// Receipt renders the family's consent receipt as PDF in in.Lang.
func Receipt(in ReceiptInput) ([]byte, error) {
	if err := validateReceipt(&in); err != nil {
		return nil, err
	}
	sets, err := loadReceipts()
	if err != nil {
		return nil, err
	}
	v := in.TemplateVersion
	if v == "" {
		v = ReceiptTemplateVersion
	}
	set, ok := sets[v]
	if !ok {
		return nil, fmt.Errorf("%w %q (receipt)", ErrUnknownTemplate, v)
	}
	t, ok := set[in.Lang]
	if !ok {
		return nil, fmt.Errorf("paperwork: receipt template %s has no text in %q", v, in.Lang)
	}
	d := newReceiptData(in, v)
	var buf bytes.Buffer
	if err := t.Execute(&buf, d); err != nil {
		return nil, fmt.Errorf("paperwork: %w", err)
	}
	blocks, err := parseBlocks(buf.String())
	if err != nil {
		return nil, err
	}
	return renderReceipt(blocks, d, in.Lang, in.GeneratedOn)
}

func validateReceipt(in *ReceiptInput) error {
	if in.Lang == "" {
		in.Lang = "nl"
	}
	if !slices.Contains(ReceiptLangs, in.Lang) {
		return fmt.Errorf("paperwork: unknown receipt language %q", in.Lang)
	}
	var missing []string
	for _, f := range []struct{ name, v string }{
		{"receipt code", in.Code}, {"team name", in.TeamName}, {"recipient name", in.RecipientName},
		{"municipality name", in.MunicipalityName},
	} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("paperwork: missing %s", strings.Join(missing, ", "))
	}
	if in.RetentionDays <= 0 {
		return errors.New("paperwork: retention days must be positive")
	}
	if in.GeneratedOn.IsZero() {
		return errors.New("paperwork: generation date is required (it makes the output deterministic)")
	}
	return nil
}

func newReceiptData(in ReceiptInput, version string) receiptData {
	recipient := oneLine(in.RecipientName)
	upper := strings.ToUpper(recipient)
	d := receiptData{
		Code:             oneLine(in.Code),
		TeamName:         oneLine(in.TeamName),
		TeamPhone:        phone.Display(oneLine(in.TeamPhone)),
		TeamEmail:        oneLine(in.TeamEmail),
		RecipientName:    recipient,
		MunicipalityName: oneLine(in.MunicipalityName),
		CAW:              strings.HasPrefix(upper, "CAW") || strings.Contains(upper, "CENTRUM ALGEMEEN WELZIJNSWERK"),
		Signed:           in.Method == "signed",
		RetentionDays:    in.RetentionDays,
		InformationText:  in.InformationText,
		StatusURL:        oneLine(in.StatusURL),
		TemplateVersion:  version,
		GeneratedOn:      localDate(in.Lang, in.GeneratedOn.In(brussels)),
	}
	for _, p := range in.Parents {
		d.Parents = append(d.Parents, ReceiptParent{Name: oneLine(p.Name), Address: oneLine(p.Address), Phone: phone.Display(oneLine(p.Phone)), Email: oneLine(p.Email)})
	}
	if !in.ConsentOn.IsZero() {
		d.ConsentOn = localDate(in.Lang, in.ConsentOn.In(brussels))
	}
	if !in.SentOn.IsZero() {
		d.SentOn = localDate(in.Lang, in.SentOn.In(brussels))
	}
	return d
}

var (
	monthsFR = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
	monthsEN = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
)

// localDate formats t as "9 februari 2018", "9 février 2018" or
// "9 February 2018".
func localDate(lang string, t time.Time) string {
	switch lang {
	case "fr":
		if t.Day() == 1 {
			return fmt.Sprintf("1er %s %d", monthsFR[t.Month()-1], t.Year())
		}
		return fmt.Sprintf("%d %s %d", t.Day(), monthsFR[t.Month()-1], t.Year())
	case "en":
		return fmt.Sprintf("%d %s %d", t.Day(), monthsEN[t.Month()-1], t.Year())
	case "tr":
		return fmt.Sprintf("%d %s %d", t.Day(), monthsTR[t.Month()-1], t.Year())
	case "pl":
		return fmt.Sprintf("%d %s %d", t.Day(), monthsPL[t.Month()-1], t.Year())
	case "ro":
		return fmt.Sprintf("%d %s %d", t.Day(), monthsRO[t.Month()-1], t.Year())
	}
	return dutchDate(t)
}

// receiptWords are the words of the receipt's frame, per language.
var receiptWords = map[string]struct{ title, page, of, template, generated, pdfLang string }{
	"nl": {"Ontvangstbewijs van uw toestemming", "pagina", "van", "Sjabloon ontvangstbewijs", "aangemaakt op", "nl-BE"},
	"fr": {"Accusé de réception de votre consentement", "page", "sur", "Modèle d'accusé de réception", "établi le", "fr-BE"},
	"en": {"Receipt for your consent", "page", "of", "Receipt template", "generated on", "en"},
	"tr": {"Onayınız için alındı belgesi", "sayfa", "/", "Alındı belgesi şablonu", "oluşturulma tarihi", "tr"},
	"pl": {"Potwierdzenie Twojej zgody", "strona", "z", "Wzór potwierdzenia", "wygenerowano", "pl"},
	"ro": {"Confirmarea consimțământului dumneavoastră", "pagina", "din", "Model de confirmare", "generat la", "ro"},
}

// Month names in Turkish, Polish (genitive, as in a date) and Romanian.
var (
	monthsTR = [12]string{"Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül", "Ekim", "Kasım", "Aralık"}
	monthsPL = [12]string{"stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września", "października", "listopada", "grudnia"}
	monthsRO = [12]string{"ianuarie", "februarie", "martie", "aprilie", "mai", "iunie", "iulie", "august", "septembrie", "octombrie", "noiembrie", "decembrie"}
)

// renderReceipt lays the receipt out, twice, as render does for the
// agreements: once to count the pages, once to number them.
func renderReceipt(blocks []block, d receiptData, lang string, generated time.Time) ([]byte, error) {
	count, err := layoutReceipt(blocks, d, lang, generated, 0)
	if err != nil {
		return nil, err
	}
	pdf, err := layoutReceipt(blocks, d, lang, generated, count.PageNo())
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("paperwork: write PDF: %w", err)
	}
	return buf.Bytes(), nil
}

func layoutReceipt(blocks []block, d receiptData, lang string, generated time.Time, pages int) (*fpdf.Fpdf, error) {
	w := receiptWords[lang]
	title := w.title
	for _, b := range blocks {
		if b.kind == kindTitle {
			title = b.text
			break
		}
	}
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCatalogSort(true)
	f.SetCreationDate(generated)
	f.SetModificationDate(generated)
	f.SetTitle(title+" – "+d.Code, true)
	f.SetSubject(fmt.Sprintf("%s – %s → %s", title, d.TeamName, d.RecipientName), true)
	f.SetAuthor("Kansrijk", true)
	f.SetCreator("Kansrijk", true)
	f.SetLang(w.pdfLang)
	f.AddUTF8FontFromBytes(fontFamily, "", fontRegular)
	f.AddUTF8FontFromBytes(fontFamily, "B", fontBold)
	f.SetMargins(marginLeft, marginTop, marginRight)
	f.SetAutoPageBreak(true, marginBottom)

	footer1 := fmt.Sprintf("%s %s · %s → %s", title, d.Code, d.TeamName, d.RecipientName)
	footer2 := fmt.Sprintf("%s %s · %s %s · Kansrijk", w.template, d.TemplateVersion, w.generated, d.GeneratedOn)
	f.SetFooterFunc(func() {
		pw, _ := f.GetPageSize()
		f.SetY(footerY)
		y := f.GetY()
		setDraw(f, colorRule)
		f.SetLineWidth(0.2)
		f.Line(marginLeft, y, pw-marginRight, y)
		f.SetFont(fontFamily, "", sizeFooter)
		setText(f, colorMuted)
		cw := pw - marginLeft - marginRight
		pageText := fmt.Sprintf("%s %d %s %d", w.page, f.PageNo(), w.of, pages)
		// Keep the left text clear of the page number.
		f1, room := footer1, cw-f.GetStringWidth(pageText)-6
		if f.GetStringWidth(f1) > room {
			r := []rune(f1)
			for len(r) > 10 && f.GetStringWidth(string(r)+"…") > room {
				r = r[:len(r)-1]
			}
			f1 = string(r) + "…"
		}
		f.SetXY(marginLeft, y+1.5)
		f.CellFormat(cw, 3.6, f1, "", 0, "L", false, 0, "")
		f.SetXY(marginLeft, y+1.5)
		f.CellFormat(cw, 3.6, pageText, "", 0, "R", false, 0, "")
		f.SetXY(marginLeft, y+5.1)
		f.CellFormat(cw, 3.6, footer2, "", 0, "L", false, 0, "")
	})

	pw, _ := f.GetPageSize()
	dc := &doc{f: f, width: pw - marginLeft - marginRight}
	f.AddPage()
	// The code stands out: a quote line that holds exactly the code is
	// printed as a large box.
	rest := blocks
	for {
		i := slices.IndexFunc(rest, func(b block) bool { return b.kind == kindQuote && b.text == d.Code })
		if i < 0 {
			break
		}
		dc.blocks(rest[:i], nil)
		dc.codeBox(d.Code)
		rest = rest[i+1:]
	}
	dc.blocks(rest, nil)
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("paperwork: layout: %w", err)
	}
	return f, nil
}

// codeBox prints the receipt code large, in a framed, shaded box.
func (dc *doc) codeBox(code string) {
	f := dc.f
	const h = 12.0
	f.Ln(2)
	dc.keepSpace(h + 4)
	setFill(f, colorQuoteBg)
	setDraw(f, colorHeading)
	f.SetLineWidth(0.4)
	f.SetFont(fontFamily, "B", 15)
	setText(f, colorHeading)
	f.SetX(marginLeft)
	f.CellFormat(dc.width, h, code, "1", 1, "C", true, 0, "")
	f.Ln(3)
}
