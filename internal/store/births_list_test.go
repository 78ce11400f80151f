package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/birth"
	"kansrijk/internal/page"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// walkQueue reads every page of the queue of size limit forwards, then
// from the last page backwards, and returns the ids in order (checking
// that both ways agree) and the number of pages read forwards.
func walkQueue(t *testing.T, db *store.DB, a account.Actor, f birth.Filter, sort, q string, limit int) ([]int64, int) {
	t.Helper()
	ctx := context.Background()
	req, err := page.Parse(map[string][]string{"sort": {sort}, "q": {q}}, birth.QueueSorts...)
	if err != nil {
		t.Fatal(err)
	}
	req.Limit = limit
	var ids []int64
	var pages [][]int64
	var last page.Result[birth.QueueItem]
	for {
		res, err := db.BirthQueue(ctx, a, f, req)
		if err != nil {
			t.Fatalf("page %d: %v", len(pages)+1, err)
		}
		if len(res.Items) > limit {
			t.Fatalf("page of %d items for limit %d", len(res.Items), limit)
		}
		var p []int64
		for _, it := range res.Items {
			if slices.Contains(ids, it.ID) {
				t.Fatalf("%d twice (sort %s)", it.ID, sort)
			}
			ids = append(ids, it.ID)
			p = append(p, it.ID)
		}
		pages = append(pages, p)
		last = res
		if res.Next == "" {
			break
		}
		c, err := page.Decode(res.Next)
		if err != nil {
			t.Fatal(err)
		}
		req.After = &c
	}
	// Backwards from the last page: the same pages.
	for i := len(pages) - 2; i >= 0; i-- {
		c, err := page.Decode(last.Prev)
		if err != nil {
			t.Fatalf("no way back from page %d: %v", i+2, err)
		}
		req.After = &c
		if last, err = db.BirthQueue(ctx, a, f, req); err != nil {
			t.Fatal(err)
		}
		got := idsOfItems(last.Items)
		if !slices.Equal(got, pages[i]) {
			t.Fatalf("page %d backwards %v, forwards %v", i+1, got, pages[i])
		}
	}
	if last.Prev != "" && len(pages) > 0 {
		t.Errorf("the first page, read backwards, has a previous page")
	}
	return ids, len(pages)
}

func idsOfItems(items []birth.QueueItem) []int64 {
	var out []int64
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}

func birthListCount(t *testing.T, db *store.DB, action string) int {
	return MustCount(t, db, `SELECT count(*) FROM audit_events WHERE action = $1`, action)
}

