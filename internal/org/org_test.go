package org

import (
	"testing"

	"kansrijk/internal/apperr"
)

// TestContactPhone: Belgian and international numbers as people type
// them pass (spaces tidied), anything else is refused on field phone.
func TestContactPhone(t *testing.T) {
	for in, want := range map[string]string{
		"":                   "",
		"   ":                "",
		"09 123 45 67":       "09 123 45 67",
		"09/123.45.67":       "09/123.45.67",
		"0470 12 34 56":      "0470 12 34 56",
		" +32 9 123  45 67 ": "+32 9 123 45 67",
		"+32 (0)9 123 45 67": "+32 (0)9 123 45 67",
		"0032 9 123 45 67":   "0032 9 123 45 67",
		"+31 20 123 4567":    "+31 20 123 4567",
		"+33 1 23 45 67 89":  "+33 1 23 45 67 89",
	} {
		got, err := ContactPhone(in)
		if err != nil || got != want {
			t.Errorf("ContactPhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"123", "09 123 45", "9 123 45 67", "+32 9 123 45 67 8", "0032", "+0 123 456 789", "09 123 45 67 ext 5",
		"tel. 09 123 45 67", "09+123 45 67", "+32 470 12 34 56 78 90 12", "0900 123 45 67 8"} {
		if _, err := ContactPhone(in); apperr.Code(err) != apperr.Invalid {
			t.Errorf("ContactPhone(%q) = %v, want invalid", in, err)
		} else if e, _ := apperr.As(err); e.Field != "phone" || e.Key != "home.error.phone" {
			t.Errorf("ContactPhone(%q): field %q key %q", in, e.Field, e.Key)
		}
	}
}

// TestContactEmail: one plain address with a dotted domain, lower-cased.
func TestContactEmail(t *testing.T) {
	for in, want := range map[string]string{"": "", " Team-Gent@Kansrijk.Example ": "team-gent@kansrijk.example", "a.b+c@sub.example.org": "a.b+c@sub.example.org"} {
		got, err := ContactEmail(in)
		if err != nil || got != want {
			t.Errorf("ContactEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"team-gent", "team gent@kansrijk.example", "Team <team@kansrijk.example>", "team@localhost", "team@kansrijk.example.", "@kansrijk.example", "a@b@c.example"} {
		if _, err := ContactEmail(in); apperr.Code(err) != apperr.Invalid {
			t.Errorf("ContactEmail(%q) = %v, want invalid", in, err)
		} else if e, _ := apperr.As(err); e.Field != "email" || e.Key != "home.error.email" {
			t.Errorf("ContactEmail(%q): field %q key %q", in, e.Field, e.Key)
		}
	}
}
