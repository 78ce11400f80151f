package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/municipality"
	"kansrijk/internal/org"
	"kansrijk/internal/outreach"
)

var _ outreach.Store = (*DB)(nil)

// Audit actions of outreach.
const (
	auditContactRead      = "outreach.contact.read"
	auditContactCreate    = "outreach.contact.create"
	auditContactUpdate    = "outreach.contact.update"
	auditContactDelete    = "outreach.contact.delete"
	auditCampaignCreate   = "outreach.campaign.create"
	auditCampaignAttend   = "outreach.campaign.attendance"
	auditMomentCreate     = "outreach.contact_moment.create"
	auditTaskCreate       = "outreach.task.create"
	auditTaskUpdate       = "outreach.task.update"
	objContact            = "outreach_contact"
	objCampaign           = "outreach_campaign"
	objMoment             = "outreach_contact_moment"
	objTask               = "outreach_task"
	maxCampaignDaysAhead  = 730
	maxAttendanceRows     = 5000
	maxOutreachListLength = 400
)

var outreachFirstDay = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)

// outreachWriter reports whether the actor may change outreach data at
// all (admins everywhere; team leads and workers in their area).
func outreachWriter(a account.Actor) bool {
	return a.Role == account.Admin || a.Role == account.TeamLead || a.Role == account.TeamWorker
}

func isTeamRole(a account.Actor) bool {
	return a.Role == account.TeamLead || a.Role == account.TeamWorker
}

// outreachArea returns the municipalities whose outreach data a team sees:
// those in its service area today and, recursively, their predecessors
// (their history passed to the successor in the 2025 mergers).
func (db *DB) outreachArea(ctx context.Context, team string) ([]string, error) {
	out, err := queryList(ctx, db.read, scanValue[string], `SELECT municipality_nis FROM team_areas WHERE team_key = $1
		AND valid_from <= $2 AND (valid_to IS NULL OR valid_to >= $2) ORDER BY municipality_nis`, team, day(today(db.Now())))
	if err != nil {
		return nil, err
	}
	for i := 0; i < len(out); i++ { // out grows with the predecessors
		for _, p := range db.Municipalities.Predecessors(out[i]) {
			if !slices.Contains(out, p.NIS) {
				out = append(out, p.NIS)
			}
		}
	}
	return nilIfEmpty(out), nil
}

// outreachScope returns the SQL condition on column col that limits rows
// to the municipalities the actor may see, adding its arguments to args:
// everything for admins (and Opgroeien's DPO where dpo is true), the
// team's area for team roles, forbidden for the rest.
func (db *DB) outreachScope(ctx context.Context, a account.Actor, col string, args *[]any, dpo bool) (string, error) {
	switch {
	case a.Role == account.Admin:
		return "1=1", nil
	case dpo && a.Role == account.DPO && a.OrgKind == account.KindOpgroeien:
		return "1=1", nil
	case isTeamRole(a):
		area, err := db.outreachArea(ctx, a.Org)
		if err != nil {
			return "", err
		}
		return inList(col, area, args), nil
	}
	return "", outreach.Forbidden()
}

// inList returns "col IN ($n, …)" over values ("1=0" when empty).
func inList(col string, values []string, args *[]any) string {
	if len(values) == 0 {
		return "1=0"
	}
	ph := make([]string, len(values))
	for i, v := range values {
		*args = append(*args, v)
		ph[i] = fmt.Sprintf("$%d", len(*args))
	}
	return col + " IN (" + strings.Join(ph, ",") + ")"
}

// inOutreachScope reports whether a writer may act on municipality nis.
func (db *DB) inOutreachScope(ctx context.Context, a account.Actor, nis string) (bool, error) {
	if a.Role == account.Admin {
		return true, nil
	}
	if !isTeamRole(a) {
		return false, nil
	}
	area, err := db.outreachArea(ctx, a.Org)
	return slices.Contains(area, nis), err
}

// requireOutreachScope fails with forbidden unless the actor may act on m.
func (db *DB) requireOutreachScope(ctx context.Context, a account.Actor, m municipality.Municipality) error {
	ok, err := db.inOutreachScope(ctx, a, m.NIS)
	if err != nil {
		return err
	}
	if !ok {
		return outsideArea(m.Name)
	}
	return nil
}

func outsideArea(name string) error {
	return apperr.New(apperr.Forbidden, "%s is not in your team's service area", name).WithKey("error.not_in_your_area", map[string]any{"Name": name})
}

// flemishOn checks that nis is a Flemish municipality that exists on day.
func (db *DB) flemishOn(field, nis string, on time.Time) (municipality.Municipality, error) {
	nis = strings.TrimSpace(nis)
	m, ok := db.Municipalities.ByNIS(nis)
	if !ok || m.Region != municipality.Flanders {
		return m, apperr.FieldErr(apperr.Invalid, field, "unknown Flemish municipality NIS code %q", nis).
			WithKey("error.unknown_municipality", map[string]any{"NIS": nis})
	}
	if !db.Municipalities.ValidOn(nis, on) {
		msg := fmt.Sprintf("municipality %s (%s) does not exist on %s", m.Name, m.NIS, day(on))
		if s, ok := db.Municipalities.SuccessorOn(nis, on); ok {
			msg += fmt.Sprintf("; it merged into %s (%s)", s.Name, s.NIS)
		}
		return m, apperr.FieldErr(apperr.Invalid, field, "%s", msg).
			WithKey("error.municipality_not_valid", map[string]any{"NIS": m.NIS, "Name": m.Name, "Date": on.Format("02-01-2006")})
	}
	return m, nil
}

func (db *DB) municipalityName(nis string) string {
	if m, ok := db.Municipalities.ByNIS(nis); ok {
		return m.Name
	}
	return nis
}

// ---- Contacts ----

const contactColumns = `id, municipality_nis, function, name, email, phone, created_at, created_by, updated_at, updated_by, created_by_source, updated_by_source`

func (db *DB) scanContact(row rowScanner) (outreach.Contact, error) {
	var c outreach.Contact
	var fn string
	var created, updated timeCol
	err := row.Scan(&c.ID, &c.MunicipalityNIS, &fn, &c.Name, &c.Email, &c.Phone, &created, &c.CreatedBy, &updated, &c.UpdatedBy, &c.CreatedBySource, &c.UpdatedBySource)
	c.Function, c.CreatedAt, c.UpdatedAt = outreach.Function(fn), created.T, updated.T
	c.Municipality = db.municipalityName(c.MunicipalityNIS)
	return c, err
}

