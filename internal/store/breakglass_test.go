package store_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/breakglass"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

func TestBreakGlass(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		world(t, db)
		activeAgreement(t, db, "team-noord", "13016")
		users := storetest.TokenUsers(t, db, "glass.test",
			storetest.U{Name: "asker", Role: "admin", Org: "opgroeien"},
			storetest.U{Name: "approver", Role: "admin", Org: "opgroeien"})
		asker, approver := users.Actor(t, "asker"), users.Actor(t, "approver")
		r, other := sentReferral(t, db), sentReferral(t, db)
		reason := "De familie vraagt telefonisch om hulp; het OCMW is onbereikbaar."
		events := func(action string) []audit.Event {
			t.Helper()
			evs, err := db.AuditEvents(ctx, audit.Filter{Action: action, ObjectType: "referral", ObjectID: strconv.FormatInt(r.ID, 10)})
			if err != nil {
				t.Fatal(err)
			}
			return evs
		}

		if _, err := db.Referral(ctx, asker, r.ID); apperr.Code(err) != apperr.NotFound {
			t.Fatalf("an admin without a grant reads the referral: %v", err)
		}
		if _, err := db.RequestBreakGlass(ctx, teamWorker, r.ID, reason); apperr.Code(err) != apperr.Forbidden {
			t.Errorf("a team worker asks: %v", err)
		}
		if _, err := db.RequestBreakGlass(ctx, asker, r.ID, "  kort "); apperr.Code(err) != apperr.Invalid {
			t.Errorf("a request without a real reason: %v", err)
		}
		if _, err := db.RequestBreakGlass(ctx, asker, 999999, reason); apperr.Code(err) != apperr.NotFound {
			t.Errorf("a request for a missing referral: %v", err)
		}
		req, err := db.RequestBreakGlass(ctx, asker, r.ID, reason)
		if err != nil {
			t.Fatal(err)
		}
		if req.Status != breakglass.Open || req.RequestedBy != asker.UserID || req.Reason != reason || req.Requester != asker.Email {
			t.Fatalf("request = %+v", req)
		}
		if _, err := db.RequestBreakGlass(ctx, asker, r.ID, reason); apperr.Code(err) != apperr.Conflict {
			t.Errorf("a second open request: %v", err)
		}
		if ev := events(audit.BreakGlassRequest); len(ev) != 1 || ev[0].ReceiptCode != r.ReceiptCode || ev[0].ActorUserID != asker.UserID {
			t.Errorf("request events = %+v", ev)
		}

		t.Run("NoSelfApproval", func(t *testing.T) {
			if _, err := db.DecideBreakGlass(ctx, asker, req.ID, true, "", time.Hour); apperr.Code(err) != apperr.Forbidden {
				t.Fatalf("self-approval: %v", err)
			}
			ev := events(audit.BreakGlassApprove)
			if len(ev) != 1 || ev[0].Outcome != audit.Denied || ev[0].ActorUserID != asker.UserID {
				t.Fatalf("the refused self-approval is not audited as denied: %+v", ev)
			}
			if _, err := db.Referral(ctx, asker, r.ID); apperr.Code(err) != apperr.NotFound {
				t.Fatalf("read after a refused self-approval: %v", err)
			}
			if _, err := db.DecideBreakGlass(ctx, teamWorker, req.ID, true, "", time.Hour); apperr.Code(err) != apperr.Forbidden {
				t.Fatalf("a team worker approves: %v", err)
			}
		})

		ok, err := db.DecideBreakGlass(ctx, approver, req.ID, true, "Akkoord, 4 uur.", 4*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if ok.Status != breakglass.Approved || ok.DecidedBy != approver.UserID || ok.ExpiresAt == nil || !ok.Active(time.Now()) {
			t.Fatalf("approved = %+v", ok)
		}
		if d := ok.ExpiresAt.Sub(*ok.DecidedAt); d != 4*time.Hour {
			t.Errorf("grant lasts %s, want 4h", d)
		}
		if _, err := db.DecideBreakGlass(ctx, approver, req.ID, false, "", time.Hour); apperr.Code(err) != apperr.Conflict {
			t.Errorf("deciding twice: %v", err)
		}
		if ev := events(audit.BreakGlassApprove); len(ev) != 2 || ev[0].Outcome != audit.OK || ev[0].ReceiptCode != r.ReceiptCode || ev[0].ActorUserID != approver.UserID {
			t.Errorf("approve events = %+v", ev)
		}

		t.Run("ReadWithGrant", func(t *testing.T) {
			got, err := db.Referral(ctx, asker, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Parents) != 1 || got.Parents[0].Name != "Fictieve Ouder" || len(got.Criteria) != 0 {
				t.Fatalf("break-glass read = %+v", got)
			}
			ev := events(audit.ReferralReadBreakGlass)
			if len(ev) != 1 || ev[0].ReceiptCode != r.ReceiptCode || ev[0].ActorUserID != asker.UserID || ev[0].Purpose != "break_glass" {
				t.Fatalf("break-glass read events = %+v", ev)
			}
			for _, e := range events("referral.read") {
				if e.ActorUserID == asker.UserID {
					t.Errorf("the break-glass read is also a plain read: %+v", e)
				}
			}
			// Nothing else opens: another referral, the approver, a write.
			if _, err := db.Referral(ctx, asker, other.ID); apperr.Code(err) != apperr.NotFound {
				t.Errorf("another referral: %v", err)
			}
			if _, err := db.Referral(ctx, approver, r.ID); apperr.Code(err) != apperr.NotFound {
				t.Errorf("the approver reads: %v", err)
			}
			if _, err := db.Withdraw(ctx, asker, r.ID); err == nil {
				t.Errorf("the grant lets the admin withdraw the referral")
			}
		})

		t.Run("Expired", func(t *testing.T) {
			now := db.Now
			db.Now = func() time.Time { return now().Add(4*time.Hour + time.Minute) }
			defer func() { db.Now = now }()
			if _, err := db.Referral(ctx, asker, r.ID); apperr.Code(err) != apperr.NotFound {
				t.Fatalf("read after the grant expired: %v", err)
			}
			// An expired grant does not block a new request.
			if _, err := db.RequestBreakGlass(ctx, asker, r.ID, reason); err != nil {
				t.Fatalf("new request after expiry: %v", err)
			}
		})

		t.Run("Denied", func(t *testing.T) {
			q, err := db.RequestBreakGlass(ctx, asker, other.ID, reason)
			if err != nil {
				t.Fatal(err)
			}
			d, err := db.DecideBreakGlass(ctx, approver, q.ID, false, "Geen noodzaak.", time.Hour)
			if err != nil || d.Status != breakglass.Denied || d.ExpiresAt != nil {
				t.Fatalf("denied = %+v, %v", d, err)
			}
			if _, err := db.Referral(ctx, asker, other.ID); apperr.Code(err) != apperr.NotFound {
				t.Errorf("read after a denial: %v", err)
			}
			evs, _ := db.AuditEvents(ctx, audit.Filter{Action: audit.BreakGlassDeny})
			if len(evs) != 1 || evs[0].ReceiptCode != other.ReceiptCode {
				t.Errorf("deny events = %+v", evs)
			}
			list, err := db.BreakGlassRequests(ctx, approver)
			if err != nil || len(list) != 3 || list[0].Status != breakglass.Open {
				t.Errorf("requests = %+v, %v", list, err)
			}
			if _, err := db.BreakGlassRequests(ctx, dpoAgency); apperr.Code(err) != apperr.Forbidden {
				t.Errorf("the DPO lists break-glass requests: %v", err)
			}
		})
	})
}
