package outreach

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"kansrijk/internal/apperr"
)

// NotSignedUp are the stages of a local government that has no agreement
// signed up or further on a day: never reached, informed, in
// conversation, or its agreement ended (withdrawn agreements fall back to
// the outreach stages already).
var NotSignedUp = []Stage{NotInformed, Informed, InConversation, Ended}

// TargetFilter selects a target list from the outreach report. The zero
// filter selects every municipality not signed up.
type TargetFilter struct {
	Province string  // a province's Dutch name; "" for all
	Team     string  // a team key; "" for all
	Stages   []Stage // empty: NotSignedUp
	// MinDaysSinceContact keeps municipalities whose last contact moment
	// is at least that many days before the report's day, or that never
	// had one; 0 keeps all.
	MinDaysSinceContact int
}

// ParseTargetFilter reads a filter from query parameters: province, team,
// stage (repeated, or comma-separated) and min_days_since_contact.
func ParseTargetFilter(q url.Values) (TargetFilter, error) {
	f := TargetFilter{Province: strings.TrimSpace(q.Get("province")), Team: strings.TrimSpace(q.Get("team"))}
	if f.Province != "" && !slices.Contains(Provinces, f.Province) {
		return f, apperr.FieldErr(apperr.Invalid, "province", "unknown province %q", f.Province).
			WithKey("error.unknown_province", map[string]any{"Province": f.Province})
	}
	for _, v := range q["stage"] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s == "" {
				continue
			}
			st := Stage(s)
			if st.Order() < 0 {
				return f, apperr.FieldErr(apperr.Invalid, "stage", "unknown stage %q", s).
					WithKey("error.unknown_stage", map[string]any{"Stage": s})
			}
			if !slices.Contains(f.Stages, st) {
				f.Stages = append(f.Stages, st)
			}
		}
	}
	if v := strings.TrimSpace(q.Get("min_days_since_contact")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 100000 {
			return f, apperr.FieldErr(apperr.Invalid, "min_days_since_contact", "min_days_since_contact must be a whole number of days, 0 or more").
				WithKey("error.invalid_days", nil)
		}
		f.MinDaysSinceContact = n
	}
	return f, nil
}

// Query returns the filter as query parameters (the inverse of
// ParseTargetFilter), for links and exports.
func (f TargetFilter) Query() url.Values {
	q := url.Values{}
	if f.Province != "" {
		q.Set("province", f.Province)
	}
	if f.Team != "" {
		q.Set("team", f.Team)
	}
	for _, s := range f.Stages {
		q.Add("stage", string(s))
	}
	if f.MinDaysSinceContact > 0 {
		q.Set("min_days_since_contact", strconv.Itoa(f.MinDaysSinceContact))
	}
	return q
}

// Match reports whether a row of the report is on the list.
func (f TargetFilter) Match(m MunicipalityStage) bool {
	stages := f.Stages
	if len(stages) == 0 {
		stages = NotSignedUp
	}
	if !slices.Contains(stages, m.Stage) {
		return false
	}
	if f.Province != "" && m.Province != f.Province {
		return false
	}
	if f.Team != "" && m.Team != f.Team {
		return false
	}
	if f.MinDaysSinceContact > 0 && m.DaysSinceContact != nil && *m.DaysSinceContact < f.MinDaysSinceContact {
		return false
	}
	return true
}

// Targets returns the rows of the report on the list, in the report's
// order (by name).
func Targets(r Report, f TargetFilter) []MunicipalityStage {
	var out []MunicipalityStage
	for _, m := range r.Municipalities {
		if f.Match(m) {
			out = append(out, m)
		}
	}
	return out
}
