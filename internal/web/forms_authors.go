package web

import (
	"slices"
	"strings"

	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/dates"
)

// versionFields are the inputs of an agreement's version form, in the
// order of the form.
var versionFields = []string{"retention_days", "first_contact_days", "information_text", "protocol_reference", "dpo_advice_on", "publication_url"}

// inFormOrder sorts problems by the order of their fields in the form
// (fields not listed last, in their own order), so that the summary reads
// like the form.
func inFormOrder(problems []*apperr.Error, fields ...string) []*apperr.Error {
	rank := func(e *apperr.Error) int {
		if i := slices.Index(fields, e.Field); i >= 0 {
			return i
		}
		return len(fields)
	}
	out := slices.Clone(problems)
	slices.SortStableFunc(out, func(a, b *apperr.Error) int { return rank(a) - rank(b) })
	return out
}

// correctionProblems are the problems of the form that corrects a step:
// the form asks for the corrected date and a note saying why (both
// marked required), the date as people type it. The store checks the
// rest against the step corrected.
func correctionProblems(in agreement.NewEvent) error {
	var ps []*apperr.Error
	if strings.TrimSpace(in.EffectiveOn) == "" {
		ps = append(ps, required("effective_on"))
	} else if _, _, err := dates.ParseField("effective_on", in.EffectiveOn); err != nil {
		e, _ := apperr.As(err)
		ps = append(ps, e)
	}
	if strings.TrimSpace(in.Note) == "" {
		ps = append(ps, required("note"))
	}
	return apperr.Join(ps)
}
