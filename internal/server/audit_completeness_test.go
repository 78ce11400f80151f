package server_test

// The audit completeness table: every route that touches personal data
// (referrals and consents, birth notifications, outreach contacts — people
// at local governments —, user and service accounts, exports that hold
// them), API and UI, is called by a caller allowed to and by one who is
// refused, and each call must leave EXACTLY the events its row names, with
// the right actor, channel, action, object, outcome, purpose, agreement and
// receipt code. TestAuditTableComplete classifies every route of the
// access table: in this table, or in auditExempt with the reason it
// touches no personal data (or whose events are checked elsewhere).
// The world is the access matrix's (newMxWorld); rows run one at a time so
// that every new event belongs to the call under test.

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/audit"
	"kansrijk/internal/auditlog"
	"kansrijk/internal/mailing"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

var auditInventory = flag.Bool("audit.inventory", false, "print the audit events every route of the access table writes for every caller")

// auditRow is one call of a route that touches personal data.
type auditRow struct {
	Route  string // as in the access table (its Obj, Path, Body and CT are used unless overridden)
	Caller string // a caller allowed to (mxCallers label)
	Status int    // the allowed call's status
	// Action, Object, Purpose: the event the allowed call writes.
	Action, Object, Purpose string
	// Agreement: the event names the agreement the access fell under
	// (w.agr); Receipt: it carries the family's receipt code.
	Agreement, Receipt bool
	// Also: further events of the same call, one per other object or
	// step it changes (a new user and the one-time link of its password).
	Also []string
	// Denied: a caller refused (403 or 404), and the action of its one
	// denied event ("" = Action).
	Denied, DeniedAction string
	// NewObject: the event names an object the call creates (a token of
	// the service account {id}), or another than the one the path
	// addresses (the referral of break-glass request {id}).
	NewObject bool
	// ObjectIDs: the event names the objects shown (not empty).
	ObjectIDs bool
	// Body, CT (its content type) and Obj override the access table's.
	// Body "multipart:attendance" and "multipart:births" are file uploads
	// of the UI (mxFileForm).
	Body, CT, Obj string
}

