// Package municipality holds the embedded reference data of the municipalities that Kansrijk
// works with: the 300 Flemish municipalities of 2019–2024, the 285 Flemish municipalities from
// 1 January 2025 (13 mergers), and the 19 municipalities of the Brussels-Capital Region.
//
// Every municipality is a single record identified by its NIS (REFNIS) code with a validity
// period. A municipality that disappeared in a 2025 merger ends on 2024-12-31 and points to its
// successor, so history recorded under an old code can be carried to the new OCMW while
// questions about the past ("on 8 March 2023, which had signed?") still answer with the old
// names. Antwerpen (11002) kept its code when it absorbed Borsbeek and is one record, valid from
// 2019-01-01 with an open end.
//
// Dates are calendar days: a day argument is reduced to its year, month and day in its own
// location, and validity bounds are UTC midnights. The data (sources and licences in
// data/SOURCES.md) is parsed by Load; MustLoad returns a shared registry loaded once.
package municipality

import (
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Region is the Belgian region a municipality lies in.
type Region string

// The regions covered by the reference data.
const (
	// Flanders is the Flemish Region (Vlaams Gewest).
	Flanders Region = "flanders"
	// Brussels is the Brussels-Capital Region.
	Brussels Region = "brussels"
)

// BrusselsProvince is the Province value of the Brussels municipalities. The Brussels-Capital
// Region belongs to no province; this is the name of its single arrondissement.
const BrusselsProvince = "Brussel-Hoofdstad"

// Municipality is one municipality over its validity period.
//
// Values returned by a Registry are copies: changing one does not affect the registry.
type Municipality struct {
	// NIS is the 5-digit NIS (REFNIS) code, e.g. "11002".
	NIS string
	// Name is the official Dutch name.
	Name string
	// Province is the Dutch province name of the municipality's own era (Zwijndrecht 11056
	// stays "Antwerpen"), or BrusselsProvince for Brussels.
	Province string
	// Region is Flanders or Brussels.
	Region Region
	// ValidFrom is the first day of validity (UTC midnight): 2019-01-01 or 2025-01-01.
	ValidFrom time.Time
	// ValidTo is the last valid day (UTC midnight), nil while the municipality still exists.
	ValidTo *time.Time
	// SuccessorNIS is the code of the municipality it merged into, "" if none.
	SuccessorNIS string
	// Population2020 is the legal population on 1 January 2020 (Statbel) of the territory the
	// value describes. For a 2025 municipality it is the sum of its pre-merger parts. It is 0
	// when unknown (the Brussels municipalities).
	Population2020 int
	// PostalCodes are the bpost postal codes assigned to the municipality (each code to one
	// municipality only), sorted.
	PostalCodes []string
}

// Registry is the set of all municipality records. It is immutable after loading and safe for
// concurrent use.
type Registry struct {
	recs   []Municipality          // sorted by NIS; one record per NIS code
	byNIS  map[string]int          // NIS → index in recs
	preds  map[string][]int        // successor NIS → indexes of the records that merged into it
	early  map[string]Municipality // attributes before 2025-01-01 of code-keeping municipalities whose territory changed
	pc2023 map[string][]string     // Flemish postal code → NIS codes, 2019–2024
	pc2025 map[string][]string     // Flemish postal code → NIS codes, from 2025
	pcBru  map[string][]string     // Brussels postal code → NIS codes
}

var (
	firstDay    = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	mergerDay   = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	lastDay2024 = time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)
)

//go:embed data/municipalities-2023.csv
var municipalities2023CSV string

//go:embed data/municipalities-2025.csv
var municipalities2025CSV string

//go:embed data/mergers-2025.csv
var mergers2025CSV string

//go:embed data/nis-2023-to-2025.csv
var crosswalkCSV string

//go:embed data/postal-codes.csv
var postalCodesCSV string

//go:embed data/brussels-municipalities.csv
var brusselsCSV string

//go:embed data/flanders-municipalities-2023.geojson
var geoJSON2023 string

//go:embed data/flanders-municipalities-2025.geojson
var geoJSON2025 string

var (
	sharedOnce     sync.Once
	sharedRegistry *Registry
	sharedErr      error
)

// MustLoad returns the shared registry, loading the embedded data on the first call only. It
// panics if the embedded data is invalid, which the package tests rule out.
func MustLoad() *Registry {
	sharedOnce.Do(func() { sharedRegistry, sharedErr = Load() })
	if sharedErr != nil {
		panic("municipality: " + sharedErr.Error())
	}
	return sharedRegistry
}

