package birth

import (
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	addresses "kansrijk/internal/address"
	"kansrijk/internal/apperr"
	"kansrijk/internal/i18n"
	"kansrijk/internal/municipality"
	"kansrijk/internal/textnorm"
)

var (
	postcodeRE = regexp.MustCompile(`^[1-9][0-9]{3}$`)
)

// problem returns the error of one rule: the stable code, the field, an
// English message for the API and the key of the localised text
// ("error.birth.<code>") for the UI and the Dutch batch report.
func problem(code, field string, args map[string]any, format string, a ...any) *apperr.Error {
	if args == nil {
		args = map[string]any{}
	}
	args["Field"] = field
	return apperr.FieldErr(code, field, format, a...).WithKey("error.birth."+code, args)
}

// Dutch returns the Dutch text of a validation error (its catalogue
// entry), or its English message when it has none.
func Dutch(e *apperr.Error) string {
	if e.Key != "" && i18n.Has(i18n.NL, e.Key) {
		return i18n.T(i18n.NL, e.Key, e.Args)
	}
	return e.Message
}

// Normalize trims every field, drops an empty co-parent and gives a
// co-parent without an address or language the mother's.
func (in *NewNotification) Normalize() {
	in.Mother.trim()
	in.ChildBirthDate = strings.TrimSpace(in.ChildBirthDate)
	if in.CoParent == nil {
		return
	}
	in.CoParent.trim()
	if *in.CoParent == (Parent{}) {
		in.CoParent = nil
		return
	}
	c := in.CoParent
	if c.Street == "" && c.Number == "" && c.Box == "" && c.Postcode == "" && c.MunicipalityNIS == "" {
		c.Street, c.Number, c.Box, c.Postcode, c.MunicipalityNIS = in.Mother.Street, in.Mother.Number, in.Mother.Box, in.Mother.Postcode, in.Mother.MunicipalityNIS
	}
	if c.Language == "" {
		c.Language = in.Mother.Language
	}
}

func (p *Parent) trim() {
	for _, s := range []*string{&p.Name, &p.Street, &p.Number, &p.Box, &p.Postcode, &p.MunicipalityNIS, &p.Phone, &p.Email, &p.Language} {
		*s = strings.TrimSpace(*s)
	}
	p.Language = strings.ToLower(p.Language)
	p.Email = strings.ToLower(p.Email)
}

// Validate normalises the notification and checks it against the rules of
// the data set (dataset.go) on the calendar day today, using the
// municipality registry. It returns every problem, in field order; none
// when the notification is valid, and then BirthDate is set.
func (in *NewNotification) Validate(reg *municipality.Registry, today time.Time) []*apperr.Error {
	in.Normalize()
	var out []*apperr.Error
	birth, dateOK := time.Time{}, false
	switch d, err := municipality.ParseDate(in.ChildBirthDate); {
	case in.ChildBirthDate == "":
		out = append(out, problem(apperr.BirthDateRequired, "child_birth_date", nil, "the child's date of birth is required"))
	case err != nil:
		out = append(out, problem(apperr.BirthDateInvalid, "child_birth_date", map[string]any{"Value": in.ChildBirthDate},
			"child_birth_date must be a date YYYY-MM-DD, got %q", in.ChildBirthDate))
	case d.After(today):
		out = append(out, problem(apperr.BirthDateFuture, "child_birth_date", map[string]any{"Date": day(d)},
			"the date of birth %s lies in the future", day(d)))
	case d.Before(today.AddDate(0, -MaxBirthAgeMonths, 0)):
		out = append(out, problem(apperr.BirthDateTooOld, "child_birth_date", map[string]any{"Date": day(d), "Months": MaxBirthAgeMonths},
			"the date of birth %s lies more than %d months back: a birth notification is made around the birth", day(d), MaxBirthAgeMonths))
	default:
		birth, dateOK = d, true
	}
	out = append(out, in.Mother.validate("mother", true, true, reg, birth, dateOK)...)
	if c := in.CoParent; c != nil {
		// At the mother's address: its problems are the mother's.
		m := in.Mother
		own := c.Street != m.Street || c.Number != m.Number || c.Box != m.Box || c.Postcode != m.Postcode || c.MunicipalityNIS != m.MunicipalityNIS
		out = append(out, c.validate("co_parent", false, own, reg, birth, dateOK)...)
	}
	if p := in.checkReference(); p != nil {
		out = append(out, p)
	}
	if len(out) == 0 {
		in.BirthDate = birth
	}
	// Field order: the mother, the co-parent, then the child.
	slices.SortStableFunc(out, func(a, b *apperr.Error) int { return fieldRank(a.Field) - fieldRank(b.Field) })
	return out
}

