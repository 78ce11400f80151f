// Package sso is the protocol side of single sign-on with OpenID Connect
// (issue 15): the authorization code flow with PKCE (S256), state and
// nonce against any standard provider, found by discovery from its issuer
// URL. It verifies what comes back (issuer, audience, expiry, signature
// against the provider's JWKS, nonce, state) and gives the identity it
// carries; matching it to a user and starting the session is the store's
// (SignIn), showing the pages the web UI's.
//
// Every failure is an *Error with a stable code, for the audit log and the
// person's page; nothing in this package logs personal data.
package sso

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"kansrijk/internal/account"
)

// The stable codes of a failed sign-in (audit detail, log, page).
const (
	CodeProviderUnreachable = "oidc_provider_unreachable" // discovery, token or keys could not be fetched
	CodeProviderError       = "oidc_provider_error"       // the provider answered with an error (the person cancelled, …)
	CodeTokenRefused        = "oidc_token_refused"        // the token endpoint refused the code
	CodeState               = "oidc_state_mismatch"       // no, an expired or another sign-in's state
	CodeAudience            = "oidc_wrong_audience"       // the id_token is not for this client
	CodeIssuer              = "oidc_wrong_issuer"         // the id_token comes from another issuer
	CodeExpired             = "oidc_token_expired"        // the id_token has expired
	CodeSignature           = "oidc_bad_signature"        // the signature does not verify against the provider's keys
	CodeNonce               = "oidc_nonce_mismatch"       // the id_token answers another sign-in
	CodeInvalidToken        = "oidc_invalid_token"        // no or a malformed id_token, or userinfo for another subject
	CodeNoEmail             = "oidc_no_email"             // no e-mail address to create or match a user with
	CodeEmailUnverified     = "oidc_email_unverified"     // an unverified address names an existing user
	CodePending             = "oidc_pending"              // no (known) organisation or role: waits for an admin
	CodeDeactivated         = "oidc_deactivated"          // the user is deactivated
	CodeNotAllowed          = "oidc_not_allowed"          // a service account, or an e-mail in use by one
)

// Codes lists every code (the i18n catalogue has a page text for each).
var Codes = []string{CodeProviderUnreachable, CodeProviderError, CodeTokenRefused, CodeState, CodeAudience, CodeIssuer,
	CodeExpired, CodeSignature, CodeNonce, CodeInvalidToken, CodeNoEmail, CodeEmailUnverified, CodePending, CodeDeactivated, CodeNotAllowed}

// Error is a failed sign-in: Code is stable, Detail says more for the log
// (never personal data), Err is the cause.
type Error struct {
	Code   string
	Detail string
	Err    error
}

func (e *Error) Error() string {
	s := "sso: " + e.Code
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Fail returns an *Error.
func Fail(code, detail string, err error) *Error { return &Error{Code: code, Detail: detail, Err: err} }

// CodeOf returns the code of an *Error in err's chain, or "".
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// CallbackPath is where the provider sends the person back.
const CallbackPath = "/auth/oidc/callback"

// StartPath starts a sign-in.
const StartPath = "/auth/oidc/start"

// Config is a provider and how its claims become a role and organisation.
type Config struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// Scopes asked for; "openid" is always added.
	Scopes []string
	// OrgClaim and RoleClaim name the claims that carry the organisation
	// key and the role; empty: an admin assigns them.
	OrgClaim, RoleClaim string
	// RoleMap turns a role claim's value into a role; a value not in it
	// is taken as a role name (admin, team_worker, …) when it is one.
	RoleMap map[string]account.Role
	// RedirectURL is the public address of the callback.
	RedirectURL string
	// HTTPClient talks to the provider (default: 10 s time limit).
	HTTPClient *http.Client
}

// DefaultScopes are asked for when KANSRIJK_OIDC_SCOPES is unset.
var DefaultScopes = []string{oidc.ScopeOpenID, "email", "profile"}

