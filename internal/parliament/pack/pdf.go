package pack

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"kansrijk/internal/agreement"
	"kansrijk/internal/dates"
	"kansrijk/internal/i18n"
	"kansrijk/internal/outreach"
	"kansrijk/internal/paperwork"
	"kansrijk/internal/referral"
	"kansrijk/internal/suppress"
)

// Page geometry (mm, A4) and colours of the pack.
const (
	marginSide   = 18.0
	marginTop    = 16.0
	marginBottom = 18.0
)

var (
	colorText    = [3]int{25, 25, 25}
	colorHeading = [3]int{20, 50, 90}
	colorMuted   = [3]int{90, 90, 90}
	colorRule    = [3]int{170, 175, 185}
	colorHeadBg  = [3]int{232, 237, 244}
)

// DutchDate formats t as "8 maart 2023".
func DutchDate(t time.Time) string { return dates.Long(t) }

// shortDate formats a YYYY-MM-DD date as DD-MM-JJJJ, "" as "–".
func shortDate(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return "–"
	}
	return t.Format("02-01-2006")
}

func nl(key string) string { return i18n.T(i18n.NL, key, nil) }

// Title is the pack's title.
const Title = "Antwoord op een schriftelijke vraag: de doorverwijzing van gezinnen in armoede naar het OCMW"

// RenderPDF writes the figures as the pack's PDF. The output depends on the figures only: the
// same figures give the same bytes.
func RenderPDF(fg Figures) ([]byte, error) {
	family, regular, bold := paperwork.Fonts()
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCatalogSort(true)
	f.SetCreationDate(fg.AsOf)
	f.SetModificationDate(fg.AsOf)
	f.SetTitle(Title, true)
	f.SetSubject("Toestand op "+DutchDate(fg.AsOf), true)
	f.SetAuthor("Kansrijk", true)
	f.SetCreator("Kansrijk", true)
	f.SetLang("nl-BE")
	f.AddUTF8FontFromBytes(family, "", regular)
	f.AddUTF8FontFromBytes(family, "B", bold)
	f.SetMargins(marginSide, marginTop, marginSide)
	f.SetAutoPageBreak(true, marginBottom)
	f.AliasNbPages("{nb}")
	pw, ph := f.GetPageSize()
	d := &doc{f: f, family: family, width: pw - 2*marginSide, pageH: ph}
	f.SetFooterFunc(func() {
		f.SetY(-12)
		f.SetFont(family, "", 7.5)
		setText(f, colorMuted)
		f.CellFormat(0, 4, fmt.Sprintf("Kansrijk – parlementair antwoord, toestand op %s – pagina %d van {nb}", DutchDate(fg.AsOf), f.PageNo()), "", 0, "L", false, 0, "")
	})
	f.AddPage()
	d.title(fg)
	d.informed(fg)
	d.signedUp(fg)
	d.inForce(fg)
	d.families(fg)
	d.notSignedUp(fg)
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("parliament: PDF layout: %w", err)
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("parliament: write PDF: %w", err)
	}
	return buf.Bytes(), nil
}

// doc lays out the pack.
type doc struct {
	f      *fpdf.Fpdf
	family string
	width  float64
	pageH  float64
}

func setText(f *fpdf.Fpdf, c [3]int) { f.SetTextColor(c[0], c[1], c[2]) }
func setDraw(f *fpdf.Fpdf, c [3]int) { f.SetDrawColor(c[0], c[1], c[2]) }
func setFill(f *fpdf.Fpdf, c [3]int) { f.SetFillColor(c[0], c[1], c[2]) }

// keep starts a new page unless h mm are left on this one.
func (d *doc) keep(h float64) {
	if d.f.GetY()+h > d.pageH-marginBottom {
		d.f.AddPage()
	}
}

func (d *doc) para(s string) {
	d.f.SetFont(d.family, "", 9.5)
	setText(d.f, colorText)
	d.f.MultiCell(0, 4.6, s, "", "L", false)
	d.f.Ln(1.6)
}

func (d *doc) note(s string) {
	d.f.SetFont(d.family, "", 7.5)
	setText(d.f, colorMuted)
	d.f.MultiCell(0, 3.5, s, "", "L", false)
	d.f.Ln(1.4)
}

func (d *doc) heading(n int, s string) {
	d.keep(30)
	d.f.Ln(2)
	d.f.SetFont(d.family, "B", 12)
	setText(d.f, colorHeading)
	d.f.MultiCell(0, 5.8, fmt.Sprintf("%d. %s", n, s), "", "L", false)
	d.f.Ln(1.2)
}

