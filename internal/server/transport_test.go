package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/httpx"
	"kansrijk/internal/server"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// Area ops: public address, trusted proxies, HSTS, readiness while
// draining.

func opsServer(t *testing.T, db *store.DB, base, proxies string) *server.Server {
	t.Helper()
	srv, err := server.New(db)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := httpx.NewTransport(base, proxies)
	if err != nil {
		t.Fatal(err)
	}
	srv.SetTransport(tr)
	return srv
}

// opsUser creates the admin the ops tests sign in as.
func opsUser(t *testing.T, db *store.DB) {
	t.Helper()
	if _, err := db.CreateUser(t.Context(), account.System("test"), account.NewUser{Email: "ops@example.test", Role: "admin", Org: "opgroeien", Password: testPassword}); err != nil {
		t.Fatal(err)
	}
}

// login posts the sign-in form from peer (with extra headers).
func opsLogin(srv http.Handler, host, peer, password string, header ...string) *httptest.ResponseRecorder {
	form := url.Values{"email": {"ops@example.test"}, "password": {password}}
	req := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
	req.Host, req.RemoteAddr = host, peer
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec
}

func sessionCookie(rec *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range rec.Result().Cookies() {
		if c.Name == httpx.SessionCookie && c.Value != "" {
			return c
		}
	}
	return nil
}

// TestOpsHSTS: Strict-Transport-Security when the public address is
// https, none on http.
func TestOpsHSTS(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	for base, want := range map[string]string{"https://kansrijk.example.org": "max-age=31536000; includeSubDomains", "http://localhost:8080": ""} {
		srv, err := server.New(db)
		if err != nil {
			t.Fatal(err)
		}
		tr, _ := httpx.NewTransport(base, "")
		srv.SetTransport(tr)
		for _, path := range []string{"/healthz", "/login", "/api/v1/me"} {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
			if got := rec.Header().Get("Strict-Transport-Security"); got != want {
				t.Errorf("%s %s: HSTS %q, want %q", base, path, got, want)
			}
		}
	}
}

// TestOpsLoginTransport: over plain http on a host other than this
// machine, or over http while the public address is https, the login page
// says why signing in cannot work (role="alert") and a sign-in is refused
// without a cookie; on localhost over http and behind a trusted TLS proxy
// it works, with the Secure flag following the public address.
func TestOpsLoginTransport(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		opsUser(t, db)
		t.Run("PlainHTTPElsewhere", func(t *testing.T) {
			srv := opsServer(t, db, "http://kansrijk.intern", "")
			req := httptest.NewRequest("GET", "/login", nil)
			req.Host = "kansrijk.intern"
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			body := rec.Body.String()
			if rec.Code != 200 || !strings.Contains(body, `role="alert" id="login-transport"`) || !strings.Contains(body, "niet versleuteld (http)") {
				t.Fatalf("GET /login on http://kansrijk.intern: %d, no Dutch alert:\n%.2000s", rec.Code, body)
			}
			rec = opsLogin(srv, "kansrijk.intern", "10.0.0.9:5000", testPassword)
			if rec.Code != http.StatusForbidden || sessionCookie(rec) != nil || !strings.Contains(rec.Body.String(), "Aanmelden kan hier niet") {
				t.Errorf("sign-in over plain http: %d, cookie %v", rec.Code, sessionCookie(rec))
			}
		})
		t.Run("LocalhostHTTP", func(t *testing.T) {
			srv := opsServer(t, db, "", "")
			req := httptest.NewRequest("GET", "/login", nil)
			req.Host = "localhost:8080"
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if strings.Contains(rec.Body.String(), "login-transport") {
				t.Error("the login page on localhost warns")
			}
			rec = opsLogin(srv, "localhost:8080", "127.0.0.1:5000", testPassword)
			c := sessionCookie(rec)
			if rec.Code != http.StatusSeeOther || c == nil || c.Secure || !c.HttpOnly {
				t.Fatalf("sign-in on http://localhost: %d, cookie %+v", rec.Code, c)
			}
		})
		t.Run("HTTPSBaseOverHTTP", func(t *testing.T) {
			srv := opsServer(t, db, "https://kansrijk.example.org", "127.0.0.1/32")
			// From an untrusted peer, X-Forwarded-Proto is not believed.
			rec := opsLogin(srv, "kansrijk.example.org", "203.0.113.5:5000", testPassword, "X-Forwarded-Proto", "https")
			if rec.Code != http.StatusForbidden || sessionCookie(rec) != nil || !strings.Contains(rec.Body.String(), "https://kansrijk.example.org") {
				t.Errorf("sign-in over http with a spoofed X-Forwarded-Proto: %d", rec.Code)
			}
			// The trusted proxy says https: signed in, Secure cookie, HSTS.
			rec = opsLogin(srv, "kansrijk.example.org", "127.0.0.1:5000", testPassword, "X-Forwarded-Proto", "https", "X-Forwarded-For", "198.51.100.4")
			c := sessionCookie(rec)
			if rec.Code != http.StatusSeeOther || c == nil || !c.Secure {
				t.Fatalf("sign-in through the trusted proxy: %d, cookie %+v", rec.Code, c)
			}
			if rec.Header().Get("Strict-Transport-Security") == "" {
				t.Error("no HSTS")
			}
			// The audit log records the forwarded client, not the proxy.
			var addr string
			if err := db.SQL().QueryRowContext(t.Context(), "SELECT client_addr FROM audit_events WHERE actor_email = 'ops@example.test' ORDER BY id DESC LIMIT 1").Scan(&addr); err != nil {
				t.Fatal(err)
			}
			if addr != "198.51.100.4" {
				t.Errorf("audit client address %q, want the forwarded 198.51.100.4", addr)
			}
		})
	})
}

