package cli_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/birth"
	"kansrijk/internal/org"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
)

// oldDraft creates, in the database at dsn, a draft made 40 days ago.
func oldDraft(t *testing.T, dsn string) int64 {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	created := time.Now().AddDate(0, 0, -40)
	db.Now = func() time.Time { return created }
	if _, err := db.CreateTeam(ctx, account.System("test"), org.NewTeam{Key: "team-noord", Name: "Lokaal team Noord",
		Municipalities: []string{"13016"}, From: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	worker := account.Actor{UserID: 1, Role: account.TeamWorker, Org: "team-noord", OrgKind: account.KindTeam}
	r, err := db.CreateReferral(ctx, worker, referral.NewReferral{MunicipalityNIS: "13016", Parents: []referral.Parent{{
		Name: "Fictieve Ouder", Street: "Teststraat", Number: "1", Postcode: "2235", Phone: "+32 470 00 00 00"}}})
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

// oldBirth creates, in the database at dsn, a birth notification that came
// in eight months ago and was escalated without contact 14 days later: its
// personal data are due for deletion (6 months after the escalation).
func oldBirth(t *testing.T, dsn string) int64 {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	in := time.Now().AddDate(0, -8, 0)
	db.Now = func() time.Time { return in }
	if _, err := db.CreateClinic(ctx, account.System("test"), org.NewClinic{Key: "clinic-zonnedal", Name: "Kraamkliniek Zonnedal"}); err != nil {
		t.Fatal(err)
	}
	clinic := account.Actor{UserID: 2, Email: "balie@zonnedal.test", Role: account.Clinic, Org: "clinic-zonnedal", OrgKind: account.KindClinic}
	n, err := db.CreateBirthNotification(ctx, clinic, birth.NewNotification{ChildBirthDate: in.AddDate(0, 0, -2).Format(time.DateOnly),
		Mother: birth.Parent{Name: "Fictieve Moeder", Street: "Teststraat", Number: "2", Postcode: "2235", MunicipalityNIS: "13016",
			Phone: "+32 470 00 00 01", Language: "nl"}})
	if err != nil {
		t.Fatal(err)
	}
	later := in.AddDate(0, 0, 15)
	db.Now = func() time.Time { return later }
	if esc, err := db.EscalateBirthNotifications(ctx, later, birth.Policy{}, false); err != nil || len(esc) != 1 {
		t.Fatalf("escalate: %v %v", esc, err)
	}
	return n.ID
}

func TestRetentionCommand(t *testing.T) {
	dsn := sqliteDSN(t)
	id := oldDraft(t, dsn)
	due := store.BrusselsDay(time.Now().AddDate(0, 0, -10)).Format(time.DateOnly)
	bid := oldBirth(t, dsn)
	escalated := store.BrusselsDay(time.Now().AddDate(0, -8, 15))

	dry := MustRun(t, "", "retention", "--dry-run", "--db", dsn)
	want := fmt.Sprintf(`REFERRAL  STATUS  REASON        RETENTION  DUE
%-8d  draft   unsent_draft  30 days    %s
total: 1 referral would have their contact data deleted (dry run: nothing changed)
BIRTH NOTIFICATION  REASON            SINCE       DUE
%-18d  after_escalation  %s  %s
`, id, due, bid, escalated.Format(time.DateOnly), escalated.AddDate(0, 6, 0).Format(time.DateOnly))
	want += "total: 1 birth notification would have their personal data deleted (dry run: nothing changed)\n"
	if dry.Stdout != want {
		t.Errorf("retention --dry-run printed\n%s\nwant\n%s", dry.Stdout, want)
	}
	for _, f := range []string{"Fictieve", "Teststraat", "470"} {
		if strings.Contains(dry.Stdout, f) {
			t.Errorf("output shows personal data %q", f)
		}
	}
	// The dry run changed nothing: the same list again.
	if again := MustRun(t, "", "retention", "--dry-run", "--db", dsn); again.Stdout != dry.Stdout {
		t.Errorf("second dry run differs:\n%s", again.Stdout)
	}

	run := MustRun(t, "", "retention", "--db", dsn)
	if !strings.Contains(run.Stdout, "unsent_draft") || !strings.Contains(run.Stdout, "total: 1 referral had their contact data deleted\n") ||
		!strings.HasSuffix(run.Stdout, "total: 1 birth notification had their personal data deleted\n") {
		t.Errorf("retention printed\n%s", run.Stdout)
	}
	if after := MustRun(t, "", "retention", "--dry-run", "--db", dsn); after.Stdout != "total: 0 referrals would have their contact data deleted (dry run: nothing changed)\n"+
		"total: 0 birth notifications would have their personal data deleted (dry run: nothing changed)\n" {
		t.Errorf("after the run, dry run printed\n%s", after.Stdout)
	}

	if r := runCLI(t, "", "retention", "--db", dsn, "extra"); r.Code != 2 || !strings.Contains(r.Stderr, "kansrijk retention [--dry-run]") {
		t.Errorf("stray argument: exit %d\n%s", r.Code, r.Stderr)
	}
}
