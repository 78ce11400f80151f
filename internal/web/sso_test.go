package web_test

// Area sso: single sign-on end to end against a real OpenID Provider
// (internal/sso/ssotest) on both databases, driven by an http client with
// a cookie jar as a browser would be.

import (
	"context"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/audit"
	"kansrijk/internal/httpx"
	"kansrijk/internal/server"
	"kansrijk/internal/sso"
	"kansrijk/internal/sso/ssotest"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

const ssoSecret = "kansrijk-test-client-secret"

type ssoWorld struct {
	db    *store.DB
	url   string
	prov  *ssotest.Provider
	users *storetest.Accounts
}

// newSSOWorld starts a provider and Kansrijk with single sign-on against
// it: organisation claim kansrijk_org, role claim kansrijk_role, and the
// provider's "Medewerker OCMW" mapped to ocmw_worker. Kansrijk is two
// instances over the one database behind a round-robin balancer, each
// with its own client (same configuration): every sign-in starts on one
// and comes back on the other.
func newSSOWorld(t *testing.T, db *store.DB) *ssoWorld {
	t.Helper()
	db.Now = time.Now
	prov := ssotest.Start(t)
	var instances [2]*server.Server
	for i := range instances {
		s, err := server.New(db)
		if err != nil {
			t.Fatal(err)
		}
		instances[i] = s
	}
	var turn atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		instances[turn.Add(1)%2].ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	prov.Register("kansrijk", ssoSecret, ts.URL+sso.CallbackPath)
	for _, s := range instances {
		c, err := sso.New(t.Context(), sso.Config{Issuer: prov.URL, ClientID: "kansrijk", ClientSecret: ssoSecret,
			OrgClaim: "kansrijk_org", RoleClaim: "kansrijk_role", RoleMap: map[string]account.Role{"Medewerker OCMW": account.OCMWWorker},
			RedirectURL: ts.URL + sso.CallbackPath})
		if err != nil {
			t.Fatal(err)
		}
		s.UseSSO(c)
	}
	users := storetest.Users(t, db, "opgroeien.test", storetest.U{Name: "beheerder", Role: "admin", Org: "opgroeien"})
	return &ssoWorld{db: db, url: ts.URL, prov: prov, users: users}
}

func jarClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: time.Minute}
}

// signIn runs the whole sign-in of username in a new browser-like client.
func (w *ssoWorld) signIn(t *testing.T, username string) (*http.Client, *http.Response, string) {
	t.Helper()
	c := jarClient()
	res, body, err := w.prov.SignIn(c, w.url+sso.StartPath+"?next=/organisations", username, "provider-password")
	if err != nil {
		t.Fatal(err)
	}
	return c, res, body
}

