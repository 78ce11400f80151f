package birth

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kansrijk/internal/apperr"
	"kansrijk/internal/municipality"
	"kansrijk/internal/textnorm"
)

// A CSV batch: one notification per row, UTF-8 with or without BOM, ";" or
// "," as separator, a header row with the column names in English or Dutch
// (Columns; accents, case, spaces and hyphens do not matter, and both
// "mother_name" and "name_mother" work). A column that is not in the data
// set is refused (unknown_column): a file never brings in more than the
// data set. The date of birth may be YYYY-MM-DD or DD/MM/YYYY; early
// contact is ja/nee, yes/no, true/false, 1/0 or empty (no).

// Limits of a batch.
const (
	MaxBatchBytes = 5 << 20
	MaxBatchRows  = 5000
)

// Columns are the canonical column names, in order, with the field of the
// data set each one fills.
var Columns = []struct{ Name, Field string }{
	{"mother_name", "mother.name"},
	{"mother_street", "mother.street"},
	{"mother_number", "mother.number"},
	{"mother_box", "mother.box"},
	{"mother_postcode", "mother.postcode"},
	{"mother_municipality_nis", "mother.municipality_nis"},
	{"mother_phone", "mother.phone"},
	{"mother_email", "mother.email"},
	{"mother_language", "mother.language"},
	{"co_parent_name", "co_parent.name"},
	{"co_parent_street", "co_parent.street"},
	{"co_parent_number", "co_parent.number"},
	{"co_parent_box", "co_parent.box"},
	{"co_parent_postcode", "co_parent.postcode"},
	{"co_parent_municipality_nis", "co_parent.municipality_nis"},
	{"co_parent_phone", "co_parent.phone"},
	{"co_parent_email", "co_parent.email"},
	{"co_parent_language", "co_parent.language"},
	{"child_birth_date", "child_birth_date"},
	{"early_contact_requested", "early_contact_requested"},
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
	return m
}()

var nonAlnum = regexp.MustCompile(`[^a-z0-9]+`)

// canonicalColumn returns the canonical column of a header cell, or "".
func canonicalColumn(header string) string {
	h := strings.Trim(nonAlnum.ReplaceAllString(textnorm.Fold(strings.TrimSpace(header)), "_"), "_")
	return aliases[h]
}

// Problem is one line of a batch report: which row (the line in the file;
// the header is line 1; 0 for the file as a whole), which column (as
// written in the file's header), the stable code and a Dutch message.
type Problem struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// FileError is a problem with the file as a whole (not a table, unknown
// or missing columns, too large): nothing in it is read.
type FileError struct {
	Problem
	English string
}

func (e *FileError) Error() string { return e.Code + ": " + e.English }

// AppErr returns the file error as an API error.
func (e *FileError) AppErr() *apperr.Error {
	field := "file"
	if e.Column != "" {
		field = e.Column
	}
	code := e.Code
	if code == apperr.TooLarge {
		return apperr.New(apperr.TooLarge, "%s", e.English)
	}
	return apperr.FieldErr(code, field, "%s", e.English).WithKey("error.birth."+code, map[string]any{"Column": e.Column, "Line": e.Row})
}

func fileErr(code string, line int, column, english string, args map[string]any) *FileError {
	if args == nil {
		args = map[string]any{}
	}
	args["Column"], args["Line"] = column, line
	e := problem(code, column, args, "%s", english)
	return &FileError{Problem: Problem{Row: line, Column: column, Code: code, Message: Dutch(e)}, English: english}
}

// Row is one data row of a batch.
type Row struct {
	Line         int
	Notification NewNotification
	// Problems found while reading the row (a bad yes/no, a value in a
	// column without a name, a row longer than the header).
	Problems []Problem
}

// Batch is a parsed CSV file.
type Batch struct {
	Separator string
	BOM       bool
	// Header maps a canonical column to the header cell as written.
	Header map[string]string
	Rows   []Row
}

// column returns the header of a field as written in the file, or the
// canonical column name when the file has no such column.
func (b *Batch) column(field string) string {
	for _, c := range Columns {
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
		return nil, fileErr(apperr.TooLarge, 0, "", "the file is larger than 5 MB", map[string]any{"N": MaxBatchBytes >> 20})
	}
	b := &Batch{Header: map[string]string{}}
	if bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}) {
		data, b.BOM = data[3:], true
	}
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) || !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return nil, fileErr(apperr.EncodingInvalid, 0, "", "the file is not UTF-8 text: save it as \"CSV UTF-8\"", nil)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fileErr(apperr.EmptyFile, 0, "", "the file is empty", nil)
	}
	b.Separator = detectSeparator(data)
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = rune(b.Separator[0])
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err != nil {
		return nil, csvErr(err)
	}
	cols := make([]string, len(header)) // canonical name per position, "" for an unnamed column
	for i, h := range header {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		c := canonicalColumn(h)
		if c == "" {
			return nil, fileErr(apperr.UnknownColumn, 1, h, "column \""+h+"\" is not part of a birth notification (no national register number, no medical data)", nil)
		}
		if prev, dup := b.Header[c]; dup {
			return nil, fileErr(apperr.DuplicateColumn, 1, h, "columns \""+prev+"\" and \""+h+"\" are the same field", map[string]any{"Other": prev})
		}
		cols[i], b.Header[c] = c, h
	}
	for _, c := range RequiredColumns {
		if _, ok := b.Header[c]; !ok {
			return nil, fileErr(apperr.MissingColumn, 1, c, "the file has no column "+c, nil)
		}
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvErr(err)
		}
		line, _ := r.FieldPos(0)
		if blank(rec) {
			continue
		}
		if len(b.Rows) == MaxBatchRows {
			return nil, fileErr(apperr.TooManyRows, line, "", "the file has more than "+strconv.Itoa(MaxBatchRows)+" rows: split it", map[string]any{"N": MaxBatchRows})
		}
		b.Rows = append(b.Rows, b.parseRow(line, cols, header, rec))
	}
	if len(b.Rows) == 0 {
		return nil, fileErr(apperr.EmptyFile, 0, "", "the file has a header but no rows", nil)
	}
	return b, nil
}

