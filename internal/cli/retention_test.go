package cli_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
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

func TestRetentionCommand(t *testing.T) {
	dsn := sqliteDSN(t)
	id := oldDraft(t, dsn)
	due := store.BrusselsDay(time.Now().AddDate(0, 0, -10)).Format(time.DateOnly)

	dry := MustRun(t, "", "retention", "--dry-run", "--db", dsn)
	want := fmt.Sprintf(`REFERRAL  STATUS  REASON        RETENTION  DUE
%-8d  draft   unsent_draft  30 days    %s
total: 1 referral would have their contact data deleted (dry run: nothing changed)
`, id, due)
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
	if !strings.Contains(run.Stdout, "unsent_draft") || !strings.HasSuffix(run.Stdout, "total: 1 referral had their contact data deleted\n") {
		t.Errorf("retention printed\n%s", run.Stdout)
	}
	if after := MustRun(t, "", "retention", "--dry-run", "--db", dsn); after.Stdout != "total: 0 referrals would have their contact data deleted (dry run: nothing changed)\n" {
		t.Errorf("after the run, dry run printed\n%s", after.Stdout)
	}

	if r := runCLI(t, "", "retention", "--db", dsn, "extra"); r.Code != 2 || !strings.Contains(r.Stderr, "kansrijk retention [--dry-run]") {
		t.Errorf("stray argument: exit %d\n%s", r.Code, r.Stderr)
	}
}
