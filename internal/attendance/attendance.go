// Package attendance reads the registrations and attendance list of a webinar or information
// session, as exported by Zoom, Teams, Webex or Eventbrite or typed by hand in Excel, and
// matches every row to the local government (municipality) it comes from.
//
// Parse turns the file into a Table: it detects the encoding (UTF-8 with or without BOM,
// UTF-16 LE/BE with BOM, otherwise Windows-1252), the separator (';', ',' or tab, sniffed from
// the header line with quotes respected) and the meaning of the columns from Dutch or English
// headers. A file that cannot be read as a table at all is rejected with an *Error and no rows.
//
// MatchAll then matches each row to a municipality that existed on the campaign date, using the
// municipality registry: by NIS code, by name (accent-, case- and punctuation-insensitive, with
// words such as "Gemeente", "Stad", "OCMW" or "Lokaal bestuur" ignored), by postal code, by the
// domain of an e-mail address and finally by a cautious fuzzy match. Its Report says row by row
// what was matched and what was not, so that the caller imports all rows or none.
package attendance

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits of Parse.
const (
	// MaxBytes is the largest file Parse reads.
	MaxBytes = 5 << 20
	// MaxRows is the largest number of data rows (blank lines not counted) Parse accepts.
	MaxRows = 20000
	// headerSearch is how many records at the top of the file may precede the header line
	// (Zoom and Teams put a report summary above the table).
	headerSearch = 100
)

// Encodings reported in Table.Encoding.
const (
	EncodingUTF8        = "UTF-8"
	EncodingUTF8BOM     = "UTF-8 BOM"
	EncodingUTF16LE     = "UTF-16LE"
	EncodingUTF16BE     = "UTF-16BE"
	EncodingWindows1252 = "Windows-1252"
)

// Stable codes of Error.Code.
const (
	// CodeRead: the file could not be read.
	CodeRead = "read_error"
	// CodeEmpty: the file is empty or holds only blank lines.
	CodeEmpty = "empty_file"
	// CodeTooLarge: the file is larger than MaxBytes.
	CodeTooLarge = "too_large"
	// CodeTooManyRows: the file holds more than MaxRows data rows.
	CodeTooManyRows = "too_many_rows"
	// CodeBinary: the file is not text (an Excel workbook, a PDF, an image, ...).
	CodeBinary = "binary"
	// CodeNoHeader: no line with recognisable column names was found.
	CodeNoHeader = "no_header"
	// CodeNoMunicipalityColumn: there is a header, but no column that says which municipality
	// or organisation a person belongs to.
	CodeNoMunicipalityColumn = "no_municipality_column"
	// CodeNoRows: there is a header but no data rows.
	CodeNoRows = "no_rows"
	// CodeMalformed: the table is broken, e.g. a quote that is never closed.
	CodeMalformed = "malformed"
)

