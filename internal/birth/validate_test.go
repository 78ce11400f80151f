package birth

import (
	"strings"
	"testing"
	"time"

	"kansrijk/internal/apperr"
	"kansrijk/internal/municipality"
)

func date(s string) time.Time {
	d, err := municipality.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// valid is the notification of the contract (a fictitious family).
func valid() NewNotification {
	return NewNotification{
		Mother: Parent{Name: "An Peeters", Street: "Kerkstraat", Number: "12", Postcode: "2235", MunicipalityNIS: "13016",
			Phone: "+32470000000", Email: "an@example.org", Language: "nl"},
		ChildBirthDate: "2025-03-01", EarlyContactRequested: true,
	}
}

// TestValidate: every rule of the data set, with its code and field.
func TestValidate(t *testing.T) {
	reg := municipality.MustLoad()
	today := date("2025-03-10")
	co := func(p Parent) func(n *NewNotification) { return func(n *NewNotification) { n.CoParent = &p } }
	coParent := Parent{Name: "Bram Peeters", Phone: "0470 11 22 33"}
	tests := []struct {
		name   string
		today  string // default 2025-03-10
		change func(n *NewNotification)
		code   string // "" for valid
		field  string
	}{
		{name: "contract body", change: func(n *NewNotification) {}},
		{name: "name missing", change: func(n *NewNotification) { n.Mother.Name = "  " }, code: apperr.NameRequired, field: "mother.name"},
		{name: "name too long", change: func(n *NewNotification) { n.Mother.Name = strings.Repeat("é", 201) }, code: apperr.FieldTooLong, field: "mother.name"},
		{name: "name of 200 accented letters", change: func(n *NewNotification) { n.Mother.Name = strings.Repeat("é", 200) }},
		{name: "street missing", change: func(n *NewNotification) { n.Mother.Street = "" }, code: apperr.AddressRequired, field: "mother.street"},
		{name: "number missing", change: func(n *NewNotification) { n.Mother.Number = "" }, code: apperr.AddressRequired, field: "mother.number"},
		{name: "street too long", change: func(n *NewNotification) { n.Mother.Street = strings.Repeat("a", 201) }, code: apperr.FieldTooLong, field: "mother.street"},
		{name: "number too long", change: func(n *NewNotification) { n.Mother.Number = strings.Repeat("1", 21) }, code: apperr.FieldTooLong, field: "mother.number"},
		{name: "box too long", change: func(n *NewNotification) { n.Mother.Box = strings.Repeat("b", 21) }, code: apperr.FieldTooLong, field: "mother.box"},
		{name: "box given", change: func(n *NewNotification) { n.Mother.Box = "2B" }},
		{name: "postcode missing", change: func(n *NewNotification) { n.Mother.Postcode = "" }, code: apperr.PostcodeInvalid, field: "mother.postcode"},
		{name: "postcode not 4 digits", change: func(n *NewNotification) { n.Mother.Postcode = "22A5" }, code: apperr.PostcodeInvalid, field: "mother.postcode"},
		{name: "postcode of another municipality", change: func(n *NewNotification) { n.Mother.Postcode = "2000" }, code: apperr.PostcodeMismatch, field: "mother.postcode"},
		{name: "municipality missing", change: func(n *NewNotification) { n.Mother.MunicipalityNIS = "" }, code: apperr.MunicipalityRequired, field: "mother.municipality_nis"},
		{name: "municipality unknown", change: func(n *NewNotification) { n.Mother.MunicipalityNIS = "99999" }, code: apperr.MunicipalityUnknown, field: "mother.municipality_nis"},
		{name: "municipality in Wallonia", change: func(n *NewNotification) { n.Mother.MunicipalityNIS, n.Mother.Postcode = "57081", "7500" },
			code: apperr.MunicipalityUnknown, field: "mother.municipality_nis"},
		{name: "merged municipality after 2025", change: func(n *NewNotification) { n.Mother.MunicipalityNIS, n.Mother.Postcode = "44012", "9840" },
			code: apperr.MunicipalityNotValid, field: "mother.municipality_nis"},
		{name: "merged municipality's successor after 2025", change: func(n *NewNotification) { n.Mother.MunicipalityNIS, n.Mother.Postcode = "44086", "9840" }},
		{name: "successor code for a 2024 birth", today: "2025-01-10", change: func(n *NewNotification) {
			n.Mother.MunicipalityNIS, n.Mother.Postcode, n.ChildBirthDate = "44086", "9840", "2024-12-20"
		}, code: apperr.MunicipalityNotValid, field: "mother.municipality_nis"},
		{name: "old code for a 2024 birth", today: "2025-01-10", change: func(n *NewNotification) {
			n.Mother.MunicipalityNIS, n.Mother.Postcode, n.ChildBirthDate = "44012", "9840", "2024-12-20"
		}},
		{name: "Brussels", change: func(n *NewNotification) { n.Mother.MunicipalityNIS, n.Mother.Postcode = "21004", "1000" }},
		{name: "no phone and no e-mail", change: func(n *NewNotification) { n.Mother.Phone, n.Mother.Email = "", "" }, code: apperr.ContactRequired, field: "mother.phone"},
		{name: "only e-mail", change: func(n *NewNotification) { n.Mother.Phone = "" }},
		{name: "only phone", change: func(n *NewNotification) { n.Mother.Email = "" }},
		{name: "bad phone", change: func(n *NewNotification) { n.Mother.Phone = "call me" }, code: apperr.PhoneInvalid, field: "mother.phone"},
		{name: "phone too short", change: func(n *NewNotification) { n.Mother.Phone = "0470" }, code: apperr.PhoneInvalid, field: "mother.phone"},
		{name: "bad e-mail", change: func(n *NewNotification) { n.Mother.Email = "an@" }, code: apperr.EmailInvalid, field: "mother.email"},
		{name: "e-mail with a display name", change: func(n *NewNotification) { n.Mother.Email = "An <an@example.org>" }, code: apperr.EmailInvalid, field: "mother.email"},
		{name: "e-mail too long", change: func(n *NewNotification) { n.Mother.Email = strings.Repeat("a", 250) + "@x.be" }, code: apperr.FieldTooLong, field: "mother.email"},
		{name: "language missing", change: func(n *NewNotification) { n.Mother.Language = "" }, code: apperr.LanguageRequired, field: "mother.language"},
		{name: "language unsupported", change: func(n *NewNotification) { n.Mother.Language = "xx" }, code: apperr.LanguageUnsupported, field: "mother.language"},
		{name: "language in capitals", change: func(n *NewNotification) { n.Mother.Language = "FR" }},
		{name: "birth date missing", change: func(n *NewNotification) { n.ChildBirthDate = "" }, code: apperr.BirthDateRequired, field: "child_birth_date"},
		{name: "birth date not ISO", change: func(n *NewNotification) { n.ChildBirthDate = "01/03/2025" }, code: apperr.BirthDateInvalid, field: "child_birth_date"},
		{name: "birth date no such day", change: func(n *NewNotification) { n.ChildBirthDate = "2025-02-30" }, code: apperr.BirthDateInvalid, field: "child_birth_date"},
		{name: "birth date tomorrow", change: func(n *NewNotification) { n.ChildBirthDate = "2025-03-11" }, code: apperr.BirthDateFuture, field: "child_birth_date"},
		{name: "birth date today", change: func(n *NewNotification) { n.ChildBirthDate = "2025-03-10" }},
		{name: "birth date too old", change: func(n *NewNotification) { n.ChildBirthDate = "2024-12-09" }, code: apperr.BirthDateTooOld, field: "child_birth_date"},
		{name: "birth date three months ago", change: func(n *NewNotification) { n.ChildBirthDate = "2024-12-10" }},
		{name: "co-parent at the mother's address", change: co(coParent)},
		{name: "co-parent all empty is no co-parent", change: co(Parent{Name: " "})},
		{name: "co-parent without a name", change: co(Parent{Phone: "0470 11 22 33"}), code: apperr.NameRequired, field: "co_parent.name"},
		{name: "co-parent's own address", change: co(Parent{Name: "Bram", Street: "Dorp", Number: "1", Postcode: "2000", MunicipalityNIS: "11002"})},
		{name: "co-parent's address incomplete", change: co(Parent{Name: "Bram", Postcode: "2000", MunicipalityNIS: "11002"}),
			code: apperr.AddressRequired, field: "co_parent.street"},
		{name: "co-parent's postcode elsewhere", change: co(Parent{Name: "Bram", Street: "Dorp", Number: "1", Postcode: "2235", MunicipalityNIS: "11002"}),
			code: apperr.PostcodeMismatch, field: "co_parent.postcode"},
		{name: "co-parent's bad e-mail", change: co(Parent{Name: "Bram", Email: "bram@"}), code: apperr.EmailInvalid, field: "co_parent.email"},
		{name: "co-parent's bad phone", change: co(Parent{Name: "Bram", Phone: "x"}), code: apperr.PhoneInvalid, field: "co_parent.phone"},
		{name: "co-parent's language", change: co(Parent{Name: "Bram", Language: "klingon"}), code: apperr.LanguageUnsupported, field: "co_parent.language"},
		{name: "co-parent's long name", change: co(Parent{Name: strings.Repeat("x", 201)}), code: apperr.FieldTooLong, field: "co_parent.name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := valid()
			tc.change(&n)
			on := today
			if tc.today != "" {
				on = date(tc.today)
			}
			probs := n.Validate(reg, on)
			if tc.code == "" {
				if len(probs) != 0 {
					t.Fatalf("want valid, got %v", probs)
				}
				if n.BirthDate.IsZero() {
					t.Error("BirthDate not set")
				}
				return
			}
			if len(probs) == 0 {
				t.Fatalf("want %s on %s, got valid", tc.code, tc.field)
			}
			if probs[0].Code != tc.code || probs[0].Field != tc.field {
				t.Fatalf("first problem %s on %s (%v), want %s on %s", probs[0].Code, probs[0].Field, probs, tc.code, tc.field)
			}
			// The Dutch text exists and differs from the English one.
			if nl := Dutch(probs[0]); nl == probs[0].Message || strings.Contains(nl, "{") {
				t.Errorf("Dutch message of %s: %q", tc.code, nl)
			}
			if err := n.Check(reg, on); apperr.Code(err) != tc.code {
				t.Errorf("Check = %v", err)
			}
		})
	}
}

