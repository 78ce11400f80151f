package server_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	_ "modernc.org/sqlite"

	"kansrijk/internal/account"
	"kansrijk/internal/httpx"
	"kansrijk/internal/server"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

const testPassword = "correct-horse-battery"

// fixture is a server on a fresh SQLite database with an admin and an OCMW
// worker, each with an API token.
type fixture struct {
	db          *store.DB
	srv         *server.Server
	adminToken  string
	workerToken string
	admin       account.User
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	ctx := context.Background()
	db := storetest.Open(tb, store.SQLite)
	srv, err := server.New(db)
	if err != nil {
		tb.Fatalf("server.New: %v", err)
	}
	// Served as https://example.com, as behind a TLS proxy: Secure cookies, HSTS.
	t, err := httpx.NewTransport("https://example.com", "")
	if err != nil {
		tb.Fatal(err)
	}
	srv.SetTransport(t)
	f := &fixture{db: db, srv: srv}
	sys := account.System("test")
	f.admin, err = db.CreateUser(ctx, sys, account.NewUser{Email: "admin@example.test", Name: "Admin", Role: "admin", Org: "opgroeien", Password: testPassword})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.CreateUser(ctx, sys, account.NewUser{Email: "worker@example.test", Role: "ocmw_worker", Org: "ocmw-11002", Password: testPassword}); err != nil {
		tb.Fatal(err)
	}
	if f.adminToken, err = db.CreateToken(ctx, sys, "admin@example.test", "test"); err != nil {
		tb.Fatal(err)
	}
	if f.workerToken, err = db.CreateToken(ctx, sys, "worker@example.test", "test"); err != nil {
		tb.Fatal(err)
	}
	return f
}

// response is a recorded response.
type response struct {
	Code   int
	Header http.Header
	Body   string
}

// JSON decodes the body into a generic value.
func (r response) JSON(tb testing.TB) map[string]any {
	tb.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(r.Body), &v); err != nil {
		tb.Fatalf("body is not a JSON object: %v\n%s", err, r.Body)
	}
	return v
}

