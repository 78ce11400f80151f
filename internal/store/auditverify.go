package store

// The reads of `audit verify` (issue 14): the leaves of the audit log with
// their events, and the stored hashes of the tree, in chunks of
// consecutive leaves, each reader on a read connection of its own so that
// several chunks are read (and hashed by the caller) at once. Rows are
// read below database/sql: pgx's binary rows on PostgreSQL, the SQLite
// driver's rows on SQLite, so that a row costs no value conversions and,
// on PostgreSQL, no string per column.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"
	"unsafe"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"golang.org/x/mod/sumdb/tlog"

	"kansrijk/internal/audit"
)

// AuditLeafRow is one leaf as AuditChunk holds it: Found is false when
// the leaf's event is missing from audit_events (Record is then empty).
type AuditLeafRow struct {
	Index   int64
	EventID int64
	Found   bool
	Record  AuditRecord
}

// AuditChunk is what the store holds about the leaves From ≤ i < To of
// the audit log: the leaves with their events (LEFT JOIN: a leaf whose
// event was removed has Found false), in leaf order, and the stored hashes
// of the tree from tlog.StoredHashIndex(0, From) up to
// tlog.StoredHashIndex(0, To), Hashes[k] being the one at index
// HashFrom+k (the zero hash when that row is missing or not a hash).
//
// The strings and salts of the records may point into memory the chunk
// reuses: they are valid until the chunk is read into again.
type AuditChunk struct {
	From, To int64
	Leaves   []AuditLeafRow
	HashFrom int64
	Hashes   []tlog.Hash
	arena    []byte
	pos      []int32 // indexEvents
}

func (c *AuditChunk) reset(from, to int64) {
	c.From, c.To = from, to
	if n := int(to - from); cap(c.Leaves) < n {
		c.Leaves = make([]AuditLeafRow, 0, n)
		c.arena = make([]byte, 0, n*192) // the strings and salt of a typical event
	}
	c.Leaves = c.Leaves[:0]
	c.HashFrom = tlog.StoredHashIndex(0, from)
	n := int(tlog.StoredHashIndex(0, to) - c.HashFrom)
	if cap(c.Hashes) < n {
		c.Hashes = make([]tlog.Hash, n)
	}
	c.Hashes = c.Hashes[:n]
	clear(c.Hashes)
	c.arena = c.arena[:0]
}

// setHash stores the hash row idx, b into the chunk.
func (c *AuditChunk) setHash(idx int64, b []byte) {
	k := idx - c.HashFrom
	if k < 0 || k >= int64(len(c.Hashes)) || len(b) != tlog.HashSize {
		return // a hash of the wrong length never matches: left zero
	}
	copy(c.Hashes[k][:], b)
}

// salt hex-decodes s into the chunk's arena.
func (c *AuditChunk) salt(id int64, s []byte) ([]byte, error) {
	start := len(c.arena)
	var err error
	if c.arena, err = hex.AppendDecode(c.arena, s); err != nil {
		c.arena = c.arena[:start]
		return nil, fmt.Errorf("audit event %d: salt is not hex: %w", id, err)
	}
	return c.arena[start:len(c.arena):len(c.arena)], nil
}

// text copies b into the chunk's arena and returns it as a string.
func (c *AuditChunk) text(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	start := len(c.arena)
	c.arena = append(c.arena, b...)
	return unsafe.String(&c.arena[start], len(b))
}

const auditChunkLeaves = `SELECT l.leaf_index, l.event_id, ` + auditColumns + `
		FROM audit_leaves l LEFT JOIN audit_events e ON e.id = l.event_id
		WHERE l.leaf_index >= $1 AND l.leaf_index < $2 ORDER BY l.leaf_index`

const auditChunkLeafIDs = `SELECT leaf_index, event_id FROM audit_leaves WHERE leaf_index >= $1 AND leaf_index < $2 ORDER BY leaf_index`

