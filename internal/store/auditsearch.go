package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
)

// The data protection officer's console (issue 11): searching the audit
// log, exporting it and flagging unusual patterns. Who sees what:
//
//   - Opgroeien's DPO sees every event.
//   - An OCMW's (or CAW's) DPO sees the events of its own organisation's
//     actors and every event about a referral its OCMW received (sent to
//     it), whoever the actor: a team's, another admin's break-glass read.
//   - Nobody else, admins included: the people the log watches do not
//     read it (forbidden).
//
// Receipt codes are never shown in the console (blanked in the results):
// with the postcode a code opens the family's own view. The DPO can
// search by the code a family gives, and that search is recorded with the
// code, so the family sees it.

// objAuditLog is the object type of the console's own audit events.
const objAuditLog = "audit_log"

// auditScope returns the condition that limits events to what the DPO a
// may see, with its arguments numbered from n+1, or forbidden.
func auditScope(a account.Actor, n int) (string, []any, error) {
	if err := a.Require(account.ViewAudit); err != nil {
		return "", nil, err
	}
	if a.IsCentral() {
		return "1=1", nil, nil
	}
	return fmt.Sprintf(`(e.actor_org = $%d OR (e.object_type = 'referral' AND e.object_id IN
		(SELECT CAST(id AS TEXT) FROM referrals WHERE recipient_key = $%d AND sent_at IS NOT NULL)))`, n+1, n+1), []any{a.Org}, nil
}

// auditWhere builds the WHERE clause of a query within the DPO's scope.
func auditWhere(a account.Actor, q audit.Query) (string, []any, error) {
	where, args := []string{}, []any{}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	addAuditMatches(add, auditMatch{Action: q.Action, ObjectType: q.ObjectType, ObjectID: q.ObjectID,
		Org: q.Org, UserID: q.UserID, Channel: q.Channel, ReceiptCode: q.ReceiptCode, Outcome: q.Outcome})
	if !q.From.IsZero() {
		add("e.at >= $%d", ts(q.From))
	}
	if !q.To.IsZero() {
		add("e.at < $%d", ts(q.To))
	}
	if q.Before > 0 {
		add("e.id < $%d", q.Before)
	}
	scope, sargs, err := auditScope(a, len(args))
	if err != nil {
		return "", nil, err
	}
	where = append(where, scope)
	return strings.Join(where, " AND "), append(args, sargs...), nil
}

// auditSearchFrom and auditSearchLeaf are the table and the leaf index of
// the console's queries: an event's place in the Merkle tree, NULL until
// it is sequenced (as store.(*DB).AuditEvents reads it).
const (
	auditSearchFrom = `audit_events e LEFT JOIN audit_leaves l ON l.event_id = e.id`
	auditSearchLeaf = `l.leaf_index`
)

const auditSearchColumns = `e.id, e.at, COALESCE(e.actor_user_id,0), e.actor_email, e.actor_role, e.actor_org,
	e.action, e.object_type, e.object_id, e.purpose, COALESCE(e.agreement_id,0), e.outcome, e.request_id, e.client_addr, e.detail,
	e.channel, COALESCE(e.token_id,0), e.actor_service, ` + auditSearchLeaf

func scanAuditSearch(row rowScanner) (audit.Event, error) {
	var e audit.Event
	var at timeCol
	var leaf sql.NullInt64
	err := row.Scan(&e.ID, &at, &e.ActorUserID, &e.ActorEmail, &e.ActorRole, &e.ActorOrg, &e.Action,
		&e.ObjectType, &e.ObjectID, &e.Purpose, &e.AgreementID, &e.Outcome, &e.RequestID, &e.ClientAddr, &e.Detail,
		&e.Channel, &e.TokenID, &e.ActorService, &leaf)
	e.At = at.T
	if leaf.Valid {
		e.LeafIndex = &leaf.Int64
	}
	return e, err
}

