package api_test

// End-to-end tests of the referral routes through the real server
// (server.New over a fresh database of every backend, bearer tokens made
// with db.CreateUser and db.CreateToken through storetest): the access matrix of every
// referral endpoint × every role × own/other organisation, the OCMW's view
// against golden key lists, the audit of every read, the contract bodies of
// the issue and optimistic concurrency. Every family in here is fictitious.

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/api"
	"kansrijk/internal/audit"
	"kansrijk/internal/org"
	"kansrijk/internal/referral"
	"kansrijk/internal/server"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

var refUpdate = flag.Bool("update", false, "rewrite the golden files in testdata")

// refNow is the fixture's clock: mid 2025, after the municipal mergers.
var refNow = time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)

// The family of the contract (a fictitious name), and its body.
const (
	refParentName  = "An Peeters"
	refParentStr   = "Kerkstraat"
	refParentPhone = "+32470000000"
	refParentMail  = "an@example.org"
	refContract    = `{"municipality_nis": "13016", "parents": [{"name": "An Peeters", "street": "Kerkstraat", "number": "12", "box": "", "postcode": "2235", "municipality_nis": "13016", "phone": "+32470000000", "email": "an@example.org"}], "criteria": ["income", "education", "employment"], "needs": ["income_support"]}`
	refConsent     = `{"parent": 0, "informed": ["data", "recipient", "purpose", "processing", "expectations"], "method": "verbal"}`
)

// refPII is the family's personal data: never in a denied answer.
var refPII = []string{refParentName, refParentStr, refParentPhone, refParentMail}

// refAssessment is Kind en Gezin's assessment of the contract family:
// never anywhere in an answer to the OCMW side.
var refAssessment = []string{"income", "education", "employment", "income_support"}

// refOCMWForbiddenKeys never appear, at any depth, in an OCMW-side answer.
var refOCMWForbiddenKeys = []string{"criteria", "needs", "consents", "receipt_code", "created_by", "team"}

// refUser is a user of the fixture with an API token.
type refUser struct {
	Label, Email, Role, Org string
	Kind                    account.OrgKind
	Token                   string
}

// refUsers: every role, at the referral's own organisation (team-noord,
// the receiving OCMW of Hulshout) and at another one (team-zuid, the OCMW
// of Antwerpen, another clinic). Admin and analyst exist only at Opgroeien;
// a DPO also at Opgroeien.
var refUsers = []refUser{
	{Label: "admin", Role: "admin", Org: "opgroeien", Kind: account.KindOpgroeien},
	{Label: "analyst", Role: "analyst", Org: "opgroeien", Kind: account.KindOpgroeien},
	{Label: "dpo/opgroeien", Role: "dpo", Org: "opgroeien", Kind: account.KindOpgroeien},
	{Label: "team_lead/own", Role: "team_lead", Org: "team-noord", Kind: account.KindTeam},
	{Label: "team_lead/other", Role: "team_lead", Org: "team-zuid", Kind: account.KindTeam},
	{Label: "team_worker/own", Role: "team_worker", Org: "team-noord", Kind: account.KindTeam},
	{Label: "team_worker/other", Role: "team_worker", Org: "team-zuid", Kind: account.KindTeam},
	{Label: "ocmw_worker/own", Role: "ocmw_worker", Org: "ocmw-13016", Kind: account.KindOCMW},
	{Label: "ocmw_worker/other", Role: "ocmw_worker", Org: "ocmw-11002", Kind: account.KindOCMW},
	{Label: "ocmw_admin/own", Role: "ocmw_admin", Org: "ocmw-13016", Kind: account.KindOCMW},
	{Label: "ocmw_admin/other", Role: "ocmw_admin", Org: "ocmw-11002", Kind: account.KindOCMW},
	{Label: "dpo/own", Role: "dpo", Org: "ocmw-13016", Kind: account.KindOCMW},
	{Label: "dpo/other", Role: "dpo", Org: "ocmw-11002", Kind: account.KindOCMW},
	{Label: "clinic/own", Role: "clinic", Org: "clinic-zonnedal", Kind: account.KindClinic},
	{Label: "clinic/other", Role: "clinic", Org: "clinic-maanhof", Kind: account.KindClinic},
	// A second worker of the receiving OCMW (concurrency; not in the matrix).
	{Label: "ocmw_worker/own2", Role: "ocmw_worker", Org: "ocmw-13016", Kind: account.KindOCMW},
}

type refFixture struct {
	db    *store.DB
	srv   *server.Server
	doc   *openapi3.T
	users map[string]*refUser
	// agreement is the agreement team-noord / Hulshout in force.
	agreement int64
}

