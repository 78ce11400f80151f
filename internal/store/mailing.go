package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/mailing"
	"kansrijk/internal/outreach"
)

var _ mailing.Store = (*DB)(nil)

// Audit actions of mailings.
const (
	auditMailingSend    = "outreach.mailing.send"
	auditMailingPreview = "outreach.mailing.preview"
	auditMailingTest    = "outreach.mailing.test"
	objMailing          = "outreach_mailing"
)

// Outbox kinds of the e-mails Kansrijk composes itself, besides the
// referral notices: they are delivered by package notify like the
// notices, but as one message each, composed by OutboxMail when they are
// delivered, and never posted to a webhook.
const (
	// OutboxMailing is one message of a mailing to a contact person;
	// payload {"mailing_id", "contact_id"}.
	OutboxMailing = "outreach.mailing"
	// OutboxStaffMail is a reminder or digest to a Kansrijk user; payload
	// {"user_id", "subject", "body"}.
	OutboxStaffMail = "outreach.staff_mail"
)

func mailingAccess(a account.Actor) error {
	if mailing.Allowed(a) {
		return nil
	}
	return mailing.Forbidden()
}

// mailTarget is one municipality on a mailing's list.
type mailTarget struct {
	nis, name, province, team string
}

// MailingRecipients resolves the contacts a mailing goes to: the
// municipalities on the target list (outreach.Targets over today's
// outreach report), or the listed ones (see mailing.Request), limited to
// the team's area for team leads (a listed municipality outside it is
// forbidden); of each, the contacts with an e-mail address (of the
// functions asked, if any), by function. Municipalities without one are
// reported as skipped. Admins and team leads.
func (db *DB) MailingRecipients(ctx context.Context, a account.Actor, r mailing.Request) (rs mailing.Recipients, err error) {
	defer apperr.Wrap(&err, "store.MailingRecipients")
	rs = mailing.Recipients{Recipients: []mailing.Recipient{}, Skipped: []mailing.Skipped{}}
	if err := mailingAccess(a); err != nil {
		return rs, err
	}
	if err := r.Normalize(); err != nil {
		return rs, err
	}
	now := today(db.Now())
	var area []string
	if a.Role != account.Admin {
		if area, err = db.outreachArea(ctx, a.Org); err != nil {
			return rs, err
		}
	}
	inArea := func(nis string) bool { return a.Role == account.Admin || slices.Contains(area, nis) }

	var targets []mailTarget
	onFilter := map[string]bool{}
	if len(r.Municipalities) == 0 || r.FilterGiven() {
		rep, err := db.OutreachReport(ctx, now)
		if err != nil {
			return rs, err
		}
		for _, m := range outreach.Targets(rep, r.Filter) {
			if inArea(m.NIS) {
				onFilter[m.NIS] = true
				targets = append(targets, mailTarget{m.NIS, m.Name, m.Province, m.Team})
			}
		}
	}
	if len(r.Municipalities) > 0 {
		areas, err := db.teamAreasOn(ctx, now)
		if err != nil {
			return rs, err
		}
		targets = targets[:0]
		for _, n := range r.Municipalities {
			m, err := db.flemishOn("municipalities", n, now)
			if err != nil {
				return rs, err
			}
			if !inArea(m.NIS) {
				return rs, outsideArea(m.Name)
			}
			if r.FilterGiven() && !onFilter[m.NIS] {
				rs.Skipped = append(rs.Skipped, mailing.Skipped{MunicipalityNIS: m.NIS, Municipality: m.Name, Reason: mailing.SkipNotOnTargetList})
				continue
			}
			targets = append(targets, mailTarget{m.NIS, m.Name, m.Province, areas[m.NIS]})
		}
		sort.SliceStable(targets, func(i, j int) bool { return targets[i].name < targets[j].name })
	}
	if len(targets) == 0 {
		return rs, nil
	}

	codes := make([]string, len(targets))
	for i, t := range targets {
		codes[i] = t.nis
	}
	var args []any
	rows, err := db.read.QueryContext(ctx, `SELECT id, municipality_nis, function, name, email FROM outreach_contacts
		WHERE deleted_at IS NULL AND email <> '' AND `+inList("municipality_nis", codes, &args)+` ORDER BY id`, args...)
	if err != nil {
		return rs, err
	}
	defer rows.Close()
	byNIS := map[string][]mailing.Recipient{}
	for rows.Next() {
		var c mailing.Recipient
		var fn string
		if err := rows.Scan(&c.ContactID, &c.MunicipalityNIS, &fn, &c.Name, &c.Email); err != nil {
			return rs, err
		}
		c.Function = outreach.Function(fn)
		byNIS[c.MunicipalityNIS] = append(byNIS[c.MunicipalityNIS], c)
	}
	if err := rows.Err(); err != nil {
		return rs, err
	}
	teamNames := map[string]string{}
	for _, t := range targets {
		all := byNIS[t.nis]
		if len(all) == 0 {
			rs.Skipped = append(rs.Skipped, mailing.Skipped{MunicipalityNIS: t.nis, Municipality: t.name, Reason: mailing.SkipNoEmail})
			continue
		}
		var chosen []mailing.Recipient
		for _, c := range all {
			if len(r.Functions) == 0 || slices.Contains(r.Functions, c.Function) {
				chosen = append(chosen, c)
			}
		}
		if len(chosen) == 0 {
			rs.Skipped = append(rs.Skipped, mailing.Skipped{MunicipalityNIS: t.nis, Municipality: t.name, Reason: mailing.SkipNoFunction})
			continue
		}
		sort.SliceStable(chosen, func(i, j int) bool {
			return slices.Index(outreach.Functions, chosen[i].Function) < slices.Index(outreach.Functions, chosen[j].Function)
		})
		name, ok := teamNames[t.team]
		if !ok && t.team != "" {
			if o, err := db.Organisation(ctx, t.team); err == nil {
				name = o.Name
			}
			teamNames[t.team] = name
		}
		for _, c := range chosen {
			c.Municipality, c.Province, c.Team, c.TeamName = t.name, t.province, t.team, name
			rs.Recipients = append(rs.Recipients, c)
		}
		rs.Municipalities++
	}
	return rs, nil
}

