package municipality

import (
	"encoding/json"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"
)

func day(t testing.TB, s string) time.Time {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func load(t testing.TB) *Registry {
	t.Helper()
	r, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return r
}

func nisOf(ms []Municipality) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.NIS
	}
	return out
}

func namesOf(ms []Municipality) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Name
	}
	return out
}

func TestOnCounts(t *testing.T) {
	r := load(t)
	tests := []struct {
		day    string
		region Region
		want   int
	}{
		{"2018-12-31", Flanders, 0},
		{"2018-12-31", Brussels, 0},
		{"2019-01-01", Flanders, 300},
		{"2023-03-08", Flanders, 300},
		{"2024-12-31", Flanders, 300},
		{"2025-01-01", Flanders, 285},
		{"2026-06-30", Flanders, 285},
		{"2019-01-01", Brussels, 19},
		{"2023-03-08", Brussels, 19},
		{"2024-12-31", Brussels, 19},
		{"2025-01-01", Brussels, 19},
		{"2030-01-01", Brussels, 19},
		{"2023-03-08", "", 319},
		{"2025-01-01", "", 304},
		{"2025-01-01", "wallonia", 0},
	}
	for _, tt := range tests {
		got := r.On(day(t, tt.day), tt.region)
		if len(got) != tt.want {
			t.Errorf("On(%s, %q) = %d municipalities, want %d", tt.day, tt.region, len(got), tt.want)
		}
		for _, m := range got {
			if tt.region != "" && m.Region != tt.region {
				t.Errorf("On(%s, %q) returned %s of region %q", tt.day, tt.region, m.NIS, m.Region)
			}
		}
	}
}

func TestOnSortedByName(t *testing.T) {
	r := load(t)
	got := r.On(day(t, "2025-01-01"), "")
	if !slices.IsSortedFunc(got, func(a, b Municipality) int {
		return compareLower(a.Name, b.Name)
	}) {
		t.Errorf("On is not sorted by name: %v", namesOf(got)[:10])
	}
	if got[0].Name != "Aalst" {
		t.Errorf("first municipality = %s, want Aalst", got[0].Name)
	}
}

func compareLower(a, b string) int {
	la, lb := []byte(a), []byte(b)
	for i := range la {
		if la[i] >= 'A' && la[i] <= 'Z' {
			la[i] += 'a' - 'A'
		}
	}
	for i := range lb {
		if lb[i] >= 'A' && lb[i] <= 'Z' {
			lb[i] += 'a' - 'A'
		}
	}
	return slices.Compare(la, lb)
}

// A day's time of day and location do not matter, only its calendar date.
func TestOnCalendarDay(t *testing.T) {
	r := load(t)
	brussels, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	// 2025-01-01 00:30 in Brussels is still 2024-12-31 in UTC.
	d := time.Date(2025, 1, 1, 0, 30, 0, 0, brussels)
	if n := len(r.On(d, Flanders)); n != 285 {
		t.Errorf("On(2025-01-01 00:30 Brussels) = %d, want 285", n)
	}
	d = time.Date(2024, 12, 31, 23, 59, 59, 0, time.UTC)
	if n := len(r.On(d, Flanders)); n != 300 {
		t.Errorf("On(2024-12-31 23:59:59 UTC) = %d, want 300", n)
	}
}

func TestMergerCounts(t *testing.T) {
	r := load(t)
	all := r.All()
	successors := map[string]bool{}
	ended, newCodes, flemish, brussels := 0, 0, 0, 0
	for _, m := range all {
		if m.SuccessorNIS != "" {
			successors[m.SuccessorNIS] = true
		}
		if m.ValidTo != nil {
			ended++
			if m.SuccessorNIS == "" || !m.ValidTo.Equal(day(t, "2024-12-31")) {
				t.Errorf("%s ends %v with successor %q", m.NIS, m.ValidTo, m.SuccessorNIS)
			}
		} else if m.SuccessorNIS != "" {
			t.Errorf("%s has successor %s but no end", m.NIS, m.SuccessorNIS)
		}
		if m.ValidFrom.Equal(day(t, "2025-01-01")) {
			newCodes++
		} else if !m.ValidFrom.Equal(day(t, "2019-01-01")) {
			t.Errorf("%s valid from %v", m.NIS, m.ValidFrom)
		}
		switch m.Region {
		case Flanders:
			flemish++
		case Brussels:
			brussels++
		default:
			t.Errorf("%s has region %q", m.NIS, m.Region)
		}
	}
	checks := []struct {
		what      string
		got, want int
	}{
		{"records", len(all), 331},
		{"Flemish records", flemish, 312},
		{"Brussels records", brussels, 19},
		{"distinct successors", len(successors), 13},
		{"merged-away records (ValidTo set)", ended, 27},
		{"new 2025 codes", newCodes, 12},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.what, c.got, c.want)
		}
	}
	// The 28 old municipalities of mergers-2025.csv: 27 predecessors plus Antwerpen, which kept
	// its code.
	parts := 0
	for s := range successors {
		m, ok := r.ByNIS(s)
		if !ok || m.ValidTo != nil || !r.ValidOn(s, day(t, "2025-01-01")) {
			t.Errorf("successor %s missing or not valid in 2025", s)
		}
		parts += len(r.Predecessors(s))
		if r.ValidOn(s, day(t, "2024-12-31")) {
			parts++ // kept its code
		}
	}
	if parts != 28 {
		t.Errorf("old municipalities in mergers = %d, want 28", parts)
	}
}

