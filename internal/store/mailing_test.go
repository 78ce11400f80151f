package store_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/mailing"
	"kansrijk/internal/outreach"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// mailingWorld adds contacts to the two-team world: Hulshout (team-noord)
// a general director and a poverty officer with e-mail, Heist-op-den-Berg
// (team-noord) a council chair with only a phone, Herselt (team-noord)
// nobody, Antwerpen (team-zuid) a general director with e-mail.
type mailingWorld struct {
	an, bram, heist, antwerpen outreach.Contact
}

func newMailingWorld(t *testing.T, db *store.DB) mailingWorld {
	t.Helper()
	ctx := context.Background()
	fixedClock(db, "2026-03-02")
	world(t, db)
	add := func(nis, fn, name, email, phone string) outreach.Contact {
		c, err := db.CreateContact(ctx, admin, outreach.NewContact{MunicipalityNIS: nis, Function: fn, Name: name, Email: email, Phone: phone})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	return mailingWorld{
		an:        add("13016", "general_director", "An Peeters", "an.peeters@hulshout.test", ""),
		bram:      add("13016", "poverty_officer", "Bram Wouters", "bram.wouters@hulshout.test", ""),
		heist:     add("12014", "council_chair", "Carla Mertens", "", "015 25 05 00"),
		antwerpen: add("11002", "general_director", "Dirk Claes", "dirk.claes@antwerpen.test", ""),
	}
}

func recipientEmails(rs mailing.Recipients) []string {
	var out []string
	for _, r := range rs.Recipients {
		out = append(out, r.Email)
	}
	return out
}

func skippedReasons(rs mailing.Recipients) map[string]string {
	out := map[string]string{}
	for _, s := range rs.Skipped {
		out[s.MunicipalityNIS] = s.Reason
	}
	return out
}

func TestMailingRecipients(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newMailingWorld(t, db)
		req := func(q string) mailing.Request {
			t.Helper()
			r, err := mailing.ParseForm(mustQuery(t, q))
			if err != nil {
				t.Fatal(err)
			}
			return r
		}

		t.Run("TeamFilter", func(t *testing.T) {
			rs, err := db.MailingRecipients(ctx, admin, req("team=team-noord"))
			if err != nil {
				t.Fatal(err)
			}
			if got := recipientEmails(rs); !slices.Equal(got, []string{w.an.Email, w.bram.Email}) || rs.Municipalities != 1 {
				t.Fatalf("recipients %v (%d municipalities)", got, rs.Municipalities)
			}
			r := rs.Recipients[0]
			if r.Municipality != "Hulshout" || r.Province != "Antwerpen" || r.TeamName != "Lokaal team Noord" || r.Function != outreach.GeneralDirector || r.ContactID != w.an.ID {
				t.Errorf("recipient %+v", r)
			}
			if sk := skippedReasons(rs); sk["12014"] != mailing.SkipNoEmail || sk["13013"] != mailing.SkipNoEmail || len(sk) != 2 {
				t.Errorf("skipped %v", rs.Skipped)
			}
		})
		t.Run("Functions", func(t *testing.T) {
			rs, err := db.MailingRecipients(ctx, admin, req("team=team-noord&function=poverty_officer"))
			if err != nil || !slices.Equal(recipientEmails(rs), []string{w.bram.Email}) {
				t.Fatalf("%v %v", recipientEmails(rs), err)
			}
			rs, err = db.MailingRecipients(ctx, admin, req("team=team-noord&function=council_chair"))
			if err != nil || len(rs.Recipients) != 0 || skippedReasons(rs)["13016"] != mailing.SkipNoFunction {
				t.Fatalf("%+v %v", rs, err)
			}
		})
		t.Run("StageFilter", func(t *testing.T) {
			if _, err := db.CreateContactMoment(ctx, admin, outreach.NewContactMoment{MunicipalityNIS: "13016", On: "2026-02-20", Channel: "phone",
				By: "team-noord", Summary: "Eerste gesprek"}); err != nil {
				t.Fatal(err)
			}
			rs, err := db.MailingRecipients(ctx, admin, req("team=team-noord&stage=not_informed"))
			if err != nil || len(rs.Recipients) != 0 || len(rs.Skipped) != 2 {
				t.Fatalf("not informed: %+v %v", rs, err)
			}
			rs, err = db.MailingRecipients(ctx, admin, req("stage=in_conversation"))
			if err != nil || !slices.Equal(recipientEmails(rs), []string{w.an.Email, w.bram.Email}) {
				t.Fatalf("in conversation: %+v %v", rs, err)
			}
		})
		t.Run("List", func(t *testing.T) {
			rs, err := db.MailingRecipients(ctx, admin, req("nis=11002&nis=13016"))
			if err != nil || !slices.Equal(recipientEmails(rs), []string{w.antwerpen.Email, w.an.Email, w.bram.Email}) || rs.Municipalities != 2 {
				t.Fatalf("list: %v %v", recipientEmails(rs), err)
			}
			// With a filter, the list keeps only what the filter keeps.
			rs, err = db.MailingRecipients(ctx, admin, req("team=team-noord&nis=11002&nis=13016"))
			if err != nil || !slices.Equal(recipientEmails(rs), []string{w.an.Email, w.bram.Email}) || skippedReasons(rs)["11002"] != mailing.SkipNotOnTargetList {
				t.Fatalf("list and filter: %+v %v", rs, err)
			}
			if _, err := db.MailingRecipients(ctx, admin, req("nis=99999")); !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("unknown code: %v", err)
			}
			// Borsbeek merged into Antwerpen on 2025-01-01.
			if _, err := db.MailingRecipients(ctx, admin, req("nis=11007")); !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), "Antwerpen") {
				t.Fatalf("merged code: %v", err)
			}
		})
		t.Run("TeamLeadArea", func(t *testing.T) {
			rs, err := db.MailingRecipients(ctx, leadNoord, req(""))
			if err != nil || slices.Contains(recipientEmails(rs), w.antwerpen.Email) || !slices.Contains(recipientEmails(rs), w.an.Email) {
				t.Fatalf("lead: %v %v", recipientEmails(rs), err)
			}
			if _, err := db.MailingRecipients(ctx, leadNoord, req("nis=11002")); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("outside the area: %v", err)
			}
			rs, err = db.MailingRecipients(ctx, leadNoord, req("team=team-zuid"))
			if err != nil || len(rs.Recipients) != 0 {
				t.Fatalf("another team's list: %+v %v", rs, err)
			}
		})
		t.Run("Forbidden", func(t *testing.T) {
			for _, a := range []account.Actor{workerZuid, analyst, dpoCentral, clinicUser, ocmwAdminOR} {
				if _, err := db.MailingRecipients(ctx, a, req("")); !apperr.Is(err, apperr.Forbidden) {
					t.Errorf("%s: %v", a.Role, err)
				}
			}
		})
	})
}

