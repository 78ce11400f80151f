package attendance

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"kansrijk/internal/dates"
	"kansrijk/internal/municipality"
	"kansrijk/internal/textnorm"
)

// How a row was matched (Match.How).
const (
	// HowNIS: by the NIS code in a NIS column (or a 5-digit code in the municipality column).
	HowNIS = "nis"
	// HowName: by the name, exactly or surrounded by words such as "Gemeente" or "OCMW".
	HowName = "name"
	// HowMerged: by the name or NIS code of a municipality that had merged by the campaign
	// date (Zwijndrecht on 2025-03-01); the match is its successor and Message says so.
	HowMerged = "merged"
	// HowPostcode: by a postal code (a postal-code column or a 4-digit code in the cell).
	HowPostcode = "postcode"
	// HowEmailDomain: by the domain of the e-mail address (kortenberg.be, ocmw-kortenberg.be,
	// stad.gent), used only when the municipality column names nothing ("" or just "OCMW")
	// and neither name nor postal code matched.
	HowEmailDomain = "email_domain"
	// HowFuzzy: by a name at one (or, for long names, two) typing errors from the text.
	HowFuzzy = "fuzzy"
	// HowDisplayName: by the words in parentheses after a display name, as Teams and Zoom
	// show them ("Els Claes (Gemeente Sint-Niklaas) (Gast)").
	HowDisplayName = "display_name"
	// HowChosen: the text fitted more than one municipality and the user chose one on the
	// report (ApplyChoices).
	HowChosen = "chosen"
)

// Problem codes (Match.Problem). A row without a problem is matched.
const (
	// ProblemUnknown: no municipality of that name or code existed on the campaign date.
	ProblemUnknown = "unknown_municipality"
	// ProblemAmbiguous: the text fits more than one municipality.
	ProblemAmbiguous = "ambiguous"
	// ProblemConflict: the NIS code and the name point to different municipalities.
	ProblemConflict = "conflict"
	// ProblemDuplicate: the same person as an earlier row (same e-mail address, or same name
	// and municipality). The row is kept once: the first matched row of the person counts
	// (with registration and attendance of all its rows combined), the others are duplicates.
	// Duplicates do not make a report unacceptable.
	ProblemDuplicate = "duplicate"
	// ProblemEmpty: the row names no municipality, organisation, NIS code or postal code (and
	// its e-mail domain is not a municipality's).
	ProblemEmpty = "empty_row"
	// ProblemInvalidValue: a registration or attendance cell has a value that is not yes/no.
	ProblemInvalidValue = "invalid_value"
	// ProblemInvalidText: a cell holds a control character (other than tab and line
	// breaks), as no text field may.
	ProblemInvalidText = "invalid_text"
	// ProblemOrganizer: the organiser, presenter or host of the meeting, not matched to a
	// municipality (the team or Opgroeien itself). Shown, not imported, and like duplicates it
	// does not make a report unacceptable.
	ProblemOrganizer = "organizer"
	// ProblemOutsideFlanders: matched to a Brussels municipality, which Kansrijk's outreach
	// does not follow. Shown, not imported, and it does not make a report unacceptable.
	ProblemOutsideFlanders = "outside_flanders"
)

// Candidate is a municipality a row may mean, offered to the user for an ambiguous row.
type Candidate struct {
	NIS  string
	Name string
}

// Match is the outcome for one row.
type Match struct {
	// Row is the row; for the row kept of a duplicated person, Registered and Attended
	// combine all its rows.
	Row Row
	// NIS and MunicipalityName identify the municipality matched, as it was on the campaign
	// date. They are also filled for a duplicate and for an invalid value.
	NIS              string
	MunicipalityName string
	// How is one of the How constants, "" if nothing was matched.
	How string
	// Problem is "" for a matched row, else one of the Problem constants.
	Problem string
	// Message explains the outcome in Dutch for the user interface.
	Message string
	// Text is what the row said about where the person comes from, as matched: the
	// municipality, organisation or postal-code cell, the words after the display name, or
	// "@" and the e-mail domain. Names of people are not in it.
	Text string
	// Candidates are the municipalities an ambiguous row may mean (ProblemAmbiguous), sorted
	// by name: the user chooses one (ApplyChoices).
	Candidates []Candidate
}

// Report is the outcome of MatchAll.
type Report struct {
	Encoding, Separator string
	Header              []string
	// Date is the campaign date the rows were matched on (YYYY-MM-DD).
	Date string
	// Rows has one Match per row of the table, in file order.
	Rows []Match
	// Matched counts rows without a problem, Duplicates the rows with ProblemDuplicate,
	// Organizers those with ProblemOrganizer, OutsideFlanders those with
	// ProblemOutsideFlanders, and Unmatched all others:
	// Matched + Unmatched + Duplicates + Organizers + OutsideFlanders == len(Rows).
	Matched, Unmatched, Duplicates, Organizers int
	// Ambiguous counts the unmatched rows the user may settle by choosing a municipality.
	Ambiguous int
	// OutsideFlanders counts the rows with ProblemOutsideFlanders (not in Unmatched).
	OutsideFlanders int
	// NotRead lists the sections of a meeting report that were not read (Table.NotRead).
	NotRead []Section

	reg *municipality.Registry
	// Accepted is true if there is at least one matched row and no unmatched row. The caller
	// imports the matched rows of an accepted report, and of another report only if the user
	// asks to accept the matched rows only: never part of it silently.
	Accepted bool
}