func TestByNIS(t *testing.T) {
	r := load(t)
	tests := []struct {
		nis, name, province string
		region              Region
		from                string
		to                  string // "" = open end
		successor           string
		pop                 int
	}{
		{"11002", "Antwerpen", "Antwerpen", Flanders, "2019-01-01", "", "", 540196},
		{"11007", "Borsbeek", "Antwerpen", Flanders, "2019-01-01", "2024-12-31", "11002", 10949},
		{"11056", "Zwijndrecht", "Antwerpen", Flanders, "2019-01-01", "2024-12-31", "46030", 19154},
		{"46030", "Beveren-Kruibeke-Zwijndrecht", "Oost-Vlaanderen", Flanders, "2025-01-01", "", "", 85047},
		{"23106", "Pajottegem", "Vlaams-Brabant", Flanders, "2025-01-01", "", "", 0},
		{"71072", "Hasselt", "Limburg", Flanders, "2025-01-01", "", "", 0},
		{"71022", "Hasselt", "Limburg", Flanders, "2019-01-01", "2024-12-31", "71072", 0},
		{"73040", "Kortessem", "Limburg", Flanders, "2019-01-01", "2024-12-31", "71072", 0},
		{"13016", "Hulshout", "Antwerpen", Flanders, "2019-01-01", "", "", 10471},
		{"44021", "Gent", "Oost-Vlaanderen", Flanders, "2019-01-01", "", "", 0},
		{"21004", "Brussel", BrusselsProvince, Brussels, "2019-01-01", "", "", 0},
		{"21001", "Anderlecht", BrusselsProvince, Brussels, "2019-01-01", "", "", 0},
	}
	for _, tt := range tests {
		m, ok := r.ByNIS(tt.nis)
		if !ok {
			t.Errorf("ByNIS(%s) not found", tt.nis)
			continue
		}
		if m.NIS != tt.nis || m.Name != tt.name || m.Province != tt.province || m.Region != tt.region ||
			m.SuccessorNIS != tt.successor || !m.ValidFrom.Equal(day(t, tt.from)) {
			t.Errorf("ByNIS(%s) = %+v", tt.nis, m)
		}
		if (tt.to == "") != (m.ValidTo == nil) || tt.to != "" && !m.ValidTo.Equal(day(t, tt.to)) {
			t.Errorf("ByNIS(%s).ValidTo = %v, want %q", tt.nis, m.ValidTo, tt.to)
		}
		if tt.pop != 0 && m.Population2020 != tt.pop {
			t.Errorf("ByNIS(%s).Population2020 = %d, want %d", tt.nis, m.Population2020, tt.pop)
		}
		if m.Region == Flanders && m.Population2020 <= 0 {
			t.Errorf("ByNIS(%s).Population2020 = %d", tt.nis, m.Population2020)
		}
		if len(m.PostalCodes) == 0 {
			t.Errorf("ByNIS(%s) has no postal codes", tt.nis)
		}
	}
	for _, nis := range []string{"", "99999", "11000", "10000", "1102", "82039"} {
		if _, ok := r.ByNIS(nis); ok {
			t.Errorf("ByNIS(%q) found", nis)
		}
	}
}

