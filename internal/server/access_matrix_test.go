package server_test

// The access matrix: every registered route of the API and the web UI ×
// every role at the object's own organisation and at another one (plus
// anonymous), on both databases, against the table in
// access_table_test.go. It fails when a route is missing from the table or
// the table names a route that no longer exists, checks that a refusal of
// an object is 404 exactly like a missing object and audited as denied,
// that a role allowed at its own organisation gets 404 (not 403) at
// another's, and scans every answer for data the caller may not see.
// Every family and person in here is fictitious.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/gdpr"
	"kansrijk/internal/httpx"
	"kansrijk/internal/i18n"
	"kansrijk/internal/org"
	"kansrijk/internal/outreach"
	"kansrijk/internal/server"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

var printMatrix = flag.Bool("matrix.print", false, "print the observed access matrix as table rows")

// accessNow is the matrix's clock: mid 2025, after the municipal mergers.
var accessNow = time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)

// The own side's family, contact person and mother: each string is a
// marker the body scan looks for.
const (
	mxParentName  = "Mira Matrixouder"
	mxParentStr   = "Matrixstraat"
	mxParentPhone = "+32470990011"
	mxParentMail  = "mira.matrixouder@example.org"
	mxMotherName  = "Noor Matrixmoeder"
	mxMotherMail  = "noor.matrixmoeder@example.org"
	mxContactName = "Jef Matrixcontact"
	mxContactMail = "jef.matrixcontact@hulshout.example"
	// The names of the own side's service accounts (the OCMW's, the team's).
	mxServiceOCMW = "Matrixkoppeling Hulshout"
	mxServiceTeam = "Matrixkoppeling Noord"

	mxReferral = `{"municipality_nis": "13016", "parents": [{"name": "` + mxParentName + `", "street": "` + mxParentStr + `", "number": "12", "box": "", "postcode": "2235", "municipality_nis": "13016", "phone": "` + mxParentPhone + `", "email": "` + mxParentMail + `"}], "criteria": ["income", "education", "employment"], "needs": ["income_support"]}`
	mxConsent  = `{"parent": 0, "informed": ["data", "recipient", "purpose", "processing", "expectations"], "method": "verbal"}`
	// A batch of one (a family of Hulshout) and an import the checks refuse.
	mxBirthCSV       = "naam_moeder;straat_moeder;huisnummer_moeder;postcode_moeder;nis_gemeente_moeder;telefoon_moeder;taal_moeder;geboortedatum_kind;vroeg_contact_gevraagd\n" + "Lies Matrixbatch;Kerkstraat;3;2235;13016;0470 99 00 33;nl;28/05/2025;ja\n"
	mxDeprivationCSV = "niets"
	mxBirth          = `{"mother": {"name": "` + mxMotherName + `", "street": "Wiegstraat", "number": "3", "box": "", "postcode": "2235", "municipality_nis": "13016", "phone": "+32470990022", "email": "` + mxMotherMail + `", "language": "nl"}, "child_birth_date": "2025-05-28", "early_contact_requested": true}`
)

// mxCaller is one column of the matrix: a role at the own side's
// organisation or at another one.
type mxCaller struct {
	Label, Role, Org string
	Other            bool
}

// mxCallers: every role, own and other. Admin and analyst exist only at
// Opgroeien, so they have one column; the DPO is the OCMW's.
var mxCallers = []mxCaller{
	{Label: "admin", Role: "admin", Org: "opgroeien"},
	{Label: "analyst", Role: "analyst", Org: "opgroeien"},
	{Label: "team_lead/own", Role: "team_lead", Org: "team-noord"},
	{Label: "team_lead/other", Role: "team_lead", Org: "team-zuid", Other: true},
	{Label: "team_worker/own", Role: "team_worker", Org: "team-noord"},
	{Label: "team_worker/other", Role: "team_worker", Org: "team-zuid", Other: true},
	{Label: "ocmw_worker/own", Role: "ocmw_worker", Org: "ocmw-13016"},
	{Label: "ocmw_worker/other", Role: "ocmw_worker", Org: "ocmw-11002", Other: true},
	{Label: "ocmw_admin/own", Role: "ocmw_admin", Org: "ocmw-13016"},
	{Label: "ocmw_admin/other", Role: "ocmw_admin", Org: "ocmw-11002", Other: true},
	{Label: "clinic/own", Role: "clinic", Org: "clinic-zonnedal"},
	{Label: "clinic/other", Role: "clinic", Org: "clinic-maanhof", Other: true},
	{Label: "dpo/own", Role: "dpo", Org: "ocmw-13016"},
	{Label: "dpo/other", Role: "dpo", Org: "ocmw-11002", Other: true},
}

