package paperwork

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"kansrijk/internal/birth"
	"kansrijk/internal/gdpr"
	"kansrijk/internal/phone"
)

// The DPO's documents (area gdpr): the export of everything held about a
// family (a request under GDPR art. 15) and the record of processing
// activities (art. 30). Both are plain lists of headed sections, in the
// embedded DejaVu font like the receipt; their texts come from the i18n
// catalogue through tr (a key in, the text out), so that a translator
// edits them and the page and the PDF say the same.

// report is a simple document: a title, then headings, label–value lines,
// paragraphs and table rows.
type report struct {
	f     *fpdf.Fpdf
	width float64
}

func newReport(title, subject string, generated time.Time, lang string) *report {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCatalogSort(true)
	f.SetCreationDate(generated)
	f.SetModificationDate(generated)
	f.SetTitle(title, true)
	f.SetSubject(subject, true)
	f.SetAuthor("Kansrijk", true)
	f.SetCreator("Kansrijk", true)
	f.SetLang(lang)
	f.AddUTF8FontFromBytes(fontFamily, "", fontRegular)
	f.AddUTF8FontFromBytes(fontFamily, "B", fontBold)
	f.SetMargins(marginLeft, marginTop, marginRight)
	f.SetAutoPageBreak(true, marginBottom)
	f.AliasNbPages("{nb}")
	footer := subject
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
		f.CellFormat(pw-marginLeft-marginRight, 3.6, fmt.Sprintf("%s · %d/{nb}", footer, f.PageNo()), "", 0, "L", false, 0, "")
	})
	pw, _ := f.GetPageSize()
	r := &report{f: f, width: pw - marginLeft - marginRight}
	f.AddPage()
	f.SetFont(fontFamily, "B", sizeTitle)
	setText(f, colorHeading)
	f.MultiCell(r.width, 7.5, title, "", "L", false)
	f.Ln(2)
	return r
}

func (r *report) heading(s string) {
	if _, y := r.f.GetXY(); y > 250 {
		r.f.AddPage()
	}
	r.f.Ln(2)
	r.f.SetFont(fontFamily, "B", sizeHeading)
	setText(r.f, colorHeading)
	r.f.MultiCell(r.width, lineHeading, s, "", "L", false)
	y := r.f.GetY()
	setDraw(r.f, colorRule)
	r.f.SetLineWidth(0.2)
	r.f.Line(marginLeft, y, marginLeft+r.width, y)
	r.f.Ln(1.5)
}

func (r *report) subheading(s string) {
	r.f.SetFont(fontFamily, "B", sizeBody)
	setText(r.f, colorText)
	r.f.MultiCell(r.width, lineBody, s, "", "L", false)
}

// line writes "label: value"; an empty value writes nothing.
func (r *report) line(label, value string) {
	if strings.TrimSpace(value) == "" {
		return
	}
	const labelW = 55.0
	r.f.SetFont(fontFamily, "", sizeBody)
	setText(r.f, colorMuted)
	x, y := r.f.GetXY()
	r.f.MultiCell(labelW, lineBody, label, "", "L", false)
	yl := r.f.GetY()
	r.f.SetXY(x+labelW, y)
	setText(r.f, colorText)
	r.f.MultiCell(r.width-labelW, lineBody, value, "", "L", false)
	if yl > r.f.GetY() && r.f.PageNo() > 0 {
		r.f.SetY(yl)
	}
}

func (r *report) para(s string) {
	r.f.SetFont(fontFamily, "", sizeBody)
	setText(r.f, colorText)
	r.f.MultiCell(r.width, lineBody, s, "", "L", false)
}

func (r *report) bytes() ([]byte, error) {
	if err := r.f.Error(); err != nil {
		return nil, fmt.Errorf("paperwork: layout: %w", err)
	}
	var buf bytes.Buffer
	if err := r.f.Output(&buf); err != nil {
		return nil, fmt.Errorf("paperwork: write PDF: %w", err)
	}
	return buf.Bytes(), nil
}

func stamp(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.In(brussels).Format("2006-01-02 15:04")
}

func yesNo(tr func(string) string, b bool) string {
	if b {
		return tr("gdpr.pdf.yes")
	}
	return tr("gdpr.pdf.no")
}

