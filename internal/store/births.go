package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/birth"
	"kansrijk/internal/org"
	"kansrijk/internal/referral"
	"kansrijk/internal/suppress"
)

var _ birth.Store = (*DB)(nil)

// Audit actions and purposes of birth notifications.
const (
	auditBirthCreate    = "birth.create"
	auditBirthBatch     = "birth.batch"
	auditBirthRead      = "birth.read"
	auditBirthContact   = "birth.contact"
	auditBirthMerge     = "birth.merge"
	auditBirthMergeInto = "birth.merge_into"
	auditBirthReferral  = "birth.referral_start"
	auditBirthDenied    = "birth.access_denied"
	auditBirthEscalate  = "birth.escalate"
	auditBirthRetention = "birth.retention_delete"
	// purposeBirthNotification: a clinic notifies a birth.
	purposeBirthNotification = audit.PurposeBirthNotification
	// purposeEarlySupport: the local team (or Opgroeien, for its queue)
	// contacts the family to offer preventive support.
	purposeEarlySupport = audit.PurposeEarlySupport
	// purposeDuplicate: a team lead merges two notifications of one family.
	purposeDuplicate = audit.PurposeDuplicateMerge
	// KindBirthEscalated is the outbox notice to a team lead (or Opgroeien)
	// about notifications not picked up in time: ids only.
	KindBirthEscalated = "birth.escalated"
)

func notFoundBirth() error {
	return apperr.New(apperr.NotFound, "no such birth notification").WithKey("error.not_found", nil)
}

func forbiddenBirth(msg string) error {
	return apperr.New(apperr.Forbidden, "%s", msg).WithKey("error.forbidden", nil)
}

func isTeam(a account.Actor) bool { return a.Role == account.TeamWorker || a.Role == account.TeamLead }

// birthDenied is an access outside the actor's scope: answered as
// not_found, audited after the refused transaction (SQLite has one
// writer).
type birthDenied struct{ id int64 }

func (e *birthDenied) Error() string { return "access to birth notification denied" }

// birthTx runs fn in a write transaction; a denied access is audited in a
// transaction of its own and answered as not_found.
func (db *DB) birthTx(ctx context.Context, a account.Actor, fn func(tx *Tx) error) error {
	err := db.inTx(ctx, fn)
	var d *birthDenied
	if errors.As(err, &d) {
		return db.denyBirth(ctx, a, d.id)
	}
	return err
}

// birthRead is birthTx for a read: fn runs in a read-only transaction and
// its audit events are group-committed once it is over (inReadTx).
func (db *DB) birthRead(ctx context.Context, a account.Actor, fn func(tx *Tx) error) error {
	err := db.inReadTx(ctx, fn)
	var d *birthDenied
	if errors.As(err, &d) {
		return db.denyBirth(ctx, a, d.id)
	}
	return err
}

// denyBirth audits a denied access and answers not_found, exactly as for a
// notification that does not exist.
func (db *DB) denyBirth(ctx context.Context, a account.Actor, id int64) error {
	ev := audit.For(a, auditBirthDenied, "birth_notification", strconv.FormatInt(id, 10))
	ev.Outcome = audit.Denied
	if err := db.recordReads(ctx, ev); err != nil {
		return err
	}
	return notFoundBirth()
}

func birthAudit(a account.Actor, action, purpose string, id int64) audit.Event {
	ev := audit.For(a, action, "birth_notification", strconv.FormatInt(id, 10))
	ev.Purpose = purpose
	return ev
}

// RouteBirth returns the local team that receives a notification of a
// birth on day in the municipality nis — the team whose service area held
// nis on that day, so that a birth in 2024 in a municipality that merged
// in 2025 goes by the old code's team, and a 2025 birth by the successor's
// — or "" for Opgroeien's queue when no team covered it.
func (db *DB) RouteBirth(ctx context.Context, nis string, on time.Time) (string, error) {
	return teamFor(ctx, db.read, nis, on)
}

// queueOf names the queue of a team key.
func queueOf(team string) string {
	if team == "" {
		return birth.QueueOpgroeien
	}
	return birth.QueueTeam
}

// insertBirth stores one checked notification of clinic a in tx (SQLite's
// group-committed transaction), routed by the municipality of residence
// on the date of birth, with its parents and its audit record, and returns
// its id and team: the notification with its route in one statement
// (birthNotificationInsert), the parents in one, the event in one, each
// kept prepared on the writer (writegroup.go).
func (db *DB) insertBirth(ctx context.Context, tx *Tx, a account.Actor, in birth.NewNotification) (int64, string, error) {
	var id int64
	var team string
	args := birthNotificationArgs(a, in, tx.now)
	if err := tx.QueryRowContext(ctx, birthNotificationInsert(SQLite)+` RETURNING id, COALESCE(team_key, '')`, args...).Scan(&id, &team); err != nil {
		return 0, "", err
	}
	n, pargs := birthParentArgs(id, in)
	if _, err := tx.ExecContext(ctx, birthParentsInsert[n-1], pargs...); err != nil {
		return 0, "", err
	}
	return id, team, tx.Audit(ctx, birthCreateAudit(a, id, team, 0))
}

// createBirthPostgres stores one checked notification of clinic a on
// PostgreSQL in one statement, outside any transaction: data-modifying
// CTEs route it and insert the notification, its parents and its audit
// record (birthCreatePostgres). One round trip instead of six (BEGIN, the
// route, three INSERTs, COMMIT); a single statement is atomic, and with
// synchronous_commit on it is durable when it returns.
func (db *DB) createBirthPostgres(ctx context.Context, a account.Actor, in birth.NewNotification, now time.Time) (int64, string, error) {
	args := birthNotificationArgs(a, in, now)
	n, pargs := birthParentArgs(0, in)
	for i, v := range pargs {
		if i%birthParentWidth != 0 { // the id is the notification's, n.id
			args = append(args, v)
		}
	}
	ev := birthCreateAudit(a, 0, "", 0)
	for i, v := range auditArgs(now, ev) {
		if i != auditObjectID && i != auditDetail {
			args = append(args, v)
		}
	}
	// The detail of a routed notification is the prefix below and the
	// team's key, which only the statement knows.
	args = append(args, ev.Detail, strings.TrimSuffix(birthCreateDetail("?"), "?"))
	var id int64
	var team string
	err := db.write.QueryRowContext(ctx, birthCreatePostgres[n-1], args...).Scan(&id, &team)
	return id, team, err
}

