package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/municipality"
	"kansrijk/internal/org"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// testPassword is long enough for account.MinPasswordLength.
const testPassword = "correct-horse-battery"

// MustDay parses a YYYY-MM-DD date.
func MustDay(tb testing.TB, s string) time.Time {
	tb.Helper()
	d, err := municipality.ParseDate(s)
	if err != nil {
		tb.Fatalf("parse date %q: %v", s, err)
	}
	return d
}

// MustCreateUser creates a user as the system (admin) actor.
func MustCreateUser(tb testing.TB, db *store.DB, email string, role account.Role, orgKey string) account.User {
	tb.Helper()
	u, err := db.CreateUser(context.Background(), account.System("test"),
		account.NewUser{Email: email, Name: "Test " + string(role), Role: string(role), Org: orgKey, Password: testPassword})
	if err != nil {
		tb.Fatalf("create user %s (%s at %s): %v", email, role, orgKey, err)
	}
	return u
}

// MustActor creates a user and returns it as an actor, as a token would.
func MustActor(tb testing.TB, db *store.DB, email string, role account.Role, orgKey string) account.Actor {
	tb.Helper()
	ctx := context.Background()
	MustCreateUser(tb, db, email, role, orgKey)
	secret, err := db.CreateToken(ctx, account.System("test"), email, "test")
	if err != nil {
		tb.Fatalf("create token for %s: %v", email, err)
	}
	a, err := db.ActorByToken(ctx, secret)
	if err != nil {
		tb.Fatalf("actor by token for %s: %v", email, err)
	}
	return a
}

// MustCount runs a count query on the read pool.
func MustCount(tb testing.TB, db *store.DB, query string, args ...any) int {
	tb.Helper()
	var n int
	if err := db.SQL().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}

// counted are the tables whose row counts tell whether a call changed anything.
var counted = []string{"organisations", "team_areas", "users", "api_tokens", "sessions", "login_throttle", "audit_events"}

// Counts returns the row count of every table in counted.
func Counts(tb testing.TB, db *store.DB) map[string]int {
	tb.Helper()
	out := map[string]int{}
	for _, table := range counted {
		out[table] = MustCount(tb, db, "SELECT count(*) FROM "+table)
	}
	return out
}

// WantUnchanged fails when the row counts differ from before.
func WantUnchanged(tb testing.TB, db *store.DB, before map[string]int) {
	tb.Helper()
	if diff := cmp.Diff(before, Counts(tb, db)); diff != "" {
		tb.Errorf("rows changed (-before +after):\n%s", diff)
	}
}

// WantCode fails unless err carries the apperr code.
func WantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("got no error, want %s", code)
	}
	if got := apperr.Code(err); got != code {
		tb.Fatalf("got error code %s (%v), want %s", got, err, code)
	}
}

// AuditActions returns the actions of the newest audit events, newest first.
func AuditActions(tb testing.TB, db *store.DB, f audit.Filter) []string {
	tb.Helper()
	evs, err := db.AuditEvents(context.Background(), f)
	if err != nil {
		tb.Fatalf("audit events: %v", err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Action)
	}
	return out
}