const auditChunkEvents = `SELECT ` + auditColumns + ` FROM audit_events e WHERE e.id >= $1 AND e.id <= $2 ORDER BY e.id`

const auditChunkTree = `SELECT idx, hash FROM audit_tree WHERE idx >= $1 AND idx < $2 ORDER BY idx`

// ReadConns returns how many connections the read pool may open (0: no
// limit).
func (db *DB) ReadConns() int { return db.read.Stats().MaxOpenConnections }

// AuditChunkReader takes a read connection of its own and calls fn with a
// function that reads the chunk of leaves from ≤ i < to into c (see
// AuditChunk). The reads are free of the PostgreSQL time limits the
// server sets (as longRead's). The read function must not be used after
// fn returns.
func (db *DB) AuditChunkReader(ctx context.Context, fn func(read func(c *AuditChunk, from, to int64) error) error) error {
	conn, err := db.read.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		if db.dialect == Postgres {
			sc, ok := dc.(*stdlib.Conn)
			if !ok {
				return fmt.Errorf("audit chunks: unexpected PostgreSQL driver connection %T", dc)
			}
			return pgAuditChunks(ctx, sc.Conn(), fn)
		}
		q, ok := dc.(driver.QueryerContext)
		if !ok {
			return fmt.Errorf("audit chunks: unexpected SQLite driver connection %T", dc)
		}
		return fn(func(c *AuditChunk, from, to int64) error { return sqliteAuditChunk(ctx, q, c, from, to) })
	})
}

// sqliteAuditChunk reads a chunk through the SQLite driver's rows. A
// column of an unexpected type (SQLite stores whatever it is given) is
// converted exactly as database/sql's Scan into the store's usual
// destination types would.
func sqliteAuditChunk(ctx context.Context, q driver.QueryerContext, c *AuditChunk, from, to int64) error {
	c.reset(from, to)
	rows, err := q.QueryContext(ctx, auditChunkLeaves, []driver.NamedValue{{Ordinal: 1, Value: from}, {Ordinal: 2, Value: to}})
	if err != nil {
		return err
	}
	vals := make([]driver.Value, 22)
	err = func() error {
		defer rows.Close()
		for {
			if err := rows.Next(vals); err != nil {
				if err == io.EOF {
					return nil
				}
				return err
			}
			var lr AuditLeafRow
			if err := sqlInt(vals[0], &lr.Index); err != nil {
				return scanErr(0, err)
			}
			if err := sqlInt(vals[1], &lr.EventID); err != nil {
				return scanErr(1, err)
			}
			if vals[2] == nil {
				c.Leaves = append(c.Leaves, lr)
				continue
			}
			e := &lr.Record.Event
			var at timeCol
			var salt string
			for i, dst := range [...]*int64{2: &e.ID, 4: &e.ActorUserID, 12: &e.AgreementID, 18: &e.TokenID} {
				if dst != nil {
					if err := sqlInt(vals[i], dst); err != nil {
						return scanErr(i, err)
					}
				}
			}
			for i, dst := range [...]*string{5: &e.ActorEmail, 6: &e.ActorRole, 7: &e.ActorOrg, 8: &e.Action, 9: &e.ObjectType,
				10: &e.ObjectID, 11: &e.Purpose, 13: &e.Outcome, 14: &e.RequestID, 15: &e.ClientAddr, 16: &e.Detail,
				17: &e.Channel, 20: &e.ReceiptCode, 21: &salt} {
				if dst != nil {
					if err := sqlText(vals[i], dst); err != nil {
						return scanErr(i, err)
					}
				}
			}
			if t, ok := parseStoreTime(vals[3]); ok {
				e.At = t
			} else if err := at.Scan(vals[3]); err != nil {
				return scanErr(3, err)
			} else {
				e.At = at.T
			}
			if err := sqlBool(vals[19], &e.ActorService); err != nil {
				return scanErr(19, err)
			}
			s, err := c.salt(e.ID, []byte(salt))
			if err != nil {
				return err
			}
			lr.Found, lr.Record.Salt = true, s
			c.Leaves = append(c.Leaves, lr)
		}
	}()
	if err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, auditChunkTree, []driver.NamedValue{{Ordinal: 1, Value: c.HashFrom}, {Ordinal: 2, Value: c.HashFrom + int64(len(c.Hashes))}})
	if err != nil {
		return err
	}
	defer rows.Close()
	vals = vals[:2]
	for {
		if err := rows.Next(vals); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		var idx int64
		if err := sqlInt(vals[0], &idx); err != nil {
			return scanErr(0, err)
		}
		var b []byte
		switch h := vals[1].(type) {
		case []byte:
			b = h
		default:
			if err := convertBytes(h, &b); err != nil {
				return scanErr(1, err)
			}
		}
		c.setHash(idx, b)
	}
}

