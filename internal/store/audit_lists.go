package store

import (
	"context"
	"fmt"

	"kansrijk/internal/account"
	"kansrijk/internal/audit"
)

// Actions of lists of personal data: one event per page shown.
const (
	auditReferralList  = "referral.list"
	auditBirthList     = "birth.list"
	auditSubmissions   = "birth.submissions"
	auditSubmission    = "birth.submission_read"
	auditContactList   = auditContactRead
	auditUserList      = audit.UserList
	auditServiceList   = audit.ServiceAccountList
	auditListDetailFmt = "list of %d"
	// Families' requests and break-glass requests, as the DPO and the
	// admins see them.
	auditSubjectRead    = "subject_request.read"
	auditSubjectList    = "subject_request.list"
	auditBreakGlassList = "break_glass.list"
)

// listEvent is the one audit event of a page of a list that shows
// personal data: which objects (ids, bounded by audit.ListMaxIDs) the
// actor was shown, and why.
func listEvent(a account.Actor, action, objectType, purpose string, ids []int64) audit.Event {
	ev := audit.For(a, action, objectType, audit.ListObjectID(ids))
	ev.Purpose = purpose
	ev.Detail = fmt.Sprintf(auditListDetailFmt, len(ids))
	return ev
}

// recordList writes the event of a list page through recordReads: the
// page is answered only once its event is durable.
func (db *DB) recordList(ctx context.Context, a account.Actor, action, objectType, purpose string, ids []int64) error {
	return db.recordReads(ctx, listEvent(a, action, objectType, purpose, ids))
}

// idsOf returns the ids of a list.
func idsOf[T any](list []T, id func(T) int64) []int64 {
	out := make([]int64, len(list))
	for i, x := range list {
		out[i] = id(x)
	}
	return out
}

// denyAction audits a refused attempt to list or create personal data
// (the caller's role may not) and returns refusal, the caller's answer.
func (db *DB) denyAction(ctx context.Context, a account.Actor, action, objectType, purpose string, refusal error) error {
	ev := audit.For(a, action, objectType, "")
	ev.Purpose, ev.Outcome = purpose, audit.Denied
	if err := db.recordReads(ctx, ev); err != nil {
		return err
	}
	return refusal
}
