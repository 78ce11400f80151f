package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"kansrijk/internal/httpx"
	"kansrijk/internal/server"
	"kansrijk/internal/store"
)

// TestMetricsAccess: /metrics only for the configured token or from the
// configured networks (default loopback).
func TestMetricsAccess(t *testing.T) {
	f := newFixture(t)
	get := func(remote, token string) int {
		req := httptest.NewRequest("GET", "/metrics", nil)
		req.RemoteAddr = remote
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		f.srv.ServeHTTP(rec, req)
		if rec.Code == http.StatusOK && !strings.Contains(rec.Body.String(), "go_goroutines") {
			t.Errorf("/metrics 200 without metrics: %.200s", rec.Body.String())
		}
		return rec.Code
	}
	const token = "a-metrics-token-of-some-length"
	tests := []struct {
		name           string
		token, allow   string
		remote, bearer string
		want           int
	}{
		{"DefaultLoopback", "", "", "127.0.0.1:4000", "", 200},
		{"DefaultLoopbackV6", "", "", "[::1]:4000", "", 200},
		{"ErrDefaultOtherAddress", "", "", "192.0.2.1:4000", "", 404},
		{"ErrDefaultAPIToken", "", "", "192.0.2.1:4000", "admin-token", 403},
		{"Token", token, "", "192.0.2.1:4000", token, 200},
		{"ErrWrongToken", token, "", "192.0.2.1:4000", token + "x", 403},
		{"ErrWrongTokenFromLoopback", token, "", "127.0.0.1:4000", "nope", 403},
		{"AllowedNetwork", "", "10.0.0.0/8, 192.0.2.7", "10.1.2.3:4000", "", 200},
		{"AllowedAddress", "", "10.0.0.0/8, 192.0.2.7", "192.0.2.7:4000", "", 200},
		{"ErrLoopbackNotInAllow", "", "10.0.0.0/8", "127.0.0.1:4000", "", 404},
		{"ErrNone", "", "none", "127.0.0.1:4000", "", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := server.ParseMetricsAccess(tt.token, tt.allow)
			if err != nil {
				t.Fatal(err)
			}
			f.srv.SetMetricsAccess(a)
			bearer := tt.bearer
			if bearer == "admin-token" {
				bearer = f.adminToken
			}
			if got := get(tt.remote, bearer); got != tt.want {
				t.Errorf("GET /metrics from %s: %d, want %d", tt.remote, got, tt.want)
			}
		})
	}
	t.Run("ErrBadSettings", func(t *testing.T) {
		if _, err := server.ParseMetricsAccess("short", ""); err == nil {
			t.Error("a short token was accepted")
		}
		if _, err := server.ParseMetricsAccess("", "10.0.0.0/33"); err == nil {
			t.Error("a bad network was accepted")
		}
	})
}

// TestAPISessionNeedsCSRFHeader: the JSON API takes a session cookie only
// with the session's CSRF token in X-CSRF-Token (or, for GET, from the
// browser's own same-origin navigation); bearer tokens need no header.
func TestAPISessionNeedsCSRFHeader(t *testing.T) {
	f := newFixture(t)
	s, err := f.db.Login(context.Background(), "admin@example.test", testPassword, "192.0.2.1", "")
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, target string, header ...string) int {
		req := httptest.NewRequest(method, target, strings.NewReader(`{"label":"x"}`))
		req.AddCookie(&http.Cookie{Name: httpx.SessionCookie, Value: s.Secret})
		if method != http.MethodGet {
			req.Header.Set("Content-Type", "application/json")
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		f.srv.ServeHTTP(rec, req)
		return rec.Code
	}
	tests := []struct {
		name, method, target string
		header               []string
		want                 int
	}{
		{"GetWithHeader", "GET", "/api/v1/me", []string{httpx.CSRFHeader, s.CSRF}, 200},
		{"ErrGetWithoutHeader", "GET", "/api/v1/me", nil, 401},
		{"ErrGetWrongHeader", "GET", "/api/v1/me", []string{httpx.CSRFHeader, s.CSRF + "x"}, 401},
		{"ErrGetCrossSite", "GET", "/api/v1/me", []string{"Sec-Fetch-Site", "cross-site"}, 401},
		{"ErrGetSameSite", "GET", "/api/v1/me", []string{"Sec-Fetch-Site", "same-site"}, 401},
		{"GetSameOriginNavigation", "GET", "/api/v1/me", []string{"Sec-Fetch-Site", "same-origin"}, 200},
		{"GetTypedAddress", "GET", "/api/v1/me", []string{"Sec-Fetch-Site", "none"}, 200},
		{"PostWithHeader", "POST", "/api/v1/tokens", []string{httpx.CSRFHeader, s.CSRF}, 201},
		{"ErrPostWithoutHeader", "POST", "/api/v1/tokens", nil, 401},
		{"ErrPostSameOriginWithoutHeader", "POST", "/api/v1/tokens", []string{"Sec-Fetch-Site", "same-origin"}, 401},
		{"WebPageWithoutHeader", "GET", "/", nil, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := do(tt.method, tt.target, tt.header...); got != tt.want {
				t.Errorf("%s %s with the session cookie and %v: %d, want %d", tt.method, tt.target, tt.header, got, tt.want)
			}
		})
	}
	t.Run("BearerNeedsNoHeader", func(t *testing.T) {
		if r := f.do(t, "GET", "/api/v1/me", f.adminToken, nil); r.Code != 200 {
			t.Errorf("GET /api/v1/me with a bearer token: %d", r.Code)
		}
	})
}

// TestLoginPageThrottled: the login page answers a throttled attempt with
// 429 and Retry-After (seconds to the end of the window).
func TestLoginPageThrottled(t *testing.T) {
	f := newFixture(t)
	post := func(password string) response {
		form := url.Values{"email": {"worker@example.test"}, "password": {password}}
		return f.do(t, "POST", "/login", "", strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
	}
	for i := range store.DefaultThrottle.PerPair {
		if r := post("wrong-password-" + strconv.Itoa(i)); r.Code != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d", i, r.Code)
		}
	}
	r := post(testPassword)
	if r.Code != http.StatusTooManyRequests {
		t.Fatalf("after %d failures: %d, want 429", store.DefaultThrottle.PerPair, r.Code)
	}
	if n, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || n < 1 || n > int(store.DefaultThrottle.Window.Seconds()) {
		t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	if !strings.Contains(r.Body, "Te veel mislukte pogingen") {
		t.Error("the page does not say why")
	}
}
