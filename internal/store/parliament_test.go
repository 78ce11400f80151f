package store_test

import (
	"context"
	"strconv"
	"testing"

	"kansrijk/internal/apperr"
	"kansrijk/internal/page"
	"kansrijk/internal/parliament"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestParliamentPackStore: a pack is stored with the hash of every file and the audit log's
// latest checkpoint, listed newest first a page at a time, served byte for byte, never changed
// nor deleted (the triggers), and only for Opgroeien's admins and analysts — a refusal is
// audited.
func TestParliamentPackStore(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db, "2026-03-02")
		files := func(n int) map[string][]byte {
			s := strconv.Itoa(n)
			return map[string][]byte{parliament.PDF: []byte("%PDF-1.4 pack " + s), parliament.CSV: []byte("\ufeffvraag;waarde\r\n1;" + s), parliament.XLSX: []byte("PK xlsx " + s)}
		}
		p1, err := db.CreateParliamentPack(ctx, admin, parliament.NewPack{AsOf: "2023-03-08", Files: files(1)})
		if err != nil {
			t.Fatal(err)
		}
		if p1.Checkpoint != nil {
			t.Errorf("checkpoint before the log signed one: %+v", p1.Checkpoint)
		}
		if err := db.AddAuditCheckpoint(ctx, store.AuditCheckpoint{Size: 7, Root: "cm9vdA==", At: db.Now(), Note: "note"}); err != nil {
			t.Fatal(err)
		}
		p2, err := db.CreateParliamentPack(ctx, analyst, parliament.NewPack{AsOf: "2026-03-01", From: "2025-01-01", To: "2026-02-28", Files: files(2)})
		if err != nil {
			t.Fatal(err)
		}
		if p2.Checkpoint == nil || p2.Checkpoint.Size != 7 || p2.Checkpoint.Root != "cm9vdA==" {
			t.Errorf("checkpoint: %+v", p2.Checkpoint)
		}
		if p2.SHA256 != parliament.Sum(files(2)[parliament.PDF]) || p2.CreatedBy != analyst.Email || p2.AsOf != "2026-03-01" || p2.From != "2025-01-01" {
			t.Errorf("pack: %+v", p2)
		}
		for _, k := range parliament.Kinds {
			f, err := db.ParliamentPackFile(ctx, analyst, p1.ID, k)
			if err != nil {
				t.Fatal(err)
			}
			if string(f.Bytes) != string(files(1)[k]) || f.SHA256 != parliament.Sum(f.Bytes) || f.Name() != "parlementair-antwoord-2023-03-08."+k {
				t.Errorf("%s: %q %s %s", k, f.Bytes, f.SHA256, f.Name())
			}
		}
		if _, err := db.ParliamentPackFile(ctx, admin, 999, parliament.PDF); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown pack: %v", err)
		}
		// Newest first, a page at a time.
		req, _ := page.Parse(nil, parliament.Sorts...)
		req.Limit = 1
		res, err := db.ParliamentPacks(ctx, admin, req)
		if err != nil || len(res.Items) != 1 || res.Items[0].ID != p2.ID || res.Next == "" {
			t.Fatalf("first page: %+v %v", res, err)
		}
		c, _ := page.Decode(res.Next)
		req.After = &c
		res, err = db.ParliamentPacks(ctx, admin, req)
		if err != nil || len(res.Items) != 1 || res.Items[0].ID != p1.ID || res.Next != "" {
			t.Fatalf("second page: %+v %v", res, err)
		}
		// Immutable: the database refuses every change.
		for _, q := range []string{`UPDATE parliament_packs SET pdf_sha256 = 'x' WHERE id = ` + strconv.FormatInt(p1.ID, 10),
			`UPDATE parliament_packs SET pdf = csv`, `DELETE FROM parliament_packs WHERE id = ` + strconv.FormatInt(p1.ID, 10)} {
			if _, err := db.SQL().ExecContext(ctx, q); err == nil {
				t.Errorf("%s: accepted", q)
			}
		}
		if f, _ := db.ParliamentPackFile(ctx, admin, p1.ID, parliament.PDF); string(f.Bytes) != string(files(1)[parliament.PDF]) {
			t.Errorf("the PDF changed: %q", f.Bytes)
		}
		// Only Opgroeien's admins and analysts; a refused attempt is audited.
		events := func() int {
			var n int
			if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := events()
		if _, err := db.CreateParliamentPack(ctx, leadNoord, parliament.NewPack{AsOf: "2023-03-08", Files: files(3)}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("team lead: %v", err)
		}
		if got := events(); got != before+1 {
			t.Errorf("a refusal writes one event: %d → %d", before, got)
		}
		if _, err := db.ParliamentPacks(ctx, dpoCentral, req); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("dpo lists: %v", err)
		}
		if _, err := db.ParliamentPackFile(ctx, ocmwAdminOR, p1.ID, parliament.PDF); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("OCMW admin downloads: %v", err)
		}
		var n int
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE action = 'parliament_pack.create' AND outcome = 'ok' AND purpose = 'administration'`).Scan(&n); err != nil || n != 2 {
			t.Errorf("audit events of packs made: %d %v", n, err)
		}
	})
}
