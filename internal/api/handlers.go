package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/httpx"
	"kansrijk/internal/municipality"
	"kansrijk/internal/org"
	"kansrijk/internal/page"
)

type meResponse struct {
	ID           int64  `json:"id"`
	Email        string `json:"email"`
	Name         string `json:"name"`
	Role         string `json:"role"`
	Organisation string `json:"organisation"`
	OrgKind      string `json:"organisation_kind"`
}

func (a *API) me(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, meResponse{c.UserID, c.Email, c.Name, string(c.Role), c.Org, string(c.OrgKind)})
	return nil
}

type municipalityJSON struct {
	NIS          string  `json:"nis"`
	Name         string  `json:"name"`
	Province     string  `json:"province"`
	Region       string  `json:"region"`
	ValidFrom    string  `json:"valid_from"`
	ValidTo      *string `json:"valid_to"`
	SuccessorNIS *string `json:"successor_nis"`
}

// MunicipalityJSON converts a municipality to its API shape.
func MunicipalityJSON(m municipality.Municipality) municipalityJSON {
	j := municipalityJSON{NIS: m.NIS, Name: m.Name, Province: m.Province, Region: string(m.Region), ValidFrom: m.ValidFrom.Format(time.DateOnly)}
	if m.ValidTo != nil {
		s := m.ValidTo.Format(time.DateOnly)
		j.ValidTo = &s
	}
	if m.SuccessorNIS != "" {
		s := m.SuccessorNIS
		j.SuccessorNIS = &s
	}
	return j
}

// listMunicipalities is public reference data: no login needed.
func (a *API) listMunicipalities(w http.ResponseWriter, r *http.Request) error {
	req, err := page.Parse(r.URL.Query(), "name", "nis")
	if err != nil {
		return err
	}
	on, err := dateParam(r, "on", a.today())
	if err != nil {
		return err
	}
	region := municipality.Region(r.URL.Query().Get("region"))
	if region != "" && region != municipality.Flanders && region != municipality.Brussels {
		return apperr.FieldErr(apperr.Invalid, "region", "region must be flanders or brussels")
	}
	list := a.Municipalities.On(on, region)
	if req.Q != "" {
		list = slices.DeleteFunc(list, func(m municipality.Municipality) bool {
			return !strings.Contains(strings.ToLower(m.Name), strings.ToLower(req.Q)) && !strings.HasPrefix(m.NIS, req.Q)
		})
	}
	res := page.Slice(req, list, func(m municipality.Municipality) (string, int64) {
		id, _ := strconv.ParseInt(m.NIS, 10, 64)
		if req.Sort == "nis" {
			return "", id
		}
		return strings.ToLower(m.Name), id
	})
	writePage(w, "municipalities", mapItems(res.Items, MunicipalityJSON), res.NextCursor(), map[string]any{"on": on.Format(time.DateOnly)})
	return nil
}

func (a *API) listOrganisations(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	if err := c.Require(account.ViewOrganisations); err != nil {
		return err
	}
	req, err := page.Parse(r.URL.Query(), "name", "key")
	if err != nil {
		return err
	}
	f := org.Filter{Kind: r.URL.Query().Get("kind")}
	switch f.Kind {
	case "", "opgroeien", "ocmw", "caw", "team", "clinic":
	default:
		return apperr.FieldErr(apperr.Invalid, "kind", "kind must be opgroeien, ocmw, caw, team or clinic")
	}
	if r.URL.Query().Has("on") {
		on, err := dateParam(r, "on", a.today())
		if err != nil {
			return err
		}
		f.On = &on
	}
	list, err := a.Orgs.Organisations(r.Context(), f)
	if err != nil {
		return err
	}
	if req.Q != "" {
		list = slices.DeleteFunc(list, func(o org.Organisation) bool {
			q := strings.ToLower(req.Q)
			return !strings.Contains(strings.ToLower(o.Name), q) && !strings.Contains(o.Key, q)
		})
	}
	res := page.Slice(req, list, func(o org.Organisation) (string, int64) { return orgSortKey(req.Sort, o.Name, o.Key), 0 })
	writePage(w, "organisations", res.Items, res.NextCursor(), nil)
	return nil
}

