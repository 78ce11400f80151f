package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/birth"
	"kansrijk/internal/org"
	"kansrijk/internal/outcome"
	"kansrijk/internal/referral"
)

var _ outcome.Store = (*DB)(nil)

// outcomeScope is the condition that limits the cells to what an actor may see.
type outcomeScope struct {
	team, ocmw string // "" no limit
	births     bool   // whether birth notifications count for the actor
	sentOnly   bool   // only referrals that were sent
}

func outcomeScopeOf(a account.Actor) (outcomeScope, error) {
	switch a.Role {
	case account.Admin, account.Analyst:
		return outcomeScope{births: true}, nil
	case account.TeamLead, account.TeamWorker:
		return outcomeScope{team: a.Org, births: true}, nil
	case account.OCMWWorker, account.OCMWAdmin:
		// An OCMW sees the referrals sent to it: a draft, a refused consent or a send refused
		// for want of an agreement never reached it and stays the team's. Birth notifications
		// are Kind en Gezin's and not its business, even counted.
		return outcomeScope{ocmw: a.Org, sentOnly: true}, nil
	}
	return outcomeScope{}, apperr.New(apperr.Forbidden, "only Opgroeien, analysts, local teams and OCMWs see referral outcomes").
		WithKey("error.forbidden", nil)
}

// OutcomeCells reads the outcome cells of a period for an actor (see outcome.Store): Opgroeien's
// admins and analysts everything; a team lead or worker the referrals and births of its own
// team; an OCMW worker or admin the referrals sent to its OCMW (no drafts, no births). Others
// get forbidden.
//
// It reads no personal data (no parent, no assessment, only statuses, dates, codes and keys), so
// it writes no audit event: the counts it returns are aggregates.
//
// A referral counts in the month (Brussels time) it was drafted, with:
//   - consent refused: cancelled because every parent refused (a refused consent, no withdrawal);
//   - not sent for lack of an agreement: sending was refused for want of an agreement in force
//     (the audited referral.send_refused) and the referral was never sent afterwards;
//   - received, contact attempted, reached: the OCMW opened it (or recorded an attempt or an
//     outcome, so that reached ≤ received), recorded an attempt, reached the family in one of them; not reachable: closed with outcome not_reachable;
//   - outcomes: the outcome code of a closed referral, or "withdrawn" for one withdrawn after
//     sending before any outcome; rights: each right of a rights_opened outcome;
//   - withdrawn: the family withdrew, before or after sending; deleted: its contact data are gone;
//   - days to first contact: from the day it was sent to the day of the earliest attempt;
//     within / past target: that number against the first_contact_days of the agreement
//     version it was sent under; days to outcome: from the day it was sent to the day it closed.
//
// A birth notification (merged duplicates left out) counts in the month it reached Kind en
// Gezin, under its team ("" when it waits in Opgroeien's queue) and the OCMW of its
// municipality; contacted within 14 days: a first contact no later than birth.ContactTargetDays
// after the day it came in.
func (db *DB) OutcomeCells(ctx context.Context, a account.Actor, q outcome.Query) (cells []outcome.Cell, err error) {
	defer apperr.Wrap(&err, "store.OutcomeCells")
	scope, err := outcomeScopeOf(a)
	if err != nil {
		return nil, err
	}
	if q.From.IsZero() || q.To.IsZero() {
		cells, err = db.countOutcomeCells(ctx, scope, q)
	} else {
		cells, err = db.outcomeCellsKept(ctx, scope, q)
	}
	if err != nil {
		return nil, err
	}
	if cells == nil {
		cells = []outcome.Cell{}
	}
	outcome.SortCells(cells)
	return cells, nil
}