// birthNotificationInsert routes a notification and inserts it, from
// birthNotificationArgs ($1–$8): the team is read from the service areas
// in the same statement, as teamFor reads it. The municipality and the
// date are compared through CAST (stmtcache.go): the statement stays
// prepared on SQLite.
func birthNotificationInsert(d Dialect) string {
	c := func(p, typ string) string {
		if d == Postgres {
			return p + "::" + typ
		}
		return p
	}
	return `INSERT INTO birth_notifications (clinic_key, team_key, municipality_nis, child_birth_date, language, early_contact,
		status, submitted_by, created_at, updated_at, clinic_reference)
		SELECT ` + c("$1", "text") + `, (SELECT team_key FROM team_areas WHERE municipality_nis = CAST($2 AS TEXT)
			AND valid_from <= CAST($3 AS ` + dateType(d) + `) AND (valid_to IS NULL OR valid_to >= CAST($3 AS ` + dateType(d) + `)) ORDER BY team_key LIMIT 1),
		` + c("$2", "text") + `, ` + c("$3", "date") + `, ` + c("$4", "text") + `, ` + c("$5", "boolean") + `, 'new', ` + c("$6", "text") + `, ` +
		c("$7", "timestamptz") + `, ` + c("$7", "timestamptz") + `, ` + c("$8", "text")
}

// dateType is the type of a stored day.
func dateType(d Dialect) string {
	if d == Postgres {
		return "DATE"
	}
	return "TEXT"
}

// birthNotificationArgs are the values of birthNotificationInsert.
func birthNotificationArgs(a account.Actor, in birth.NewNotification, now time.Time) []any {
	return []any{a.Org, in.Mother.MunicipalityNIS, day(in.BirthDate), in.Mother.Language, in.EarlyContactRequested, actorName(a), ts(now),
		in.ClinicReference}
}

// birthParentWidth is the number of values of one parent's row.
const birthParentWidth = 12

// birthParentArgs are the rows of the parents of in (the mother, then the
// co-parent if any) of notification id, birthParentWidth values each: it
// returns their number and the values.
func birthParentArgs(id int64, in birth.NewNotification) (int, []any) {
	parents := []*birth.Parent{&in.Mother}
	if in.CoParent != nil {
		parents = append(parents, in.CoParent)
	}
	args := make([]any, 0, len(parents)*birthParentWidth)
	for i, p := range parents {
		args = append(args, id, i, p.Name, p.Street, p.Number, p.Box, p.Postcode, p.MunicipalityNIS, p.Phone, p.Email, p.Language,
			birth.DuplicateKey(p.Name, in.BirthDate))
	}
	return len(parents), args
}

const birthParentColumns = `notification_id, idx, name, street, number, box, postcode, municipality_nis, phone, email, language, duplicate_key`

// birthParentsInsert[n-1] inserts the rows of n parents (SQLite).
var birthParentsInsert = [2]string{
	`INSERT INTO birth_parents (` + birthParentColumns + `) VALUES (` + placeholders(SQLite, 1, birthParentWidth) + `)`,
	`INSERT INTO birth_parents (` + birthParentColumns + `) VALUES (` + placeholders(SQLite, 1, birthParentWidth) + `),(` +
		placeholders(SQLite, 1+birthParentWidth, birthParentWidth) + `)`,
}

// birthCreatePostgres[n-1] is PostgreSQL's create of a notification with
// n parents in one statement: $1–$8 birthNotificationArgs, then each
// parent's values but the id, then the audit event's (auditArgs) but its
// object id and its detail, then the detail's two forms (no team; a team,
// to which the team's key is appended). It returns the id and the team.
var birthCreatePostgres = [2]string{birthCreatePostgresText(1), birthCreatePostgresText(2)}

func birthCreatePostgresText(parents int) string {
	types := []string{"bigint", "integer", "text", "text", "text", "text", "text", "text", "text", "text", "text", "text"}
	auditTypes := []string{"timestamptz", "bigint", "text", "text", "text", "text", "text", "", "text", "bigint", "text", "text", "text", "",
		"text", "bigint", "boolean", "text", "text"}
	var sb strings.Builder
	sb.WriteString(`WITH n AS (` + birthNotificationInsert(Postgres) + ` RETURNING id, team_key),
	p AS (INSERT INTO birth_parents (` + birthParentColumns + `) SELECT n.id, v.* FROM n, (VALUES `)
	next := 9
	for r := range parents {
		if r > 0 {
			sb.WriteString(", ")
		}
		sb.WriteByte('(')
		for j, typ := range types[1:] {
			if j > 0 {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "$%d::%s", next, typ)
			next++
		}
		sb.WriteByte(')')
	}
	sb.WriteString(`) AS v),
	e AS (` + auditInsert[:strings.Index(auditInsert, " VALUES")] + ` SELECT `)
	detail := fmt.Sprintf("CASE WHEN n.team_key IS NULL THEN $%d::text ELSE $%d::text || n.team_key END", next+auditWidth-2, next+auditWidth-1)
	for i, typ := range auditTypes {
		if i > 0 {
			sb.WriteString(", ")
		}
		switch i {
		case auditObjectID:
			sb.WriteString("CAST(n.id AS TEXT)")
		case auditDetail:
			sb.WriteString(detail)
		default:
			fmt.Fprintf(&sb, "$%d::%s", next, typ)
			next++
		}
	}
	sb.WriteString(` FROM n)
	SELECT id, COALESCE(team_key, '') FROM n`)
	return sb.String()
}

// birthCreateAudit is the audit record of a stored notification: its
// queue, its team and its batch, no personal data.
func birthCreateAudit(a account.Actor, id int64, team string, batchID int64) audit.Event {
	ev := birthAudit(a, auditBirthCreate, purposeBirthNotification, id)
	ev.Detail = birthCreateDetail(team)
	if batchID != 0 {
		ev.Detail += fmt.Sprintf(" batch=%d", batchID)
	}
	return ev
}

// birthCreateDetail is the detail of a create event: the queue, and the
// team if any.
func birthCreateDetail(team string) string {
	if team == "" {
		return "queue=" + queueOf(team)
	}
	return "queue=" + queueOf(team) + " team=" + team
}

func insertBirthParent(ctx context.Context, tx *Tx, id int64, idx int, p birth.Parent, born time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO birth_parents (notification_id, idx, name, street, number, box, postcode, municipality_nis, phone, email,
		language, duplicate_key) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
		id, idx, p.Name, p.Street, p.Number, p.Box, p.Postcode, p.MunicipalityNIS, p.Phone, p.Email, p.Language, birth.DuplicateKey(p.Name, born))
	return err
}