// TestBirthQueuePages: the team's queue, Opgroeien's view and a clinic's
// submissions in keyset pages on both databases — every sort walked
// forwards and backwards in pages of 1, 2 and 3 gives the order of one
// big page; filters; the duplicate flags on the page only as before; the
// team sees and searches its families' names, Opgroeien none; a clinic
// sees its own only and finds them by its reference; one audit event per
// page.
func TestBirthQueuePages(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		birthWorld(t, db)
		// All at one instant (the store's clock stands still): the id
		// breaks the ties of created_at.
		var noord []int64
		for i := range 7 {
			in := family(fmt.Sprintf("Test Moeder %c", 'A'+i), fmt.Sprintf("2025-01-%02d", 10-i%4))
			in.ClinicReference = fmt.Sprintf("ZD-%03d", 7-i)
			if i == 2 {
				in.Mother.MunicipalityNIS, in.Mother.Postcode, in.Mother.Street = "12014", "2220", "Markt"
			}
			noord = append(noord, mustNotify(t, db, clinicZonnedal, in).ID)
		}
		dupIn := family("MOEDER, Test A", "2025-01-10") // the same mother and day as the first
		dupIn.ClinicReference = "MH-001"
		dup := mustNotify(t, db, clinicMaanhof, dupIn).ID
		noord = append(noord, dup)
		brussels := family("Test Moeder Brussel", "2025-01-05")
		brussels.Mother.MunicipalityNIS, brussels.Mother.Postcode = "21004", "1000"
		queued := mustNotify(t, db, clinicMaanhof, brussels).ID

		// Every sort, every page size: the same order as one page.
		for _, sort := range []string{"-created_at", "created_at", "child_birth_date", "-child_birth_date", "municipality", "-municipality"} {
			all, _ := walkQueue(t, db, teamWorker, birth.Filter{}, sort, "", 500)
			if len(all) != len(noord) {
				t.Fatalf("%s: %d of %d", sort, len(all), len(noord))
			}
			for _, limit := range []int{1, 2, 3} {
				got, pages := walkQueue(t, db, teamWorker, birth.Filter{}, sort, "", limit)
				if !slices.Equal(got, all) {
					t.Errorf("%s in pages of %d: %v, want %v", sort, limit, got, all)
				}
				if want := (len(all) + limit - 1) / limit; pages != want {
					t.Errorf("%s in pages of %d: %d pages, want %d", sort, limit, pages, want)
				}
			}
		}
		newest, _ := walkQueue(t, db, teamWorker, birth.Filter{}, "-created_at", "", 500)
		if want := slices.Clone(noord); !slices.Equal(newest, func() []int64 { slices.Reverse(want); return want }()) {
			t.Errorf("newest first %v, want %v", newest, noord)
		}
		byBirth, _ := walkQueue(t, db, teamWorker, birth.Filter{}, "child_birth_date", "", 500)
		for i := 1; i < len(byBirth); i++ {
			a, _ := db.BirthNotification(ctx, teamWorker, byBirth[i-1])
			b, _ := db.BirthNotification(ctx, teamWorker, byBirth[i])
			if a.ChildBirthDate > b.ChildBirthDate || (a.ChildBirthDate == b.ChildBirthDate && a.ID > b.ID) {
				t.Errorf("by date of birth: %d (%s) before %d (%s)", a.ID, a.ChildBirthDate, b.ID, b.ChildBirthDate)
			}
		}

		// One audit event per page, naming the ids shown.
		before := birthListCount(t, db, "birth.list")
		_, pages := walkQueue(t, db, teamWorker, birth.Filter{}, "-created_at", "", 3)
		// walkQueue reads the pages forwards and all but the last backwards.
		if got := birthListCount(t, db, "birth.list") - before; got != 2*pages-1 {
			t.Errorf("%d list events for %d page reads", got, 2*pages-1)
		}

		// The duplicate flags, in pages of one as in one page.
		for _, limit := range []int{1, 500} {
			req := page.Request{Limit: limit, Sort: "created_at"}
			flagged := map[int64]bool{}
			for {
				res, err := db.BirthQueue(ctx, teamWorker, birth.Filter{}, req)
				if err != nil {
					t.Fatal(err)
				}
				for _, it := range res.Items {
					flagged[it.ID] = it.PossibleDuplicate
				}
				if res.Next == "" {
					break
				}
				c, _ := page.Decode(res.Next)
				req.After = &c
			}
			for _, id := range noord {
				if want := id == noord[0] || id == dup; flagged[id] != want {
					t.Errorf("limit %d: %d flagged %v, want %v", limit, id, flagged[id], want)
				}
			}
		}

		// Filters, the team's names and its search.
		res, err := db.BirthQueue(ctx, teamWorker, birth.Filter{MunicipalityNIS: "12014"}, page.Request{Limit: 50})
		if err != nil || len(res.Items) != 1 || res.Items[0].ID != noord[2] || res.Items[0].MotherName != "Test Moeder C" || res.Next != "" {
			t.Fatalf("municipality filter: %+v %v", res, err)
		}
		if _, err := db.RecordBirthContact(ctx, teamWorker, noord[1], birth.NewContact{On: "2025-01-15", Channel: "phone", Reached: true}); err != nil {
			t.Fatal(err)
		}
		res, _ = db.BirthQueue(ctx, teamWorker, birth.Filter{Status: birth.Contacted}, page.Request{Limit: 50})
		if got := idsOfItems(res.Items); !slices.Equal(got, []int64{noord[1]}) {
			t.Errorf("contacted: %v", got)
		}
		res, _ = db.BirthQueue(ctx, teamWorker, birth.Filter{Status: birth.New}, page.Request{Limit: 50})
		if len(res.Items) != len(noord)-1 {
			t.Errorf("new: %d", len(res.Items))
		}
		for q, want := range map[string][]int64{
			"moeder c": {noord[2]}, "MOEDER D": {noord[3]}, "heist-op": {noord[2]}, "test moeder a": {noord[0]}, "moeder, test a": {dup},
			fmt.Sprint(noord[4]): {noord[4]}, "%": nil, "brussel": nil,
		} {
			got, _ := walkQueue(t, db, teamWorker, birth.Filter{}, "-created_at", q, 2)
			if !slices.Equal(got, want) {
				t.Errorf("team searches %q: %v, want %v", q, got, want)
			}
		}

		// Opgroeien: everything, no names; its queue; it searches no names.
		res, err = db.BirthQueue(ctx, adminActor, birth.Filter{}, page.Request{Limit: 50})
		if err != nil || len(res.Items) != len(noord)+1 {
			t.Fatalf("admin: %d %v", len(res.Items), err)
		}
		for _, it := range res.Items {
			if it.MotherName != "" {
				t.Errorf("admin sees the name of %d", it.ID)
			}
		}
		res, _ = db.BirthQueue(ctx, adminActor, birth.Filter{Queue: birth.QueueOpgroeien}, page.Request{Limit: 50})
		if got := idsOfItems(res.Items); !slices.Equal(got, []int64{queued}) {
			t.Errorf("Opgroeien's queue %v", got)
		}
		for q, want := range map[string]int{"moeder": 0, "brussel": 1, "hulshout": 7} {
			got, _ := walkQueue(t, db, adminActor, birth.Filter{}, "-created_at", q, 4)
			if len(got) != want {
				t.Errorf("admin searches %q: %d, want %d", q, len(got), want)
			}
		}
		// Another team's worker sees none of team-noord's.
		if res, _ := db.BirthQueue(ctx, birthLeadZuid, birth.Filter{}, page.Request{Limit: 50}); len(res.Items) != 0 {
			t.Errorf("team-zuid sees %v", idsOfItems(res.Items))
		}
		_, err = db.BirthQueue(ctx, clinicZonnedal, birth.Filter{}, page.Request{Limit: 50})
		WantCode(t, err, apperr.Forbidden)

		// A clinic: its own only, by its reference, never a name.
		subs := func(a account.Actor, q, sort string, limit int) []birth.Submission {
			t.Helper()
			req, err := page.Parse(map[string][]string{"q": {q}, "sort": {sort}}, birth.ClinicSorts...)
			if err != nil {
				t.Fatal(err)
			}
			req.Limit = limit
			var out []birth.Submission
			for {
				res, err := db.ClinicSubmissionPage(ctx, a, birth.Filter{}, req)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, res.Items...)
				if res.Next == "" {
					return out
				}
				c, _ := page.Decode(res.Next)
				req.After = &c
			}
		}
		own := subs(clinicZonnedal, "", "reference", 2)
		var refs []string
		for _, s := range own {
			refs = append(refs, s.ClinicReference)
		}
		if !slices.Equal(refs, []string{"ZD-001", "ZD-002", "ZD-003", "ZD-004", "ZD-005", "ZD-006", "ZD-007"}) {
			t.Errorf("clinic's submissions by reference: %v", refs)
		}
		if s := subs(clinicZonnedal, "zd-003", "", 50); len(s) != 1 || s[0].ClinicReference != "ZD-003" || s[0].ID != noord[4] {
			t.Errorf("clinic finds ZD-003: %+v", s)
		}
		if s := subs(clinicZonnedal, "10-01-2025", "", 50); len(s) != 2 {
			t.Errorf("clinic finds the births of 10-01-2025: %+v", s)
		}
		if s := subs(clinicMaanhof, "zd", "", 50); len(s) != 0 {
			t.Errorf("another clinic finds %+v", s)
		}
		if s := subs(clinicMaanhof, "", "-created_at", 1); len(s) != 2 || s[0].ID != queued || s[1].ClinicReference != "MH-001" {
			t.Errorf("Maanhof's own: %+v", s)
		}
		_, err = db.ClinicSubmissionPage(ctx, teamWorker, birth.Filter{}, page.Request{Limit: 50})
		WantCode(t, err, apperr.Forbidden)

		// The reference goes with the parents' data at the end of retention.
		if _, err := db.EscalateBirthNotifications(ctx, birthNow.AddDate(0, 0, 30), birth.Policy{}, false); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PurgeBirthNotifications(ctx, birthNow.AddDate(1, 0, 0), birth.Policy{}, false); err != nil {
			t.Fatal(err)
		}
		if n := MustCount(t, db, `SELECT count(*) FROM birth_notifications WHERE clinic_reference <> ''`); n != 0 {
			t.Errorf("%d references kept after retention", n)
		}
	})
}