// countOutcomeCells counts the cells of a period in the database, unsorted.
func (db *DB) countOutcomeCells(ctx context.Context, scope outcomeScope, q outcome.Query) ([]outcome.Cell, error) {
	// The period is read in parts of whole months side by side, one read connection each
	// (issue 14: a year at a million referrals is a third of a million rows of each kind
	// turned into cells): a cell is one month's, so the parts' cells never overlap.
	parts := outcomeParts(q, min(runtime.GOMAXPROCS(0), outcomeMaxParts))
	found := make([][]outcome.Cell, len(parts))
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for i, part := range parts {
		wg.Go(func() { found[i], errs[i] = db.outcomeCellsOf(ctx, scope, part) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var cells []outcome.Cell
	for _, f := range found {
		cells = append(cells, f...)
	}
	return cells, nil
}

// outcomeMaxParts bounds the parts of a period read side by side.
const outcomeMaxParts = 4

// outcomeParts splits the period of q into at most n parts of whole months (Brussels
// time), in order; a period without both ends stays whole.
func outcomeParts(q outcome.Query, n int) []outcome.Query {
	if q.From.IsZero() || q.To.IsZero() || n <= 1 {
		return []outcome.Query{q}
	}
	var starts []time.Time
	from := q.From.In(brussels)
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, brussels); m.Before(q.To); m = m.AddDate(0, 1, 0) {
		starts = append(starts, m)
	}
	if len(starts) <= 1 {
		return []outcome.Query{q}
	}
	n = min(n, len(starts))
	parts := make([]outcome.Query, 0, n)
	for i := range n {
		p := q
		if i > 0 {
			p.From = starts[i*len(starts)/n]
		}
		if i < n-1 {
			p.To = starts[(i+1)*len(starts)/n]
		}
		parts = append(parts, p)
	}
	return parts
}

// outcomeCellsOf reads the cells of one part of the period. The database counts: the rows of
// a part are grouped by cell (month, municipality, team, OCMW) and, within it, by outcome and
// the rights opened, so that Go receives a few rows per cell instead of one per referral and
// birth notification (issue 14: a year at a million referrals is a third of a million rows
// of each kind).
func (db *DB) outcomeCellsOf(ctx context.Context, scope outcomeScope, q outcome.Query) ([]outcome.Cell, error) {
	month, err := db.outcomeMonthSQL(ctx, q)
	if err != nil {
		return nil, err
	}
	acc := map[outcomeKey]*outcome.Cell{}
	cell := func(k outcomeKey) *outcome.Cell {
		c := acc[k]
		if c == nil {
			c = &outcome.Cell{Month: k.month, NIS: k.nis, Team: k.team, OCMW: k.ocmw}
			acc[k] = c
		}
		return c
	}
	if err := db.outcomeReferrals(ctx, scope, q, month, cell); err != nil {
		return nil, err
	}
	if scope.births {
		if err := db.outcomeBirths(ctx, scope, q, month, cell); err != nil {
			return nil, err
		}
	}
	cells := make([]outcome.Cell, 0, len(acc))
	for _, c := range acc {
		cells = append(cells, *c)
	}
	return cells, nil
}

type outcomeKey struct{ month, nis, team, ocmw string }

// outcomeWhere builds the period, scope and filter conditions on table alias t (column names
// of the referrals and birth_notifications tables; ocmwCol "" when the table has none).
func outcomeWhere(q outcome.Query, teamCol, ocmwCol string, scope outcomeScope) ([]string, []any) {
	where, args := []string{"1 = 1"}, []any{}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if !q.From.IsZero() {
		add("t.created_at >= ?", ts(q.From))
	}
	if !q.To.IsZero() {
		add("t.created_at < ?", ts(q.To))
	}
	if q.NIS != "" {
		add("t.municipality_nis = ?", q.NIS)
	}
	for _, team := range []string{scope.team, q.Team} {
		if team != "" {
			add("t."+teamCol+" = ?", team)
		}
	}
	if ocmwCol != "" {
		for _, o := range []string{scope.ocmw, q.OCMW} {
			if o != "" {
				add("t."+ocmwCol+" = ?", o)
			}
		}
	}
	return where, args
}

// outcomeMonthSQL returns the expression that gives the month (Brussels time, "2006-01") of
// t.created_at: a CASE over the month boundaries of the period, computed here from Go's zone
// data so that both databases cut the months at the same instants, whatever their own zone
// data and session settings. A period without both ends takes them from the rows.
func (db *DB) outcomeMonthSQL(ctx context.Context, q outcome.Query) (string, error) {
	from, to := q.From, q.To
	if from.IsZero() || to.IsZero() {
		var first, last timeCol
		err := db.read.QueryRowContext(ctx, `SELECT MIN(m), MAX(m) FROM (SELECT MIN(created_at) AS m FROM referrals
			UNION ALL SELECT MAX(created_at) FROM referrals UNION ALL SELECT MIN(created_at) FROM birth_notifications
			UNION ALL SELECT MAX(created_at) FROM birth_notifications) x`).Scan(&first, &last)
		if err != nil {
			return "", err
		}
		if !first.Valid {
			return "''", nil // no rows at all: no label is ever given
		}
		if from.IsZero() {
			from = first.T
		}
		if to.IsZero() {
			to = last.T.Add(time.Second)
		}
	}
	from = from.In(brussels)
	m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, brussels)
	// Both the bounds and the labels are formatted here, never taken from a caller: safe to
	// write into the statement's text.
	var b strings.Builder
	for next := m.AddDate(0, 1, 0); next.Before(to); m, next = next, next.AddDate(0, 1, 0) {
		fmt.Fprintf(&b, " WHEN t.created_at < '%s' THEN '%s'", ts(next), m.Format("2006-01"))
	}
	if b.Len() == 0 {
		return "'" + m.Format("2006-01") + "'", nil
	}
	return "CASE" + b.String() + " ELSE '" + m.Format("2006-01") + "' END", nil
}

// localDaysSQL returns the expression for the whole days from the Brussels calendar day of
// the time column at to the calendar day day (a DATE column, or the Brussels day of a time
// column when dayIsTime), as the Go of the reference in outcome_reference_test.go counts them.
func (db *DB) localDaysSQL(day string, dayIsTime bool, at string) string {
	if db.dialect == Postgres {
		if dayIsTime {
			day = "(" + day + " AT TIME ZONE 'Europe/Brussels')::date"
		}
		return "(" + day + " - (" + at + " AT TIME ZONE 'Europe/Brussels')::date)"
	}
	if dayIsTime {
		return "CAST(" + sqliteLocalJulianDay(day) + " - " + sqliteLocalJulianDay(at) + " AS INTEGER)"
	}
	return "CAST(julianday(" + day + ") - " + sqliteLocalJulianDay(at) + " AS INTEGER)"
}

// sqliteLocalJulianDay is the Julian day number (at midnight) of the Brussels calendar day of
// a stored time (timeLayout, UTC, as ts writes every time; the period's bounds compare on the
// same text). Brussels is one hour ahead of UTC in winter and two in
// summer (EU rule since 1996: from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
// last Sunday of October), so the Brussels day is the UTC day, or the next one from 23:00 UTC,
// and in summer from 22:00 UTC. The summer test is needed only at 22:xx UTC, where the
// change of clock (01:00 UTC) cannot fall on the same UTC day: a summer day is one from the
// last Sunday of March (date(…-03-25, 'weekday 0')) to the Saturday before the last Sunday of
// October. TestOutcomeCellsAsRowByRow compares it with Go's zone data.
func sqliteLocalJulianDay(at string) string {
	d, h := "substr("+at+", 1, 10)", "substr("+at+", 12, 2)"
	return "(julianday(" + d + ") + CASE WHEN " + h + " = '23' OR (" + h + " = '22' AND " + d + " >= date(substr(" + at + ", 1, 4) || '-03-25', 'weekday 0') AND " +
		d + " < date(substr(" + at + ", 1, 4) || '-10-25', 'weekday 0')) THEN 1 ELSE 0 END)"
}

// daysAggSQL aggregates the day numbers of a group into one text, "3,0,12" (NULLs left out).
func (db *DB) daysAggSQL(expr string) string {
	if db.dialect == Postgres {
		return "string_agg((" + expr + ")::text, ',')"
	}
	return "group_concat(" + expr + ")"
}

// outcomeReferralsSQL is the statement that counts the referrals of a part by group.
func (db *DB) outcomeReferralsSQL(scope outcomeScope, q outcome.Query, month string) (string, []any) {
	where, args := outcomeWhere(q, "team_key", "recipient_key", scope)
	if scope.sentOnly {
		where = append(where, "t.sent_at IS NOT NULL")
	}
	sent := "t.sent_at IS NOT NULL"
	firstDays := db.localDaysSQL("c.first_day", false, "t.sent_at")
	outcomeDays := db.localDaysSQL("t.closed_at", true, "t.sent_at")
	rights := "t.rights"
	if db.dialect == Postgres {
		rights = "t.rights::text"
	}
	// The attempts, the refusals and the refused sends (the few audit events of that action,
	// through audit_events_action) are joined once, grouped, not looked up per referral: a
	// lookup per draft in an audit log of ten million events was most of a year's statistics.
	// The object type is compared as an expression (|| ''): a plain condition on it steers
	// SQLite to audit_events_object, i.e. every referral event, instead of audit_events_action.
	// A group is a cell and, for the referrals sent, their outcome ("withdrawn" for one withdrawn
	// after sending before any outcome) and the rights opened; the day lists come as text.
	return `SELECT t.team_key, t.municipality_nis, t.recipient_key, ` + month + `,
		CASE WHEN t.sent_at IS NULL THEN '' WHEN t.outcome <> '' THEN t.outcome
			WHEN t.status = '` + string(referral.Withdrawn) + `' THEN '` + referral.OutcomeWithdrawnFamily + `' ELSE '' END,
		CASE WHEN ` + sent + ` AND t.outcome = '` + referral.OutcomeRightsOpened + `' THEN ` + rights + ` ELSE '' END,
		COUNT(*),
		SUM(CASE WHEN t.status = 'cancelled' AND t.withdrawn_at IS NULL AND k.referral_id IS NOT NULL THEN 1 ELSE 0 END),
		SUM(CASE WHEN t.sent_at IS NULL AND m.object_id IS NOT NULL THEN 1 ELSE 0 END),
		COUNT(t.withdrawn_at), COUNT(t.data_deleted_at), COUNT(t.sent_at),
		SUM(CASE WHEN ` + sent + ` AND (t.received_at IS NOT NULL OR c.first_day IS NOT NULL OR t.closed_at IS NOT NULL) THEN 1 ELSE 0 END),
		SUM(CASE WHEN ` + sent + ` AND c.reached = 1 THEN 1 ELSE 0 END),
		SUM(CASE WHEN ` + sent + ` AND t.outcome = '` + referral.OutcomeNotReachable + `' THEN 1 ELSE 0 END),
		SUM(CASE WHEN ` + sent + ` AND c.first_day IS NOT NULL THEN 1 ELSE 0 END),
		SUM(CASE WHEN ` + sent + ` AND c.first_day IS NOT NULL AND v.first_contact_days > 0 AND ` + firstDays + ` <= v.first_contact_days THEN 1 ELSE 0 END),
		SUM(CASE WHEN ` + sent + ` AND c.first_day IS NOT NULL AND v.first_contact_days > 0 AND ` + firstDays + ` > v.first_contact_days THEN 1 ELSE 0 END),
		` + db.daysAggSQL("CASE WHEN "+sent+" AND c.first_day IS NOT NULL THEN "+firstDays+" END") + `,
		` + db.daysAggSQL("CASE WHEN "+sent+" AND t.closed_at IS NOT NULL THEN "+outcomeDays+" END") + `
		FROM referrals t
		LEFT JOIN (SELECT referral_id, MIN(on_day) AS first_day, MAX(CASE WHEN reached THEN 1 ELSE 0 END) AS reached
			FROM referral_contact_attempts GROUP BY referral_id) c ON c.referral_id = t.id
		LEFT JOIN (SELECT DISTINCT referral_id FROM referral_consents WHERE refused) k ON k.referral_id = t.id
		LEFT JOIN agreement_versions v ON v.agreement_id = t.agreement_id AND v.version = t.agreement_version
		LEFT JOIN (SELECT DISTINCT e.object_id FROM audit_events e WHERE e.action = '` + auditReferralSendDenied + `'
			AND e.object_type || '' = 'referral') m ON m.object_id = CAST(t.id AS TEXT)
		WHERE ` + strings.Join(where, " AND ") + `
		GROUP BY 4, 1, 2, 3, 5, 6`, args
}

func (db *DB) outcomeReferrals(ctx context.Context, scope outcomeScope, q outcome.Query, month string, cell func(outcomeKey) *outcome.Cell) error {
	query, args := db.outcomeReferralsSQL(scope, q, month)
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k outcomeKey
		var outc, rights string
		var n outcome.Counts
		var firstDays, outcomeDays sql.NullString
		if err := rows.Scan(&k.team, &k.nis, &k.ocmw, &k.month, &outc, &rights, &n.Drafted, &n.ConsentRefused, &n.NotSentNoAgreement,
			&n.Withdrawn, &n.Deleted, &n.Sent, &n.Received, &n.Reached, &n.NotReachable, &n.ContactAttempted, &n.WithinTarget, &n.PastTarget,
			&firstDays, &outcomeDays); err != nil {
			return err
		}
		if outc != "" {
			// Only referrals sent have an outcome key: every referral of the group counts.
			n.Outcomes = map[string]int{outc: n.Drafted}
		}
		if rights != "" {
			var list []string
			if err := json.Unmarshal([]byte(rights), &list); err != nil {
				return err
			}
			for _, r := range list {
				n.Rights = incrBy(n.Rights, r, n.Drafted)
			}
		}
		c := cell(k)
		c.Add(n)
		if c.DaysToFirstContact, err = appendDays(c.DaysToFirstContact, firstDays.String); err != nil {
			return err
		}
		if c.DaysToOutcome, err = appendDays(c.DaysToOutcome, outcomeDays.String); err != nil {
			return err
		}
	}
	return rows.Err()
}

