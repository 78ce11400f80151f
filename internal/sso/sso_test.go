package sso

import (
	"encoding/base64"
	"strings"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/i18n"
)

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{}
	get := func(k string) string { return env[k] }
	if _, on, err := ConfigFromEnv(get); on || err != nil {
		t.Fatalf("without an issuer: on=%v err=%v", on, err)
	}
	env["KANSRIJK_OIDC_ISSUER"] = "https://login.example.org/realms/kansrijk"
	if _, on, err := ConfigFromEnv(get); !on || err == nil || !strings.Contains(err.Error(), "KANSRIJK_OIDC_CLIENT_ID") || !strings.Contains(err.Error(), "KANSRIJK_OIDC_CLIENT_SECRET") {
		t.Fatalf("an issuer without its client: on=%v err=%v", on, err)
	}
	env["KANSRIJK_OIDC_CLIENT_ID"], env["KANSRIJK_OIDC_CLIENT_SECRET"] = "kansrijk", "geheim"
	env["KANSRIJK_BASE_URL"] = "https://kansrijk.example.org/"
	env["KANSRIJK_OIDC_SCOPES"] = "openid, email profile groups"
	env["KANSRIJK_OIDC_ROLE_MAP"] = "Beheerder OCMW=ocmw_admin, Medewerker=ocmw_worker"
	cfg, on, err := ConfigFromEnv(get)
	if !on || err != nil {
		t.Fatal(on, err)
	}
	if cfg.RedirectURL != "https://kansrijk.example.org/auth/oidc/callback" || len(cfg.Scopes) != 4 || cfg.RoleMap["Beheerder OCMW"] != account.OCMWAdmin {
		t.Errorf("cfg %+v", cfg)
	}
	env["KANSRIJK_OIDC_ROLE_MAP"] = "Baas=koning"
	if _, _, err := ConfigFromEnv(get); err == nil || !strings.Contains(err.Error(), "koning") {
		t.Errorf("an unknown role in the map: %v", err)
	}
}

func TestRoleClaim(t *testing.T) {
	c := &Client{cfg: Config{RoleMap: map[string]account.Role{"Medewerker": account.OCMWWorker}}}
	for _, tc := range []struct {
		in   any
		want account.Role
	}{
		{"Medewerker", account.OCMWWorker},
		{"team_lead", account.TeamLead},
		{[]any{"iets", "Medewerker"}, account.OCMWWorker},
		{[]any{"Medewerker", "ocmw_worker"}, account.OCMWWorker}, // the same role twice
		{[]any{"Medewerker", "admin"}, ""},                       // two roles: none
		{"koning", ""},
		{nil, ""},
		{42.0, ""},
	} {
		if _, got := c.role(tc.in); got != tc.want {
			t.Errorf("role(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestStateCookie: a cookie of another client, altered or expired is
// refused as a state mismatch.
func TestStateCookie(t *testing.T) {
	a := &Client{key: []byte("key a")}
	b := &Client{key: []byte("key b")}
	payload := b64([]byte(`{"s":"x","n":"y","v":"z","e":4102444800}`))
	good := payload + "." + b64(a.sign(payload))
	if got, err := a.readState(good); err != nil || got.State != "x" {
		t.Fatalf("own cookie: %+v %v", got, err)
	}
	for name, v := range map[string]string{"other client": payload + "." + b64(b.sign(payload)), "altered": b64([]byte(`{"s":"y"}`)) + "." + b64(a.sign(payload)),
		"empty": "", "expired": b64([]byte(`{"e":1}`)) + "." + b64(a.sign(b64([]byte(`{"e":1}`))))} {
		if _, err := a.readState(v); CodeOf(err) != CodeState {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// Every code has its Dutch and English page text.
func TestCodesHaveTexts(t *testing.T) {
	for _, c := range Codes {
		for _, l := range []i18n.Lang{i18n.NL, i18n.EN} {
			if !i18n.Has(l, "sso.error."+c) {
				t.Errorf("%s lacks sso.error.%s", l, c)
			}
		}
	}
}