// AuditMailing records a preview or a test send of a mailing (which show
// contacts' names and addresses). Admins and team leads.
func (db *DB) AuditMailing(ctx context.Context, a account.Actor, action, detail string, contactIDs []int64) error {
	if err := mailingAccess(a); err != nil {
		return err
	}
	var act string
	switch action {
	case "preview":
		act = auditMailingPreview
	case "test":
		act = auditMailingTest
	default:
		return fmt.Errorf("store.AuditMailing: unknown action %q", action)
	}
	// The object: the contact persons shown (bounded list of ids).
	ev := audit.For(a, act, objContact, audit.ListObjectID(contactIDs))
	ev.Detail = truncate(detail, 1000)
	return db.recordReads(ctx, ev)
}

// mailingQuery selects mailings with the delivery state of their messages.
const mailingQuery = `SELECT m.id, m.campaign_id, c.on_day, m.template, m.subject, m.created_at, m.created_by, m.created_org,
	COUNT(DISTINCT x.municipality_nis), COUNT(x.id),
	COALESCE(SUM(CASE WHEN o.delivered_at IS NOT NULL AND o.mail_status = 'sent' THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN o.delivered_at IS NULL AND o.failed_at IS NULL THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN o.failed_at IS NOT NULL THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN o.delivered_at IS NOT NULL AND o.mail_status <> 'sent' THEN 1 ELSE 0 END), 0)
	FROM outreach_mailings m JOIN outreach_campaigns c ON c.id = m.campaign_id
	LEFT JOIN outreach_mailing_messages x ON x.mailing_id = m.id LEFT JOIN outbox o ON o.id = x.outbox_id`