// auditTable: every route that touches personal data. Rows of one route
// for several callers check each purpose.
var auditTable = []auditRow{
	// Referrals (API).
	{Route: "POST /api/v1/referrals", Caller: "team_worker/own", Status: 201, Action: "referral.create", Object: "referral", Purpose: audit.PurposeReferral, Receipt: true, Denied: "ocmw_worker/own"},
	{Route: "GET /api/v1/referrals", Caller: "team_worker/own", Status: 200, Action: "referral.list", Object: "referral", Purpose: audit.PurposeReferral, Denied: "ocmw_worker/own", ObjectIDs: true},
	{Route: "GET /api/v1/referrals/{id}", Caller: "team_worker/own", Status: 200, Action: "referral.read", Object: "referral", Purpose: audit.PurposeReferral, Agreement: true, Receipt: true, Denied: "team_worker/other", DeniedAction: "referral.access_denied"},
	{Route: "GET /api/v1/referrals/{id}", Caller: "ocmw_worker/own", Status: 200, Action: "referral.read", Object: "referral", Purpose: audit.PurposeFollowUp, Agreement: true, Receipt: true, Denied: "ocmw_worker/other", DeniedAction: "referral.access_denied"},
	{Route: "POST /api/v1/referrals/{id}/consents", Caller: "team_worker/own", Status: 201, Action: "referral.consent", Object: "referral", Purpose: audit.PurposeReferral, Receipt: true, Denied: "team_worker/other", DeniedAction: "referral.access_denied"},
	{Route: "POST /api/v1/referrals/{id}/send", Caller: "team_worker/own", Status: 200, Action: "referral.send", Object: "referral", Purpose: audit.PurposeReferral, Agreement: true, Receipt: true, Denied: "team_lead/other", DeniedAction: "referral.access_denied"},
	{Route: "POST /api/v1/referrals/{id}/withdraw", Caller: "team_lead/own", Status: 200, Action: "referral.withdraw", Object: "referral", Purpose: audit.PurposeWithdrawal, Agreement: true, Receipt: true, Denied: "ocmw_worker/own", DeniedAction: "referral.access_denied"},
	{Route: "POST /api/v1/referrals/{id}/contact-attempts", Caller: "ocmw_worker/own", Status: 201, Action: "referral.contact_attempt", Object: "referral", Purpose: audit.PurposeFollowUp, Agreement: true, Receipt: true, Denied: "ocmw_worker/other", DeniedAction: "referral.access_denied"},
	{Route: "POST /api/v1/referrals/{id}/outcome", Caller: "ocmw_worker/own", Status: 200, Action: "referral.outcome", Object: "referral", Purpose: audit.PurposeFollowUp, Agreement: true, Receipt: true, Denied: "team_worker/own", DeniedAction: "referral.access_denied"},
	{Route: "GET /api/v1/inbox", Caller: "ocmw_worker/own", Status: 200, Action: "referral.inbox", Object: "referral", Purpose: audit.PurposeFollowUp, Denied: "team_worker/own", ObjectIDs: true},
	// Referrals (UI).
	{Route: "POST /referrals", Caller: "team_lead/own", Status: 303, Action: "referral.create", Object: "referral", Purpose: audit.PurposeReferral, Receipt: true, Denied: "ocmw_worker/own",
		Body: "municipality_nis=13016&p0_name=Mira+Matrixouder&p0_street=Matrixstraat&p0_number=12&p0_postcode=2235&p0_phone=%2B32470990011&criteria=income&criteria=education&criteria=employment&needs=income_support"},
	{Route: "GET /referrals", Caller: "team_lead/own", Status: 200, Action: "referral.list", Object: "referral", Purpose: audit.PurposeReferral, Denied: "ocmw_worker/own", ObjectIDs: true},
	{Route: "GET /referrals/{id}", Caller: "team_lead/own", Status: 200, Action: "referral.read", Object: "referral", Purpose: audit.PurposeReferral, Agreement: true, Receipt: true, Denied: "ocmw_worker/own", DeniedAction: "referral.access_denied"},
	{Route: "POST /referrals/{id}/consents", Caller: "team_worker/own", Status: 303, Action: "referral.consent", Object: "referral", Purpose: audit.PurposeReferral, Receipt: true, Denied: "team_worker/other", DeniedAction: "referral.access_denied",
		Body: "parent=0&informed=data&informed=recipient&informed=purpose&informed=processing&informed=expectations&method=verbal&voluntary=on"},
	{Route: "POST /referrals/{id}/send", Caller: "team_worker/own", Status: 303, Action: "referral.send", Object: "referral", Purpose: audit.PurposeReferral, Agreement: true, Receipt: true, Denied: "team_worker/other", DeniedAction: "referral.access_denied"},
	{Route: "POST /referrals/{id}/withdraw", Caller: "team_worker/own", Status: 303, Action: "referral.withdraw", Object: "referral", Purpose: audit.PurposeWithdrawal, Agreement: true, Receipt: true, Denied: "team_worker/other", DeniedAction: "referral.access_denied",
		Body: "confirm_withdrawal=on"},
	{Route: "GET /referrals/{id}/receipt", Caller: "team_worker/own", Status: 200, Action: "referral.read", Object: "referral", Purpose: audit.PurposeReferral, Agreement: true, Receipt: true, Denied: "team_worker/other", DeniedAction: "referral.access_denied"},
	{Route: "GET /referrals/{id}/receipt.pdf", Caller: "team_worker/own", Status: 200, Action: "referral.read", Object: "referral", Purpose: audit.PurposeReferral, Agreement: true, Receipt: true, Denied: "ocmw_worker/own", DeniedAction: "referral.access_denied"},
	{Route: "GET /inbox", Caller: "ocmw_worker/own", Status: 200, Action: "referral.inbox", Object: "referral", Purpose: audit.PurposeFollowUp, Denied: "team_lead/own", ObjectIDs: true},
	{Route: "GET /inbox/{id}", Caller: "ocmw_worker/own", Status: 200, Action: "referral.read", Object: "referral", Purpose: audit.PurposeFollowUp, Agreement: true, Receipt: true, Denied: "ocmw_worker/other", DeniedAction: "referral.access_denied"},
	{Route: "POST /inbox/{id}/contact-attempts", Caller: "ocmw_worker/own", Status: 303, Action: "referral.contact_attempt", Object: "referral", Purpose: audit.PurposeFollowUp, Agreement: true, Receipt: true, Denied: "ocmw_worker/other", DeniedAction: "referral.access_denied",
		Body: "channel=phone&reached=no"},
	{Route: "POST /inbox/{id}/outcome", Caller: "ocmw_worker/own", Status: 303, Action: "referral.outcome", Object: "referral", Purpose: audit.PurposeFollowUp, Agreement: true, Receipt: true, Denied: "team_lead/own", DeniedAction: "referral.access_denied"},
	// Birth notifications (API).
	{Route: "POST /api/v1/birth-notifications", Caller: "clinic/own", Status: 201, Action: "birth.create", Object: "birth_notification", Purpose: audit.PurposeBirthNotification, Denied: "team_worker/own"},
	{Route: "POST /api/v1/birth-notifications/batches", Caller: "clinic/own", Status: 201, Action: "birth.batch", Object: "birth_batch", Purpose: audit.PurposeBirthNotification, Also: []string{"birth.create"}, Denied: "team_lead/own"},
	{Route: "GET /api/v1/birth-notifications", Caller: "team_worker/own", Status: 200, Action: "birth.list", Object: "birth_notification", Purpose: audit.PurposeEarlySupport, Denied: "ocmw_worker/own", ObjectIDs: true},
	{Route: "GET /api/v1/birth-notifications", Caller: "clinic/own", Status: 200, Action: "birth.submissions", Object: "birth_notification", Purpose: audit.PurposeBirthNotification},
	{Route: "GET /api/v1/birth-notifications/{id}", Caller: "team_lead/own", Status: 200, Action: "birth.read", Object: "birth_notification", Purpose: audit.PurposeEarlySupport, Denied: "team_lead/other", DeniedAction: "birth.access_denied"},
	{Route: "GET /api/v1/birth-notifications/{id}", Caller: "clinic/own", Status: 200, Action: "birth.submission_read", Object: "birth_notification", Purpose: audit.PurposeBirthNotification, Denied: "clinic/other", DeniedAction: "birth.access_denied"},
	{Route: "POST /api/v1/birth-notifications/{id}/contacts", Caller: "team_worker/own", Status: 201, Action: "birth.contact", Object: "birth_notification", Purpose: audit.PurposeEarlySupport, Denied: "team_worker/other", DeniedAction: "birth.access_denied"},
	{Route: "POST /api/v1/birth-notifications/{id}/merge", Caller: "team_lead/own", Status: 200, Action: "birth.merge", Object: "birth_notification", Purpose: audit.PurposeDuplicateMerge, Also: []string{"birth.merge_into"}, Denied: "team_lead/other", DeniedAction: "birth.access_denied"},
	{Route: "POST /api/v1/birth-notifications/{id}/referral", Caller: "team_worker/own", Status: 201, Action: "birth.referral_start", Object: "birth_notification", Purpose: audit.PurposeReferral, Also: []string{"referral.create"}, Denied: "team_worker/other", DeniedAction: "birth.access_denied"},
	// Seen but not theirs to change: an admin on a team's notification, a worker merging.
	{Route: "POST /api/v1/birth-notifications/{id}/contacts", Caller: "team_lead/own", Status: 201, Action: "birth.contact", Object: "birth_notification", Purpose: audit.PurposeEarlySupport, Denied: "admin", DeniedAction: "birth.access_denied"},
	{Route: "POST /api/v1/birth-notifications/{id}/merge", Caller: "team_lead/own", Status: 200, Action: "birth.merge", Object: "birth_notification", Purpose: audit.PurposeDuplicateMerge, Also: []string{"birth.merge_into"}, Denied: "team_worker/own", DeniedAction: "birth.access_denied"},
	{Route: "POST /api/v1/birth-notifications/{id}/referral", Caller: "team_lead/own", Status: 201, Action: "birth.referral_start", Object: "birth_notification", Purpose: audit.PurposeReferral, Also: []string{"referral.create"}, Denied: "admin", DeniedAction: "birth.access_denied"},
	// Birth notifications (UI).
	{Route: "POST /births", Caller: "clinic/own", Status: 303, Action: "birth.create", Object: "birth_notification", Purpose: audit.PurposeBirthNotification, Denied: "admin",
		Body: "mother.name=Noor+Matrixmoeder&mother.street=Wiegstraat&mother.number=3&mother.postcode=2235&mother.municipality_nis=13016&mother.phone=%2B32470990022&mother.language=nl&child_birth_date=2025-05-28"},
	{Route: "GET /births", Caller: "team_lead/own", Status: 200, Action: "birth.list", Object: "birth_notification", Purpose: audit.PurposeEarlySupport, Denied: "ocmw_admin/own", ObjectIDs: true},
	{Route: "GET /births", Caller: "admin", Status: 200, Action: "birth.list", Object: "birth_notification", Purpose: audit.PurposeEarlySupport},
	{Route: "GET /births", Caller: "clinic/own", Status: 200, Action: "birth.submissions", Object: "birth_notification", Purpose: audit.PurposeBirthNotification},
	{Route: "GET /births/{id}", Caller: "team_worker/own", Status: 200, Action: "birth.read", Object: "birth_notification", Purpose: audit.PurposeEarlySupport, Denied: "team_worker/other", DeniedAction: "birth.access_denied"},
	// A role that may not see notifications at all: 403 in the UI, audited as the API's 404.
	{Route: "GET /births/{id}", Caller: "admin", Status: 200, Action: "birth.read", Object: "birth_notification", Purpose: audit.PurposeEarlySupport, Denied: "ocmw_worker/own", DeniedAction: "birth.access_denied"},
	{Route: "POST /births/{id}/referral", Caller: "team_worker/own", Status: 303, Action: "birth.referral_start", Object: "birth_notification", Purpose: audit.PurposeReferral, Also: []string{"referral.create"}, Denied: "admin", DeniedAction: "birth.access_denied"},
	{Route: "POST /births/{id}/contacts", Caller: "team_worker/own", Status: 303, Action: "birth.contact", Object: "birth_notification", Purpose: audit.PurposeEarlySupport, Denied: "team_worker/other", DeniedAction: "birth.access_denied",
		Body: "channel=phone&reached=no"},
	{Route: "POST /births/{id}/merge", Caller: "team_lead/own", Status: 303, Action: "birth.merge", Object: "birth_notification", Purpose: audit.PurposeDuplicateMerge, Also: []string{"birth.merge_into"}, Denied: "team_lead/other", DeniedAction: "birth.access_denied",
		Body: "into={birth}&confirm_merge=on"},
	{Route: "POST /births/{id}/referral", Caller: "team_lead/own", Status: 303, Action: "birth.referral_start", Object: "birth_notification", Purpose: audit.PurposeReferral, Also: []string{"referral.create"}, Denied: "team_lead/other", DeniedAction: "birth.access_denied"},
	// Outreach contacts: people at local governments.
	{Route: "GET /api/v1/outreach/contacts", Caller: "team_worker/own", Status: 200, Action: "outreach.contact.read", Object: "outreach_contact", Purpose: audit.PurposeOutreach, Denied: "ocmw_worker/own", ObjectIDs: true},
	{Route: "POST /api/v1/outreach/contacts", Caller: "team_lead/own", Status: 201, Action: "outreach.contact.create", Object: "outreach_contact", Purpose: audit.PurposeOutreach, Denied: "team_worker/other"},
	{Route: "PATCH /api/v1/outreach/contacts/{id}", Caller: "team_worker/own", Status: 200, Action: "outreach.contact.update", Object: "outreach_contact", Purpose: audit.PurposeOutreach, Denied: "team_worker/other", DeniedAction: "outreach_contact.access_denied"},
	{Route: "DELETE /api/v1/outreach/contacts/{id}", Caller: "admin", Status: 204, Action: "outreach.contact.delete", Object: "outreach_contact", Purpose: audit.PurposeOutreach, Denied: "team_lead/other", DeniedAction: "outreach_contact.access_denied"},
	{Route: "GET /outreach/municipalities/{nis}", Caller: "team_lead/own", Status: 200, Action: "outreach.contact.read", Object: "outreach_contact", Purpose: audit.PurposeOutreach, ObjectIDs: true},
	{Route: "POST /outreach/municipalities/{nis}/contacts", Caller: "team_worker/own", Status: 303, Action: "outreach.contact.create", Object: "outreach_contact", Purpose: audit.PurposeOutreach, Denied: "team_lead/other"},
	{Route: "POST /outreach/municipalities/{nis}/contacts/{id}", Caller: "admin", Status: 303, Action: "outreach.contact.update", Object: "outreach_contact", Purpose: audit.PurposeOutreach, Denied: "team_lead/other", DeniedAction: "outreach_contact.access_denied"},
	{Route: "POST /outreach/municipalities/{nis}/contacts/{id}/delete", Caller: "team_lead/own", Status: 303, Action: "outreach.contact.delete", Object: "outreach_contact", Purpose: audit.PurposeOutreach, Denied: "team_worker/other", DeniedAction: "outreach_contact.access_denied"},
	// A preview shows the recipients' names and addresses: its event names the contacts.
	{Route: "POST /api/v1/outreach/mailings/preview", Caller: "team_lead/own", Status: 200, Action: "outreach.mailing.preview", Object: "outreach_contact", Purpose: audit.PurposeOutreach, ObjectIDs: true},
	// Families' requests (GDPR art. 15–21), handled by the DPO.
	{Route: "POST /api/v1/subject-requests", Caller: "dpo/own", Status: 201, Action: "subject_request.create", Object: "subject_request", Purpose: audit.PurposeSubjectRequest},
	{Route: "GET /api/v1/subject-requests/{id}/export.json", Caller: "dpo/own", Status: 200, Action: "subject_request.export", Object: "subject_request", Purpose: audit.PurposeSubjectRequest, Denied: "dpo/other", DeniedAction: "subject_request.access_denied"},
	{Route: "GET /api/v1/subject-requests/{id}/export.pdf", Caller: "dpo/own", Status: 200, Action: "subject_request.export", Object: "subject_request", Purpose: audit.PurposeSubjectRequest, Denied: "dpo/other", DeniedAction: "subject_request.access_denied"},
	{Route: "POST /api/v1/subject-requests/{id}/rectifications", Caller: "dpo/own", Status: 201, Action: "subject_request.rectification", Object: "subject_request", Purpose: audit.PurposeSubjectRequest, Denied: "dpo/other", DeniedAction: "subject_request.access_denied"},
	{Route: "POST /api/v1/subject-requests/{id}/objections", Caller: "dpo/own", Status: 201, Action: "subject_request.objection", Object: "subject_request", Purpose: audit.PurposeSubjectRequest, Denied: "dpo/other", DeniedAction: "subject_request.access_denied"},
	{Route: "POST /api/v1/subject-requests/{id}/answer", Caller: "dpo/own", Status: 200, Action: "subject_request.answer", Object: "subject_request", Purpose: audit.PurposeSubjectRequest, Denied: "dpo/other", DeniedAction: "subject_request.access_denied"},
	{Route: "POST /verzoeken", Caller: "dpo/own", Status: 303, Action: "subject_request.create", Object: "subject_request", Purpose: audit.PurposeSubjectRequest},
	{Route: "GET /verzoeken/{id}/export.json", Caller: "dpo/own", Status: 200, Action: "subject_request.export", Object: "subject_request", Purpose: audit.PurposeSubjectRequest, Denied: "dpo/other", DeniedAction: "subject_request.access_denied"},
	{Route: "GET /verzoeken/{id}/export.pdf", Caller: "dpo/own", Status: 200, Action: "subject_request.export", Object: "subject_request", Purpose: audit.PurposeSubjectRequest, Denied: "dpo/other", DeniedAction: "subject_request.access_denied"},
	{Route: "POST /verzoeken/{id}/rectificaties", Caller: "dpo/own", Status: 303, Action: "subject_request.rectification", Object: "subject_request", Purpose: audit.PurposeSubjectRequest, Denied: "dpo/other", DeniedAction: "subject_request.access_denied"},
	{Route: "POST /verzoeken/{id}/bezwaren", Caller: "dpo/own", Status: 303, Action: "subject_request.objection", Object: "subject_request", Purpose: audit.PurposeSubjectRequest, Denied: "dpo/other", DeniedAction: "subject_request.access_denied"},
	{Route: "POST /verzoeken/{id}/beantwoord", Caller: "dpo/own", Status: 303, Action: "subject_request.answer", Object: "subject_request", Purpose: audit.PurposeSubjectRequest, Denied: "dpo/other", DeniedAction: "subject_request.access_denied"},
	{Route: "GET /api/v1/subject-requests", Caller: "dpo/own", Status: 200, Action: "subject_request.list", Object: "subject_request", Purpose: audit.PurposeSubjectRequest, ObjectIDs: true},
	{Route: "GET /verzoeken", Caller: "dpo/own", Status: 200, Action: "subject_request.list", Object: "subject_request", Purpose: audit.PurposeSubjectRequest, ObjectIDs: true},
	{Route: "GET /api/v1/subject-requests/{id}", Caller: "dpo/own", Status: 200, Action: "subject_request.read", Object: "subject_request", Purpose: audit.PurposeSubjectRequest, Denied: "dpo/other", DeniedAction: "subject_request.access_denied"},
	{Route: "GET /verzoeken/{id}", Caller: "dpo/own", Status: 200, Action: "subject_request.read", Object: "subject_request", Purpose: audit.PurposeSubjectRequest, Denied: "dpo/other", DeniedAction: "subject_request.access_denied"},
	{Route: "GET /api/v1/break-glass", Caller: "admin", Status: 200, Action: "break_glass.list", Object: "break_glass", Purpose: audit.PurposeBreakGlass},
	{Route: "GET /break-glass", Caller: "admin", Status: 200, Action: "break_glass.list", Object: "break_glass", Purpose: audit.PurposeBreakGlass},
	// The DPO's console: searching and exporting the log is itself logged.
	{Route: "GET /api/v1/audit/events", Caller: "dpo/own", Status: 200, Action: "audit.search", Object: "audit_log", Purpose: audit.PurposeOversight},
	{Route: "GET /api/v1/audit/flags", Caller: "dpo/own", Status: 200, Action: "audit.search", Object: "audit_log", Purpose: audit.PurposeOversight},
	{Route: "GET /audit/export.csv", Caller: "dpo/own", Status: 200, Action: "audit.export", Object: "audit_log", Purpose: audit.PurposeOversight},
	{Route: "GET /audit/export.xlsx", Caller: "dpo/own", Status: 200, Action: "audit.export", Object: "audit_log", Purpose: audit.PurposeOversight},
	// Break-glass: the request names the referral, its agreement and the family's receipt code.
	{Route: "POST /api/v1/referrals/{id}/break-glass", Caller: "admin", Status: 201, Action: "break_glass.request", Object: "referral", Purpose: audit.PurposeBreakGlass, Agreement: true, Receipt: true},
	// A second admin's pending request of a fresh referral (glass.open), decided by admin; its
	// events name the referral, not the request. Other roles: refused before the store (access.denied).
	{Route: "POST /api/v1/break-glass/{id}/approve", Obj: "glass.open", Caller: "admin", Status: 200, Action: "break_glass.approve", Object: "referral", Purpose: audit.PurposeBreakGlass, Agreement: true, Receipt: true, NewObject: true, Denied: "team_lead/own", DeniedAction: audit.AccessDenied},
	{Route: "POST /api/v1/break-glass/{id}/deny", Obj: "glass.open", Caller: "admin", Status: 200, Action: "break_glass.deny", Object: "referral", Purpose: audit.PurposeBreakGlass, Agreement: true, Receipt: true, NewObject: true, Denied: "dpo/own", DeniedAction: audit.AccessDenied},
	{Route: "POST /break-glass/{id}/approve", Obj: "glass.open", Caller: "admin", Status: 303, Action: "break_glass.approve", Object: "referral", Purpose: audit.PurposeBreakGlass, Agreement: true, Receipt: true, NewObject: true, Denied: "ocmw_admin/own", DeniedAction: audit.AccessDenied},
	{Route: "POST /break-glass/{id}/deny", Obj: "glass.open", Caller: "admin", Status: 303, Action: "break_glass.deny", Object: "referral", Purpose: audit.PurposeBreakGlass, Agreement: true, Receipt: true, NewObject: true, Denied: "team_worker/own", DeniedAction: audit.AccessDenied},
	// The UI's request form, for a fresh sent referral (glass.referral: {id} in the body).
	{Route: "POST /break-glass", Obj: "glass.referral", Caller: "admin", Status: 303, Action: "break_glass.request", Object: "referral", Purpose: audit.PurposeBreakGlass, Agreement: true, Receipt: true, Denied: "team_worker/own", DeniedAction: audit.AccessDenied,
		Body: "referral={id}&reason=Matrixtest%3A+dringende+vraag+van+het+gezin"},
	// admin's request of a fresh referral, approved by the second admin (glass.approved): the read.
	{Route: "GET /break-glass/referrals/{id}", Obj: "glass.approved", Caller: "admin", Status: 200, Action: audit.ReferralReadBreakGlass, Object: "referral", Purpose: audit.PurposeBreakGlass, Agreement: true, Receipt: true, Denied: "ocmw_worker/own", DeniedAction: audit.AccessDenied},
	// A campaign's attendance list (people at the municipality, matched by name and e-mail), by its creator.
	{Route: "POST /api/v1/outreach/campaigns/{id}/attendance", Caller: "team_lead/own", Status: 200, Action: "outreach.campaign.attendance", Object: "outreach_campaign", Purpose: audit.PurposeOutreach, Denied: "ocmw_worker/own", DeniedAction: audit.AccessDenied,
		Body: mxAttendanceCSV, CT: "text/csv"},
	{Route: "POST /outreach/campaigns/{id}/attendance", Caller: "team_lead/own", Status: 200, Action: "outreach.campaign.attendance", Object: "outreach_campaign", Purpose: audit.PurposeOutreach, Denied: "clinic/own", DeniedAction: audit.AccessDenied,
		Body: "multipart:attendance"},
	// The UI's batch upload: the API's batch events.
	{Route: "POST /births/upload", Caller: "clinic/own", Status: 200, Action: "birth.batch", Object: "birth_batch", Purpose: audit.PurposeBirthNotification, Also: []string{"birth.create"}, Denied: "team_lead/own", DeniedAction: audit.AccessDenied,
		Body: "multipart:births"},
	// Mailings, with a mail server that accepts everything (mxMailer): a test message to oneself and
	// its preview name the contacts shown; a send records the mailing (its messages go to the outbox) and its campaign.
	{Route: "POST /api/v1/outreach/mailings/test", Caller: "team_lead/own", Status: 200, Action: "outreach.mailing.test", Object: "outreach_contact", Purpose: audit.PurposeOutreach, ObjectIDs: true, Denied: "team_worker/own", DeniedAction: audit.AccessDenied},
	{Route: "POST /api/v1/outreach/mailings", Caller: "admin", Status: 201, Action: "outreach.mailing.send", Object: "outreach_mailing", Purpose: audit.PurposeOutreach, Also: []string{"outreach.campaign.create"}, Denied: "ocmw_admin/own", DeniedAction: audit.AccessDenied,
		Body: `{"municipalities": ["13016"], "functions": ["general_director"], "template": "uitnodiging", "idempotency_key": "matrix-send-{seq}"}`, CT: "application/json"},
	{Route: "POST /outreach/mailing", Caller: "team_lead/own", Status: 200, Action: "outreach.mailing.preview", Object: "outreach_contact", Purpose: audit.PurposeOutreach, ObjectIDs: true, Denied: "team_worker/own", DeniedAction: audit.AccessDenied,
		Body: "action=preview&nis=13016&function=general_director&template=uitnodiging"},
	{Route: "POST /outreach/mailing", Caller: "admin", Status: 200, Action: "outreach.mailing.test", Object: "outreach_contact", Purpose: audit.PurposeOutreach, ObjectIDs: true, Denied: "clinic/own", DeniedAction: audit.AccessDenied,
		Body: "action=test&nis=13016&function=general_director&template=uitnodiging"},
	{Route: "POST /outreach/mailing", Caller: "team_lead/own", Status: 303, Action: "outreach.mailing.send", Object: "outreach_mailing", Purpose: audit.PurposeOutreach, Also: []string{"outreach.campaign.create"},
		Body: "action=send&nis=13016&function=general_director&template=uitnodiging&idempotency_key=matrix-ui-{seq}"},
	// The console page: one view, one audit.search event (the first page's flags look included).
	{Route: "GET /audit", Caller: "dpo/own", Status: 200, Action: "audit.search", Object: "audit_log", Purpose: audit.PurposeOversight, Denied: "admin", DeniedAction: audit.AccessDenied},
	// User and service accounts.
	{Route: "GET /api/v1/users", Caller: "admin", Status: 200, Action: "user.list", Object: "user", Purpose: audit.PurposeAccounts, Denied: "team_worker/own", ObjectIDs: true},
	{Route: "GET /users", Caller: "ocmw_admin/own", Status: 200, Action: "user.list", Object: "user", Purpose: audit.PurposeAccounts, Denied: "clinic/own", ObjectIDs: true},
	{Route: "POST /api/v1/users", Caller: "admin", Status: 201, Action: "user.create", Object: "user", Purpose: audit.PurposeAccounts, Also: []string{"password_link.create"}},
	{Route: "POST /users", Caller: "ocmw_admin/own", Status: 201, Action: "user.create", Object: "user", Purpose: audit.PurposeAccounts, Also: []string{"password_link.create"}},
	{Route: "POST /users/{id}/active", Caller: "admin", Status: 303, Action: "user.update", Object: "user", Purpose: audit.PurposeAccounts, Denied: "ocmw_admin/own"},
	{Route: "POST /api/v1/users/{id}/password-reset", Caller: "ocmw_admin/own", Status: 201, Action: "password_link.create", Object: "user", Purpose: audit.PurposeAccounts, Denied: "ocmw_admin/other"},
	{Route: "POST /users/{id}/password-reset", Caller: "admin", Status: 200, Action: "password_link.create", Object: "user", Purpose: audit.PurposeAccounts, Denied: "team_lead/own"},
	{Route: "GET /api/v1/service-accounts", Caller: "ocmw_admin/own", Status: 200, Action: "service_account.list", Object: "user", Purpose: audit.PurposeAccounts, Denied: "team_worker/own", ObjectIDs: true},
	{Route: "GET /service-accounts", Caller: "admin", Status: 200, Action: "service_account.list", Object: "user", Purpose: audit.PurposeAccounts, Denied: "dpo/own", ObjectIDs: true},
	{Route: "POST /api/v1/service-accounts", Caller: "ocmw_admin/own", Status: 201, Action: "service_account.create", Object: "user", Purpose: audit.PurposeAccounts, Also: []string{"token.create"}},
	{Route: "POST /service-accounts", Caller: "admin", Status: 201, Action: "service_account.create", Object: "user", Purpose: audit.PurposeAccounts, Also: []string{"token.create"}},
	{Route: "POST /api/v1/service-accounts/{id}/tokens", Caller: "ocmw_admin/own", Status: 201, Action: "token.create", Object: "token", NewObject: true, Purpose: audit.PurposeAccounts, Denied: "ocmw_admin/other", DeniedAction: "token.create"},
	{Route: "DELETE /api/v1/service-accounts/{id}", Caller: "admin", Status: 204, Action: "service_account.revoke", Object: "user", Purpose: audit.PurposeAccounts, Denied: "ocmw_admin/own"},
	{Route: "POST /service-accounts/{id}/revoke", Caller: "ocmw_admin/own", Status: 303, Action: "service_account.revoke", Object: "user", Purpose: audit.PurposeAccounts, Denied: "ocmw_admin/other"},
	// referrals: the confirmation before closing a case shows the family's name: a read.
	{Route: "GET /inbox/{id}/close", Caller: "ocmw_worker/own", Status: 200, Action: "referral.read", Object: "referral", Purpose: audit.PurposeFollowUp, Agreement: true, Receipt: true, Denied: "ocmw_worker/other", DeniedAction: "referral.access_denied"},
	// Area home: the start page names the OCMW worker's recent cases and
	// lists the clinic's recent submissions (by its reference), each one
	// list read; the other roles' start pages show counts only.
	{Route: "GET /{$}", Caller: "ocmw_worker/own", Status: 200, Action: "referral.inbox", Object: "referral", Purpose: audit.PurposeFollowUp, ObjectIDs: true},
	{Route: "GET /{$}", Caller: "clinic/own", Status: 200, Action: "birth.submissions", Object: "birth_notification", Purpose: audit.PurposeBirthNotification},
	// parliament: making an answer pack is audited (aggregates only, but a published answer to parliament).
	{Route: "POST /api/v1/reports/parliament-packs", Caller: "admin", Status: 201, Action: "parliament_pack.create", Object: "parliament_pack", Purpose: audit.PurposeAdministration, NewObject: true, Denied: "team_lead/own"},
	{Route: "POST /reports/parliament", Caller: "analyst", Status: 303, Action: "parliament_pack.create", Object: "parliament_pack", Purpose: audit.PurposeAdministration, NewObject: true, Denied: "ocmw_admin/own"},
	// listui: the outreach contacts' own list, one read per page naming the contacts shown, as the API's.
	{Route: "GET /outreach/contacts", Caller: "team_worker/own", Status: 200, Action: "outreach.contact.read", Object: "outreach_contact", Purpose: audit.PurposeOutreach, Denied: "ocmw_worker/own", ObjectIDs: true},
}

