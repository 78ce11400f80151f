package account_test

import (
	"slices"
	"strings"
	"testing"

	"kansrijk/internal/account"
)

func TestParseSecondFactorRoles(t *testing.T) {
	for in, want := range map[string][]account.Role{
		"":               nil, // the default, below
		"none":           {},
		"NONE":           {},
		"admin":          {account.Admin},
		" admin , dpo ":  {account.Admin, account.DPO},
		"ocmw_admin,dpo": {account.OCMWAdmin, account.DPO},
	} {
		if in == "" {
			want = []account.Role{account.Admin, account.DPO}
		}
		got, err := account.ParseSecondFactorRoles(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("ParseSecondFactorRoles(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"boss", "admin,,dpo", "admin;dpo"} {
		if _, err := account.ParseSecondFactorRoles(in); err == nil {
			t.Errorf("ParseSecondFactorRoles(%q) accepted", in)
		}
	}
}

func TestTOTPURIAndGrouping(t *testing.T) {
	secret, uri, err := account.NewTOTPKey("ann@example.test")
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) != 32 || !strings.HasPrefix(uri, "otpauth://totp/Kansrijk:ann@example.test?") || !strings.Contains(uri, "secret="+secret) ||
		!strings.Contains(uri, "period=30") || !strings.Contains(uri, "digits=6") || !strings.Contains(uri, "algorithm=SHA1") {
		t.Errorf("secret %q, uri %q", secret, uri)
	}
	if g := account.GroupSecret("ABCDEFGHIJ"); g != "ABCD EFGH IJ" {
		t.Errorf("grouped %q", g)
	}
}
