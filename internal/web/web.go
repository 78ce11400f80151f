// Package web is Kansrijk's server-rendered HTML interface, Dutch first
// and English second, usable without JavaScript. Handlers are thin: they
// identify the user, parse the form, call the same stores as the API, and
// render or redirect (Post/Redirect/Get).
package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/birth"
	"kansrijk/internal/breakglass"
	"kansrijk/internal/deprivation"
	"kansrijk/internal/gdpr"
	"kansrijk/internal/home"
	"kansrijk/internal/httpx"
	"kansrijk/internal/i18n"
	"kansrijk/internal/mailing"
	"kansrijk/internal/municipality"
	"kansrijk/internal/opendata"
	"kansrijk/internal/org"
	"kansrijk/internal/outcome"
	"kansrijk/internal/outreach"
	"kansrijk/internal/parliament"
	"kansrijk/internal/parliament/pack"
	"kansrijk/internal/referral"
	"kansrijk/internal/sso"
)

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// maxUpload bounds multipart bodies (a signed PDF plus the form fields).
const maxUpload = agreement.MaxDocumentSize + 1<<20

// Deps are what the UI needs.
type Deps struct {
	Accounts       account.Store
	Orgs           org.Store
	Agreements     agreement.Store
	Referrals      referral.Store
	Outreach       outreach.Store
	Municipalities *municipality.Registry
	Now            func() time.Time
	Deprivation    deprivation.Store // Kind en Gezin's deprivation index (factsheets)
	Births         birth.Store       // birth notifications from maternity clinics
	Mailing        *mailing.Service  // outreach mailings; nil: no mailing page
	// DPO area (dpo.go): the audit console and break-glass access; nil:
	// those pages answer forbidden. AuditLog nil: "no checkpoint yet".
	// Flags nil: audit.DefaultFlagConfig; BreakGlassTTL 0: 4 hours.
	Audit         audit.Console
	BreakGlass    breakglass.Store
	AuditLog      AuditLogStatus
	Flags         *audit.FlagConfig
	BreakGlassTTL time.Duration
	// Area gdpr (gdpr.go): requests of families and the record of
	// processing activities; nil: those pages answer not found.
	GDPR        gdpr.Store
	GDPRConfig  *gdpr.Config // nil: gdpr.DefaultConfig
	AuditProofs audit.Proofs // the family's view: proofs of the audit log; nil: "not sealed yet"
	// Area home: each role's start page (home.go); nil: the Orgs store
	// when it implements home.Store.
	Home home.Store
	// Area outcome: referral outcome cells for the dashboards (outcome*.go).
	// The open statistics (openstats area, opendata.go) read it too.
	Outcomes outcome.Store
	// parliament: the parliamentary answer packs (parliament.go); nil:
	// the page answers not found.
	Parliament *pack.Service
	// Area sso: single sign-on with OpenID Connect (sso.go); nil: off,
	// the login page shows nothing of it.
	SSO *sso.Client
}

// UI is the web interface.
type UI struct {
	Deps
	pages map[string]*template.Template
	// openstats area: the published quarters of the open statistics, kept a while.
	openStats opendata.Cache
}

// New parses the templates once: every templates/<name>.html except the
// layout is a page, rendered inside the layout, with the blocks shared by
// several pages (templates/partials/*.html).
func New(d Deps) (*UI, error) {
	if d.Accounts == nil || d.Orgs == nil || d.Agreements == nil || d.Referrals == nil || d.Outreach == nil ||
		d.Deprivation == nil || d.Births == nil || d.Municipalities == nil || d.Now == nil {
		return nil, errors.New("web: every dependency but Mailing is required")
	}
	ui := &UI{Deps: d, pages: map[string]*template.Template{}}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, file := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(file, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html", file)
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		ui.pages[name] = t
	}
	return ui, nil
}

