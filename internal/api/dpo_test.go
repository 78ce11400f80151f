package api_test

// The DPO's console and break-glass access through the real server
// (issue 11): DPO-only search with keyset pages and exports, each use
// audited; break-glass with a second admin's approval.

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"kansrijk/internal/audit"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// auditPage decodes a page of GET /api/v1/audit/events.
func auditPage(t *testing.T, r refResp) ([]map[string]any, *string) {
	t.Helper()
	var p struct {
		Events []map[string]any `json:"events"`
		Next   *string          `json:"next_cursor"`
	}
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatalf("page: %v: %s", err, r)
	}
	return p.Events, p.Next
}

func TestDPOConsoleAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newRefFixture(t, db)
		id := f.sent(t)
		f.must(t, "GET", refPath(id, ""), "/api/v1/referrals/{id}", "ocmw_worker/own", "", http.StatusOK)
		const route = "/api/v1/audit/events"

		t.Run("OnlyTheDPO", func(t *testing.T) {
			for _, who := range []string{"admin", "analyst", "team_worker/own", "ocmw_worker/own", "ocmw_admin/own", "clinic/own"} {
				if r := f.do(t, "GET", route, who, ""); r.Code != http.StatusForbidden {
					t.Errorf("%s: %s, want 403", who, r)
				}
				if r := f.do(t, "GET", "/api/v1/audit/flags", who, ""); r.Code != http.StatusForbidden {
					t.Errorf("flags as %s: %s, want 403", who, r)
				}
			}
			if r := f.do(t, "GET", route, "", ""); r.Code != http.StatusUnauthorized {
				t.Errorf("anonymous: %s", r)
			}
		})

		t.Run("Pages", func(t *testing.T) {
			all := f.must(t, "GET", route+"?limit=500", route, "dpo/opgroeien", "", http.StatusOK)
			evs, next := auditPage(t, all)
			if next != nil || len(evs) < 6 {
				t.Fatalf("one page of 500: %d events, next %v", len(evs), next)
			}
			var crawled []float64
			target := route + "?limit=2"
			for i := 0; ; i++ {
				if i > 100 {
					t.Fatal("pagination does not end")
				}
				page, next := auditPage(t, f.must(t, "GET", target, route, "dpo/opgroeien", "", http.StatusOK))
				for _, e := range page {
					crawled = append(crawled, e["id"].(float64))
				}
				if next == nil {
					break
				}
				if len(page) != 2 {
					t.Fatalf("a page of %d with a next cursor", len(page))
				}
				target = route + "?limit=2&cursor=" + url.QueryEscape(*next)
			}
			// The crawl holds every event of the one big page (and the
			// searches made meanwhile are newer: not on the pages after).
			if len(crawled) < len(evs) {
				t.Fatalf("crawled %d events, want ≥ %d", len(crawled), len(evs))
			}
			for i := 1; i < len(crawled); i++ {
				if crawled[i] >= crawled[i-1] {
					t.Fatalf("ids not strictly descending at %d: %v", i, crawled)
				}
			}
			for q, field := range map[string]string{"limit=501": "limit", "from=gisteren": "from", "cursor=xyz": "cursor", "outcome=maybe": "outcome", "format=pdf": "format"} {
				r := f.must(t, "GET", route+"?"+q, route, "dpo/opgroeien", "", http.StatusBadRequest)
				var e struct {
					Error struct{ Field string } `json:"error"`
				}
				if json.Unmarshal(r.Body, &e); e.Error.Field != field {
					t.Errorf("%s: error field %q, want %q", q, e.Error.Field, field)
				}
			}
		})

		t.Run("Scope", func(t *testing.T) {
			q := route + "?object_type=referral&object_id=" + strconv.FormatInt(id, 10)
			own := f.must(t, "GET", q, route, "dpo/own", "", http.StatusOK)
			evs, _ := auditPage(t, own)
			if len(evs) < 4 { // create, consent, send, the OCMW's read
				t.Fatalf("the receiving OCMW's DPO sees %d events of its referral: %s", len(evs), own)
			}
			checkOCMWSide(t, "audit events", own)
			checkNoPII(t, "audit events", own)
			if evs, _ := auditPage(t, f.must(t, "GET", q, route, "dpo/other", "", http.StatusOK)); len(evs) != 0 {
				t.Errorf("another OCMW's DPO sees %d events of the referral", len(evs))
			}
		})

		t.Run("Export", func(t *testing.T) {
			before := len(auditEventsOf(t, db, audit.Export))
			r := f.do(t, "GET", route+"?action=referral.send&format=csv&lang=codes", "dpo/opgroeien", "")
			if r.Code != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
				t.Fatalf("csv: %s", r)
			}
			lines := strings.Split(strings.TrimSpace(string(r.Body)), "\r\n")
			if !bytes.HasPrefix(r.Body, []byte("\uFEFFid;at;actor_user_id;")) || len(lines) != 2 || !strings.Contains(lines[1], ";referral.send;") {
				t.Errorf("csv:\n%s", r.Body)
			}
			r = f.do(t, "GET", route+"?format=xlsx", "dpo/opgroeien", "")
			if r.Code != http.StatusOK || !bytes.HasPrefix(r.Body, []byte("PK")) {
				t.Errorf("xlsx: %d %q", r.Code, r.Header.Get("Content-Type"))
			}
			if n := len(auditEventsOf(t, db, audit.Export)) - before; n != 2 {
				t.Errorf("%d audit.export events, want 2", n)
			}
		})

		t.Run("SearchesAreLogged", func(t *testing.T) {
			var code string
			if err := db.SQL().QueryRowContext(context.Background(), `SELECT receipt_code FROM referrals WHERE id = $1`, id).Scan(&code); err != nil {
				t.Fatal(err)
			}
			before := len(auditEventsOf(t, db, audit.Search))
			r := f.must(t, "GET", route+"?receipt_code="+url.QueryEscape(code), route, "dpo/own", "", http.StatusOK)
			if strings.Contains(string(r.Body), code) {
				t.Errorf("the answer holds the receipt code")
			}
			evs := auditEventsOf(t, db, audit.Search)
			if len(evs) != before+1 || evs[0].ReceiptCode != code || evs[0].ActorRole != "dpo" || evs[0].Channel != "token" {
				t.Errorf("the search by receipt code is not logged with it: %+v", evs[0])
			}
		})

		t.Run("Flags", func(t *testing.T) {
			// The flags look of the API keeps its own event (the console
			// page records it in its search's one event).
			before := len(auditEventsOf(t, db, audit.Search))
			f.must(t, "GET", "/api/v1/audit/flags?from=2025-05-01&to=2025-06-03", "/api/v1/audit/flags", "dpo/opgroeien", "", http.StatusOK)
			if evs := auditEventsOf(t, db, audit.Search); len(evs) != before+1 || !strings.Contains(evs[0].Detail, `"flags"`) {
				t.Errorf("%d audit.search events for one flags look, want 1 counting the flags", len(evs)-before)
			}
			f.must(t, "GET", "/api/v1/audit/flags?from=2025-06-03&to=2025-06-01", "/api/v1/audit/flags", "dpo/opgroeien", "", http.StatusBadRequest)
			f.must(t, "GET", "/api/v1/audit/flags?from=2024-01-01&to=2025-06-01", "/api/v1/audit/flags", "dpo/opgroeien", "", http.StatusBadRequest)
		})
	})
}