// TestValidateNamesTheRightCode: a wrong-era code names the code to use.
func TestValidateNamesTheRightCode(t *testing.T) {
	reg := municipality.MustLoad()
	n := valid()
	n.Mother.MunicipalityNIS, n.Mother.Postcode = "44012", "9840"
	probs := n.Validate(reg, date("2025-03-10"))
	if len(probs) != 1 || !strings.Contains(probs[0].Message, "44086") || !strings.Contains(Dutch(probs[0]), "44086 (Nazareth-De Pinte)") {
		t.Fatalf("problems %v", probs)
	}
	n = valid()
	n.Mother.MunicipalityNIS, n.Mother.Postcode, n.ChildBirthDate = "44086", "9840", "2024-12-20"
	probs = n.Validate(reg, date("2025-01-10"))
	if len(probs) != 1 || !strings.Contains(probs[0].Message, "44012 (De Pinte)") || !strings.Contains(probs[0].Message, "44048 (Nazareth)") {
		t.Fatalf("problems %v", probs)
	}
}

// TestValidateAllProblems: every problem of a notification is reported,
// in field order.
func TestValidateAllProblems(t *testing.T) {
	n := NewNotification{Mother: Parent{Name: "", Postcode: "x"}, CoParent: &Parent{Email: "nope"}}
	probs := n.Validate(municipality.MustLoad(), date("2025-03-10"))
	var got []string
	for _, p := range probs {
		got = append(got, p.Field+":"+p.Code)
	}
	want := "mother.name:name_required mother.street:address_required mother.postcode:postcode_invalid mother.municipality_nis:municipality_required " +
		"mother.phone:contact_required mother.language:language_required co_parent.name:name_required co_parent.email:email_invalid child_birth_date:birth_date_required"
	if strings.Join(got, " ") != want {
		t.Errorf("problems\n got %s\nwant %s", strings.Join(got, " "), want)
	}
}

