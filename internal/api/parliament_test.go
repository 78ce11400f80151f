package api_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"testing"

	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestParliamentPacksAPI: making a pack answers 201 with exactly the contract's fields; the
// list pages newest first; each file downloads byte for byte with the stored hash; only
// Opgroeien's admins and analysts; dates are checked, every problem at once.
func TestParliamentPacksAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newOutrFixture(t, db)
		const route = "/api/v1/reports/parliament-packs"
		f.call(t, "POST", "/api/v1/outreach/campaigns", "/api/v1/outreach/campaigns", "admin",
			map[string]any{"kind": "newsletter", "on": "2022-04-26", "partner": "VVSG", "subject": "Het decreet", "audience": "all"}, 201, nil)
		f.call(t, "POST", "/api/v1/agreements", "/api/v1/agreements", "admin",
			map[string]any{"team": "team-noord", "municipality_nis": "13016", "status": "interested", "effective_on": "2023-10-02"}, 201, nil)

		r := f.call(t, "POST", route, route, "analyst", map[string]any{"as_of": "2023-03-08"}, 201, nil)
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(r.Body, &raw); err != nil {
			t.Fatal(err)
		}
		var keys []string
		for k := range raw {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if want := []string{"as_of", "checkpoint", "created_at", "created_by", "id", "sha256"}; !slices.Equal(keys, want) {
			t.Errorf("201 fields %v, want %v", keys, want)
		}
		var p1 struct {
			ID         int64           `json:"id"`
			AsOf       string          `json:"as_of"`
			SHA256     string          `json:"sha256"`
			Checkpoint json.RawMessage `json:"checkpoint"`
			CreatedBy  string          `json:"created_by"`
		}
		if err := json.Unmarshal(r.Body, &p1); err != nil {
			t.Fatal(err)
		}
		if p1.AsOf != "2023-03-08" || len(p1.SHA256) != 64 || string(p1.Checkpoint) != "null" || p1.CreatedBy != "analyst@outreach.test" {
			t.Errorf("pack %s", r.Body)
		}
		p2 := f.call(t, "POST", route, route, "admin", map[string]any{"as_of": "2026-03-01", "from": "2025-01-01", "to": "2026-02-28"}, 201, nil)

		// Downloads, byte for byte.
		id := strconv.FormatInt(p1.ID, 10)
		for _, kind := range []string{"pdf", "csv", "xlsx"} {
			d := f.call(t, "GET", route+"/"+id+"/"+kind, route+"/{id}/"+kind, "admin", nil, 200, nil)
			sum := sha256.Sum256(d.Body)
			if kind == "pdf" && hex.EncodeToString(sum[:]) != p1.SHA256 {
				t.Errorf("the PDF's SHA-256 %x is not the pack's %s", sum, p1.SHA256)
			}
			if got := d.Header.Get("Repr-Digest"); got != "sha-256=:"+base64.StdEncoding.EncodeToString(sum[:])+":" {
				t.Errorf("%s: Repr-Digest %q", kind, got)
			}
			if cd := d.Header.Get("Content-Disposition"); cd != `attachment; filename="parlementair-antwoord-2023-03-08.`+kind+`"` {
				t.Errorf("%s: %s", kind, cd)
			}
		}
		again := f.call(t, "POST", route, route, "analyst", map[string]any{"as_of": "2023-03-08"}, 201, nil)
		var p3 struct{ SHA256 string }
		_ = json.Unmarshal(again.Body, &p3)
		if p3.SHA256 != p1.SHA256 {
			t.Errorf("the same date from the same data: %s, then %s", p1.SHA256, p3.SHA256)
		}

		// The list: newest first, a page at a time.
		var page struct {
			Count int `json:"count"`
			Packs []struct {
				ID   int64  `json:"id"`
				AsOf string `json:"as_of"`
			} `json:"packs"`
			Next *string `json:"next_cursor"`
		}
		f.call(t, "GET", route+"?limit=2", route, "analyst", nil, 200, &page)
		if page.Count != 2 || page.Packs[0].AsOf != "2023-03-08" || page.Packs[1].AsOf != "2026-03-01" || page.Next == nil {
			t.Fatalf("first page %+v (second pack %s)", page, p2.Body)
		}
		f.call(t, "GET", route+"?limit=2&cursor="+*page.Next, route, "analyst", nil, 200, &page)
		if page.Count != 1 || page.Packs[0].ID != p1.ID || page.Next != nil {
			t.Fatalf("second page %+v", page)
		}

		// Who may: Opgroeien's admins and analysts.
		for _, who := range []string{"dpo", "lead", "workerzuid", "ocmw", "clinic"} {
			f.call(t, "POST", route, route, who, map[string]any{"as_of": "2023-03-08"}, 403, nil)
			f.call(t, "GET", route, route, who, nil, 403, nil)
			f.call(t, "GET", route+"/"+id+"/pdf", route+"/{id}/pdf", who, nil, 403, nil)
		}
		f.call(t, "POST", route, route, "", map[string]any{"as_of": "2023-03-08"}, 401, nil)
		f.call(t, "GET", route+"/999999/pdf", route+"/{id}/pdf", "admin", nil, 404, nil)

		// Dates: required, a date, not in the future; every problem at once.
		var e struct {
			Error struct {
				Code   string `json:"code"`
				Errors []struct {
					Field string `json:"field"`
				} `json:"errors"`
			} `json:"error"`
		}
		f.call(t, "POST", route, route, "admin", map[string]any{"as_of": "2026-03-03"}, 400, &e)
		f.call(t, "POST", route, route, "admin", map[string]any{"from": "gisteren", "to": "2023-13-01"}, 400, &e)
		var fields []string
		for _, p := range e.Error.Errors {
			fields = append(fields, p.Field)
		}
		if !slices.Equal(fields, []string{"as_of", "from", "to"}) {
			t.Errorf("problems %s: %v", e.Error.Code, fields)
		}
		f.call(t, "POST", route, route, "admin", map[string]any{"as_of": "2023-03-08", "from": "2023-04-01"}, 400, nil)
		f.call(t, "POST", route, route, "admin", map[string]any{"as_of": "2023-03-08", "extra": 1}, 400, nil)
	})
}