// CreateBirthNotification validates a notification of the caller's clinic
// against the data set, routes it and stores it with its audit record.
// Clinics only.
func (db *DB) CreateBirthNotification(ctx context.Context, a account.Actor, in birth.NewNotification) (s birth.Submission, err error) {
	defer apperr.Wrap(&err, "store.CreateBirthNotification")
	if a.Role != account.Clinic {
		return s, db.denyAction(ctx, a, auditBirthCreate, "birth_notification", purposeBirthNotification, forbiddenBirth("only a maternity clinic notifies births"))
	}
	if err := in.Check(db.Municipalities, today(db.Now())); err != nil {
		return s, err
	}
	var id int64
	var team string
	var at time.Time
	if db.dialect == Postgres {
		at = db.Now().UTC()
		id, team, err = db.createBirthPostgres(ctx, a, in, at)
	} else {
		// Group-committed with other clinics' notifications
		// (writegroup.go): answered once its transaction is durable.
		err = db.inGroupTx(ctx, func(tx *Tx) error {
			var err error
			id, team, err = db.insertBirth(ctx, tx, a, in)
			at = tx.now
			return err
		})
	}
	if err != nil {
		return s, err
	}
	// The answer (status only) is covered by the create event: what was
	// just stored, as clinicSubmission would read it back.
	return birth.Submission{ID: id, Status: birth.New.ForClinic(), Team: team, Queue: queueOf(team), ChildBirthDate: day(in.BirthDate),
		SubmittedAt: at.Truncate(time.Microsecond), ClinicReference: in.ClinicReference}, nil
}

// ImportBirthBatch reads a CSV batch of the caller's clinic (birth.ParseBatch),
// checks every row (birth.CheckBatch) and stores the good rows in one
// transaction, each with its audit record, plus one record of the batch.
// With a rejected row nothing is stored unless acceptPartial. A row of
// this clinic with the same mother and date of birth as one stored before
// is not stored again ("existing"); a file this clinic sent before stores
// nothing at all. A file that is no batch fails with its code (400).
// Clinics only.
func (db *DB) ImportBirthBatch(ctx context.Context, a account.Actor, file []byte, acceptPartial bool) (rep birth.BatchReport, err error) {
	defer apperr.Wrap(&err, "store.ImportBirthBatch")
	if a.Role != account.Clinic {
		return rep, db.denyAction(ctx, a, auditBirthBatch, "birth_batch", purposeBirthNotification,
			forbiddenBirth("only a maternity clinic sends batches of birth notifications"))
	}
	b, err := birth.ParseBatch(file)
	if err != nil {
		var fe *birth.FileError
		if errors.As(err, &fe) {
			return rep, fe.AppErr()
		}
		return rep, err
	}
	rep, keys := birth.CheckBatch(b, a.Org, db.Municipalities, today(db.Now()))
	sum := sha256.Sum256(file)
	rep.SHA256, rep.AcceptPartial = hex.EncodeToString(sum[:]), acceptPartial
	if rep.Rejected > 0 && !acceptPartial {
		for i := range rep.Rows {
			if rep.Rows[i].Status == birth.RowCreated {
				rep.Rows[i].Status = birth.RowNotImported
			}
		}
		return rep, nil
	}
	rep.Accepted = true
	if err := db.importBirthBatchStaged(ctx, a, b, keys, acceptPartial, &rep); err != nil {
		return birth.BatchReport{}, err
	}
	return rep, nil
}

// importBirthBatchStaged stores the checked batch b through a staged
// import (birthimport.go): its rows staged in chunks that let other
// writes through, then moved in whole in one short set-based
// transaction; it completes rep.
func (db *DB) importBirthBatchStaged(ctx context.Context, a account.Actor, b *birth.Batch, keys []string, acceptPartial bool, rep *birth.BatchReport) error {
	im, err := db.BeginBirthImport(ctx, a)
	if err != nil {
		return err
	}
	defer im.Abort(ctx)
	at := make(map[int]int, len(rep.Rows))
	for i := range rep.Rows {
		if rep.Rows[i].Status != birth.RowCreated {
			continue
		}
		at[b.Rows[i].Line] = i
		if err := im.Add(ctx, b.Rows[i].Line, &b.Rows[i].Notification, keys[i]); err != nil {
			return err
		}
	}
	res, err := im.Commit(ctx, rep.SHA256, rep.RowCount, rep.Rejected, acceptPartial, func(r BirthImportRow) error {
		i, ok := at[r.Line]
		if !ok {
			return fmt.Errorf("staged line %d is no row of the batch", r.Line)
		}
		row := &rep.Rows[i]
		row.Status, row.ID, row.Team, row.Queue = r.Status, r.ID, r.Team, ""
		if r.ID != 0 {
			row.Queue = queueOf(r.Team)
		}
		return nil
	})
	if err != nil {
		return err
	}
	rep.BatchID, rep.AlreadyReceived, rep.Created, rep.Existing = res.BatchID, res.AlreadyReceived, res.Created, res.Existing
	return nil
}

// Multi-row INSERTs (insertRows) write many rows in a handful of
// statements instead of one per row: the staged rows of a birth import
// (birthimport.go) and the group commit of audit events. On PostgreSQL
// this saves the round trips; on SQLite (modernc) the parsing of a
// statement per row, which cost more than the inserts themselves.

// birthChunk is the number of rows in one multi-row INSERT of a batch.
const birthChunk = 50

// placeholders returns n parameter markers starting at $from: "$3,$4,…"
// on PostgreSQL, "?,?,…" on SQLite, whose driver binds numbered markers in
// time quadratic in their number.
func placeholders(d Dialect, from, n int) string {
	var sb strings.Builder
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		if d == SQLite {
			sb.WriteByte('?')
		} else {
			sb.WriteByte('$')
			sb.WriteString(strconv.Itoa(from + i))
		}
	}
	return sb.String()
}

// insertRows writes rows of width values each (args, row after row) with
// head + "(…),(…)" + tail, birthChunk rows a statement; the statement of a
// full chunk is prepared once. With scan, the statement returns rows
// (RETURNING) and scan reads each.
func insertRows(ctx context.Context, tx *Tx, head, tail string, width int, args []any, scan func(*sql.Rows) error) (err error) {
	values := func(rows int) string {
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
		sb.WriteString(tail)
		return sb.String()
	}
	if len(args)%width != 0 {
		return fmt.Errorf("%d values for rows of %d", len(args), width)
	}
	var full *sql.Stmt
	defer func() {
		if full != nil {
			if cerr := full.Close(); err == nil {
				err = cerr
			}
		}
	}()
	for len(args) > 0 {
		rows := min(len(args)/width, birthChunk)
		chunk := args[:rows*width]
		args = args[rows*width:]
		if rows == birthChunk && full == nil {
			if full, err = tx.PrepareContext(ctx, values(rows)); err != nil {
				return err
			}
		}
		var res *sql.Rows
		switch {
		case rows < birthChunk && scan == nil:
			_, err = tx.ExecContext(ctx, values(rows), chunk...)
		case rows < birthChunk:
			res, err = tx.QueryContext(ctx, values(rows), chunk...)
		case scan == nil:
			_, err = full.ExecContext(ctx, chunk...)
		default:
			res, err = full.QueryContext(ctx, chunk...)
		}
		if err != nil {
			return err
		}
		if res == nil {
			continue
		}
		for res.Next() {
			if err := scan(res); err != nil {
				res.Close()
				return err
			}
		}
		res.Close()
		if err := res.Err(); err != nil {
			return err
		}
	}
	return nil
}

