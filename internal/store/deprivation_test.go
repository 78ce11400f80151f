package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/deprivation"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// deprFile is a fictitious index around the 2025 mergers: Beveren,
// Kruibeke and Zwijndrecht until 2024, then Beveren-Kruibeke-Zwijndrecht;
// Antwerpen, which took in Borsbeek; Kortessem, merged into Hasselt.
const deprFile = `# FICTIEF – verzonnen waarden voor de test, niet de kansarmoede-index van Kind en Gezin
NIS-code;Gemeente;Jaar;Kansarmoede-index (%);Geboorten;Kansarm
46003;Beveren;2023;10,2;;
46013;Kruibeke;2023;7,1;;
11056;Zwijndrecht;2023;12,4;900;112
46003;Beveren;2024;10,5;;
46013;Kruibeke;2024;7,3;;
11056;Zwijndrecht;2024;12,0;;
46030;Beveren-Kruibeke-Zwijndrecht;2025;10,1;;
11002;Antwerpen;2023;19,8;;
11007;Borsbeek;2023;9,5;;
11002;Antwerpen;2025;19,2;;
73040;Kortessem;2024;5,5;;
71072;Hasselt;2025;11,0;;
13016;Hulshout;2023;6,6;;
13016;Hulshout;2024;6,9;;
`

func deprParse(t *testing.T, csv string) []deprivation.Value {
	t.Helper()
	res, err := deprivation.ParseCSV(strings.NewReader(csv), nil)
	if err != nil || !res.Accepted {
		t.Fatalf("parse: %v %+v", err, res.Problems)
	}
	return res.Values
}

// deprRows summarises a series as "year nis relation percent" lines.
func deprRows(s deprivation.Series) []string {
	var out []string
	for _, f := range s.Figures {
		out = append(out, fmt.Sprintf("%d %s %s %s %.1f", f.Year, f.NIS, f.Name, f.Relation, f.Percent))
	}
	return out
}