const mailingGroup = ` GROUP BY m.id, m.campaign_id, c.on_day, m.template, m.subject, m.created_at, m.created_by, m.created_org`

func scanMailing(row rowScanner) (mailing.Mailing, error) {
	var m mailing.Mailing
	var on, created timeCol
	err := row.Scan(&m.ID, &m.CampaignID, &on, &m.Template, &m.Subject, &created, &m.CreatedBy, &m.CreatedOrg,
		&m.Municipalities, &m.Recipients, &m.Sent, &m.Pending, &m.Failed, &m.NotSent)
	m.On, m.CreatedAt = on.T, created.T
	return m, err
}

// Mailings lists mailings, newest first: all for admins, those sent by
// the team for a team lead.
func (db *DB) Mailings(ctx context.Context, a account.Actor) ([]mailing.Mailing, error) {
	if err := mailingAccess(a); err != nil {
		return nil, err
	}
	where, args := "1=1", []any{}
	if a.Role != account.Admin {
		where, args = "m.created_org = $1", []any{a.Org}
	}
	return queryList(ctx, db.read, scanMailing, mailingQuery+` WHERE `+where+mailingGroup+` ORDER BY m.created_at DESC, m.id DESC`, args...)
}

func (db *DB) mailingByID(ctx context.Context, id int64) (mailing.Mailing, error) {
	m, err := scanMailing(db.read.QueryRowContext(ctx, mailingQuery+` WHERE m.id = $1`+mailingGroup, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, apperr.New(apperr.NotFound, "no such mailing").WithKey("error.not_found", nil)
	}
	return m, err
}

// MailingByKey returns the mailing the caller sent with an idempotency
// key: not_found when the key is unused, idempotency_key_reused when
// someone else used it.
func (db *DB) MailingByKey(ctx context.Context, a account.Actor, key string) (mailing.Mailing, error) {
	if err := mailingAccess(a); err != nil {
		return mailing.Mailing{}, err
	}
	var id int64
	var by string
	err := db.read.QueryRowContext(ctx, `SELECT id, created_by FROM outreach_mailings WHERE idempotency_key = $1`, key).Scan(&id, &by)
	if errors.Is(err, sql.ErrNoRows) {
		return mailing.Mailing{}, apperr.New(apperr.NotFound, "no mailing with this idempotency key").WithKey("error.not_found", nil)
	}
	if err != nil {
		return mailing.Mailing{}, err
	}
	if by != actorName(a) {
		return mailing.Mailing{}, apperr.FieldErr(mailing.CodeIdempotencyReuse, "idempotency_key", "this idempotency key was used by someone else; use a new one").
			WithKey("error.mailing.idempotency_key_reused", nil)
	}
	return db.mailingByID(ctx, id)
}

// CreateMailing records a mailing in one transaction: a campaign of kind
// mailing (audience list, today) whose touchpoints are the municipalities
// mailed, each with the first contact mailed there; the mailing with its
// texts; one outbox message per contact (OutboxMailing, merged when
// delivered); and the audit records. A key used before by the caller
// changes nothing and returns that mailing with repeated true (also when
// two sends with one key race). Admins, and team leads for the
// municipalities of their area.
func (db *DB) CreateMailing(ctx context.Context, a account.Actor, nm mailing.NewMailing) (m mailing.Mailing, repeated bool, err error) {
	defer apperr.Wrap(&err, "store.CreateMailing")
	if err := mailingAccess(a); err != nil {
		return m, false, err
	}
	key := nm.Request.IdempotencyKey
	if err := mailing.CheckIdempotencyKey(key); err != nil {
		return m, false, err
	}
	rcs := nm.Recipients.Recipients
	if len(rcs) == 0 {
		return m, false, apperr.New(mailing.CodeNoRecipients, "no contact with an e-mail address on this list").WithKey("error.mailing.no_recipients", nil)
	}
	if a.Role != account.Admin {
		area, err := db.outreachArea(ctx, a.Org)
		if err != nil {
			return m, false, err
		}
		for _, r := range rcs {
			if !slices.Contains(area, r.MunicipalityNIS) {
				return m, false, outsideArea(db.municipalityName(r.MunicipalityNIS))
			}
		}
	}
	target := nm.Request.Filter.Query()
	for _, n := range nm.Request.Municipalities {
		target.Add("nis", n)
	}
	for _, f := range nm.Request.Functions {
		target.Add("function", string(f))
	}
	var id int64
	used := false
	err = db.inTx(ctx, func(tx *Tx) error {
		var existing int64
		switch err := tx.QueryRowContext(ctx, `SELECT id FROM outreach_mailings WHERE idempotency_key = $1`, key).Scan(&existing); {
		case err == nil:
			used = true
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		on := today(tx.now)
		var campaign int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO outreach_campaigns (kind, on_day, partner, subject, audience, audience_param, created_at, created_by, created_org, created_by_source)
			VALUES ($1,$2,$3,$4,$5,'',$6,$7,$8,$9) RETURNING id`, string(outreach.Mailing), day(on), "Opgroeien", truncate(nm.Draft.RawSubject, outreach.MaxSubject),
			string(outreach.AudienceList), ts(tx.now), actorName(a), a.Org, a.AuthorSource()).Scan(&campaign); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO outreach_mailings (idempotency_key, campaign_id, template, subject, body, target, sender_name, sender_email,
			created_at, created_by, created_org) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING id`,
			key, campaign, nm.Draft.Template, nm.Draft.RawSubject, nm.Draft.RawBody, target.Encode(), nm.Sender, nm.SenderEmail,
			ts(tx.now), actorName(a), a.Org).Scan(&id); err != nil {
			return err
		}
		var municipalities []string
		for _, r := range rcs {
			if _, err := contactOf(ctx, tx, r.ContactID, r.MunicipalityNIS); err != nil {
				return err
			}
			if !slices.Contains(municipalities, r.MunicipalityNIS) {
				municipalities = append(municipalities, r.MunicipalityNIS)
				if _, err := tx.ExecContext(ctx, `INSERT INTO outreach_touchpoints (campaign_id, municipality_nis, on_day, source, registered, attended, contact_id, created_at, updated_at)
					VALUES ($1,$2,$3,$4,$5,$5,$6,$7,$7)`, campaign, r.MunicipalityNIS, day(on), outreach.SourceList, false, r.ContactID, ts(tx.now)); err != nil {
					return err
				}
			}
			payload, err := json.Marshal(map[string]int64{"mailing_id": id, "contact_id": r.ContactID})
			if err != nil {
				return err
			}
			var outbox int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO outbox (kind, org_key, payload, created_at, next_at, webhook_status) VALUES ($1,$2,$3,$4,$4,$5) RETURNING id`,
				OutboxMailing, a.Org, string(payload), ts(tx.now), WebhookNone).Scan(&outbox); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO outreach_mailing_messages (mailing_id, contact_id, municipality_nis, team_name, outbox_id) VALUES ($1,$2,$3,$4,$5)`,
				id, r.ContactID, r.MunicipalityNIS, r.TeamName, outbox); err != nil {
				return err
			}
		}
		ev := audit.For(a, auditCampaignCreate, objCampaign, strconv.FormatInt(campaign, 10))
		ev.Detail = fmt.Sprintf("kind=mailing on=%s audience=list reached=%d mailing=%d", day(on), len(municipalities), id)
		if err := tx.Audit(ctx, ev); err != nil {
			return err
		}
		ev = audit.For(a, auditMailingSend, objMailing, strconv.FormatInt(id, 10))
		ev.Detail = truncate(fmt.Sprintf("campaign=%d template=%s recipients=%d municipalities=%d skipped=%d target=%s", campaign, nm.Draft.Template,
			len(rcs), len(municipalities), len(nm.Recipients.Skipped), target.Encode()), 1000)
		return tx.Audit(ctx, ev)
	})
	if used || (err != nil && isUniqueViolation(err)) {
		m, err := db.MailingByKey(ctx, a, key)
		return m, err == nil, err
	}
	if err != nil {
		return m, false, err
	}
	m, err = db.mailingByID(ctx, id)
	return m, false, err
}