// birthArea is one period of a team's service area over a municipality
// (days YYYY-MM-DD; to "" while it lasts).
type birthArea struct{ team, from, to string }

// birthRouter holds the team areas over the municipalities of a batch, per
// NIS code in team_key order: route answers as teamFor would.
type birthRouter map[string][]birthArea

// route returns the team whose service area holds nis on day on, "" when
// none does.
func (r birthRouter) route(nis string, on time.Time) string {
	d := day(on)
	for _, ar := range r[nis] {
		if ar.from <= d && (ar.to == "" || ar.to >= d) {
			return ar.team
		}
	}
	return ""
}

// birthRowColumns are the administrative columns of a notification (no
// personal data), as lists read them: whether a row is a possible
// duplicate is asked afterwards, for the rows of the page only
// (flagDuplicates).
const birthRowColumns = `n.id, n.status, COALESCE(n.team_key,''), n.clinic_key, n.municipality_nis, n.child_birth_date, n.language, n.early_contact,
	COALESCE(n.batch_id,0), COALESCE(n.merged_into,0), COALESCE(n.referral_id,0), n.version, n.created_at, n.first_contact_on, n.reached_on,
	n.escalated_at, n.data_deleted_at`

// birthColumns are birthRowColumns and, for one notification read on its
// own, dupExists.
const birthColumns = birthRowColumns + `, ` + dupExists

// dupExists: another open notification in the same queue has a parent
// with the same duplicate key.
const dupExists = `CASE WHEN n.status <> 'merged' AND EXISTS (SELECT 1 FROM birth_parents p1
	JOIN birth_parents p2 ON p2.duplicate_key = p1.duplicate_key AND p2.notification_id <> p1.notification_id
	JOIN birth_notifications n2 ON n2.id = p2.notification_id
	WHERE p1.notification_id = n.id AND n2.status <> 'merged' AND n2.data_deleted_at IS NULL
	AND COALESCE(n2.team_key,'') = COALESCE(n.team_key,'')) THEN 1 ELSE 0 END`

// scanBirth reads birthColumns.
func scanBirth(row rowScanner) (birth.Summary, error) {
	var dup int
	s, err := scanBirthRow(row, &dup)
	s.PossibleDuplicate = dup == 1
	return s, err
}

// scanBirthRow reads birthRowColumns and then the extra columns.
func scanBirthRow(row rowScanner, extra ...any) (birth.Summary, error) {
	var s birth.Summary
	var status string
	var born, created, first, reached, escalated, deleted timeCol
	err := row.Scan(append([]any{&s.ID, &status, &s.Team, &s.Clinic, &s.MunicipalityNIS, &born, &s.Language, &s.EarlyContactRequested, &s.BatchID,
		&s.MergedInto, &s.ReferralID, &s.Version, &created, &first, &reached, &escalated, &deleted}, extra...)...)
	if err != nil {
		return s, err
	}
	s.Status, s.Queue, s.ChildBirthDate, s.CreatedAt = birth.Status(status), queueOf(s.Team), day(born.T), created.T
	s.EscalatedAt, s.DataDeletedAt = escalated.Ptr(), deleted.Ptr()
	if first.Valid {
		s.FirstContactOn = day(first.T)
	}
	if reached.Valid {
		s.ReachedOn = day(reached.T)
	}
	return s, nil
}

// inBirthScope reports whether the actor may see the notification with
// its personal data: the local team its own, an admin every one
// (including Opgroeien's queue).
func inBirthScope(a account.Actor, s birth.Summary) bool {
	return (isTeam(a) && s.Team != "" && s.Team == a.Org) || a.Role == account.Admin
}

// loadBirth reads a notification inside tx for an actor, scoped: outside
// the scope it is a birthDenied.
func (db *DB) loadBirth(ctx context.Context, tx *Tx, a account.Actor, id int64) (birth.Notification, error) {
	var n birth.Notification
	s, err := scanBirth(tx.QueryRowContext(ctx, `SELECT `+birthColumns+` FROM birth_notifications n WHERE n.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return n, notFoundBirth()
	}
	if err != nil {
		return n, err
	}
	if !inBirthScope(a, s) {
		return n, &birthDenied{id: id}
	}
	n.Summary = s
	rows, err := tx.QueryContext(ctx, `SELECT idx, name, street, number, box, postcode, municipality_nis, phone, email, language
		FROM birth_parents WHERE notification_id = $1 ORDER BY idx`, id)
	if err != nil {
		return n, err
	}
	for rows.Next() {
		var idx int
		var p birth.Parent
		if err := rows.Scan(&idx, &p.Name, &p.Street, &p.Number, &p.Box, &p.Postcode, &p.MunicipalityNIS, &p.Phone, &p.Email, &p.Language); err != nil {
			rows.Close()
			return n, err
		}
		if idx == 0 {
			n.Mother = &p
		} else {
			n.CoParent = &p
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return n, err
	}
	if n.Contacts, err = birthContacts(ctx, tx, id); err != nil {
		return n, err
	}
	n.PossibleDuplicates = []int64{}
	if s.Status != birth.Merged {
		n.PossibleDuplicates, err = queryList(ctx, tx, scanValue[int64], `SELECT DISTINCT n2.id FROM birth_parents p1
			JOIN birth_parents p2 ON p2.duplicate_key = p1.duplicate_key AND p2.notification_id <> p1.notification_id
			JOIN birth_notifications n2 ON n2.id = p2.notification_id
			WHERE p1.notification_id = $1 AND n2.status <> 'merged' AND n2.data_deleted_at IS NULL AND COALESCE(n2.team_key,'') = $2
			ORDER BY n2.id`, id, s.Team)
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func birthContacts(ctx context.Context, q queryer, id int64) ([]birth.Contact, error) {
	return queryList(ctx, q, func(row rowScanner) (birth.Contact, error) {
		var c birth.Contact
		var on, at timeCol
		err := row.Scan(&c.ID, &on, &c.Channel, &c.Reached, &c.HomeVisitPlanned, &at, &c.RecordedBy)
		c.On, c.RecordedAt = day(on.T), at.T
		return c, err
	}, `SELECT id, on_day, channel, reached, home_visit_planned, recorded_at, recorded_by
		FROM birth_contacts WHERE notification_id = $1 ORDER BY on_day, id`, id)
}

// BirthNotification returns one notification with the parents' details to
// its local team or an admin, and audits the read (purpose early_support).
// Anyone else, a clinic included, gets not_found and the attempt is
// audited.
func (db *DB) BirthNotification(ctx context.Context, a account.Actor, id int64) (n birth.Notification, err error) {
	err = db.birthRead(ctx, a, func(tx *Tx) error {
		if n, err = db.loadBirth(ctx, tx, a, id); err != nil {
			return err
		}
		ev := birthAudit(a, auditBirthRead, purposeEarlySupport, id)
		if n.DataDeletedAt != nil {
			ev.Detail = "personal data deleted before"
		}
		return tx.Audit(ctx, ev)
	})
	return n, err
}

// ClinicSubmission returns one of the caller's clinic's own submissions:
// status only. Another clinic's, or any for a non-clinic, is not_found
// (and audited as denied).
func (db *DB) ClinicSubmission(ctx context.Context, a account.Actor, id int64) (birth.Submission, error) {
	s, err := db.clinicSubmission(ctx, a, id)
	if err != nil {
		return s, err
	}
	if err := db.recordReads(ctx, birthAudit(a, auditSubmission, purposeBirthNotification, id)); err != nil {
		return birth.Submission{}, err
	}
	return s, nil
}

// clinicSubmission is ClinicSubmission without the read's event (for the
// answer to a create, which its own event covers).
func (db *DB) clinicSubmission(ctx context.Context, a account.Actor, id int64) (birth.Submission, error) {
	list, err := db.clinicSubmissions(ctx, a, id)
	if err != nil {
		return birth.Submission{}, err
	}
	if len(list) == 0 {
		var exists int
		if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM birth_notifications WHERE id = $1`, id).Scan(&exists); err != nil {
			return birth.Submission{}, err
		}
		if exists == 0 {
			return birth.Submission{}, notFoundBirth()
		}
		return birth.Submission{}, db.denyBirth(ctx, a, id)
	}
	return list[0], nil
}