func auditEventsOf(t *testing.T, db *store.DB, action string) []audit.Event {
	t.Helper()
	evs, err := db.AuditEvents(context.Background(), audit.Filter{Action: action, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func TestBreakGlassAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newRefFixture(t, db)
		second := storetest.TokenUsers(t, db, "glass.test", storetest.U{Name: "admin2", Role: "admin", Org: "opgroeien"})
		f.users["admin2"] = &refUser{Label: "admin2", Role: "admin", Org: "opgroeien", Email: second.Email(t, "admin2"), Token: second.Token(t, "admin2")}
		id := f.sent(t)
		path := refPath(id, "break-glass")
		const reqRoute = "/api/v1/referrals/{id}/break-glass"
		reason := `{"reason": "Het gezin belt in nood; het OCMW is vandaag onbereikbaar."}`

		f.must(t, "GET", refPath(id, ""), "/api/v1/referrals/{id}", "admin", "", http.StatusNotFound)
		f.must(t, "POST", path, reqRoute, "team_worker/own", reason, http.StatusForbidden)
		f.must(t, "POST", path, reqRoute, "dpo/opgroeien", reason, http.StatusForbidden)
		f.must(t, "POST", path, reqRoute, "admin", `{"reason": "kort"}`, http.StatusBadRequest)
		f.must(t, "POST", refPath(999999, "break-glass"), reqRoute, "admin", reason, http.StatusNotFound)
		req := f.must(t, "POST", path, reqRoute, "admin", reason, http.StatusCreated).object(t)
		if req["status"] != "open" {
			t.Fatalf("request = %v", req)
		}
		f.must(t, "POST", path, reqRoute, "admin", reason, http.StatusConflict)
		rid := strconv.FormatInt(int64(req["id"].(float64)), 10)

		f.must(t, "POST", "/api/v1/break-glass/"+rid+"/approve", "/api/v1/break-glass/{id}/approve", "admin", `{}`, http.StatusForbidden)
		f.must(t, "POST", "/api/v1/break-glass/"+rid+"/approve", "/api/v1/break-glass/{id}/approve", "ocmw_admin/own", `{}`, http.StatusForbidden)
		f.must(t, "GET", refPath(id, ""), "/api/v1/referrals/{id}", "admin", "", http.StatusNotFound)
		ok := f.must(t, "POST", "/api/v1/break-glass/"+rid+"/approve", "/api/v1/break-glass/{id}/approve", "admin2", `{"note": "Akkoord."}`, http.StatusOK).object(t)
		if ok["status"] != "approved" || ok["expires_at"] == nil {
			t.Fatalf("approved = %v", ok)
		}
		f.must(t, "POST", "/api/v1/break-glass/"+rid+"/deny", "/api/v1/break-glass/{id}/deny", "admin2", `{}`, http.StatusConflict)

		r := f.must(t, "GET", refPath(id, ""), "/api/v1/referrals/{id}", "admin", "", http.StatusOK)
		if !strings.Contains(string(r.Body), refParentName) {
			t.Errorf("the break-glass read lacks the parent: %s", r)
		}
		checkOCMWSide(t, "break-glass read", r)
		evs := refEvents(t, db, id, audit.ReferralReadBreakGlass)
		if len(evs) != 1 || evs[0].ReceiptCode == "" || evs[0].ActorEmail != f.users["admin"].Email {
			t.Errorf("break-glass read events = %+v", evs)
		}
		for _, action := range []string{audit.BreakGlassRequest, audit.BreakGlassApprove} {
			for _, e := range refEvents(t, db, id, action) {
				if e.ReceiptCode == "" {
					t.Errorf("%s event without the receipt code: %+v", action, e)
				}
			}
		}
		f.must(t, "GET", refPath(id, ""), "/api/v1/referrals/{id}", "admin2", "", http.StatusNotFound)
		list := f.must(t, "GET", "/api/v1/break-glass", "/api/v1/break-glass", "admin2", "", http.StatusOK).object(t)
		if reqs, _ := list["requests"].([]any); len(reqs) != 1 {
			t.Errorf("list = %v", list)
		}
		f.must(t, "GET", "/api/v1/break-glass", "/api/v1/break-glass", "dpo/opgroeien", "", http.StatusForbidden)
	})
}
