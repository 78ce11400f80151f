// Package api is the JSON API under /api/v1: thin handlers over the same
// domain stores as the web UI, errors as {"error": {"code", "message"}},
// and the OpenAPI document that describes every route.
package api

import (
	"net/http"
	"strconv"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/birth"
	"kansrijk/internal/breakglass"
	"kansrijk/internal/deprivation"
	"kansrijk/internal/gdpr"
	"kansrijk/internal/httpx"
	"kansrijk/internal/mailing"
	"kansrijk/internal/municipality"
	"kansrijk/internal/org"
	"kansrijk/internal/outcome"
	"kansrijk/internal/outreach"
	"kansrijk/internal/parliament"
	"kansrijk/internal/parliament/pack"
	"kansrijk/internal/referral"
)

// API holds the dependencies of the handlers.
type API struct {
	Accounts       account.Store
	Orgs           org.Store
	Agreements     agreement.Store
	Referrals      referral.Store
	Outreach       outreach.Store
	Notices        NoticeStore      // webhooks; nil: Orgs, if it implements NoticeStore
	Mailing        *mailing.Service // outreach mailings; nil: none
	Births         birth.Store      // births: birth notifications of maternity clinics
	Municipalities *municipality.Registry
	Now            func() time.Time
	// Factsheet area: the deprivation index.
	Deprivation deprivation.Store
	// DPO area: the data protection officer's console and break-glass
	// access (dpo.go). Flags nil: audit.DefaultFlagConfig; BreakGlassTTL
	// 0: breakglass.DefaultTTL.
	Audit         audit.Console
	BreakGlass    breakglass.Store
	Flags         *audit.FlagConfig
	BreakGlassTTL time.Duration
	// Area gdpr: requests of families and the record of processing
	// activities (gdpr.go); GDPRConfig nil: gdpr.DefaultConfig.
	GDPR       gdpr.Store
	GDPRConfig *gdpr.Config
	// The family's view: proofs of the audit log; nil: none yet.
	AuditProofs audit.Proofs
	// AuditLog serves the public proofs of the access log (auditlog.go);
	// nil: none yet.
	AuditLog AuditLog
	// Area outcome: referral outcome cells for the dashboards (outcome*.go).
	Outcomes outcome.Store
	// openstats area: answers of the open statistics kept for a while
	// (opendata.go); the open statistics read Outcomes.
	openStatsCache openStatsCache
	// parliament: the parliamentary answer packs (parliament.go); nil:
	// the routes answer not_found.
	Parliament *pack.Service

	routes []Route
}

// Route is one registered API route, as "METHOD /path/{param}".
type Route struct{ Method, Path string }

