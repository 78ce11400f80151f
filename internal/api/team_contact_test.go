package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestTeamContactAPI: an admin sets a team's phone and e-mail when
// creating it and with PATCH; bad values answer 400 invalid naming the
// field, and nothing changes; every role reads them on the team.
func TestTeamContactAPI(t *testing.T) {
	f := newAgrFixture(t, storetest.Open(t, store.SQLite))
	type teamJSON struct {
		Key   string `json:"key"`
		Phone string `json:"phone"`
		Email string `json:"email"`
	}
	var tm teamJSON
	f.call(t, "POST", "/api/v1/teams", "/api/v1/teams", "admin", map[string]any{
		"key": "team-west", "name": "Lokaal team West", "municipalities": []string{"44021"}, "valid_from": "2022-01-01",
		"phone": "09 123 45 67", "email": "Team-West@Kansrijk.Example"}, http.StatusCreated, &tm)
	if tm.Phone != "09 123 45 67" || tm.Email != "team-west@kansrijk.example" {
		t.Fatalf("created %+v", tm)
	}
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"phone": "123"}, "phone"},
		{map[string]any{"phone": "bel ons"}, "phone"},
		{map[string]any{"email": "team-west"}, "email"},
		{map[string]any{"name": "Lokaal team West", "email": "team west@kansrijk.example"}, "email"},
	} {
		body, _ := json.Marshal(c.body)
		r := f.do(t, "PATCH", "/api/v1/teams/team-noord", "admin", body)
		f.wantErr(t, r, "PATCH", "/api/v1/teams/{key}", http.StatusBadRequest, "invalid")
		var e struct {
			Error struct{ Field string } `json:"error"`
		}
		if json.Unmarshal(r.Body, &e); e.Error.Field != c.field {
			t.Errorf("%v: field %q, want %q", c.body, e.Error.Field, c.field)
		}
	}
	body, _ := json.Marshal(map[string]any{"key": "team-oost", "name": "Lokaal team Oost", "municipalities": []string{"12014"}, "phone": "0470"})
	f.wantErr(t, f.do(t, "POST", "/api/v1/teams", "admin", body), "POST", "/api/v1/teams", http.StatusBadRequest, "invalid")
	// Only the contact details: name and area stay.
	f.call(t, "PATCH", "/api/v1/teams/team-noord", "/api/v1/teams/{key}", "admin",
		map[string]any{"phone": "+32 14 12 34 56", "email": "team-noord@kansrijk.example"}, http.StatusOK, &tm)
	if tm.Phone != "+32 14 12 34 56" || tm.Email != "team-noord@kansrijk.example" {
		t.Fatalf("updated %+v", tm)
	}
	f.call(t, "GET", "/api/v1/teams/team-noord", "/api/v1/teams/{key}", "clinic", nil, http.StatusOK, &tm)
	if tm.Phone != "+32 14 12 34 56" || tm.Email != "team-noord@kansrijk.example" {
		t.Errorf("read by a clinic: %+v", tm)
	}
	// An empty value clears it.
	f.call(t, "PATCH", "/api/v1/teams/team-noord", "/api/v1/teams/{key}", "admin", map[string]any{"email": ""}, http.StatusOK, &tm)
	if tm.Phone != "+32 14 12 34 56" || tm.Email != "" {
		t.Errorf("after clearing the e-mail: %+v", tm)
	}
	r := f.do(t, "PATCH", "/api/v1/teams/team-noord", "lead", []byte(`{"phone":"09 123 45 67"}`))
	f.wantErr(t, r, "PATCH", "/api/v1/teams/{key}", http.StatusForbidden, "forbidden")
}
