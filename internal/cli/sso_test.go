package cli_test

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/cli"
	"kansrijk/internal/sso/ssotest"
)

// TestSSOServe (area sso): serve with KANSRIJK_OIDC_* discovers a real
// provider at start and sends a sign-in to it with PKCE S256, state and
// nonce; config check names an issuer without its client and masks the
// secret.
func TestSSOServe(t *testing.T) {
	prov := ssotest.Start(t)
	prov.Register("kansrijk", "cli-test-secret", "https://kansrijk.test/auth/oidc/callback")
	env := map[string]string{
		"KANSRIJK_DB": "sqlite:" + filepath.Join(t.TempDir(), "k.db"), "KANSRIJK_ADDR": "127.0.0.1:0", "KANSRIJK_LOG_LEVEL": "warn",
		"KANSRIJK_BASE_URL": "https://kansrijk.test", "KANSRIJK_OIDC_ISSUER": prov.URL, "KANSRIJK_OIDC_CLIENT_ID": "kansrijk",
	}
	r := runCLIEnv(t, env, "config", "check")
	if r.Code != 1 || !strings.Contains(r.Stderr+r.Stdout, "KANSRIJK_OIDC_CLIENT_SECRET") {
		t.Errorf("config check of an issuer without a secret: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	env["KANSRIJK_OIDC_CLIENT_SECRET"] = "cli-test-secret"
	if r := runCLIEnv(t, env, "config", "check"); r.Code != 0 || strings.Contains(r.Stdout, "cli-test-secret") {
		t.Errorf("config check: exit %d, secret shown: %v\n%s", r.Code, strings.Contains(r.Stdout, "cli-test-secret"), r.Stderr)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready, done := make(chan string, 1), make(chan int, 1)
	var out, errOut syncBuffer
	go func() {
		done <- cli.Run(ctx, []string{"serve"}, cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
			Getenv: func(k string) string { return env[k] }, Ready: func(addr string) { ready <- addr }})
	}()
	var addr string
	select {
	case addr = <-ready:
	case code := <-done:
		t.Fatalf("serve exited %d: %s", code, errOut.String())
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not start")
	}
	c := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get("http://" + addr + "/auth/oidc/start")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, _ := url.Parse(res.Header.Get("Location"))
	q := loc.Query()
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc.String(), prov.URL) || q.Get("code_challenge_method") != "S256" ||
		q.Get("code_challenge") == "" || q.Get("state") == "" || q.Get("nonce") == "" || q.Get("client_id") != "kansrijk" ||
		q.Get("redirect_uri") != "https://kansrijk.test/auth/oidc/callback" || !strings.Contains(q.Get("scope"), "openid") {
		t.Errorf("start: %d to %s", res.StatusCode, loc)
	}
	var state bool
	for _, ck := range res.Cookies() {
		state = state || (ck.Name == "kansrijk_oidc" && ck.HttpOnly && ck.Secure && ck.Path == "/auth/oidc/" && strings.Count(ck.Value, ".") == 1)
	}
	if !state {
		t.Error("no signed, HttpOnly, Secure state cookie on /auth/oidc/")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not stop")
	}
}