// ConfigFromEnv reads the KANSRIJK_OIDC_* settings; ok is false when no
// issuer is configured (single sign-on off).
func ConfigFromEnv(getenv func(string) string) (cfg Config, ok bool, err error) {
	cfg.Issuer = strings.TrimSpace(getenv("KANSRIJK_OIDC_ISSUER"))
	if cfg.Issuer == "" {
		return cfg, false, nil
	}
	cfg.ClientID = strings.TrimSpace(getenv("KANSRIJK_OIDC_CLIENT_ID"))
	cfg.ClientSecret = getenv("KANSRIJK_OIDC_CLIENT_SECRET")
	if s := getenv("KANSRIJK_OIDC_SCOPES"); strings.TrimSpace(s) != "" {
		cfg.Scopes = strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
	}
	cfg.OrgClaim = strings.TrimSpace(getenv("KANSRIJK_OIDC_ORG_CLAIM"))
	cfg.RoleClaim = strings.TrimSpace(getenv("KANSRIJK_OIDC_ROLE_CLAIM"))
	if cfg.RoleMap, err = ParseRoleMap(getenv("KANSRIJK_OIDC_ROLE_MAP")); err != nil {
		return cfg, true, err
	}
	base := strings.TrimRight(strings.TrimSpace(getenv("KANSRIJK_BASE_URL")), "/")
	if base == "" {
		base = "http://localhost:8080"
	}
	cfg.RedirectURL = base + CallbackPath
	return cfg, true, cfg.Check()
}

// ParseRoleMap reads "value=role,value=role" (the role claim's value, then
// a Kansrijk role).
func ParseRoleMap(s string) (map[string]account.Role, error) {
	m := map[string]account.Role{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		k, v, ok := strings.Cut(item, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("KANSRIJK_OIDC_ROLE_MAP: want value=role, got %q", item)
		}
		r, err := account.ParseRole(v)
		if err != nil {
			return nil, fmt.Errorf("KANSRIJK_OIDC_ROLE_MAP: %q: unknown role %q", k, strings.TrimSpace(v))
		}
		m[strings.TrimSpace(k)] = r
	}
	return m, nil
}

// Check reports what is missing or wrong in cfg.
func (cfg Config) Check() error {
	var errs []error
	if u, err := url.Parse(cfg.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("KANSRIJK_OIDC_ISSUER: want an http(s) URL, got %q", cfg.Issuer))
	}
	if cfg.ClientID == "" {
		errs = append(errs, errors.New("KANSRIJK_OIDC_CLIENT_ID is required with KANSRIJK_OIDC_ISSUER"))
	}
	if cfg.ClientSecret == "" {
		errs = append(errs, errors.New("KANSRIJK_OIDC_CLIENT_SECRET is required with KANSRIJK_OIDC_ISSUER"))
	}
	if u, err := url.Parse(cfg.RedirectURL); err != nil || u.Host == "" {
		errs = append(errs, fmt.Errorf("redirect URL %q: KANSRIJK_BASE_URL must be an absolute URL", cfg.RedirectURL))
	}
	return errors.Join(errs...)
}

// Identity is what a verified sign-in says about the person.
type Identity struct {
	Issuer, Subject string
	Email           string // lower-cased
	EmailVerified   bool
	Name            string
	// Org is the organisation claim's value ("" when absent); Role the
	// role claim's value mapped to a role ("" when absent or unknown),
	// RoleClaim the claim's value as sent.
	Org, RoleClaim string
	Role           account.Role
}

// SignIn is a verified identity arriving from a client.
type SignIn struct {
	Identity
	ClientAddr, RequestID string
}

// Pending is a sign-in that waits for an admin to assign a role and an
// organisation.
type Pending struct {
	ID              int64
	Issuer, Subject string
	Email, Name     string
	// ClaimedOrg and ClaimedRole are what the claims said (may be empty
	// or unknown).
	ClaimedOrg, ClaimedRole string
	FirstSeen, LastSeen     time.Time
	Attempts                int
}

// Store is what sign-in needs of the database.
type Store interface {
	// SignIn matches the identity to a user (by issuer and subject; at
	// the first sign-in by a verified e-mail address, or a new user when
	// the claims carry a role and organisation) and opens a session as a
	// password login does. It audits the outcome; a sign-in without a
	// role or organisation is kept as pending (CodePending).
	SignIn(ctx context.Context, in SignIn) (account.Session, error)
	// FailSignIn audits a sign-in that failed before an identity was
	// known (code is one of Codes).
	FailSignIn(ctx context.Context, code, detail, addr, requestID string) error
	// PendingSignIns lists the pending sign-ins (admins only; audited).
	PendingSignIns(ctx context.Context, a account.Actor) ([]Pending, error)
	// AssignPending creates the user of a pending sign-in with a role and
	// organisation and links the identity to it.
	AssignPending(ctx context.Context, a account.Actor, id int64, role, orgKey string) (account.User, error)
}

// Client signs people in at one provider.
type Client struct {
	cfg Config
	hc  *http.Client
	key []byte // signs the state cookie

	mu      sync.Mutex
	prov    *oidc.Provider
	lastTry time.Time
	lastErr error
}

// retryDiscovery is how long a failed discovery is remembered.
const retryDiscovery = 5 * time.Second

