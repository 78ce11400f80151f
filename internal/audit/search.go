package audit

import (
	"encoding/base64"
	"strconv"
	"time"

	"kansrijk/internal/apperr"
)

// Actions of the data protection officer's console and of break-glass
// access (issue 11).
const (
	Search                 = "audit.search"
	Export                 = "audit.export"
	BreakGlassRequest      = "break_glass.request"
	BreakGlassApprove      = "break_glass.approve"
	BreakGlassDeny         = "break_glass.deny"
	ReferralReadBreakGlass = "referral.read_break_glass"
)

// Search limits of the console: a page holds DefaultLimit events unless
// asked otherwise, at most MaxLimit; an export at most MaxExport.
const (
	DefaultLimit = 50
	MaxLimit     = 500
	MaxExport    = 100000
)

// Query selects audit events for the data protection officer's console.
// Empty fields select everything; the scope of the caller (see
// store.SearchAuditEvents) is applied on top.
type Query struct {
	Org         string // actor organisation
	UserID      int64  // actor user id
	Channel     string // session, token, cli, job
	ObjectType  string
	ObjectID    string
	ReceiptCode string
	Action      string
	Outcome     string
	From, To    time.Time // at in [From, To); zero: unbounded
	// Before is the keyset cursor: only events with a smaller id (0: from
	// the newest).
	Before int64
	Limit  int
}

// Normalize bounds the limit and checks the fields that need no database.
func (q *Query) Normalize() error {
	if q.Limit <= 0 {
		q.Limit = DefaultLimit
	}
	if q.Limit > MaxLimit {
		return apperr.FieldErr(apperr.Invalid, "limit", "limit must be between 1 and %d", MaxLimit)
	}
	switch q.Outcome {
	case "", OK, Denied, Failed:
	default:
		return apperr.FieldErr(apperr.Invalid, "outcome", "outcome must be ok, denied or failed")
	}
	switch q.Channel {
	case "", "session", "token", "cli", "job":
	default:
		return apperr.FieldErr(apperr.Invalid, "channel", "channel must be session, token, cli or job")
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return apperr.FieldErr(apperr.Invalid, "to", "to must be after from")
	}
	return nil
}

// Page is one page of a search, newest first, with the cursor of the next
// page ("" on the last).
type Page struct {
	Events []Event
	Next   string
}

// Cursor encodes the keyset cursor after the event with id: opaque to
// callers.
func Cursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("e" + strconv.FormatInt(id, 10)))
}

// ParseCursor decodes a cursor made by Cursor; "" is the first page.
func ParseCursor(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil && len(b) > 1 && b[0] == 'e' {
		if id, err := strconv.ParseInt(string(b[1:]), 10, 64); err == nil && id > 0 {
			return id, nil
		}
	}
	return 0, apperr.FieldErr(apperr.Invalid, "cursor", "cursor is not one this API gave")
}
