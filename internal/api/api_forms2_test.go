package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// errorFields are the fields of an error answer's "errors", in order.
func errorFields(t *testing.T, body []byte) []string {
	t.Helper()
	var e struct {
		Error struct {
			Code   string `json:"code"`
			Errors []struct {
				Code, Field string
			} `json:"errors"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("not an error answer: %v\n%s", err, body)
	}
	var out []string
	for _, p := range e.Error.Errors {
		out = append(out, p.Field)
	}
	return out
}

// A step and a version with several problems: the answer carries every
// one in "errors", each naming its field.
func TestForms2APIReportsEveryProblem(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newAgrFixture(t, db)
		ag, err := db.CreateAgreement(context.Background(), account.Program(account.SourceTest, ""),
			agreement.NewAgreement{Team: "team-noord", MunicipalityNIS: "13016", Status: "draft", EffectiveOn: "2024-01-10"})
		if err != nil {
			t.Fatal(err)
		}
		route := "/api/v1/agreements/{id}/events"
		r := f.do(t, "POST", fmt.Sprintf("/api/v1/agreements/%d/events", ag.ID), "admin",
			mustJSON(t, map[string]any{"status": "approved", "effective_on": "2024-02-30", "council_decision_on": "morgen", "note": strings.Repeat("x", 2001)}))
		f.wantErr(t, r, "POST", route, 400, "invalid_date")
		if got, want := errorFields(t, r.Body), []string{"effective_on", "council_decision_on", "council_reference", "note"}; !slices.Equal(got, want) {
			t.Errorf("step: errors %v, want %v\n%s", got, want, r)
		}

		route = "/api/v1/agreements/{id}/versions"
		r = f.do(t, "POST", fmt.Sprintf("/api/v1/agreements/%d/versions", ag.ID), "admin",
			mustJSON(t, map[string]any{"retention_days": 0, "first_contact_days": 999, "information_text": "", "publication_url": "ftp://x"}))
		f.wantErr(t, r, "POST", route, 400, "invalid")
		if got, want := errorFields(t, r.Body), []string{"retention_days", "first_contact_days", "information_text", "publication_url"}; !slices.Equal(got, want) {
			t.Errorf("version: errors %v, want %v\n%s", got, want, r)
		}
	})
}

// The subject request: the answer carries every problem in "errors".
// (Its own test: a second ForEach in one test would name its subtests
// "sqlite#01", and a "#" in a SQLite file name ends the DSN's path.)
func TestForms2APISubjectRequestReportsEveryProblem(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newRefFixture(t, db)
		r := f.do(t, "POST", "/api/v1/subject-requests", "dpo/opgroeien", `{"type": "klacht", "received_on": "2025-02-30", "name": "An", "postcode": "22"}`)
		if r.Code != 400 || r.errCode() != "invalid" {
			t.Fatalf("subject request: %s", r)
		}
		if got, want := errorFields(t, r.Body), []string{"type", "received_on", "street", "number", "postcode"}; !slices.Equal(got, want) {
			t.Errorf("subject request: errors %v, want %v\n%s", got, want, r)
		}
	})
}
