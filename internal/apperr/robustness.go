package apperr

import (
	"context"
	"errors"
)

// Codes of input that is refused wherever it comes from, and of requests
// that could not be served in time.
const (
	// InvalidText: a text field holds a control character (400).
	InvalidText = "invalid_text"
	// WebhookAddressNotAllowed: a webhook URL whose host is, or resolves
	// to, an address inside a private network, or a plain http URL (400).
	WebhookAddressNotAllowed = "webhook_address_not_allowed"
	// Unavailable: the request ran out of time (its deadline, a statement
	// or lock timeout of the database) and changed nothing; try again
	// (503 with Retry-After).
	Unavailable = "unavailable"
)

// unavailable returns the Unavailable error for err when err is a time
// limit: the request's context deadline (or the client going away), or a
// PostgreSQL timeout (query cancelled by statement_timeout, lock timeout,
// idle-in-transaction timeout, deadlock). It returns nil otherwise.
func unavailable(err error) *Error {
	if err == nil {
		return nil
	}
	timedOut := errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
	var pg interface{ SQLState() string }
	if !timedOut && errors.As(err, &pg) {
		switch pg.SQLState() {
		case "57014", "55P03", "25P03", "40P01": // query_canceled, lock_not_available, idle_in_transaction_session_timeout, deadlock_detected
			timedOut = true
		}
	}
	if !timedOut {
		return nil
	}
	return New(Unavailable, "the request took too long and changed nothing; try again").WithKey("error.unavailable", nil)
}
