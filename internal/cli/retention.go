package cli

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"text/tabwriter"
	"time"

	"kansrijk/internal/jobs"
	"kansrijk/internal/notify"
	"kansrijk/internal/store"
)

// retention runs the retention job by hand: kansrijk retention
// [--dry-run] [--db DSN]. It prints one line per referral (id, status,
// reason, due date; no personal data) and a total.
func retention(ctx context.Context, args []string, env Env) error {
	fs := flags("retention", env)
	dsn := dbFlag(fs, env)
	dryRun := fs.Bool("dry-run", false, "list what would be deleted, change nothing")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	purged, err := db.PurgeReferrals(ctx, db.Now(), *dryRun)
	if len(purged) > 0 {
		tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "REFERRAL\tSTATUS\tREASON\tRETENTION\tDUE")
		for _, p := range purged {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d days\t%s\n", p.ReferralID, p.Status, p.Reason, p.RetentionDays,
				store.BrusselsDay(p.Due).Format(time.DateOnly))
		}
		tw.Flush()
	}
	if *dryRun {
		fmt.Fprintf(env.Stdout, "total: %d %s would have their contact data deleted (dry run: nothing changed)\n", len(purged), referrals(len(purged)))
	} else {
		fmt.Fprintf(env.Stdout, "total: %d %s had their contact data deleted\n", len(purged), referrals(len(purged)))
	}
	return err
}

func referrals(n int) string {
	if n == 1 {
		return "referral"
	}
	return "referrals"
}

// startBackground starts the outbox deliverer and the daily jobs for the
// server. stop cancels them and waits until they have finished; calling
// it again does nothing.
func startBackground(ctx context.Context, db *store.DB, env Env) (stop func(), err error) {
	cfg, err := notify.ConfigFromEnv(env.Getenv)
	if err != nil {
		return nil, err
	}
	birthPolicy, err := jobs.BirthPolicyFromEnv(env.Getenv) // births
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := notify.New(db, cfg).Run(ctx); err != nil {
			slog.Error("outbox deliverer stopped", "error", err)
		}
	}()
	go func() {
		defer wg.Done()
		if err := (&jobs.Scheduler{DB: db, BirthPolicy: birthPolicy}).Run(ctx); err != nil {
			slog.Error("daily jobs stopped", "error", err)
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { cancel(); wg.Wait() }) }, nil
}
