package birth

import (
	"encoding/csv"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kansrijk/internal/apperr"
	"kansrijk/internal/dates"
	"kansrijk/internal/municipality"
	"kansrijk/internal/textnorm"
)

// A CSV batch: one notification per row, as clinics' programs write it.
//
//   - Encoding: UTF-8 with or without BOM, Windows-1252 (Belgian Excel's
//     "CSV (gescheiden door lijstscheidingsteken)"), UTF-16 with BOM
//     (Excel's "Unicode-tekst"); CRLF, LF or lone CR line ends
//     (textnorm.Decode, shared with the attendance importer).
//   - Header: the first line, among the first headerSearch non-blank ones,
//     with at least two known column names: a title line or blank lines
//     above it are skipped. Its separator (";", tab or ",") is the one that
//     gives the most known names on that line; every row uses it. Column
//     names in English or Dutch (Columns; accents, case, spaces and
//     hyphens do not matter, and both "mother_name" and "name_mother"
//     work). A column that is not in the data set is refused
//     (unknown_column, naming the columns that are expected): a file never
//     brings in more than the data set. Unnamed empty columns (Excel's
//     trailing ";;;") are ignored.
//   - Values: dates as people type them (dates.Parse: 6/12/2026,
//     06-12-2026, 2026-12-06) or Excel serial numbers (46362); early
//     contact as ja/nee/neen/"ja, graag"/yes/no/waar/onwaar/1/0/x or
//     empty (no); languages as codes (nl, fr-BE) or names in Dutch,
//     English or the language itself (Nederlands, Frans, Arabisch,
//     French, Français); telephone numbers normalised to E.164
//     (NormalizePhone), with a warning on the row where Excel's damage
//     was repaired. A cell that starts like a spreadsheet formula (=, +,
//     -, @) refuses its row (formula_cell).

// Limits of a batch.
const (
	MaxBatchBytes = 5 << 20
	MaxBatchRows  = 5000
)

// headerSearch is how many non-blank lines at the top of a file may
// precede the header (a title, the clinic's name, a date).
const headerSearch = 20

// Columns are the canonical column names of the data set, in order, with
// their Dutch names (those of the template file) and the field of the data
// set each one fills.
var Columns = []struct{ Name, Dutch, Field string }{
	{"mother_name", "moeder_naam", "mother.name"},
	{"mother_street", "moeder_straat", "mother.street"},
	{"mother_number", "moeder_huisnummer", "mother.number"},
	{"mother_box", "moeder_bus", "mother.box"},
	{"mother_postcode", "moeder_postcode", "mother.postcode"},
	{"mother_municipality_nis", "moeder_nis", "mother.municipality_nis"},
	{"mother_phone", "moeder_telefoon", "mother.phone"},
	{"mother_email", "moeder_email", "mother.email"},
	{"mother_language", "moeder_taal", "mother.language"},
	{"co_parent_name", "meeouder_naam", "co_parent.name"},
	{"co_parent_street", "meeouder_straat", "co_parent.street"},
	{"co_parent_number", "meeouder_huisnummer", "co_parent.number"},
	{"co_parent_box", "meeouder_bus", "co_parent.box"},
	{"co_parent_postcode", "meeouder_postcode", "co_parent.postcode"},
	{"co_parent_municipality_nis", "meeouder_nis", "co_parent.municipality_nis"},
	{"co_parent_phone", "meeouder_telefoon", "co_parent.phone"},
	{"co_parent_email", "meeouder_email", "co_parent.email"},
	{"co_parent_language", "meeouder_taal", "co_parent.language"},
	{"child_birth_date", "geboortedatum", "child_birth_date"},
	{"early_contact_requested", "vroeg_contact", "early_contact_requested"},
}

// ReferenceColumn is the optional column of the clinic's own reference
// (NewNotification.ClinicReference): not part of the family's data.
var ReferenceColumn = struct{ Name, Dutch, Field string }{"clinic_reference", "referentie", "clinic_reference"}

// AllColumns are Columns and ReferenceColumn: every column a file may have.
func AllColumns() []struct{ Name, Dutch, Field string } {
	return append(Columns[:len(Columns):len(Columns)], ReferenceColumn)
}

