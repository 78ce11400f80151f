package referral_test

import (
	"strings"
	"testing"

	"kansrijk/internal/apperr"
	"kansrijk/internal/referral"
)

// Validate returns every problem of a new referral at once, in the
// order of the form; as an error it is the first.
func TestNewReferralEveryProblem(t *testing.T) {
	in := referral.NewReferral{MunicipalityNIS: "13016", Parents: []referral.Parent{
		{Name: "", Street: "Kerkstraat", Postcode: "22", Email: "geen-adres"},
		{Name: "Tweede Ouder", Street: "Dorp", Number: "1", Postcode: "2235", Phone: "abc"},
	}, Criteria: []string{"income", "nonsense"}}
	err := in.Validate()
	var fields []string
	for _, p := range apperr.Problems(err) {
		fields = append(fields, p.Field)
	}
	want := "parents[0].name parents[0].number parents[0].postcode parents[0].email parents[1].phone criteria"
	if got := strings.Join(fields, " "); got != want {
		t.Errorf("problems %q, want %q", got, want)
	}
	if e, ok := apperr.As(err); !ok || e.Field != "parents[0].name" || apperr.Code(err) != apperr.Invalid {
		t.Errorf("as one error: %v", err)
	}
	good := referral.NewReferral{MunicipalityNIS: "13016", Parents: []referral.Parent{{Name: "Ouder", Street: "Kerkstraat", Number: "7", Postcode: "2235", Phone: "+32 470 00 00 00"}}}
	if err := good.Validate(); err != nil || good.Parents[0].MunicipalityNIS != "13016" {
		t.Errorf("good: %v %+v", err, good.Parents[0])
	}
}

func TestNewConsentEveryProblem(t *testing.T) {
	err := (&referral.NewConsent{Parent: 3, Informed: []string{"data"}}).Validate(2)
	if n := len(apperr.Problems(err)); n != 3 {
		t.Errorf("%d problems, want 3 (parent, informed, method): %v", n, err)
	}
	if err := (&referral.NewConsent{Parent: 0, Refused: true}).Validate(2); err != nil {
		t.Errorf("refusal: %v", err)
	}
}
