package store

import (
	"context"
	"database/sql"
	"strconv"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/birth"
	"kansrijk/internal/home"
	"kansrijk/internal/referral"
)

// The start pages (home.Store): counts scoped exactly like the lists they
// link to, each a COUNT on an indexed column of the caller's organisation.

// Summary returns the start page of a's role (see home.Store).
func (db *DB) Summary(ctx context.Context, a account.Actor) (s home.Summary, err error) {
	defer apperr.Wrap(&err, "store.Summary")
	switch a.Role {
	case account.TeamWorker, account.TeamLead:
		s.Team, err = db.teamHome(ctx, a)
	case account.OCMWWorker:
		s.OCMW, err = db.ocmwHome(ctx, a)
	case account.OCMWAdmin:
		s.OCMWAdmin, err = db.ocmwAdminHome(ctx, a)
	case account.Clinic:
		s.Clinic, err = db.clinicHome(ctx, a)
	case account.Admin, account.Analyst:
		s.Central, err = db.centralHome(ctx)
	case account.DPO:
		s.DPO, err = db.dpoHome(ctx, a)
	}
	return s, err
}

func (db *DB) count(ctx context.Context, query string, args ...any) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}

// teamHomeStatuses are the statuses of the team's start page, in order:
// a referral at the OCMW as the team sees it.
var teamHomeStatuses = []referral.Status{referral.Sent, referral.Received, referral.ContactAttempted, referral.Reached, referral.Closed, referral.Withdrawn}

// The counts of the start pages are counts of the lists they link to,
// built by the same functions (teamList, inboxList, birthQueueList,
// clinicList): a count and its list cannot disagree.

func (db *DB) teamHome(ctx context.Context, a account.Actor) (*home.Team, error) {
	t := &home.Team{}
	versions, err := db.versionsWhere(ctx, "team_key", a.Org)
	if err != nil {
		return nil, err
	}
	count := func(status referral.Status) (int, error) {
		return countList(ctx, db.read, teamList(a.Org, referral.Filter{Status: string(status)}, versions))
	}
	if t.Drafts, err = count(referral.Draft); err != nil {
		return nil, err
	}
	for _, s := range teamHomeStatuses {
		n, err := count(s)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			t.Sent = append(t.Sent, home.StatusCount{Status: s, N: n})
		}
		t.AtOCMW += n
	}
	births, err := db.birthQueueList(birthScope{team: a.Org}, birth.Filter{Status: birth.New}, "")
	if err != nil {
		return nil, err
	}
	if t.NewBirths, err = countList(ctx, db.read, births); err != nil {
		return nil, err
	}
	t.OverdueTasks, err = db.count(ctx, `SELECT count(*) FROM outreach_tasks WHERE team_key = $1 AND status = 'open' AND due_on < $2`, a.Org, day(today(db.Now())))
	return t, err
}

