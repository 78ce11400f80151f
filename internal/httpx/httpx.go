// Package httpx holds the HTTP plumbing shared by the JSON API and the web
// UI: the request identity (actor) in the context, request ids, client
// addresses, and the mapping from error codes to HTTP status codes.
package httpx

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"strings"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "kansrijk_session"

// Status maps an error code to an HTTP status.
func Status(code string) int {
	switch code {
	case apperr.Invalid, apperr.InvalidDate, apperr.InvalidJSON, apperr.UnknownField,
		apperr.UnknownRole, apperr.UnknownOrg, apperr.WrongOrgForRole:
		return http.StatusBadRequest
	case apperr.TooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.Unauthorized, apperr.BadCredentials:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict, apperr.Duplicate, apperr.InvalidTransition,
		apperr.ConsentMissing, apperr.NoAgreementInForce, apperr.OutsideTeamArea, apperr.InvalidState:
		return http.StatusConflict
	case apperr.Throttled:
		return http.StatusTooManyRequests
	case apperr.Unavailable:
		return http.StatusServiceUnavailable
	case apperr.Internal:
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// NewRequestID returns a random request id.
func NewRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ClientAddr returns the client's IP address (without port).
func ClientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// BearerToken returns the token of an "Authorization: Bearer" header.
func BearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:]), true
	}
	return "", false
}

// Actor returns the authenticated caller of the request, if any.
func Actor(r *http.Request) (account.Actor, bool) {
	return account.FromContext(r.Context())
}

// CSRF returns the CSRF token of the request's session ("" without one).
func CSRF(r *http.Request) string {
	s, _ := r.Context().Value(csrfKey{}).(string)
	return s
}

type csrfKey struct{}

// RequestIDHeader carries the request id in responses.
const RequestIDHeader = "X-Request-ID"
