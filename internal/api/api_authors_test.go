package api_test

import (
	"context"
	"fmt"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/outreach"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// Scripts read recorded_by/created_by: for the program's own work they
// stay "system"; the new *_source field next to them says what it was
// (issue 12), documented in the OpenAPI document.
func TestAuthorsAPIKeepsSystemAndNamesSource(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newAgrFixture(t, db)
		ctx := context.Background()
		ag, err := db.CreateAgreement(ctx, account.Program(account.SourceDemo, ""), agreement.NewAgreement{Team: "team-noord", MunicipalityNIS: "13016", Status: "interested", EffectiveOn: "2024-01-10"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddEvent(ctx, account.Program(account.SourceJob, "retention"), ag.ID, agreement.NewEvent{Status: "draft", EffectiveOn: "2024-02-01"}); err != nil {
			t.Fatal(err)
		}
		var got struct {
			Events  []map[string]any `json:"events"`
			Version map[string]any   `json:"version"`
		}
		f.call(t, "GET", fmt.Sprintf("/api/v1/agreements/%d", ag.ID), "/api/v1/agreements/{id}", "admin", nil, 200, &got)
		if len(got.Events) != 2 {
			t.Fatalf("%d events, want 2", len(got.Events))
		}
		for i, want := range []string{"demo", "job:retention"} {
			if e := got.Events[i]; e["recorded_by"] != "system" || e["recorded_by_source"] != want {
				t.Errorf("event %d: recorded_by %v, recorded_by_source %v; want system, %s", i, e["recorded_by"], e["recorded_by_source"], want)
			}
		}
		if got.Version["created_by"] != "system" || got.Version["created_by_source"] != "demo" {
			t.Errorf("version: created_by %v, created_by_source %v", got.Version["created_by"], got.Version["created_by_source"])
		}

		// A person's event has no source field at all.
		var ev map[string]any
		f.call(t, "POST", fmt.Sprintf("/api/v1/agreements/%d/events", ag.ID), "/api/v1/agreements/{id}/events", "admin",
			map[string]any{"status": "withdrawn", "effective_on": "2024-03-01", "reason": "geen interesse"}, 201, &ev)
		if _, has := ev["recorded_by_source"]; has || ev["recorded_by"] == "system" {
			t.Errorf("a person's event: %v", ev)
		}

		c, err := db.CreateCampaign(ctx, account.Program(account.SourceCLI, "import"), outreach.NewCampaign{Kind: "newsletter", On: "2024-02-01", Partner: "VVSG", Subject: "Nieuwsbrief", Audience: "all"})
		if err != nil {
			t.Fatal(err)
		}
		var camp map[string]any
		f.call(t, "GET", fmt.Sprintf("/api/v1/outreach/campaigns/%d", c.ID), "/api/v1/outreach/campaigns/{id}", "admin", nil, 200, &camp)
		if camp["created_by"] != "system" || camp["created_by_source"] != "cli:import" {
			t.Errorf("campaign: created_by %v, created_by_source %v", camp["created_by"], camp["created_by_source"])
		}
	})
}
