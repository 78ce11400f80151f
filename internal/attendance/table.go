package attendance

import (
	"fmt"
	"strings"
	"unicode"

	"kansrijk/internal/textnorm"
)

// record is one logical line of a delimited file.
type record struct {
	line   int      // line the record starts on (1-based)
	off    int      // byte offset of its start
	fields []string // raw cell texts, quotes removed
}

// scan splits text (with "\n" line endings) into records separated by sep and calls fn for each
// until fn returns false. Quoting follows RFC 4180 leniently, as Excel reads it: a field that
// starts with '"' (after optional spaces) is quoted, may hold separators, line breaks and
// doubled quotes, and anything after its closing quote up to the next separator is appended; a
// quote inside an unquoted field is an ordinary character. A quoted field that is never closed
// is the only error. line is the line number of the start of text. The fields slice passed to
// fn is reused: copy it to keep it.
func scan(text string, sep byte, line int, fn func(record) bool) *Error {
	var fields []string
	var b strings.Builder
	i := 0
	for i < len(text) {
		rec := record{line: line, off: i}
		fields = fields[:0]
		for {
			// Skip spaces before an opening quote.
			j := i
			for j < len(text) && text[j] == ' ' && sep != ' ' {
				j++
			}
			if j < len(text) && text[j] == '"' {
				start := line
				b.Reset()
				j++
				for {
					if j >= len(text) {
						return &Error{Code: CodeMalformed, Line: start, Message: fmt.Sprintf(
							"Regel %d: een aanhalingsteken (\") wordt niet afgesloten. Controleer die regel in het bestand.", start)}
					}
					c := text[j]
					if c == '"' {
						if j+1 < len(text) && text[j+1] == '"' {
							b.WriteByte('"')
							j += 2
							continue
						}
						j++
						break
					}
					if c == '\n' {
						line++
					}
					b.WriteByte(c)
					j++
				}
				k := j
				for k < len(text) && text[k] != sep && text[k] != '\n' {
					k++
				}
				b.WriteString(text[j:k])
				fields = append(fields, b.String())
				j = k
			} else {
				k := i
				for k < len(text) && text[k] != sep && text[k] != '\n' {
					k++
				}
				fields = append(fields, text[i:k])
				j = k
			}
			if j < len(text) && text[j] == sep {
				i = j + 1
				if i == len(text) { // a separator at the very end: one more, empty field
					fields = append(fields, "")
					break
				}
				continue
			}
			if j < len(text) { // '\n'
				line++
				j++
			}
			i = j
			break
		}
		rec.fields = fields
		if !fn(rec) {
			return nil
		}
	}
	return nil
}

// column roles of header names.
type role int

const (
	roleNone role = iota
	roleMunicipality
	roleCity
	roleOrganisation
	roleNIS
	rolePostcode
	roleName
	roleFirst
	roleLast
	roleEmail
	roleFunction
	roleAttended
	roleRegistered
	roleRegTime
	roleJoin
	// Columns of meeting reports that matter only to recognise a header or a row's kind.
	roleUPN     // Teams "Deelnemer-id (UPN)": the sign-in name, an e-mail address
	roleRole    // Teams "Rol": Organisator, Presentator, Deelnemer
	roleLeave   // "Laatste vertrek", "Leave Time"
	roleGuest   // Zoom "Guest", "Is Guest"
	roleInvited // Webex "Invited"
	// roleSummary marks a column of a report summary ("Meeting ID", "Topic"): a line with
	// one is never the participants' header.
	roleSummary
)

var roleField = map[role]string{
	roleMunicipality: FieldMunicipality,
	roleCity:         FieldCity,
	roleOrganisation: FieldOrganisation,
	roleNIS:          FieldNIS,
	rolePostcode:     FieldPostcode,
	roleName:         FieldName,
	roleFirst:        FieldFirstName,
	roleLast:         FieldLastName,
	roleEmail:        FieldEmail,
	roleFunction:     FieldFunction,
	roleAttended:     FieldAttended,
	roleRegistered:   FieldRegistered,
	roleRegTime:      FieldRegistrationTime,
	roleJoin:         FieldJoinTime,
}

