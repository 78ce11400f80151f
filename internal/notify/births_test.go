package notify_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/birth"
	"kansrijk/internal/org"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestBirthEscalationMail: the escalation of birth notifications nobody
// picked up reaches the team's active leads (and Opgroeien's admins for
// its queue) through a real SMTP server: a count and a link, nothing
// about the families.
func TestBirthEscalationMail(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := useClock(db)
		box, addr := startSMTP(t)
		world(t, db)
		if _, err := db.CreateClinic(ctx, admin, org.NewClinic{Key: "clinic-zonnedal", Name: "Kraamkliniek Zonnedal"}); err != nil {
			t.Fatal(err)
		}
		for _, u := range []account.NewUser{
			{Email: "lead@noord.test", Role: "team_lead", Org: "team-noord"},
			{Email: "oud-lead@noord.test", Role: "team_lead", Org: "team-noord"},
			{Email: "worker@noord.test", Role: "team_worker", Org: "team-noord"},
			{Email: "admin@opgroeien.test", Role: "admin", Org: "opgroeien"},
		} {
			if _, err := db.CreateUser(ctx, admin, u); err != nil {
				t.Fatal(err)
			}
		}
		old, _ := db.UserByEmail(ctx, "oud-lead@noord.test")
		if err := db.SetUserActive(ctx, admin, old.ID, false); err != nil {
			t.Fatal(err)
		}
		clinic := account.Actor{UserID: 40, Email: "balie@zonnedal.test", Role: account.Clinic, Org: "clinic-zonnedal", OrgKind: account.KindClinic}
		notify := func(nis, postcode string) {
			t.Helper()
			_, err := db.CreateBirthNotification(ctx, clinic, birth.NewNotification{Mother: birth.Parent{Name: family.Name, Street: family.Street,
				Number: family.Number, Postcode: postcode, MunicipalityNIS: nis, Phone: family.Phone, Email: family.Email, Language: "nl"}, ChildBirthDate: "2025-03-01"})
			if err != nil {
				t.Fatal(err)
			}
		}
		notify("13016", "2235")
		notify("13016", "2235")
		notify("21004", "1000") // Brussels: Opgroeien's queue
		clk.Advance(15 * 24 * time.Hour)
		if esc, err := db.EscalateBirthNotifications(ctx, db.Now(), birth.Policy{}, false); err != nil || len(esc) != 3 {
			t.Fatalf("escalated %+v %v", esc, err)
		}
		st := deliverOnce(t, deliverer(db, mailConfig(addr)))
		if st.Delivered != 3 || st.Mails != 2 {
			t.Fatalf("stats %+v", st)
		}
		msgs := box.Messages()
		if len(msgs) != 2 {
			t.Fatalf("%d messages", len(msgs))
		}
		var to []string
		for _, m := range msgs {
			to = append(to, m.To...)
		}
		slices.Sort(to)
		if !slices.Equal(to, []string{"admin@opgroeien.test", "lead@noord.test"}) {
			t.Fatalf("recipients %v", to)
		}
		for _, raw := range msgs {
			m := decode(t, raw.Raw)
			want := "2 geboortemeldingen nog niet opgepakt in Kansrijk"
			if raw.To[0] == "admin@opgroeien.test" {
				want = "1 geboortemelding nog niet opgepakt in Kansrijk"
			}
			if m.Subject != want || !strings.Contains(m.Body, "https://kansrijk.test/births") {
				t.Errorf("message to %v: %q\n%s", raw.To, m.Subject, m.Body)
			}
			wantNoPersonalData(t, "escalation message", m.All, m.Subject+"\n"+m.Body)
		}
		for _, row := range outbox(t, db) {
			if row.DeliveredAt == nil || row.MailStatus != store.MailSent || row.WebhookStatus != store.WebhookNone {
				t.Errorf("outbox row %+v", row)
			}
		}
	})
}
