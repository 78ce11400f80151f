package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/api"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/breakglass"
	"kansrijk/internal/export"
	"kansrijk/internal/httpx"
	"kansrijk/internal/page"
)

// The data protection officer's console (/audit, "Toegangslog") and the
// admins' break-glass pages (/break-glass), issue 11, i18n area dpo. The
// console searches the audit log within the DPO's scope (see
// store.SearchAuditEvents), pages with a keyset cursor, exports the
// filtered set, shows the log's latest signed checkpoint and the last
// verification, and flags unusual patterns. Everything works without
// JavaScript: the filters are a GET form and live in the URL.

// CheckpointInfo is the latest signed checkpoint of the audit log as the
// console shows it.
type CheckpointInfo struct {
	Size      int64
	Root      string // base64
	Time      time.Time
	PublicKey string // the verifier key the checkpoints are signed for
}

// VerificationInfo is the result of the last full verification of the
// audit log.
type VerificationInfo struct {
	At      time.Time
	OK      bool
	Size    int64
	Message string
}

// AuditLogStatus is what the console needs from the tamper-evident audit
// log (an adapter over (*auditlog.Log).Latest and LastVerification). Nil,
// or a not_found error, shows "nog geen checkpoint".
type AuditLogStatus interface {
	LatestCheckpoint(ctx context.Context) (CheckpointInfo, error)
	LastVerification(ctx context.Context) (VerificationInfo, error)
}

// registerDPO adds the console's and break-glass routes.
func (ui *UI) registerDPO(mux httpx.Mux) {
	mux.HandleFunc("GET /audit", ui.signedIn(ui.showAudit))
	mux.HandleFunc("GET /audit/export.csv", ui.signedIn(ui.exportAudit))
	mux.HandleFunc("GET /audit/export.xlsx", ui.signedIn(ui.exportAudit))
	mux.HandleFunc("GET /break-glass", ui.signedIn(ui.showBreakGlass))
	mux.HandleFunc("POST /break-glass", ui.signedIn(ui.requestBreakGlass))
	mux.HandleFunc("POST /break-glass/{id}/approve", ui.signedIn(ui.decideBreakGlass))
	mux.HandleFunc("POST /break-glass/{id}/deny", ui.signedIn(ui.decideBreakGlass))
	mux.HandleFunc("GET /break-glass/referrals/{id}", ui.signedIn(ui.showBreakGlassReferral))
}

// auditFilters are the query parameters of the console's search form.
var auditFilters = []string{"org", "user", "channel", "object_type", "object_id", "receipt_code", "action", "outcome", "from", "to", "limit"}