// headerNames maps normalised header names (see normHeader) to their role.
var headerNames = func() map[string]role {
	m := map[string]role{}
	add := func(r role, names ...string) {
		for _, n := range names {
			m[n] = r
		}
	}
	add(roleMunicipality, "gemeente", "municipality", "lokaal bestuur", "lokale overheid", "bestuur",
		"gemeentebestuur", "gemeente stad", "stad gemeente", "stad of gemeente", "gemeente of stad",
		"naam gemeente", "naam van de gemeente", "gemeentenaam", "gemeente naam", "local government",
		"local authority", "municipality name", "commune", "gemeente ocmw", "ocmw", "lokaal bestuur gemeente",
		"gemeente lokaal bestuur", "uw gemeente", "welke gemeente")
	add(roleCity, "stad", "city", "town", "woonplaats", "plaats", "city town", "locatie", "location")
	add(roleOrganisation, "organisatie", "organization", "organisation", "company", "bedrijf", "werkgever",
		"employer", "organisatie bestuur", "naam organisatie", "naam van de organisatie", "organisatie naam",
		"organization name", "organisation name", "company name", "instelling", "entiteit", "dienst",
		"organisatie lokaal bestuur", "lokaal bestuur organisatie")
	add(roleNIS, "nis", "nis code", "niscode", "ins", "ins code", "inscode", "refnis", "refnis code",
		"nis nummer", "nisnummer")
	add(rolePostcode, "postcode", "post code", "postal code", "zip", "zip code", "zipcode",
		"zip postal code", "postnummer")
	add(roleName, "naam", "name", "volledige naam", "full name", "user name", "user name original name",
		"name original name", "display name", "weergavenaam", "deelnemer", "participant", "attendee",
		"naam deelnemer", "deelnemer naam", "participant name", "attendee name", "naam en voornaam",
		"voornaam en naam", "voornaam en achternaam", "voor en achternaam", "contact", "contactpersoon")
	add(roleFirst, "voornaam", "first name", "firstname", "given name", "prenom")
	add(roleLast, "achternaam", "familienaam", "last name", "lastname", "surname", "family name")
	add(roleEmail, "e mail", "email", "e mailadres", "emailadres", "e mail adres", "email adres",
		"email address", "e mail address", "mail", "mailadres", "user email", "attendee email",
		"participant email", "e mailadres deelnemer", "emailaddress", "email deelnemer")
	add(roleFunction, "functie", "job title", "jobtitle", "function", "title", "functietitel", "position",
		"job", "beroep", "functie binnen de organisatie", "uw functie")
	add(roleAttended, "aanwezig", "attended", "aanwezigheid", "present", "deelgenomen", "attendance",
		"was aanwezig", "aanwezig ja nee", "aanwezig j n", "heeft deelgenomen", "attended yes no")
	add(roleRegistered, "geregistreerd", "registered", "ingeschreven", "inschrijving", "registratie",
		"registration", "ingeschreven ja nee")
	add(roleRegTime, "registration time", "registration date", "registratiedatum", "registratietijd",
		"inschrijvingsdatum", "datum inschrijving", "inschrijfdatum", "registered at", "registration date time",
		"order date")
	add(roleUPN, "deelnemer id upn", "participant id upn", "upn", "deelnemers id upn")
	add(roleRole, "rol", "role", "participant role", "rol deelnemer")
	add(roleLeave, "last leave", "laatste vertrek", "leave time", "tijd van vertrek", "vertrektijd", "laatste vertrektijd")
	add(roleGuest, "guest", "is guest", "gast")
	add(roleInvited, "invited", "uitgenodigd")
	add(roleSummary, "meeting id", "webinar id", "topic", "onderwerp", "vergadering id", "meeting title",
		"titel van vergadering", "vergaderingstitel", "report generated", "actual start time", "start time", "begintijd")
	add(roleJoin, "total duration minutes", "attendance duration", "join time", "first join", "first join time", "eerste deelname", "tijd van deelname",
		"deelnametijd", "duration", "duration minutes", "time in session minutes", "in meeting duration", "in vergadering duur",
		"duur", "duur in vergadering", "duur minuten", "attendance duration", "attendance duration minutes",
		"aanwezigheidsduur", "deelnameduur", "check in", "checked in", "ingecheckt")
	return m
}()

