package store

import (
	"context"
	"database/sql"
	"errors"
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
//   - sorting by name or status, searching a name, and the team's
//     "sent" (which hides the OCMW's progress where the agreement gives
//     no status feedback) read the organisation's own rows of the view:
//     bounded by one team's or one OCMW's referrals, never the table.

// Statuses as SQL lists. The inbox's two lists are written exactly as in
// the partial indexes of migration 00017: SQLite uses a partial index
// only for a query that repeats its condition.
const (
	sqlOpen     = `r.status IN ('sent','received','contact_attempted','reached')`
	sqlArchive  = `r.status IN ('closed','withdrawn')`
	sqlNew      = `r.status IN ('sent','received')`
	sqlProgress = `r.status IN ('received','contact_attempted','reached','closed')`
	// sqlFirstName is the first parent's name, lowercased: the name sort.
	sqlFirstName = `COALESCE((SELECT LOWER(p.name) FROM referral_parents p WHERE p.referral_id = r.id ORDER BY p.idx LIMIT 1), '')`
	// sqlSentOrNever sorts drafts (never sent) first; indexed as such.
	sqlSentOrNever = `COALESCE(r.sent_at, '-infinity')`
)

// listRow is a referral with the text of its sort value (the cursor's).
type listRow struct {
	key string
	r   referral.Referral
}

func scanListRow(row rowScanner) (listRow, error) {
	var l listRow
	var err error
	l.r, err = scanReferral(prefixScanner{row, []any{&l.key}})
	return l, err
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
	// hidden: the referral's progress at the OCMW is not the team's to see.
	var noFeedback []string
	for id, v := range versions {
		if !v.StatusFeedback {
			noFeedback = append(noFeedback, strconv.FormatInt(id, 10))
		}
	}
	hidden := `r.agreement_id IS NULL`
	if len(noFeedback) > 0 {
		hidden = `(r.agreement_id IS NULL OR r.agreement_id IN (` + strings.Join(noFeedback, ",") + `))`
	}
	visible := `CASE WHEN ` + sqlProgress + ` AND ` + hidden + ` THEN 'sent' ELSE r.status END`

	args := []any{a.Org}
	where := []string{`r.team_key = $1`}
	switch s := referral.Status(f.Status); s {
	case "":
	case referral.Sent:
		where = append(where, `(r.status = 'sent' OR (`+sqlProgress+` AND `+hidden+`))`)
	case referral.Received, referral.ContactAttempted, referral.Reached, referral.Closed:
		args = append(args, f.Status)
		where = append(where, `r.status = $`+strconv.Itoa(len(args))+` AND NOT `+hidden)
	default:
		args = append(args, f.Status)
		where = append(where, `r.status = $`+strconv.Itoa(len(args)))
	}
	col := map[string]string{"created": `r.created_at`, "sent": sqlSentOrNever, "name": sqlFirstName, "status": visible}[req.Sort]
	items, err := db.listPage(ctx, where, args, col, req)
	if err != nil {
		return res, err
	}
	res = items
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
// item has the parents' names and the referring team's name and contact
// details; never the family's receipt code. The page is audited as one
// event (referral.inbox, purpose follow_up, as the read of a referral by
// the OCMW) naming the referrals shown. Other roles get forbidden.
func (db *DB) InboxPage(ctx context.Context, a account.Actor, f referral.Filter, req page.Request) (res page.Result[referral.ListItem], err error) {
	defer apperr.Wrap(&err, "store.InboxPage")
	if sideOf(a) != sideOCMW {
		return res, db.denyAction(ctx, a, auditReferralInbox, "referral", purposeFollowUp,
			apperr.New(apperr.Forbidden, "only OCMW workers have an inbox").WithKey("error.forbidden", nil))
	}
	versions, err := db.versionsWhere(ctx, "recipient_key", a.Org)
	if err != nil {
		return res, err
	}
	args := []any{a.Org}
	where := []string{`r.recipient_key = $1`}
	if f.Archive {
		where = append(where, sqlArchive)
	} else {
		where = append(where, sqlOpen)
	}
	switch f.Status {
	case "":
	case referral.StatusNew:
		where = append(where, sqlNew)
	default:
		args = append(args, f.Status)
		where = append(where, `r.status = $`+strconv.Itoa(len(args)))
	}
	if f.Overdue {
		// Sent before now minus the target of its agreement: one cut-off
		// per agreement of this OCMW (a few), no date arithmetic in SQL.
		now := db.Now()
		var late []string
		for id, v := range versions {
			if v.FirstContactDays > 0 {
				args = append(args, ts(now.Add(-time.Duration(v.FirstContactDays)*24*time.Hour)))
				late = append(late, `(r.agreement_id = `+strconv.FormatInt(id, 10)+` AND r.sent_at < $`+strconv.Itoa(len(args))+`)`)
			}
		}
		if len(late) == 0 {
			late = []string{`1=0`}
		}
		where = append(where, sqlNew, `r.first_contact_at IS NULL`, `(`+strings.Join(late, ` OR `)+`)`)
	}
	col := map[string]string{"sent": `r.sent_at`, "name": sqlFirstName, "status": `r.status`}[req.Sort]
	res, err = db.listPage(ctx, where, args, col, req)
	if err != nil {
		return res, err
	}
	teams := map[string]bool{}
	for i := range res.Items {
		it := &res.Items[i]
		if v, ok := versions[it.AgreementID]; ok {
			it.StatusFeedback, it.TargetDays = v.StatusFeedback, v.FirstContactDays
		}
		it.ReceiptCode = "" // the family's code is not the OCMW's business
		teams[it.Team] = true
	}
	if err := db.fillTeams(ctx, res.Items, teams); err != nil {
		return page.Result[referral.ListItem]{}, err
	}
	if err := db.recordList(ctx, a, auditReferralInbox, "referral", purposeFollowUp, idsOf(res.Items, listItemID)); err != nil {
		return page.Result[referral.ListItem]{}, err
	}
	return res, nil
}

func listItemID(it referral.ListItem) int64 { return it.ID }

// listPage runs the page's query over referrals r: the conditions where
// (with args), the search in the parents' names, the keyset of the sort
// column col, and fills in the parents' names of the page.
func (db *DB) listPage(ctx context.Context, where []string, args []any, col string, req page.Request) (page.Result[referral.ListItem], error) {
	if req.Q != "" {
		args = append(args, page.Like(req.Q))
		where = append(where, `EXISTS (SELECT 1 FROM referral_parents p WHERE p.referral_id = r.id AND LOWER(p.name) LIKE $`+strconv.Itoa(len(args))+` ESCAPE '\')`)
	}
	if col == "" {
		col = `r.id`
	}
	cond, order, kargs := req.Keyset(col, "r.id", len(args)+1, false)
	args = append(args, kargs...)
	q := `SELECT CAST(` + col + ` AS TEXT), ` + referralColumns + ` FROM referrals r WHERE ` + strings.Join(where, ` AND `) +
		` AND ` + cond + ` ORDER BY ` + order + ` LIMIT ` + strconv.Itoa(req.Limit+1)
	rows, err := queryList(ctx, db.read, scanListRow, q, args...)
	if err != nil {
		return page.Result[referral.ListItem]{}, err
	}
	got := page.Finish(req, rows, func(l listRow) (string, int64) { return l.key, l.r.ID })
	res := page.Result[referral.ListItem]{Items: make([]referral.ListItem, len(got.Items)), Next: got.Next, Prev: got.Prev}
	ids := make([]any, len(got.Items))
	at := map[int64]int{}
	for i, l := range got.Items {
		res.Items[i] = referral.ListItem{Referral: l.r, ParentNames: []string{}}
		ids[i] = l.r.ID
		at[l.r.ID] = i
	}
	if len(ids) == 0 {
		return res, nil
	}
	type name struct {
		id   int64
		name string
	}
	names, err := queryList(ctx, db.read, func(row rowScanner) (name, error) {
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

// fillTeams sets the referring team's name and contact details on the
// items, in one query.
func (db *DB) fillTeams(ctx context.Context, items []referral.ListItem, keys map[string]bool) error {
	if len(keys) == 0 {
		return nil
	}
	args := make([]any, 0, len(keys))
	for k := range keys {
		args = append(args, k)
	}
	type team struct{ key, name, phone, email string }
	list, err := queryList(ctx, db.read, func(row rowScanner) (team, error) {
		var t team
		err := row.Scan(&t.key, &t.name, &t.phone, &t.email)
		return t, err
	}, `SELECT key, name, contact_phone, contact_email FROM organisations WHERE key IN (`+placeholders(db.dialect, 1, len(args))+`)`, args...)
	if err != nil {
		return err
	}
	byKey := map[string]team{}
	for _, t := range list {
		byKey[t.key] = t
	}
	for i := range items {
		t := byKey[items[i].Team]
		items[i].TeamName, items[i].TeamPhone, items[i].TeamEmail = t.name, t.phone, t.email
		if t.name == "" {
			items[i].TeamName = items[i].Team
		}
	}
	return nil
}

// versionsWhere returns the current (latest applied) version of each
// agreement whose column (team_key or recipient_key) is key: a team's or
// an OCMW's agreements, a handful. An agreement without an applied
// version is in the map with the zero version (no status feedback, no
// target).
func (db *DB) versionsWhere(ctx context.Context, column, key string) (map[int64]agreement.Version, error) {
	ids, err := queryList(ctx, db.read, scanValue[int64], `SELECT id FROM agreements WHERE `+column+` = $1`, key)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]agreement.Version, len(ids))
	for _, id := range ids {
		v, err := currentVersion(ctx, db.read, id)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		out[id] = v
	}
	return out, nil
}
