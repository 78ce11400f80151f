package server

import "kansrijk/internal/sso"

// UseSSO turns single sign-on with OpenID Connect on (area sso): the
// login page offers it and /auth/oidc/* answer. nil turns it off.
func (s *Server) UseSSO(c *sso.Client) { s.Web.SSO = c }