// Antwerpen is one record; On shows its 2019–2024 territory before 2025 so that population
// sums match in both eras.
func TestAntwerpenOneRecordTwoTerritories(t *testing.T) {
	r := load(t)
	n := 0
	for _, m := range r.All() {
		if m.NIS == "11002" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("11002 has %d records, want 1", n)
	}
	find := func(ms []Municipality, nis string) Municipality {
		for _, m := range ms {
			if m.NIS == nis {
				return m
			}
		}
		t.Fatalf("%s not in list", nis)
		return Municipality{}
	}
	a23 := find(r.On(day(t, "2023-03-08"), Flanders), "11002")
	a25 := find(r.On(day(t, "2025-03-08"), Flanders), "11002")
	if a23.Population2020 != 529247 || slices.Contains(a23.PostalCodes, "2150") {
		t.Errorf("Antwerpen 2023 = %d %v", a23.Population2020, a23.PostalCodes)
	}
	if a25.Population2020 != 540196 || !slices.Contains(a25.PostalCodes, "2150") {
		t.Errorf("Antwerpen 2025 = %d %v", a25.Population2020, a25.PostalCodes)
	}
	for _, a := range []Municipality{a23, a25} {
		if !a.ValidFrom.Equal(day(t, "2019-01-01")) || a.ValidTo != nil || a.SuccessorNIS != "" {
			t.Errorf("Antwerpen validity %+v", a)
		}
	}
	for _, d := range []string{"2019-01-01", "2023-03-08", "2024-12-31", "2025-01-01", "2026-01-01"} {
		sum := 0
		for _, m := range r.On(day(t, d), Flanders) {
			sum += m.Population2020
		}
		if sum != 6629143 {
			t.Errorf("Flemish population 2020 summed over On(%s) = %d, want 6629143", d, sum)
		}
	}
}

func TestValidOn(t *testing.T) {
	r := load(t)
	tests := []struct {
		nis, day string
		want     bool
	}{
		{"11007", "2024-12-31", true},
		{"11007", "2025-01-01", false},
		{"11007", "2018-12-31", false},
		{"11002", "2019-01-01", true},
		{"11002", "2030-01-01", true},
		{"71072", "2024-12-31", false},
		{"71072", "2025-01-01", true},
		{"21004", "2025-01-01", true},
		{"99999", "2023-01-01", false},
	}
	for _, tt := range tests {
		if got := r.ValidOn(tt.nis, day(t, tt.day)); got != tt.want {
			t.Errorf("ValidOn(%s, %s) = %v, want %v", tt.nis, tt.day, got, tt.want)
		}
	}
}

func TestSuccessorOn(t *testing.T) {
	r := load(t)
	tests := []struct {
		nis, day string
		want     string // "" = not found
	}{
		{"73040", "2025-02-01", "71072"},
		{"73040", "2023-03-08", "73040"},
		{"73040", "2024-12-31", "73040"},
		{"71022", "2025-01-01", "71072"},
		{"11007", "2025-01-01", "11002"},
		{"11002", "2023-03-08", "11002"},
		{"11002", "2025-01-01", "11002"},
		{"11056", "2025-06-01", "46030"},
		{"44045", "2025-06-01", "46029"},
		{"13016", "2025-06-01", "13016"},
		{"21004", "2025-06-01", "21004"},
		{"71072", "2023-03-08", ""}, // did not exist yet
		{"73040", "2018-01-01", ""},
		{"99999", "2025-01-01", ""},
	}
	for _, tt := range tests {
		m, ok := r.SuccessorOn(tt.nis, day(t, tt.day))
		if ok != (tt.want != "") || m.NIS != tt.want {
			t.Errorf("SuccessorOn(%s, %s) = %s, %v; want %q", tt.nis, tt.day, m.NIS, ok, tt.want)
		}
	}
	m, _ := r.SuccessorOn("73040", day(t, "2025-02-01"))
	if m.Name != "Hasselt" {
		t.Errorf("SuccessorOn(Kortessem) name = %s", m.Name)
	}
	// Every 2023 municipality has exactly one 2025 municipality.
	for _, m := range r.On(day(t, "2023-03-08"), "") {
		if _, ok := r.SuccessorOn(m.NIS, day(t, "2025-01-01")); !ok {
			t.Errorf("SuccessorOn(%s, 2025-01-01) not found", m.NIS)
		}
	}
}

