package dates

import (
	"testing"
	"time"
)

func TestLong(t *testing.T) {
	for in, want := range map[string]string{"2023-03-08": "8 maart 2023", "2026-12-31": "31 december 2026", "2022-02-04": "4 februari 2022"} {
		d, _ := time.Parse(time.DateOnly, in)
		if got := Long(d); got != want {
			t.Errorf("Long(%s) = %q, want %q", in, got, want)
		}
	}
}
