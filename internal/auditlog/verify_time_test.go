package auditlog

import (
	"math/rand/v2"
	"testing"
	"time"
)

// appendTime writes what AppendFormat with TimeLayout writes, in UTC.
func TestAppendTimeMatchesFormat(t *testing.T) {
	times := []time.Time{{}, time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 3, 30, 2, 30, 0, 1000, time.FixedZone("CEST", 7200)),
		time.Date(2026, 12, 7, 9, 30, 1, 999, time.UTC)}
	r := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		times = append(times, time.Unix(0, r.Int64()).In(time.FixedZone("x", r.IntN(86400)-43200)))
	}
	for _, at := range times {
		want := at.UTC().Format(TimeLayout)
		if got := string(appendTime(nil, at)); got != want {
			t.Errorf("%v: got %s, want %s", at, got, want)
		}
	}
}
