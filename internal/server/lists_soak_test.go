package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/audit"
	"kansrijk/internal/auditlog"
	"kansrijk/internal/birth"
	"kansrijk/internal/httpx"
	"kansrijk/internal/org"
	"kansrijk/internal/referral"
	"kansrijk/internal/server"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
	"kansrijk/internal/webtest"
)

// The soak of issue 12's lists: 50 API clients page through the lists
// that show names (the team's referrals, the OCMW's inbox, the team's
// queue of new birth notifications) to their end, with cursors, while a
// team creates and sends referrals and a clinic notifies births. It
// asserts correctness, not speed (the speed is BenchmarkListReaders in
// internal/store, in make bench).
const (
	soakReaders = 50 // concurrent clients
	soakWalks   = 3  // walks of its list per client
	soakSeed    = 90 // referrals sent and births notified before the walks
	soakLimit   = 20 // rows a page
)

// soakList is one of the three lists.
type soakList struct {
	path, query string // the API's list and its filter
	key         string // the JSON array of the answer
	action      string // the audit event of a page
	who         string // the test user that reads it
}

var soakLists = []soakList{
	{"/api/v1/referrals", "", "referrals", "referral.list", "worker"},
	{"/api/v1/inbox", "", "referrals", "referral.inbox", "ocmw"},
	{"/api/v1/birth-notifications", "status=new", "birth_notifications", "birth.list", "worker"},
}

// soakRows are the ids of a list's rows that exist: those created before
// the walks and those the writers have made since, in the order made.
type soakRows struct {
	mu  sync.Mutex
	ids []int64
}

func (r *soakRows) add(id int64) {
	r.mu.Lock()
	r.ids = append(r.ids, id)
	r.mu.Unlock()
}

func (r *soakRows) snapshot() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.ids)
}

// soakPage is one page read: its request's id and the ids it returned.
type soakPage struct {
	list      int
	requestID string
	ids       []int64
	took      time.Duration
}

// TestListReadersSoak (issue 12), on SQLite and PostgreSQL: no read
// fails; a walk that started before rows were added returns every row
// that existed at its start exactly once, and rows added during the walk
// at most once; every page read wrote exactly one audit event, of its
// list, naming exactly the ids it returned (by the request's id); the
// audit log verifies afterwards.
func TestListReadersSoak(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("soak: skipped with -short")
	}
	storetest.ForEach(t, soakListReaders)
}

