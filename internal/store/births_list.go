package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/birth"
	"kansrijk/internal/dates"
	"kansrijk/internal/page"
)

var _ birth.Pages = (*DB)(nil)

// Lists of birth notifications in pages (issue 12). The rows of a page are
// read along an index over the scope (team, clinic), the filters and the
// sort column with the id (migration 00018), LIMIT the page plus one; the
// possible-duplicate flag is then asked for those rows only. A page thus
// costs the same at 1k and at 1M notifications — until a search (q) has
// to look past many rows that do not match.

// birthSortColumn is the column of a sort key of the lists.
func birthSortColumn(key string) string {
	switch key {
	case "child_birth_date":
		return "n.child_birth_date"
	case "municipality":
		return "n.municipality_nis"
	case "reference":
		return "n.clinic_reference"
	}
	return "n.created_at"
}

// birthWhere collects the conditions of a list query and their
// arguments, numbered in order.
type birthWhere struct {
	conds []string
	args  []any
}

// add appends cond with its "$?" markers numbered from the next argument.
func (w *birthWhere) add(cond string, vs ...any) {
	for _, v := range vs {
		w.args = append(w.args, v)
		cond = strings.Replace(cond, "$?", "$"+strconv.Itoa(len(w.args)), 1)
	}
	w.conds = append(w.conds, cond)
}

// keyset adds the page's position: after (or before) the cursor in the
// order of col and the id. Besides page.Keyset's condition, a plain bound
// on col lets the database seek in the index instead of reading it from
// the start, so that a deep page costs what the first one does.
func (w *birthWhere) keyset(req page.Request, col string) {
	n := len(w.args) + 1
	cond, _, args := req.Keyset(col, "n.id", n, false)
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
	if len(args) == 2 {
		cmp := ">="
		if req.Desc != req.Backward() {
			cmp = "<="
		}
		w.conds = append(w.conds, fmt.Sprintf("%s %s $%d", col, cmp, n))
	}
}

// order is the ORDER BY of the page.
func birthOrder(req page.Request, col string) string {
	_, order, _ := req.Keyset(col, "n.id", 1, false)
	return order
}

func (w *birthWhere) sql() string {
	if len(w.conds) == 0 {
		return "1=1"
	}
	return strings.Join(w.conds, " AND ")
}

// filters adds the filters a team and an admin share.
func (w *birthWhere) filters(f birth.Filter) error {
	if f.Status != "" {
		if !slices.Contains(birth.Statuses, f.Status) {
			return apperr.FieldErr(apperr.Invalid, "status", "unknown status %q", f.Status).WithKey("error.unknown_status", map[string]any{"Status": f.Status})
		}
		w.add("n.status = $?", string(f.Status))
	}
	if f.MunicipalityNIS != "" {
		w.add("n.municipality_nis = $?", f.MunicipalityNIS)
	}
	if f.Language != "" {
		w.add("n.language = $?", f.Language)
	}
	if f.EarlyContact != nil {
		w.add("n.early_contact = $?", *f.EarlyContact)
	}
	if f.BornFrom != nil {
		w.add("n.child_birth_date >= $?", day(*f.BornFrom))
	}
	if f.BornTo != nil {
		w.add("n.child_birth_date <= $?", day(*f.BornTo))
	}
	if !f.IncludeDeleted {
		w.add("n.data_deleted_at IS NULL")
	}
	return nil
}

// municipalitiesNamed returns the NIS codes of the municipalities whose
// name holds q (case-insensitive), at most 50.
func (db *DB) municipalitiesNamed(q string) []string {
	if db.Municipalities == nil || len([]rune(q)) < 2 {
		return nil
	}
	q = strings.ToLower(q)
	var out []string
	for _, m := range db.Municipalities.All() {
		if strings.Contains(strings.ToLower(m.Name), q) && len(out) < 50 {
			out = append(out, m.NIS)
		}
	}
	return out
}

