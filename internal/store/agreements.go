package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/agreement/pdfcheck"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/municipality"
	"kansrijk/internal/org"
)

var _ agreement.Store = (*DB)(nil)

// Audit actions of agreements.
const (
	auditAgreementCreate   = "agreement.create"
	auditAgreementEvent    = "agreement.event"
	auditAgreementVersion  = "agreement.version"
	auditAgreementPropose  = "agreement.version.propose"
	auditAgreementApprove  = "agreement.version.approve"
	auditAgreementReject   = "agreement.version.reject"
	auditAgreementDocument = "agreement.document"
	auditAgreementCarry    = "agreement.carry_over"
	auditAgreementDocRead  = "agreement.document.read"
)

// farFuture stands for "everything recorded so far" in as-of queries.
const farFuture = "9999-12-31T23:59:59.999999Z"

// effectiveEventSQL selects, for agreement a.id, the id of its latest
// step effective on or before $1 and recorded on or before $2, ignoring
// events corrected (by then).
const effectiveEventSQL = `(SELECT e2.id FROM agreement_events e2
	WHERE e2.agreement_id = a.id AND e2.effective_on <= $1 AND e2.recorded_at <= $2
	  AND NOT EXISTS (SELECT 1 FROM agreement_events c WHERE c.corrects_id = e2.id AND c.recorded_at <= $2)
	ORDER BY e2.seq DESC, e2.id DESC LIMIT 1)`

// agreementScope returns the SQL condition (on alias a) that limits
// agreements to what the actor may see, with its argument, or forbidden.
func agreementScope(a account.Actor, argN int) (string, []any, error) {
	switch {
	case a.Role == account.Admin || a.Role == account.Analyst || (a.Role == account.DPO && a.OrgKind == account.KindOpgroeien):
		return "1=1", nil, nil
	case a.Role == account.TeamLead || a.Role == account.TeamWorker:
		return fmt.Sprintf("a.team_key = $%d", argN), []any{a.Org}, nil
	case a.Role == account.OCMWWorker || a.Role == account.OCMWAdmin || a.Role == account.DPO:
		return fmt.Sprintf("a.recipient_key = $%d", argN), []any{a.Org}, nil
	}
	return "", nil, apperr.New(apperr.Forbidden, "your role may not see agreements").WithKey("error.forbidden", nil)
}

// canManageAgreement reports whether the actor may record steps of an
// agreement between team and recipient, and which statuses.
func canManageAgreement(a account.Actor, team, recipient string, status agreement.Status) bool {
	switch a.Role {
	case account.Admin:
		return true
	case account.TeamLead:
		return a.Org == team
	case account.OCMWAdmin:
		// The local government signs up, and its OCMW approves and signs.
		return a.Org == recipient && (status == agreement.Interested || status == agreement.Approved || status == agreement.Signed || status == agreement.Withdrawn)
	}
	return false
}

// RecipientFor returns the organisation that receives referrals for a
// municipality (see org.RecipientFor).
func RecipientFor(m municipality.Municipality) string { return org.RecipientFor(m) }

func notFoundAgreement() error {
	return apperr.New(apperr.NotFound, "no such agreement").WithKey("error.not_found", nil)
}

func (db *DB) areaHolds(ctx context.Context, q queryer, team, nis string, on time.Time) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM team_areas WHERE team_key = $1 AND municipality_nis = $2
		AND valid_from <= $3 AND (valid_to IS NULL OR valid_to >= $3)`, team, nis, day(on)).Scan(&n)
	return n > 0, err
}

// parseDayField parses an optional YYYY-MM-DD field; def when empty.
func parseDayField(field, s string, def time.Time) (time.Time, error) {
	if strings.TrimSpace(s) == "" {
		return def, nil
	}
	d, err := municipality.ParseDate(strings.TrimSpace(s))
	if err != nil {
		return d, apperr.FieldErr(apperr.InvalidDate, field, "%s must be a date YYYY-MM-DD, got %q", field, s).
			WithKey("error.invalid_date_value", map[string]any{"Value": s})
	}
	return d, nil
}

// CreateAgreement starts an agreement between a local team and the OCMW
// (or CAW Brussel) of a municipality in the team's area, in status
// interested (default) or draft. Admins, the team's lead, or the OCMW's
// admin (signing up its own local government). One open agreement per
// team, recipient and municipality.
func (db *DB) CreateAgreement(ctx context.Context, a account.Actor, in agreement.NewAgreement) (ag agreement.Agreement, err error) {
	defer apperr.Wrap(&err, "store.CreateAgreement")
	status := agreement.Interested
	if in.Status != "" {
		if status, err = agreement.ParseStatus(in.Status); err != nil {
			return ag, err
		}
	}
	on := in.On
	if on.IsZero() {
		if on, err = parseDayField("effective_on", in.EffectiveOn, today(db.Now())); err != nil {
			return ag, err
		}
	}
	if err := agreement.CheckTransition("", status, time.Time{}, on); err != nil {
		return ag, err
	}
	m, ok := db.Municipalities.ByNIS(strings.TrimSpace(in.MunicipalityNIS))
	if !ok {
		return ag, apperr.FieldErr(apperr.Invalid, "municipality_nis", "unknown municipality NIS code %q", in.MunicipalityNIS).
			WithKey("error.unknown_municipality", map[string]any{"NIS": in.MunicipalityNIS})
	}
	if !db.Municipalities.ValidOn(m.NIS, on) {
		return ag, apperr.FieldErr(apperr.Invalid, "municipality_nis", "municipality %s (%s) does not exist on %s", m.NIS, m.Name, day(on)).
			WithKey("error.municipality_not_valid", map[string]any{"NIS": m.NIS, "Name": m.Name, "Date": on.Format("02-01-2006")})
	}
	team, err := db.Organisation(ctx, strings.TrimSpace(in.Team))
	if err != nil || team.Kind != account.KindTeam {
		return ag, apperr.FieldErr(apperr.UnknownOrg, "team", "unknown local team %q", in.Team).WithKey("error.unknown_org", map[string]any{"Org": in.Team})
	}
	recipient := RecipientFor(m)
	if !canManageAgreement(a, team.Key, recipient, status) {
		return ag, apperr.New(apperr.Forbidden, "you may not start an agreement for %s and %s", team.Key, recipient).WithKey("error.forbidden", nil)
	}
	holds, err := db.areaHolds(ctx, db.read, team.Key, m.NIS, on)
	if err != nil {
		return ag, err
	}
	if !holds {
		return ag, apperr.FieldErr(apperr.Invalid, "municipality_nis", "%s is not in the service area of %s on %s", m.Name, team.Name, day(on)).
			WithKey("error.not_in_area", map[string]any{"Name": m.Name, "Team": team.Name, "Date": on.Format("02-01-2006")})
	}
	var id int64
	err = db.inTx(ctx, func(tx *Tx) error {
		if err := lockAgreements(ctx, tx, "id = $1", id); err != nil {
			return err // the old agreement ends: ordered with sends (see Gate)
		}
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM agreements WHERE team_key = $1 AND recipient_key = $2 AND municipality_nis = $3
			AND status NOT IN ('ended','withdrawn')`, team.Key, recipient, m.NIS).Scan(&open); err != nil {
			return err
		}
		if open > 0 {
			return apperr.New(apperr.Conflict, "an agreement between %s and %s for %s is already open", team.Key, recipient, m.Name).
				WithKey("error.agreement_open", map[string]any{"Team": team.Name, "Name": m.Name})
		}
		var err error
		id, err = insertAgreement(ctx, tx, a, team.Key, recipient, m.NIS, 0, status)
		if err != nil {
			return err
		}
		if _, err := insertEvent(ctx, tx, a, id, 1, status, on, in.Note, 0, agreement.EventDetail{}); err != nil {
			return err
		}
		if err := insertVersion(ctx, tx, a, id, 1, defaultVersion(team.Name, m.Name)); err != nil {
			return err
		}
		ev := audit.For(a, auditAgreementCreate, "agreement", strconv.FormatInt(id, 10))
		ev.AgreementID = id
		ev.Detail = fmt.Sprintf("team=%s recipient=%s nis=%s status=%s effective_on=%s", team.Key, recipient, m.NIS, status, day(on))
		return tx.Audit(ctx, ev)
	})
	if err != nil {
		return ag, err
	}
	return db.Agreement(ctx, a, id)
}