// GeoJSON returns a copy of the embedded GeoJSON FeatureCollection of Flemish municipal
// boundaries (WGS84, RFC 7946 winding; feature properties nis, name_nl, province,
// arrondissement_nis) in force in the given year: for 2019–2024 (pass 2023) the 300
// municipalities of that period, for 2025 and later the 285 municipalities from 2025. It returns
// nil for years before 2019. Brussels has no boundaries.
//
// Credit maps with "Gemeentegrenzen: Statbel (statistische sectoren), vereenvoudigd door
// Provincies in Cijfers" and the period (see data/SOURCES.md).
func GeoJSON(year int) []byte {
	switch {
	case year < 2019:
		return nil
	case year < 2025:
		return []byte(geoJSON2023)
	default:
		return []byte(geoJSON2025)
	}
}

// ParseDate parses a strict YYYY-MM-DD date (e.g. "2023-03-08") as UTC midnight.
func ParseDate(s string) (time.Time, error) {
	ok := len(s) == 10 && s[4] == '-' && s[7] == '-'
	for i := 0; ok && i < len(s); i++ {
		if i != 4 && i != 7 && (s[i] < '0' || s[i] > '9') {
			ok = false
		}
	}
	if !ok {
		return time.Time{}, fmt.Errorf("municipality: invalid date %q: want YYYY-MM-DD", s)
	}
	t, err := time.ParseInLocation(time.DateOnly, s, time.UTC)
	if err != nil {
		return time.Time{}, fmt.Errorf("municipality: invalid date %q: %w", s, err)
	}
	return t, nil
}

// dateOf reduces t to its calendar day in its own location, as UTC midnight.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// validOn reports whether m is valid on the calendar day d (UTC midnight).
func validOn(m *Municipality, d time.Time) bool {
	return !d.Before(m.ValidFrom) && (m.ValidTo == nil || !d.After(*m.ValidTo))
}

// clone returns a copy of m that shares no memory with it.
func clone(m Municipality) Municipality {
	if m.ValidTo != nil {
		t := *m.ValidTo
		m.ValidTo = &t
	}
	m.PostalCodes = slices.Clone(m.PostalCodes)
	return m
}

// view returns record i as it was on day d: for a municipality that kept its code in a 2025
// merger (Antwerpen), the name, province, population and postal codes of its 2019–2024
// territory before 2025-01-01, so that sums over On(day) add up for every day.
func (r *Registry) view(i int, d time.Time) Municipality {
	m := r.recs[i]
	if e, ok := r.early[m.NIS]; ok && d.Before(mergerDay) {
		m = e
	}
	return clone(m)
}

// sortByName sorts ms by lowercased name, then by NIS code.
func sortByName(ms []Municipality) {
	type keyed struct {
		key string
		m   Municipality
	}
	ks := make([]keyed, len(ms))
	for i, m := range ms {
		ks[i] = keyed{strings.ToLower(m.Name), m}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.m.NIS, b.m.NIS)
	})
	for i := range ks {
		ms[i] = ks[i].m
	}
}

// On returns the municipalities valid on day, of the given region ("" for both), sorted by
// name. It returns 300 Flemish municipalities for days in 2019–2024, 285 from 2025-01-01, 19 in
// Brussels from 2019, and none before 2019 or for an unknown region.
func (r *Registry) On(day time.Time, region Region) []Municipality {
	d := dateOf(day)
	out := make([]Municipality, 0, 320)
	for i := range r.recs {
		m := &r.recs[i]
		if (region == "" || m.Region == region) && validOn(m, d) {
			out = append(out, r.view(i, d))
		}
	}
	sortByName(out)
	return out
}

// ByNIS returns the municipality with the given NIS code, of any era. For Antwerpen (11002),
// whose territory grew in 2025, it returns the current attributes.
func (r *Registry) ByNIS(nis string) (Municipality, bool) {
	i, ok := r.byNIS[nis]
	if !ok {
		return Municipality{}, false
	}
	return clone(r.recs[i]), true
}

// ValidOn reports whether the municipality with the given NIS code exists on day.
func (r *Registry) ValidOn(nis string, day time.Time) bool {
	i, ok := r.byNIS[nis]
	return ok && validOn(&r.recs[i], dateOf(day))
}

