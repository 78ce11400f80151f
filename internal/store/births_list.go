package store

import (
	"context"
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

// birthSorts are the sort keys of both lists (birth.QueueSorts,
// birth.ClinicSorts; "" the default, newest first).
var birthSorts = sortCols{"": "n.created_at", "created_at": "n.created_at", "child_birth_date": "n.child_birth_date",
	"municipality": "n.municipality_nis", "reference": "n.clinic_reference"}

// birthFilters adds the filters a team and an admin share.
func birthFilters(l *listQuery, f birth.Filter) error {
	if f.Status != "" {
		if !slices.Contains(birth.Statuses, f.Status) {
			return apperr.FieldErr(apperr.Invalid, "status", "unknown status %q", f.Status).WithKey("error.unknown_status", map[string]any{"Status": f.Status})
		}
		l.add("n.status = $?", string(f.Status))
	}
	if f.MunicipalityNIS != "" {
		l.add("n.municipality_nis = $?", f.MunicipalityNIS)
	}
	if f.Language != "" {
		l.add("n.language = $?", f.Language)
	}
	if f.EarlyContact != nil {
		l.add("n.early_contact = $?", *f.EarlyContact)
	}
	if f.BornFrom != nil {
		l.add("n.child_birth_date >= $?", day(*f.BornFrom))
	}
	if f.BornTo != nil {
		l.add("n.child_birth_date <= $?", day(*f.BornTo))
	}
	if !f.IncludeDeleted {
		l.add("n.data_deleted_at IS NULL")
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

// birthScope is whose notifications a list holds: one team's (with the
// mother's name: the team may see its families' names) or, for
// Opgroeien's admins, everyone's (without names).
type birthScope struct {
	team  string // the team's key; "" for an admin
	admin bool
}

// birthQueueList is the notifications of scope with f (and for an admin
// f.Team and f.Queue), searched with q: the rows of BirthQueue and of the
// counts on the start pages that link to it.
func (db *DB) birthQueueList(scope birthScope, f birth.Filter, q string) (listQuery, error) {
	l := listQuery{cols: birthRowColumns + ", ''", from: "birth_notifications n", idCol: "n.id", sorts: birthSorts}
	if !scope.admin {
		l.cols = birthRowColumns + ", COALESCE(m.name, '')"
		l.from = "birth_notifications n LEFT JOIN birth_parents m ON m.notification_id = n.id AND m.idx = 0"
		l.add("n.team_key = $?", scope.team)
	} else {
		if f.Team != "" {
			l.add("n.team_key = $?", f.Team)
		}
		switch f.Queue {
		case "":
		case birth.QueueOpgroeien:
			l.add("n.team_key IS NULL")
		case birth.QueueTeam:
			l.add("n.team_key IS NOT NULL")
		default:
			return l, apperr.FieldErr(apperr.Invalid, "queue", "queue must be team or opgroeien")
		}
	}
	if err := birthFilters(&l, f); err != nil {
		return l, err
	}
	if q != "" {
		var alt []string
		if id, err := strconv.ParseInt(strings.TrimPrefix(q, "#"), 10, 64); err == nil {
			alt = append(alt, "n.id = "+l.arg(id))
		}
		if nis := db.municipalitiesNamed(q); len(nis) > 0 {
			alt = append(alt, inList("n.municipality_nis", nis, &l.args))
		}
		if !scope.admin {
			alt = append(alt, `EXISTS (SELECT 1 FROM birth_parents s WHERE s.notification_id = n.id AND LOWER(s.name) LIKE `+l.arg(page.Like(q))+` ESCAPE '\')`)
		}
		if len(alt) == 0 {
			alt = append(alt, "1=0")
		}
		l.add("(" + strings.Join(alt, " OR ") + ")")
	}
	return l, nil
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
	var scope birthScope
	switch {
	case isTeam(a):
		scope.team = a.Org
	case a.Role == account.Admin:
		scope.admin = true
	default:
		return res, db.denyAction(ctx, a, auditBirthList, "birth_notification", purposeEarlySupport,
			forbiddenBirth("only local teams and Opgroeien list birth notifications"))
	}
	l, err := db.birthQueueList(scope, f, req.Q)
	if err != nil {
		return res, err
	}
	res, err = queryPage(ctx, db.read, req, l, func(r rowScanner) (birth.QueueItem, error) {
		var it birth.QueueItem
		var err error
		it.Summary, err = scanBirthRow(r, &it.MotherName)
		return it, err
	}, func(it birth.QueueItem) int64 { return it.ID })
	if err != nil {
		return res, err
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

// clinicList is a clinic's own submissions with f (f.ClinicStatus and
// the date of birth), searched with q: the rows of ClinicSubmissionPage
// and of the counts on the clinic's start page.
func clinicList(clinic string, f birth.Filter, q string) (listQuery, error) {
	l := listQuery{cols: `n.id, n.status, COALESCE(n.team_key,''), COALESCE(n.batch_id,0), n.child_birth_date, n.created_at, n.clinic_reference`,
		from: "birth_notifications n", idCol: "n.id", sorts: birthSorts}
	l.add("n.clinic_key = $?", clinic)
	switch f.ClinicStatus {
	case "":
	case birth.ClinicNew:
		l.add("n.status = 'new'")
	case birth.ClinicPickedUp:
		l.add("n.status <> 'new'")
	default:
		return l, apperr.FieldErr(apperr.Invalid, "status", "a clinic's status is new or picked_up").
			WithKey("error.unknown_status", map[string]any{"Status": f.ClinicStatus})
	}
	if f.BornFrom != nil {
		l.add("n.child_birth_date >= $?", day(*f.BornFrom))
	}
	if f.BornTo != nil {
		l.add("n.child_birth_date <= $?", day(*f.BornTo))
	}
	if q != "" {
		if d, ok, err := dates.Parse(q); ok && err == nil {
			l.add("(LOWER(n.clinic_reference) LIKE $? ESCAPE '\\' OR n.child_birth_date = $?)", page.Like(q), day(d))
		} else {
			l.add("LOWER(n.clinic_reference) LIKE $? ESCAPE '\\'", page.Like(q))
		}
	}
	return l, nil
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
	l, err := clinicList(a.Org, f, req.Q)
	if err != nil {
		return res, err
	}
	res, err = queryPage(ctx, db.read, req, l, func(r rowScanner) (birth.Submission, error) {
		var s birth.Submission
		var status string
		var batch int64
		var born, created timeCol
		if err := r.Scan(&s.ID, &status, &s.Team, &batch, &born, &created, &s.ClinicReference); err != nil {
			return s, err
		}
		s.Status, s.Queue, s.ChildBirthDate, s.SubmittedAt = birth.Status(status).ForClinic(), queueOf(s.Team), day(born.T), created.T
		if batch != 0 {
			s.BatchID = &batch
		}
		return s, nil
	}, func(s birth.Submission) int64 { return s.ID })
	if err != nil {
		return res, err
	}
	if err := db.recordList(ctx, a, auditSubmissions, "birth_notification", purposeBirthNotification,
		idsOf(res.Items, func(s birth.Submission) int64 { return s.ID })); err != nil {
		return page.Result[birth.Submission]{}, err
	}
	return res, nil
}
