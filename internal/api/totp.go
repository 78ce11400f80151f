package api

import (
	"net/http"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
)

// Area totp: the second factor (issue 15).

// resetSecondFactor: POST /api/v1/users/{id}/second-factor-reset — an
// admin (an OCMW admin for its own OCMW) removes a user's second factor
// (a lost phone): the user's sessions end, an e-mail tells the user, and
// a user whose role requires one enrols again at the next sign-in.
func (a *API) resetSecondFactor(w http.ResponseWriter, r *http.Request) error {
	c, id, err := callerWithID(w, r, nil)
	if err != nil {
		return err
	}
	sf, ok := a.Accounts.(account.SecondFactors)
	if !ok {
		return apperr.New(apperr.NotFound, "no second factors here")
	}
	if err := sf.ResetSecondFactor(r.Context(), c, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
