package store

import (
	"math/rand/v2"
	"testing"
	"time"
)

// parseStoreTime agrees with time.Parse of the store's layout on valid
// times and leaves everything else to timeCol.
func TestParseStoreTimeMatchesTimeParse(t *testing.T) {
	cases := []string{"2026-12-07T09:30:01.123456Z", "2024-02-29T23:59:59.999999Z", "2023-02-29T00:00:00.000000Z",
		"2000-02-29T00:00:00.000000Z", "1900-02-29T00:00:00.000000Z", "0000-01-01T00:00:00.000000Z", "9999-12-31T23:59:59.999999Z",
		"2026-13-01T00:00:00.000000Z", "2026-00-01T00:00:00.000000Z", "2026-04-31T00:00:00.000000Z", "2026-04-30T24:00:00.000000Z",
		"2026-04-30T23:60:00.000000Z", "2026-04-30T23:00:60.000000Z", "2026-04-30T23:00:00.00000aZ", "2026-04-30 23:00:00.000000Z",
		"2026-04-30T23:00:00.000000+", "2026-04-30T23:00:00.000000", "2026-04-30T23:00:00Z", "+026-04-30T23:00:00.000000Z",
		"2026-04-00T23:00:00.000000Z", "2026-4-030T23:00:00.000000Z"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		cases = append(cases, time.UnixMicro(r.Int64N(400*365*86400*1e6)-100*365*86400*1e6).UTC().Format(timeLayout))
	}
	for _, s := range cases {
		want, err := time.Parse(timeLayout, s)
		got, ok := parseStoreTime(s)
		if ok != (err == nil) || ok && !got.Equal(want) || ok && got.Location() != time.UTC {
			t.Errorf("%q: got %v, %v; time.Parse %v, %v", s, got, ok, want, err)
		}
	}
	if _, ok := parseStoreTime([]byte("2026-12-07T09:30:01.123456Z")); ok {
		t.Error("a []byte is timeCol's to parse")
	}
}
