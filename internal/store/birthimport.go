package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/birth"
)

// A staged birth import (issue 14): the checked rows of one file are
// written to birth_import_rows (migration 00031) in transactions of
// stageChunk rows — COPY on PostgreSQL, multi-row INSERTs on SQLite — so
// that on SQLite's single writer other writes (the group commit of
// audited reads, other clinics' batches) pass between the chunks. Commit
// then moves the whole file into birth_batches, birth_notifications,
// birth_parents and audit_events in one transaction of set-based
// INSERT … SELECT statements (their plans are fixed, see stagedFrom): all of the file or nothing, each created
// notification with its birth.create event (as insertBirth writes it,
// with a fresh salt from crypto/rand) and the batch with its birth.batch
// event. The staged rows are deleted afterwards, in chunks.

// stageChunk is the number of rows staged in one transaction.
const stageChunk = 500

// stageColumns are birth_import_rows' columns in the order Add fills them.
var stageColumns = []string{"import_id", "line", "natural_key", "team_key", "municipality_nis", "child_birth_date", "language", "early_contact",
	"clinic_reference", "detail", "salt",
	"m_name", "m_street", "m_number", "m_box", "m_postcode", "m_nis", "m_phone", "m_email", "m_language", "m_duplicate_key",
	"co_parent", "c_name", "c_street", "c_number", "c_box", "c_postcode", "c_nis", "c_phone", "c_email", "c_language", "c_duplicate_key",
	"staged_at"}

// BirthImport is one file being imported by a clinic.
type BirthImport struct {
	db     *DB
	a      account.Actor
	id     string
	router birthRouter
	now    time.Time
	chunk  [][]any
	staged int
	closed bool
	// long: no statement timeout for the move (PostgreSQL), see Long.
	long bool
}

// Long lifts PostgreSQL's statement timeout (KANSRIJK_DB_STATEMENT_TIMEOUT)
// for the statements that move and delete the staged rows: the command
// line's import of a year of births is one batch of 65,000 rows and more.
func (im *BirthImport) Long() { im.long = true }

// BeginBirthImport starts a staged import for the clinic a. Clinics
// only (the command line acts as the clinic it names).
func (db *DB) BeginBirthImport(ctx context.Context, a account.Actor) (*BirthImport, error) {
	if a.Role != account.Clinic {
		return nil, db.denyAction(ctx, a, auditBirthBatch, "birth_batch", purposeBirthNotification,
			forbiddenBirth("only a maternity clinic sends batches of birth notifications"))
	}
	router, err := loadAllBirthRouter(ctx, db.read)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return &BirthImport{db: db, a: a, id: hex.EncodeToString(b), router: router, now: db.Now().UTC()}, nil
}