// Register adds the UI routes to mux.
func (ui *UI) Register(mux httpx.Mux) {
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	mux.HandleFunc("GET /lang/{lang}", ui.switchLanguage)
	mux.HandleFunc("GET /login", ui.showLogin)
	mux.HandleFunc("POST /login", ui.login)
	mux.HandleFunc("POST /logout", ui.signedIn(ui.logout))
	mux.HandleFunc("GET /{$}", ui.signedIn(ui.showHome))
	mux.HandleFunc("GET /municipalities", ui.showMunicipalities)
	mux.HandleFunc("GET /organisations", ui.signedIn(ui.showOrganisations))
	mux.HandleFunc("GET /teams/new", ui.signedIn(ui.showTeamForm))
	mux.HandleFunc("POST /teams", ui.signedIn(ui.createTeam))
	mux.HandleFunc("GET /teams/{key}", ui.signedIn(ui.showTeam))
	mux.HandleFunc("GET /teams/{key}/edit", ui.signedIn(ui.showTeamEdit))
	mux.HandleFunc("POST /teams/{key}", ui.signedIn(ui.updateTeam))
	mux.HandleFunc("GET /clinics/new", ui.signedIn(ui.showClinicForm))
	mux.HandleFunc("POST /clinics", ui.signedIn(ui.createClinic))
	mux.HandleFunc("GET /users", ui.signedIn(ui.showUsers))
	mux.HandleFunc("GET /users/new", ui.signedIn(ui.showUserForm))
	mux.HandleFunc("POST /users", ui.signedIn(ui.createUser))
	mux.HandleFunc("POST /users/{id}/active", ui.signedIn(ui.setUserActive))
	// Identity (issue 10): identity.go.
	mux.HandleFunc("POST /users/{id}/password-reset", ui.signedIn(ui.resetUserPassword))
	mux.HandleFunc("GET /wachtwoord/{secret}", ui.showSetPassword)
	mux.HandleFunc("POST /wachtwoord/{secret}", ui.setPassword)
	mux.HandleFunc("GET /wachtwoord-vergeten", ui.showForgotPassword)
	mux.HandleFunc("POST /wachtwoord-vergeten", ui.requestPasswordReset)
	mux.HandleFunc("GET /account/password", ui.signedIn(ui.showChangePassword))
	mux.HandleFunc("POST /account/password", ui.signedIn(ui.changePassword))
	mux.HandleFunc("GET /service-accounts", ui.signedIn(ui.showServiceAccounts))
	mux.HandleFunc("POST /service-accounts", ui.signedIn(ui.createServiceAccount))
	mux.HandleFunc("POST /service-accounts/{id}/revoke", ui.signedIn(ui.revokeServiceAccount))
	mux.HandleFunc("GET /referrals", ui.signedIn(ui.showReferrals))
	mux.HandleFunc("GET /referrals/new", ui.signedIn(ui.showReferralForm))
	mux.HandleFunc("POST /referrals", ui.signedIn(ui.createReferral))
	mux.HandleFunc("GET /referrals/{id}", ui.signedIn(ui.showReferral))
	mux.HandleFunc("POST /referrals/{id}/consents", ui.signedIn(ui.addReferralConsent))
	mux.HandleFunc("POST /referrals/{id}/send", ui.signedIn(ui.sendReferral))
	mux.HandleFunc("POST /referrals/{id}/withdraw", ui.signedIn(ui.withdrawReferral))
	mux.HandleFunc("GET /referrals/{id}/receipt", ui.signedIn(ui.showReceipt))
	mux.HandleFunc("GET /referrals/{id}/receipt.pdf", ui.signedIn(ui.receiptPDF))
	mux.HandleFunc("GET /ontvangstbewijs", ui.showReceiptStatus)
	mux.HandleFunc("POST /ontvangstbewijs", ui.lookupReceiptStatus)
	mux.HandleFunc("POST /ontvangstbewijs/bewijs", ui.downloadProof)
	mux.HandleFunc("GET /inbox", ui.signedIn(ui.showInbox))
	mux.HandleFunc("GET /inbox/{id}", ui.signedIn(ui.showInboxReferral))
	mux.HandleFunc("POST /inbox/{id}/contact-attempts", ui.signedIn(ui.addContactAttempt))
	mux.HandleFunc("POST /inbox/{id}/outcome", ui.signedIn(ui.setReferralOutcome))
	mux.HandleFunc("GET /agreements", ui.signedIn(ui.showAgreements))
	mux.HandleFunc("GET /agreements/new", ui.signedIn(ui.showAgreementForm))
	mux.HandleFunc("POST /agreements", ui.signedIn(ui.createAgreement))
	mux.HandleFunc("GET /agreements/{id}", ui.signedIn(ui.showAgreement))
	mux.HandleFunc("POST /agreements/{id}/events", ui.signedIn(ui.addAgreementEvent))
	mux.HandleFunc("POST /agreements/{id}/versions", ui.signedIn(ui.updateAgreementVersion))
	mux.HandleFunc("POST /agreements/{id}/versions/{v}/approve", ui.signedIn(ui.decideAgreementVersion))
	mux.HandleFunc("POST /agreements/{id}/versions/{v}/reject", ui.signedIn(ui.decideAgreementVersion))
	mux.HandleFunc("POST /agreements/{id}/documents", ui.signedIn(ui.uploadAgreementDocument))
	mux.HandleFunc("GET /agreements/{id}/documents/{doc}", ui.signedIn(ui.downloadAgreementDocument))
	mux.HandleFunc("GET /agreements/{id}/pdf/{doc}", ui.signedIn(ui.generatedDocument))
	mux.HandleFunc("POST /agreements/{id}/carry-over", ui.signedIn(ui.carryOver))
	mux.HandleFunc("GET /mergers", ui.signedIn(ui.showMergers))
	mux.HandleFunc("GET /reports/agreements", ui.signedIn(ui.showAgreementReport))
	mux.HandleFunc("GET /reports/agreements/map.svg", ui.agreementMap)
	mux.HandleFunc("GET /reports/agreements/timeline.svg", ui.agreementTimeline)
	mux.HandleFunc("GET /register", ui.showRegister)
	// funnel: the outreach report, its charts alone.
	mux.HandleFunc("GET /reports/outreach", ui.signedIn(ui.showFunnel))
	mux.HandleFunc("GET /reports/outreach/stages.svg", ui.signedIn(ui.funnelStagesSVG))
	mux.HandleFunc("GET /reports/outreach/funnel.svg", ui.signedIn(ui.funnelFunnelSVG))
	// outreach pages (outreach*.go)
	ui.registerOutreach(mux)
	// Area mailing: outreach mailings (mailing.go).
	mux.HandleFunc("GET /outreach/mailing", ui.signedIn(ui.showMailing))
	mux.HandleFunc("POST /outreach/mailing", ui.signedIn(ui.postMailing))
	// Factsheet area: the deprivation index and the factsheet per local government.
	mux.HandleFunc("GET /outreach/deprivation", ui.signedIn(ui.showDeprivation))
	mux.HandleFunc("POST /outreach/deprivation", ui.signedInUpload(deprivation.MaxUpload, ui.importDeprivation))
	mux.HandleFunc("GET /outreach/municipalities/{nis}/factsheet", ui.signedIn(ui.showFactsheet))
	mux.HandleFunc("GET /outreach/municipalities/{nis}/factsheet.pdf", ui.signedIn(ui.factsheetPDF))
	// births_ui: birth notifications from maternity clinics (births.go, births_report.go).
	mux.HandleFunc("GET /births", ui.signedIn(ui.showBirths))
	mux.HandleFunc("GET /births/new", ui.signedIn(ui.showBirthForm))
	mux.HandleFunc("POST /births", ui.signedIn(ui.createBirth))
	mux.HandleFunc("GET /births/upload", ui.signedIn(ui.showBirthUpload))
	mux.HandleFunc("POST /births/upload", ui.signedInUpload(birth.MaxBatchBytes, ui.uploadBirths))
	mux.HandleFunc("GET /births/template.csv", ui.signedIn(ui.birthTemplate))
	mux.HandleFunc("GET /births/{id}", ui.signedIn(ui.showBirth))
	mux.HandleFunc("POST /births/{id}/contacts", ui.signedIn(ui.recordBirthContact))
	mux.HandleFunc("POST /births/{id}/merge", ui.signedIn(ui.mergeBirth))
	mux.HandleFunc("POST /births/{id}/referral", ui.signedIn(ui.startBirthReferral))
	mux.HandleFunc("GET /reports/births", ui.signedIn(ui.showBirthStatistics))
	mux.HandleFunc("GET /birth-notifications", ui.birthsLink)
	// referrals: closing a case asks for confirmation first.
	mux.HandleFunc("GET /inbox/{id}/close", ui.signedIn(ui.confirmCloseReferral))
	// DPO area: the audit console and break-glass access (dpo.go).
	ui.registerDPO(mux)
	// Area gdpr: requests of families, the record of processing activities (gdpr.go).
	ui.registerGDPR(mux)
	// Area outcome: the outcome dashboards (outcome.go).
	mux.HandleFunc("GET /reports/outcomes", ui.signedIn(ui.showOutcomes))
	// openstats area: the open statistics, public (opendata.go).
	mux.HandleFunc("GET /statistieken", ui.showStatistics)
	mux.HandleFunc("GET /statistieken/chart.svg", ui.statisticsChart)
	// parliament: the parliamentary answer packs (parliament.go).
	mux.HandleFunc("GET /reports/parliament", ui.signedIn(ui.showParliament))
	mux.HandleFunc("POST /reports/parliament", ui.signedIn(ui.makeParliamentPack))
	// listui: the outreach contacts' own list (outreach_contacts.go).
	mux.HandleFunc("GET /outreach/contacts", ui.signedIn(ui.showOutreachContacts))
	// Area underreferral: where families are missed (underreferral.go).
	mux.HandleFunc("GET /reports/under-referral", ui.signedIn(ui.showUnderReferral))
	// Area sso: single sign-on with OpenID Connect (sso.go).
	mux.HandleFunc("GET /auth/oidc/start", ui.ssoStart)
	mux.HandleFunc("GET /auth/oidc/callback", ui.ssoCallback)
	mux.HandleFunc("POST /users/sso-pending/{id}/assign", ui.signedIn(ui.ssoAssign))
	mux.HandleFunc("/", ui.notFound)
}