// newRefFixture builds team-noord (Hulshout 13016, Heist-op-den-Berg
// 12014, Herselt 13013; an agreement in force for Hulshout only) and
// team-zuid (Antwerpen 11002 since 2025, with an agreement in force), two
// clinics, and a user with a token for every entry of refUsers.
func newRefFixture(t *testing.T, db *store.DB) *refFixture {
	t.Helper()
	ctx := context.Background()
	db.Now = func() time.Time { return refNow }
	sys := account.System("test")
	buildTeams(t, db)
	for key, name := range map[string]string{"clinic-zonnedal": "Kraamkliniek Zonnedal", "clinic-maanhof": "Kraamkliniek Maanhof"} {
		if _, err := db.CreateClinic(ctx, sys, org.NewClinic{Key: key, Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := server.New(db)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPIDocument)
	if err != nil {
		t.Fatalf("load openapi.json: %v", err)
	}
	f := &refFixture{db: db, srv: srv, doc: doc, users: map[string]*refUser{}}
	specs := make([]storetest.U, len(refUsers))
	for i, u := range refUsers {
		specs[i] = storetest.U{Name: u.Label, Role: u.Role, Org: u.Org, FullName: "Test " + u.Label,
			Email: fmt.Sprintf("user%d.%s@example.test", i, strings.ReplaceAll(u.Role, "_", ""))}
	}
	// Every user exists with a token up front: the concurrency test
	// sends from two goroutines at once.
	accounts := storetest.TokenUsers(t, db, "example.test", specs...)
	for _, u := range refUsers {
		u.Email, u.Token = accounts.Email(t, u.Label), accounts.Token(t, u.Label)
		f.users[u.Label] = &u
	}
	f.agreement = refActiveAgreement(t, db, "team-noord", "13016", "2023")
	refActiveAgreement(t, db, "team-zuid", "11002", "2025")
	return f
}

// refActiveAgreement walks an agreement to active in the given year.
func refActiveAgreement(t *testing.T, db *store.DB, team, nis, year string) int64 {
	t.Helper()
	ctx := context.Background()
	sys := account.System("test")
	ag, err := db.CreateAgreement(ctx, sys, agreement.NewAgreement{Team: team, MunicipalityNIS: nis, Status: "draft", EffectiveOn: year + "-01-02"})
	if err != nil {
		t.Fatalf("agreement %s/%s: %v", team, nis, err)
	}
	sigs := func(on string) []agreement.Signature {
		return []agreement.Signature{
			{Function: "administrator_general", Name: "A. Generaal", SignedOn: on},
			{Function: "council_chair", Name: "V. Oorzitter", SignedOn: on},
			{Function: "general_director", Name: "D. Irecteur", SignedOn: on},
		}
	}
	for _, ev := range []agreement.NewEvent{
		{Status: string(agreement.Approved), EffectiveOn: year + "-02-01", CouncilReference: "RMW/" + year + "/17", CouncilDecisionOn: year + "-02-01"},
		{Status: string(agreement.Signed), EffectiveOn: year + "-03-01", Signatures: sigs(year + "-03-01")},
		{Status: string(agreement.Active), EffectiveOn: year + "-04-01"},
	} {
		if _, err := db.AddEvent(ctx, sys, ag.ID, ev); err != nil {
			t.Fatalf("agreement %s/%s to %s: %v", team, nis, ev.Status, err)
		}
	}
	return ag.ID
}

// refResp is a recorded answer.
type refResp struct {
	Code   int
	Header http.Header
	Body   []byte
}

func (r refResp) String() string {
	if len(r.Body) > 800 {
		return fmt.Sprintf("%d %s…", r.Code, r.Body[:800])
	}
	return fmt.Sprintf("%d %s", r.Code, r.Body)
}

// object decodes the answer as a JSON object.
func (r refResp) object(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("answer is not a JSON object: %v\n%s", err, r)
	}
	return v
}

// errCode returns the code of an error answer ("" if none).
func (r refResp) errCode() string {
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if json.Unmarshal(r.Body, &e) != nil || e.Error.Message == "" {
		return ""
	}
	return e.Error.Code
}

// do sends a request as the user with label who ("" for anonymous); body
// "" sends none.
func (f *refFixture) do(t *testing.T, method, target, who, body string) refResp {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	if who != "" {
		u, ok := f.users[who]
		if !ok {
			t.Fatalf("no user %q", who)
		}
		req.Header.Set("Authorization", "Bearer "+u.Token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	return refResp{rec.Code, rec.Result().Header, rec.Body.Bytes()}
}

// must sends a request and fails unless the status is want; the answer
// must match the schema documented for route and status.
func (f *refFixture) must(t *testing.T, method, target, route, who, body string, want int) refResp {
	t.Helper()
	r := f.do(t, method, target, who, body)
	if r.Code != want {
		t.Fatalf("%s %s as %q: %s, want %d", method, target, who, r, want)
	}
	f.checkSchema(t, method, route, r)
	return r
}

// checkSchema checks a JSON answer against the schema documented for its
// route and status.
func (f *refFixture) checkSchema(t *testing.T, method, route string, r refResp) {
	t.Helper()
	item := f.doc.Paths.Value(route)
	if item == nil || item.GetOperation(method) == nil {
		t.Fatalf("%s %s is not documented", method, route)
	}
	resp := item.GetOperation(method).Responses.Status(r.Code)
	if resp == nil || resp.Value == nil {
		t.Errorf("%s %s: status %d is not documented (%s)", method, route, r.Code, r)
		return
	}
	mt := resp.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		t.Errorf("%s %s: status %d has no JSON schema", method, route, r.Code)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s %s: Content-Type %q, want JSON", method, route, ct)
	}
	var v any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("%s %s: not JSON: %v", method, route, err)
	}
	if err := mt.Schema.Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.EnableFormatValidation(), openapi3.MultiErrors()); err != nil {
		t.Errorf("%s %s (%d): the answer does not match the documented schema: %v\n%s", method, route, r.Code, err, r)
	}
}

// The states a referral of team-noord for the contract family is brought
// to through the API.

func (f *refFixture) draft(t *testing.T) int64 {
	t.Helper()
	r := f.must(t, "POST", "/api/v1/referrals", "/api/v1/referrals", "team_worker/own", refContract, http.StatusCreated)
	return int64(r.object(t)["id"].(float64))
}

func (f *refFixture) consented(t *testing.T) int64 {
	t.Helper()
	id := f.draft(t)
	f.must(t, "POST", refPath(id, "consents"), "/api/v1/referrals/{id}/consents", "team_worker/own", refConsent, http.StatusCreated)
	return id
}

func (f *refFixture) sent(t *testing.T) int64 {
	t.Helper()
	id := f.consented(t)
	f.must(t, "POST", refPath(id, "send"), "/api/v1/referrals/{id}/send", "team_worker/own", "", http.StatusOK)
	return id
}

func refPath(id int64, action string) string {
	p := "/api/v1/referrals/" + strconv.FormatInt(id, 10)
	if action != "" {
		p += "/" + action
	}
	return p
}

// refEvents lists the audit events of one referral with an action.
func refEvents(t *testing.T, db *store.DB, id int64, action string) []audit.Event {
	t.Helper()
	evs, err := db.AuditEvents(context.Background(), audit.Filter{Action: action, ObjectType: "referral", ObjectID: strconv.FormatInt(id, 10), Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// refKeys walks a JSON value and calls fn for every object key.
func refKeys(v any, fn func(key string)) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			fn(k)
			refKeys(x, fn)
		}
	case []any:
		for _, x := range v {
			refKeys(x, fn)
		}
	}
}

