package api_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/api"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/netguard"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// call sends a JSON request as actor (nil: anonymous) and returns the
// status and the decoded body.
func call(t *testing.T, h http.Handler, actor *account.Actor, method, path, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if actor != nil {
		req = req.WithContext(account.NewContext(req.Context(), *actor))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s: body %q: %v", method, path, rec.Body.String(), err)
		}
	}
	return rec.Code, out
}

func errCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func TestWebhookAndInboxEmailAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := &api.API{Accounts: db, Orgs: db, Agreements: db, Referrals: db, Municipalities: db.Municipalities, Now: db.Now}
		mux := http.NewServeMux()
		a.Register(mux)

		admin := account.System("test")
		own := account.Actor{UserID: 1, Email: "beheer@ocmw.test", Role: account.OCMWAdmin, Org: "ocmw-13016", OrgKind: account.KindOCMW}
		other := account.Actor{UserID: 2, Email: "beheer@ander.test", Role: account.OCMWAdmin, Org: "ocmw-11007", OrgKind: account.KindOCMW}
		worker := account.Actor{UserID: 3, Email: "sw@ocmw.test", Role: account.OCMWWorker, Org: "ocmw-13016", OrgKind: account.KindOCMW}
		team := account.Actor{UserID: 4, Email: "lead@team.test", Role: account.TeamLead, Org: "team-noord", OrgKind: account.KindTeam}
		const hook = "/api/v1/organisations/ocmw-13016/webhook"
		const inboxPath = "/api/v1/organisations/ocmw-13016/inbox-email"

		// Set: 200 with the URL and a secret shown once.
		code, body := call(t, mux, &own, "PUT", hook, `{"url": "https://case.ocmw.test/kansrijk"}`)
		if code != 200 || body["url"] != "https://case.ocmw.test/kansrijk" || !strings.HasPrefix(body["secret"].(string), "whsec_") || len(body) != 2 {
			t.Fatalf("PUT webhook: %d %v", code, body)
		}
		target, _ := db.NotifyTarget(ctx, "ocmw-13016")
		if target.WebhookURL != "https://case.ocmw.test/kansrijk" || target.WebhookSecret != body["secret"] {
			t.Fatalf("stored %+v", target)
		}
		// Plain http to localhost: only with the development setting.
		if code, body := call(t, mux, &admin, "PUT", hook, `{"url": "http://localhost:9000/hook"}`); code != 400 || errCode(body) != store.CodeInsecureWebhookURL {
			t.Fatalf("admin PUT http://localhost webhook without the development setting: %d %v", code, body)
		}
		t.Setenv(netguard.InsecureEnv, "1")
		if code, body := call(t, mux, &admin, "PUT", hook, `{"url": "http://localhost:9000/hook"}`); code != 200 || body["url"] != "http://localhost:9000/hook" {
			t.Fatalf("admin PUT webhook: %d %v", code, body)
		}
		t.Setenv(netguard.InsecureEnv, "")

		// Refusals.
		for _, tc := range []struct {
			name   string
			actor  *account.Actor
			method string
			path   string
			body   string
			status int
			code   string
		}{
			{"anonymous", nil, "PUT", hook, `{"url": "https://x.test/"}`, 401, "unauthorized"},
			{"other OCMW", &other, "PUT", hook, `{"url": "https://x.test/"}`, 403, "forbidden"},
			{"OCMW worker", &worker, "PUT", hook, `{"url": "https://x.test/"}`, 403, "forbidden"},
			{"team lead", &team, "PUT", hook, `{"url": "https://x.test/"}`, 403, "forbidden"},
			{"other OCMW deletes", &other, "DELETE", hook, ``, 403, "forbidden"},
			{"not an OCMW", &admin, "PUT", "/api/v1/organisations/opgroeien/webhook", `{"url": "https://x.test/"}`, 404, "not_found"},
			{"unknown OCMW", &admin, "DELETE", "/api/v1/organisations/ocmw-99999/webhook", ``, 404, "not_found"},
			{"plain http", &own, "PUT", hook, `{"url": "http://case.ocmw.test/"}`, 400, store.CodeInsecureWebhookURL},
			{"no URL", &own, "PUT", hook, `{"url": ""}`, 400, store.CodeInvalidWebhookURL},
			{"relative URL", &own, "PUT", hook, `{"url": "/hook"}`, 400, store.CodeInvalidWebhookURL},
			{"unknown field", &own, "PUT", hook, `{"url": "https://x.test/", "secret": "mine"}`, 400, "unknown_field"},
			{"bad e-mail", &own, "PUT", inboxPath, `{"email": "An <a@b.test>"}`, 400, "invalid"},
			{"e-mail of other OCMW", &other, "PUT", inboxPath, `{"email": "a@b.test"}`, 403, "forbidden"},
			{"e-mail by worker", &worker, "PUT", inboxPath, `{"email": "a@b.test"}`, 403, "forbidden"},
		} {
			code, body := call(t, mux, tc.actor, tc.method, tc.path, tc.body)
			if code != tc.status || errCode(body) != tc.code {
				t.Errorf("%s: %d %v, want %d %s", tc.name, code, body, tc.status, tc.code)
			}
		}
		if target, _ := db.NotifyTarget(ctx, "ocmw-13016"); target.WebhookURL != "http://localhost:9000/hook" {
			t.Fatalf("a refused call changed the webhook: %+v", target)
		}

		// Delete: 204, twice.
		for i := 0; i < 2; i++ {
			if code, body := call(t, mux, &own, "DELETE", hook, ``); code != 204 || body != nil {
				t.Fatalf("DELETE webhook: %d %v", code, body)
			}
		}
		if target, _ := db.NotifyTarget(ctx, "ocmw-13016"); target.WebhookURL != "" {
			t.Fatalf("webhook not deleted: %+v", target)
		}

		// Inbox address: 204, stored, and cleared with "".
		if code, body := call(t, mux, &own, "PUT", inboxPath, `{"email": "sociale.dienst@ocmw.test"}`); code != 204 {
			t.Fatalf("PUT inbox-email: %d %v", code, body)
		}
		if o, _ := db.Organisation(ctx, "ocmw-13016"); o.InboxEmail != "sociale.dienst@ocmw.test" {
			t.Fatalf("inbox = %q", o.InboxEmail)
		}
		if code, _ := call(t, mux, &admin, "PUT", inboxPath, `{"email": ""}`); code != 204 {
			t.Fatalf("clear inbox-email: %d", code)
		}
		if o, _ := db.Organisation(ctx, "ocmw-13016"); o.InboxEmail != "" {
			t.Fatalf("inbox not cleared: %q", o.InboxEmail)
		}

		// Every change audited: two webhook sets, one delete, two inbox changes.
		evs, err := db.AuditEvents(ctx, audit.Filter{Action: audit.OrgUpdate, ObjectID: "ocmw-13016"})
		if err != nil {
			t.Fatal(err)
		}
		var details []string
		for _, e := range evs {
			details = append(details, e.ActorOrg+": "+e.Detail)
		}
		want := []string{"opgroeien: inbox_email", "ocmw-13016: inbox_email", "ocmw-13016: webhook deleted",
			"opgroeien: webhook set: host localhost:9000; new secret", "ocmw-13016: webhook set: host case.ocmw.test; new secret"}
		if strings.Join(details, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit:\n%s\nwant\n%s", strings.Join(details, "\n"), strings.Join(want, "\n"))
		}
	})
}

