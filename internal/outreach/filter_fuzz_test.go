package outreach_test

import (
	"net/url"
	"slices"
	"testing"

	"kansrijk/internal/apperr"
	"kansrijk/internal/outreach"
)

// FuzzParseTargetFilter: any query string gives a filter of known values
// or a coded error.
func FuzzParseTargetFilter(f *testing.F) {
	f.Add("province=Antwerpen&team=team-noord&stage=not_informed,informed&min_days_since_contact=30")
	f.Add("stage=&stage=,,&min_days_since_contact=-5")
	f.Add("province=%C3%A9&min_days_since_contact=99999999999999999999")
	f.Fuzz(func(t *testing.T, query string) {
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		flt, err := outreach.ParseTargetFilter(q)
		if err != nil {
			if e, ok := apperr.As(err); !ok || e.Code == "" {
				t.Fatalf("ParseTargetFilter(%q): error without a code: %v", query, err)
			}
			return
		}
		if flt.Province != "" && !slices.Contains(outreach.Provinces, flt.Province) {
			t.Fatalf("unknown province %q accepted", flt.Province)
		}
		if flt.MinDaysSinceContact < 0 {
			t.Fatalf("negative min_days_since_contact %d accepted", flt.MinDaysSinceContact)
		}
	})
}
