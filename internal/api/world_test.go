package api_test

import (
	"context"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/org"
	"kansrijk/internal/store"
)

// testDay parses a YYYY-MM-DD literal of a test.
func testDay(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// buildTeams creates the two local teams every API test world shares:
// team-noord (Hulshout 13016, Heist-op-den-Berg 12014, Herselt 13013) and
// team-zuid (Borsbeek 11007 and Kortessem 73040 until 2024, then Antwerpen
// 11002 and Hasselt 71072).
func buildTeams(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	sys := account.System("test")
	if _, err := db.CreateTeam(ctx, sys, org.NewTeam{Key: "team-noord", Name: "Lokaal team Noord", Municipalities: []string{"13016", "12014", "13013"}, From: testDay("2022-01-01")}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateTeam(ctx, sys, org.NewTeam{Key: "team-zuid", Name: "Lokaal team Zuid", Municipalities: []string{"11007", "73040"}, From: testDay("2022-01-01")}); err != nil {
		t.Fatal(err)
	}
	area := []string{"11002", "71072"}
	if _, err := db.UpdateTeam(ctx, sys, "team-zuid", org.TeamUpdate{Municipalities: &area, From: testDay("2025-01-01")}); err != nil {
		t.Fatal(err)
	}
}