// Contacts lists the contact persons the actor may see, of one
// municipality (nis) or all. Admins and Opgroeien's DPO see all; team
// leads and workers those of their area.
func (db *DB) Contacts(ctx context.Context, a account.Actor, nis string) ([]outreach.Contact, error) {
	var args []any
	scope, err := db.outreachScope(ctx, a, "municipality_nis", &args, true)
	if apperr.Is(err, apperr.Forbidden) {
		return nil, db.denyAction(ctx, a, auditContactList, objContact, audit.PurposeOutreach, err)
	}
	if err != nil {
		return nil, err
	}
	where := []string{"deleted_at IS NULL", scope}
	if nis != "" {
		args = append(args, nis)
		where = append(where, fmt.Sprintf("municipality_nis = $%d", len(args)))
	}
	// Contacts are personal data: the page is answered only once its
	// audit record (which contacts were shown) is durable.
	out, err := queryList(ctx, db.read, db.scanContact, `SELECT `+contactColumns+` FROM outreach_contacts WHERE `+strings.Join(where, " AND ")+
		` ORDER BY municipality_nis, id`, args...)
	if err != nil {
		return nil, err
	}
	ev := listEvent(a, auditContactList, objContact, audit.PurposeOutreach, idsOf(out, func(c outreach.Contact) int64 { return c.ID }))
	if nis != "" {
		ev.Detail += " of municipality " + nis
	}
	if err := db.recordReads(ctx, ev); err != nil {
		return nil, err
	}
	if out == nil {
		out = []outreach.Contact{}
	}
	return out, nil
}

// contact returns a contact the actor may see (not deleted), or not_found.
func (db *DB) contact(ctx context.Context, a account.Actor, id int64) (outreach.Contact, error) {
	args := []any{id}
	scope, err := db.outreachScope(ctx, a, "municipality_nis", &args, true)
	if err != nil {
		return outreach.Contact{}, err
	}
	c, err := db.scanContact(db.read.QueryRowContext(ctx, `SELECT `+contactColumns+` FROM outreach_contacts
		WHERE id = $1 AND deleted_at IS NULL AND `+scope, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return c, db.denyOutreach(ctx, a, objContact, id, apperr.New(apperr.NotFound, "no such contact").WithKey("error.not_found", nil))
	}
	return c, err
}

// CreateContact adds a contact person to a municipality that exists today.
// Admins, and team leads and workers for their area. Audited (without the
// personal fields).
func (db *DB) CreateContact(ctx context.Context, a account.Actor, in outreach.NewContact) (c outreach.Contact, err error) {
	defer apperr.Wrap(&err, "store.CreateContact")
	if !outreachWriter(a) {
		return c, outreach.Forbidden()
	}
	// Every problem of the input at once: the function and the contact.
	fn, ferr := outreach.ParseFunction("function", in.Function)
	cerr := outreach.CheckContact(&in.Name, &in.Email, &in.Phone)
	if err := apperr.Join(append(apperr.Problems(ferr), apperr.Problems(cerr)...)); err != nil {
		return c, err
	}
	m, err := db.flemishOn("municipality_nis", in.MunicipalityNIS, today(db.Now()))
	if err != nil {
		return c, err
	}
	if err := db.requireOutreachScope(ctx, a, m); err != nil {
		if apperr.Is(err, apperr.Forbidden) {
			return c, db.denyAction(ctx, a, auditContactCreate, objContact, audit.PurposeOutreach, err)
		}
		return c, err
	}
	var id int64
	err = db.inTx(ctx, func(tx *Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO outreach_contacts (municipality_nis, function, name, email, phone, created_at, created_by, updated_at, updated_by, created_by_source, updated_by_source)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$6,$7,$8,$8) RETURNING id`, m.NIS, string(fn), in.Name, in.Email, in.Phone, ts(tx.now), actorName(a), a.AuthorSource()).Scan(&id); err != nil {
			return err
		}
		ev := audit.For(a, auditContactCreate, objContact, strconv.FormatInt(id, 10))
		ev.Detail = fmt.Sprintf("nis=%s function=%s", m.NIS, fn)
		return tx.Audit(ctx, ev)
	})
	if err != nil {
		return c, err
	}
	return db.contact(ctx, a, id)
}

// UpdateContact changes a contact. Admins, and team leads and workers for
// their area. Audited with the names of the changed fields.
func (db *DB) UpdateContact(ctx context.Context, a account.Actor, id int64, up outreach.ContactUpdate) (c outreach.Contact, err error) {
	defer apperr.Wrap(&err, "store.UpdateContact(%d)", id)
	if !outreachWriter(a) {
		return c, outreach.Forbidden()
	}
	cur, err := db.contact(ctx, a, id)
	if err != nil {
		return c, err
	}
	next := cur
	var changed []string
	if up.Function != nil {
		fn, err := outreach.ParseFunction("function", *up.Function)
		if err != nil {
			return c, err
		}
		next.Function = fn
	}
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&next.Name, up.Name)
	set(&next.Email, up.Email)
	set(&next.Phone, up.Phone)
	if err := outreach.CheckContact(&next.Name, &next.Email, &next.Phone); err != nil {
		return c, err
	}
	for _, f := range []struct {
		name     string
		old, new string
	}{{"function", string(cur.Function), string(next.Function)}, {"name", cur.Name, next.Name}, {"email", cur.Email, next.Email}, {"phone", cur.Phone, next.Phone}} {
		if f.old != f.new {
			changed = append(changed, f.name)
		}
	}
	if len(changed) == 0 {
		return c, apperr.New(apperr.Invalid, "nothing to change").WithKey("error.nothing_to_change", nil)
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outreach_contacts SET function = $1, name = $2, email = $3, phone = $4, updated_at = $5, updated_by = $6, updated_by_source = $8
			WHERE id = $7 AND deleted_at IS NULL`, string(next.Function), next.Name, next.Email, next.Phone, ts(tx.now), actorName(a), id, a.AuthorSource())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "no such contact").WithKey("error.not_found", nil)
		}
		ev := audit.For(a, auditContactUpdate, objContact, strconv.FormatInt(id, 10))
		ev.Detail = fmt.Sprintf("nis=%s changed=%s", cur.MunicipalityNIS, strings.Join(changed, ","))
		return tx.Audit(ctx, ev)
	})
	if err != nil {
		return c, err
	}
	return db.contact(ctx, a, id)
}

