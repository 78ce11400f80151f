package httpx

import (
	"context"
	"log/slog"
	"net/http"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
)

// Authenticator resolves credentials to an actor.
type Authenticator interface {
	ActorByToken(ctx context.Context, secret string) (account.Actor, error)
	SessionBySecret(ctx context.Context, secret string) (account.Session, error)
}

// Authenticate puts the caller (from a bearer token or the session cookie)
// into the request context, with the request id and client address.
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
			if err == nil {
				s.Actor.RequestID, s.Actor.ClientAddr = rid, addr
				ctx = account.NewContext(ctx, s.Actor)
				ctx = context.WithValue(ctx, csrfKey{}, s.CSRF)
			} else if apperr.Code(err) == apperr.Internal {
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