// SuccessorOn returns the municipality that nis had become on day, following the successor
// chain: nis itself if it is valid on day, e.g. 71072 Hasselt for Kortessem 73040 on
// 2025-02-01. It reports false for an unknown code and for a day before the municipality
// existed.
func (r *Registry) SuccessorOn(nis string, day time.Time) (Municipality, bool) {
	i, ok := r.byNIS[nis]
	if !ok {
		return Municipality{}, false
	}
	d := dateOf(day)
	for range len(r.recs) { // bounded: a chain visits each record at most once
		m := &r.recs[i]
		if validOn(m, d) {
			return r.view(i, d), true
		}
		if m.ValidTo == nil || !d.After(*m.ValidTo) || m.SuccessorNIS == "" {
			return Municipality{}, false
		}
		if i, ok = r.byNIS[m.SuccessorNIS]; !ok {
			return Municipality{}, false
		}
	}
	return Municipality{}, false
}

// Predecessors returns, sorted by name, the municipalities that ended by merging into the
// municipality nis (their SuccessorNIS is nis), e.g. Beveren, Kruibeke and Zwijndrecht for
// 46030. It is empty for a municipality that was not formed by a merger. A municipality that
// kept its code is not its own predecessor: for Antwerpen 11002 it returns only Borsbeek 11007.
func (r *Registry) Predecessors(nis string) []Municipality {
	idx := r.preds[nis]
	out := make([]Municipality, 0, len(idx))
	for _, i := range idx {
		out = append(out, clone(r.recs[i]))
	}
	sortByName(out)
	return out
}

// ByPostcode returns, sorted by name, the municipalities valid on day to which the postal code
// is assigned: Flemish codes by the 2019–2024 or the 2025 assignment depending on day (2150 is
// Borsbeek until 2024-12-31 and Antwerpen from 2025), and Brussels codes. A postal code is only
// a hint: decide the competent OCMW from the address's municipality. Brussels 1050 is given to
// Elsene although it also covers a strip of the City of Brussels.
func (r *Registry) ByPostcode(postcode string, day time.Time) []Municipality {
	postcode = strings.TrimSpace(postcode)
	d := dateOf(day)
	flemish := r.pc2025
	if d.Before(mergerDay) {
		flemish = r.pc2023
	}
	var out []Municipality
	for _, nis := range slices.Concat(flemish[postcode], r.pcBru[postcode]) {
		if i, ok := r.byNIS[nis]; ok && validOn(&r.recs[i], d) {
			out = append(out, r.view(i, d))
		}
	}
	if out == nil {
		return []Municipality{}
	}
	sortByName(out)
	return out
}

// All returns every municipality record, of every era and both regions (331: 300 Flemish from
// 2019, 12 new Flemish codes from 2025, 19 in Brussels), sorted by NIS code.
func (r *Registry) All() []Municipality {
	out := make([]Municipality, len(r.recs))
	for i := range r.recs {
		out[i] = clone(r.recs[i])
	}
	return out
}

