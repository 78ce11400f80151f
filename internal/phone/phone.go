// Package phone shows telephone numbers as people write them. Kansrijk
// stores and exchanges numbers in E.164 (+3293301234); people read a
// Belgian number in its national format (09 330 12 34, 0470 12 34 56) and
// a foreign one in the international format (+31 20 123 4567). Display
// gives that text, Tel the tel: link that dials the number from anywhere.
package phone

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Region is the region of a number written without a country code.
const Region = "BE"

// parse reads s (E.164, or as people write it: a Belgian number without
// country code is read as Belgian); ok is false for what is not a number.
func parse(s string) (*phonenumbers.PhoneNumber, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, false
	}
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	n, err := phonenumbers.Parse(s, Region)
	if err != nil || !phonenumbers.IsPossibleNumber(n) {
		return nil, false
	}
	return n, true
}

// Display is the number s as people write it: a Belgian number in the
// national format (09 330 12 34, 0470 12 34 56), any other in the
// international format (+31 20 123 4567). What cannot be read as a
// number is returned as it is (trimmed): a display never loses what was
// stored.
func Display(s string) string {
	n, ok := parse(s)
	if !ok {
		return strings.TrimSpace(s)
	}
	if phonenumbers.GetRegionCodeForNumber(n) == Region || int(n.GetCountryCode()) == 32 {
		return phonenumbers.Format(n, phonenumbers.NATIONAL)
	}
	return phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
}

// E164 is the number s in E.164 (+3293301234), or "" when s is not a
// number.
func E164(s string) string {
	n, ok := parse(s)
	if !ok {
		return ""
	}
	return phonenumbers.Format(n, phonenumbers.E164)
}

// Tel is the tel: URI of s (tel:+3293301234, RFC 3966 global form), which
// dials the number from abroad too. What cannot be read as a number keeps
// its digits and a leading +.
func Tel(s string) string {
	if e := E164(s); e != "" {
		return "tel:" + e
	}
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		if r >= '0' && r <= '9' || (r == '+' && i == 0) {
			b.WriteRune(r)
		}
	}
	return "tel:" + b.String()
}