// New checks cfg and tries discovery. The client is usable even when
// discovery fails (err is then a CodeProviderUnreachable *Error to log):
// each sign-in tries again, so that a provider that comes back works
// without a restart, and password sign-in never depends on it.
func New(ctx context.Context, cfg Config) (*Client, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, hc: cfg.HTTPClient}
	if c.hc == nil {
		c.hc = &http.Client{Timeout: 10 * time.Second}
	}
	// Every instance with the same client secret accepts the others'
	// state cookies: two instances behind one address work.
	m := hmac.New(sha256.New, []byte(cfg.ClientSecret))
	m.Write([]byte("kansrijk oidc state cookie v1\x00" + cfg.Issuer + "\x00" + cfg.ClientID))
	c.key = m.Sum(nil)
	_, err := c.provider(ctx)
	return c, err
}

// Issuer is the configured issuer URL.
func (c *Client) Issuer() string { return c.cfg.Issuer }

func (c *Client) ctx(ctx context.Context) context.Context { return oidc.ClientContext(ctx, c.hc) }

func (c *Client) provider(ctx context.Context) (*oidc.Provider, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.prov != nil {
		return c.prov, nil
	}
	if c.lastErr != nil && time.Since(c.lastTry) < retryDiscovery {
		return nil, c.lastErr
	}
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(c.ctx(dctx), c.cfg.Issuer)
	c.lastTry = time.Now()
	if err != nil {
		c.lastErr = Fail(CodeProviderUnreachable, "discovery", err)
		return nil, c.lastErr
	}
	c.prov, c.lastErr = p, nil
	return p, nil
}

func (c *Client) oauth(p *oidc.Provider) *oauth2.Config {
	scopes := []string{oidc.ScopeOpenID}
	src := c.cfg.Scopes
	if len(src) == 0 {
		src = DefaultScopes
	}
	for _, s := range src {
		if s != oidc.ScopeOpenID {
			scopes = append(scopes, s)
		}
	}
	return &oauth2.Config{ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: c.cfg.RedirectURL, Scopes: scopes}
}

// StateCookie is the short-lived cookie that carries a sign-in's state,
// nonce and PKCE verifier from the start to the callback.
const StateCookie = "kansrijk_oidc"

// StateLifetime is how long a started sign-in may take.
const StateLifetime = 10 * time.Minute

type state struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Next     string `json:"r,omitempty"`
	Expires  int64  `json:"e"`
}

// Start begins a sign-in: the provider's authorization URL to redirect
// to, and the value of the StateCookie to set (signed; it holds the
// state, nonce and PKCE verifier). next is where to go after signing in.
func (c *Client) Start(ctx context.Context, next string) (authURL, cookie string, err error) {
	p, err := c.provider(ctx)
	if err != nil {
		return "", "", err
	}
	st := state{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier(), Next: next, Expires: time.Now().Add(StateLifetime).Unix()}
	b, _ := json.Marshal(st)
	payload := base64.RawURLEncoding.EncodeToString(b)
	cookie = payload + "." + base64.RawURLEncoding.EncodeToString(c.sign(payload))
	authURL = c.oauth(p).AuthCodeURL(st.State, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier))
	return authURL, cookie, nil
}

func (c *Client) sign(payload string) []byte {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte(payload))
	return m.Sum(nil)
}