// headerKeywords give a role to a header that is not in headerNames but contains one of these
// words (checked in order), e.g. "Naam van uw gemeente of stad".
var headerKeywords = []struct {
	word string
	r    role
}{
	{"gemeente", roleMunicipality}, {"municipality", roleMunicipality}, {"bestuur", roleMunicipality},
	{"organisatie", roleOrganisation}, {"organization", roleOrganisation}, {"organisation", roleOrganisation},
	{"nis", roleNIS}, {"postcode", rolePostcode}, {"zip", rolePostcode},
	{"voornaam", roleFirst}, {"achternaam", roleLast}, {"familienaam", roleLast},
	{"email", roleEmail}, {"emailadres", roleEmail}, {"mailadres", roleEmail},
	{"aanwezig", roleAttended}, {"functie", roleFunction},
}

// normHeader folds a header name: accents, case and punctuation are ignored.
func normHeader(s string) string {
	return strings.Join(textnorm.Words(cleanCell(s)), " ")
}

// headerRole returns the role of a header name.
func headerRole(h string) role {
	n := normHeader(h)
	if n == "" {
		return roleNone
	}
	if r, ok := headerNames[n]; ok {
		return r
	}
	ws := strings.Fields(n)
	if len(ws) > 6 {
		return roleNone
	}
	for i, w := range ws { // "e mail ..." → email
		if w == "e" && i+1 < len(ws) && strings.HasPrefix(ws[i+1], "mail") {
			return roleEmail
		}
	}
	for _, k := range headerKeywords {
		for _, w := range ws {
			if w == k.word {
				return k.r
			}
		}
	}
	return roleNone
}

// header is a recognised header line.
type header struct {
	rec   record
	names []string
	cols  map[role]int
	// sectioned: the header follows a numbered section title ("2. Deelnemers", Teams), so a
	// later section title ends the table.
	sectioned bool
}

// hasLocation reports whether the header has a column that can say which municipality a row
// belongs to.
func (h *header) hasLocation() bool {
	for _, r := range []role{roleMunicipality, roleCity, roleOrganisation, roleNIS, rolePostcode} {
		if _, ok := h.cols[r]; ok {
			return true
		}
	}
	return false
}

// hasPeople reports whether the header is that of a list of people without a location column,
// as meeting reports are (Teams, Zoom, Webex): a name and an e-mail address, sign-in name,
// join time or duration. The municipality then comes from the display name or the e-mail
// domain.
func (h *header) hasPeople() bool {
	_, name := h.cols[roleName]
	_, first := h.cols[roleFirst]
	_, last := h.cols[roleLast]
	if !name && !first && !last {
		return false
	}
	for _, r := range []role{roleEmail, roleUPN, roleJoin, roleAttended} {
		if _, ok := h.cols[r]; ok {
			return true
		}
	}
	return false
}

// readHeader assigns roles to the fields of a record; the first column of a role wins.
func readHeader(rec record) header {
	h := header{rec: rec, names: make([]string, len(rec.fields)), cols: map[role]int{}}
	for i, f := range rec.fields {
		h.names[i] = cleanCell(f)
		if r := headerRole(f); r != roleNone {
			if _, dup := h.cols[r]; !dup {
				h.cols[r] = i
			}
		}
	}
	for len(h.names) > 0 && h.names[len(h.names)-1] == "" {
		h.names = h.names[:len(h.names)-1]
	}
	return h
}