func insertAgreement(ctx context.Context, tx *Tx, a account.Actor, team, recipient, nis string, predecessor int64, status agreement.Status) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO agreements (team_key, recipient_key, municipality_nis, predecessor_id, status, created_at, created_by)
		VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`, team, recipient, nis, nullInt(predecessor), string(status), ts(tx.now), actorName(a)).Scan(&id)
	return id, err
}

func insertEvent(ctx context.Context, tx *Tx, a account.Actor, id int64, seq int, status agreement.Status, on time.Time, note string, corrects int64, d agreement.EventDetail) (int64, error) {
	details, err := json.Marshal(d)
	if err != nil {
		return 0, err
	}
	var evID int64
	err = tx.QueryRowContext(ctx, `INSERT INTO agreement_events (agreement_id, seq, status, effective_on, recorded_at, recorded_by, recorded_org, note, corrects_id, details, recorded_by_source)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING id`,
		id, seq, string(status), day(on), ts(tx.now), actorName(a), a.Org, strings.TrimSpace(note), nullInt(corrects), string(details), a.AuthorSource()).Scan(&evID)
	return evID, err
}

func actorName(a account.Actor) string {
	if a.Email == "" {
		return "system"
	}
	return a.Email
}

// TemplateVersion is the version of the document templates new agreement
// versions refer to.
const TemplateVersion = "2026.1"

// DefaultInformationText is the information given to families before
// consent (the five items of the decree), Dutch, for a team and a
// municipality.
func DefaultInformationText(team, municipality string) string {
	return fmt.Sprintf(`Met uw toestemming geeft %s uw naam en contactgegevens (adres, telefoonnummer, e-mailadres) door aan het OCMW van %s. Niets anders: geen gegevens over uw kind, geen reden, geen score.
Waarom: zodat het OCMW u vroeg kan contacteren en samen met u kan bekijken op welke rechten en steun u recht hebt (bijvoorbeeld verhoogde tegemoetkoming, toeslagen van het Groeipakket, sociaal tarief).
Wat gebeurt er met uw gegevens: een maatschappelijk werker van het OCMW, gebonden door het beroepsgeheim, gebruikt ze alleen om u te contacteren. Ze worden gewist na afloop, volgens de bewaartermijn in de samenwerkingsovereenkomst.
Wat u mag verwachten: het OCMW neemt contact met u op. U beslist zelf of u op het aanbod ingaat. U kunt uw toestemming altijd intrekken.`, team, municipality)
}

func defaultVersion(team, municipality string) agreement.Version {
	return agreement.Version{
		RetentionDays: agreement.DefaultRetentionDays, StatusFeedback: true, FirstContactDays: agreement.DefaultFirstContactDays,
		InformationText: DefaultInformationText(team, municipality), TemplateVersion: TemplateVersion,
	}
}

func insertVersion(ctx context.Context, tx *Tx, a account.Actor, id int64, n int, v agreement.Version) error {
	var dpo, based any
	if v.DPOAdviceOn != "" {
		dpo = v.DPOAdviceOn
	}
	if v.State == "" {
		v.State = agreement.VersionApplied
	}
	if v.BasedOn != 0 {
		based = v.BasedOn
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO agreement_versions (agreement_id, version, retention_days, status_feedback, first_contact_days,
		information_text, protocol_reference, dpo_advice_on, publication_url, template_version, created_at, created_by, state, based_on, created_by_source)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)`,
		id, n, v.RetentionDays, v.StatusFeedback, v.FirstContactDays, v.InformationText, v.ProtocolReference, dpo, v.PublicationURL,
		v.TemplateVersion, ts(tx.now), actorName(a), v.State, based, a.AuthorSource())
	return err
}

