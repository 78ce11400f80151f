package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/page"
	"kansrijk/internal/referral"
)

// The two lists of referrals, one keyset page at a time (package page):
// the local team's referrals and the OCMW's inbox. Filter, search and
// sort are SQL; the page's cost depends on the page, not on the table:
//
//   - team, by created (the default) or sent, unfiltered or filtered on
//     a status the team sees as it is: an index over (team_key, …, id)
//     (migration 00017);
//   - inbox, open or archive, by sent (the default), filtered on new,
//     a status or overdue: a partial index per view over
//     (recipient_key, sent_at, id);
//   - by name, team or inbox: the first parent's name kept on the
//     referral (name_key) and an index per scope over (…, name_key, id)
//     (migration 00024);
//   - sorting by status, searching a name, and the team's
//     "sent" (which hides the OCMW's progress where the agreement gives
//     no status feedback) read the organisation's own rows of the view:
//     bounded by one team's or one OCMW's referrals, never the table.

// Statuses as SQL lists. The inbox's two lists are written exactly as in
// the partial indexes of migrations 00017 and 00024: SQLite uses a partial
// index only for a query that repeats its condition.
const (
	sqlOpen     = `r.status IN ('sent','received','contact_attempted','reached')`
	sqlArchive  = `r.status IN ('closed','withdrawn')`
	sqlNew      = `r.status IN ('sent','received')`
	sqlProgress = `r.status IN ('received','contact_attempted','reached','closed')`
	// sqlFirstName is the first parent's name, lowercased: the name sort,
	// kept on the referral by the triggers of migration 00024 (empty once
	// the personal data are deleted).
	sqlFirstName = `r.name_key`
	// sqlSentOrNever sorts drafts (never sent) first; indexed as such.
	sqlSentOrNever = `COALESCE(r.sent_at, '-infinity')`
)

// teamList is the team's referrals with f.Status as the team sees it
// (where the agreement gives no status feedback, a referral at the OCMW
// is "sent"): the rows of ReferralPage and of the counts on the team's
// start page. versions are the team's agreements (versionsWhere).
func teamList(org string, f referral.Filter, versions map[int64]agreement.Version) listQuery {
	// hidden: the referral's progress at the OCMW is not the team's to see.
	var noFeedback []string
	for id, v := range versions {
		if !v.StatusFeedback {
			noFeedback = append(noFeedback, strconv.FormatInt(id, 10))
		}
	}
	slices.Sort(noFeedback)
	hidden := `r.agreement_id IS NULL`
	if len(noFeedback) > 0 {
		hidden = `(r.agreement_id IS NULL OR r.agreement_id IN (` + strings.Join(noFeedback, ",") + `))`
	}
	visible := `CASE WHEN ` + sqlProgress + ` AND ` + hidden + ` THEN 'sent' ELSE r.status END`
	l := listQuery{cols: referralColumns, from: "referrals r", idCol: "r.id",
		sorts: sortCols{"": "", "created": `r.created_at`, "sent": sqlSentOrNever, "name": sqlFirstName, "status": visible}}
	l.add(`r.team_key = $?`, org)
	switch s := referral.Status(f.Status); s {
	case "":
	case referral.Sent:
		l.add(`(r.status = 'sent' OR (` + sqlProgress + ` AND ` + hidden + `))`)
	case referral.Received, referral.ContactAttempted, referral.Reached, referral.Closed:
		l.add(`r.status = $? AND NOT `+hidden, f.Status)
	default:
		l.add(`r.status = $?`, f.Status)
	}
	return l
}

