package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
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
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s with %q: %d %s", r.Method, target, body, rec.Code, rec.Body)
		}
		if rec.Code < 400 {
			return
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("%s %s with %q: %d with Content-Type %q", r.Method, target, body, rec.Code, ct)
		}
		var e struct {
			Error *struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == nil || !stableCode.MatchString(e.Error.Code) || e.Error.Message == "" {
			t.Fatalf("%s %s with %q: %d, not a JSON error with a stable code: %s", r.Method, target, body, rec.Code, rec.Body)
		}
	})
}
