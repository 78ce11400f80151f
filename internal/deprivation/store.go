package deprivation

import (
	"bytes"
	"context"
	"io"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/municipality"
)

// DefaultSource names the published index, the source of an import unless
// the importer says otherwise.
const DefaultSource = "Kind en Gezin (Opgroeien), kansarmoede-index"

// MaxSource is the longest source label, in characters.
const MaxSource = 200

// Relation says how a figure relates to the municipality asked for.
type Relation string

// The relations.
const (
	// Self: the municipality's own figure.
	Self Relation = "self"
	// Predecessor: a municipality that merged into it later (2025),
	// for the years before the merger.
	Predecessor Relation = "predecessor"
	// Successor: the municipality it merged into, for the years after.
	Successor Relation = "successor"
)

// Figure is the stored index of one municipality in one year.
type Figure struct {
	// NIS and Name are the municipality the figure is for: the one asked
	// for, or a predecessor or successor (Relation).
	NIS      string
	Name     string
	Relation Relation
	Year     int
	Percent  float64
	Births   *int
	Deprived *int
	// Source is the source label of the year's import.
	Source string
}

// Series is what is known of one municipality's index: its own figures
// and, around the 2025 mergers, those of its predecessors for the years
// before and of its successor for the years after.
type Series struct {
	NIS  string
	Name string
	// Figures are ordered by year, then its own figure first, then by
	// name.
	Figures []Figure
}

// Years returns the distinct years of the figures, ascending.
func (s Series) Years() []int {
	var out []int
	for _, f := range s.Figures {
		if len(out) == 0 || out[len(out)-1] != f.Year {
			out = append(out, f.Year)
		}
	}
	return out
}

// Fictitious reports whether any figure comes from a source labelled as
// fictitious (the demo data).
func (s Series) Fictitious() bool {
	for _, f := range s.Figures {
		if Fictitious(f.Source) {
			return true
		}
	}
	return false
}

// Fictitious reports whether a source label says the figures are made up
// ("fictief — demogegevens").
func Fictitious(source string) bool {
	s := fold(source)
	return strings.Contains(s, "fictief") || strings.Contains(s, "fictitious")
}

// Year is one imported year.
type Year struct {
	Year int
	// Municipalities counts the municipalities with a value.
	Municipalities int
	Source         string
	ImportedAt     time.Time
	// Replaced counts the values of that year that the import replaced
	// (only in an ImportResult).
	Replaced int
}

// ImportResult tells what an import stored.
type ImportResult struct {
	Values int
	Years  []Year
}

// Store keeps the index. Import is for admins only and replaces every
// year the file holds, as a whole, in one transaction with its audit
// record. The figures are public: every signed-in role but clinic may read
// them.
type Store interface {
	ImportDeprivation(ctx context.Context, a account.Actor, values []Value, source string) (ImportResult, error)
	DeprivationIndex(ctx context.Context, a account.Actor, nis string) (Series, error)
	DeprivationYears(ctx context.Context, a account.Actor) ([]Year, error)
}

// CanRead reports whether the actor may read the index: every signed-in
// role but clinic.
func CanRead(a account.Actor) bool {
	return a.Role != "" && a.Role != account.Clinic
}

// ParseFile reads a CSV or XLSX file, told apart by its content (an XLSX
// workbook is a ZIP archive).
func ParseFile(r io.Reader, reg *municipality.Registry) (Result, error) {
	data, err := readAll(r)
	if err != nil {
		return Result{}, err
	}
	if IsXLSX(data) {
		return ParseXLSX(bytes.NewReader(data), reg)
	}
	return ParseCSV(bytes.NewReader(data), reg)
}

// IsXLSX reports whether data starts like a ZIP archive, as an XLSX file
// does.
func IsXLSX(data []byte) bool { return bytes.HasPrefix(data, []byte("PK\x03\x04")) }