// MatchAll matches every row of t to a municipality valid on the campaign date on, using reg
// (municipality.MustLoad() if nil).
func MatchAll(t *Table, reg *municipality.Registry, on time.Time) Report {
	if reg == nil {
		reg = municipality.MustLoad()
	}
	y, mo, d := on.Date()
	on = time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	rep := Report{Date: on.Format(time.DateOnly), reg: reg}
	if t == nil {
		return rep
	}
	rep.Encoding, rep.Separator, rep.Header = t.Encoding, t.Separator, slices.Clone(t.Header)
	ix := newIndex(reg, on)
	rep.Rows = make([]Match, len(t.Rows))
	for i, row := range t.Rows {
		rep.Rows[i] = ix.match(row)
	}
	rep.NotRead = slices.Clone(t.NotRead)
	markDuplicates(rep.Rows)
	rep.count()
	return rep
}

// count sets aside the rows matched to a Brussels municipality, then sets the counters and
// Accepted from the rows.
func (rep *Report) count() {
	rep.Matched, rep.Unmatched, rep.Duplicates, rep.Organizers, rep.Ambiguous, rep.OutsideFlanders = 0, 0, 0, 0, 0, 0
	for i := range rep.Rows {
		m := &rep.Rows[i]
		if m.Problem != "" || m.NIS == "" || rep.reg == nil {
			continue
		}
		if x, ok := rep.reg.ByNIS(m.NIS); ok && x.Region != municipality.Flanders {
			m.Problem = ProblemOutsideFlanders
			m.Message = fmt.Sprintf("%s (%s) ligt in het Brussels Hoofdstedelijk Gewest; Kansrijk volgt alleen Vlaamse gemeenten op. Deze rij wordt niet ingelezen.", x.Name, x.NIS)
		}
	}
	for _, m := range rep.Rows {
		switch m.Problem {
		case ProblemOutsideFlanders:
			rep.OutsideFlanders++
		case "":
			rep.Matched++
		case ProblemDuplicate:
			rep.Duplicates++
		case ProblemOrganizer:
			rep.Organizers++
		default:
			rep.Unmatched++
			if m.Problem == ProblemAmbiguous && len(m.Candidates) > 0 {
				rep.Ambiguous++
			}
		}
	}
	rep.Accepted = rep.Matched > 0 && rep.Unmatched == 0
}

// ApplyChoices settles ambiguous rows with the municipality the user chose on the report:
// choices maps a row's line to a NIS code. A choice counts only for an ambiguous row and only
// if it is one of the row's candidates; any other choice is ignored (the row stays as it
// was). It returns the number of rows settled.
func (rep *Report) ApplyChoices(choices map[int]string) int {
	n := 0
	for i := range rep.Rows {
		m := &rep.Rows[i]
		nis, ok := choices[m.Row.Line]
		if !ok || m.Problem != ProblemAmbiguous {
			continue
		}
		for _, c := range m.Candidates {
			if c.NIS == nis {
				m.NIS, m.MunicipalityName, m.How, m.Problem = c.NIS, c.Name, HowChosen, ""
				m.Message = fmt.Sprintf("%q kon meer dan één gemeente zijn; u koos %s (%s).", m.Text, c.Name, c.NIS)
				n++
				break
			}
		}
	}
	rep.count()
	return n
}

// index finds municipalities by name for one campaign date.
type index struct {
	reg *municipality.Registry
	on  time.Time
	*nameTable

	// Memos: exports repeat the same municipality texts on many rows. An index serves one
	// MatchAll call, so they need no locking.
	nameMemo  map[string]nameResult
	fuzzyMemo map[fuzzyKey]fuzzyResult
	buf       distBuf
}

// nameTable holds the names of every municipality of a registry, of every era. It does not
// depend on the date and is built once per registry (registries are immutable).
type nameTable struct {
	byKey   map[string][]string // name key → NIS codes
	domains map[string][]string // e-mail domain → NIS codes (see domainTable)
	names   []fuzzyName
	maxN    int // most tokens in a name
}

var nameTables sync.Map // *municipality.Registry → *nameTable

type nameResult struct {
	o  outcome
	ok bool
}

type fuzzyKey struct {
	cell  string
	typos bool // typoLimit, else suggestLimit
}

type fuzzyResult struct {
	best []fuzzyName
	dist int
}

type fuzzyName struct {
	key  []rune
	bag  letterBag
	name string
	nis  string
}

// letterBag counts the letters a–z of a key, and all other characters together.
type letterBag [27]int32

func bagOf(key []rune) letterBag {
	var b letterBag
	for _, r := range key {
		if r >= 'a' && r <= 'z' {
			b[r-'a']++
		} else {
			b[26]++
		}
	}
	return b
}