type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Register adds every API route to mux.
func (a *API) Register(mux httpx.Mux) {
	a.handle(mux, "GET", "/api/v1/openapi.json", a.openAPI)
	a.handle(mux, "GET", "/api/v1/me", a.me)
	a.handle(mux, "GET", "/api/v1/municipalities", a.listMunicipalities)
	a.handle(mux, "GET", "/api/v1/organisations", a.listOrganisations)
	a.handle(mux, "GET", "/api/v1/teams", a.listTeams)
	a.handle(mux, "POST", "/api/v1/teams", a.createTeam)
	a.handle(mux, "GET", "/api/v1/teams/{key}", a.getTeam)
	a.handle(mux, "PATCH", "/api/v1/teams/{key}", a.updateTeam)
	a.handle(mux, "POST", "/api/v1/clinics", a.createClinic)
	a.handle(mux, "PUT", "/api/v1/organisations/{key}/webhook", a.putWebhook)
	a.handle(mux, "DELETE", "/api/v1/organisations/{key}/webhook", a.deleteWebhook)
	a.handle(mux, "PUT", "/api/v1/organisations/{key}/inbox-email", a.putInboxEmail)
	a.handle(mux, "GET", "/api/v1/users", a.listUsers)
	a.handle(mux, "POST", "/api/v1/users", a.createUser)
	a.handle(mux, "POST", "/api/v1/tokens", a.createToken)
	a.handle(mux, "GET", "/api/v1/tokens", a.listTokens)
	a.handle(mux, "DELETE", "/api/v1/tokens/{id}", a.revokeToken)
	// Identity (issue 10): identity.go.
	a.handle(mux, "POST", "/api/v1/users/{id}/password-reset", a.resetPassword)
	a.handle(mux, "PUT", "/api/v1/me/password", a.changeOwnPassword)
	a.handle(mux, "POST", "/api/v1/service-accounts", a.createServiceAccount)
	a.handle(mux, "GET", "/api/v1/service-accounts", a.listServiceAccounts)
	// Area totp: an admin resets a user's second factor (totp.go).
	a.handle(mux, "POST", "/api/v1/users/{id}/second-factor-reset", a.resetSecondFactor)
	a.handle(mux, "POST", "/api/v1/service-accounts/{id}/tokens", a.createServiceToken)
	a.handle(mux, "DELETE", "/api/v1/service-accounts/{id}", a.revokeServiceAccount)
	a.handle(mux, "POST", "/api/v1/agreements", a.createAgreement)
	a.handle(mux, "GET", "/api/v1/agreements", a.listAgreements)
	a.handle(mux, "GET", "/api/v1/agreements/{id}", a.getAgreement)
	a.handle(mux, "POST", "/api/v1/agreements/{id}/events", a.addAgreementEvent)
	a.handle(mux, "POST", "/api/v1/agreements/{id}/versions", a.updateAgreementVersion)
	a.handle(mux, "GET", "/api/v1/agreements/{id}/versions/{v}", a.getAgreementVersion)
	a.handle(mux, "POST", "/api/v1/agreements/{id}/versions/{v}/approve", a.approveAgreementVersion)
	a.handle(mux, "POST", "/api/v1/agreements/{id}/versions/{v}/reject", a.rejectAgreementVersion)
	a.handle(mux, "POST", "/api/v1/agreements/{id}/documents", a.uploadAgreementDocument)
	a.handle(mux, "GET", "/api/v1/agreements/{id}/documents/{doc}", a.downloadAgreementDocument)
	a.handle(mux, "POST", "/api/v1/agreements/{id}/carry-over", a.carryOverAgreement)
	a.handle(mux, "GET", "/api/v1/gate", a.gate)
	a.handle(mux, "GET", "/api/v1/reports/agreements", a.agreementReport)
	a.handle(mux, "GET", "/api/v1/public/agreements", a.publicAgreements)
	a.handle(mux, "POST", "/api/v1/public/access-log", a.familyAccessLog)
	a.handle(mux, "POST", "/api/v1/referrals", a.createReferral)
	a.handle(mux, "GET", "/api/v1/referrals", a.listReferrals)
	a.handle(mux, "GET", "/api/v1/referrals/{id}", a.getReferral)
	a.handle(mux, "POST", "/api/v1/referrals/{id}/consents", a.addConsent)
	a.handle(mux, "POST", "/api/v1/referrals/{id}/send", a.sendReferral)
	a.handle(mux, "POST", "/api/v1/referrals/{id}/withdraw", a.withdrawReferral)
	a.handle(mux, "POST", "/api/v1/referrals/{id}/contact-attempts", a.addContactAttempt)
	a.handle(mux, "POST", "/api/v1/referrals/{id}/outcome", a.setOutcome)
	a.handle(mux, "GET", "/api/v1/inbox", a.inbox)
	a.handle(mux, "GET", "/api/v1/outreach/contacts", a.listContacts)
	a.handle(mux, "POST", "/api/v1/outreach/contacts", a.createContact)
	a.handle(mux, "PATCH", "/api/v1/outreach/contacts/{id}", a.updateContact)
	a.handle(mux, "DELETE", "/api/v1/outreach/contacts/{id}", a.deleteContact)
	a.handle(mux, "GET", "/api/v1/outreach/campaigns", a.listCampaigns)
	a.handle(mux, "POST", "/api/v1/outreach/campaigns", a.createCampaign)
	a.handle(mux, "GET", "/api/v1/outreach/campaigns/{id}", a.getCampaign)
	a.handle(mux, "POST", "/api/v1/outreach/campaigns/{id}/attendance", a.importAttendance)
	a.handle(mux, "GET", "/api/v1/outreach/contact-moments", a.listContactMoments)
	a.handle(mux, "POST", "/api/v1/outreach/contact-moments", a.createContactMoment)
	a.handle(mux, "GET", "/api/v1/outreach/tasks", a.listTasks)
	a.handle(mux, "POST", "/api/v1/outreach/tasks", a.createTask)
	a.handle(mux, "PATCH", "/api/v1/outreach/tasks/{id}", a.updateTask)
	a.handle(mux, "GET", "/api/v1/reports/outreach", a.outreachReport)
	// outreach pages area: the target list
	a.handle(mux, "GET", "/api/v1/outreach/targets", a.outreachTargets)
	a.handle(mux, "GET", "/api/v1/reports/missed-referrals", a.missedReferrals)
	// funnel: the stage counts over time.
	a.handle(mux, "GET", "/api/v1/reports/outreach/series", a.outreachSeries)
	// Area mailing: outreach mailings (mailing.go).
	a.handle(mux, "GET", "/api/v1/outreach/mailings/templates", a.mailingTemplates)
	a.handle(mux, "POST", "/api/v1/outreach/mailings/preview", a.previewMailing)
	a.handle(mux, "POST", "/api/v1/outreach/mailings/test", a.testMailing)
	a.handle(mux, "POST", "/api/v1/outreach/mailings", a.sendMailing)
	a.handle(mux, "GET", "/api/v1/outreach/mailings", a.listMailings)
	// births: birth notifications of maternity clinics.
	a.handle(mux, "POST", "/api/v1/birth-notifications", a.createBirthNotification)
	a.handle(mux, "GET", "/api/v1/birth-notifications", a.listBirthNotifications)
	a.handle(mux, "POST", "/api/v1/birth-notifications/batches", a.importBirthBatch)
	a.handle(mux, "GET", "/api/v1/birth-notifications/{id}", a.getBirthNotification)
	a.handle(mux, "POST", "/api/v1/birth-notifications/{id}/contacts", a.recordBirthContact)
	a.handle(mux, "POST", "/api/v1/birth-notifications/{id}/merge", a.mergeBirthNotification)
	a.handle(mux, "POST", "/api/v1/birth-notifications/{id}/referral", a.startReferralFromBirth)
	a.handle(mux, "GET", "/api/v1/reports/birth-notifications", a.birthReport)
	// Factsheet area: the deprivation index.
	a.handle(mux, "POST", "/api/v1/deprivation-index", a.importDeprivationIndex)
	a.handle(mux, "GET", "/api/v1/deprivation-index", a.getDeprivationIndex)
	// DPO area: the audit console and break-glass access (dpo.go).
	a.registerDPO(mux)
	// Area gdpr: requests of families, the record of processing activities (gdpr.go).
	a.handle(mux, "GET", "/api/v1/subject-requests", a.listSubjectRequests)
	a.handle(mux, "POST", "/api/v1/subject-requests", a.createSubjectRequest)
	a.handle(mux, "GET", "/api/v1/subject-requests/{id}", a.getSubjectRequest)
	a.handle(mux, "GET", "/api/v1/subject-requests/{id}/export.json", a.exportSubjectRequestJSON)
	a.handle(mux, "GET", "/api/v1/subject-requests/{id}/export.pdf", a.exportSubjectRequestPDF)
	a.handle(mux, "POST", "/api/v1/subject-requests/{id}/rectifications", a.addRectification)
	a.handle(mux, "POST", "/api/v1/subject-requests/{id}/objections", a.addObjection)
	a.handle(mux, "POST", "/api/v1/subject-requests/{id}/answer", a.answerSubjectRequest)
	a.handle(mux, "GET", "/api/v1/processing-record", a.processingRecord)
	// The verifiable access log's public proofs (auditlog.go).
	a.handle(mux, "GET", "/api/v1/audit/checkpoints/latest", a.auditCheckpoint)
	a.handle(mux, "GET", "/api/v1/audit/proof/inclusion", a.auditInclusionProof)
	a.handle(mux, "GET", "/api/v1/audit/proof/consistency", a.auditConsistencyProof)
	// Area outcome: the outcome dashboards (outcome.go).
	a.handle(mux, "GET", "/api/v1/reports/outcomes", a.outcomes)
	// openstats area: the open statistics, anonymous (opendata.go).
	a.handle(mux, "GET", "/api/v1/public/statistics", a.publicStatistics)
	a.handle(mux, "GET", "/api/v1/public/statistics/schema.json", a.publicStatisticsSchema)
	a.handle(mux, "GET", "/api/v1/public/statistics/dcat.jsonld", a.publicStatisticsDCAT)
	// parliament: the parliamentary answer packs (parliament.go).
	a.handle(mux, "POST", "/api/v1/reports/parliament-packs", a.createParliamentPack)
	a.handle(mux, "GET", "/api/v1/reports/parliament-packs", a.listParliamentPacks)
	a.handle(mux, "GET", "/api/v1/reports/parliament-packs/{id}/pdf", a.parliamentPackFile(parliament.PDF))
	a.handle(mux, "GET", "/api/v1/reports/parliament-packs/{id}/csv", a.parliamentPackFile(parliament.CSV))
	a.handle(mux, "GET", "/api/v1/reports/parliament-packs/{id}/xlsx", a.parliamentPackFile(parliament.XLSX))
	// Area underreferral: where families are missed (underreferral.go).
	a.handle(mux, "GET", "/api/v1/reports/under-referral", a.underReferral)
	// Anything else under /api/v1 answers in JSON, not with the web UI's 404 page.
	mux.HandleFunc("/api/v1/", func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteError(w, r, apperr.New(apperr.NotFound, "no such endpoint: %s %s", r.Method, r.URL.Path))
	})
}

