// Package apperr defines the one error type that crosses package
// boundaries in Kansrijk: a stable machine code, a safe English message for
// the API, and a translation key for the Dutch (and English) web UI.
//
// Errors without a code are internal: their text is logged, never shown.
package apperr

import (
	"errors"
	"fmt"
)

// Stable error codes. API clients build on them: never rename one.
const (
	Invalid           = "invalid"
	InvalidDate       = "invalid_date"
	InvalidJSON       = "invalid_json"
	UnknownField      = "unknown_field"
	TooLarge          = "body_too_large"
	NotFound          = "not_found"
	Unauthorized      = "unauthorized"
	Forbidden         = "forbidden"
	Conflict          = "conflict"
	Duplicate         = "duplicate"
	UnknownRole       = "unknown_role"
	UnknownOrg        = "unknown_organisation"
	WrongOrgForRole   = "role_not_allowed_for_organisation"
	BadCredentials    = "invalid_credentials"
	Throttled         = "too_many_attempts"
	InvalidTransition = "invalid_transition"
	// Referral flow.
	ConsentMissing     = "consent_missing"
	NoAgreementInForce = "no_agreement_in_force"
	OutsideTeamArea    = "outside_team_area"
	InvalidState       = "invalid_state"
	Internal           = "internal"
)

// Error is an error a user may see. Message is English and safe to return
// from the API; Key (default "error.<code>") selects the localised text in
// the UI, with Args filled into it.
type Error struct {
	Code    string
	Message string
	Field   string
	Key     string
	Args    map[string]any
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.Field)
	}
	return e.Code + ": " + e.Message
}

// New returns an Error with the given code and message.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Field returns an Invalid-style error about one input field.
func FieldErr(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// WithKey sets the translation key and arguments used by the web UI.
func (e *Error) WithKey(key string, args map[string]any) *Error {
	e.Key, e.Args = key, args
	return e
}

// Code returns the code of err, or Internal when err carries none.
func Code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns the *Error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Is reports whether err carries the given code.
func Is(err error, code string) bool {
	e, ok := As(err)
	return ok && e.Code == code
}

// Wrap adds context to *errp, once per function, keeping the chain for
// errors.Is/As. Use it deferred: defer apperr.Wrap(&err, "store.CreateUser").
func Wrap(errp *error, format string, args ...any) {
	if *errp == nil {
		return
	}
	if _, ok := As(*errp); ok {
		return // user-facing errors pass unchanged
	}
	*errp = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), *errp)
}