// do sends a request through the server's handler. token "" sends none;
// body may be nil.
func (f *fixture) do(tb testing.TB, method, target, token string, body io.Reader, header ...string) response {
	tb.Helper()
	if strings.HasPrefix(target, "/") {
		target = "https://example.com" + target // TLS, as the public address says
	}
	req := httptest.NewRequest(method, target, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil && method != http.MethodGet {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	return response{rec.Code, rec.Result().Header, rec.Body.String()}
}

// WantError checks status and the JSON error shape {"error": {"code", "message"}}.
func WantError(tb testing.TB, r response, status int, code string) {
	tb.Helper()
	if r.Code != status {
		tb.Fatalf("status %d, want %d; body %s", r.Code, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		tb.Errorf("Content-Type %q, want JSON", ct)
	}
	var body struct {
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	dec := json.NewDecoder(strings.NewReader(r.Body))
	if err := dec.Decode(&body); err != nil || body.Error == nil {
		tb.Fatalf("body is not {\"error\": …}: %v\n%s", err, r.Body)
	}
	if body.Error.Code != code || body.Error.Message == "" {
		tb.Errorf("error %+v, want code %s and a message", *body.Error, code)
	}
	var top map[string]json.RawMessage
	_ = json.Unmarshal([]byte(r.Body), &top)
	if len(top) != 1 {
		tb.Errorf("error body has keys besides \"error\": %s", r.Body)
	}
}

func TestHealth(t *testing.T) {
	f := newFixture(t)

	t.Run("Healthz", func(t *testing.T) {
		if r := f.do(t, "GET", "/healthz", "", nil); r.Code != http.StatusOK {
			t.Errorf("/healthz %d %s", r.Code, r.Body)
		}
	})
	t.Run("Readyz", func(t *testing.T) {
		r := f.do(t, "GET", "/readyz", "", nil)
		if r.Code != http.StatusOK || r.JSON(t)["status"] != "ready" {
			t.Errorf("/readyz %d %s", r.Code, r.Body)
		}
	})
	t.Run("Metrics", func(t *testing.T) {
		f.do(t, "GET", "/api/v1/municipalities?on=2023-03-08", "", nil)
		f.do(t, "GET", "/api/v1/teams/team-x", f.adminToken, nil)
		f.do(t, "GET", "/no/such/page", "", nil)
		f.srv.SetMetricsAccess(server.MetricsAccess{Token: "metrics-token-for-the-test"})
		r := f.do(t, "GET", "/metrics", "metrics-token-for-the-test", nil)
		if r.Code != http.StatusOK {
			t.Fatalf("/metrics %d", r.Code)
		}
		for _, want := range []*regexp.Regexp{
			regexp.MustCompile(`(?m)^kansrijk_http_requests_total\{[^}]*route="GET /api/v1/municipalities"[^}]*\} 1$`),
			// The pattern, never the raw path with its key.
			regexp.MustCompile(`(?m)^kansrijk_http_requests_total\{[^}]*code="404"[^}]*route="GET /api/v1/teams/\{key\}"[^}]*\} 1$`),
			regexp.MustCompile(`(?m)^kansrijk_http_request_duration_seconds_count\{[^}]*route="GET /api/v1/municipalities"[^}]*\} 1$`),
			regexp.MustCompile(`(?m)^go_sql_open_connections\{db_name="sqlite"\} \d+$`),
			regexp.MustCompile(`(?m)^go_sql_max_open_connections\{db_name="sqlite"\} \d+$`),
		} {
			if !want.MatchString(r.Body) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		if strings.Contains(r.Body, "team-x") || strings.Contains(r.Body, "/no/such/page") {
			t.Error("/metrics holds raw paths")
		}
	})
	t.Run("ReadyzAfterClose", func(t *testing.T) {
		f.db.Close()
		r := f.do(t, "GET", "/readyz", "", nil)
		if r.Code != http.StatusServiceUnavailable {
			t.Errorf("/readyz with a closed database: %d %s", r.Code, r.Body)
		}
		if strings.Contains(r.Body, "closed") || strings.Contains(r.Body, "sql:") {
			t.Errorf("/readyz leaks the error: %s", r.Body)
		}
		if r := f.do(t, "GET", "/healthz", "", nil); r.Code != http.StatusOK {
			t.Errorf("/healthz with a closed database: %d", r.Code)
		}
	})
}

func TestMunicipalities(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct {
		name, query string
		want        int
	}{
		{"Flanders2023", "on=2023-03-08&region=flanders", 300},
		{"Flanders2025", "on=2025-01-01&region=flanders", 285},
		{"Flanders2024LastDay", "on=2024-12-31&region=flanders", 300},
		{"Brussels", "region=brussels", 19},
		{"Brussels2023", "on=2023-03-08&region=brussels", 19},
		{"All2025", "on=2025-01-01", 285 + 19},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(t, "GET", "/api/v1/municipalities?limit=500&"+tt.query, "", nil)
			if r.Code != http.StatusOK {
				t.Fatalf("status %d: %s", r.Code, r.Body)
			}
			var body struct {
				Count          int              `json:"count"`
				Municipalities []map[string]any `json:"municipalities"`
			}
			if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
				t.Fatal(err)
			}
			if body.Count != tt.want || len(body.Municipalities) != tt.want {
				t.Errorf("count %d with %d municipalities, want %d", body.Count, len(body.Municipalities), tt.want)
			}
		})
	}

	t.Run("Shape", func(t *testing.T) {
		r := f.do(t, "GET", "/api/v1/municipalities?on=2023-03-08&region=flanders&limit=500", "", nil)
		var body struct {
			Municipalities []map[string]any `json:"municipalities"`
		}
		if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
			t.Fatal(err)
		}
		byNIS := map[string]map[string]any{}
		for _, m := range body.Municipalities {
			byNIS[m["nis"].(string)] = m
		}
		want := map[string]any{"nis": "11002", "name": "Antwerpen", "province": "Antwerpen", "region": "flanders",
			"valid_from": "2019-01-01", "valid_to": nil, "successor_nis": nil}
		if diff := cmp.Diff(want, byNIS["11002"]); diff != "" {
			t.Errorf("11002 (-want +got):\n%s", diff)
		}
		if m := byNIS["73040"]; m == nil || m["valid_to"] != "2024-12-31" || m["successor_nis"] != "71072" {
			t.Errorf("73040: %v", m)
		}
	})

	for _, bad := range []string{"on=2023-13-01", "on=08-03-2023", "on=yesterday", "on=2023-02-30"} {
		t.Run("ErrInvalidDate/"+bad, func(t *testing.T) {
			WantError(t, f.do(t, "GET", "/api/v1/municipalities?"+bad, "", nil), http.StatusBadRequest, "invalid_date")
		})
	}
	t.Run("ErrRegion", func(t *testing.T) {
		WantError(t, f.do(t, "GET", "/api/v1/municipalities?region=wallonia", "", nil), http.StatusBadRequest, "invalid")
	})
}

func TestMe(t *testing.T) {
	f := newFixture(t)
	t.Run("OK", func(t *testing.T) {
		r := f.do(t, "GET", "/api/v1/me", f.adminToken, nil)
		if r.Code != http.StatusOK {
			t.Fatalf("status %d: %s", r.Code, r.Body)
		}
		got := r.JSON(t)
		want := map[string]any{"id": float64(f.admin.ID), "email": "admin@example.test", "name": "Admin", "role": "admin",
			"organisation": "opgroeien", "organisation_kind": "opgroeien"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("/api/v1/me (-want +got):\n%s", diff)
		}
	})
	for _, tt := range []struct{ name, header, value string }{
		{"ErrNoCredentials", "", ""},
		{"ErrBogusBearer", "Authorization", "Bearer krt_bogus"},
		{"ErrEmptyBearer", "Authorization", "Bearer  "},
		{"ErrBasicAuth", "Authorization", "Basic YWRtaW46eA=="},
		{"ErrBogusSessionCookie", "Cookie", httpx.SessionCookie + "=krs_bogus"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var hdr []string
			if tt.header != "" {
				hdr = []string{tt.header, tt.value}
			}
			WantError(t, f.do(t, "GET", "/api/v1/me", "", nil, hdr...), http.StatusUnauthorized, "unauthorized")
		})
	}
}

