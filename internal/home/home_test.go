package home

import (
	"slices"
	"testing"

	"kansrijk/internal/agreement"
)

// TestNextStep: the OCMW administrator's next step follows the agreement's
// status; from signed on, the signed copies are what is missing, and a
// proposed change comes first.
func TestNextStep(t *testing.T) {
	both := []string{"cooperation", "processing"}
	for _, c := range []struct {
		name     string
		s        AgreementState
		key, who string
		missing  []string
	}{
		{"interested", AgreementState{Status: agreement.Interested}, "home.step.wait_draft", "team", []string{"home.missing.draft"}},
		{"draft", AgreementState{Status: agreement.Draft}, "home.step.council", "ocmw", []string{"home.missing.council_decision"}},
		{"approved", AgreementState{Status: agreement.Approved}, "home.step.sign", "ocmw", []string{"home.missing.signatures"}},
		{"signed without copies", AgreementState{Status: agreement.Signed}, "home.step.upload", "ocmw",
			[]string{"home.missing.document_cooperation", "home.missing.document_processing"}},
		{"signed with copies", AgreementState{Status: agreement.Signed, Documents: both}, "home.step.wait_active", "team", nil},
		{"active, one copy", AgreementState{Status: agreement.Active, Documents: []string{"cooperation", "other"}}, "home.step.upload", "ocmw",
			[]string{"home.missing.document_processing"}},
		{"active", AgreementState{Status: agreement.Active, Documents: both}, "home.step.in_force", "", nil},
		{"active with a proposal", AgreementState{Status: agreement.Active, Documents: both, Proposed: true}, "home.step.decide_proposal", "ocmw", nil},
		{"suspended", AgreementState{Status: agreement.Suspended, Documents: both}, "home.step.suspended", "team", nil},
		{"ended", AgreementState{Status: agreement.Ended}, "home.step.ended", "", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := c.s.Next()
			if got.Key != c.key || got.Who != c.who || !slices.Equal(got.Missing, c.missing) {
				t.Errorf("Next() = %+v, want %s by %q missing %v", got, c.key, c.who, c.missing)
			}
		})
	}
}

func TestPercent(t *testing.T) {
	for _, c := range []struct{ n, total, want int }{{0, 0, 0}, {5, 0, 0}, {42, 285, 14}, {285, 285, 100}, {1, 3, 33}} {
		if got := Percent(c.n, c.total); got != c.want {
			t.Errorf("Percent(%d, %d) = %d, want %d", c.n, c.total, got, c.want)
		}
	}
}
