package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/httpx"
	"kansrijk/internal/i18n"
	"kansrijk/internal/referral"
)

// The family's own view (/ontvangstbewijs with the receipt code and a
// parent's postcode): who accessed the family's data, when, why, under
// which agreement and what happened, each line with its proof from the
// audit log. The pages families see speak the seven languages of
// i18n.PublicLangs (?lang=xx or the lang cookie).

func init() {
	lang := func(v any) i18n.Lang { return i18n.Lang(fmt.Sprint(v)) }
	funcs["htmlLang"] = func(v any) string { return i18n.HTMLLang(lang(v)) }
	funcs["langName"] = func(v any) string { return i18n.Name(lang(v)) }
	funcs["dir"] = func(v any) string { return i18n.Dir(lang(v)) }
}

// HTMLLang is the page's lang attribute.
func (p *Page) HTMLLang() string { return i18n.HTMLLang(p.Lang) }

// Dir is the page's writing direction (rtl for Arabic).
func (p *Page) Dir() string { return i18n.Dir(p.Lang) }

// PublicLangs lists the languages of a family page, for its switch.
func (p *Page) PublicLangs() []i18n.Lang { return i18n.PublicLangs }

// publicPage is a page families see, in the language they chose.
func (ui *UI) publicPage(r *http.Request, title string, data any) *Page {
	p := ui.page(r, title, data)
	p.Lang = i18n.PublicFromRequest(r)
	return p
}

// familyView is what the family view's template shows.
type familyView struct {
	Log      referral.AccessLog
	Postcode string
	Lines    []familyLine
	// Sealed: proofs can be downloaded (an audit log is wired).
	Sealed    bool
	PublicKey string
}

// familyLine is one access as the family reads it.
type familyLine struct {
	referral.AccessEvent
	Who, Function, What, Why string
	Proof                    bool // a proof bundle can be downloaded
}

// actionKey is the label of an audit action; actions without one (new
// ones) show with a generic label.
func actionKey(action string) string {
	if k := "accesslog.action." + action; i18n.Has(i18n.NL, k) {
		return k
	}
	return "accesslog.action.other"
}

func (ui *UI) familyLines(lang i18n.Lang, l referral.AccessLog) []familyLine {
	out := make([]familyLine, 0, len(l.Events))
	for _, e := range l.Events {
		fl := familyLine{AccessEvent: e, Who: e.Organisation}
		switch {
		case e.Action == "access_log.view":
			fl.Who = i18n.T(lang, "family.who.visitor", nil)
		case e.Function == "":
			fl.Who = i18n.T(lang, "family.who.system", nil)
		default:
			fl.Function = i18n.T(lang, "role."+e.Function, nil)
		}
		fl.What = i18n.T(lang, actionKey(e.Action), map[string]any{"Action": e.Action})
		if e.Outcome == audit.Denied {
			fl.What += " " + i18n.T(lang, "family.outcome.denied", nil)
		}
		if k := "accesslog.purpose." + e.Purpose; i18n.Has(i18n.NL, k) {
			fl.Why = i18n.T(lang, k, nil)
		} else {
			fl.Why = e.Purpose
		}
		fl.Proof = e.LeafIndex != nil && ui.AuditProofs != nil
		out = append(out, fl)
	}
	return out
}

// accessLogQuery is the look-up a request asks for.
func accessLogQuery(r *http.Request, detail string) referral.AccessLogQuery {
	return referral.AccessLogQuery{Code: r.PostForm.Get("code"), Postcode: r.PostForm.Get("postcode"),
		ClientAddr: httpx.ClientAddr(r), RequestID: httpx.RequestID(r), Detail: detail}
}

func (ui *UI) accessLogStore() (referral.AccessLogStore, error) {
	s, ok := ui.Referrals.(referral.AccessLogStore)
	if !ok {
		return nil, errors.New("web: the referral store has no access log")
	}
	return s, nil
}

// showFamilyView answers the receipt form when a postcode is given: the
// status of the referral and every access to the family's data.
func (ui *UI) showFamilyView(w http.ResponseWriter, r *http.Request, p *Page) {
	s, err := ui.accessLogStore()
	var l referral.AccessLog
	if err == nil {
		l, err = s.AccessLog(r.Context(), accessLogQuery(r, ""))
	}
	if err != nil {
		httpx.SetRetryAfter(w, err)
		p.withError(r, err)
		p.Field = "code"
		ui.render(w, statusOf(err), "receipt_status", p)
		return
	}
	v := familyView{Log: l, Postcode: strings.TrimSpace(r.PostForm.Get("postcode")), Lines: ui.familyLines(p.Lang, l)}
	if ui.AuditProofs != nil {
		v.Sealed, v.PublicKey = true, ui.AuditProofs.PublicKey()
	}
	p.Data = map[string]any{"S": l.Status, "Code": l.Code, "View": v}
	ui.render(w, http.StatusOK, "receipt_status", p)
}

// downloadProof sends the proof bundle of one line of the family's view:
// the code and postcode are checked again (and the look-up audited), and
// only a leaf of the family's own events is served.
func (ui *UI) downloadProof(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		ui.renderError(w, r, http.StatusRequestEntityTooLarge, "error.body_too_large")
		return
	}
	p := ui.publicPage(r, "page.receipt_status.title", nil)
	p.Form = r.PostForm
	leaf, perr := strconv.ParseInt(r.PostForm.Get("leaf"), 10, 64)
	s, err := ui.accessLogStore()
	var l referral.AccessLog
	if err == nil {
		l, err = s.AccessLog(r.Context(), accessLogQuery(r, fmt.Sprintf("proof bundle %d", leaf)))
	}
	if err == nil && (perr != nil || !l.LeafIndexes()[leaf]) {
		err = apperr.New(apperr.NotFound, "no such line").WithKey("error.access_log_unknown", nil)
	}
	var bundle []byte
	if err == nil {
		if ui.AuditProofs == nil {
			err = apperr.New(apperr.NotFound, "not sealed yet").WithKey("family.not_sealed", nil)
		} else {
			bundle, err = ui.AuditProofs.Bundle(r.Context(), leaf)
		}
	}
	if err != nil {
		httpx.SetRetryAfter(w, err)
		p.withError(r, err)
		ui.render(w, statusOf(err), "receipt_status", p)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", "attachment; filename="+strconv.Quote(fmt.Sprintf("kansrijk-bewijs-%d.json", leaf)))
	_, _ = w.Write(bundle)
}
