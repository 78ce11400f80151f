package api_test

import (
	"testing"

	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestDeprivationDryRun: dry_run=true answers what an import would
// replace and stores nothing; the same file without it imports.
func TestDeprivationDryRun(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newOutrFixture(t, db)
		stored := func() int { return outrCount(t, db, "SELECT count(*) FROM deprivation_index") }
		csvType := "text/csv; charset=utf-8"
		type change struct {
			NIS string `json:"nis"`
		}
		var p struct {
			Imported    bool   `json:"imported"`
			DryRun      bool   `json:"dry_run"`
			Values      int    `json:"values"`
			Fingerprint string `json:"fingerprint"`
			Years       []struct {
				Year    int      `json:"year"`
				New     bool     `json:"new"`
				Before  int      `json:"before"`
				After   int      `json:"after"`
				Added   []change `json:"added"`
				Removed []change `json:"removed"`
			} `json:"years"`
		}
		f.call(t, "POST", deprRoute+"?dry_run=true", deprRoute, "admin", []byte(deprCSV), 200, &p, csvType)
		if p.Imported || !p.DryRun || p.Values != 5 || len(p.Years) != 2 || !p.Years[0].New || p.Years[0].After != 4 || len(p.Years[0].Added) != 4 || p.Fingerprint == "" {
			t.Fatalf("dry run %+v", p)
		}
		if n := stored(); n != 0 {
			t.Fatalf("a dry run stored %d values", n)
		}
		outrCode(t, f.call(t, "POST", deprRoute+"?dry_run=maybe", deprRoute, "admin", []byte(deprCSV), 400, nil, csvType), "invalid")
		outrCode(t, f.call(t, "POST", deprRoute+"?dry_run=true", deprRoute, "analyst", []byte(deprCSV), 403, nil, csvType), "forbidden")
		f.call(t, "POST", deprRoute, deprRoute, "admin", []byte(deprCSV), 200, nil, csvType)
		f.call(t, "POST", deprRoute+"?dry_run=1", deprRoute, "admin", []byte("NIS;Jaar;Index\n13016;2024;7,0\n"), 200, &p, csvType)
		if len(p.Years) != 1 || p.Years[0].Before != 4 || p.Years[0].After != 1 || len(p.Years[0].Removed) != 3 || stored() != 5 {
			t.Fatalf("dry run after the import %+v, %d stored", p, stored())
		}
	})
}