// RequiredColumns must be in every file.
var RequiredColumns = []string{"mother_name", "mother_street", "mother_number", "mother_postcode", "mother_municipality_nis", "mother_language", "child_birth_date"}

// aliases maps a normalised header to its canonical column.
var aliases = func() map[string]string {
	m := map[string]string{}
	parents := map[string][]string{
		"mother":    {"mother", "moeder"},
		"co_parent": {"co_parent", "coparent", "meeouder", "mee_ouder", "partner", "second_parent", "tweede_ouder"},
	}
	fields := map[string][]string{
		"name":             {"name", "naam"},
		"street":           {"street", "straat"},
		"number":           {"number", "huisnummer", "nummer", "nr", "house_number"},
		"box":              {"box", "bus", "busnummer"},
		"postcode":         {"postcode", "postal_code", "post_code", "zip"},
		"municipality_nis": {"municipality_nis", "nis", "nis_code", "niscode", "nis_gemeente", "gemeente_nis"},
		"phone":            {"phone", "telephone", "telefoon", "telefoonnummer", "gsm"},
		"email":            {"email", "e_mail", "emailadres", "e_mailadres"},
		"language":         {"language", "taal", "voorkeurstaal", "preferred_language"},
	}
	for canonParent, ps := range parents {
		for canonField, fs := range fields {
			for _, p := range ps {
				for _, f := range fs {
					m[p+"_"+f] = canonParent + "_" + canonField
					m[f+"_"+p] = canonParent + "_" + canonField
				}
			}
		}
	}
	for _, a := range []string{"child_birth_date", "birth_date", "date_of_birth", "geboortedatum", "geboortedatum_kind", "kind_geboortedatum"} {
		m[a] = "child_birth_date"
	}
	for _, a := range []string{"early_contact_requested", "early_contact", "vroeg_contact", "vroeg_contact_gevraagd", "vroeg_contact_gewenst"} {
		m[a] = "early_contact_requested"
	}
	for _, a := range []string{"clinic_reference", "reference", "referentie", "uw_referentie", "onze_referentie", "referentie_kliniek",
		"kliniek_referentie", "dossiernummer", "dossiernr", "file_number"} {
		m[a] = ReferenceColumn.Name
	}
	return m
}()

var nonAlnum = regexp.MustCompile(`[^a-z0-9]+`)

// canonicalColumn returns the canonical column of a header cell, or "".
func canonicalColumn(header string) string {
	h := strings.Trim(nonAlnum.ReplaceAllString(textnorm.Fold(strings.TrimSpace(header)), "_"), "_")
	return aliases[h]
}

// forbiddenWords mark a column that must never come in: a national
// register number, anything medical.
var forbiddenWords = []string{"rijksregister", "insz", "rrn", "national_register", "ssin", "niss", "medisch", "medical", "zwanger",
	"pregnan", "gewicht", "weight", "apgar", "diagnos", "gezondheid", "health"}

// Problem is one line of a batch report: which row (the line in the file;
// 0 for the file as a whole), which column (as written in the file's
// header), the stable code and a Dutch message. Warnings have the same
// shape.
type Problem struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// FileError is a problem with the file as a whole (not a table, unknown
// or missing columns, too large): nothing in it is read. Key and Args
// give its text in any language (catalogue "imports.file.*").
type FileError struct {
	Problem
	English string
	Key     string
	Args    map[string]any
}

func (e *FileError) Error() string { return e.Code + ": " + e.English }

// AppErr returns the file error as an API error: the English message,
// the field (the column, or "file") and the key of its localised text.
func (e *FileError) AppErr() *apperr.Error {
	field := "file"
	if e.Column != "" {
		field = e.Column
	}
	return apperr.FieldErr(e.Code, field, "%s", e.English).WithKey(e.Key, e.Args)
}

// fileErr is the FileError code with the text "imports.file.<reason>".
func fileErr(code, reason string, line int, column, english string, args map[string]any) *FileError {
	if args == nil {
		args = map[string]any{}
	}
	args["Column"], args["Line"] = column, line
	key := "imports.file." + reason
	e := apperr.FieldErr(code, column, "%s", english).WithKey(key, args)
	return &FileError{Problem: Problem{Row: line, Column: column, Code: code, Message: Dutch(e)}, English: english, Key: key, Args: args}
}

