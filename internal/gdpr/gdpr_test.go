package gdpr

import (
	"testing"
	"time"

	"kansrijk/internal/apperr"
)

func TestNormalizeCode(t *testing.T) {
	for in, want := range map[string]string{
		"KR-ABCD-EFGH-JKMN":  "KR-ABCD-EFGH-JKMN",
		"kr abcd efgh jkmn":  "KR-ABCD-EFGH-JKMN",
		" krabcd-efgh.jkmn ": "KR-ABCD-EFGH-JKMN",
		"something-else":     "SOMETHINGELSE",
	} {
		if got := NormalizeCode(in); got != want {
			t.Errorf("NormalizeCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestKeys(t *testing.T) {
	if NameKey("Peeters, Anaïs") != NameKey("anais PEETERS") || NameKey("An Peeters") == NameKey("Ann Peeters") {
		t.Error("NameKey: folded, word order ignored, and still tells names apart")
	}
	if AddressKey("Sint-Jansstraat") != AddressKey("sint jansstraat") || AddressKey("12A") != AddressKey("12 a") {
		t.Error("AddressKey: punctuation and case ignored")
	}
}

func TestNewRequestValidate(t *testing.T) {
	today := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	ok := NewRequest{Kind: Access, Lookup: Lookup{Postcode: "2235", Street: "Kerkstraat", Number: "12", Name: "An Peeters"}}
	if err := ok.Validate(today); err != nil || ok.ReceivedOn != "2026-03-10" {
		t.Fatalf("valid request: %v, received %q", err, ok.ReceivedOn)
	}
	for name, c := range map[string]struct {
		in   NewRequest
		code string
	}{
		"Kind":     {NewRequest{Kind: "complaint", Lookup: Lookup{ReceiptCode: "KR-A"}}, apperr.Invalid},
		"NoLookup": {NewRequest{Kind: Access}, apperr.Invalid},
		"Both":     {NewRequest{Kind: Access, Lookup: Lookup{ReceiptCode: "KR-A", Name: "An"}}, apperr.Invalid},
		"Postcode": {NewRequest{Kind: Access, Lookup: Lookup{Postcode: "22", Street: "K", Number: "1", Name: "An"}}, apperr.PostcodeInvalid},
		"NoNumber": {NewRequest{Kind: Access, Lookup: Lookup{Postcode: "2235", Street: "K", Name: "An"}}, apperr.Invalid},
		"Future":   {NewRequest{Kind: Access, ReceivedOn: "2026-03-11", Lookup: Lookup{ReceiptCode: "KR-A"}}, apperr.InvalidDate},
		"BadDate":  {NewRequest{Kind: Access, ReceivedOn: "31/02/2026", Lookup: Lookup{ReceiptCode: "KR-A"}}, apperr.InvalidDate},
	} {
		t.Run(name, func(t *testing.T) {
			if err := c.in.Validate(today); apperr.Code(err) != c.code {
				t.Errorf("Validate = %v, want %s", err, c.code)
			}
		})
	}
}

func TestNewRectificationValidate(t *testing.T) {
	for name, c := range map[string]struct {
		in   NewRectification
		code string
	}{
		"NoteOnly":     {NewRectification{Note: "huisnummer in het sociaal dossier"}, ""},
		"Phone":        {NewRectification{ObjectType: "referral", ObjectID: 1, Field: "phone", Value: "+32 470 12 34 56"}, ""},
		"ClearPhone":   {NewRectification{ObjectType: "referral", ObjectID: 1, Field: "phone"}, ""},
		"Empty":        {NewRectification{}, apperr.Invalid},
		"Object":       {NewRectification{ObjectType: "agreement", ObjectID: 1, Field: "phone"}, apperr.Invalid},
		"Field":        {NewRectification{ObjectType: "referral", ObjectID: 1, Field: "criteria"}, apperr.Invalid},
		"Parent":       {NewRectification{ObjectType: "referral", ObjectID: 1, Parent: 2, Field: "name", Value: "X"}, apperr.Invalid},
		"NameRequired": {NewRectification{ObjectType: "referral", ObjectID: 1, Field: "name"}, apperr.Invalid},
		"BadPostcode":  {NewRectification{ObjectType: "birth_notification", ObjectID: 1, Field: "postcode", Value: "0123"}, apperr.PostcodeInvalid},
		"BadEmail":     {NewRectification{ObjectType: "referral", ObjectID: 1, Field: "email", Value: "An <an@example.org>"}, apperr.EmailInvalid},
	} {
		t.Run(name, func(t *testing.T) {
			if err := c.in.Validate(); apperr.Code(err) != c.code && !(c.code == "" && err == nil) {
				t.Errorf("Validate = %v, want %q", err, c.code)
			}
		})
	}
}

func TestBuildRecord(t *testing.T) {
	rec := BuildRecord(DefaultConfig(), time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), nil)
	if rec.On != "2026-03-10" || rec.Transfers != "none" || rec.Recipients == nil || len(rec.Activities) != 4 {
		t.Fatalf("record = %+v", rec)
	}
	if a := rec.Activities[1]; a.Key != "birth_notification" || a.RetentionN != 6 {
		t.Errorf("births: %+v", a)
	}
}