// searchDetail is the record of what a search asked, for its own audit
// event (the receipt code goes into the event's own field).
func searchDetail(q audit.Query, extra map[string]any) string {
	m := map[string]any{}
	for k, v := range map[string]string{"org": q.Org, "channel": q.Channel, "object_type": q.ObjectType, "object_id": q.ObjectID,
		"action": q.Action, "outcome": q.Outcome} {
		if v != "" {
			m[k] = v
		}
	}
	if q.UserID != 0 {
		m["user_id"] = q.UserID
	}
	if !q.From.IsZero() {
		m["from"] = ts(q.From)
	}
	if !q.To.IsZero() {
		m["to"] = ts(q.To)
	}
	for k, v := range extra {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// SearchAuditEvents returns one page of the audit events the DPO a may see
// (see the scope above), newest first, and records the search itself as
// an audit.search event; if that cannot be written, the search fails.
// forbidden for anyone but a DPO; invalid for a bad query.
func (db *DB) SearchAuditEvents(ctx context.Context, a account.Actor, q audit.Query) (p audit.Page, err error) {
	defer apperr.Wrap(&err, "store.SearchAuditEvents")
	p, _, err = db.searchAuditPage(ctx, a, q, nil)
	return p, err
}

// SearchAuditPage is one view of the console's page: a page of events (as
// SearchAuditEvents) and, when w is not nil, the flags of w's window (as
// AuditFlags), recorded together as ONE audit.search event whose detail
// holds the number of results and of flags: one page view, one event.
func (db *DB) SearchAuditPage(ctx context.Context, a account.Actor, q audit.Query, w *audit.FlagWindow) (p audit.Page, flags []audit.Flag, err error) {
	defer apperr.Wrap(&err, "store.SearchAuditPage")
	return db.searchAuditPage(ctx, a, q, w)
}

func (db *DB) searchAuditPage(ctx context.Context, a account.Actor, q audit.Query, w *audit.FlagWindow) (p audit.Page, flags []audit.Flag, err error) {
	if err := q.Normalize(); err != nil {
		return p, nil, err
	}
	where, args, err := auditWhere(a, q)
	if err != nil {
		return p, nil, err
	}
	list, err := queryList(ctx, db.read, scanAuditSearch,
		`SELECT `+auditSearchColumns+` FROM `+auditSearchFrom+` WHERE `+where+fmt.Sprintf(` ORDER BY e.id DESC LIMIT %d`, q.Limit+1), args...)
	if err != nil {
		return p, nil, err
	}
	if len(list) > q.Limit {
		list = list[:q.Limit]
		p.Next = audit.Cursor(list[len(list)-1].ID)
	}
	p.Events = list
	extra := map[string]any{"results": len(list)}
	if w != nil {
		if flags, err = db.auditFlags(ctx, a, w.From, w.To, w.Config); err != nil {
			return audit.Page{}, nil, err
		}
		extra["flags"], extra["flags_from"], extra["flags_to"] = len(flags), ts(w.From), ts(w.To)
	}
	ev := audit.For(a, audit.Search, objAuditLog, "")
	ev.ReceiptCode, ev.Detail = q.ReceiptCode, searchDetail(q, extra)
	if err := db.recordReads(ctx, ev); err != nil {
		return audit.Page{}, nil, err
	}
	return p, flags, nil
}

// ExportAuditEvents returns every event of the query (ignoring its cursor
// and limit, at most audit.MaxExport, newest first) for a CSV or XLSX
// download, recorded as an audit.export event with the format.
func (db *DB) ExportAuditEvents(ctx context.Context, a account.Actor, q audit.Query, format string) (list []audit.Event, err error) {
	defer apperr.Wrap(&err, "store.ExportAuditEvents")
	q.Before, q.Limit = 0, 1
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	where, args, err := auditWhere(a, q)
	if err != nil {
		return nil, err
	}
	list, err = queryList(ctx, db.read, scanAuditSearch,
		`SELECT `+auditSearchColumns+` FROM `+auditSearchFrom+` WHERE `+where+fmt.Sprintf(` ORDER BY e.id DESC LIMIT %d`, audit.MaxExport), args...)
	if err != nil {
		return nil, err
	}
	ev := audit.For(a, audit.Export, objAuditLog, "")
	ev.ReceiptCode, ev.Detail = q.ReceiptCode, searchDetail(q, map[string]any{"format": format, "results": len(list)})
	if err := db.recordReads(ctx, ev); err != nil {
		return nil, err
	}
	return list, nil
}

// maxFlagEvents bounds the events the flags look at in one call.
const maxFlagEvents = 500000

// AuditFlags finds unusual patterns (audit.DetectFlags) among the events
// in [from, to) that the DPO a may see, and records the look as an
// audit.search event. forbidden for anyone but a DPO.
func (db *DB) AuditFlags(ctx context.Context, a account.Actor, from, to time.Time, cfg audit.FlagConfig) (flags []audit.Flag, err error) {
	defer apperr.Wrap(&err, "store.AuditFlags")
	if flags, err = db.auditFlags(ctx, a, from, to, cfg); err != nil {
		return nil, err
	}
	ev := audit.For(a, audit.Search, objAuditLog, "")
	ev.Detail = searchDetail(audit.Query{From: from, To: to}, map[string]any{"flags": len(flags)})
	if err := db.recordReads(ctx, ev); err != nil {
		return nil, err
	}
	return flags, nil
}

// auditFlags finds the flags of [from, to) the DPO a may see, writing no
// event: its callers record the look.
func (db *DB) auditFlags(ctx context.Context, a account.Actor, from, to time.Time, cfg audit.FlagConfig) (flags []audit.Flag, err error) {
	if !from.Before(to) {
		return nil, apperr.FieldErr(apperr.Invalid, "to", "to must be after from")
	}
	scope, sargs, err := auditScope(a, 2)
	if err != nil {
		return nil, err
	}
	args := append([]any{ts(from), ts(to)}, sargs...)
	evs, err := queryList(ctx, db.read, func(row rowScanner) (audit.Event, error) {
		var e audit.Event
		var at timeCol
		err := row.Scan(&e.ID, &at, &e.ActorUserID, &e.ActorEmail, &e.ActorOrg, &e.ObjectType, &e.ObjectID, &e.Outcome, &e.TokenID)
		e.At = at.T
		return e, err
	}, `SELECT e.id, e.at, e.actor_user_id, e.actor_email, e.actor_org, e.object_type, e.object_id, e.outcome, COALESCE(e.token_id,0)
		FROM audit_events e WHERE e.at >= $1 AND e.at < $2 AND e.actor_user_id IS NOT NULL AND `+scope+
		fmt.Sprintf(` ORDER BY e.id LIMIT %d`, maxFlagEvents), args...)
	if err != nil {
		return nil, err
	}
	// Every address each token used in the window was used from, with the
	// first time, over the whole log.
	addrs, err := queryList(ctx, db.read, func(row rowScanner) (audit.TokenAddress, error) {
		var t audit.TokenAddress
		var first timeCol
		err := row.Scan(&t.TokenID, &t.ClientAddr, &first)
		t.First = first.T
		return t, err
	}, `SELECT token_id, client_addr, MIN(at) FROM audit_events
		WHERE channel = 'token' AND client_addr <> '' AND token_id IN
			(SELECT DISTINCT e.token_id FROM audit_events e WHERE e.channel = 'token' AND e.token_id IS NOT NULL
			 AND e.at >= $1 AND e.at < $2 AND `+scope+`)
		GROUP BY token_id, client_addr`, args...)
	if err != nil {
		return nil, err
	}
	flags = audit.DetectFlags(evs, addrs, from, to, cfg)
	// A token's flag names its user, as seen in the window.
	owner := map[int64]audit.Event{}
	for _, e := range evs {
		if e.TokenID != 0 {
			owner[e.TokenID] = e
		}
	}
	for i, f := range flags {
		if e, ok := owner[f.TokenID]; ok && f.Kind == audit.FlagNewTokenAddress {
			flags[i].ActorUserID, flags[i].ActorEmail, flags[i].ActorOrg = e.ActorUserID, e.ActorEmail, e.ActorOrg
		}
	}
	if flags == nil {
		flags = []audit.Flag{}
	}
	return flags, nil
}
