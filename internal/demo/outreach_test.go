package demo_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/api"
	"kansrijk/internal/demo"
	"kansrijk/internal/outreach"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
	"kansrijk/internal/suppress"
)

// TestOutreachHistory loads the demo and checks the story it tells
// through the store: the stages on 8 March 2023 and today, who was
// informed and contacted before signing up, campaigns, contacts, tasks,
// missed referrals and the fictitious deprivation index.
func TestOutreachHistory(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		start := time.Now()
		if err := demo.Load(ctx, db); err != nil {
			t.Fatalf("Load: %v", err)
		}
		// How long it takes is measured by BenchmarkLoad, not asserted here.
		t.Logf("demo loaded in %v", time.Since(start))
		today := api.Today(db.Now())
		admin := account.System("test")

		t.Run("March2023NobodySignedUpManyInformed", func(t *testing.T) {
			rep, err := db.OutreachReport(ctx, mustDay(t, "2023-03-08"))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range outreach.Stages[outreach.SignedUp.Order():] {
				if rep.Counts[s] != 0 {
					t.Errorf("%d municipalities %s on 2023-03-08, want none", rep.Counts[s], s)
				}
			}
			if rep.Total != 300 || rep.Informed < 200 || rep.Counts[outreach.NotInformed] < 30 {
				t.Errorf("on 2023-03-08: %d informed of %d, %d not informed; want most informed and a group not", rep.Informed, rep.Total, rep.Counts[outreach.NotInformed])
			}
		})

		t.Run("TodayEveryStage", func(t *testing.T) {
			rep, err := db.OutreachReport(ctx, today)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range outreach.Stages {
				if rep.Counts[s] == 0 {
					t.Errorf("no municipality %s today: %v", s, rep.Counts)
				}
			}
			if n := rep.Counts[outreach.NotInformed]; n < 20 || n > 60 {
				t.Errorf("%d municipalities not approached yet, want a visible group (20–60)", n)
			}
			if rep.Counts[outreach.InConversation] < 50 || rep.Counts[outreach.Informed] < 15 {
				t.Errorf("counts today %v: want many in conversation and some only informed", rep.Counts)
			}
			recent, old := 0, 0
			for _, m := range rep.Municipalities {
				if m.DaysSinceContact != nil && *m.DaysSinceContact <= 90 {
					recent++
				}
				if m.DaysSinceContact != nil && *m.DaysSinceContact > 365 {
					old++
				}
			}
			if recent < 10 || old < 10 {
				t.Errorf("last contacts: %d within 90 days, %d over a year ago; want both", recent, old)
			}
		})

		t.Run("SignedUpOnlyAfterInformedAndContacted", func(t *testing.T) {
			for _, on := range []time.Time{mustDay(t, "2024-12-31"), today} {
				facts, err := db.OutreachFacts(ctx, on)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for nis, f := range facts {
					var first time.Time
					for _, h := range f.Agreements {
						if len(h.Steps) > 0 && (first.IsZero() || h.Steps[0].On.Before(first)) {
							first = h.Steps[0].On
						}
					}
					if first.IsZero() {
						continue
					}
					n++
					if !slices.ContainsFunc(f.Touchpoints, first.After) {
						t.Errorf("%s signed up on %s without being informed before", nis, first.Format(time.DateOnly))
					}
					if !slices.ContainsFunc(f.ContactMoments, first.After) {
						t.Errorf("%s signed up on %s without a contact moment before", nis, first.Format(time.DateOnly))
					}
				}
				if n < 30 {
					t.Errorf("%d municipalities with an agreement on %s, want the demo's agreements", n, on.Format(time.DateOnly))
				}
			}
		})

		t.Run("Campaigns", func(t *testing.T) {
			list, err := db.Campaigns(ctx, admin)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range list {
				got = append(got, fmt.Sprintf("%s %s %s", c.On.Format(time.DateOnly), c.Kind, c.Partner))
			}
			slices.Sort(got)
			want := []string{"2022-04-26 newsletter VVSG", "2022-10-18 newsletter VVSG", "2023-01-17 newsletter VVSG", "2023-02-09 webinar VVSG en Opgroeien",
				"2023-10-10 info_session Opgroeien", "2025-03-18 mailing Opgroeien"}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Fatalf("campaigns\n got %v\nwant %v", got, want)
			}
			for _, c := range list {
				if c.Kind != outreach.Webinar {
					continue
				}
				full, err := db.Campaign(ctx, admin, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				reg, att := 0, 0
				for _, tp := range full.Touchpoints {
					if tp.Registered {
						reg++
					}
					if tp.Attended {
						att++
					}
				}
				if reg < 24 || reg > 60 || att == 0 || att >= reg {
					t.Errorf("webinar: %d registered, %d attended; want a few dozen, not all attending", reg, att)
				}
			}
		})

		t.Run("Contacts", func(t *testing.T) {
			list, err := db.Contacts(ctx, admin, "")
			if err != nil {
				t.Fatal(err)
			}
			with := map[string]bool{}
			for _, c := range list {
				with[c.MunicipalityNIS] = true
				if !strings.HasSuffix(c.Email, ".demo.kansrijk.test") || !strings.Contains(c.Email, "@") || c.Name == "" {
					t.Fatalf("contact %+v: want a made-up name and an address under <gemeente>.demo.kansrijk.test", c)
				}
			}
			if len(with) < 100 || len(with) > 240 {
				t.Errorf("%d of 285 municipalities have contacts, want a good share", len(with))
			}
		})

		t.Run("Tasks", func(t *testing.T) {
			all, err := db.Tasks(ctx, admin, outreach.TaskFilter{})
			if err != nil {
				t.Fatal(err)
			}
			count := map[string]int{}
			for _, tk := range all {
				count[string(tk.Status)]++
				if tk.Overdue(today) {
					count["overdue"]++
				}
			}
			if count["done"] < 30 || count["open"] < 10 || count["overdue"] < 3 || count["cancelled"] == 0 {
				t.Errorf("tasks %v: want done, open, overdue and cancelled ones", count)
			}
			lead := account.Actor{Role: account.TeamLead, Org: "team-demo-turnhout", OrgKind: account.KindTeam, Email: "teamlead@demo.kansrijk.test"}
			mine, err := db.Tasks(ctx, lead, outreach.TaskFilter{Status: outreach.TaskOpen, DueBefore: &today})
			if err != nil || len(mine) == 0 {
				t.Errorf("the demo team lead has no overdue task: %v", err)
			}
		})

		t.Run("MissedReferrals", func(t *testing.T) {
			// The report's default: the last four quarters that have ended.
			to := suppress.LastQuarter(today, 0)
			from, to, _ := suppress.Quarters(to.AddDate(0, -11, 0), to, to)
			counts, err := db.MissedReferralCounts(ctx, from.Format("2006-01"), to.Format("2006-01"))
			if err != nil {
				t.Fatal(err)
			}
			rep := api.BuildMissedReport(counts, from, to, db.Municipalities)
			// The demo's counts are small (1 to 6 a month): per quarter
			// they show as "<5" and "x", the totals rounded to 5.
			small := false
			for _, m := range rep.Municipalities {
				for _, c := range append(m.Counts, m.Total) {
					small = small || c.String() == "<5"
				}
			}
			if len(rep.Municipalities) < 3 || !small {
				t.Errorf("missed referrals of the last four quarters: %d municipalities, a \"<5\" %v", len(rep.Municipalities), small)
			}
		})

		t.Run("FictitiousDeprivationIndex", func(t *testing.T) {
			years, err := db.DeprivationYears(ctx, admin)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, y := range years {
				got = append(got, fmt.Sprintf("%d:%d:%s", y.Year, y.Municipalities, y.Source))
			}
			want := []string{"2024:300:fictief — demogegevens", "2023:300:fictief — demogegevens", "2022:300:fictief — demogegevens", "2021:300:fictief — demogegevens"}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Fatalf("years %v, want %v", got, want)
			}
			s, err := db.DeprivationIndex(ctx, admin, "46030")
			if err != nil || len(s.Figures) != 12 || !s.Fictitious() {
				t.Errorf("Beveren-Kruibeke-Zwijndrecht: %d figures (want its three predecessors × 4 years), fictitious %v, %v", len(s.Figures), s.Fictitious(), err)
			}
		})
	})
}

// BenchmarkLoad measures loading the demo into a fresh database (what the
// first start of serve --demo does): 1–3 s on SQLite and 3–6 s on
// PostgreSQL on a quiet 2-core machine, most of it hashing the demo users'
// passwords.
func BenchmarkLoad(b *testing.B) {
	for _, d := range storetest.Backends {
		b.Run(string(d), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				db := storetest.Open(b, d)
				b.StartTimer()
				if err := demo.Load(context.Background(), db); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
