package webtest

import (
	"context"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/org"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
)

// The fixtures below load what most browser tests start from, through the
// store's own functions as the system: a local team, an agreement in force
// with an OCMW, a referral sent with the family's consent. Each fails the
// test on an error.

// teamsFrom is the day the fixtures' teams cover their area from.
var teamsFrom = time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)

// Team creates the local team key, named name, covering the
// municipalities (NIS codes) from 1 January 2022.
func Team(t testing.TB, db *store.DB, key, name string, nis ...string) org.Team {
	t.Helper()
	tm, err := db.CreateTeam(context.Background(), account.System("test"), org.NewTeam{Key: key, Name: name, Municipalities: nis, From: teamsFrom})
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// Steps are the days (YYYY-MM-DD) of an agreement's four steps: drafted,
// approved by the OCMW's council, signed by its three signatories, in
// force.
type Steps struct{ Draft, Approved, Signed, Active string }

// ActiveAgreement creates the agreement between team and the OCMW of the
// municipality nis and takes it through the steps, each on its day: the
// council's decision (RMW/<year>/17) on the day of approval, the three
// signatures on the day of signing.
func ActiveAgreement(t testing.TB, db *store.DB, team, nis string, on Steps) agreement.Agreement {
	t.Helper()
	ctx := context.Background()
	sys := account.System("test")
	ag, err := db.CreateAgreement(ctx, sys, agreement.NewAgreement{Team: team, MunicipalityNIS: nis, Status: "draft", EffectiveOn: on.Draft})
	if err != nil {
		t.Fatal(err)
	}
	year, _, _ := strings.Cut(on.Approved, "-")
	sigs := []agreement.Signature{{Function: "administrator_general", Name: "A. Generaal", SignedOn: on.Signed},
		{Function: "council_chair", Name: "V. Oorzitter", SignedOn: on.Signed}, {Function: "general_director", Name: "D. Irecteur", SignedOn: on.Signed}}
	for _, ev := range []agreement.NewEvent{
		{Status: string(agreement.Approved), EffectiveOn: on.Approved, CouncilReference: "RMW/" + year + "/17", CouncilDecisionOn: on.Approved},
		{Status: string(agreement.Signed), EffectiveOn: on.Signed, Signatures: sigs},
		{Status: string(agreement.Active), EffectiveOn: on.Active},
	} {
		if _, err := db.AddEvent(ctx, sys, ag.ID, ev); err != nil {
			t.Fatalf("agreement step %s: %v", ev.Status, err)
		}
	}
	return ag
}

// Informed is everything a family must be told before it consents.
var Informed = []string{"data", "recipient", "purpose", "processing", "expectations"}

// Consented creates the referral as the team worker and records the first
// parent's verbal consent, having told it everything (Informed). The
// referral stays a draft.
func Consented(t testing.TB, db *store.DB, worker account.Actor, in referral.NewReferral) referral.Referral {
	t.Helper()
	ctx := context.Background()
	r, err := db.CreateReferral(ctx, worker, in)
	if err != nil {
		t.Fatal(err)
	}
	r, err = db.AddConsent(ctx, worker, r.ID, referral.NewConsent{Parent: 0, Informed: Informed, Method: "verbal"})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Sent is Consented, then sends the referral to the OCMW.
func Sent(t testing.TB, db *store.DB, worker account.Actor, in referral.NewReferral) referral.Referral {
	t.Helper()
	r := Consented(t, db, worker, in)
	r, err := db.Send(context.Background(), worker, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
