package municipality_test

import (
	"testing"
	"time"

	"kansrijk/internal/municipality"
)

// FuzzParseDate: a date is accepted only as a real YYYY-MM-DD day, and
// then prints back exactly as given.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2023-03-08", "2024-02-29", "2023-02-29", "2023-13-01", "0000-00-00", "２０２３-03-08", "2023-3-8", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := municipality.ParseDate(s)
		if err != nil {
			return
		}
		if got := d.Format(time.DateOnly); got != s || d.Location() != time.UTC {
			t.Fatalf("ParseDate(%q) = %v, prints %q", s, d, got)
		}
	})
}

// FuzzByPostcode: any postcode and day give municipalities valid on that
// day, never a panic.
func FuzzByPostcode(f *testing.F) {
	reg := municipality.MustLoad()
	f.Add("2220", int64(2024))
	f.Add("1000", int64(2019))
	f.Add("9999", int64(2025))
	f.Add("22 20", int64(1900))
	f.Fuzz(func(t *testing.T, postcode string, year int64) {
		day := time.Date(2019+int(uint64(year)%10), 1, 1, 0, 0, 0, 0, time.UTC)
		for _, m := range reg.ByPostcode(postcode, day) {
			if !reg.ValidOn(m.NIS, day) {
				t.Fatalf("ByPostcode(%q, %s) gives %s, not valid that day", postcode, day.Format(time.DateOnly), m.NIS)
			}
		}
	})
}
