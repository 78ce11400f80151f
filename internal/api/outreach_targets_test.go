package api_test

import (
	"context"
	"slices"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

func TestOutreachTargetsAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newOutrFixture(t, db)
		const route = "/api/v1/outreach/targets"
		// Limburg informed by a newsletter; Kortessem (later part of
		// Hasselt) and Hulshout in conversation; Herselt signed up.
		f.call(t, "POST", "/api/v1/outreach/campaigns", "/api/v1/outreach/campaigns", "admin",
			map[string]any{"kind": "newsletter", "on": "2023-01-20", "partner": "VVSG", "subject": "Decreet", "audience": "province", "audience_param": "Limburg"}, 201, nil)
		f.call(t, "POST", "/api/v1/outreach/contact-moments", "/api/v1/outreach/contact-moments", "workerzuid",
			map[string]any{"municipality_nis": "73040", "on": "2023-05-02", "channel": "meeting", "summary": "Kennismaking"}, 201, nil)
		f.call(t, "POST", "/api/v1/outreach/contact-moments", "/api/v1/outreach/contact-moments", "lead",
			map[string]any{"municipality_nis": "13016", "on": "2026-02-20", "channel": "phone", "summary": "Opvolging"}, 201, nil)
		if _, err := db.CreateAgreement(context.Background(), account.System("test"), agreement.NewAgreement{Team: "team-noord", MunicipalityNIS: "13013", EffectiveOn: "2025-09-01"}); err != nil {
			t.Fatal(err)
		}

		type row struct {
			NIS              string `json:"nis"`
			Stage            string `json:"stage"`
			Team             string `json:"team"`
			Province         string `json:"province"`
			DaysSinceContact *int   `json:"days_since_contact"`
		}
		var got struct {
			AsOf   string `json:"as_of"`
			Filter struct {
				Team   string   `json:"team"`
				Stages []string `json:"stages"`
			} `json:"filter"`
			Count          int   `json:"count"`
			Municipalities []row `json:"municipalities"`
		}
		nis := func() []string {
			var out []string
			for _, m := range got.Municipalities {
				out = append(out, m.NIS)
			}
			return out
		}

		// team-noord, today: Herselt signed up, so off the list.
		f.call(t, "GET", route+"?team=team-noord", route, "lead", nil, 200, &got)
		if got.AsOf != "2026-03-02" || got.Count != 2 || !slices.Equal(nis(), []string{"12014", "13016"}) {
			t.Fatalf("team-noord: %+v", got)
		}
		if !slices.Equal(got.Filter.Stages, []string{"not_informed", "informed", "in_conversation", "ended"}) || got.Filter.Team != "team-noord" {
			t.Fatalf("filter echoed as %+v", got.Filter)
		}
		// Hulshout's last contact is 10 days old: a 30-day filter drops it.
		f.call(t, "GET", route+"?team=team-noord&min_days_since_contact=30", route, "analyst", nil, 200, &got)
		if !slices.Equal(nis(), []string{"12014"}) {
			t.Fatalf("30 days without contact: %v", nis())
		}
		f.call(t, "GET", route+"?team=team-noord&stage=in_conversation,signed_up", route, "admin", nil, 200, &got)
		if !slices.Equal(nis(), []string{"13013", "13016"}) {
			t.Fatalf("in conversation or signed up: %v", nis())
		}
		// Before the agreement, Herselt was on the list.
		f.call(t, "GET", route+"?team=team-noord&as_of=2025-06-01", route, "admin", nil, 200, &got)
		if !slices.Equal(nis(), []string{"12014", "13013", "13016"}) {
			t.Fatalf("team-noord mid-2025: %v", nis())
		}
		// Limburg: every municipality informed by the newsletter, except
		// Hasselt, which carries Kortessem's conversation.
		f.call(t, "GET", route+"?province=Limburg&stage=informed", route, "admin", nil, 200, &got)
		for _, m := range got.Municipalities {
			if m.Province != "Limburg" || m.Stage != "informed" || m.NIS == "71072" {
				t.Fatalf("Limburg informed: %+v", m)
			}
		}
		if got.Count < 35 {
			t.Fatalf("Limburg informed: %d", got.Count)
		}
		limburg := got.Count

		// CSV and XLSX hold the same list.
		r := f.call(t, "GET", route+"?province=Limburg&stage=informed&format=csv&lang=codes", route, "lead", nil, 200, nil)
		rows := outrCSV(t, r.Body)
		if len(rows) != limburg+1 || rows[0][0] != "nis" || rows[0][4] != "stage" || rows[1][4] != "informed" || rows[1][2] != "Limburg" {
			t.Fatalf("CSV: %d rows, %v %v", len(rows), rows[0], rows[1])
		}
		r = f.call(t, "GET", route+"?province=Limburg&stage=informed&format=xlsx&lang=codes", route, "lead", nil, 200, nil)
		if xrows := outrXLSX(t, r.Body); len(xrows) != limburg+1 || xrows[1][0] != rows[1][0] {
			t.Fatalf("XLSX: %d rows", len(xrows))
		}

		outrCode(t, f.call(t, "GET", route+"?stage=asleep", route, "admin", nil, 400, nil), "invalid")
		outrCode(t, f.call(t, "GET", route+"?province=Brabant", route, "admin", nil, 400, nil), "invalid")
		outrCode(t, f.call(t, "GET", route+"?min_days_since_contact=-1", route, "admin", nil, 400, nil), "invalid")
		outrCode(t, f.call(t, "GET", route+"?as_of=2025-02-30", route, "admin", nil, 400, nil), "invalid_date")
		for _, who := range []string{"clinic", "ocmw", "dpo"} {
			outrCode(t, f.call(t, "GET", route, route, who, nil, 403, nil), "forbidden")
		}
		f.call(t, "GET", route, route, "", nil, 401, nil)
	})
}
