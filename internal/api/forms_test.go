package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// A parent's postcode must belong to the municipality of residence
// (package address): 9000 is Gent's, not Hulshout's. The API names the
// field and, with several problems, lists every one in error.errors.
func TestReferralPostcodeMismatch(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newRefFixture(t, db)
		body := strings.Replace(refContract, `"postcode": "2235"`, `"postcode": "9000"`, 1)
		r := f.must(t, "POST", "/api/v1/referrals", "/api/v1/referrals", "team_worker/own", body, http.StatusBadRequest)
		var e struct {
			Error struct {
				Code, Message, Field string
				Errors               []struct{ Code, Message, Field string }
			}
		}
		if err := json.Unmarshal(r.Body, &e); err != nil {
			t.Fatal(err)
		}
		if e.Error.Code != "postcode_mismatch" || e.Error.Field != "parents[0].postcode" ||
			!strings.Contains(e.Error.Message, "9000 belongs to Gent, not to Hulshout") || len(e.Error.Errors) != 0 {
			t.Errorf("postcode of Gent for Hulshout: %s", r)
		}

		// Every problem at once: no name, a wrong e-mail address and the
		// postcode; the first is the one in code and field.
		body = strings.Replace(strings.Replace(body, `"name": "An Peeters"`, `"name": ""`, 1), `"an@example.org"`, `"geen-adres"`, 1)
		r = f.must(t, "POST", "/api/v1/referrals", "/api/v1/referrals", "team_worker/own", body, http.StatusBadRequest)
		e.Error.Errors = nil
		if err := json.Unmarshal(r.Body, &e); err != nil {
			t.Fatal(err)
		}
		var fields []string
		for _, p := range e.Error.Errors {
			fields = append(fields, p.Field+"="+p.Code)
		}
		if got, want := strings.Join(fields, " "), "parents[0].name=invalid parents[0].postcode=postcode_mismatch parents[0].email=invalid"; got != want ||
			e.Error.Field != "parents[0].name" {
			t.Errorf("every problem: %s\ngot %s, want %s", r, got, want)
		}

		// The right postcode passes.
		f.must(t, "POST", "/api/v1/referrals", "/api/v1/referrals", "team_worker/own", refContract, http.StatusCreated)
	})
}