// loadAllBirthRouter reads every team area: a few thousand rows at most.
func loadAllBirthRouter(ctx context.Context, q queryer) (birthRouter, error) {
	rows, err := q.QueryContext(ctx, `SELECT municipality_nis, team_key, valid_from, valid_to FROM team_areas ORDER BY team_key`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	r := birthRouter{}
	for rows.Next() {
		var n string
		var ar birthArea
		var from, to timeCol
		if err := rows.Scan(&n, &ar.team, &from, &to); err != nil {
			return nil, err
		}
		ar.from = day(from.T)
		if to.Valid {
			ar.to = day(to.T)
		}
		r[n] = append(r[n], ar)
	}
	return r, rows.Err()
}

// Staged is the number of rows staged so far.
func (im *BirthImport) Staged() int { return im.staged }

// Add stages the checked row in of line with its natural key, routed as
// insertBirth routes it. Every stageChunk rows go in one transaction.
func (im *BirthImport) Add(ctx context.Context, line int, in *birth.NewNotification, key string) error {
	team := im.router.route(in.Mother.MunicipalityNIS, in.BirthDate)
	detail := "queue=" + queueOf(team)
	if team != "" {
		detail += " team=" + team
	}
	var born any = day(in.BirthDate)
	var staged any = ts(im.now)
	if im.db.dialect == Postgres {
		born, staged = in.BirthDate, im.now
	}
	m, c := in.Mother, birth.Parent{}
	if in.CoParent != nil {
		c = *in.CoParent
	}
	cdup := ""
	if in.CoParent != nil {
		cdup = birth.DuplicateKey(c.Name, in.BirthDate)
	}
	im.chunk = append(im.chunk, []any{im.id, line, key, nullStr(team), m.MunicipalityNIS, born, m.Language, in.EarlyContactRequested,
		in.ClinicReference, detail, newAuditSalt(),
		m.Name, m.Street, m.Number, m.Box, m.Postcode, m.MunicipalityNIS, m.Phone, m.Email, m.Language, birth.DuplicateKey(m.Name, in.BirthDate),
		in.CoParent != nil, c.Name, c.Street, c.Number, c.Box, c.Postcode, c.MunicipalityNIS, c.Phone, c.Email, c.Language, cdup,
		staged})
	if len(im.chunk) >= stageChunk {
		return im.flush(ctx)
	}
	return nil
}

// flush writes the rows of the current chunk in a transaction of their
// own.
func (im *BirthImport) flush(ctx context.Context) error {
	if len(im.chunk) == 0 {
		return nil
	}
	var err error
	if im.db.dialect == Postgres {
		err = im.copyChunk(ctx)
	} else {
		args := make([]any, 0, len(im.chunk)*len(stageColumns))
		for _, r := range im.chunk {
			args = append(args, r...)
		}
		err = im.db.inTx(ctx, func(tx *Tx) error {
			return insertRows(ctx, tx, `INSERT INTO birth_import_rows (`+strings.Join(stageColumns, ", ")+`) VALUES `, "", len(stageColumns), args, nil)
		})
	}
	if err != nil {
		return fmt.Errorf("stage birth import rows: %w", err)
	}
	im.staged += len(im.chunk)
	im.chunk = im.chunk[:0]
	return nil
}

// copyChunk writes the chunk with COPY (its own transaction).
func (im *BirthImport) copyChunk(ctx context.Context) error {
	conn, err := im.db.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("not a pgx connection: %T", dc)
		}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{"birth_import_rows"}, stageColumns, pgx.CopyFromRows(im.chunk))
		return err
	})
}

// BirthImportResult is what Commit did with the staged rows.
type BirthImportResult struct {
	BatchID         int64
	AlreadyReceived bool
	Created         int
	Existing        int
}

// BirthImportRow is the outcome of one staged row: created now, or
// existing (stored before under the same natural key; ID 0 when its data
// are gone by now).
type BirthImportRow struct {
	Line   int
	Status string
	ID     int64
	Team   string
}

// Commit moves the staged rows into the real tables in one transaction
// as the batch of the file sha (rowCount rows read, rejected of them
// refused, partial: the clinic accepted that), and then calls each (when
// set) for every staged row in line order.
// A file this clinic sent before stores nothing ("already received").
// The staged rows are deleted afterwards, whatever the outcome.
func (im *BirthImport) Commit(ctx context.Context, sha string, rowCount, rejected int, partial bool, each func(BirthImportRow) error) (res BirthImportResult, err error) {
	defer apperr.Wrap(&err, "store.BirthImport.Commit")
	defer im.Abort(ctx)
	if err := im.flush(ctx); err != nil {
		return res, err
	}
	if im.long && im.db.dialect == SQLite {
		// The writer keeps statement journals in memory (store.go): for
		// the move of a large file that is the original of every page it
		// changes, 150 MB more at 100,000 rows. On disk for this one.
		if _, err := im.db.write.ExecContext(ctx, `PRAGMA temp_store = FILE`); err != nil {
			return res, err
		}
		defer im.db.write.ExecContext(context.WithoutCancel(ctx), `PRAGMA temp_store = MEMORY`)
	}
	// The same file sent twice at once: on PostgreSQL the second insert
	// of the batch waits for the first and then violates its unique key;
	// run it once more to find the batch (as ImportBirthBatch does).
	for attempt := 0; ; attempt++ {
		res, err = im.commit(ctx, sha, rowCount, rejected, partial, each)
		if err == nil || attempt > 0 || !isUniqueViolation(err) {
			break
		}
	}
	// The row report is read once the file is in, on the read pool: not
	// while the writer is held.
	if err == nil && each != nil {
		err = im.eachRow(ctx, im.db.read, res.BatchID, res.AlreadyReceived, each)
	}
	if err == nil && res.Created > 0 {
		im.db.afterBulkImport(ctx, statsBirthTables)
	}
	return res, err
}