// clinicSubmissions reads submission id of the caller's clinic (none
// when it is another's, or the caller is no clinic).
func (db *DB) clinicSubmissions(ctx context.Context, a account.Actor, id int64) ([]birth.Submission, error) {
	if a.Role != account.Clinic {
		return nil, nil
	}
	return queryList(ctx, db.read, func(row rowScanner) (birth.Submission, error) {
		var s birth.Submission
		var status string
		var batch int64
		var born, created timeCol
		if err := row.Scan(&s.ID, &status, &s.Team, &batch, &born, &created, &s.ClinicReference); err != nil {
			return s, err
		}
		s.Status, s.Queue, s.ChildBirthDate, s.SubmittedAt = birth.Status(status).ForClinic(), queueOf(s.Team), day(born.T), created.T
		if batch != 0 {
			s.BatchID = &batch
		}
		return s, nil
	}, `SELECT id, status, COALESCE(team_key,''), COALESCE(batch_id,0), child_birth_date, created_at, clinic_reference
		FROM birth_notifications WHERE clinic_key = $1 AND id = $2`, a.Org, id)
}

// updateBirth runs fn on a notification the actor may change, if the
// version the caller read is still current, and bumps the version.
func (db *DB) updateBirth(ctx context.Context, a account.Actor, id int64, version int,
	fn func(tx *Tx, cur birth.Notification) (audit.Event, error)) (birth.Notification, error) {
	var n birth.Notification
	err := db.birthTx(ctx, a, func(tx *Tx) error {
		cur, err := db.loadBirth(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if version != 0 && version != cur.Version {
			return apperr.New(apperr.Conflict, "someone else changed this notification (version %d, you had %d); reload it", cur.Version, version).
				WithKey("error.concurrent", nil)
		}
		ev, err := fn(tx, cur)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE birth_notifications SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3`,
			ts(tx.now), id, cur.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "someone else changed this notification; reload it").WithKey("error.concurrent", nil)
		}
		if err := tx.Audit(ctx, ev); err != nil {
			return err
		}
		// The answer is read in the change's transaction: its one event
		// covers it (no second read event).
		n, err = db.loadBirth(ctx, tx, a, id)
		return err
	})
	if apperr.Is(err, apperr.Forbidden) {
		// The caller sees the notification but may not do this (an admin
		// on a team's, a worker merging): the refused change is audited in
		// a transaction of its own, the refused one having rolled back.
		if aerr := db.inTx(ctx, func(tx *Tx) error {
			ev := birthAudit(a, auditBirthDenied, purposeEarlySupport, id)
			ev.Outcome, ev.Detail = audit.Denied, "change refused"
			return tx.Audit(ctx, ev)
		}); aerr != nil {
			return birth.Notification{}, aerr
		}
	}
	if err != nil {
		return birth.Notification{}, err
	}
	return n, nil
}

// mayWork reports whether the actor may work on the notification (record
// contacts, merge): its own local team, or an admin for Opgroeien's queue.
func mayWork(a account.Actor, cur birth.Notification) bool {
	return (isTeam(a) && cur.Team == a.Org) || (a.Role == account.Admin && cur.Team == "")
}

func birthState(cur birth.Notification) error {
	switch {
	case cur.Status == birth.Merged:
		return apperr.New(apperr.InvalidState, "this notification was merged into %d", cur.MergedInto).WithKey("error.birth.merged", nil)
	case cur.DataDeletedAt != nil:
		return apperr.New(apperr.InvalidState, "the personal data of this notification have been deleted").WithKey("error.birth.data_deleted", nil)
	}
	return nil
}

// RecordBirthContact records a contact with the family: the day (default
// today; not before the birth, not in the future), the channel, whether
// the family was reached and whether a home visit is planned. Reached
// makes the notification contacted; otherwise it is not_reached until a
// later contact reaches the family. The local team (or an admin for
// Opgroeien's queue); with version, only if nobody changed it meanwhile.
func (db *DB) RecordBirthContact(ctx context.Context, a account.Actor, id int64, in birth.NewContact) (birth.Notification, error) {
	if !isTeam(a) && a.Role != account.Admin {
		return birth.Notification{}, db.denyBirth(ctx, a, id)
	}
	if !slices.Contains(birth.ContactChannels, in.Channel) {
		return birth.Notification{}, apperr.FieldErr(apperr.Invalid, "channel", "channel must be one of %s", strings.Join(birth.ContactChannels, ", ")).
			WithKey("error.birth.channel", nil)
	}
	now := today(db.Now())
	on, err := parseDayField("on", in.On, now)
	if err != nil {
		return birth.Notification{}, err
	}
	if on.After(now) {
		return birth.Notification{}, apperr.FieldErr(apperr.InvalidDate, "on", "a contact cannot lie in the future").WithKey("error.birth.contact_future", nil)
	}
	return db.updateBirth(ctx, a, id, in.Version, func(tx *Tx, cur birth.Notification) (audit.Event, error) {
		if !mayWork(a, cur) {
			return audit.Event{}, forbiddenBirth("only the local team records contacts (Opgroeien: for its own queue)")
		}
		if err := birthState(cur); err != nil {
			return audit.Event{}, err
		}
		if !cur.Status.Open() {
			return audit.Event{}, apperr.New(apperr.InvalidState, "this notification is %s: the family was reached already", cur.Status).
				WithKey("error.birth.not_open", map[string]any{"Status": string(cur.Status)})
		}
		if on.Before(mustDay(cur.ChildBirthDate)) {
			return audit.Event{}, apperr.FieldErr(apperr.InvalidDate, "on", "a contact cannot lie before the birth (%s)", cur.ChildBirthDate).
				WithKey("error.birth.contact_before_birth", map[string]any{"Date": cur.ChildBirthDate})
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO birth_contacts (notification_id, on_day, channel, reached, home_visit_planned, recorded_at, recorded_by)
			VALUES ($1,$2,$3,$4,$5,$6,$7)`, id, day(on), in.Channel, in.Reached, in.HomeVisitPlanned, ts(tx.now), actorName(a)); err != nil {
			return audit.Event{}, err
		}
		status, reached := birth.NotReached, any(nil)
		if in.Reached {
			status, reached = birth.Contacted, day(on)
		}
		// The first contact is the earliest one recorded, whatever the order.
		if _, err := tx.ExecContext(ctx, `UPDATE birth_notifications SET status = $1,
			first_contact_on = CASE WHEN first_contact_on IS NULL OR first_contact_on > $2 THEN $2 ELSE first_contact_on END,
			reached_on = COALESCE($3, reached_on) WHERE id = $4`, string(status), day(on), reached, id); err != nil {
			return audit.Event{}, err
		}
		ev := birthAudit(a, auditBirthContact, purposeEarlySupport, id)
		ev.Detail = fmt.Sprintf("on=%s channel=%s reached=%t home_visit_planned=%t", day(on), in.Channel, in.Reached, in.HomeVisitPlanned)
		return ev, nil
	})
}