func (d *doc) subheading(s string) {
	d.keep(20)
	d.f.SetFont(d.family, "B", 9.5)
	setText(d.f, colorText)
	d.f.MultiCell(0, 4.8, s, "", "L", false)
	d.f.Ln(0.8)
}

func (d *doc) title(fg Figures) {
	f := d.f
	f.SetFont(d.family, "B", 15)
	setText(f, colorHeading)
	f.MultiCell(0, 7, Title, "", "L", false)
	f.Ln(1)
	f.SetFont(d.family, "", 9.5)
	setText(f, colorMuted)
	f.MultiCell(0, 4.6, "Toestand op "+DutchDate(fg.AsOf)+" · Vlaams Parlement, Brussel (België) · gemaakt met Kansrijk", "", "L", false)
	f.Ln(2)
	setDraw(f, colorRule)
	f.SetLineWidth(0.3)
	y := f.GetY()
	f.Line(marginSide, y, marginSide+d.width, y)
	f.Ln(3)
	d.para("Dit antwoord volgt de vragen in de volgorde waarin een schriftelijke vraag ze stelt (zoals schriftelijke vraag nr. 467 van 8 maart 2023): hoe werden de lokale besturen geïnformeerd, hoeveel hebben zich aangemeld en welke, hoeveel hebben een samenwerkingsovereenkomst van kracht, hoeveel gezinnen werden doorverwezen en bereikt en welke rechten werden geopend, en welke lokale besturen hebben zich nog niet aangemeld en hoe benaderen de lokale teams hen. " +
		"De cijfers gelden voor de " + strconv.Itoa(fg.Agreements.Total) + " Vlaamse lokale besturen (gemeente en OCMW) op " + DutchDate(fg.AsOf) + " en komen uit Kansrijk; dezelfde cijfers staan in het CSV- en het XLSX-bestand van dit pakket.")
}

// kindPhrase names n campaigns of a kind: "3 nieuwsbrieven", "een webinar".
func kindPhrase(k outreach.CampaignKind, n int) string {
	names, ok := kindNames[k]
	if !ok {
		names = [2]string{string(k), string(k)}
	}
	if n == 1 {
		return "een " + names[0]
	}
	return strconv.Itoa(n) + " " + names[1]
}

// kindNames are the Dutch names of the campaign kinds, singular and plural.
var kindNames = map[outreach.CampaignKind][2]string{
	outreach.Newsletter:  {"nieuwsbrief", "nieuwsbrieven"},
	outreach.Webinar:     {"webinar", "webinars"},
	outreach.Mailing:     {"mailing", "mailings"},
	outreach.InfoSession: {"infosessie", "infosessies"},
	outreach.Visit:       {"bezoek", "bezoeken"},
}

// InformedSentence summarises the campaigns up to the pack's date in one sentence, grouped by
// kind and partner in the order they first happened: "… via 3 nieuwsbrieven van VVSG (…), een
// gezamenlijk webinar van VVSG en Opgroeien (9 februari 2023) …".
func InformedSentence(fg Figures) string {
	if len(fg.Campaigns) == 0 {
		return "Tot " + DutchDate(fg.AsOf) + " werden de lokale besturen nog niet via een campagne geïnformeerd."
	}
	type group struct {
		kind    outreach.CampaignKind
		partner string
		days    []string
	}
	var groups []*group
	for _, c := range fg.Campaigns {
		var g *group
		for _, x := range groups {
			if x.kind == c.Kind && x.partner == c.Partner {
				g = x
			}
		}
		if g == nil {
			g = &group{kind: c.Kind, partner: c.Partner}
			groups = append(groups, g)
		}
		g.days = append(g.days, DutchDate(c.On))
	}
	var parts []string
	for _, g := range groups {
		p := kindPhrase(g.kind, len(g.days))
		if g.partner != "" {
			if strings.Contains(g.partner, " en ") && len(g.days) == 1 {
				p = strings.Replace(p, "een ", "een gezamenlijk"+suffixE(g.kind)+" ", 1)
			}
			p += " van " + g.partner
		}
		p += " (" + joinDutch(g.days) + ")"
		parts = append(parts, p)
	}
	verb := "waren"
	if fg.Informed == 1 {
		verb = "was"
	}
	return fmt.Sprintf("De lokale besturen werden geïnformeerd via %s. Op %s %s %s minstens één keer bereikt.",
		joinDutch(parts), DutchDate(fg.AsOf), verb, ofTotal(fg.Informed, fg.Total, "lokaal bestuur", "lokale besturen"))
}