// Routes returns the registered routes (for the OpenAPI completeness test).
func (a *API) Routes() []Route { return a.routes }

func (a *API) handle(mux httpx.Mux, method, path string, h handlerFunc) {
	a.routes = append(a.routes, Route{method, path})
	mux.HandleFunc(method+" "+path, func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			httpx.WriteError(w, r, err)
		}
	})
}

// caller returns the authenticated actor or an unauthorized error.
func caller(r *http.Request) (account.Actor, error) {
	a, ok := httpx.Actor(r)
	if !ok {
		return a, apperr.New(apperr.Unauthorized, "authentication required: send Authorization: Bearer <token>")
	}
	return a, nil
}

// dateParam parses an optional YYYY-MM-DD query parameter; def when absent.
func dateParam(r *http.Request, name string, def time.Time) (time.Time, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	d, err := municipality.ParseDate(s)
	if err != nil {
		return d, apperr.FieldErr(apperr.InvalidDate, name, "%s must be a date YYYY-MM-DD, got %q", name, s)
	}
	return d, nil
}

// today returns the current date in Brussels as a UTC-midnight date.
func (a *API) today() time.Time { return Today(a.Now()) }

// Brussels is the time zone of the users.
var Brussels = mustZone("Europe/Brussels")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}

// Today returns the calendar date of t in Brussels, as UTC midnight.
func Today(t time.Time) time.Time {
	y, m, d := t.In(Brussels).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// pathID parses a positive numeric path parameter; anything else is not_found.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "no such %s", name)
	}
	return id, nil
}

// callerWithID returns the authenticated caller and the {id} path
// parameter, and decodes the JSON body into in when in is not nil: the
// opening lines every handler of an object's sub-resource shares.
func callerWithID(w http.ResponseWriter, r *http.Request, in any) (account.Actor, int64, error) {
	c, err := caller(r)
	if err != nil {
		return c, 0, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return c, 0, err
	}
	if in != nil {
		if err := httpx.DecodeJSON(w, r, in); err != nil {
			return c, 0, err
		}
	}
	return c, id, nil
}
