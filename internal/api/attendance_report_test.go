package api_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestAttendanceMeetingReportAPI imports a Teams attendance report as
// Teams writes it through the API on both databases: the ambiguous
// "Sint-Gillis" comes back with its candidates, choice=LINE:NIS settles
// it, and accept_partial records only the matched rows.
func TestAttendanceMeetingReportAPI(t *testing.T) {
	teams, err := os.ReadFile(filepath.Join("..", "attendance", "testdata", "teams_nl_utf16le.csv"))
	if err != nil {
		t.Fatal(err)
	}
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newOutrFixture(t, db)
		const list, att = "/api/v1/outreach/campaigns", "/api/v1/outreach/campaigns/{id}/attendance"
		var camp struct {
			ID int64 `json:"id"`
		}
		f.call(t, "POST", list, list, "admin", map[string]any{"kind": "webinar", "on": "2025-03-11", "partner": "VVSG", "subject": "Infosessie", "audience": "list", "municipalities": []string{"46021"}}, 201, &camp)
		path := fmt.Sprintf("/api/v1/outreach/campaigns/%d/attendance", camp.ID)
		type report struct {
			Imported   bool `json:"imported"`
			Matched    int  `json:"matched"`
			Unmatched  int  `json:"unmatched"`
			Organizers int  `json:"organizers"`
			Ambiguous  int  `json:"ambiguous"`
			NotRead    []struct {
				Title string `json:"title"`
			} `json:"not_read"`
			Rows []struct {
				Line       int    `json:"line"`
				NIS        string `json:"municipality_nis"`
				How        string `json:"how"`
				Problem    string `json:"problem"`
				Imported   bool   `json:"imported"`
				Candidates []struct {
					NIS string `json:"nis"`
				} `json:"candidates"`
			} `json:"rows"`
		}
		var rep report
		f.call(t, "POST", path, att, "admin", teams, 200, &rep, "text/csv")
		if rep.Imported || len(rep.Rows) != 10 || rep.Matched != 6 || rep.Unmatched != 3 || rep.Organizers != 1 || rep.Ambiguous != 1 || len(rep.NotRead) != 1 {
			t.Fatalf("report %+v", rep)
		}
		if r := rep.Rows[6]; r.Line != 17 || r.Problem != "ambiguous" || len(r.Candidates) != 2 {
			t.Fatalf("Sint-Gillis row %+v", r)
		}
		outrCode(t, f.call(t, "POST", path+"?choice=17-46020", att, "admin", teams, 400, nil, "text/csv"), "invalid")

		f.call(t, "POST", path+"?choice=17:46020&accept_partial=true", att, "admin", teams, 200, &rep, "text/csv")
		if !rep.Imported || rep.Ambiguous != 0 || rep.Rows[6].NIS != "46020" || rep.Rows[6].How != "chosen" || !rep.Rows[6].Imported {
			t.Fatalf("after the choice %+v", rep)
		}
		for _, r := range rep.Rows {
			if r.Imported != (r.Problem == "" && r.NIS != "") {
				t.Errorf("line %d: imported %v with problem %q", r.Line, r.Imported, r.Problem)
			}
		}
	})
}
