package audit

import "strings"

// Purposes: why an access happened. A small fixed set, so that the DPO's
// console, the family's view and the record of processing activities can
// name and count them; every event carries one of them.
const (
	// PurposeReferral: the local team prepares a referral, records the
	// family's consent and sends it to the OCMW.
	PurposeReferral = "referral"
	// PurposeFollowUp: the OCMW reaches out to the referred family.
	PurposeFollowUp = "follow_up"
	// PurposeStatusFeedback: the local team sees how its referral went.
	PurposeStatusFeedback = "status_feedback"
	// PurposeWithdrawal: the family withdrew its consent.
	PurposeWithdrawal = "withdrawal"
	// PurposeBirthNotification: a maternity clinic notifies a birth.
	PurposeBirthNotification = "birth_notification"
	// PurposeEarlySupport: the local team (or Opgroeien, for its queue)
	// contacts a family after a birth to offer preventive support.
	PurposeEarlySupport = "early_support"
	// PurposeDuplicateMerge: a team lead merges two notifications of one
	// family.
	PurposeDuplicateMerge = "duplicate_merge"
	// PurposeRetention: personal data are deleted when their term ends.
	PurposeRetention = "retention"
	// PurposeOutreach: Opgroeien and the local teams inform local
	// governments (contact persons, campaigns, mailings, tasks).
	PurposeOutreach = "outreach"
	// PurposeAgreement: cooperation agreements from sign-up to signature.
	PurposeAgreement = "cooperation_agreement"
	// PurposeAccounts: user accounts, service accounts, tokens, passwords.
	PurposeAccounts = "account_management"
	// PurposeSecurity: signing in and out.
	PurposeSecurity = "security"
	// PurposeAdministration: organisations, teams, reference data.
	PurposeAdministration = "administration"
	// PurposeOversight: the data protection officer's supervision of the
	// log (search, export, flags).
	PurposeOversight = "oversight"
	// PurposeBreakGlass: an admin's exceptional, approved access to a
	// referral outside their scope.
	PurposeBreakGlass = "break_glass"
	// PurposeSubjectRequest: a family's request under GDPR art. 15–21,
	// handled by the DPO.
	PurposeSubjectRequest = "subject_request"
	// PurposeFamilyView: the family's own look-up of who accessed its data.
	PurposeFamilyView = "family_access_log"
)

// Purposes lists every purpose, in the order above.
var Purposes = []string{
	PurposeReferral, PurposeFollowUp, PurposeStatusFeedback, PurposeWithdrawal, PurposeBirthNotification,
	PurposeEarlySupport, PurposeDuplicateMerge, PurposeRetention, PurposeOutreach, PurposeAgreement,
	PurposeAccounts, PurposeSecurity, PurposeAdministration, PurposeOversight, PurposeBreakGlass, PurposeSubjectRequest,
	PurposeFamilyView,
}

// purposeByPrefix gives the default purpose of an action by the start of
// its name; the store sets a more precise one where an action serves
// several (a referral read by the OCMW is follow_up, not referral).
var purposeByPrefix = []struct{ prefix, purpose string }{
	{"referral.", PurposeReferral},
	{"birth.", PurposeEarlySupport},
	{"outreach", PurposeOutreach}, // outreach.* and outreach_contact.access_denied, …
	{"agreement.", PurposeAgreement},
	{"user.", PurposeAccounts},
	{"token.", PurposeAccounts},
	{"service_account.", PurposeAccounts},
	{"password", PurposeAccounts}, // password.* and password_link.*
	{"login.", PurposeSecurity},
	{"logout", PurposeSecurity},
	{"access.", PurposeSecurity}, // access.denied: a refused request
	{"team.", PurposeAdministration},
	{"clinic.", PurposeAdministration},
	{"organisation.", PurposeAdministration},
	{"deprivation.", PurposeAdministration},
	{"demo.", PurposeAdministration},
	{"audit.", PurposeOversight},
	{"break_glass.", PurposeBreakGlass},
	{"subject_request.", PurposeSubjectRequest},
	{"access_log.", PurposeFamilyView},
	{"second_factor.", PurposeSecurity}, // area totp
}

// PurposeOf returns the default purpose of an action ("" if none is
// known).
func PurposeOf(action string) string {
	for _, p := range purposeByPrefix {
		if strings.HasPrefix(action, p.prefix) {
			return p.purpose
		}
	}
	return ""
}

// ValidPurpose reports whether p is one of Purposes.
func ValidPurpose(p string) bool {
	for _, q := range Purposes {
		if q == p {
			return true
		}
	}
	return false
}
