package store

import (
	"context"
	"database/sql"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/home"
)

// BackupJobPrefix starts the name, in job_runs, of every scheduled
// backup's run: backup@HH:MM, the UTC start of its slot.
const BackupJobPrefix = "backup@"

// LastBackup returns the latest run of the scheduled backups and when the
// latest successful one finished; nil when none ran yet.
func (db *DB) LastBackup(ctx context.Context) (*home.Backup, error) {
	var b home.Backup
	var started, finished timeCol
	err := db.read.QueryRowContext(ctx, `SELECT job, started_at, finished_at, result FROM job_runs
		WHERE job LIKE $1 ORDER BY started_at DESC LIMIT 1`, BackupJobPrefix+"%").Scan(&b.Job, &started, &finished, &b.Result)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	b.StartedAt, b.FinishedAt = started.T, finished.Ptr()
	if b.FinishedAt == nil {
		b.Result = ""
	}
	b.OK = b.FinishedAt != nil && len(b.Result) >= 3 && b.Result[:3] == "OK:"
	last, err := db.LastBackupSuccess(ctx)
	if err != nil {
		return nil, err
	}
	if !last.IsZero() {
		b.LastSuccess = &last
	}
	return &b, nil
}

// LastBackupSuccess returns when the latest successful scheduled backup
// finished; the zero time before the first.
func (db *DB) LastBackupSuccess(ctx context.Context) (time.Time, error) {
	var at timeCol
	err := db.read.QueryRowContext(ctx, `SELECT finished_at FROM job_runs
		WHERE job LIKE $1 AND finished_at IS NOT NULL AND result LIKE 'OK:%' ORDER BY finished_at DESC LIMIT 1`, BackupJobPrefix+"%").Scan(&at)
	if err == sql.ErrNoRows {
		return time.Time{}, nil
	}
	return at.T, err
}

// BackupFailures counts the scheduled backups that failed.
func (db *DB) BackupFailures(ctx context.Context) (int64, error) {
	var n int64
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM job_runs WHERE job LIKE $1 AND result LIKE 'FAILED%'`, BackupJobPrefix+"%").Scan(&n)
	return n, err
}

// MailAdmins queues an e-mail to every active user with the admin role in
// the outbox, and returns to how many.
func (db *DB) MailAdmins(ctx context.Context, subject, body string) (int, error) {
	return db.mailRole(ctx, account.Admin, subject, body)
}
