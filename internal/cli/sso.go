package cli

// Area sso: single sign-on with OpenID Connect, from the KANSRIJK_OIDC_*
// settings.

import (
	"context"
	"log/slog"

	"kansrijk/internal/server"
	"kansrijk/internal/sso"
)

// startSSO configures single sign-on when an issuer is set. A provider
// that cannot be reached at start is logged, not fatal: password sign-in
// works meanwhile and each SSO sign-in tries discovery again.
func startSSO(ctx context.Context, srv *server.Server, getenv func(string) string) error {
	cfg, on, err := sso.ConfigFromEnv(getenv)
	if !on {
		return nil
	}
	if err != nil {
		return err
	}
	c, err := sso.New(ctx, cfg)
	if c == nil {
		return err
	}
	if err != nil {
		slog.Warn("single sign-on: provider not reachable at start; sign-ins will try again", "issuer", cfg.Issuer, "error", err)
	} else {
		slog.Info("single sign-on on", "issuer", cfg.Issuer)
	}
	srv.UseSSO(c)
	return nil
}