func TestPredecessors(t *testing.T) {
	r := load(t)
	tests := []struct {
		nis  string
		want []string
	}{
		{"46030", []string{"Beveren", "Kruibeke", "Zwijndrecht"}},
		{"71072", []string{"Hasselt", "Kortessem"}},
		{"23106", []string{"Galmaarden", "Gooik", "Herne"}},
		{"46029", []string{"Lokeren", "Moerbeke"}},
		{"11002", []string{"Borsbeek"}},
		{"13016", []string{}},
		{"11007", []string{}},
		{"21004", []string{}},
		{"99999", []string{}},
	}
	for _, tt := range tests {
		got := r.Predecessors(tt.nis)
		if got == nil || !slices.Equal(namesOf(got), tt.want) {
			t.Errorf("Predecessors(%s) = %v, want %v", tt.nis, namesOf(got), tt.want)
		}
		for _, p := range got {
			if p.SuccessorNIS != tt.nis {
				t.Errorf("predecessor %s of %s has successor %s", p.NIS, tt.nis, p.SuccessorNIS)
			}
		}
	}
	got := r.Predecessors("46030")
	if !slices.Equal(nisOf(got), []string{"46003", "46013", "11056"}) {
		t.Errorf("Predecessors(46030) codes = %v", nisOf(got))
	}
}

func TestByPostcode(t *testing.T) {
	r := load(t)
	tests := []struct {
		postcode, day string
		want          []string
	}{
		{"2235", "2023-03-08", []string{"13016"}},
		{"2235", "2025-03-08", []string{"13016"}},
		{"2150", "2024-12-31", []string{"11007"}},
		{"2150", "2025-01-01", []string{"11002"}},
		{"3720", "2023-03-08", []string{"73040"}},
		{"3720", "2025-03-08", []string{"71072"}},
		{"2070", "2025-03-08", []string{"46030"}},
		{"2070", "2023-03-08", []string{"11056"}},
		{"1000", "2023-03-08", []string{"21004"}},
		{"1050", "2025-03-08", []string{"21009"}},
		{" 2235 ", "2023-03-08", []string{"13016"}},
		{"2235", "2018-03-08", []string{}},
		{"4000", "2023-03-08", []string{}}, // Liège: not covered
		{"", "2023-03-08", []string{}},
	}
	for _, tt := range tests {
		got := r.ByPostcode(tt.postcode, day(t, tt.day))
		if got == nil || !slices.Equal(nisOf(got), tt.want) {
			t.Errorf("ByPostcode(%q, %s) = %v, want %v", tt.postcode, tt.day, nisOf(got), tt.want)
		}
	}
	// Every postal code of a valid municipality leads back to it.
	for _, d := range []string{"2023-03-08", "2025-03-08"} {
		for _, m := range r.On(day(t, d), "") {
			for _, pc := range m.PostalCodes {
				if !slices.Contains(nisOf(r.ByPostcode(pc, day(t, d))), m.NIS) {
					t.Errorf("ByPostcode(%s, %s) misses %s", pc, d, m.NIS)
				}
			}
		}
	}
}

var nisRE = regexp.MustCompile(`^\d{5}$`)

func TestCodesWellFormedAndUnique(t *testing.T) {
	r := load(t)
	all := r.All()
	seen := map[string]bool{}
	for i, m := range all {
		if !nisRE.MatchString(m.NIS) {
			t.Errorf("NIS %q does not match ^\\d{5}$", m.NIS)
		}
		if seen[m.NIS] {
			t.Errorf("duplicate NIS %s", m.NIS)
		}
		seen[m.NIS] = true
		if i > 0 && all[i-1].NIS >= m.NIS {
			t.Errorf("All not sorted by NIS at %s", m.NIS)
		}
		if m.SuccessorNIS != "" && !nisRE.MatchString(m.SuccessorNIS) {
			t.Errorf("%s has successor %q", m.NIS, m.SuccessorNIS)
		}
		if m.Name == "" || m.Province == "" {
			t.Errorf("%s has empty name or province", m.NIS)
		}
		wantBrussels := m.NIS[:2] == "21"
		if wantBrussels != (m.Region == Brussels) {
			t.Errorf("%s has region %s", m.NIS, m.Region)
		}
	}
	// Names are unique per day.
	for _, d := range []string{"2023-03-08", "2025-03-08"} {
		names := map[string]string{}
		for _, m := range r.On(day(t, d), "") {
			if other, dup := names[m.Name]; dup {
				t.Errorf("%s: name %s used by %s and %s", d, m.Name, other, m.NIS)
			}
			names[m.Name] = m.NIS
		}
	}
}

