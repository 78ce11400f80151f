package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCheckpointOffTheWriter: SQLite's writer does not checkpoint at its
// commits (wal_autocheckpoint=0), the store's checkpointer does: the
// write-ahead log is copied back and restarts from its beginning, so it
// stays about as large as a transaction instead of growing with all of
// them.
func TestCheckpointOffTheWriter(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	db, err := OpenNoMigrate(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var auto int
	if err := db.write.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&auto); err != nil {
		t.Fatal(err)
	}
	if auto != 0 {
		t.Fatalf("the writer checkpoints every %d pages itself", auto)
	}
	if err := db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE blobs (b BLOB)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	const txs, perTx = 20, 1 << 20 // 20 transactions of about 1 MB
	for range txs {
		if err := db.inTx(ctx, func(tx *Tx) error {
			for range perTx / 8192 {
				if _, err := tx.ExecContext(ctx, `INSERT INTO blobs VALUES (randomblob(8192))`); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * checkpointEvery)
	}
	st, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() > 4*perTx {
		t.Errorf("the log holds %d MB after %d transactions of 1 MB: not checkpointed", st.Size()>>20, txs)
	}
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM blobs`).Scan(&n); err != nil || n != txs*perTx/8192 {
		t.Fatalf("%d rows read, %v", n, err)
	}
	if err := db.Close(); err != nil && !strings.Contains(err.Error(), "closed") {
		t.Fatal(err)
	}
}