// looksLikeData reports whether a record holds a value no header has: an e-mail address, a
// time or a date ("10:02", "1-3-2025"). It keeps a participant's row from being taken for the
// header ("Els Claes (Gemeente Sint-Niklaas) (Gast)" next to "Deelnemer" names two columns).
func looksLikeData(fields []string) bool {
	for _, f := range fields {
		if strings.IndexByte(f, '@') >= 0 {
			return true
		}
		for i := 1; i+1 < len(f); i++ {
			if (f[i] == ':' || f[i] == '/' || f[i] == '-') && isDigit(f[i-1]) && isDigit(f[i+1]) {
				return true
			}
		}
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

var separators = []byte{';', ',', '\t'}

// Section titles of meeting reports, folded (normHeader). A line holding only one of them
// starts a section: the participants' section is read, the others are reported as not read.
var (
	// participantSections hold the people to import: Teams "2. Deelnemers" / "2. Participants",
	// Zoom webinar "Attendee Details".
	participantSections = map[string]bool{
		"2 deelnemers": true, "2 participants": true, "deelnemers": true, "participants": true,
		"attendee details": true, "attendees": true, "deelnemersgegevens": true,
	}
	// otherSections hold people or facts not to import: the summary, the organisers, and the
	// per-session activities that repeat the participants.
	otherSections = map[string]bool{
		"1 samenvatting": true, "1 summary": true, "samenvatting": true, "summary": true,
		"3 activiteiten in de vergadering": true, "3 activiteiten tijdens de vergadering": true,
		"3 in meeting activities": true, "in meeting activities": true,
		"host details": true, "panelist details": true, "other attended": true, "attendee report": true,
		"meeting details": true, "panelist report": true, "registration report": true, "performance report": true,
	}
	// summarySections are not mentioned as "not read": they hold no people.
	summarySections = map[string]bool{
		"1 samenvatting": true, "1 summary": true, "samenvatting": true, "summary": true,
		"attendee report": true, "meeting details": true, "registration report": true, "performance report": true,
	}
)

// sectionTitle returns the folded section title a record holds, "" if it is no section title:
// one non-empty cell that is a known title or numbered ("3. Activiteiten").
func sectionTitle(fields []string) string {
	var only string
	for _, f := range fields {
		if c := cleanCell(f); c != "" {
			if only != "" {
				return ""
			}
			only = c
		}
	}
	if only == "" {
		return ""
	}
	n := normHeader(only)
	if participantSections[n] || otherSections[n] || isSectionTitle(only) {
		return n
	}
	return ""
}

// findHeader looks for the header line among the first records of text, trying each
// separator: the earliest line that has a municipality, organisation, NIS or postal-code
// column, or the columns of a list of people (name with e-mail address or join time), and for
// that line the separator that recognises the most columns. A line that holds an e-mail
// address, a time or a date is never the header, nor is a report summary's ("Meeting ID",
// "Topic"). When the file has a participants' section ("2. Deelnemers", "Attendee Details"),
// the header is looked for there. A first line "sep=;" (written by Excel) fixes the separator.
func findHeader(text string) (header, byte, *Error) {
	seps := separators
	skip := -1 // a "sep=;" line (written by Excel) fixes the separator and is skipped
	first, _, _ := strings.Cut(text, "\n")
	if first = strings.TrimSpace(first); len(first) == 5 && strings.EqualFold(first[:4], "sep=") {
		if c := first[4]; c == ';' || c == ',' || c == '\t' || c == '|' {
			seps = []byte{c}
			skip = strings.IndexByte(text, '\n') + 1
			if skip == 0 {
				skip = len(text)
			}
		}
	}
	var best header
	var bestSep byte
	bestScore := -1
	sawColumns := false
	for _, sep := range seps {
		// A participants' section, if any, is where the header is.
		from := -1
		_ = scan(text, sep, 1, func(rec record) bool {
			if participantSections[sectionTitle(rec.fields)] {
				from = rec.off
				return false
			}
			return true
		})
		n, nonBlank, inSection := 0, 0, 0
		afterTitle := false
		_ = scan(text, sep, 1, func(rec record) bool { // a broken quote is reported by parseText
			n++
			if rec.off < skip || rec.off <= from {
				return true
			}
			inSection++
			rec.fields = append([]string(nil), rec.fields...)
			h := readHeader(rec)
			h.sectioned = afterTitle || from >= 0
			if len(h.names) > 0 {
				nonBlank++
				afterTitle = sectionTitle(rec.fields) != ""
			}
			if len(h.cols) > 0 {
				sawColumns = true
			}
			_, summary := h.cols[roleSummary]
			// A lone recognised column is a header only on the first line: further down it is
			// more likely a value in a report summary ("Gemeente Kortenberg").
			ok := h.hasLocation() && (len(h.cols) >= 2 || nonBlank == 1) || h.hasPeople()
			if ok && !summary && !looksLikeData(rec.fields) {
				score := len(h.cols)*1000 + len(h.names)
				if bestScore < 0 || rec.line < best.rec.line || rec.line == best.rec.line && score > bestScore {
					best, bestSep, bestScore = h, sep, score
				}
				return false
			}
			return n < headerSearch || from >= 0 && inSection < headerSearch
		})
	}
	if bestScore < 0 {
		if sawColumns {
			return header{}, 0, &Error{Code: CodeNoMunicipalityColumn, Message: "Er is geen kolom die zegt van welke gemeente of organisatie iemand is. " +
				"Voeg een kolom 'Gemeente' (of 'Organisatie', 'Lokaal bestuur', 'NIS-code', 'Postcode') toe, of een kolom 'Naam' met 'E-mail'."}
		}
		return header{}, 0, &Error{Code: CodeNoHeader, Message: "Geen kolomtitels gevonden. De eerste regel van de tabel moet kolomtitels bevatten, " +
			"zoals 'Naam', 'E-mail' en 'Gemeente' (of 'Name', 'Email', 'Municipality')."}
	}
	return best, bestSep, nil
}

// parseText parses decoded text into a Table.
func parseText(text string) (*Table, *Error) {
	h, sep, e := findHeader(text)
	if e != nil {
		return nil, e
	}
	t := &Table{
		Separator:  string(sep),
		Header:     h.names,
		HeaderLine: h.rec.line,
		Columns:    make(map[string]int, len(h.cols)),
	}
	for r, i := range h.cols {
		t.Columns[roleField[r]] = i
	}
	_, hasAtt := h.cols[roleAttended]
	_, hasJoin := h.cols[roleJoin]
	t.HasAttendance = hasAtt || hasJoin

	// Raw keys: header names, made unique.
	keys := make([]string, len(h.names))
	seen := map[string]int{}
	for i, n := range h.names {
		if n == "" {
			continue
		}
		seen[n]++
		if seen[n] > 1 {
			n = fmt.Sprintf("%s (%d)", n, seen[n])
		}
		keys[i] = n
	}

	normNames := make([]string, len(h.names))
	for i, n := range h.names {
		normNames[i] = normHeader(n)
	}

	body := text[h.rec.off:]
	end := len(body)
	first, prevBlank := true, false
	var tooMany *Error
	e = scan(body, sep, h.rec.line, func(rec record) bool {
		if first { // the header itself
			first = false
			return true
		}
		blank := true
		nonEmpty := 0
		for _, f := range rec.fields {
			if cleanCell(f) != "" {
				blank = false
				nonEmpty++
			}
		}
		if blank {
			t.Skipped++
			prevBlank = true
			return true
		}
		// The next section of a meeting report ("3. Activiteiten in de vergadering", Zoom's
		// "Other Attended") ends the table; in a report of numbered sections only after a
		// blank line.
		if nonEmpty == 1 {
			if n := normHeader(firstNonEmpty(rec.fields)); participantSections[n] || otherSections[n] ||
				h.sectioned && prevBlank && isSectionTitle(firstNonEmpty(rec.fields)) {
				end = rec.off
				return false
			}
		}
		prevBlank = false
		if isHeaderAgain(rec.fields, normNames) { // exports pasted one below the other
			t.Skipped++
			return true
		}
		if len(t.Rows) == MaxRows {
			tooMany = &Error{Code: CodeTooManyRows, Line: rec.line, Message: fmt.Sprintf(
				"Het bestand heeft meer dan %d rijen. Splits de lijst op.", MaxRows)}
			return false
		}
		t.Rows = append(t.Rows, makeRow(rec, h, keys))
		return true
	})
	if e != nil {
		return nil, e
	}
	if tooMany != nil {
		return nil, tooMany
	}
	t.NotRead = sectionsNotRead(text, sep, h.rec.off, h.rec.off+end)
	if len(t.Rows) == 0 {
		return nil, &Error{Code: CodeNoRows, Line: h.rec.line, Message: "Het bestand bevat alleen kolomtitels en geen deelnemers."}
	}
	return t, nil
}

func firstNonEmpty(fields []string) string {
	for _, f := range fields {
		if c := cleanCell(f); c != "" {
			return c
		}
	}
	return ""
}

// sectionsNotRead lists the sections of a meeting report outside the table read (from the
// header at offset start to offset end) that hold rows of people (a row with an e-mail address,
// a time or a date), so that the report can say what was not imported: Zoom's hosts and
// panelists, Teams' activities per session.
func sectionsNotRead(text string, sep byte, start, end int) []Section {
	var out []Section
	var cur *Section
	_ = scan(text, sep, 1, func(rec record) bool {
		if rec.off >= start && rec.off < end {
			cur = nil
			return true
		}
		if n := sectionTitle(rec.fields); n != "" {
			cur = nil
			if !summarySections[n] && !participantSections[n] {
				out = append(out, Section{Title: firstNonEmpty(rec.fields), Line: rec.line})
				cur = &out[len(out)-1]
			}
			return true
		}
		if cur != nil && looksLikeData(rec.fields) {
			cur.Rows++
		}
		return true
	})
	kept := out[:0]
	for _, s := range out {
		if s.Rows > 0 {
			kept = append(kept, s)
		}
	}
	return kept
}

// isHeaderAgain reports whether a record repeats the header.
func isHeaderAgain(fields, normNames []string) bool {
	if len(fields) < len(normNames) || len(normNames) < 2 {
		return false
	}
	for i, n := range normNames {
		if normHeader(fields[i]) != n {
			return false
		}
	}
	return true
}

// isSectionTitle recognises a numbered section title such as "2. Deelnemers".
func isSectionTitle(s string) bool {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i > 0 && i <= 2 && i+1 < len(s) && s[i] == '.' && s[i+1] == ' '
}

// makeRow builds a Row from a data record.
func makeRow(rec record, h header, keys []string) Row {
	cell := func(i int) string {
		if i < len(rec.fields) {
			return cleanCell(rec.fields[i])
		}
		return ""
	}
	get := func(r role) (string, bool) {
		i, ok := h.cols[r]
		if !ok {
			return "", false
		}
		return cell(i), true
	}
	one := func(r role) string { v, _ := get(r); return collapse(v) }

	row := Row{Line: rec.line, Raw: make(map[string]string, len(keys))}
	for i, k := range keys {
		if k != "" {
			row.Raw[k] = cell(i)
		}
	}
	row.Municipality = one(roleMunicipality)
	if _, ok := h.cols[roleMunicipality]; !ok {
		row.Municipality = one(roleCity)
	}
	row.Organisation = one(roleOrganisation)
	row.NIS = one(roleNIS)
	row.Postcode = one(rolePostcode)
	row.Function = one(roleFunction)
	row.Email = cleanEmail(one(roleEmail))

	full, hasFull := get(roleName)
	firstName, hasFirst := get(roleFirst)
	lastName, hasLast := get(roleLast)
	if hasFirst && hasFull && !hasLast { // "Voornaam" + "Naam": Naam is the surname
		lastName, full = full, ""
	}
	row.Name = collapse(full)
	if row.Name == "" {
		row.Name = collapse(strings.TrimSpace(firstName + " " + lastName))
	}
	row.Name, row.Affiliations, row.Guest = splitDisplayName(row.Name)
	if row.Email == "" {
		row.Email = emailFromUPN(one(roleUPN))
	}
	if v, ok := get(roleRole); ok {
		row.Organizer = organizerRoles[normHeader(v)]
	}
	if v, ok := get(roleGuest); ok {
		if b, valid := parseBool(v); valid && b {
			row.Guest = true
		} else if valid && v != "" {
			row.Internal = true
		}
	}

	row.Registered = true
	if v, ok := get(roleRegistered); ok {
		b, valid := parseBool(v)
		row.Registered = b
		if !valid {
			row.Invalid = append(row.Invalid, h.names[h.cols[roleRegistered]])
		}
	} else if v, ok := get(roleRegTime); ok {
		row.Registered = v != ""
	}
	if v, ok := get(roleAttended); ok {
		b, valid := parseBool(v)
		row.Attended = b
		if !valid {
			row.Invalid = append(row.Invalid, h.names[h.cols[roleAttended]])
		}
	} else if v, ok := get(roleJoin); ok {
		row.Attended = !isZeroDuration(v)
	}
	return row
}

// organizerRoles are the folded values of a role column that mark the people who ran the
// meeting rather than attended it (Teams and Webex, Dutch and English).
var organizerRoles = map[string]bool{
	"organisator": true, "organizer": true, "organiser": true, "coorganisator": true, "co organisator": true,
	"co organizer": true, "coorganizer": true, "presentator": true, "presenter": true, "host": true,
	"cohost": true, "co host": true, "panelist": true, "panellid": true, "gastheer": true,
}

// guestMarkers are the folded words Teams and Zoom put in parentheses after a display name to
// say who someone is to the meeting's tenant, not where they work.
var guestMarkers = map[string]bool{
	"gast": true, "guest": true, "extern": true, "external": true, "externe": true,
	"niet geverifieerd": true, "unverified": true, "not verified": true, "anoniem": true, "anonymous": true,
}

// splitDisplayName takes the groups in parentheses off a display name: "Els Claes (Gemeente
// Sint-Niklaas) (Gast)" → "Els Claes", ["Gemeente Sint-Niklaas"], guest. Nested groups
// (Zoom's "Name (Original Name)") are taken apart too; an unbalanced parenthesis leaves the
// name as it is.
func splitDisplayName(s string) (name string, affiliations []string, guest bool) {
	if strings.IndexByte(s, '(') < 0 {
		return s, nil, false
	}
	var outer strings.Builder
	var stack []*strings.Builder
	var groups []string
	for _, r := range s {
		switch {
		case r == '(':
			stack = append(stack, &strings.Builder{})
		case r == ')':
			if len(stack) == 0 {
				return s, nil, false
			}
			g := strings.TrimSpace(stack[len(stack)-1].String())
			stack = stack[:len(stack)-1]
			if g != "" {
				groups = append(groups, g)
			}
		case len(stack) > 0:
			stack[len(stack)-1].WriteRune(r)
		default:
			outer.WriteRune(r)
		}
	}
	if len(stack) > 0 {
		return s, nil, false
	}
	for _, g := range groups {
		if guestMarkers[normHeader(g)] {
			guest = true
			continue
		}
		affiliations = append(affiliations, collapse(g))
	}
	name = collapse(strings.TrimSpace(outer.String()))
	if name == "" {
		name = s
	}
	return name, affiliations, guest
}

// emailFromUPN turns a Teams sign-in name into an e-mail address: a guest's
// "els.claes_sint-niklaas.be#EXT#@tenant.onmicrosoft.com" is els.claes@sint-niklaas.be.
func emailFromUPN(upn string) string {
	upn = strings.TrimSpace(upn)
	if i := strings.Index(strings.ToUpper(upn), "#EXT#"); i > 0 {
		local := upn[:i]
		if j := strings.LastIndexByte(local, '_'); j > 0 && j < len(local)-1 {
			return local[:j] + "@" + local[j+1:]
		}
		return ""
	}
	if strings.Count(upn, "@") == 1 {
		return upn
	}
	return ""
}

// cleanCell trims spaces (including no-break spaces) and drops zero-width characters and byte
// order marks.
func cleanCell(s string) string {
	// All of them are encoded with a lead byte 0xE2 or 0xEF: check for those first (fast).
	if (strings.IndexByte(s, 0xE2) >= 0 || strings.IndexByte(s, 0xEF) >= 0) && strings.ContainsAny(s, "\uFEFF\u200B\u200C\u200D\u2060") {
		s = strings.Map(func(r rune) rune {
			switch r {
			case '\uFEFF', '\u200B', '\u200C', '\u200D', '\u2060':
				return -1
			}
			return r
		}, s)
	}
	return strings.TrimSpace(s)
}

// collapse replaces every run of white space (line breaks included) by one space.
func collapse(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\n' || c == '\t' || c == '\r' || c >= 0x80 || c == ' ' && i+1 < len(s) && s[i+1] == ' ' {
			return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
		}
	}
	return s
}

