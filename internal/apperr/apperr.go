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

// Birth notifications (area "births"): one code per validation rule of the
// data set (internal/birth/dataset.go) and of a CSV batch. All map to 400.
const (
	NameRequired         = "name_required"
	FieldTooLong         = "field_too_long"
	AddressRequired      = "address_required"
	PostcodeInvalid      = "postcode_invalid"
	PostcodeMismatch     = "postcode_mismatch"
	MunicipalityRequired = "municipality_required"
	MunicipalityUnknown  = "municipality_unknown"
	MunicipalityNotValid = "municipality_not_valid"
	ContactRequired      = "contact_required"
	PhoneInvalid         = "phone_invalid"
	EmailInvalid         = "email_invalid"
	LanguageRequired     = "language_required"
	LanguageUnsupported  = "language_unsupported"
	BirthDateRequired    = "birth_date_required"
	BirthDateInvalid     = "birth_date_invalid"
	BirthDateFuture      = "birth_date_future"
	BirthDateTooOld      = "birth_date_too_old"
	BooleanInvalid       = "boolean_invalid"
	DuplicateRow         = "duplicate_row"
	ColumnCount          = "column_count"
	UnknownColumn        = "unknown_column"
	MissingColumn        = "missing_column"
	DuplicateColumn      = "duplicate_column"
	EmptyFile            = "empty_file"
	EncodingInvalid      = "encoding_invalid"
	CSVMalformed         = "csv_malformed"
	TooManyRows          = "too_many_rows"
	NotDuplicate         = "not_duplicate"
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
	if e, ok := As(err); ok {
		return e.Code
	}
	return Internal
}

// As returns the *Error inside err, if any.
// A time limit (see Unavailable) is one too.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	if u := unavailable(err); u != nil {
		return u, true
	}
	return nil, false
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

// Codes of birth notifications' lists and references (issue 12, births).
const (
	// ReferenceInvalid: a clinic's reference holds characters that are
	// not printable (control characters, line breaks).
	ReferenceInvalid = "reference_invalid"
)

// CSV batches of birth notifications (area "imports"): a row warning and
// a row problem.
const (
	// PhoneRepaired: a warning, not an error — the row is accepted with
	// a telephone number Excel had changed, repaired (the report says how).
	PhoneRepaired = "phone_repaired"
	// FormulaCell: a cell starts like a spreadsheet formula (=, +, -, @).
	FormulaCell = "formula_cell"
)