// DeleteContact removes a contact's personal data (name, e-mail, phone)
// for good; the row keeps its municipality and function, so that contact
// moments still say with whom, and the audit record says who removed it.
// Admins, and team leads and workers for their area.
func (db *DB) DeleteContact(ctx context.Context, a account.Actor, id int64) (err error) {
	defer apperr.Wrap(&err, "store.DeleteContact(%d)", id)
	if !outreachWriter(a) {
		return outreach.Forbidden()
	}
	cur, err := db.contact(ctx, a, id)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outreach_contacts SET name = '', email = '', phone = '', deleted_at = $1, updated_at = $1, updated_by = $2, updated_by_source = $4
			WHERE id = $3 AND deleted_at IS NULL`, ts(tx.now), actorName(a), id, a.AuthorSource())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "no such contact").WithKey("error.not_found", nil)
		}
		ev := audit.For(a, auditContactDelete, objContact, strconv.FormatInt(id, 10))
		ev.Detail = fmt.Sprintf("nis=%s function=%s personal data erased", cur.MunicipalityNIS, cur.Function)
		return tx.Audit(ctx, ev)
	})
}

// contactOf checks that contact id exists, is not deleted and belongs to
// municipality nis; it returns its function.
func contactOf(ctx context.Context, q queryer, id int64, nis string) (outreach.Function, error) {
	var cnis, fn string
	var deleted timeCol
	err := q.QueryRowContext(ctx, `SELECT municipality_nis, function, deleted_at FROM outreach_contacts WHERE id = $1`, id).Scan(&cnis, &fn, &deleted)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (deleted.Valid || cnis != nis)) {
		return "", apperr.FieldErr(apperr.Invalid, "contact_id", "contact %d is not a contact of municipality %s", id, nis).
			WithKey("error.contact_not_of_municipality", map[string]any{"ID": id, "NIS": nis})
	}
	return outreach.Function(fn), err
}

// ---- Campaigns ----

func parseCampaignKind(s string) (outreach.CampaignKind, error) {
	k := outreach.CampaignKind(strings.TrimSpace(s))
	if slices.Contains(outreach.CampaignKinds, k) {
		return k, nil
	}
	return "", apperr.FieldErr(apperr.Invalid, "kind", "unknown campaign kind %q; use one of newsletter, webinar, mailing, info_session, visit", s).
		WithKey("error.unknown_campaign_kind", map[string]any{"Kind": s})
}

const campaignColumns = `c.id, c.kind, c.on_day, c.partner, c.subject, c.audience, c.audience_param, c.created_at, c.created_by, c.created_org,
	(SELECT count(*) FROM outreach_touchpoints t WHERE t.campaign_id = c.id), c.created_by_source`

func scanCampaign(row rowScanner) (outreach.Campaign, error) {
	var c outreach.Campaign
	var kind, aud string
	var on, created timeCol
	err := row.Scan(&c.ID, &kind, &on, &c.Partner, &c.Subject, &aud, &c.AudienceParam, &created, &c.CreatedBy, &c.CreatedOrg, &c.Reached, &c.CreatedBySource)
	c.Kind, c.Audience, c.On, c.CreatedAt = outreach.CampaignKind(kind), outreach.Audience(aud), on.T, created.T
	return c, err
}

// campaignAccess: admins and team roles; the rest forbidden.
func campaignAccess(a account.Actor) error {
	if outreachWriter(a) {
		return nil
	}
	return outreach.Forbidden()
}

// Campaigns lists every campaign, newest first, with the number of
// municipalities each reached. Admins, team leads and workers: campaigns
// hold no personal data.
func (db *DB) Campaigns(ctx context.Context, a account.Actor) ([]outreach.Campaign, error) {
	if err := campaignAccess(a); err != nil {
		return nil, err
	}
	return queryList(ctx, db.read, scanCampaign, `SELECT `+campaignColumns+` FROM outreach_campaigns c ORDER BY c.on_day DESC, c.id DESC`)
}

// Campaign returns a campaign with the municipalities it reached that the
// actor may see (a team: its area).
func (db *DB) Campaign(ctx context.Context, a account.Actor, id int64) (outreach.Campaign, error) {
	if err := campaignAccess(a); err != nil {
		return outreach.Campaign{}, err
	}
	c, err := scanCampaign(db.read.QueryRowContext(ctx, `SELECT `+campaignColumns+` FROM outreach_campaigns c WHERE c.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.New(apperr.NotFound, "no such campaign").WithKey("error.not_found", nil)
	}
	if err != nil {
		return c, err
	}
	args := []any{id}
	scope, err := db.outreachScope(ctx, a, "t.municipality_nis", &args, false)
	if err != nil {
		return c, err
	}
	c.Touchpoints, err = queryList(ctx, db.read, func(row rowScanner) (outreach.Touchpoint, error) {
		var tp outreach.Touchpoint
		var on timeCol
		err := row.Scan(&tp.MunicipalityNIS, &on, &tp.Source, &tp.Registered, &tp.Attended, &tp.ContactID)
		tp.On, tp.Municipality = on.T, db.municipalityName(tp.MunicipalityNIS)
		return tp, err
	}, `SELECT t.municipality_nis, t.on_day, t.source, t.registered, t.attended, COALESCE(t.contact_id, 0)
		FROM outreach_touchpoints t WHERE t.campaign_id = $1 AND `+scope+` ORDER BY t.municipality_nis`, args...)
	return c, err
}

// resolveAudience returns the municipalities a campaign reaches on day.
func (db *DB) resolveAudience(ctx context.Context, a account.Actor, aud outreach.Audience, param string, list []string, on time.Time) ([]string, string, string, error) {
	if aud != outreach.AudienceList && len(list) > 0 {
		return nil, "", "", apperr.FieldErr(apperr.Invalid, "municipalities", "municipalities are given only with audience list").WithKey("error.audience_list_only", nil)
	}
	if isTeamRole(a) && aud != outreach.AudienceTeamArea && aud != outreach.AudienceList {
		return nil, "", "", apperr.FieldErr(apperr.Forbidden, "audience", "a local team addresses its own area or a list of its municipalities").WithKey("error.forbidden", nil)
	}
	var out []string
	switch aud {
	case outreach.AudienceAll, outreach.AudienceNotSignedUp:
		if param != "" {
			return nil, "", "", apperr.FieldErr(apperr.Invalid, "audience_param", "audience %s takes no parameter", aud).WithKey("error.invalid", nil)
		}
		if aud == outreach.AudienceAll {
			for _, m := range db.Municipalities.On(on, municipality.Flanders) {
				out = append(out, m.NIS)
			}
			break
		}
		rep, err := db.AgreementReport(ctx, on, nil, "flanders")
		if err != nil {
			return nil, "", "", err
		}
		for _, m := range rep.Municipalities {
			if !m.Status.SignedUp() {
				out = append(out, m.NIS)
			}
		}
	case outreach.AudienceProvince:
		i := slices.IndexFunc(outreach.Provinces, func(p string) bool { return strings.EqualFold(p, param) })
		if i < 0 {
			return nil, "", "", apperr.FieldErr(apperr.Invalid, "audience_param", "audience province needs a Flemish province: Antwerpen, Vlaams-Brabant, West-Vlaanderen, Oost-Vlaanderen or Limburg").
				WithKey("error.unknown_province", map[string]any{"Province": param})
		}
		param = outreach.Provinces[i]
		for _, m := range db.Municipalities.On(on, municipality.Flanders) {
			if m.Province == param {
				out = append(out, m.NIS)
			}
		}
	case outreach.AudienceTeamArea:
		if param == "" && isTeamRole(a) {
			param = a.Org
		}
		if isTeamRole(a) && param != a.Org {
			return nil, "", "", apperr.FieldErr(apperr.Forbidden, "audience_param", "a local team addresses its own area only").WithKey("error.forbidden", nil)
		}
		t, err := db.Organisation(ctx, param)
		if err != nil || t.Kind != account.KindTeam {
			return nil, "", "", apperr.FieldErr(apperr.UnknownOrg, "audience_param", "audience team_area needs a team key, got %q", param).
				WithKey("error.unknown_org", map[string]any{"Org": param})
		}
		areas, err := db.teamAreasOn(ctx, on)
		if err != nil {
			return nil, "", "", err
		}
		for nis, team := range areas {
			if team == t.Key && db.Municipalities.ValidOn(nis, on) {
				out = append(out, nis)
			}
		}
		if len(out) == 0 {
			return nil, "", "", apperr.FieldErr(apperr.Invalid, "audience_param", "team %s has no service area on %s", t.Key, day(on)).WithKey("error.no_area", nil)
		}
	case outreach.AudienceList:
		if param != "" {
			return nil, "", "", apperr.FieldErr(apperr.Invalid, "audience_param", "audience list takes its municipalities in municipalities, not a parameter").WithKey("error.invalid", nil)
		}
		if len(list) == 0 {
			return nil, "", "", apperr.FieldErr(apperr.Invalid, "municipalities", "audience list needs at least one municipality").WithKey("error.audience_list_empty", nil)
		}
		if len(list) > maxOutreachListLength {
			return nil, "", "", apperr.FieldErr(apperr.Invalid, "municipalities", "at most %d municipalities", maxOutreachListLength).WithKey("error.too_long", nil)
		}
		var area []string
		if isTeamRole(a) {
			var err error
			if area, err = db.outreachArea(ctx, a.Org); err != nil {
				return nil, "", "", err
			}
		}
		for _, n := range list {
			m, err := db.flemishOn("municipalities", n, on)
			if err != nil {
				return nil, "", "", err
			}
			if isTeamRole(a) && !slices.Contains(area, m.NIS) {
				return nil, "", "", outsideArea(m.Name)
			}
			if !slices.Contains(out, m.NIS) {
				out = append(out, m.NIS)
			}
		}
		slices.Sort(out)
		return out, param, outreach.SourceList, nil
	default:
		return nil, "", "", apperr.FieldErr(apperr.Invalid, "audience", "unknown audience %q; use one of all, not_signed_up, province, team_area, list", aud).
			WithKey("error.unknown_audience", map[string]any{"Audience": string(aud)})
	}
	slices.Sort(out)
	return out, param, outreach.SourceAudience, nil
}

