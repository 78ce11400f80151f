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
	add(roleJoin, "join time", "first join", "first join time", "eerste deelname", "tijd van deelname",
		"deelnametijd", "duration", "duration minutes", "time in session minutes", "in meeting duration",
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

var separators = []byte{';', ',', '\t'}

// findHeader looks for the header line among the first records of text, trying each
// separator: the earliest line that has a municipality, organisation, NIS or postal-code
// column, and for that line the separator that recognises the most columns. A first line
// "sep=;" (written by Excel) fixes the separator.
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
		n, nonBlank := 0, 0
		afterTitle := false
		_ = scan(text, sep, 1, func(rec record) bool { // a broken quote is reported by parseText
			n++
			if rec.off < skip {
				return true
			}
			rec.fields = append([]string(nil), rec.fields...)
			h := readHeader(rec)
			h.sectioned = afterTitle
			if len(h.names) > 0 {
				nonBlank++
				afterTitle = len(h.names) == 1 && isSectionTitle(h.names[0])
			}
			if len(h.cols) > 0 {
				sawColumns = true
			}
			// A lone recognised column is a header only on the first line: further down it is
			// more likely a value in a report summary ("Gemeente Kortenberg").
			if h.hasLocation() && (len(h.cols) >= 2 || nonBlank == 1) {
				score := len(h.cols)*1000 + len(h.names)
				if bestScore < 0 || rec.line < best.rec.line || rec.line == best.rec.line && score > bestScore {
					best, bestSep, bestScore = h, sep, score
				}
				return false
			}
			return n < headerSearch
		})
	}
	if bestScore < 0 {
		if sawColumns {
			return header{}, 0, &Error{Code: CodeNoMunicipalityColumn, Message: "Er is geen kolom die zegt van welke gemeente of organisatie iemand is. " +
				"Voeg een kolom 'Gemeente' (of 'Organisatie', 'Lokaal bestuur', 'NIS-code', 'Postcode') toe."}
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
		// In a report of numbered sections (Teams), the next section title after a blank line
		// ("3. Activiteiten tijdens de vergadering") ends the table.
		if h.sectioned && prevBlank && nonEmpty == 1 && isSectionTitle(rec.fields[0]) {
			return false
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
	if len(t.Rows) == 0 {
		return nil, &Error{Code: CodeNoRows, Line: h.rec.line, Message: "Het bestand bevat alleen kolomtitels en geen deelnemers."}
	}
	return t, nil
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