// bagDistance is a lower bound of the edit distance of two keys: the larger of the numbers of
// characters that one has and the other lacks.
func bagDistance(a, b *letterBag) int {
	var plus, minus int32
	for i := range a {
		if d := a[i] - b[i]; d > 0 {
			plus += d
		} else {
			minus -= d
		}
	}
	return int(max(plus, minus))
}

// aliases are French and English names of the larger cities, which exports from
// international tools sometimes carry.
var aliases = map[string]string{
	"antwerp": "11002", "anvers": "11002", "ghent": "44021", "gand": "44021", "louvain": "24062",
	"malines": "12025", "mechlin": "12025", "bruges": "31005", "courtrai": "34022", "ostend": "35013",
	"ostende": "35013", "alost": "41002", "ypres": "33011", "renaix": "45041", "audenarde": "45035",
	"tongres": "73083", "sainttrond": "71053", "furnes": "38025", "hal": "23027", "tirlemont": "24107",
	"termonde": "42006", "vilvorde": "23088", "grammont": "41018", "menin": "34027",
	"brussels": "21004", "bruxelles": "21004", "brussels city": "21004", "saintgilles": "21013",
}

// shortForms are names people write short for a municipality whose short form is also, or
// also nearly, another municipality's name: "Sint-Gillis" typed by hand is the Brussels
// municipality or Sint-Gillis-Waas. A short form is added to the names of the municipalities
// listed, so that it fits all of them and the row is ambiguous: the user chooses.
var shortForms = map[string][]string{
	"Sint-Gillis": {"Sint-Gillis-Waas"},
}

func newIndex(reg *municipality.Registry, on time.Time) *index {
	nt, ok := nameTables.Load(reg)
	if !ok {
		nt, _ = nameTables.LoadOrStore(reg, newNameTable(reg))
	}
	return &index{reg: reg, on: on, nameTable: nt.(*nameTable),
		nameMemo: map[string]nameResult{}, fuzzyMemo: map[fuzzyKey]fuzzyResult{}}
}

func newNameTable(reg *municipality.Registry) *nameTable {
	all := reg.All()
	nt := &nameTable{byKey: make(map[string][]string, len(all)+len(aliases))}
	for _, m := range all {
		toks := nameTokens(m.Name)
		k := key(toks)
		nt.byKey[k] = append(nt.byKey[k], m.NIS)
		nt.names = append(nt.names, fuzzyName{[]rune(k), bagOf([]rune(k)), m.Name, m.NIS})
		nt.maxN = max(nt.maxN, len(toks))
	}
	for a, nis := range aliases {
		if m, ok := reg.ByNIS(nis); ok {
			k := strings.ReplaceAll(a, " ", "")
			nt.byKey[k] = append(nt.byKey[k], nis)
			nt.names = append(nt.names, fuzzyName{[]rune(k), bagOf([]rune(k)), m.Name, nis})
		}
	}
	for short, fulls := range shortForms {
		k := key(nameTokens(short))
		for _, full := range fulls {
			for _, nis := range nt.byKey[key(nameTokens(full))] {
				if !slices.Contains(nt.byKey[k], nis) {
					nt.byKey[k] = append(nt.byKey[k], nis)
				}
			}
		}
		slices.Sort(nt.byKey[k])
	}
	nt.domains = domainTable(all)
	// Map iteration order varies: sort the names so that results never depend on it.
	slices.SortFunc(nt.names, func(a, b fuzzyName) int {
		return strings.Compare(string(a.key)+"\x00"+a.nis, string(b.key)+"\x00"+b.nis)
	})
	return nt
}

// outcome is the result of resolving candidate NIS codes on the campaign date.
type outcome struct {
	m       municipality.Municipality // the municipality on the date
	from    municipality.Municipality // the municipality named, if it had merged into m
	merged  bool
	found   bool
	several []municipality.Municipality // more than one municipality fits
	notYet  []municipality.Municipality // named municipalities that did not exist yet on the date
}

// resolve turns NIS codes of any era into the municipality valid on the campaign date:
// directly, or through the merger it was part of.
func (ix *index) resolve(codes []string) outcome {
	var o outcome
	var direct, merged []municipality.Municipality
	from := map[string]municipality.Municipality{}
	for _, c := range codes {
		if ix.reg.ValidOn(c, ix.on) {
			if m, ok := ix.reg.SuccessorOn(c, ix.on); ok && !containsNIS(direct, m.NIS) {
				direct = append(direct, m)
			}
			continue
		}
		if m, ok := ix.reg.SuccessorOn(c, ix.on); ok {
			if !containsNIS(merged, m.NIS) {
				merged = append(merged, m)
				if old, ok := ix.reg.ByNIS(c); ok {
					from[m.NIS] = old
				}
			}
			continue
		}
		if m, ok := ix.reg.ByNIS(c); ok && !containsNIS(o.notYet, m.NIS) {
			o.notYet = append(o.notYet, m)
		}
	}
	switch {
	case len(direct) == 1:
		o.m, o.found = direct[0], true
	case len(direct) > 1:
		o.several = direct
	case len(merged) == 1:
		o.m, o.found, o.merged, o.from = merged[0], true, true, from[merged[0].NIS]
	case len(merged) > 1:
		o.several = merged
	}
	return o
}