func mustDay(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

// MergeBirthNotification closes the notification id as a duplicate of
// in.Into — both in the caller's team, both open, flagged as possible
// duplicates of each other (the same parent and date of birth) — with an
// audit record on both. A co-parent only the duplicate knew passes to the
// kept notification, an early-contact request too; the duplicate's
// personal data are deleted at once. Team leads (an admin for Opgroeien's
// queue).
func (db *DB) MergeBirthNotification(ctx context.Context, a account.Actor, id int64, in birth.Merge) (birth.Notification, error) {
	if !isTeam(a) && a.Role != account.Admin {
		return birth.Notification{}, db.denyBirth(ctx, a, id)
	}
	if in.Into == id {
		return birth.Notification{}, apperr.FieldErr(apperr.Invalid, "into", "a notification cannot be merged with itself").WithKey("error.birth.merge_self", nil)
	}
	if in.Into <= 0 {
		return birth.Notification{}, apperr.FieldErr(apperr.Invalid, "into", "give the id of the notification to keep")
	}
	var kept birth.Notification
	_, err := db.updateBirth(ctx, a, id, in.Version, func(tx *Tx, dup birth.Notification) (audit.Event, error) {
		if !mayWork(a, dup) || a.Role == account.TeamWorker {
			return audit.Event{}, forbiddenBirth("only a team lead merges duplicates")
		}
		if err := birthState(dup); err != nil {
			return audit.Event{}, err
		}
		keep, err := db.loadBirth(ctx, tx, a, in.Into)
		var d *birthDenied
		if errors.As(err, &d) || (err == nil && keep.Team != dup.Team) {
			// Another team's notification: as if it did not exist.
			return audit.Event{}, apperr.FieldErr(apperr.NotFound, "into", "no such birth notification").WithKey("error.not_found", nil)
		}
		if err != nil {
			return audit.Event{}, err
		}
		if err := birthState(keep); err != nil {
			return audit.Event{}, err
		}
		if !slices.Contains(dup.PossibleDuplicates, keep.ID) {
			return audit.Event{}, apperr.FieldErr(apperr.NotDuplicate, "into", "notifications %d and %d are not possible duplicates", id, in.Into).
				WithKey("error.birth.not_duplicate", nil)
		}
		if keep.CoParent == nil && dup.CoParent != nil {
			if err := insertBirthParent(ctx, tx, keep.ID, 1, *dup.CoParent, mustDay(keep.ChildBirthDate)); err != nil {
				return audit.Event{}, err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE birth_notifications SET early_contact = (early_contact OR $1), version = version + 1, updated_at = $2
			WHERE id = $3`, dup.EarlyContactRequested, ts(tx.now), keep.ID); err != nil {
			return audit.Event{}, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE birth_notifications SET status = 'merged', merged_into = $1 WHERE id = $2`, keep.ID, id); err != nil {
			return audit.Event{}, err
		}
		if err := deleteBirthData(ctx, tx, id, mustDay(dup.ChildBirthDate)); err != nil {
			return audit.Event{}, err
		}
		into := birthAudit(a, auditBirthMergeInto, purposeDuplicate, keep.ID)
		into.Detail = fmt.Sprintf("kept; duplicate %d merged into it", id)
		if err := tx.Audit(ctx, into); err != nil {
			return audit.Event{}, err
		}
		if kept, err = db.loadBirth(ctx, tx, a, keep.ID); err != nil {
			return audit.Event{}, err
		}
		ev := birthAudit(a, auditBirthMerge, purposeDuplicate, id)
		ev.Detail = fmt.Sprintf("closed as a duplicate of %d; its personal data deleted", keep.ID)
		return ev, nil
	})
	if err != nil {
		return birth.Notification{}, err
	}
	return kept, nil
}

// deleteBirthData removes a notification's parents and its natural key and
// keeps only the month of the date of birth.
func deleteBirthData(ctx context.Context, tx *Tx, id int64, born time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM birth_parents WHERE notification_id = $1`, id); err != nil {
		return err
	}
	month := time.Date(born.Year(), born.Month(), 1, 0, 0, 0, 0, time.UTC)
	_, err := tx.ExecContext(ctx, `UPDATE birth_notifications SET data_deleted_at = $1, natural_key = NULL, child_birth_date = $2 WHERE id = $3`,
		ts(tx.now), day(month), id)
	return err
}

// StartReferralFromBirth starts a referral draft to the OCMW from a
// notification of the caller's team: the parents' details (a co-parent
// only when it can be reached by telephone or e-mail) go through the
// referral flow's own creation (CreateReferral), so that its rules (the
// team's area today, the municipality as it is today after the 2025
// mergers), its audit and its consent apply — nothing is shared before
// the parents consent on the referral. The notification keeps the
// referral's id; a second start is refused. Team workers and leads.
func (db *DB) StartReferralFromBirth(ctx context.Context, a account.Actor, id int64, in birth.StartReferral) (referral.Referral, error) {
	if !isTeam(a) {
		if a.Role == account.Admin {
			// Audited as denied; answered forbidden (Opgroeien sees the
			// notification, it does not refer).
			if err := db.denyBirth(ctx, a, id); !apperr.Is(err, apperr.NotFound) {
				return referral.Referral{}, err
			}
			return referral.Referral{}, forbiddenBirth("only the local team starts a referral")
		}
		return referral.Referral{}, db.denyBirth(ctx, a, id)
	}
	var cur birth.Notification
	err := db.birthTx(ctx, a, func(tx *Tx) error {
		var err error
		if cur, err = db.loadBirth(ctx, tx, a, id); err != nil {
			return err
		}
		if in.Version != 0 && in.Version != cur.Version {
			return apperr.New(apperr.Conflict, "someone else changed this notification (version %d, you had %d); reload it", cur.Version, in.Version).
				WithKey("error.concurrent", nil)
		}
		if err := birthState(cur); err != nil {
			return err
		}
		if cur.ReferralID != 0 {
			return apperr.New(apperr.InvalidState, "a referral was started from this notification already (%d)", cur.ReferralID).
				WithKey("error.birth.referral_exists", map[string]any{"ID": cur.ReferralID})
		}
		// No event of its own: the read serves the referral that
		// follows, and its events (referral.create, birth.referral_start)
		// record it.
		return nil
	})
	if err != nil {
		return referral.Referral{}, err
	}
	now := today(db.Now())
	current := func(nis string) string {
		if m, ok := db.Municipalities.SuccessorOn(nis, now); ok {
			return m.NIS
		}
		return nis
	}
	toRef := func(p birth.Parent) referral.Parent {
		return referral.Parent{Name: p.Name, Street: p.Street, Number: p.Number, Box: p.Box, Postcode: p.Postcode,
			MunicipalityNIS: current(p.MunicipalityNIS), Phone: p.Phone, Email: p.Email}
	}
	nr := referral.NewReferral{MunicipalityNIS: current(cur.MunicipalityNIS), Parents: []referral.Parent{toRef(*cur.Mother)},
		Criteria: in.Criteria, Needs: in.Needs}
	if c := cur.CoParent; c != nil && (c.Phone != "" || c.Email != "") {
		nr.Parents = append(nr.Parents, toRef(*c))
	}
	ref, err := db.CreateReferral(ctx, a, nr)
	if err != nil {
		return referral.Referral{}, err
	}
	linked := false
	err = db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE birth_notifications SET referral_id = $1, version = version + 1, updated_at = $2
			WHERE id = $3 AND referral_id IS NULL AND data_deleted_at IS NULL`, ref.ID, ts(tx.now), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		linked = true
		ev := birthAudit(a, auditBirthReferral, purposeReferral, id)
		ev.Detail = fmt.Sprintf("referral %d started (draft); the parents' details carried over", ref.ID)
		return tx.Audit(ctx, ev)
	})
	if err == nil && !linked {
		// Someone else started one meanwhile: cancel ours (the draft and its data go).
		if _, werr := db.Withdraw(ctx, a, ref.ID); werr != nil {
			return referral.Referral{}, werr
		}
		return referral.Referral{}, apperr.New(apperr.Conflict, "someone else started a referral from this notification meanwhile; reload it").
			WithKey("error.concurrent", nil)
	}
	if err != nil {
		return referral.Referral{}, err
	}
	return ref, nil
}

