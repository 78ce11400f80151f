package store_test

import (
	"context"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"kansrijk/internal/audit"
	"kansrijk/internal/page"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// inboxEvents returns the inbox's events, newest first, read on another
// connection than the page's (the read pool).
func inboxEvents(t *testing.T, db *store.DB) []audit.Event {
	t.Helper()
	evs, err := db.AuditEvents(context.Background(), audit.Filter{Action: "referral.inbox", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// TestInboxPageEventNamesPage: every inbox page, forwards, backwards (a
// "previous" link), longer than an event names (audit.ListMaxIDs) and
// empty, has exactly one event, durable and visible on another
// connection when the page returns, naming exactly the ids of the page in
// the order shown and their number, as audit.ListObjectID and the list's
// detail write them (on PostgreSQL the page's own statement writes it).
func TestInboxPageEventNamesPage(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		worldB(t, db)
		seedReferrals(t, db, 1500) // 150 open referrals
		read := func(q url.Values) page.Result[referral.ListItem] {
			t.Helper()
			before := len(inboxEvents(t, db))
			req, err := page.Parse(q, referral.InboxSorts(false)...)
			if err != nil {
				t.Fatal(err)
			}
			res, err := db.InboxPage(ctx, ocmwWorker, referral.Filter{}, req)
			if err != nil {
				t.Fatal(err)
			}
			evs := inboxEvents(t, db)
			if len(evs) != before+1 {
				t.Fatalf("%v: %d events after the page, want exactly one more than %d", q, len(evs), before)
			}
			ids := make([]int64, len(res.Items))
			for i, it := range res.Items {
				ids[i] = it.ID
			}
			ev := evs[0]
			if ev.ObjectID != audit.ListObjectID(ids) || ev.Detail != "list of "+strconv.Itoa(len(ids)) ||
				ev.ObjectType != "referral" || ev.Purpose != audit.PurposeFollowUp || ev.Outcome != audit.OK ||
				ev.ActorOrg != ocmwWorker.Org || ev.ActorUserID != ocmwWorker.UserID || ev.At.IsZero() {
				t.Fatalf("%v: page %v, event %+v", q, ids, ev)
			}
			return res
		}
		first := read(url.Values{"limit": {"7"}})
		second := read(url.Values{"limit": {"7"}, "cursor": {first.Next}})
		back := read(url.Values{"limit": {"7"}, "cursor": {second.Prev}})
		if len(first.Items) != 7 || len(back.Items) != 7 || back.Items[0].ID != first.Items[0].ID || back.Items[6].ID != first.Items[6].ID {
			t.Fatalf("backwards: %d items, first %d, want those of the first page", len(back.Items), back.Items[0].ID)
		}
		for _, sort := range []string{"-sent", "name", "-status"} {
			p := read(url.Values{"limit": {"5"}, "sort": {sort}})
			p = read(url.Values{"limit": {"5"}, "sort": {sort}, "cursor": {p.Next}})
			read(url.Values{"limit": {"5"}, "sort": {sort}, "cursor": {p.Prev}})
		}
		long := read(url.Values{"limit": {"120"}})
		if len(long.Items) != 120 || !strings.HasSuffix(inboxEvents(t, db)[0].ObjectID, ",…+20") {
			t.Fatalf("a page of 120: %d items, event %q", len(long.Items), inboxEvents(t, db)[0].ObjectID)
		}
		read(url.Values{"limit": {"120"}, "cursor": {long.Next}})                    // the last 30
		read(url.Values{"limit": {"500"}, "sort": {"-sent"}, "cursor": {long.Prev}}) // before the first: empty
		if empty := read(url.Values{"q": {"niemand-heet-zo"}}); len(empty.Items) != 0 || inboxEvents(t, db)[0].ObjectID != "" {
			t.Fatalf("empty page: %d items", len(empty.Items))
		}
	})
}

// TestInboxPageFailsWithoutEvent: when the database refuses the inbox's
// event, the page fails: no referral is returned without its event.
func TestInboxPageFailsWithoutEvent(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		worldB(t, db)
		seedReferrals(t, db, 200)
		req := page.Request{Limit: 10, Sort: "sent"}
		if _, err := db.InboxPage(ctx, ocmwWorker, referral.Filter{}, req); err != nil {
			t.Fatal(err)
		}
		if db.Dialect() == store.Postgres {
			store.ExecWrite(t, db, `CREATE FUNCTION test_refuse_inbox() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN IF NEW.action = 'referral.inbox' THEN RAISE EXCEPTION 'refused event'; END IF; RETURN NEW; END $$`)
			store.ExecWrite(t, db, `CREATE TRIGGER test_refuse_inbox BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION test_refuse_inbox()`)
		} else {
			store.ExecWrite(t, db, `CREATE TRIGGER test_refuse_inbox BEFORE INSERT ON audit_events WHEN NEW.action = 'referral.inbox'
				BEGIN SELECT RAISE(ABORT, 'refused event'); END`)
		}
		before := len(inboxEvents(t, db))
		for _, f := range []referral.Filter{{}, {Status: referral.StatusNew}, {Archive: true}} {
			res, err := db.InboxPage(ctx, ocmwWorker, f, req)
			if err == nil || len(res.Items) != 0 {
				t.Fatalf("filter %+v: %d items, error %v; want the page to fail", f, len(res.Items), err)
			}
		}
		if got := len(inboxEvents(t, db)); got != before {
			t.Fatalf("%d events after the refused ones, want %d", got, before)
		}
	})
}

