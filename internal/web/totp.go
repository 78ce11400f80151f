package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/httpx"
)

// Area totp: the second factor (issue 15). After a correct password, a
// user with a second factor is asked for its code (or a recovery code) at
// /login/tweede-factor; a user whose role requires one and has none sets
// it up at /login/tweede-factor/instellen before any session. Between the
// two steps the browser holds only the pending sign-in's secret, in a
// cookie limited to /login that lives as long as the pending sign-in. A
// signed-in user manages their own at /account/second-factor; an admin
// resets another's from the users list. Routes are registered in web.go.

// pendingCookie holds the secret of a pending sign-in.
const pendingCookie = "kansrijk_login_step"

// secondFactors is the store of the sign-in's second step; nil when the
// accounts store has none (the password alone signs in then).
func (ui *UI) secondFactors() account.SecondFactors {
	sf, _ := ui.Accounts.(account.SecondFactors)
	return sf
}

// passwordStep checks e-mail and password: a session, or a pending
// sign-in that needs a second step.
func (ui *UI) passwordStep(r *http.Request) (account.LoginStep, error) {
	email, password := r.PostForm.Get("email"), r.PostForm.Get("password")
	if sf := ui.secondFactors(); sf != nil {
		return sf.LoginStart(r.Context(), email, password, httpx.ClientAddr(r), httpx.RequestID(r))
	}
	s, err := ui.Accounts.Login(r.Context(), email, password, httpx.ClientAddr(r), httpx.RequestID(r))
	return account.LoginStep{Session: s}, err
}