func csvErr(err error) *FileError {
	line := 0
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		line = pe.Line
	}
	return fileErr(apperr.CSVMalformed, line, "", "the file is not a readable CSV table (line "+strconv.Itoa(line)+"): "+err.Error(), nil)
}

// detectSeparator picks ";" or "," from the first line, counting only
// outside quotes.
func detectSeparator(data []byte) string {
	semi, comma, quoted := 0, 0, false
	for _, c := range data {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\n':
			if semi > comma {
				return ";"
			}
			return ","
		case c == ';':
			semi++
		case c == ',':
			comma++
		}
	}
	if semi > comma {
		return ";"
	}
	return ","
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
	for i, v := range rec {
		v = strings.TrimSpace(v)
		if i >= len(cols) || cols[i] == "" {
			if v != "" {
				col := "kolom " + strconv.Itoa(i+1)
				e := problem(apperr.ColumnCount, col, map[string]any{"N": i + 1},
					"column %d has a value but no name in the header", i+1)
				row.Problems = append(row.Problems, Problem{Row: line, Column: col, Code: e.Code, Message: Dutch(e)})
			}
			continue
		}
		if _, bad := textnorm.SingleLine(v); bad {
			// A control character or a line break inside a cell: the row
			// is refused, as every text field with one is.
			e := problem(apperr.InvalidText, cols[i], nil, "the cell holds a control character or a line break")
			row.Problems = append(row.Problems, Problem{Row: line, Column: header[i], Code: e.Code, Message: Dutch(e)})
		}
		switch c := cols[i]; c {
		case "child_birth_date":
			n.ChildBirthDate = isoDate(v)
		case "early_contact_requested":
			yes, ok := parseYesNo(v)
			if !ok {
				e := problem(apperr.BooleanInvalid, "early_contact_requested", map[string]any{"Value": v}, "%q is not yes or no", v)
				row.Problems = append(row.Problems, Problem{Row: line, Column: header[i], Code: e.Code, Message: Dutch(e)})
			}
			n.EarlyContactRequested = yes
		default:
			p := &n.Mother
			field := strings.TrimPrefix(c, "mother_")
			if strings.HasPrefix(c, "co_parent_") {
				p, field = &co, strings.TrimPrefix(c, "co_parent_")
			}
			*p.field(field) = v
		}
	}
	if co != (Parent{}) {
		n.CoParent = &co
	}
	return row
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

var dmyRE = regexp.MustCompile(`^([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})$`)

// isoDate turns D/M/YYYY (also with - or .) into YYYY-MM-DD; anything else
// is left as it is for Validate to judge.
func isoDate(s string) string {
	m := dmyRE.FindStringSubmatch(s)
	if m == nil {
		return s
	}
	d, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	y, _ := strconv.Atoi(m[3])
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != mo {
		return s // 31/02/2025: no such day
	}
	return t.Format(time.DateOnly)
}

func parseYesNo(s string) (yes, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "0", "n", "nee", "no", "false", "onwaar":
		return false, true
	case "1", "j", "y", "x", "ja", "yes", "true", "waar":
		return true, true
	}
	return false, false
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
}

// CheckBatch validates every row of a parsed batch of clinic on the day
// today and returns the report without storing anything: each row is
// rejected (with its problems) or will be created. Rows of the same
// mother and date of birth within the file are refused as duplicate_row.
// It also returns the rows' natural keys (NaturalKey; "" for rejected
// rows).
func CheckBatch(b *Batch, clinic string, reg *municipality.Registry, today time.Time) (BatchReport, []string) {
	rep := BatchReport{Separator: b.Separator, RowCount: len(b.Rows), Rows: make([]RowResult, len(b.Rows)), Problems: []Problem{}}
	keys := make([]string, len(b.Rows))
	seen := map[string]int{}
	for i := range b.Rows {
		row := &b.Rows[i]
		probs := append([]Problem(nil), row.Problems...)
		for _, e := range row.Notification.Validate(reg, today) {
			probs = append(probs, Problem{Row: row.Line, Column: b.column(e.Field), Code: e.Code, Message: Dutch(e)})
		}
		if len(probs) == 0 {
			k := NaturalKey(clinic, row.Notification.Mother.Name, row.Notification.BirthDate)
			if first, dup := seen[k]; dup {
				e := problem(apperr.DuplicateRow, "mother.name", map[string]any{"Row": first},
					"the same mother and date of birth as row %d", first)
				probs = append(probs, Problem{Row: row.Line, Column: b.column("mother.name"), Code: e.Code, Message: Dutch(e)})
			} else {
				seen[k], keys[i] = row.Line, k
			}
		}
		rep.Rows[i] = RowResult{Row: row.Line, Status: RowCreated}
		if len(probs) > 0 {
			rep.Rows[i].Status = RowRejected
			rep.Rejected++
			rep.Problems = append(rep.Problems, probs...)
		}
	}
	return rep, keys
}
