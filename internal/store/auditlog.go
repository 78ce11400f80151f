package store

// The storage of the verifiable access log (package auditlog): the leaves
// of the Merkle tree (audit_leaves), its stored hashes (audit_tree, by
// tlog.StoredHashIndex), the signed checkpoints and the verification
// results. Every table is insert-only (triggers refuse UPDATE and DELETE,
// as for audit_events); only audit_pending, the queue of committed events
// not yet in the tree, is consumed.

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
)

// auditColumns are the columns of an audit event, read by scanAuditEvent
// (the table is aliased e).
const auditColumns = `e.id, e.at, COALESCE(e.actor_user_id,0), e.actor_email, e.actor_role, e.actor_org,
		e.action, e.object_type, e.object_id, e.purpose, COALESCE(e.agreement_id,0), e.outcome, e.request_id, e.client_addr, e.detail,
		e.channel, COALESCE(e.token_id,0), e.actor_service, e.receipt_code, e.salt`

// scanAuditEvent scans auditColumns, then extra.
func scanAuditEvent(row rowScanner, extra ...any) (audit.Event, []byte, error) {
	var e audit.Event
	var at timeCol
	var salt string
	dest := []any{&e.ID, &at, &e.ActorUserID, &e.ActorEmail, &e.ActorRole, &e.ActorOrg, &e.Action,
		&e.ObjectType, &e.ObjectID, &e.Purpose, &e.AgreementID, &e.Outcome, &e.RequestID, &e.ClientAddr, &e.Detail,
		&e.Channel, &e.TokenID, &e.ActorService, &e.ReceiptCode, &salt}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return e, nil, err
	}
	e.At = at.T
	b, err := hex.DecodeString(salt)
	if err != nil {
		return e, nil, fmt.Errorf("audit event %d: salt is not hex: %w", e.ID, err)
	}
	return e, b, nil
}

// AuditRecord is an audit event as the audit log commits to it: the event
// and the random salt of its private commitment (empty for events written
// before the log existed).
type AuditRecord struct {
	Event audit.Event
	Salt  []byte
}

// sequenceLockKey is the PostgreSQL advisory lock that serialises the
// sequencers of all instances on one database.
const sequenceLockKey = 0x6b616e73_61756474 // "kansaudt"

// AuditHasher computes, for the records appended at leaf indexes size,
// size+1, …, the hashes to store from tlog.StoredHashIndex(0, size) on, in
// index order (what tlog.StoredHashes returns for each leaf in turn). r
// reads the hashes already stored.
type AuditHasher func(size int64, recs []AuditRecord, r tlog.HashReader) ([]tlog.Hash, error)