func scanErr(i int, err error) error {
	return fmt.Errorf("sql: Scan error on column index %d: %w", i, err)
}

// sqlText, sqlInt, sqlBool and convertBytes store a driver value as
// database/sql's Scan into a sql.NullString, sql.NullInt64, sql.NullBool
// or []byte does (NULL gives the zero value).
func sqlText(v driver.Value, dst *string) error {
	if s, ok := v.(string); ok {
		*dst = s
		return nil
	}
	var ns sql.NullString
	err := ns.Scan(v)
	*dst = ns.String
	return err
}

func sqlInt(v driver.Value, dst *int64) error {
	if n, ok := v.(int64); ok {
		*dst = n
		return nil
	}
	var ni sql.NullInt64
	err := ni.Scan(v)
	*dst = ni.Int64
	return err
}

func sqlBool(v driver.Value, dst *bool) error {
	if n, ok := v.(int64); ok && (n == 0 || n == 1) {
		*dst = n == 1
		return nil
	}
	var nb sql.NullBool
	err := nb.Scan(v)
	*dst = nb.Bool
	return err
}

func convertBytes(v driver.Value, dst *[]byte) error {
	var nb sql.Null[[]byte]
	err := nb.Scan(v)
	*dst = nb.V
	return err
}

// PostgreSQL type oids and the binary format code.
const (
	oidBool        = 16
	oidBytea       = 17
	oidInt8        = 20
	oidText        = 25
	oidTimestamptz = 1184
)

// The types of the columns of auditChunkLeaves on PostgreSQL.
var pgAuditLeafTypes = [22]uint32{oidInt8, oidInt8, oidInt8, oidTimestamptz, oidInt8, oidText, oidText, oidText, oidText,
	oidText, oidText, oidText, oidInt8, oidText, oidText, oidText, oidText, oidText, oidInt8, oidBool, oidText, oidText}

var pgBinary = pgx.QueryResultFormats{pgx.BinaryFormatCode}

// pgAuditChunks reads chunks with pgx in binary format, in one read-only
// transaction that lifts the server's time limits for itself.
func pgAuditChunks(ctx context.Context, conn *pgx.Conn, fn func(read func(c *AuditChunk, from, to int64) error) error) error {
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `SET LOCAL idle_in_transaction_session_timeout = 0`); err != nil {
		return err
	}
	// A chunk is a few thousand leaves of a table of millions: look its
	// events up by key. A hash or merge join would read the whole events
	// table for every chunk (the planner picks one while the table is
	// small).
	if _, err := tx.Exec(ctx, `SET LOCAL enable_hashjoin = off`); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `SET LOCAL enable_mergejoin = off`); err != nil {
		return err
	}
	if err := fn(func(c *AuditChunk, from, to int64) error { return pgAuditChunk(ctx, tx, c, from, to) }); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

