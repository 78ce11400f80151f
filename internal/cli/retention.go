package cli

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"text/tabwriter"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/jobs"
	"kansrijk/internal/notify"
	"kansrijk/internal/store"
)

// retention runs the retention of personal data by hand: kansrijk
// retention [--dry-run] [--db DSN]. It prints one line per referral (id,
// status, reason, due date; no personal data) and a total, then the same
// for birth notifications (with the periods of KANSRIJK_BIRTH_*).
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
	// What it deletes is recorded as the command's work, not the job's.
	ctx = account.WithSource(ctx, account.SourceCLI, "retention")
	policy, err := jobs.BirthPolicyFromEnv(env.Getenv)
	if err != nil {
		return err
	}
	if err := retainReferrals(ctx, db, env, *dryRun); err != nil {
		return err
	}
	births, err := db.PurgeBirthNotifications(ctx, db.Now(), policy, *dryRun)
	if len(births) > 0 {
		tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "BIRTH NOTIFICATION\tREASON\tSINCE\tDUE")
		for _, p := range births {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", p.ID, p.Reason, store.BrusselsDay(p.Since).Format(time.DateOnly), store.BrusselsDay(p.Due).Format(time.DateOnly))
		}
		tw.Flush()
	}
	noun := "birth notifications"
	if len(births) == 1 {
		noun = "birth notification"
	}
	if *dryRun {
		fmt.Fprintf(env.Stdout, "total: %d %s would have their personal data deleted (dry run: nothing changed)\n", len(births), noun)
	} else {
		fmt.Fprintf(env.Stdout, "total: %d %s had their personal data deleted\n", len(births), noun)
	}
	return err
}

// retainReferrals deletes (or with dryRun lists) the referrals' contact
// data past retention.
func retainReferrals(ctx context.Context, db *store.DB, env Env, dryRun bool) error {
	purged, err := db.PurgeReferrals(ctx, db.Now(), dryRun)
	if len(purged) > 0 {
		tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "REFERRAL\tSTATUS\tREASON\tRETENTION\tDUE")
		for _, p := range purged {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d days\t%s\n", p.ReferralID, p.Status, p.Reason, p.RetentionDays,
				store.BrusselsDay(p.Due).Format(time.DateOnly))
		}
		tw.Flush()
	}
	if dryRun {
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
	// Area mailing: the outreach reminders and digests.
	noContact, err := jobs.NoContactDaysFromEnv(env.Getenv)
	if err != nil {
		return nil, err
	}
	outreachJobs := jobs.OutreachConfig{NoContactDays: noContact, BaseURL: cfg.BaseURL}
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
		if err := (&jobs.Scheduler{DB: db, Outreach: outreachJobs, BirthPolicy: birthPolicy}).Run(ctx); err != nil {
			slog.Error("daily jobs stopped", "error", err)
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { cancel(); wg.Wait() }) }, nil
}
