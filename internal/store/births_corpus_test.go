package store_test

import (
	"context"
	"testing"
	"time"

	"kansrijk/internal/apperr"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestBirthBatchCorpus: the import corpus (files as Excel writes them)
// through the store on both databases: what goes in, what is refused, the
// warnings, and the telephone numbers and names as stored.
func TestBirthBatchCorpus(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		birthWorld(t, db)
		db.Now = func() time.Time { return time.Date(2026, 12, 10, 9, 0, 0, 0, time.UTC) }
		for _, tc := range []struct {
			file                        string
			created, rejected, warnings int
		}{
			{"FICTIEF_excel_windows1252.csv", 2, 1, 1},
			{"FICTIEF_excel_unicode.txt", 3, 0, 2},
			{"FICTIEF_mac_cr.csv", 2, 0, 0},
			{"FICTIEF_vijandig.csv", 1, 6, 0},
		} {
			rep, err := db.ImportBirthBatch(ctx, clinicZonnedal, readBatch(t, tc.file), true)
			if err != nil {
				t.Fatalf("%s: %v", tc.file, err)
			}
			if rep.Created != tc.created || rep.Rejected != tc.rejected || len(rep.Warnings) != tc.warnings {
				t.Errorf("%s: created %d rejected %d warnings %d, want %d %d %d (%+v %+v)", tc.file, rep.Created, rep.Rejected, len(rep.Warnings),
					tc.created, tc.rejected, tc.warnings, rep.Problems, rep.Warnings)
			}
			for _, w := range rep.Warnings {
				if w.Code != apperr.PhoneRepaired || w.Message == "" {
					t.Errorf("%s: warning %+v", tc.file, w)
				}
			}
		}
		for _, q := range []struct {
			query string
			want  int
		}{
			{`SELECT count(*) FROM birth_parents WHERE name = 'Zoë Claeßens' AND phone = '+32471234567' AND language = 'nl'`, 1},
			{`SELECT count(*) FROM birth_parents WHERE name = 'Noël Dubœuf'`, 1},
			{`SELECT count(*) FROM birth_parents WHERE name = 'Aylin Yılmaz' AND phone = '+32475123456' AND language = 'tr'`, 1},
			{`SELECT count(*) FROM birth_notifications WHERE child_birth_date = '2026-12-06'`, 2},
			{`SELECT count(*) FROM birth_parents WHERE phone <> '' AND phone NOT LIKE '+%'`, 0},
			{`SELECT count(*) FROM birth_parents WHERE name LIKE '=%' OR street LIKE '@%'`, 0},
		} {
			if n := MustCount(t, db, q.query); n != q.want {
				t.Errorf("%s: %d, want %d", q.query, n, q.want)
			}
		}
		// The Excel file again, saved as UTF-8 by another program: the same
		// rows, nothing new.
		rep, err := db.ImportBirthBatch(ctx, clinicZonnedal, []byte("\ufeffmoeder_naam;moeder_straat;moeder_huisnummer;moeder_postcode;moeder_nis;moeder_telefoon;moeder_taal;geboortedatum\n"+
			"Zoë Claeßens;Kerkstraat;12;2235;13016;0471 23 45 67;nl;06-12-2026\n"), false)
		if err != nil || rep.Existing != 1 || rep.Created != 0 {
			t.Errorf("the same row in UTF-8: %+v %v", rep, err)
		}
	})
}