func containsNIS(ms []municipality.Municipality, nis string) bool {
	return slices.ContainsFunc(ms, func(m municipality.Municipality) bool { return m.NIS == nis })
}

// byName looks a cell up by name: the whole cell, else a name surrounded only by filler words
// ("OCMW Gent (sociale dienst)"). It reports whether any name occurred in the cell.
func (ix *index) byName(cell string) (outcome, bool) {
	if r, ok := ix.nameMemo[cell]; ok {
		return r.o, r.ok
	}
	o, ok := ix.byNameUncached(cell)
	ix.nameMemo[cell] = nameResult{o, ok}
	return o, ok
}

func (ix *index) byNameUncached(cell string) (outcome, bool) {
	toks := nameTokens(cell)
	if len(toks) == 0 {
		return outcome{}, false
	}
	if codes, ok := ix.byKey[key(toks)]; ok {
		return ix.resolve(codes), true
	}
	var codes []string
	for i := range toks {
		if i > 0 && !isFiller(toks[i-1]) {
			break // every word before a name must be filler
		}
		for l := min(ix.maxN, len(toks)-i); l >= 1; l-- {
			if c, ok := ix.byKey[key(toks[i:i+l])]; ok && allFiller(toks[i+l:]) {
				codes = append(codes, c...)
			}
		}
	}
	if len(codes) == 0 {
		return outcome{}, false
	}
	return ix.resolve(codes), true
}

func allFiller(ws []string) bool {
	for _, w := range ws {
		if !isFiller(w) {
			return false
		}
	}
	return true
}

// fuzzy finds the municipalities at the smallest edit distance from the cell, allowing one
// typing error in names of 5 to 8 letters and two from 9 letters; none for shorter names.
func (ix *index) fuzzy(cell string, typos bool) ([]fuzzyName, int) {
	k := fuzzyKey{cell, typos}
	if r, ok := ix.fuzzyMemo[k]; ok {
		return r.best, r.dist
	}
	limit := suggestLimit
	if typos {
		limit = typoLimit
	}
	best, dist := ix.fuzzyUncached(cell, limit)
	ix.fuzzyMemo[k] = fuzzyResult{best, dist}
	return best, dist
}

func (ix *index) fuzzyUncached(cell string, limit func(n int) int) (best []fuzzyName, dist int) {
	toks := nameTokens(cell)
	cands := []string{key(toks)}
	if k := key(trimFiller(toks)); k != cands[0] {
		cands = append(cands, k)
	}
	dist = -1
	for _, c := range cands {
		r := []rune(c)
		lim := limit(len(r))
		if lim <= 0 {
			continue
		}
		bag := bagOf(r)
		for i := range ix.names {
			n := &ix.names[i]
			if l := len(r) - len(n.key); l > lim || -l > lim || bagDistance(&bag, &n.bag) > lim {
				continue
			}
			d := ix.buf.distance(r, n.key, lim)
			if d > lim || d == 0 {
				continue
			}
			switch {
			case dist < 0 || d < dist:
				best, dist = []fuzzyName{*n}, d
			case d == dist:
				best = append(best, *n)
			}
		}
	}
	return best, dist
}

func typoLimit(n int) int {
	switch {
	case n >= 9:
		return 2
	case n >= 5:
		return 1
	}
	return 0
}

func suggestLimit(n int) int {
	return min(3, max(1, n/3))
}

// match matches one row. An organiser the row cannot place is not a problem of the file.
func (ix *index) match(row Row) Match {
	res := ix.matchRow(row)
	if res.Text == "" {
		res.Text = rowText(row)
	}
	if (row.Organizer || row.Internal && !row.Guest) && (res.Problem == ProblemUnknown || res.Problem == ProblemEmpty) {
		res.Problem = ProblemOrganizer
		if row.Organizer {
			res.Message = "Organisator of presentator van de vergadering, niet van een gemeente: niet meegeteld."
		} else {
			res.Message = "Geen gast maar iemand van de organisator (kolom 'Guest' is nee), niet van een gemeente: niet meegeteld."
		}
	}
	return res
}

// rowText is what a row says about where the person comes from, for the report.
func rowText(row Row) string {
	for _, s := range []string{row.Municipality, row.Organisation, strings.Join(row.Affiliations, ", "), row.Postcode, row.NIS} {
		if s != "" {
			return s
		}
	}
	if at := strings.LastIndexByte(row.Email, '@'); at >= 0 {
		return row.Email[at:]
	}
	return ""
}