type teamJSON struct {
	Key            string   `json:"key"`
	Name           string   `json:"name"`
	Municipalities []string `json:"municipalities"`
	ValidFrom      string   `json:"valid_from"`
	AreaFrom       string   `json:"area_from,omitempty"`
	On             string   `json:"on"`
	// Phone and Email: the team's shared number and mailbox ("" when
	// none is known).
	Phone string `json:"phone"`
	Email string `json:"email"`
}

func toTeamJSON(t org.Team, on time.Time) teamJSON {
	j := teamJSON{Key: t.Key, Name: t.Name, Municipalities: t.Municipalities, ValidFrom: t.ValidFrom.Format(time.DateOnly), On: on.Format(time.DateOnly),
		Phone: t.Phone, Email: t.Email}
	if !t.AreaFrom.IsZero() {
		j.AreaFrom = t.AreaFrom.Format(time.DateOnly)
	}
	if j.Municipalities == nil {
		j.Municipalities = []string{}
	}
	return j
}

func (a *API) listTeams(w http.ResponseWriter, r *http.Request) error {
	if _, err := caller(r); err != nil {
		return err
	}
	req, err := page.Parse(r.URL.Query(), "name", "key")
	if err != nil {
		return err
	}
	on, err := dateParam(r, "on", a.today())
	if err != nil {
		return err
	}
	teams, err := a.Orgs.Teams(r.Context(), on)
	if err != nil {
		return err
	}
	if req.Q != "" {
		teams = slices.DeleteFunc(teams, func(t org.Team) bool {
			q := strings.ToLower(req.Q)
			return !strings.Contains(strings.ToLower(t.Name), q) && !strings.Contains(t.Key, q)
		})
	}
	res := page.Slice(req, teams, func(t org.Team) (string, int64) { return orgSortKey(req.Sort, t.Name, t.Key), 0 })
	writePage(w, "teams", mapItems(res.Items, func(t org.Team) teamJSON { return toTeamJSON(t, on) }), res.NextCursor(), nil)
	return nil
}

func (a *API) getTeam(w http.ResponseWriter, r *http.Request) error {
	if _, err := caller(r); err != nil {
		return err
	}
	on, err := dateParam(r, "on", a.today())
	if err != nil {
		return err
	}
	t, err := a.Orgs.Team(r.Context(), r.PathValue("key"), on)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toTeamJSON(t, on))
	return nil
}

func parseDay(field, s string) (time.Time, error) {
	d, err := municipality.ParseDate(strings.TrimSpace(s))
	if err != nil {
		return d, apperr.FieldErr(apperr.InvalidDate, field, "%s must be a date YYYY-MM-DD, got %q", field, s)
	}
	return d, nil
}

func (a *API) createTeam(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	var in org.NewTeam
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.ValidFrom == "" {
		in.From = a.today()
	} else if in.From, err = parseDay("valid_from", in.ValidFrom); err != nil {
		return err
	}
	t, err := a.Orgs.CreateTeam(r.Context(), c, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toTeamJSON(t, in.From))
	return nil
}

func (a *API) updateTeam(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	var up org.TeamUpdate
	if err := httpx.DecodeJSON(w, r, &up); err != nil {
		return err
	}
	if up.ValidFrom != "" {
		if up.From, err = parseDay("valid_from", up.ValidFrom); err != nil {
			return err
		}
	} else if up.Municipalities != nil {
		up.From = a.today()
	}
	t, err := a.Orgs.UpdateTeam(r.Context(), c, r.PathValue("key"), up)
	if err != nil {
		return err
	}
	on := a.today()
	if up.From.After(on) {
		on = up.From
	}
	httpx.WriteJSON(w, http.StatusOK, toTeamJSON(t, on))
	return nil
}

