// Package breakglass is emergency access to one referral's personal data
// by an admin outside the normal scope: the admin states a reason, a
// second, different admin approves or denies, and an approval opens that
// referral to the requester for a limited time (TTL). Every step and
// every read is audited with the family's receipt code, so that the
// family sees it in its own view.
package breakglass

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
)

// DefaultTTL is how long an approved request opens the referral.
const DefaultTTL = 4 * time.Hour

// Status of a request.
type Status string

// The statuses.
const (
	Open     Status = "open"
	Approved Status = "approved"
	Denied   Status = "denied"
)

// Request is a request for break-glass access to one referral.
type Request struct {
	ID          int64      `json:"id"`
	ReferralID  int64      `json:"referral_id"`
	RequestedBy int64      `json:"requested_by"`
	Requester   string     `json:"requester"` // e-mail address of the requester
	Reason      string     `json:"reason"`
	RequestedAt time.Time  `json:"requested_at"`
	Status      Status     `json:"status"`
	DecidedBy   int64      `json:"decided_by,omitempty"`
	Decider     string     `json:"decider,omitempty"`
	DecidedAt   *time.Time `json:"decided_at,omitempty"`
	Note        string     `json:"note,omitempty"`
	ExpiresAt   *time.Time `json:"expires_at,omitempty"`
}

// Active reports whether the request opens its referral at now.
func (r Request) Active(now time.Time) bool {
	return r.Status == Approved && r.ExpiresAt != nil && now.Before(*r.ExpiresAt)
}

// MaxReason bounds the length of a reason or a note, in characters.
const MaxReason = 2000

// Validate checks a reason: required, at least 10 characters, bounded.
func Validate(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) < 10 {
		return "", apperr.FieldErr(apperr.Invalid, "reason", "state the reason for the access (at least 10 characters)").
			WithKey("dpo.error.reason_required", nil)
	}
	if utf8.RuneCountInString(reason) > MaxReason {
		return "", apperr.FieldErr(apperr.Invalid, "reason", "the reason is too long").WithKey("error.too_long", nil)
	}
	return reason, nil
}

// Store holds the requests. Only admins use it: others get forbidden.
type Store interface {
	// RequestBreakGlass records a request of the calling admin for
	// referral id with a reason. not_found if the referral does not exist;
	// conflict if the caller has an open or active request for it already.
	RequestBreakGlass(ctx context.Context, a account.Actor, referralID int64, reason string) (Request, error)
	// DecideBreakGlass approves (opening the referral for ttl) or denies an
	// open request. forbidden when the caller requested it (no
	// self-approval); not_found if there is no such request; conflict when
	// it is decided already.
	DecideBreakGlass(ctx context.Context, a account.Actor, id int64, approve bool, note string, ttl time.Duration) (Request, error)
	// BreakGlassRequests lists the requests, open ones first, then the
	// most recent decisions.
	BreakGlassRequests(ctx context.Context, a account.Actor) ([]Request, error)
	// Lists (issue 12): the paged list, lists.go.
	Lists
}