// byAffiliation matches the words in parentheses after a display name, checked against the
// e-mail domain. ok is false when no affiliation names a municipality; text is then the
// affiliation that was tried, if any.
func (ix *index) byAffiliation(res Match, row Row) (Match, bool) {
	var hits []outcome
	var texts []string
	for _, a := range row.Affiliations {
		o, ok := ix.byName(a)
		if !ok {
			continue
		}
		switch {
		case o.found:
			if !slices.ContainsFunc(hits, func(h outcome) bool { return h.m.NIS == o.m.NIS }) {
				hits, texts = append(hits, o), append(texts, a)
			}
		case len(o.several) > 0:
			res.Text = a
			// The e-mail domain may settle it: an address at one of the municipalities.
			if eo, domain := ix.byEmail(row.Email); eo.found && containsNIS(o.several, eo.m.NIS) {
				r := ix.found(res, eo, HowEmailDomain, domain, row)
				if r.Problem == "" {
					r.Message = fmt.Sprintf("%q kan meer dan één gemeente zijn; het e-maildomein %s wijst op %s.", a, domain, eo.m.Name)
				}
				return r, true
			}
			return ambiguous(res, a, o.several), true
		}
	}
	switch len(hits) {
	case 0:
		return res, false
	case 1:
	default:
		res.Problem, res.Text = ProblemConflict, strings.Join(texts, ", ")
		res.Message = fmt.Sprintf("De weergavenaam noemt meer dan één gemeente (%s). Vul de juiste gemeente in een kolom 'Gemeente' in.", strings.Join(texts, ", "))
		return res, true
	}
	o, text := hits[0], texts[0]
	res.Text = text
	if eo, domain := ix.byEmail(row.Email); eo.found && eo.m.NIS != o.m.NIS {
		res.Problem = ProblemConflict
		res.Message = fmt.Sprintf("De weergavenaam noemt %q (%s), maar het e-maildomein %s hoort bij %s. Vul de juiste gemeente in een kolom 'Gemeente' in.",
			text, o.m.Name, domain, eo.m.Name)
		return res, true
	}
	r := ix.found(res, o, HowDisplayName, text, row)
	return r, true
}