// checkOCMWSide fails if an answer to the OCMW side holds anything of Kind
// en Gezin's assessment, consent records, receipt code or team.
func checkOCMWSide(t *testing.T, what string, r refResp) {
	t.Helper()
	var v any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Errorf("%s: answer is not JSON: %v", what, err)
		return
	}
	refKeys(v, func(k string) {
		if slices.Contains(refOCMWForbiddenKeys, k) {
			t.Errorf("%s: the OCMW side gets key %q: %s", what, k, r)
		}
	})
	for _, code := range refAssessment {
		if strings.Contains(string(r.Body), code) {
			t.Errorf("%s: the OCMW side gets Kind en Gezin's assessment %q: %s", what, code, r)
		}
	}
}

// checkNoPII fails if the answer holds any of the family's personal data.
func checkNoPII(t *testing.T, what string, r refResp) {
	t.Helper()
	for _, s := range refPII {
		if strings.Contains(string(r.Body), s) {
			t.Errorf("%s: the answer holds the family's %q: %s", what, s, r)
		}
	}
}

// refEndpoint is one referral route of the matrix.
type refEndpoint struct {
	method, route string
	// state prepares the referral (specific routes only) and returns its id.
	state func(f *refFixture, t *testing.T) int64
	body  string
	// allowed gives the status for a user; everything not listed is 404
	// for a specific referral, 403 for the lists and creation.
	allowed map[string]int
}

func (e refEndpoint) specific() bool { return strings.Contains(e.route, "{id}") }

// refMatrix is the table of expected statuses, from the rules: the team's
// workers and lead act on their team's referrals (consent, send,
// withdraw, read); only an OCMW worker of the receiving OCMW reads and
// handles a sent referral (read, contact attempts, outcome); everyone else
// gets 404 for a specific referral and 403 for the lists and creation they
// may not use; anonymous callers get 401 everywhere.
var refMatrix = []refEndpoint{
	{method: "POST", route: "/api/v1/referrals", body: refContract, allowed: map[string]int{
		"team_lead/own": 201, "team_worker/own": 201,
		// Hulshout lies outside team-zuid's area: it must go through team-noord.
		"team_lead/other": 409, "team_worker/other": 409,
	}},
	{method: "GET", route: "/api/v1/referrals", allowed: map[string]int{
		"team_lead/own": 200, "team_worker/own": 200, "team_lead/other": 200, "team_worker/other": 200,
	}},
	{method: "GET", route: "/api/v1/referrals/{id}", state: (*refFixture).sent, allowed: map[string]int{
		"team_lead/own": 200, "team_worker/own": 200, "ocmw_worker/own": 200,
	}},
	{method: "POST", route: "/api/v1/referrals/{id}/consents", state: (*refFixture).draft, body: refConsent, allowed: map[string]int{
		"team_lead/own": 201, "team_worker/own": 201,
	}},
	{method: "POST", route: "/api/v1/referrals/{id}/send", state: (*refFixture).consented, allowed: map[string]int{
		"team_lead/own": 200, "team_worker/own": 200,
	}},
	{method: "POST", route: "/api/v1/referrals/{id}/withdraw", state: (*refFixture).sent, allowed: map[string]int{
		"team_lead/own": 200, "team_worker/own": 200,
	}},
	{method: "POST", route: "/api/v1/referrals/{id}/contact-attempts", state: (*refFixture).sent, body: `{"channel": "phone", "reached": false}`, allowed: map[string]int{
		"ocmw_worker/own": 201,
	}},
	{method: "POST", route: "/api/v1/referrals/{id}/outcome", state: (*refFixture).sent, body: `{"outcome": "declined"}`, allowed: map[string]int{
		"ocmw_worker/own": 200,
	}},
	{method: "GET", route: "/api/v1/inbox", allowed: map[string]int{
		"ocmw_worker/own": 200, "ocmw_worker/other": 200,
	}},
}

func TestReferralAccessMatrix(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newRefFixture(t, db)
		// A sent referral of team-noord to Hulshout, and one of team-zuid
		// to Antwerpen: the lists and inboxes must hold only their own.
		noord := f.sent(t)
		zuidBody := strings.NewReplacer(`"13016"`, `"11002"`, `"2235"`, `"2000"`, refParentName, "Zoë Fictief", refParentStr, "Zuidlaan",
			refParentPhone, "+32470000001", refParentMail, "zoe@example.org").Replace(refContract)
		zr := f.must(t, "POST", "/api/v1/referrals", "/api/v1/referrals", "team_worker/other", zuidBody, 201)
		zuid := int64(zr.object(t)["id"].(float64))
		f.must(t, "POST", refPath(zuid, "consents"), "/api/v1/referrals/{id}/consents", "team_worker/other", refConsent, 201)
		f.must(t, "POST", refPath(zuid, "send"), "/api/v1/referrals/{id}/send", "team_worker/other", "", 200)

		// The answer to a referral that does not exist: every refusal of
		// an existing one must look exactly like it.
		missing := f.must(t, "GET", refPath(999999, ""), "/api/v1/referrals/{id}", "team_worker/own", "", 404)

		labels := []string{""}
		for _, u := range refUsers {
			if u.Label != "ocmw_worker/own2" {
				labels = append(labels, u.Label)
			}
		}
		for _, e := range refMatrix {
			for _, who := range labels {
				name := e.method + " " + e.route + " as " + who
				if who == "" {
					name = e.method + " " + e.route + " anonymous"
				}
				t.Run(name, func(t *testing.T) {
					f.matrixCell(t, e, who, noord, zuid, missing)
				})
			}
		}
	})
}