func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}

// Page is what every template receives.
type Page struct {
	Lang  i18n.Lang
	Actor *account.Actor
	CSRF  string
	Title string // translation key
	Path  string
	// RequestURI is the path with its query, for the language switch.
	RequestURI string
	Nav        []NavItem
	Flash      string // translation key
	Error      string // translated error message
	ErrKey     string
	Field      string // field the error is about
	Data       any
	Form       url.Values
	Now        time.Time
	Version    string
	// Errors are the problems of a submitted form (forms.go): the
	// summary above it and the message next to each field.
	Errors formErrors
	// Area sso: single sign-on is configured (the login page offers it).
	SSO bool
	// Area ops: why signing in cannot work on this connection (translated; transport.go).
	LoginTransport string
}

// NavItem is one entry of the role-dependent navigation.
type NavItem struct {
	Href, Key string
	Current   bool
}

// nav returns the navigation for the actor's role.
func nav(a *account.Actor, path string) []NavItem {
	items := []NavItem{{"/", "nav.home", false}, {"/municipalities", "nav.municipalities", false}}
	if a == nil {
		items = []NavItem{{"/register", "nav.register", false}, {"/municipalities", "nav.municipalities", false}, {"/login", "nav.login", false}}
	} else {
		if a.Role != account.Clinic {
			items = append(items, NavItem{"/agreements", "nav.agreements", false}, NavItem{"/reports/agreements", "nav.report", false})
		}
		items = append(items, NavItem{"/organisations", "nav.organisations", false})
		if a.Can(account.ManageUsers) {
			items = append(items, NavItem{"/users", "nav.users", false})
		}
		if a.Can(account.ManageServiceAccounts) {
			items = append(items, NavItem{"/service-accounts", "identity.nav.service_accounts", false})
		}
		// outreach pages: admins, analysts and the local teams
		if outreachNav(a) {
			items = append(items, NavItem{"/outreach", "nav.outreach", false})
		}
		switch a.Role {
		case account.TeamWorker, account.TeamLead:
			items = append(items, NavItem{"/referrals", "nav.referrals", false})
		case account.OCMWWorker:
			items = append(items, NavItem{"/inbox", "nav.inbox", false})
		}
		// births_ui: birth notifications; Opgroeien's figures for analysts
		// (admins reach them from /births).
		switch a.Role {
		case account.Clinic, account.TeamWorker, account.TeamLead, account.Admin:
			items = append(items, NavItem{"/births", "births_ui.nav", false})
		case account.Analyst:
			items = append(items, NavItem{"/reports/births", "births_ui.nav_report", false})
		}
		// DPO area: the access log for the DPO, break-glass for admins.
		switch a.Role {
		case account.DPO:
			items = append(items, NavItem{"/audit", "dpo.nav.audit", false})
		case account.Admin:
			items = append(items, NavItem{"/break-glass", "dpo.nav.break_glass", false})
		}
		items = gdprNav(a, items) // area gdpr
		// Area outcome: the outcome dashboards.
		items = outcomeNav(a, items)
		// parliament: the answer packs, for who makes them.
		if parliament.CanMake(*a) {
			items = append(items, NavItem{"/reports/parliament", "parliament.nav", false})
		}
		// area underreferral: where families are missed
		items = underReferralNav(a, items)
	}
	for i := range items {
		items[i].Current = items[i].Href == path || (items[i].Href != "/" && strings.HasPrefix(path, items[i].Href))
	}
	return items
}

