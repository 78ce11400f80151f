package deprivation

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/municipality"
)

// DefaultSource names the published index, the source of an import unless
// the importer says otherwise.
const DefaultSource = "Kind en Gezin (Opgroeien), kansarmoede-index"

// MaxUpload is the largest index file the import page and the API take;
// a year of all municipalities is a few kilobytes.
const MaxUpload = 8 << 20

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

// Change is one municipality whose figure an import adds, removes or
// changes.
type Change struct {
	NIS  string
	Name string
}

// YearChange is what an import does to one year: the year is replaced as
// a whole, so municipalities the file lacks are removed.
type YearChange struct {
	Year int
	// New is true when the year has no values yet.
	New bool
	// Before and After count the year's rows now and after the import.
	Before, After int
	// Added, Removed and Changed are the municipalities that get a value,
	// lose theirs, or get another one (index, births or deprived
	// children), sorted by name; Unchanged counts the others.
	Added, Removed, Changed []Change
	Unchanged               int
	// Source is the year's source label now ("" for a new year).
	Source string
}

// Preview is what an import would replace, year by year, ascending.
type Preview struct {
	Years []YearChange
	// Values is the number of values the file holds.
	Values int
}

// Fingerprint sums up the state the preview was made on (the rows now
// and what changes), so that a confirmation made on an older preview is
// noticed: confirm only when the fingerprint is still the same.
func (p Preview) Fingerprint() string {
	h := sha256.New()
	for _, y := range p.Years {
		fmt.Fprintf(h, "%d:%d:%d:%d|", y.Year, y.Before, y.After, y.Unchanged)
		for _, cs := range [][]Change{y.Added, y.Removed, y.Changed} {
			for _, c := range cs {
				fmt.Fprintf(h, "%s,", c.NIS)
			}
			h.Write([]byte{';'})
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Diff compares the values stored now for the years of the file (current)
// with the file's values: per year of the file, the rows before and after
// and the municipalities added, removed and changed. name gives a
// municipality's name by its NIS code.
func Diff(current, file []Value, name func(nis string) string) Preview {
	type key struct {
		year int
		nis  string
	}
	now := map[key]Value{}
	before := map[int]int{}
	for _, v := range current {
		now[key{v.Year, v.NIS}] = v
		before[v.Year]++
	}
	byYear := map[int]*YearChange{}
	seen := map[key]bool{}
	for _, v := range file {
		y := byYear[v.Year]
		if y == nil {
			y = &YearChange{Year: v.Year, Before: before[v.Year], New: before[v.Year] == 0}
			byYear[v.Year] = y
		}
		y.After++
		k := key{v.Year, v.NIS}
		seen[k] = true
		old, ok := now[k]
		switch {
		case !ok:
			y.Added = append(y.Added, Change{v.NIS, name(v.NIS)})
		case !sameValue(old, v):
			y.Changed = append(y.Changed, Change{v.NIS, name(v.NIS)})
		default:
			y.Unchanged++
		}
	}
	for k := range now {
		if y := byYear[k.year]; y != nil && !seen[k] {
			y.Removed = append(y.Removed, Change{k.nis, name(k.nis)})
		}
	}
	p := Preview{Values: len(file)}
	for _, y := range byYear {
		for _, cs := range [][]Change{y.Added, y.Removed, y.Changed} {
			sort.Slice(cs, func(i, j int) bool { return cs[i].Name+cs[i].NIS < cs[j].Name+cs[j].NIS })
		}
		p.Years = append(p.Years, *y)
	}
	sort.Slice(p.Years, func(i, j int) bool { return p.Years[i].Year < p.Years[j].Year })
	return p
}

// sameValue reports whether two values of the same municipality and year
// say the same (the index to a thousandth of a point).
func sameValue(a, b Value) bool {
	return math.Abs(a.Percent-b.Percent) < 0.0005 && sameCount(a.Births, b.Births) && sameCount(a.Deprived, b.Deprived)
}

func sameCount(a, b *int) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

// Store keeps the index. Import is for admins only and replaces every
// year the file holds, as a whole, in one transaction with its audit
// record; PreviewDeprivation says, without changing anything, what an
// import of the same values would replace (admins only). The figures are
// public: every signed-in role but clinic may read them.
type Store interface {
	ImportDeprivation(ctx context.Context, a account.Actor, values []Value, source string) (ImportResult, error)
	PreviewDeprivation(ctx context.Context, a account.Actor, values []Value) (Preview, error)
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