func newMailing(t *testing.T, db *store.DB, a account.Actor, q, key string) mailing.NewMailing {
	t.Helper()
	r, err := mailing.ParseForm(mustQuery(t, q))
	if err != nil {
		t.Fatal(err)
	}
	r.Template, r.IdempotencyKey = "informatie", key
	d, err := r.Draft()
	if err != nil {
		t.Fatal(err)
	}
	rs, err := db.MailingRecipients(context.Background(), a, r)
	if err != nil {
		t.Fatal(err)
	}
	return mailing.NewMailing{Request: r, Draft: d, Sender: "Sara Janssens", SenderEmail: "sara@opgroeien.test", Recipients: rs}
}

func TestCreateMailing(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newMailingWorld(t, db)
		nm := newMailing(t, db, admin, "team=team-noord", "mailing-key-0001")
		m, repeated, err := db.CreateMailing(ctx, admin, nm)
		if err != nil || repeated {
			t.Fatalf("%v %v", repeated, err)
		}
		if m.Recipients != 2 || m.Municipalities != 1 || m.Pending != 2 || m.Sent != 0 || m.Template != "informatie" || m.On.Format("2006-01-02") != "2026-03-02" {
			t.Fatalf("mailing %+v", m)
		}

		// The campaign: kind mailing, a list, Hulshout with the first contact.
		c, err := db.Campaign(ctx, admin, m.CampaignID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Kind != outreach.Mailing || c.Audience != outreach.AudienceList || c.Reached != 1 || len(c.Touchpoints) != 1 ||
			c.Touchpoints[0].MunicipalityNIS != "13016" || c.Touchpoints[0].ContactID != w.an.ID || c.Subject != nm.Draft.RawSubject {
			t.Fatalf("campaign %+v", c)
		}
		rep, err := db.OutreachReport(ctx, d("2026-03-02"))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rep.Municipalities {
			if r.NIS == "13016" && r.Stage != outreach.Informed {
				t.Errorf("Hulshout is %s after the mailing", r.Stage)
			}
		}

		// The outbox: one message per contact, no webhook, nothing personal in the payload.
		rows := outboxOf(t, db, store.OutboxMailing)
		if len(rows) != 2 {
			t.Fatalf("%d outbox rows", len(rows))
		}
		for _, r := range rows {
			if r.WebhookStatus != store.WebhookNone || strings.Contains(r.Payload, "@") || strings.Contains(r.Payload, "Peeters") {
				t.Errorf("outbox row %+v", r)
			}
		}
		for _, action := range []string{"outreach.mailing.send", "outreach.campaign.create"} {
			evs, err := db.AuditEvents(ctx, audit.Filter{Action: action})
			if err != nil || len(evs) != 1 || strings.Contains(evs[0].Detail, "@") {
				t.Errorf("audit %s: %+v %v", action, evs, err)
			}
		}

		t.Run("SameKeyTwice", func(t *testing.T) {
			before := MustCount(t, db, "SELECT count(*) FROM outbox") + MustCount(t, db, "SELECT count(*) FROM outreach_campaigns")
			again, repeated, err := db.CreateMailing(ctx, admin, nm)
			if err != nil || !repeated || again.ID != m.ID {
				t.Fatalf("repeat: %+v %v %v", again, repeated, err)
			}
			if after := MustCount(t, db, "SELECT count(*) FROM outbox") + MustCount(t, db, "SELECT count(*) FROM outreach_campaigns"); after != before {
				t.Fatalf("a repeat queued more: %d → %d", before, after)
			}
			other := leadNoord
			if _, _, err := db.CreateMailing(ctx, other, newMailing(t, db, other, "", "mailing-key-0001")); !apperr.Is(err, mailing.CodeIdempotencyReuse) {
				t.Fatalf("another user's key: %v", err)
			}
		})

		t.Run("ComposedAtDelivery", func(t *testing.T) {
			items, err := db.ClaimOutbox(ctx, 10, 0)
			if err != nil || len(items) != 2 {
				t.Fatalf("claim: %d %v", len(items), err)
			}
			mail, skip, err := db.OutboxMail(ctx, items[0], "https://kansrijk.test")
			if err != nil || skip != "" {
				t.Fatalf("%q %v", skip, err)
			}
			if mail.To != w.an.Email || mail.ReplyTo != "sara@opgroeien.test" || !strings.Contains(mail.Subject, "Hulshout") ||
				!strings.Contains(mail.Body, "Geachte An Peeters,") || !strings.Contains(mail.Body, "Sara Janssens") ||
				!strings.Contains(mail.Body, "https://kansrijk.test/outreach/municipalities/13016/factsheet") || !strings.Contains(mail.Body, "Lokaal team Noord") {
				t.Errorf("composed %+v", mail)
			}
			// A contact removed before delivery is not mailed.
			if err := db.DeleteContact(ctx, admin, w.bram.ID); err != nil {
				t.Fatal(err)
			}
			if mail, skip, err := db.OutboxMail(ctx, items[1], "https://kansrijk.test"); err != nil || skip == "" || mail.To != "" {
				t.Fatalf("removed contact: %+v %q %v", mail, skip, err)
			}
		})

		t.Run("Scope", func(t *testing.T) {
			if list, err := db.Mailings(ctx, leadNoord); err != nil || len(list) != 0 {
				t.Errorf("lead sees %d mailings of Opgroeien: %v", len(list), err)
			}
			if list, err := db.Mailings(ctx, admin); err != nil || len(list) != 1 {
				t.Errorf("admin sees %d: %v", len(list), err)
			}
			if _, err := db.Mailings(ctx, workerZuid); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("worker: %v", err)
			}
			// A team lead cannot mail outside its area, even with recipients resolved by an admin.
			bad := newMailing(t, db, admin, "nis=11002", "mailing-key-0002")
			if _, _, err := db.CreateMailing(ctx, leadNoord, bad); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("outside the area: %v", err)
			}
			own := newMailing(t, db, leadNoord, "", "mailing-key-0003")
			if len(own.Recipients.Recipients) != 1 { // Bram was removed
				t.Fatalf("lead's recipients %+v", own.Recipients)
			}
			if _, _, err := db.CreateMailing(ctx, leadNoord, own); err != nil {
				t.Fatal(err)
			}
			if list, err := db.Mailings(ctx, leadNoord); err != nil || len(list) != 1 || list[0].CreatedOrg != "team-noord" {
				t.Errorf("lead's mailings %+v %v", list, err)
			}
		})
	})
}

