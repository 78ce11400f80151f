package jobs

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/birth"
	"kansrijk/internal/store"
)

// Births is the name of the daily birth-notification job in job_runs: it
// escalates the notifications nobody picked up in time (a flag and a
// notice without personal data to the team lead, or to Opgroeien for its
// queue), then deletes the parents' data whose retention ended. Each step
// is audited per notification by the store.
const Births = "births"

// Environment variables of the birth-notification policy.
const (
	EnvBirthEscalateDays    = "KANSRIJK_BIRTH_ESCALATE_DAYS"    // default 14
	EnvBirthRetentionMonths = "KANSRIJK_BIRTH_RETENTION_MONTHS" // default 6
)

// BirthPolicyFromEnv reads the escalation and retention periods of birth
// notifications; unset means the default (birth.Policy.WithDefaults).
func BirthPolicyFromEnv(getenv func(string) string) (birth.Policy, error) {
	var p birth.Policy
	for name, into := range map[string]*int{EnvBirthEscalateDays: &p.EscalateAfterDays, EnvBirthRetentionMonths: &p.RetentionMonths} {
		s := strings.TrimSpace(getenv(name))
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1200 {
			return p, fmt.Errorf("%s=%q: give a whole number from 1 to 1200", name, s)
		}
		*into = n
	}
	return p.WithDefaults(), nil
}

// RunBirthsDue runs the births job if no instance has run it today
// (Brussels time), with s.BirthPolicy. It reports whether this call ran
// it. A failed run is released, so that the next check runs it again.
func (s *Scheduler) RunBirthsDue(ctx context.Context) (bool, error) {
	now := s.DB.Now()
	day := store.BrusselsDay(now)
	won, err := s.DB.ClaimDailyJob(ctx, Births, day)
	if err != nil || !won {
		return false, err
	}
	started := time.Now()
	policy := s.BirthPolicy.WithDefaults()
	escalated, err := s.DB.EscalateBirthNotifications(ctx, now, policy, false)
	var purged []store.BirthPurge
	if err == nil {
		purged, err = s.DB.PurgeBirthNotifications(ctx, now, policy, false)
	}
	// The staged rows an interrupted import left behind (a crash during a
	// clinic's batch or `kansrijk import births`) hold mothers' data: they
	// go after a day.
	var stale int64
	if err == nil {
		stale, err = s.DB.PurgeStaleBirthImports(ctx)
	}
	if err != nil {
		if rerr := s.DB.ReleaseDailyJob(context.WithoutCancel(ctx), Births, day); rerr != nil {
			s.log().Error("release births job", "error", rerr)
		}
		return true, fmt.Errorf("births job after %d escalations and %d deletions: %w", len(escalated), len(purged), err)
	}
	counts := map[string]int{}
	for _, p := range purged {
		counts[p.Reason]++
	}
	result := fmt.Sprintf("escalated %d birth notifications (after %d days); deleted the parents' data of %d (after the first contact %d, after escalation %d; %d months); deleted %d staged rows of interrupted imports",
		len(escalated), policy.EscalateAfterDays, len(purged), counts[store.BirthReasonContacted], counts[store.BirthReasonEscalated], policy.RetentionMonths, stale)
	if err := s.DB.FinishDailyJob(context.WithoutCancel(ctx), Births, day, result); err != nil {
		return true, err
	}
	s.log().Info("births job finished", "day", day.Format(time.DateOnly), "escalated", len(escalated), "deleted", len(purged), "duration", time.Since(started))
	return true, nil
}