// cleanEmail extracts the address from "mailto:x@y", "Name <x@y>" and similar.
func cleanEmail(s string) string {
	if i := strings.LastIndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			s = s[i+1 : i+j]
		}
	}
	s = strings.TrimSpace(s)
	if len(s) > 7 && strings.EqualFold(s[:7], "mailto:") {
		s = s[7:]
	}
	return strings.TrimSpace(s)
}

// parseBool reads a yes/no cell. An empty cell is false; valid is false for a value it does
// not know.
func parseBool(s string) (value, valid bool) {
	switch strings.Join(textnorm.Words(s), " ") {
	case "":
		return false, true
	case "ja", "j", "yes", "y", "1", "x", "true", "waar", "aanwezig", "present", "attended", "ok", "v",
		"geregistreerd", "registered", "ingeschreven", "deelgenomen", "wel", "oui":
		return true, true
	case "nee", "neen", "n", "no", "0", "false", "onwaar", "afwezig", "absent", "niet", "niet aanwezig",
		"not attended", "no show", "verontschuldigd", "excused", "geannuleerd", "cancelled", "canceled", "non":
		return false, true
	}
	switch strings.TrimSpace(s) {
	case "✓", "✔", "☑", "✅":
		return true, true
	case "-", "–", "✗", "✘", "☐":
		return false, true
	}
	return false, false
}

// isZeroDuration reports whether a join-time or duration cell says the person did not join.
func isZeroDuration(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || s == "-" {
		return true
	}
	for _, r := range s {
		if r >= '1' && r <= '9' {
			return false
		}
		if unicode.IsLetter(r) && !strings.ContainsRune("hmsuinMINHS", r) {
			return false // a date with a month name, "yes", ...
		}
	}
	return true
}
