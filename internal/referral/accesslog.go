package referral

import (
	"context"
	"strings"
	"time"
)

// The family's own view of who accessed its data. A parent opens it with
// the receipt code and the postcode written on the receipt, without an
// account. What the family sees of each access is fixed here: the
// organisation and the function (a role), never a worker's name, e-mail
// address, client address or request id.

// AccessLogQuery is one attempt to open a family's access log.
type AccessLogQuery struct {
	Code     string // the receipt code, as typed (normalised by NormalizeReceiptCode)
	Postcode string // a parent's postcode as written on the receipt
	// Where the attempt came from, for throttling and the audit record.
	ClientAddr string
	RequestID  string
	// Detail is recorded with the view's audit event (e.g. "bundle" when
	// a proof bundle is downloaded); no personal data.
	Detail string
}

// AccessEvent is one access to the family's data as the family sees it.
type AccessEvent struct {
	At           time.Time `json:"at"`
	Organisation string    `json:"organisation"` // the organisation's name; "" for the family's own look-ups
	Function     string    `json:"function"`     // the role (account.Role), "" for the program itself or an anonymous visitor
	Action       string    `json:"action"`       // the audit action, e.g. referral.read
	Purpose      string    `json:"purpose"`
	AgreementID  int64     `json:"agreement_id,omitempty"`
	Outcome      string    `json:"outcome"` // ok, denied or failed
	// LeafIndex is the event's position in the audit log's Merkle tree;
	// nil until it has been sequenced.
	LeafIndex *int64 `json:"leaf_index"`
}

// AccessLog is everything the family's view shows.
type AccessLog struct {
	Code   string
	Status ReceiptStatus
	// DeletionDue is the day the contact data will be deleted at the
	// latest, once it is known (the referral was closed, withdrawn, or is
	// a draft never sent); nil while the OCMW is still working on it.
	DeletionDue *time.Time
	// Events are the accesses, oldest first.
	Events []AccessEvent
}

// AccessLogStore opens a family's access log.
type AccessLogStore interface {
	// AccessLog returns the family's access log for a receipt code and
	// one of the parents' postcodes, and records the look-up itself
	// (action access_log.view, anonymous). Any unknown code, a postcode
	// that does not match, or a code without events answers the same
	// not_found. Too many attempts from one client address or for one
	// code answer too_many_attempts (Args "RetryAfter").
	AccessLog(ctx context.Context, q AccessLogQuery) (AccessLog, error)
}

// NormalizeReceiptCode returns a receipt code as stored: upper case,
// without surrounding blanks, with the "KR-" prefix added when missing.
func NormalizeReceiptCode(code string) string {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code != "" && !strings.HasPrefix(code, "KR-") {
		code = "KR-" + code
	}
	return code
}

// LeafIndexes returns the leaf indexes of the sequenced events.
func (l AccessLog) LeafIndexes() map[int64]bool {
	out := map[int64]bool{}
	for _, e := range l.Events {
		if e.LeafIndex != nil {
			out[*e.LeafIndex] = true
		}
	}
	return out
}
