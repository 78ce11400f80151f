package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"kansrijk/internal/audit"
)

// Tx is a write transaction carrying one timestamp for everything it does,
// or (inReadTx) a read-only one whose audit events are written after it.
type Tx struct {
	*sql.Tx
	db  *DB
	now time.Time
	// reads holds the events audited in a read-only transaction; nil in
	// a write transaction.
	reads *[]audit.Event
	// denied: an event of outcome denied was written in this (write)
	// transaction; once it commits, the request's audit.Denials hears of
	// it.
	denied bool
	// stmts, in a group-committed transaction, keeps its statements
	// prepared for the batch (writegroup.go).
	stmts *txStmts
}

// Now returns the time of the transaction (UTC).
func (tx *Tx) Now() time.Time { return tx.now }

// begin starts a write transaction.
func (db *DB) begin(ctx context.Context) (*Tx, error) {
	t, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &Tx{Tx: t, db: db, now: db.Now().UTC()}, nil
}

// inReadTx runs fn in a read-only transaction on the read pool (one
// consistent view of the data, no writer taken), then writes the events fn
// audited with tx.Audit through recordReads: the read returns only once
// they are durable, and fails if they cannot be written. Reads of personal
// data that write nothing but their audit event go through here; one
// that must write after all says so with tx.Writable.
//
// On PostgreSQL, which has no single writer, the read and its event stay
// in one write transaction: measured at 200 clients with clinics
// importing (RELIABILITY.md), that answers an audited referral read in a
// p50 of 151 ms against 232 ms on the read pool. On SQLite the read pool is
// what keeps reads from queueing behind the imports for the one writer
// (p50 29 ms against 1.22 s).
func (db *DB) inReadTx(ctx context.Context, fn func(tx *Tx) error) error {
	if db.dialect == Postgres {
		return db.inTx(ctx, fn)
	}
	t, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	var evs []audit.Event
	tx := &Tx{Tx: t, db: db, now: db.Now().UTC(), reads: &evs}
	err = fn(tx)
	if rerr := t.Rollback(); err == nil && rerr != nil {
		return rerr
	}
	if errors.Is(err, errWriteNeeded) {
		return db.inTx(ctx, fn)
	}
	if err != nil {
		return err
	}
	return db.recordReads(ctx, evs...)
}

// errWriteNeeded is returned by Tx.Writable in a read-only transaction.
var errWriteNeeded = errors.New("store: this read must write")

// Writable returns nil in a write transaction. In a read-only one it
// returns an error that makes inReadTx run fn again in a write
// transaction: a read that turns out to change something (the first read
// of a sent referral by its OCMW marks it received) takes the writer only
// then.
func (tx *Tx) Writable() error {
	if tx.reads != nil {
		return errWriteNeeded
	}
	return nil
}

// inTx runs fn in a write transaction and commits it when fn returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	return db.inWriteTx(ctx, false, fn)
}