// Load parses and cross-checks the embedded data and returns a new registry.
func Load() (*Registry, error) {
	m23, err := readMunicipalities("municipalities-2023.csv", municipalities2023CSV, false)
	if err != nil {
		return nil, err
	}
	m25, err := readMunicipalities("municipalities-2025.csv", municipalities2025CSV, true)
	if err != nil {
		return nil, err
	}
	crosswalk, err := readCrosswalk(m23, m25)
	if err != nil {
		return nil, err
	}
	if err := checkMergers(crosswalk); err != nil {
		return nil, err
	}

	r := &Registry{
		recs:  make([]Municipality, 0, len(m23.rows)+len(m25.rows)),
		byNIS: make(map[string]int, len(m23.rows)+len(m25.rows)),
		preds: make(map[string][]int, 16),
		early: make(map[string]Municipality),
	}
	for _, old := range m23.rows {
		target := crosswalk[old.m.NIS]
		if target == old.m.NIS {
			// Unchanged, or kept its code (Antwerpen): one open-ended record with the current
			// attributes, remembering the 2019–2024 ones if they differ.
			cur := m25.byNIS[target].m
			cur.ValidFrom = firstDay
			if !sameAttrs(old.m, cur) {
				e := old.m
				e.ValidFrom = firstDay
				r.early[cur.NIS] = e
			}
			r.recs = append(r.recs, cur)
			continue
		}
		m := old.m
		m.ValidFrom = firstDay
		end := lastDay2024
		m.ValidTo = &end
		m.SuccessorNIS = target
		r.recs = append(r.recs, m)
	}
	for _, cur := range m25.rows {
		if _, existed := m23.byNIS[cur.m.NIS]; existed {
			continue
		}
		m := cur.m
		m.ValidFrom = mergerDay
		r.recs = append(r.recs, m)
	}
	bru, err := readBrussels()
	if err != nil {
		return nil, err
	}
	r.recs = append(r.recs, bru...)

	slices.SortFunc(r.recs, func(a, b Municipality) int { return strings.Compare(a.NIS, b.NIS) })
	for i, m := range r.recs {
		if _, dup := r.byNIS[m.NIS]; dup {
			return nil, fmt.Errorf("municipality: NIS %s occurs in more than one file", m.NIS)
		}
		r.byNIS[m.NIS] = i
		if m.SuccessorNIS != "" {
			r.preds[m.SuccessorNIS] = append(r.preds[m.SuccessorNIS], i)
		}
	}

	if r.pc2023, r.pc2025, err = readPostalCodes(m23, m25); err != nil {
		return nil, err
	}
	r.pcBru = make(map[string][]string, 32)
	for _, m := range bru {
		for _, pc := range m.PostalCodes {
			r.pcBru[pc] = append(r.pcBru[pc], m.NIS)
		}
	}
	return r, nil
}

// sameAttrs reports whether a and b describe the same territory and names.
func sameAttrs(a, b Municipality) bool {
	return a.Name == b.Name && a.Province == b.Province && a.Region == b.Region &&
		a.Population2020 == b.Population2020 && slices.Equal(a.PostalCodes, b.PostalCodes)
}

// table is a parsed CSV file with named columns.
type table struct {
	file string
	col  map[string]int
	rows [][]string
}

// readCSV parses data, requiring the named columns in the header row. The embedded files are
// plain CSV without quoting (checked), so a line is split on commas; this keeps Load fast.
func readCSV(file, data string, required ...string) (*table, error) {
	data = strings.TrimSuffix(strings.ReplaceAll(data, "\r\n", "\n"), "\n")
	if strings.ContainsRune(data, '"') {
		return nil, fmt.Errorf("municipality: %s: quoted CSV fields are not supported", file)
	}
	lines := strings.Split(data, "\n")
	header := strings.Split(lines[0], ",")
	t := &table{file: file, col: make(map[string]int, len(header)), rows: make([][]string, 0, len(lines)-1)}
	for i, h := range header {
		t.col[strings.TrimSpace(h)] = i
	}
	for _, c := range required {
		if _, ok := t.col[c]; !ok {
			return nil, fmt.Errorf("municipality: %s: missing column %q", file, c)
		}
	}
	for i, line := range lines[1:] {
		rec := strings.Split(line, ",")
		if len(rec) != len(header) {
			return nil, fmt.Errorf("municipality: %s line %d: %d fields, want %d", file, i+2, len(rec), len(header))
		}
		t.rows = append(t.rows, rec)
	}
	return t, nil
}

// get returns column c of row i, trimmed.
func (t *table) get(i int, c string) string {
	return strings.TrimSpace(t.rows[i][t.col[c]])
}

// errorf returns an error pointing to row i of t (line i+2 of the file).
func (t *table) errorf(i int, format string, args ...any) error {
	return fmt.Errorf("municipality: %s line %d: %s", t.file, i+2, fmt.Sprintf(format, args...))
}