// handlerFunc is a handler for a signed-in user.
type handlerFunc func(w http.ResponseWriter, r *http.Request, a account.Actor)

// signedIn requires a session; anonymous users go to the login page, and
// every POST must carry the session's CSRF token.
func (ui *UI) signedIn(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, ok := httpx.Actor(r)
		if !ok || a.Via != "session" {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			ui.renderError(w, r, http.StatusUnauthorized, "error.unauthorized")
			return
		}
		if r.Method == http.MethodPost {
			var err error
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
				err = r.ParseMultipartForm(maxUpload)
			} else {
				r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
				err = r.ParseForm()
			}
			if err != nil {
				ui.renderError(w, r, http.StatusRequestEntityTooLarge, "error.body_too_large")
				return
			}
			if tok := r.PostForm.Get("csrf"); tok == "" || tok != httpx.CSRF(r) {
				ui.renderError(w, r, http.StatusForbidden, "error.csrf")
				return
			}
			if err := httpx.CheckForm(r); err != nil {
				ui.fail(w, r, err) // a control character in a field: 400 invalid_text
				return
			}
		}
		h(w, r, a)
	}
}

func (ui *UI) page(r *http.Request, title string, data any) *Page {
	p := &Page{Lang: i18n.FromRequest(r), Title: title, Path: r.URL.Path, Data: data, CSRF: httpx.CSRF(r), Now: ui.Now()}
	if r.Method == http.MethodGet {
		p.RequestURI = r.URL.RequestURI()
	} else {
		p.RequestURI = r.URL.Path
	}
	if a, ok := httpx.Actor(r); ok && a.Via == "session" {
		p.Actor = &a
	}
	p.Nav = nav(p.Actor, r.URL.Path)
	p.SSO = ui.SSO != nil // area sso
	if f := r.URL.Query().Get("ok"); f != "" && i18n.Has(i18n.NL, "flash."+f) {
		p.Flash = "flash." + f
	}
	return p
}