// Error is the error Parse returns for a file it rejects. Code is stable (one of the Code
// constants); Message is Dutch and meant for the user; Line is the line of the file the problem
// was found on, 0 if it concerns the whole file.
type Error struct {
	Code    string
	Message string
	Line    int
	Err     error // underlying read error, if any
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("attendance: %s (regel %d): %s", e.Code, e.Line, e.Message)
	}
	return fmt.Sprintf("attendance: %s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Code returns the Code of err if it is (or wraps) an *Error, "" otherwise.
func Code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Row is one data row of the file.
type Row struct {
	// Line is the line of the file the row starts on (1-based; a quoted field may span lines).
	Line int
	// Municipality is the text of the municipality column ("Gemeente", "Municipality",
	// "Lokaal bestuur", or else a city column such as "Woonplaats" or "City").
	Municipality string
	// Organisation is the text of the organisation column ("Organisatie", "Organization").
	Organisation string
	// Name is the person's name: the full-name column, or first and last name joined.
	Name string
	// Email is the e-mail address as given (without "mailto:" or a display name).
	Email string
	// Function is the person's job title.
	Function string
	// Affiliations are the words in parentheses after the display name, as Teams and Zoom
	// show them ("Els Claes (Gemeente Sint-Niklaas) (Gast)" → "Gemeente Sint-Niklaas"),
	// without the markers of a guest or an unverified user. Name is the display name without
	// them.
	Affiliations []string
	// Guest is true when the display name or a guest column says the person is a guest.
	Guest bool
	// Organizer is true for the organiser, co-organiser, presenter or host of a meeting
	// (a role column).
	Organizer bool
	// Internal is true when a guest column says the person is no guest: signed in to the
	// account of the meeting's host (Zoom), so one of the organisers' colleagues.
	Internal bool
	// NIS and Postcode are the texts of a NIS-code and a postal-code column, if any.
	NIS, Postcode string
	// Registered is the value of a registration column, true if the registration time is
	// filled in, and true if the file has no such column (being on the list).
	Registered bool
	// Attended is the value of an attendance column ("Aanwezig", "Attended": ja/nee, yes/no,
	// 1/0, x, TRUE/FALSE), true if a join time or duration is filled in, false otherwise.
	Attended bool
	// Invalid lists the headers of the cells whose value could not be read (an attendance
	// column holding "misschien"). MatchAll reports such rows with ProblemInvalidValue.
	Invalid []string
	// Raw maps every named column of the header to the cell's text (trimmed).
	Raw map[string]string
}

// Field names used as keys of Table.Columns.
const (
	FieldMunicipality     = "municipality"
	FieldCity             = "city"
	FieldOrganisation     = "organisation"
	FieldNIS              = "nis"
	FieldPostcode         = "postcode"
	FieldName             = "name"
	FieldFirstName        = "first_name"
	FieldLastName         = "last_name"
	FieldEmail            = "email"
	FieldFunction         = "function"
	FieldAttended         = "attended"
	FieldRegistered       = "registered"
	FieldRegistrationTime = "registration_time"
	FieldJoinTime         = "join_time"
)

// Table is a parsed file.
type Table struct {
	// Encoding is one of the Encoding constants.
	Encoding string
	// Separator is ";", "," or "\t".
	Separator string
	// Header holds the column names as found in the file (trimmed; trailing empty names of a
	// line ending in separators dropped).
	Header []string
	// HeaderLine is the line of the header (lines above it, such as a report summary, are
	// ignored).
	HeaderLine int
	// Columns maps each recognised field (Field constants) to its column index in Header.
	Columns map[string]int
	// HasAttendance reports whether the file says who attended (an attendance column, a join
	// time or a duration). Without it, Row.Attended is false for every row.
	HasAttendance bool
	// Rows are the data rows, in file order. Blank lines and lines of empty cells are skipped.
	Rows []Row
	// Skipped counts the blank lines and lines of empty cells below the header.
	Skipped int
	// NotRead lists the other sections of a meeting report that hold people but are not
	// imported: the hosts and panelists of a Zoom webinar, the activities per session of a
	// Teams report (which repeat the participants). The report shows them, so that no row of
	// the file goes unmentioned.
	NotRead []Section
}

// Section is a section of a meeting report that was not read.
type Section struct {
	// Title is the section's title as in the file ("Host Details").
	Title string
	// Line is the line of the title.
	Line int
	// Rows counts its rows of people.
	Rows int
}

// Parse reads a registrations or attendance export. It reads at most MaxBytes and rejects
// larger files, files of more than MaxRows rows, binary files, files without a recognisable
// header, without a municipality, organisation, NIS-code or postal-code column, and files with a
// header but no data rows, always with an *Error and a nil Table.
func Parse(r io.Reader) (*Table, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, &Error{Code: CodeRead, Message: "Het bestand kon niet gelezen worden.", Err: err}
	}
	if len(data) > MaxBytes {
		return nil, &Error{Code: CodeTooLarge, Message: fmt.Sprintf(
			"Het bestand is groter dan %d MB. Splits de lijst op of verwijder overbodige kolommen.", MaxBytes>>20)}
	}
	if e := sniffBinary(data); e != nil {
		return nil, e
	}
	text, enc, e := decode(data)
	if e != nil {
		return nil, e
	}
	if strings.TrimSpace(text) == "" {
		return nil, &Error{Code: CodeEmpty, Message: "Het bestand is leeg."}
	}
	t, e := parseText(text)
	if e != nil {
		return nil, e
	}
	t.Encoding = enc
	return t, nil
}

// sniffBinary rejects files with the signature of a well-known binary format, with a message
// that says what to do.
func sniffBinary(data []byte) *Error {
	sigs := []struct {
		magic string
		msg   string
	}{
		{"PK\x03\x04", "Dit is een Excel-werkmap (.xlsx) of een ander zip-bestand, geen CSV-bestand. Open het in Excel en kies 'Opslaan als' > 'CSV UTF-8 (gescheiden door lijstscheidingsteken)'."},
		{"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "Dit is een oud Excel-bestand (.xls), geen CSV-bestand. Open het in Excel en kies 'Opslaan als' > 'CSV UTF-8 (gescheiden door lijstscheidingsteken)'."},
		{"%PDF", "Dit is een PDF-bestand. Laad de deelnemerslijst op als CSV-bestand."},
		{"\x89PNG", "Dit is een afbeelding. Laad de deelnemerslijst op als CSV-bestand."},
		{"\xFF\xD8\xFF", "Dit is een afbeelding. Laad de deelnemerslijst op als CSV-bestand."},
		{"\x1F\x8B", "Dit is een gecomprimeerd bestand. Pak het uit en laad het CSV-bestand op."},
	}
	for _, s := range sigs {
		if bytes.HasPrefix(data, []byte(s.magic)) {
			return &Error{Code: CodeBinary, Message: s.msg}
		}
	}
	return nil
}

// binaryError is the generic rejection of a file that is not text.
func binaryError() *Error {
	return &Error{Code: CodeBinary, Message: "Dit is geen tekstbestand. Laad de deelnemerslijst op als CSV-bestand (bijvoorbeeld 'CSV UTF-8' in Excel)."}
}
