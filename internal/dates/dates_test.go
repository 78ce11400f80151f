package dates

import (
	"testing"
	"time"

	"kansrijk/internal/apperr"
)

func TestParse(t *testing.T) {
	want := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	for _, s := range []string{"6/12/2026", "06-12-2026", "2026-12-06", " 6.12.2026 ", "06/12/2026", "6-12-2026"} {
		got, ok, err := Parse(s)
		if err != nil || !ok || !got.Equal(want) {
			t.Errorf("Parse(%q) = %v, %v, %v; want %v", s, got, ok, err, want)
		}
	}
	for _, s := range []string{"31-02-2026", "2026-12-6", "6/12-2026", "12/2026", "6/12/26", "2026/12/06", "a-b-cccc", "0-12-2026",
		"6/13/2026", "06-12-2026x", "--2026", "6//2026", "１/12/2026", "6 / 12 / 2026"} {
		if _, ok, err := Parse(s); err == nil || !ok {
			t.Errorf("Parse(%q): no error", s)
		}
	}
	if _, ok, err := Parse("  "); ok || err != nil {
		t.Errorf("Parse(blank) = %v, %v; want missing, no error", ok, err)
	}
}

func TestParseField(t *testing.T) {
	_, _, err := ParseField("valid_from", "32-01-2026")
	if apperr.Code(err) != apperr.InvalidDate {
		t.Fatalf("code %q", apperr.Code(err))
	}
	if e, _ := apperr.As(err); e.Field != "valid_from" || e.Key != "error.date_format" {
		t.Fatalf("error %+v", e)
	}
}

func TestFormat(t *testing.T) {
	if got := Format(time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)); got != "06-12-2026" {
		t.Fatal(got)
	}
	if Format(time.Time{}) != "" || FormatPtr(nil) != "" {
		t.Fatal("zero dates must show empty")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"6/12/2026", "2026-12-06", "31.12.1999", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok, err := Parse(s)
		if err != nil || !ok {
			return
		}
		// Whatever is accepted shows as DD-MM-JJJJ and reads back the same.
		back, _, err := Parse(Format(d))
		if err != nil || !back.Equal(d) {
			t.Fatalf("%q → %v → %q → %v, %v", s, d, Format(d), back, err)
		}
	})
}
