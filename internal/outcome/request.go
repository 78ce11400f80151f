package outcome

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/suppress"
)

// Request is what a dashboard asks for: the months from..to (first days, UTC), a grouping and
// the filters.
type Request struct {
	From, To        time.Time
	Group           string
	NIS, Team, OCMW string
}

var brussels = func() *time.Location {
	l, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return l
}()

// ParseRequest reads from, to (YYYY-MM), group, nis, team and ocmw. Defaults: the twelve
// months up to the last one a's view may show (the current month in an organisation's own
// view; in a protected view, the last published quarter), grouped by month. Every problem is
// reported at once; the request returned then holds the defaults for the fields in error.
func ParseRequest(q url.Values, a account.Actor, now time.Time) (Request, error) {
	last := time.Date(now.In(brussels).Year(), now.In(brussels).Month(), 1, 0, 0, 0, 0, time.UTC)
	if Protected(a) {
		last = suppress.LastQuarter(now.In(brussels), SettleDays)
	}
	req := Request{To: last, From: last.AddDate(0, -11, 0), Group: GroupMonth,
		NIS: strings.TrimSpace(q.Get("nis")), Team: strings.TrimSpace(q.Get("team")), OCMW: strings.TrimSpace(q.Get("ocmw"))}
	var problems []*apperr.Error
	month := func(field string, def time.Time) time.Time {
		s := strings.TrimSpace(q.Get(field))
		if s == "" {
			return def
		}
		t, err := time.Parse("2006-01", s)
		if err != nil {
			problems = append(problems, apperr.FieldErr(apperr.InvalidDate, field, "%s must be a month YYYY-MM, got %q", field, s).
				WithKey("outcome.error.month", map[string]any{"Value": s}))
			return def
		}
		return t
	}
	to := month("to", req.To)
	from := month("from", to.AddDate(0, -11, 0))
	if len(problems) == 0 && from.After(to) {
		problems = append(problems, apperr.FieldErr(apperr.InvalidDate, "from", "from (%s) lies after to (%s)", from.Format("2006-01"), to.Format("2006-01")).
			WithKey("outcome.error.order", nil))
	} else if len(problems) == 0 && to.Sub(from) > 10*366*24*time.Hour {
		problems = append(problems, apperr.FieldErr(apperr.Invalid, "from", "a window spans at most ten years").WithKey("outcome.error.span", nil))
	}
	if len(problems) == 0 {
		req.From, req.To = from, to
	}
	if g := strings.TrimSpace(q.Get("group")); g != "" {
		if slices.Contains(Groupings, g) {
			req.Group = g
		} else {
			problems = append(problems, apperr.FieldErr(apperr.Invalid, "group", "group must be one of %s, got %q", strings.Join(Groupings, ", "), g).
				WithKey("outcome.error.group", nil))
		}
	}
	// A filter would publish another table over the same families: in a protected view the
	// counts come only from the published tables, whose rows the groupings already show.
	if Protected(a) {
		for _, f := range []string{"nis", "team", "ocmw"} {
			if q.Get(f) != "" {
				problems = append(problems, apperr.FieldErr(apperr.Invalid, f, "%s filters an organisation's own view only; group by municipality or team instead", f).
					WithKey("outcome.error.filter", nil))
			}
		}
		req.NIS, req.Team, req.OCMW = "", "", ""
	}
	if len(problems) > 0 {
		return req, apperr.Join(problems)
	}
	return req, nil
}

// Window is the months a request is answered for: in a protected view, widened to whole
// calendar quarters and ending with the last published quarter (false when none is left).
func Window(req Request, a account.Actor, now time.Time) ([]time.Time, bool) {
	from, to := req.From, req.To
	if Protected(a) {
		var ok bool
		from, to, ok = suppress.Quarters(from, to, suppress.LastQuarter(now.In(brussels), SettleDays))
		if !ok {
			return nil, false
		}
	}
	return Months(from, to), true
}

// NoQuarter is the error of a protected request whose window holds no published quarter.
func NoQuarter(now time.Time) error {
	last := suppress.LastQuarter(now.In(brussels), SettleDays)
	return apperr.FieldErr(apperr.InvalidDate, "to",
		"the figures are published per calendar quarter once it has ended and settled; the last one ends with %s", last.Format("2006-01")).
		WithKey("suppression.error.no_quarter", map[string]any{"Last": last.Format("01-2006")})
}

// Dashboard reads the cells of a request for a and builds its report; province maps a NIS code
// to its province (for the grouping by province). It returns the cells too (exact: for the
// organisation's own view, for other groupings and for the medians), and the months of the window.
func Dashboard(ctx context.Context, st Store, a account.Actor, req Request, now time.Time, province func(nis string) string) (Report, []Cell, []time.Time, error) {
	if !CanRead(a) {
		return Report{}, nil, nil, Forbidden()
	}
	months, ok := Window(req, a, now)
	if !ok {
		return Report{}, nil, nil, NoQuarter(now)
	}
	q := Query{From: time.Date(months[0].Year(), months[0].Month(), 1, 0, 0, 0, 0, brussels),
		To:  time.Date(months[len(months)-1].Year(), months[len(months)-1].Month(), 1, 0, 0, 0, 0, brussels).AddDate(0, 1, 0),
		NIS: req.NIS, Team: req.Team, OCMW: req.OCMW}
	cells, err := st.OutcomeCells(ctx, a, q)
	if err != nil {
		return Report{}, nil, nil, err
	}
	return Build(cells, months, req.Group, KeyOf(req.Group, province), Protected(a)), cells, months, nil
}

// KeyOf is the key of GroupBy and Build for a grouping.
func KeyOf(group string, province func(nis string) string) func(Cell) string {
	key := ByMonth
	switch group {
	case GroupMunicipality:
		key = ByMunicipality
	case GroupProvince:
		key = func(c Cell) string { return province(c.NIS) }
	case GroupTeam:
		key = ByTeam
	}
	return key
}