// TooLargeError is the error of a file larger than MaxBatchBytes, with
// the limits in its text; the API and the upload page use it before
// reading the whole file.
func TooLargeError() *FileError {
	mb := MaxBatchBytes >> 20
	return fileErr(apperr.TooLarge, "too_large", 0, "", "the file is larger than "+strconv.Itoa(mb)+" MB: split it into files of at most "+
		strconv.Itoa(mb)+" MB and "+strconv.Itoa(MaxBatchRows)+" rows", map[string]any{"MB": mb, "N": mb, "Rows": MaxBatchRows})
}

// Row is one data row of a batch.
type Row struct {
	Line         int
	Notification NewNotification
	// Problems found while reading the row (a bad yes/no, a value in a
	// column without a name, a row longer than the header, a formula).
	Problems []Problem
	// Warnings: what was changed to read the row (a telephone number
	// Excel had damaged). The row is accepted with them.
	Warnings []Problem
}

// Batch is a parsed CSV file.
type Batch struct {
	Separator string
	BOM       bool
	// Encoding is what the file was written in (textnorm.Encoding*).
	Encoding string
	// HeaderLine is the line of the header in the file (1 unless a title
	// or blank lines are above it).
	HeaderLine int
	// Header maps a canonical column to the header cell as written.
	Header map[string]string
	Rows   []Row
}

// column returns the header of a field as written in the file, or the
// canonical column name when the file has no such column.
func (b *Batch) column(field string) string {
	for _, c := range AllColumns() {
		if c.Field == field {
			if h, ok := b.Header[c.Name]; ok {
				return h
			}
			return c.Name
		}
	}
	return field
}

// ParseBatch reads a CSV batch. It fails with a *FileError when the file
// cannot be read as a batch at all; problems of single rows are in the
// rows. It never panics, whatever the input (FuzzParseBatch).
func ParseBatch(data []byte) (*Batch, error) {
	if len(data) > MaxBatchBytes {
		return nil, TooLargeError()
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil, fileErr(apperr.EmptyFile, "empty_file", 0, "", "the file is empty", nil)
	}
	text, enc := textnorm.Decode(data)
	if textnorm.Binary(text, false) {
		return nil, fileErr(apperr.EncodingInvalid, "not_text", 0, "", "the file is not a text file: save it as CSV or Unicode text", nil)
	}
	b := &Batch{Header: map[string]string{}, Encoding: enc, BOM: enc == textnorm.EncodingUTF8BOM}
	if strings.TrimFunc(text, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\uFEFF' }) == "" {
		return nil, fileErr(apperr.EmptyFile, "empty_file", 0, "", "the file is empty", nil)
	}
	start, sep := findHeader(text)
	b.HeaderLine = 1 + strings.Count(text[:start], "\n")
	b.Separator = string(sep)
	r := csv.NewReader(strings.NewReader(text[start:]))
	r.Comma = sep
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = sep != '\t'
	r.ReuseRecord = false
	header, err := r.Read()
	if err != nil {
		return nil, csvErr(err, b.HeaderLine-1)
	}
	cols, ferr := b.readHeader(header)
	if ferr != nil {
		return nil, ferr
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvErr(err, b.HeaderLine-1)
		}
		line, _ := r.FieldPos(0)
		line += b.HeaderLine - 1
		if blank(rec) {
			continue
		}
		if len(b.Rows) == MaxBatchRows {
			return nil, fileErr(apperr.TooManyRows, "too_many_rows", line, "", "the file has more than "+strconv.Itoa(MaxBatchRows)+" rows: split it",
				map[string]any{"N": MaxBatchRows})
		}
		b.Rows = append(b.Rows, b.parseRow(line, cols, header, rec))
	}
	if len(b.Rows) == 0 {
		return nil, fileErr(apperr.EmptyFile, "no_rows", 0, "", "the file has a header but no rows", nil)
	}
	return b, nil
}

