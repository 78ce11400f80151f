package store_test

import (
	"context"
	"strings"
	"testing"

	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// sentFamily creates, consents and sends a referral for a family living
// at postcode, and lets the OCMW read it.
func sentFamily(t testing.TB, db *store.DB, name, postcode string) referral.Referral {
	t.Helper()
	ctx := context.Background()
	in := newFamily()
	in.Parents[0].Name, in.Parents[0].Postcode = name, postcode
	if postcode == "2230" {
		// A parent's postcode belongs to where the parent lives: Herselt.
		in.Parents[0].MunicipalityNIS = "13013"
	}
	r, err := db.CreateReferral(ctx, teamWorker, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddConsent(ctx, teamWorker, r.ID, referral.NewConsent{Parent: 0, Informed: allInformed, Method: "verbal"}); err != nil {
		t.Fatal(err)
	}
	if r, err = db.Send(ctx, teamWorker, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Referral(ctx, ocmwWorker, r.ID); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestAccessLogShowsExactlyTheFamilysEvents(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		world(t, db)
		activeAgreement(t, db, "team-noord", "13016")
		a := sentFamily(t, db, "Fictieve Ouder A", "2235")
		b := sentFamily(t, db, "Fictieve Ouder B", "2230")
		// Family B is read by its OCMW again; A's log must not show it.
		if _, err := db.Referral(ctx, ocmwWorker, b.ID); err != nil {
			t.Fatal(err)
		}

		q := referral.AccessLogQuery{Code: strings.ToLower(strings.TrimPrefix(a.ReceiptCode, "KR-")), Postcode: " 2235 ", ClientAddr: "192.0.2.1", RequestID: "req-a"}
		l, err := db.AccessLog(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if l.Code != a.ReceiptCode || l.Status.Status != referral.Received || l.Status.Recipient == "" {
			t.Fatalf("log = %+v", l)
		}
		want, err := db.AuditEvents(ctx, audit.Filter{ReceiptCode: a.ReceiptCode, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		// The look-up itself was recorded after the read: one more than shown.
		if len(l.Events) == 0 || len(l.Events) != len(want)-1 {
			t.Fatalf("%d events shown, %d recorded for the code", len(l.Events), len(want))
		}
		actions := map[string]int{}
		for i, e := range l.Events {
			actions[e.Action]++
			if i > 0 && e.At.Before(l.Events[i-1].At) {
				t.Errorf("events not oldest first: %v before %v", l.Events[i-1].At, e.At)
			}
			if e.Organisation == "" || e.Function == "" {
				t.Errorf("event %+v: no organisation or function", e)
			}
			if strings.Contains(e.Organisation, "@") || strings.Contains(e.Function, "@") {
				t.Errorf("event %+v shows an e-mail address", e)
			}
		}
		if actions["referral.create"] != 1 || actions["referral.send"] != 1 || actions["referral.read"] < 1 {
			t.Errorf("actions = %v", actions)
		}
		for _, ev := range want {
			if ev.ReceiptCode != a.ReceiptCode {
				t.Errorf("event %d of another family: %q", ev.ID, ev.ReceiptCode)
			}
		}
		view := want[0]
		if view.Action != "access_log.view" || view.Outcome != audit.OK || view.Channel != "anonymous" || view.ActorEmail != "" ||
			view.ClientAddr != "192.0.2.1" || view.RequestID != "req-a" {
			t.Errorf("view event = %+v", view)
		}

		// Family B sees its own, with two OCMW reads; never A's.
		lb, err := db.AccessLog(ctx, referral.AccessLogQuery{Code: b.ReceiptCode, Postcode: "2230", ClientAddr: "192.0.2.2"})
		if err != nil {
			t.Fatal(err)
		}
		reads := 0
		for _, e := range lb.Events {
			if e.Action == "referral.read" {
				reads++
			}
		}
		if reads < 2 || reads == actions["referral.read"] {
			t.Errorf("B's reads = %d, A's = %d", reads, actions["referral.read"])
		}
		// A's second look shows A's first look.
		l2, err := db.AccessLog(ctx, q)
		if err != nil || l2.Events[len(l2.Events)-1].Action != "access_log.view" || len(l2.Events) != len(l.Events)+1 {
			t.Fatalf("second look: %d events, %v", len(l2.Events), err)
		}
	})
}

func TestAccessLogWrongCodeOrPostcodeIsOneNotFound(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		world(t, db)
		activeAgreement(t, db, "team-noord", "13016")
		a := sentFamily(t, db, "Fictieve Ouder A", "2235")
		b := sentFamily(t, db, "Fictieve Ouder B", "2230")
		var msgs []string
		for _, q := range []referral.AccessLogQuery{
			{Code: a.ReceiptCode, Postcode: "2230"}, // B's postcode
			{Code: a.ReceiptCode, Postcode: ""},
			{Code: "KR-AAAA-BBBB-CCCC", Postcode: "2235"},
			{Code: "", Postcode: "2235"},
			{Code: b.ReceiptCode, Postcode: "2235"},
		} {
			q.ClientAddr = "198.51.100.7"
			_, err := db.AccessLog(ctx, q)
			if apperr.Code(err) != apperr.NotFound {
				t.Fatalf("%+v: %v", q, err)
			}
			msgs = append(msgs, err.Error())
		}
		for _, m := range msgs[1:] {
			if m != msgs[0] {
				t.Errorf("different not-found answers: %q vs %q", m, msgs[0])
			}
		}
		// The family sees the attempts with a wrong postcode, denied.
		l, err := db.AccessLog(ctx, referral.AccessLogQuery{Code: a.ReceiptCode, Postcode: "2235", ClientAddr: "192.0.2.9"})
		if err != nil {
			t.Fatal(err)
		}
		denied := 0
		for _, e := range l.Events {
			if e.Action == "access_log.view" && e.Outcome == audit.Denied {
				denied++
			}
		}
		if denied != 2 {
			t.Errorf("denied look-ups shown = %d, want 2", denied)
		}
		// An unknown code's attempt is audited without a receipt code.
		evs, err := db.AuditEvents(ctx, audit.Filter{Action: "access_log.view", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 6 {
			t.Errorf("%d access_log.view events, want 6", len(evs))
		}
		for _, e := range evs {
			if e.ReceiptCode == "KR-AAAA-BBBB-CCCC" {
				t.Errorf("an unknown code was recorded as a receipt code")
			}
		}
	})
}

func TestAccessLogThrottledPerCodeAndPerAddress(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		world(t, db)
		activeAgreement(t, db, "team-noord", "13016")
		a := sentFamily(t, db, "Fictieve Ouder A", "2235")
		// Successful look-ups are taken back: a family is never refused.
		for i := 0; i < 15; i++ {
			if _, err := db.AccessLog(ctx, referral.AccessLogQuery{Code: a.ReceiptCode, Postcode: "2235", ClientAddr: "192.0.2.1"}); err != nil {
				t.Fatalf("look-up %d: %v", i, err)
			}
		}
		// Wrong postcodes from many addresses: the code is locked.
		var err error
		for i := 0; i < 11; i++ {
			_, err = db.AccessLog(ctx, referral.AccessLogQuery{Code: a.ReceiptCode, Postcode: "9999", ClientAddr: "203.0.113." + string(rune('1'+i%9))})
		}
		if apperr.Code(err) != apperr.Throttled {
			t.Fatalf("11th wrong postcode: %v", err)
		}
		if e, _ := apperr.As(err); e.Args["RetryAfter"] == nil {
			t.Errorf("no RetryAfter in %+v", e)
		}
		// Even the right postcode, now.
		if _, err := db.AccessLog(ctx, referral.AccessLogQuery{Code: a.ReceiptCode, Postcode: "2235", ClientAddr: "192.0.2.1"}); apperr.Code(err) != apperr.Throttled {
			t.Fatalf("locked code: %v", err)
		}
		// Many codes from one address: the address is locked.
		for i := 0; i < 31; i++ {
			_, err = db.AccessLog(ctx, referral.AccessLogQuery{Code: "KR-ZZZZ-ZZZZ-" + string(rune('A'+i%26)) + string(rune('A'+i/26)), Postcode: "2235", ClientAddr: "2001:db8::1"})
		}
		if apperr.Code(err) != apperr.Throttled {
			t.Fatalf("31st code from one address: %v", err)
		}
		// Another address in the same /64 is the same client.
		if _, err := db.AccessLog(ctx, referral.AccessLogQuery{Code: "KR-YYYY", Postcode: "2235", ClientAddr: "2001:db8::2"}); apperr.Code(err) != apperr.Throttled {
			t.Fatalf("same /64: %v", err)
		}
		throttled, err := db.AuditEvents(ctx, audit.Filter{Action: "access_log.view", Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range throttled {
			found = found || (e.Outcome == audit.Denied && strings.Contains(e.Detail, "throttled"))
		}
		if !found {
			t.Errorf("no throttled event recorded")
		}
	})
}

func TestAccessLogAfterDeletion(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		world(t, db)
		activeAgreement(t, db, "team-noord", "13016")
		a := sentFamily(t, db, "Fictieve Ouder A", "2235")
		open, err := db.AccessLog(ctx, referral.AccessLogQuery{Code: a.ReceiptCode, Postcode: "2235"})
		if err != nil || open.DeletionDue != nil || open.Status.DataDeletedAt != nil {
			t.Fatalf("open referral: due %v, deleted %v, %v", open.DeletionDue, open.Status.DataDeletedAt, err)
		}
		if _, err := db.Withdraw(ctx, teamWorker, a.ID); err != nil {
			t.Fatal(err)
		}
		// The parents' postcodes are gone: a postcode of the municipality
		// (Hulshout, 2235) still opens the view; another does not.
		l, err := db.AccessLog(ctx, referral.AccessLogQuery{Code: a.ReceiptCode, Postcode: "2235"})
		if err != nil {
			t.Fatal(err)
		}
		if l.Status.DataDeletedAt == nil || l.DeletionDue == nil || l.Status.Status != referral.Withdrawn {
			t.Fatalf("after withdrawal: %+v", l)
		}
		if _, err := db.AccessLog(ctx, referral.AccessLogQuery{Code: a.ReceiptCode, Postcode: "1000"}); apperr.Code(err) != apperr.NotFound {
			t.Fatalf("another municipality's postcode: %v", err)
		}
	})
}