// signedIn reports whether c has a session: / answers the home page
// instead of sending it to the login page.
func (w *ssoWorld) signedIn(t *testing.T, c *http.Client) bool {
	t.Helper()
	res, err := c.Get(w.url + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode == 200 && res.Request.URL.Path == "/"
}

func (w *ssoWorld) events(t *testing.T, action string) []audit.Event {
	t.Helper()
	evs, err := w.db.AuditEvents(context.Background(), audit.Filter{Action: action, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// wantRefused checks a refused sign-in: the status, the code on the
// Dutch page, no session, and a login.failed event with the code.
func (w *ssoWorld) wantRefused(t *testing.T, c *http.Client, res *http.Response, body string, status int, code, dutch string) {
	t.Helper()
	if res.StatusCode != status || !strings.Contains(body, `<code id="sso-code">`+code+`</code>`) || !strings.Contains(body, dutch) {
		t.Errorf("%s: status %d, want %d; page: %.600s", code, res.StatusCode, status, pageMain(body))
	}
	if !strings.Contains(body, `lang="nl`) {
		t.Errorf("%s: the page is not Dutch", code)
	}
	if w.signedIn(t, c) {
		t.Errorf("%s: a session was opened", code)
	}
	found := false
	for _, e := range w.events(t, audit.LoginFailed) {
		found = found || strings.Contains(e.Detail, "oidc "+code)
	}
	if !found {
		t.Errorf("%s: no login.failed event with the code", code)
	}
}

func pageMain(body string) string {
	if i := strings.Index(body, "<main"); i >= 0 {
		body = body[i:]
	}
	return body
}

func TestSSOSignIn(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newSSOWorld(t, db)
		ctx := context.Background()

		t.Run("GoodSignIn", func(t *testing.T) {
			w.prov.AddUser(ssotest.User{ID: "sub-anna", Username: "anna", Password: "provider-password", Email: "Anna.Peeters@ocmw13016.test",
				EmailVerified: true, GivenName: "Anna", FamilyName: "Peeters", Claims: map[string]any{"kansrijk_org": "ocmw-13016", "kansrijk_role": "Medewerker OCMW"}})
			c, res, _ := w.signIn(t, "anna")
			if res.StatusCode != 200 || res.Request.URL.Path != "/organisations" {
				t.Fatalf("sign-in ended at %s with %d", res.Request.URL, res.StatusCode)
			}
			if !w.signedIn(t, c) {
				t.Fatal("no session after the sign-in")
			}
			u, err := db.UserByEmail(ctx, "anna.peeters@ocmw13016.test")
			if err != nil {
				t.Fatal(err)
			}
			if u.Role != account.OCMWWorker || u.Org != "ocmw-13016" || u.Name != "Anna Peeters" || !u.Active {
				t.Errorf("user %+v", u)
			}
			var ok bool
			for _, e := range w.events(t, audit.LoginOK) {
				ok = ok || (e.ActorUserID == u.ID && e.Detail == "oidc" && e.Channel == "session")
			}
			if !ok {
				t.Error("no login.ok event of the SSO sign-in")
			}
			if len(w.events(t, store.ActionIdentityLink)) == 0 {
				t.Error("no identity link event")
			}
			// The cookie is the password login's.
			if !hasCookie(c, w.url, httpx.SessionCookie) || hasCookie(c, w.url+"/auth/oidc/", sso.StateCookie) {
				t.Error("want the session cookie and no state cookie left")
			}
			// The next sign-in finds the user by (issuer, subject), even
			// with another address; a new role in the claims is taken.
			w.prov.AddUser(ssotest.User{ID: "sub-anna", Username: "anna", Password: "provider-password", Email: "anna@elders.test",
				EmailVerified: true, GivenName: "Anna", FamilyName: "Peeters", Claims: map[string]any{"kansrijk_org": "ocmw-13016", "kansrijk_role": []any{"ocmw_admin", "iets-anders"}}})
			c, _, _ = w.signIn(t, "anna")
			if !w.signedIn(t, c) {
				t.Fatal("second sign-in failed")
			}
			again, err := db.User(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if again.Role != account.OCMWAdmin || again.Email != u.Email {
				t.Errorf("after the second sign-in: %+v", again)
			}
		})

		t.Run("MatchByVerifiedEmail", func(t *testing.T) {
			local, err := db.CreateUser(ctx, account.Program(account.SourceTest, "sso"), account.NewUser{Email: "bert@team.test", Name: "Bert", Role: "admin", Org: "opgroeien"})
			if err != nil {
				t.Fatal(err)
			}
			w.prov.AddUser(ssotest.User{ID: "sub-bert-unverified", Username: "bert-unverified", Password: "provider-password", Email: "bert@team.test"})
			c, res, body := w.signIn(t, "bert-unverified")
			w.wantRefused(t, c, res, body, 403, sso.CodeEmailUnverified, "bevestigt niet")
			w.prov.AddUser(ssotest.User{ID: "sub-bert", Username: "bert", Password: "provider-password", Email: "BERT@team.test", EmailVerified: true})
			c, _, _ = w.signIn(t, "bert")
			if !w.signedIn(t, c) {
				t.Fatal("a local user with the verified address could not sign in")
			}
			if n, _ := db.CountUsers(ctx); n == 0 {
				t.Fatal("no users")
			}
			if _, err := db.UserByEmail(ctx, "bert@team.test"); err != nil {
				t.Fatal(err)
			}
			// Deactivated: no sign-in any more.
			if err := db.SetUserActive(ctx, account.Program(account.SourceTest, "sso"), local.ID, false); err != nil {
				t.Fatal(err)
			}
			c, res, body = w.signIn(t, "bert")
			w.wantRefused(t, c, res, body, 403, sso.CodeDeactivated, "gedeactiveerd")
		})

		t.Run("TokenFaults", func(t *testing.T) {
			w.prov.AddUser(ssotest.User{ID: "sub-chris", Username: "chris", Password: "provider-password", Email: "chris@ocmw13016.test",
				EmailVerified: true, Claims: map[string]any{"kansrijk_org": "ocmw-13016", "kansrijk_role": "ocmw_worker"}})
			for _, tc := range []struct {
				mode  ssotest.Mode
				code  string
				dutch string
			}{
				{ssotest.WrongAudience, sso.CodeAudience, "niet voor Kansrijk bestemd"},
				{ssotest.OtherParty, sso.CodeAudience, "niet voor Kansrijk bestemd"},
				{ssotest.Expired, sso.CodeExpired, "verlopen"},
				{ssotest.BadSignature, sso.CodeSignature, "handtekening"},
				{ssotest.WrongNonce, sso.CodeNonce, "andere aanmelding"},
			} {
				w.prov.Tamper(tc.mode)
				c, res, body := w.signIn(t, "chris")
				w.wantRefused(t, c, res, body, 401, tc.code, tc.dutch)
			}
			w.prov.Tamper(ssotest.Honest)
			if _, err := db.UserByEmail(ctx, "chris@ocmw13016.test"); err == nil {
				t.Error("a refused token made a user")
			}
			c, _, _ := w.signIn(t, "chris")
			if !w.signedIn(t, c) {
				t.Error("the honest token after the faults did not sign in")
			}
		})

		t.Run("StateMismatch", func(t *testing.T) {
			c := jarClient()
			res, err := c.Get(w.url + sso.CallbackPath + "?code=abc&state=forged")
			if err != nil {
				t.Fatal(err)
			}
			body := readBody(t, res)
			w.wantRefused(t, c, res, body, 400, sso.CodeState, "hoort niet bij deze browser")
			// A real sign-in whose state comes back altered.
			w.prov.AddUser(ssotest.User{ID: "sub-dirk", Username: "dirk", Password: "provider-password", Email: "dirk@ocmw13016.test", EmailVerified: true})
			c = jarClient()
			c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
				if req.URL.Path == sso.CallbackPath {
					q := req.URL.Query()
					q.Set("state", q.Get("state")+"x")
					req.URL.RawQuery = q.Encode()
				}
				return nil
			}
			res, body, err = w.prov.SignIn(c, w.url+sso.StartPath, "dirk", "provider-password")
			if err != nil {
				t.Fatal(err)
			}
			w.wantRefused(t, c, res, body, 400, sso.CodeState, "Begin opnieuw")
			// The provider's own error (the person cancelled).
			res, err = jarClient().Get(w.url + sso.CallbackPath + "?error=access_denied&state=x")
			if err != nil {
				t.Fatal(err)
			}
			if body := readBody(t, res); res.StatusCode != 400 || !strings.Contains(body, sso.CodeProviderError) {
				t.Errorf("provider error: %d", res.StatusCode)
			}
		})

		t.Run("UnknownOrganisationPendingThenAssigned", func(t *testing.T) {
			w.prov.AddUser(ssotest.User{ID: "sub-eva", Username: "eva", Password: "provider-password", Email: "eva@nieuwe-dienst.test", EmailVerified: true,
				GivenName: "Eva", FamilyName: "Nieuw", Claims: map[string]any{"kansrijk_org": "ocmw-99999", "kansrijk_role": "ocmw_worker"}})
			c, res, body := w.signIn(t, "eva")
			w.wantRefused(t, c, res, body, 403, sso.CodePending, "niet gekend")
			if !strings.Contains(body, "wacht op toewijzing") {
				t.Error("the pending page does not say the sign-in waits for an assignment")
			}
			if _, err := db.UserByEmail(ctx, "eva@nieuwe-dienst.test"); err == nil {
				t.Fatal("a pending sign-in made a user")
			}
			// The admin sees it on the users page and assigns it.
			admin := w.users.Session(t, "beheerder")
			ac := jarClient()
			u, _ := url.Parse(w.url)
			ac.Jar.SetCookies(u, []*http.Cookie{{Name: httpx.SessionCookie, Value: admin.Secret, Path: "/"}})
			res, err := ac.Get(w.url + "/users")
			if err != nil {
				t.Fatal(err)
			}
			page := readBody(t, res)
			m := regexp.MustCompile(`id="sso-pending-(\d+)"`).FindStringSubmatch(page)
			if m == nil || !strings.Contains(page, "eva@nieuwe-dienst.test") || !strings.Contains(page, "ocmw-99999") {
				t.Fatalf("the users page shows no pending sign-in: %.2000s", pageMain(page))
			}
			if len(w.events(t, store.ActionSSOPendingList)) == 0 {
				t.Error("reading the pending sign-ins was not audited")
			}
			// A role the organisation does not allow: refused, nothing made.
			res, err = ac.PostForm(w.url+"/users/sso-pending/"+m[1]+"/assign", url.Values{"csrf": {admin.CSRF}, "role": {"team_worker"}, "organisation": {"ocmw-13016"}})
			if err != nil {
				t.Fatal(err)
			}
			if readBody(t, res); res.StatusCode != 400 {
				t.Errorf("a role not allowed at the organisation: %d", res.StatusCode)
			}
			res, err = ac.PostForm(w.url+"/users/sso-pending/"+m[1]+"/assign", url.Values{"csrf": {admin.CSRF}, "role": {"ocmw_worker"}, "organisation": {"ocmw-13016"}})
			if err != nil {
				t.Fatal(err)
			}
			if page := readBody(t, res); res.StatusCode != 200 || res.Request.URL.Query().Get("ok") != "sso_assigned" || strings.Contains(page, `id="sso-pending-`+m[1]+`"`) {
				t.Fatalf("assign: %d at %s", res.StatusCode, res.Request.URL)
			}
			// The next sign-in works, with the admin's assignment (the
			// claim is still unknown).
			c, res, _ = w.signIn(t, "eva")
			if !w.signedIn(t, c) {
				t.Fatalf("after the assignment: %d at %s", res.StatusCode, res.Request.URL)
			}
			eva, err := db.UserByEmail(ctx, "eva@nieuwe-dienst.test")
			if err != nil || eva.Role != account.OCMWWorker || eva.Org != "ocmw-13016" {
				t.Errorf("eva: %+v %v", eva, err)
			}
			// Someone else (not an admin) may not assign.
			res, err = c.PostForm(w.url+"/users/sso-pending/"+m[1]+"/assign", url.Values{"role": {"admin"}, "organisation": {"opgroeien"}})
			if err != nil {
				t.Fatal(err)
			}
			if readBody(t, res); res.StatusCode != 403 {
				t.Errorf("a worker's assign without CSRF: %d", res.StatusCode)
			}
		})

		t.Run("NoRoleClaimPending", func(t *testing.T) {
			w.prov.AddUser(ssotest.User{ID: "sub-fien", Username: "fien", Password: "provider-password", Email: "fien@ocmw13016.test", EmailVerified: true,
				Claims: map[string]any{"kansrijk_org": "ocmw-13016"}})
			c, res, body := w.signIn(t, "fien")
			w.wantRefused(t, c, res, body, 403, sso.CodePending, "wacht op toewijzing")
			// A role not allowed at the organisation is no role either.
			w.prov.SetClaims("sub-fien", map[string]any{"kansrijk_org": "ocmw-13016", "kansrijk_role": "team_worker"})
			c, res, body = w.signIn(t, "fien")
			w.wantRefused(t, c, res, body, 403, sso.CodePending, "wacht op toewijzing")
		})
	})
}

func hasCookie(c *http.Client, raw, name string) bool {
	u, _ := url.Parse(raw)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == name && ck.Value != "" {
			return true
		}
	}
	return false
}

func readBody(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String()
}

// TestSSOProviderUnreachable: a provider that does not answer gives the
// Dutch page with its code (502), never a 500 nor a session; password
// sign-in is not affected. Without an issuer the login page shows nothing
// of single sign-on and its routes answer 404.
func TestSSOProviderUnreachable(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	db.Now = time.Now
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	s, err := server.New(db)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)

	c := jarClient()
	res, err := c.Get(ts.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, res); strings.Contains(body, "sso-start") || strings.Contains(body, "/auth/oidc") {
		t.Error("the login page offers single sign-on while it is off")
	}
	for _, p := range []string{sso.StartPath, sso.CallbackPath + "?code=x&state=y"} {
		res, err := c.Get(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		if readBody(t, res); res.StatusCode != 404 {
			t.Errorf("%s with single sign-on off: %d", p, res.StatusCode)
		}
	}

	sc, err := sso.New(t.Context(), sso.Config{Issuer: dead, ClientID: "kansrijk", ClientSecret: ssoSecret, RedirectURL: ts.URL + sso.CallbackPath})
	if sc == nil || sso.CodeOf(err) != sso.CodeProviderUnreachable {
		t.Fatalf("New against a dead provider: %v, %v", sc, err)
	}
	s.UseSSO(sc)
	res, err = c.Get(ts.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, res); !strings.Contains(body, `id="sso-start"`) {
		t.Error("the login page does not offer single sign-on")
	}
	w := &ssoWorld{db: db, url: ts.URL}
	res, err = c.Get(ts.URL + sso.StartPath)
	if err != nil {
		t.Fatal(err)
	}
	w.wantRefused(t, c, res, readBody(t, res), 502, sso.CodeProviderUnreachable, "niet bereikbaar")
}
