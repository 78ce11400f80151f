package jobs

import (
	"context"
	"time"

	"kansrijk/internal/store"
)

// Statistics is the name of the daily refresh of the query planner's
// statistics in job_runs.
const Statistics = "statistics"

// RunStatisticsDue refreshes the planner's statistics of every table
// (store.RefreshStatistics) if no instance has done so today (Brussels
// time): plans then never wait for autovacuum. Bulk imports refresh their
// own tables at once; this catches up on everything else.
func (s *Scheduler) RunStatisticsDue(ctx context.Context) (bool, error) {
	day := store.BrusselsDay(s.DB.Now())
	won, err := s.DB.ClaimDailyJob(ctx, Statistics, day)
	if err != nil || !won {
		return false, err
	}
	started := time.Now()
	if err := s.DB.RefreshStatistics(ctx); err != nil {
		if rerr := s.DB.ReleaseDailyJob(context.WithoutCancel(ctx), Statistics, day); rerr != nil {
			s.log().Error("release statistics job", "error", rerr)
		}
		return true, err
	}
	if err := s.DB.FinishDailyJob(context.WithoutCancel(ctx), Statistics, day, "statistics refreshed"); err != nil {
		return true, err
	}
	s.log().Info("statistics job finished", "day", day.Format(time.DateOnly), "duration", time.Since(started))
	return true, nil
}
