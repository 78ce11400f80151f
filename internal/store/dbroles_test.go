package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"kansrijk/internal/audit"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// The row trigger on audit_events does not fire on TRUNCATE: a statement
// trigger refuses it, for the owner (here a superuser) too.
func TestAuditTruncateRefused(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	ctx := context.Background()
	world(t, db) // some audit events
	before := auditCount(t, db)
	if before == 0 {
		t.Fatal("no audit events to protect")
	}
	for _, stmt := range []string{"TRUNCATE audit_events", "TRUNCATE TABLE audit_events RESTART IDENTITY", "DELETE FROM audit_events", "UPDATE audit_events SET detail = 'x'"} {
		if _, err := db.SQL().ExecContext(ctx, stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s as the owner: %v, want the append-only trigger's refusal", stmt, err)
		}
	}
	if after := auditCount(t, db); after != before {
		t.Errorf("audit events %d -> %d", before, after)
	}
}

func auditCount(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRowContext(context.Background(), "SELECT count(*) FROM audit_events").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The server runs as a role with only the grants of docs/operations.md:
// opening the migrated database (no migration pending), a login and an
// audited read of a referral work, while changing, deleting or truncating
// audit events is refused by the permissions themselves.
func TestRestrictedDatabaseRole(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.DSN(t, store.Postgres)
	owner, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	owner.Close()
	db, err := store.Open(ctx, storetest.RestrictedRole(t, dsn))
	if err != nil {
		t.Fatalf("open as the restricted role: %v", err)
	}
	defer db.Close()
	world(t, db)
	users := storetest.Users(t, db, "roles.test", storetest.U{Name: "worker", Role: "team_worker", Org: "team-noord"})
	s := users.Session(t, "worker") // a login
	r, err := db.CreateReferral(ctx, s.Actor, newFamily())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Referral(ctx, s.Actor, r.ID); err != nil {
		t.Fatal(err)
	}
	evs, err := db.AuditEvents(ctx, audit.Filter{ObjectType: "referral"})
	if err != nil || len(evs) < 2 {
		t.Fatalf("audit events of the referral: %d, %v", len(evs), err)
	}
	before := auditCount(t, db)
	for _, stmt := range []string{"TRUNCATE audit_events", "DELETE FROM audit_events", "UPDATE audit_events SET detail = 'x'",
		"ALTER TABLE audit_events DISABLE TRIGGER USER", "DROP TABLE audit_events", "CREATE TABLE x (id int)"} {
		_, err := db.SQL().ExecContext(ctx, stmt)
		var pg *pgconn.PgError
		if !errors.As(err, &pg) || (pg.Code != "42501" && !strings.Contains(pg.Message, "must be owner")) {
			t.Errorf("%s as the restricted role: %v, want permission denied", stmt, err)
		}
	}
	if after := auditCount(t, db); after != before {
		t.Errorf("audit events %d -> %d", before, after)
	}
}