// BirthQueue is one page of the notifications in the caller's scope: team
// workers and leads their team's, with the mother's name (they may see
// their families' names); admins all of them, with f.Team or f.Queue to
// narrow it down, without names. req.Q searches, for a team, the parents'
// names, the municipality's name and the number; for an admin the
// municipality's name and the number. Sorts: birth.QueueSorts. One audit
// event birth.list per page, naming the ids shown; other roles are
// refused (forbidden, audited).
func (db *DB) BirthQueue(ctx context.Context, a account.Actor, f birth.Filter, req page.Request) (res page.Result[birth.QueueItem], err error) {
	defer apperr.Wrap(&err, "store.BirthQueue")
	var w birthWhere
	team := isTeam(a)
	switch {
	case team:
		w.add("n.team_key = $?", a.Org)
	case a.Role == account.Admin:
		if f.Team != "" {
			w.add("n.team_key = $?", f.Team)
		}
		switch f.Queue {
		case "":
		case birth.QueueOpgroeien:
			w.add("n.team_key IS NULL")
		case birth.QueueTeam:
			w.add("n.team_key IS NOT NULL")
		default:
			return res, apperr.FieldErr(apperr.Invalid, "queue", "queue must be team or opgroeien")
		}
	default:
		return res, db.denyAction(ctx, a, auditBirthList, "birth_notification", purposeEarlySupport,
			forbiddenBirth("only local teams and Opgroeien list birth notifications"))
	}
	if err := w.filters(f); err != nil {
		return res, err
	}
	if q := req.Q; q != "" {
		var alt []string
		if id, err := strconv.ParseInt(strings.TrimPrefix(q, "#"), 10, 64); err == nil {
			w.args = append(w.args, id)
			alt = append(alt, fmt.Sprintf("n.id = $%d", len(w.args)))
		}
		if nis := db.municipalitiesNamed(q); len(nis) > 0 {
			var marks []string
			for _, c := range nis {
				w.args = append(w.args, c)
				marks = append(marks, fmt.Sprintf("$%d", len(w.args)))
			}
			alt = append(alt, "n.municipality_nis IN ("+strings.Join(marks, ",")+")")
		}
		if team {
			w.args = append(w.args, page.Like(q))
			alt = append(alt, fmt.Sprintf(`EXISTS (SELECT 1 FROM birth_parents s WHERE s.notification_id = n.id AND LOWER(s.name) LIKE $%d ESCAPE '\')`, len(w.args)))
		}
		if len(alt) == 0 {
			alt = append(alt, "1=0")
		}
		w.add("(" + strings.Join(alt, " OR ") + ")")
	}
	col := birthSortColumn(req.Sort)
	w.keyset(req, col)
	name := `''`
	join := ""
	if team {
		name = `COALESCE(m.name, '')`
		join = ` LEFT JOIN birth_parents m ON m.notification_id = n.id AND m.idx = 0`
	}
	type row struct {
		item birth.QueueItem
		key  string
	}
	rows, err := queryList(ctx, db.read, func(r rowScanner) (row, error) {
		var x row
		var err error
		x.item.Summary, err = scanBirthRow(r, &x.item.MotherName, &x.key)
		return x, err
	}, `SELECT `+birthRowColumns+`, `+name+`, CAST(`+col+` AS TEXT) FROM birth_notifications n`+join+
		` WHERE `+w.sql()+` ORDER BY `+birthOrder(req, col)+fmt.Sprintf(` LIMIT %d`, req.Limit+1), w.args...)
	if err != nil {
		return res, err
	}
	pg := page.Finish(req, rows, func(x row) (string, int64) { return x.key, x.item.ID })
	res = page.Result[birth.QueueItem]{Items: make([]birth.QueueItem, len(pg.Items)), Next: pg.Next, Prev: pg.Prev}
	for i, x := range pg.Items {
		res.Items[i] = x.item
	}
	if err := flagDuplicates(ctx, db.read, len(res.Items), func(i int) *birth.Summary { return &res.Items[i].Summary }); err != nil {
		return res, err
	}
	if err := db.recordList(ctx, a, auditBirthList, "birth_notification", purposeEarlySupport,
		idsOf(res.Items, func(s birth.QueueItem) int64 { return s.ID })); err != nil {
		return page.Result[birth.QueueItem]{}, err
	}
	return res, nil
}