// suffixE gives the adjective ending for the kind's gender ("een gezamenlijke infosessie",
// "een gezamenlijk webinar").
func suffixE(k outreach.CampaignKind) string {
	switch k {
	case outreach.Newsletter, outreach.Mailing, outreach.InfoSession:
		return "e"
	}
	return ""
}

// ofTotal is "12 van de 300 lokale besturen".
func ofTotal(n, total int, one, many string) string {
	if total == 1 {
		return fmt.Sprintf("%d van de %d %s", n, total, one)
	}
	return fmt.Sprintf("%d van de %d %s", n, total, many)
}

// joinDutch joins "a, b en c".
func joinDutch(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " en " + s[len(s)-1]
}

func (d *doc) informed(fg Figures) {
	d.heading(1, "Hoe werden de lokale besturen geïnformeerd?")
	d.para(InformedSentence(fg))
	if len(fg.Campaigns) == 0 {
		return
	}
	t := table{
		head:   []string{"Datum", "Soort", "Partner", "Onderwerp", "Bereikt"},
		widths: []float64{21, 23, 30, 0, 17},
		align:  "LLLLR",
	}
	for _, c := range fg.Campaigns {
		t.rows = append(t.rows, []string{c.On.Format("02-01-2006"), nl("outreach.kind." + string(c.Kind)), c.Partner, c.Subject, strconv.Itoa(c.Reached)})
	}
	d.table(t)
	d.note("Bereikt: het aantal lokale besturen dat de campagne bereikte (ontvangers, ingeschreven of aanwezig).")
}

// SignedUpSentence answers "how many have signed up".
func SignedUpSentence(fg Figures) string {
	r := fg.Agreements
	if r.SignedUp == 0 {
		return fmt.Sprintf("Op %s had nog geen enkel lokaal bestuur zich aangemeld (0 van de %d Vlaamse lokale besturen).", DutchDate(fg.AsOf), r.Total)
	}
	verb := "hadden"
	if r.SignedUp == 1 {
		verb = "had"
	}
	return fmt.Sprintf("Op %s %s %s zich aangemeld voor een samenwerkingsovereenkomst tussen het lokaal team van Kind en Gezin en het OCMW.",
		DutchDate(fg.AsOf), verb, ofTotal(r.SignedUp, r.Total, "Vlaams lokaal bestuur", "Vlaamse lokale besturen"))
}

func (d *doc) signedUp(fg Figures) {
	d.heading(2, "Hoeveel lokale besturen hebben zich aangemeld, en welke?")
	d.para(SignedUpSentence(fg))
	t := table{head: []string{"Provincie", "Gemeenten", "Aangemeld", "Overeenkomst van kracht"}, widths: []float64{0, 26, 26, 46}, align: "LRRR"}
	var tot ProvinceRow
	for _, p := range fg.Provinces {
		t.rows = append(t.rows, []string{p.Province, strconv.Itoa(p.Total), strconv.Itoa(p.SignedUp), strconv.Itoa(p.InForce)})
		tot.Total, tot.SignedUp, tot.InForce = tot.Total+p.Total, tot.SignedUp+p.SignedUp, tot.InForce+p.InForce
	}
	t.foot = []string{"Vlaanderen", strconv.Itoa(tot.Total), strconv.Itoa(tot.SignedUp), strconv.Itoa(tot.InForce)}
	d.subheading("Per provincie")
	d.table(t)
	if err := d.mapFigure(fg); err != nil {
		d.f.SetError(err)
		return
	}
	d.timeline(fg)
	var rows [][]string
	for _, m := range fg.Agreements.Municipalities {
		if m.Status.SignedUp() {
			rows = append(rows, []string{m.Name, m.Province, nl("agreement.status." + string(m.Status)), shortDate(m.Since)})
		}
	}
	if len(rows) > 0 {
		d.subheading("De lokale besturen die zich hadden aangemeld")
		d.table(table{head: []string{"Gemeente", "Provincie", "Status", "Sinds"}, widths: []float64{0, 34, 50, 22}, align: "LLLL", rows: rows})
	}
}