func today(t time.Time) time.Time {
	y, m, d := t.In(brussels).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

var brussels = func() *time.Location {
	l, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return l
}()

const agreementColumns = `a.id, a.team_key, t.name, a.recipient_key, r.name, a.municipality_nis, COALESCE(a.predecessor_id, 0),
	COALESCE((SELECT s.id FROM agreements s WHERE s.predecessor_id = a.id LIMIT 1), 0), a.created_at,
	COALESCE((SELECT e.status FROM agreement_events e WHERE e.id = ` + effectiveEventSQL + `), 'none'),
	(SELECT e.effective_on FROM agreement_events e WHERE e.id = ` + effectiveEventSQL + `)`

func (db *DB) scanAgreement(row rowScanner) (agreement.Agreement, error) {
	var ag agreement.Agreement
	var created, since timeCol
	var status string
	err := row.Scan(&ag.ID, &ag.Team, &ag.TeamName, &ag.Recipient, &ag.RecipientName, &ag.MunicipalityNIS, &ag.Predecessor, &ag.Successor, &created, &status, &since)
	ag.CreatedAt, ag.Status, ag.StatusSince = created.T, agreement.Status(status), since.T
	if m, ok := db.Municipalities.ByNIS(ag.MunicipalityNIS); ok {
		ag.Municipality = m.Name
	}
	return ag, err
}

// Agreements lists the agreements the actor may see, with their status
// today.
func (db *DB) Agreements(ctx context.Context, a account.Actor, f agreement.Filter) ([]agreement.Agreement, error) {
	args := []any{day(today(db.Now())), farFuture}
	scope, sargs, err := agreementScope(a, len(args)+1)
	if err != nil {
		return nil, err
	}
	args = append(args, sargs...)
	where := []string{scope}
	if f.Team != "" {
		args = append(args, f.Team)
		where = append(where, fmt.Sprintf("a.team_key = $%d", len(args)))
	}
	if f.NIS != "" {
		args = append(args, f.NIS)
		where = append(where, fmt.Sprintf("a.municipality_nis = $%d", len(args)))
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+agreementColumns+` FROM agreements a
		JOIN organisations t ON t.key = a.team_key JOIN organisations r ON r.key = a.recipient_key
		WHERE `+strings.Join(where, " AND ")+` ORDER BY a.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []agreement.Agreement
	for rows.Next() {
		ag, err := db.scanAgreement(rows)
		if err != nil {
			return nil, err
		}
		if f.Status != "" && string(ag.Status) != f.Status {
			continue
		}
		if f.Province != "" {
			if m, ok := db.Municipalities.ByNIS(ag.MunicipalityNIS); !ok || !strings.EqualFold(m.Province, f.Province) {
				continue
			}
		}
		out = append(out, ag)
	}
	return out, rows.Err()
}

// Agreement returns one agreement with its events, current parameters and
// documents, if the actor may see it; not_found otherwise.
func (db *DB) Agreement(ctx context.Context, a account.Actor, id int64) (agreement.Agreement, error) {
	return db.agreementIn(ctx, db.read, a, id)
}

// agreementIn is Agreement on q: the read pool, or the caller's
// transaction (which must never wait for a second connection).
func (db *DB) agreementIn(ctx context.Context, q queryer, a account.Actor, id int64) (agreement.Agreement, error) {
	args := []any{day(today(db.Now())), farFuture, id}
	scope, sargs, err := agreementScope(a, len(args)+1)
	if err != nil {
		return agreement.Agreement{}, err
	}
	args = append(args, sargs...)
	ag, err := db.scanAgreement(q.QueryRowContext(ctx, `SELECT `+agreementColumns+` FROM agreements a
		JOIN organisations t ON t.key = a.team_key JOIN organisations r ON r.key = a.recipient_key
		WHERE a.id = $3 AND `+scope, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return ag, db.denyAgreement(ctx, a, id)
	}
	if err != nil {
		return ag, err
	}
	if ag.Events, err = agreementEvents(ctx, q, id); err != nil {
		return ag, err
	}
	v, err := currentVersion(ctx, q, id)
	if err != nil {
		return ag, err
	}
	ag.Version = &v
	if ag.Proposed, err = proposedVersion(ctx, q, id); err != nil {
		return ag, err
	}
	if ag.Documents, err = documents(ctx, q, id); err != nil {
		return ag, err
	}
	return ag, nil
}

// denyAgreement answers not_found for an agreement outside the caller's
// scope, exactly as for one that does not exist; when it does exist, the
// refused access is audited as denied (in a transaction of its own).
func (db *DB) denyAgreement(ctx context.Context, a account.Actor, id int64) error {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM agreements WHERE id = $1`, id).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		if err := db.inTx(ctx, func(tx *Tx) error {
			ev := audit.For(a, "agreement.access_denied", "agreement", strconv.FormatInt(id, 10))
			ev.Outcome = audit.Denied
			return tx.Audit(ctx, ev)
		}); err != nil {
			return err
		}
	}
	return notFoundAgreement()
}

func agreementEvents(ctx context.Context, q queryer, id int64) ([]agreement.Event, error) {
	return agreementEventsWhere(ctx, q, `e.agreement_id = $1`, id)
}

// agreementEventsWhere returns the events that satisfy cond (on the
// alias e), by agreement and id.
func agreementEventsWhere(ctx context.Context, q queryer, cond string, args ...any) ([]agreement.Event, error) {
	out, err := queryList(ctx, q, func(row rowScanner) (agreement.Event, error) {
		var e agreement.Event
		var on, rec timeCol
		var status, details string
		if err := row.Scan(&e.ID, &e.AgreementID, &e.Seq, &status, &on, &rec, &e.RecordedBy, &e.RecordedOrg, &e.Note, &e.Corrects, &e.CorrectedBy, &details, &e.RecordedBySource); err != nil {
			return e, err
		}
		e.Status, e.EffectiveOn, e.RecordedAt = agreement.Status(status), on.T, rec.T
		if err := json.Unmarshal([]byte(details), &e.Details); err != nil {
			return e, fmt.Errorf("agreement event %d details: %w", e.ID, err)
		}
		return e, nil
	}, `SELECT e.id, e.agreement_id, e.seq, e.status, e.effective_on, e.recorded_at, e.recorded_by, e.recorded_org,
		e.note, COALESCE(e.corrects_id, 0), COALESCE((SELECT c.id FROM agreement_events c WHERE c.corrects_id = e.id), 0), e.details, e.recorded_by_source
		FROM agreement_events e WHERE `+cond+` ORDER BY e.agreement_id, e.id`, args...)
	return nilIfEmpty(out), err
}