func TestAPIErrors(t *testing.T) {
	f := newFixture(t)
	teamCount := func(t *testing.T) int {
		t.Helper()
		r := f.do(t, "GET", "/api/v1/organisations?kind=team", f.adminToken, nil)
		if r.Code != http.StatusOK {
			t.Fatalf("organisations: %d %s", r.Code, r.Body)
		}
		return int(r.JSON(t)["count"].(float64))
	}

	t.Run("UnknownEndpoint", func(t *testing.T) {
		WantError(t, f.do(t, "GET", "/api/v1/x", "", nil), http.StatusNotFound, "not_found")
		WantError(t, f.do(t, "POST", "/api/v1/x/y", f.adminToken, strings.NewReader("{}")), http.StatusNotFound, "not_found")
	})

	t.Run("BodyTooLarge", func(t *testing.T) {
		big := `{"key":"team-big","name":"` + strings.Repeat("a", httpx.MaxJSONBody+10) + `","municipalities":["11002"],"valid_from":"2023-01-01"}`
		WantError(t, f.do(t, "POST", "/api/v1/teams", f.adminToken, strings.NewReader(big)), http.StatusRequestEntityTooLarge, "body_too_large")
		if n := teamCount(t); n != 0 {
			t.Errorf("%d teams after an oversized body", n)
		}
	})

	t.Run("UnknownField", func(t *testing.T) {
		body := `{"key":"team-x","name":"X","municipalities":["11002"],"valid_from":"2023-01-01","colour":"red"}`
		WantError(t, f.do(t, "POST", "/api/v1/teams", f.adminToken, strings.NewReader(body)), http.StatusBadRequest, "unknown_field")
		if n := teamCount(t); n != 0 {
			t.Errorf("%d teams after an unknown field", n)
		}
	})

	for _, tt := range []struct {
		name, body, code string
		status           int
	}{
		{"MalformedJSON", `{"key":`, "invalid_json", 400},
		{"EmptyBody", ``, "invalid_json", 400},
		{"TwoValues", `{"key":"team-x"} {}`, "invalid_json", 400},
		{"WrongType", `{"key":"team-x","name":"X","municipalities":"11002"}`, "invalid_json", 400},
		{"BadDate", `{"key":"team-x","name":"X","municipalities":["11002"],"valid_from":"1/1/2023"}`, "invalid_date", 400},
		{"BadKey", `{"key":"Team X","name":"X","municipalities":["11002"],"valid_from":"2023-01-01"}`, "invalid", 400},
		{"MergedMunicipality", `{"key":"team-x","name":"X","municipalities":["71072"],"valid_from":"2023-01-01"}`, "invalid", 400},
	} {
		t.Run(tt.name, func(t *testing.T) {
			WantError(t, f.do(t, "POST", "/api/v1/teams", f.adminToken, strings.NewReader(tt.body)), tt.status, tt.code)
			if n := teamCount(t); n != 0 {
				t.Errorf("%d teams after a bad request", n)
			}
		})
	}

	t.Run("WrongContentType", func(t *testing.T) {
		r := f.do(t, "POST", "/api/v1/teams", f.adminToken, strings.NewReader(`{}`), "Content-Type", "text/plain")
		WantError(t, r, http.StatusBadRequest, "invalid")
	})

	t.Run("ForbiddenForNonAdmin", func(t *testing.T) {
		body := `{"key":"team-x","name":"X","municipalities":["11002"],"valid_from":"2023-01-01"}`
		WantError(t, f.do(t, "POST", "/api/v1/teams", f.workerToken, strings.NewReader(body)), http.StatusForbidden, "forbidden")
		WantError(t, f.do(t, "POST", "/api/v1/clinics", f.workerToken, strings.NewReader(`{"key":"clinic-x","name":"X"}`)), http.StatusForbidden, "forbidden")
		WantError(t, f.do(t, "GET", "/api/v1/users", f.workerToken, nil), http.StatusForbidden, "forbidden")
		if n := teamCount(t); n != 0 {
			t.Errorf("%d teams after a forbidden request", n)
		}
	})

	t.Run("UnauthorizedWithoutToken", func(t *testing.T) {
		body := `{"key":"team-x","name":"X","municipalities":["11002"],"valid_from":"2023-01-01"}`
		WantError(t, f.do(t, "POST", "/api/v1/teams", "", strings.NewReader(body)), http.StatusUnauthorized, "unauthorized")
		WantError(t, f.do(t, "GET", "/api/v1/organisations", "", nil), http.StatusUnauthorized, "unauthorized")
	})

	t.Run("InternalErrorHidesDetails", func(t *testing.T) {
		// Break the database behind the store's back.
		_, path, err := store.ParseDSN(f.db.Redacted)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		if _, err := raw.Exec(`DROP TABLE team_areas`); err != nil {
			t.Fatal(err)
		}
		r := f.do(t, "GET", "/api/v1/teams?on=2023-03-08", f.adminToken, nil)
		WantError(t, r, http.StatusInternalServerError, "internal")
		for _, leak := range []string{"team_areas", "no such table", "SQL", "sqlite", "SELECT"} {
			if strings.Contains(r.Body, leak) {
				t.Errorf("internal error response holds %q: %s", leak, r.Body)
			}
		}
		if rid := r.Header.Get(httpx.RequestIDHeader); rid == "" || !strings.Contains(r.Body, rid) {
			t.Errorf("internal error response should name the request id %q: %s", rid, r.Body)
		}
	})
}

