package cli_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"kansrijk/internal/account"
	"kansrijk/internal/auditlog"
	"kansrijk/internal/org"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// importWorld creates a clinic and a team covering Hulshout (13016) in
// the database at dsn.
func importWorld(t *testing.T, dsn string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.CreateClinic(ctx, account.System("test"), org.NewClinic{Key: "clinic-zonnedal", Name: "Kraamkliniek Zonnedal"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateTeam(ctx, account.System("test"), org.NewTeam{Key: "team-noord", Name: "Lokaal team Noord",
		Municipalities: []string{"13016"}, From: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
}

// importCounts returns the rows of the import's tables and events.
func importCounts(t *testing.T, dsn string) map[string]int {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string]int{}
	for name, q := range map[string]string{
		"notifications": `SELECT count(*) FROM birth_notifications`,
		"parents":       `SELECT count(*) FROM birth_parents`,
		"batches":       `SELECT count(*) FROM birth_batches`,
		"staged":        `SELECT count(*) FROM birth_import_rows`,
		"team":          `SELECT count(*) FROM birth_notifications WHERE team_key = 'team-noord'`,
		"create_events": `SELECT count(*) FROM audit_events e JOIN birth_notifications n ON e.object_id = CAST(n.id AS TEXT)
			WHERE e.action = 'birth.create' AND e.channel = 'cli' AND e.actor_org = 'clinic-zonnedal' AND e.detail LIKE 'queue=%batch=%' AND length(e.salt) = 32`,
		"batch_events": `SELECT count(*) FROM audit_events WHERE action = 'birth.batch' AND channel = 'cli'`,
	} {
		var n int
		if err := db.SQL().QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = n
	}
	return out
}

// TestImportBirthsCommand imports files as the programs write them on
// both databases: Excel's Windows-1252 CSV with ";" and a title line, a
// UTF-8 file with BOM of 1,203 rows (more than one staging chunk), the
// same file again, a file with bad rows (nothing in, a row report with
// line, column, code and Dutch message) and the same with
// --accept-partial.
func TestImportBirthsCommand(t *testing.T) {
	for _, d := range storetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			dsn := storetest.DSN(t, d)
			MustRun(t, "", "migrate", "--db", dsn)
			importWorld(t, dsn)
			dir := t.TempDir()
			born := time.Now().AddDate(0, 0, -3)
			write := func(name string, data []byte) string {
				p := filepath.Join(dir, name)
				if err := os.WriteFile(p, data, 0o600); err != nil {
					t.Fatal(err)
				}
				return p
			}

			// Excel, Windows-1252, ";", a title line, dates as d/m/yyyy.
			excel := "Geboorten Kraamkliniek Zonnedal;;;;;;;\r\n" +
				"moeder_naam;moeder_straat;moeder_huisnummer;moeder_postcode;moeder_nis;moeder_taal;geboortedatum;vroeg_contact;meeouder_naam;moeder_telefoon\r\n" +
				fmt.Sprintf("Zoë Claeßens;Kerkstraat;12;2235;13016;Nederlands;%s;ja, graag;Noël Dubœuf;0470 12 34 56\r\n", born.Format("2/1/2006")) +
				fmt.Sprintf("Anaïs Verhœven;Dorp;3;2235;13016;Frans;%s;neen;;0470 12 34 57\r\n", born.Format("2/1/2006"))
			enc, err := charmap.Windows1252.NewEncoder().String(excel)
			if err != nil {
				t.Fatal(err)
			}
			r := MustRun(t, "", "import", "births", write("excel.csv", []byte(enc)), "--clinic", "clinic-zonnedal", "--db", dsn)
			if !strings.Contains(r.Stdout, "Windows-1252") || !strings.Contains(r.Stdout, "2 created, 0 existing, 0 rejected") {
				t.Fatalf("excel import printed %q", r.Stdout)
			}
			c := importCounts(t, dsn)
			if c["notifications"] != 2 || c["parents"] != 3 || c["team"] != 2 || c["create_events"] != 2 || c["batch_events"] != 1 || c["staged"] != 0 {
				t.Fatalf("after the Excel file: %v", c)
			}

			// UTF-8 with BOM, 1,203 rows.
			var sb strings.Builder
			sb.WriteString("\uFEFFmother_name,mother_street,mother_number,mother_postcode,mother_municipality_nis,mother_language,child_birth_date,co_parent_name,mother_email\n")
			for i := range 1203 {
				co := ""
				if i%2 == 0 {
					co = fmt.Sprintf("Bram Fictief%d", i)
				}
				fmt.Fprintf(&sb, "Moeder Fictief%d,Teststraat,%d,2235,13016,nl,%s,%s,moeder%d@example.org\n", i, 1+i%90, born.AddDate(0, 0, -(i%60)).Format(time.DateOnly), co, i)
			}
			big := write("bom.csv", []byte(sb.String()))
			r = MustRun(t, "", "import", "births", big, "--clinic", "clinic-zonnedal", "--db", dsn)
			if !strings.Contains(r.Stdout, "UTF-8 BOM") || !strings.Contains(r.Stdout, "1203 created, 0 existing") {
				t.Fatalf("BOM import printed %q", r.Stdout)
			}
			c = importCounts(t, dsn)
			if c["notifications"] != 1205 || c["parents"] != 3+1203+602 || c["create_events"] != 1205 || c["batch_events"] != 2 || c["staged"] != 0 {
				t.Fatalf("after the BOM file: %v", c)
			}
			// The same file again: nothing new.
			r = MustRun(t, "", "import", "births", big, "--clinic", "clinic-zonnedal", "--db", dsn)
			if !strings.Contains(r.Stdout, "already received") {
				t.Fatalf("the same file again printed %q", r.Stdout)
			}

			// Bad rows: nothing imported, a report per row.
			bad := "moeder_naam;moeder_straat;moeder_huisnummer;moeder_postcode;moeder_nis;moeder_taal;geboortedatum;moeder_email\n" +
				fmt.Sprintf("Moeder Fictief1;Teststraat;2;2235;13016;nl;%s;m@example.org\n", born.AddDate(0, 0, -1).Format(time.DateOnly)) + // stored before
				fmt.Sprintf("Nieuwe Moeder;Teststraat;2;2235;13016;nl;%s;m@example.org\n", born.Format(time.DateOnly)) +
				fmt.Sprintf("Foute Postcode;Teststraat;2;12;13016;nl;%s;m@example.org\n", born.Format(time.DateOnly)) +
				"Toekomst;Teststraat;2;2235;13016;nl;2099-01-01;t@example.org\n"
			badPath := write("bad.csv", []byte(bad))
			res := runCLI(t, "", "import", "births", badPath, "--clinic", "clinic-zonnedal", "--db", dsn)
			if res.Code != 1 || !strings.Contains(res.Stderr, "2 of 4 rows rejected: nothing imported") {
				t.Fatalf("bad rows: exit %d\n%s\n%s", res.Code, res.Stdout, res.Stderr)
			}
			for _, want := range []string{"ROW", "4    error", "postcode_invalid", "5    error", "birth_date_future", "moeder_postcode", "toekomst"} {
				if !strings.Contains(res.Stdout, want) {
					t.Errorf("the report lacks %q:\n%s", want, res.Stdout)
				}
			}
			if c2 := importCounts(t, dsn); c2["notifications"] != 1205 || c2["staged"] != 0 {
				t.Fatalf("a refused file changed the data: %v", c2)
			}
			// --accept-partial: the new row in, the known one existing.
			r = MustRun(t, "", "import", "births", badPath, "--clinic", "clinic-zonnedal", "--accept-partial", "--db", dsn)
			if !strings.Contains(r.Stdout, "1 created, 1 existing, 2 rejected") {
				t.Fatalf("--accept-partial printed %q", r.Stdout)
			}
			if c = importCounts(t, dsn); c["notifications"] != 1206 || c["create_events"] != 1206 || c["staged"] != 0 {
				t.Fatalf("after --accept-partial: %v", c)
			}

			// The events go into the access log like any other, and it verifies.
			verifyLog(t, dsn)

			// Wrong use and wrong clinic.
			if res := runCLI(t, "", "import", "births", big, "--db", dsn); res.Code != 2 {
				t.Errorf("without --clinic: exit %d", res.Code)
			}
			if res := runCLI(t, "", "import", "births", big, "--clinic", "team-noord", "--db", dsn); res.Code != 1 {
				t.Errorf("a team as clinic: exit %d", res.Code)
			}
		})
	}
}

// verifyLog sequences every event of the database at dsn into the access
// log, signs a checkpoint and verifies the log from the events.
func verifyLog(t *testing.T, dsn string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	key, _, err := auditlog.GenerateKey("import.kansrijk.example")
	if err != nil {
		t.Fatal(err)
	}
	lg, err := auditlog.New(db, auditlog.Config{PrivateKey: key})
	if err != nil {
		t.Fatal(err)
	}
	for {
		n, err := lg.Sequence(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	if _, _, err := lg.Sign(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := lg.Verify(ctx, nil)
	if err != nil || !rep.OK() || rep.Size < 1206 {
		t.Fatalf("the access log after the imports: size %d, ok %t, %v", rep.Size, rep.OK(), err)
	}
}