// matrixCell runs one cell of the access matrix.
func (f *refFixture) matrixCell(t *testing.T, e refEndpoint, who string, noord, zuid int64, missing refResp) {
	var id int64
	target := e.route
	if e.specific() {
		id = e.state(f, t)
		target = strings.Replace(e.route, "{id}", strconv.FormatInt(id, 10), 1)
	}
	want, ok := e.allowed[who]
	switch {
	case who == "":
		want = 401
	case !ok && e.specific():
		want = 404
	case !ok:
		want = 403
	}
	var before refResp
	var denied int
	if e.specific() {
		before = f.must(t, "GET", refPath(id, ""), "/api/v1/referrals/{id}", "team_worker/own", "", 200)
		denied = len(refEvents(t, f.db, id, "referral.access_denied"))
	}

	r := f.do(t, e.method, target, who, e.body)
	if r.Code != want {
		t.Fatalf("%s %s as %q: %s, want %d", e.method, target, who, r, want)
	}
	f.checkSchema(t, e.method, e.route, r)
	u := f.users[who]

	// Forbidden fields: nothing of the assessment on the OCMW side,
	// nothing of the family in any refusal nor for anyone but the team
	// and the receiving OCMW's workers.
	if u != nil && u.Kind == account.KindOCMW {
		checkOCMWSide(t, who, r)
	}
	mayRead := (who == "team_worker/own" || who == "team_lead/own" || who == "ocmw_worker/own") && r.Code < 300
	if !mayRead {
		checkNoPII(t, who, r)
	}
	if r.Code >= 400 {
		code := map[int]string{401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "outside_team_area"}[r.Code]
		if got := r.errCode(); got != code {
			t.Errorf("error code %q, want %q: %s", got, code, r)
		}
	}

	switch {
	case e.specific() && r.Code == 404:
		// Exactly the answer for a referral that does not exist...
		if string(r.Body) != string(missing.Body) {
			t.Errorf("the refusal differs from the answer for a missing referral:\n%s\n%s", r.Body, missing.Body)
		}
		// ... audited as denied, with who it was ...
		evs := refEvents(t, f.db, id, "referral.access_denied")
		if len(evs) != denied+1 {
			t.Fatalf("%d access_denied events after the refusal, want %d", len(evs), denied+1)
		}
		if ev := evs[0]; ev.Outcome != audit.Denied || ev.ActorEmail != u.Email || ev.ActorRole != u.Role || ev.ActorOrg != u.Org {
			t.Errorf("denied event %+v, want outcome denied by %s (%s, %s)", ev, u.Email, u.Role, u.Org)
		}
		// ... and nothing changed.
		after := f.must(t, "GET", refPath(id, ""), "/api/v1/referrals/{id}", "team_worker/own", "", 200)
		if string(after.Body) != string(before.Body) {
			t.Errorf("a refused call changed the referral:\nbefore %s\nafter  %s", before.Body, after.Body)
		}
	case e.specific() && who == "":
		if n := len(refEvents(t, f.db, id, "referral.access_denied")); n != denied {
			t.Errorf("an anonymous call left %d access_denied events, want %d", n, denied)
		}
	case e.route == "/api/v1/referrals" && e.method == "GET" && r.Code == 200:
		var list struct {
			Referrals []struct {
				ID   int64  `json:"id"`
				Team string `json:"team"`
			} `json:"referrals"`
		}
		_ = json.Unmarshal(r.Body, &list)
		ids := []int64{}
		for _, x := range list.Referrals {
			ids = append(ids, x.ID)
			if x.Team != u.Org {
				t.Errorf("%s lists referral %d of %s", who, x.ID, x.Team)
			}
		}
		own, other := noord, zuid
		if u.Org == "team-zuid" {
			own, other = zuid, noord
		}
		if !slices.Contains(ids, own) || slices.Contains(ids, other) {
			t.Errorf("%s lists %v: want %d, not %d", who, ids, own, other)
		}
	case e.route == "/api/v1/inbox" && r.Code == 200:
		var inbox struct {
			Referrals []struct {
				ID int64 `json:"id"`
			} `json:"referrals"`
		}
		_ = json.Unmarshal(r.Body, &inbox)
		ids := []int64{}
		for _, x := range inbox.Referrals {
			ids = append(ids, x.ID)
		}
		own, other := noord, zuid
		if u.Org == "ocmw-11002" {
			own, other = zuid, noord
		}
		if !slices.Contains(ids, own) || slices.Contains(ids, other) {
			t.Errorf("%s's inbox holds %v: want %d, not %d", who, ids, own, other)
		}
	}
}

// A draft is the team's alone: even the receiving OCMW's worker gets 404,
// audited, before it is sent; and a cancelled referral never reaches it.
func TestReferralDraftHiddenFromOCMW(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newRefFixture(t, db)
		draft := f.consented(t)
		cancelled := f.draft(t)
		f.must(t, "POST", refPath(cancelled, "consents"), "/api/v1/referrals/{id}/consents", "team_worker/own", `{"parent": 0, "refused": true}`, 201)
		for _, id := range []int64{draft, cancelled} {
			for _, c := range []struct{ method, action, route, body string }{
				{"GET", "", "/api/v1/referrals/{id}", ""},
				{"POST", "contact-attempts", "/api/v1/referrals/{id}/contact-attempts", `{"channel": "letter"}`},
				{"POST", "outcome", "/api/v1/referrals/{id}/outcome", `{"outcome": "duplicate"}`},
			} {
				n := len(refEvents(t, db, id, "referral.access_denied"))
				r := f.must(t, c.method, refPath(id, c.action), c.route, "ocmw_worker/own", c.body, 404)
				checkNoPII(t, "OCMW on a draft", r)
				checkOCMWSide(t, "OCMW on a draft", r)
				if got := len(refEvents(t, db, id, "referral.access_denied")); got != n+1 {
					t.Errorf("%s %s on %d: %d denied events, want %d", c.method, c.route, id, got, n+1)
				}
			}
		}
		inbox := f.must(t, "GET", "/api/v1/inbox", "/api/v1/inbox", "ocmw_worker/own", "", 200)
		if n := inbox.object(t)["count"].(float64); n != 0 {
			t.Errorf("the inbox holds drafts: %s", inbox)
		}
	})
}

