package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/demo"
	"kansrijk/internal/probe"
	"kansrijk/internal/server"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// stableCode is the shape of every API error code.
var stableCode = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// FuzzAPIJSONBodies sends fuzzed JSON bodies to every POST, PUT and PATCH
// route of the served OpenAPI document (so a new route is fuzzed without
// editing this test), through the real server on SQLite with the demo
// data, with a valid token of one of the demo roles. Whatever the body,
// the answer is never a 5xx, and every error is the JSON error body with
// a stable code.
func FuzzAPIJSONBodies(f *testing.F) {
	srv, tokens, all := fuzzServer(f)
	var routes []probe.Route
	for _, r := range all {
		if r.Method == "POST" || r.Method == "PUT" || r.Method == "PATCH" {
			routes = append(routes, r)
		}
	}
	if len(routes) < 20 {
		f.Fatalf("only %d write routes in the document", len(routes))
	}
	for i, r := range routes {
		body := []byte("{}")
		if r.JSON {
			body, _ = json.Marshal(r.Body)
		}
		f.Add(uint16(i), uint8(i%len(tokens)), body) // the fuzzer varies the role
	}
	for _, b := range []string{``, `null`, `[]`, `"x"`, `{"a":`, `{}{}`, "{\"name\":\"\x00\"}", `{"id":1e999}`, `{"municipality_nis":"11002' OR '1'='1"}`} {
		f.Add(uint16(0), uint8(0), []byte(b))
	}
	f.Fuzz(func(t *testing.T, route uint16, role uint8, body []byte) {
		r := routes[int(route)%len(routes)]
		target := r.URL(nil, "")
		req := httptest.NewRequest(r.Method, target, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tokens[int(role)%len(tokens)])
		req.Header.Set("Content-Type", "application/json")
		checkAnswer(t, srv, req, string(body))
	})
}

// FuzzAPIQueries sends fuzzed query strings and path values to every GET
// route of the document, with the same promise: no 5xx, coded errors.
func FuzzAPIQueries(f *testing.F) {
	srv, tokens, all := fuzzServer(f)
	var routes []probe.Route
	for _, r := range all {
		if r.Method == "GET" && (len(r.Params) > 0) {
			routes = append(routes, r)
		}
	}
	for i, r := range routes {
		u := r.URL(nil, "")
		q := ""
		if j := strings.IndexByte(u, '?'); j >= 0 {
			q = u[j+1:]
		}
		f.Add(uint16(i), uint8(i%len(tokens)), "1", q)
	}
	f.Add(uint16(0), uint8(0), "%00", "from=2025-13-01&to=0000-00-00&limit=-1&as_of=%ff")
	f.Fuzz(func(t *testing.T, route uint16, role uint8, id, query string) {
		r := routes[int(route)%len(routes)]
		vals := map[string]string{}
		for _, p := range r.PathParams() {
			vals[p.Name] = id
		}
		path := r.URL(vals, "")
		if j := strings.IndexByte(path, '?'); j >= 0 {
			path = path[:j]
		}
		u, err := url.Parse(path + "?" + query)
		if err != nil || strings.ContainsAny(query, "# \x00\r\n") {
			return // not a request line a client can send
		}
		req := httptest.NewRequest("GET", "/", nil)
		req.URL = u
		req.RequestURI = u.RequestURI()
		req.Header.Set("Authorization", "Bearer "+tokens[int(role)%len(tokens)])
		checkAnswer(t, srv, req, id+" "+query)
	})
}

// checkAnswer serves req and fails on a 5xx or an error that is not the
// JSON error body with a stable code.
func checkAnswer(t *testing.T, srv *server.Server, req *http.Request, input string) {
	t.Helper()
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	what := req.Method + " " + req.URL.String()
	if rec.Code >= 500 {
		t.Fatalf("%s with %q: %d %s", what, input, rec.Code, rec.Body)
	}
	if rec.Code < 400 {
		return
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s with %q: %d with Content-Type %q", what, input, rec.Code, ct)
	}
	var e struct {
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == nil || !stableCode.MatchString(e.Error.Code) || e.Error.Message == "" {
		t.Fatalf("%s with %q: %d, not a JSON error with a stable code: %s", what, input, rec.Code, rec.Body)
	}
}

// fuzzServer is the server on SQLite with the demo data, a token of each
// demo role, and the routes of its OpenAPI document.
func fuzzServer(f *testing.F) (*server.Server, []string, []probe.Route) {
	f.Helper()
	ctx := context.Background()
	db := storetest.Open(f, store.SQLite)
	if err := demo.Load(ctx, db); err != nil {
		f.Fatal(err)
	}
	srv, err := server.New(db)
	if err != nil {
		f.Fatal(err)
	}
	var tokens []string
	for _, a := range demo.Accounts {
		tok, err := db.CreateToken(ctx, account.System("fuzz"), a.Email, "fuzz")
		if err != nil {
			f.Fatal(err)
		}
		tokens = append(tokens, tok)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	all, err := probe.Routes(rec.Body.Bytes())
	if err != nil {
		f.Fatal(err)
	}
	return srv, tokens, all
}
