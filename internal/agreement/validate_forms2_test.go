package agreement

import (
	"slices"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/apperr"
)

// fields are the fields of err's problems, in order.
func fields(err error) []string {
	var out []string
	for _, p := range apperr.Problems(err) {
		out = append(out, p.Field)
	}
	return out
}

func TestCheckEventReportsEveryProblem(t *testing.T) {
	long := strings.Repeat("x", MaxNote+1)
	for name, c := range map[string]struct {
		status Status
		in     NewEvent
		want   []string
	}{
		"approved": {Approved, NewEvent{EffectiveOn: "morgen", CouncilDecisionOn: "31-02-2024", Note: long},
			[]string{"effective_on", "council_decision_on", "council_reference", "note"}},
		"signed": {Signed, NewEvent{EffectiveOn: "1/13/2024", Signatures: []Signature{
			{Function: "council_chair", Name: strings.Repeat("n", MaxSignatoryName+1), SignedOn: "2024-03-01"},
			{Function: "general_director", SignedOn: ""},
		}}, []string{"effective_on", "signatures.administrator_general", "signatures.council_chair.name", "signatures.general_director.signed_on"}},
		"ended": {Ended, NewEvent{EffectiveOn: "2024-13-01", Note: long}, []string{"effective_on", "reason", "note"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := CheckEvent(c.status, c.in, time.Time{})
			if got := fields(err); !slices.Equal(got, c.want) {
				t.Errorf("problems %v, want %v (%v)", got, c.want, err)
			}
			if len(c.want) > 1 {
				if _, ok := err.(apperr.List); !ok {
					t.Errorf("%T, want an apperr.List", err)
				}
			}
			for _, p := range apperr.Problems(err) {
				if p.Key == "" {
					t.Errorf("problem of %s has no catalogue key", p.Field)
				}
			}
		})
	}
}

// Dates as people type them; the details come back in ISO.
func TestCheckEventTypedDates(t *testing.T) {
	d, on, err := CheckEvent(Approved, NewEvent{EffectiveOn: "6/12/2024", CouncilDecisionOn: "05-12-2024", CouncilReference: " RMW/1 "}, time.Time{})
	if err != nil || on.Format(time.DateOnly) != "2024-12-06" || d.CouncilDecisionOn != "2024-12-05" || d.CouncilReference != "RMW/1" {
		t.Errorf("approved: %v %v %+v", err, on, d)
	}
	sigs := []Signature{{Function: "administrator_general", SignedOn: "1.3.2024"}, {Function: "council_chair", SignedOn: "2024-03-02"}, {Function: "general_director", SignedOn: "3/3/2024"}}
	d, on, err = CheckEvent(Signed, NewEvent{Signatures: sigs}, time.Time{})
	if err != nil || on.Format(time.DateOnly) != "2024-03-03" || d.Signatures[0].SignedOn != "2024-03-01" {
		t.Errorf("signed: %v %v %+v", err, on, d)
	}
	// Signed before the last signature: a conflict, once the fields are right.
	_, _, err = CheckEvent(Signed, NewEvent{EffectiveOn: "2024-03-02", Signatures: sigs}, time.Time{})
	if apperr.Code(err) != apperr.InvalidTransition {
		t.Errorf("signed before its last signature: %v", err)
	}
}

func TestVersionCheckReportsEveryProblem(t *testing.T) {
	zero, many := 0, 400
	empty, proto, dpo, pub := " ", strings.Repeat("p", MaxProtocolReference+1), "morgen", "ftp://example.org/x"
	up := VersionUpdate{RetentionDays: &zero, FirstContactDays: &many, InformationText: &empty, ProtocolReference: &proto, DPOAdviceOn: &dpo, PublicationURL: &pub}
	want := []string{"retention_days", "first_contact_days", "information_text", "protocol_reference", "dpo_advice_on", "publication_url"}
	if got := fields(up.Check()); !slices.Equal(got, want) {
		t.Errorf("problems %v, want %v", got, want)
	}
	ok, typed := 30, "6/12/2024"
	good := VersionUpdate{RetentionDays: &ok, DPOAdviceOn: &typed}
	if err := good.Check(); err != nil || *good.DPOAdviceOn != "2024-12-06" {
		t.Errorf("good update: %v, dpo advice %q", err, *good.DPOAdviceOn)
	}
}