// TestBirthReferenceValidation: the clinic's reference is optional, at
// most 50 printable characters, trimmed.
func TestBirthReferenceValidation(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		birthWorld(t, db)
		for ref, code := range map[string]string{
			"":                      "",
			"  KZ/2025-17 (bis)  ":  "",
			"Dossier n° 12 – ÉÉN":   "",
			string(make([]rune, 0)): "",
			"a\tb":                  apperr.ReferenceInvalid,
			"line\nbreak":           apperr.ReferenceInvalid,
			"zero\u200bwidth":       apperr.ReferenceInvalid,
			fmt.Sprintf("%051d", 7): apperr.FieldTooLong,
			fmt.Sprintf("%050d", 7): "",
		} {
			in := family("Test Moeder Referentie "+fmt.Sprint(len(ref)), "2025-01-12")
			in.ClinicReference = ref
			s, err := db.CreateBirthNotification(context.Background(), clinicZonnedal, in)
			if code == "" {
				if err != nil {
					t.Errorf("%q: %v", ref, err)
				}
				continue
			}
			WantCode(t, err, code)
			if e, ok := apperr.As(err); !ok || e.Field != "clinic_reference" {
				t.Errorf("%q: %v %+v", ref, err, s)
			}
		}
		res, err := db.ClinicSubmissionPage(context.Background(), clinicZonnedal, birth.Filter{}, page.Request{Limit: 50, Sort: "reference"})
		if err != nil {
			t.Fatal(err)
		}
		var refs []string
		for _, s := range res.Items {
			refs = append(refs, s.ClinicReference)
		}
		if !slices.Contains(refs, "KZ/2025-17 (bis)") {
			t.Errorf("the reference is stored trimmed: %q", refs)
		}
	})
}