// inWriteTx is inTx; on SQLite an urgent transaction (a group commit of
// read events) takes the one writer before the others waiting for it.
func (db *DB) inWriteTx(ctx context.Context, urgent bool, fn func(tx *Tx) error) error {
	if db.dialect == SQLite {
		if err := db.writer.acquire(ctx, urgent); err != nil {
			return err
		}
		defer db.writer.release()
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	db.ckpt.committed()
	if tx.denied {
		audit.NoteDenied(ctx)
	}
	return nil
}

// auditInsert is the head of the INSERT of audit events, to be followed
// by one or more rows of auditWidth values (auditArgs). Tx.Audit writes one
// event; bulk imports write many in one statement — both through these, so
// that every audit record is written alike.
const (
	auditInsert = `INSERT INTO audit_events (at, actor_user_id, actor_email, actor_role, actor_org, action, object_type, object_id,
		purpose, agreement_id, outcome, request_id, client_addr, detail, channel, token_id, actor_service, receipt_code, salt) VALUES `
	auditWidth = 19
	// auditObjectID and auditDetail are the positions of object_id and
	// detail among them.
	auditObjectID = 7
	auditDetail   = 13
)

// auditArgs are the values of one audit event written at now, with a
// fresh random salt for the private commitment of its canonical record in
// the audit log (package auditlog).
func auditArgs(now time.Time, ev audit.Event) []any {
	if ev.Outcome == "" {
		ev.Outcome = audit.OK
	}
	if ev.Channel == "" {
		// An event built without audit.For and without a channel is the
		// program's own work.
		ev.Channel = "job"
	}
	return []any{ts(now), nullInt(ev.ActorUserID), ev.ActorEmail, ev.ActorRole, ev.ActorOrg, ev.Action,
		ev.ObjectType, ev.ObjectID, ev.Purpose, nullInt(ev.AgreementID), ev.Outcome, ev.RequestID, ev.ClientAddr, ev.Detail,
		ev.Channel, nullInt(ev.TokenID), ev.ActorService, ev.ReceiptCode, newAuditSalt()}
}

// newAuditSalt returns 16 random bytes in hex.
func newAuditSalt() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// Audit appends an audit event within the transaction. If it fails, the
// caller's whole transaction fails: no change without its record. In a
// read-only transaction (inReadTx) the event is written once the
// transaction is over, before the read answers.
func (tx *Tx) Audit(ctx context.Context, ev audit.Event) error {
	if tx.reads != nil {
		if ev.At.IsZero() {
			ev.At = tx.now
		}
		*tx.reads = append(*tx.reads, ev)
		return nil
	}
	_, err := tx.ExecContext(ctx, auditInsert+`($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19)`, auditArgs(tx.now, ev)...)
	if err != nil {
		return fmt.Errorf("write audit event %s: %w", ev.Action, err)
	}
	if ev.Outcome == audit.Denied {
		tx.denied = true
	}
	return nil
}

// recordReads writes the audit events of a read of personal data that
// happened outside a write transaction, and returns only once they are
// durable: a read whose event cannot be written must fail (no grace
// period). Every read path audits through here, so that how such events
// are committed is decided in one place: by group commit (groupcommit.go),
// many requests' events in one transaction. Each event keeps its own time
// (ev.At, or now when unset).
func (db *DB) recordReads(ctx context.Context, evs ...audit.Event) error {
	if len(evs) == 0 || db.unauditedBaseline {
		return nil
	}
	evs = slices.Clone(evs)
	now := db.Now().UTC()
	for i := range evs {
		if evs[i].At.IsZero() {
			evs[i].At = now
		}
	}
	if err := db.group.submit(ctx, db, evs); err != nil {
		return err
	}
	for _, ev := range evs {
		if ev.Outcome == audit.Denied {
			// The request's refusal is audited: the server adds no
			// generic access.denied event of its own.
			audit.NoteDenied(ctx)
			break
		}
	}
	return nil
}

// RecordAccessDenied writes the generic event of a refused request
// (audit.AccessDenied, written by the server when the handler refused
// without the store auditing it), like any read's event: it returns once
// the event is durable.
func (db *DB) RecordAccessDenied(ctx context.Context, ev audit.Event) error {
	return db.recordReads(ctx, ev)
}

// auditMatch is what both audit-event queries (AuditEvents and the
// DPO's SearchAuditEvents) select on by equality; zero values match all.
type auditMatch struct {
	Action, ObjectType, ObjectID, Org, Channel, ReceiptCode, Outcome string
	UserID                                                           int64
}

// addAuditMatches adds the conditions of m on audit_events e through add.
// A receipt code also says receipt_code <> ”, so that PostgreSQL uses
// the partial index of 00012 under generic plans too.
func addAuditMatches(add func(cond string, v any), m auditMatch) {
	for _, c := range []struct {
		col string
		v   string
	}{{"action", m.Action}, {"object_type", m.ObjectType}, {"object_id", m.ObjectID}, {"actor_org", m.Org},
		{"channel", m.Channel}, {"outcome", m.Outcome}} {
		if c.v != "" {
			add("e."+c.col+" = $%d", c.v)
		}
	}
	if m.UserID != 0 {
		add("e.actor_user_id = $%d", m.UserID)
	}
	if m.ReceiptCode != "" {
		add("e.receipt_code <> '' AND e.receipt_code = $%d", m.ReceiptCode)
	}
}

// AuditEvents lists audit events, newest first, each with its leaf index
// in the audit log once it has been sequenced.
func (db *DB) AuditEvents(ctx context.Context, f audit.Filter) ([]audit.Event, error) {
	where, args := []string{"1=1"}, []any{}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	addAuditMatches(add, auditMatch{Action: f.Action, ObjectType: f.ObjectType, ObjectID: f.ObjectID,
		Org: f.ActorOrg, UserID: f.ActorUserID, Channel: f.Channel, ReceiptCode: f.ReceiptCode})
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	out, err := queryList(ctx, db.read, func(row rowScanner) (audit.Event, error) {
		var leaf sql.NullInt64
		e, _, err := scanAuditEvent(row, &leaf)
		if leaf.Valid {
			e.LeafIndex = &leaf.Int64
		}
		return e, err
	}, `SELECT `+auditColumns+`, l.leaf_index
		FROM audit_events e LEFT JOIN audit_leaves l ON l.event_id = e.id
		WHERE `+strings.Join(where, " AND ")+fmt.Sprintf(" ORDER BY e.id DESC LIMIT %d", limit), args...)
	return nilIfEmpty(out), err
}

// timeLayout is fixed width so that SQLite text timestamps sort correctly.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// ts formats a timestamp for either backend.
func ts(t time.Time) string { return t.UTC().Format(timeLayout) }

// day formats a date for either backend.
func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullDay(t *time.Time) any {
	if t == nil {
		return nil
	}
	return day(*t)
}

// timeCol scans a timestamp or date column of either backend.
type timeCol struct {
	T     time.Time
	Valid bool
}

func (c *timeCol) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		c.T, c.Valid = time.Time{}, false
		return nil
	case time.Time:
		c.T, c.Valid = x.UTC(), true
		return nil
	case string:
		return c.parse(x)
	case []byte:
		return c.parse(string(x))
	}
	return fmt.Errorf("cannot scan %T into a time", v)
}

func (c *timeCol) parse(s string) error {
	// The two shapes stored (a time, a day) first, without trying the
	// others: statistics scan hundreds of thousands of them.
	switch len(s) {
	case len(timeLayout), len(time.DateOnly):
		layout := timeLayout
		if len(s) == len(time.DateOnly) {
			layout = time.DateOnly
		}
		if t, err := time.Parse(layout, s); err == nil {
			c.T, c.Valid = t.UTC(), true
			return nil
		}
	}
	for _, layout := range []string{timeLayout, time.RFC3339Nano, time.DateOnly, "2006-01-02 15:04:05.999999999-07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			c.T, c.Valid = t.UTC(), true
			return nil
		}
	}
	return fmt.Errorf("cannot parse time %q", s)
}

// Ptr returns the time or nil when the column was NULL.
func (c timeCol) Ptr() *time.Time {
	if !c.Valid {
		return nil
	}
	t := c.T
	return &t
}

// isUniqueViolation reports whether err is a unique-constraint violation
// of either backend.
func isUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}