// stagedFrom returns the staged rows s of the import joined to the
// notifications n of the clinic by natural key, for a FROM clause, with
// cond appended to its WHERE. The staged rows are the outer loop and each
// notification is found by its natural key (birth_notifications_natural):
// on SQLite the join order and both indexes are forced (CROSS JOIN,
// INDEXED BY), because statistics taken while the tables were small (or
// the staging table empty) made it scan every notification for each
// staged row — a 200,000-row file did not finish in ten minutes.
func (im *BirthImport) stagedFrom(clinic, importID, cond string) string {
	if im.db.dialect == SQLite {
		return `birth_import_rows s INDEXED BY birth_import_rows_line CROSS JOIN birth_notifications n INDEXED BY birth_notifications_natural
			WHERE s.import_id = ` + importID + ` AND n.clinic_key = ` + clinic + ` AND n.natural_key = s.natural_key` + cond
	}
	return `birth_import_rows s JOIN birth_notifications n ON n.clinic_key = ` + clinic + ` AND n.natural_key = s.natural_key
		WHERE s.import_id = ` + importID + cond
}

// notifIndex forces the natural-key index of the notifications n on SQLite.
func (im *BirthImport) notifIndex() string {
	if im.db.dialect == SQLite {
		return ` INDEXED BY birth_notifications_natural`
	}
	return ""
}

// stageIndex forces the import's index of the staged rows s on SQLite.
func (im *BirthImport) stageIndex() string {
	if im.db.dialect == SQLite {
		return ` INDEXED BY birth_import_rows_line`
	}
	return ""
}