func (c *Client) readState(cookie string) (state, error) {
	var st state
	payload, sig, ok := strings.Cut(cookie, ".")
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if !ok || err != nil || !hmac.Equal(mac, c.sign(payload)) {
		return st, Fail(CodeState, "no valid state cookie", nil)
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil || json.Unmarshal(b, &st) != nil {
		return st, Fail(CodeState, "malformed state cookie", nil)
	}
	if time.Now().Unix() > st.Expires {
		return st, Fail(CodeState, "sign-in took too long", nil)
	}
	return st, nil
}

func random() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Finish completes a sign-in at the callback: cookie is the StateCookie's
// value ("" when absent), q the callback's query. It returns the verified
// identity and where to go next.
func (c *Client) Finish(ctx context.Context, cookie string, q url.Values) (id Identity, next string, err error) {
	if e := q.Get("error"); e != "" {
		return id, "", Fail(CodeProviderError, "provider error "+safeWord(e), nil)
	}
	st, err := c.readState(cookie)
	if err != nil {
		return id, "", err
	}
	if got := q.Get("state"); got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(st.State)) != 1 {
		return id, "", Fail(CodeState, "state does not match", nil)
	}
	code := q.Get("code")
	if code == "" {
		return id, "", Fail(CodeProviderError, "no code", nil)
	}
	p, err := c.provider(ctx)
	if err != nil {
		return id, "", err
	}
	ctx = c.ctx(ctx)
	tok, err := c.oauth(p).Exchange(ctx, code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return id, "", Fail(CodeTokenRefused, "token endpoint "+safeWord(re.ErrorCode), nil)
		}
		return id, "", Fail(CodeProviderUnreachable, "token endpoint", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return id, "", Fail(CodeInvalidToken, "no id_token in the token response", nil)
	}
	idt, err := p.VerifierContext(ctx, &oidc.Config{ClientID: c.cfg.ClientID}).Verify(ctx, raw)
	if err != nil {
		return id, "", classify(err)
	}
	// With more than one audience the token must name this client as the
	// party it was issued to (OpenID Connect Core 3.1.3.7, points 4-5).
	var azp struct {
		AZP string `json:"azp"`
	}
	_ = idt.Claims(&azp)
	if (len(idt.Audience) > 1 || azp.AZP != "") && azp.AZP != c.cfg.ClientID {
		return id, "", Fail(CodeAudience, "authorized party is another client", nil)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.Nonce)) != 1 {
		return id, "", Fail(CodeNonce, "nonce does not match", nil)
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return id, "", Fail(CodeInvalidToken, "claims", err)
	}
	// Claims the id_token lacks may come from the userinfo endpoint (many
	// providers put only the subject in the id_token).
	if p.UserInfoEndpoint() != "" {
		ui, err := p.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return id, "", Fail(CodeProviderUnreachable, "userinfo", err)
		}
		if ui.Subject != idt.Subject {
			return id, "", Fail(CodeInvalidToken, "userinfo names another subject", nil)
		}
		more := map[string]any{}
		if err := ui.Claims(&more); err == nil {
			for k, v := range more {
				if _, ok := claims[k]; !ok {
					claims[k] = v
				}
			}
		}
	}
	id = Identity{Issuer: idt.Issuer, Subject: idt.Subject}
	id.Email = account.NormalizeEmail(claimString(claims["email"]))
	switch v := claims["email_verified"].(type) {
	case bool:
		id.EmailVerified = v
	case string:
		id.EmailVerified = v == "true"
	}
	id.Name = claimString(claims["name"])
	if id.Name == "" {
		id.Name = strings.TrimSpace(claimString(claims["given_name"]) + " " + claimString(claims["family_name"]))
	}
	if len(id.Name) > 200 {
		id.Name = id.Name[:200]
	}
	if c.cfg.OrgClaim != "" {
		id.Org = strings.TrimSpace(claimString(claims[c.cfg.OrgClaim]))
	}
	if c.cfg.RoleClaim != "" {
		id.RoleClaim, id.Role = c.role(claims[c.cfg.RoleClaim])
	}
	return id, st.Next, nil
}

// role maps a role claim (a string, or a list of which exactly one value
// maps to a role) to a role.
func (c *Client) role(v any) (string, account.Role) {
	var vals []string
	switch v := v.(type) {
	case string:
		vals = []string{v}
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				vals = append(vals, s)
			}
		}
	}
	found := map[account.Role]bool{}
	var role account.Role
	for _, s := range vals {
		s = strings.TrimSpace(s)
		r, ok := c.cfg.RoleMap[s]
		if !ok {
			if pr, err := account.ParseRole(s); err == nil {
				r, ok = pr, true
			}
		}
		if ok && !found[r] {
			found[r], role = true, r
		}
	}
	raw := strings.Join(vals, ",")
	if len(raw) > 200 {
		raw = raw[:200]
	}
	if len(found) != 1 {
		return raw, ""
	}
	return raw, role
}

func claimString(v any) string {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v)
	case []any:
		if len(v) > 0 {
			s, _ := v[0].(string)
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// classify turns a verification error of go-oidc into a code. The tests
// of this package provoke each one against a real provider, so that a
// new version of the library that words its errors differently fails
// them.
func classify(err error) *Error {
	var exp *oidc.TokenExpiredError
	msg := err.Error()
	switch {
	case errors.As(err, &exp):
		return Fail(CodeExpired, "", err)
	case strings.Contains(msg, "expected audience"):
		return Fail(CodeAudience, "", err)
	case strings.Contains(msg, "issued by a different provider"):
		return Fail(CodeIssuer, "", err)
	case strings.Contains(msg, "fetching keys"):
		return Fail(CodeProviderUnreachable, "keys", err)
	case strings.Contains(msg, "failed to verify signature"):
		return Fail(CodeSignature, "", err)
	}
	return Fail(CodeInvalidToken, "", err)
}

// safeWord keeps an OAuth error code short and printable for the log.
func safeWord(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= 40 {
			break
		}
		if r == '_' || r == '-' || r == '.' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}