// refGoldenKeys collects the key paths of a JSON object: "key" for the
// top level, "list[].key" for the objects of an array, every element of
// which must have the same keys.
func refGoldenKeys(t *testing.T, obj map[string]any, lists ...string) []string {
	t.Helper()
	var out []string
	for k := range obj {
		out = append(out, k)
	}
	for _, l := range lists {
		items, ok := obj[l].([]any)
		if !ok || len(items) == 0 {
			t.Fatalf("%q is not a non-empty list: %v", l, obj[l])
		}
		var first []string
		for i, it := range items {
			var keys []string
			for k := range it.(map[string]any) {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			if i == 0 {
				first = keys
			} else if !slices.Equal(keys, first) {
				t.Errorf("%s[%d] has keys %v, %s[0] %v", l, i, keys, l, first)
			}
		}
		for _, k := range first {
			out = append(out, l+"[]."+k)
		}
	}
	sort.Strings(out)
	return out
}

// golden compares lines with testdata/name; -update rewrites it.
func golden(t *testing.T, name, header string, lines []string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	got := header + strings.Join(lines, "\n") + "\n"
	if *refUpdate {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/api -run %s -update)", err, t.Name())
	}
	if string(want) != got {
		t.Errorf("%s: the keys changed (after review: go test ./internal/api -update)\n--- want\n%s--- got\n%s", path, want, got)
	}
}

func TestReferralOCMWViewGolden(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newRefFixture(t, db)
		// Two parents, so that the keys of each parent are compared.
		two := strings.Replace(refContract, `}],`, `}, {"name": "Bo Fictief", "street": "Dorpsplein", "number": "3", "box": "b", "postcode": "2235", "phone": "", "email": "bo@example.org"}],`, 1)
		id := int64(f.must(t, "POST", "/api/v1/referrals", "/api/v1/referrals", "team_worker/own", two, 201).object(t)["id"].(float64))
		for _, p := range []string{"0", "1"} {
			f.must(t, "POST", refPath(id, "consents"), "/api/v1/referrals/{id}/consents", "team_worker/own", strings.Replace(refConsent, `"parent": 0`, `"parent": `+p, 1), 201)
		}
		f.must(t, "POST", refPath(id, "send"), "/api/v1/referrals/{id}/send", "team_worker/own", "", 200)

		first := f.must(t, "GET", refPath(id, ""), "/api/v1/referrals/{id}", "ocmw_worker/own", "", 200)
		checkOCMWSide(t, "first read", first)
		f.must(t, "POST", refPath(id, "contact-attempts"), "/api/v1/referrals/{id}/contact-attempts", "ocmw_worker/own", `{"channel": "home_visit"}`, 201)
		r := f.must(t, "GET", refPath(id, ""), "/api/v1/referrals/{id}", "ocmw_worker/own", "", 200)
		checkOCMWSide(t, "read", r)
		obj := r.object(t)
		keys := refGoldenKeys(t, obj, "parents", "contact_attempts")
		golden(t, "ocmw_referral_keys.golden", "# GET /api/v1/referrals/{id} as the receiving OCMW worker: every key it may see.\n", keys)
		// The first read (no contact attempt yet) has the same top-level keys.
		fo := first.object(t)
		var top, firstTop []string
		for _, k := range keys {
			if !strings.Contains(k, "[]") {
				top = append(top, k)
			}
		}
		for k := range fo {
			firstTop = append(firstTop, k)
		}
		sort.Strings(firstTop)
		if !slices.Equal(top, firstTop) {
			t.Errorf("first read keys %v, want %v", firstTop, top)
		}
		if n := len(obj["parents"].([]any)); n != 2 {
			t.Errorf("%d parents, want 2", n)
		}

		inbox := f.must(t, "GET", "/api/v1/inbox", "/api/v1/inbox", "ocmw_worker/own", "", 200)
		checkOCMWSide(t, "inbox", inbox)
		// The inbox shows the parents' names (a list page audited as one
		// read naming the referrals shown), never their address or
		// contact details.
		for _, s := range refPII[1:] {
			if strings.Contains(string(inbox.Body), s) {
				t.Errorf("the inbox holds the family's %q: %s", s, inbox)
			}
		}
		if !strings.Contains(string(inbox.Body), refParentName) {
			t.Errorf("the inbox does not name the family: %s", inbox)
		}
		golden(t, "inbox_item_keys.golden", "# GET /api/v1/inbox as an OCMW worker: every key it may see.\n", refGoldenKeys(t, inbox.object(t), "referrals"))
	})
}