// SequenceAudit appends up to limit pending audit events (committed, not
// yet in the tree) to the tree in one transaction: their leaves in event
// id order and the hashes hash computes. It returns how many it appended.
//
// Several instances on one PostgreSQL database produce one tree: the
// transaction takes an advisory lock first, so one sequencer at a time
// reads the tree's size and appends; the primary key on leaf_index and
// the unique event_id refuse a double append should the lock ever be
// bypassed. On SQLite the single writer serialises them.
//
// The leaf order is this table's, not the event ids': an event whose
// transaction commits late (PostgreSQL hands out identity ids before
// commit, so a lower id can commit after a higher one) only becomes
// pending when it commits and is appended then, after events with higher
// ids. No event is skipped and none needs a waiting period.
func (db *DB) SequenceAudit(ctx context.Context, limit int, hash AuditHasher) (n int, err error) {
	defer apperr.Wrap(&err, "store.SequenceAudit")
	var top int64 // the highest id of the batch
	err = db.inTx(ctx, func(tx *Tx) error {
		if db.dialect == Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(sequenceLockKey)); err != nil {
				return err
			}
		}
		var size int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(leaf_index)+1, 0) FROM audit_leaves`).Scan(&size); err != nil {
			return err
		}
		// The pending ids first, then their events by primary key: a join
		// of the whole queue with audit_events would read the table.
		//
		// Past this process's cursor first. On PostgreSQL the rows this
		// sequencer deleted stay in the queue's index until a vacuum, and a
		// scan from the start steps over every one of them: with a backlog
		// of millions (a bulk import, the harness's 10M events) each batch
		// took half a second to find its first id. An event that commits
		// after higher ids were appended lies below the cursor: when the
		// queue past the cursor cannot fill a batch, the whole queue is
		// read once from its start, so no event waits longer than the
		// backlog it arrived in.
		cursor := db.seqCursor.Load()
		ids, err := pendingIDs(ctx, tx, cursor, limit)
		if err != nil {
			return err
		}
		if len(ids) < limit && cursor > 0 {
			if ids, err = pendingIDs(ctx, tx, 0, limit); err != nil {
				return err
			}
		}
		if len(ids) == 0 {
			return nil
		}
		top = ids[len(ids)-1].(int64)
		var recs []AuditRecord
		for start := 0; start < len(ids); start += 500 {
			part := ids[start:min(len(ids), start+500)]
			rows, err := tx.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_events e WHERE e.id IN (`+placeholders(db.dialect, 1, len(part))+`) ORDER BY e.id`, part...)
			if err != nil {
				return err
			}
			for rows.Next() {
				e, salt, err := scanAuditEvent(rows)
				if err != nil {
					rows.Close()
					return err
				}
				recs = append(recs, AuditRecord{Event: e, Salt: salt})
			}
			if err := rows.Close(); err != nil {
				return err
			}
		}
		if len(recs) < len(ids) {
			// Queued, committed, and gone before it was sequenced: only a
			// change behind the application's back does that. Say so, and
			// do not let the queue stall on it.
			slog.Error("audit log: queued audit events are missing from audit_events", "missing", len(ids)-len(recs))
		}
		if len(recs) == 0 {
			_, err := tx.ExecContext(ctx, `DELETE FROM audit_pending WHERE event_id IN (`+placeholders(db.dialect, 1, len(ids))+`)`, ids...)
			return err
		}
		hashes, err := hash(size, recs, hashReader{ctx: ctx, q: tx, d: db.dialect})
		if err != nil {
			return err
		}
		leaves := make([]any, 0, 2*len(recs))
		for i, r := range recs {
			leaves = append(leaves, size+int64(i), r.Event.ID)
		}
		if err := insertChunks(ctx, tx, `INSERT INTO audit_leaves (leaf_index, event_id) VALUES `, 2, leaves); err != nil {
			return err
		}
		first := tlog.StoredHashIndex(0, size)
		vals := make([]any, 0, 2*len(hashes))
		for i, h := range hashes {
			vals = append(vals, first+int64(i), h[:])
		}
		if err := insertChunks(ctx, tx, `INSERT INTO audit_tree (idx, hash) VALUES `, 2, vals); err != nil {
			return err
		}
		for len(ids) > 0 {
			k := min(len(ids), 500)
			if _, err := tx.ExecContext(ctx, `DELETE FROM audit_pending WHERE event_id IN (`+placeholders(db.dialect, 1, k)+`)`, ids[:k]...); err != nil {
				return err
			}
			ids = ids[k:]
		}
		n = len(recs)
		return nil
	})
	if err == nil && top > 0 {
		for c := db.seqCursor.Load(); c < top && !db.seqCursor.CompareAndSwap(c, top); c = db.seqCursor.Load() {
		}
	}
	return n, err
}