func (d *doc) inForce(fg Figures) {
	r := fg.Agreements
	d.heading(3, "Hoeveel lokale besturen hebben een samenwerkingsovereenkomst van kracht?")
	switch r.InForce {
	case 0:
		d.para(fmt.Sprintf("Op %s was bij geen enkel Vlaams lokaal bestuur een samenwerkingsovereenkomst van kracht.", DutchDate(fg.AsOf)))
	case 1:
		d.para(fmt.Sprintf("Op %s was bij 1 van de %d Vlaamse lokale besturen een samenwerkingsovereenkomst van kracht.", DutchDate(fg.AsOf), r.Total))
	default:
		d.para(fmt.Sprintf("Op %s was bij %d van de %d Vlaamse lokale besturen een samenwerkingsovereenkomst van kracht.", DutchDate(fg.AsOf), r.InForce, r.Total))
	}
	t := table{head: []string{"Stand van de overeenkomst", "Lokale besturen"}, widths: []float64{0, 34}, align: "LR"}
	for _, s := range agreement.ReportStatuses {
		t.rows = append(t.rows, []string{nl("agreement.status." + string(s)), strconv.Itoa(r.Counts[s])})
	}
	t.foot = []string{"Totaal", strconv.Itoa(r.Total)}
	d.table(t)
	d.note("Van kracht: actief (ondertekend en ingegaan). Een opgeschorte overeenkomst is ondertekend maar niet van kracht.")
}

func cellText(c suppress.Cell) string { return c.String() }

func (d *doc) families(fg Figures) {
	d.heading(4, "Hoeveel gezinnen werden doorverwezen en bereikt, en welke rechten werden geopend?")
	fam := fg.Families
	switch {
	case fam == nil:
		d.para("De cijfers over doorverwijzingen van gezinnen zijn in deze installatie niet beschikbaar.")
		return
	case !fg.Published:
		d.para(fmt.Sprintf("Cijfers over gezinnen worden per afgelopen kwartaal gepubliceerd. Op %s was er in de gevraagde periode (%s tot %s) nog geen kwartaal afgelopen.",
			DutchDate(fg.AsOf), DutchDate(fg.From), DutchDate(fg.To)))
		return
	}
	period := quarterName(fg.QFrom) + " tot en met het " + quarterName(fg.QTo)
	d.para(fmt.Sprintf("Van het %s verstuurden de lokale teams %s doorverwijzingen naar het OCMW; de OCMW's bereikten %s gezinnen, en bij %s doorverwijzingen werden rechten geopend.",
		period, cellText(fam.Total.Sent), cellText(fam.Total.Reached), cellText(fam.Total.RightsOpened)))
	if fam.Total.Sent.Suppressed || fam.Total.Reached.Suppressed || fam.Total.RightsOpened.Suppressed {
		d.para("Waar \"<5\" of \"x\" staat, is het aantal verborgen om de gezinnen te beschermen: kleine aantallen worden niet gepubliceerd, en een totaal waarin zo'n klein aantal zit evenmin (zie de toelichting onder de tabellen).")
	}
	t := table{head: []string{"Provincie (woonplaats)", "Doorverwezen", "Bereikt", "Rechten geopend"}, widths: []float64{0, 30, 30, 34}, align: "LRRR"}
	for _, r := range fam.Rows {
		t.rows = append(t.rows, []string{r.Province, cellText(r.Sent), cellText(r.Reached), cellText(r.RightsOpened)})
	}
	t.foot = []string{"Totaal", cellText(fam.Total.Sent), cellText(fam.Total.Reached), cellText(fam.Total.RightsOpened)}
	d.subheading("Gezinnen per provincie, " + period)
	d.table(t)
	rt := table{head: []string{"Geopend recht", "Gezinnen"}, widths: []float64{0, 30}, align: "LR"}
	for _, r := range referral.Rights {
		rt.rows = append(rt.rows, []string{nl("referral.right." + r), cellText(fam.Total.Rights[r])})
	}
	d.subheading("Welke rechten werden geopend, " + period)
	d.table(rt)
	d.note("Een doorverwijzing telt in het kwartaal waarin ze werd opgesteld, met alles wat er daarna mee gebeurde. Een gezin bij wie twee rechten werden geopend, telt bij elk recht. " +
		"Cijfers over gezinnen worden per afgelopen kalenderkwartaal beschermd en afgerond op een veelvoud van 5; een totaal is de som van de gepubliceerde kwartalen. " + suppress.Legend)
}

