package audit

import (
	"strings"
	"testing"

	"kansrijk/internal/account"
)

func TestPurposeOf(t *testing.T) {
	for action, want := range map[string]string{
		"referral.read":                  PurposeReferral,
		"birth.read":                     PurposeEarlySupport,
		"outreach.contact.read":          PurposeOutreach,
		"outreach_contact.access_denied": PurposeOutreach,
		"agreement.event":                PurposeAgreement,
		UserList:                         PurposeAccounts,
		PasswordLinkCreate:               PurposeAccounts,
		LoginOK:                          PurposeSecurity,
		Logout:                           PurposeSecurity,
		TeamCreate:                       PurposeAdministration,
		"break_glass.request":            PurposeBreakGlass,
		"subject_request.export":         PurposeSubjectRequest,
		"access_log.view":                PurposeFamilyView,
		"audit.search":                   PurposeOversight,
		"something.else":                 "",
	} {
		if got := PurposeOf(action); got != want {
			t.Errorf("PurposeOf(%q) = %q, want %q", action, got, want)
		}
		if want != "" && !ValidPurpose(want) {
			t.Errorf("%q is not a valid purpose", want)
		}
	}
	if ev := For(account.Actor{}, "referral.read", "referral", "1"); ev.Purpose != PurposeReferral {
		t.Errorf("For sets purpose %q", ev.Purpose)
	}
	if ValidPurpose("marketing") {
		t.Error("marketing is no purpose of Kansrijk")
	}
}

func TestListObjectID(t *testing.T) {
	if got := ListObjectID([]int64{35, 36, 40}); got != "35,36,40" {
		t.Errorf("got %q", got)
	}
	if got := ListObjectID(nil); got != "" {
		t.Errorf("empty list: %q", got)
	}
	ids := make([]int64, ListMaxIDs+25)
	for i := range ids {
		ids[i] = int64(1000000 + i)
	}
	got := ListObjectID(ids)
	if !strings.HasSuffix(got, ",…+25") || strings.Count(got, ",") != ListMaxIDs {
		t.Errorf("a long list is cut after %d ids: %q…", ListMaxIDs, got[len(got)-40:])
	}
}