func TestDeprivationIndex(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db, "2026-03-02")
		count := func() int { return MustCount(t, db, "SELECT count(*) FROM deprivation_index") }

		t.Run("OnlyAdminsImport", func(t *testing.T) {
			for _, a := range []deprActor{{"lead", leadNoord}, {"analyst", analyst}, {"dpo", dpoCentral}, {"ocmw_admin", ocmwAdminOR}, {"clinic", clinicUser}} {
				_, err := db.ImportDeprivation(ctx, a.actor, deprParse(t, deprFile), "")
				if apperr.Code(err) != apperr.Forbidden {
					t.Errorf("%s imports: %v, want forbidden", a.name, err)
				}
			}
			if n := count(); n != 0 {
				t.Fatalf("%d values stored by refused imports", n)
			}
		})

		t.Run("Import", func(t *testing.T) {
			res, err := db.ImportDeprivation(ctx, admin, deprParse(t, deprFile), "  fictief — testgegevens ")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, y := range res.Years {
				got = append(got, fmt.Sprintf("%d:%d:%d:%s", y.Year, y.Municipalities, y.Replaced, y.Source))
			}
			want := []string{"2023:6:0:fictief — testgegevens", "2024:5:0:fictief — testgegevens", "2025:3:0:fictief — testgegevens"}
			if res.Values != 14 || !cmp.Equal(got, want) {
				t.Fatalf("import %d values, years %v; want 14, %v", res.Values, got, want)
			}
			if n := count(); n != 14 {
				t.Fatalf("%d values stored, want 14", n)
			}
			evs, err := db.AuditEvents(ctx, audit.Filter{Action: "deprivation.import"})
			if err != nil || len(evs) != 1 || evs[0].ObjectID != "2023-2025" || evs[0].ActorEmail != admin.Email ||
				!strings.Contains(evs[0].Detail, "values=14 replaced=0") {
				t.Fatalf("audit %+v %v", evs, err)
			}
		})

		t.Run("Read", func(t *testing.T) {
			for _, c := range []struct {
				nis  string
				want []string
			}{
				// A merged municipality: its predecessors' figures for the
				// years before the merger, under their own names.
				{"46030", []string{
					"2023 46003 Beveren predecessor 10.2", "2023 46013 Kruibeke predecessor 7.1", "2023 11056 Zwijndrecht predecessor 12.4",
					"2024 46003 Beveren predecessor 10.5", "2024 46013 Kruibeke predecessor 7.3", "2024 11056 Zwijndrecht predecessor 12.0",
					"2025 46030 Beveren-Kruibeke-Zwijndrecht self 10.1"}},
				// Antwerpen kept its code and took in Borsbeek.
				{"11002", []string{"2023 11002 Antwerpen self 19.8", "2023 11007 Borsbeek predecessor 9.5", "2025 11002 Antwerpen self 19.2"}},
				// A municipality that merged away: its successor after.
				{"73040", []string{"2024 73040 Kortessem self 5.5", "2025 71072 Hasselt successor 11.0"}},
				{"11056", []string{"2023 11056 Zwijndrecht self 12.4", "2024 11056 Zwijndrecht self 12.0", "2025 46030 Beveren-Kruibeke-Zwijndrecht successor 10.1"}},
				{"13016", []string{"2023 13016 Hulshout self 6.6", "2024 13016 Hulshout self 6.9"}},
				{"12014", nil},
			} {
				s, err := db.DeprivationIndex(ctx, analyst, c.nis)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(c.want, deprRows(s)); diff != "" {
					t.Errorf("%s (-want +got):\n%s", c.nis, diff)
				}
			}
			s, _ := db.DeprivationIndex(ctx, leadNoord, "11056")
			if f := s.Figures[0]; f.Births == nil || *f.Births != 900 || f.Deprived == nil || *f.Deprived != 112 || f.Source != "fictief — testgegevens" {
				t.Errorf("Zwijndrecht 2023: %+v", f)
			}
			if !s.Fictitious() || !cmp.Equal(s.Years(), []int{2023, 2024, 2025}) {
				t.Errorf("fictitious %v, years %v", s.Fictitious(), s.Years())
			}
			for _, a := range []deprActor{{"ocmw_admin", ocmwAdminOR}, {"dpo", dpoOCMW}, {"worker", workerZuid}, {"admin", admin}} {
				if _, err := db.DeprivationIndex(ctx, a.actor, "13016"); err != nil {
					t.Errorf("%s reads: %v", a.name, err)
				}
			}
			if _, err := db.DeprivationIndex(ctx, clinicUser, "13016"); apperr.Code(err) != apperr.Forbidden {
				t.Errorf("clinic reads: %v, want forbidden", err)
			}
			if _, err := db.DeprivationIndex(ctx, analyst, "99999"); apperr.Code(err) != apperr.NotFound {
				t.Errorf("unknown code: %v, want not_found", err)
			}
		})

		t.Run("BadValueStoresNothing", func(t *testing.T) {
			before := count()
			audits := MustCount(t, db, "SELECT count(*) FROM audit_events")
			good := deprParse(t, "NIS;Jaar;Index\n13013;2022;5,0\n12014;2022;8,0\n")
			for name, bad := range map[string]deprivation.Value{
				"MergedAway": {NIS: "46003", Year: 2025, Percent: 10},
				"Unknown":    {NIS: "99999", Year: 2022, Percent: 10},
				"Percent":    {NIS: "13016", Year: 2022, Percent: 101},
				"Duplicate":  good[0],
			} {
				_, err := db.ImportDeprivation(ctx, admin, append(append([]deprivation.Value{}, good...), bad), "")
				if apperr.Code(err) != apperr.Invalid {
					t.Errorf("%s: %v, want invalid", name, err)
				}
			}
			if _, err := db.ImportDeprivation(ctx, admin, nil, ""); apperr.Code(err) != apperr.Invalid {
				t.Errorf("no values: %v, want invalid", err)
			}
			if _, err := db.ImportDeprivation(ctx, admin, good, strings.Repeat("x", 201)); apperr.Code(err) != apperr.Invalid {
				t.Errorf("long source: %v, want invalid", err)
			}
			if count() != before || MustCount(t, db, "SELECT count(*) FROM audit_events") != audits {
				t.Fatal("a refused import changed rows")
			}
			years, _ := db.DeprivationYears(ctx, analyst)
			if len(years) != 3 {
				t.Errorf("years after refused imports: %+v", years)
			}
		})

		t.Run("ReimportReplacesTheYear", func(t *testing.T) {
			// A new 2023 file without Hulshout: the year is replaced as a
			// whole, the other years stay.
			res, err := db.ImportDeprivation(ctx, admin, deprParse(t, "NIS;Jaar;Index\n13013;2023;5,0\n11002;2023;19,9\n"), "")
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Years) != 1 || res.Years[0].Replaced != 6 || res.Years[0].Municipalities != 2 || res.Years[0].Source != deprivation.DefaultSource {
				t.Fatalf("reimport %+v", res)
			}
			s, _ := db.DeprivationIndex(ctx, analyst, "13016")
			if diff := cmp.Diff([]string{"2024 13016 Hulshout self 6.9"}, deprRows(s)); diff != "" {
				t.Errorf("Hulshout after the new 2023 file (-want +got):\n%s", diff)
			}
			s, _ = db.DeprivationIndex(ctx, analyst, "11002")
			if diff := cmp.Diff([]string{"2023 11002 Antwerpen self 19.9", "2025 11002 Antwerpen self 19.2"}, deprRows(s)); diff != "" {
				t.Errorf("Antwerpen (-want +got):\n%s", diff)
			}
			if s.Figures[0].Source != deprivation.DefaultSource || s.Figures[1].Source != "fictief — testgegevens" {
				t.Errorf("sources per year: %+v", s.Figures)
			}
			years, err := db.DeprivationYears(ctx, ocmwAdminOR)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, y := range years {
				got = append(got, fmt.Sprintf("%d:%d", y.Year, y.Municipalities))
			}
			if diff := cmp.Diff([]string{"2025:3", "2024:5", "2023:2"}, got); diff != "" {
				t.Errorf("years (-want +got):\n%s", diff)
			}
			if _, err := db.DeprivationYears(ctx, clinicUser); apperr.Code(err) != apperr.Forbidden {
				t.Errorf("clinic lists years: %v", err)
			}
			evs, _ := db.AuditEvents(ctx, audit.Filter{Action: "deprivation.import", Limit: 1})
			if len(evs) != 1 || evs[0].ObjectID != "2023" || !strings.Contains(evs[0].Detail, "values=2 replaced=6") {
				t.Errorf("audit of the reimport: %+v", evs)
			}
		})
	})
}

type deprActor struct {
	name  string
	actor account.Actor
}
