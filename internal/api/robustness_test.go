package api_test

// Robustness of the API under load and bad input: concurrent sends on a
// pool that must not deadlock, stuck requests that end as 503, control
// characters refused in every text field, and error messages that cannot
// carry markup.

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// post sends a request to a running server as the fixture user who.
func (f *refFixture) post(ctx context.Context, client *http.Client, base, path, who, body string) (int, string, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, "POST", base+path, rd)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Authorization", "Bearer "+f.users[who].Token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// TestConcurrentSends: 100 sends at once through the real HTTP server (50
// referrals, each sent twice) all answer within seconds: 50 × 200 and 50
// × 409 (invalid_state, or conflict for the second of two at once). Before, on PostgreSQL, each send held a connection
// of the 20-connection pool for its transaction and asked for a second
// one for the agreement gate: from about 25 sends in flight every
// connection waited for another and every request hung.
func TestConcurrentSends(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newRefFixture(t, db)
		ids := make([]int64, 50)
		for i := range ids {
			ids[i] = f.consented(t)
		}
		srv := httptest.NewServer(f.srv)
		defer srv.Close()
		client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: 100}}
		ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
		defer cancel()
		type answer struct {
			code int
			body string
			err  error
		}
		answers := make(chan answer, 2*len(ids))
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := 0; i < 2*len(ids); i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				code, body, err := f.post(ctx, client, srv.URL, refPath(ids[i%len(ids)], "send"), "team_worker/own", "")
				answers <- answer{code, body, err}
			}()
		}
		began := time.Now()
		close(start)
		wg.Wait()
		took := time.Since(began)
		close(answers)
		count := map[int]int{}
		for a := range answers {
			if a.err != nil {
				t.Errorf("send: %v", a.err)
				continue
			}
			count[a.code]++
			if a.code != 200 && !(a.code == 409 && (strings.Contains(a.body, `"invalid_state"`) || strings.Contains(a.body, `"conflict"`))) {
				t.Errorf("send answered %d %s", a.code, a.body)
			}
		}
		if count[200] != len(ids) || count[409] != len(ids) {
			t.Errorf("answers %v, want %d × 200 and %d × 409", count, len(ids), len(ids))
		}
		if took > 20*time.Second {
			t.Errorf("100 concurrent sends took %s", took)
		}
		t.Logf("100 concurrent sends: %v in %s", count, took.Round(time.Millisecond))
	})
}