func (a *API) createClinic(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	var in org.NewClinic
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	o, err := a.Orgs.CreateClinic(r.Context(), c, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, o)
	return nil
}

type userJSON struct {
	ID           int64  `json:"id"`
	Email        string `json:"email"`
	Name         string `json:"name"`
	Role         string `json:"role"`
	Organisation string `json:"organisation"`
	Active       bool   `json:"active"`
	CreatedAt    string `json:"created_at"`
}

func toUserJSON(u account.User) userJSON {
	return userJSON{u.ID, u.Email, u.Name, string(u.Role), u.Org, u.Active, u.CreatedAt.UTC().Format(time.RFC3339)}
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	f, req, err := userQuery(r)
	if err != nil {
		return err
	}
	res, err := a.Accounts.UserPage(r.Context(), c, f, req)
	if err != nil {
		return err
	}
	writePage(w, "users", mapItems(res.Items, toUserJSON), res.NextCursor(), nil)
	return nil
}

type newUserJSON struct {
	Email        string `json:"email"`
	Name         string `json:"name"`
	Role         string `json:"role"`
	Organisation string `json:"organisation"`
	// Password is refused (403): an administrator never chooses another
	// person's password. Kept in the body so that old clients get a clear
	// answer rather than unknown_field.
	Password string `json:"password"`
}

// createUser creates a user without a password: the answer carries, once,
// the one-time link with which the user sets it (also e-mailed to them).
func (a *API) createUser(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	var in newUserJSON
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	u, link, err := a.Accounts.InviteUser(r.Context(), c, account.NewUser{Email: in.Email, Name: in.Name, Role: in.Role, Org: in.Organisation, Password: in.Password})
	if err != nil {
		return errOrgField(err)
	}
	httpx.WriteJSON(w, http.StatusCreated, struct {
		userJSON
		PasswordLink passwordLinkJSON `json:"password_link"`
	}{toUserJSON(u), toPasswordLinkJSON(link)})
	return nil
}

func (a *API) createToken(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	var in struct {
		Email string `json:"email"`
		Label string `json:"label"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Email == "" {
		in.Email = c.Email
	}
	secret, err := a.Accounts.CreateToken(r.Context(), c, in.Email, in.Label)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"token": secret, "email": account.NormalizeEmail(in.Email), "label": in.Label})
	return nil
}

// listTokens lists the caller's own API tokens (never the secrets), so
// that a client can find the id to revoke.
func (a *API) listTokens(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	req, err := page.Parse(r.URL.Query(), "created")
	if err != nil {
		return err
	}
	list, err := a.Accounts.Tokens(r.Context(), c, c.UserID)
	if err != nil {
		return err
	}
	res := page.Slice(req, list, func(t account.Token) (string, int64) { return "", t.ID })
	writePage(w, "tokens", res.Items, res.NextCursor(), nil)
	return nil
}

func (a *API) revokeToken(w http.ResponseWriter, r *http.Request) error {
	c, id, err := callerWithID(w, r, nil)
	if err != nil {
		return err
	}
	if err := a.Accounts.RevokeToken(r.Context(), c, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// orgSortKey is the sort value of an organisation or a team: its name
// (case-insensitive) or its key; the key breaks ties between names.
func orgSortKey(sort, name, key string) string {
	if sort == "key" {
		return key
	}
	return strings.ToLower(name) + "\x1f" + key
}

// userQuery reads the users list's parameters: the page, role,
// organisation and active.
func userQuery(r *http.Request) (account.UserQuery, page.Request, error) {
	var f account.UserQuery
	req, err := page.Parse(r.URL.Query(), account.UserSorts...)
	if err != nil {
		return f, req, err
	}
	roles := make([]string, len(account.Roles))
	for i, x := range account.Roles {
		roles[i] = string(x)
	}
	role, err := filterParam(r, "role", roles...)
	if err != nil {
		return f, req, err
	}
	f.Role, f.Org = account.Role(role), strings.TrimSpace(r.URL.Query().Get("organisation"))
	f.Active, err = boolParam(r, "active")
	return f, req, err
}