func TestFinishDailyJobWithMails(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db, "2026-03-02")
		world(t, db)
		u, err := db.CreateUser(ctx, admin, account.NewUser{Email: "lead@noord.test", Name: "Lea", Role: "team_lead", Org: "team-noord", Password: "correct-horse-battery"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateUser(ctx, admin, account.NewUser{Email: "worker@noord.test", Role: "team_worker", Org: "team-noord", Password: "correct-horse-battery"}); err != nil {
			t.Fatal(err)
		}
		leads, err := db.ActiveUsers(ctx, "team-noord", account.TeamLead)
		if err != nil || len(leads) != 1 || leads[0].ID != u.ID {
			t.Fatalf("leads %+v %v", leads, err)
		}
		day := d("2026-03-02")
		if won, err := db.ClaimDailyJob(ctx, "outreach_reminders", day); err != nil || !won {
			t.Fatal(won, err)
		}
		mails := []store.StaffMail{{UserID: u.ID, Org: "team-noord", Subject: "Herinnering", Body: "2 taken"}}
		if ok, err := db.FinishDailyJobWithMails(ctx, "outreach_reminders", day, mails, "1 mail"); err != nil || !ok {
			t.Fatal(ok, err)
		}
		if ok, err := db.FinishDailyJobWithMails(ctx, "outreach_reminders", day, mails, "1 mail"); err != nil || ok {
			t.Fatalf("finished twice: %v %v", ok, err)
		}
		rows := outboxOf(t, db, store.OutboxStaffMail)
		if len(rows) != 1 || strings.Contains(rows[0].Payload, "lead@noord.test") {
			t.Fatalf("outbox %+v", rows)
		}
		items, err := db.ClaimOutbox(ctx, 10, 0)
		if err != nil || len(items) != 1 {
			t.Fatal(len(items), err)
		}
		if m, skip, err := db.OutboxMail(ctx, items[0], ""); err != nil || skip != "" || m.To != "lead@noord.test" || m.Subject != "Herinnering" || m.Body != "2 taken" {
			t.Fatalf("%+v %q %v", m, skip, err)
		}
		if err := db.SetUserActive(ctx, admin, u.ID, false); err != nil {
			t.Fatal(err)
		}
		if m, skip, err := db.OutboxMail(ctx, items[0], ""); err != nil || skip == "" || m.To != "" {
			t.Fatalf("inactive user: %+v %q %v", m, skip, err)
		}
	})
}

func outboxOf(t *testing.T, db *store.DB, kind string) []store.OutboxRow {
	t.Helper()
	all, err := db.OutboxRows(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []store.OutboxRow
	for _, r := range all {
		if r.Kind == kind {
			out = append(out, r)
		}
	}
	return out
}

func mustQuery(t *testing.T, q string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