// TestStuckRequestEndsAs503: a send that waits for a lock longer than the
// request deadline ends as 503 unavailable with Retry-After, and changes
// nothing. (PostgreSQL: the test holds the referral's row lock.)
func TestStuckRequestEndsAs503(t *testing.T) {
	t.Setenv("KANSRIJK_REQUEST_TIMEOUT", "1s")
	db := storetest.Open(t, store.Postgres)
	f := newRefFixture(t, db)
	id := f.consented(t)
	ctx := context.Background()
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `SELECT id FROM referrals WHERE id = $1 FOR UPDATE`, id); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(f.srv)
	defer srv.Close()
	began := time.Now()
	req, _ := http.NewRequest("POST", srv.URL+refPath(id, "send"), nil)
	req.Header.Set("Authorization", "Bearer "+f.users["team_worker/own"].Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(began)
	if _, err := conn.ExecContext(ctx, `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	var e struct{ Error struct{ Code string } }
	_ = json.Unmarshal(body, &e)
	if resp.StatusCode != 503 || e.Error.Code != "unavailable" || resp.Header.Get("Retry-After") == "" || took > 5*time.Second {
		t.Fatalf("stuck send: %d %s (Retry-After %q) after %s, want 503 unavailable within seconds", resp.StatusCode, body, resp.Header.Get("Retry-After"), took)
	}
	if r := f.do(t, "GET", refPath(id, ""), "team_worker/own", ""); !strings.Contains(string(r.Body), `"status":"draft"`) {
		t.Fatalf("the stuck send changed the referral: %s", r)
	}
}

// TestParallelIdenticalBatches: the same CSV batch uploaded 10 times at
// once by one clinic: exactly one 201, and nine times the same clear
// answer, 200 with already_received — on PostgreSQL too, where the
// second insert of the batch used to fail on its unique key with a 500.
func TestParallelIdenticalBatches(t *testing.T) {
	const csv = "naam_moeder;straat_moeder;huisnummer_moeder;postcode_moeder;nis_gemeente_moeder;telefoon_moeder;taal_moeder;geboortedatum_kind;vroeg_contact_gevraagd\n" +
		"Lies Maes;Kerkstraat;3;2235;13016;0470 00 00 03;nl;01/03/2025;ja\n" +
		"Mia Claes;Kerkstraat;5;2235;13016;0470 00 00 04;nl;02/03/2025;nee\n"
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newBirthFixture(t, db)
		var wg sync.WaitGroup
		answers := make([]refResp, 10)
		start := make(chan struct{})
		for i := range answers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				answers[i] = f.postCSV(t, "/api/v1/birth-notifications/batches", "clinic/own", csv)
			}()
		}
		close(start)
		wg.Wait()
		created := 0
		for _, r := range answers {
			var rep struct {
				AlreadyReceived bool `json:"already_received"`
				Created         int  `json:"created"`
			}
			_ = json.Unmarshal(r.Body, &rep)
			switch {
			case r.Code == 201 && rep.Created == 2:
				created++
			case r.Code == 200 && rep.AlreadyReceived && rep.Created == 0:
			default:
				t.Errorf("upload answered %s", r)
			}
		}
		if created != 1 {
			t.Errorf("%d uploads created the notifications, want exactly 1", created)
		}
		if n := MustCountAPI(t, db, `SELECT count(*) FROM birth_notifications`); n != 2 {
			t.Errorf("%d notifications stored, want 2", n)
		}
	})
}

// textField returns a JSON body for schema that sets one string property
// (at any depth) to value, and the property's path; ok false when the
// schema has no string property.
func textField(s *openapi3.Schema, value string, depth int) (body any, path string, ok bool) {
	if s == nil || depth > 6 {
		return nil, "", false
	}
	if s.Type.Is("string") && len(s.Enum) == 0 && s.Format == "" {
		return value, "", true
	}
	if s.Type.Is("array") && s.Items != nil {
		if v, p, ok := textField(s.Items.Value, value, depth+1); ok {
			return []any{v}, "[0]" + p, true
		}
	}
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if v, p, ok := textField(s.Properties[n].Value, value, depth+1); ok {
			if p != "" && !strings.HasPrefix(p, "[") {
				p = "." + p
			}
			return map[string]any{n: v}, n + p, true
		}
	}
	for _, sub := range s.AllOf {
		if v, p, ok := textField(sub.Value, value, depth+1); ok {
			return v, p, true
		}
	}
	return nil, "", false
}

// TestControlCharactersRefused: every JSON write route of the API, with a
// NUL (and another C0 control character) in a text field, answers 400
// invalid_text naming the field, on both databases — before, SQLite
// stored the NUL and PostgreSQL failed with a 500. The routes come from
// the OpenAPI document (which a test holds equal to the registered
// routes); each is tried as every user until one gets past the access
// checks.
func TestControlCharactersRefused(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newRefFixture(t, db)
		draft := f.consented(t)
		params := strings.NewReplacer("{id}", strconv.FormatInt(draft, 10), "{key}", "ocmw-13016", "{nis}", "13016")
		agParams := strings.NewReplacer("{id}", strconv.FormatInt(f.agreement, 10))
		paths := make([]string, 0, f.doc.Paths.Len())
		for p := range f.doc.Paths.Map() {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		tried := 0
		for _, route := range paths {
			for method, op := range f.doc.Paths.Value(route).Operations() {
				if op.RequestBody == nil || op.RequestBody.Value.Content.Get("application/json") == nil {
					continue
				}
				schema := op.RequestBody.Value.Content.Get("application/json").Schema
				for _, bad := range []string{"a\x00b", "a\x1bb"} {
					body, field, ok := textField(schema.Value, bad, 0)
					if !ok {
						continue
					}
					raw, _ := json.Marshal(body)
					target := params.Replace(route)
					if strings.HasPrefix(route, "/api/v1/agreements/") {
						target = agParams.Replace(route)
					}
					var got refResp
					for _, u := range refUsers {
						got = f.do(t, method, target, u.Label, string(raw))
						if got.Code != 401 && got.Code != 403 && got.Code != 404 && got.Code != 405 {
							break
						}
					}
					tried++
					var e struct{ Error struct{ Code, Field string } }
					_ = json.Unmarshal(got.Body, &e)
					if got.Code != 400 || e.Error.Code != "invalid_text" || e.Error.Field != field {
						t.Errorf("%s %s with %q in %s: %s, want 400 invalid_text naming %s", method, route, bad, field, got, field)
					}
				}
			}
		}
		if tried < 20 {
			t.Errorf("only %d route bodies tried", tried)
		}
	})
}

// TestErrorEchoEscaped: an error that echoes the caller's input (an
// unknown field's name) carries neither markup nor raw control
// characters: HTML-escaped JSON, control characters as escapes.
func TestErrorEchoEscaped(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	f := newRefFixture(t, db)
	r := f.do(t, "POST", "/api/v1/referrals", "team_worker/own", `{"<script>alert(1)</script>\u0007\u2028": 1}`)
	if r.Code != 400 {
		t.Fatalf("unknown field: %s", r)
	}
	for _, raw := range []string{"<script>", "</script>", "\a", "\u2028", `\u0007`} {
		if strings.Contains(string(r.Body), raw) {
			t.Errorf("the answer holds %q raw: %s", raw, r.Body)
		}
	}
	var e struct {
		Error struct{ Code, Message, Field string }
	}
	if err := json.Unmarshal(r.Body, &e); err != nil || e.Error.Code != "unknown_field" ||
		!strings.Contains(e.Error.Field, "<script>") || !strings.Contains(e.Error.Field, `\a`) {
		t.Errorf("answer %s (%+v, %v): want unknown_field naming the field, escaped", r.Body, e, err)
	}
}

// TestControlCharactersInAddress: a control character or line break in
// the path or a query parameter is refused before any handler: 400
// invalid_text naming the parameter (JSON under /api/, plain text for
// pages), on both databases.
func TestControlCharactersInAddress(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newRefFixture(t, db)
		for _, tc := range []struct{ target, field string }{
			{"/api/v1/referrals?status=draft%00", "status"},
			{"/api/v1/outreach/targets?team=team-noord%1b", "team"},
			{"/api/v1/reports/agreements?as_of=2023-03-08%0a", "as_of"},
			{"/api/v1/public/agreements?x%00=1", `x\x00`},
			{"/api/v1/referrals/1%00", "path"},
		} {
			r := f.do(t, "GET", tc.target, "admin", "")
			var e struct {
				Error struct{ Code, Field string }
			}
			_ = json.Unmarshal(r.Body, &e)
			if r.Code != 400 || e.Error.Code != "invalid_text" || e.Error.Field != tc.field {
				t.Errorf("GET %s: %s, want 400 invalid_text naming %s", tc.target, r, tc.field)
			}
		}
		if r := f.do(t, "GET", "/login?next=/%0d%0aevil", "", ""); r.Code != 400 {
			t.Errorf("GET /login with a line break in next: %s", r)
		}
	})
}

// TestSignInControlCharacters: the sign-in form, which no session guards,
// refuses a NUL too (400); before, PostgreSQL failed on it with a 500.
func TestSignInControlCharacters(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newRefFixture(t, db)
		req := httptest.NewRequest("POST", "/login", strings.NewReader("email=a%00b%40example.org&password=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		f.srv.ServeHTTP(rec, req)
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), "invalid_text") {
			t.Errorf("sign-in with a NUL: %d %.200s", rec.Code, rec.Body.String())
		}
	})
}
