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

// brussels is the time zone of dates and local times in queries.
var brussels = func() *time.Location {
	l, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return l
}()

// ParseTime reads a query time: RFC 3339, a local time in Brussels
// (2006-01-02T15:04, as an HTML datetime-local field sends it) or a date
// (its midnight in Brussels; with end, the midnight after it, so that a
// date as upper bound includes that day). "" is the zero time.
func ParseTime(field, s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, brussels); err == nil {
			return t.UTC(), nil
		}
	}
	if d, err := time.ParseInLocation(time.DateOnly, s, brussels); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d.UTC(), nil
	}
	return time.Time{}, apperr.FieldErr(apperr.InvalidDate, field, "%s must be a date YYYY-MM-DD, a local time YYYY-MM-DDTHH:MM or an RFC 3339 time, got %q", field, s)
}

// ParseQuery reads a search from URL parameters (the API's and the
// console's, alike): org, user, channel, object_type, object_id,
// receipt_code, action, outcome, from, to, limit, cursor.
func ParseQuery(v map[string][]string) (Query, error) {
	get := func(k string) string {
		if x := v[k]; len(x) > 0 {
			return x[0]
		}
		return ""
	}
	q := Query{Org: get("org"), Channel: get("channel"), ObjectType: get("object_type"), ObjectID: get("object_id"),
		ReceiptCode: get("receipt_code"), Action: get("action"), Outcome: get("outcome")}
	var err error
	if s := get("user"); s != "" {
		if q.UserID, err = strconv.ParseInt(s, 10, 64); err != nil || q.UserID <= 0 {
			return q, apperr.FieldErr(apperr.Invalid, "user", "user must be a user id")
		}
	}
	if q.From, err = ParseTime("from", get("from"), false); err != nil {
		return q, err
	}
	if q.To, err = ParseTime("to", get("to"), true); err != nil {
		return q, err
	}
	if s := get("limit"); s != "" {
		if q.Limit, err = strconv.Atoi(s); err != nil || q.Limit < 1 {
			return q, apperr.FieldErr(apperr.Invalid, "limit", "limit must be between 1 and %d", MaxLimit)
		}
	}
	if q.Before, err = ParseCursor(get("cursor")); err != nil {
		return q, err
	}
	return q, q.Normalize()
}
