package server_test

import (
	"context"
	"encoding/base64"
	"html"
	"strings"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/auditlog"
	"kansrijk/internal/httpx"
)

// TestAuditLogWired: once serve gives the signing log (UseAuditLog), the
// DPO's console shows the latest checkpoint and the verifier key, and the
// public checkpoint route serves the same checkpoint.
func TestAuditLogWired(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	if _, err := f.db.CreateUser(ctx, account.System("test"), account.NewUser{Email: "dpo@example.test", Role: "dpo", Org: "opgroeien", Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	skey, vkey, err := auditlog.GenerateKey("kansrijk/audit-log")
	if err != nil {
		t.Fatal(err)
	}
	lg, err := auditlog.New(f.db, auditlog.Config{PrivateKey: skey})
	if err != nil {
		t.Fatal(err)
	}
	f.srv.UseAuditLog(lg)
	if _, err := lg.Sequence(ctx); err != nil {
		t.Fatal(err)
	}
	cp, signed, err := lg.Sign(ctx)
	if err != nil || !signed {
		t.Fatalf("sign: %v (signed %v)", err, signed)
	}
	root := base64.StdEncoding.EncodeToString(cp.Root[:])

	r := f.do(t, "GET", "/api/v1/audit/checkpoints/latest", "", nil)
	if r.Code != 200 || !strings.Contains(r.Body, root) || !strings.Contains(r.Body, vkey) {
		t.Errorf("latest checkpoint: %d %s; want root %s and key %s", r.Code, r.Body, root, vkey)
	}
	cookie := httpx.SessionCookie + "=" + signIn(t, f, "dpo@example.test")
	r = f.do(t, "GET", "/audit", "", nil, "Cookie", cookie)
	if r.Code != 200 {
		t.Fatalf("/audit: %d", r.Code)
	}
	for _, want := range []string{root, vkey} {
		if !strings.Contains(html.UnescapeString(r.Body), want) {
			t.Errorf("the console does not show %q", want)
		}
	}
}
