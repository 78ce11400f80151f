package store_test

import (
	"context"
	"testing"
	"time"

	"kansrijk/internal/outcome"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// BenchmarkOutcomeCells reads a year of cells for an admin over 100,000 referrals (half of
// them with a contact attempt), on each database.
func BenchmarkOutcomeCells(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchOutcomeCells(b, store.SQLite) })
	b.Run("postgres", func(b *testing.B) { benchOutcomeCells(b, store.Postgres) })
}

func benchOutcomeCells(b *testing.B, d store.Dialect) {
	db := storetest.Open(b, d)
	ctx := context.Background()
	gen, attempts := outcomeBenchSQLite, `INSERT INTO referral_contact_attempts (referral_id, on_day, channel, reached, recorded_at, recorded_by)
		SELECT id, substr(sent_at, 1, 10), 'phone', 1, sent_at, 'bench' FROM referrals WHERE id % 2 = 0`
	if d == store.Postgres {
		gen, attempts = outcomeBenchPostgres, `INSERT INTO referral_contact_attempts (referral_id, on_day, channel, reached, recorded_at, recorded_by)
		SELECT id, sent_at::date, 'phone', true, sent_at, 'bench' FROM referrals WHERE id % 2 = 0`
	}
	if err := store.ExecForOutcomeTest(ctx, db, gen); err != nil {
		b.Fatal(err)
	}
	if err := store.ExecForOutcomeTest(ctx, db, attempts); err != nil {
		b.Fatal(err)
	}
	q := outcome.Query{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	b.ResetTimer()
	for b.Loop() {
		cells, err := db.OutcomeCells(ctx, adminActor, q)
		if err != nil || outcome.Sum(cells).Drafted != 100000 {
			b.Fatalf("%d drafted, %v", outcome.Sum(cells).Drafted, err)
		}
	}
}

const outcomeBenchSQLite = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 100000)
		INSERT INTO referrals (id, team_key, municipality_nis, recipient_key, status, receipt_code, created_by, created_at, sent_at, updated_at)
		SELECT i, 'opgroeien', CASE i % 3 WHEN 0 THEN '13016' WHEN 1 THEN '12014' ELSE '11007' END, 'ocmw-13016', 'sent', 'KR-B-' || i, 'bench',
			strftime('%Y-%m-%dT%H:%M:%S.000000Z', '2025-01-01', '+' || (i % 365) || ' days'),
			strftime('%Y-%m-%dT%H:%M:%S.000000Z', '2025-01-02', '+' || (i % 365) || ' days'),
			strftime('%Y-%m-%dT%H:%M:%S.000000Z', '2025-01-01', '+' || (i % 365) || ' days') FROM n`

const outcomeBenchPostgres = `INSERT INTO referrals (id, team_key, municipality_nis, recipient_key, status, receipt_code, created_by, created_at, sent_at, updated_at)
	SELECT i, 'opgroeien', CASE i % 3 WHEN 0 THEN '13016' WHEN 1 THEN '12014' ELSE '11007' END, 'ocmw-13016', 'sent', 'KR-B-' || i, 'bench',
		timestamptz '2025-01-01 00:00Z' + (i % 365) * interval '1 day', timestamptz '2025-01-02 00:00Z' + (i % 365) * interval '1 day',
		timestamptz '2025-01-01 00:00Z' + (i % 365) * interval '1 day' FROM generate_series(1, 100000) AS i`
