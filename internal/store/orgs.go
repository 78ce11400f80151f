package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/municipality"
	"kansrijk/internal/org"
)

// syncReferenceOrganisations makes sure Opgroeien, CAW Brussel and one
// OCMW per Flemish municipality (of every era) exist. It writes only what
// is missing.
func (db *DB) syncReferenceOrganisations(ctx context.Context) error {
	all := db.Municipalities.All()
	want := 2
	for _, m := range all {
		if m.Region == municipality.Flanders {
			want++
		}
	}
	var have int
	if err := db.write.QueryRowContext(ctx, `SELECT count(*) FROM organisations WHERE kind IN ('opgroeien','caw','ocmw')`).Scan(&have); err != nil {
		return err
	}
	if have >= want {
		return nil
	}
	return db.inTx(ctx, func(tx *Tx) error {
		ins := func(key, kind, name, nis string, from time.Time, to *time.Time) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO organisations (key, kind, name, municipality_nis, valid_from, valid_to, created_at)
				VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (key) DO NOTHING`,
				key, kind, name, nullStr(nis), day(from), nullDay(to), ts(tx.now))
			return err
		}
		origin := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
		if err := ins(org.OpgroeienKey, "opgroeien", "Opgroeien regie", "", origin, nil); err != nil {
			return err
		}
		if err := ins(org.CAWBrusselKey, "caw", "CAW Brussel", "", origin, nil); err != nil {
			return err
		}
		for _, m := range all {
			if m.Region != municipality.Flanders {
				continue
			}
			if err := ins(org.OCMWKey(m.NIS), "ocmw", "OCMW "+m.Name, m.NIS, m.ValidFrom, m.ValidTo); err != nil {
				return err
			}
		}
		return nil
	})
}

const orgColumns = `key, kind, name, COALESCE(municipality_nis,''), COALESCE(inbox_email,''), contact_phone, contact_email, valid_from, valid_to`

func scanOrg(row rowScanner) (org.Organisation, error) {
	var o org.Organisation
	var from, to timeCol
	var kind string
	err := row.Scan(&o.Key, &kind, &o.Name, &o.MunicipalityNIS, &o.InboxEmail, &o.Phone, &o.Email, &from, &to)
	o.Kind, o.ValidFrom, o.ValidTo = account.OrgKind(kind), from.T, to.Ptr()
	return o, err
}

// Organisations lists organisations, ordered by kind and name. Every
// signed-in role may see the list: it holds no personal data.
func (db *DB) Organisations(ctx context.Context, f org.Filter) ([]org.Organisation, error) {
	where, args := []string{"1=1"}, []any{}
	if f.Kind != "" {
		args = append(args, f.Kind)
		where = append(where, fmt.Sprintf("kind = $%d", len(args)))
	}
	if f.On != nil {
		args = append(args, day(*f.On))
		where = append(where, fmt.Sprintf("valid_from <= $%d AND (valid_to IS NULL OR valid_to >= $%d)", len(args), len(args)))
	}
	out, err := queryList(ctx, db.read, scanOrg, `SELECT `+orgColumns+` FROM organisations WHERE `+strings.Join(where, " AND ")+
		` ORDER BY CASE kind WHEN 'opgroeien' THEN 0 WHEN 'team' THEN 1 WHEN 'ocmw' THEN 2 WHEN 'caw' THEN 3 ELSE 4 END, name`, args...)
	return nilIfEmpty(out), err
}

// Organisation returns one organisation by key, or not_found.
func (db *DB) Organisation(ctx context.Context, key string) (org.Organisation, error) {
	return organisation(ctx, db.read, key)
}

func organisation(ctx context.Context, q queryer, key string) (org.Organisation, error) {
	o, err := scanOrg(q.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organisations WHERE key = $1`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return o, apperr.FieldErr(apperr.UnknownOrg, "org", "unknown organisation %q", key).
			WithKey("error.unknown_org", map[string]any{"Org": key})
	}
	return o, err
}

// Team returns a team with its service area on day.
func (db *DB) Team(ctx context.Context, key string, on time.Time) (org.Team, error) {
	teams, err := db.teams(ctx, db.read, on, key)
	if err != nil {
		return org.Team{}, err
	}
	if len(teams) == 0 {
		return org.Team{}, apperr.New(apperr.NotFound, "no team %q", key).WithKey("error.not_found", nil)
	}
	return teams[0], nil
}

// Teams lists the local teams with their service areas on day.
func (db *DB) Teams(ctx context.Context, on time.Time) ([]org.Team, error) {
	return db.teams(ctx, db.read, on, "")
}

func (db *DB) teams(ctx context.Context, q queryer, on time.Time, onlyKey string) ([]org.Team, error) {
	args := []any{day(on)}
	cond := ""
	if onlyKey != "" {
		args = append(args, onlyKey)
		cond = " AND o.key = $2"
	}
	rows, err := q.QueryContext(ctx, `SELECT o.key, o.name, o.contact_phone, o.contact_email, o.valid_from, o.valid_to, a.municipality_nis, a.valid_from
		FROM organisations o LEFT JOIN team_areas a
		  ON a.team_key = o.key AND a.valid_from <= $1 AND (a.valid_to IS NULL OR a.valid_to >= $1)
		WHERE o.kind = 'team'`+cond+` ORDER BY o.name, o.key, a.municipality_nis`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []org.Team
	for rows.Next() {
		var t org.Team
		var from, to, areaFrom timeCol
		var nis sql.NullString
		if err := rows.Scan(&t.Key, &t.Name, &t.Phone, &t.Email, &from, &to, &nis, &areaFrom); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].Key != t.Key {
			t.ValidFrom, t.ValidTo = from.T, to.Ptr()
			t.Municipalities = []string{}
			out = append(out, t)
		}
		cur := &out[len(out)-1]
		if nis.Valid {
			cur.Municipalities = append(cur.Municipalities, nis.String)
			if areaFrom.T.After(cur.AreaFrom) {
				cur.AreaFrom = areaFrom.T
			}
		}
	}
	return out, rows.Err()
}

// TeamFor returns the key of the team whose service area holds the
// municipality on day, or "" when no team covers it.
func (db *DB) TeamFor(ctx context.Context, nis string, on time.Time) (string, error) {
	return teamFor(ctx, db.read, nis, on)
}

// teamFor is TeamFor on q (the read pool or a transaction): the team whose
// service area holds nis on day on, "" when none does.
func teamFor(ctx context.Context, q queryer, nis string, on time.Time) (string, error) {
	var key string
	err := q.QueryRowContext(ctx, `SELECT team_key FROM team_areas
		WHERE municipality_nis = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to >= $2)
		ORDER BY team_key LIMIT 1`, nis, day(on)).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return key, err
}

// validateArea checks that every code is a Flemish municipality valid on
// day, without duplicates, and returns them sorted.
func (db *DB) validateArea(nis []string, on time.Time) ([]string, error) {
	if len(nis) == 0 {
		return nil, apperr.FieldErr(apperr.Invalid, "municipalities", "a service area needs at least one municipality").
			WithKey("error.area_empty", nil)
	}
	out := slices.Clone(nis)
	for i, n := range out {
		n = strings.TrimSpace(n)
		out[i] = n
		m, ok := db.Municipalities.ByNIS(n)
		if !ok || m.Region != municipality.Flanders {
			return nil, apperr.FieldErr(apperr.Invalid, "municipalities", "unknown Flemish municipality NIS code %q", n).
				WithKey("error.unknown_municipality", map[string]any{"NIS": n})
		}
		if !db.Municipalities.ValidOn(n, on) {
			return nil, apperr.FieldErr(apperr.Invalid, "municipalities", "municipality %s (%s) does not exist on %s", n, m.Name, day(on)).
				WithKey("error.municipality_not_valid", map[string]any{"NIS": n, "Name": m.Name, "Date": day(on)})
		}
	}
	slices.Sort(out)
	if d := slices.Compact(slices.Clone(out)); len(d) != len(out) {
		return nil, apperr.FieldErr(apperr.Invalid, "municipalities", "a municipality is listed twice").WithKey("error.area_duplicate", nil)
	}
	return out, nil
}

// checkAreaFree fails when another team covers one of the municipalities on
// or after day: service areas do not overlap, so that every family has one
// local team.
func checkAreaFree(ctx context.Context, tx *Tx, team string, nis []string, from time.Time) error {
	for _, n := range nis {
		var other string
		err := tx.QueryRowContext(ctx, `SELECT team_key FROM team_areas WHERE municipality_nis = $1 AND team_key <> $2
			AND (valid_to IS NULL OR valid_to >= $3) LIMIT 1`, n, team, day(from)).Scan(&other)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		name, teamName := n, other
		if m, ok := tx.db.Municipalities.ByNIS(n); ok {
			name = m.Name
		}
		if o, err := organisation(ctx, tx, other); err == nil {
			teamName = o.Name
		}
		return apperr.FieldErr(apperr.Conflict, "municipalities", "municipality %s (%s) already belongs to the service area of %s", name, n, other).
			WithKey("error.area_taken", map[string]any{"NIS": n, "Name": name, "Team": teamName})
	}
	return nil
}

// CreateTeam creates a local team with its service area. Admin only.
// Returns invalid, duplicate or conflict errors and changes nothing then.
func (db *DB) CreateTeam(ctx context.Context, a account.Actor, in org.NewTeam) (t org.Team, err error) {
	if err := a.Require(account.ManageOrganisations); err != nil {
		return t, err
	}
	in.Key, in.Name = strings.TrimSpace(in.Key), strings.TrimSpace(in.Name)
	if err := org.ValidKey(in.Key, "team-"); err != nil {
		return t, err
	}
	if err := org.ValidName(in.Name); err != nil {
		return t, err
	}
	if in.From.IsZero() {
		return t, apperr.FieldErr(apperr.InvalidDate, "valid_from", "valid_from must be a date YYYY-MM-DD").WithKey("error.invalid_date", nil)
	}
	if err := in.Validate(); err != nil {
		return t, err
	}
	area, err := db.validateArea(in.Municipalities, in.From)
	if err != nil {
		return t, err
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO organisations (key, kind, name, valid_from, created_at, contact_phone, contact_email) VALUES ($1,'team',$2,$3,$4,$5,$6)`,
			in.Key, in.Name, day(in.From), ts(tx.now), in.Phone, in.Email); err != nil {
			if isUniqueViolation(err) {
				return apperr.FieldErr(apperr.Duplicate, "key", "an organisation with key %q exists already", in.Key).
					WithKey("error.duplicate_key", map[string]any{"Key": in.Key})
			}
			return err
		}
		if err := checkAreaFree(ctx, tx, in.Key, area, in.From); err != nil {
			return err
		}
		for _, n := range area {
			if _, err := tx.ExecContext(ctx, `INSERT INTO team_areas (team_key, municipality_nis, valid_from) VALUES ($1,$2,$3)`,
				in.Key, n, day(in.From)); err != nil {
				return err
			}
		}
		ev := audit.For(a, audit.TeamCreate, "organisation", in.Key)
		ev.Detail = fmt.Sprintf("area=%s from=%s", strings.Join(area, ","), day(in.From))
		return tx.Audit(ctx, ev)
	})
	if err != nil {
		return t, err
	}
	return db.Team(ctx, in.Key, in.From)
}

// UpdateTeam renames a team and/or gives it a new service area from a date
// (the old area ends the day before, and stays in the history). Admin only.
func (db *DB) UpdateTeam(ctx context.Context, a account.Actor, key string, up org.TeamUpdate) (t org.Team, err error) {
	if err := a.Require(account.ManageOrganisations); err != nil {
		return t, err
	}
	cur, err := db.Team(ctx, key, today(db.Now()))
	if err != nil {
		return t, err
	}
	if up.Name == nil && up.Municipalities == nil && up.Phone == nil && up.Email == nil {
		return t, apperr.New(apperr.Invalid, "nothing to change: give name, phone, email and/or municipalities").WithKey("error.nothing_to_change", nil)
	}
	if err := up.Validate(); err != nil {
		return t, err
	}
	if up.Name != nil {
		if err := org.ValidName(*up.Name); err != nil {
			return t, err
		}
	}
	var area []string
	if up.Municipalities != nil {
		if up.From.IsZero() {
			return t, apperr.FieldErr(apperr.InvalidDate, "valid_from", "valid_from (YYYY-MM-DD) is required with a new service area").WithKey("error.invalid_date", nil)
		}
		var latest timeCol
		if err := db.read.QueryRowContext(ctx, `SELECT max(valid_from) FROM team_areas WHERE team_key = $1`, key).Scan(&latest); err != nil {
			return t, err
		}
		if latest.Valid && !up.From.After(latest.T) {
			return t, apperr.FieldErr(apperr.InvalidDate, "valid_from", "the new service area must start after %s, when the current one started", day(latest.T)).
				WithKey("error.area_date_order", map[string]any{"Date": day(latest.T)})
		}
		if area, err = db.validateArea(*up.Municipalities, up.From); err != nil {
			return t, err
		}
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		ev := audit.For(a, audit.TeamUpdate, "organisation", key)
		var detail []string
		if up.Name != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE organisations SET name = $1 WHERE key = $2`, strings.TrimSpace(*up.Name), key); err != nil {
				return err
			}
			detail = append(detail, fmt.Sprintf("name: %q -> %q", cur.Name, strings.TrimSpace(*up.Name)))
		}
		// The team's shared phone and mailbox: no personal data.
		if up.Phone != nil && *up.Phone != cur.Phone {
			if _, err := tx.ExecContext(ctx, `UPDATE organisations SET contact_phone = $1 WHERE key = $2`, *up.Phone, key); err != nil {
				return err
			}
			detail = append(detail, fmt.Sprintf("phone: %q -> %q", cur.Phone, *up.Phone))
		}
		if up.Email != nil && *up.Email != cur.Email {
			if _, err := tx.ExecContext(ctx, `UPDATE organisations SET contact_email = $1 WHERE key = $2`, *up.Email, key); err != nil {
				return err
			}
			detail = append(detail, fmt.Sprintf("email: %q -> %q", cur.Email, *up.Email))
		}
		if area != nil {
			if err := checkAreaFree(ctx, tx, key, area, up.From); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE team_areas SET valid_to = $1 WHERE team_key = $2 AND valid_to IS NULL`,
				day(up.From.AddDate(0, 0, -1)), key); err != nil {
				return err
			}
			for _, n := range area {
				if _, err := tx.ExecContext(ctx, `INSERT INTO team_areas (team_key, municipality_nis, valid_from) VALUES ($1,$2,$3)`,
					key, n, day(up.From)); err != nil {
					return err
				}
			}
			detail = append(detail, fmt.Sprintf("area=%s from=%s", strings.Join(area, ","), day(up.From)))
		}
		ev.Detail = strings.Join(detail, "; ")
		return tx.Audit(ctx, ev)
	})
	if err != nil {
		return t, err
	}
	on := today(db.Now())
	if area != nil && up.From.After(on) {
		on = up.From
	}
	return db.Team(ctx, key, on)
}

// CreateClinic registers a maternity clinic. Admin only.
func (db *DB) CreateClinic(ctx context.Context, a account.Actor, in org.NewClinic) (o org.Organisation, err error) {
	if err := a.Require(account.ManageOrganisations); err != nil {
		return o, err
	}
	in.Key, in.Name = strings.TrimSpace(in.Key), strings.TrimSpace(in.Name)
	if err := in.Validate(); err != nil {
		return o, err
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO organisations (key, kind, name, valid_from, created_at) VALUES ($1,'clinic',$2,$3,$4)`,
			in.Key, in.Name, day(today(tx.now)), ts(tx.now)); err != nil {
			if isUniqueViolation(err) {
				return apperr.FieldErr(apperr.Duplicate, "key", "an organisation with key %q exists already", in.Key).
					WithKey("error.duplicate_key", map[string]any{"Key": in.Key})
			}
			return err
		}
		return tx.Audit(ctx, audit.For(a, audit.ClinicCreate, "organisation", in.Key))
	})
	if err != nil {
		return o, err
	}
	return db.Organisation(ctx, in.Key)
}

// SetInboxEmail sets the functional mailbox of an OCMW (or CAW Brussel),
// where notices without personal data go. Admins, or the OCMW's own admin.
func (db *DB) SetInboxEmail(ctx context.Context, a account.Actor, key, email string) error {
	if !(a.Role == account.Admin || (a.Role == account.OCMWAdmin && a.Org == key)) {
		return apperr.New(apperr.Forbidden, "your role may not do this").WithKey("error.forbidden", nil)
	}
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE organisations SET inbox_email = $1 WHERE key = $2 AND kind IN ('ocmw','caw')`, nullStr(email), key)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "no OCMW %q", key).WithKey("error.not_found", nil)
		}
		ev := audit.For(a, audit.OrgUpdate, "organisation", key)
		ev.Detail = "inbox_email"
		return tx.Audit(ctx, ev)
	})
}