// CreateCampaign records a campaign and the municipalities it reached: its
// audience resolved on its date (all Flemish municipalities, those not
// signed up then, a province, a team's area), or the hand-picked list.
// Admins; team leads and workers for their own area or a list within it.
// Audited.
func (db *DB) CreateCampaign(ctx context.Context, a account.Actor, in outreach.NewCampaign) (c outreach.Campaign, err error) {
	defer apperr.Wrap(&err, "store.CreateCampaign")
	if !outreachWriter(a) {
		return c, outreach.Forbidden()
	}
	kind, err := parseCampaignKind(in.Kind)
	if err != nil {
		return c, err
	}
	on, err := parseDayField("on", in.On, today(db.Now()))
	if err != nil {
		return c, err
	}
	if on.Before(outreachFirstDay) || on.After(today(db.Now()).AddDate(0, 0, maxCampaignDaysAhead)) {
		return c, apperr.FieldErr(apperr.InvalidDate, "on", "the campaign date must lie between 2019-01-01 and two years from now").WithKey("error.date_range", nil)
	}
	if err := outreach.CheckText("partner", &in.Partner, outreach.MaxPartner, false); err != nil {
		return c, err
	}
	if in.Partner == "" {
		in.Partner = "Opgroeien"
	}
	if err := outreach.CheckText("subject", &in.Subject, outreach.MaxSubject, true); err != nil {
		return c, err
	}
	aud := outreach.Audience(strings.TrimSpace(in.Audience))
	reached, param, source, err := db.resolveAudience(ctx, a, aud, strings.TrimSpace(in.AudienceParam), in.Municipalities, on)
	if err != nil {
		return c, err
	}
	var id int64
	err = db.inTx(ctx, func(tx *Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO outreach_campaigns (kind, on_day, partner, subject, audience, audience_param, created_at, created_by, created_org, created_by_source)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING id`, string(kind), day(on), in.Partner, in.Subject, string(aud), param, ts(tx.now), actorName(a), a.Org, a.AuthorSource()).Scan(&id); err != nil {
			return err
		}
		for _, nis := range reached {
			if _, err := tx.ExecContext(ctx, `INSERT INTO outreach_touchpoints (campaign_id, municipality_nis, on_day, source, registered, attended, created_at, updated_at)
				VALUES ($1,$2,$3,$4,$5,$5,$6,$6)`, id, nis, day(on), source, false, ts(tx.now)); err != nil {
				return err
			}
		}
		ev := audit.For(a, auditCampaignCreate, objCampaign, strconv.FormatInt(id, 10))
		ev.Detail = fmt.Sprintf("kind=%s on=%s audience=%s param=%s reached=%d", kind, day(on), aud, param, len(reached))
		return tx.Audit(ctx, ev)
	})
	if err != nil {
		return c, err
	}
	return db.Campaign(ctx, a, id)
}

// RecordAttendance records the registrations and attendance of a campaign
// (one row per municipality; duplicates merge) in one transaction: every
// row is checked first, and one bad row changes nothing. A municipality
// not yet reached by the campaign is added to it. Admins; a team for the
// campaigns it recorded, within its area. Audited.
func (db *DB) RecordAttendance(ctx context.Context, a account.Actor, id int64, rows []outreach.AttendanceRow) (res outreach.AttendanceResult, err error) {
	defer apperr.Wrap(&err, "store.RecordAttendance(%d)", id)
	if !outreachWriter(a) {
		return res, outreach.Forbidden()
	}
	c, err := db.Campaign(ctx, a, id)
	if err != nil {
		return res, err
	}
	if isTeamRole(a) && c.CreatedOrg != a.Org {
		return res, apperr.New(apperr.Forbidden, "only the team that recorded this campaign, or an administrator, records its attendance").WithKey("error.forbidden", nil)
	}
	if len(rows) == 0 {
		return res, apperr.FieldErr(apperr.Invalid, "rows", "no attendance rows").WithKey("error.attendance_empty", nil)
	}
	if len(rows) > maxAttendanceRows {
		return res, apperr.FieldErr(apperr.Invalid, "rows", "at most %d rows", maxAttendanceRows).WithKey("error.too_long", nil)
	}
	var area []string
	if isTeamRole(a) {
		if area, err = db.outreachArea(ctx, a.Org); err != nil {
			return res, err
		}
	}
	merged := map[string]*outreach.AttendanceRow{}
	var order []string
	for i, r := range rows {
		m, err := db.flemishOn("rows", r.MunicipalityNIS, c.On)
		if err != nil {
			e, _ := apperr.As(err)
			return res, apperr.FieldErr(apperr.Invalid, "rows", "row %d: %s", i+1, e.Message).WithKey("error.attendance_row", map[string]any{"Row": i + 1, "Message": e.Message})
		}
		if isTeamRole(a) && !slices.Contains(area, m.NIS) {
			return res, apperr.FieldErr(apperr.Forbidden, "rows", "row %d: %s is not in your team's service area", i+1, m.Name).WithKey("error.not_in_your_area", map[string]any{"Name": m.Name})
		}
		if r.ContactID == 0 && r.Email != "" {
			// Link the row to a known contact of its municipality by its
			// e-mail address, without showing anyone the contacts.
			err := db.read.QueryRowContext(ctx, `SELECT id FROM outreach_contacts
				WHERE municipality_nis = $1 AND email = $2 AND deleted_at IS NULL ORDER BY id LIMIT 1`,
				m.NIS, strings.ToLower(strings.TrimSpace(r.Email))).Scan(&r.ContactID)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return res, err
			}
		}
		if r.ContactID != 0 {
			if _, err := contactOf(ctx, db.read, r.ContactID, m.NIS); err != nil {
				e, _ := apperr.As(err)
				if e == nil {
					return res, err
				}
				return res, apperr.FieldErr(apperr.Invalid, "rows", "row %d: %s", i+1, e.Message).WithKey("error.attendance_row", map[string]any{"Row": i + 1, "Message": e.Message})
			}
		}
		cur, ok := merged[m.NIS]
		if !ok {
			cur = &outreach.AttendanceRow{MunicipalityNIS: m.NIS}
			merged[m.NIS] = cur
			order = append(order, m.NIS)
		}
		cur.Registered = cur.Registered || r.Registered || r.Attended // who attended had registered
		cur.Attended = cur.Attended || r.Attended
		if cur.ContactID == 0 {
			cur.ContactID = r.ContactID
		}
	}
	res = outreach.AttendanceResult{CampaignID: id, Rows: len(rows)}
	err = db.inTx(ctx, func(tx *Tx) error {
		type existing struct {
			registered, attended bool
			contact              int64
		}
		have := map[string]existing{}
		q, err := tx.QueryContext(ctx, `SELECT municipality_nis, registered, attended, COALESCE(contact_id, 0) FROM outreach_touchpoints WHERE campaign_id = $1`, id)
		if err != nil {
			return err
		}
		for q.Next() {
			var nis string
			var e existing
			if err := q.Scan(&nis, &e.registered, &e.attended, &e.contact); err != nil {
				q.Close()
				return err
			}
			have[nis] = e
		}
		q.Close()
		if err := q.Err(); err != nil {
			return err
		}
		for _, nis := range order {
			r := merged[nis]
			if e, ok := have[nis]; ok {
				contact := e.contact
				if contact == 0 {
					contact = r.ContactID
				}
				if _, err := tx.ExecContext(ctx, `UPDATE outreach_touchpoints SET registered = $1, attended = $2, contact_id = $3, updated_at = $4
					WHERE campaign_id = $5 AND municipality_nis = $6`, e.registered || r.Registered, e.attended || r.Attended, nullInt(contact), ts(tx.now), id, nis); err != nil {
					return err
				}
				res.Updated++
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO outreach_touchpoints (campaign_id, municipality_nis, on_day, source, registered, attended, contact_id, created_at, updated_at)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$8)`, id, nis, day(c.On), outreach.SourceAttendance, r.Registered, r.Attended, nullInt(r.ContactID), ts(tx.now)); err != nil {
				return err
			}
			res.Added++
		}
		ev := audit.For(a, auditCampaignAttend, objCampaign, strconv.FormatInt(id, 10))
		ev.Detail = fmt.Sprintf("rows=%d municipalities=%d added=%d updated=%d", len(rows), len(order), res.Added, res.Updated)
		return tx.Audit(ctx, ev)
	})
	if err == nil {
		db.afterBulkImport(ctx, statsAttendanceTables) // statistics.go
	}
	return res, err
}

