package birth

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"kansrijk/internal/apperr"
)

// PhoneRegion is the region a telephone number without a country code
// belongs to.
const PhoneRegion = "BE"

// PhoneFix names what NormalizePhone had to repair in a number that Excel
// had changed: a CSV row with a repaired number is accepted with a
// warning saying what was changed.
type PhoneFix string

// The repairs.
const (
	// FixNone: the number was read as it was written.
	FixNone PhoneFix = ""
	// FixLeadingZero: Excel took 0471234567 for a number and dropped
	// its 0 (471234567).
	FixLeadingZero PhoneFix = "leading_zero"
	// FixPlus: Excel dropped the + of +32471234567 (32471234567).
	FixPlus PhoneFix = "plus"
	// FixScientific: Excel wrote the number in scientific notation
	// with every digit kept (3,2471234567E+10).
	FixScientific PhoneFix = "scientific"
)

var (
	// phoneChars are what a telephone number is written with.
	phoneChars = regexp.MustCompile(`^\+?[0-9 ./()\-\x{00A0}]+$`)
	// scientific is a number as Excel writes a large one: 3,2471E+10.
	scientific = regexp.MustCompile(`^([0-9])(?:[.,]([0-9]*))?[eE]\+?([0-9]{1,2})$`)
	allDigits  = regexp.MustCompile(`^[0-9]+$`)
)

// NormalizePhone reads the telephone number s of field as people and
// their spreadsheets write it and returns it in E.164 (+32471234567):
// Belgian numbers with or without their 0 or +32 / 0032, and
// international ones with + or 00. It repairs what Excel does to a number
// column — a dropped leading 0 or +, scientific notation when every digit
// is still there — and says so in fix. Anything that cannot be a Belgian
// or international number is the error phone_invalid, whose message says
// why (letters, too short, too long, no such country code, no such
// Belgian number, digits lost to scientific notation). An empty s is
// returned as it is.
func NormalizePhone(field, s string) (e164 string, fix PhoneFix, err *apperr.Error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", FixNone, nil
	}
	digits := ""
	if m := scientific.FindStringSubmatch(s); m != nil {
		exp, _ := strconv.Atoi(m[3])
		switch {
		case len(m[2]) < exp:
			return "", FixNone, phoneErr(field, s, "excel_shortened", "%q is a number Excel shortened to scientific notation: its last digits are lost", s)
		case len(m[2]) > exp:
			return "", FixNone, phoneErr(field, s, "characters", "%q is not a telephone number", s)
		}
		digits, fix = m[1]+m[2], FixScientific
	} else if allDigits.MatchString(s) && s[0] != '0' {
		digits = s // what Excel keeps of 0471234567 or +32471234567
	}
	if digits != "" {
		// A Belgian number without its 0 (8 or 9 digits), else an
		// international one without its + (32471234567).
		national, intl := "0"+digits, "+"+digits
		tries := []struct {
			s   string
			fix PhoneFix
		}{{national, FixLeadingZero}, {intl, FixPlus}}
		if len(digits) > 9 {
			tries[0], tries[1] = tries[1], tries[0]
		}
		for _, t := range tries {
			if n, ok := validPhone(t.s); ok {
				if fix == FixNone {
					fix = t.fix
				}
				return n, fix, nil
			}
		}
		if fix == FixScientific {
			s = digits
		}
	}
	if !phoneChars.MatchString(s) {
		return "", FixNone, phoneErr(field, s, "characters", "%q is not a telephone number: use only digits, spaces and a leading +", s)
	}
	num, perr := phonenumbers.Parse(s, PhoneRegion)
	switch {
	case errors.Is(perr, phonenumbers.ErrInvalidCountryCode):
		return "", FixNone, phoneErr(field, s, "country_code", "%q has no valid country code", s)
	case errors.Is(perr, phonenumbers.ErrNumTooLong):
		return "", FixNone, phoneErr(field, s, "too_long", "%q is too long for a telephone number", s)
	case perr != nil:
		return "", FixNone, phoneErr(field, s, "too_short", "%q is too short for a telephone number", s)
	}
	if phonenumbers.IsValidNumber(num) {
		return phonenumbers.Format(num, phonenumbers.E164), FixNone, nil
	}
	cc := int(num.GetCountryCode())
	switch phonenumbers.IsPossibleNumberWithReason(num) {
	case phonenumbers.INVALID_COUNTRY_CODE:
		return "", FixNone, phoneErr(field, s, "country_code", "%q has no valid country code", s)
	case phonenumbers.TOO_SHORT:
		return "", FixNone, phoneErr(field, s, "too_short", "%q is too short for a telephone number", s)
	case phonenumbers.TOO_LONG:
		return "", FixNone, phoneErr(field, s, "too_long", "%q is too long for a telephone number", s)
	}
	if cc == 32 {
		return "", FixNone, phoneErr(field, s, "not_belgian", "%q is not a Belgian telephone number: no such zone or mobile prefix", s)
	}
	e := phoneErr(field, s, "not_valid", "%q is not a valid telephone number for country code +%d", s, cc)
	e.Args["Code"] = cc
	return "", FixNone, e
}

// excelNumber reports whether s is what a spreadsheet writes for a
// number cell: digits without a leading 0, or scientific notation.
func excelNumber(s string) bool {
	return scientific.MatchString(s) || allDigits.MatchString(s) && s[0] != '0'
}

// validPhone parses s (with its 0 or +) and reports whether it is a
// valid number, in E.164.
func validPhone(s string) (string, bool) {
	num, err := phonenumbers.Parse(s, PhoneRegion)
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", false
	}
	return phonenumbers.Format(num, phonenumbers.E164), true
}

// phoneErr is phone_invalid with the reason's own message
// ("imports.phone.<reason>").
func phoneErr(field, value, reason, format string, a ...any) *apperr.Error {
	e := problem(apperr.PhoneInvalid, field, nil, format, a...)
	return e.WithKey("imports.phone."+reason, map[string]any{"Field": field, "Value": value})
}

// phoneWarning is the warning of a CSV row whose number was repaired.
func phoneWarning(field, value, e164 string, fix PhoneFix) *apperr.Error {
	var what string
	switch fix {
	case FixLeadingZero:
		what = "had lost its leading 0"
	case FixPlus:
		what = "had lost its leading +"
	default:
		what = "was in scientific notation"
	}
	return apperr.FieldErr(apperr.PhoneRepaired, field, "telephone number %q %s (Excel): read as %s", value, what, e164).
		WithKey("imports.warning.phone_"+string(fix), map[string]any{"Field": field, "Value": value, "Phone": e164})
}
