package phone

import "testing"

func TestPhoneDisplay(t *testing.T) {
	for _, c := range []struct{ in, display, tel string }{
		{"+3293301234", "09 330 12 34", "tel:+3293301234"},        // Belgian landline, Ghent
		{"+3222345678", "02 234 56 78", "tel:+3222345678"},        // Brussels
		{"+3214123456", "014 12 34 56", "tel:+3214123456"},        // Kempen
		{"+32470123456", "0470 12 34 56", "tel:+32470123456"},     // mobile
		{"+31201234567", "+31 20 123 4567", "tel:+31201234567"},   // foreign: Amsterdam
		{"+33142685300", "+33 1 42 68 53 00", "tel:+33142685300"}, // foreign: Paris
		{"09 330 12 34", "09 330 12 34", "tel:+3293301234"},       // already national
		{"0470/12.34.56", "0470 12 34 56", "tel:+32470123456"},    // as typed
		{"0031 20 123 4567", "+31 20 123 4567", "tel:+31201234567"},
		{"", "", "tel:"},
		{"bel het secretariaat", "bel het secretariaat", "tel:"},
	} {
		if got := Display(c.in); got != c.display {
			t.Errorf("Display(%q) = %q, want %q", c.in, got, c.display)
		}
		if got := Tel(c.in); got != c.tel {
			t.Errorf("Tel(%q) = %q, want %q", c.in, got, c.tel)
		}
	}
}