// matchRow matches one row.
func (ix *index) matchRow(row Row) Match {
	res := Match{Row: row}
	if col, ok := controlCell(row); ok {
		res.Problem = ProblemInvalidText
		res.Message = fmt.Sprintf("Kolom %q bevat een onzichtbaar stuurteken; verwijder het.", col)
		return res
	}
	loc, org := row.Municipality, row.Organisation
	nisText := row.NIS
	if nisText == "" && isDigits(loc, 5) {
		nisText, loc = loc, ""
	}

	// 1. NIS code.
	var byNIS outcome
	var nisBad string // message if the NIS code does not exist on the date
	if nisText != "" {
		code := digitsOnly(nisText)
		if len(code) == 5 {
			if _, ok := ix.reg.ByNIS(code); ok {
				byNIS = ix.resolve([]string{code})
			}
		}
		if !byNIS.found {
			nisBad = fmt.Sprintf("De NIS-code %q bestaat niet op %s.", nisText, dutchDate(ix.on))
			if len(byNIS.notYet) > 0 {
				nisBad = ix.notYetMessage("NIS-code "+nisText, byNIS.notYet)
			}
		}
	}

	// 2. Name in the municipality column, else in the organisation column.
	var byName outcome
	var nameCell string
	for _, cell := range []string{loc, org} {
		if cell == "" {
			continue
		}
		if o, ok := ix.byName(cell); ok {
			byName, nameCell = o, cell
			break
		}
	}

	switch {
	case byNIS.found && byName.found && byName.m.NIS != byNIS.m.NIS:
		return ix.conflict(res, nisText, byNIS, nameCell, byName)
	case byNIS.found:
		return ix.found(res, byNIS, HowNIS, nisText, row)
	case nisBad != "" && byName.found:
		res.Problem, res.Message = ProblemConflict, nisBad+fmt.Sprintf(" De naam %q wijst op %s (%s); verbeter of wis de NIS-code.", nameCell, byName.m.Name, byName.m.NIS)
		return res
	case nisBad != "":
		res.Problem, res.Message = ProblemUnknown, nisBad
		return res
	case byName.found:
		return ix.found(res, byName, HowName, nameCell, row)
	case len(byName.several) > 0:
		res.Text = nameCell
		// A postal code may settle it: "Sint-Gillis" with 9170 is Sint-Gillis-Waas.
		for _, pc := range postcodes(row.Postcode, loc, org) {
			if ms := ix.reg.ByPostcode(pc, ix.on); len(ms) == 1 && containsNIS(byName.several, ms[0].NIS) {
				r := ix.found(res, outcome{m: ms[0], found: true}, HowPostcode, pc, row)
				if r.Problem == "" {
					r.Message = fmt.Sprintf("%q kan meer dan één gemeente zijn; postcode %s wijst op %s.", nameCell, pc, ms[0].Name)
				}
				return r
			}
		}
		return ambiguous(res, nameCell, byName.several)
	}

	// 2b. The words after a display name (Teams, Zoom), when no column names a place.
	var affTried bool
	if len(trimFiller(nameTokens(loc+" "+org))) == 0 && len(row.Affiliations) > 0 {
		if r, ok := ix.byAffiliation(res, row); ok {
			return r
		}
		affTried = true
	}

	// 3. Postal code: a postal-code column, or a 4-digit number in the cells.
	for _, pc := range postcodes(row.Postcode, loc, org) {
		ms := ix.reg.ByPostcode(pc, ix.on)
		switch {
		case len(ms) == 1:
			return ix.found(res, outcome{m: ms[0], found: true}, HowPostcode, pc, row)
		case len(ms) > 1:
			return ambiguous(res, "postcode "+pc, ms)
		}
	}

	// 4. E-mail domain, only when the municipality column names nothing ("", "OCMW").
	var domain string
	if len(trimFiller(nameTokens(loc))) == 0 {
		var o outcome
		if o, domain = ix.byEmail(row.Email); o.found {
			res.Text = "@" + domain
			return ix.found(res, o, HowEmailDomain, domain, row)
		} else if len(o.several) > 0 {
			res.Text = "@" + domain
			return ambiguous(res, "e-maildomein "+domain, o.several)
		}
	}
	if loc == "" && org == "" && row.Postcode == "" && nisText == "" && (affTried || domain != "") {
		res.Problem = ProblemEmpty
		switch {
		case affTried && domain != "":
			res.Problem = ProblemUnknown
			res.Message = fmt.Sprintf("Geen gemeente gevonden: %q in de weergavenaam is geen gemeente en het e-maildomein %s hoort bij geen gemeente. ",
				strings.Join(row.Affiliations, ", "), domain)
		case affTried:
			res.Problem = ProblemUnknown
			res.Message = fmt.Sprintf("Geen gemeente gevonden: %q in de weergavenaam is geen gemeente en er is geen e-mailadres. ", strings.Join(row.Affiliations, ", "))
		default:
			res.Message = fmt.Sprintf("Geen gemeente ingevuld, de naam noemt er geen (zoals '(Gemeente Lokeren)') en het e-maildomein %s hoort bij geen gemeente. ", domain)
		}
		res.Message += "Voeg een kolom 'Gemeente' toe aan het bestand en vul ze in voor deze rij."
		return res
	}

	// 5. A name with a typing error, unless the name was right but did not exist yet.
	for _, cell := range []string{loc, org} {
		if cell == "" || len(byName.notYet) > 0 {
			continue
		}
		// Each close name separately: a typing error close to a current and to a merged
		// municipality is ambiguous, not the current one.
		best, _ := ix.fuzzy(cell, true)
		var hits []outcome
		var named string
		for _, b := range best {
			if o := ix.resolve([]string{b.nis}); o.found && !slices.ContainsFunc(hits, func(h outcome) bool { return h.m.NIS == o.m.NIS }) {
				hits = append(hits, o)
				named = b.name
			}
		}
		switch len(hits) {
		case 0:
			continue
		case 1:
			o := hits[0]
			r := ix.found(res, o, HowFuzzy, cell, row)
			if r.Problem == "" {
				r.Message = fmt.Sprintf("%q lijkt op %s; controleer de schrijfwijze.", cell, named)
				if o.merged {
					r.Message += fmt.Sprintf(" %s is op 1 januari 2025 opgegaan in %s (%s).", named, o.m.Name, o.m.NIS)
				}
			}
			return r
		default:
			var ms []municipality.Municipality
			for _, h := range hits {
				ms = append(ms, h.m)
			}
			return ambiguous(res, cell, ms)
		}
	}

	// Not matched.
	switch {
	case len(byName.notYet) > 0:
		res.Problem, res.Message = ProblemUnknown, ix.notYetMessage(fmt.Sprintf("%q", nameCell), byName.notYet)
	case loc == "" && org == "" && row.Postcode == "" && nisText == "":
		res.Problem, res.Message = ProblemEmpty, "Geen gemeente of organisatie ingevuld."
	default:
		cell := loc
		if cell == "" {
			cell = org
		}
		if cell == "" {
			cell = row.Postcode
		}
		res.Problem = ProblemUnknown
		res.Message = fmt.Sprintf("%q is geen gemeente die op %s bestond. Controleer de schrijfwijze of vul de NIS-code in.", cell, dutchDate(ix.on))
		if best, _ := ix.fuzzy(cell, false); len(best) > 0 {
			var names []string
			for _, b := range best {
				if o := ix.resolve([]string{b.nis}); o.found && !slices.Contains(names, o.m.Name) {
					names = append(names, o.m.Name)
				}
			}
			if len(names) > 0 && len(names) <= 3 {
				res.Message += " Bedoelde u " + orList(names) + "?"
			}
		}
	}
	return res
}

