package backup

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// TestPGCommandHidesThePassword: the password of the DSN goes into
// PGPASSWORD, never onto pg_dump's command line.
func TestPGCommandHidesThePassword(t *testing.T) {
	cmd := pgCommand(context.Background(), "pg_dump", "postgres://kansrijk:s3cret@db.internal:5432/kansrijk?sslmode=verify-full", "--format=custom")
	if strings.Contains(strings.Join(cmd.Args, " "), "s3cret") {
		t.Fatalf("the password is on the command line: %v", cmd.Args)
	}
	if !slices.Contains(cmd.Args, "--dbname=postgres://kansrijk@db.internal:5432/kansrijk?sslmode=verify-full") {
		t.Fatalf("args = %v", cmd.Args)
	}
	if !slices.Contains(cmd.Env, "PGPASSWORD=s3cret") {
		t.Fatal("PGPASSWORD is not set")
	}
}