// inboxList is the OCMW's inbox: the open referrals it received, or with
// f.Archive the closed and withdrawn ones; f.Status a status or "new" (no
// contact attempt yet), f.Overdue past the agreement's first-contact
// target at now without a contact attempt. The rows of InboxPage and of
// the counts on the OCMW's start page ("new", "overdue", "open" have this
// one definition). versions are the OCMW's agreements (versionsWhere).
func inboxList(org string, f referral.Filter, versions map[int64]agreement.Version, now time.Time) listQuery {
	l := listQuery{cols: referralColumns, from: "referrals r", idCol: "r.id",
		sorts: sortCols{"": "", "sent": `r.sent_at`, "name": sqlFirstName, "status": `r.status`}}
	// CAST: the statement stays prepared (stmtcache.go).
	l.add(`r.recipient_key = CAST($? AS TEXT)`, org)
	if f.Archive {
		l.add(sqlArchive)
	} else {
		l.add(sqlOpen)
	}
	switch f.Status {
	case "":
	case referral.StatusNew:
		l.add(sqlNew)
	default:
		l.add(`r.status = $?`, f.Status)
	}
	if f.Overdue {
		// Sent before now minus the target of its agreement: one cut-off
		// per agreement of this OCMW (a few), no date arithmetic in SQL.
		ids := make([]int64, 0, len(versions))
		for id := range versions {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		var late []string
		for _, id := range ids {
			if v := versions[id]; v.FirstContactDays > 0 {
				late = append(late, `(r.agreement_id = `+strconv.FormatInt(id, 10)+` AND r.sent_at < `+
					l.arg(ts(now.Add(-time.Duration(v.FirstContactDays)*24*time.Hour)))+`)`)
			}
		}
		if len(late) == 0 {
			late = []string{`1=0`}
		}
		l.add(sqlNew)
		l.add(`r.first_contact_at IS NULL`)
		l.add(`(` + strings.Join(late, ` OR `) + `)`)
	}
	return l
}

// searchNames narrows a list of referrals r to those with a parent whose
// name holds q (case-insensitive); nothing for an empty q.
func (l *listQuery) searchNames(q string) {
	if q != "" {
		l.add(`EXISTS (SELECT 1 FROM referral_parents p WHERE p.referral_id = r.id AND LOWER(p.name) LIKE $? ESCAPE '\')`, page.Like(q))
	}
}

// ReferralPage returns one page of the team's referrals for team workers
// and leads: status and dates as the team may see them (where the
// agreement gives no status feedback, a referral at the OCMW is "sent")
// and the parents' names, searchable with req.Q. Filter on f.Status (as
// the team sees it). The page is audited as one event (referral.list,
// purpose referral: names are shown) naming the referrals shown. Other
// roles get forbidden, audited.
func (db *DB) ReferralPage(ctx context.Context, a account.Actor, f referral.Filter, req page.Request) (res page.Result[referral.ListItem], err error) {
	defer apperr.Wrap(&err, "store.ReferralPage")
	if sideOf(a) != sideTeam {
		return res, db.denyAction(ctx, a, auditReferralList, "referral", purposeReferral,
			apperr.New(apperr.Forbidden, "only the local team lists its referrals").WithKey("error.forbidden", nil))
	}
	versions, err := db.versionsWhere(ctx, "team_key", a.Org)
	if err != nil {
		return res, err
	}
	l := teamList(a.Org, f, versions)
	l.searchNames(req.Q)
	res, err = db.referralPage(ctx, l, req)
	if err != nil {
		return res, err
	}
	for i := range res.Items {
		it := &res.Items[i]
		if v, ok := versions[it.AgreementID]; ok {
			it.StatusFeedback, it.TargetDays = v.StatusFeedback, v.FirstContactDays
		}
	}
	if err := db.recordList(ctx, a, auditReferralList, "referral", purposeReferral, idsOf(res.Items, listItemID)); err != nil {
		return page.Result[referral.ListItem]{}, err
	}
	return res, nil
}

// InboxPage returns one page of the referrals the actor's OCMW received,
// for OCMW workers: the open ones, or with f.Archive the closed and
// withdrawn ones; filtered on f.Status (a status, or "new": no contact
// attempt yet) and f.Overdue (past the agreement's first-contact target
// without a contact attempt); searchable in the parents' names. Each
// item has what the inbox shows (inboxColumns: id, status, version,
// outcome, the dates of the OCMW's work, the referring team's key), the
// parents' names, the referring team's name and contact details and the
// first-contact target and status feedback of the version in force;
// never the family's receipt code nor any other field of the referral.
// The page is audited as one event (referral.inbox, purpose follow_up,
// as the read of a referral by the OCMW) naming the referrals shown,
// durable before the page is returned: if it cannot be written the page
// fails. Other roles get forbidden.
func (db *DB) InboxPage(ctx context.Context, a account.Actor, f referral.Filter, req page.Request) (res page.Result[referral.ListItem], err error) {
	defer apperr.Wrap(&err, "store.InboxPage")
	if sideOf(a) != sideOCMW {
		return res, db.denyAction(ctx, a, auditReferralInbox, "referral", purposeFollowUp,
			apperr.New(apperr.Forbidden, "only OCMW workers have an inbox").WithKey("error.forbidden", nil))
	}
	// The agreements' versions are read apart only for the overdue
	// filter, whose condition is built from them; otherwise the page's
	// one query reads each row's version in force with the row.
	var versions map[int64]agreement.Version
	if f.Overdue {
		if versions, err = db.versionsWhere(ctx, "recipient_key", a.Org); err != nil {
			return res, err
		}
	}
	l := inboxList(a.Org, f, versions, db.Now())
	l.searchNames(req.Q)
	ev := listEvent(a, auditReferralInbox, "referral", purposeFollowUp, nil)
	ev.At = db.Now().UTC()
	if db.dialect == Postgres && !db.unauditedBaseline {
		// The page's statement writes its event itself (pageevent.go):
		// one round trip, durable when the page is read.
		l.event = &ev
		return db.inboxPage(ctx, l, req)
	}
	res, err = db.inboxPage(ctx, l, req)
	if err != nil {
		return res, err
	}
	if err := db.recordList(ctx, a, auditReferralInbox, "referral", purposeFollowUp, idsOf(res.Items, listItemID)); err != nil {
		return page.Result[referral.ListItem]{}, err
	}
	return res, nil
}

// inboxColumns are the referral's columns the inbox shows (the API's
// inbox items, the inbox page of the web interface): 10 of the 20 of
// referralColumns. The rest (rights, receipt code, creator, the
// municipality…) is read only when one referral is opened.
const inboxColumns = `r.id, r.team_key, r.status, r.version, r.outcome, r.sent_at, r.received_at, r.first_contact_at, r.closed_at, r.withdrawn_at`

// inboxPage reads one page of the inbox list l in one query: each
// referral's inboxColumns with its parents' names (in their order), the
// referring team's name and contact details, and the status feedback
// and first-contact target of the version in force of its agreement with
// this OCMW (the newest applied one). One read instead of five (issue
// 14); every page reads them afresh, so nothing can be stale.
func (db *DB) inboxPage(ctx context.Context, l listQuery, req page.Request) (page.Result[referral.ListItem], error) {
	parents := `(SELECT json_group_array(p.name ORDER BY p.idx) FROM referral_parents p WHERE p.referral_id = r.id)`
	if db.dialect == Postgres {
		parents = `(SELECT COALESCE(array_to_json(array_agg(p.name ORDER BY p.idx))::text, '[]') FROM referral_parents p WHERE p.referral_id = r.id)`
	}
	l.cols = inboxColumns + `, ` + parents + `, COALESCE(o.name, ''), COALESCE(o.contact_phone, ''), COALESCE(o.contact_email, ''),
		COALESCE(v.status_feedback, FALSE), COALESCE(v.first_contact_days, 0)`
	l.joins = `LEFT JOIN organisations o ON o.key = r.team_key
		LEFT JOIN agreements a ON a.id = r.agreement_id AND a.recipient_key = r.recipient_key
		LEFT JOIN agreement_versions v ON v.agreement_id = a.id AND v.state = 'applied'
			AND v.version = (SELECT MAX(w.version) FROM agreement_versions w WHERE w.agreement_id = a.id AND w.state = 'applied')`
	q := db.hot()
	if l.event != nil {
		// A statement that writes runs on the writer pool (on
		// PostgreSQL the same pool as the reads).
		q = db.write
	}
	return queryPage(ctx, q, req, l, scanInboxItem, listItemID)
}

// scanInboxItem scans a row of inboxPage.
func scanInboxItem(row rowScanner) (referral.ListItem, error) {
	var it referral.ListItem
	var parents, status string
	var sent, received, first, closed, withdrawn timeCol
	err := row.Scan(&it.ID, &it.Team, &status, &it.Version, &it.Outcome, &sent, &received, &first, &closed, &withdrawn,
		&parents, &it.TeamName, &it.TeamPhone, &it.TeamEmail, &it.StatusFeedback, &it.TargetDays)
	if err != nil {
		return it, err
	}
	it.Status = referral.Status(status)
	it.SentAt, it.ReceivedAt, it.FirstContactAt, it.ClosedAt, it.WithdrawnAt = sent.Ptr(), received.Ptr(), first.Ptr(), closed.Ptr(), withdrawn.Ptr()
	if it.TeamName == "" {
		it.TeamName = it.Team
	}
	if it.ParentNames, err = jsonStrings(parents); err != nil {
		return it, fmt.Errorf("parents of referral %d: %w", it.ID, err)
	}
	return it, nil
}

// jsonStrings decodes a JSON array of strings as the databases write it
// (json_group_array, array_to_json: no spaces). Without a backslash in
// it no string holds a quote, so the array splits at "," exactly; any
// other text (an escape, spaces between the strings) goes through
// encoding/json. Never nil.
func jsonStrings(s string) ([]string, error) {
	if inner, ok := strings.CutPrefix(s, `["`); ok && !strings.Contains(s, `\`) {
		if inner, ok = strings.CutSuffix(inner, `"]`); ok {
			if out := strings.Split(inner, `","`); !slices.ContainsFunc(out, func(x string) bool { return strings.Contains(x, `"`) }) {
				return out, nil
			}
		}
	}
	out := []string{}
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, err
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}