func pgAuditChunk(ctx context.Context, tx pgx.Tx, c *AuditChunk, from, to int64) error {
	c.reset(from, to)
	// The leaves first, then their events by a range of ids when the
	// leaves' ids are dense (as the sequencer appends them), matched here:
	// a range scan costs the server about half of a key lookup per leaf.
	rows, err := tx.Query(ctx, auditChunkLeafIDs, pgx.QueryExecModeCacheStatement, pgBinary, from, to)
	if err != nil {
		return err
	}
	lo, hi := int64(1<<63-1), int64(-1<<63)
	err = func() error {
		defer rows.Close()
		if err := pgCheckTypes(rows, []uint32{oidInt8, oidInt8}); err != nil {
			return err
		}
		for rows.Next() {
			v := rows.RawValues()
			lr := AuditLeafRow{Index: pgInt8(v[0]), EventID: pgInt8(v[1])}
			lo, hi = min(lo, lr.EventID), max(hi, lr.EventID)
			c.Leaves = append(c.Leaves, lr)
		}
		return rows.Err()
	}()
	if err != nil {
		return err
	}
	if len(c.Leaves) > 0 && c.indexEvents(lo, hi) {
		rows, err = tx.Query(ctx, auditChunkEvents, pgx.QueryExecModeCacheStatement, pgBinary, lo, hi)
		if err != nil {
			return err
		}
		err = func() error {
			defer rows.Close()
			if err := pgCheckTypes(rows, pgAuditLeafTypes[2:]); err != nil {
				return err
			}
			for rows.Next() {
				v := rows.RawValues()
				k := c.pos[pgInt8(v[0])-lo]
				if k < 0 {
					continue // an event at no leaf of this chunk
				}
				if err := c.pgEvent(&c.Leaves[k], v); err != nil {
					return err
				}
			}
			return rows.Err()
		}()
	} else if len(c.Leaves) > 0 {
		err = c.pgJoined(ctx, tx, from, to)
	}
	if err != nil {
		return err
	}
	rows, err = tx.Query(ctx, auditChunkTree, pgx.QueryExecModeCacheStatement, pgBinary, c.HashFrom, c.HashFrom+int64(len(c.Hashes)))
	if err != nil {
		return err
	}
	defer rows.Close()
	if err := pgCheckTypes(rows, []uint32{oidInt8, oidBytea}); err != nil {
		return err
	}
	for rows.Next() {
		v := rows.RawValues()
		c.setHash(pgInt8(v[0]), v[1])
	}
	return rows.Err()
}

// indexEvents maps the event ids lo…hi of the chunk's leaves to the
// leaves' positions (c.pos[id-lo], -1 for none) and reports true, or
// reports false when the range is too sparse or an event is at two
// leaves (the chunk is then read with a join).
func (c *AuditChunk) indexEvents(lo, hi int64) bool {
	if hi < lo || uint64(hi-lo) >= uint64(2*len(c.Leaves)+64) { // hi-lo wraps into uint64 exactly
		return false
	}
	n := int(hi - lo + 1)
	if cap(c.pos) < n {
		c.pos = make([]int32, n)
	}
	c.pos = c.pos[:n]
	for i := range c.pos {
		c.pos[i] = -1
	}
	for k := range c.Leaves {
		p := &c.pos[c.Leaves[k].EventID-lo]
		if *p >= 0 {
			return false
		}
		*p = int32(k)
	}
	return true
}

// pgJoined reads the chunk's leaves with their events by a join.
func (c *AuditChunk) pgJoined(ctx context.Context, tx pgx.Tx, from, to int64) error {
	c.Leaves = c.Leaves[:0]
	rows, err := tx.Query(ctx, auditChunkLeaves, pgx.QueryExecModeCacheStatement, pgBinary, from, to)
	if err != nil {
		return err
	}
	defer rows.Close()
	if err := pgCheckTypes(rows, pgAuditLeafTypes[:]); err != nil {
		return err
	}
	for rows.Next() {
		v := rows.RawValues()
		lr := AuditLeafRow{Index: pgInt8(v[0]), EventID: pgInt8(v[1])}
		if v[2] != nil {
			if err := c.pgEvent(&lr, v[2:]); err != nil {
				return err
			}
		}
		c.Leaves = append(c.Leaves, lr)
	}
	return rows.Err()
}