// SubjectExportPDF lays out a family's dossier: the request, every
// referral and birth notification with the parents' data, consents,
// contacts and outcome, the rectifications and objections, and the access
// history. tr translates catalogue keys; lang is the document's language.
func SubjectExportPDF(d gdpr.Dossier, lang string, tr func(string) string) ([]byte, error) {
	title := tr("gdpr.pdf.export_title")
	r := newReport(title, fmt.Sprintf("%s %d", tr("gdpr.pdf.request"), d.Request.ID), d.GeneratedAt, lang)
	q := d.Request
	r.heading(tr("gdpr.pdf.request"))
	r.line(tr("gdpr.field.id"), strconv.FormatInt(q.ID, 10))
	r.line(tr("gdpr.field.type"), tr("gdpr.kind."+string(q.Kind)))
	r.line(tr("gdpr.field.organisation"), q.Org)
	r.line(tr("gdpr.field.received_on"), q.ReceivedOn)
	r.line(tr("gdpr.field.due_on"), q.DueOn)
	r.line(tr("gdpr.field.answered_on"), q.AnsweredOn)
	r.line(tr("gdpr.field.receipt_codes"), strings.Join(q.Found.ReceiptCodes, ", "))
	g := d.GeneratedAt
	r.line(tr("gdpr.field.generated_at"), stamp(&g))
	if len(d.Referrals) == 0 && len(d.BirthNotifications) == 0 {
		r.para(tr("gdpr.pdf.nothing_found"))
	}
	for _, ref := range d.Referrals {
		r.heading(fmt.Sprintf("%s %d", tr("gdpr.pdf.referral"), ref.ID))
		r.line(tr("gdpr.field.status"), string(ref.Status))
		r.line(tr("gdpr.field.receipt_code"), ref.ReceiptCode)
		r.line(tr("gdpr.field.team"), ref.Team)
		r.line(tr("gdpr.field.recipient"), ref.Recipient)
		r.line(tr("gdpr.field.municipality"), ref.MunicipalityNIS)
		if ref.AgreementID != 0 {
			r.line(tr("gdpr.field.agreement"), fmt.Sprintf("%d (v%d)", ref.AgreementID, ref.AgreementVersion))
		}
		r.line(tr("gdpr.field.created_at"), stamp(&ref.CreatedAt))
		r.line(tr("gdpr.field.sent_at"), stamp(ref.SentAt))
		r.line(tr("gdpr.field.received_at"), stamp(ref.ReceivedAt))
		r.line(tr("gdpr.field.first_contact_at"), stamp(ref.FirstContactAt))
		r.line(tr("gdpr.field.closed_at"), stamp(ref.ClosedAt))
		r.line(tr("gdpr.field.withdrawn_at"), stamp(ref.WithdrawnAt))
		r.line(tr("gdpr.field.data_deleted_at"), stamp(ref.DataDeletedAt))
		r.line(tr("gdpr.field.outcome"), ref.Outcome)
		r.line(tr("gdpr.field.rights"), strings.Join(ref.Rights, ", "))
		for i, p := range ref.Parents {
			r.subheading(fmt.Sprintf("%s %d", tr("gdpr.pdf.parent"), i+1))
			r.line(tr("gdpr.field.name"), p.Name)
			r.line(tr("gdpr.field.address"), strings.TrimSpace(fmt.Sprintf("%s %s %s, %s", p.Street, p.Number, p.Box, p.Postcode)))
			r.line(tr("gdpr.field.phone"), phone.Display(p.Phone))
			r.line(tr("gdpr.field.email"), p.Email)
		}
		if ref.Criteria != nil {
			r.line(tr("gdpr.field.criteria"), strings.Join(ref.Criteria, ", "))
			r.line(tr("gdpr.field.needs"), strings.Join(ref.Needs, ", "))
		}
		for _, c := range ref.Consents {
			r.line(tr("gdpr.field.consent"), fmt.Sprintf("%s %d · %s · %s · %s %s", tr("gdpr.pdf.parent"), c.Parent+1, stamp(&c.RecordedAt), c.Method,
				tr("gdpr.field.refused"), yesNo(tr, c.Refused)))
		}
		for _, c := range ref.ContactAttempts {
			r.line(tr("gdpr.field.contact_attempt"), fmt.Sprintf("%s · %s · %s %s", c.On, c.Channel, tr("gdpr.field.reached"), yesNo(tr, c.Reached)))
		}
	}
	for _, n := range d.BirthNotifications {
		r.heading(fmt.Sprintf("%s %d", tr("gdpr.pdf.birth"), n.ID))
		r.line(tr("gdpr.field.status"), string(n.Status))
		r.line(tr("gdpr.field.clinic"), n.Clinic)
		r.line(tr("gdpr.field.team"), n.Team)
		r.line(tr("gdpr.field.municipality"), n.MunicipalityNIS)
		r.line(tr("gdpr.field.birth_date"), n.ChildBirthDate)
		r.line(tr("gdpr.field.created_at"), stamp(&n.CreatedAt))
		r.line(tr("gdpr.field.first_contact_at"), n.FirstContactOn)
		r.line(tr("gdpr.field.data_deleted_at"), stamp(n.DataDeletedAt))
		for i, p := range []*pdfParent{parentOf(n.Mother), parentOf(n.CoParent)} {
			if p == nil {
				continue
			}
			r.subheading(fmt.Sprintf("%s %d", tr("gdpr.pdf.parent"), i+1))
			r.line(tr("gdpr.field.name"), p.name)
			r.line(tr("gdpr.field.address"), p.addr)
			r.line(tr("gdpr.field.phone"), p.phone)
			r.line(tr("gdpr.field.email"), p.email)
		}
		for _, c := range n.Contacts {
			r.line(tr("gdpr.field.contact_attempt"), fmt.Sprintf("%s · %s · %s %s", c.On, c.Channel, tr("gdpr.field.reached"), yesNo(tr, c.Reached)))
		}
	}
	if len(q.Actions) > 0 {
		r.heading(tr("gdpr.pdf.actions"))
		for _, x := range q.Actions {
			what := tr("gdpr.kind." + string(x.Kind))
			if x.Field != "" {
				what += fmt.Sprintf(" · %s %d · %s", x.ObjectType, x.ObjectID, x.Field)
			}
			if len(x.Withdrawn) > 0 {
				what += fmt.Sprintf(" · %s %v", tr("gdpr.field.withdrawn"), x.Withdrawn)
			}
			if x.Note != "" {
				what += " · " + x.Note
			}
			r.line(stamp(&x.RecordedAt), what)
		}
	}
	r.heading(tr("gdpr.pdf.access_history"))
	if len(d.AccessHistory) == 0 {
		r.para(tr("gdpr.pdf.no_events"))
	}
	for _, e := range d.AccessHistory {
		text := fmt.Sprintf("%s (%s) · %s · %s %s", e.Organisation, e.Function, e.Action, e.ObjectType, e.ObjectID)
		if e.Purpose != "" {
			text += " · " + tr("gdpr.field.purpose") + ": " + e.Purpose
		}
		if e.AgreementID != 0 {
			text += fmt.Sprintf(" · %s %d", tr("gdpr.field.agreement"), e.AgreementID)
		}
		if e.Outcome != "ok" {
			text += " · " + e.Outcome
		}
		r.line(stamp(&e.At), text)
	}
	return r.bytes()
}