func fieldRank(f string) int {
	switch {
	case strings.HasPrefix(f, "mother."):
		return 0
	case strings.HasPrefix(f, "co_parent."):
		return 1
	}
	return 2
}

// Check validates and returns the first problem, or nil.
func (in *NewNotification) Check(reg *municipality.Registry, today time.Time) error {
	if ps := in.Validate(reg, today); len(ps) > 0 {
		return ps[0]
	}
	return nil
}

// validate checks one parent, its address only when address is set. The
// mother needs an address, a way to reach her and a language; a co-parent
// only a name (Normalize gave it the mother's address and language where
// it had none).
func (p *Parent) validate(prefix string, mother, address bool, reg *municipality.Registry, birth time.Time, dateOK bool) []*apperr.Error {
	var out []*apperr.Error
	f := func(name string) string { return prefix + "." + name }
	tooLong := func(field, value string, max int) {
		if utf8.RuneCountInString(value) > max {
			out = append(out, problem(apperr.FieldTooLong, f(field), map[string]any{"Max": max}, "%s is longer than %d characters", f(field), max))
		}
	}
	if p.Name == "" {
		out = append(out, problem(apperr.NameRequired, f("name"), nil, "the %s's name is required", who(mother)))
	}
	tooLong("name", p.Name, MaxName)
	tooLong("email", p.Email, MaxEmail)
	if address {
		tooLong("street", p.Street, MaxStreet)
		tooLong("number", p.Number, MaxNumber)
		tooLong("box", p.Box, MaxBox)
		if p.Street == "" || p.Number == "" {
			field := "street"
			if p.Street != "" {
				field = "number"
			}
			out = append(out, problem(apperr.AddressRequired, f(field), nil, "the %s's street and house number are required", who(mother)))
		}
		pcOK := false
		switch {
		case p.Postcode == "":
			out = append(out, problem(apperr.PostcodeInvalid, f("postcode"), map[string]any{"Value": ""}, "the postcode is required (4 digits)"))
		case !postcodeRE.MatchString(p.Postcode):
			out = append(out, problem(apperr.PostcodeInvalid, f("postcode"), map[string]any{"Value": p.Postcode}, "postcode %q must be 4 digits", p.Postcode))
		default:
			pcOK = true
		}
		nisOK := false
		if p.MunicipalityNIS == "" {
			out = append(out, problem(apperr.MunicipalityRequired, f("municipality_nis"), nil, "the NIS code of the municipality of residence is required"))
		} else if m, ok := reg.ByNIS(p.MunicipalityNIS); !ok {
			out = append(out, problem(apperr.MunicipalityUnknown, f("municipality_nis"), map[string]any{"NIS": p.MunicipalityNIS},
				"%q is not the NIS code of a municipality in Flanders or Brussels, where Kind en Gezin works", p.MunicipalityNIS))
		} else if dateOK && !reg.ValidOn(m.NIS, birth) {
			out = append(out, notValidOn(reg, m, birth, f("municipality_nis")))
		} else {
			nisOK = dateOK
		}
		if pcOK && nisOK {
			// The rule of the referral too (package address).
			if !addresses.Belongs(reg, p.Postcode, p.MunicipalityNIS, birth) {
				m, _ := reg.ByNIS(p.MunicipalityNIS)
				out = append(out, problem(apperr.PostcodeMismatch, f("postcode"), map[string]any{"Postcode": p.Postcode, "Name": m.Name, "NIS": m.NIS},
					"postcode %s does not belong to %s (%s)", p.Postcode, m.Name, m.NIS))
			}
		}
	}
	if mother && p.Phone == "" && p.Email == "" {
		out = append(out, problem(apperr.ContactRequired, f("phone"), nil, "give at least a telephone number or an e-mail address of the mother"))
	}
	if p.Phone != "" {
		// E.164 (phone.go): the form, the API and a CSV batch alike.
		if n, _, err := NormalizePhone(f("phone"), p.Phone); err != nil {
			out = append(out, err)
		} else {
			p.Phone = n
		}
	}
	if p.Email != "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email || !strings.Contains(p.Email, ".") {
			out = append(out, problem(apperr.EmailInvalid, f("email"), map[string]any{"Value": p.Email}, "invalid e-mail address %q", p.Email))
		}
	}
	switch {
	case p.Language == "" && mother:
		out = append(out, problem(apperr.LanguageRequired, f("language"), nil, "the preferred language is required"))
	case p.Language != "" && !slices.Contains(Languages, p.Language):
		out = append(out, problem(apperr.LanguageUnsupported, f("language"), map[string]any{"Value": p.Language, "Languages": strings.Join(Languages, ", ")},
			"unsupported language %q: use one of %s", p.Language, strings.Join(Languages, ", ")))
	}
	return out
}

