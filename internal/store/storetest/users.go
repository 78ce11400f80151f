package storetest

import (
	"context"
	"sync"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/store"
)

// Password is the password of every test user that may sign in.
const Password = "correct-horse-battery-staple"

// LoginAddr is the client address test users sign in from.
const LoginAddr = "192.0.2.1"

// U declares a test user: a short name the test refers to it by, a role
// and an organisation. Email defaults to Name@domain (the domain given
// to Users), FullName to Name. A TokenOnly user is created without a
// password, so no password is hashed for it, and cannot sign in.
type U struct {
	Name, Role, Org string
	Email, FullName string
	TokenOnly       bool
}

// Accounts are the test users of one database, created through the
// store's own functions (CreateUser, Login, CreateToken) on first use:
// password hashing (argon2id) is slow on purpose, so a user a test does
// not use costs nothing, and each user is hashed and signed in once.
type Accounts struct {
	db     *store.DB
	domain string
	specs  map[string]U
	order  []string

	mu       sync.Mutex
	users    map[string]account.User
	sessions map[string]account.Session
	tokens   map[string]string
}

// Users declares the test users of db; nothing is created yet.
func Users(tb testing.TB, db *store.DB, domain string, us ...U) *Accounts {
	tb.Helper()
	a := &Accounts{db: db, domain: domain, specs: map[string]U{},
		users: map[string]account.User{}, sessions: map[string]account.Session{}, tokens: map[string]string{}}
	for _, u := range us {
		if _, dup := a.specs[u.Name]; dup || u.Name == "" {
			tb.Fatalf("storetest.Users: duplicate or empty name %q", u.Name)
		}
		if u.Email == "" {
			u.Email = u.Name + "@" + domain
		}
		if u.FullName == "" {
			u.FullName = u.Name
		}
		a.specs[u.Name] = u
		a.order = append(a.order, u.Name)
	}
	return a
}

// TokenUsers declares test users that are all token-only: API tests
// that never sign in hash no password at all.
func TokenUsers(tb testing.TB, db *store.DB, domain string, us ...U) *Accounts {
	tb.Helper()
	for i := range us {
		us[i].TokenOnly = true
	}
	return Users(tb, db, domain, us...)
}

// Names lists the declared users in the order given.
func (a *Accounts) Names() []string { return append([]string(nil), a.order...) }

// Email returns the e-mail address of the user.
func (a *Accounts) Email(tb testing.TB, name string) string {
	tb.Helper()
	return a.spec(tb, name).Email
}

func (a *Accounts) spec(tb testing.TB, name string) U {
	tb.Helper()
	u, ok := a.specs[name]
	if !ok {
		tb.Fatalf("storetest: no test user %q", name)
	}
	return u
}

// user creates the user on first use; the caller holds a.mu.
func (a *Accounts) user(tb testing.TB, name string) account.User {
	tb.Helper()
	if u, ok := a.users[name]; ok {
		return u
	}
	s := a.spec(tb, name)
	in := account.NewUser{Email: s.Email, Name: s.FullName, Role: s.Role, Org: s.Org}
	if !s.TokenOnly {
		in.Password = Password
	}
	u, err := a.db.CreateUser(context.Background(), account.Program(account.SourceTest, ""), in)
	if err != nil {
		tb.Fatalf("create test user %s: %v", name, err)
	}
	a.users[name] = u
	return u
}

// Create creates the named users (all declared ones when none are named)
// now, in the order given, for tests that need them to exist up front.
func (a *Accounts) Create(tb testing.TB, names ...string) {
	tb.Helper()
	if len(names) == 0 {
		names = a.order
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, n := range names {
		a.user(tb, n)
	}
}

// User returns the stored user.
func (a *Accounts) User(tb testing.TB, name string) account.User {
	tb.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.user(tb, name)
}

// Actor returns the user as an actor for calling the store directly: the
// actor of its session once signed in, else one like the store's own.
func (a *Accounts) Actor(tb testing.TB, name string) account.Actor {
	tb.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if s, ok := a.sessions[name]; ok {
		return s.Actor
	}
	u := a.user(tb, name)
	return account.Actor{UserID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, Org: u.Org, OrgKind: u.OrgKind, Via: "test"}
}

// Session signs the user in with db.Login on first use and returns the
// session (its Secret is the session cookie's value, CSRF its form token).
func (a *Accounts) Session(tb testing.TB, name string) account.Session {
	tb.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if s, ok := a.sessions[name]; ok {
		return s
	}
	u := a.user(tb, name)
	if a.specs[name].TokenOnly {
		tb.Fatalf("storetest: test user %s is token-only and cannot sign in", name)
	}
	s, err := a.db.Login(context.Background(), u.Email, Password, LoginAddr, "test")
	if err != nil {
		tb.Fatalf("sign in test user %s: %v", name, err)
	}
	a.sessions[name] = s
	return s
}

// Cookie returns the value of the user's session cookie (signing in on
// first use).
func (a *Accounts) Cookie(tb testing.TB, name string) string {
	tb.Helper()
	return a.Session(tb, name).Secret
}

// Token returns an API token of the user, created with db.CreateToken on
// first use.
func (a *Accounts) Token(tb testing.TB, name string) string {
	tb.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if t, ok := a.tokens[name]; ok {
		return t
	}
	u := a.user(tb, name)
	t, err := a.db.CreateToken(context.Background(), account.Program(account.SourceTest, ""), u.Email, "test")
	if err != nil {
		tb.Fatalf("create token for test user %s: %v", name, err)
	}
	a.tokens[name] = t
	return t
}
