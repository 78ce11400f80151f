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
	"strings"
	"sync"
	"testing"
	"time"

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
