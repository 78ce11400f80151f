package birth_test

import (
	"encoding/json"
	"testing"
	"time"

	"kansrijk/internal/apperr"
	"kansrijk/internal/birth"
	"kansrijk/internal/municipality"
)

// FuzzValidate: any submission a clinic can send as JSON is either valid
// (a parsed birth date, a known municipality) or refused with coded
// problems that name a field; never a panic.
func FuzzValidate(f *testing.F) {
	f.Add([]byte(`{"mother":{"name":"Fictieve Moeder","street":"Teststraat","number":"1","postcode":"2220","municipality_nis":"13016","phone":"+32470123456","language":"nl"},"child_birth_date":"2025-06-01"}`))
	f.Add([]byte(`{"mother":{"name":" ","postcode":"0000","email":"x@"},"co_parent":{"name":"A"},"child_birth_date":"2025-02-30"}`))
	f.Add([]byte(`{"mother":{},"co_parent":{}}`))
	reg := municipality.MustLoad()
	today := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		var in birth.NewNotification
		if json.Unmarshal(data, &in) != nil {
			return
		}
		in.Normalize()
		problems := in.Validate(reg, today)
		for _, p := range problems {
			if p.Code == "" || p.Field == "" || p.Message == "" {
				t.Fatalf("problem without code, field or message: %+v", p)
			}
		}
		err := in.Check(reg, today)
		if (err == nil) != (len(problems) == 0) {
			t.Fatalf("Check = %v but Validate gives %d problems", err, len(problems))
		}
		if err != nil {
			if e, ok := apperr.As(err); !ok || e.Code == "" {
				t.Fatalf("Check: error without a code: %v", err)
			}
			return
		}
		if in.BirthDate.IsZero() || in.BirthDate.After(today) {
			t.Fatalf("valid submission with birth date %v", in.BirthDate)
		}
	})
}