// filterURL is path with the filters of v (and extra), in a stable order.
func filterURL(path string, v url.Values, extra ...string) string {
	q := url.Values{}
	for _, k := range auditFilters {
		if s := v.Get(k); s != "" {
			q.Set(k, s)
		}
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// flagView is a flag with the link to its events.
type flagView struct {
	audit.Flag
	Href string
}

// localMinute formats t as a Brussels local time to the minute, rounded
// up when up (for an exclusive upper bound).
func localMinute(t time.Time, up bool) string {
	l := t.In(brussels)
	m := l.Truncate(time.Minute)
	if up {
		m = m.Add(time.Minute)
	}
	return m.Format("2006-01-02T15:04")
}

// flagHref links a flag to the events it stands for.
func flagHref(f audit.Flag) string {
	v := url.Values{}
	if f.ActorUserID != 0 {
		v.Set("user", strconv.FormatInt(f.ActorUserID, 10))
	}
	v.Set("from", localMinute(f.From, false))
	v.Set("to", localMinute(f.To, true))
	switch f.Kind {
	case audit.FlagRepeatedDenials:
		v.Set("outcome", audit.Denied)
	case audit.FlagNewTokenAddress:
		v.Set("channel", "token")
	}
	return filterURL("/audit", v)
}

func (ui *UI) flagConfig() audit.FlagConfig {
	if ui.Flags != nil {
		return *ui.Flags
	}
	return audit.DefaultFlagConfig()
}

// showAudit renders the console: checkpoint, flags, search form and one
// page of events.
func (ui *UI) showAudit(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if err := a.Require(account.ViewAudit); err != nil || ui.Audit == nil {
		ui.fail(w, r, apperr.New(apperr.Forbidden, "only the data protection officer").WithKey("error.forbidden", nil))
		return
	}
	ctx := r.Context()
	v := r.URL.Query()
	p := ui.page(r, "dpo.audit.title", nil)
	p.Form = v
	data := map[string]any{
		"CSV": filterURL("/audit/export.csv", v), "XLSX": filterURL("/audit/export.xlsx", v),
		"Channels": []string{"session", "token", "cli", "job", "anonymous"}, "Outcomes": []string{audit.OK, audit.Denied, audit.Failed},
		"Filtered": filterURL("", v) != "", "Events": []audit.Event{},
	}
	data["Checkpoint"], data["Verification"] = ui.auditLogStatus(ctx)
	status := http.StatusOK
	// The flags of the last seven days, on the first page only: read
	// with the search and recorded in its one audit.search event (one
	// page view, one event).
	var window *audit.FlagWindow
	if v.Get("cursor") == "" {
		to := ui.Now()
		window = &audit.FlagWindow{From: to.AddDate(0, 0, -7), To: to, Config: ui.flagConfig()}
	}
	var flags []audit.Flag
	flagsRead := false
	q, err := audit.ParseQuery(v)
	if err == nil {
		var page audit.Page
		if page, flags, err = ui.Audit.SearchAuditPage(ctx, a, q, window); err == nil {
			flagsRead = true
			data["Events"] = page.Events
			data["OrgNames"] = ui.actorOrgNames(ctx, page.Events)
			if page.Next != "" {
				data["Next"] = filterURL("/audit", v, "cursor", page.Next)
			}
			if v.Get("cursor") != "" {
				data["First"] = filterURL("/audit", v)
			}
		}
	}
	if err != nil {
		if apperr.Code(err) == apperr.Forbidden {
			ui.fail(w, r, err)
			return
		}
		p = p.withError(r, err)
		status = statusOf(err)
	}
	if window != nil && !flagsRead {
		// No search was made (a bad query): the flags are a look of
		// their own, with its own event.
		var ferr error
		if flags, ferr = ui.Audit.AuditFlags(ctx, a, window.From, window.To, window.Config); ferr != nil {
			ui.fail(w, r, ferr)
			return
		}
	}
	if window != nil {
		views := make([]flagView, len(flags))
		for i, f := range flags {
			views[i] = flagView{f, flagHref(f)}
		}
		data["Flags"], data["FlagsFrom"], data["ShowFlags"] = views, window.From, true
	}
	p.Data = data
	ui.render(w, status, "audit", p)
}

// auditLogStatus reads the checkpoint and the verification, nil where
// there is none yet.
func (ui *UI) auditLogStatus(ctx context.Context) (*CheckpointInfo, *VerificationInfo) {
	if ui.AuditLog == nil {
		return nil, nil
	}
	var cp *CheckpointInfo
	var vr *VerificationInfo
	if c, err := ui.AuditLog.LatestCheckpoint(ctx); err == nil {
		cp = &c
	}
	if v, err := ui.AuditLog.LastVerification(ctx); err == nil && !v.At.IsZero() {
		vr = &v
	}
	return cp, vr
}

// exportAudit downloads the filtered set as CSV or XLSX.
func (ui *UI) exportAudit(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if err := a.Require(account.ViewAudit); err != nil || ui.Audit == nil {
		ui.fail(w, r, apperr.New(apperr.Forbidden, "only the data protection officer").WithKey("error.forbidden", nil))
		return
	}
	q, err := audit.ParseQuery(r.URL.Query())
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	format := "csv"
	if r.URL.Path == "/audit/export.xlsx" {
		format = "xlsx"
	}
	evs, err := ui.Audit.ExportAuditEvents(r.Context(), a, q, format)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	t := api.AuditTable(evs)
	w.Header().Set("Cache-Control", "no-store")
	if format == "xlsx" {
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="toegangslog.xlsx"`)
		err = export.WriteXLSX(w, t)
	} else {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="toegangslog.csv"`)
		err = export.WriteCSV(w, t)
	}
	if err != nil {
		// Headers are sent: the download breaks off.
		slog.Error("audit export", "error", err, slog.Group("request", "method", r.Method, "path", r.URL.Path, "id", httpx.RequestID(r)))
	}
}

func (ui *UI) breakGlassTTL() time.Duration {
	if ui.BreakGlassTTL > 0 {
		return ui.BreakGlassTTL
	}
	return breakglass.DefaultTTL
}

// showBreakGlass: the admins' page — the requests (open ones with approve
// and deny) and the form to ask for access.
func (ui *UI) showBreakGlass(w http.ResponseWriter, r *http.Request, a account.Actor) {
	ui.renderBreakGlass(w, r, a, http.StatusOK, ui.page(r, "dpo.glass.title", nil))
}

func (ui *UI) renderBreakGlass(w http.ResponseWriter, r *http.Request, a account.Actor, status int, p *Page) {
	if ui.BreakGlass == nil {
		ui.fail(w, r, apperr.New(apperr.Forbidden, "break-glass is not available").WithKey("error.forbidden", nil))
		return
	}
	// A page of 50 at a time (issue 12), the open requests first, newest
	// first; one audit event per page.
	req, st := listRequest(r, p, breakglass.Sorts...)
	if status == http.StatusOK {
		status = st
	}
	res, stale, err := fetchList(req, func(req page.Request) (page.Result[breakglass.Request], error) {
		return ui.BreakGlass.BreakGlassPage(r.Context(), a, req)
	})
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	if stale {
		req.After = nil
		p.cursorReset(true)
	}
	var open, decided []breakglass.Request
	for _, q := range res.Items {
		if q.Status == breakglass.Open {
			open = append(open, q)
		} else {
			decided = append(decided, q)
		}
	}
	if p.Form == nil {
		p.Form = url.Values{}
	}
	p.Data = map[string]any{"Open": open, "Decided": decided, "Nav": listNav(r, req, len(res.Items), res.Next, res.Prev), "Me": a.UserID, "Now": ui.Now(), "TTLHours": int(ui.breakGlassTTL().Hours())}
	ui.render(w, status, "break_glass", p)
}

// requestBreakGlass: the form's POST (referral, reason).
func (ui *UI) requestBreakGlass(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if ui.BreakGlass == nil {
		ui.fail(w, r, apperr.New(apperr.Forbidden, "break-glass is not available").WithKey("error.forbidden", nil))
		return
	}
	if a.Role != account.Admin {
		ui.fail(w, r, apperr.New(apperr.Forbidden, "only an admin may ask for break-glass access").WithKey("error.forbidden", nil))
		return
	}
	id, perr := strconv.ParseInt(strings.TrimSpace(r.PostForm.Get("referral")), 10, 64)
	// Both problems at once: the referral's number and the reason.
	var problems []*apperr.Error
	if perr != nil || id <= 0 {
		problems = append(problems, apperr.FieldErr(apperr.Invalid, "referral", "give the referral's number").WithKey("dpo.error.referral_required", nil))
	}
	if strings.TrimSpace(r.PostForm.Get("reason")) == "" {
		problems = append(problems, required("reason"))
	}
	err := apperr.Join(problems)
	if err == nil {
		_, err = ui.BreakGlass.RequestBreakGlass(r.Context(), a, id, r.PostForm.Get("reason"))
	}
	if err != nil {
		if apperr.Code(err) == apperr.Forbidden {
			ui.fail(w, r, err)
			return
		}
		p := ui.page(r, "dpo.glass.title", nil).formProblems(r, err, formSpec{"referral": {Label: "dpo.glass.referral"}, "reason": {Label: "dpo.glass.reason"}})
		p.Form = r.PostForm
		ui.renderBreakGlass(w, r, a, statusOf(err), p)
		return
	}
	http.Redirect(w, r, "/break-glass?ok=dpo_requested", http.StatusSeeOther)
}

// decideBreakGlass: approve or deny, by the path.
func (ui *UI) decideBreakGlass(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if ui.BreakGlass == nil {
		ui.fail(w, r, apperr.New(apperr.Forbidden, "break-glass is not available").WithKey("error.forbidden", nil))
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		ui.notFound(w, r)
		return
	}
	approve := strings.HasSuffix(r.URL.Path, "/approve")
	if _, err := ui.BreakGlass.DecideBreakGlass(r.Context(), a, id, approve, r.PostForm.Get("note"), ui.breakGlassTTL()); err != nil {
		ui.fail(w, r, err)
		return
	}
	flash := "dpo_denied"
	if approve {
		flash = "dpo_approved"
	}
	http.Redirect(w, r, "/break-glass?ok="+flash, http.StatusSeeOther)
}

// showBreakGlassReferral: the referral an approved request opened, read
// only (every read audited as referral.read_break_glass).
func (ui *UI) showBreakGlassReferral(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if a.Role != account.Admin {
		ui.fail(w, r, apperr.New(apperr.Forbidden, "only an admin with an approved request").WithKey("error.forbidden", nil))
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		ui.notFound(w, r)
		return
	}
	ref, err := ui.Referrals.Referral(r.Context(), a, id)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	v := api.OCMWReferral(ref, ui.Now())
	municipalities := map[string]string{}
	for _, p := range v.Parents {
		municipalities[p.MunicipalityNIS] = ui.municipalityName(p.MunicipalityNIS)
	}
	p := ui.page(r, "dpo.glass.referral_title", map[string]any{"R": v, "Municipalities": municipalities,
		"Recipient": ui.orgName(r.Context(), ref.Recipient), "Municipality": ui.municipalityName(ref.MunicipalityNIS)})
	ui.render(w, http.StatusOK, "break_glass_referral", p)
}

// actorOrgNames names the organisations of the events' actors, so that the
// console shows "OCMW Hulshout" rather than the key ocmw-13016.
func (ui *UI) actorOrgNames(ctx context.Context, events []audit.Event) map[string]string {
	names := ui.orgNames(ctx)
	out := map[string]string{}
	for _, e := range events {
		if e.ActorOrg != "" {
			out[e.ActorOrg] = names.name(e.ActorOrg)
		}
	}
	return out
}
