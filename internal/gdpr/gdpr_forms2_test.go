package gdpr

import (
	"slices"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/apperr"
)

func TestNewRequestReportsEveryProblem(t *testing.T) {
	today := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	in := NewRequest{Kind: "klacht", ReceivedOn: "morgen", Note: strings.Repeat("n", 2001), Lookup: Lookup{Postcode: "22"}}
	err := in.Validate(today)
	var got []string
	for _, p := range apperr.Problems(err) {
		got = append(got, p.Field)
		if p.Key == "" {
			t.Errorf("problem of %s has no catalogue key", p.Field)
		}
	}
	want := []string{"type", "received_on", "name", "street", "number", "postcode", "note"}
	if !slices.Equal(got, want) {
		t.Errorf("problems %v, want %v (%v)", got, want, err)
	}
	if _, ok := err.(apperr.List); !ok {
		t.Errorf("%T, want an apperr.List", err)
	}
	// Both ways of looking up, and a date in the future: two problems.
	in = NewRequest{Kind: Access, ReceivedOn: "11-03-2026", Lookup: Lookup{ReceiptCode: "KR-A", Name: "An"}}
	if got := apperr.Problems(in.Validate(today)); len(got) != 2 || got[0].Field != "received_on" || got[1].Field != "receipt_code" {
		t.Errorf("future and both: %v", got)
	}
	// A date as people type it.
	in = NewRequest{Kind: Access, ReceivedOn: "6/3/2026", Lookup: Lookup{ReceiptCode: "KR-A"}}
	if err := in.Validate(today); err != nil || in.ReceivedOn != "2026-03-06" {
		t.Errorf("typed date: %v, %q", err, in.ReceivedOn)
	}
}

func TestNewRectificationReportsEveryProblem(t *testing.T) {
	in := NewRectification{ObjectType: "dossier", Parent: 2, Field: "postcode", Value: "12", Note: strings.Repeat("n", 2001)}
	var got []string
	for _, p := range apperr.Problems(in.Validate()) {
		got = append(got, p.Field)
	}
	if want := []string{"object_type", "parent", "value", "note"}; !slices.Equal(got, want) {
		t.Errorf("problems %v, want %v", got, want)
	}
	// An unknown field: its value is not judged by another field's rule.
	in = NewRectification{ObjectType: "referral", ObjectID: 1, Field: "kleur", Value: "x"}
	if ps := apperr.Problems(in.Validate()); len(ps) != 1 || ps[0].Field != "field" {
		t.Errorf("unknown field: %v", ps)
	}
	// By hand: the note says what.
	in = NewRectification{}
	if ps := apperr.Problems(in.Validate()); len(ps) != 1 || ps[0].Field != "note" {
		t.Errorf("by hand without a note: %v", ps)
	}
}
