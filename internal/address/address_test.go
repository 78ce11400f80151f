package address_test

import (
	"context"
	"testing"
	"time"

	"kansrijk/internal/address"
	"kansrijk/internal/apperr"
	"kansrijk/internal/municipality"
)

func TestPostcodes(t *testing.T) {
	reg, err := municipality.Load()
	if err != nil {
		t.Fatal(err)
	}
	on := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	check := address.Postcodes{Registry: reg}
	for _, c := range []struct {
		postcode, nis, want string
	}{
		{"2235", "13016", ""}, // Hulshout
		{"9000", "13016", "9000 belongs to Gent, not to Hulshout (13016)"},
		{"1000", "21004", ""}, // Brussel
		{"0000", "13016", ""}, // not a postcode: the caller's own check
		{"12", "13016", ""},   // idem
		{"2235", "99999", ""}, // unknown municipality: idem
		{"9999", "13016", "9999 belongs to no municipality, not to Hulshout (13016)"},
	} {
		ps := check.Check(context.Background(), address.Address{Postcode: c.postcode, MunicipalityNIS: c.nis, On: on})
		got := ""
		if len(ps) == 1 {
			if ps[0].Code != apperr.PostcodeMismatch || ps[0].Field != "postcode" {
				t.Errorf("%s/%s: %v", c.postcode, c.nis, ps[0])
			}
			got = ps[0].Message[len("postcode "):]
		} else if len(ps) > 1 {
			t.Errorf("%s/%s: %d problems", c.postcode, c.nis, len(ps))
		}
		if got != c.want {
			t.Errorf("%s/%s: %q, want %q", c.postcode, c.nis, got, c.want)
		}
	}
	// A chain returns every checker's problems, prefixed for the caller.
	ps := address.Prefix("parents[1].", address.Chain{check, check}.Check(context.Background(),
		address.Address{Postcode: "9000", MunicipalityNIS: "13016", On: on}))
	if len(ps) != 2 || ps[0].Field != "parents[1].postcode" {
		t.Errorf("chain: %v", ps)
	}
	if e := address.PostcodeMismatch(reg, "9000", "13016", on); e == nil || e.Args["Belongs"] != "Gent" || e.Args["Name"] != "Hulshout" {
		t.Errorf("args: %+v", e)
	}
}