// found fills res with a matched municipality.
func (ix *index) found(res Match, o outcome, how, text string, row Row) Match {
	res.NIS, res.MunicipalityName, res.How = o.m.NIS, o.m.Name, how
	switch how {
	case HowNIS:
		res.Message = fmt.Sprintf("Herkend aan de NIS-code %s.", o.m.NIS)
	case HowName:
		res.Message = fmt.Sprintf("Herkend aan de naam %q.", text)
	case HowPostcode:
		res.Message = fmt.Sprintf("Herkend aan postcode %s; controleer of dit de juiste gemeente is.", text)
	case HowEmailDomain:
		res.Message = fmt.Sprintf("Afgeleid uit het e-maildomein %s; controleer of dit de juiste gemeente is.", text)
	case HowDisplayName:
		res.Message = fmt.Sprintf("Herkend aan %q in de weergavenaam.", text)
	}
	if o.merged && how != HowFuzzy {
		res.How = HowMerged
		res.Message = fmt.Sprintf("%s (%s) is op 1 januari 2025 opgegaan in %s (%s); gekoppeld aan %s.",
			o.from.Name, o.from.NIS, o.m.Name, o.m.NIS, o.m.Name)
	}
	if len(row.Invalid) > 0 {
		var parts []string
		for _, h := range row.Invalid {
			parts = append(parts, fmt.Sprintf("%q in kolom %q", row.Raw[h], h))
		}
		res.Problem = ProblemInvalidValue
		res.Message = "Onbekende waarde " + strings.Join(parts, " en ") + "; gebruik ja of nee."
	}
	return res
}

func (ix *index) conflict(res Match, nisText string, byNIS outcome, cell string, byName outcome) Match {
	res.Problem = ProblemConflict
	res.Message = fmt.Sprintf("De NIS-code %s (%s) en de naam %q (%s, %s) wijzen naar verschillende gemeenten. Verbeter een van beide.",
		nisText, byNIS.m.Name, cell, byName.m.Name, byName.m.NIS)
	return res
}

func ambiguous(res Match, text string, ms []municipality.Municipality) Match {
	var names []string
	res.Candidates = nil
	for _, m := range ms {
		names = append(names, fmt.Sprintf("%s (%s)", m.Name, m.NIS))
		res.Candidates = append(res.Candidates, Candidate{NIS: m.NIS, Name: m.Name})
	}
	slices.Sort(names)
	slices.SortFunc(res.Candidates, func(a, b Candidate) int { return strings.Compare(a.Name+a.NIS, b.Name+b.NIS) })
	res.Problem = ProblemAmbiguous
	if res.Text == "" {
		res.Text = text
	}
	res.Message = fmt.Sprintf("%q kan meer dan één gemeente zijn: %s. Kies de juiste gemeente in het verslag of vul de NIS-code in.", text, strings.Join(names, ", "))
	return res
}

// notYetMessage explains that a municipality did not exist yet on the campaign date.
func (ix *index) notYetMessage(what string, ms []municipality.Municipality) string {
	m := ms[0]
	if ix.on.Before(time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)) {
		return fmt.Sprintf("%s: de lijst van gemeenten begint op 1 januari 2019; %s valt daarvoor.", what, dutchDate(ix.on))
	}
	msg := fmt.Sprintf("%s: %s (%s) bestaat pas sinds %s", what, m.Name, m.NIS, dutchDate(m.ValidFrom))
	if preds := ix.reg.Predecessors(m.NIS); len(preds) > 0 {
		var names []string
		for _, p := range preds {
			names = append(names, p.Name)
		}
		msg += fmt.Sprintf(" (fusie van %s). Op %s was dat nog %s: vul die gemeente in.",
			andList(names), dutchDate(ix.on), orList(names))
	} else {
		msg += "."
	}
	return msg
}

// byEmail matches the domain of an e-mail address to a municipality with the domain table:
// the domain itself or a parent domain (ocmw.sint-niklaas.be → sint-niklaas.be).
func (ix *index) byEmail(email string) (outcome, string) {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return outcome{}, ""
	}
	domain := strings.Trim(strings.ToLower(strings.TrimSpace(email[at+1:])), ".")
	for d := domain; strings.Count(d, ".") >= 1; {
		if codes, ok := ix.domains[d]; ok {
			return ix.resolve(codes), domain
		}
		_, d, _ = strings.Cut(d, ".")
	}
	return outcome{}, domain
}

// domainPrefixes are written before a municipality's name in the domains of local governments:
// sint-niklaas.be, ocmw-sint-niklaas.be, ocmwsintniklaas.be, stadsint-niklaas.be, ...
var domainPrefixes = []string{"", "ocmw-", "ocmw", "gemeente-", "gemeente", "stad-", "stad", "lokaalbestuur-",
	"lokaalbestuur", "lb-", "sociaalhuis-", "sociaalhuis", "welzijn-", "ocmw-en-gemeente-"}