// pendingIDs reads up to limit queued event ids above after, in id order.
func pendingIDs(ctx context.Context, tx *Tx, after int64, limit int) ([]any, error) {
	rows, err := tx.QueryContext(ctx, `SELECT event_id FROM audit_pending WHERE event_id > $1 ORDER BY event_id LIMIT $2`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// insertChunks inserts rows of width values (args, row after row) with
// head + "(…),(…)", 500 rows a statement.
func insertChunks(ctx context.Context, tx *Tx, head string, width int, args []any) error {
	const chunk = 500
	for len(args) > 0 {
		rows := min(len(args)/width, chunk)
		var sb strings.Builder
		sb.WriteString(head)
		for r := range rows {
			if r > 0 {
				sb.WriteByte(',')
			}
			sb.WriteByte('(')
			sb.WriteString(placeholders(tx.db.dialect, 1+r*width, width))
			sb.WriteByte(')')
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args[:rows*width]...); err != nil {
			return err
		}
		args = args[rows*width:]
	}
	return nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// hashReader reads stored tree hashes (tlog.HashReader).
type hashReader struct {
	ctx context.Context
	q   querier
	d   Dialect
}

func (r hashReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	pos := make(map[int64][]int, len(indexes))
	for i, x := range indexes {
		pos[x] = append(pos[x], i)
	}
	for start := 0; start < len(indexes); start += 500 {
		part := indexes[start:min(len(indexes), start+500)]
		args := make([]any, len(part))
		for i, x := range part {
			args[i] = x
		}
		rows, err := r.q.QueryContext(r.ctx, `SELECT idx, hash FROM audit_tree WHERE idx IN (`+placeholders(r.d, 1, len(part))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var idx int64
			var h []byte
			if err := rows.Scan(&idx, &h); err != nil {
				rows.Close()
				return nil, err
			}
			if len(h) != tlog.HashSize {
				rows.Close()
				return nil, fmt.Errorf("audit tree hash %d has %d bytes", idx, len(h))
			}
			for _, i := range pos[idx] {
				copy(out[i][:], h)
			}
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	for i, x := range indexes {
		if out[i] == (tlog.Hash{}) {
			return nil, fmt.Errorf("audit tree hash %d is missing", x)
		}
	}
	return out, nil
}

// AuditHashReader reads the stored hashes of the audit log's tree.
func (db *DB) AuditHashReader(ctx context.Context) tlog.HashReader {
	return hashReader{ctx: ctx, q: db.read, d: db.dialect}
}

// AuditTreeSize returns the number of leaves of the audit log's tree.
func (db *DB) AuditTreeSize(ctx context.Context) (int64, error) {
	var n int64
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(leaf_index)+1, 0) FROM audit_leaves`).Scan(&n)
	return n, err
}

// AuditLeaf returns the record at a leaf of the audit log; not_found if
// there is no such leaf or its event is gone.
func (db *DB) AuditLeaf(ctx context.Context, leaf int64) (AuditRecord, error) {
	row := db.read.QueryRowContext(ctx, `SELECT `+auditColumns+` FROM audit_leaves l JOIN audit_events e ON e.id = l.event_id WHERE l.leaf_index = $1`, leaf)
	e, salt, err := scanAuditEvent(row)
	if err == sql.ErrNoRows {
		return AuditRecord{}, apperr.New(apperr.NotFound, "no audit log leaf %d", leaf)
	}
	return AuditRecord{Event: e, Salt: salt}, err
}

// UnloggedAuditEvents returns up to limit ids of audit events that are
// neither in the tree nor pending for it: rows put into audit_events
// behind the application's back (with the trigger that queues them
// disabled).
func (db *DB) UnloggedAuditEvents(ctx context.Context, limit int) ([]int64, error) {
	var ids []int64
	err := db.longRead(ctx, func(q querier) error {
		rows, err := q.QueryContext(ctx, `SELECT e.id FROM audit_events e
			WHERE NOT EXISTS (SELECT 1 FROM audit_leaves l WHERE l.event_id = e.id)
			AND NOT EXISTS (SELECT 1 FROM audit_pending p WHERE p.event_id = e.id)
			ORDER BY e.id LIMIT $1`, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	})
	return ids, err
}

// CountUnloggedAuditEvents returns how many audit events are neither at a
// leaf nor waiting for one, in one snapshot, provided that the leaves
// below size hold size distinct events that all exist (the verifier has
// checked that when it calls this): the events counted less the size,
// less those at a later leaf or pending and not at a leaf below size. It
// is UnloggedAuditEvents without reading the whole table's keys against
// the leaves; a result other than 0 calls for UnloggedAuditEvents.
func (db *DB) CountUnloggedAuditEvents(ctx context.Context, size int64) (int64, error) {
	var n int64
	err := db.longRead(ctx, func(q querier) error {
		rows, err := q.QueryContext(ctx, `SELECT (SELECT COUNT(*) FROM audit_events) - $1 - (SELECT COUNT(*) FROM audit_events e
			WHERE e.id IN (SELECT event_id FROM audit_leaves WHERE leaf_index >= $1 UNION SELECT event_id FROM audit_pending)
			AND NOT EXISTS (SELECT 1 FROM audit_leaves l WHERE l.event_id = e.id AND l.leaf_index < $1))`, size)
		if err != nil {
			return err
		}
		defer rows.Close()
		if !rows.Next() {
			return errors.Join(rows.Err(), sql.ErrNoRows)
		}
		if err := rows.Scan(&n); err != nil {
			return err
		}
		return rows.Close()
	})
	return n, err
}

// longRead runs fn's reads, which may take minutes on a large log, free of
// the PostgreSQL time limits the server sets on every connection
// (KANSRIJK_DB_STATEMENT_TIMEOUT, KANSRIJK_DB_IDLE_TX_TIMEOUT): in a
// read-only transaction that lifts them for itself only.
func (db *DB) longRead(ctx context.Context, fn func(q querier) error) error {
	if db.dialect != Postgres {
		return fn(db.read)
	}
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `SET LOCAL idle_in_transaction_session_timeout = 0`); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// AuditPending returns the number of committed audit events not yet in
// the tree.
func (db *DB) AuditPending(ctx context.Context) (int64, error) {
	var n int64
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM audit_pending`).Scan(&n)
	return n, err
}

// AuditCheckpoint is a signed checkpoint as stored: the note text
// verbatim, with its size, root (base64) and time as separate columns.
type AuditCheckpoint struct {
	ID   int64
	Size int64
	Root string
	At   time.Time
	Note string
}

// AddAuditCheckpoint stores a signed checkpoint.
func (db *DB) AddAuditCheckpoint(ctx context.Context, c AuditCheckpoint) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_checkpoints (size, root, at, note) VALUES ($1,$2,$3,$4)`, c.Size, c.Root, ts(c.At), c.Note)
		return err
	})
}

// LatestAuditCheckpoint returns the stored checkpoint of the largest size
// (the newest of those); not_found before the first.
func (db *DB) LatestAuditCheckpoint(ctx context.Context) (AuditCheckpoint, error) {
	var c AuditCheckpoint
	var at timeCol
	err := db.read.QueryRowContext(ctx, `SELECT id, size, root, at, note FROM audit_checkpoints ORDER BY size DESC, id DESC LIMIT 1`).
		Scan(&c.ID, &c.Size, &c.Root, &at, &c.Note)
	if err == sql.ErrNoRows {
		return c, apperr.New(apperr.NotFound, "the audit log has no checkpoint yet")
	}
	c.At = at.T
	return c, err
}

// AuditCheckpoints lists every stored checkpoint in the order they were
// stored.
func (db *DB) AuditCheckpoints(ctx context.Context) ([]AuditCheckpoint, error) {
	out, err := queryList(ctx, db.read, func(row rowScanner) (AuditCheckpoint, error) {
		var c AuditCheckpoint
		var at timeCol
		err := row.Scan(&c.ID, &c.Size, &c.Root, &at, &c.Note)
		c.At = at.T
		return c, err
	}, `SELECT id, size, root, at, note FROM audit_checkpoints ORDER BY id`)
	return out, err
}

// AuditVerification is the stored result of one verification of the
// audit log.
type AuditVerification struct {
	At      time.Time
	OK      bool
	Size    int64
	Message string
}

// AddAuditVerification stores the result of a verification.
func (db *DB) AddAuditVerification(ctx context.Context, v AuditVerification) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_verifications (at, ok, size, message) VALUES ($1,$2,$3,$4)`,
			ts(v.At), v.OK, v.Size, truncate(v.Message, 2000))
		return err
	})
}