func (db *DB) ocmwHome(ctx context.Context, a account.Actor) (*home.OCMW, error) {
	o := &home.OCMW{}
	versions, err := db.versionsWhere(ctx, "recipient_key", a.Org)
	if err != nil {
		return nil, err
	}
	now := db.Now()
	for _, c := range []struct {
		f referral.Filter
		n *int
	}{{referral.Filter{}, &o.Open}, {referral.Filter{Status: referral.StatusNew}, &o.New}, {referral.Filter{Overdue: true}, &o.Overdue}} {
		if *c.n, err = countList(ctx, db.read, inboxList(a.Org, c.f, versions, now)); err != nil {
			return nil, err
		}
	}
	// The latest cases, by the parents' names: a list read of names.
	type row struct {
		id      int64
		status  string
		updated timeCol
		idx     int
		name    string
	}
	rows, err := queryList(ctx, db.read, func(r rowScanner) (row, error) {
		var x row
		return x, r.Scan(&x.id, &x.status, &x.updated, &x.idx, &x.name)
	}, `SELECT r.id, r.status, r.updated_at, p.idx, p.name FROM referrals r JOIN referral_parents p ON p.referral_id = r.id
		WHERE r.id IN (SELECT q.id FROM referrals q WHERE q.recipient_key = $1
			AND q.status IN ('sent','received','contact_attempted','reached','closed') AND q.data_deleted_at IS NULL
			ORDER BY q.updated_at DESC, q.id DESC LIMIT `+strconv.Itoa(home.RecentCases)+`)
		ORDER BY r.updated_at DESC, r.id DESC, p.idx`, a.Org)
	if err != nil {
		return nil, err
	}
	for _, x := range rows {
		if n := len(o.Recent); n > 0 && o.Recent[n-1].ID == x.id {
			o.Recent[n-1].Name += " & " + x.name
			continue
		}
		o.Recent = append(o.Recent, home.Case{ID: x.id, Name: x.name, Status: referral.Status(x.status), UpdatedAt: x.updated.T})
	}
	// Like a page of the inbox: one event, also for an empty list.
	if err := db.recordList(ctx, a, auditReferralInbox, "referral", purposeFollowUp, idsOf(o.Recent, func(c home.Case) int64 { return c.ID })); err != nil {
		return nil, err
	}
	return o, nil
}

func (db *DB) ocmwAdminHome(ctx context.Context, a account.Actor) (*home.OCMWAdmin, error) {
	h := &home.OCMWAdmin{}
	args := []any{day(today(db.Now())), farFuture, a.Org}
	list, err := queryList(ctx, db.read, func(row rowScanner) (home.AgreementState, error) {
		var s home.AgreementState
		var status string
		var since timeCol
		err := row.Scan(&s.ID, &s.Team, &s.TeamName, &s.TeamPhone, &s.TeamEmail, &s.Municipality, &status, &since)
		s.Status, s.Since = agreement.Status(status), since.T
		if m, ok := db.Municipalities.ByNIS(s.Municipality); ok {
			s.Municipality = m.Name
		}
		return s, err
	}, `SELECT a.id, a.team_key, t.name, t.contact_phone, t.contact_email, a.municipality_nis,
		COALESCE((SELECT e.status FROM agreement_events e WHERE e.id = `+effectiveEventSQL+`), 'none'),
		(SELECT e.effective_on FROM agreement_events e WHERE e.id = `+effectiveEventSQL+`)
		FROM agreements a JOIN organisations t ON t.key = a.team_key
		WHERE a.recipient_key = $3 ORDER BY a.id`, args...)
	if err != nil {
		return nil, err
	}
	for i := range list {
		s := &list[i]
		if s.Status == agreement.Ended || s.Status == agreement.Withdrawn {
			continue // history: not the administrator's work any more
		}
		if s.Documents, err = queryList(ctx, db.read, scanValue[string], `SELECT DISTINCT kind FROM agreement_documents WHERE agreement_id = $1 ORDER BY kind`, s.ID); err != nil {
			return nil, err
		}
		n, err := db.count(ctx, `SELECT count(*) FROM agreement_versions WHERE agreement_id = $1 AND state = 'proposed'`, s.ID)
		if err != nil {
			return nil, err
		}
		s.Proposed = n > 0
		h.Agreements = append(h.Agreements, *s)
	}
	if h.Users, err = db.count(ctx, `SELECT count(*) FROM users WHERE org_key = $1 AND active = $2 AND service = $3`, a.Org, true, false); err != nil {
		return nil, err
	}
	h.ServiceAccounts, err = db.count(ctx, `SELECT count(*) FROM users WHERE org_key = $1 AND active = $2 AND service = $3`, a.Org, true, true)
	return h, err
}