func TestNormalizedAndKeys(t *testing.T) {
	for _, pair := range [][2]string{{"An Peeters", "PEETERS, An"}, {"Zoë Müller-Dubois", "dubois zoe muller"}, {" Ann-Sofie  Janssens", "Janssens Ann Sofie"}} {
		if Normalized(pair[0]) != Normalized(pair[1]) {
			t.Errorf("%q and %q normalise to %q and %q", pair[0], pair[1], Normalized(pair[0]), Normalized(pair[1]))
		}
	}
	d := date("2025-03-01")
	if DuplicateKey("An Peeters", d) != DuplicateKey("peeters an", d) || DuplicateKey("An Peeters", d) == DuplicateKey("An Peeters", date("2025-03-02")) {
		t.Error("DuplicateKey")
	}
	if NaturalKey("clinic-a", "An Peeters", d) == NaturalKey("clinic-b", "An Peeters", d) {
		t.Error("NaturalKey must differ per clinic")
	}
}

func TestForClinic(t *testing.T) {
	want := map[Status]ClinicStatus{New: ClinicNew, NotReached: ClinicPickedUp, Contacted: ClinicPickedUp, Merged: ClinicPickedUp}
	for _, s := range Statuses {
		if s.ForClinic() != want[s] {
			t.Errorf("%s.ForClinic() = %s", s, s.ForClinic())
		}
	}
}

func TestPolicyDefaults(t *testing.T) {
	if p := (Policy{}).WithDefaults(); p.EscalateAfterDays != 14 || p.RetentionMonths != 6 {
		t.Errorf("defaults %+v", p)
	}
	if p := (Policy{EscalateAfterDays: 3, RetentionMonths: 1}).WithDefaults(); p.EscalateAfterDays != 3 || p.RetentionMonths != 1 {
		t.Errorf("kept %+v", p)
	}
}
