package store_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/page"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// listFamily is the n-th fictitious family of the list tests: distinct,
// unordered names, and a second parent in every third.
func listFamily(n int, nis, postcode string) referral.NewReferral {
	last := []string{"Verbeke", "Aerts", "Maes", "Claes", "Wouters", "Peeters", "Janssens", "Mertens", "Willems", "Jacobs"}[n%10]
	in := referral.NewReferral{MunicipalityNIS: nis, Parents: []referral.Parent{{
		Name: fmt.Sprintf("%s Lijstouder%02d", last, n), Street: "Teststraat", Number: fmt.Sprint(n + 1), Postcode: postcode, Phone: "+32 470 00 00 00",
	}}, Criteria: []string{"income"}, Needs: []string{"income_support"}}
	if n%3 == 0 {
		in.Parents = append(in.Parents, referral.Parent{Name: fmt.Sprintf("Tweede Ouder%02d", n), Street: "Teststraat", Number: "1", Postcode: postcode, Email: "ouder@example.org"})
	}
	return in
}

// sendReferral takes a draft through consent to sent.
func sendReferral(t *testing.T, db *store.DB, a account.Actor, r referral.Referral) {
	t.Helper()
	ctx := context.Background()
	for i := range r.Parents {
		if _, err := db.AddConsent(ctx, a, r.ID, referral.NewConsent{Parent: i, Informed: allInformed, Method: "verbal"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Send(ctx, a, r.ID); err != nil {
		t.Fatal(err)
	}
}

// listWorld: team-noord with 23 referrals to Hulshout (15 sent, 8
// drafts), team-zuid with 4 of its own (2 sent to Antwerpen): those must
// never appear in team-noord's list or in the OCMW of Hulshout's inbox.
func listWorld(t *testing.T, db *store.DB) (own, sent []int64) {
	t.Helper()
	ctx := context.Background()
	world(t, db)
	activeAgreement(t, db, "team-noord", "13016")
	ag := mustCreate(t, db, admin, "team-zuid", "11002", "draft", "2025-01-02")
	for _, s := range []agreement.NewEvent{step(agreement.Approved, "2025-02-01"), step(agreement.Signed, "2025-03-01"), step(agreement.Active, "2025-04-01")} {
		if _, err := db.AddEvent(ctx, admin, ag.ID, s); err != nil {
			t.Fatal(err)
		}
	}
	for n := 0; n < 23; n++ {
		r, err := db.CreateReferral(ctx, teamWorker, listFamily(n, "13016", "2235"))
		if err != nil {
			t.Fatal(err)
		}
		own = append(own, r.ID)
		if n%3 != 1 {
			sendReferral(t, db, teamWorker, r)
			sent = append(sent, r.ID)
		}
	}
	for n := 0; n < 4; n++ {
		r, err := db.CreateReferral(ctx, otherWorker, listFamily(100+n, "11002", "2000"))
		if err != nil {
			t.Fatal(err)
		}
		if n%2 == 0 {
			sendReferral(t, db, otherWorker, r)
		}
	}
	return own, sent
}

// walk reads every page of a list forwards, then back from the last page,
// and fails on a row seen twice or a page that differs going back.
func walkReferrals(t *testing.T, q url.Values, sorts []string, fetch func(page.Request) (page.Result[referral.ListItem], error)) []referral.ListItem {
	t.Helper()
	var pages [][]int64
	var all []referral.ListItem
	seen := map[int64]bool{}
	cursor := ""
	var last page.Result[referral.ListItem]
	for {
		v := url.Values{}
		for k, x := range q {
			v[k] = x
		}
		if cursor != "" {
			v.Set("cursor", cursor)
		}
		req, err := page.Parse(v, sorts...)
		if err != nil {
			t.Fatal(err)
		}
		res, err := fetch(req)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, it := range res.Items {
			if seen[it.ID] {
				t.Fatalf("%v: referral %d twice", q, it.ID)
			}
			seen[it.ID] = true
			ids = append(ids, it.ID)
		}
		all = append(all, res.Items...)
		pages = append(pages, ids)
		last = res
		if res.Next == "" {
			break
		}
		cursor = res.Next
	}
	for i := len(pages) - 2; i >= 0; i-- {
		v := url.Values{}
		for k, x := range q {
			v[k] = x
		}
		v.Set("cursor", last.Prev)
		req, err := page.Parse(v, sorts...)
		if err != nil {
			t.Fatal(err)
		}
		if last, err = fetch(req); err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, it := range last.Items {
			ids = append(ids, it.ID)
		}
		if !slices.Equal(ids, pages[i]) {
			t.Fatalf("%v: back to page %d: %v, want %v", q, i, ids, pages[i])
		}
	}
	return all
}

func ids(items []referral.ListItem) []int64 {
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	slices.Sort(out)
	return out
}

func TestReferralPage(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		own, sent := listWorld(t, db)
		team := func(f referral.Filter) func(page.Request) (page.Result[referral.ListItem], error) {
			return func(req page.Request) (page.Result[referral.ListItem], error) {
				return db.ReferralPage(ctx, teamWorker, f, req)
			}
		}
		for _, sort := range []string{"-created", "created", "sent", "-sent", "name", "-name", "status", "-status"} {
			got := walkReferrals(t, url.Values{"limit": {"4"}, "sort": {sort}}, referral.TeamSorts, team(referral.Filter{}))
			if !slices.Equal(ids(got), own) {
				t.Fatalf("sort %s: %v, want %v", sort, ids(got), own)
			}
			for i := 1; i < len(got); i++ {
				if c := cmpItems(strings.TrimPrefix(sort, "-"), got[i-1], got[i]); (c > 0 && sort[0] != '-') || (c < 0 && sort[0] == '-') {
					t.Fatalf("sort %s: %d before %d out of order", sort, got[i-1].ID, got[i].ID)
				}
			}
		}
		// Names are there, the family's contact details and receipt are not loaded.
		first := walkReferrals(t, url.Values{"limit": {"50"}}, referral.TeamSorts, team(referral.Filter{}))
		for _, it := range first {
			if len(it.ParentNames) == 0 || it.Parents != nil {
				t.Fatalf("item %+v", it)
			}
		}
		// Filters: drafts and sent as the team sees them.
		drafts := walkReferrals(t, url.Values{"limit": {"3"}}, referral.TeamSorts, team(referral.Filter{Status: "draft"}))
		if len(drafts) != len(own)-len(sent) {
			t.Fatalf("drafts: %d", len(drafts))
		}
		gotSent := walkReferrals(t, url.Values{"limit": {"3"}, "sort": {"sent"}}, referral.TeamSorts, team(referral.Filter{Status: "sent"}))
		if !slices.Equal(ids(gotSent), sent) {
			t.Fatalf("sent: %v, want %v", ids(gotSent), sent)
		}
		// Search: one family by part of its name, any case; a second parent's name too.
		for q, want := range map[string]int{"lijstouder07": 1, "LIJSTOUDER1": 10, "tweede ouder03": 1, "Nobody": 0, "%": 0, "_": 0} {
			got := walkReferrals(t, url.Values{"limit": {"4"}, "q": {q}}, referral.TeamSorts, team(referral.Filter{}))
			if len(got) != want {
				t.Errorf("q=%q: %d, want %d", q, len(got), want)
			}
		}
		// The other team sees only its own.
		res, err := db.ReferralPage(ctx, otherWorker, referral.Filter{}, page.Request{Limit: 500, Sort: "created", Desc: true})
		if err != nil || len(res.Items) != 4 {
			t.Fatalf("team-zuid: %d %v", len(res.Items), err)
		}
		for _, it := range res.Items {
			if slices.Contains(own, it.ID) {
				t.Fatalf("team-zuid sees %d", it.ID)
			}
		}
		// One audit event per page, naming the referrals shown.
		before := len(AuditActions(t, db, audit.Filter{Action: "referral.list", Limit: 1000}))
		res, err = db.ReferralPage(ctx, teamWorker, referral.Filter{}, page.Request{Limit: 5, Sort: "created", Desc: true})
		if err != nil {
			t.Fatal(err)
		}
		evs, err := db.AuditEvents(ctx, audit.Filter{Action: "referral.list", Limit: 1000})
		if err != nil || len(evs) != before+1 {
			t.Fatalf("events %d, want %d: %v", len(evs), before+1, err)
		}
		ev := evs[0]
		if ev.Purpose != audit.PurposeReferral || ev.ObjectID != audit.ListObjectID([]int64{res.Items[0].ID, res.Items[1].ID, res.Items[2].ID, res.Items[3].ID, res.Items[4].ID}) {
			t.Fatalf("event %+v", ev)
		}
		// Other roles: forbidden.
		if _, err := db.ReferralPage(ctx, ocmwWorker, referral.Filter{}, page.Request{Limit: 5}); apperr.Code(err) != apperr.Forbidden {
			t.Fatalf("ocmw lists the team's referrals: %v", err)
		}
	})
}

func TestInboxPage(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, sent := listWorld(t, db)
		inbox := func(f referral.Filter) func(page.Request) (page.Result[referral.ListItem], error) {
			return func(req page.Request) (page.Result[referral.ListItem], error) {
				return db.InboxPage(ctx, ocmwWorker, f, req)
			}
		}
		for _, sort := range []string{"sent", "-sent", "name", "-name", "status", "-status"} {
			got := walkReferrals(t, url.Values{"limit": {"4"}, "sort": {sort}}, referral.InboxSorts(false), inbox(referral.Filter{}))
			if !slices.Equal(ids(got), sent) {
				t.Fatalf("sort %s: %v, want %v", sort, ids(got), sent)
			}
			for _, it := range got {
				if it.TeamName != "Lokaal team Noord" || it.ReceiptCode != "" || len(it.ParentNames) == 0 || it.Parents != nil {
					t.Fatalf("item %+v", it)
				}
			}
		}
		// The OCMW of Borsbeek and the other team's OCMW see none of them.
		res, err := db.InboxPage(ctx, otherOCMW, referral.Filter{}, page.Request{Limit: 500, Sort: "sent"})
		if err != nil || len(res.Items) != 0 {
			t.Fatalf("other OCMW: %d %v", len(res.Items), err)
		}
		// Work: one referral contacted, one closed.
		r0, err := db.Referral(ctx, ocmwWorker, sent[0])
		if err != nil {
			t.Fatal(err)
		}
		r0, err = db.AddContactAttempt(ctx, ocmwWorker, r0.ID, referral.NewContactAttempt{Channel: "phone", Reached: true, Version: r0.Version})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetOutcome(ctx, ocmwWorker, r0.ID, referral.NewOutcome{Outcome: "declined", Version: r0.Version}); err != nil {
			t.Fatal(err)
		}
		r1, err := db.Referral(ctx, ocmwWorker, sent[1])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddContactAttempt(ctx, ocmwWorker, r1.ID, referral.NewContactAttempt{Channel: "letter", Version: r1.Version}); err != nil {
			t.Fatal(err)
		}
		count := func(q url.Values) int {
			f, err := referral.ParseInboxFilter(q)
			if err != nil {
				t.Fatal(err)
			}
			return len(walkReferrals(t, url.Values{"limit": {"3"}, "q": q["q"]}, referral.InboxSorts(f.Archive), inbox(f)))
		}
		for q, want := range map[string]int{
			"":                         len(sent) - 1,
			"view=archive":             1,
			"status=closed":            1,
			"status=new":               len(sent) - 2,
			"status=contact_attempted": 1,
			"overdue=1":                0,
			"q=lijstouder0":            6, // families 0 to 9, sent (n%3 != 1), but 0 is closed
		} {
			v, _ := url.ParseQuery(q)
			if got := count(v); got != want {
				t.Errorf("%s: %d, want %d", q, got, want)
			}
		}
		// Past the first-contact target: everything not contacted is overdue.
		now := db.Now()
		db.Now = func() time.Time { return now.AddDate(0, 2, 0) }
		if got := count(url.Values{"overdue": {"1"}}); got != len(sent)-2 {
			t.Errorf("overdue after two months: %d, want %d", got, len(sent)-2)
		}
		// One audit event per page, purpose follow-up, naming the ids.
		res, err = db.InboxPage(ctx, ocmwWorker, referral.Filter{}, page.Request{Limit: 2, Sort: "sent"})
		if err != nil {
			t.Fatal(err)
		}
		evs, err := db.AuditEvents(ctx, audit.Filter{Action: "referral.inbox"})
		if err != nil || len(evs) == 0 {
			t.Fatal(err)
		}
		if ev := evs[0]; ev.Purpose != audit.PurposeFollowUp || ev.ObjectID != audit.ListObjectID(ids(res.Items)) || ev.Detail != "list of 2" {
			t.Fatalf("event %+v", ev)
		}
		if _, err := db.InboxPage(ctx, teamWorker, referral.Filter{}, page.Request{Limit: 5}); apperr.Code(err) != apperr.Forbidden {
			t.Fatalf("a team reads an inbox: %v", err)
		}
	})
}

