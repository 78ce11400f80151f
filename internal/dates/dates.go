// Package dates reads calendar dates as people in Flanders type them and
// shows them the way they read them: DD-MM-JJJJ.
//
// Parse accepts 6/12/2026, 06-12-2026, 6.12.2026 (day first, as in
// Belgium), 2026-12-06 (ISO, what browsers' date pickers and the API send)
// and surrounding spaces. Format writes 06-12-2026. Every date field in the
// UI uses both, with the hint Hint.
package dates

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/apperr"
)

// Layout is how dates are shown: DD-MM-JJJJ.
const Layout = "02-01-2006"

// Hint is the Dutch description of what a date field accepts; the English
// one is HintEN. Pages take them from the catalogue key "date.hint".
const (
	Hint   = "DD-MM-JJJJ, bv. 06-12-2026"
	HintEN = "DD-MM-YYYY, e.g. 06-12-2026"
)

// Format shows t's calendar day as DD-MM-JJJJ ("" for the zero time).
func Format(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(Layout)
}

// FormatPtr is Format for an optional date ("" for nil).
func FormatPtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return Format(*t)
}

// Parse reads a date typed by a person or sent by a program and returns it
// as UTC midnight. It accepts day-month-year with '/', '-' or '.' between
// one- or two-digit day and month and a four-digit year, and ISO
// year-month-day. Anything else, or a day that does not exist (31-02-2026),
// is an error; ok is false for empty input so callers can tell "missing"
// from "wrong".
func Parse(s string) (t time.Time, ok bool, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false, nil
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '-' || r == '.' })
	if len(parts) != 3 || len(parts[0]) == len(s) {
		return time.Time{}, true, invalid(s)
	}
	// The separators must be one character each, the same twice.
	sep1, sep2 := s[len(parts[0])], s[len(parts[0])+1+len(parts[1])]
	if sep1 != sep2 || len(parts[0])+len(parts[1])+len(parts[2])+2 != len(s) {
		return time.Time{}, true, invalid(s)
	}
	var y, m, d int
	switch {
	case len(parts[0]) == 4 && sep1 == '-': // ISO
		y, m, d = num(parts[0]), num(parts[1]), num(parts[2])
		if len(parts[1]) != 2 || len(parts[2]) != 2 {
			return time.Time{}, true, invalid(s)
		}
	case len(parts[2]) == 4 && len(parts[0]) <= 2 && len(parts[1]) <= 2:
		d, m, y = num(parts[0]), num(parts[1]), num(parts[2])
	default:
		return time.Time{}, true, invalid(s)
	}
	if y < 1000 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, true, invalid(s)
	}
	t = time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m {
		return time.Time{}, true, invalid(s)
	}
	return t, true, nil
}

// ParseField is Parse for a named input field: a missing value is not an
// error (ok false); a wrong one is an apperr with code invalid_date naming
// the field, in Dutch through the key "error.date_format".
func ParseField(field, s string) (t time.Time, ok bool, err error) {
	t, ok, err = Parse(s)
	if err != nil {
		return t, ok, apperr.FieldErr(apperr.InvalidDate, field, "%s: %q is not a date; write DD-MM-YYYY (06-12-2026) or YYYY-MM-DD", field, s).
			WithKey("error.date_format", map[string]any{"Value": s})
	}
	return t, ok, nil
}

type parseError string

func (e parseError) Error() string {
	return "dates: " + strconv.Quote(string(e)) + " is not a date: write DD-MM-JJJJ, e.g. 06-12-2026"
}

func invalid(s string) error { return parseError(s) }

// num reads digits only; anything else gives -1 (caught by the range checks).
func num(s string) int {
	if s == "" {
		return -1
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

var dutchMonths = [...]string{"januari", "februari", "maart", "april", "mei", "juni", "juli",
	"augustus", "september", "oktober", "november", "december"}

// Long formats t as Dutch prose does: "8 maart 2023" (letters, answers,
// PDFs), where Format gives the short DD-MM-JJJJ of forms and lists.
func Long(t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), dutchMonths[t.Month()-1], t.Year())
}