// LastAuditVerification returns the newest verification result;
// not_found before the first.
func (db *DB) LastAuditVerification(ctx context.Context) (AuditVerification, error) {
	var v AuditVerification
	var at timeCol
	err := db.read.QueryRowContext(ctx, `SELECT at, ok, size, message FROM audit_verifications ORDER BY id DESC LIMIT 1`).
		Scan(&at, &v.OK, &v.Size, &v.Message)
	if err == sql.ErrNoRows {
		return v, apperr.New(apperr.NotFound, "the audit log has not been verified yet")
	}
	v.At = at.T
	return v, err
}

// AuditVerificationFailures returns the number of failed verifications.
func (db *DB) AuditVerificationFailures(ctx context.Context) (int64, error) {
	var n int64
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM audit_verifications WHERE NOT ok`).Scan(&n)
	return n, err
}

// MailDPOs queues an e-mail to every active user with the dpo role in the
// outbox, and returns to how many.
func (db *DB) MailDPOs(ctx context.Context, subject, body string) (int, error) {
	return db.mailRole(ctx, account.DPO, subject, body)
}

// mailRole queues an e-mail to every active user with the role in the
// outbox, in one transaction, and returns to how many.
func (db *DB) mailRole(ctx context.Context, role account.Role, subject, body string) (int, error) {
	n := 0
	err := db.inTx(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, org_key FROM users WHERE role = $1 AND active ORDER BY id`, string(role))
		if err != nil {
			return err
		}
		type to struct {
			id  int64
			org string
		}
		var tos []to
		for rows.Next() {
			var t to
			if err := rows.Scan(&t.id, &t.org); err != nil {
				rows.Close()
				return err
			}
			tos = append(tos, t)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, t := range tos {
			if err := enqueueStaffMail(ctx, tx, t.id, t.org, subject, body); err != nil {
				return err
			}
		}
		n = len(tos)
		return nil
	})
	return n, err
}

// AppendAuditEvents writes audit events in one transaction, many rows a
// statement, exactly as the store writes the events of its own changes
// (for benchmarks and tests of the audit log, and bulk work).
func (db *DB) AppendAuditEvents(ctx context.Context, evs ...audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		args := make([]any, 0, len(evs)*auditWidth)
		for _, ev := range evs {
			args = append(args, auditArgs(tx.now, ev)...)
		}
		return insertRows(ctx, tx, auditInsert, "", auditWidth, args, nil)
	})
}