// ---- Contact moments ----

func parseChannel(s string) (outreach.Channel, error) {
	ch := outreach.Channel(strings.TrimSpace(s))
	if slices.Contains(outreach.Channels, ch) {
		return ch, nil
	}
	return "", apperr.FieldErr(apperr.Invalid, "channel", "unknown channel %q; use one of phone, email, meeting, visit, event, letter", s).
		WithKey("error.unknown_channel", map[string]any{"Channel": s})
}

const momentColumns = `id, municipality_nis, on_day, channel, by_org, COALESCE(contact_id, 0), with_function, summary, next_step, created_at, created_by, created_by_source`

func (db *DB) scanMoment(row rowScanner) (outreach.ContactMoment, error) {
	var m outreach.ContactMoment
	var on, created timeCol
	var ch, fn string
	err := row.Scan(&m.ID, &m.MunicipalityNIS, &on, &ch, &m.By, &m.ContactID, &fn, &m.Summary, &m.NextStep, &created, &m.CreatedBy, &m.CreatedBySource)
	m.On, m.Channel, m.WithFunction, m.CreatedAt = on.T, outreach.Channel(ch), outreach.Function(fn), created.T
	m.Municipality = db.municipalityName(m.MunicipalityNIS)
	return m, err
}

// ContactMoments lists the contact moments the actor may see, of one
// municipality (nis) or all, newest first. Admins and Opgroeien's DPO see
// all; team leads and workers those of their area.
func (db *DB) ContactMoments(ctx context.Context, a account.Actor, nis string) ([]outreach.ContactMoment, error) {
	var args []any
	scope, err := db.outreachScope(ctx, a, "municipality_nis", &args, true)
	if err != nil {
		return nil, err
	}
	where := []string{scope}
	if nis != "" {
		args = append(args, nis)
		where = append(where, fmt.Sprintf("municipality_nis = $%d", len(args)))
	}
	return queryList(ctx, db.read, db.scanMoment, `SELECT `+momentColumns+` FROM outreach_contact_moments WHERE `+strings.Join(where, " AND ")+
		` ORDER BY on_day DESC, id DESC`, args...)
}

