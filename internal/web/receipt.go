package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/i18n"
	"kansrijk/internal/paperwork"
	"kansrijk/internal/referral"
)

// The family's consent receipt: a printable page and a PDF (Dutch, French,
// English) for the local team to hand over, and a public page where the
// family enters its receipt code to see what happened to its data —
// without any personal data.

// receiptInput gathers what the receipt says about a referral the team
// may read. It fails with invalid_state when no parent consented.
func (ui *UI) receiptInput(ctx context.Context, r *http.Request, b referralBackend, a account.Actor) (referral.Referral, paperwork.ReceiptInput, error) {
	var in paperwork.ReceiptInput
	if !teamSide(a) {
		return referral.Referral{}, in, ui.denyReferral(r, a)
	}
	ref, err := b.Referral(ctx, a, referralID(r))
	if err != nil {
		return ref, in, err
	}
	c := latestConsent(ref)
	if c == nil {
		return ref, in, apperr.New(apperr.InvalidState, "no consent recorded").WithKey("error.receipt_no_consent", nil)
	}
	in = paperwork.ReceiptInput{
		Code: ref.ReceiptCode, TeamName: ui.orgName(ctx, ref.Team), RecipientName: ui.orgName(ctx, ref.Recipient),
		MunicipalityName: ui.municipalityName(ref.MunicipalityNIS), ConsentOn: c.RecordedAt, Method: c.Method,
		RetentionDays: agreement.DefaultRetentionDays, StatusURL: statusURL(r), GeneratedOn: ui.Now(),
	}
	if ref.SentAt != nil {
		in.SentOn = *ref.SentAt
	}
	// How the family reaches the team to withdraw its consent.
	if t, err := ui.Orgs.Organisation(ctx, ref.Team); err == nil {
		in.TeamPhone, in.TeamEmail = t.Phone, t.Email
	}
	for _, p := range ref.Parents {
		addr := strings.TrimSpace(p.Street + " " + p.Number)
		if p.Box != "" {
			addr += " bus " + p.Box
		}
		addr += ", " + p.Postcode + " " + ui.municipalityName(p.MunicipalityNIS)
		in.Parents = append(in.Parents, paperwork.ReceiptParent{Name: p.Name, Address: addr, Phone: p.Phone, Email: p.Email})
	}
	// What the family was told when it consented: the information text
	// and retention period of the agreement's version in force then (kept
	// with the consent), never those of a version approved later.
	if c.AgreementID != 0 {
		v, err := b.agreements.AgreementVersion(ctx, a, c.AgreementID, c.AgreementVersion)
		if err != nil {
			return ref, in, err
		}
		in.InformationText, in.RetentionDays = v.InformationText, v.RetentionDays
	}
	return ref, in, nil
}

// statusURL is the address of the public receipt page.
func statusURL(r *http.Request) string {
	scheme := "https"
	if r.TLS == nil && r.Header.Get("X-Forwarded-Proto") != "https" {
		scheme = "http"
	}
	return scheme + "://" + r.Host + "/ontvangstbewijs"
}

func (ui *UI) showReceipt(w http.ResponseWriter, r *http.Request, a account.Actor) {
	b := ui.referralBackend()
	ref, in, err := ui.receiptInput(r.Context(), r, b, a)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	p := ui.page(r, "page.receipt.title", nil)
	// The receipt itself is in the family's language (?lang=, one of
	// i18n.PublicLangs); the page around it stays in the worker's.
	l, ok := i18n.ParsePublic(r.URL.Query().Get("lang"))
	if !ok {
		l = p.Lang
	}
	p.Data = map[string]any{
		"R": ref, "In": in, "Signed": in.Method == "signed", "CAW": strings.HasPrefix(strings.ToUpper(in.RecipientName), "CAW"),
		"Langs": paperwork.ReceiptLangs, "L": l, "PublicLangs": i18n.PublicLangs,
	}
	ui.render(w, http.StatusOK, "receipt", p)
}

func (ui *UI) receiptPDF(w http.ResponseWriter, r *http.Request, a account.Actor) {
	b := ui.referralBackend()
	lang := r.URL.Query().Get("lang")
	if lang == "" {
		lang = "nl"
	}
	known := false
	for _, l := range paperwork.ReceiptLangs {
		known = known || l == lang
	}
	if !known {
		ui.fail(w, r, apperr.FieldErr(apperr.Invalid, "lang", "unknown language").WithKey("error.receipt_pdf_lang", nil))
		return
	}
	ref, in, err := ui.receiptInput(r.Context(), r, b, a)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	in.Lang = lang
	pdf, err := paperwork.Receipt(in)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", "inline; filename="+strconv.Quote(fmt.Sprintf("ontvangstbewijs-%d-%s.pdf", ref.ID, lang)))
	_, _ = w.Write(pdf)
}

// showReceiptStatus is the public form for the receipt code (and the
// postcode that opens the family's view).
func (ui *UI) showReceiptStatus(w http.ResponseWriter, r *http.Request) {
	ui.render(w, http.StatusOK, "receipt_status", ui.publicPage(r, "page.receipt_status.title", nil))
}

// lookupReceiptStatus shows what happened to the family's data: with the
// code alone, the dates of sending, withdrawal and deletion; with a
// parent's postcode too, the family's view of every access (family.go).
// Nothing personal either way.
func (ui *UI) lookupReceiptStatus(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		ui.renderError(w, r, http.StatusRequestEntityTooLarge, "error.body_too_large")
		return
	}
	p := ui.publicPage(r, "page.receipt_status.title", nil)
	p.Form = r.PostForm
	if strings.TrimSpace(r.PostForm.Get("postcode")) != "" {
		ui.showFamilyView(w, r, p)
		return
	}
	b := ui.referralBackend()
	code := referral.NormalizeReceiptCode(r.PostForm.Get("code"))
	s, err := b.ReceiptStatus(r.Context(), code)
	if err != nil {
		p.withError(r, err)
		p.Field = "code"
		ui.render(w, statusOf(err), "receipt_status", p)
		return
	}
	p.Data = map[string]any{"S": s, "Code": code}
	ui.render(w, http.StatusOK, "receipt_status", p)
}