// withError puts a user-facing error onto the page; internal errors are
// logged and shown as a generic message with the request id.
func (p *Page) withError(r *http.Request, err error) *Page {
	if e, ok := apperr.As(err); ok {
		key := e.Key
		if key == "" {
			key = "error." + e.Code
		}
		p.ErrKey, p.Field = key, e.Field
		p.Error = i18n.T(p.Lang, key, e.Args)
		if p.Error == key {
			p.Error = e.Message
		}
		return p
	}
	slog.Error("internal error", "error", err, slog.Group("request", "method", r.Method, "path", r.URL.Path, "id", httpx.RequestID(r)))
	p.Error = i18n.T(p.Lang, "error.internal", map[string]any{"ID": httpx.RequestID(r)})
	return p
}

func (ui *UI) render(w http.ResponseWriter, status int, name string, p *Page) {
	var buf bytes.Buffer
	if err := ui.pages[name].Execute(&buf, p); err != nil {
		slog.Error("render template", "template", name, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

func (ui *UI) renderError(w http.ResponseWriter, r *http.Request, status int, key string) {
	p := ui.page(r, "page.error.title", nil)
	p.ErrKey = key
	p.Error = i18n.T(p.Lang, key, nil)
	ui.render(w, status, "error", p)
}

// fail renders err on an error page with the status of its code.
func (ui *UI) fail(w http.ResponseWriter, r *http.Request, err error) {
	p := ui.page(r, "page.error.title", nil).withError(r, err)
	ui.render(w, httpx.Status(apperr.Code(err)), "error", p)
}

func (ui *UI) notFound(w http.ResponseWriter, r *http.Request) {
	ui.renderError(w, r, http.StatusNotFound, "error.page_not_found")
}

func (ui *UI) switchLanguage(w http.ResponseWriter, r *http.Request) {
	lang, _ := i18n.ParsePublic(r.PathValue("lang")) // staff pages read any but en as Dutch
	httpx.SetCookie(w, r, &http.Cookie{Name: "lang", Value: string(lang), MaxAge: 365 * 24 * 3600})
	http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
}

var brussels = func() *time.Location {
	l, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return l
}()

var funcs = template.FuncMap{
	"t": func(lang i18n.Lang, key string, kv ...any) string {
		var args map[string]any
		if len(kv) > 0 {
			args = map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				args[fmt.Sprint(kv[i])] = kv[i+1]
			}
		}
		return i18n.T(lang, key, args)
	},
	// date shows a calendar date as dd-mm-yyyy (Belgian usage).
	"date": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			if v.IsZero() {
				return ""
			}
			return v.Format("02-01-2006")
		case *time.Time:
			if v == nil {
				return ""
			}
			return v.Format("02-01-2006")
		}
		return ""
	},
	// datetime shows a moment in Brussels time.
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(brussels).Format("02-01-2006 15:04")
	},
	"iso": func(t time.Time) string { return t.Format(time.DateOnly) },
	// listArgs passes the page, a list's navigation and a label key (the
	// search box's label or a column's) to the partials of lists.html;
	// colArgs adds a column's sort key.
	"listArgs": func(p *Page, n ListNav, label string) map[string]any {
		return map[string]any{"Page": p, "Nav": n, "Label": label}
	},
	"colArgs": func(p *Page, n ListNav, key, label string) map[string]any {
		return map[string]any{"Page": p, "Nav": n, "Key": key, "Label": label}
	},
	"contains": func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	},
	"roleKey":   func(r account.Role) string { return "role." + string(r) },
	"kindKey":   func(k account.OrgKind) string { return "kind." + string(k) },
	"statusKey": func(s agreement.Status) string { return "agreement.status." + string(s) },
	"str":       func(v any) string { return fmt.Sprint(v) },
	"otherLang": func(l i18n.Lang) i18n.Lang {
		if l == i18n.EN {
			return i18n.NL
		}
		return i18n.EN
	},
}

// today returns today's date in Brussels as UTC midnight.
func (ui *UI) today() time.Time {
	y, m, d := ui.Now().In(brussels).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