func (d *doc) notSignedUp(fg Figures) {
	d.heading(5, "Welke lokale besturen hebben zich nog niet aangemeld, en hoe benaderen de lokale teams hen?")
	n := len(fg.NotSignedUp)
	if n == 0 {
		d.para(fmt.Sprintf("Op %s hadden alle Vlaamse lokale besturen zich aangemeld.", DutchDate(fg.AsOf)))
		return
	}
	d.para(fmt.Sprintf("Op %s hadden %s zich nog niet aangemeld. Elk van hen ligt in het werkgebied van een lokaal team van Kind en Gezin, dat het bestuur proactief benadert: "+
		"%d van hen waren in gesprek met hun lokaal team, met %d was er al minstens één contactmoment, en er stonden %d taken open om hen te benaderen. "+
		"Wie zich niet aanmeldt, krijgt de volgende nieuwsbrieven en mailings van Opgroeien en VVSG en wordt door het lokaal team aangesproken.",
		DutchDate(fg.AsOf), ofTotal(n, fg.Agreements.Total, "lokaal bestuur", "lokale besturen"), fg.InConversation, fg.Contacted, fg.OpenTasks))
	t := table{head: []string{"Gemeente", "Provincie", "Lokaal team", "Fase", "Laatste contact", "Open taken"},
		widths: []float64{0, 26, 40, 30, 20, 18}, align: "LLLLLR", small: true}
	for _, a := range fg.NotSignedUp {
		team := fg.TeamNames[a.Team]
		if team == "" {
			team = a.Team
		}
		stage := "–"
		if a.Stage != "" {
			stage = nl("outreach.stage." + string(a.Stage))
		}
		tasks := strconv.Itoa(a.OpenTasks)
		if a.NextDue != "" {
			tasks += " (" + shortDate(a.NextDue) + ")"
		}
		t.rows = append(t.rows, []string{a.Name, a.Province, team, stage, shortDate(a.LastContact), tasks})
	}
	d.table(t)
	d.note("Fase: de stap op weg naar een overeenkomst, afgeleid uit de campagnes, de contactmomenten en de geschiedenis van de overeenkomsten. Open taken: de taken van de proactieve benadering die op die dag openstonden, met tussen haakjes de vervaldag van de eerste.")
}

// table is a simple table: widths in mm (0: the rest), one alignment letter per column.
type table struct {
	head   []string
	rows   [][]string
	foot   []string
	widths []float64
	align  string
	small  bool
}

func (d *doc) table(t table) {
	f := d.f
	pt, lh := 8.5, 4.0
	if t.small {
		pt, lh = 7.5, 3.5
	}
	widths := append([]float64(nil), t.widths...)
	// A fixed column is at least as wide as its longest word, so that no word is cut.
	for _, style := range []string{"B", ""} {
		f.SetFont(d.family, style, pt)
		for _, r := range append([][]string{t.head, t.foot}, t.rows...) {
			for i, c := range r {
				if widths[i] == 0 {
					continue
				}
				for _, w := range strings.Fields(c) {
					widths[i] = max(widths[i], f.GetStringWidth(w)+2.8)
				}
			}
		}
	}
	rest := d.width
	free := -1
	for i, w := range widths {
		if w == 0 {
			free = i
		}
		rest -= w
	}
	if free >= 0 {
		widths[free] = rest
	}
	f.SetCellMargin(1.2)
	setDraw(f, colorRule)
	f.SetLineWidth(0.15)
	var row func(cells []string, style string, fill bool)
	row = func(cells []string, style string, fill bool) {
		f.SetFont(d.family, style, pt)
		lines := make([][]string, len(cells))
		n := 1
		for i, c := range cells {
			lines[i] = f.SplitText(c, widths[i])
			if len(lines[i]) == 0 {
				lines[i] = []string{""}
			}
			n = max(n, len(lines[i]))
		}
		h := float64(n)*lh + 1.2
		if f.GetY()+h > d.pageH-marginBottom {
			f.AddPage()
			if style == "" && t.head != nil {
				row(t.head, "B", true) // the head again, on top of the new page
				f.SetFont(d.family, style, pt)
			}
		}
		x, y := marginSide, f.GetY()
		if fill {
			setFill(f, colorHeadBg)
		}
		for i := range cells {
			f.Rect(x, y, widths[i], h, map[bool]string{true: "FD", false: "D"}[fill])
			setText(f, colorText)
			for k, l := range lines[i] {
				f.SetXY(x, y+0.6+float64(k)*lh)
				f.CellFormat(widths[i], lh, l, "", 0, string(t.align[i]), false, 0, "")
			}
			x += widths[i]
		}
		f.SetXY(marginSide, y+h)
	}
	d.keep(3 * (lh + 1.2))
	row(t.head, "B", true)
	for _, r := range t.rows {
		row(r, "", false)
	}
	if t.foot != nil {
		row(t.foot, "B", true)
	}
	f.Ln(2)
}
