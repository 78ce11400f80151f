package store_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

var (
	dpoAgency   = account.Actor{UserID: 31, Email: "dpo@opgroeien.test", Role: account.DPO, Org: "opgroeien", OrgKind: account.KindOpgroeien, Via: "test"}
	dpoHulshout = account.Actor{UserID: 32, Email: "dpo@hulshout.test", Role: account.DPO, Org: "ocmw-13016", OrgKind: account.KindOCMW, Via: "test"}
	dpoBorsbeek = account.Actor{UserID: 33, Email: "dpo@borsbeek.test", Role: account.DPO, Org: "ocmw-11007", OrgKind: account.KindOCMW, Via: "test"}
	humanAdmin  = account.Actor{UserID: 34, Email: "admin@opgroeien.test", Role: account.Admin, Org: "opgroeien", OrgKind: account.KindOpgroeien, Via: "test"}
)

// synthetic returns an event of actor at t.
func synthetic(a account.Actor, action, objType, objID string, at time.Time) audit.Event {
	ev := audit.For(a, action, objType, objID)
	ev.At = at
	return ev
}

// searchAll pages through a query and returns every event.
func searchAll(t *testing.T, db *store.DB, a account.Actor, q audit.Query) []audit.Event {
	t.Helper()
	var out []audit.Event
	seen := map[int64]bool{}
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("pagination does not end")
		}
		p, err := db.SearchAuditEvents(context.Background(), a, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range p.Events {
			if seen[e.ID] {
				t.Fatalf("event %d on two pages", e.ID)
			}
			if len(out) > 0 && out[len(out)-1].ID < e.ID {
				t.Fatalf("event %d after %d: not newest first", e.ID, out[len(out)-1].ID)
			}
			seen[e.ID] = true
			out = append(out, e)
		}
		if p.Next == "" {
			return out
		}
		if len(p.Events) != q.Limit {
			t.Fatalf("a page of %d with a next cursor, limit %d", len(p.Events), q.Limit)
		}
		if q.Before, err = audit.ParseCursor(p.Next); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSearchAuditEvents(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		world(t, db)
		activeAgreement(t, db, "team-noord", "13016")
		r := sentReferral(t, db) // team-noord → the OCMW of Hulshout
		if _, err := db.Referral(ctx, ocmwWorker, r.ID); err != nil {
			t.Fatal(err)
		}
		base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		var evs []audit.Event
		for i := 0; i < 120; i++ {
			evs = append(evs, synthetic(ocmwWorker, "referral.read", "referral", "9999", base.Add(time.Duration(i)*time.Minute)))
		}
		evs = append(evs, synthetic(otherWorker, "referral.read", "referral", "8888", base), // team-zuid, another referral
			synthetic(otherOCMW, "referral.read", "referral", "7777", base))
		if err := db.AuditAt(ctx, evs...); err != nil {
			t.Fatal(err)
		}

		t.Run("OnlyTheDPO", func(t *testing.T) {
			for _, a := range []account.Actor{humanAdmin, teamWorker, ocmwWorker} {
				if _, err := db.SearchAuditEvents(ctx, a, audit.Query{}); apperr.Code(err) != apperr.Forbidden {
					t.Errorf("%s searches: %v, want forbidden", a.Role, err)
				}
				if _, err := db.ExportAuditEvents(ctx, a, audit.Query{}, "csv"); apperr.Code(err) != apperr.Forbidden {
					t.Errorf("%s exports: %v, want forbidden", a.Role, err)
				}
				if _, err := db.AuditFlags(ctx, a, base, base.Add(time.Hour), audit.DefaultFlagConfig()); apperr.Code(err) != apperr.Forbidden {
					t.Errorf("%s flags: %v, want forbidden", a.Role, err)
				}
			}
		})

		t.Run("Pagination", func(t *testing.T) {
			all := searchAll(t, db, dpoAgency, audit.Query{Action: "referral.read", Org: "ocmw-13016", ObjectID: "9999", Limit: 50})
			if len(all) != 120 {
				t.Fatalf("%d events over the pages, want 120", len(all))
			}
			p, err := db.SearchAuditEvents(ctx, dpoAgency, audit.Query{Action: "referral.read", ObjectID: "9999"})
			if err != nil || len(p.Events) != audit.DefaultLimit || p.Next == "" {
				t.Fatalf("default page: %d events, next %q, %v", len(p.Events), p.Next, err)
			}
			if _, err := db.SearchAuditEvents(ctx, dpoAgency, audit.Query{Limit: audit.MaxLimit + 1}); apperr.Code(err) != apperr.Invalid {
				t.Errorf("limit %d: %v", audit.MaxLimit+1, err)
			}
			if _, err := audit.ParseCursor("not-a-cursor"); apperr.Code(err) != apperr.Invalid {
				t.Errorf("bad cursor: %v", err)
			}
		})

		t.Run("TimeRange", func(t *testing.T) {
			got := searchAll(t, db, dpoAgency, audit.Query{ObjectID: "9999", From: base.Add(10 * time.Minute), To: base.Add(20 * time.Minute), Limit: 500})
			if len(got) != 10 {
				t.Fatalf("%d events in [10m, 20m), want 10", len(got))
			}
			for _, e := range got {
				if e.At.Before(base.Add(10*time.Minute)) || !e.At.Before(base.Add(20*time.Minute)) {
					t.Errorf("event at %s outside the range", e.At)
				}
			}
		})

		t.Run("Scope", func(t *testing.T) {
			ref := strconv.FormatInt(r.ID, 10)
			count := func(a account.Actor, q audit.Query) int {
				q.Limit = 500
				return len(searchAll(t, db, a, q))
			}
			// The referral's events: team-noord's (create, consent, send) and the OCMW's read.
			central := count(dpoAgency, audit.Query{ObjectType: "referral", ObjectID: ref})
			if central < 4 {
				t.Fatalf("Opgroeien's DPO sees %d events of the referral, want ≥ 4", central)
			}
			if got := count(dpoHulshout, audit.Query{ObjectType: "referral", ObjectID: ref}); got != central {
				t.Errorf("the receiving OCMW's DPO sees %d events of its referral, want %d", got, central)
			}
			if got := count(dpoBorsbeek, audit.Query{ObjectType: "referral", ObjectID: ref}); got != 0 {
				t.Errorf("another OCMW's DPO sees %d events of the referral", got)
			}
			if got := count(dpoHulshout, audit.Query{Org: "ocmw-13016", ObjectID: "9999"}); got != 120 {
				t.Errorf("the OCMW's DPO sees %d of its own workers' events, want 120", got)
			}
			for _, q := range []audit.Query{{ObjectID: "8888"}, {ObjectID: "7777"}, {Org: "team-zuid"}} {
				if got := count(dpoHulshout, q); got != 0 {
					t.Errorf("the OCMW's DPO sees %d events for %+v", got, q)
				}
				if got := count(dpoAgency, q); got == 0 {
					t.Errorf("Opgroeien's DPO sees no event for %+v", q)
				}
			}
		})

		t.Run("ReceiptCode", func(t *testing.T) {
			got := searchAll(t, db, dpoHulshout, audit.Query{ReceiptCode: r.ReceiptCode, Limit: 500})
			if len(got) < 3 {
				t.Fatalf("%d events by receipt code", len(got))
			}
			for _, e := range got {
				if e.ReceiptCode != "" {
					t.Errorf("event %d shows the receipt code", e.ID)
				}
			}
			// The search is itself recorded, with the code: the family sees it.
			logged, err := db.AuditEvents(ctx, audit.Filter{Action: audit.Search, ReceiptCode: r.ReceiptCode})
			if err != nil || len(logged) == 0 || logged[0].ActorEmail != dpoHulshout.Email || logged[0].ObjectType != "audit_log" {
				t.Fatalf("search by receipt code not recorded: %+v %v", logged, err)
			}
			list, err := db.ExportAuditEvents(ctx, dpoHulshout, audit.Query{ReceiptCode: r.ReceiptCode}, "xlsx")
			if err != nil {
				t.Fatal(err)
			}
			// The export holds every event found (and the search's own record,
			// which carries the code too).
			inExport := map[int64]bool{}
			for _, e := range list {
				inExport[e.ID] = true
			}
			for _, e := range got {
				if !inExport[e.ID] {
					t.Errorf("event %d found but not exported", e.ID)
				}
			}
			exp, err := db.AuditEvents(ctx, audit.Filter{Action: audit.Export, ReceiptCode: r.ReceiptCode})
			if err != nil || len(exp) != 1 || exp[0].Detail == "" {
				t.Fatalf("export not recorded: %+v %v", exp, err)
			}
		})
	})
}

