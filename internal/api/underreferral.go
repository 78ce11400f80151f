package api

import (
	"math"
	"net/http"
	"strconv"

	"kansrijk/internal/apperr"
	"kansrijk/internal/export"
	"kansrijk/internal/httpx"
	"kansrijk/internal/i18n"
	"kansrijk/internal/suppress"
	"kansrijk/internal/underreferral"
)

// Area underreferral: where families are missed. Per municipality of a
// year, the referrals sent set against the births and the deprivation
// index; aggregates only, published per quarter (internal/suppress).

// underReferralService is the report over the API's stores. The
// deprivation store must also read a year's index (the store does).
func (a *API) underReferralService() (*underreferral.Service, error) {
	ix, ok := a.Deprivation.(underreferral.IndexStore)
	if !ok || a.Outcomes == nil {
		return nil, apperr.New(apperr.Internal, "the under-referral report is not configured")
	}
	return &underreferral.Service{Outcomes: a.Outcomes, Agreements: a.Agreements, Index: ix, Municipalities: a.Municipalities}, nil
}

// UnderReferralYear reads ?year=YYYY; empty gives the last year with a
// published quarter.
func UnderReferralYear(r *http.Request, years []int) (int, error) {
	s := r.URL.Query().Get("year")
	if s == "" {
		if len(years) == 0 {
			return 0, nil
		}
		return years[len(years)-1], nil
	}
	y, err := strconv.Atoi(s)
	if err != nil || y < 1000 || y > 9999 {
		return 0, apperr.FieldErr(apperr.Invalid, "year", "year must be a year YYYY, got %q", s).WithKey("underreferral.error.year_format", map[string]any{"Value": s})
	}
	return y, nil
}

// underReferral: GET /api/v1/reports/under-referral. Admins and analysts.
func (a *API) underReferral(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	if !underreferral.CanRead(c) {
		return underreferral.Forbidden()
	}
	today := a.today()
	year, err := UnderReferralYear(r, underreferral.Years(today))
	if err != nil {
		return err
	}
	svc, err := a.underReferralService()
	if err != nil {
		return err
	}
	rep, err := svc.Report(r.Context(), c, year, today)
	if err != nil {
		return err
	}
	if names, err := orgNames(r.Context(), a.Orgs); err == nil {
		for i, t := range rep.Teams {
			if n := names[t.Team]; n != "" {
				rep.Teams[i].Name = n
			}
		}
	}
	lang, _ := ExportLang(r) // writeTable reports a bad lang
	if done, err := a.writeTable(w, r, "onderverwijzing-"+strconv.Itoa(rep.Year), UnderReferralTable(rep, lang)); done || err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, rep)
	return nil
}

// underReferralColumns are the export's columns. nis, name, province and
// team are labelled (and teams named) by Localize; the others here.
var underReferralColumns = []string{"nis", "name", "province", "team", "agreement", "quarters_in_force", "births",
	"index_year", "index_percent", "index_births", "index_deprived", "deprived_births", "sent", "expected", "ratio", "ratio_low", "ratio_high", "flag"}

// UnderReferralTable is the report as a table, one row per municipality in
// the report's order, the headers and codes in lang (Codes: as in the
// JSON). Suppressed counts are "<5" or "x"; the expectation has one
// decimal, ratios two.
func UnderReferralTable(rep underreferral.Report, lang i18n.Lang) export.Table {
	t := export.Table{Sheet: "Onderverwijzing " + strconv.Itoa(rep.Year)}
	for _, c := range underReferralColumns {
		switch {
		case lang == Codes || c == "nis" || c == "name" || c == "province" || c == "team":
			t.Header = append(t.Header, c)
		default:
			t.Header = append(t.Header, i18n.T(lang, "underreferral.col."+c, nil))
		}
	}
	word := func(prefix, code string) any {
		if lang == Codes {
			return code
		}
		return i18n.T(lang, prefix+code, nil)
	}
	for _, m := range rep.Municipalities {
		row := []any{m.NIS, m.Name, m.Province, m.Team, word("underreferral.agreement.", m.Agreement), m.QuartersInForce, cellValue(m.Births)}
		if m.Index != nil {
			row = append(row, m.Index.Year, m.Index.Percent, intOrNil(m.Index.Births), intOrNil(m.Index.Deprived))
		} else {
			row = append(row, nil, nil, nil, nil)
		}
		row = append(row, rounded(m.DeprivedBirths, 1), cellValue(m.Sent), rounded(m.Expected, 1), rounded(m.Ratio, 2),
			rounded(m.Low, 2), rounded(m.High, 2), word("underreferral.flag.", m.Flag))
		t.Rows = append(t.Rows, row)
	}
	return t
}

// cellValue is a published count as an export cell: the number, or "<5"
// or "x".
func cellValue(c suppress.Cell) any {
	if c.Suppressed {
		return c.String()
	}
	return c.Value
}

func intOrNil(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// rounded is f to n decimals, or nil.
func rounded(f *float64, n int) any {
	if f == nil {
		return nil
	}
	p := math.Pow(10, float64(n))
	return math.Round(*f*p) / p
}