func soakListReaders(t *testing.T, db *store.DB) {
	ctx := context.Background()
	sys := account.System("test")
	webtest.Team(t, db, "team-noord", "Lokaal team Noord", "13016")
	webtest.ActiveAgreement(t, db, "team-noord", "13016", webtest.Steps{Draft: "2023-10-02", Approved: "2024-02-01", Signed: "2024-03-01", Active: "2024-04-01"})
	if _, err := db.CreateClinic(ctx, sys, org.NewClinic{Key: "clinic-zonnig", Name: "Kraamkliniek Zonnig"}); err != nil {
		t.Fatal(err)
	}
	users := storetest.TokenUsers(t, db, "soak.test",
		storetest.U{Name: "worker", Role: "team_worker", Org: "team-noord"},
		storetest.U{Name: "ocmw", Role: "ocmw_worker", Org: "ocmw-13016"},
		storetest.U{Name: "clinic", Role: "clinic", Org: "clinic-zonnig"})
	worker, clinic := users.Actor(t, "worker"), users.Actor(t, "clinic")

	// rows[i] are the rows of soakLists[i].
	var rows [3]soakRows
	// n numbers the fictitious families, for the seed and both writers.
	var n atomic.Int64
	newReferral := func() referral.NewReferral {
		n := n.Add(1)
		return referral.NewReferral{MunicipalityNIS: "13016", Parents: []referral.Parent{{
			Name: fmt.Sprintf("Soakouder%04d Verbeke", n), Street: "Teststraat", Number: "1", Postcode: "2235", Phone: "+32 470 00 00 00"}},
			Criteria: []string{"income"}}
	}
	newBirth := func() birth.NewNotification {
		n := n.Add(1)
		return birth.NewNotification{
			Mother: birth.Parent{Name: fmt.Sprintf("Soakmoeder%04d", n), Street: "Kerkstraat", Number: fmt.Sprint(n), Postcode: "2235", MunicipalityNIS: "13016",
				Phone: "+32470000000", Language: "nl"},
			ChildBirthDate: time.Now().UTC().AddDate(0, 0, -1-int(n%20)).Format(time.DateOnly), ClinicReference: fmt.Sprintf("SOAK-%04d", n)}
	}
	for range soakSeed {
		r := webtest.Sent(t, db, worker, newReferral())
		rows[0].add(r.ID)
		rows[1].add(r.ID)
		b, err := db.CreateBirthNotification(ctx, clinic, newBirth())
		if err != nil {
			t.Fatal(err)
		}
		rows[2].add(b.ID)
	}

	s, err := server.New(db)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: soakReaders}}
	tokens := map[string]string{"worker": users.Token(t, "worker"), "ocmw": users.Token(t, "ocmw")}

	// The audit log's sequencer and signer run as they do in serve.
	skey, _, err := auditlog.GenerateKey(auditlog.DefaultOrigin)
	if err != nil {
		t.Fatal(err)
	}
	lg, err := auditlog.New(db, auditlog.Config{PrivateKey: skey})
	if err != nil {
		t.Fatal(err)
	}
	seal := func() error {
		if _, err := lg.Sequence(ctx); err != nil {
			return fmt.Errorf("sequence: %w", err)
		}
		if _, _, err := lg.Sign(ctx); err != nil {
			return fmt.Errorf("sign: %w", err)
		}
		return nil
	}

	// The writers: a team worker creates and sends referrals, a clinic
	// notifies births, the log seals, until the readers are done.
	stop := make(chan struct{})
	var writers sync.WaitGroup
	var wrote [2]int
	// The readers start once both writers have written once.
	var started sync.WaitGroup
	started.Add(2)
	writers.Go(func() {
		first := sync.OnceFunc(started.Done)
		defer first() // a writer that fails does not hold the readers back
		for {
			select {
			case <-stop:
				return
			default:
			}
			r, err := db.CreateReferral(ctx, worker, newReferral())
			if err != nil {
				t.Errorf("write a referral: %v", err)
				return
			}
			rows[0].add(r.ID)
			if _, err := db.AddConsent(ctx, worker, r.ID, referral.NewConsent{Informed: webtest.Informed, Method: "verbal"}); err != nil {
				t.Errorf("consent: %v", err)
				return
			}
			if _, err := db.Send(ctx, worker, r.ID); err != nil {
				t.Errorf("send: %v", err)
				return
			}
			rows[1].add(r.ID)
			wrote[0]++
			first()
		}
	})
	writers.Go(func() {
		first := sync.OnceFunc(started.Done)
		defer first()
		for {
			select {
			case <-stop:
				return
			default:
			}
			b, err := db.CreateBirthNotification(ctx, clinic, newBirth())
			if err != nil {
				t.Errorf("notify a birth: %v", err)
				return
			}
			rows[2].add(b.ID)
			wrote[1]++
			first()
		}
	})
	writers.Go(func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
			if err := seal(); err != nil {
				t.Errorf("audit log: %v", err)
				return
			}
		}
	})

	// The readers.
	var (
		mu    sync.Mutex
		pages []soakPage
		// extra[i] are the ids walks of list i returned that did not
		// exist when the walk started.
		extra [3][]int64
	)
	walk := func(li int) error {
		l := soakLists[li]
		before := rows[li].snapshot()
		seen := map[int64]bool{}
		var mine []soakPage
		cursor := ""
		for {
			q := url.Values{"limit": {fmt.Sprint(soakLimit)}}
			if l.query != "" {
				f, _ := url.ParseQuery(l.query)
				for k, v := range f {
					q[k] = v
				}
			}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			req, _ := http.NewRequest("GET", ts.URL+l.path+"?"+q.Encode(), nil)
			req.Header.Set("Authorization", "Bearer "+tokens[l.who])
			t0 := time.Now()
			res, err := client.Do(req)
			if err != nil {
				return err
			}
			var body map[string]json.RawMessage
			err = json.NewDecoder(res.Body).Decode(&body)
			res.Body.Close()
			took := time.Since(t0)
			if res.StatusCode != http.StatusOK || err != nil {
				return fmt.Errorf("%s: %d %v", req.URL, res.StatusCode, err)
			}
			var items []struct {
				ID int64 `json:"id"`
			}
			var next *string
			if err := json.Unmarshal(body[l.key], &items); err != nil {
				return fmt.Errorf("%s: %v", l.key, err)
			}
			if err := json.Unmarshal(body["next_cursor"], &next); err != nil {
				return fmt.Errorf("next_cursor: %v", err)
			}
			p := soakPage{list: li, requestID: res.Header.Get(httpx.RequestIDHeader), took: took}
			for _, it := range items {
				if seen[it.ID] {
					return fmt.Errorf("%s: row %d twice in one walk", l.path, it.ID)
				}
				seen[it.ID] = true
				p.ids = append(p.ids, it.ID)
			}
			if p.requestID == "" {
				return fmt.Errorf("%s: no request id", l.path)
			}
			mine = append(mine, p)
			if next == nil {
				break
			}
			cursor = *next
		}
		var missing []int64
		for _, id := range before {
			if !seen[id] {
				missing = append(missing, id)
			}
			delete(seen, id)
		}
		if len(missing) > 0 {
			return fmt.Errorf("%s: a walk missed %d rows that existed at its start: %v", l.path, len(missing), missing)
		}
		mu.Lock()
		defer mu.Unlock()
		pages = append(pages, mine...)
		for id := range seen {
			extra[li] = append(extra[li], id)
		}
		return nil
	}
	started.Wait()
	var readers sync.WaitGroup
	start := time.Now()
	for c := range soakReaders {
		readers.Go(func() {
			for range soakWalks {
				if err := walk(c % len(soakLists)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	readers.Wait()
	elapsed := time.Since(start)
	close(stop)
	writers.Wait()
	if t.Failed() {
		return
	}

	// Rows a walk returned beyond its start were made by the writers.
	late := 0
	for li := range soakLists {
		late += len(extra[li])
		all := rows[li].snapshot()
		for _, id := range extra[li] {
			if !slices.Contains(all, id) {
				t.Errorf("%s returned row %d, which no one made", soakLists[li].path, id)
			}
		}
	}

	// Exactly one event a page, of its list, naming the ids it returned.
	type event struct{ action, objectID, outcome string }
	byRequest := map[string][]event{}
	listEvents := 0
	evRows, err := db.SQL().QueryContext(ctx, `SELECT request_id, action, object_id, outcome FROM audit_events WHERE request_id <> ''`)
	if err != nil {
		t.Fatal(err)
	}
	for evRows.Next() {
		var rid string
		var e event
		if err := evRows.Scan(&rid, &e.action, &e.objectID, &e.outcome); err != nil {
			t.Fatal(err)
		}
		byRequest[rid] = append(byRequest[rid], e)
		if slices.ContainsFunc(soakLists, func(l soakList) bool { return l.action == e.action }) {
			listEvents++
		}
	}
	if err := evRows.Close(); err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		evs := byRequest[p.requestID]
		want := event{soakLists[p.list].action, audit.ListObjectID(p.ids), audit.OK}
		if len(evs) != 1 || evs[0] != want {
			t.Fatalf("page %s of %s (%d rows): events %+v, want exactly %+v", p.requestID, soakLists[p.list].path, len(p.ids), evs, want)
		}
	}
	if listEvents != len(pages) {
		t.Errorf("%d list events for %d pages read", listEvents, len(pages))
	}

	// The log verifies, every event in it.
	if err := seal(); err != nil {
		t.Fatal(err)
	}
	rep, err := lg.Verify(ctx, nil)
	if err != nil || !rep.OK() {
		t.Fatalf("the audit log does not verify: %+v, %v", rep.Problem, err)
	}
	var total int64
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events`).Scan(&total); err != nil {
		t.Fatal(err)
	}
	if rep.Size != total {
		t.Errorf("the log holds %d events, the table %d", rep.Size, total)
	}
	took := make([]time.Duration, len(pages))
	for i, p := range pages {
		took[i] = p.took
	}
	slices.Sort(took)
	t.Logf("%s: %d pages by %d clients in %v while %d referrals were sent and %d births notified (%d rows made during a walk appeared in it); p50 %v, p99 %v; log of %d events verified",
		db.Dialect(), len(pages), soakReaders, elapsed.Round(time.Millisecond), wrote[0], wrote[1], late,
		took[len(took)/2].Round(time.Millisecond), took[len(took)*99/100].Round(time.Millisecond), rep.Size)
}