// auditExempt: the routes of the access table that touch no personal
// data (of families, contact persons or other users), with why.
var auditExempt = map[string]string{}

func exempt(reason string, routes ...string) {
	for _, r := range routes {
		auditExempt[r] = reason
	}
}

func init() {
	exempt("public or reference data, no personal data",
		"GET /api/v1/openapi.json", "GET /api/v1/municipalities", "GET /api/v1/organisations", "GET /api/v1/teams", "GET /api/v1/teams/{key}",
		"GET /api/v1/public/agreements", "GET /api/v1/gate", "GET /static/", "GET /lang/{lang}", "GET /municipalities", "GET /organisations",
		"GET /teams/{key}", "GET /register", "GET /reports/agreements/map.svg", "GET /reports/agreements/timeline.svg", "GET /mergers",
		"GET /healthz", "GET /readyz", "GET /metrics", "/api/v1/", "/", "GET /birth-notifications", "GET /api/v1/deprivation-index",
		"GET /outreach/deprivation", "POST /api/v1/deprivation-index", "POST /outreach/deprivation")
	exempt("organisations and teams: administration events, no personal data",
		"POST /api/v1/teams", "PATCH /api/v1/teams/{key}", "POST /api/v1/clinics", "PUT /api/v1/organisations/{key}/webhook",
		"DELETE /api/v1/organisations/{key}/webhook", "PUT /api/v1/organisations/{key}/inbox-email", "GET /teams/new", "POST /teams",
		"GET /teams/{key}/edit", "POST /teams/{key}", "GET /clinics/new", "POST /clinics")
	exempt("the caller's own account (tokens, password, session): security events, checked by the identity tests",
		"GET /api/v1/me", "POST /api/v1/tokens", "GET /api/v1/tokens", "DELETE /api/v1/tokens/{id}", "PUT /api/v1/me/password",
		"GET /login", "POST /login", "POST /logout", "GET /wachtwoord/{secret}", "POST /wachtwoord/{secret}",
		"GET /wachtwoord-vergeten", "POST /wachtwoord-vergeten", "GET /account/password", "POST /account/password")
	exempt("cooperation agreements: organisations' commitments and public officials' signatures in their public role (the public register); changes are audited as agreement.*",
		"POST /api/v1/agreements", "GET /api/v1/agreements", "GET /api/v1/agreements/{id}", "POST /api/v1/agreements/{id}/events",
		"POST /api/v1/agreements/{id}/versions", "GET /api/v1/agreements/{id}/versions/{v}", "POST /api/v1/agreements/{id}/versions/{v}/approve",
		"POST /api/v1/agreements/{id}/versions/{v}/reject", "POST /api/v1/agreements/{id}/documents", "GET /api/v1/agreements/{id}/documents/{doc}",
		"POST /api/v1/agreements/{id}/carry-over", "GET /agreements", "GET /agreements/new", "POST /agreements", "GET /agreements/{id}",
		"POST /agreements/{id}/events", "POST /agreements/{id}/versions", "POST /agreements/{id}/versions/{v}/approve",
		"POST /agreements/{id}/versions/{v}/reject", "POST /agreements/{id}/documents", "GET /agreements/{id}/documents/{doc}",
		"GET /agreements/{id}/pdf/{doc}", "POST /agreements/{id}/carry-over")
	exempt("counts and aggregates (small cells suppressed), no personal data",
		"GET /api/v1/reports/agreements", "GET /reports/agreements", "GET /api/v1/reports/outreach", "GET /api/v1/outreach/targets",
		"GET /api/v1/reports/missed-referrals", "GET /api/v1/reports/outreach/series", "GET /api/v1/reports/birth-notifications",
		"GET /reports/outreach", "GET /reports/outreach/stages.svg", "GET /reports/outreach/funnel.svg", "GET /outreach",
		"GET /outreach/targets", "GET /outreach/targets.csv", "GET /outreach/targets.xlsx", "GET /outreach/municipalities/{nis}/factsheet",
		"GET /outreach/municipalities/{nis}/factsheet.pdf", "GET /reports/births")
	exempt("outreach campaigns, contact moments and tasks: municipalities and summaries, no personal data (changes audited as outreach.*)",
		"GET /api/v1/outreach/campaigns", "POST /api/v1/outreach/campaigns", "GET /api/v1/outreach/campaigns/{id}",
		"GET /api/v1/outreach/contact-moments", "POST /api/v1/outreach/contact-moments", "GET /api/v1/outreach/tasks",
		"POST /api/v1/outreach/tasks", "PATCH /api/v1/outreach/tasks/{id}", "POST /outreach/municipalities/{nis}/moments",
		"POST /outreach/municipalities/{nis}/tasks", "GET /outreach/campaigns", "POST /outreach/campaigns", "GET /outreach/campaigns/{id}",
		"GET /outreach/tasks", "POST /outreach/tasks/{id}")
	exempt("mailing templates and the list of mailings sent: counts and subjects, no addresses",
		"GET /api/v1/outreach/mailings/templates", "GET /api/v1/outreach/mailings", "GET /outreach/mailing")
	exempt("empty forms and a template file: nothing read",
		"GET /users/new", "GET /referrals/new", "GET /births/new", "GET /births/upload", "GET /births/template.csv")
	exempt("the family's own receipt lookup by its code (status only): the family's view (issue 11) audits it",
		"GET /ontvangstbewijs", "POST /ontvangstbewijs")
}