// WritableSQL returns a connection pool that may write behind the store's
// back: on PostgreSQL the store's own pool, on SQLite a second connection to
// the same file (the store's read pool is query_only). The DSN is taken from
// db.Redacted, which equals the DSN for the test databases (no password).
func WritableSQL(tb testing.TB, db *store.DB) *sql.DB {
	tb.Helper()
	if db.Dialect() == store.Postgres {
		return db.SQL()
	}
	_, path, err := store.ParseDSN(db.Redacted)
	if err != nil {
		tb.Fatalf("parse DSN %q: %v", db.Redacted, err)
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	tb.Cleanup(func() { raw.Close() })
	return raw
}

// tableNames lists the tables of the database.
func tableNames(tb testing.TB, db *store.DB) []string {
	tb.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if db.Dialect() == store.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	rows, err := db.SQL().QueryContext(context.Background(), q)
	if err != nil {
		tb.Fatalf("list tables: %v", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			tb.Fatal(err)
		}
		out = append(out, name)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// dump describes the state Migrate may touch: the migration version, every
// table with its row count, and every organisation in full.
type dump struct {
	Version       int64
	Tables        map[string]int
	Organisations []string
}

func mustDump(tb testing.TB, db *store.DB) dump {
	tb.Helper()
	ctx := context.Background()
	v, err := db.MigrationVersion(ctx)
	if err != nil {
		tb.Fatalf("migration version: %v", err)
	}
	d := dump{Version: v, Tables: map[string]int{}}
	for _, name := range tableNames(tb, db) {
		d.Tables[name] = MustCount(tb, db, "SELECT count(*) FROM "+name)
	}
	rows, err := db.SQL().QueryContext(ctx, `SELECT key, kind, name, COALESCE(municipality_nis,''), valid_from, valid_to, created_at
		FROM organisations ORDER BY key`)
	if err != nil {
		tb.Fatalf("organisations: %v", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key, kind, name, nis string
		var from, to, created any
		if err := rows.Scan(&key, &kind, &name, &nis, &from, &to, &created); err != nil {
			tb.Fatal(err)
		}
		d.Organisations = append(d.Organisations, fmt.Sprintf("%s|%s|%s|%s|%v|%v|%v", key, kind, name, nis, from, to, created))
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return d
}

func TestParseDSN(t *testing.T) {
	tests := []struct {
		name, dsn   string
		wantDialect store.Dialect
		wantSource  string
		wantErr     bool
	}{
		{"FilePath", "data/k.db", store.SQLite, "data/k.db", false},
		{"SQLitePrefix", "sqlite:/tmp/k.db", store.SQLite, "/tmp/k.db", false},
		{"SQLiteURL", "sqlite:///tmp/k.db", store.SQLite, "/tmp/k.db", false},
		{"Postgres", "postgres://u@h/db", store.Postgres, "postgres://u@h/db", false},
		{"PostgreSQL", "postgresql://u@h/db", store.Postgres, "postgresql://u@h/db", false},
		{"ErrEmpty", "", "", "", true},
		{"ErrScheme", "mysql://u:secret@h/db", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, src, err := store.ParseDSN(tt.dsn)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseDSN(%q) error = %v, want error %t", tt.dsn, err, tt.wantErr)
			}
			if err != nil {
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error %q shows the password", err)
				}
				return
			}
			if d != tt.wantDialect || src != tt.wantSource {
				t.Errorf("ParseDSN(%q) = %s, %q; want %s, %q", tt.dsn, d, src, tt.wantDialect, tt.wantSource)
			}
		})
	}
}

func TestMigrate(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()

		t.Run("UpOnEmptyDatabase", func(t *testing.T) {
			dsn := storetest.DSN(t, db.Dialect())
			empty, err := store.OpenNoMigrate(ctx, dsn)
			if err != nil {
				t.Fatalf("open empty %s: %v", db.Dialect(), err)
			}
			defer empty.Close()
			if names := tableNames(t, empty); len(names) != 0 {
				t.Fatalf("fresh database has tables %v", names)
			}
			if err := empty.Migrate(ctx); err != nil {
				t.Fatalf("Migrate on empty database: %v", err)
			}
			v, err := empty.MigrationVersion(ctx)
			if err != nil || v < 1 {
				t.Fatalf("MigrationVersion = %d, %v; want >= 1", v, err)
			}
			names := tableNames(t, empty)
			for _, want := range append([]string{"goose_db_version"}, counted...) {
				if !contains(names, want) {
					t.Errorf("table %s missing after Migrate; have %v", want, names)
				}
			}
		})

		t.Run("SecondMigrateChangesNothing", func(t *testing.T) {
			before := mustDump(t, db)
			if err := db.Migrate(ctx); err != nil {
				t.Fatalf("second Migrate: %v", err)
			}
			if diff := cmp.Diff(before, mustDump(t, db)); diff != "" {
				t.Errorf("second Migrate changed the database (-before +after):\n%s", diff)
			}
		})

		t.Run("SecondOpenChangesNothing", func(t *testing.T) {
			before := mustDump(t, db)
			again, err := store.Open(ctx, db.Redacted)
			if err != nil {
				t.Fatalf("open again: %v", err)
			}
			again.Close()
			if diff := cmp.Diff(before, mustDump(t, db)); diff != "" {
				t.Errorf("second Open changed the database (-before +after):\n%s", diff)
			}
		})
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestReferenceOrganisations(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()

		t.Run("Fixed", func(t *testing.T) {
			for key, kind := range map[string]account.OrgKind{org.OpgroeienKey: account.KindOpgroeien, org.CAWBrusselKey: account.KindCAW} {
				o, err := db.Organisation(ctx, key)
				if err != nil {
					t.Fatalf("Organisation(%s): %v", key, err)
				}
				if o.Kind != kind || o.ValidTo != nil {
					t.Errorf("%s: kind %s, valid_to %v; want %s, nil", key, o.Kind, o.ValidTo, kind)
				}
			}
		})

		t.Run("OneOCMWPerFlemishCode", func(t *testing.T) {
			var flemish []string
			for _, m := range db.Municipalities.All() {
				if m.Region == municipality.Flanders {
					flemish = append(flemish, m.NIS)
				}
			}
			if len(flemish) != 300+12 {
				t.Fatalf("%d Flemish NIS codes in the registry, want 312", len(flemish))
			}
			list, err := db.Organisations(ctx, org.Filter{Kind: "ocmw"})
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, o := range list {
				keys = append(keys, o.Key)
			}
			for _, nis := range flemish {
				if !contains(keys, org.OCMWKey(nis)) {
					t.Errorf("no organisation %s", org.OCMWKey(nis))
				}
			}
			if len(list) != len(flemish) {
				t.Errorf("%d OCMWs, want %d", len(list), len(flemish))
			}
		})

		t.Run("OCMWsValidOnDay", func(t *testing.T) {
			for _, tt := range []struct {
				day  string
				want int
			}{{"2023-03-08", 300}, {"2024-12-31", 300}, {"2025-01-01", 285}} {
				on := MustDay(t, tt.day)
				list, err := db.Organisations(ctx, org.Filter{Kind: "ocmw", On: &on})
				if err != nil {
					t.Fatal(err)
				}
				if len(list) != tt.want {
					t.Errorf("%d OCMWs on %s, want %d", len(list), tt.day, tt.want)
				}
			}
		})

		t.Run("Validity", func(t *testing.T) {
			tests := []struct {
				key           string
				wantNIS       string
				wantFrom      string
				wantTo        string // "" for nil
				wantNameMatch string
			}{
				{"ocmw-11002", "11002", "2019-01-01", "", "Antwerpen"},
				{"ocmw-71072", "71072", "2025-01-01", "", "Hasselt"},
				{"ocmw-71022", "71022", "2019-01-01", "2024-12-31", "Hasselt"},
				{"ocmw-73040", "73040", "2019-01-01", "2024-12-31", "Kortessem"},
				{"ocmw-11056", "11056", "2019-01-01", "2024-12-31", "Zwijndrecht"},
			}
			for _, tt := range tests {
				o, err := db.Organisation(ctx, tt.key)
				if err != nil {
					t.Errorf("Organisation(%s): %v", tt.key, err)
					continue
				}
				to := ""
				if o.ValidTo != nil {
					to = o.ValidTo.Format(time.DateOnly)
				}
				got := []string{o.MunicipalityNIS, o.ValidFrom.Format(time.DateOnly), to}
				if diff := cmp.Diff([]string{tt.wantNIS, tt.wantFrom, tt.wantTo}, got); diff != "" {
					t.Errorf("%s nis/valid_from/valid_to (-want +got):\n%s", tt.key, diff)
				}
				if o.Kind != account.KindOCMW || !strings.Contains(o.Name, tt.wantNameMatch) {
					t.Errorf("%s: kind %s name %q; want ocmw, name with %q", tt.key, o.Kind, o.Name, tt.wantNameMatch)
				}
			}
		})

		t.Run("NoBrusselsOCMW", func(t *testing.T) {
			_, err := db.Organisation(ctx, "ocmw-21004")
			WantCode(t, err, apperr.UnknownOrg)
		})
	})
}

func TestAuditAppendOnly(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		// A failed login writes an audit event to work on.
		if _, err := db.Login(ctx, "nobody@example.test", "wrong-password-123", "192.0.2.1", "req-1"); err == nil {
			t.Fatal("login of an unknown user succeeded")
		}
		before, err := db.AuditEvents(ctx, audit.Filter{})
		if err != nil || len(before) == 0 {
			t.Fatalf("AuditEvents = %v, %v; want at least one", before, err)
		}
		raw := WritableSQL(t, db)
		for _, tt := range []struct{ name, stmt string }{
			{"UpdateRefused", "UPDATE audit_events SET detail = 'tampered', outcome = 'ok'"},
			{"DeleteRefused", "DELETE FROM audit_events"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := raw.ExecContext(ctx, tt.stmt)
				if err == nil {
					t.Fatalf("%s succeeded", tt.stmt)
				}
				if !strings.Contains(err.Error(), "append-only") {
					t.Errorf("%s failed for another reason than the append-only trigger: %v", tt.stmt, err)
				}
				after, err := db.AuditEvents(ctx, audit.Filter{})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(before, after); diff != "" {
					t.Errorf("audit events changed (-before +after):\n%s", diff)
				}
			})
		}
		t.Run("InsertAllowed", func(t *testing.T) {
			// The same connection can write: the refusals above came from the triggers.
			if _, err := raw.ExecContext(ctx, `INSERT INTO audit_events (at, action, outcome) VALUES ($1, 'test.insert', 'ok')`,
				time.Now().UTC().Format("2006-01-02T15:04:05.000000Z")); err != nil {
				t.Fatalf("insert: %v", err)
			}
			if got := AuditActions(t, db, audit.Filter{Action: "test.insert"}); len(got) != 1 {
				t.Errorf("inserted events: %v", got)
			}
		})
	})
}

func TestPing(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		if err := db.Ping(t.Context()); err != nil {
			t.Fatalf("Ping: %v", err)
		}
		if err := db.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := db.Ping(t.Context()); err == nil {
			t.Error("Ping after Close succeeded")
		}
	})
}
