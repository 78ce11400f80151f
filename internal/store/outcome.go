package store

import (
	"context"
	"encoding/json"
	"errors"
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
	for _, f := range found {
		cells = append(cells, f...)
	}
	if cells == nil {
		cells = []outcome.Cell{}
	}
	outcome.SortCells(cells)
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

// outcomeCellsOf reads the cells of one part of the period.
func (db *DB) outcomeCellsOf(ctx context.Context, scope outcomeScope, q outcome.Query) ([]outcome.Cell, error) {
	acc := map[outcomeKey]*outcome.Cell{}
	cell := func(k outcomeKey) *outcome.Cell {
		c := acc[k]
		if c == nil {
			c = &outcome.Cell{Month: k.month, NIS: k.nis, Team: k.team, OCMW: k.ocmw}
			acc[k] = c
		}
		return c
	}
	if err := db.outcomeReferrals(ctx, scope, q, cell); err != nil {
		return nil, err
	}
	if scope.births {
		if err := db.outcomeBirths(ctx, scope, q, cell); err != nil {
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

func (db *DB) outcomeReferrals(ctx context.Context, scope outcomeScope, q outcome.Query, cell func(outcomeKey) *outcome.Cell) error {
	where, args := outcomeWhere(q, "team_key", "recipient_key", scope)
	if scope.sentOnly {
		where = append(where, "t.sent_at IS NOT NULL")
	}
	// The attempts, the refusals and the refused sends (the few audit events of that action,
	// through audit_events_action) are joined once, grouped, not looked up per referral: a
	// lookup per draft in an audit log of ten million events was most of a year's statistics.
	// The object type is compared as an expression (|| ''): a plain condition on it steers
	// SQLite to audit_events_object, i.e. every referral event, instead of audit_events_action.
	rows, err := db.read.QueryContext(ctx, `SELECT t.team_key, t.municipality_nis, t.recipient_key, t.status, t.outcome, t.rights,
		t.created_at, t.sent_at, t.closed_at,
		CASE WHEN t.received_at IS NULL THEN 0 ELSE 1 END, CASE WHEN t.withdrawn_at IS NULL THEN 0 ELSE 1 END,
		CASE WHEN t.data_deleted_at IS NULL THEN 0 ELSE 1 END,
		c.first_day, COALESCE(c.reached, 0),
		CASE WHEN t.status = 'cancelled' AND t.withdrawn_at IS NULL AND k.referral_id IS NOT NULL THEN 1 ELSE 0 END,
		CASE WHEN t.sent_at IS NULL AND m.object_id IS NOT NULL THEN 1 ELSE 0 END,
		COALESCE(v.first_contact_days, 0)
		FROM referrals t
		LEFT JOIN (SELECT referral_id, MIN(on_day) AS first_day, MAX(CASE WHEN reached THEN 1 ELSE 0 END) AS reached
			FROM referral_contact_attempts GROUP BY referral_id) c ON c.referral_id = t.id
		LEFT JOIN (SELECT DISTINCT referral_id FROM referral_consents WHERE refused) k ON k.referral_id = t.id
		LEFT JOIN agreement_versions v ON v.agreement_id = t.agreement_id AND v.version = t.agreement_version
		LEFT JOIN (SELECT DISTINCT e.object_id FROM audit_events e WHERE e.action = '`+auditReferralSendDenied+`'
			AND e.object_type || '' = 'referral') m ON m.object_id = CAST(t.id AS TEXT)
		WHERE `+strings.Join(where, " AND "), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k outcomeKey
		var status, outc, rights string
		var created, sent, closed, first timeCol
		var received, withdrawn, deleted, reached, refused, missed, target int
		if err := rows.Scan(&k.team, &k.nis, &k.ocmw, &status, &outc, &rights, &created, &sent, &closed, &received, &withdrawn, &deleted,
			&first, &reached, &refused, &missed, &target); err != nil {
			return err
		}
		k.month = created.T.In(brussels).Format("2006-01")
		c := cell(k)
		c.Drafted++
		c.ConsentRefused += refused
		c.NotSentNoAgreement += missed
		c.Withdrawn += withdrawn
		c.Deleted += deleted
		if !sent.Valid {
			continue
		}
		c.Sent++
		// An OCMW that recorded an attempt or an outcome had it, even if nobody opened it here.
		if received == 1 || first.Valid || closed.Valid {
			c.Received++
		}
		c.Reached += reached
		if outc == referral.OutcomeNotReachable {
			c.NotReachable++
		}
		switch {
		case outc != "":
			c.Outcomes = incr(c.Outcomes, outc)
		case referral.Status(status) == referral.Withdrawn:
			c.Outcomes = incr(c.Outcomes, referral.OutcomeWithdrawnFamily)
		}
		if outc == referral.OutcomeRightsOpened {
			var list []string
			if err := json.Unmarshal([]byte(rights), &list); err != nil {
				return err
			}
			for _, r := range list {
				c.Rights = incr(c.Rights, r)
			}
		}
		sentDay := today(sent.T)
		if first.Valid {
			c.ContactAttempted++
			d := daysBetween(sentDay, first.T)
			c.DaysToFirstContact = append(c.DaysToFirstContact, d)
			if target > 0 {
				if d <= target {
					c.WithinTarget++
				} else {
					c.PastTarget++
				}
			}
		}
		if closed.Valid {
			c.DaysToOutcome = append(c.DaysToOutcome, daysBetween(sentDay, today(closed.T)))
		}
	}
	return rows.Err()
}

func (db *DB) outcomeBirths(ctx context.Context, scope outcomeScope, q outcome.Query, cell func(outcomeKey) *outcome.Cell) error {
	where, args := outcomeWhere(q, "team_key", "", scope)
	rows, err := db.read.QueryContext(ctx, `SELECT COALESCE(t.team_key, ''), t.municipality_nis, t.created_at, t.first_contact_on
		FROM birth_notifications t WHERE t.status <> '`+string(birth.Merged)+`' AND `+strings.Join(where, " AND "), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k outcomeKey
		var created, first timeCol
		if err := rows.Scan(&k.team, &k.nis, &created, &first); err != nil {
			return err
		}
		if m, ok := db.Municipalities.ByNIS(k.nis); ok {
			k.ocmw = org.RecipientFor(m)
		}
		if q.OCMW != "" && k.ocmw != q.OCMW {
			continue
		}
		k.month = created.T.In(brussels).Format("2006-01")
		c := cell(k)
		c.Births++
		if first.Valid && daysBetween(today(created.T), first.T) <= birth.ContactTargetDays {
			c.BirthsContacted14++
		}
	}
	return rows.Err()
}

func incr(m map[string]int, k string) map[string]int {
	if m == nil {
		m = map[string]int{}
	}
	m[k]++
	return m
}

// daysBetween is the number of whole days from day a to day b (both calendar days at UTC
// midnight, as today and DATE columns give them).
func daysBetween(a, b time.Time) int {
	return int(b.Sub(a).Round(time.Hour).Hours()) / 24
}