// fakeResolver answers every name with one address, for testing names
// that resolve to internal addresses without asking any DNS server.
type fakeResolver map[string]netip.Addr

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := f[host]; ok {
		return []netip.Addr{a}, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// TestWebhookAddressNotAllowed: an OCMW's admin cannot point the webhook
// at anything but the public internet: every class of internal address,
// as a literal, as an IPv4-mapped IPv6 address, as an internal name and as
// a name that resolves to loopback, is refused with 400
// webhook_address_not_allowed, and the stored webhook stays as it was.
// (No request leaves the machine: the resolver is a table.)
func TestWebhookAddressNotAllowed(t *testing.T) {
	old := netguard.Resolver
	netguard.Resolver = fakeResolver{
		"rebind.example.org": netip.MustParseAddr("127.0.0.1"),
		"meta.example.org":   netip.MustParseAddr("169.254.169.254"),
		"v6.example.org":     netip.MustParseAddr("::1"),
		"public.example.org": netip.MustParseAddr("93.184.215.14"),
	}
	t.Cleanup(func() { netguard.Resolver = old })
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := &api.API{Accounts: db, Orgs: db, Agreements: db, Referrals: db, Municipalities: db.Municipalities, Now: db.Now}
		mux := http.NewServeMux()
		a.Register(mux)
		own := account.Actor{UserID: 1, Email: "beheer@ocmw.test", Role: account.OCMWAdmin, Org: "ocmw-13016", OrgKind: account.KindOCMW}
		const hook = "/api/v1/organisations/ocmw-13016/webhook"
		if code, body := call(t, mux, &own, "PUT", hook, `{"url": "https://public.example.org/kansrijk"}`); code != 200 {
			t.Fatalf("public host: %d %v", code, body)
		}
		for _, u := range []string{
			"https://127.0.0.1/hook", "https://127.9.8.7:8443/hook", "https://[::1]/hook", // loopback
			"https://10.1.2.3/hook", "https://172.16.5.4/hook", "https://192.168.1.1/hook", // private
			"https://169.254.169.254/latest/meta-data/", "https://[fe80::1]/hook", // link-local
			"https://224.0.0.1/hook", "https://[ff02::1]/hook", // multicast
			"https://0.0.0.0/hook", "https://[::]/hook", "https://0.1.2.3/hook", // unspecified, "this network"
			"https://100.64.0.1/hook", "https://[fd12:3456::1]/hook", // CGNAT, ULA
			"https://[::ffff:127.0.0.1]/hook", "https://[::ffff:10.0.0.1]/hook", "https://[::ffff:a9fe:a9fe]/hook", // IPv4-mapped
			"https://[64:ff9b::7f00:1]/hook",                                                                                      // NAT64 of 127.0.0.1
			"https://localhost/hook", "https://LOCALHOST.:8443/hook", "https://localhost:9000/hook", "https://app.localhost/hook", // loopback names
			"https://intranet/hook", "https://db.internal/hook", "https://printer.local/hook", "https://2130706433/hook", // internal names
			"https://rebind.example.org/hook", "https://meta.example.org/hook", "https://v6.example.org/hook", // names resolving inside
		} {
			code, body := call(t, mux, &own, "PUT", hook, `{"url": "`+u+`"}`)
			if code != 400 || errCode(body) != apperr.WebhookAddressNotAllowed {
				t.Errorf("%s: %d %v, want 400 %s", u, code, body, apperr.WebhookAddressNotAllowed)
			}
		}
		// Plain http: refused whatever the host.
		for _, u := range []string{"http://127.0.0.1:8080/hook", "http://localhost:5432/", "http://public.example.org/hook"} {
			if code, body := call(t, mux, &own, "PUT", hook, `{"url": "`+u+`"}`); code != 400 || errCode(body) != store.CodeInsecureWebhookURL {
				t.Errorf("%s: %d %v, want 400 %s", u, code, body, store.CodeInsecureWebhookURL)
			}
		}
		if target, _ := db.NotifyTarget(ctx, "ocmw-13016"); target.WebhookURL != "https://public.example.org/kansrijk" {
			t.Fatalf("a refused call changed the webhook: %+v", target)
		}
	})
}