func (im *BirthImport) commit(ctx context.Context, sha string, rowCount, rejected int, partial bool, each func(BirthImportRow) error) (res BirthImportResult, err error) {
	db, a := im.db, im.a
	pg := db.dialect == Postgres
	cast := func(p, typ string) string {
		if pg {
			return p + "::" + typ
		}
		return p
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		res = BirthImportResult{}
		if pg && im.long {
			// A file this large joins its staged rows to the notifications
			// with hash joins, never a nested loop over them.
			if _, err := tx.ExecContext(ctx, `SET LOCAL statement_timeout = 0; SET LOCAL enable_nestloop = off`); err != nil {
				return err
			}
		}
		err := tx.QueryRowContext(ctx, `SELECT id FROM birth_batches WHERE clinic_key = $1 AND file_sha256 = $2`, a.Org, sha).Scan(&res.BatchID)
		switch {
		case err == nil:
			res.AlreadyReceived = true
		case errors.Is(err, sql.ErrNoRows):
			if err := tx.QueryRowContext(ctx, `INSERT INTO birth_batches (clinic_key, file_sha256, row_count, rejected, partial, created_by, created_at)
				VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`, a.Org, sha, rowCount, rejected, partial, actorName(a), ts(tx.now)).Scan(&res.BatchID); err != nil {
				return err
			}
		default:
			return err
		}
		if !res.AlreadyReceived {
			r, err := tx.ExecContext(ctx, `INSERT INTO birth_notifications (clinic_key, team_key, municipality_nis, child_birth_date, language, early_contact,
				status, batch_id, natural_key, submitted_by, created_at, updated_at, clinic_reference)
				SELECT `+cast("$1", "text")+`, s.team_key, s.municipality_nis, s.child_birth_date, s.language, s.early_contact,
				'new', `+cast("$2", "bigint")+`, s.natural_key, `+cast("$3", "text")+`, `+cast("$4", "timestamptz")+`, `+cast("$4", "timestamptz")+`, s.clinic_reference
				FROM birth_import_rows s`+im.stageIndex()+`
				WHERE s.import_id = $5 AND NOT EXISTS (SELECT 1 FROM birth_notifications n`+im.notifIndex()+` WHERE n.clinic_key = $1 AND n.natural_key = s.natural_key)
				ORDER BY s.line`, a.Org, res.BatchID, actorName(a), ts(tx.now), im.id)
			if err != nil {
				return err
			}
			n, err := r.RowsAffected()
			if err != nil {
				return err
			}
			res.Created = int(n)
			if pg && im.long {
				// The statistics still say the batch has no notifications and
				// the staging table no rows: PostgreSQL then joins by scanning
				// every staged row for each notification (a 1,000,000-row file
				// did not move in 20 minutes). ANALYZE counts this
				// transaction's own rows.
				if _, err := tx.ExecContext(ctx, `ANALYZE birth_notifications, birth_import_rows`); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO birth_parents (notification_id, idx, name, street, number, box, postcode, municipality_nis, phone, email,
				language, duplicate_key)
				SELECT n.id, 0, s.m_name, s.m_street, s.m_number, s.m_box, s.m_postcode, s.m_nis, s.m_phone, s.m_email, s.m_language, s.m_duplicate_key
				FROM `+im.stagedFrom("$1", "$2", " AND n.batch_id = $3")+`
				UNION ALL
				SELECT n.id, 1, s.c_name, s.c_street, s.c_number, s.c_box, s.c_postcode, s.c_nis, s.c_phone, s.c_email, s.c_language, s.c_duplicate_key
				FROM `+im.stagedFrom("$1", "$2", " AND n.batch_id = $3 AND s.co_parent"), a.Org, im.id, res.BatchID); err != nil {
				return err
			}
			// The events as insertBirth writes them (birthCreateAudit,
			// auditArgs): the template's values, the notification's id, its
			// queue, team and batch, the staged salt.
			tmpl := auditArgs(tx.now, birthCreateAudit(a, 0, "", 0))
			if _, err := tx.ExecContext(ctx, auditInsert[:strings.Index(auditInsert, " VALUES")]+`
				SELECT `+cast("$1", "timestamptz")+`, `+cast("$2", "bigint")+`, `+cast("$3", "text")+`, `+cast("$4", "text")+`, `+cast("$5", "text")+`,
				`+cast("$6", "text")+`, `+cast("$7", "text")+`, CAST(n.id AS TEXT), `+cast("$8", "text")+`, NULL, `+cast("$9", "text")+`,
				`+cast("$10", "text")+`, `+cast("$11", "text")+`, s.detail || `+cast("$12", "text")+`, `+cast("$13", "text")+`, `+cast("$14", "bigint")+`,
				`+cast("$15", "boolean")+`, `+cast("$16", "text")+`, s.salt
				FROM `+im.stagedFrom("$17", "$18", " AND n.batch_id = $19"),
				tmpl[0], tmpl[1], tmpl[2], tmpl[3], tmpl[4], tmpl[5], tmpl[6], tmpl[8], tmpl[10], tmpl[11], tmpl[12],
				fmt.Sprintf(" batch=%d", res.BatchID), tmpl[14], tmpl[15], tmpl[16], tmpl[17], a.Org, im.id, res.BatchID); err != nil {
				return fmt.Errorf("write audit events %s: %w", auditBirthCreate, err)
			}
		}
		res.Existing = im.staged - res.Created
		if !res.AlreadyReceived {
			if _, err := tx.ExecContext(ctx, `UPDATE birth_batches SET created = $1, existing = $2 WHERE id = $3`, res.Created, res.Existing, res.BatchID); err != nil {
				return err
			}
		}
		ev := audit.For(a, auditBirthBatch, "birth_batch", strconv.FormatInt(res.BatchID, 10))
		ev.Purpose = purposeBirthNotification
		ev.Detail = fmt.Sprintf("rows=%d created=%d existing=%d rejected=%d partial=%t already_received=%t",
			rowCount, res.Created, res.Existing, rejected, partial, res.AlreadyReceived)
		return tx.Audit(ctx, ev)
	})
	return res, err
}

// eachRow reports every staged row, in line order, with the notification
// it is now.
func (im *BirthImport) eachRow(ctx context.Context, q queryer, batchID int64, already bool, each func(BirthImportRow) error) error {
	rows, err := q.QueryContext(ctx, `SELECT s.line, COALESCE(n.id, 0), COALESCE(n.team_key, ''), COALESCE(n.batch_id, 0)
		FROM birth_import_rows s`+im.stageIndex()+` LEFT JOIN birth_notifications n`+im.notifIndex()+` ON n.clinic_key = $1 AND n.natural_key = s.natural_key
		WHERE s.import_id = $2 ORDER BY s.line`, im.a.Org, im.id)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r BirthImportRow
		var batch int64
		if err := rows.Scan(&r.Line, &r.ID, &r.Team, &batch); err != nil {
			return err
		}
		r.Status = birth.RowExisting
		if batch == batchID && !already {
			r.Status = birth.RowCreated
		}
		if err := each(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Abort deletes the staged rows (Commit does so itself); a second call
// does nothing. On SQLite it deletes them a chunk per transaction.
func (im *BirthImport) Abort(ctx context.Context) {
	if im.closed {
		return
	}
	im.closed = true
	im.chunk = nil
	ctx = context.WithoutCancel(ctx)
	if im.db.dialect == Postgres {
		_ = im.db.inTx(ctx, func(tx *Tx) error {
			if im.long {
				if _, err := tx.ExecContext(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
					return err
				}
			}
			_, err := tx.ExecContext(ctx, `DELETE FROM birth_import_rows WHERE import_id = $1`, im.id)
			return err
		})
		return
	}
	for {
		var n int64
		err := im.db.inTx(ctx, func(tx *Tx) error {
			r, err := tx.ExecContext(ctx, `DELETE FROM birth_import_rows INDEXED BY birth_import_rows_line WHERE import_id = $1 AND line IN
				(SELECT line FROM birth_import_rows INDEXED BY birth_import_rows_line WHERE import_id = $1 LIMIT 5000)`, im.id)
			if err != nil {
				return err
			}
			n, err = r.RowsAffected()
			return err
		})
		if err != nil || n == 0 {
			return
		}
	}
}

// Checker checks the rows of the import's file as ImportBirthBatch checks
// a batch's (birth.CheckBatch), on today's date.
func (im *BirthImport) Checker() *birth.Checker {
	return birth.NewChecker(im.a.Org, im.db.Municipalities, today(im.db.Now()))
}

// PurgeStaleBirthImports deletes staged rows older than a day: what an
// import that crashed left behind (an import deletes its own rows). The
// command line's import runs it first, the daily births job every day.
func (db *DB) PurgeStaleBirthImports(ctx context.Context) (int64, error) {
	var cutoff any = ts(db.Now().Add(-24 * time.Hour))
	if db.dialect == Postgres {
		cutoff = db.Now().Add(-24 * time.Hour)
	}
	var n int64
	err := db.inTx(ctx, func(tx *Tx) error {
		r, err := tx.ExecContext(ctx, `DELETE FROM birth_import_rows WHERE staged_at < $1`, cutoff)
		if err != nil {
			return err
		}
		n, err = r.RowsAffected()
		return err
	})
	return n, err
}
