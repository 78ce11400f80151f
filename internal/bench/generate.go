package bench

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/municipality"
	"kansrijk/internal/org"
	"kansrijk/internal/store"
)

// Places whose postcode and NIS code belong together: the mothers of the
// generated birth notifications and the families of the referrals live
// there. Hulshout (13016) is the OCMW whose inbox is measured.
var places = []struct{ street, postcode, nis string }{
	{"Kerkstraat", "2235", "13016"},
	{"Stationsstraat", "2220", "12014"},
	{"Dorpsplein", "2230", "13013"},
	{"Lange Leemstraat", "2000", "11002"},
}

// InboxOCMW is the OCMW whose inbox the load reads.
const InboxOCMW = "ocmw-13016"

// ClinicKey is the generated maternity clinic.
const ClinicKey = "clinic-bench"

// World is what the generator made: the callers' API tokens and the keys
// the figures need.
type World struct {
	OCMWToken, ClinicToken, AdminToken string
	OCMW, Clinic, Admin                account.Actor
	Teams, Agreements                  int
	InboxTeam                          string // the team covering Hulshout
	TeamToken                          string // a team worker of InboxTeam
	// Counts of the generated rows by table.
	Counts map[string]int

	agreementOf map[string]int64  // NIS → its agreement
	teamOf      map[string]string // NIS → its team
	have, total Scale             // the rows written so far; the final counts (for the spread of dates)
}

var system = account.System("bench")

// Generate fills an empty, migrated database with the data set of the
// scale: the teams over all Flemish municipalities of today (a team per
// slice, from 2025, when the merged municipalities began),
// an active agreement of each team with each of its municipalities, the
// accounts and tokens of the callers, then in bulk SQL (one transaction
// per table, no store calls) the referrals with their parents, the birth
// notifications with their mothers and the audit events. Synthetic data
// only: fictitious names, example.org addresses.
func Generate(ctx context.Context, db *store.DB, sc Scale, progress func(string)) (*World, error) {
	if progress == nil {
		progress = func(string) {}
	}
	w := &World{Counts: map[string]int{}}
	today := time.Now().UTC()
	muns := db.Municipalities.On(today, municipality.Flanders)
	if sc.Municipalities > 0 && sc.Municipalities < len(muns) {
		// Keep the places of the load in the cut.
		var keep []municipality.Municipality
		for _, m := range muns {
			for _, p := range places {
				if m.NIS == p.nis {
					keep = append(keep, m)
				}
			}
		}
		for _, m := range muns {
			if len(keep) >= sc.Municipalities {
				break
			}
			if !isPlace(m.NIS) {
				keep = append(keep, m)
			}
		}
		muns = keep
	}
	teams := min(sc.Teams, len(muns))
	byTeam := make([][]string, teams)
	for i, m := range muns {
		byTeam[i%teams] = append(byTeam[i%teams], m.NIS)
	}
	progress(fmt.Sprintf("teams and agreements (%d teams, %d municipalities)", teams, len(muns)))
	agreementOf := map[string]int64{} // NIS → agreement id
	teamOf := map[string]string{}
	for i, nis := range byTeam {
		key := fmt.Sprintf("team-bench-%02d", i+1)
		if _, err := db.CreateTeam(ctx, system, org.NewTeam{Key: key, Name: fmt.Sprintf("Lokaal team Bench %02d", i+1),
			Municipalities: nis, From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
			Phone: "+3215000000", Email: key + "@example.org"}); err != nil {
			return nil, fmt.Errorf("team %s: %w", key, err)
		}
		for _, n := range nis {
			id, err := activeAgreement(ctx, db, key, n)
			if err != nil {
				return nil, fmt.Errorf("agreement %s/%s: %w", key, n, err)
			}
			agreementOf[n], teamOf[n] = id, key
			w.Agreements++
		}
	}
	w.Teams = teams
	w.InboxTeam = teamOf["13016"]
	if _, err := db.CreateClinic(ctx, system, org.NewClinic{Key: ClinicKey, Name: "Kraamkliniek Bench"}); err != nil {
		return nil, err
	}
	var err error
	if w.OCMW, w.OCMWToken, err = caller(ctx, db, "ocmw@bench.example.org", account.OCMWWorker, InboxOCMW); err != nil {
		return nil, err
	}
	if w.Clinic, w.ClinicToken, err = caller(ctx, db, "clinic@bench.example.org", account.Clinic, ClinicKey); err != nil {
		return nil, err
	}
	if w.Admin, w.AdminToken, err = caller(ctx, db, "admin@bench.example.org", account.Admin, "opgroeien"); err != nil {
		return nil, err
	}

	w.agreementOf, w.teamOf, w.total = agreementOf, teamOf, sc
	if w.TeamToken, err = teamCaller(ctx, db, w.InboxTeam); err != nil {
		return nil, err
	}
	if err := w.Grow(ctx, db, sc, progress); err != nil {
		return nil, err
	}
	return w, nil
}