// validNIS reports whether s is a 5-digit code.
func validNIS(s string) bool {
	if len(s) != 5 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// flemishNIS reports whether s is a Flemish municipality code.
func flemishNIS(s string) bool {
	return validNIS(s) && strings.ContainsRune("12347", rune(s[0])) && !strings.HasPrefix(s, "21") &&
		!strings.HasSuffix(s, "000")
}

// splitCodes splits a ';'-separated list and sorts it.
func splitCodes(s string) []string {
	if s == "" {
		return nil
	}
	out := strings.Split(s, ";")
	for i := range out {
		out[i] = strings.TrimSpace(out[i])
	}
	slices.Sort(out)
	return out
}

// munRow is a row of a municipality list.
type munRow struct {
	m     Municipality
	parts []string // 2025 file only: the 2023 codes it is made of
}

// munList is a parsed municipalities-YYYY.csv.
type munList struct {
	rows  []munRow
	byNIS map[string]*munRow // points into rows
}

// readMunicipalities parses a Flemish municipality list.
func readMunicipalities(file, data string, with2023 bool) (*munList, error) {
	cols := []string{"nis", "name_nl", "province", "population_2020", "postal_codes"}
	if with2023 {
		cols = append(cols, "nis_2023")
	}
	t, err := readCSV(file, data, cols...)
	if err != nil {
		return nil, err
	}
	l := &munList{rows: make([]munRow, 0, len(t.rows)), byNIS: make(map[string]*munRow, len(t.rows))}
	for i := range t.rows {
		nis := t.get(i, "nis")
		if !flemishNIS(nis) {
			return nil, t.errorf(i, "invalid Flemish NIS code %q", nis)
		}
		if _, dup := l.byNIS[nis]; dup {
			return nil, t.errorf(i, "duplicate NIS code %s", nis)
		}
		pop, err := strconv.Atoi(t.get(i, "population_2020"))
		if err != nil || pop <= 0 {
			return nil, t.errorf(i, "invalid population_2020 %q", t.get(i, "population_2020"))
		}
		row := munRow{m: Municipality{
			NIS:            nis,
			Name:           t.get(i, "name_nl"),
			Province:       t.get(i, "province"),
			Region:         Flanders,
			Population2020: pop,
			PostalCodes:    splitCodes(t.get(i, "postal_codes")),
		}}
		if row.m.Name == "" || row.m.Province == "" || len(row.m.PostalCodes) == 0 {
			return nil, t.errorf(i, "empty name, province or postal codes")
		}
		if with2023 {
			row.parts = splitCodes(t.get(i, "nis_2023"))
		}
		l.rows = append(l.rows, row) // no reallocation: capacity is len(t.rows)
		l.byNIS[nis] = &l.rows[len(l.rows)-1]
	}
	return l, nil
}

// readCrosswalk parses nis-2023-to-2025.csv and checks it against both lists and the
// nis_2023 column of the 2025 list. It returns 2023 code → 2025 code.
func readCrosswalk(m23, m25 *munList) (map[string]string, error) {
	t, err := readCSV("nis-2023-to-2025.csv", crosswalkCSV, "nis_2023", "nis_2025", "changed")
	if err != nil {
		return nil, err
	}
	cw := make(map[string]string, len(t.rows))
	parts := make(map[string][]string, len(m25.rows))
	for i := range t.rows {
		o, n := t.get(i, "nis_2023"), t.get(i, "nis_2025")
		if _, ok := m23.byNIS[o]; !ok {
			return nil, t.errorf(i, "unknown 2023 code %q", o)
		}
		if _, ok := m25.byNIS[n]; !ok {
			return nil, t.errorf(i, "unknown 2025 code %q", n)
		}
		if _, dup := cw[o]; dup {
			return nil, t.errorf(i, "duplicate 2023 code %s", o)
		}
		if ch := t.get(i, "changed"); ch != "yes" && ch != "no" || ch == "no" && o != n {
			return nil, t.errorf(i, "changed=%q inconsistent with %s → %s", ch, o, n)
		}
		cw[o] = n
		parts[n] = append(parts[n], o)
	}
	if len(cw) != len(m23.rows) {
		return nil, fmt.Errorf("municipality: crosswalk covers %d of %d 2023 codes", len(cw), len(m23.rows))
	}
	for _, row := range m25.rows {
		p := parts[row.m.NIS]
		slices.Sort(p)
		if !slices.Equal(p, row.parts) {
			return nil, fmt.Errorf("municipality: 2025 municipality %s: nis_2023 %v, crosswalk %v", row.m.NIS, row.parts, p)
		}
		// A 2025 code that existed in 2023 must be that same municipality continuing.
		if _, existed := m23.byNIS[row.m.NIS]; existed && cw[row.m.NIS] != row.m.NIS {
			return nil, fmt.Errorf("municipality: code %s reused for a different municipality", row.m.NIS)
		}
	}
	return cw, nil
}

// checkMergers checks mergers-2025.csv against the crosswalk: it must list exactly the 2023
// municipalities whose 2025 municipality was formed from more than one, or has a new code.
func checkMergers(cw map[string]string) error {
	t, err := readCSV("mergers-2025.csv", mergers2025CSV, "old_nis", "new_nis")
	if err != nil {
		return err
	}
	size := make(map[string]int)
	for _, n := range cw {
		size[n]++
	}
	seen := make(map[string]bool, len(t.rows))
	for i := range t.rows {
		o, n := t.get(i, "old_nis"), t.get(i, "new_nis")
		if cw[o] != n {
			return t.errorf(i, "merger %s → %s disagrees with crosswalk (%q)", o, n, cw[o])
		}
		if seen[o] {
			return t.errorf(i, "duplicate old code %s", o)
		}
		seen[o] = true
	}
	for o, n := range cw {
		if (o != n || size[n] > 1) != seen[o] {
			return fmt.Errorf("municipality: mergers-2025.csv and crosswalk disagree about %s", o)
		}
	}
	return nil
}

// readBrussels parses brussels-municipalities.csv.
func readBrussels() ([]Municipality, error) {
	t, err := readCSV("brussels-municipalities.csv", brusselsCSV, "nis", "name_nl", "arrondissement_nis", "postal_codes")
	if err != nil {
		return nil, err
	}
	out := make([]Municipality, 0, len(t.rows))
	for i := range t.rows {
		nis := t.get(i, "nis")
		if !validNIS(nis) || !strings.HasPrefix(nis, "21") || t.get(i, "arrondissement_nis") != "21000" {
			return nil, t.errorf(i, "not a Brussels municipality: %q", nis)
		}
		m := Municipality{
			NIS:         nis,
			Name:        t.get(i, "name_nl"),
			Province:    BrusselsProvince,
			Region:      Brussels,
			ValidFrom:   firstDay,
			PostalCodes: splitCodes(t.get(i, "postal_codes")),
		}
		if m.Name == "" || len(m.PostalCodes) == 0 {
			return nil, t.errorf(i, "empty name or postal codes")
		}
		out = append(out, m)
	}
	return out, nil
}

// readPostalCodes parses postal-codes.csv into postal code → NIS indexes for 2019–2024 and
// 2025, and checks them against the postal_codes columns of both lists.
func readPostalCodes(m23, m25 *munList) (pc23, pc25 map[string][]string, err error) {
	t, err := readCSV("postal-codes.csv", postalCodesCSV, "postal_code", "nis_2023", "nis_2025")
	if err != nil {
		return nil, nil, err
	}
	pc23 = make(map[string][]string, len(t.rows))
	pc25 = make(map[string][]string, len(t.rows))
	for i := range t.rows {
		pc, o, n := t.get(i, "postal_code"), t.get(i, "nis_2023"), t.get(i, "nis_2025")
		if len(pc) != 4 || !validNIS("0"+pc) {
			return nil, nil, t.errorf(i, "invalid postal code %q", pc)
		}
		if _, dup := pc23[pc]; dup {
			return nil, nil, t.errorf(i, "duplicate postal code %s", pc)
		}
		ro, ok1 := m23.byNIS[o]
		rn, ok2 := m25.byNIS[n]
		if !ok1 || !ok2 {
			return nil, nil, t.errorf(i, "unknown municipality %q or %q", o, n)
		}
		if _, ok := slices.BinarySearch(ro.m.PostalCodes, pc); !ok {
			return nil, nil, t.errorf(i, "%s not in postal_codes of %s (2023)", pc, o)
		}
		if _, ok := slices.BinarySearch(rn.m.PostalCodes, pc); !ok {
			return nil, nil, t.errorf(i, "%s not in postal_codes of %s (2025)", pc, n)
		}
		pc23[pc] = append(pc23[pc], o)
		pc25[pc] = append(pc25[pc], n)
	}
	// Every code in the lists' postal_codes columns must be in postal-codes.csv: with the
	// checks above, equal counts mean equal sets.
	c23, c25 := 0, 0
	for _, r := range m23.rows {
		c23 += len(r.m.PostalCodes)
	}
	for _, r := range m25.rows {
		c25 += len(r.m.PostalCodes)
	}
	if c23 != len(t.rows) || c25 != len(t.rows) {
		return nil, nil, fmt.Errorf("municipality: postal-codes.csv has %d codes, the 2023/2025 lists %d/%d", len(t.rows), c23, c25)
	}
	return pc23, pc25, nil
}
