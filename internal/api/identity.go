package api

import (
	"net/http"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/httpx"
	"kansrijk/internal/page"
)

// Identity (issue 10): one-time password links instead of passwords
// chosen by an admin, password changes, service accounts for machine
// clients. Routes are registered in api.go.

type passwordLinkJSON struct {
	Path      string `json:"path"`
	ExpiresAt string `json:"expires_at"`
}

func toPasswordLinkJSON(l account.PasswordLink) passwordLinkJSON {
	return passwordLinkJSON{Path: l.Path, ExpiresAt: l.Expires.UTC().Format(time.RFC3339)}
}

// resetPassword: POST /api/v1/users/{id}/password-reset — an admin (an
// OCMW admin for its own OCMW) sends a user a one-time link to set a new
// password; the link is answered once for hand-over.
func (a *API) resetPassword(w http.ResponseWriter, r *http.Request) error {
	c, id, err := callerWithID(w, r, nil)
	if err != nil {
		return err
	}
	l, err := a.Accounts.CreatePasswordReset(r.Context(), c, id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"user_id": id, "password_link": toPasswordLinkJSON(l)})
	return nil
}

// changeOwnPassword: PUT /api/v1/me/password — the caller's own password,
// with the current one; every session of the caller ends.
func (a *API) changeOwnPassword(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	var in struct {
		Current  string `json:"current_password"`
		Password string `json:"password"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := a.Accounts.ChangePassword(r.Context(), c, in.Current, in.Password); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type serviceAccountJSON struct {
	ID           int64           `json:"id"`
	Name         string          `json:"name"`
	Email        string          `json:"email"`
	Role         string          `json:"role"`
	Organisation string          `json:"organisation"`
	Active       bool            `json:"active"`
	CreatedAt    string          `json:"created_at"`
	Tokens       []account.Token `json:"tokens"`
}

func toServiceAccountJSON(u account.User, tokens []account.Token) serviceAccountJSON {
	if tokens == nil {
		tokens = []account.Token{}
	}
	return serviceAccountJSON{u.ID, u.Name, u.Email, string(u.Role), u.Org, u.Active, u.CreatedAt.UTC().Format(time.RFC3339), tokens}
}

func (a *API) createServiceAccount(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	var in account.NewServiceAccount
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	u, secret, err := a.Accounts.CreateServiceAccount(r.Context(), c, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"service_account": toServiceAccountJSON(u, nil), "token": secret})
	return nil
}

func (a *API) listServiceAccounts(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	req, err := page.Parse(r.URL.Query(), "name", "created")
	if err != nil {
		return err
	}
	res, err := a.Accounts.ServiceAccountPage(r.Context(), c, req) // searchable with q; one audit event per page
	if err != nil {
		return err
	}
	out := mapItems(res.Items, func(s account.ServiceAccount) serviceAccountJSON { return toServiceAccountJSON(s.User, s.Tokens) })
	writePage(w, "service_accounts", out, res.NextCursor(), nil)
	return nil
}

func (a *API) createServiceToken(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Label string `json:"label"`
	}
	c, id, err := callerWithID(w, r, &in)
	if err != nil {
		return err
	}
	secret, err := a.Accounts.CreateServiceToken(r.Context(), c, id, in.Label)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"service_account_id": id, "label": in.Label, "token": secret})
	return nil
}

func (a *API) revokeServiceAccount(w http.ResponseWriter, r *http.Request) error {
	c, id, err := callerWithID(w, r, nil)
	if err != nil {
		return err
	}
	if err := a.Accounts.RevokeServiceAccount(r.Context(), c, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// errOrgField renames the store's field org to the API's organisation.
func errOrgField(err error) error {
	for _, e := range apperr.Problems(err) { // every problem of a List
		if e.Field == "org" {
			e.Field = "organisation"
		}
	}
	return err
}