// BirthStatistics are Opgroeien's figures for the months from..to (first
// days of months), widened to whole calendar quarters and ending with the
// last quarter that has ended and settled (birth.StatisticsSettleDays;
// invalid_date when none is left): notifications per clinic and month (of
// arrival, Brussels time), and per team the share of families reached
// within birth.ContactTargetDays after the notification came in — counting
// the notifications that are not merged duplicates and were either reached
// or are older than the target. Protected per quarter (suppress.ByQuarter).
// Admins and analysts.
func (db *DB) BirthStatistics(ctx context.Context, a account.Actor, from, to time.Time) (birth.Statistics, error) {
	if a.Role != account.Admin && a.Role != account.Analyst {
		return birth.Statistics{}, forbiddenBirth("only Opgroeien's admins and analysts see these figures")
	}
	last := suppress.LastQuarter(db.Now().In(brussels), birth.StatisticsSettleDays)
	from, to, ok := suppress.Quarters(from, to, last)
	if !ok {
		return birth.Statistics{}, apperr.FieldErr(apperr.InvalidDate, "from",
			"the figures are published per calendar quarter once it has ended and settled; the last one ends with %s", last.Format("2006-01")).
			WithKey("suppression.error.no_quarter", map[string]any{"Last": last.Format("01-2006")})
	}
	start := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, brussels)
	end := time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, brussels).AddDate(0, 1, 0)
	rows, err := db.read.QueryContext(ctx, `SELECT n.clinic_key, COALESCE(c.name, n.clinic_key), COALESCE(n.team_key,''), COALESCE(t.name,''),
		n.status, n.created_at, n.reached_on
		FROM birth_notifications n LEFT JOIN organisations c ON c.key = n.clinic_key LEFT JOIN organisations t ON t.key = n.team_key
		WHERE n.created_at >= $1 AND n.created_at < $2`, ts(start), ts(end))
	if err != nil {
		return birth.Statistics{}, err
	}
	defer rows.Close()
	type ck struct{ clinic, month string }
	clinicCounts, clinicNames := map[ck]int{}, map[string]string{}
	teamCounts := map[ck]*birth.TeamCount{}
	now := today(db.Now())
	for rows.Next() {
		var clinic, cname, team, tname, status string
		var created, reached timeCol
		if err := rows.Scan(&clinic, &cname, &team, &tname, &status, &created, &reached); err != nil {
			return birth.Statistics{}, err
		}
		clinicNames[clinic] = cname
		month := created.T.In(brussels).Format("2006-01")
		clinicCounts[ck{clinic, month}]++
		if birth.Status(status) == birth.Merged {
			continue
		}
		deadline := today(created.T).AddDate(0, 0, birth.ContactTargetDays)
		inTime := reached.Valid && !reached.T.After(deadline)
		if !inTime && !now.After(deadline) {
			continue // still within the target: not counted yet
		}
		tc := teamCounts[ck{team, month}]
		if tc == nil {
			if team == "" {
				tname = "Opgroeien"
			}
			tc = &birth.TeamCount{Team: team, Name: tname, Month: month}
			teamCounts[ck{team, month}] = tc
		}
		tc.Notifications++
		if inTime {
			tc.Reached++
		}
	}
	if err := rows.Err(); err != nil {
		return birth.Statistics{}, err
	}
	var clinics []birth.ClinicMonthCount
	for k, n := range clinicCounts {
		clinics = append(clinics, birth.ClinicMonthCount{Clinic: k.clinic, Name: clinicNames[k.clinic], Month: k.month, Count: n})
	}
	var teams []birth.TeamCount
	for _, tc := range teamCounts {
		teams = append(teams, *tc)
	}
	return birth.BuildStatistics(time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC),
		time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, time.UTC), clinics, teams), nil
}

// BirthEscalation is a notification escalated (or due) for want of a
// first contact. No personal data.
type BirthEscalation struct {
	ID        int64     `json:"id"`
	Team      string    `json:"team"` // "" for Opgroeien's queue
	CreatedAt time.Time `json:"created_at"`
}

