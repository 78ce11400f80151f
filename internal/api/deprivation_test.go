package api_test

// Contract tests of the deprivation index routes, through the real server
// on both backends, with every answer checked against the documented
// schema (outrFixture.call).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"kansrijk/internal/audit"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

const deprRoute = "/api/v1/deprivation-index"

// deprCSV is fictitious: Beveren, Kruibeke and Zwijndrecht before the
// 2025 merger, Beveren-Kruibeke-Zwijndrecht after; Hulshout.
const deprCSV = "\uFEFF# FICTIEF – verzonnen waarden voor de test\r\n" +
	"NIS-code;Gemeente;Jaar;Kansarmoede-index (%)\r\n" +
	"46003;Beveren;2024;10,5\r\n" +
	"46013;Kruibeke;2024;7,3\r\n" +
	"11056;Zwijndrecht;2024;12,0\r\n" +
	"46030;Beveren-Kruibeke-Zwijndrecht;2025;10,1\r\n" +
	"13016;Hulshout;2024;6,9\r\n"

type deprImport struct {
	Imported bool `json:"imported"`
	Values   int  `json:"values"`
	Years    []struct {
		Year           int    `json:"year"`
		Municipalities int    `json:"municipalities"`
		Replaced       int    `json:"replaced"`
		Source         string `json:"source"`
	} `json:"years"`
}

type deprSeries struct {
	NIS        string `json:"nis"`
	Name       string `json:"name"`
	Years      []int  `json:"years"`
	Fictitious bool   `json:"fictitious"`
	Figures    []struct {
		Year     int     `json:"year"`
		NIS      string  `json:"nis"`
		Name     string  `json:"name"`
		Relation string  `json:"relation"`
		Percent  float64 `json:"percent"`
		Source   string  `json:"source"`
	} `json:"figures"`
}