// flagDuplicates sets PossibleDuplicate on the n summaries at(0..n-1):
// another open notification in the same queue has a parent with the same
// duplicate key. One query for all of them, along the parents' primary
// key and the duplicate key's index.
func flagDuplicates(ctx context.Context, q queryer, n int, at func(int) *birth.Summary) error {
	if n == 0 {
		return nil
	}
	args := make([]any, 0, n)
	byID := make(map[int64]*birth.Summary, n)
	for i := range n {
		s := at(i)
		s.PossibleDuplicate = false
		if s.Status == birth.Merged {
			continue
		}
		byID[s.ID] = s
		args = append(args, s.ID)
	}
	if len(args) == 0 {
		return nil
	}
	marks := make([]string, len(args))
	for i := range args {
		marks[i] = "$" + strconv.Itoa(i+1)
	}
	ids, err := queryList(ctx, q, scanValue[int64], `SELECT DISTINCT p1.notification_id FROM birth_parents p1
		JOIN birth_notifications n1 ON n1.id = p1.notification_id
		JOIN birth_parents p2 ON p2.duplicate_key = p1.duplicate_key AND p2.notification_id <> p1.notification_id
		JOIN birth_notifications n2 ON n2.id = p2.notification_id
		WHERE p1.notification_id IN (`+strings.Join(marks, ",")+`) AND n2.status <> 'merged' AND n2.data_deleted_at IS NULL
		AND COALESCE(n2.team_key,'') = COALESCE(n1.team_key,'')`, args...)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if s := byID[id]; s != nil {
			s.PossibleDuplicate = true
		}
	}
	return nil
}

// ClinicSubmissionPage is one page of the caller's clinic's own
// submissions: status (new or picked_up), the team it went to, the date
// of birth and the clinic's reference — no personal data, nothing of the
// team's work. req.Q searches the reference (anywhere in it,
// case-insensitive) or, when it is a date, the date of birth. Sorts:
// birth.ClinicSorts. One audit event birth.submissions per page. Clinics
// only.
func (db *DB) ClinicSubmissionPage(ctx context.Context, a account.Actor, f birth.Filter, req page.Request) (res page.Result[birth.Submission], err error) {
	defer apperr.Wrap(&err, "store.ClinicSubmissionPage")
	if a.Role != account.Clinic {
		return res, forbiddenBirth("only a maternity clinic lists its submissions")
	}
	var w birthWhere
	w.add("n.clinic_key = $?", a.Org)
	switch f.ClinicStatus {
	case "":
	case birth.ClinicNew:
		w.add("n.status = 'new'")
	case birth.ClinicPickedUp:
		w.add("n.status <> 'new'")
	default:
		return res, apperr.FieldErr(apperr.Invalid, "status", "a clinic's status is new or picked_up").
			WithKey("error.unknown_status", map[string]any{"Status": f.ClinicStatus})
	}
	if f.BornFrom != nil {
		w.add("n.child_birth_date >= $?", day(*f.BornFrom))
	}
	if f.BornTo != nil {
		w.add("n.child_birth_date <= $?", day(*f.BornTo))
	}
	if q := req.Q; q != "" {
		if d, ok, err := dates.Parse(q); ok && err == nil {
			w.add("(LOWER(n.clinic_reference) LIKE $? ESCAPE '\\' OR n.child_birth_date = $?)", page.Like(q), day(d))
		} else {
			w.add("LOWER(n.clinic_reference) LIKE $? ESCAPE '\\'", page.Like(q))
		}
	}
	col := birthSortColumn(req.Sort)
	w.keyset(req, col)
	type row struct {
		s   birth.Submission
		key string
	}
	rows, err := queryList(ctx, db.read, func(r rowScanner) (row, error) {
		var x row
		var status string
		var batch int64
		var born, created timeCol
		if err := r.Scan(&x.s.ID, &status, &x.s.Team, &batch, &born, &created, &x.s.ClinicReference, &x.key); err != nil {
			return x, err
		}
		x.s.Status, x.s.Queue, x.s.ChildBirthDate, x.s.SubmittedAt = birth.Status(status).ForClinic(), queueOf(x.s.Team), day(born.T), created.T
		if batch != 0 {
			x.s.BatchID = &batch
		}
		return x, nil
	}, `SELECT n.id, n.status, COALESCE(n.team_key,''), COALESCE(n.batch_id,0), n.child_birth_date, n.created_at, n.clinic_reference,
		CAST(`+col+` AS TEXT) FROM birth_notifications n WHERE `+w.sql()+` ORDER BY `+birthOrder(req, col)+fmt.Sprintf(` LIMIT %d`, req.Limit+1), w.args...)
	if err != nil {
		return res, err
	}
	pg := page.Finish(req, rows, func(x row) (string, int64) { return x.key, x.s.ID })
	res = page.Result[birth.Submission]{Items: make([]birth.Submission, len(pg.Items)), Next: pg.Next, Prev: pg.Prev}
	for i, x := range pg.Items {
		res.Items[i] = x.s
	}
	if err := db.recordList(ctx, a, auditSubmissions, "birth_notification", purposeBirthNotification,
		idsOf(res.Items, func(s birth.Submission) int64 { return s.ID })); err != nil {
		return page.Result[birth.Submission]{}, err
	}
	return res, nil
}