func TestProvinceCounts(t *testing.T) {
	r := load(t)
	tests := []struct {
		day  string
		want map[string]int
	}{
		{"2023-03-08", map[string]int{"Antwerpen": 69, "Vlaams-Brabant": 65, "West-Vlaanderen": 64, "Oost-Vlaanderen": 60, "Limburg": 42}},
		{"2025-03-08", map[string]int{"Antwerpen": 67, "Vlaams-Brabant": 63, "West-Vlaanderen": 62, "Oost-Vlaanderen": 55, "Limburg": 38}},
	}
	for _, tt := range tests {
		got := map[string]int{}
		for _, m := range r.On(day(t, tt.day), Flanders) {
			got[m.Province]++
		}
		for p, n := range tt.want {
			if got[p] != n {
				t.Errorf("%s: province %s has %d municipalities, want %d", tt.day, p, got[p], n)
			}
		}
		if len(got) != len(tt.want) {
			t.Errorf("%s: provinces %v", tt.day, got)
		}
	}
}

// Returned values are copies: mutating them does not change the registry.
func TestImmutable(t *testing.T) {
	r := load(t)
	m, _ := r.ByNIS("11007")
	m.PostalCodes[0] = "0000"
	*m.ValidTo = time.Time{}
	m.Name = "x"
	again, _ := r.ByNIS("11007")
	if again.PostalCodes[0] != "2150" || !again.ValidTo.Equal(day(t, "2024-12-31")) || again.Name != "Borsbeek" {
		t.Errorf("registry changed through a returned value: %+v", again)
	}
	g := GeoJSON(2025)
	g[0] = 'X'
	if GeoJSON(2025)[0] == 'X' {
		t.Error("GeoJSON returned the shared bytes")
	}
}

func TestGeoJSON(t *testing.T) {
	r := load(t)
	tests := []struct {
		year     int
		day      string
		features int
	}{
		{2023, "2023-03-08", 300},
		{2019, "2019-01-01", 300},
		{2024, "2024-12-31", 300},
		{2025, "2025-01-01", 285},
		{2026, "2026-01-01", 285},
	}
	for _, tt := range tests {
		var fc struct {
			Type     string `json:"type"`
			Features []struct {
				Properties struct {
					NIS string `json:"nis"`
				} `json:"properties"`
			} `json:"features"`
		}
		if err := json.Unmarshal(GeoJSON(tt.year), &fc); err != nil {
			t.Fatalf("GeoJSON(%d): %v", tt.year, err)
		}
		if fc.Type != "FeatureCollection" || len(fc.Features) != tt.features {
			t.Errorf("GeoJSON(%d): %s with %d features, want %d", tt.year, fc.Type, len(fc.Features), tt.features)
		}
		var got []string
		for _, f := range fc.Features {
			got = append(got, f.Properties.NIS)
		}
		want := nisOf(r.On(day(t, tt.day), Flanders))
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("GeoJSON(%d) nis set differs from On(%s, flanders)", tt.year, tt.day)
		}
	}
	if GeoJSON(2018) != nil {
		t.Error("GeoJSON(2018) != nil")
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" = error
	}{
		{"2023-03-08", "2023-03-08T00:00:00Z"},
		{"2024-02-29", "2024-02-29T00:00:00Z"},
		{"2023-02-29", ""},
		{"2023-3-08", ""},
		{"2023-03-8", ""},
		{"23-03-08", ""},
		{"2023/03/08", ""},
		{"2023-03-08T00:00:00Z", ""},
		{" 2023-03-08", ""},
		{"2023-13-01", ""},
		{"+023-03-08", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("ParseDate(%q) = %v, want error", tt.in, got)
			}
			continue
		}
		if err != nil || got.Format(time.RFC3339) != tt.want || got.Location() != time.UTC {
			t.Errorf("ParseDate(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func TestMustLoadShared(t *testing.T) {
	var wg sync.WaitGroup
	regs := make([]*Registry, 8)
	for i := range regs {
		wg.Go(func() { regs[i] = MustLoad() })
	}
	wg.Wait()
	for _, r := range regs {
		if r != regs[0] || r == nil {
			t.Fatal("MustLoad did not return one shared registry")
		}
	}
	// Concurrent reads are safe (run with -race).
	for range 8 {
		wg.Go(func() {
			r := MustLoad()
			_ = r.On(time.Now(), "")
			_, _ = r.SuccessorOn("73040", time.Now())
			_ = r.ByPostcode("2235", time.Now())
		})
	}
	wg.Wait()
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOn(b *testing.B) {
	r := MustLoad()
	d := time.Date(2023, 3, 8, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		_ = r.On(d, Flanders)
	}
}
