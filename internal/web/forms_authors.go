package web

import (
	"slices"

	"kansrijk/internal/apperr"
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
