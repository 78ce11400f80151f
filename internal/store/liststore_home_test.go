package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/birth"
	"kansrijk/internal/page"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// seedRandomReferrals writes n referrals behind the store's back: of
// team-noord to the OCMWs of Hulshout (agreement hul, status feedback)
// and Heist-op-den-Berg (agreement heist, none), and of team-zuid to
// Antwerp, in any status, sent any time in the last 60 days, some
// contacted; each with one or two parents.
func seedRandomReferrals(t *testing.T, db *store.DB, rng *rand.Rand, n int, hul, heist int64) {
	t.Helper()
	ctx := context.Background()
	raw := rawWriter(t, db)
	now := db.Now()
	stamp := func(x time.Time) string { return x.UTC().Format("2006-01-02T15:04:05.000000Z") }
	statuses := []string{"draft", "sent", "received", "contact_attempted", "reached", "closed", "withdrawn", "cancelled"}
	names := []string{"Aerts", "claes", "Özdemir", "Maes", "Wouters", "el Amrani", "Peeters", "Van Damme"}
	for i := range n {
		id := int64(500000 + i)
		team, nis, recipient, agr := "team-noord", "13016", "ocmw-13016", any(hul)
		switch rng.IntN(5) {
		case 0, 1:
			nis, recipient, agr = "12014", "ocmw-12014", any(heist)
		case 2:
			team, nis, recipient, agr = "team-zuid", "11002", "ocmw-11002", nil
		}
		status := statuses[rng.IntN(len(statuses))]
		created := now.Add(-time.Duration(rng.IntN(60*24)) * time.Hour)
		var sent, first any
		if status != "draft" && status != "cancelled" {
			sent = stamp(created.Add(time.Hour))
			if status != "sent" && status != "received" || rng.IntN(4) == 0 {
				first = stamp(created.Add(48 * time.Hour))
			}
		} else {
			agr = nil
		}
		if _, err := raw.ExecContext(ctx, `INSERT INTO referrals (id, team_key, municipality_nis, recipient_key, status, agreement_id, agreement_version,
			receipt_code, created_by, created_at, sent_at, first_contact_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,1,$7,'test',$8,$9,$10,$8)`,
			id, team, nis, recipient, status, agr, fmt.Sprintf("KR-RAND-%06d", i), stamp(created), sent, first); err != nil {
			t.Fatal(err)
		}
		for p := range 1 + rng.IntN(2) {
			if _, err := raw.ExecContext(ctx, `INSERT INTO referral_parents (referral_id, idx, name, street, number, postcode, municipality_nis)
				VALUES ($1,$2,$3,'Teststraat','1','2235',$4)`, id, p, fmt.Sprintf("%s %d", names[rng.IntN(len(names))], rng.IntN(20)), nis); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// walkAll returns every item of a list, walked in pages of 7.
func walkAll[T any](t *testing.T, req page.Request, fetch func(page.Request) (page.Result[T], error)) []T {
	t.Helper()
	req.Limit = 7
	items, err := page.All(req, fetch)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// TestHomeCountsAreTheirLists: for random referrals and notifications,
// every count of the start pages equals the number of rows of the list
// it links to, walked page by page (by each sort where it matters).
func TestHomeCountsAreTheirLists(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		birthWorld(t, db)
		hul := activeAgreement(t, db, "team-noord", "13016")
		heist := mustCreate(t, db, admin, "team-noord", "12014", "draft", "2023-01-02")
		off := false
		if _, err := db.UpdateVersion(ctx, admin, heist.ID, agreement.VersionUpdate{StatusFeedback: &off}); err != nil {
			t.Fatal(err)
		}
		for _, s := range []agreement.NewEvent{step(agreement.Approved, "2023-02-01"), step(agreement.Signed, "2023-03-01"), step(agreement.Active, "2023-04-01")} {
			if _, err := db.AddEvent(ctx, admin, heist.ID, s); err != nil {
				t.Fatal(err)
			}
		}
		seed := uint64(time.Now().UnixNano())
		t.Logf("seed %d", seed)
		rng := rand.New(rand.NewPCG(seed, 7))
		seedRandomReferrals(t, db, rng, 120+rng.IntN(60), hul.ID, heist.ID)
		for i := range 10 + rng.IntN(8) {
			in := family(fmt.Sprintf("Fictieve Moeder %d", i), "2025-01-15")
			clinic := clinicZonnedal
			if rng.IntN(3) == 0 {
				in.Mother.MunicipalityNIS, in.Mother.Postcode = "21004", "1000" // Brussels: Opgroeien's queue
				clinic = clinicMaanhof
			}
			s := mustNotify(t, db, clinic, in)
			if s.Team != "" && rng.IntN(3) == 0 {
				if _, err := db.RecordBirthContact(ctx, teamWorker, s.ID, birth.NewContact{On: "2025-01-17", Channel: "phone", Reached: rng.IntN(2) == 0, Version: 1}); err != nil {
					t.Fatal(err)
				}
			}
		}

		t.Run("team", func(t *testing.T) {
			for _, a := range []account.Actor{teamWorker, otherWorker} {
				got := summary(t, db, a).Team
				list := func(status referral.Status) int {
					n := -1
					for _, sort := range []string{"created", "name", "status", "sent"} {
						items := walkAll(t, page.Request{Sort: sort}, func(req page.Request) (page.Result[referral.ListItem], error) {
							return db.ReferralPage(ctx, a, referral.Filter{Status: string(status)}, req)
						})
						if n >= 0 && len(items) != n {
							t.Errorf("%s, %s by %s: %d rows, by the first sort %d", a.Org, status, sort, len(items), n)
						}
						n = len(items)
					}
					return n
				}
				if n := list(referral.Draft); got.Drafts != n {
					t.Errorf("%s drafts: counted %d, the list holds %d", a.Org, got.Drafts, n)
				}
				counted := map[referral.Status]int{}
				total := 0
				for _, c := range got.Sent {
					counted[c.Status] = c.N
					total += c.N
				}
				for _, s := range []referral.Status{referral.Sent, referral.Received, referral.ContactAttempted, referral.Reached, referral.Closed, referral.Withdrawn} {
					if n := list(s); counted[s] != n {
						t.Errorf("%s %s: counted %d, the list holds %d", a.Org, s, counted[s], n)
					}
				}
				if got.AtOCMW != total {
					t.Errorf("%s at the OCMW: %d, the statuses add up to %d", a.Org, got.AtOCMW, total)
				}
				births := walkAll(t, page.Request{Sort: "created_at", Desc: true}, func(req page.Request) (page.Result[birth.QueueItem], error) {
					return db.BirthQueue(ctx, a, birth.Filter{Status: birth.New}, req)
				})
				if got.NewBirths != len(births) {
					t.Errorf("%s new births: counted %d, the queue holds %d", a.Org, got.NewBirths, len(births))
				}
			}
		})

		t.Run("OCMW", func(t *testing.T) {
			for _, a := range []account.Actor{ocmwWorker, homeOCMWHeist} {
				got := summary(t, db, a).OCMW
				for _, c := range []struct {
					name  string
					f     referral.Filter
					count int
				}{{"open", referral.Filter{}, got.Open}, {"new", referral.Filter{Status: referral.StatusNew}, got.New}, {"overdue", referral.Filter{Overdue: true}, got.Overdue}} {
					for _, sort := range []string{"sent", "name", "status"} {
						items := walkAll(t, page.Request{Sort: sort}, func(req page.Request) (page.Result[referral.ListItem], error) {
							return db.InboxPage(ctx, a, c.f, req)
						})
						if len(items) != c.count {
							t.Errorf("%s %s by %s: counted %d, the inbox holds %d", a.Org, c.name, sort, c.count, len(items))
						}
					}
				}
				if a == ocmwWorker && (got.Open == 0 || got.Overdue == 0) {
					t.Errorf("random data without open or overdue referrals: %+v", got)
				}
			}
		})

		t.Run("clinics and Opgroeien", func(t *testing.T) {
			for _, a := range []account.Actor{clinicZonnedal, clinicMaanhof} {
				got := summary(t, db, a).Clinic
				for status, count := range map[birth.ClinicStatus]int{birth.ClinicNew: got.New, birth.ClinicPickedUp: got.PickedUp} {
					items := walkAll(t, page.Request{Sort: "reference"}, func(req page.Request) (page.Result[birth.Submission], error) {
						return db.ClinicSubmissionPage(ctx, a, birth.Filter{ClinicStatus: status}, req)
					})
					if len(items) != count {
						t.Errorf("%s %s: counted %d, the list holds %d", a.Org, status, count, len(items))
					}
				}
			}
			queue := func(s birth.Status) int {
				return len(walkAll(t, page.Request{Sort: "child_birth_date"}, func(req page.Request) (page.Result[birth.QueueItem], error) {
					return db.BirthQueue(ctx, adminActor, birth.Filter{Queue: birth.QueueOpgroeien, Status: s}, req)
				}))
			}
			if got, n := summary(t, db, adminActor).Central.QueueNew, queue(birth.New); got != n {
				t.Errorf("Opgroeien's new: counted %d, the queue holds %d", got, n)
			}
			open, err := db.OpenInOpgroeienQueue(ctx, adminActor)
			if n := queue(birth.New) + queue(birth.NotReached); err != nil || open != n {
				t.Errorf("Opgroeien's open: counted %d (%v), the queue holds %d", open, err, n)
			}
		})
	})
}

// TestNameKey: the name sort's key follows the first parent's name through
// a consent refused (the second parent becomes the first) and the
// deletion of the personal data (empty), and sorts like the names.
func TestNameKey(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		world(t, db)
		activeAgreement(t, db, "team-noord", "13016")
		key := func(id int64) string {
			var k string
			if err := db.SQL().QueryRowContext(ctx, `SELECT name_key FROM referrals WHERE id = $1`, id).Scan(&k); err != nil {
				t.Fatal(err)
			}
			return k
		}
		in := listFamily(0, "13016", "2235") // two parents
		in.Parents[0].Name, in.Parents[1].Name = "Émile Zola", "Bea Aerts"
		r, err := db.CreateReferral(ctx, teamWorker, in)
		if err != nil {
			t.Fatal(err)
		}
		if k := key(r.ID); k != "émile zola" {
			t.Fatalf("after create: %q", k)
		}
		if _, err := db.AddConsent(ctx, teamWorker, r.ID, referral.NewConsent{Parent: 0, Refused: true}); err != nil {
			t.Fatal(err)
		}
		if k := key(r.ID); k != "bea aerts" {
			t.Fatalf("after the first parent refused: %q", k)
		}
		if _, err := db.AddConsent(ctx, teamWorker, r.ID, referral.NewConsent{Parent: 1, Refused: true}); err != nil {
			t.Fatal(err)
		}
		if k := key(r.ID); k != "" {
			t.Fatalf("after both refused (data deleted): %q", k)
		}
		for i, name := range []string{"claes", "Aerts", "Özdemir", "Bogaert"} {
			f := listFamily(i+1, "13016", "2235")
			f.Parents = f.Parents[:1]
			f.Parents[0].Name = name
			if _, err := db.CreateReferral(ctx, teamWorker, f); err != nil {
				t.Fatal(err)
			}
		}
		items := walkAll(t, page.Request{Sort: "name"}, func(req page.Request) (page.Result[referral.ListItem], error) {
			return db.ReferralPage(ctx, teamWorker, referral.Filter{Status: "draft"}, req)
		})
		var got []string
		for _, it := range items {
			got = append(got, strings.Join(it.ParentNames, "/"))
		}
		if strings.Join(got, ",") != "Aerts,Bogaert,claes,Özdemir" {
			t.Errorf("by name: %v", got)
		}
	})
}