// auditGaps: routes that touch personal data whose events this table
// does not check yet, with why. Keep it short; each line is a defect.
// Empty: every route that touches personal data has a row, or (the
// family's anonymous look-ups) a test of its own.
var auditGaps = map[string]string{}

func init() {
	exempt("the family's own look-up and proof download, anonymous (no actor for the table's checks): one event per call, checked by TestAuditFamilyLookup and TestAuditFamilyProof",
		"POST /api/v1/public/access-log", "POST /ontvangstbewijs/bewijs")
	exempt("the access log's public checkpoint and proofs: hashes only, no personal data",
		"GET /api/v1/audit/checkpoints/latest", "GET /api/v1/audit/proof/inclusion", "GET /api/v1/audit/proof/consistency")
	exempt("the record of processing activities: purposes, categories, recipients and terms, no personal data",
		"GET /api/v1/processing-record", "GET /verwerkingsregister", "GET /verwerkingsregister.pdf")
	// Area outcome.
	exempt("outcome dashboards: counts per month, municipality, province or team, no personal data (published counts outside the organisation's own view)",
		"GET /api/v1/reports/outcomes", "GET /reports/outcomes")
	// openstats area.
	exempt("open statistics: counts per municipality and quarter, suppressed and rounded, read as an analyst's aggregates; no personal data is read",
		"GET /api/v1/public/statistics", "GET /api/v1/public/statistics/schema.json", "GET /api/v1/public/statistics/dcat.jsonld",
		"GET /statistieken", "GET /statistieken/chart.svg")
}