// outcomeBirthsSQL is the statement that counts the birth notifications of a part by group.
func (db *DB) outcomeBirthsSQL(scope outcomeScope, q outcome.Query, month string) (string, []any) {
	where, args := outcomeWhere(q, "team_key", "", scope)
	return `SELECT COALESCE(t.team_key, ''), t.municipality_nis, ` + month + `, COUNT(*),
		SUM(CASE WHEN t.first_contact_on IS NOT NULL AND ` + db.localDaysSQL("t.first_contact_on", false, "t.created_at") + ` <= ` +
		strconv.Itoa(birth.ContactTargetDays) + ` THEN 1 ELSE 0 END)
		FROM birth_notifications t WHERE t.status <> '` + string(birth.Merged) + `' AND ` + strings.Join(where, " AND ") + `
		GROUP BY 3, 1, 2`, args
}

func (db *DB) outcomeBirths(ctx context.Context, scope outcomeScope, q outcome.Query, month string, cell func(outcomeKey) *outcome.Cell) error {
	query, args := db.outcomeBirthsSQL(scope, q, month)
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k outcomeKey
		var births, contacted int
		if err := rows.Scan(&k.team, &k.nis, &k.month, &births, &contacted); err != nil {
			return err
		}
		// The OCMW of a birth notification is that of its municipality: a mapping over the
		// groups, not over the rows.
		if m, ok := db.Municipalities.ByNIS(k.nis); ok {
			k.ocmw = org.RecipientFor(m)
		}
		if q.OCMW != "" && k.ocmw != q.OCMW {
			continue
		}
		c := cell(k)
		c.Births += births
		c.BirthsContacted14 += contacted
	}
	return rows.Err()
}

// appendDays appends the day numbers of a text such as "3,0,-1,12" to days.
func appendDays(days []int, s string) ([]int, error) {
	for s != "" {
		v, rest, _ := strings.Cut(s, ",")
		d, err := strconv.Atoi(v)
		if err != nil {
			return days, err
		}
		days = append(days, d)
		s = rest
	}
	return days, nil
}

func incrBy(m map[string]int, k string, n int) map[string]int {
	if m == nil {
		m = map[string]int{}
	}
	m[k] += n
	return m
}
