package birth

import (
	"strings"
	"testing"

	"kansrijk/internal/apperr"
	"kansrijk/internal/municipality"
)

func TestNormalizePhone(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		fix      PhoneFix
	}{
		{"0470 12 34 56", "+32470123456", FixNone},
		{"+32 470 12 34 56", "+32470123456", FixNone},
		{"0032 470/12.34.56", "+32470123456", FixNone},
		{"015 22 40 11", "+3215224011", FixNone},
		{"(015) 22-40-11", "+3215224011", FixNone},
		{"+31 6 12345678", "+31612345678", FixNone},
		{"0031 6 12345678", "+31612345678", FixNone},
		{"471234567", "+32471234567", FixLeadingZero},
		{"15224011", "+3215224011", FixLeadingZero},
		{"32471234567", "+32471234567", FixPlus},
		{"31612345678", "+31612345678", FixPlus},
		{"3,2471234567E+10", "+32471234567", FixScientific},
		{"3.2471234567E+10", "+32471234567", FixScientific},
		{"4,71234567E+08", "+32471234567", FixScientific},
		{"", "", FixNone},
	} {
		got, fix, err := NormalizePhone("mother.phone", tc.in)
		if err != nil || got != tc.want || fix != tc.fix {
			t.Errorf("NormalizePhone(%q) = %q, %q, %v; want %q, %q", tc.in, got, fix, err, tc.want, tc.fix)
		}
	}
	for in, words := range map[string]string{
		"3.2471E+10":             "wetenschappelijke notatie",
		"3,2471E+10":             "wetenschappelijke notatie",
		"call me":                "alleen cijfers",
		"0470 12 34 56 ext":      "alleen cijfers",
		"0470":                   "te kort",
		"0470 12 34 56 78 90 12": "te lang",
		"+999 123 456 789":       "landcode",
		"0170 12 34 56":          "geen bestaand Belgisch",
		"+31 1 2":                "te kort",
		"=1+1":                   "alleen cijfers",
	} {
		_, _, err := NormalizePhone("mother.phone", in)
		if err == nil {
			t.Errorf("NormalizePhone(%q) accepted", in)
			continue
		}
		if err.Code != apperr.PhoneInvalid || err.Field != "mother.phone" || !strings.Contains(Dutch(err), words) {
			t.Errorf("NormalizePhone(%q) = %s %s %q, want phone_invalid saying %q", in, err.Code, err.Field, Dutch(err), words)
		}
	}
}

// TestValidatePhoneE164: the form and the API store the number in E.164.
func TestValidatePhoneE164(t *testing.T) {
	in := NewNotification{Mother: Parent{Name: "An", Street: "Kerkstraat", Number: "1", Postcode: "2235", MunicipalityNIS: "13016",
		Phone: "0470 12 34 56", Language: "nl"}, CoParent: &Parent{Name: "Bram", Phone: "0032 15 22 40 11"}, ChildBirthDate: "2026-12-06"}
	if errs := in.Validate(municipality.MustLoad(), date(corpusToday)); len(errs) != 0 {
		t.Fatalf("problems %v", errs)
	}
	if in.Mother.Phone != "+32470123456" || in.CoParent.Phone != "+3215224011" {
		t.Errorf("phones %q %q", in.Mother.Phone, in.CoParent.Phone)
	}
}