// parliament: the list and the downloads of the answer packs.
func init() {
	exempt("parliamentary answer packs: aggregates, published counts and municipalities, no personal data (making one is audited)",
		"GET /api/v1/reports/parliament-packs", "GET /api/v1/reports/parliament-packs/{id}/pdf", "GET /api/v1/reports/parliament-packs/{id}/csv",
		"GET /api/v1/reports/parliament-packs/{id}/xlsx", "GET /reports/parliament")
}

// TestAuditTableComplete: every route of the access table is in the
// completeness table, exempt with a reason, or a named gap — and nothing
// else (fast: no fixtures).
func TestAuditTableComplete(t *testing.T) {
	known := map[string]bool{}
	for _, r := range accessTable {
		known[r.Route] = true
	}
	covered := map[string]bool{}
	for _, r := range auditTable {
		if !known[r.Route] {
			t.Errorf("audit table: %q is not a route of the access table", r.Route)
		}
		covered[r.Route] = true
	}
	for r := range auditExempt {
		if !known[r] {
			t.Errorf("auditExempt: %q is not a route of the access table", r)
		}
		if covered[r] {
			t.Errorf("%q is both exempt and in the audit table", r)
		}
	}
	for r := range auditGaps {
		if !known[r] {
			t.Errorf("auditGaps: %q is not a route of the access table", r)
		}
		if covered[r] || auditExempt[r] != "" {
			t.Errorf("%q is a gap and classified otherwise too", r)
		}
	}
	for _, r := range accessTable {
		if !covered[r.Route] && auditExempt[r.Route] == "" && auditGaps[r.Route] == "" {
			t.Errorf("route %q is not classified for the audit: add a row to auditTable (internal/server/audit_completeness_test.go) or say in auditExempt why it touches no personal data", r.Route)
		}
	}
	for _, p := range audit.Purposes {
		if !audit.ValidPurpose(p) {
			t.Errorf("purpose %q", p)
		}
	}
}