func TestAuditFlags(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// Monday 2 March 2026, 10:00 in Brussels (UTC+1).
		base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		who := func(id int64, org string) account.Actor {
			return account.Actor{UserID: id, Email: fmt.Sprintf("u%d@%s.test", id, org), Role: account.OCMWWorker, Org: org, OrgKind: account.KindOCMW, Via: "session"}
		}
		busy, steady, refused, fewRefusals, owl, early := who(101, "ocmw-13016"), who(102, "ocmw-13016"), who(103, "ocmw-13016"),
			who(104, "ocmw-13016"), who(105, "ocmw-11007"), who(106, "ocmw-13016")
		var evs []audit.Event
		for i := 0; i < 25; i++ {
			// 25 families in 30 minutes; the first family twice.
			evs = append(evs, synthetic(busy, "referral.read", "referral", strconv.Itoa(1000+i), base.Add(time.Duration(i)*72*time.Second)))
			// 25 families over five hours: five an hour.
			evs = append(evs, synthetic(steady, "birth_notification.read", "birth_notification", strconv.Itoa(2000+i), base.Add(time.Duration(i)*12*time.Minute)))
		}
		evs = append(evs, synthetic(busy, "referral.read", "referral", "1000", base.Add(31*time.Minute)))
		for i := 0; i < 5; i++ {
			d := synthetic(refused, "referral.access_denied", "referral", strconv.Itoa(3000+i), base.Add(time.Duration(i)*10*time.Minute))
			d.Outcome = audit.Denied
			evs = append(evs, d)
			if i < 4 {
				d = synthetic(fewRefusals, "referral.access_denied", "referral", strconv.Itoa(3000+i), base.Add(time.Duration(i)*10*time.Minute))
				d.Outcome = audit.Denied
				evs = append(evs, d)
			}
		}
		// 23:30 and 00:10 in Brussels: one night; 07:00 is morning.
		evs = append(evs, synthetic(owl, "referral.read", "referral", "4000", time.Date(2026, 3, 2, 22, 30, 0, 0, time.UTC)),
			synthetic(owl, "referral.read", "referral", "4001", time.Date(2026, 3, 2, 23, 10, 0, 0, time.UTC)),
			synthetic(early, "referral.read", "referral", "4002", time.Date(2026, 3, 3, 6, 0, 0, 0, time.UTC)))
		// Token 7 used from 198.51.100.1 last week, from 198.51.100.2 now;
		// token 8 only ever from one address.
		tok := func(a account.Actor, id int64, addr string, at time.Time) audit.Event {
			a.Via, a.TokenID, a.ClientAddr = "token", id, addr
			return synthetic(a, "inbox.read", "", "", at)
		}
		evs = append(evs, tok(early, 7, "198.51.100.1", base.AddDate(0, 0, -7)), tok(early, 7, "198.51.100.1", base.Add(time.Hour)),
			tok(early, 7, "198.51.100.2", base.Add(2*time.Hour)), tok(early, 8, "198.51.100.9", base.Add(time.Hour)))
		if err := db.AuditAt(ctx, evs...); err != nil {
			t.Fatal(err)
		}
		from, to := base.Add(-time.Hour), base.Add(24*time.Hour)
		flags, err := db.AuditFlags(ctx, dpoAgency, from, to, audit.DefaultFlagConfig())
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]audit.Flag{}
		for _, f := range flags {
			got[f.Kind] = append(got[f.Kind], f)
		}
		if f := got[audit.FlagManyFamilies]; len(f) != 1 || f[0].ActorUserID != busy.UserID || f[0].Count != 25 || !f[0].From.Equal(base) {
			t.Errorf("many families: %+v", f)
		}
		if f := got[audit.FlagRepeatedDenials]; len(f) != 1 || f[0].ActorUserID != refused.UserID || f[0].Count != 5 {
			t.Errorf("repeated denials: %+v", f)
		}
		if f := got[audit.FlagNightAccess]; len(f) != 1 || f[0].ActorUserID != owl.UserID || f[0].Count != 2 {
			t.Errorf("night access: %+v", f)
		}
		if f := got[audit.FlagNewTokenAddress]; len(f) != 1 || f[0].TokenID != 7 || f[0].ClientAddr != "198.51.100.2" || f[0].ActorUserID != early.UserID {
			t.Errorf("new token address: %+v", f)
		}
		// The OCMW's DPO sees the flags of its own people only.
		flags, err = db.AuditFlags(ctx, dpoHulshout, from, to, audit.DefaultFlagConfig())
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range flags {
			if f.ActorOrg != "ocmw-13016" {
				t.Errorf("the OCMW's DPO sees a flag of %s: %+v", f.ActorOrg, f)
			}
		}
		if len(flags) != 3 { // many families, denials, new token address
			t.Errorf("the OCMW's DPO sees %d flags, want 3: %+v", len(flags), flags)
		}
		// A lower threshold flags the steady worker too.
		cfg := audit.DefaultFlagConfig()
		cfg.ManyFamilies = 4
		flags, _ = db.AuditFlags(ctx, dpoAgency, from, to, cfg)
		n := 0
		for _, f := range flags {
			if f.Kind == audit.FlagManyFamilies && f.ActorUserID == steady.UserID {
				n++
			}
		}
		if n != 1 {
			t.Errorf("threshold 4: %d flags for the steady worker, want 1: %+v", n, flags)
		}
	})
}