// readHeader maps the header's cells to their canonical columns (into
// b.Header) and returns the canonical name per position ("" for an
// unnamed column).
func (b *Batch) readHeader(header []string) ([]string, *FileError) {
	cols := make([]string, len(header))
	for i, h := range header {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		c := canonicalColumn(h)
		if c == "" {
			return nil, unknownColumn(b.HeaderLine, h)
		}
		if prev, dup := b.Header[c]; dup {
			return nil, fileErr(apperr.DuplicateColumn, "duplicate_column", b.HeaderLine, h, "columns \""+prev+"\" and \""+h+"\" are the same field",
				map[string]any{"Other": prev})
		}
		cols[i], b.Header[c] = c, h
	}
	for _, c := range RequiredColumns {
		if _, ok := b.Header[c]; !ok {
			return nil, fileErr(apperr.MissingColumn, "missing_column", b.HeaderLine, c, "the file has no column "+c,
				map[string]any{"Dutch": dutchName(c)})
		}
	}
	return cols, nil
}

// unknownColumn is the error of a header cell that is no column: it names
// the columns that are expected, and says so when the column is one that
// never comes in.
func unknownColumn(line int, h string) *FileError {
	h = printable(h, 60)
	var nl, en []string
	for _, c := range AllColumns() {
		nl, en = append(nl, c.Dutch), append(en, c.Name)
	}
	args := map[string]any{"Expected": strings.Join(nl, ", "), "ExpectedEN": strings.Join(en, ", ")}
	folded := strings.Trim(nonAlnum.ReplaceAllString(textnorm.Fold(h), "_"), "_")
	for _, w := range forbiddenWords {
		if strings.Contains(folded, w) {
			return fileErr(apperr.UnknownColumn, "forbidden_column", line, h, "column \""+h+
				"\" is not part of a birth notification (no national register number, no medical data); the columns are "+args["ExpectedEN"].(string), args)
		}
	}
	return fileErr(apperr.UnknownColumn, "unknown_column", line, h, "column \""+h+"\" is unknown; the columns are "+args["ExpectedEN"].(string), args)
}

// printable is s without control characters, at most max runes: what a
// message may echo of a header cell.
func printable(s string, max int) string {
	var out []rune
	for _, r := range s {
		if r < 0x20 || r == 0x7F || r == utf8.RuneError {
			continue
		}
		if len(out) == max {
			out = append(out, '…')
			break
		}
		out = append(out, r)
	}
	return string(out)
}

func dutchName(canonical string) string {
	for _, c := range AllColumns() {
		if c.Name == canonical {
			return c.Dutch
		}
	}
	return canonical
}

func csvErr(err error, offset int) *FileError {
	line := 0
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		line = pe.Line + offset
	}
	return fileErr(apperr.CSVMalformed, "csv_malformed", line, "", "the file is not a readable CSV table (line "+strconv.Itoa(line)+")", nil)
}

// findHeader finds the header line in text: the first of the first
// headerSearch non-blank lines with at least two known column names, with
// the separator that gives the most of them. Without one, the first
// non-blank line is the header (its unknown names are then reported),
// with the separator it holds most of. It returns the line's offset.
func findHeader(text string) (int, rune) {
	first, firstSep := -1, ';'
	off, seen := 0, 0
	for off < len(text) && seen < headerSearch {
		end := strings.IndexByte(text[off:], '\n')
		if end < 0 {
			end = len(text) - off
		}
		line := text[off : off+end]
		if strings.TrimSpace(strings.Trim(line, ";,\t")) != "" {
			seen++
			if first < 0 {
				first, firstSep = off, mostSeparator(line)
			}
			best, bestSep := 0, rune(0)
			for _, sep := range []rune{';', '\t', ','} {
				if n := knownColumns(line, sep); n > best {
					best, bestSep = n, sep
				}
			}
			if best >= 2 {
				return off, bestSep
			}
		}
		off += end + 1
	}
	if first < 0 {
		first = 0
	}
	return first, firstSep
}

// knownColumns counts the cells of line, split at sep, that name a column.
func knownColumns(line string, sep rune) int {
	r := csv.NewReader(strings.NewReader(line))
	r.Comma, r.LazyQuotes, r.FieldsPerRecord = sep, true, -1
	cells, err := r.Read()
	if err != nil {
		return 0
	}
	n := 0
	for _, c := range cells {
		if canonicalColumn(c) != "" {
			n++
		}
	}
	return n
}

// mostSeparator picks ";", tab or "," by how often each occurs in line
// outside quotes (";" on a tie: Belgian Excel's).
func mostSeparator(line string) rune {
	counts := map[rune]int{}
	quoted := false
	for _, c := range line {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == ';' || c == '\t' || c == ',':
			counts[c]++
		}
	}
	best := ';'
	for _, c := range []rune{'\t', ','} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