// TestAuditCompleteness runs the completeness table on both databases.
func TestAuditCompleteness(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newMxWorld(t, db)
		w.srv.Mailing.Mailer = mxMailer{}
		rows := map[string]accessRow{}
		for _, r := range accessTable {
			rows[r.Route] = r
		}
		for _, ar := range auditTable {
			t.Run(ar.Route+" "+ar.Caller, func(t *testing.T) {
				w.checkAudit(t, rows[ar.Route], ar)
			})
		}
	})
}

// auditCall prepares one call (its object, body and the caller's session
// and token, all before counting) and makes it, returning the status and
// the events it wrote.
func (w *mxWorld) auditCall(t *testing.T, row accessRow, ar auditRow, who string) (mxResp, map[string]string, []audit.Event) {
	t.Helper()
	method, path := splitRoute(row.Route)
	if row.Path != "" {
		path = row.Path
	}
	obj := row.Obj
	if ar.Obj != "" {
		obj = ar.Obj
	}
	var p map[string]string
	if strings.HasPrefix(obj, "glass.") {
		// The access table's path addresses a missing request.
		_, path = splitRoute(row.Route)
		p = w.glassParams(t, obj)
	} else {
		p = w.params(t, obj, false)
	}
	body, ct := row.Body, row.CT
	if ar.Body != "" {
		body, ct = ar.Body, ar.CT
	}
	switch body {
	case "multipart:document":
		body, ct = mxDocForm(w.users.Session(t, who).CSRF)
	case "multipart:attendance":
		body, ct = mxFileForm(w.users.Session(t, who).CSRF, "aanwezigen.csv", "text/csv", mxAttendanceCSV)
	case "multipart:births":
		body, ct = mxFileForm(w.users.Session(t, who).CSRF, "geboorten.csv", "text/csv", mxUploadCSV)
	}
	if ar.Route == "POST /api/v1/birth-notifications/{id}/merge" || ar.Route == "POST /births/{id}/merge" {
		// Two fresh notifications of one mother: possible duplicates.
		w.birth = w.freshBirth(t)
	}
	seq := w.seq.Add(1)
	if strings.Contains(body, "{event}") {
		w.event = w.lastEvent(t)
	}
	body = strings.NewReplacer("{seq}", strconv.FormatInt(seq, 10), "{n}", strconv.FormatInt(100+seq%900, 10), "{email}", w.users.Email(t, who),
		"{id}", p["id"], "{event}", strconv.FormatInt(w.event, 10), "{worker}", w.users.Email(t, "team_worker/own"), "{birth}", strconv.FormatInt(w.birth, 10), "{receipt}", w.receipt).Replace(body)
	w.users.Session(t, who)
	w.users.Token(t, who)
	before := maxEventID(t, w.db)
	r := w.request(t, method, target(path, p), who, ct, body)
	evs, err := w.db.AuditEvents(context.Background(), audit.Filter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []audit.Event
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].ID > before {
			out = append(out, evs[i])
		}
	}
	return r, p, out
}

func (w *mxWorld) checkAudit(t *testing.T, row accessRow, ar auditRow) {
	r, p, evs := w.auditCall(t, row, ar, ar.Caller)
	if r.Code != ar.Status {
		t.Fatalf("as %s: %s, want %d", ar.Caller, r, ar.Status)
	}
	want := append([]string{ar.Action}, ar.Also...)
	var got []string
	for _, e := range evs {
		got = append(got, e.Action)
	}
	if !sameSet(got, want) {
		t.Fatalf("as %s: events %v, want exactly %v", ar.Caller, describe(evs), want)
	}
	i := slices.Index(got, ar.Action)
	w.checkEvent(t, ar, ar.Caller, evs[i], audit.OK, p)
	if ar.Denied == "" {
		return
	}
	r, p, evs = w.auditCall(t, row, ar, ar.Denied)
	if r.Code != 403 && r.Code != 404 {
		t.Fatalf("as %s: %s, want 403 or 404", ar.Denied, r)
	}
	if len(evs) != 1 {
		t.Fatalf("as %s (%d): events %v, want exactly one denied event", ar.Denied, r.Code, describe(evs))
	}
	action := ar.DeniedAction
	if action == "" {
		action = ar.Action
	}
	if evs[0].Action != action {
		t.Errorf("as %s: action %q, want %q", ar.Denied, evs[0].Action, action)
	}
	w.checkEvent(t, ar, ar.Denied, evs[0], audit.Denied, p)
}

// checkEvent checks the fields of one event of a call by who.
func (w *mxWorld) checkEvent(t *testing.T, ar auditRow, who string, e audit.Event, outcome string, p map[string]string) {
	t.Helper()
	u := w.users.User(t, who)
	_, path := splitRoute(ar.Route)
	channel := "session"
	if strings.HasPrefix(path, "/api/") {
		channel = "token"
	}
	errf := func(format string, args ...any) {
		t.Errorf("as %s, %s: "+format, append([]any{who, e.Action}, args...)...)
	}
	if e.Outcome != outcome {
		errf("outcome %q, want %q", e.Outcome, outcome)
	}
	if e.ActorUserID != u.ID || e.ActorRole != string(u.Role) || e.ActorOrg != u.Org || e.ActorEmail != u.Email {
		errf("actor %d %s %s %s, want %d %s %s %s", e.ActorUserID, e.ActorRole, e.ActorOrg, e.ActorEmail, u.ID, u.Role, u.Org, u.Email)
	}
	if e.Channel != channel || (channel == "token") != (e.TokenID != 0) {
		errf("channel %q token %d, want %q", e.Channel, e.TokenID, channel)
	}
	if e.RequestID == "" || e.ClientAddr == "" {
		errf("request id %q, client address %q", e.RequestID, e.ClientAddr)
	}
	if outcome == audit.OK && e.ObjectType != ar.Object {
		errf("object type %q, want %q", e.ObjectType, ar.Object)
	}
	if e.Action == audit.AccessDenied {
		// A role refused before any object was reached: the route.
		if e.ObjectType != "route" || e.ObjectID != ar.Route || e.Purpose != audit.PurposeSecurity {
			errf("object %s:%s purpose %q, want route:%s purpose %q", e.ObjectType, e.ObjectID, e.Purpose, ar.Route, audit.PurposeSecurity)
		}
		return
	}
	if id := p["id"]; id != "" && strings.Contains(ar.Route, "{id}") && !ar.NewObject && e.ObjectID != id {
		errf("object %s, want %s", e.ObjectID, id)
	}
	if ar.ObjectIDs && outcome == audit.OK && e.ObjectID == "" {
		errf("the event does not name the objects shown")
	}
	if !audit.ValidPurpose(e.Purpose) {
		errf("purpose %q is not one of audit.Purposes", e.Purpose)
	} else if outcome == audit.OK && e.Purpose != ar.Purpose {
		errf("purpose %q, want %q", e.Purpose, ar.Purpose)
	}
	if ar.Agreement && outcome == audit.OK && e.AgreementID != w.agr {
		errf("agreement %d, want %d", e.AgreementID, w.agr)
	}
	if ar.Receipt && (outcome == audit.OK || e.ObjectID != "") {
		// The family's receipt code, and the agreement the referral is
		// under (none before it is sent), denied attempts included.
		var code string
		var agr int64
		q := `SELECT receipt_code, COALESCE(agreement_id, 0) FROM referrals WHERE id = $1`
		if err := w.db.SQL().QueryRowContext(context.Background(), q, e.ObjectID).Scan(&code, &agr); err != nil {
			errf("receipt code of referral %q: %v", e.ObjectID, err)
		} else if e.ReceiptCode != code || e.AgreementID != agr {
			errf("receipt code %q agreement %d, want %q %d", e.ReceiptCode, e.AgreementID, code, agr)
		}
	}
	if strings.HasSuffix(e.Action, ".list") || e.Action == "referral.inbox" || e.Action == "birth.submissions" || e.Action == "outreach.contact.read" {
		if outcome == audit.OK && !strings.HasPrefix(e.Detail, "list of ") {
			errf("a list's event says how many it showed: detail %q", e.Detail)
		}
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func describe(evs []audit.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, fmt.Sprintf("%s %s:%s %s purpose=%q agreement=%d receipt=%t", e.Action, e.ObjectType, e.ObjectID, e.Outcome, e.Purpose, e.AgreementID, e.ReceiptCode != ""))
	}
	return out
}