// effective returns the events that count (not corrected), by seq.
func effective(events []agreement.Event) []agreement.Event {
	var out []agreement.Event
	for _, e := range events {
		if e.CorrectedBy == 0 {
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

const versionColumns = `version, retention_days, status_feedback, first_contact_days, information_text, protocol_reference,
	dpo_advice_on, publication_url, template_version, created_at, created_by, state, COALESCE(based_on, 0), decided_at, decided_by, decision_note,
	created_by_source, decided_by_source`

func scanVersion(row rowScanner) (agreement.Version, error) {
	var v agreement.Version
	var dpo, created, decided timeCol
	err := row.Scan(&v.Version, &v.RetentionDays, &v.StatusFeedback, &v.FirstContactDays, &v.InformationText,
		&v.ProtocolReference, &dpo, &v.PublicationURL, &v.TemplateVersion, &created, &v.CreatedBy,
		&v.State, &v.BasedOn, &decided, &v.DecidedBy, &v.DecisionNote, &v.CreatedBySource, &v.DecidedBySource)
	if dpo.Valid {
		v.DPOAdviceOn = day(dpo.T)
	}
	v.CreatedAt, v.DecidedAt = created.T, decided.Ptr()
	return v, err
}

// currentVersion returns the version in force: the newest applied one.
// Proposals waiting for the OCMW's approval never count.
// currentVersions returns the version in force of every agreement, by id.
func currentVersions(ctx context.Context, q queryer) (map[int64]agreement.Version, error) {
	type idVersion struct {
		id int64
		v  agreement.Version
	}
	list, err := queryList(ctx, q, func(row rowScanner) (idVersion, error) {
		var iv idVersion
		var err error
		iv.v, err = scanVersion(prefixScanner{row, []any{&iv.id}})
		return iv, err
	}, `SELECT v.agreement_id, `+versionColumns+` FROM agreement_versions v
		WHERE v.state = 'applied' AND v.version = (SELECT MAX(w.version) FROM agreement_versions w
			WHERE w.agreement_id = v.agreement_id AND w.state = 'applied')`)
	out := make(map[int64]agreement.Version, len(list))
	for _, iv := range list {
		out[iv.id] = iv.v
	}
	return out, err
}

// prefixScanner scans its own destinations before the caller's: a row of
// (key, columns…) through a scan function written for the columns.
type prefixScanner struct {
	row    rowScanner
	prefix []any
}

func (p prefixScanner) Scan(dest ...any) error {
	return p.row.Scan(append(p.prefix[:len(p.prefix):len(p.prefix)], dest...)...)
}

func currentVersion(ctx context.Context, q queryer, id int64) (agreement.Version, error) {
	return scanVersion(q.QueryRowContext(ctx, `SELECT `+versionColumns+` FROM agreement_versions
		WHERE agreement_id = $1 AND state = 'applied' ORDER BY version DESC LIMIT 1`, id))
}

// versionInForce returns the agreement in force between team and the
// recipient of municipality nis on day, if the municipality is in the
// team's area then (what the gate allows), with the number of its version
// in force; zeros when there is none. It reads through q, so that a
// caller holding a transaction uses no second connection.
func (db *DB) versionInForce(ctx context.Context, q queryer, team, nis string, on time.Time) (int64, int, error) {
	if holds, err := db.areaHolds(ctx, q, team, nis, on); err != nil || !holds {
		return 0, 0, err
	}
	ids, err := queryList(ctx, q, scanValue[int64], `SELECT a.id FROM agreements a JOIN agreement_events e ON e.id = `+effectiveEventSQL+`
		WHERE a.team_key = $3 AND a.municipality_nis = $4 AND e.status = 'active' ORDER BY a.id`, day(on), farFuture, team, nis)
	if err != nil || len(ids) == 0 {
		return 0, 0, err
	}
	v, err := currentVersion(ctx, q, ids[0])
	if err != nil {
		return 0, 0, err
	}
	return ids[0], v.Version, nil
}

// proposedVersion returns the proposal waiting for the OCMW's approval,
// if there is one.
func proposedVersion(ctx context.Context, q queryer, id int64) (*agreement.Version, error) {
	v, err := scanVersion(q.QueryRowContext(ctx, `SELECT `+versionColumns+` FROM agreement_versions
		WHERE agreement_id = $1 AND state = 'proposed'`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

type agreementRow struct {
	team, recipient, nis string
}

func loadAgreementRow(ctx context.Context, q queryer, id int64) (agreementRow, error) {
	var r agreementRow
	err := q.QueryRowContext(ctx, `SELECT team_key, recipient_key, municipality_nis FROM agreements WHERE id = $1`, id).Scan(&r.team, &r.recipient, &r.nis)
	if errors.Is(err, sql.ErrNoRows) {
		return r, notFoundAgreement()
	}
	return r, err
}

// AddEvent records the next step of an agreement, or a correction of an
// earlier step (in.Corrects). Transitions that make no sense, and
// effective dates out of order, give invalid_transition and change
// nothing.
func (db *DB) AddEvent(ctx context.Context, a account.Actor, id int64, in agreement.NewEvent) (ev agreement.Event, err error) {
	defer apperr.Wrap(&err, "store.AddEvent(%d)", id)
	if _, err := db.Agreement(ctx, a, id); err != nil {
		return ev, err // not visible: not found
	}
	var evID int64
	err = db.inTx(ctx, func(tx *Tx) error {
		if err := lockAgreements(ctx, tx, "id = $1", id); err != nil {
			return err // a step and a send of the same agreement are strictly ordered
		}
		row, err := loadAgreementRow(ctx, tx, id)
		if err != nil {
			return err
		}
		events, err := agreementEvents(ctx, tx, id)
		if err != nil {
			return err
		}
		eff := effective(events)
		var status agreement.Status
		if in.Status != "" {
			if status, err = agreement.ParseStatus(in.Status); err != nil {
				return err
			}
		}
		var seq int
		var prevOn, nextOn time.Time
		if in.Corrects != 0 {
			i := slices.IndexFunc(eff, func(e agreement.Event) bool { return e.ID == in.Corrects })
			if i < 0 {
				return apperr.FieldErr(apperr.Invalid, "corrects", "event %d is not a current step of this agreement", in.Corrects).
					WithKey("error.correct_unknown", nil)
			}
			target := eff[i]
			if status == "" {
				status = target.Status
			}
			if status != target.Status {
				return apperr.FieldErr(apperr.InvalidTransition, "status", "a correction keeps the status of the step it corrects (%s)", target.Status).
					WithKey("error.correct_status", map[string]any{"Status": string(target.Status)})
			}
			seq = target.Seq
			// A correction restates the step: what it does not give is
			// taken from the step it corrects.
			if in.CouncilDecisionOn == "" {
				in.CouncilDecisionOn = target.Details.CouncilDecisionOn
			}
			if in.CouncilReference == "" {
				in.CouncilReference = target.Details.CouncilReference
			}
			if len(in.Signatures) == 0 {
				in.Signatures = target.Details.Signatures
			}
			if in.Reason == "" {
				in.Reason = target.Details.Reason
			}
			if in.EffectiveOn == "" {
				in.EffectiveOn = day(target.EffectiveOn)
			}
			if i > 0 {
				prevOn = eff[i-1].EffectiveOn
			}
			if i+1 < len(eff) {
				nextOn = eff[i+1].EffectiveOn
			}
		} else {
			if status == "" {
				return apperr.FieldErr(apperr.Invalid, "status", "status is required").WithKey("error.status_required", nil)
			}
			from := agreement.Status("")
			if n := len(eff); n > 0 {
				from, prevOn, seq = eff[n-1].Status, eff[n-1].EffectiveOn, eff[n-1].Seq
			}
			seq++
			if err := agreement.CheckTransition(from, status, time.Time{}, time.Time{}); err != nil {
				return err
			}
		}
		if !canManageAgreement(a, row.team, row.recipient, status) {
			return apperr.New(apperr.Forbidden, "your role may not record this step").WithKey("error.forbidden", nil)
		}
		d, on, err := eventDetail(status, in, today(tx.now))
		if err != nil {
			return err
		}
		if err := agreement.CheckDate(prevOn, on); err != nil {
			return err
		}
		if !nextOn.IsZero() && on.After(nextOn) {
			return apperr.FieldErr(apperr.InvalidTransition, "effective_on", "the corrected date %s is after that of the next step (%s)", day(on), day(nextOn)).
				WithKey("error.correct_date", map[string]any{"Date": on.Format("02-01-2006"), "Next": nextOn.Format("02-01-2006")})
		}
		if status != agreement.Ended && status != agreement.Withdrawn && status != agreement.Suspended && !db.Municipalities.ValidOn(row.nis, on) {
			m, _ := db.Municipalities.ByNIS(row.nis)
			return apperr.FieldErr(apperr.InvalidTransition, "effective_on", "municipality %s no longer exists on %s: carry the agreement over to its successor or end it", m.Name, day(on)).
				WithKey("error.transition_merged", map[string]any{"Name": m.Name, "Date": on.Format("02-01-2006")})
		}
		if evID, err = insertEvent(ctx, tx, a, id, seq, status, on, in.Note, in.Corrects, d); err != nil {
			return err
		}
		if err := refreshStatusCache(ctx, tx, id); err != nil {
			return err
		}
		au := audit.For(a, auditAgreementEvent, "agreement", strconv.FormatInt(id, 10))
		au.AgreementID = id
		au.Detail = fmt.Sprintf("status=%s effective_on=%s corrects=%d", status, day(on), in.Corrects)
		return tx.Audit(ctx, au)
	})
	if err != nil {
		return ev, err
	}
	events, err := agreementEvents(ctx, db.read, id)
	if err != nil {
		return ev, err
	}
	for _, e := range events {
		if e.ID == evID {
			return e, nil
		}
	}
	return ev, fmt.Errorf("event %d not found after insert", evID)
}

// eventDetail validates the status-specific fields and returns the
// effective date: every problem at once (agreement.CheckEvent).
func eventDetail(status agreement.Status, in agreement.NewEvent, def time.Time) (agreement.EventDetail, time.Time, error) {
	return agreement.CheckEvent(status, in, def)
}

func refreshStatusCache(ctx context.Context, tx *Tx, id int64) error {
	events, err := agreementEvents(ctx, tx, id)
	if err != nil {
		return err
	}
	eff := effective(events)
	if len(eff) == 0 {
		return nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE agreements SET status = $1 WHERE id = $2`, string(eff[len(eff)-1].Status), id)
	return err
}

// UpdateVersion records a new version of an agreement's parameters.
// Admins and the team's lead. Before the OCMW council's decision
// (interested, draft) and after a withdrawal the version applies at once
// (state applied). From the council's decision on (see
// agreement.Status.NeedsApproval) it is only proposed (state proposed):
// the version in force stays until the OCMW's admin approves it
// (ApproveVersion). A proposal starts from the proposal still waiting,
// if any, and replaces it (superseded).
func (db *DB) UpdateVersion(ctx context.Context, a account.Actor, id int64, up agreement.VersionUpdate) (v agreement.Version, err error) {
	defer apperr.Wrap(&err, "store.UpdateVersion(%d)", id)
	ag, err := db.Agreement(ctx, a, id)
	if err != nil {
		return v, err
	}
	if !(a.Role == account.Admin || (a.Role == account.TeamLead && a.Org == ag.Team)) {
		return v, apperr.New(apperr.Forbidden, "your role may not change the agreement's parameters").WithKey("error.forbidden", nil)
	}
	// Every problem of the input at once (agreement.VersionUpdate.Check).
	if err := up.Check(); err != nil {
		return v, err
	}
	inForce := *ag.Version
	v = inForce
	if ag.Proposed != nil {
		v = *ag.Proposed
	}
	pending := v.Version
	changed := false
	setInt := func(dst *int, src *int, field string, min, max int) error {
		if src == nil {
			return nil
		}
		if *src < min || *src > max {
			return apperr.FieldErr(apperr.Invalid, field, "%s must be between %d and %d", field, min, max).
				WithKey("error.range", map[string]any{"Min": min, "Max": max})
		}
		changed = changed || *dst != *src
		*dst = *src
		return nil
	}
	if err := setInt(&v.RetentionDays, up.RetentionDays, "retention_days", 1, 3650); err != nil {
		return v, err
	}
	if err := setInt(&v.FirstContactDays, up.FirstContactDays, "first_contact_days", 1, 365); err != nil {
		return v, err
	}
	if up.StatusFeedback != nil {
		changed = changed || v.StatusFeedback != *up.StatusFeedback
		v.StatusFeedback = *up.StatusFeedback
	}
	setStr := func(dst *string, src *string, max int, field string) error {
		if src == nil {
			return nil
		}
		s := strings.TrimSpace(*src)
		if len(s) > max {
			return apperr.FieldErr(apperr.Invalid, field, "%s is too long", field).WithKey("error.too_long", nil)
		}
		changed = changed || *dst != s
		*dst = s
		return nil
	}
	if err := setStr(&v.InformationText, up.InformationText, 8000, "information_text"); err != nil {
		return v, err
	}
	if up.InformationText != nil && v.InformationText == "" {
		return v, apperr.FieldErr(apperr.Invalid, "information_text", "the information text for families cannot be empty").WithKey("error.info_text_required", nil)
	}
	if err := setStr(&v.ProtocolReference, up.ProtocolReference, 200, "protocol_reference"); err != nil {
		return v, err
	}
	if err := setStr(&v.PublicationURL, up.PublicationURL, 500, "publication_url"); err != nil {
		return v, err
	}
	if v.PublicationURL != "" {
		if u, err := url.Parse(v.PublicationURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return v, apperr.FieldErr(apperr.Invalid, "publication_url", "publication_url must be an http(s) URL").WithKey("error.invalid_url", nil)
		}
	}
	if up.DPOAdviceOn != nil {
		s := strings.TrimSpace(*up.DPOAdviceOn)
		if s != "" {
			if _, err := parseDayField("dpo_advice_on", s, time.Time{}); err != nil {
				return v, err
			}
		}
		changed = changed || v.DPOAdviceOn != s
		v.DPOAdviceOn = s
	}
	if !changed {
		return v, apperr.New(apperr.Invalid, "nothing to change").WithKey("error.nothing_to_change", nil)
	}
	v.TemplateVersion = TemplateVersion
	v.DecidedAt, v.DecidedBy, v.DecisionNote = nil, "", ""
	err = db.inTx(ctx, func(tx *Tx) error {
		// The lock that a send's gate takes: a send records the version in
		// force before or after this change, never one being replaced.
		if err := lockAgreements(ctx, tx, "id = $1", id); err != nil {
			return err
		}
		// The status, the version in force and the proposal, as this
		// transaction sees them: a change based on what someone else has
		// changed meanwhile is refused.
		var status string
		var last int
		if err := tx.QueryRowContext(ctx, `SELECT status FROM agreements WHERE id = $1`, id).Scan(&status); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM agreement_versions WHERE agreement_id = $1`, id).Scan(&last); err != nil {
			return err
		}
		cur, err := currentVersion(ctx, tx, id)
		if err != nil {
			return err
		}
		prop, err := proposedVersion(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.Version != inForce.Version || (prop == nil) != (ag.Proposed == nil) || (prop != nil && prop.Version != pending) {
			return apperr.New(apperr.Conflict, "someone else changed the parameters at the same time; reload and try again").WithKey("error.concurrent", nil)
		}
		superseded := 0
		if prop != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE agreement_versions SET state = 'superseded', decided_at = $1, decided_by = $2, decided_by_source = $5
				WHERE agreement_id = $3 AND version = $4 AND state = 'proposed'`, ts(tx.now), actorName(a), id, prop.Version, a.AuthorSource()); err != nil {
				return err
			}
			superseded = prop.Version
		}
		v.Version, v.State, v.BasedOn = last+1, agreement.VersionApplied, 0
		action := auditAgreementVersion
		if agreement.Status(status).NeedsApproval() {
			v.State, v.BasedOn, action = agreement.VersionProposed, cur.Version, auditAgreementPropose
		}
		if err := insertVersion(ctx, tx, a, id, v.Version, v); err != nil {
			if isUniqueViolation(err) {
				return apperr.New(apperr.Conflict, "someone else changed the parameters at the same time; reload and try again").WithKey("error.concurrent", nil)
			}
			return err
		}
		au := audit.For(a, action, "agreement", strconv.FormatInt(id, 10))
		au.AgreementID = id
		au.Detail = fmt.Sprintf("version=%d state=%s in_force=%d", v.Version, v.State, cur.Version)
		if superseded != 0 {
			au.Detail += fmt.Sprintf(" supersedes=%d", superseded)
		}
		return tx.Audit(ctx, au)
	})
	if err != nil {
		return v, err
	}
	return db.AgreementVersion(ctx, a, id, v.Version)
}

// AgreementVersion returns one version (in force, earlier, proposed or
// rejected) of an agreement the actor may see; not_found otherwise.
func (db *DB) AgreementVersion(ctx context.Context, a account.Actor, id int64, version int) (agreement.Version, error) {
	if _, err := db.Agreement(ctx, a, id); err != nil {
		return agreement.Version{}, err
	}
	v, err := scanVersion(db.read.QueryRowContext(ctx, `SELECT `+versionColumns+` FROM agreement_versions
		WHERE agreement_id = $1 AND version = $2`, id, version))
	if errors.Is(err, sql.ErrNoRows) {
		return v, apperr.New(apperr.NotFound, "no such version").WithKey("error.not_found", nil)
	}
	return v, err
}

// ApproveVersion puts a proposed version in force: the OCMW side's
// approval of a change to an agreement its council approved. Only the
// admin of the agreement's OCMW (or CAW Brussel). A proposal based on a
// version that is no longer in force gives conflict; a version that is
// not (or no longer) proposed gives invalid_state.
func (db *DB) ApproveVersion(ctx context.Context, a account.Actor, id int64, version int, note string) (agreement.Version, error) {
	return db.decideVersion(ctx, a, id, version, note, agreement.VersionApplied)
}

// RejectVersion refuses a proposed version; the version in force stays.
// Only the admin of the agreement's OCMW (or CAW Brussel).
func (db *DB) RejectVersion(ctx context.Context, a account.Actor, id int64, version int, note string) (agreement.Version, error) {
	return db.decideVersion(ctx, a, id, version, note, agreement.VersionRejected)
}

func (db *DB) decideVersion(ctx context.Context, a account.Actor, id int64, version int, note, state string) (v agreement.Version, err error) {
	defer apperr.Wrap(&err, "store.decideVersion(%d, %d, %s)", id, version, state)
	ag, err := db.Agreement(ctx, a, id)
	if err != nil {
		return v, err
	}
	action := auditAgreementApprove
	if state == agreement.VersionRejected {
		action = auditAgreementReject
	}
	if !(a.Role == account.OCMWAdmin && a.Org == ag.Recipient) {
		// A refused decision is audited too (in a transaction of its own).
		if err := db.inTx(ctx, func(tx *Tx) error {
			au := audit.For(a, action, "agreement", strconv.FormatInt(id, 10))
			au.AgreementID, au.Outcome, au.Detail = id, audit.Denied, fmt.Sprintf("version=%d", version)
			return tx.Audit(ctx, au)
		}); err != nil {
			return v, err
		}
		return v, apperr.New(apperr.Forbidden, "only the admin of %s approves or rejects changes to this agreement", ag.RecipientName).
			WithKey("error.version_decide_forbidden", map[string]any{"Recipient": ag.RecipientName})
	}
	note = strings.TrimSpace(note)
	if len(note) > 2000 {
		return v, apperr.FieldErr(apperr.Invalid, "note", "note is too long").WithKey("error.too_long", nil)
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		if err := lockAgreements(ctx, tx, "id = $1", id); err != nil {
			return err
		}
		p, err := scanVersion(tx.QueryRowContext(ctx, `SELECT `+versionColumns+` FROM agreement_versions
			WHERE agreement_id = $1 AND version = $2`, id, version))
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "no such version").WithKey("error.not_found", nil)
		}
		if err != nil {
			return err
		}
		if p.State != agreement.VersionProposed {
			return apperr.New(apperr.InvalidState, "version %d is %s, not proposed: nothing to decide", version, p.State).
				WithKey("error.version_not_proposed", map[string]any{"Version": version})
		}
		cur, err := currentVersion(ctx, tx, id)
		if err != nil {
			return err
		}
		if state == agreement.VersionApplied && p.BasedOn != cur.Version {
			return apperr.New(apperr.Conflict, "version %d changes version %d, but version %d is in force now: ask for a new proposal", version, p.BasedOn, cur.Version).
				WithKey("error.version_stale", map[string]any{"Version": version})
		}
		res, err := tx.ExecContext(ctx, `UPDATE agreement_versions SET state = $1, decided_at = $2, decided_by = $3, decision_note = $4, decided_by_source = $7
			WHERE agreement_id = $5 AND version = $6 AND state = 'proposed'`, state, ts(tx.now), actorName(a), note, id, version, a.AuthorSource())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "someone else decided on this version at the same time; reload").WithKey("error.concurrent", nil)
		}
		au := audit.For(a, action, "agreement", strconv.FormatInt(id, 10))
		au.AgreementID = id
		au.Detail = fmt.Sprintf("version=%d in_force_before=%d", version, cur.Version)
		return tx.Audit(ctx, au)
	})
	if err != nil {
		return v, err
	}
	return db.AgreementVersion(ctx, a, id, version)
}

// DocumentKinds are the kinds of uploaded documents.
var DocumentKinds = []string{"cooperation", "processing", "other"}

// AddDocument stores a signed copy (PDF only, at most
// agreement.MaxDocumentSize) with its SHA-256. Admins, the team's lead and
// the OCMW's admin.
//
// The client's file name is not kept (the parameter is ignored): it could
// carry path parts, quotes or line breaks into a header or a file system.
// The document is named by its agreement and id (documentName). A file
// that starts like a PDF but does not parse is refused with invalid_pdf.
func (db *DB) AddDocument(ctx context.Context, a account.Actor, id int64, kind, _ string, content []byte) (doc agreement.Document, err error) {
	ag, err := db.Agreement(ctx, a, id)
	if err != nil {
		return doc, err
	}
	if !(a.Role == account.Admin || (a.Role == account.TeamLead && a.Org == ag.Team) || (a.Role == account.OCMWAdmin && a.Org == ag.Recipient)) {
		return doc, apperr.New(apperr.Forbidden, "your role may not upload documents").WithKey("error.forbidden", nil)
	}
	if !slices.Contains(DocumentKinds, kind) {
		return doc, apperr.FieldErr(apperr.Invalid, "kind", "kind must be cooperation, processing or other").WithKey("error.document_kind", nil)
	}
	if len(content) == 0 {
		return doc, apperr.FieldErr(apperr.Invalid, "file", "the file is empty").WithKey("error.file_empty", nil)
	}
	if len(content) > agreement.MaxDocumentSize {
		return doc, apperr.FieldErr(apperr.TooLarge, "file", "the file is larger than %d MB", agreement.MaxDocumentSize>>20).
			WithKey("error.file_too_large", map[string]any{"N": agreement.MaxDocumentSize >> 20})
	}
	if !strings.HasPrefix(string(content[:min(len(content), 1024)]), "%PDF-") && !strings.Contains(string(content[:min(len(content), 1024)]), "%PDF-") {
		return doc, apperr.FieldErr(apperr.Invalid, "file", "only PDF files are accepted").WithKey("error.not_pdf", nil)
	}
	// Parsed, not only sniffed: a file that starts like a PDF but is
	// none (or is damaged) is refused.
	if err := pdfcheck.Check(content); err != nil {
		return doc, apperr.FieldErr(agreement.CodeInvalidPDF, "file", "the file is not a readable PDF").WithKey("error.invalid_pdf", nil)
	}
	sum := sha256.Sum256(content)
	doc = agreement.Document{Kind: kind, Size: int64(len(content)), SHA256: hex.EncodeToString(sum[:]), UploadedBy: actorName(a)}
	err = db.inTx(ctx, func(tx *Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO agreement_documents (agreement_id, kind, filename, size, sha256, content, uploaded_at, uploaded_by)
			VALUES ($1,$2,'',$3,$4,$5,$6,$7) RETURNING id`, id, kind, doc.Size, doc.SHA256, content, ts(tx.now), doc.UploadedBy).Scan(&doc.ID); err != nil {
			return err
		}
		doc.Filename = documentName(id, doc.ID)
		if _, err := tx.ExecContext(ctx, `UPDATE agreement_documents SET filename = $1 WHERE id = $2`, doc.Filename, doc.ID); err != nil {
			return err
		}
		doc.UploadedAt = tx.now
		au := audit.For(a, auditAgreementDocument, "agreement", strconv.FormatInt(id, 10))
		au.AgreementID = id
		au.Detail = fmt.Sprintf("document=%d kind=%s sha256=%s", doc.ID, kind, doc.SHA256)
		return tx.Audit(ctx, au)
	})
	return doc, err
}

// documentName is the name a document is stored and served under:
// agreement-<agreement id>-<document id>.pdf, never the uploader's.
func documentName(id, docID int64) string {
	return fmt.Sprintf("agreement-%d-%d.pdf", id, docID)
}

func documents(ctx context.Context, q queryer, id int64) ([]agreement.Document, error) {
	out, err := queryList(ctx, q, func(row rowScanner) (agreement.Document, error) {
		var d agreement.Document
		var at timeCol
		err := row.Scan(&d.ID, &d.Kind, &d.Filename, &d.Size, &d.SHA256, &at, &d.UploadedBy)
		d.UploadedAt, d.Filename = at.T, documentName(id, d.ID) // also for documents stored under the client's name before
		return d, err
	}, `SELECT id, kind, filename, size, sha256, uploaded_at, uploaded_by FROM agreement_documents WHERE agreement_id = $1 ORDER BY id`, id)
	return nilIfEmpty(out), err
}

// DocumentContent returns an uploaded document, for those who may see the
// agreement.
func (db *DB) DocumentContent(ctx context.Context, a account.Actor, id, docID int64) (agreement.Document, []byte, error) {
	var d agreement.Document
	if _, err := db.Agreement(ctx, a, id); err != nil {
		return d, nil, err
	}
	var content []byte
	var at timeCol
	err := db.read.QueryRowContext(ctx, `SELECT id, kind, filename, size, sha256, uploaded_at, uploaded_by, content FROM agreement_documents
		WHERE id = $1 AND agreement_id = $2`, docID, id).Scan(&d.ID, &d.Kind, &d.Filename, &d.Size, &d.SHA256, &at, &d.UploadedBy, &content)
	if errors.Is(err, sql.ErrNoRows) {
		return d, nil, apperr.New(apperr.NotFound, "no such document").WithKey("error.not_found", nil)
	}
	d.UploadedAt, d.Filename = at.T, documentName(id, d.ID)
	return d, content, err
}

// CarryOver carries an agreement of a municipality that merged on 1
// January 2025 over to the OCMW of its successor: a new agreement, linked
// to the old one, in the same status from the merger date, with the same
// parameters; the old one ends (or is withdrawn, if it was not yet
// signed) from the same date. Admins only.
func (db *DB) CarryOver(ctx context.Context, a account.Actor, id int64, on time.Time, note string) (ag agreement.Agreement, err error) {
	defer apperr.Wrap(&err, "store.CarryOver(%d)", id)
	if a.Role != account.Admin {
		return ag, apperr.New(apperr.Forbidden, "only administrators carry agreements over").WithKey("error.forbidden", nil)
	}
	old, err := db.Agreement(ctx, a, id)
	if err != nil {
		return ag, err
	}
	m, _ := db.Municipalities.ByNIS(old.MunicipalityNIS)
	if m.ValidTo == nil || m.SuccessorNIS == "" {
		return ag, apperr.New(apperr.Invalid, "%s was not merged: nothing to carry over", m.Name).WithKey("error.not_merged", map[string]any{"Name": m.Name})
	}
	if on.IsZero() {
		on = m.ValidTo.AddDate(0, 0, 1)
	}
	succ, ok := db.Municipalities.SuccessorOn(m.NIS, on)
	if !ok || succ.NIS == m.NIS {
		return ag, apperr.FieldErr(apperr.InvalidDate, "effective_on", "the successor of %s does not exist yet on %s", m.Name, day(on)).
			WithKey("error.successor_not_valid", map[string]any{"Name": m.Name, "Date": on.Format("02-01-2006")})
	}
	eff := effective(old.Events)
	if len(eff) == 0 {
		return ag, notFoundAgreement()
	}
	last := eff[len(eff)-1]
	if !last.Status.Open() {
		return ag, apperr.New(apperr.InvalidTransition, "the agreement is %s: nothing to carry over", last.Status).
			WithKey("error.carry_closed", map[string]any{"Status": string(last.Status)})
	}
	if on.Before(last.EffectiveOn) {
		return ag, apperr.FieldErr(apperr.InvalidTransition, "effective_on", "the carry-over date is before the last step (%s)", day(last.EffectiveOn)).
			WithKey("error.transition_date", map[string]any{"Date": on.Format("02-01-2006"), "Prev": last.EffectiveOn.Format("02-01-2006")})
	}
	team, err := db.TeamFor(ctx, succ.NIS, on)
	if err != nil {
		return ag, err
	}
	if team == "" {
		return ag, apperr.New(apperr.Invalid, "no local team covers %s on %s", succ.Name, day(on)).WithKey("error.no_team", map[string]any{"Name": succ.Name})
	}
	recipient := RecipientFor(succ)
	closing := agreement.Withdrawn
	if slices.Contains(agreement.Next(last.Status), agreement.Ended) {
		closing = agreement.Ended
	}
	var newID int64
	err = db.inTx(ctx, func(tx *Tx) error {
		if err := lockAgreements(ctx, tx, "id = $1", id); err != nil {
			return err // the old agreement ends: ordered with sends (see Gate)
		}
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM agreements WHERE team_key = $1 AND recipient_key = $2 AND municipality_nis = $3
			AND status NOT IN ('ended','withdrawn')`, team, recipient, succ.NIS).Scan(&open); err != nil {
			return err
		}
		if open > 0 {
			return apperr.New(apperr.Conflict, "%s already has an open agreement with %s: end this one instead", succ.Name, team).
				WithKey("error.carry_exists", map[string]any{"Name": succ.Name})
		}
		var err error
		if newID, err = insertAgreement(ctx, tx, a, team, recipient, succ.NIS, id, last.Status); err != nil {
			return err
		}
		n := strings.TrimSpace(note)
		if n == "" {
			n = fmt.Sprintf("Overgedragen van overeenkomst #%d (%s) na de fusie", id, m.Name)
		}
		if _, err := insertEvent(ctx, tx, a, newID, 1, last.Status, on, n, 0, last.Details); err != nil {
			return err
		}
		v := *old.Version // the version in force; a proposal still waiting is not carried over
		v.TemplateVersion, v.State, v.BasedOn = TemplateVersion, agreement.VersionApplied, 0
		if err := insertVersion(ctx, tx, a, newID, 1, v); err != nil {
			return err
		}
		reason := fmt.Sprintf("Fusie: overgedragen naar overeenkomst #%d (%s)", newID, succ.Name)
		// The old agreement ends when its OCMW does: from the merger date
		// (on the day before, it was still in force).
		closeOn := on
		if _, err := insertEvent(ctx, tx, a, id, last.Seq+1, closing, closeOn, reason, 0, agreement.EventDetail{Reason: reason}); err != nil {
			return err
		}
		if err := refreshStatusCache(ctx, tx, id); err != nil {
			return err
		}
		au := audit.For(a, auditAgreementCarry, "agreement", strconv.FormatInt(id, 10))
		au.AgreementID = newID
		au.Detail = fmt.Sprintf("from=%d to=%d nis=%s->%s on=%s", id, newID, m.NIS, succ.NIS, day(on))
		return tx.Audit(ctx, au)
	})
	if err != nil {
		return ag, err
	}
	return db.Agreement(ctx, a, newID)
}

// teamAreasOn maps each municipality to the team covering it on day.
func (db *DB) teamAreasOn(ctx context.Context, on time.Time) (map[string]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT municipality_nis, team_key FROM team_areas
		WHERE valid_from <= $1 AND (valid_to IS NULL OR valid_to >= $1) ORDER BY team_key`, day(on))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var nis, team string
		if err := rows.Scan(&nis, &team); err != nil {
			return nil, err
		}
		if _, ok := out[nis]; !ok {
			out[nis] = team
		}
	}
	return out, rows.Err()
}

// agreementState is the replayed state of one agreement on a day.
type agreementState struct {
	id          int64
	team, nis   string
	status      agreement.Status
	effectiveOn time.Time
}

// agreementStatesOn replays the event history: the status of every
// agreement on asOf, as recorded by knownAt.
func (db *DB) agreementStatesOn(ctx context.Context, asOf time.Time, knownAt *time.Time) ([]agreementState, error) {
	known := farFuture
	if knownAt != nil {
		known = ts(knownAt.AddDate(0, 0, 1).Add(-time.Microsecond)) // the whole day, UTC
	}
	out, err := queryList(ctx, db.read, func(row rowScanner) (agreementState, error) {
		var s agreementState
		var st string
		var on timeCol
		err := row.Scan(&s.id, &s.team, &s.nis, &st, &on)
		s.status, s.effectiveOn = agreement.Status(st), on.T
		return s, err
	}, `SELECT a.id, a.team_key, a.municipality_nis, e.status, e.effective_on
		FROM agreements a JOIN agreement_events e ON e.id = `+effectiveEventSQL+` ORDER BY a.id`, day(asOf), known)
	return nilIfEmpty(out), err
}

// AgreementReport returns the state of every municipality of the region
// ("flanders" by default, "brussels" or "all") on asOf, computed from the
// event history; with knownAt, only from what had been recorded by the
// end of that day. Public figures: no personal data.
func (db *DB) AgreementReport(ctx context.Context, asOf time.Time, knownAt *time.Time, region string) (r agreement.Report, err error) {
	defer apperr.Wrap(&err, "store.AgreementReport")
	var reg municipality.Region
	switch region {
	case "", "flanders":
		region, reg = "flanders", municipality.Flanders
	case "brussels":
		reg = municipality.Brussels
	case "all":
	default:
		return r, apperr.FieldErr(apperr.Invalid, "region", "region must be flanders, brussels or all").WithKey("error.invalid", nil)
	}
	states, err := db.agreementStatesOn(ctx, asOf, knownAt)
	if err != nil {
		return r, err
	}
	areas, err := db.teamAreasOn(ctx, asOf)
	if err != nil {
		return r, err
	}
	best := map[string]agreementState{}
	for _, s := range states {
		if b, ok := best[s.nis]; !ok || s.status.Rank() > b.status.Rank() || (s.status.Rank() == b.status.Rank() && s.effectiveOn.Before(b.effectiveOn)) {
			best[s.nis] = s
		}
	}
	r = agreement.Report{AsOf: day(asOf), Region: region, Counts: map[agreement.Status]int{}}
	if knownAt != nil {
		r.KnownAt = day(*knownAt)
	}
	for _, st := range agreement.ReportStatuses {
		r.Counts[st] = 0
	}
	for _, m := range db.Municipalities.On(asOf, reg) {
		row := agreement.MunicipalityState{NIS: m.NIS, Name: m.Name, Province: m.Province, Status: agreement.None, Team: areas[m.NIS]}
		if s, ok := best[m.NIS]; ok {
			row.Status, row.Since, row.Team, row.AgreementID = s.status, day(s.effectiveOn), s.team, s.id
		}
		r.Counts[row.Status]++
		if row.Status.SignedUp() {
			r.SignedUp++
		}
		if row.Status.InForce() {
			r.InForce++
		}
		r.Municipalities = append(r.Municipalities, row)
	}
	r.Total = len(r.Municipalities)
	return r, nil
}

// PublicRegister lists every Flemish and Brussels municipality valid on
// day with the status of its agreement and the public facts about it.
func (db *DB) PublicRegister(ctx context.Context, on time.Time) ([]agreement.RegisterRow, error) {
	r, err := db.AgreementReport(ctx, on, nil, "all")
	if err != nil {
		return nil, err
	}
	// Only the events and the versions in force, each read in one query for
	// all agreements (not two per municipality): the register needs no
	// documents, parties or scoping (it is public).
	all, err := agreementEventsWhere(ctx, db.read, `1 = 1`)
	if err != nil {
		return nil, err
	}
	eventsOf := map[int64][]agreement.Event{}
	for _, e := range all {
		eventsOf[e.AgreementID] = append(eventsOf[e.AgreementID], e)
	}
	versions, err := currentVersions(ctx, db.read)
	if err != nil {
		return nil, err
	}
	out := make([]agreement.RegisterRow, 0, len(r.Municipalities))
	for _, m := range r.Municipalities {
		row := agreement.RegisterRow{NIS: m.NIS, Name: m.Name, Province: m.Province, Status: m.Status, Since: m.Since, Team: m.Team, AgreementID: m.AgreementID}
		if m.AgreementID != 0 {
			v, ok := versions[m.AgreementID]
			if !ok {
				return nil, fmt.Errorf("agreement %d has no version in force", m.AgreementID)
			}
			for _, e := range effective(eventsOf[m.AgreementID]) {
				if e.EffectiveOn.After(on) {
					continue
				}
				d := day(e.EffectiveOn)
				switch e.Status {
				case agreement.Interested, agreement.Draft:
					if row.SignedUpOn == "" {
						row.SignedUpOn = d
					}
				case agreement.Approved:
					row.ApprovedOn = d
				case agreement.Signed:
					row.SignedOn = d
				case agreement.Active:
					if row.ActiveFrom == "" {
						row.ActiveFrom = d
					}
				case agreement.Ended, agreement.Withdrawn:
					row.EndedOn = d
				}
			}
			row.Version = v.Version
			row.ProtocolReference, row.PublicationURL = v.ProtocolReference, v.PublicationURL
		}
		out = append(out, row)
	}
	return out, nil
}