func TestTeamsScript(t *testing.T) {
	f := newFixture(t)
	post := func(t *testing.T, target, body string) response {
		t.Helper()
		return f.do(t, "POST", target, f.adminToken, strings.NewReader(body))
	}

	r := post(t, "/api/v1/teams", `{"key":"team-script","name":"Script team","municipalities":["11002","11001"],"valid_from":"2023-01-01"}`)
	if r.Code != http.StatusCreated {
		t.Fatalf("POST /api/v1/teams: %d %s", r.Code, r.Body)
	}
	created := r.JSON(t)
	if created["key"] != "team-script" || created["valid_from"] != "2023-01-01" {
		t.Errorf("created %v", created)
	}
	if diff := cmp.Diff([]any{"11001", "11002"}, created["municipalities"]); diff != "" {
		t.Errorf("created area (-want +got):\n%s", diff)
	}

	t.Run("Duplicate", func(t *testing.T) {
		WantError(t, post(t, "/api/v1/teams", `{"key":"team-script","name":"Again","municipalities":["11004"],"valid_from":"2023-01-01"}`),
			http.StatusConflict, "duplicate")
	})
	t.Run("Overlap", func(t *testing.T) {
		WantError(t, post(t, "/api/v1/teams", `{"key":"team-other","name":"Other","municipalities":["11002"],"valid_from":"2023-01-01"}`),
			http.StatusConflict, "conflict")
	})

	t.Run("List", func(t *testing.T) {
		r := f.do(t, "GET", "/api/v1/teams?on=2023-03-08", f.adminToken, nil)
		if r.Code != http.StatusOK {
			t.Fatalf("GET /api/v1/teams: %d %s", r.Code, r.Body)
		}
		var body struct {
			Count int `json:"count"`
			Teams []struct {
				Key            string   `json:"key"`
				Name           string   `json:"name"`
				Municipalities []string `json:"municipalities"`
			} `json:"teams"`
		}
		if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
			t.Fatal(err)
		}
		if body.Count != 1 || len(body.Teams) != 1 || body.Teams[0].Key != "team-script" || len(body.Teams[0].Municipalities) != 2 {
			t.Errorf("teams %s", r.Body)
		}
	})

	t.Run("Patch", func(t *testing.T) {
		r := f.do(t, "PATCH", "/api/v1/teams/team-script", f.adminToken,
			strings.NewReader(`{"name":"Script team Antwerpen","municipalities":["11002","11004"],"valid_from":"2024-01-01"}`))
		if r.Code != http.StatusOK {
			t.Fatalf("PATCH: %d %s", r.Code, r.Body)
		}
		for _, tt := range []struct {
			on   string
			want []any
		}{
			{"2023-12-31", []any{"11001", "11002"}},
			{"2024-01-01", []any{"11002", "11004"}},
		} {
			r := f.do(t, "GET", "/api/v1/teams/team-script?on="+tt.on, f.adminToken, nil)
			if r.Code != http.StatusOK {
				t.Fatalf("GET team: %d %s", r.Code, r.Body)
			}
			got := r.JSON(t)
			if diff := cmp.Diff(tt.want, got["municipalities"]); diff != "" {
				t.Errorf("area on %s (-want +got):\n%s", tt.on, diff)
			}
			if got["name"] != "Script team Antwerpen" {
				t.Errorf("name %v", got["name"])
			}
		}
		WantError(t, f.do(t, "PATCH", "/api/v1/teams/team-script", f.adminToken,
			strings.NewReader(`{"municipalities":["11002"],"valid_from":"2023-06-01"}`)), http.StatusBadRequest, "invalid_date")
		WantError(t, f.do(t, "PATCH", "/api/v1/teams/team-nope", f.adminToken, strings.NewReader(`{"name":"X"}`)), http.StatusNotFound, "not_found")
		WantError(t, f.do(t, "PATCH", "/api/v1/teams/team-script", f.workerToken, strings.NewReader(`{"name":"X"}`)), http.StatusForbidden, "forbidden")
	})

	t.Run("Clinic", func(t *testing.T) {
		r := post(t, "/api/v1/clinics", `{"key":"clinic-script","name":"Script kliniek"}`)
		if r.Code != http.StatusCreated || r.JSON(t)["key"] != "clinic-script" {
			t.Fatalf("POST /api/v1/clinics: %d %s", r.Code, r.Body)
		}
		WantError(t, post(t, "/api/v1/clinics", `{"key":"clinic-script","name":"Again"}`), http.StatusConflict, "duplicate")
	})

	t.Run("Organisations", func(t *testing.T) {
		r := f.do(t, "GET", "/api/v1/organisations?limit=500", f.workerToken, nil)
		if r.Code != http.StatusOK {
			t.Fatalf("GET /api/v1/organisations: %d %s", r.Code, r.Body)
		}
		var body struct {
			Count         int `json:"count"`
			Organisations []struct {
				Key  string `json:"key"`
				Kind string `json:"kind"`
			} `json:"organisations"`
		}
		if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
			t.Fatal(err)
		}
		kinds := map[string]string{}
		for _, o := range body.Organisations {
			kinds[o.Key] = o.Kind
		}
		want := map[string]string{"opgroeien": "opgroeien", "caw-brussel": "caw", "ocmw-11002": "ocmw", "team-script": "team", "clinic-script": "clinic"}
		for k, v := range want {
			if kinds[k] != v {
				t.Errorf("organisation %s has kind %q, want %q", k, kinds[k], v)
			}
		}
		if body.Count != 2+312+2 || len(body.Organisations) != body.Count {
			t.Errorf("count %d (%d listed), want 316", body.Count, len(body.Organisations))
		}
		r = f.do(t, "GET", "/api/v1/organisations?kind=ocmw&on=2025-01-01&limit=500", f.workerToken, nil)
		if n := r.JSON(t)["count"]; n != float64(285) {
			t.Errorf("OCMWs on 2025-01-01: %v, want 285", n)
		}
		WantError(t, f.do(t, "GET", "/api/v1/organisations?kind=bank", f.workerToken, nil), http.StatusBadRequest, "invalid")
	})
}