func TestParseInboxFilter(t *testing.T) {
	for q, want := range map[string]string{"status=nieuw": "invalid", "view=all": "invalid", "overdue=ja": "invalid",
		"view=archive&status=new": "invalid", "view=archive&status=sent": "invalid", "view=archive&overdue=1": "invalid",
		"status=new&overdue=1": "", "status=withdrawn": "", "view=open": ""} {
		v, _ := url.ParseQuery(q)
		if _, err := referral.ParseInboxFilter(v); apperr.Code(err) != want && !(want == "" && err == nil) {
			t.Errorf("%s: %v, want %q", q, err, want)
		}
	}
	if _, err := referral.ParseTeamFilter(url.Values{"status": {"new"}}); apperr.Code(err) != apperr.Invalid {
		t.Errorf("team status=new: %v", err)
	}
}

// cmpItems compares two items on a team list's sort key (all statuses
// here are as the team sees them: nothing was read by the OCMW yet).
func cmpItems(key string, a, b referral.ListItem) int {
	switch key {
	case "created":
		return a.CreatedAt.Compare(b.CreatedAt)
	case "sent":
		switch {
		case a.SentAt == nil && b.SentAt == nil:
			return 0
		case a.SentAt == nil:
			return -1
		case b.SentAt == nil:
			return 1
		}
		return a.SentAt.Compare(*b.SentAt)
	case "name":
		return strings.Compare(strings.ToLower(a.ParentNames[0]), strings.ToLower(b.ParentNames[0]))
	case "status":
		return strings.Compare(string(a.Status), string(b.Status))
	}
	return 0
}