// domainTable builds the e-mail domains of every municipality of every era from its name, so
// that an address at a municipality that merged (zwijndrecht.be) still points to it and, on
// a later date, to its successor: the name written with hyphens and without
// (sint-niklaas.be, sintniklaas.be), with the prefixes of domainPrefixes, under .be, and the
// Brussels municipalities also under .brussels. The short forms of shortForms are added to the
// municipalities they may mean, and the few domains that do not follow the pattern
// (stad.gent) are listed.
func domainTable(all []municipality.Municipality) map[string][]string {
	t := map[string][]string{}
	add := func(domain, nis string) {
		if !slices.Contains(t[domain], nis) {
			t[domain] = append(t[domain], nis)
		}
	}
	slugs := func(name string) []string {
		ws := textnorm.Words(name)
		return []string{strings.Join(ws, "-"), strings.Join(ws, "")}
	}
	byName := map[string][]string{}
	for _, m := range all {
		byName[m.Name] = append(byName[m.Name], m.NIS)
	}
	addName := func(name, nis string, brussels bool) {
		for _, slug := range slugs(name) {
			for _, p := range domainPrefixes {
				add(p+slug+".be", nis)
			}
			if brussels {
				add(slug+".brussels", nis)
			}
		}
	}
	for _, m := range all {
		addName(m.Name, m.NIS, m.Region == municipality.Brussels)
	}
	for short, fulls := range shortForms {
		for _, full := range fulls {
			for _, nis := range byName[full] {
				addName(short, nis, false)
			}
		}
	}
	for domain, name := range map[string]string{"stad.gent": "Gent", "gent.be": "Gent", "stad.antwerpen.be": "Antwerpen", "brussel.be": "Brussel"} {
		for _, nis := range byName[name] {
			add(domain, nis)
		}
	}
	for d := range t {
		slices.Sort(t[d])
	}
	return t
}

// postcodes returns the postal codes to try: the postal-code column, then 4-digit numbers in
// the cells.
func postcodes(col string, cells ...string) []string {
	var out []string
	if pc := digitsOnly(col); len(pc) == 4 {
		out = append(out, pc)
	}
	for _, c := range cells {
		for _, w := range textnorm.Words(c) {
			if isDigits(w, 4) && !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	return out
}

func isDigits(s string, n int) bool {
	s = strings.TrimSpace(s)
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// digitsOnly returns the digits of s if s holds nothing else than digits, spaces, dots and
// dashes ("11.056"), "" otherwise. A prefix "NIS" is allowed.
func digitsOnly(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 3 && strings.EqualFold(s[:3], "nis") {
		s = strings.TrimLeft(s[3:], " :-")
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == ' ' || c == '.' || c == '-':
		default:
			return ""
		}
	}
	return b.String()
}

// dutchDate formats a day as "8 maart 2023".
func dutchDate(t time.Time) string { return dates.Long(t) }

func andList(s []string) string { return joinList(s, "en") }
func orList(s []string) string  { return joinList(s, "of") }

func joinList(s []string, word string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " " + word + " " + s[len(s)-1]
}

// markDuplicates groups rows of the same person (same e-mail address, or same name and
// municipality) and keeps one row per person: the first matched row, else the first row. The
// kept row's Registered and Attended combine the group's; the others get ProblemDuplicate.
func markDuplicates(rows []Match) {
	parent := make([]int, len(rows))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int) {
		ra, rb := find(a), find(b)
		if ra != rb {
			if ra > rb {
				ra, rb = rb, ra
			}
			parent[rb] = ra
		}
	}
	first := map[string]int{}
	why := make([]string, len(rows))
	for i, m := range rows {
		var keys []string
		if e := strings.ToLower(strings.TrimSpace(m.Row.Email)); strings.Contains(e, "@") {
			keys = append(keys, "e\x00"+e)
		}
		if name := textnorm.Words(m.Row.Name); len(name) > 0 {
			slices.Sort(name) // "Deelnemer, Demo" is "Demo Deelnemer"
			where := m.NIS
			if where == "" {
				where = strings.Join(nameTokens(m.Row.Municipality+" "+m.Row.Organisation), " ")
			}
			if where != "" {
				keys = append(keys, "n\x00"+strings.Join(name, " ")+"\x00"+where)
			}
		}
		for _, k := range keys {
			if j, ok := first[k]; ok {
				if why[i] == "" {
					why[i] = "zelfde e-mailadres"
					if k[0] == 'n' {
						why[i] = "zelfde naam en gemeente"
					}
				}
				union(i, j)
			} else {
				first[k] = i
			}
		}
	}
	groups := map[int][]int{}
	for i := range rows {
		r := find(i)
		groups[r] = append(groups[r], i)
	}
	for _, g := range groups {
		if len(g) == 1 {
			continue
		}
		keep := g[0]
		for _, i := range g {
			if rows[i].Problem == "" {
				keep = i
				break
			}
		}
		for _, i := range g {
			if i == keep {
				continue
			}
			rows[keep].Row.Registered = rows[keep].Row.Registered || rows[i].Row.Registered
			rows[keep].Row.Attended = rows[keep].Row.Attended || rows[i].Row.Attended
			reason := why[i]
			if reason == "" {
				reason = "zelfde persoon"
			}
			rows[i].Problem = ProblemDuplicate
			rows[i].Message = fmt.Sprintf("Dubbel: dezelfde persoon als op regel %d (%s); die regel telt.", rows[keep].Row.Line, reason)
		}
	}
}

// controlCell returns the header of the first cell of row (in header
// order) that holds a control character, if any.
func controlCell(row Row) (string, bool) {
	var bad []string
	for h, v := range row.Raw {
		if _, ok := textnorm.ControlChar(v); ok {
			bad = append(bad, h)
		}
	}
	if len(bad) == 0 {
		return "", false
	}
	slices.Sort(bad)
	return bad[0], true
}