func listItemID(it referral.ListItem) int64 { return it.ID }

// referralPage reads one page of a list of referrals r (teamList or
// inboxList) and fills in the parents' names of the page.
func (db *DB) referralPage(ctx context.Context, l listQuery, req page.Request) (page.Result[referral.ListItem], error) {
	got, err := queryPage(ctx, db.hot(), req, l, scanReferral, func(r referral.Referral) int64 { return r.ID })
	if err != nil {
		return page.Result[referral.ListItem]{}, err
	}
	res := page.Result[referral.ListItem]{Items: make([]referral.ListItem, len(got.Items)), Next: got.Next, Prev: got.Prev}
	ids := make([]any, len(got.Items))
	at := map[int64]int{}
	for i, r := range got.Items {
		res.Items[i] = referral.ListItem{Referral: r, ParentNames: []string{}}
		ids[i] = r.ID
		at[r.ID] = i
	}
	if len(ids) == 0 {
		return res, nil
	}
	type name struct {
		id   int64
		name string
	}
	names, err := queryList(ctx, db.hot(), func(row rowScanner) (name, error) {
		var n name
		err := row.Scan(&n.id, &n.name)
		return n, err
	}, `SELECT referral_id, name FROM referral_parents WHERE referral_id IN (`+placeholders(db.dialect, 1, len(ids))+`) ORDER BY referral_id, idx`, ids...)
	if err != nil {
		return res, err
	}
	for _, n := range names {
		it := &res.Items[at[n.id]]
		it.ParentNames = append(it.ParentNames, n.name)
	}
	return res, nil
}

