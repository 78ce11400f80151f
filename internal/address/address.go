// Package address checks a family's postal address in Flanders or
// Brussels before it is stored or sent on.
//
// Today the check is the postcode's: a postcode must belong to the
// municipality of residence ("9000 hoort bij Gent, niet bij Hulshout").
// Streets and house numbers are not checked yet. A Checker is the seam for
// that: a client of the Flemish address register (or any other source of
// streets per municipality) implements Check and is given to the store in
// place of, or after, Postcodes (see Chain). Callers never need to know
// which checks ran: they get every problem, each naming its field.
package address

import (
	"context"
	"strings"
	"time"

	"kansrijk/internal/apperr"
	"kansrijk/internal/municipality"
)

// Address is one address as a form or the API gives it, with the day on
// which it must hold (the municipalities and their postcodes change with
// mergers).
type Address struct {
	Street, Number, Box string
	Postcode            string
	MunicipalityNIS     string
	On                  time.Time
}

// Checker checks an address and returns every problem it finds; none when
// the address is right as far as the checker knows. Problems are
// apperr.Errors with a stable code and the field (relative: "postcode",
// "street", "number", "municipality_nis"); callers prefix the field with
// Prefix. A checker that cannot reach its source returns no problem (an
// address register that is down must not stop a referral) and logs.
type Checker interface {
	Check(ctx context.Context, a Address) []*apperr.Error
}

// Postcodes is the postcode-only Checker: a well-formed postcode must
// belong to the municipality of residence on the day. A postcode that is
// not four digits, or a municipality that is unknown, is left to the
// caller's own validation (its messages are more precise).
type Postcodes struct {
	Registry *municipality.Registry
}

// Check implements Checker.
func (c Postcodes) Check(_ context.Context, a Address) []*apperr.Error {
	if e := PostcodeMismatch(c.Registry, a.Postcode, a.MunicipalityNIS, a.On); e != nil {
		return []*apperr.Error{e}
	}
	return nil
}

// Chain runs checkers one after the other and returns all their problems.
type Chain []Checker

// Check implements Checker.
func (c Chain) Check(ctx context.Context, a Address) []*apperr.Error {
	var out []*apperr.Error
	for _, ch := range c {
		out = append(out, ch.Check(ctx, a)...)
	}
	return out
}

// Belongs reports whether postcode belongs to the municipality nis on the
// day: the rule of the referral and of the birth data set.
func Belongs(reg *municipality.Registry, postcode, nis string, on time.Time) bool {
	for _, m := range reg.ByPostcode(postcode, on) {
		if m.NIS == nis {
			return true
		}
	}
	return false
}

// PostcodeMismatch returns the postcode_mismatch problem (field
// "postcode") when a four-digit postcode does not belong to the known
// municipality nis on the day, naming both: the municipalities the
// postcode belongs to (Args "Belongs", "" when none) and the municipality
// of residence (Args "Name", "NIS"). It returns nil when the postcode
// belongs, or when either is not well formed or unknown.
func PostcodeMismatch(reg *municipality.Registry, postcode, nis string, on time.Time) *apperr.Error {
	postcode, nis = strings.TrimSpace(postcode), strings.TrimSpace(nis)
	m, ok := reg.ByNIS(nis)
	if !ok || !wellFormed(postcode) || Belongs(reg, postcode, nis, on) {
		return nil
	}
	var names []string
	for _, o := range reg.ByPostcode(postcode, on) {
		names = append(names, o.Name)
	}
	belongs := strings.Join(names, ", ")
	args := map[string]any{"Postcode": postcode, "Name": m.Name, "NIS": m.NIS, "Belongs": belongs}
	key := "forms.error.postcode_mismatch"
	if belongs == "" {
		key = "forms.error.postcode_nowhere"
		return apperr.FieldErr(apperr.PostcodeMismatch, "postcode", "postcode %s belongs to no municipality, not to %s (%s)", postcode, m.Name, m.NIS).WithKey(key, args)
	}
	return apperr.FieldErr(apperr.PostcodeMismatch, "postcode", "postcode %s belongs to %s, not to %s (%s)", postcode, belongs, m.Name, m.NIS).WithKey(key, args)
}

func wellFormed(pc string) bool {
	if len(pc) != 4 || pc[0] == '0' {
		return false
	}
	for _, r := range pc {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Prefix puts prefix before the field of every problem ("parents[0]." +
// "postcode") and returns them.
func Prefix(prefix string, problems []*apperr.Error) []*apperr.Error {
	for _, e := range problems {
		e.Field = prefix + e.Field
	}
	return problems
}
