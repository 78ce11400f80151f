package pack

import (
	"context"
	"kansrijk/internal/parliament"
	"time"

	"kansrijk/internal/account"
)

// Service makes packs: it checks the caller, gathers the figures, renders the files and
// stores them.
type Service struct {
	Store   parliament.Store
	Sources Sources
	// Today returns the current date (UTC midnight of the Brussels day): a pack's date may
	// not lie after it.
	Today func() time.Time
}

// Make makes and stores the pack for asOf, with the families' figures over from..to (zero:
// from the decree's month to asOf). Only callers for whom parliament.CanMake holds; dates are checked
// with CheckDates.
func (s *Service) Make(ctx context.Context, a account.Actor, asOf, from, to time.Time) (parliament.Pack, error) {
	if !parliament.CanMake(a) {
		return s.Store.CreateParliamentPack(ctx, a, parliament.NewPack{}) // refuses, and audits the refusal
	}
	if err := CheckDates(asOf, from, to, s.Today()); err != nil {
		return parliament.Pack{}, err
	}
	fg, err := Gather(ctx, s.Sources, asOf, from, to)
	if err != nil {
		return parliament.Pack{}, err
	}
	files, err := Files(fg)
	if err != nil {
		return parliament.Pack{}, err
	}
	in := parliament.NewPack{AsOf: asOf.Format(time.DateOnly), Files: files}
	if !from.IsZero() {
		in.From = from.Format(time.DateOnly)
	}
	if !to.IsZero() {
		in.To = to.Format(time.DateOnly)
	}
	return s.Store.CreateParliamentPack(ctx, a, in)
}