// versionsWhere returns the current (latest applied) version of each
// agreement whose column (team_key or recipient_key) is key: a team's or
// an OCMW's agreements, a handful. An agreement without an applied
// version is in the map with the zero version (no status feedback, no
// target).
func (db *DB) versionsWhere(ctx context.Context, column, key string) (map[int64]agreement.Version, error) {
	ids, err := queryList(ctx, db.hot(), scanValue[int64], `SELECT id FROM agreements WHERE `+column+` = $1`, key)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]agreement.Version, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	for _, id := range ids {
		out[id] = agreement.Version{}
	}
	// One query for every agreement's current version, not one each: the
	// inbox and the team's list read this on every page (issue 14).
	type idVersion struct {
		id int64
		v  agreement.Version
	}
	list, err := queryList(ctx, db.hot(), func(row rowScanner) (idVersion, error) {
		var iv idVersion
		var err error
		iv.v, err = scanVersion(prefixScanner{row, []any{&iv.id}})
		return iv, err
	}, `SELECT v.agreement_id, `+versionColumns+` FROM agreement_versions v
		WHERE v.agreement_id IN (SELECT id FROM agreements WHERE `+column+` = $1) AND v.state = 'applied'
		AND v.version = (SELECT MAX(w.version) FROM agreement_versions w WHERE w.agreement_id = v.agreement_id AND w.state = 'applied')`, key)
	if err != nil {
		return nil, err
	}
	for _, iv := range list {
		if _, ok := out[iv.id]; ok {
			out[iv.id] = iv.v
		}
	}
	return out, nil
}