type pdfParent struct{ name, addr, phone, email string }

func parentOf(p *birth.Parent) *pdfParent {
	if p == nil {
		return nil
	}
	return &pdfParent{p.Name, strings.TrimSpace(fmt.Sprintf("%s %s %s, %s", p.Street, p.Number, p.Box, p.Postcode)), phone.Display(p.Phone), p.Email}
}

// ProcessingRecordPDF lays out the record of processing activities:
// the controller, each activity with its purposes, legal basis, data
// categories, data subjects, recipients and retention, the OCMWs with an
// agreement in force and their retention, transfers and security measures.
func ProcessingRecordPDF(rec gdpr.Record, generated time.Time, lang string, tr func(string) string) ([]byte, error) {
	title := tr("gdpr.rpa.title")
	r := newReport(title, title+" · "+rec.On, generated, lang)
	r.heading(tr("gdpr.rpa.controller"))
	r.line(tr("gdpr.rpa.controller_name"), rec.Controller.ControllerName)
	r.line(tr("gdpr.field.address"), rec.Controller.ControllerAddress)
	r.line(tr("gdpr.rpa.dpo_contact"), rec.Controller.DPOContact)
	r.line(tr("gdpr.rpa.on"), rec.On)
	list := func(prefix string, keys []string) string {
		out := make([]string, len(keys))
		for i, k := range keys {
			out[i] = tr(prefix + k)
		}
		return strings.Join(out, "; ")
	}
	for _, a := range rec.Activities {
		r.heading(tr("gdpr.rpa.activity." + a.Key))
		r.line(tr("gdpr.rpa.purposes"), list("gdpr.rpa.purpose.", a.Purposes))
		r.line(tr("gdpr.rpa.legal_basis"), list("gdpr.rpa.basis.", a.LegalBasis))
		r.line(tr("gdpr.rpa.data_categories"), list("gdpr.rpa.category.", a.DataCategories))
		r.line(tr("gdpr.rpa.data_subjects"), list("gdpr.rpa.subject.", a.DataSubjects))
		r.line(tr("gdpr.rpa.recipients"), list("gdpr.rpa.recipient.", a.Recipients))
		ret := tr("gdpr.rpa.retention." + a.Retention)
		if a.RetentionN != 0 {
			ret = strings.ReplaceAll(ret, "{n}", strconv.Itoa(a.RetentionN))
		}
		r.line(tr("gdpr.rpa.retention"), ret)
	}
	r.heading(tr("gdpr.rpa.recipients_in_force"))
	if len(rec.Recipients) == 0 {
		r.para(tr("gdpr.rpa.no_recipients"))
	}
	for _, x := range rec.Recipients {
		r.line(x.OrganisationName, fmt.Sprintf("%s (NIS %s) · %s %d v%d · %s %s · %s %d %s", x.Municipality, x.MunicipalityNIS,
			tr("gdpr.field.agreement"), x.AgreementID, x.Version, tr("gdpr.rpa.since"), x.InForceSince,
			tr("gdpr.rpa.retention"), x.RetentionDays, tr("gdpr.rpa.days")))
	}
	r.heading(tr("gdpr.rpa.transfers"))
	r.para(tr("gdpr.rpa.transfers." + rec.Transfers))
	r.heading(tr("gdpr.rpa.security"))
	for _, s := range rec.Security {
		r.para("• " + tr("gdpr.rpa.security."+s))
	}
	return r.bytes()
}