// pgEvent stores the binary auditColumns v as lr's event.
func (c *AuditChunk) pgEvent(lr *AuditLeafRow, v [][]byte) error {
	id := pgInt8(v[0])
	for i := 1; i < len(v); i++ {
		if v[i] == nil {
			return fmt.Errorf("audit event %d: column %d is NULL", id, i)
		}
	}
	at, err := pgTimestamptz(v[1])
	if err != nil {
		return fmt.Errorf("audit event %d: %w", id, err)
	}
	lr.Record.Event = audit.Event{ID: id, At: at, ActorUserID: pgInt8(v[2]), ActorEmail: c.text(v[3]),
		ActorRole: c.text(v[4]), ActorOrg: c.text(v[5]), Action: c.text(v[6]), ObjectType: c.text(v[7]),
		ObjectID: c.text(v[8]), Purpose: c.text(v[9]), AgreementID: pgInt8(v[10]), Outcome: c.text(v[11]),
		RequestID: c.text(v[12]), ClientAddr: c.text(v[13]), Detail: c.text(v[14]), Channel: c.text(v[15]),
		TokenID: pgInt8(v[16]), ActorService: len(v[17]) == 1 && v[17][0] != 0, ReceiptCode: c.text(v[18])}
	if lr.Record.Salt, err = c.salt(id, v[19]); err != nil {
		return err
	}
	lr.Found = true
	return nil
}

// pgCheckTypes checks that the rows come in binary format with the
// expected types, so that the raw values can be read as such.
func pgCheckTypes(rows pgx.Rows, want []uint32) error {
	fds := rows.FieldDescriptions()
	if len(fds) != len(want) {
		return fmt.Errorf("audit chunk: %d columns, want %d", len(fds), len(want))
	}
	for i, fd := range fds {
		if fd.DataTypeOID != want[i] || fd.Format != pgx.BinaryFormatCode {
			return fmt.Errorf("audit chunk: column %s has type oid %d in format %d, want oid %d in binary", fd.Name, fd.DataTypeOID, fd.Format, want[i])
		}
	}
	return nil
}

// pgInt8 reads a binary int8 (NULL or a short value reads as 0: only
// COALESCEd or NOT NULL columns are read with it, checked by type).
func pgInt8(b []byte) int64 {
	if len(b) != 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(b))
}

// pgTimestamptz reads a binary timestamptz as pgx does: microseconds
// since 2000-01-01 UTC.
func pgTimestamptz(b []byte) (time.Time, error) {
	if len(b) != 8 {
		return time.Time{}, errors.New("a timestamptz of the wrong length")
	}
	us := int64(binary.BigEndian.Uint64(b))
	if us == 1<<63-1 || us == -1<<63 {
		return time.Time{}, errors.New("an infinite timestamptz")
	}
	const y2k = 946684800 * 1000000 // microseconds from the Unix epoch to 2000-01-01
	return time.Unix(y2k/1000000+us/1000000, (y2k%1000000*1000)+(us%1000000*1000)).UTC(), nil
}

// parseStoreTime parses a time in the store's layout (timeLayout, UTC) as
// time.Parse does, by hand; ok is false for anything else (timeCol then
// decides).
func parseStoreTime(v driver.Value) (time.Time, bool) {
	s, isStr := v.(string)
	if !isStr || len(s) != len(timeLayout) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' || s[26] != 'Z' {
		return time.Time{}, false
	}
	num := func(from, to int) (int, bool) {
		n := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	year, ok1 := num(0, 4)
	month, ok2 := num(5, 7)
	day, ok3 := num(8, 10)
	hour, ok4 := num(11, 13)
	minute, ok5 := num(14, 16)
	sec, ok6 := num(17, 19)
	us, ok7 := num(20, 26)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 || !ok7 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	last := 31
	switch month {
	case 4, 6, 9, 11:
		last = 30
	case 2:
		last = 28
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			last = 29
		}
	}
	if day > last {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, us*1000, time.UTC), true
}
