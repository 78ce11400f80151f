package home

import "time"

// Backup is the state of the scheduled backups on the admin's start page
// (area backup): the latest run and the latest successful one.
type Backup struct {
	// Job is the run's name in job_runs (backup@HH:MM of its slot).
	Job        string
	StartedAt  time.Time
	FinishedAt *time.Time
	// Result is the run's summary: "OK: …", "FAILED: …", or "" while it
	// runs.
	Result string
	OK     bool
	// LastSuccess is when the latest successful backup finished; nil
	// before the first.
	LastSuccess *time.Time
}