func maxEventID(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var n int64
	if err := db.SQL().QueryRowContext(context.Background(), "SELECT COALESCE(MAX(id),0) FROM audit_events").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAuditInventory (with -audit.inventory) prints the events of every
// route of the access table for every caller: the survey behind the
// completeness table.
func TestAuditInventory(t *testing.T) {
	if !*auditInventory {
		t.Skip("only with -audit.inventory")
	}
	w := newMxWorld(t, storetest.Open(t, store.SQLite))
	for _, row := range accessTable {
		for _, c := range mxCallers {
			r, _, evs := w.auditCall(t, row, auditRow{Route: row.Route}, c.Label)
			t.Logf("%-55s %-18s %d %v", row.Route, c.Label, r.Code, describe(evs))
		}
	}
}

// TestAuditDeniedOnce: on every route of the access table that addresses
// one object, the first caller of another organisation that is refused
// with 404 leaves exactly one event, outcome denied, with a purpose of
// audit.Purposes — personal data or not.
func TestAuditDeniedOnce(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newMxWorld(t, db)
		for _, row := range accessTable {
			if !row.Object() || row.NoDenyAudit != "" {
				continue
			}
			for _, c := range mxCallers {
				if !c.Other || row.want(t, &c) != 404 {
					continue
				}
				t.Run(row.Route+" "+c.Label, func(t *testing.T) {
					r, _, evs := w.auditCall(t, row, auditRow{Route: row.Route}, c.Label)
					if r.Code != 404 {
						t.Fatalf("%s, want 404", r)
					}
					if len(evs) != 1 || evs[0].Outcome != audit.Denied || !audit.ValidPurpose(evs[0].Purpose) {
						t.Errorf("events %v, want exactly one denied event with a purpose", describe(evs))
					}
				})
				break
			}
		}
	})
}

// TestAuditRefusedOnce: on every route of the access table, a signed-in
// caller that is refused (the first with 403 and the first with 404, own
// organisation or another's) leaves exactly one event, outcome denied,
// with a purpose of audit.Purposes: the store's own where it wrote one
// (a referral of another organisation), else the server's generic
// access.denied naming the route (a role refused before any object was
// reached). Anonymous refusals (401) are not audited: nobody to name.
func TestAuditRefusedOnce(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newMxWorld(t, db)
		refused := 0
		for _, row := range accessTable {
			seen := map[int]bool{}
			for _, c := range mxCallers {
				code := row.want(t, &c)
				if (code != 403 && code != 404) || seen[code] || code == 404 && notRefused[row.Route] != "" {
					continue
				}
				seen[code] = true
				refused++
				t.Run(row.Route+" "+c.Label, func(t *testing.T) {
					r, _, evs := w.auditCall(t, row, auditRow{Route: row.Route}, c.Label)
					if r.Code != code {
						t.Fatalf("%s, want %d", r, code)
					}
					if len(evs) != 1 || evs[0].Outcome != audit.Denied || !audit.ValidPurpose(evs[0].Purpose) {
						t.Fatalf("events %v, want exactly one denied event with a purpose", describe(evs))
					}
					if e := evs[0]; e.Action == audit.AccessDenied {
						w.checkRefusal(t, row, c.Label, e)
					}
				})
			}
		}
		if refused < 100 {
			t.Errorf("only %d refusals tried: the access table's expectations were not read", refused)
		}
	})
}

// notRefused: routes whose 404 refuses nobody (nothing is there for any
// caller), with why: no denied event is due.
var notRefused = map[string]string{
	"/api/v1/":                                       "an unknown path: 404 for every caller",
	"/":                                              "an unknown page: 404 for every caller",
	"GET /metrics":                                   "its own gate, before authentication: 404 outside the allowed networks, for everyone",
	"GET /api/v1/audit/checkpoints/latest":           "public: 404 before the first checkpoint",
	"POST /ontvangstbewijs/bewijs":                   "public, the family's proof download: 404 for a line not yet under a checkpoint",
	"POST /api/v1/break-glass/{id}/approve":          "the access table addresses a request that does not exist (the refusals of a real one: auditTable)",
	"POST /api/v1/break-glass/{id}/deny":             "the access table addresses a request that does not exist (the refusals of a real one: auditTable)",
	"POST /break-glass/{id}/approve":                 "the access table addresses a request that does not exist (the refusals of a real one: auditTable)",
	"POST /break-glass/{id}/deny":                    "the access table addresses a request that does not exist (the refusals of a real one: auditTable)",
	"GET /api/v1/reports/parliament-packs/{id}/pdf":  "the access table addresses a pack that does not exist; packs are aggregates, no object to deny",
	"GET /api/v1/reports/parliament-packs/{id}/csv":  "the access table addresses a pack that does not exist; packs are aggregates, no object to deny",
	"GET /api/v1/reports/parliament-packs/{id}/xlsx": "the access table addresses a pack that does not exist; packs are aggregates, no object to deny",
}

// checkRefusal checks the fields of the generic event of a refused request.
func (w *mxWorld) checkRefusal(t *testing.T, row accessRow, who string, e audit.Event) {
	t.Helper()
	u := w.users.User(t, who)
	_, path := splitRoute(row.Route)
	channel := "session"
	if strings.HasPrefix(path, "/api/") {
		channel = "token"
	}
	if e.ObjectType != "route" || e.ObjectID != row.Route || e.Purpose != audit.PurposeSecurity {
		t.Errorf("object %s:%s purpose %q, want route:%s purpose %q", e.ObjectType, e.ObjectID, e.Purpose, row.Route, audit.PurposeSecurity)
	}
	if e.ActorUserID != u.ID || e.ActorRole != string(u.Role) || e.ActorOrg != u.Org || e.ActorEmail != u.Email {
		t.Errorf("actor %d %s %s %s, want %d %s %s %s", e.ActorUserID, e.ActorRole, e.ActorOrg, e.ActorEmail, u.ID, u.Role, u.Org, u.Email)
	}
	if e.Channel != channel || (channel == "token") != (e.TokenID != 0) {
		t.Errorf("channel %q token %d, want %q", e.Channel, e.TokenID, channel)
	}
	if e.RequestID == "" || e.ClientAddr == "" {
		t.Errorf("request id %q, client address %q", e.RequestID, e.ClientAddr)
	}
}

// glassAskers: the second admin of each world, who asks for the
// break-glass access admin decides on (and decides on admin's).
var glassAskers sync.Map // *mxWorld → account.Actor

