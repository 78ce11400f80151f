// Package jobs runs Kansrijk's daily jobs — the retention job, and the
// outreach reminders and weekly digests (outreach.go) — once per Brussels
// day across all instances: every instance checks at
// start and then hourly, and the one that claims the day in job_runs
// (store.ClaimDailyJob) runs the job; the others skip it.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"kansrijk/internal/birth"
	"kansrijk/internal/store"
)

// Retention is the name of the retention job in job_runs.
const Retention = "retention"

// Scheduler runs the daily jobs.
type Scheduler struct {
	DB       *store.DB
	Interval time.Duration // between checks; default 1 hour
	Log      *slog.Logger  // default slog.Default()
	// Outreach configures the outreach reminders and digests (outreach.go).
	Outreach OutreachConfig
	// births: escalation and retention periods of birth notifications
	// (zero fields: the defaults).
	BirthPolicy birth.Policy
}

// Run checks at once and then every Interval until ctx ends; it returns
// nil then.
func (s *Scheduler) Run(ctx context.Context) error {
	if s.Interval <= 0 {
		s.Interval = time.Hour
	}
	t := time.NewTicker(s.Interval)
	defer t.Stop()
	for {
		if _, err := s.RunDue(ctx); err != nil && ctx.Err() == nil {
			s.log().Error("daily job", "job", Retention, "error", err)
		}
		s.runOutreach(ctx) // outreach reminders and digests (outreach.go)
		// births: the birth-notification job (births.go).
		if _, err := s.RunBirthsDue(ctx); err != nil && ctx.Err() == nil {
			s.log().Error("daily job", "job", Births, "error", err)
		}
		// bench: the planner's statistics, daily (statistics.go).
		if _, err := s.RunStatisticsDue(ctx); err != nil && ctx.Err() == nil {
			s.log().Error("daily job", "job", Statistics, "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (s *Scheduler) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// RunDue runs the retention job if no instance has run it today (Brussels
// time). It reports whether this call ran it. A failed run is released,
// so that the next check runs it again.
func (s *Scheduler) RunDue(ctx context.Context) (bool, error) {
	now := s.DB.Now()
	day := store.BrusselsDay(now)
	won, err := s.DB.ClaimDailyJob(ctx, Retention, day)
	if err != nil || !won {
		return false, err
	}
	started := time.Now()
	purged, err := s.DB.PurgeReferrals(ctx, now, false)
	if err != nil {
		wctx := context.WithoutCancel(ctx)
		if rerr := s.DB.ReleaseDailyJob(wctx, Retention, day); rerr != nil {
			s.log().Error("release retention job", "error", rerr)
		}
		return true, fmt.Errorf("retention after %d deletions: %w", len(purged), err)
	}
	counts := map[string]int{}
	for _, p := range purged {
		counts[p.Reason]++
	}
	result := fmt.Sprintf("deleted contact data of %d referrals (closed %d, withdrawn %d, unsent drafts %d)",
		len(purged), counts[store.ReasonClosed], counts[store.ReasonWithdrawn], counts[store.ReasonUnsentDraft])
	if err := s.DB.FinishDailyJob(context.WithoutCancel(ctx), Retention, day, result); err != nil {
		return true, err
	}
	s.log().Info("retention job finished", "day", day.Format(time.DateOnly), "deleted", len(purged), "duration", time.Since(started))
	return true, nil
}
