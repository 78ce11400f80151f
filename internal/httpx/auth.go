package httpx

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
)

// Authenticator resolves credentials to an actor.
type Authenticator interface {
	ActorByToken(ctx context.Context, secret string) (account.Actor, error)
	SessionBySecret(ctx context.Context, secret string) (account.Session, error)
}

// Authenticate puts the caller (from a bearer token or the session cookie)
// into the request context, with the request id and client address. The
// JSON API (/api/) takes a session cookie only as sessionAllowed says.
// Requests without valid credentials pass on anonymous; handlers that need
// a caller refuse them. A bearer token that is present but invalid is
// refused here with 401, so that a script never silently runs anonymous.
func Authenticate(auth Authenticator, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rid := NewRequestID()
		w.Header().Set(RequestIDHeader, rid)
		addr := ClientAddr(r)
		ctx := r.Context()
		if tok, ok := BearerToken(r); ok {
			a, err := auth.ActorByToken(ctx, tok)
			if err != nil {
				if apperr.Code(err) == apperr.Internal {
					slog.Error("authenticate token", "error", err)
				}
				WriteError(w, r, apperr.New(apperr.Unauthorized, "invalid or revoked API token"))
				return
			}
			a.RequestID, a.ClientAddr = rid, addr
			ctx = account.NewContext(ctx, a)
		} else if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
			s, err := auth.SessionBySecret(ctx, c.Value)
			switch {
			case err == nil && sessionAllowed(r, s.CSRF):
				s.Actor.RequestID, s.Actor.ClientAddr = rid, addr
				ctx = account.NewContext(ctx, s.Actor)
				ctx = context.WithValue(ctx, csrfKey{}, s.CSRF)
			case err == nil:
				// The JSON API ignores a session cookie without the
				// session's CSRF header: the request goes on anonymous.
			case apperr.Code(err) == apperr.Internal:
				slog.Error("authenticate session", "error", err)
			}
		}
		ctx = context.WithValue(ctx, ridKey{}, rid)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

type ridKey struct{}

// RequestID returns the id of the request.
func RequestID(r *http.Request) string {
	s, _ := r.Context().Value(ridKey{}).(string)
	return s
}

// CSRFHeader carries the session's CSRF token on JSON API requests that
// authenticate with the session cookie.
const CSRFHeader = "X-CSRF-Token"

// sessionAllowed reports whether the session cookie may authenticate the
// request. Web pages: always (their forms carry the CSRF token, checked by
// the web UI). The JSON API: a request with the session's CSRF token in
// the X-CSRF-Token header; without it only a GET or HEAD the browser marks
// as same-origin or user-initiated (Sec-Fetch-Site same-origin or none:
// the UI's download links, a typed address), which a page of another site
// cannot make. Scripts use bearer tokens, which need no header.
func sessionAllowed(r *http.Request, csrf string) bool {
	if r.URL.Path != "/api" && !strings.HasPrefix(r.URL.Path, "/api/") {
		return true
	}
	if h := r.Header.Get(CSRFHeader); h != "" && csrf != "" {
		return subtle.ConstantTimeCompare([]byte(h), []byte(csrf)) == 1
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none":
		return true
	}
	return false
}