func (w *mxWorld) glassAsker(t *testing.T) account.Actor {
	t.Helper()
	if a, ok := glassAskers.Load(w); ok {
		return a.(account.Actor)
	}
	u, err := w.db.CreateUser(context.Background(), account.System("test"), account.NewUser{Email: "glas.beheerder@example.test", Name: "Tweede Beheerder", Role: "admin", Org: "opgroeien"})
	if err != nil {
		t.Fatal(err)
	}
	a := account.Actor{UserID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, Org: u.Org, OrgKind: account.KindOpgroeien, Via: account.ChannelCLI}
	glassAskers.Store(w, a)
	return a
}

// glassParams builds a break-glass fixture, each time of a fresh sent
// referral (one open request per admin and referral): glass.open, the
// second admin's pending request ({id}: the request); glass.referral,
// the referral alone; glass.approved, admin's request approved by the
// second admin ({id}: the referral).
func (w *mxWorld) glassParams(t *testing.T, obj string) map[string]string {
	t.Helper()
	ctx := context.Background()
	ref := w.freshReferral(t, "sent")
	id := func(v int64) map[string]string { return map[string]string{"id": strconv.FormatInt(v, 10)} }
	switch obj {
	case "glass.referral":
		return id(ref)
	case "glass.open":
		r, err := w.db.RequestBreakGlass(ctx, w.glassAsker(t), ref, "Matrixtest: dringende vraag van het gezin")
		if err != nil {
			t.Fatal(err)
		}
		return id(r.ID)
	case "glass.approved":
		r, err := w.db.RequestBreakGlass(ctx, w.users.Actor(t, "admin"), ref, "Matrixtest: dringende vraag van het gezin")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.db.DecideBreakGlass(ctx, w.glassAsker(t), r.ID, true, "", 0); err != nil {
			t.Fatal(err)
		}
		return id(ref)
	}
	t.Fatalf("unknown fixture %q", obj)
	return nil
}

// mxAttendanceCSV is an attendance export of a campaign in Hulshout.
const mxAttendanceCSV = "Naam;E-mail;Gemeente;Aanwezig\r\nAn Matrixdeelnemer;an.matrix@hulshout.example;Hulshout;ja\r\n"

// mxUploadCSV is a clinic's batch of one notification, another mother
// than the API's batch (mxBirthCSV: a duplicate would not go in).
const mxUploadCSV = "naam_moeder;straat_moeder;huisnummer_moeder;postcode_moeder;nis_gemeente_moeder;telefoon_moeder;taal_moeder;geboortedatum_kind;vroeg_contact_gevraagd\n" +
	"Mila Uploadmoeder;Molenstraat;{n};2235;13016;0470 98 {n} 4;nl;27/05/2025;ja\n"

// mxFileForm is a multipart form of the UI with the CSRF token and one
// file in the field "file".
func mxFileForm(csrf, filename, contentType, content string) (string, string) {
	var b strings.Builder
	const boundary = "mxfileboundary"
	if csrf != "" {
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n%s\r\n", boundary, csrf)
	}
	fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=%q\r\nContent-Type: %s\r\n\r\n%s\r\n--%s--\r\n", boundary, filename, contentType, content, boundary)
	return b.String(), "multipart/form-data; boundary=" + boundary
}

// mxMailer is a mail server that accepts every message.
type mxMailer struct{}

func (mxMailer) Send(context.Context, mailing.Message) error { return nil }

// TestAuditFamilyLookup: the family's own look-up (anonymous, with the
// receipt code and the postcode) leaves exactly one access_log.view event
// carrying the family's receipt code: ok for the right postcode, denied
// for a wrong one; no worker is named.
func TestAuditFamilyLookup(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newMxWorld(t, db)
		for _, c := range []struct {
			postcode string
			code     int
			outcome  string
		}{{"2235", 200, audit.OK}, {"9999", 404, audit.Denied}} {
			before := maxEventID(t, db)
			body := fmt.Sprintf(`{"receipt_code": %q, "postcode": %q}`, w.receipt, c.postcode)
			if r := w.request(t, "POST", "/api/v1/public/access-log", "", "", body); r.Code != c.code {
				t.Fatalf("postcode %s: %s, want %d", c.postcode, r, c.code)
			}
			evs, err := db.AuditEvents(context.Background(), audit.Filter{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			var got []audit.Event
			for _, e := range evs {
				if e.ID > before {
					got = append(got, e)
				}
			}
			if len(got) != 1 {
				t.Fatalf("postcode %s: events %v, want exactly one", c.postcode, describe(got))
			}
			e := got[0]
			if e.Action != "access_log.view" || e.Outcome != c.outcome || e.Purpose != audit.PurposeFamilyView || e.ReceiptCode != w.receipt ||
				e.ActorUserID != 0 || e.ActorEmail != "" || e.RequestID == "" || e.ClientAddr == "" {
				t.Errorf("postcode %s: event %+v", c.postcode, e)
			}
		}
	})
}

// TestAuditFamilyProof: the family's proof download of one line of its
// view (code and postcode checked again) leaves exactly one
// access_log.view event naming the line; so does a line that is not the
// family's (404): the code and postcode did open the family's log, and
// the look-up is audited before the line is checked.
func TestAuditFamilyProof(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newMxWorld(t, db)
		skey, _, err := auditlog.GenerateKey("kansrijk/audit-log")
		if err != nil {
			t.Fatal(err)
		}
		lg, err := auditlog.New(db, auditlog.Config{PrivateKey: skey})
		if err != nil {
			t.Fatal(err)
		}
		w.srv.UseAuditLog(lg)
		if _, err := lg.Sequence(ctx); err != nil {
			t.Fatal(err)
		}
		if _, signed, err := lg.Sign(ctx); err != nil || !signed {
			t.Fatalf("sign: %v (signed %v)", err, signed)
		}
		fam, err := db.AuditEvents(ctx, audit.Filter{ReceiptCode: w.receipt, Action: "referral.create", Limit: 10})
		if err != nil || len(fam) == 0 || fam[0].LeafIndex == nil {
			t.Fatalf("the family's sequenced referral.create: %v %v", describe(fam), err)
		}
		leaf := *fam[0].LeafIndex
		other := int64(0)
		if other == leaf {
			other = 1
		}
		for _, c := range []struct {
			leaf int64
			code int
		}{{leaf, 200}, {other, 404}} {
			before := maxEventID(t, db)
			body := fmt.Sprintf("code=%s&postcode=2235&leaf=%d", w.receipt, c.leaf)
			if r := w.request(t, "POST", "/ontvangstbewijs/bewijs", "", "", body); r.Code != c.code {
				t.Fatalf("leaf %d: %s, want %d", c.leaf, r, c.code)
			}
			evs, err := db.AuditEvents(ctx, audit.Filter{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			var got []audit.Event
			for _, e := range evs {
				if e.ID > before {
					got = append(got, e)
				}
			}
			if len(got) != 1 {
				t.Fatalf("leaf %d: events %v, want exactly one", c.leaf, describe(got))
			}
			e := got[0]
			if e.Action != "access_log.view" || e.Outcome != audit.OK || e.ReceiptCode != w.receipt || e.ActorUserID != 0 ||
				!strings.Contains(e.Detail, fmt.Sprintf("proof bundle %d", c.leaf)) {
				t.Errorf("leaf %d: event %+v", c.leaf, e)
			}
		}
	})
}

// Area underreferral: where families are missed.
func init() {
	exempt("counts and aggregates per municipality and team, published per quarter (suppressed, rounded to 5), no personal data",
		"GET /api/v1/reports/under-referral", "GET /reports/under-referral")
}

// Area sso: single sign-on with OpenID Connect.
func init() {
	exempt("single sign-on: every sign-in is audited as login.ok or login.failed (detail: oidc and the failure's code), a first sign-in as user.create and user.identity_link, an assignment as user.create and user.sso_assign; checked by TestSSOSignIn",
		"GET /auth/oidc/start", "GET /auth/oidc/callback", "POST /users/sso-pending/{id}/assign")
	notRefused["GET /auth/oidc/start"] = "single sign-on is off in the access table's world: 404 for every caller"
	notRefused["GET /auth/oidc/callback"] = "single sign-on is off in the access table's world: 404 for every caller"
	notRefused["POST /users/sso-pending/{id}/assign"] = "the access table addresses a pending sign-in that does not exist; the refusal of others is a 403"
}
