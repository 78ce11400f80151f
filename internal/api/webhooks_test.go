package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/api"
	"kansrijk/internal/audit"
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
		if code, body := call(t, mux, &admin, "PUT", hook, `{"url": "http://localhost:9000/hook"}`); code != 200 || body["url"] != "http://localhost:9000/hook" {
			t.Fatalf("admin PUT webhook: %d %v", code, body)
		}

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
