package store

import "context"

// OpenUnauditedBenchmarkBaseline opens the database of dsn (already
// migrated) as a handle whose reads of personal data write no audit
// event: the same queries, scans and pages as a handle of Open, without
// the event. It exists for one purpose, the baseline of the harness's
// audit_overhead figure (issue 14: "audited ÷ unaudited throughput of the
// same read"), and must never serve a request.
//
// Why a separate handle and not a flag: every production path opens its
// database with Open or OpenNoMigrate, which have no way to switch the
// audit off; the switch is an unexported field that only this function
// sets, so no configuration, flag or environment variable of serve (or
// of any other command) can reach it. TestUnauditedBaselineOnlyInBench
// checks that no package but the harness calls this function, and
// TestOpenAlwaysAudits that a handle of Open writes the event of every
// read, also while an unaudited handle is open on the same database.
//
// Writes through this handle still write their events in their own
// transactions; only the events of reads (recordReads, and on PostgreSQL
// the event written by the inbox page's own statement) are dropped.
func OpenUnauditedBenchmarkBaseline(ctx context.Context, dsn string) (*DB, error) {
	db, err := OpenNoMigrate(ctx, dsn)
	if err != nil {
		return nil, err
	}
	db.unauditedBaseline = true
	return db, nil
}
