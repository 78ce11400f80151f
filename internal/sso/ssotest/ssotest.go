// Package ssotest starts a real OpenID Provider for tests (area sso): the
// provider package of zitadel/oidc with the in-memory storage of its
// example server and its login page, on 127.0.0.1. Its users carry extra
// claims (an organisation, a role) as a test sets them, and a tamper mode
// alters the id_token of the provider's token responses on the way out —
// re-signed with the provider's own key for a wrong audience, an expired
// token or another nonce, or changed without re-signing for a bad
// signature — so that every fault comes from a real token endpoint.
package ssotest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// Mode is how the token endpoint's id_token is altered.
type Mode string

// The tamper modes.
const (
	Honest        Mode = ""
	WrongAudience Mode = "audience"  // aud and azp name another client; re-signed
	OtherParty    Mode = "azp"       // aud names this client and another, azp the other; re-signed
	Expired       Mode = "expired"   // exp an hour ago; re-signed
	WrongNonce    Mode = "nonce"     // another sign-in's nonce; re-signed
	BadSignature  Mode = "signature" // the subject changed, the signature kept
)

// User is a person at the provider.
type User struct {
	ID, Username, Password string
	Email                  string
	EmailVerified          bool
	GivenName, FamilyName  string
	// Claims are added to the id_token and the userinfo answer.
	Claims map[string]any
}

// Provider is a running OpenID Provider.
type Provider struct {
	// URL is the issuer (and the address) of the provider.
	URL string

	key  *rsa.PrivateKey
	kid  string
	mode atomic.Value // Mode

	mu      sync.Mutex
	users   map[string]*storage.User
	claims  map[string]map[string]any
	clients map[string]*storage.Client
}

// Start starts a provider on 127.0.0.1 until the test ends.
func Start(t testing.TB) *Provider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &Provider{key: key, kid: "ssotest-1", users: map[string]*storage.User{}, claims: map[string]map[string]any{}, clients: map[string]*storage.Client{}}
	p.mode.Store(Honest)
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.serve(handler, w, r) }))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	st := &providerStorage{Storage: storage.NewStorageWithClients(userStore{p}, p.clients), p: p}
	handler = exampleop.SetupServer(p.URL, st, nil, false)
	return p
}

// Register registers a confidential web client (client secret, code flow).
func (p *Provider) Register(clientID, secret string, redirectURIs ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clients[clientID] = storage.WebClient(clientID, secret, redirectURIs...)
}

// AddUser adds (or replaces) a user.
func (p *Provider) AddUser(u User) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.users[u.ID] = &storage.User{ID: u.ID, Username: u.Username, Password: u.Password, Email: u.Email, EmailVerified: u.EmailVerified,
		FirstName: u.GivenName, LastName: u.FamilyName, PreferredLanguage: language.Dutch}
	p.claims[u.ID] = u.Claims
}

// SetClaims replaces the extra claims of a user.
func (p *Provider) SetClaims(userID string, claims map[string]any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.claims[userID] = claims
}

// Tamper sets how the next token responses are altered (Honest: not).
func (p *Provider) Tamper(m Mode) { p.mode.Store(m) }

// LoginPath is the provider's login form (fields id, username, password).
const LoginPath = "/login/username"