func blank(rec []string) bool {
	for _, s := range rec {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

// parseRow fills a notification from one record.
func (b *Batch) parseRow(line int, cols, header, rec []string) Row {
	row := Row{Line: line}
	n := &row.Notification
	co := Parent{}
	report := func(list *[]Problem, e *apperr.Error, column string) {
		*list = append(*list, Problem{Row: line, Column: column, Code: e.Code, Message: Dutch(e)})
	}
	for i, v := range rec {
		v = strings.TrimSpace(strings.TrimPrefix(v, "\uFEFF"))
		if i >= len(cols) || cols[i] == "" {
			if v != "" {
				col := "kolom " + strconv.Itoa(i+1)
				report(&row.Problems, problem(apperr.ColumnCount, col, map[string]any{"N": i + 1},
					"column %d has a value but no name in the header", i+1), col)
			}
			continue
		}
		c := cols[i]
		if _, bad := textnorm.SingleLine(v); bad {
			// A control character or a line break inside a cell: the row
			// is refused, as every text field with one is.
			report(&row.Problems, problem(apperr.InvalidText, c, nil, "the cell holds a control character or a line break"), header[i])
		}
		if ch, ok := formula(v, strings.HasSuffix(c, "_phone")); ok {
			report(&row.Problems, problem(apperr.FormulaCell, c, nil, "the cell starts with %q like a spreadsheet formula", ch).
				WithKey("imports.row.formula_cell", map[string]any{"Char": ch}), header[i])
		}
		switch c {
		case "child_birth_date":
			n.ChildBirthDate = isoDate(v)
		case "early_contact_requested":
			yes, ok := parseYesNo(v)
			if !ok {
				report(&row.Problems, problem(apperr.BooleanInvalid, "early_contact_requested", map[string]any{"Value": v}, "%q is not yes or no", v), header[i])
			}
			n.EarlyContactRequested = yes
		case ReferenceColumn.Name:
			n.ClinicReference = v
		default:
			p := &n.Mother
			field := strings.TrimPrefix(c, "mother_")
			if strings.HasPrefix(c, "co_parent_") {
				p, field = &co, strings.TrimPrefix(c, "co_parent_")
			}
			switch field {
			case "phone":
				// Only what Excel makes of a number can need a repair;
				// Validate normalises the rest.
				if !excelNumber(v) {
					break
				}
				if e164, fix, err := NormalizePhone(c, v); err == nil && fix != FixNone {
					report(&row.Warnings, phoneWarning(c, v, e164, fix), header[i])
					v = e164
				}
			case "language":
				v = languageCode(v)
			}
			*p.field(field) = v
		}
	}
	if co != (Parent{}) {
		n.CoParent = &co
	}
	return row
}

// formula reports whether a cell starts like a spreadsheet formula (=, @,
// and + or - before anything but a telephone number), and with what.
func formula(v string, phone bool) (string, bool) {
	if len(v) < 2 {
		return "", false
	}
	switch v[0] {
	case '=', '@':
		return v[:1], true
	case '+':
		return v[:1], !phone
	case '-':
		return v[:1], true
	}
	return "", false
}

func (p *Parent) field(name string) *string {
	switch name {
	case "name":
		return &p.Name
	case "street":
		return &p.Street
	case "number":
		return &p.Number
	case "box":
		return &p.Box
	case "postcode":
		return &p.Postcode
	case "municipality_nis":
		return &p.MunicipalityNIS
	case "phone":
		return &p.Phone
	case "email":
		return &p.Email
	}
	return &p.Language
}

// Excel counts days from 30 December 1899; serials is the range of dates
// a birth notification can have (2000–2099).
var (
	excelEpoch           = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	serialMin, serialMax = 36526, 73050
	serialRE             = regexp.MustCompile(`^[0-9]{5}$`)
	timeSuffix           = regexp.MustCompile(`^(\S+)\s+[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?$`)
)

// isoDate turns a date as people type it (dates.Parse: 6/12/2026,
// 06-12-2026, 6.12.2026, 2026-12-06, also with a time 0:00 after it) or an
// Excel serial date (46362) into YYYY-MM-DD; anything else is left as it
// is for Validate to judge.
func isoDate(s string) string {
	if serialRE.MatchString(s) {
		n, _ := strconv.Atoi(s)
		if n >= serialMin && n <= serialMax {
			return excelEpoch.AddDate(0, 0, n).Format(time.DateOnly)
		}
		return s
	}
	d := s
	if m := timeSuffix.FindStringSubmatch(s); m != nil {
		d = m[1]
	}
	if t, ok, err := dates.Parse(d); ok && err == nil {
		return t.Format(time.DateOnly)
	}
	return s
}

// yes and no are the spellings of early contact, folded and with
// punctuation as spaces ("ja, graag" is "ja graag").
var (
	yesWords = []string{"1", "j", "y", "x", "v", "ja", "yes", "true", "waar", "ja graag", "graag", "jawel", "ja zeker", "zeker", "ja gevraagd",
		"gevraagd", "gewenst", "ja gewenst", "yes please", "oui", "oui merci"}
	noWords = []string{"", "0", "n", "nee", "neen", "no", "false", "onwaar", "nee bedankt", "neen bedankt", "nee dank u", "neen dank u",
		"nee dankje", "nee dank je", "niet", "geen", "niet gevraagd", "niet gewenst", "nee niet gewenst", "no thanks", "no thank you", "non", "non merci"}
)

func parseYesNo(s string) (yes, ok bool) {
	s = strings.TrimSpace(s)
	switch s {
	case "✓", "✔", "☑", "☒":
		return true, true
	case "✗", "✘", "☐":
		return false, true
	}
	w := strings.Join(textnorm.Words(s), " ")
	if w == "" && s != "" {
		return false, false
	}
	for _, y := range yesWords {
		if w == y {
			return true, true
		}
	}
	for _, n := range noWords {
		if w == n {
			return false, true
		}
	}
	return false, false
}

// languageNames maps a folded language name (in Dutch, English, French
// and the language itself) to its code in Languages.
var languageNames = func() map[string]string {
	m := map[string]string{}
	for code, names := range map[string][]string{
		"nl": {"nederlands", "dutch", "vlaams", "flemish", "neerlandais"},
		"fr": {"frans", "french", "francais"},
		"en": {"engels", "english", "anglais"},
		"de": {"duits", "german", "deutsch", "allemand"},
		"ar": {"arabisch", "arabic", "arabe", "العربية"},
		"tr": {"turks", "turkish", "turkce", "turc"},
		"pl": {"pools", "polish", "polski", "polonais"},
		"ro": {"roemeens", "romanian", "romana", "roumain"},
		"bg": {"bulgaars", "bulgarian", "bulgare"},
		"es": {"spaans", "spanish", "espanol", "espagnol"},
		"it": {"italiaans", "italian", "italiano", "italien"},
		"pt": {"portugees", "portuguese", "portugues", "portugais"},
		"ru": {"russisch", "russian", "russe"},
		"uk": {"oekraiens", "ukrainian", "ukrainien"},
		"so": {"somalisch", "somali", "somalien"},
		"ti": {"tigrinya", "tigrinia", "tigrigna"},
		"fa": {"perzisch", "farsi", "persian", "persan"},
		"ps": {"pasjtoe", "pashto", "pashtu", "pasjtoes", "pachto"},
		"sq": {"albanees", "albanian", "shqip", "albanais"},
		"am": {"amhaars", "amharic", "amharique"},
	} {
		for _, n := range names {
			m[textnorm.Fold(n)] = code
		}
		m[code] = code
	}
	return m
}()

// languageCode reads a language as a code ("nl", "NL", "fr-BE") or a
// name ("Nederlands", "Frans", "Arabic"); anything else is left as it is
// for Validate to refuse (language_unsupported).
func languageCode(s string) string {
	w := strings.Join(textnorm.Words(s), " ")
	if c, ok := languageNames[w]; ok {
		return c
	}
	// A code with a region: nl-BE, fr_BE.
	if ws := textnorm.Words(s); len(ws) == 2 && len(ws[1]) == 2 {
		if c, ok := languageNames[ws[0]]; ok && len(ws[0]) == 2 {
			return c
		}
	}
	return s
}

// Row statuses of a batch report.
const (
	RowCreated     = "created"      // stored now
	RowExisting    = "existing"     // stored before (same clinic, mother and date of birth)
	RowRejected    = "rejected"     // has problems: not stored
	RowNotImported = "not_imported" // fine, but the file was rejected because of other rows
)

// RowResult says what happened to one row.
type RowResult struct {
	Row    int    `json:"row"`
	Status string `json:"status"`
	ID     int64  `json:"id,omitempty"`
	Team   string `json:"team,omitempty"`
	Queue  string `json:"queue,omitempty"`
}

// BatchReport is the row-by-row answer to a batch.
type BatchReport struct {
	BatchID   int64  `json:"batch_id,omitempty"`
	SHA256    string `json:"file_sha256"`
	Separator string `json:"separator"`
	// AcceptPartial tells whether the caller asked to store the good rows
	// of a file with errors.
	AcceptPartial bool `json:"accept_partial"`
	// Accepted tells whether the rows without problems went in; false
	// when the file had errors and partial acceptance was not asked.
	Accepted bool `json:"accepted"`
	// AlreadyReceived: this clinic sent this very file before.
	AlreadyReceived bool        `json:"already_received"`
	RowCount        int         `json:"row_count"`
	Created         int         `json:"created"`
	Existing        int         `json:"existing"`
	Rejected        int         `json:"rejected"`
	Rows            []RowResult `json:"rows"`
	Problems        []Problem   `json:"problems"`
	// Warnings say what was changed to read a row that is accepted (a
	// telephone number Excel had damaged, repaired).
	Warnings []Problem `json:"warnings"`
	// Encoding is what the file was written in (UTF-8, UTF-8 BOM,
	// UTF-16LE, UTF-16BE, Windows-1252).
	Encoding string `json:"encoding"`
}

// CheckBatch validates every row of a parsed batch of clinic on the day
// today and returns the report without storing anything: each row is
// rejected (with its problems) or will be created. Rows of the same
// mother and date of birth within the file are refused as duplicate_row.
// It also returns the rows' natural keys (NaturalKey; "" for rejected
// rows).
func CheckBatch(b *Batch, clinic string, reg *municipality.Registry, today time.Time) (BatchReport, []string) {
	rep := BatchReport{Separator: b.Separator, Encoding: b.Encoding, RowCount: len(b.Rows), Rows: make([]RowResult, len(b.Rows)),
		Problems: []Problem{}, Warnings: []Problem{}}
	keys := make([]string, len(b.Rows))
	seen := map[string]int{}
	for i := range b.Rows {
		row := &b.Rows[i]
		rep.Warnings = append(rep.Warnings, row.Warnings...)
		var probs []Problem
		probs, keys[i] = b.checkRow(row, clinic, reg, today, func(k string, line int) (int, bool) {
			first, dup := seen[k]
			if !dup {
				seen[k] = line
			}
			return first, dup
		})
		rep.Rows[i] = RowResult{Row: row.Line, Status: RowCreated}
		if len(probs) > 0 {
			rep.Rows[i].Status = RowRejected
			rep.Rejected++
			rep.Problems = append(rep.Problems, probs...)
		}
	}
	return rep, keys
}

// checkRow validates one row of b: its reading problems, the data set's
// rules and, through dup (which remembers the row's natural key and
// answers the line of an earlier row with the same key), duplicate_row.
// It returns the row's problems and, when it has none, its natural key.
func (b *Batch) checkRow(row *Row, clinic string, reg *municipality.Registry, today time.Time, dup func(key string, line int) (int, bool)) ([]Problem, string) {
	probs := append([]Problem(nil), row.Problems...)
	for _, e := range row.Notification.Validate(reg, today) {
		probs = append(probs, Problem{Row: row.Line, Column: b.column(e.Field), Code: e.Code, Message: Dutch(e)})
	}
	if len(probs) > 0 {
		return probs, ""
	}
	k := NaturalKey(clinic, row.Notification.Mother.Name, row.Notification.BirthDate)
	if first, isDup := dup(k, row.Line); isDup {
		e := problem(apperr.DuplicateRow, "mother.name", map[string]any{"Row": first},
			"the same mother and date of birth as row %d", first)
		return append(probs, Problem{Row: row.Line, Column: b.column("mother.name"), Code: e.Code, Message: Dutch(e)}), ""
	}
	return probs, k
}
