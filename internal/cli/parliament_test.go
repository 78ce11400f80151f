package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/parliament"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestReportParliament: `kansrijk report parliament --as-of D --out DIR` makes a pack stored
// like one made in the UI (author: the command line), writes its three files, and prints
// their hash; on both databases. A missing or bad date is a usage error.
func TestReportParliament(t *testing.T) {
	for _, d := range storetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			dsn := storetest.DSN(t, d)
			MustRun(t, "", "migrate", "--db", dsn)
			out := filepath.Join(t.TempDir(), "pack")
			r := MustRun(t, "", "report", "parliament", "--as-of", "2023-03-08", "--db", dsn, "--out", out)
			if !strings.Contains(r.Stdout, "pack 1 for 2023-03-08 made by command line") || !strings.Contains(r.Stdout, "audit log checkpoint: none yet") {
				t.Errorf("stdout: %s", r.Stdout)
			}
			ctx := context.Background()
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			admin := account.System("test")
			for _, k := range parliament.Kinds {
				b, err := os.ReadFile(filepath.Join(out, "parlementair-antwoord-2023-03-08."+k))
				if err != nil {
					t.Fatal(err)
				}
				f, err := db.ParliamentPackFile(ctx, admin, 1, k)
				if err != nil {
					t.Fatal(err)
				}
				if string(f.Bytes) != string(b) || f.SHA256 != parliament.Sum(b) {
					t.Errorf("%s: the file written is not the one stored", k)
				}
				if k == parliament.PDF && !strings.Contains(r.Stdout, "PDF SHA-256 "+f.SHA256) {
					t.Errorf("stdout lacks the PDF's hash: %s", r.Stdout)
				}
			}
			var by string
			if err := db.SQL().QueryRowContext(ctx, `SELECT created_by FROM parliament_packs WHERE id = 1`).Scan(&by); err != nil || by != "command line" {
				t.Errorf("author %q %v", by, err)
			}
			var n int
			if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE action = 'parliament_pack.create' AND channel = 'cli'`).Scan(&n); err != nil || n != 1 {
				t.Errorf("audit events %d %v", n, err)
			}
			for _, args := range [][]string{{"report", "parliament", "--db", dsn}, {"report", "parliament", "--as-of", "8 maart", "--db", dsn}, {"report", "parliament", "--as-of", "2999-01-01", "--db", dsn}} {
				if r := runCLI(t, "", args...); r.Code == 0 {
					t.Errorf("%v: exit 0", args)
				}
			}
		})
	}
}