// OutboxMail is an e-mail of an outbox row of kind OutboxMailing or
// OutboxStaffMail, composed when it is delivered.
type OutboxMail struct {
	To, ReplyTo, Subject, Body string
}

// IsOutboxMail reports whether an outbox kind is an e-mail that Kansrijk
// composes itself (see OutboxMail).
func IsOutboxMail(kind string) bool { return kind == OutboxMailing || kind == OutboxStaffMail }

// OutboxMail composes the e-mail of a claimed outbox row of an
// IsOutboxMail kind. A mailing's message is merged now from the mailing's
// texts and the contact's current data (links below baseURL); a staff
// mail goes to its user's current address. When the message is not to be
// sent — the contact was removed or has no address any more, the user is
// no longer active — skip says why and the mail is empty.
func (db *DB) OutboxMail(ctx context.Context, it OutboxItem, baseURL string) (m OutboxMail, skip string, err error) {
	defer apperr.Wrap(&err, "store.OutboxMail(%d)", it.ID)
	switch it.Kind {
	case OutboxMailing:
		var p struct {
			MailingID int64 `json:"mailing_id"`
			ContactID int64 `json:"contact_id"`
		}
		if err := json.Unmarshal([]byte(it.Payload), &p); err != nil {
			return m, "", fmt.Errorf("payload: %w", err)
		}
		var template, subject, body, sender, senderEmail, nis, teamName, fn, name, email string
		var deleted timeCol
		err := db.read.QueryRowContext(ctx, `SELECT m.template, m.subject, m.body, m.sender_name, m.sender_email, x.municipality_nis, x.team_name,
			c.function, c.name, c.email, c.deleted_at
			FROM outreach_mailing_messages x JOIN outreach_mailings m ON m.id = x.mailing_id JOIN outreach_contacts c ON c.id = x.contact_id
			WHERE x.mailing_id = $1 AND x.contact_id = $2`, p.MailingID, p.ContactID).
			Scan(&template, &subject, &body, &sender, &senderEmail, &nis, &teamName, &fn, &name, &email, &deleted)
		if errors.Is(err, sql.ErrNoRows) {
			return m, "message not found", nil
		}
		if err != nil {
			return m, "", err
		}
		if deleted.Valid || email == "" {
			return m, "contact removed before delivery", nil
		}
		d, err := mailing.NewDraft(template, subject, body)
		if err != nil {
			return m, "texts no longer valid: " + err.Error(), nil
		}
		r := mailing.Recipient{ContactID: p.ContactID, MunicipalityNIS: nis, Municipality: db.municipalityName(nis), Function: outreach.Function(fn),
			Name: name, Email: email, TeamName: teamName}
		if mun, ok := db.Municipalities.ByNIS(nis); ok {
			r.Province = mun.Province
		}
		msg, err := d.Render(r, sender, baseURL)
		if err != nil {
			return m, "not merged: " + err.Error(), nil
		}
		if !strings.Contains(senderEmail, "@") {
			senderEmail = "" // a system sender has no address to reply to
		}
		return OutboxMail{To: msg.To, ReplyTo: senderEmail, Subject: msg.Subject, Body: msg.Body}, "", nil
	case OutboxStaffMail:
		var p struct {
			UserID  int64  `json:"user_id"`
			Subject string `json:"subject"`
			Body    string `json:"body"`
		}
		if err := json.Unmarshal([]byte(it.Payload), &p); err != nil {
			return m, "", fmt.Errorf("payload: %w", err)
		}
		var email string
		var active bool
		err := db.read.QueryRowContext(ctx, `SELECT email, active FROM users WHERE id = $1`, p.UserID).Scan(&email, &active)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && (!active || !strings.Contains(email, "@"))) {
			return m, "user not active", nil
		}
		if err != nil {
			return m, "", err
		}
		return OutboxMail{To: email, Subject: p.Subject, Body: p.Body}, "", nil
	}
	return m, "", fmt.Errorf("not an outreach e-mail: %s", it.Kind)
}