// TestOpenAlwaysAudits: a handle of store.Open writes the event of every
// inbox page, also while a handle of OpenUnauditedBenchmarkBaseline (the
// harness's baseline, which writes none) reads the same database; both
// read the very same page.
func TestOpenAlwaysAudits(t *testing.T) {
	for _, d := range storetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, d)
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			worldB(t, db)
			seedReferrals(t, db, 300)
			plain, err := store.OpenUnauditedBenchmarkBaseline(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer plain.Close()
			again, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer again.Close()
			req := page.Request{Limit: 20, Sort: "sent"}
			want, err := db.InboxPage(ctx, ocmwWorker, referral.Filter{}, req)
			if err != nil {
				t.Fatal(err)
			}
			n := len(inboxEvents(t, db))
			got, err := plain.InboxPage(ctx, ocmwWorker, referral.Filter{}, req)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Items) != len(want.Items) || got.Next != want.Next || got.Items[0].ID != want.Items[0].ID || got.Items[19].TeamName != want.Items[19].TeamName {
				t.Fatalf("the baseline's page differs: %d items, next %q; want %d, %q", len(got.Items), got.Next, len(want.Items), want.Next)
			}
			if m := len(inboxEvents(t, db)); m != n {
				t.Fatalf("the baseline wrote %d events", m-n)
			}
			for _, h := range []*store.DB{db, again} {
				if _, err := h.InboxPage(ctx, ocmwWorker, referral.Filter{}, req); err != nil {
					t.Fatal(err)
				}
				if n++; len(inboxEvents(t, db)) != n {
					t.Fatalf("a handle of Open wrote no event")
				}
			}
		})
	}
}

// TestUnauditedBaselineOnlyInBench: no program code but the harness
// (internal/bench) calls OpenUnauditedBenchmarkBaseline: serve, the
// command line, the API and the web interface cannot open an unaudited
// handle, whatever their configuration.
func TestUnauditedBaselineOnlyInBench(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found: %v", err)
	}
	var callers []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if !strings.Contains(string(src), "OpenUnauditedBenchmarkBaseline(") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		callers = append(callers, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(callers, "internal/store/unaudited.go") {
		t.Fatalf("the walk did not find OpenUnauditedBenchmarkBaseline itself (found %v)", callers)
	}
	for _, c := range callers {
		if !strings.HasPrefix(c, "internal/bench/") && c != "internal/store/unaudited.go" {
			t.Errorf("%s uses OpenUnauditedBenchmarkBaseline: only the harness (internal/bench) may", c)
		}
	}
}