func (db *DB) clinicHome(ctx context.Context, a account.Actor) (*home.Clinic, error) {
	c := &home.Clinic{}
	for _, x := range []struct {
		status birth.ClinicStatus
		n      *int
	}{{birth.ClinicNew, &c.New}, {birth.ClinicPickedUp, &c.PickedUp}} {
		l, err := clinicList(a.Org, birth.Filter{ClinicStatus: x.status}, "")
		if err != nil {
			return nil, err
		}
		if *x.n, err = countList(ctx, db.read, l); err != nil {
			return nil, err
		}
	}
	var err error
	ref := `COALESCE(clinic_reference, '')`
	c.Recent, err = queryList(ctx, db.read, func(row rowScanner) (home.Submission, error) {
		var s home.Submission
		var status string
		var created timeCol
		err := row.Scan(&s.ID, &s.Reference, &created, &status)
		s.SubmittedAt, s.Status = created.T, birth.Status(status).ForClinic()
		return s, err
	}, `SELECT id, `+ref+`, created_at, status FROM birth_notifications WHERE clinic_key = $1
		ORDER BY created_at DESC, id DESC LIMIT `+strconv.Itoa(home.RecentSubmissions), a.Org)
	if err != nil {
		return nil, err
	}
	// As the clinic's list of its submissions: one event naming them.
	if err := db.recordList(ctx, a, auditSubmissions, "birth_notification", purposeBirthNotification,
		idsOf(c.Recent, func(s home.Submission) int64 { return s.ID })); err != nil {
		return nil, err
	}
	return c, nil
}

func (db *DB) centralHome(ctx context.Context) (*home.Central, error) {
	c := &home.Central{}
	rep, err := db.AgreementReport(ctx, today(db.Now()), nil, "flanders")
	if err != nil {
		return nil, err
	}
	c.Municipalities, c.SignedUp, c.Signed, c.InForce = rep.Total, rep.SignedUp, rep.Counts[agreement.Signed], rep.InForce
	queue, err := db.birthQueueList(birthScope{admin: true}, birth.Filter{Queue: birth.QueueOpgroeien, Status: birth.New}, "")
	if err != nil {
		return nil, err
	}
	if c.QueueNew, err = countList(ctx, db.read, queue); err != nil {
		return nil, err
	}
	// Failed runs: a result that says so, or a run that never finished
	// and is past the time another instance may take it over.
	c.FailedJobs, err = queryList(ctx, db.read, func(row rowScanner) (home.JobRun, error) {
		var j home.JobRun
		var d, started timeCol
		var result sql.NullString
		err := row.Scan(&j.Job, &d, &started, &result)
		j.Day, j.StartedAt, j.Result = day(d.T), started.T, result.String
		return j, err
	}, `SELECT job, day, started_at, CASE WHEN finished_at IS NULL THEN '' ELSE result END FROM job_runs
		WHERE result LIKE 'FAILED%' OR (finished_at IS NULL AND started_at < $1)
		ORDER BY day DESC, started_at DESC LIMIT 10`, ts(db.Now().Add(-staleJobAfter)))
	if err != nil {
		return c, err
	}
	// Area backup: the latest scheduled backup (backup.go).
	c.Backup, err = db.LastBackup(ctx)
	return c, err
}

func (db *DB) dpoHome(ctx context.Context, a account.Actor) (*home.DPO, error) {
	d := &home.DPO{}
	on := today(db.Now())
	var err error
	if d.OpenRequests, err = db.count(ctx, `SELECT count(*) FROM subject_requests WHERE org_key = $1 AND answered_on IS NULL`, a.Org); err != nil {
		return nil, err
	}
	if d.Overdue, err = db.count(ctx, `SELECT count(*) FROM subject_requests WHERE org_key = $1 AND answered_on IS NULL AND due_on < $2`, a.Org, day(on)); err != nil {
		return nil, err
	}
	d.DueSoon, err = db.count(ctx, `SELECT count(*) FROM subject_requests WHERE org_key = $1 AND answered_on IS NULL AND due_on >= $2 AND due_on <= $3`,
		a.Org, day(on), day(on.AddDate(0, 0, home.DueSoonDays)))
	return d, err
}