// StaffMail is an e-mail to a Kansrijk user (a reminder, a digest). It
// holds no personal data of families.
type StaffMail struct {
	UserID  int64
	Org     string // the user's organisation (groups the outbox)
	Subject string
	Body    string
}

// FinishDailyJobWithMails queues mails in the outbox and records the
// claimed run of job on day as finished, in one transaction, so that a
// crash loses nothing and a run taken over by another instance cannot
// queue them twice. It reports false, queueing nothing, when the run was
// finished already.
func (db *DB) FinishDailyJobWithMails(ctx context.Context, job string, dayOf time.Time, mails []StaffMail, result string) (bool, error) {
	done := false
	err := db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE job_runs SET finished_at = $1, result = $2 WHERE job = $3 AND day = $4 AND finished_at IS NULL`,
			ts(tx.now), truncate(result, 1000), job, day(dayOf))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		for _, m := range mails {
			b, err := json.Marshal(map[string]any{"user_id": m.UserID, "subject": m.Subject, "body": m.Body})
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (kind, org_key, payload, created_at, next_at, webhook_status) VALUES ($1,$2,$3,$4,$4,$5)`,
				OutboxStaffMail, m.Org, string(b), ts(tx.now), WebhookNone); err != nil {
				return err
			}
		}
		done = true
		return nil
	})
	return done, err
}

