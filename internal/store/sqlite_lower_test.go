package store_test

import (
	"context"
	"testing"

	"kansrijk/internal/store"
)

// TestSQLiteLowerUnicode: LOWER folds accented capitals on SQLite as it does
// on PostgreSQL, so a list search for "özdemir" finds "Özdemir".
func TestSQLiteLowerUnicode(t *testing.T) {
	db, err := store.Open(context.Background(), "sqlite:"+t.TempDir()+"/lower.db")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got string
	if err := db.SQL().QueryRowContext(context.Background(), `SELECT LOWER('ÖZDEMIR Élise Çelik ŞAHIN')`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := "özdemir élise çelik şahin"; got != want {
		t.Fatalf("LOWER = %q, want %q", got, want)
	}
	var n int
	if err := db.SQL().QueryRowContext(context.Background(), `SELECT count(*) WHERE LOWER('Özdemir') LIKE $1 ESCAPE '\'`, "%özd%").Scan(&n); err != nil || n != 1 {
		t.Fatalf("LIKE on the folded text: %d, %v", n, err)
	}
}