func who(mother bool) string {
	if mother {
		return "mother"
	}
	return "co-parent"
}

// notValidOn explains which code to use for a municipality that did not
// exist on the date of birth: its successor after a merger, or the codes
// it was made of before one.
func notValidOn(reg *municipality.Registry, m municipality.Municipality, birth time.Time, field string) *apperr.Error {
	args := map[string]any{"NIS": m.NIS, "Name": m.Name, "Date": day(birth)}
	if s, ok := reg.SuccessorOn(m.NIS, birth); ok {
		args["Use"] = s.NIS + " (" + s.Name + ")"
	} else if preds := reg.Predecessors(m.NIS); len(preds) > 0 {
		var codes []string
		for _, p := range preds {
			if reg.ValidOn(p.NIS, birth) {
				codes = append(codes, p.NIS+" ("+p.Name+")")
			}
		}
		if reg.ValidOn(m.NIS, birth) || len(codes) == 0 {
			codes = append(codes, "?")
		}
		args["Use"] = strings.Join(codes, ", ")
	} else {
		args["Use"] = "?"
	}
	return problem(apperr.MunicipalityNotValid, field, args,
		"municipality %s (%s) did not exist on the date of birth %s: use %s", m.NIS, m.Name, day(birth), args["Use"])
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

// Normalized is a name reduced for comparison: lower case, without
// accents and punctuation, its words sorted ("Peeters, Ann-Sofie" and "Ann
// Sofie PEETERS" are the same).
func Normalized(name string) string {
	w := textnorm.Words(name)
	slices.Sort(w)
	return strings.Join(w, " ")
}

// DuplicateKey identifies "the same parent and the same date of birth"
// across submissions: the normalised name and the date. It is personal
// data and is kept (hashed) with the parents, deleted with them.
func DuplicateKey(name string, birth time.Time) string {
	return hashHex(Normalized(name) + "|" + day(birth))
}

// NaturalKey identifies a batch row of a clinic: the same mother and date
// of birth from the same clinic is the same notification, so that sending
// a file (or a row) again creates nothing new.
func NaturalKey(clinic, motherName string, birth time.Time) string {
	return hashHex(clinic + "|" + Normalized(motherName) + "|" + day(birth))
}
