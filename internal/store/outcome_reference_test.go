package store

import (
	"context"
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"sync"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/birth"
	"kansrijk/internal/org"
	"kansrijk/internal/outcome"
	"kansrijk/internal/referral"
)

// OutcomeCellsRowByRow is OutcomeCells as it was before the counting moved into SQL: the same
// scope, parts and cells, each row counted in Go.
func OutcomeCellsRowByRow(ctx context.Context, db *DB, a account.Actor, q outcome.Query) ([]outcome.Cell, error) {
	scope, err := outcomeScopeOf(a)
	if err != nil {
		return nil, err
	}
	parts := outcomeParts(q, min(runtime.GOMAXPROCS(0), outcomeMaxParts))
	found := make([][]outcome.Cell, len(parts))
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for i, part := range parts {
		wg.Go(func() { found[i], errs[i] = db.outcomeCellsRowByRow(ctx, scope, part) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	cells := []outcome.Cell{}
	for _, f := range found {
		cells = append(cells, f...)
	}
	outcome.SortCells(cells)
	return cells, nil
}

// outcomeCellsRowByRow reads the cells of one part of the period row by row: every referral and
// birth notification comes to Go and is counted there. It is what OutcomeCells did before it
// aggregated in SQL, kept as the reference the aggregation is compared with.
func (db *DB) outcomeCellsRowByRow(ctx context.Context, scope outcomeScope, q outcome.Query) ([]outcome.Cell, error) {
	acc := map[outcomeKey]*outcome.Cell{}
	cell := func(k outcomeKey) *outcome.Cell {
		c := acc[k]
		if c == nil {
			c = &outcome.Cell{Month: k.month, NIS: k.nis, Team: k.team, OCMW: k.ocmw}
			acc[k] = c
		}
		return c
	}
	if err := db.outcomeReferralsRowByRow(ctx, scope, q, cell); err != nil {
		return nil, err
	}
	if scope.births {
		if err := db.outcomeBirthsRowByRow(ctx, scope, q, cell); err != nil {
			return nil, err
		}
	}
	cells := make([]outcome.Cell, 0, len(acc))
	for _, c := range acc {
		cells = append(cells, *c)
	}
	return cells, nil
}

func (db *DB) outcomeReferralsRowByRow(ctx context.Context, scope outcomeScope, q outcome.Query, cell func(outcomeKey) *outcome.Cell) error {
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

func (db *DB) outcomeBirthsRowByRow(ctx context.Context, scope outcomeScope, q outcome.Query, cell func(outcomeKey) *outcome.Cell) error {
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