// mxWorld is the server and the own side's objects of one database.
type mxWorld struct {
	db       *store.DB
	srv      *server.Server
	users    *storetest.Accounts
	referral int64  // sent, team-noord → OCMW Hulshout
	receipt  string // its receipt code
	birth    int64  // clinic-zonnedal's notification of a family in Hulshout
	agr      int64  // team-noord / Hulshout, in force
	doc      int64  // a document of it
	contact  int64  // a contact person of Hulshout, recorded by team-noord
	campaign int64  // team-noord's visit to Hulshout
	task     int64  // team-noord's task for Hulshout
	event    int64  // the agreement's last step (active)
	svcOCMW  int64  // a service account of the OCMW of Hulshout
	seq      atomic.Int64
}

func newMxWorld(t *testing.T, db *store.DB) *mxWorld {
	t.Helper()
	ctx := context.Background()
	db.Now = func() time.Time { return accessNow }
	sys := account.System("test")
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	if _, err := db.CreateTeam(ctx, sys, org.NewTeam{Key: "team-noord", Name: "Lokaal team Noord", Municipalities: []string{"13016", "12014", "13013"}, From: day("2022-01-01")}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateTeam(ctx, sys, org.NewTeam{Key: "team-zuid", Name: "Lokaal team Zuid", Municipalities: []string{"11002"}, From: day("2022-01-01")}); err != nil {
		t.Fatal(err)
	}
	for key, name := range map[string]string{"clinic-zonnedal": "Kraamkliniek Zonnedal", "clinic-maanhof": "Kraamkliniek Maanhof"} {
		if _, err := db.CreateClinic(ctx, sys, org.NewClinic{Key: key, Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := server.New(db)
	if err != nil {
		t.Fatal(err)
	}
	w := &mxWorld{db: db, srv: srv}
	specs := []storetest.U{}
	for i, c := range mxCallers {
		specs = append(specs, storetest.U{Name: c.Label, Role: c.Role, Org: c.Org, FullName: "Test " + c.Label,
			Email: fmt.Sprintf("mx%d.%s@example.test", i, strings.ReplaceAll(c.Role, "_", ""))})
	}
	w.users = storetest.Users(t, db, "example.test", specs...)
	w.agr = mxActiveAgreement(t, db, "team-noord", "13016", "2023")
	mxActiveAgreement(t, db, "team-zuid", "11002", "2024")

	w.referral = w.freshReferral(t, "sent")
	var ref struct {
		ReceiptCode string `json:"receipt_code"`
	}
	w.api(t, "GET", fmt.Sprintf("/api/v1/referrals/%d", w.referral), "team_worker/own", "", 200, &ref)
	if w.receipt = ref.ReceiptCode; w.receipt == "" {
		t.Fatal("the referral has no receipt code")
	}
	w.birth = w.freshBirth(t)
	actor := func(n string) account.Actor { return w.users.Actor(t, n) }
	c, err := db.CreateContact(ctx, actor("team_lead/own"), outreach.NewContact{MunicipalityNIS: "13016", Function: "general_director", Name: mxContactName, Email: mxContactMail})
	if err != nil {
		t.Fatal(err)
	}
	w.contact = c.ID
	w.campaign = w.postID(t, "/api/v1/outreach/campaigns", "team_lead/own", `{"kind": "visit", "on": "2025-04-01", "subject": "Bezoek Matrix", "audience": "list", "municipalities": ["13016"]}`)
	w.task = w.postID(t, "/api/v1/outreach/tasks", "team_lead/own", `{"municipality_nis": "13016", "title": "Bel Matrix", "due_on": "2025-07-01"}`)
	w.doc = w.uploadDoc(t, w.agr)
	w.svcOCMW = w.freshServiceAccount(t, "ocmw-13016", mxServiceOCMW)
	w.freshServiceAccount(t, "team-noord", mxServiceTeam)
	return w
}

// freshServiceAccount creates a service account of an organisation of the
// own side, as the one who administers it (the OCMW's admin, or Opgroeien's
// admin for a team).
func (w *mxWorld) freshServiceAccount(t *testing.T, orgKey, name string) int64 {
	t.Helper()
	by := "admin"
	if strings.HasPrefix(orgKey, "ocmw-") {
		by = "ocmw_admin/own"
	}
	u, _, err := w.db.CreateServiceAccount(context.Background(), w.users.Actor(t, by), account.NewServiceAccount{Name: name, Org: orgKey, Label: "matrix"})
	if err != nil {
		t.Fatalf("fixture: service account of %s: %v", orgKey, err)
	}
	return u.ID
}

// lastEvent returns the id of the current last step of the agreement (a
// correction replaces it).
func (w *mxWorld) lastEvent(t *testing.T) int64 {
	t.Helper()
	var ag struct {
		Events []struct {
			ID          int64 `json:"id"`
			CorrectedBy int64 `json:"corrected_by"`
		} `json:"events"`
	}
	w.api(t, "GET", fmt.Sprintf("/api/v1/agreements/%d", w.agr), "admin", "", 200, &ag)
	var id int64
	for _, e := range ag.Events {
		if e.CorrectedBy == 0 {
			id = e.ID
		}
	}
	if id == 0 {
		t.Fatal("fixture: the agreement has no current step")
	}
	return id
}

// mxActiveAgreement walks an agreement to active in the given year.
func mxActiveAgreement(t *testing.T, db *store.DB, team, nis, year string) int64 {
	t.Helper()
	ctx := context.Background()
	sys := account.System("test")
	ag, err := db.CreateAgreement(ctx, sys, agreement.NewAgreement{Team: team, MunicipalityNIS: nis, Status: "draft", EffectiveOn: year + "-01-02"})
	if err != nil {
		t.Fatalf("agreement %s/%s: %v", team, nis, err)
	}
	sigs := []agreement.Signature{
		{Function: "administrator_general", Name: "A. Generaal", SignedOn: year + "-03-01"},
		{Function: "council_chair", Name: "V. Oorzitter", SignedOn: year + "-03-01"},
		{Function: "general_director", Name: "D. Irecteur", SignedOn: year + "-03-01"},
	}
	for _, ev := range []agreement.NewEvent{
		{Status: string(agreement.Approved), EffectiveOn: year + "-02-01", CouncilReference: "RMW/" + year + "/17", CouncilDecisionOn: year + "-02-01"},
		{Status: string(agreement.Signed), EffectiveOn: year + "-03-01", Signatures: sigs},
		{Status: string(agreement.Active), EffectiveOn: year + "-04-01"},
	} {
		if _, err := db.AddEvent(ctx, sys, ag.ID, ev); err != nil {
			t.Fatalf("agreement %s/%s to %s: %v", team, nis, ev.Status, err)
		}
	}
	return ag.ID
}

// mxResp is a recorded answer.
type mxResp struct {
	Code   int
	Header http.Header
	Body   string
}

func (r mxResp) String() string {
	b := r.Body
	if len(b) > 300 {
		b = b[:300] + "…"
	}
	return fmt.Sprintf("%d %s", r.Code, b)
}

// request sends one request as who ("" anonymous): with a bearer token
// under /api/, else with the session cookie and, for a POST form, the
// session's CSRF token.
func (w *mxWorld) request(t *testing.T, method, target, who, ct, body string) mxResp {
	t.Helper()
	isAPI := strings.HasPrefix(target, "/api/")
	if !isAPI && method == "POST" && who != "" && (ct == "" || ct == "application/x-www-form-urlencoded") {
		form, _ := url.ParseQuery(body)
		if form == nil {
			form = url.Values{}
		}
		form.Set("csrf", w.users.Session(t, who).CSRF)
		body, ct = form.Encode(), "application/x-www-form-urlencoded"
	}
	var rd io.Reader
	if body != "" || method != "GET" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	req.Host = "localhost" // plain http signs in on this machine only (httpx.LoginProblem)
	if ct == "" && body != "" {
		ct = "application/json"
		if !isAPI {
			ct = "application/x-www-form-urlencoded"
		}
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if who != "" {
		if isAPI {
			req.Header.Set("Authorization", "Bearer "+w.users.Token(t, who))
		} else {
			req.AddCookie(&http.Cookie{Name: httpx.SessionCookie, Value: w.users.Cookie(t, who)})
		}
	}
	rec := httptest.NewRecorder()
	w.srv.ServeHTTP(rec, req)
	return mxResp{rec.Code, rec.Result().Header, rec.Body.String()}
}

// api sends a JSON request through the API, fails unless want, and
// decodes the answer into out.
func (w *mxWorld) api(t *testing.T, method, target, who, body string, want int, out any) {
	t.Helper()
	r := w.request(t, method, target, who, "", body)
	if r.Code != want {
		t.Fatalf("fixture: %s %s as %s: %s, want %d", method, target, who, r, want)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(r.Body), out); err != nil {
			t.Fatalf("fixture: %s %s: %v", method, target, err)
		}
	}
}

func (w *mxWorld) postID(t *testing.T, target, who, body string) int64 {
	t.Helper()
	var o struct {
		ID int64 `json:"id"`
	}
	w.api(t, "POST", target, who, body, 201, &o)
	return o.ID
}

// freshReferral makes a referral of team-noord for the own family, in
// the state given: draft, consented or sent.
func (w *mxWorld) freshReferral(t *testing.T, state string) int64 {
	t.Helper()
	id := w.postID(t, "/api/v1/referrals", "team_worker/own", mxReferral)
	if state == "draft" {
		return id
	}
	w.api(t, "POST", fmt.Sprintf("/api/v1/referrals/%d/consents", id), "team_worker/own", mxConsent, 201, nil)
	if state == "consented" {
		return id
	}
	w.api(t, "POST", fmt.Sprintf("/api/v1/referrals/%d/send", id), "team_worker/own", "", 200, nil)
	return id
}

// freshBirth: clinic-zonnedal notifies the own side's mother.
func (w *mxWorld) freshBirth(t *testing.T) int64 {
	t.Helper()
	return w.postID(t, "/api/v1/birth-notifications", "clinic/own", mxBirth)
}

// uploadDoc uploads a tiny PDF to an agreement as the admin.
func (w *mxWorld) uploadDoc(t *testing.T, agr int64) int64 {
	t.Helper()
	r := w.request(t, "POST", fmt.Sprintf("/api/v1/agreements/%d/documents?kind=cooperation", agr), "admin", "application/pdf", mxPDF)
	var o struct {
		ID int64 `json:"id"`
	}
	if r.Code != 201 || json.Unmarshal([]byte(r.Body), &o) != nil || o.ID == 0 {
		t.Fatalf("fixture: upload a document: %s", r)
	}
	return o.ID
}

// mxPDF is a small PDF the upload accepts.
var mxPDF = minimalPDF()

// minimalPDF is a PDF of one empty page with its cross-reference table:
// small, and it parses (uploads are parsed, not only sniffed).
func minimalPDF() string {
	objs := []string{"<</Type/Catalog/Pages 2 0 R>>", "<</Type/Pages/Kids[3 0 R]/Count 1>>", "<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>"}
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.String()
}

// mxDocForm is a multipart body with a signed agreement PDF (and the
// session's CSRF token for the web UI).
func mxDocForm(csrf string) (string, string) {
	var b strings.Builder
	const boundary = "mxboundary"
	field := func(name, value string) {
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=%q\r\n\r\n%s\r\n", boundary, name, value)
	}
	if csrf != "" {
		field("csrf", csrf)
	}
	field("kind", "cooperation")
	fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"akkoord.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%s\r\n--%s--\r\n", boundary, mxPDF, boundary)
	return b.String(), "multipart/form-data; boundary=" + boundary
}

// params returns the path parameters of a row's object for the own side
// (missing: an object that does not exist), building a fresh object
// where the row changes it.
func (w *mxWorld) params(t *testing.T, obj string, missing bool) map[string]string {
	t.Helper()
	id := func(v int64) string {
		if missing {
			return "999999"
		}
		return strconv.FormatInt(v, 10)
	}
	p := map[string]string{}
	switch obj {
	case "":
	case "referral":
		p["id"] = id(w.referral)
	case "referral.draft", "referral.consented", "referral.sent":
		if missing {
			p["id"] = id(0)
		} else {
			p["id"] = id(w.freshReferral(t, strings.TrimPrefix(obj, "referral.")))
		}
	case "birth":
		p["id"] = id(w.birth)
	case "birth.fresh":
		if missing {
			p["id"] = id(0)
		} else {
			p["id"] = id(w.freshBirth(t))
		}
	case "agreement":
		p["id"] = id(w.agr)
	case "document":
		p["id"], p["doc"] = strconv.FormatInt(w.agr, 10), id(w.doc)
	case "generated":
		p["id"], p["doc"] = id(w.agr), "samenwerkingsovereenkomst.pdf"
	case "team":
		p["key"] = "team-noord"
		if missing {
			p["key"] = "team-bestaat-niet"
		}
	case "ocmw":
		p["key"] = "ocmw-13016"
		if missing {
			p["key"] = "ocmw-99999"
		}
	case "nis":
		p["nis"] = "13016"
		if missing {
			p["nis"] = "99999"
		}
	case "contact":
		p["nis"], p["id"] = "13016", id(w.contact)
	case "contact.fresh":
		p["nis"], p["id"] = "13016", "999999"
		if !missing {
			c, err := w.db.CreateContact(context.Background(), w.users.Actor(t, "team_lead/own"), outreach.NewContact{MunicipalityNIS: "13016", Function: "other", Name: "Tijdelijk Contact", Email: "tijdelijk@hulshout.example"})
			if err != nil {
				t.Fatal(err)
			}
			p["id"] = id(c.ID)
		}
	case "subject_request": // area gdpr: a fresh request of dpo/own (nothing found)
		p["id"] = "999999"
		if !missing {
			req, err := w.db.CreateSubjectRequest(context.Background(), w.users.Actor(t, "dpo/own"), gdpr.NewRequest{Kind: gdpr.Access, Lookup: gdpr.Lookup{ReceiptCode: "KR-MATR-IXXX-XXXX"}})
			if err != nil {
				t.Fatal(err)
			}
			p["id"] = id(req.ID)
		}
	case "campaign":
		p["id"] = id(w.campaign)
	case "task":
		p["id"] = id(w.task)
	case "task.fresh":
		p["id"] = "999999"
		if !missing {
			p["id"] = id(w.postID(t, "/api/v1/outreach/tasks", "team_lead/own", `{"municipality_nis": "13016", "title": "Tijdelijke taak", "due_on": "2025-07-01"}`))
		}
	case "user":
		p["id"] = id(w.users.User(t, "team_worker/own").ID)
	case "user.ocmw":
		p["id"] = id(w.users.User(t, "ocmw_worker/own").ID)
	case "service.ocmw":
		p["id"] = id(w.svcOCMW)
	case "service.ocmw.fresh", "service.team.fresh":
		// A fresh service account, so that revoking it spoils nothing.
		p["id"] = id(0)
		if !missing {
			orgKey := "ocmw-13016"
			if obj == "service.team.fresh" {
				orgKey = "team-noord"
			}
			p["id"] = id(w.freshServiceAccount(t, orgKey, "Tijdelijke koppeling"))
		}
	case "token":
		// A fresh token of team_worker/own, so that revoking it spoils
		// nothing: the newest in its list.
		p["id"] = id(0)
		if !missing {
			if _, err := w.db.CreateToken(context.Background(), account.System("test"), w.users.Email(t, "team_worker/own"), "matrix"); err != nil {
				t.Fatal(err)
			}
			var o struct {
				Tokens []struct {
					ID int64 `json:"id"`
				} `json:"tokens"`
			}
			r := w.request(t, "GET", "/api/v1/tokens", "team_worker/own", "", "")
			if json.Unmarshal([]byte(r.Body), &o) != nil || len(o.Tokens) == 0 {
				t.Fatalf("fixture: list tokens: %s", r)
			}
			max := o.Tokens[0].ID
			for _, tk := range o.Tokens {
				if tk.ID > max {
					max = tk.ID
				}
			}
			p["id"] = id(max)
		}
	case "lang":
		p["lang"] = "en"
	default:
		t.Fatalf("unknown object kind %q", obj)
	}
	return p
}

var mxParam = regexp.MustCompile(`\{([a-z]+)\}`)

// target fills the path parameters of a pattern's path (or of the row's
// own path with a query).
func target(path string, p map[string]string) string {
	return mxParam.ReplaceAllStringFunc(path, func(m string) string {
		if v, ok := p[m[1:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

// deniedCount counts the denied audit events of an actor.
func (w *mxWorld) deniedCount(t *testing.T, email string) int {
	t.Helper()
	var n int
	q := "SELECT COUNT(*) FROM audit_events WHERE outcome = 'denied' AND actor_email = $1"
	if err := w.db.SQL().QueryRowContext(context.Background(), q, email).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// want parses a row's expectation for a caller: "roles=own/other" items
// separated by spaces, roles a comma-separated list or "*" for every role
// not named, "anon" for the anonymous caller. One code stands for both.
func (row accessRow) want(t *testing.T, c *mxCaller) int {
	t.Helper()
	role, other := "anon", false
	if c != nil {
		role, other = c.Role, c.Other
	}
	var star string
	for _, item := range strings.Fields(row.Want) {
		k, v, ok := strings.Cut(item, "=")
		if !ok {
			t.Fatalf("%s: bad expectation %q", row.Route, item)
		}
		if k == "*" {
			star = v
			continue
		}
		if slices.Contains(strings.Split(k, ","), role) {
			return row.code(t, v, other)
		}
	}
	if star == "" || role == "anon" {
		t.Fatalf("%s: no expectation for %s", row.Route, role)
	}
	return row.code(t, star, other)
}

func (row accessRow) code(t *testing.T, v string, other bool) int {
	own, oth, ok := strings.Cut(v, "/")
	if !ok {
		oth = own
	}
	s := own
	if other {
		s = oth
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%s: bad status %q", row.Route, v)
	}
	return n
}

// mxSecret is something only some callers may see.
type mxSecret struct {
	what    string
	markers func(w *mxWorld) []string
	may     []string // caller labels that may see it
}

var mxSecrets = []mxSecret{
	{"the referred family's personal data", func(*mxWorld) []string { return []string{mxParentName, mxParentStr, mxParentPhone, mxParentMail} },
		[]string{"team_lead/own", "team_worker/own", "ocmw_worker/own"}},
	{"the receipt code", func(w *mxWorld) []string { return []string{w.receipt} },
		[]string{"team_lead/own", "team_worker/own"}},
	{"Kind en Gezin's assessment (a deprivation criterion the family scored)", func(*mxWorld) []string {
		return []string{i18n.T(i18n.NL, "referral.criterion.employment", nil)}
	}, []string{"team_lead/own", "team_worker/own"}},
	{"the birth notification's personal data", func(*mxWorld) []string { return []string{mxMotherName, mxMotherMail} },
		[]string{"team_lead/own", "team_worker/own", "admin"}},
	{"the contact person's personal data", func(*mxWorld) []string { return []string{mxContactName, mxContactMail} },
		[]string{"team_lead/own", "team_worker/own", "admin"}},
	// Admins see every user (service accounts are users); an OCMW's admin its own OCMW's.
	{"the OCMW's service account", func(*mxWorld) []string { return []string{mxServiceOCMW} },
		[]string{"ocmw_admin/own", "admin"}},
	{"the team's service account", func(*mxWorld) []string { return []string{mxServiceTeam} },
		[]string{"admin"}},
}

// mxShows: cells where the secret must be in the answer, so that the scan
// is known to look for strings the pages really show.
var mxShows = []struct{ route, caller, secret string }{
	{"GET /referrals/{id}", "team_worker/own", "the referred family's personal data"},
	{"GET /referrals/{id}", "team_worker/own", "Kind en Gezin's assessment (a deprivation criterion the family scored)"},
	{"GET /api/v1/referrals/{id}", "team_lead/own", "the receipt code"},
	{"GET /inbox/{id}", "ocmw_worker/own", "the referred family's personal data"},
	{"GET /api/v1/birth-notifications/{id}", "team_lead/own", "the birth notification's personal data"},
	{"GET /births/{id}", "admin", "the birth notification's personal data"},
	{"GET /api/v1/outreach/contacts", "team_worker/own", "the contact person's personal data"},
	{"GET /outreach/municipalities/{nis}", "team_lead/own", "the contact person's personal data"},
	{"GET /api/v1/service-accounts", "ocmw_admin/own", "the OCMW's service account"},
	{"GET /service-accounts", "ocmw_admin/own", "the OCMW's service account"},
	{"GET /api/v1/service-accounts", "admin", "the team's service account"},
	{"GET /service-accounts", "admin", "the team's service account"},
	// listui: the outreach contacts' own list.
	{"GET /outreach/contacts", "team_worker/own", "the contact person's personal data"},
}

// htmlEscaper escapes as html/template does in text.
var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "'", "&#39;", `"`, "&#34;", "+", "&#43;")

// containsAny reports whether body holds m as it is or HTML-escaped.
func containsAny(body, m string) bool {
	return strings.Contains(body, m) || strings.Contains(body, htmlEscaper.Replace(m))
}

// mxOCMWKeys never appear as JSON keys in an answer to the OCMW side, a
// clinic, an analyst or anyone anonymous.
var mxOCMWKeys = []string{"criteria", "needs", "receipt_code", "consents"}

// noKeyScan: answers that name the keys without holding data.
var noKeyScan = map[string]bool{"/api/v1/openapi.json": true}

func jsonKeys(v any, fn func(string)) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			fn(k)
			jsonKeys(x, fn)
		}
	case []any:
		for _, x := range v {
			jsonKeys(x, fn)
		}
	}
}

// scan fails if the answer holds anything the caller may not see.
func (w *mxWorld) scan(t *testing.T, route, label, path, sent string, r mxResp) {
	t.Helper()
	for _, sh := range mxShows {
		if sh.route != route || sh.caller != label {
			continue
		}
		for _, s := range mxSecrets {
			if s.what != sh.secret {
				continue
			}
			for _, m := range s.markers(w) {
				if !containsAny(r.Body, m) {
					t.Errorf("%s as %s: the answer lacks %s (%q), which the scan looks for elsewhere", route, label, s.what, m)
				}
			}
		}
	}
	for _, s := range mxSecrets {
		if slices.Contains(s.may, label) {
			continue
		}
		for _, m := range s.markers(w) {
			if containsAny(r.Body, m) && !strings.Contains(sent, m) {
				t.Errorf("%s gets %s (%q) in a %d answer", label, s.what, m, r.Code)
			}
		}
	}
	if strings.HasPrefix(label, "team_") && strings.HasSuffix(label, "/own") || noKeyScan[path] {
		return
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var v any
		if json.Unmarshal([]byte(r.Body), &v) == nil {
			jsonKeys(v, func(k string) {
				if slices.Contains(mxOCMWKeys, k) {
					t.Errorf("%s gets the key %q: %s", label, k, r)
				}
			})
		}
	}
}

// TestAccessTableComplete: the table has one row for every registered
// route and none for a route that does not exist (fast: no fixtures).
func TestAccessTableComplete(t *testing.T) {
	srv, err := server.New(storetest.Open(t, store.SQLite))
	if err != nil {
		t.Fatal(err)
	}
	routes := srv.Routes()
	if len(routes) < 150 {
		t.Fatalf("only %d routes registered: %v", len(routes), routes)
	}
	checkTableComplete(t, routes)
}

// TestAccessMatrix runs the table on both databases.
func TestAccessMatrix(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		start := time.Now()
		w := newMxWorld(t, db)
		checkTableComplete(t, w.srv.Routes())
		var observed []string
		cells := 0
		var mu sync.Mutex
		for _, row := range accessTable {
			method, path := splitRoute(row.Route)
			if row.Path != "" {
				path = row.Path
			}
			got := map[string]int{}
			callers := append([]*mxCaller{nil}, ptrs(mxCallers)...)
			// The callers of a row run in parallel (each has its own
			// denied-audit count); rows that change a shared object in
			// an order-dependent way run one caller at a time.
			t.Run(row.Route, func(t *testing.T) {
				for _, c := range callers {
					label := "anon"
					if c != nil {
						label = c.Label
					}
					t.Run(label, func(t *testing.T) {
						if !row.Serial {
							t.Parallel()
						}
						code := w.cell(t, row, method, path, c)
						mu.Lock()
						defer mu.Unlock()
						cells++
						got[label] = code
					})
				}
			})
			if *printMatrix {
				observed = append(observed, summarize(row.Route, got))
			}
			// A role allowed on its own organisation's object is refused
			// another's with 404, never 403.
			if row.Object() && row.Public403 == "" {
				for _, c := range mxCallers {
					if c.Other && got[strings.Replace(c.Label, "/other", "/own", 1)] < 300 && got[c.Label] == 403 {
						t.Errorf("%s: %s gets 403 where its own organisation's caller is allowed: must be 404", row.Route, c.Label)
					}
				}
			}
		}
		t.Logf("%d cells in %s", cells, time.Since(start).Round(time.Millisecond))
		if *printMatrix {
			t.Logf("observed:\n%s", strings.Join(observed, "\n"))
		}
	})
}

func ptrs(cs []mxCaller) []*mxCaller {
	out := make([]*mxCaller, len(cs))
	for i := range cs {
		out[i] = &cs[i]
	}
	return out
}

// summarize writes the observed statuses of a row in the table's notation.
func summarize(route string, got map[string]int) string {
	var items []string
	for _, role := range account.Roles {
		own, ok1 := got[string(role)+"/own"]
		oth, ok2 := got[string(role)+"/other"]
		if !ok1 {
			own, oth = got[string(role)], got[string(role)]
		}
		_ = ok2
		if own == oth {
			items = append(items, fmt.Sprintf("%s=%d", role, own))
		} else {
			items = append(items, fmt.Sprintf("%s=%d/%d", role, own, oth))
		}
	}
	items = append(items, fmt.Sprintf("anon=%d", got["anon"]))
	return fmt.Sprintf("%-55q %s", route, strings.Join(items, " "))
}

func splitRoute(route string) (string, string) {
	m, p, ok := strings.Cut(route, " ")
	if !ok {
		return "GET", route
	}
	return m, p
}

// checkTableComplete: every registered route has exactly one row, and
// every row a registered route.
func checkTableComplete(t *testing.T, routes []string) {
	t.Helper()
	rows := map[string]int{}
	for _, r := range accessTable {
		rows[r.Route]++
	}
	for r, n := range rows {
		if n > 1 {
			t.Errorf("the access table has %d rows for %s", n, r)
		}
		if !slices.Contains(routes, r) {
			t.Errorf("the access table names %q, which is not a registered route", r)
		}
	}
	var missing []string
	for _, r := range routes {
		if rows[r] == 0 {
			missing = append(missing, r)
		}
	}
	sort.Strings(missing)
	for _, r := range missing {
		t.Errorf("route %q is not in the access table (internal/server/access_table_test.go)", r)
	}
}

// cell runs one route as one caller and returns the status.
func (w *mxWorld) cell(t *testing.T, row accessRow, method, path string, c *mxCaller) int {
	who, email := "", ""
	label := "anon"
	if c != nil {
		who, label = c.Label, c.Label
		email = w.users.Email(t, who)
	}
	p := w.params(t, row.Obj, false)
	body, ct := row.Body, row.CT
	if row.Body == "multipart:document" {
		csrf := ""
		if who != "" {
			csrf = w.users.Session(t, who).CSRF
		}
		body, ct = mxDocForm(csrf)
	}
	seq := w.seq.Add(1)
	if strings.Contains(body, "{event}") {
		w.event = w.lastEvent(t)
	}
	body = strings.NewReplacer("{seq}", strconv.FormatInt(seq, 10), "{n}", strconv.FormatInt(100+seq%900, 10), "{email}", email,
		"{event}", strconv.FormatInt(w.event, 10), "{worker}", w.users.Email(t, "team_worker/own"), "{birth}", strconv.FormatInt(w.birth, 10), "{receipt}", w.receipt).Replace(body)
	before := 0
	if email != "" {
		before = w.deniedCount(t, email)
	}
	r := w.request(t, method, target(path, p), who, ct, body)
	want := row.want(t, c)
	if r.Code != want && !*printMatrix {
		t.Errorf("%s %s as %s: %s, want %d", method, target(path, p), label, r, want)
	}
	if c == nil && !row.Public {
		// Anonymous callers get 401, or the login page, or a 404 of the
		// catch-all routes: nothing else outside the public routes.
		loc := r.Header.Get("Location")
		if !(r.Code == 401 || r.Code == 404 || r.Code == 303 && strings.HasPrefix(loc, "/login?")) {
			t.Errorf("%s %s anonymous: %d %s on a route that is not public", method, path, r.Code, loc)
		}
	}
	w.scan(t, row.Route, label, path, body, r)
	if row.Object() && r.Code == 404 && c != nil {
		// The refusal looks exactly like a missing object ...
		mp := w.params(t, row.Obj, true)
		missing := w.request(t, method, target(path, mp), who, ct, body)
		if a, b := normalize(r.Body, target(path, p)), normalize(missing.Body, target(path, mp)); missing.Code != r.Code || a != b {
			t.Errorf("the refusal (%d) differs from the answer for a missing object (%d): %s", r.Code, missing.Code, firstDiff(a, b))
		}
		// ... and is audited as denied.
		if row.NoDenyAudit == "" && r.Code == 404 {
			if after := w.deniedCount(t, email); after <= before {
				t.Errorf("%s %s as %s: 404 without a denied audit event", method, target(path, p), label)
			}
		}
	}
	return r.Code
}

// normalize replaces the request's own path (as the language switch
// quotes it) in a body by a placeholder.
func normalize(body, target string) string {
	q := url.QueryEscape(target)
	return strings.NewReplacer(target, "{target}", q, "{target}", strings.ToLower(q), "{target}").Replace(body)
}

// firstDiff shows the first line where a and b differ.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n\trefusal %q\n\tmissing %q", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("%d lines against %d", len(al), len(bl))
}

// accessRow is one route of the access table.
type accessRow struct {
	Route string // "METHOD /pattern" as registered (or a bare pattern)
	// Obj names the own side's object the path parameters address
	// (see mxWorld.params); "" for none.
	Obj string
	// Path overrides the pattern's path (a query, a concrete page).
	Path string
	// Body for a write (JSON for the API, form-encoded for the UI) and
	// its content type when not the default.
	Body, CT string
	// Want: the expected status per role, own/other organisation.
	Want string
	// NoDenyAudit, when not empty, says why (or which known defect) a
	// 404 refusal writes no denied audit event.
	NoDenyAudit string
	// Public403, when not empty, says why another organisation's caller
	// may get 403 here: the object's existence is public (a municipality,
	// an organisation of the public list).
	Public403 string
	// Public: anonymous callers may use the route.
	Public bool
	// Serial runs the row's callers one at a time: its writes change a
	// shared object so that each answer depends on the ones before.
	Serial bool
}

// Object reports whether the row addresses one object of the own side.
func (row accessRow) Object() bool {
	return row.Obj != "" && row.Obj != "lang"
}
