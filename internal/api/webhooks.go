package api

import (
	"context"
	"net/http"
	"net/mail"
	"strings"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/httpx"
)

// NoticeStore manages where an OCMW's notices go: its webhook (the inbox
// address is org.Store's SetInboxEmail). *store.DB implements it.
type NoticeStore interface {
	SetWebhook(ctx context.Context, a account.Actor, key, url string) (secret string, err error)
	DeleteWebhook(ctx context.Context, a account.Actor, key string) error
}

// notices returns the webhook store: a.Notices, else a.Orgs when it
// implements NoticeStore too.
func (a *API) notices() (NoticeStore, error) {
	if a.Notices != nil {
		return a.Notices, nil
	}
	if n, ok := a.Orgs.(NoticeStore); ok {
		return n, nil
	}
	return nil, apperr.New(apperr.NotFound, "webhooks are not available")
}

type webhookIn struct {
	URL string `json:"url"`
}

type webhookOut struct {
	URL    string `json:"url"`
	Secret string `json:"secret"`
}

// putWebhook sets (or replaces) the webhook of an OCMW and answers with a
// new signing secret, shown only here.
func (a *API) putWebhook(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	ns, err := a.notices()
	if err != nil {
		return err
	}
	var in webhookIn
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	key := r.PathValue("key")
	secret, err := ns.SetWebhook(r.Context(), c, key, in.URL)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, webhookOut{URL: strings.TrimSpace(in.URL), Secret: secret})
	return nil
}

func (a *API) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	ns, err := a.notices()
	if err != nil {
		return err
	}
	if err := ns.DeleteWebhook(r.Context(), c, r.PathValue("key")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type inboxEmailIn struct {
	Email string `json:"email"`
}

// putInboxEmail sets the OCMW's inbox address for notices without personal
// data; an empty address removes it.
func (a *API) putInboxEmail(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	var in inboxEmailIn
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	email := strings.TrimSpace(in.Email)
	if email != "" {
		addr, err := mail.ParseAddress(email)
		if err != nil || addr.Address != email || len(email) > 254 {
			return apperr.FieldErr(apperr.Invalid, "email", "invalid e-mail address; give a bare address such as sociale.dienst@gemeente.be").
				WithKey("error.invalid_email", nil)
		}
	}
	if err := a.Orgs.SetInboxEmail(r.Context(), c, r.PathValue("key"), email); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
