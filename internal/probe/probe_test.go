package probe_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kansrijk/internal/probe"
	"kansrijk/internal/server"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// The served document yields every route, real path templates filled, and
// a JSON sample body for every write route that takes JSON.
func TestRoutesFromServedDocument(t *testing.T) {
	srv, err := server.New(storetest.Open(t, store.SQLite))
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("openapi.json: %d", rec.Code)
	}
	routes, err := probe.Routes(rec.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(routes) < 50 {
		t.Fatalf("only %d routes", len(routes))
	}
	seen := map[string]bool{}
	for _, r := range routes {
		seen[r.String()] = true
		u := r.URL(nil, "")
		if strings.ContainsAny(u, "{}") {
			t.Errorf("%s: unfilled template %s", r, u)
		}
		if r.JSON {
			if _, ok := r.Body.(map[string]any); !ok {
				t.Errorf("%s: sample body %#v is not an object", r, r.Body)
			}
		}
	}
	for _, want := range []string{"GET /api/v1/referrals/{id}", "POST /api/v1/referrals", "GET /api/v1/outreach/tasks"} {
		if !seen[want] {
			t.Errorf("route %s missing", want)
		}
	}
	for _, r := range routes {
		if r.String() == "GET /api/v1/outreach/tasks" {
			u := r.URL(nil, "*")
			// Every query parameter marked: its filters and the list's
			// limit, cursor, q and sort.
			if n := strings.Count(u, "*"); n != len(r.QueryParams()) || n != 9 {
				t.Errorf("%s: %d marks in %s", r, n, u)
			}
		}
		if r.String() == "GET /api/v1/referrals/{id}" {
			if u := r.URL(map[string]string{"id": "42"}, "*"); u != "/api/v1/referrals/42*" {
				t.Errorf("URL = %s", u)
			}
		}
	}
}

func TestMarkJSON(t *testing.T) {
	body := map[string]any{"a": "x", "n": 1.0, "b": true, "list": []any{"y", map[string]any{"c": "z"}}}
	got := probe.MarkJSON(body, "*")
	var back map[string]any
	if err := json.Unmarshal([]byte(got), &back); err != nil {
		t.Fatalf("%s: %v", got, err)
	}
	if probe.CountMarks("", got, "*") != 3 || back["a"] != "x*" || back["n"] != 1.0 {
		t.Errorf("MarkJSON = %s", got)
	}
}

func TestReadVerdict(t *testing.T) {
	dir := t.TempDir()
	clean := "[INFO] testing ...\n[ERROR] all tested parameters do not appear to be injectable. Try...\n" +
		"[WARNING] HTTP error codes detected during run:\n400 (Bad Request) - 21 times\n500 (Internal Server Error) - 2 times\n[INFO] done\n"
	v := probe.ReadVerdict(clean, dir)
	if len(v.Injectable) != 0 || !v.Finished || v.HTTPErrors != "400 (Bad Request) - 21 times, 500 (Internal Server Error) - 2 times" {
		t.Errorf("clean: %+v", v)
	}
	if v := probe.ReadVerdict("[CRITICAL] page not found (404)\n", dir); v.Finished {
		t.Errorf("aborted run counted as finished: %+v", v)
	}
	hit := "sqlmap identified the following injection point(s) with a total of 30 HTTP(s) requests:\n---\n" +
		"Parameter: id (GET)\n    Type: boolean-based blind\n---\n"
	if v := probe.ReadVerdict(hit, dir); len(v.Injectable) != 1 || v.Injectable[0] != "id (GET)" {
		t.Errorf("hit: %+v", v)
	}
	// The log file in the output folder counts even if the console lost it.
	if err := os.MkdirAll(filepath.Join(dir, "127.0.0.1"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "127.0.0.1", "log"), []byte("Parameter: #1* (URI)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if v := probe.ReadVerdict("", dir); len(v.Injectable) != 1 || !v.Finished {
		t.Errorf("log file: %+v", v)
	}
}