// TestOpsThrottleSpoofedForwardedFor: sign-in throttling counts per
// client address. From an untrusted peer, a different X-Forwarded-For on
// each attempt changes nothing: the peer is throttled. Behind a trusted
// proxy, each forwarded client has its own count.
func TestOpsThrottleSpoofedForwardedFor(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		opsUser(t, db)
		srv := opsServer(t, db, "https://kansrijk.example.org", "10.0.0.0/8")
		hdr := func(i int) []string {
			return []string{"X-Forwarded-Proto", "https", "X-Forwarded-For", "192.0.2." + strconv.Itoa(i+1)}
		}
		// Untrusted peer over TLS (a direct https client).
		post := func(peer, password string, h []string) *httptest.ResponseRecorder {
			form := url.Values{"email": {"ops@example.test"}, "password": {password}}
			req := httptest.NewRequest("POST", "https://kansrijk.example.org/login", strings.NewReader(form.Encode()))
			req.RemoteAddr = peer
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for i := 0; i+1 < len(h); i += 2 {
				req.Header.Set(h[i], h[i+1])
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			return rec
		}
		for i := range store.DefaultThrottle.PerPair {
			if rec := post("203.0.113.5:4000", "wrong-password-"+strconv.Itoa(i), hdr(i)); rec.Code != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d", i, rec.Code)
			}
		}
		if rec := post("203.0.113.5:4000", testPassword, hdr(99)); rec.Code != http.StatusTooManyRequests {
			t.Errorf("untrusted peer with a fresh spoofed X-Forwarded-For: %d, want 429", rec.Code)
		}
		// Through the trusted proxy: the same number of failures, each
		// from another client, throttle none of them per pair.
		for i := range store.DefaultThrottle.PerPair {
			if rec := post("10.0.0.2:4000", "wrong-password-"+strconv.Itoa(i), hdr(i)); rec.Code != http.StatusUnauthorized {
				t.Fatalf("proxied attempt %d: %d", i, rec.Code)
			}
		}
		rec := post("10.0.0.2:4000", testPassword, hdr(50))
		if rec.Code == http.StatusTooManyRequests {
			t.Errorf("a new client behind the trusted proxy is throttled: the proxy's address was counted")
		}
	})
}

// TestOpsReadyzDraining: once the stop begins, /readyz answers 503
// {"status":"draining"} while requests are still served during the drain;
// then Serve returns.
func TestOpsReadyzDraining(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	srv, err := server.New(db)
	if err != nil {
		t.Fatal(err)
	}
	srv.SetShutdown(server.Shutdown{Drain: 1500 * time.Millisecond, Timeout: 5 * time.Second})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()
	get := func(path string) (int, map[string]string) {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		var v map[string]string
		b, _ := io.ReadAll(resp.Body)
		_ = json.Unmarshal(b, &v)
		return resp.StatusCode, v
	}
	if code, v := get("/readyz"); code != 200 || v["status"] != "ready" {
		t.Fatalf("before: %d %v", code, v)
	}
	start := time.Now()
	cancel()
	time.Sleep(100 * time.Millisecond)
	if code, v := get("/readyz"); code != 503 || v["status"] != "draining" {
		t.Errorf("draining: %d %v", code, v)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Errorf("a new request while draining: %d", code)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 1400*time.Millisecond {
		t.Errorf("Serve returned after %s, before the drain of 1.5s", d)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("the listener is still open after Serve returned")
	}
}

// TestOpsNoDrainUnwatched: when nothing asked /readyz since start (no load
// balancer watches), a stop does not wait for the drain.
func TestOpsNoDrainUnwatched(t *testing.T) {
	srv, err := server.New(storetest.Open(t, store.SQLite))
	if err != nil {
		t.Fatal(err)
	}
	srv.SetShutdown(server.Shutdown{Drain: 5 * time.Second, Timeout: 5 * time.Second})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	if resp, err := http.Get("http://" + ln.Addr().String() + "/healthz"); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	start := time.Now()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("stopped after %s: it drained though nobody watched /readyz", d)
	}
}