// signIn logs in through the web form and returns the session cookie value.
func signIn(t *testing.T, f *fixture, email string) string {
	t.Helper()
	form := url.Values{"email": {email}, "password": {testPassword}}
	r := f.do(t, "POST", "/login", "", strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
	if r.Code != http.StatusSeeOther {
		t.Fatalf("login: %d %s", r.Code, r.Body)
	}
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == httpx.SessionCookie {
			if !c.HttpOnly || !c.Secure || c.SameSite == http.SameSiteNoneMode || c.SameSite == http.SameSiteDefaultMode {
				t.Errorf("session cookie %+v: want HttpOnly, Secure, SameSite", c)
			}
			return c.Value
		}
	}
	t.Fatalf("no session cookie in %v", r.Header)
	return ""
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func TestWeb(t *testing.T) {
	f := newFixture(t)
	form := func(v url.Values) (io.Reader, []string) {
		return strings.NewReader(v.Encode()), []string{"Content-Type", "application/x-www-form-urlencoded"}
	}

	t.Run("LoginPage", func(t *testing.T) {
		r := f.do(t, "GET", "/login", "", nil)
		if r.Code != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET /login: %d %s", r.Code, r.Header.Get("Content-Type"))
		}
		for _, want := range []string{`<html lang="nl`, `<form method="post" action="/login"`, `name="email"`, `name="password"`} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("login page lacks %s", want)
			}
		}
	})

	t.Run("WrongPassword", func(t *testing.T) {
		body, hdr := form(url.Values{"email": {"admin@example.test"}, "password": {"wrong-password-1"}})
		r := f.do(t, "POST", "/login", "", body, hdr...)
		if r.Code != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", r.Code)
		}
		if !strings.Contains(r.Body, "Onbekend e-mailadres of verkeerd wachtwoord") {
			t.Errorf("no Dutch error message in:\n%s", r.Body)
		}
		if strings.Contains(r.Body, "wrong-password-1") {
			t.Error("the page echoes the password")
		}
		if strings.Contains(r.Header.Get("Set-Cookie"), httpx.SessionCookie+"=krs_") {
			t.Error("a failed login set a session cookie")
		}
	})

	cookie := httpx.SessionCookie + "=" + signIn(t, f, "admin@example.test")

	t.Run("SignedIn", func(t *testing.T) {
		r := f.do(t, "GET", "/", "", nil, "Cookie", cookie)
		if r.Code != http.StatusOK {
			t.Fatalf("home: %d", r.Code)
		}
		// The API takes the cookie from the browser's own same-origin
		// request (or with the CSRF header: TestAPISessionNeedsCSRFHeader).
		r = f.do(t, "GET", "/api/v1/me", "", nil, "Cookie", cookie, "Sec-Fetch-Site", "same-origin")
		if r.Code != http.StatusOK || r.JSON(t)["email"] != "admin@example.test" {
			t.Errorf("/api/v1/me with the session cookie: %d %s", r.Code, r.Body)
		}
		if r = f.do(t, "GET", "/api/v1/me", "", nil, "Cookie", cookie); r.Code != http.StatusUnauthorized {
			t.Errorf("/api/v1/me with only the session cookie: %d, want 401", r.Code)
		}
	})

	t.Run("PostWithoutCSRF", func(t *testing.T) {
		body, hdr := form(url.Values{"name": {"Kliniek zonder CSRF"}, "slug": {"zonder-csrf"}})
		r := f.do(t, "POST", "/clinics", "", body, append(hdr, "Cookie", cookie)...)
		if r.Code != http.StatusForbidden {
			t.Fatalf("status %d, want 403", r.Code)
		}
		body, hdr = form(url.Values{"name": {"Kliniek zonder CSRF"}, "slug": {"zonder-csrf"}, "csrf": {"forged"}})
		if r := f.do(t, "POST", "/clinics", "", body, append(hdr, "Cookie", cookie)...); r.Code != http.StatusForbidden {
			t.Fatalf("forged CSRF token: status %d, want 403", r.Code)
		}
		if _, err := f.db.Organisation(context.Background(), "clinic-zonder-csrf"); err == nil {
			t.Error("the clinic was created without a CSRF token")
		}
	})

	t.Run("PostWithCSRF", func(t *testing.T) {
		page := f.do(t, "GET", "/clinics/new", "", nil, "Cookie", cookie)
		m := csrfInput.FindStringSubmatch(page.Body)
		if page.Code != http.StatusOK || m == nil {
			t.Fatalf("clinic form: %d, csrf found %t", page.Code, m != nil)
		}
		body, hdr := form(url.Values{"name": {"Kliniek met CSRF"}, "slug": {"met-csrf"}, "csrf": {m[1]}})
		r := f.do(t, "POST", "/clinics", "", body, append(hdr, "Cookie", cookie)...)
		if r.Code != http.StatusSeeOther {
			t.Fatalf("status %d, want 303: %s", r.Code, r.Body)
		}
		if _, err := f.db.Organisation(context.Background(), "clinic-met-csrf"); err != nil {
			t.Errorf("clinic not created: %v", err)
		}
	})

	t.Run("PostWithoutSession", func(t *testing.T) {
		body, hdr := form(url.Values{"name": {"Anoniem"}, "slug": {"anoniem"}})
		if r := f.do(t, "POST", "/clinics", "", body, hdr...); r.Code != http.StatusUnauthorized {
			t.Errorf("anonymous POST: %d, want 401", r.Code)
		}
	})

	t.Run("Logout", func(t *testing.T) {
		page := f.do(t, "GET", "/", "", nil, "Cookie", cookie)
		m := csrfInput.FindStringSubmatch(page.Body)
		if m == nil {
			t.Fatal("no CSRF token on the home page")
		}
		body, hdr := form(url.Values{"csrf": {m[1]}})
		if r := f.do(t, "POST", "/logout", "", body, append(hdr, "Cookie", cookie)...); r.Code != http.StatusSeeOther {
			t.Fatalf("logout: %d", r.Code)
		}
		if r := f.do(t, "GET", "/api/v1/me", "", nil, "Cookie", cookie); r.Code != http.StatusUnauthorized {
			t.Errorf("/api/v1/me after logout: %d", r.Code)
		}
	})
}
