package jobs_test

// The outreach reminders and digests with a fake clock, on both
// databases, delivered through the outbox to a real SMTP server.

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/jobs"
	"kansrijk/internal/mailing"
	"kansrijk/internal/notify"
	"kansrijk/internal/org"
	"kansrijk/internal/outreach"
	"kansrijk/internal/smtptest"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Set moves the clock to a Brussels wall-clock time.
func (c *fakeClock) Set(tb testing.TB, brusselsTime string) {
	tb.Helper()
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		tb.Fatal(err)
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", brusselsTime, loc)
	if err != nil {
		tb.Fatal(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t.UTC()
}

func (c *fakeClock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// outreachWorld, in the week of Monday 2 March 2026:
//   - team-noord (Hulshout, Heist-op-den-Berg, Herselt) with lead Lea and
//     worker Wim; a task for Hulshout overdue since 27 February, one for
//     Herselt due on Tuesday 3 March; a mailing to Hulshout on 26 February
//     and a contact moment on 27 February (so Hulshout went from not
//     informed to in conversation this week); Heist and Herselt never had
//     contact;
//   - team-zuid (Antwerpen) with only a worker, Zoë, and a task overdue
//     since 1 March.
type outreachWorld struct {
	clock                 *fakeClock
	lea, wim, zoe         account.User
	overdueA, tuesdayB    outreach.Task
	zuidOverdue           outreach.Task
	smtp                  *smtptest.Server
	deliverer             *notify.Deliverer
	scheduler, scheduler2 *jobs.Scheduler
}

func newOutreachWorld(t *testing.T, db *store.DB) *outreachWorld {
	t.Helper()
	ctx := context.Background()
	w := &outreachWorld{clock: &fakeClock{}}
	w.clock.Set(t, "2026-02-26 10:00")
	db.Now = w.clock.Now
	sys := account.System("test")
	for _, team := range []org.NewTeam{
		{Key: "team-noord", Name: "Lokaal team Noord", Municipalities: []string{"13016", "12014", "13013"}, From: date("2022-01-01")},
		{Key: "team-zuid", Name: "Lokaal team Zuid", Municipalities: []string{"11002"}, From: date("2022-01-01")},
	} {
		if _, err := db.CreateTeam(ctx, sys, team); err != nil {
			t.Fatal(err)
		}
	}
	user := func(email, name, role, orgKey string) account.User {
		u, err := db.CreateUser(ctx, sys, account.NewUser{Email: email, Name: name, Role: role, Org: orgKey, Password: "correct-horse-battery"})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	w.lea = user("lea@noord.test", "Lea Lenaerts", "team_lead", "team-noord")
	w.wim = user("wim@noord.test", "Wim", "team_worker", "team-noord")
	w.zoe = user("zoe@zuid.test", "Zoë", "team_worker", "team-zuid")
	leadActor := account.Actor{UserID: w.lea.ID, Email: w.lea.Email, Name: w.lea.Name, Role: account.TeamLead, Org: "team-noord", OrgKind: account.KindTeam}

	if _, err := db.CreateContact(ctx, sys, outreach.NewContact{MunicipalityNIS: "13016", Function: "general_director", Name: "An Peeters", Email: "an@hulshout.test"}); err != nil {
		t.Fatal(err)
	}
	r, err := mailing.ParseForm(map[string][]string{"nis": {"13016"}, "template": {"informatie"}, "idempotency_key": {"jobs-test-key-1"}})
	if err != nil {
		t.Fatal(err)
	}
	d, _ := r.Draft()
	rs, err := db.MailingRecipients(ctx, leadActor, r)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.CreateMailing(ctx, leadActor, mailing.NewMailing{Request: r, Draft: d, Sender: w.lea.Name, SenderEmail: w.lea.Email, Recipients: rs}); err != nil {
		t.Fatal(err)
	}
	task := func(a account.Actor, nis, title, due string) outreach.Task {
		tk, err := db.CreateTask(ctx, a, outreach.NewTask{MunicipalityNIS: nis, Title: title, DueOn: due})
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	w.overdueA = task(leadActor, "13016", "Algemeen directeur opbellen na de mailing", "2026-02-27")
	w.tuesdayB = task(leadActor, "13013", "Infosessie voorstellen aan de sociale dienst", "2026-03-03")
	w.zuidOverdue = task(sys, "11002", "Afspraak met de voorzitter vastleggen", "2026-03-01")
	w.clock.Set(t, "2026-02-27 14:00")
	if _, err := db.CreateContactMoment(ctx, leadActor, outreach.NewContactMoment{MunicipalityNIS: "13016", Channel: "phone", Summary: "Mailing besproken"}); err != nil {
		t.Fatal(err)
	}

	w.smtp = smtptest.Start(t)
	cfg := notify.Config{SMTPAddr: w.smtp.Addr, SMTPTLS: notify.TLSNone, MailFrom: notify.DefaultMailFrom, BaseURL: "https://kansrijk.test"}
	w.deliverer = notify.New(db, cfg)
	w.deliverer.Log = slog.New(slog.DiscardHandler)
	quiet := slog.New(slog.DiscardHandler)
	w.scheduler = &jobs.Scheduler{DB: db, Log: quiet, Outreach: jobs.OutreachConfig{BaseURL: "https://kansrijk.test"}}
	w.scheduler2 = &jobs.Scheduler{DB: db, Log: quiet, Outreach: jobs.OutreachConfig{BaseURL: "https://kansrijk.test"}}
	// The mailing of 26 February is delivered before the tests start.
	w.deliver(t)
	if n := len(w.smtp.Messages()); n != 1 {
		t.Fatalf("%d messages before the tests", n)
	}
	return w
}

func (w *outreachWorld) deliver(t *testing.T) {
	t.Helper()
	if _, err := w.deliverer.DeliverOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// concurrently runs fn of both schedulers at once and returns how many ran the job.
func (w *outreachWorld) concurrently(t *testing.T, fn func(*jobs.Scheduler) (bool, error)) int {
	t.Helper()
	var wg sync.WaitGroup
	ran := make([]bool, 2)
	errs := make([]error, 2)
	for i, s := range []*jobs.Scheduler{w.scheduler, w.scheduler2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ran[i], errs[i] = fn(s)
		}()
	}
	wg.Wait()
	n := 0
	for i := range ran {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if ran[i] {
			n++
		}
	}
	return n
}

func wantLines(t *testing.T, what, text string, want []string, not []string) {
	t.Helper()
	for _, s := range want {
		if !strings.Contains(text, s) {
			t.Errorf("%s lacks %q:\n%s", what, s, text)
		}
	}
	for _, s := range not {
		if strings.Contains(text, s) {
			t.Errorf("%s holds %q:\n%s", what, s, text)
		}
	}
}

func TestOutreachReminders(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newOutreachWorld(t, db)
		ctx := context.Background()
		reminders := func(s *jobs.Scheduler) (bool, error) { return s.RunReminders(ctx) }

		// Monday 2 March, 06:30: too early.
		w.clock.Set(t, "2026-03-02 06:30")
		if n := w.concurrently(t, reminders); n != 0 {
			t.Fatalf("ran %d times before 07:00", n)
		}
		// 08:00: two instances check at once; one runs it.
		w.clock.Set(t, "2026-03-02 08:00")
		if n := w.concurrently(t, reminders); n != 1 {
			t.Fatalf("ran %d times, want once", n)
		}
		if n := w.concurrently(t, reminders); n != 0 {
			t.Fatalf("ran again the same day: %d", n)
		}
		runs, err := db.JobRuns(ctx, jobs.OutreachReminders)
		if err != nil || len(runs) != 1 || runs[0].Day != "2026-03-02" || runs[0].FinishedAt == nil {
			t.Fatalf("runs %+v %v", runs, err)
		}
		// Nothing leaves before the deliverer; a refusing mail server loses nothing.
		if n := len(w.smtp.Messages()); n != 1 {
			t.Fatalf("%d messages before delivery", n)
		}
		w.smtp.Fail(true)
		w.deliver(t)
		if n := len(w.smtp.Messages()); n != 1 {
			t.Fatalf("%d messages while the server refuses", n)
		}
		w.smtp.Fail(false)
		w.clock.Advance(time.Minute) // past the first backoff
		w.deliver(t)

		lea := w.smtp.To("lea@noord.test")
		if len(lea) != 1 {
			t.Fatalf("%d reminders to Lea", len(lea))
		}
		if len(w.smtp.To("wim@noord.test")) != 0 {
			t.Error("the worker of a team with a lead got the reminder")
		}
		if lea[0].Subject != "Kansrijk: 1 taak te doen voor Lokaal team Noord" {
			t.Errorf("subject %q", lea[0].Subject)
		}
		wantLines(t, "Monday's reminder", lea[0].Body, []string{
			"Goedemorgen Lea Lenaerts,",
			"Over tijd (1):\n- Hulshout: Algemeen directeur opbellen na de mailing (vervaldag 27-02-2026, 3 dagen te laat)",
			"zonder contactmoment sinds minstens 90 dagen (2):",
			"- Heist-op-den-Berg (niet geïnformeerd): nog nooit een contactmoment",
			"- Herselt (niet geïnformeerd): nog nooit een contactmoment",
			"https://kansrijk.test/outreach/tasks",
			"geen gegevens over gezinnen",
		}, []string{"Vandaag (", "- Hulshout (", "Antwerpen", "Infosessie"})
		// A team without a lead: its workers are reminded.
		zoe := w.smtp.To("zoe@zuid.test")
		if len(zoe) != 1 || !strings.Contains(zoe[0].Body, "- Antwerpen: Afspraak met de voorzitter vastleggen (vervaldag 01-03-2026, 1 dag te laat)") {
			t.Fatalf("Zoë: %d messages %v", len(zoe), zoe)
		}

		// Tuesday, with N = 1 day: Herselt's task is due today, Hulshout's
		// last contact (27 February) is 4 days ago.
		w.scheduler.Outreach.NoContactDays = 1
		w.scheduler2.Outreach.NoContactDays = 1
		w.clock.Set(t, "2026-03-03 09:15")
		if n := w.concurrently(t, reminders); n != 1 {
			t.Fatalf("Tuesday: ran %d times", n)
		}
		w.deliver(t)
		lea = w.smtp.To("lea@noord.test")
		if len(lea) != 2 {
			t.Fatalf("%d reminders to Lea", len(lea))
		}
		wantLines(t, "Tuesday's reminder", lea[1].Body, []string{
			"Over tijd (1):", "4 dagen te laat",
			"Vandaag (1):\n- Herselt: Infosessie voorstellen aan de sociale dienst (vervaldag 03-03-2026)\n",
			"zonder contactmoment sinds minstens 1 dagen (3):",
			"- Hulshout (in gesprek): laatste contact op 27-02-2026, 4 dagen geleden",
		}, nil)
		if lea[1].Subject != "Kansrijk: 2 taken te doen voor Lokaal team Noord" {
			t.Errorf("subject %q", lea[1].Subject)
		}

		// Wednesday, every task done: the job runs, but nobody is mailed.
		lead := account.Actor{UserID: w.lea.ID, Email: w.lea.Email, Role: account.TeamLead, Org: "team-noord", OrgKind: account.KindTeam}
		done := "done"
		for _, tk := range []outreach.Task{w.overdueA, w.tuesdayB} {
			if _, err := db.UpdateTask(ctx, lead, tk.ID, outreach.TaskUpdate{Status: &done}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.UpdateTask(ctx, account.System("test"), w.zuidOverdue.ID, outreach.TaskUpdate{Status: &done}); err != nil {
			t.Fatal(err)
		}
		before := len(w.smtp.Messages())
		w.clock.Set(t, "2026-03-04 08:00")
		if n := w.concurrently(t, reminders); n != 1 {
			t.Fatalf("Wednesday: ran %d times", n)
		}
		w.deliver(t)
		if n := len(w.smtp.Messages()); n != before {
			t.Fatalf("%d messages on a day without due tasks", n-before)
		}
		runs, _ = db.JobRuns(ctx, jobs.OutreachReminders)
		if len(runs) != 3 || !strings.HasPrefix(runs[0].Result, "no tasks due") {
			t.Errorf("runs %+v", runs)
		}
	})
}

func TestOutreachDigest(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newOutreachWorld(t, db)
		ctx := context.Background()
		digest := func(s *jobs.Scheduler) (bool, error) { return s.RunDigest(ctx) }

		// Sunday and Tuesday: no digest, nothing claimed.
		for _, at := range []string{"2026-03-01 09:00", "2026-03-03 09:00", "2026-03-02 06:59"} {
			w.clock.Set(t, at)
			if n := w.concurrently(t, digest); n != 0 {
				t.Fatalf("%s: ran %d times", at, n)
			}
		}
		if runs, _ := db.JobRuns(ctx, jobs.OutreachDigest); len(runs) != 0 {
			t.Fatalf("runs %+v", runs)
		}
		// Monday 07:05: once.
		w.clock.Set(t, "2026-03-02 07:05")
		if n := w.concurrently(t, digest); n != 1 {
			t.Fatalf("Monday: ran %d times", n)
		}
		w.clock.Set(t, "2026-03-02 15:00")
		if n := w.concurrently(t, digest); n != 0 {
			t.Fatalf("Monday afternoon: ran %d times", n)
		}
		w.deliver(t)
		lea := w.smtp.To("lea@noord.test")
		if len(lea) != 1 {
			t.Fatalf("%d digests to Lea", len(lea))
		}
		if lea[0].Subject != "Kansrijk: weekoverzicht toeleiding Lokaal team Noord, week van 02-03-2026" {
			t.Errorf("subject %q", lea[0].Subject)
		}
		wantLines(t, "digest", lea[0].Body, []string{
			"Fasen van de 3 lokale besturen in uw werkgebied:\n- niet geïnformeerd: 2\n- in gesprek: 1\n",
			"Veranderd sinds 23-02-2026 (1):\n- Hulshout: van niet geïnformeerd naar in gesprek\n",
			"Taken over tijd (1):\n- Hulshout: Algemeen directeur opbellen na de mailing (vervaldag 27-02-2026, 3 dagen te laat)\n",
			"Taken die deze week vervallen (1):\n- Herselt: Infosessie voorstellen aan de sociale dienst (vervaldag 03-03-2026)\n",
			"Mailings naar uw werkgebied in de voorbije week (1):\n- 26-02-2026: \"Samenwerken rond kansarmoede: Kind en Gezin en het OCMW van {{gemeente}}\", naar 1 lokaal bestuur\n",
			"zonder contactmoment sinds minstens 90 dagen (2):",
			"https://kansrijk.test/outreach/targets?team=team-noord",
		}, []string{"Antwerpen", "An Peeters", "an@hulshout.test"})
		// Only team leads get a digest: not Wim, not Zoë (team-zuid has no lead).
		if n := len(w.smtp.To("wim@noord.test")) + len(w.smtp.To("zoe@zuid.test")); n != 0 {
			t.Errorf("%d digests to workers", n)
		}
		// Next Monday: the next digest.
		w.clock.Set(t, "2026-03-09 08:00")
		if n := w.concurrently(t, digest); n != 1 {
			t.Fatalf("next Monday: ran %d times", n)
		}
		w.deliver(t)
		if lea := w.smtp.To("lea@noord.test"); len(lea) != 2 || !strings.Contains(lea[1].Body, "Mailings naar uw werkgebied in de voorbije week (0):") {
			t.Fatalf("second digest: %d", len(lea))
		}
	})
}

func TestNoContactDaysFromEnv(t *testing.T) {
	for v, want := range map[string]int{"": 90, "30": 30, " 365 ": 365, "0": -1, "-5": -1, "abc": -1, "4000": -1} {
		got, err := jobs.NoContactDaysFromEnv(func(k string) string {
			if k == "KANSRIJK_OUTREACH_NO_CONTACT_DAYS" {
				return v
			}
			return ""
		})
		if (want < 0) != (err != nil) || (want >= 0 && got != want) {
			t.Errorf("%q: %d %v, want %d", v, got, err, want)
		}
	}
}