// CreateContactMoment logs a contact moment with a local government on a
// day (default today; not in the future), by the caller's team (team
// roles) or by Opgroeien or a named team (admins), with a contact of that
// municipality or a function. Audited.
func (db *DB) CreateContactMoment(ctx context.Context, a account.Actor, in outreach.NewContactMoment) (m outreach.ContactMoment, err error) {
	defer apperr.Wrap(&err, "store.CreateContactMoment")
	if !outreachWriter(a) {
		return m, outreach.Forbidden()
	}
	now := today(db.Now())
	on, err := parseDayField("on", in.On, now)
	if err != nil {
		return m, err
	}
	if on.After(now) {
		return m, apperr.FieldErr(apperr.InvalidDate, "on", "a contact moment cannot lie in the future").WithKey("error.date_future", nil)
	}
	ch, err := parseChannel(in.Channel)
	if err != nil {
		return m, err
	}
	mun, err := db.flemishOn("municipality_nis", in.MunicipalityNIS, on)
	if err != nil {
		return m, err
	}
	if err := db.requireOutreachScope(ctx, a, mun); err != nil {
		return m, err
	}
	by := strings.TrimSpace(in.By)
	switch {
	case isTeamRole(a):
		if by != "" && by != a.Org {
			return m, apperr.FieldErr(apperr.Forbidden, "by", "you log contact moments for your own team").WithKey("error.forbidden", nil)
		}
		by = a.Org
	case by == "":
		by = org.OpgroeienKey
	default:
		o, err := db.Organisation(ctx, by)
		if err != nil || (o.Kind != account.KindTeam && o.Kind != account.KindOpgroeien) {
			return m, apperr.FieldErr(apperr.UnknownOrg, "by", "by must be a team key or opgroeien, got %q", by).WithKey("error.unknown_org", map[string]any{"Org": by})
		}
	}
	var fn outreach.Function
	if strings.TrimSpace(in.WithFunction) != "" {
		if fn, err = outreach.ParseFunction("with_function", in.WithFunction); err != nil {
			return m, err
		}
	}
	if in.ContactID != 0 {
		cfn, err := contactOf(ctx, db.read, in.ContactID, mun.NIS)
		if err != nil {
			return m, err
		}
		if fn == "" {
			fn = cfn
		}
	}
	if err := outreach.CheckText("summary", &in.Summary, outreach.MaxSummary, true); err != nil {
		return m, err
	}
	if err := outreach.CheckText("next_step", &in.NextStep, outreach.MaxSummary, false); err != nil {
		return m, err
	}
	var id int64
	err = db.inTx(ctx, func(tx *Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO outreach_contact_moments (municipality_nis, on_day, channel, by_org, contact_id, with_function, summary, next_step, created_at, created_by, created_by_source)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING id`, mun.NIS, day(on), string(ch), by, nullInt(in.ContactID), string(fn), in.Summary, in.NextStep,
			ts(tx.now), actorName(a), a.AuthorSource()).Scan(&id); err != nil {
			return err
		}
		ev := audit.For(a, auditMomentCreate, objMoment, strconv.FormatInt(id, 10))
		ev.Detail = fmt.Sprintf("nis=%s on=%s channel=%s by=%s contact=%d", mun.NIS, day(on), ch, by, in.ContactID)
		return tx.Audit(ctx, ev)
	})
	if err != nil {
		return m, err
	}
	return db.scanMoment(db.read.QueryRowContext(ctx, `SELECT `+momentColumns+` FROM outreach_contact_moments WHERE id = $1`, id))
}

// ---- Tasks ----

// ParseTaskStatus validates a task status.
func parseTaskStatus(s string) (outreach.TaskStatus, error) {
	st := outreach.TaskStatus(strings.TrimSpace(s))
	if slices.Contains(outreach.TaskStatuses, st) {
		return st, nil
	}
	return "", apperr.FieldErr(apperr.Invalid, "status", "unknown task status %q; use one of open, done, cancelled", s).
		WithKey("error.unknown_task_status", map[string]any{"Status": s})
}

const taskColumns = `id, municipality_nis, team_key, title, due_on, status, created_at, created_by, updated_at, updated_by, closed_at, created_by_source, updated_by_source`

func (db *DB) scanTask(row rowScanner) (outreach.Task, error) {
	var t outreach.Task
	var due, created, updated, closed timeCol
	var st string
	err := row.Scan(&t.ID, &t.MunicipalityNIS, &t.Team, &t.Title, &due, &st, &created, &t.CreatedBy, &updated, &t.UpdatedBy, &closed, &t.CreatedBySource, &t.UpdatedBySource)
	t.DueOn, t.Status, t.CreatedAt, t.UpdatedAt, t.ClosedAt = due.T, outreach.TaskStatus(st), created.T, updated.T, closed.Ptr()
	t.Municipality = db.municipalityName(t.MunicipalityNIS)
	return t, err
}

// taskScope limits tasks to the actor's: all for admins, the team's own
// for team roles.
func taskScope(a account.Actor, args *[]any) (string, error) {
	switch {
	case a.Role == account.Admin:
		return "1=1", nil
	case isTeamRole(a):
		*args = append(*args, a.Org)
		return fmt.Sprintf("team_key = $%d", len(*args)), nil
	}
	return "", outreach.Forbidden()
}

// Tasks lists the tasks the actor may see (admins all, a team its own),
// by due date.
func (db *DB) Tasks(ctx context.Context, a account.Actor, f outreach.TaskFilter) ([]outreach.Task, error) {
	var args []any
	scope, err := taskScope(a, &args)
	if err != nil {
		return nil, err
	}
	return db.tasks(ctx, scope, args, f)
}

func (db *DB) tasks(ctx context.Context, scope string, args []any, f outreach.TaskFilter) ([]outreach.Task, error) {
	where := []string{scope}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Status != "" {
		add("status = $%d", string(f.Status))
	}
	if f.DueBefore != nil {
		add("due_on < $%d", day(*f.DueBefore))
	}
	if f.Team != "" {
		add("team_key = $%d", f.Team)
	}
	if f.NIS != "" {
		add("municipality_nis = $%d", f.NIS)
	}
	return queryList(ctx, db.read, db.scanTask, `SELECT `+taskColumns+` FROM outreach_tasks WHERE `+strings.Join(where, " AND ")+` ORDER BY due_on, id`, args...)
}

// DueTasks returns, for reminders, the open tasks of every team due from
// from to to (inclusive).
func (db *DB) DueTasks(ctx context.Context, from, to time.Time) ([]outreach.Task, error) {
	return db.tasks(ctx, "status = 'open' AND due_on >= $1 AND due_on <= $2", []any{day(from), day(to)}, outreach.TaskFilter{})
}

// OverdueTasks returns, for reminders, the open tasks of every team due
// before on.
func (db *DB) OverdueTasks(ctx context.Context, on time.Time) ([]outreach.Task, error) {
	return db.tasks(ctx, "status = 'open' AND due_on < $1", []any{day(on)}, outreach.TaskFilter{})
}

func (db *DB) task(ctx context.Context, a account.Actor, id int64) (outreach.Task, error) {
	args := []any{id}
	scope, err := taskScope(a, &args)
	if err != nil {
		return outreach.Task{}, err
	}
	t, err := db.scanTask(db.read.QueryRowContext(ctx, `SELECT `+taskColumns+` FROM outreach_tasks WHERE id = $1 AND `+scope, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return t, db.denyOutreach(ctx, a, objTask, id, apperr.New(apperr.NotFound, "no such task").WithKey("error.not_found", nil))
	}
	return t, err
}

// denyOutreach audits a refused access to an outreach object outside the
// caller's scope (or one that does not exist: the two look the same),
// through recordReads, and returns notFound.
func (db *DB) denyOutreach(ctx context.Context, a account.Actor, objType string, id int64, notFound error) error {
	ev := audit.For(a, objType+".access_denied", objType, strconv.FormatInt(id, 10))
	ev.Outcome = audit.Denied
	if err := db.recordReads(ctx, ev); err != nil {
		return err
	}
	return notFound
}

// checkTaskTeam checks that team is a local team whose area holds nis
// today.
func (db *DB) checkTaskTeam(ctx context.Context, team string, m municipality.Municipality) error {
	o, err := db.Organisation(ctx, team)
	if err != nil || o.Kind != account.KindTeam {
		return apperr.FieldErr(apperr.UnknownOrg, "team", "unknown local team %q", team).WithKey("error.unknown_org", map[string]any{"Org": team})
	}
	holds, err := db.areaHolds(ctx, db.read, team, m.NIS, today(db.Now()))
	if err != nil {
		return err
	}
	if !holds {
		return apperr.FieldErr(apperr.Invalid, "team", "%s is not in the service area of %s", m.Name, o.Name).
			WithKey("error.not_in_area", map[string]any{"Name": m.Name, "Team": o.Name, "Date": today(db.Now()).Format("02-01-2006")})
	}
	return nil
}

// CreateTask plans a task for a municipality that exists today, assigned
// to the team whose area holds it (team roles: their own team; admins: the
// team given, default the covering team). Audited.
func (db *DB) CreateTask(ctx context.Context, a account.Actor, in outreach.NewTask) (t outreach.Task, err error) {
	defer apperr.Wrap(&err, "store.CreateTask")
	if !outreachWriter(a) {
		return t, outreach.Forbidden()
	}
	now := today(db.Now())
	m, err := db.flemishOn("municipality_nis", in.MunicipalityNIS, now)
	if err != nil {
		return t, err
	}
	team := strings.TrimSpace(in.Team)
	if isTeamRole(a) {
		if team != "" && team != a.Org {
			return t, apperr.FieldErr(apperr.Forbidden, "team", "you plan tasks for your own team").WithKey("error.forbidden", nil)
		}
		team = a.Org
	} else if team == "" {
		if team, err = db.TeamFor(ctx, m.NIS, now); err != nil {
			return t, err
		}
		if team == "" {
			return t, apperr.FieldErr(apperr.Invalid, "team", "no local team covers %s: name the team", m.Name).WithKey("error.no_team", map[string]any{"Name": m.Name})
		}
	}
	if err := db.checkTaskTeam(ctx, team, m); err != nil {
		return t, err
	}
	if err := outreach.CheckText("title", &in.Title, outreach.MaxTitle, true); err != nil {
		return t, err
	}
	if strings.TrimSpace(in.DueOn) == "" {
		return t, apperr.FieldErr(apperr.InvalidDate, "due_on", "due_on (YYYY-MM-DD) is required").WithKey("error.invalid_date", nil)
	}
	due, err := parseDayField("due_on", in.DueOn, time.Time{})
	if err != nil {
		return t, err
	}
	var id int64
	err = db.inTx(ctx, func(tx *Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO outreach_tasks (municipality_nis, team_key, title, due_on, status, created_at, created_by, updated_at, updated_by, created_by_source, updated_by_source)
			VALUES ($1,$2,$3,$4,'open',$5,$6,$5,$6,$7,$7) RETURNING id`, m.NIS, team, in.Title, day(due), ts(tx.now), actorName(a), a.AuthorSource()).Scan(&id); err != nil {
			return err
		}
		ev := audit.For(a, auditTaskCreate, objTask, strconv.FormatInt(id, 10))
		ev.Detail = fmt.Sprintf("nis=%s team=%s due_on=%s", m.NIS, team, day(due))
		return tx.Audit(ctx, ev)
	})
	if err != nil {
		return t, err
	}
	return db.task(ctx, a, id)
}