// SignIn runs a sign-in through the provider with an http client that
// keeps cookies: GET startURL (the relying party's start, which sends the
// client to the provider and on to its login page), then the provider's
// login form with the user's name and password. It returns the last
// answer (after every redirect) and its body.
func (p *Provider) SignIn(c *http.Client, startURL, username, password string) (*http.Response, string, error) {
	res, err := c.Get(startURL)
	if err != nil {
		return nil, "", err
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.Request.URL.Path != LoginPath {
		return res, string(body), nil // the relying party answered itself (an error page)
	}
	id := res.Request.URL.Query().Get("authRequestID")
	res, err = c.PostForm(p.URL+LoginPath, url.Values{"id": {id}, "username": {username}, "password": {password}})
	if err != nil {
		return nil, "", err
	}
	defer res.Body.Close()
	body, _ = io.ReadAll(res.Body)
	return res, string(body), nil
}

func (p *Provider) serve(h http.Handler, w http.ResponseWriter, r *http.Request) {
	mode, _ := p.mode.Load().(Mode)
	if r.URL.Path != "/oauth/token" || mode == Honest {
		h.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	var m map[string]any
	if rec.Code == http.StatusOK && json.Unmarshal(body, &m) == nil {
		if raw, ok := m["id_token"].(string); ok {
			if alt, err := p.alter(mode, raw); err == nil {
				m["id_token"] = alt
				body, _ = json.Marshal(m)
			}
		}
	}
	for k, v := range rec.Header() {
		if k != "Content-Length" {
			w.Header()[k] = v
		}
	}
	w.WriteHeader(rec.Code)
	_, _ = io.Copy(w, bytes.NewReader(body))
}

// alter changes an id_token as mode says.
func (p *Provider) alter(mode Mode, raw string) (string, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return "", fmt.Errorf("not a JWS")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", err
	}
	claims := map[string]any{}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return "", err
	}
	now := time.Now()
	switch mode {
	case WrongAudience:
		claims["aud"], claims["azp"] = []string{"another-client"}, "another-client"
	case OtherParty:
		claims["aud"], claims["azp"] = []any{claims["azp"], "another-client"}, "another-client"
	case Expired:
		claims["exp"], claims["iat"] = now.Add(-time.Hour).Unix(), now.Add(-2*time.Hour).Unix()
	case WrongNonce:
		claims["nonce"] = "another-sign-in"
	case BadSignature:
		claims["sub"] = fmt.Sprint(claims["sub"]) + "-forged"
		b, _ := json.Marshal(claims)
		return parts[0] + "." + base64.RawURLEncoding.EncodeToString(b) + "." + parts[2], nil
	}
	b, _ := json.Marshal(claims)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: p.key, KeyID: p.kid, Algorithm: string(jose.RS256)}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(b)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// userStore gives the example storage the provider's users.
type userStore struct{ p *Provider }

func (u userStore) GetUserByID(id string) *storage.User {
	u.p.mu.Lock()
	defer u.p.mu.Unlock()
	return u.p.users[id]
}

func (u userStore) GetUserByUsername(name string) *storage.User {
	u.p.mu.Lock()
	defer u.p.mu.Unlock()
	for _, x := range u.p.users {
		if x.Username == name {
			return x
		}
	}
	return nil
}

func (u userStore) ExampleClientID() string { return storage.ServiceUserID }

// providerStorage is the example storage with the provider's own signing
// key (the tamper modes re-sign with it) and the users' extra claims.
type providerStorage struct {
	*storage.Storage
	p *Provider
}

type signingKey struct{ p *Provider }

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k signingKey) Key() any                                    { return k.p.key }
func (k signingKey) ID() string                                  { return k.p.kid }

type publicKey struct{ p *Provider }

func (k publicKey) ID() string                         { return k.p.kid }
func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return &k.p.key.PublicKey }

func (s *providerStorage) SigningKey(context.Context) (op.SigningKey, error) {
	return signingKey{s.p}, nil
}

func (s *providerStorage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *providerStorage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{publicKey{s.p}}, nil
}

func (s *providerStorage) addClaims(info *oidc.UserInfo) {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	for k, v := range s.p.claims[info.Subject] {
		info.AppendClaims(k, v)
	}
}

// SetUserinfoFromRequest fills the id_token's claims.
func (s *providerStorage) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, info, req, scopes); err != nil {
		return err
	}
	s.addClaims(info)
	return nil
}

// SetUserinfoFromToken fills the userinfo endpoint's answer.
func (s *providerStorage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, origin string) error {
	if err := s.Storage.SetUserinfoFromToken(ctx, info, tokenID, subject, origin); err != nil {
		return err
	}
	s.addClaims(info)
	return nil
}
