package httpx_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"kansrijk/internal/httpx"
)

func mustTransport(t *testing.T, base, proxies string) *httpx.Transport {
	t.Helper()
	tr, err := httpx.NewTransport(base, proxies)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestTrustedProxies: X-Forwarded-For and X-Forwarded-Proto count only
// from a trusted peer; then the client is the rightmost untrusted hop.
func TestTrustedProxies(t *testing.T) {
	tr := mustTransport(t, "https://kansrijk.example.org", "10.0.0.0/8, 192.0.2.7,2001:db8::/32")
	for _, c := range []struct {
		name, peer, xff, proto string
		client                 string
		https                  bool
	}{
		{"untrusted peer, spoofed headers", "198.51.100.9:4000", "203.0.113.5", "https", "198.51.100.9", false},
		{"untrusted peer claiming a trusted proxy", "198.51.100.9:4000", "10.0.0.1, 203.0.113.5", "https", "198.51.100.9", false},
		{"loopback is not trusted unless listed", "127.0.0.1:4000", "203.0.113.5", "https", "127.0.0.1", false},
		{"trusted proxy", "10.1.2.3:4000", "203.0.113.5", "https", "203.0.113.5", true},
		{"trusted proxy, client spoofs the left", "10.1.2.3:4000", "1.1.1.1, 203.0.113.5", "https", "203.0.113.5", true},
		{"two trusted proxies", "192.0.2.7:4000", "1.1.1.1, 203.0.113.5, 10.9.9.9", "http, https", "203.0.113.5", true},
		{"trusted proxy, plain http", "10.1.2.3:4000", "203.0.113.5", "http", "203.0.113.5", false},
		{"trusted proxy, no header", "10.1.2.3:4000", "", "", "10.1.2.3", false},
		{"garbage stops at the last trusted hop", "10.1.2.3:4000", "203.0.113.5, nonsense, 10.0.0.2", "https", "10.0.0.2", true},
		{"hop with a port", "10.1.2.3:4000", "203.0.113.5:5555", "https", "203.0.113.5", true},
		{"IPv6 proxy and client", "[2001:db8::1]:443", "2001:db9::5", "https", "2001:db9::5", true},
		{"IPv4-mapped peer", "[::ffff:10.1.2.3]:80", "203.0.113.5", "", "203.0.113.5", false},
		{"all hops trusted", "10.1.2.3:4000", "10.0.0.5", "", "10.0.0.5", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = c.peer
			if c.xff != "" {
				r.Header.Set("X-Forwarded-For", c.xff)
			}
			if c.proto != "" {
				r.Header.Set("X-Forwarded-Proto", c.proto)
			}
			r = tr.Resolve(r)
			if got := httpx.ClientAddr(r); got != c.client {
				t.Errorf("ClientAddr %q, want %q", got, c.client)
			}
			if got := httpx.IsHTTPS(r); got != c.https {
				t.Errorf("IsHTTPS %t, want %t", got, c.https)
			}
		})
	}
	t.Run("Unresolved", func(t *testing.T) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = "198.51.100.9:4000"
		r.Header.Set("X-Forwarded-For", "203.0.113.5")
		if got := httpx.ClientAddr(r); got != "198.51.100.9" {
			t.Errorf("ClientAddr %q", got)
		}
	})
	for _, bad := range []string{"10.0.0.0/33", "proxy.example.org", "10.0.0.1;10.0.0.2"} {
		if _, err := httpx.NewTransport("", bad); err == nil {
			t.Errorf("trusted proxies %q accepted", bad)
		}
	}
	for _, none := range []string{"", "none", " NONE "} {
		if p, err := httpx.ParseTrustedProxies(none); err != nil || p != nil {
			t.Errorf("%q: %v %v", none, p, err)
		}
	}
	if _, err := httpx.NewTransport("kansrijk.example.org", ""); err == nil {
		t.Error("a base URL without scheme accepted")
	}
}

// TestCookiesFollowBaseURL: Secure on an https public address only; one
// helper sets every cookie with HttpOnly and SameSite=Lax.
func TestCookiesFollowBaseURL(t *testing.T) {
	for base, secure := range map[string]bool{"https://kansrijk.example.org": true, "http://localhost:8080": false, "": false} {
		r := mustTransport(t, base, "").Resolve(httptest.NewRequest("GET", "/", nil))
		rec := httptest.NewRecorder()
		httpx.SetSessionCookie(rec, r, "krs_secret", httpTime())
		httpx.SetCookie(rec, r, &http.Cookie{Name: "lang", Value: "en", MaxAge: 60})
		httpx.ClearSessionCookie(rec, r)
		cs := rec.Result().Cookies()
		if len(cs) != 3 {
			t.Fatalf("%d cookies", len(cs))
		}
		for _, c := range cs {
			if c.Secure != secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
				t.Errorf("base %q: cookie %s: Secure %t HttpOnly %t SameSite %v Path %q", base, c.Name, c.Secure, c.HttpOnly, c.SameSite, c.Path)
			}
		}
		if cs[2].MaxAge >= 0 {
			t.Errorf("the cleared session cookie has MaxAge %d", cs[2].MaxAge)
		}
	}
}

// TestLoginProblem: where a browser cannot sign in, and why.
func TestLoginProblem(t *testing.T) {
	for _, c := range []struct {
		base, proxies, host, peer, proto string
		tls                              bool
		want                             string
	}{
		{"http://localhost:8080", "", "localhost:8080", "127.0.0.1:1", "", false, ""},
		{"http://localhost:8080", "", "127.0.0.1:8080", "127.0.0.1:1", "", false, ""},
		{"http://localhost:8080", "", "[::1]:8080", "[::1]:1", "", false, ""},
		{"http://kansrijk.intern", "", "kansrijk.intern", "10.0.0.9:1", "", false, httpx.LoginPlainHTTP},
		{"http://localhost:8080", "", "192.168.1.20:8080", "192.168.1.30:1", "", false, httpx.LoginPlainHTTP},
		{"https://kansrijk.example.org", "", "kansrijk.example.org", "127.0.0.1:1", "https", false, httpx.LoginNeedsHTTPS},
		{"https://kansrijk.example.org", "127.0.0.1", "kansrijk.example.org", "127.0.0.1:1", "https", false, ""},
		{"https://kansrijk.example.org", "127.0.0.1", "kansrijk.example.org", "127.0.0.1:1", "http", false, httpx.LoginNeedsHTTPS},
		{"https://kansrijk.example.org", "", "kansrijk.example.org", "203.0.113.5:1", "", true, ""},
		{"https://kansrijk.example.org", "", "localhost:8080", "127.0.0.1:1", "", false, ""},
	} {
		r := httptest.NewRequest("GET", "/login", nil)
		r.Host, r.RemoteAddr = c.host, c.peer
		if c.proto != "" {
			r.Header.Set("X-Forwarded-Proto", c.proto)
		}
		if c.tls {
			r.TLS = &tls.ConnectionState{}
		}
		if got := httpx.LoginProblem(mustTransport(t, c.base, c.proxies).Resolve(r)); got != c.want {
			t.Errorf("%+v: %q, want %q", c, got, c.want)
		}
	}
	if got := httpx.LoginProblem(httptest.NewRequest("GET", "/login", nil)); got != "" {
		t.Errorf("unresolved request: %q", got)
	}
}

func httpTime() time.Time { return time.Now().Add(time.Hour) }