func deprXLSX(t *testing.T, rows [][]any) []byte {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDeprivationIndexAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newOutrFixture(t, db)
		stored := func() int { return outrCount(t, db, "SELECT count(*) FROM deprivation_index") }
		csvType := "text/csv; charset=utf-8"

		t.Run("OnlyAdminsImport", func(t *testing.T) {
			for _, who := range []string{"analyst", "lead", "dpo", "ocmw", "clinic"} {
				outrCode(t, f.call(t, "POST", deprRoute, deprRoute, who, []byte(deprCSV), 403, nil, csvType), "forbidden")
			}
			f.call(t, "POST", deprRoute, deprRoute, "", []byte(deprCSV), 401, nil, csvType)
			if n := stored(); n != 0 {
				t.Fatalf("%d values stored by refused requests", n)
			}
		})

		t.Run("ImportCSV", func(t *testing.T) {
			var got deprImport
			f.call(t, "POST", deprRoute+"?source=fictief+%E2%80%94+testgegevens", deprRoute, "admin", []byte(deprCSV), 200, &got, csvType)
			if !got.Imported || got.Values != 5 || len(got.Years) != 2 || got.Years[0].Year != 2024 || got.Years[0].Municipalities != 4 ||
				got.Years[1].Source != "fictief — testgegevens" {
				t.Fatalf("import %+v", got)
			}
			evs, err := db.AuditEvents(context.Background(), audit.Filter{Action: "deprivation.import"})
			if err != nil || len(evs) != 1 || evs[0].ObjectID != "2024-2025" || evs[0].ActorEmail != "admin@outreach.test" {
				t.Fatalf("audit %+v %v", evs, err)
			}
		})

		t.Run("Read", func(t *testing.T) {
			var s deprSeries
			f.call(t, "GET", deprRoute+"?nis=46030", deprRoute, "analyst", nil, 200, &s)
			var rows []string
			for _, x := range s.Figures {
				rows = append(rows, fmt.Sprintf("%d %s %s %.1f", x.Year, x.Name, x.Relation, x.Percent))
			}
			want := "2024 Beveren predecessor 10.5|2024 Kruibeke predecessor 7.3|2024 Zwijndrecht predecessor 12.0|2025 Beveren-Kruibeke-Zwijndrecht self 10.1"
			if strings.Join(rows, "|") != want || !s.Fictitious || fmt.Sprint(s.Years) != "[2024 2025]" || s.Name != "Beveren-Kruibeke-Zwijndrecht" {
				t.Fatalf("series %+v\n%s", s, strings.Join(rows, "|"))
			}
			for _, who := range []string{"admin", "lead", "workerzuid", "dpo", "ocmw"} {
				f.call(t, "GET", deprRoute+"?nis=13016", deprRoute, who, nil, 200, nil)
			}
			var none deprSeries
			f.call(t, "GET", deprRoute+"?nis=12014", deprRoute, "lead", nil, 200, &none)
			if len(none.Figures) != 0 || len(none.Years) != 0 {
				t.Fatalf("a municipality without figures: %+v", none)
			}
			outrCode(t, f.call(t, "GET", deprRoute+"?nis=13016", deprRoute, "clinic", nil, 403, nil), "forbidden")
			outrCode(t, f.call(t, "GET", deprRoute, deprRoute, "analyst", nil, 400, nil), "invalid")
			outrCode(t, f.call(t, "GET", deprRoute+"?nis=99999", deprRoute, "analyst", nil, 404, nil), "not_found")
			f.call(t, "GET", deprRoute+"?nis=13016", deprRoute, "", nil, 401, nil)
		})

		t.Run("ProblemsStoreNothing", func(t *testing.T) {
			before := stored()
			bad := "NIS;Gemeente;Jaar;Kansarmoede-index\n13016;Hulshout;2023;6,5\n99999;Nergensdorp;2023;10\n46003;Beveren;2025;10,4\n13013;Herselt;2023;twaalf\n"
			r := f.call(t, "POST", deprRoute, deprRoute, "admin", []byte(bad), 400, nil, "text/csv")
			var body struct {
				Error struct {
					Code     string `json:"code"`
					Field    string `json:"field"`
					Problems []struct {
						Line    int    `json:"line"`
						Column  string `json:"column"`
						Code    string `json:"code"`
						Message string `json:"message"`
					} `json:"problems"`
				} `json:"error"`
			}
			if err := json.Unmarshal(r.Body, &body); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range body.Error.Problems {
				got = append(got, fmt.Sprintf("%d %s %s", p.Line, p.Column, p.Code))
				if p.Message == "" {
					t.Errorf("problem without a message: %+v", p)
				}
			}
			want := "3 NIS municipality_unknown|4 NIS municipality_not_valid|5 Kansarmoede-index value_invalid"
			if body.Error.Code != "invalid" || body.Error.Field != "file" || strings.Join(got, "|") != want {
				t.Fatalf("refusal %s\n%s", r.Body, strings.Join(got, "|"))
			}
			if !strings.Contains(string(r.Body), "gebruik 46030 (Beveren-Kruibeke-Zwijndrecht)") {
				t.Errorf("the report does not name the successor: %s", r.Body)
			}
			// The one good row (Hulshout 2023) was not stored either.
			if stored() != before {
				t.Fatal("a refused file stored values")
			}
			outrCode(t, f.call(t, "POST", deprRoute, deprRoute, "admin", []byte("niets"), 400, nil, "text/csv"), "invalid")
			outrCode(t, f.call(t, "POST", deprRoute, deprRoute, "admin", []byte("PK\x03\x04 geen werkmap"), 400, nil, xlsxMedia), "invalid")
			r = f.call(t, "POST", deprRoute, deprRoute, "admin", []byte(deprCSV), 400, nil, "application/json")
			if outrCode(t, r, "invalid"); !strings.Contains(string(r.Body), `"field":"Content-Type"`) {
				t.Errorf("wrong content type: %s", r.Body)
			}
			long := strings.Repeat("x", 201)
			outrCode(t, f.call(t, "POST", deprRoute+"?source="+long, deprRoute, "admin", []byte(deprCSV), 400, nil, "text/csv"), "invalid")
			outrCode(t, f.call(t, "POST", deprRoute, deprRoute, "admin", bytes.Repeat([]byte("x"), 9<<20), 413, nil, "text/csv"), "body_too_large")
			if stored() != before {
				t.Fatal("a refused request stored values")
			}
		})

		t.Run("ImportXLSXReplacesTheYear", func(t *testing.T) {
			// A wide file: one column per year. 2024 now holds Hulshout
			// only; 2025 is not in it and stays.
			body := deprXLSX(t, [][]any{{"FICTIEF"}, {"NIS", "Gemeente", "2024"}, {"13016", "Hulshout", "7,1%"}})
			var got deprImport
			f.call(t, "POST", deprRoute, deprRoute, "admin", body, 200, &got, xlsxMedia)
			if got.Values != 1 || len(got.Years) != 1 || got.Years[0].Replaced != 4 || got.Years[0].Source != "Kind en Gezin (Opgroeien), kansarmoede-index" {
				t.Fatalf("import %+v", got)
			}
			var s deprSeries
			f.call(t, "GET", deprRoute+"?nis=46030", deprRoute, "admin", nil, 200, &s)
			if len(s.Figures) != 1 || s.Figures[0].Year != 2025 {
				t.Fatalf("Beveren-Kruibeke-Zwijndrecht after the new 2024 file: %+v", s.Figures)
			}
			f.call(t, "GET", deprRoute+"?nis=13016", deprRoute, "admin", nil, 200, &s)
			if len(s.Figures) != 1 || s.Figures[0].Percent != 7.1 || s.Fictitious {
				t.Fatalf("Hulshout: %+v", s)
			}
		})
	})
}

const xlsxMedia = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