func TestReferralReadAudit(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newRefFixture(t, db)
		draft := f.draft(t)
		sent := f.sent(t)
		// Every read of personal data: one referral.read event, written
		// before the answer, with purpose, agreement, role and organisation.
		for _, c := range []struct {
			who       string
			id        int64
			purpose   string
			agreement int64
		}{
			{"team_worker/own", draft, "referral", 0},
			{"team_lead/own", draft, "referral", 0},
			{"team_worker/own", sent, "referral", f.agreement},
			{"ocmw_worker/own", sent, "follow_up", f.agreement},
			{"ocmw_worker/own2", sent, "follow_up", f.agreement},
			{"team_lead/own", sent, "referral", f.agreement},
		} {
			u := f.users[c.who]
			n := len(refEvents(t, db, c.id, "referral.read"))
			r := f.must(t, "GET", refPath(c.id, ""), "/api/v1/referrals/{id}", c.who, "", 200)
			if !strings.Contains(string(r.Body), refParentName) {
				t.Fatalf("%s does not see the parent: %s", c.who, r)
			}
			evs := refEvents(t, db, c.id, "referral.read")
			if len(evs) != n+1 {
				t.Fatalf("%s read %d: %d read events, want %d", c.who, c.id, len(evs), n+1)
			}
			ev := evs[0]
			if ev.Purpose != c.purpose || ev.AgreementID != c.agreement || ev.ActorRole != u.Role || ev.ActorOrg != u.Org ||
				ev.ActorEmail != u.Email || ev.Outcome != audit.OK || ev.RequestID == "" || ev.RequestID != r.Header.Get("X-Request-Id") {
				t.Errorf("%s read %d: event %+v, want purpose %s, agreement %d, %s at %s, request %s", c.who, c.id, ev, c.purpose, c.agreement,
					u.Role, u.Org, r.Header.Get("X-Request-Id"))
			}
		}
		// A write by the OCMW: one event, the contact attempt, for
		// follow-up under the agreement; the answer (the referral as it
		// is now) is read in the write's transaction and adds no read
		// event of its own.
		nw, nr := len(refEvents(t, db, sent, "referral.contact_attempt")), len(refEvents(t, db, sent, "referral.read"))
		f.must(t, "POST", refPath(sent, "contact-attempts"), "/api/v1/referrals/{id}/contact-attempts", "ocmw_worker/own", `{"channel": "counter", "reached": true}`, 201)
		if evs := refEvents(t, db, sent, "referral.contact_attempt"); len(evs) != nw+1 || evs[0].Purpose != "follow_up" || evs[0].AgreementID != f.agreement || evs[0].ActorOrg != "ocmw-13016" {
			t.Errorf("referral.contact_attempt: %d events (want %d), newest %+v", len(evs), nw+1, evs)
		}
		if evs := refEvents(t, db, sent, "referral.read"); len(evs) != nr {
			t.Errorf("referral.read: %d events after the write (want %d, as before it)", len(evs), nr)
		}

		// Same transaction: when the audit record cannot be written, the
		// read fails, shows nothing, and what it would have changed (sent
		// → received) is rolled back with it.
		fresh := f.sent(t)
		w := refWritable(t, db)
		refFailAudit(t, db, w, "referral.read")
		r := f.do(t, "GET", refPath(fresh, ""), "ocmw_worker/own", "")
		if r.Code != 500 {
			t.Errorf("read without audit: %s, want 500", r)
		}
		checkNoPII(t, "read without audit", r)
		refRestoreAudit(t, db, w)
		var status string
		var received sql.NullString
		if err := w.QueryRow(`SELECT status, CAST(received_at AS TEXT) FROM referrals WHERE id = $1`, fresh).Scan(&status, &received); err != nil {
			t.Fatal(err)
		}
		if status != "sent" || received.Valid {
			t.Errorf("after a failed audit the referral is %s, received %v: the change was not rolled back", status, received)
		}
		f.must(t, "GET", refPath(fresh, ""), "/api/v1/referrals/{id}", "ocmw_worker/own", "", 200)
		if evs := refEvents(t, db, fresh, "referral.read"); len(evs) == 0 || evs[0].ActorOrg != "ocmw-13016" {
			t.Errorf("read events %+v", evs)
		}
	})
}