// Grow adds rows until the database holds the counts of sc (more than
// it holds now): referrals, birth notifications and audit events, in
// bulk SQL, then refreshes the planner's statistics and the counts.
func (w *World) Grow(ctx context.Context, db *store.DB, sc Scale, progress func(string)) error {
	if progress == nil {
		progress = func(string) {}
	}
	raw, closeRaw, err := RawWriter(db)
	if err != nil {
		return err
	}
	defer closeRaw()
	progress(fmt.Sprintf("%d referrals", sc.Referrals))
	if err := genReferrals(ctx, raw, w.have.Referrals, sc.Referrals, max(w.total.Referrals, sc.Referrals), w.agreementOf, w.teamOf); err != nil {
		return fmt.Errorf("referrals: %w", err)
	}
	progress(fmt.Sprintf("%d birth notifications", sc.Births))
	if err := genBirths(ctx, db.Dialect(), raw, w.have.Births, sc.Births, max(w.total.Births, sc.Births), w.teamOf["13016"]); err != nil {
		return fmt.Errorf("birth notifications: %w", err)
	}
	progress(fmt.Sprintf("%d audit events", sc.AuditEvents))
	if err := genAudit(ctx, db.Dialect(), raw, w.have.AuditEvents, sc.AuditEvents); err != nil {
		return fmt.Errorf("audit events: %w", err)
	}
	w.have = sc
	if err := db.RefreshStatistics(ctx); err != nil {
		return err
	}
	for _, t := range []string{"referrals", "referral_parents", "birth_notifications", "birth_parents", "audit_events", "agreements", "organisations"} {
		var n int
		if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM `+t).Scan(&n); err != nil {
			return err
		}
		w.Counts[t] = n
	}
	return nil
}

// teamCaller makes a team worker of team with an API token.
func teamCaller(ctx context.Context, db *store.DB, team string) (string, error) {
	_, tok, err := caller(ctx, db, "team@bench.example.org", account.TeamWorker, team)
	return tok, err
}

func isPlace(nis string) bool {
	for _, p := range places {
		if p.nis == nis {
			return true
		}
	}
	return false
}

// activeAgreement makes an agreement of team with the municipality nis
// and takes it through approval and signature to active.
func activeAgreement(ctx context.Context, db *store.DB, team, nis string) (int64, error) {
	ag, err := db.CreateAgreement(ctx, system, agreement.NewAgreement{Team: team, MunicipalityNIS: nis, Status: "draft", EffectiveOn: "2025-01-02"})
	if err != nil {
		return 0, err
	}
	for _, ev := range []agreement.NewEvent{
		{Status: string(agreement.Approved), EffectiveOn: "2025-02-01", CouncilReference: "RMW/2025/17", CouncilDecisionOn: "2025-02-01"},
		{Status: string(agreement.Signed), EffectiveOn: "2025-03-01", Signatures: []agreement.Signature{
			{Function: "administrator_general", Name: "A. Generaal", SignedOn: "2025-03-01"},
			{Function: "council_chair", Name: "V. Oorzitter", SignedOn: "2025-03-01"},
			{Function: "general_director", Name: "D. Irecteur", SignedOn: "2025-03-01"}}},
		{Status: string(agreement.Active), EffectiveOn: "2025-04-01"},
	} {
		if _, err := db.AddEvent(ctx, system, ag.ID, ev); err != nil {
			return 0, err
		}
	}
	return ag.ID, nil
}

// caller makes an account with an API token.
func caller(ctx context.Context, db *store.DB, email string, role account.Role, orgKey string) (account.Actor, string, error) {
	if _, err := db.CreateUser(ctx, system, account.NewUser{Email: email, Name: "Bench " + string(role), Role: string(role), Org: orgKey}); err != nil {
		return account.Actor{}, "", fmt.Errorf("user %s: %w", email, err)
	}
	secret, err := db.CreateToken(ctx, system, email, "bench")
	if err != nil {
		return account.Actor{}, "", err
	}
	a, err := db.ActorByToken(ctx, secret)
	return a, secret, err
}

// RawWriter is a connection that writes behind the store's back: on
// PostgreSQL the store's pool, on SQLite one more connection to the same
// file configured as the store's own writer.
func RawWriter(db *store.DB) (*sql.DB, func(), error) {
	if db.Dialect() == store.Postgres {
		return db.SQL(), func() {}, nil
	}
	_, path, err := store.ParseDSN(db.Redacted)
	if err != nil {
		return nil, nil, err
	}
	raw, err := sql.Open("sqlite", "file:"+path+
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate")
	if err != nil {
		return nil, nil, err
	}
	raw.SetMaxOpenConns(1)
	return raw, func() { raw.Close() }, nil
}

var firstNames = []string{"An", "Els", "Sofie", "Lies", "Nora", "Fatima", "Ines", "Marie", "Yasmina", "Julie",
	"Lotte", "Hanne", "Amal", "Kato", "Eva", "Noor", "Aylin", "Zeynep", "Sara", "Lore"}

// name is the n-th fictitious name, distinct for every n.
func name(n int) string {
	syl := []string{"ver", "ba", "ke", "lin", "do", "mar", "ten", "ho", "ge", "ru", "sel", "van", "pe", "ter", "wou", "mans"}
	var last strings.Builder
	k := n / len(firstNames)
	for {
		last.WriteString(syl[k%len(syl)])
		k /= len(syl)
		if k == 0 {
			break
		}
		k--
	}
	s := last.String()
	return firstNames[n%len(firstNames)] + " " + strings.ToUpper(s[:1]) + s[1:]
}

func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// genReferrals writes n referrals with one parent each, in one
// transaction of multi-row INSERTs: one in ten to Hulshout's OCMW (the
// inbox measured), the rest spread over every municipality; one in ten
// open (sent), one in twenty a draft, the rest closed.
func genReferrals(ctx context.Context, raw *sql.DB, from0, n, total int, agreementOf map[string]int64, teamOf map[string]string) error {
	nis := make([]string, 0, len(agreementOf))
	for k := range agreementOf {
		nis = append(nis, k)
	}
	// A stable order: map iteration is random.
	sortStrings(nis)
	start := time.Now().UTC().AddDate(-3, 0, 0)
	step := 3 * 365 * 24 * time.Hour / time.Duration(max(total, 1))
	// A transaction per genChunk rows: one transaction of a million rows
	// made SQLite's log grow without a checkpoint, and the generation
	// slower with every row.
	const batch = 500
	var tx *sql.Tx
	defer func() {
		if tx != nil {
			_ = tx.Rollback()
		}
	}()
	for from := from0; from < n; from += batch {
		if tx == nil {
			var err error
			if tx, err = raw.BeginTx(ctx, nil); err != nil {
				return err
			}
		}
		var refs, parents []string
		var rargs, pargs []any
		for i := from; i < min(from+batch, n); i++ {
			id := int64(1000000 + i)
			m := nis[i%len(nis)]
			if i%10 == 0 {
				m = "13016"
			}
			created := start.Add(time.Duration(i) * step)
			status, outcome := "closed", "declined"
			var sent, closed any = ts(created.Add(time.Hour)), ts(created.Add(48 * time.Hour))
			switch {
			case i%20 == 7:
				status, outcome, sent, closed = "draft", "", nil, nil
			case i%10 == 0 || i%10 == 3:
				status, outcome, closed = "sent", "", nil
			}
			agr := any(agreementOf[m])
			if sent == nil {
				agr = nil
			}
			k := len(rargs)
			refs = append(refs, fmt.Sprintf("($%d,$%d,$%d,$%d,$%d,$%d,1,$%d,$%d,'bench',$%d,$%d,$%d,$%d)", k+1, k+2, k+3, k+4, k+5, k+6, k+7, k+8, k+9, k+10, k+11, k+9))
			rargs = append(rargs, id, teamOf[m], m, "ocmw-"+m, status, agr, outcome, fmt.Sprintf("KR-BENCH-%08d", i), ts(created), sent, closed)
			k = len(pargs)
			parents = append(parents, fmt.Sprintf("($%d,0,$%d,'Teststraat','1','2235',$%d)", k+1, k+2, k+3))
			pargs = append(pargs, id, name(i), m)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO referrals (id, team_key, municipality_nis, recipient_key, status, agreement_id, agreement_version,
			outcome, receipt_code, created_by, created_at, sent_at, closed_at, updated_at) VALUES `+strings.Join(refs, ","), rargs...); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO referral_parents (referral_id, idx, name, street, number, postcode, municipality_nis) VALUES `+
			strings.Join(parents, ","), pargs...); err != nil {
			return err
		}
		if (from-from0+batch)%genChunk == 0 || from+batch >= n {
			err := tx.Commit()
			tx = nil
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// genChunk is the number of rows the generator writes in one transaction.
const genChunk = 50_000

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// genBirths writes birth notifications from+1 … n of total of the clinic
// with a mother each, in INSERT … SELECT statements of genChunk rows, then
// one for the mothers: nine in ten in team's queue
// (Hulshout), the rest in Opgroeien's; one in ten new; a possible
// duplicate every hundred.
func genBirths(ctx context.Context, d store.Dialect, raw *sql.DB, from, n, total int, team string) error {
	if n <= from {
		return nil
	}
	// Spread over the three years before now, as the referrals: the
	// statistics of a year count a third of them at every scale.
	start := time.Now().UTC().AddDate(-3, 0, 0).Truncate(24 * time.Hour)
	step := max(1, 3*365*24*3600/max(total, 1)) // seconds between two
	day0, ts0 := start.Format(time.DateOnly), start.Format("2006-01-02 15:04:05")
	var stmts []string
	for lo := from; lo < n; lo += genChunk {
		stmts = append(stmts, birthRows(d, lo, min(lo+genChunk, n), team, day0, ts0, step))
	}
	stmts = append(stmts, `INSERT INTO birth_parents (notification_id, idx, name, street, number, postcode, municipality_nis, language, duplicate_key)
				SELECT id, 0, 'Test Moeder ' || id, 'Kerkstraat', '1', '2235', municipality_nis, 'nl',
				'k' || CASE WHEN id % 100 = 0 THEN id - 1 ELSE id END FROM birth_notifications WHERE clinic_key = '`+ClinicKey+`'
				AND NOT EXISTS (SELECT 1 FROM birth_parents p WHERE p.notification_id = birth_notifications.id)`)
	return execAll(ctx, d, raw, stmts)
}

// birthRows is the statement that writes birth notifications from+1 … n.
func birthRows(d store.Dialect, from, n int, team, day0, ts0 string, step int) string {
	if d == store.Postgres {
		return fmt.Sprintf(`INSERT INTO birth_notifications (clinic_key, team_key, municipality_nis, child_birth_date, language, early_contact, status,
				submitted_by, created_at, updated_at, clinic_reference)
				SELECT '%[2]s', CASE WHEN i %% 10 = 9 THEN NULL ELSE '%[3]s' END, CASE WHEN i %% 10 = 9 THEN '11002' ELSE '13016' END,
				DATE '%[5]s' + (i * %[7]d / 86400), 'nl', i %% 5 = 0, CASE WHEN i %% 10 = 3 THEN 'new' ELSE 'contacted' END, 'bench',
				TIMESTAMPTZ '%[6]s+00' + i * %[7]d * INTERVAL '1 second' + INTERVAL '2 days', TIMESTAMPTZ '%[6]s+00' + i * %[7]d * INTERVAL '1 second' + INTERVAL '2 days',
				'BN-' || i FROM generate_series(%[4]d, %[1]d) AS s(i)`, n, ClinicKey, team, from+1, day0, ts0, step)
	}
	return fmt.Sprintf(`WITH RECURSIVE s(i) AS (SELECT %[4]d UNION ALL SELECT i + 1 FROM s WHERE i < %[1]d)
				INSERT INTO birth_notifications (clinic_key, team_key, municipality_nis, child_birth_date, language, early_contact, status,
				submitted_by, created_at, updated_at, clinic_reference)
				SELECT '%[2]s', CASE WHEN i %% 10 = 9 THEN NULL ELSE '%[3]s' END, CASE WHEN i %% 10 = 9 THEN '11002' ELSE '13016' END,
				date('%[5]s', '+' || (i * %[7]d / 86400) || ' days'), 'nl', i %% 5 = 0, CASE WHEN i %% 10 = 3 THEN 'new' ELSE 'contacted' END, 'bench',
				strftime('%%Y-%%m-%%dT%%H:%%M:%%f', '%[6]s', '+' || (i * %[7]d + 172800) || ' seconds') || '000Z',
				strftime('%%Y-%%m-%%dT%%H:%%M:%%f', '%[6]s', '+' || (i * %[7]d + 172800) || ' seconds') || '000Z',
				'BN-' || i FROM s`, n, ClinicKey, team, from+1, day0, ts0, step)
}

// genAudit writes n audit events of the OCMW's reads, one statement (and
// transaction) per 200,000 (they enter the access log's pending list by
// its trigger).
func genAudit(ctx context.Context, d store.Dialect, raw *sql.DB, from0, n int) error {
	var stmts []string
	for from := from0; from < n; from += 4 * genChunk {
		to := min(from+4*genChunk, n)
		if d == store.Postgres {
			stmts = append(stmts, fmt.Sprintf(`INSERT INTO audit_events (at, actor_email, actor_role, actor_org, action, object_type, object_id, purpose, outcome, detail, salt)
				SELECT TIMESTAMPTZ '2023-01-01 00:00:00+00' + i * INTERVAL '1 second', 'ocmw@bench.example.org', 'ocmw_worker', '%[3]s',
				'referral.read', 'referral', CAST(1000000 + i %% 100000 AS TEXT), 'follow_up', 'ok', '', md5(CAST(i AS TEXT))
				FROM generate_series(%[1]d, %[2]d) AS s(i)`, from+1, to, InboxOCMW))
		} else {
			stmts = append(stmts, fmt.Sprintf(`WITH RECURSIVE s(i) AS (SELECT %[1]d UNION ALL SELECT i + 1 FROM s WHERE i < %[2]d)
				INSERT INTO audit_events (at, actor_email, actor_role, actor_org, action, object_type, object_id, purpose, outcome, detail, salt)
				SELECT strftime('%%Y-%%m-%%dT%%H:%%M:%%f', '2023-01-01', '+' || i || ' seconds') || '000Z', 'ocmw@bench.example.org', 'ocmw_worker', '%[3]s',
				'referral.read', 'referral', CAST(1000000 + i %% 100000 AS TEXT), 'follow_up', 'ok', '', lower(hex(randomblob(16)))
				FROM s`, from+1, to, InboxOCMW))
		}
	}
	return execAll(ctx, d, raw, stmts)
}

// execAll runs the statements one after the other on one connection; on
// PostgreSQL without the store's statement timeout (a million rows in
// one statement outlast it on a loaded machine), restored afterwards.
func execAll(ctx context.Context, d store.Dialect, raw *sql.DB, stmts []string) error {
	conn, err := raw.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if d == store.Postgres {
		if _, err := conn.ExecContext(ctx, `SET statement_timeout = 0`); err != nil {
			return err
		}
		defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), `RESET statement_timeout`) }()
	}
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}
