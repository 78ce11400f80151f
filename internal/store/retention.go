package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/audit"
	"kansrijk/internal/referral"
)

// Retention: the parents' contact data (and Kind en Gezin's assessment)
// of a referral are deleted
//   - when it was closed or withdrawn longer ago than the retention period
//     of its agreement (current version; agreement.DefaultRetentionDays
//     without one), and
//   - when it is a draft that was never sent, DraftRetentionDays after it
//     was created (it becomes cancelled).
//
// The referral row stays, without anything that identifies the family,
// for the statistics (status, outcome, rights, agreement, dates). A social
// file opened at the OCMW does not stop the deletion in Kansrijk: the OCMW
// keeps its own file under its own legal task.

// DraftRetentionDays is how long an unsent draft keeps its contact data.
const DraftRetentionDays = 30

// Reasons of a retention deletion.
const (
	ReasonClosed      = "closed"       // closed longer than the retention period
	ReasonWithdrawn   = "withdrawn"    // withdrawn longer than the retention period
	ReasonUnsentDraft = "unsent_draft" // a draft never sent, older than DraftRetentionDays
)

const (
	auditRetentionDelete = "referral.retention_delete"
	purposeRetention     = audit.PurposeRetention
)

// Purge is one referral whose contact data are (or would be) deleted. It
// holds no personal data.
type Purge struct {
	ReferralID    int64           `json:"referral_id"`
	Status        referral.Status `json:"status"` // before the deletion
	Reason        string          `json:"reason"`
	RetentionDays int             `json:"retention_days"`
	Since         time.Time       `json:"since"` // closed, withdrawn or created at
	Due           time.Time       `json:"due"`   // Since + RetentionDays
	AgreementID   int64           `json:"agreement_id,omitempty"`
}

// PurgeReferrals deletes the contact data of every referral whose
// retention ended at now, one transaction per referral, each with its
// audit record (action referral.retention_delete, purpose retention, the
// agreement), and returns what it deleted. With dryRun it only lists what
// it would delete and changes nothing. Referrals whose data are gone
// already are skipped, and so is a referral that changed meanwhile.
func (db *DB) PurgeReferrals(ctx context.Context, now time.Time, dryRun bool) ([]Purge, error) {
	due, err := db.dueForPurge(ctx, now)
	if err != nil || dryRun {
		return due, err
	}
	actor := account.ProgramFor(ctx, account.SourceJob, "retention")
	var done []Purge
	for _, p := range due {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		deleted := false
		err := db.inTx(ctx, func(tx *Tx) error {
			set := ""
			if p.Reason == ReasonUnsentDraft {
				set = "status = 'cancelled', "
			}
			res, err := tx.ExecContext(ctx, `UPDATE referrals SET `+set+`updated_at = $1, version = version + 1
				WHERE id = $2 AND status = $3 AND data_deleted_at IS NULL`, ts(tx.now), p.ReferralID, string(p.Status))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return nil // changed meanwhile (sent, withdrawn, deleted by another instance)
			}
			if err := deleteContactData(ctx, tx, p.ReferralID); err != nil {
				return err
			}
			ev := audit.For(actor, auditRetentionDelete, "referral", strconv.FormatInt(p.ReferralID, 10))
			ev.Purpose, ev.AgreementID = purposeRetention, p.AgreementID
			ev.Detail = fmt.Sprintf("reason=%s status=%s retention_days=%d due=%s; contact data deleted", p.Reason, p.Status,
				p.RetentionDays, p.Due.Format(time.RFC3339))
			if p.Reason == ReasonUnsentDraft {
				ev.Detail += "; draft cancelled"
			}
			deleted = true
			return tx.Audit(ctx, ev)
		})
		if err != nil {
			return done, fmt.Errorf("retention of referral %d: %w", p.ReferralID, err)
		}
		if deleted {
			done = append(done, p)
		}
	}
	return done, nil
}

