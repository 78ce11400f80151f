// Package httpx holds the HTTP plumbing shared by the JSON API and the web
// UI: the request identity (actor) in the context, request ids, client
// addresses, and the mapping from error codes to HTTP status codes.
package httpx

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

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

// ClientAddr returns the client's IP address (without port): the peer's,
// or behind a trusted proxy the one it forwarded (Transport.Resolve).
func ClientAddr(r *http.Request) string {
	if v := viaOf(r); v != nil {
		return v.client
	}
	return peerAddr(r)
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

// LocalPath returns target when it is a path on this server that is safe
// to redirect to, else "/". It is the one check for every redirect whose
// target comes from the request (next=, back=, …). Refused: anything not
// starting with one "/", schemes and hosts, and — in the target as given
// and after each of up to three rounds of percent-decoding — control
// characters (browsers drop tabs and newlines, turning "/\t/evil.example"
// into "//evil.example"), backslashes (read as "/"), other white space in
// the raw form, and a path that starts with "//" or holds "//" after its
// dot segments are resolved.
func LocalPath(target string) string {
	if !isLocalPath(target) {
		return "/"
	}
	return target
}

func isLocalPath(target string) bool {
	if target == "" || len(target) > 4096 || target[0] != '/' {
		return false
	}
	for _, r := range target {
		if unicode.IsSpace(r) {
			return false
		}
	}
	s := target
	for round := 0; ; round++ {
		if !localPathForm(s) {
			return false
		}
		if round == 3 {
			break
		}
		u, err := url.PathUnescape(s)
		if err != nil {
			return false
		}
		if u == s {
			break
		}
		s = u
	}
	u, err := url.Parse(target)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil && u.Opaque == "" && strings.HasPrefix(u.Path, "/")
}

// localPathForm checks one decoding of a redirect target.
func localPathForm(s string) bool {
	if !strings.HasPrefix(s, "/") {
		return false
	}
	for _, r := range s {
		if r == '\\' || unicode.IsControl(r) || r == utf8.RuneError {
			return false
		}
	}
	p := s
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	if strings.HasPrefix(p, "//") {
		return false
	}
	// Resolve dot segments as a browser does, keeping empty segments:
	// "/.//evil" and "/a/..//evil" must not come out as "//evil".
	var segs []string
	for _, seg := range strings.Split(p[1:], "/") {
		switch seg {
		case ".":
		case "..":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
		default:
			segs = append(segs, seg)
		}
	}
	return !strings.HasPrefix("/"+strings.Join(segs, "/"), "//")
}

// SetRetryAfter sets the Retry-After header (seconds) of a response to an
// error that says when to try again (Args "RetryAfter", as login
// throttling and the cap on password checks give).
func SetRetryAfter(w http.ResponseWriter, err error) {
	if e, ok := apperr.As(err); ok {
		if n, ok := e.Args["RetryAfter"].(int); ok && n > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(n))
		}
	}
}