// ActiveUsers lists the active users of an organisation with one of the
// roles, by id (the recipients of reminders and digests).
func (db *DB) ActiveUsers(ctx context.Context, orgKey string, roles ...account.Role) ([]account.User, error) {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	args := []any{orgKey}
	out, err := queryList(ctx, db.read, scanUser, `SELECT `+userColumns+` FROM users u JOIN organisations o ON o.key = u.org_key
		WHERE u.org_key = $1 AND u.active AND `+inList("u.role", names, &args)+` ORDER BY u.id`, args...)
	return nilIfEmpty(out), err
}

// MailingSummary is a mailing with the municipalities it reached, for
// digests (no contacts).
type MailingSummary struct {
	ID             int64
	On             time.Time
	Subject        string
	CreatedOrg     string
	Municipalities []string
}

// MailingsBetween lists the mailings sent from from to to (days,
// inclusive), oldest first, with the municipalities each reached.
func (db *DB) MailingsBetween(ctx context.Context, from, to time.Time) ([]MailingSummary, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT m.id, c.on_day, m.subject, m.created_org, t.municipality_nis
		FROM outreach_mailings m JOIN outreach_campaigns c ON c.id = m.campaign_id JOIN outreach_touchpoints t ON t.campaign_id = c.id
		WHERE c.on_day >= $1 AND c.on_day <= $2 ORDER BY c.on_day, m.id, t.municipality_nis`, day(from), day(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []MailingSummary
	for rows.Next() {
		var s MailingSummary
		var on timeCol
		var nis string
		if err := rows.Scan(&s.ID, &on, &s.Subject, &s.CreatedOrg, &nis); err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && out[n-1].ID == s.ID {
			out[n-1].Municipalities = append(out[n-1].Municipalities, nis)
			continue
		}
		s.On, s.Municipalities = on.T, []string{nis}
		out = append(out, s)
	}
	return out, rows.Err()
}