// refWritable returns a pool that may change the schema behind the store.
func refWritable(t *testing.T, db *store.DB) *sql.DB {
	t.Helper()
	if db.Dialect() == store.Postgres {
		return db.SQL()
	}
	_, path, err := store.ParseDSN(db.Redacted)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// refFailAudit makes every insert of an audit event with action fail.
func refFailAudit(t *testing.T, db *store.DB, w *sql.DB, action string) {
	t.Helper()
	stmts := []string{`CREATE TRIGGER ref_test_fail_audit BEFORE INSERT ON audit_events WHEN NEW.action = '` + action + `'
		BEGIN SELECT RAISE(ABORT, 'audit unavailable'); END`}
	if db.Dialect() == store.Postgres {
		stmts = []string{
			`CREATE FUNCTION ref_test_fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN IF NEW.action = '` + action + `' THEN RAISE EXCEPTION 'audit unavailable'; END IF; RETURN NEW; END $$`,
			`CREATE TRIGGER ref_test_fail_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION ref_test_fail_audit()`,
		}
	}
	for _, s := range stmts {
		if _, err := w.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
}

func refRestoreAudit(t *testing.T, db *store.DB, w *sql.DB) {
	t.Helper()
	stmts := []string{`DROP TRIGGER ref_test_fail_audit`}
	if db.Dialect() == store.Postgres {
		stmts = []string{`DROP TRIGGER ref_test_fail_audit ON audit_events`, `DROP FUNCTION ref_test_fail_audit()`}
	}
	for _, s := range stmts {
		if _, err := w.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
}

var refReceiptRE = regexp.MustCompile(`^KR-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$`)

// The bodies of the API contract, verbatim.
func TestReferralContract(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newRefFixture(t, db)
		const (
			create  = "/api/v1/referrals"
			consent = "/api/v1/referrals/{id}/consents"
			send    = "/api/v1/referrals/{id}/send"
			get     = "/api/v1/referrals/{id}"
		)
		// POST /api/v1/referrals → 201 {"id": …, "status": "draft", …}
		r := f.must(t, "POST", create, create, "team_worker/own", refContract, 201)
		obj := r.object(t)
		idf, ok := obj["id"].(float64)
		if !ok || idf <= 0 || obj["status"] != "draft" {
			t.Fatalf("created %s", r)
		}
		id := int64(idf)
		if fmt.Sprint(obj["criteria"]) != "[income education employment]" || fmt.Sprint(obj["needs"]) != "[income_support]" {
			t.Errorf("the team's own assessment was not kept: %s", r)
		}
		if p := obj["parents"].([]any)[0].(map[string]any); p["name"] != refParentName || p["municipality_nis"] != "13016" || p["phone"] != refParentPhone {
			t.Errorf("parent %v", p)
		}

		// No consent: 409 consent_missing, not sent.
		r = f.must(t, "POST", refPath(id, "send"), send, "team_worker/own", "", 409)
		if r.errCode() != "consent_missing" {
			t.Errorf("send without consent: %s", r)
		}
		// Four of the five items: refused.
		four := `{"parent": 0, "informed": ["data", "recipient", "purpose", "processing"], "method": "verbal"}`
		if r = f.must(t, "POST", refPath(id, "consents"), consent, "team_worker/own", four, 400); r.errCode() != "invalid" {
			t.Errorf("consent with four items: %s", r)
		}
		// The contract's consent → 201.
		r = f.must(t, "POST", refPath(id, "consents"), consent, "team_worker/own", refConsent, 201)
		cs := r.object(t)["consents"].([]any)
		if len(cs) != 1 || cs[0].(map[string]any)["method"] != "verbal" || cs[0].(map[string]any)["refused"] != false ||
			cs[0].(map[string]any)["recorded_by"] == "" || len(cs[0].(map[string]any)["informed"].([]any)) != 5 {
			t.Errorf("consent recorded as %s", r)
		}
		// send → 200 {"status": "sent", "receipt_code": "…"}
		r = f.must(t, "POST", refPath(id, "send"), send, "team_worker/own", "", 200)
		obj = r.object(t)
		if obj["status"] != "sent" || !refReceiptRE.MatchString(fmt.Sprint(obj["receipt_code"])) || obj["sent_at"] == nil {
			t.Errorf("sent %s", r)
		}
		// Sending twice: the referral is no longer a draft.
		if r = f.must(t, "POST", refPath(id, "send"), send, "team_worker/own", "", 409); r.errCode() != "invalid_state" {
			t.Errorf("second send: %s", r)
		}

		// GET /api/v1/inbox → {"referrals": [{"id", "status", "sent_at", …}]}
		r = f.must(t, "GET", "/api/v1/inbox", "/api/v1/inbox", "ocmw_worker/own", "", 200)
		var inbox struct {
			Count     int `json:"count"`
			Referrals []struct {
				ID     int64      `json:"id"`
				Status string     `json:"status"`
				SentAt *time.Time `json:"sent_at"`
			} `json:"referrals"`
		}
		if err := json.Unmarshal(r.Body, &inbox); err != nil {
			t.Fatal(err)
		}
		if inbox.Count != 1 || len(inbox.Referrals) != 1 || inbox.Referrals[0].ID != id || inbox.Referrals[0].Status != "sent" ||
			inbox.Referrals[0].SentAt == nil || !inbox.Referrals[0].SentAt.Equal(refNow) {
			t.Errorf("inbox %s", r)
		}
		// The OCMW's view: the parents' fields and administrative fields.
		r = f.must(t, "GET", refPath(id, ""), get, "ocmw_worker/own", "", 200)
		checkOCMWSide(t, "OCMW view", r)
		obj = r.object(t)
		want := map[string]any{"name": refParentName, "street": refParentStr, "number": "12", "box": "", "postcode": "2235",
			"municipality_nis": "13016", "phone": refParentPhone, "email": refParentMail}
		if got := obj["parents"].([]any); len(got) != 1 || fmt.Sprint(got[0]) != fmt.Sprint(want) {
			t.Errorf("OCMW parents %v, want %v", got, want)
		}
		if obj["status"] != "received" || obj["agreement_id"] != float64(f.agreement) || obj["id"] != float64(id) {
			t.Errorf("OCMW view %s", r)
		}

		// "refused": true records a refusal: with one parent, the referral
		// is cancelled and the contact data are gone at once.
		one := f.draft(t)
		r = f.must(t, "POST", refPath(one, "consents"), consent, "team_worker/own", `{"parent": 0, "refused": true}`, 201)
		obj = r.object(t)
		cs, _ = obj["consents"].([]any)
		if obj["status"] != "cancelled" || obj["parents"] != nil || obj["data_deleted_at"] == nil || len(cs) != 1 || cs[0].(map[string]any)["refused"] != true {
			t.Errorf("refusal: %s", r)
		}
		checkNoPII(t, "after the refusal", f.must(t, "GET", refPath(one, ""), get, "team_worker/own", "", 200))
		if r = f.must(t, "POST", refPath(one, "send"), send, "team_worker/own", "", 409); r.errCode() != "invalid_state" {
			t.Errorf("send after refusal: %s", r)
		}
		// With two parents, one refusing: only the consenting one passes.
		two := strings.Replace(refContract, `}],`, `}, {"name": "Bo Fictief", "street": "Dorpsplein", "number": "3", "postcode": "2235", "email": "bo@example.org"}],`, 1)
		pair := int64(f.must(t, "POST", create, create, "team_worker/own", two, 201).object(t)["id"].(float64))
		f.must(t, "POST", refPath(pair, "consents"), consent, "team_worker/own", refConsent, 201)
		if r = f.must(t, "POST", refPath(pair, "send"), send, "team_worker/own", "", 409); r.errCode() != "consent_missing" {
			t.Errorf("send with one parent undecided: %s", r)
		}
		f.must(t, "POST", refPath(pair, "consents"), consent, "team_worker/own", `{"parent": 1, "refused": true}`, 201)
		f.must(t, "POST", refPath(pair, "send"), send, "team_worker/own", "", 200)
		r = f.must(t, "GET", refPath(pair, ""), get, "ocmw_worker/own", "", 200)
		if strings.Contains(string(r.Body), "Bo Fictief") || strings.Contains(string(r.Body), "bo@example.org") || !strings.Contains(string(r.Body), refParentName) {
			t.Errorf("the refusing parent's data passed: %s", r)
		}

		// No agreement in force for Herselt: 409 no_agreement_in_force,
		// naming the local government; the referral stays a draft.
		herselt := strings.NewReplacer(`"13016"`, `"13013"`, `"2235"`, `"2230"`).Replace(refContract)
		hid := int64(f.must(t, "POST", create, create, "team_worker/own", herselt, 201).object(t)["id"].(float64))
		f.must(t, "POST", refPath(hid, "consents"), consent, "team_worker/own", refConsent, 201)
		r = f.must(t, "POST", refPath(hid, "send"), send, "team_worker/own", "", 409)
		if r.errCode() != "no_agreement_in_force" || !strings.Contains(string(r.Body), "Herselt") {
			t.Errorf("send without agreement: %s", r)
		}
		checkNoPII(t, "no agreement", r)
		if r = f.must(t, "GET", refPath(hid, ""), get, "team_worker/own", "", 200); r.object(t)["status"] != "draft" {
			t.Errorf("after the refusal to send: %s", r)
		}
		if r = f.must(t, "GET", refPath(hid, ""), get, "ocmw_worker/own", "", 404); r.errCode() != "not_found" {
			t.Errorf("unsent referral at the OCMW: %s", r)
		}
	})
}

// Optimistic concurrency through the API: two OCMW clients read version
// v; the first contact attempt succeeds, the second gets 409 conflict and
// changes nothing.
func TestReferralOptimisticConcurrency(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newRefFixture(t, db)
		const route = "/api/v1/referrals/{id}"
		version := func(r refResp) int { return int(r.object(t)["version"].(float64)) }

		id := f.sent(t)
		a := f.must(t, "GET", refPath(id, ""), route, "ocmw_worker/own", "", 200)
		b := f.must(t, "GET", refPath(id, ""), route, "ocmw_worker/own2", "", 200)
		v := version(a)
		if version(b) != v {
			t.Fatalf("the clients read versions %d and %d", v, version(b))
		}
		body := func(channel string, v int) string {
			return fmt.Sprintf(`{"channel": %q, "reached": false, "version": %d}`, channel, v)
		}
		first := f.must(t, "POST", refPath(id, "contact-attempts"), route+"/contact-attempts", "ocmw_worker/own", body("phone", v), 201)
		if version(first) != v+1 {
			t.Errorf("version after the first attempt %d, want %d", version(first), v+1)
		}
		before := f.must(t, "GET", refPath(id, ""), route, "ocmw_worker/own", "", 200)
		attempts := len(refEvents(t, db, id, "referral.contact_attempt"))

		second := f.must(t, "POST", refPath(id, "contact-attempts"), route+"/contact-attempts", "ocmw_worker/own2", body("letter", v), 409)
		if second.errCode() != "conflict" {
			t.Errorf("second attempt: %s", second)
		}
		checkNoPII(t, "conflict", second)
		out := f.must(t, "POST", refPath(id, "outcome"), route+"/outcome", "ocmw_worker/own2", fmt.Sprintf(`{"outcome": "declined", "version": %d}`, v), 409)
		if out.errCode() != "conflict" {
			t.Errorf("stale outcome: %s", out)
		}
		after := f.must(t, "GET", refPath(id, ""), route, "ocmw_worker/own2", "", 200)
		if string(after.Body) != string(before.Body) {
			t.Errorf("the refused writes changed the referral:\nbefore %s\nafter  %s", before.Body, after.Body)
		}
		if n := len(after.object(t)["contact_attempts"].([]any)); n != 1 {
			t.Errorf("%d contact attempts, want 1", n)
		}
		if n := len(refEvents(t, db, id, "referral.contact_attempt")); n != attempts {
			t.Errorf("%d contact attempt events, want %d", n, attempts)
		}
		// After reloading, the second client goes on.
		f.must(t, "POST", refPath(id, "contact-attempts"), route+"/contact-attempts", "ocmw_worker/own2", body("letter", version(after)), 201)

		// Truly at the same time: exactly one of the two wins.
		for i := 0; i < 3; i++ {
			id := f.sent(t)
			v := version(f.must(t, "GET", refPath(id, ""), route, "ocmw_worker/own", "", 200))
			var wg sync.WaitGroup
			res := make([]refResp, 2)
			for j, who := range []string{"ocmw_worker/own", "ocmw_worker/own2"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					req := httptest.NewRequest("POST", refPath(id, "contact-attempts"), strings.NewReader(body("email", v)))
					req.Header.Set("Authorization", "Bearer "+f.users[who].Token)
					req.Header.Set("Content-Type", "application/json")
					rec := httptest.NewRecorder()
					f.srv.ServeHTTP(rec, req)
					res[j] = refResp{rec.Code, rec.Result().Header, rec.Body.Bytes()}
				}()
			}
			wg.Wait()
			codes := []int{res[0].Code, res[1].Code}
			slices.Sort(codes)
			if !slices.Equal(codes, []int{201, 409}) {
				t.Errorf("concurrent attempts: %s / %s, want one 201 and one 409", res[0], res[1])
			}
			for _, r := range res {
				if r.Code == 409 && r.errCode() != "conflict" {
					t.Errorf("concurrent loser: %s", r)
				}
			}
			got := f.must(t, "GET", refPath(id, ""), route, "ocmw_worker/own", "", 200)
			if n := len(got.object(t)["contact_attempts"].([]any)); n != 1 || version(got) != v+1 {
				t.Errorf("after the race: %d attempts, version %d (want 1, %d)", n, version(got), v+1)
			}
		}
	})
}

// The view types themselves: whatever the stored referral holds, the OCMW
// view has no field of Kind en Gezin's assessment.
func TestOCMWReferralViewDropsAssessment(t *testing.T) {
	sent := refNow.Add(-72 * time.Hour)
	r := referral.Referral{ID: 7, Status: referral.Received, Team: "team-noord", Criteria: []string{"income", "education"}, Needs: []string{"income_support"},
		Consents: []referral.Consent{{Parent: 0, Informed: []string{"data"}, Method: "verbal"}}, ReceiptCode: "KR-AAAA-BBBB-CCCC", CreatedBy: "Test",
		Parents: []referral.Parent{{Name: refParentName}}, SentAt: &sent, TargetDays: 2}
	b, err := json.Marshal(api.OCMWReferral(r, refNow))
	if err != nil {
		t.Fatal(err)
	}
	checkOCMWSide(t, "OCMWReferral", refResp{Body: b})
	if !strings.Contains(string(b), `"overdue":true`) || !strings.Contains(string(b), `"days_since_sent":3`) {
		t.Errorf("clock: %s", b)
	}
}