// UpdateTask changes a task's title, due date or status (open, done,
// cancelled; reopening is allowed), or (admins) its team. Audited.
func (db *DB) UpdateTask(ctx context.Context, a account.Actor, id int64, up outreach.TaskUpdate) (t outreach.Task, err error) {
	defer apperr.Wrap(&err, "store.UpdateTask(%d)", id)
	if !outreachWriter(a) {
		return t, outreach.Forbidden()
	}
	cur, err := db.task(ctx, a, id)
	if err != nil {
		return t, err
	}
	next := cur
	var changed []string
	if up.Title != nil {
		next.Title = *up.Title
		if err := outreach.CheckText("title", &next.Title, outreach.MaxTitle, true); err != nil {
			return t, err
		}
	}
	if up.DueOn != nil {
		if next.DueOn, err = parseDayField("due_on", *up.DueOn, time.Time{}); err != nil {
			return t, err
		}
		if next.DueOn.IsZero() {
			return t, apperr.FieldErr(apperr.InvalidDate, "due_on", "due_on cannot be empty").WithKey("error.invalid_date", nil)
		}
	}
	if up.Status != nil {
		if next.Status, err = parseTaskStatus(*up.Status); err != nil {
			return t, err
		}
	}
	if up.Team != nil && strings.TrimSpace(*up.Team) != cur.Team {
		if a.Role != account.Admin {
			return t, apperr.FieldErr(apperr.Forbidden, "team", "only administrators assign a task to another team").WithKey("error.forbidden", nil)
		}
		m, _ := db.Municipalities.ByNIS(cur.MunicipalityNIS)
		next.Team = strings.TrimSpace(*up.Team)
		if err := db.checkTaskTeam(ctx, next.Team, m); err != nil {
			return t, err
		}
	}
	if next.Title != cur.Title {
		changed = append(changed, "title")
	}
	if !next.DueOn.Equal(cur.DueOn) {
		changed = append(changed, "due_on="+day(next.DueOn))
	}
	if next.Status != cur.Status {
		changed = append(changed, "status="+string(next.Status))
	}
	if next.Team != cur.Team {
		changed = append(changed, "team="+next.Team)
	}
	if len(changed) == 0 {
		return t, apperr.New(apperr.Invalid, "nothing to change").WithKey("error.nothing_to_change", nil)
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		var closed any
		switch {
		case next.Status == outreach.TaskOpen:
			closed = nil
		case cur.Status != outreach.TaskOpen && cur.ClosedAt != nil:
			closed = ts(*cur.ClosedAt)
		default:
			closed = ts(tx.now)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outreach_tasks SET title = $1, due_on = $2, status = $3, team_key = $4, closed_at = $5, updated_at = $6, updated_by = $7, updated_by_source = $9
			WHERE id = $8`, next.Title, day(next.DueOn), string(next.Status), next.Team, closed, ts(tx.now), actorName(a), id, a.AuthorSource()); err != nil {
			return err
		}
		ev := audit.For(a, auditTaskUpdate, objTask, strconv.FormatInt(id, 10))
		ev.Detail = strings.Join(changed, " ")
		return tx.Audit(ctx, ev)
	})
	if err != nil {
		return t, err
	}
	return db.task(ctx, a, id)
}

// ---- The stage report ----

// outreachFacts loads the raw facts of every municipality code (its own,
// without predecessors) dated on or before asOf: campaign touchpoints,
// contact moments, and every agreement's effective steps (corrections
// applied as known now).
func (db *DB) outreachFacts(ctx context.Context, asOf time.Time) (map[string]*outreach.Facts, error) {
	facts := map[string]*outreach.Facts{}
	get := func(nis string) *outreach.Facts {
		f, ok := facts[nis]
		if !ok {
			f = &outreach.Facts{}
			facts[nis] = f
		}
		return f
	}
	dates := func(query string, add func(f *outreach.Facts, d time.Time)) error {
		rows, err := db.read.QueryContext(ctx, query, day(asOf))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var nis string
			var on timeCol
			if err := rows.Scan(&nis, &on); err != nil {
				return err
			}
			add(get(nis), on.T)
		}
		return rows.Err()
	}
	if err := dates(`SELECT DISTINCT municipality_nis, on_day FROM outreach_touchpoints WHERE on_day <= $1`,
		func(f *outreach.Facts, d time.Time) { f.Touchpoints = append(f.Touchpoints, d) }); err != nil {
		return nil, err
	}
	if err := dates(`SELECT DISTINCT municipality_nis, on_day FROM outreach_contact_moments WHERE on_day <= $1`,
		func(f *outreach.Facts, d time.Time) { f.ContactMoments = append(f.ContactMoments, d) }); err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT a.id, a.municipality_nis, e.status, e.effective_on
		FROM agreements a JOIN agreement_events e ON e.agreement_id = a.id
		WHERE e.effective_on <= $1 AND NOT EXISTS (SELECT 1 FROM agreement_events c WHERE c.corrects_id = e.id)
		ORDER BY a.id, e.seq, e.id`, day(asOf))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var nis, status string
		var on timeCol
		if err := rows.Scan(&id, &nis, &status, &on); err != nil {
			return nil, err
		}
		f := get(nis)
		if n := len(f.Agreements); n == 0 || f.Agreements[n-1].ID != id {
			f.Agreements = append(f.Agreements, outreach.AgreementHistory{ID: id})
		}
		h := &f.Agreements[len(f.Agreements)-1]
		h.Steps = append(h.Steps, outreach.AgreementStep{On: on.T, Status: agreement.Status(status)})
	}
	return facts, rows.Err()
}