// toSecondStep sends the browser of a pending sign-in to its second step.
func (ui *UI) toSecondStep(w http.ResponseWriter, r *http.Request, st account.LoginStep) {
	httpx.SetCookie(w, r, &http.Cookie{Name: pendingCookie, Value: st.Pending, Path: "/login", Expires: st.Expires,
		MaxAge: int(account.PendingLoginLifetime.Seconds())})
	to := "/login/tweede-factor"
	if st.Enrol {
		to += "/instellen"
	}
	if next := r.PostForm.Get("next"); next != "" {
		to += "?next=" + url.QueryEscape(safeNext(next))
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func clearPending(w http.ResponseWriter, r *http.Request) {
	httpx.SetCookie(w, r, &http.Cookie{Name: pendingCookie, Value: "", Path: "/login", MaxAge: -1})
}

// pending returns the pending sign-in of the request, or sends the
// browser back to the login page (expired: with a message).
func (ui *UI) pending(w http.ResponseWriter, r *http.Request, enrol bool) (string, bool) {
	sf := ui.secondFactors()
	c, err := r.Cookie(pendingCookie)
	if sf == nil || err != nil || c.Value == "" {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return "", false
	}
	p, err := sf.PendingLogin(r.Context(), c.Value)
	if err == nil && p.Enrol != enrol {
		err = apperr.New(apperr.Unauthorized, "wrong step")
	}
	if err != nil {
		if apperr.Code(err) == apperr.Internal {
			ui.fail(w, r, err)
			return "", false
		}
		clearPending(w, r)
		http.Redirect(w, r, "/login?ok=second_factor_expired", http.StatusSeeOther)
		return "", false
	}
	return c.Value, true
}

var codeSpec = formSpec{"code": {Label: "totp.field.code"}}

// The pages' data.
type totpStepData struct {
	Next string
}

type totpEnrolData struct {
	Next      string
	Action    string // the form's target
	Enrolment account.Enrolment
	Grouped   string
	QR        template.HTML
}

type totpCodesData struct {
	Codes []string
	Next  string
}

func (ui *UI) showSecondStep(w http.ResponseWriter, r *http.Request) {
	if _, ok := ui.pending(w, r, false); !ok {
		return
	}
	secretPage(w)
	p := ui.page(r, "totp.step.title", totpStepData{Next: safeNext(r.URL.Query().Get("next"))})
	ui.render(w, http.StatusOK, "totp_step", p)
}

func (ui *UI) secondStep(w http.ResponseWriter, r *http.Request) {
	secretPage(w)
	if !ui.parseAnonymousForm(w, r) {
		return
	}
	pending, ok := ui.pending(w, r, false)
	if !ok {
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	var err error
	code := r.PostForm.Get("code")
	if strings.TrimSpace(code) == "" {
		err = required("code")
	}
	var s account.Session
	if err == nil {
		s, err = ui.secondFactors().LoginSecondFactor(r.Context(), pending, code, httpx.ClientAddr(r), httpx.RequestID(r))
	}
	if apperr.Code(err) == apperr.Unauthorized {
		clearPending(w, r)
		http.Redirect(w, r, "/login?ok=second_factor_expired", http.StatusSeeOther)
		return
	}
	if err != nil {
		httpx.SetRetryAfter(w, err)
		p := ui.page(r, "totp.step.title", totpStepData{Next: next}).formProblems(r, err, codeSpec)
		ui.render(w, statusOf(err), "totp_step", p)
		return
	}
	clearPending(w, r)
	httpx.SetSessionCookie(w, r, s.Secret, s.Expires)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (ui *UI) enrolData(e account.Enrolment, action, next string) (totpEnrolData, error) {
	qr, err := qrSVG(e.URI)
	return totpEnrolData{Next: next, Action: action, Enrolment: e, Grouped: account.GroupSecret(e.Secret), QR: qr}, err
}

func (ui *UI) showRequiredEnrolment(w http.ResponseWriter, r *http.Request) {
	ui.renderRequiredEnrolment(w, r, http.StatusOK, nil)
}

func (ui *UI) renderRequiredEnrolment(w http.ResponseWriter, r *http.Request, status int, problem error) {
	secretPage(w)
	pending, ok := ui.pending(w, r, true)
	if !ok {
		return
	}
	e, err := ui.secondFactors().PendingEnrolment(r.Context(), pending)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	next := safeNext(r.URL.Query().Get("next"))
	if r.Method == http.MethodPost {
		next = safeNext(r.PostForm.Get("next"))
	}
	d, err := ui.enrolData(e, "/login/tweede-factor/instellen", next)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	p := ui.page(r, "totp.enrol.title", totpAccountData{Enrol: &d})
	if problem != nil {
		p = p.formProblems(r, problem, codeSpec)
	}
	ui.render(w, status, "totp_enrol", p)
}

func (ui *UI) confirmRequiredEnrolment(w http.ResponseWriter, r *http.Request) {
	secretPage(w)
	if !ui.parseAnonymousForm(w, r) {
		return
	}
	pending, ok := ui.pending(w, r, true)
	if !ok {
		return
	}
	code := r.PostForm.Get("code")
	if strings.TrimSpace(code) == "" {
		ui.renderRequiredEnrolment(w, r, http.StatusBadRequest, required("code"))
		return
	}
	s, codes, err := ui.secondFactors().ConfirmPendingEnrolment(r.Context(), pending, code, httpx.ClientAddr(r), httpx.RequestID(r))
	if apperr.Code(err) == apperr.Unauthorized {
		clearPending(w, r)
		http.Redirect(w, r, "/login?ok=second_factor_expired", http.StatusSeeOther)
		return
	}
	if err != nil {
		httpx.SetRetryAfter(w, err)
		ui.renderRequiredEnrolment(w, r, statusOf(err), err)
		return
	}
	clearPending(w, r)
	httpx.SetSessionCookie(w, r, s.Secret, s.Expires)
	ui.render(w, http.StatusOK, "totp_codes", ui.page(r, "totp.codes.title", totpCodesData{Codes: codes, Next: safeNext(r.PostForm.Get("next"))}))
}

// The signed-in user's own second factor.

type totpAccountData struct {
	Status account.SecondFactorStatus
	Enrol  *totpEnrolData
}

func (ui *UI) showSecondFactor(w http.ResponseWriter, r *http.Request, a account.Actor) {
	ui.renderSecondFactor(w, r, a, http.StatusOK, nil)
}

func (ui *UI) renderSecondFactor(w http.ResponseWriter, r *http.Request, a account.Actor, status int, problem error) {
	sf := ui.secondFactors()
	if sf == nil {
		ui.notFound(w, r)
		return
	}
	st, err := sf.SecondFactorStatus(r.Context(), a)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	d := totpAccountData{Status: st}
	if st.Pending != nil {
		secretPage(w)
		e, err := ui.enrolData(*st.Pending, "/account/second-factor/confirm", "")
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		d.Enrol = &e
	}
	p := ui.page(r, "totp.account.title", d)
	if problem != nil {
		p = p.formProblems(r, problem, codeSpec)
	}
	ui.render(w, status, "totp_account", p)
}

func (ui *UI) beginSecondFactor(w http.ResponseWriter, r *http.Request, a account.Actor) {
	sf := ui.secondFactors()
	if sf == nil {
		ui.notFound(w, r)
		return
	}
	if _, err := sf.BeginSecondFactor(r.Context(), a); err != nil {
		ui.renderSecondFactor(w, r, a, statusOf(err), err)
		return
	}
	http.Redirect(w, r, "/account/second-factor", http.StatusSeeOther)
}

// codeAction runs one of the own second factor's actions that take a code.
func (ui *UI) codeAction(w http.ResponseWriter, r *http.Request, a account.Actor, do func(sf account.SecondFactors, code string) error) {
	sf := ui.secondFactors()
	if sf == nil {
		ui.notFound(w, r)
		return
	}
	code := r.PostForm.Get("code")
	err := error(required("code"))
	if strings.TrimSpace(code) != "" {
		err = do(sf, code)
	}
	if err != nil {
		httpx.SetRetryAfter(w, err)
		ui.renderSecondFactor(w, r, a, statusOf(err), err)
	}
}

func (ui *UI) confirmSecondFactor(w http.ResponseWriter, r *http.Request, a account.Actor) {
	ui.codeAction(w, r, a, func(sf account.SecondFactors, code string) error {
		codes, err := sf.ConfirmSecondFactor(r.Context(), a, code)
		return ui.showRecoveryCodes(w, r, codes, err)
	})
}

func (ui *UI) regenerateRecoveryCodes(w http.ResponseWriter, r *http.Request, a account.Actor) {
	ui.codeAction(w, r, a, func(sf account.SecondFactors, code string) error {
		codes, err := sf.RegenerateRecoveryCodes(r.Context(), a, code)
		return ui.showRecoveryCodes(w, r, codes, err)
	})
}

// showRecoveryCodes shows new recovery codes, once (not cached), unless
// making them failed; it passes err on to codeAction.
func (ui *UI) showRecoveryCodes(w http.ResponseWriter, r *http.Request, codes []string, err error) error {
	if err == nil {
		secretPage(w)
		ui.render(w, http.StatusOK, "totp_codes", ui.page(r, "totp.codes.title", totpCodesData{Codes: codes, Next: "/account/second-factor"}))
	}
	return err
}

func (ui *UI) disableSecondFactor(w http.ResponseWriter, r *http.Request, a account.Actor) {
	ui.codeAction(w, r, a, func(sf account.SecondFactors, code string) error {
		err := sf.DisableSecondFactor(r.Context(), a, code)
		if err == nil {
			http.Redirect(w, r, "/account/second-factor?ok=second_factor_disabled", http.StatusSeeOther)
		}
		return err
	})
}

// resetSecondFactor: an admin removes a user's second factor (users list).
func (ui *UI) resetSecondFactor(w http.ResponseWriter, r *http.Request, a account.Actor) {
	sf := ui.secondFactors()
	if sf == nil {
		ui.notFound(w, r)
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := sf.ResetSecondFactor(r.Context(), a, id); err != nil {
		ui.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/users?ok=second_factor_reset", http.StatusSeeOther)
}

// qrSVG draws the QR code of s as an SVG image: one path of the dark
// modules, with the quiet zone, scaled by the page.
func qrSVG(s string) (template.HTML, error) {
	q, err := qrcode.New(s, qrcode.Medium)
	if err != nil {
		return "", err
	}
	bits := q.Bitmap()
	var path strings.Builder
	for y, row := range bits {
		for x := 0; x < len(row); x++ {
			if !row[x] {
				continue
			}
			run := 1
			for x+run < len(row) && row[x+run] {
				run++
			}
			fmt.Fprintf(&path, "M%d %dh%dv1h-%dz", x, y, run, run)
			x += run - 1
		}
	}
	n := len(bits)
	return template.HTML(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 %d %d" width="232" height="232" shape-rendering="crispEdges" aria-hidden="true" focusable="false">`+
		`<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="%s"/></svg>`, n, n, n, n, path.String())), nil
}