// dueForPurge lists the referrals whose retention ended at now, by id.
func (db *DB) dueForPurge(ctx context.Context, now time.Time) ([]Purge, error) {
	now = now.UTC()
	// Prefilter in SQL (the shortest retention period is one day), decide in Go.
	draftCut := now.AddDate(0, 0, -DraftRetentionDays)
	endCut := now.AddDate(0, 0, -1)
	rows, err := db.read.QueryContext(ctx, `SELECT id, status, COALESCE(agreement_id,0), created_at, closed_at, withdrawn_at FROM referrals
		WHERE data_deleted_at IS NULL AND (
			(status = 'draft' AND created_at <= $1) OR (status = 'closed' AND closed_at <= $2) OR (status = 'withdrawn' AND withdrawn_at <= $2))
		ORDER BY id`, ts(draftCut), ts(endCut))
	if err != nil {
		return nil, err
	}
	type cand struct {
		id, agreement int64
		status        referral.Status
		since         time.Time
	}
	var cands []cand
	for rows.Next() {
		var c cand
		var status string
		var created, closed, withdrawn timeCol
		if err := rows.Scan(&c.id, &status, &c.agreement, &created, &closed, &withdrawn); err != nil {
			rows.Close()
			return nil, err
		}
		c.status = referral.Status(status)
		switch c.status {
		case referral.Draft:
			c.since = created.T
		case referral.Closed:
			c.since = closed.T
		case referral.Withdrawn:
			c.since = withdrawn.T
		}
		cands = append(cands, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	retention := map[int64]int{}
	var out []Purge
	for _, c := range cands {
		p := Purge{ReferralID: c.id, Status: c.status, Since: c.since, AgreementID: c.agreement}
		if c.status == referral.Draft {
			p.Reason, p.RetentionDays = ReasonUnsentDraft, DraftRetentionDays
		} else {
			p.Reason = ReasonClosed
			if c.status == referral.Withdrawn {
				p.Reason = ReasonWithdrawn
			}
			days, ok := retention[c.agreement]
			if !ok {
				days = agreement.DefaultRetentionDays
				if c.agreement != 0 {
					v, err := currentVersion(ctx, db.read, c.agreement)
					if err != nil && !errors.Is(err, sql.ErrNoRows) {
						return nil, err
					}
					if err == nil && v.RetentionDays > 0 {
						days = v.RetentionDays
					}
				}
				retention[c.agreement] = days
			}
			p.RetentionDays = days
		}
		p.Due = p.Since.AddDate(0, 0, p.RetentionDays)
		if !now.Before(p.Due) {
			out = append(out, p)
		}
	}
	return out, nil
}

// BrusselsDay returns the calendar day of t in Brussels, as UTC midnight:
// the day of a daily job.
func BrusselsDay(t time.Time) time.Time { return today(t) }

// staleJobAfter: a daily job started longer ago and never finished (its
// instance died) may be taken over by another instance.
const staleJobAfter = 3 * time.Hour

// ClaimDailyJob claims the run of job on day (a calendar day; its UTC
// date counts) for this instance. Exactly one caller wins, across
// instances: the one whose insert into job_runs succeeds (primary key
// (job, day)). A run that started more than three hours ago and never
// finished may be taken over, by one caller again.
func (db *DB) ClaimDailyJob(ctx context.Context, job string, dayOf time.Time) (bool, error) {
	won := false
	err := db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO job_runs (job, day, started_at) VALUES ($1,$2,$3) ON CONFLICT (job, day) DO NOTHING`,
			job, day(dayOf), ts(tx.now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			won = true
			return nil
		}
		res, err = tx.ExecContext(ctx, `UPDATE job_runs SET started_at = $1, result = 'taken over from a run that did not finish'
			WHERE job = $2 AND day = $3 AND finished_at IS NULL AND started_at < $4`, ts(tx.now), job, day(dayOf), ts(tx.now.Add(-staleJobAfter)))
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		won = n == 1
		return nil
	})
	return won, err
}

// FinishDailyJob records that the claimed run of job on day finished, with
// a short summary (no personal data).
func (db *DB) FinishDailyJob(ctx context.Context, job string, dayOf time.Time, result string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE job_runs SET finished_at = $1, result = $2 WHERE job = $3 AND day = $4`,
			ts(tx.now), truncate(result, 1000), job, day(dayOf))
		return err
	})
}

// ReleaseDailyJob gives up a claimed run that failed, so that the next
// check (of any instance) runs it again.
func (db *DB) ReleaseDailyJob(ctx context.Context, job string, dayOf time.Time) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM job_runs WHERE job = $1 AND day = $2 AND finished_at IS NULL`, job, day(dayOf))
		return err
	})
}

// JobRun is one recorded run of a daily job.
type JobRun struct {
	Job        string
	Day        string
	StartedAt  time.Time
	FinishedAt *time.Time
	Result     string
}

// JobRuns lists the runs of a job, newest day first.
func (db *DB) JobRuns(ctx context.Context, job string) ([]JobRun, error) {
	out, err := queryList(ctx, db.read, func(row rowScanner) (JobRun, error) {
		var r JobRun
		var d, started, finished timeCol
		err := row.Scan(&r.Job, &d, &started, &finished, &r.Result)
		r.Day, r.StartedAt, r.FinishedAt = day(d.T), started.T, finished.Ptr()
		return r, err
	}, `SELECT job, day, started_at, finished_at, result FROM job_runs WHERE job = $1 ORDER BY day DESC`, job)
	return nilIfEmpty(out), err
}