// EscalateBirthNotifications flags every notification still without any
// contact p.EscalateAfterDays after it came in, one transaction each with
// its audit record and an outbox notice (kind birth.escalated, ids only)
// to the team's leads — Opgroeien for its own queue. With dryRun it only
// lists them.
func (db *DB) EscalateBirthNotifications(ctx context.Context, now time.Time, p birth.Policy, dryRun bool) ([]BirthEscalation, error) {
	p = p.WithDefaults()
	cut := now.UTC().AddDate(0, 0, -p.EscalateAfterDays)
	due, err := queryList(ctx, db.read, func(row rowScanner) (BirthEscalation, error) {
		var e BirthEscalation
		var created timeCol
		err := row.Scan(&e.ID, &e.Team, &created)
		e.CreatedAt = created.T
		return e, err
	}, `SELECT id, COALESCE(team_key,''), created_at FROM birth_notifications
		WHERE status = 'new' AND escalated_at IS NULL AND data_deleted_at IS NULL AND created_at <= $1 ORDER BY id`, ts(cut))
	if err != nil || dryRun {
		return nilIfEmpty(due), err
	}
	actor := account.ProgramFor(ctx, account.SourceJob, "births")
	var done []BirthEscalation
	for _, e := range due {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		flagged := false
		err := db.inTx(ctx, func(tx *Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE birth_notifications SET escalated_at = $1, updated_at = $1, version = version + 1
				WHERE id = $2 AND status = 'new' AND escalated_at IS NULL AND data_deleted_at IS NULL`, ts(tx.now), e.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return nil // picked up meanwhile
			}
			to := e.Team
			if to == "" {
				to = org.OpgroeienKey
			}
			if err := enqueue(ctx, tx, KindBirthEscalated, to, map[string]any{"birth_notification_id": e.ID, "event": KindBirthEscalated}); err != nil {
				return err
			}
			ev := birthAudit(actor, auditBirthEscalate, purposeEarlySupport, e.ID)
			ev.Detail = fmt.Sprintf("no contact %d days after it came in; notice to %s", p.EscalateAfterDays, to)
			flagged = true
			return tx.Audit(ctx, ev)
		})
		if err != nil {
			return done, fmt.Errorf("escalation of birth notification %d: %w", e.ID, err)
		}
		if flagged {
			done = append(done, e)
		}
	}
	return done, nil
}

// Reasons of a birth notification's deletion.
const (
	BirthReasonContacted = "after_first_contact"
	BirthReasonEscalated = "after_escalation"
)

// BirthPurge is one notification whose personal data are (or would be)
// deleted. No personal data.
type BirthPurge struct {
	ID     int64     `json:"id"`
	Reason string    `json:"reason"`
	Since  time.Time `json:"since"` // the first contact or the escalation
	Due    time.Time `json:"due"`
}

// PurgeBirthNotifications deletes the parents' data of every notification
// whose retention ended at now: p.RetentionMonths after the first contact,
// or after the escalation when no contact was ever recorded. One
// transaction per notification, each with its audit record (purpose
// retention); the record stays for the statistics, with only the month of
// birth. With dryRun it only lists them.
func (db *DB) PurgeBirthNotifications(ctx context.Context, now time.Time, p birth.Policy, dryRun bool) ([]BirthPurge, error) {
	p = p.WithDefaults()
	cutDay := today(now).AddDate(0, -p.RetentionMonths, 0)
	cutTS := now.UTC().AddDate(0, -p.RetentionMonths, 0)
	rows, err := db.read.QueryContext(ctx, `SELECT id, child_birth_date, first_contact_on, escalated_at FROM birth_notifications
		WHERE data_deleted_at IS NULL AND status <> 'merged' AND (
			(first_contact_on IS NOT NULL AND first_contact_on <= $1) OR (first_contact_on IS NULL AND escalated_at <= $2))
		ORDER BY id`, day(cutDay), ts(cutTS))
	if err != nil {
		return nil, err
	}
	type cand struct {
		p    BirthPurge
		born time.Time
	}
	var due []cand
	for rows.Next() {
		var c cand
		var born, first, escalated timeCol
		if err := rows.Scan(&c.p.ID, &born, &first, &escalated); err != nil {
			rows.Close()
			return nil, err
		}
		c.born = born.T
		if first.Valid {
			c.p.Reason, c.p.Since = BirthReasonContacted, first.T
		} else {
			c.p.Reason, c.p.Since = BirthReasonEscalated, escalated.T
		}
		c.p.Due = c.p.Since.AddDate(0, p.RetentionMonths, 0)
		due = append(due, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []BirthPurge
	if dryRun {
		for _, c := range due {
			out = append(out, c.p)
		}
		return out, nil
	}
	actor := account.ProgramFor(ctx, account.SourceJob, "retention")
	for _, c := range due {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		deleted := false
		err := db.inTx(ctx, func(tx *Tx) error {
			var still int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM birth_notifications WHERE id = $1 AND data_deleted_at IS NULL`, c.p.ID).Scan(&still); err != nil {
				return err
			}
			if still == 0 {
				return nil // another instance was first
			}
			if err := deleteBirthData(ctx, tx, c.p.ID, c.born); err != nil {
				return err
			}
			// The clinic's reference goes with the parents' data: it points
			// into the clinic's file of the family.
			if _, err := tx.ExecContext(ctx, `UPDATE birth_notifications SET version = version + 1, updated_at = $1, clinic_reference = ''
				WHERE id = $2`, ts(tx.now), c.p.ID); err != nil {
				return err
			}
			ev := birthAudit(actor, auditBirthRetention, purposeRetention, c.p.ID)
			ev.Detail = fmt.Sprintf("reason=%s since=%s retention_months=%d; the parents' data deleted, only the month of birth kept",
				c.p.Reason, day(c.p.Since), p.RetentionMonths)
			deleted = true
			return tx.Audit(ctx, ev)
		})
		if err != nil {
			return out, fmt.Errorf("retention of birth notification %d: %w", c.p.ID, err)
		}
		if deleted {
			out = append(out, c.p)
		}
	}
	return out, nil
}

// BirthEscalationRecipients returns the e-mail addresses an escalation
// notice to orgKey goes to: the active team leads of a local team, or the
// active admins of Opgroeien for its own queue. Staff addresses only.
func (db *DB) BirthEscalationRecipients(ctx context.Context, orgKey string) ([]string, error) {
	role := string(account.TeamLead)
	if orgKey == org.OpgroeienKey {
		role = string(account.Admin)
	}
	out, err := queryList(ctx, db.read, scanValue[string],
		`SELECT email FROM users WHERE org_key = $1 AND role = $2 AND active = $3 ORDER BY email`, orgKey, role, true)
	return nilIfEmpty(out), err
}