// factsWithPredecessors returns the facts of municipality nis on asOf
// together with those of the municipalities that had merged into it by
// then (recursively), whose agreements stop counting on their merger day,
// and the predecessor codes. Before the merger a predecessor is a
// municipality of its own (Borsbeek beside Antwerpen until 2024).
func (db *DB) factsWithPredecessors(raw map[string]*outreach.Facts, nis string, asOf time.Time) (outreach.Facts, []string) {
	var f outreach.Facts
	if r := raw[nis]; r != nil {
		f = *r
	}
	var preds []string
	for _, p := range db.Municipalities.Predecessors(nis) {
		if p.ValidTo == nil || !p.ValidTo.Before(asOf) {
			continue
		}
		pf, pp := db.factsWithPredecessors(raw, p.NIS, asOf)
		f = f.Union(pf.Until(p.ValidTo.AddDate(0, 0, 1)))
		preds = append(append(preds, p.NIS), pp...)
	}
	return f, preds
}

// OutreachFacts returns the facts of every Flemish municipality valid on
// asOf (with its predecessors' facts), as OutreachReport derives the
// stages from them.
func (db *DB) OutreachFacts(ctx context.Context, asOf time.Time) (map[string]outreach.Facts, error) {
	raw, err := db.outreachFacts(ctx, asOf)
	if err != nil {
		return nil, err
	}
	out := map[string]outreach.Facts{}
	for _, m := range db.Municipalities.On(asOf, municipality.Flanders) {
		out[m.NIS], _ = db.factsWithPredecessors(raw, m.NIS, asOf)
	}
	return out, nil
}

// OutreachReport gives, for every Flemish municipality valid on asOf (300
// before 2025, 285 from 2025-01-01), its stage derived from the facts
// (outreach.StageOn), since when, its agreement status, the last contact
// moment and the days since, the last touchpoint, the days spent in each
// stage, and the team whose area holds it; the counts per stage; and the
// funnel (conversion and median days per stage) of all municipalities,
// per province and per team. Aggregates: no personal data.
func (db *DB) OutreachReport(ctx context.Context, asOf time.Time) (r outreach.Report, err error) {
	defer apperr.Wrap(&err, "store.OutreachReport")
	asOf = today(asOf)
	raw, err := db.outreachFacts(ctx, asOf)
	if err != nil {
		return r, err
	}
	areas, err := db.teamAreasOn(ctx, asOf)
	if err != nil {
		return r, err
	}
	r = outreach.Report{AsOf: day(asOf), Counts: map[outreach.Stage]int{}, Municipalities: []outreach.MunicipalityStage{}}
	for _, s := range outreach.Stages {
		r.Counts[s] = 0
	}
	var all [][]outreach.Span
	byProvince, byTeam := map[string][][]outreach.Span{}, map[string][][]outreach.Span{}
	for _, m := range db.Municipalities.On(asOf, municipality.Flanders) {
		f, preds := db.factsWithPredecessors(raw, m.NIS, asOf)
		spans := outreach.History(f, asOf)
		cur := spans[len(spans)-1]
		st, _ := outreach.AgreementStatus(f, asOf)
		row := outreach.MunicipalityStage{NIS: m.NIS, Name: m.Name, Province: m.Province, Team: areas[m.NIS], Stage: cur.Stage,
			AgreementStatus: st, StageDays: outreach.DaysPerStage(spans, asOf), Spans: spans, Predecessors: preds}
		if !cur.From.IsZero() {
			row.Since = day(cur.From)
		}
		if last, ok := outreach.LastOnOrBefore(f.ContactMoments, asOf); ok {
			row.LastContact = day(last)
			n := int(asOf.Sub(last).Hours() / 24)
			row.DaysSinceContact = &n
		}
		if last, ok := outreach.LastOnOrBefore(f.Touchpoints, asOf); ok {
			row.LastTouchpoint = day(last)
		}
		r.Counts[row.Stage]++
		if row.Stage != outreach.NotInformed {
			r.Informed++
		}
		r.Municipalities = append(r.Municipalities, row)
		all = append(all, spans)
		byProvince[m.Province] = append(byProvince[m.Province], spans)
		byTeam[row.Team] = append(byTeam[row.Team], spans)
	}
	r.Total = len(r.Municipalities)
	r.Funnel = append(r.Funnel, outreach.Funnel("all", "", all, asOf))
	for _, p := range outreach.Provinces {
		if h, ok := byProvince[p]; ok {
			r.Funnel = append(r.Funnel, outreach.Funnel("province", p, h, asOf))
		}
	}
	teams := make([]string, 0, len(byTeam))
	for t := range byTeam {
		teams = append(teams, t)
	}
	sort.Strings(teams)
	for _, t := range teams {
		r.Funnel = append(r.Funnel, outreach.Funnel("team", t, byTeam[t], asOf))
	}
	return r, nil
}

// MissedReferralCounts lists the anonymous counts of referrals that could
// not be made for want of an agreement, between two months (YYYY-MM,
// inclusive).
func (db *DB) MissedReferralCounts(ctx context.Context, from, to string) ([]outreach.MissedCount, error) {
	list, err := db.MissedReferrals(ctx, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]outreach.MissedCount, len(list))
	for i, m := range list {
		out[i] = outreach.MissedCount{MunicipalityNIS: m.MunicipalityNIS, Month: m.Month, Team: m.Team, Count: m.Count}
	}
	return out, nil
}
