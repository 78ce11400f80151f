// Package webtest is the one world of Kansrijk's browser tests: a store,
// the real server over it on a local port, its test users, and Chromium
// tabs (internal/browsertest) signed in as them through the login form.
//
// A browser test loads its data into a store (storetest.Open, then the
// store's own functions or a fixture of this package), starts the world
// and signs its users in:
//
//	db := storetest.Open(t, store.SQLite)
//	webtest.Team(t, db, "team-noord", "Lokaal team Noord", "13016")
//	users := storetest.Users(t, db, "example.test", storetest.U{Name: "lead", Role: "team_lead", Org: "team-noord"})
//	w := webtest.Start(t, db, users)
//	b := w.SignIn("lead")
//	b.Navigate(w.URL + "/outreach/tasks")
//	b.Page("tasks") // a screenshot and axe-core
//
// Every Browser already saves a screenshot when one of its actions fails
// and checks axe-core on [browsertest.Browser.Page]. Browser tests are
// slow: every constructor skips the test under -short, except when $CI is
// "true".
package webtest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/browsertest"
	"kansrijk/internal/server"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// World is a browser test's server with its store and users.
type World struct {
	t testing.TB
	// DB is the store the server reads and writes.
	DB *store.DB
	// URL is the server's base address, such as http://127.0.0.1:41234.
	URL string
	// Users are the test users, signed in by their short name; nil when
	// the test signs in with e-mail addresses only (LogIn).
	Users *storetest.Accounts
}

// SkipShort skips a browser test under -short, unless $CI is "true".
func SkipShort(t testing.TB) {
	t.Helper()
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("browser test: skipped with -short")
	}
}

// realClock gives the store the real clock: Chromium drops a session
// cookie that expired by its own clock, so a session must be made by it.
func realClock(db *store.DB) {
	if db != nil {
		db.Now = time.Now
	}
}

// Start builds the server over db (server.New) with the store on the real
// clock first, so that the pages see the real day too, and serves it on a
// local port until the test ends.
func Start(t testing.TB, db *store.DB, users *storetest.Accounts) *World {
	t.Helper()
	SkipShort(t)
	realClock(db)
	s, err := server.New(db)
	if err != nil {
		t.Fatal(err)
	}
	return Serve(t, s, db, users)
}

// Serve serves h, a server a test built over db (or a handler around
// one), on a local port until the test ends. The store gets the real
// clock now: a server built earlier keeps the clock it was given for its
// pages (a test's fixed day), while sessions are made by the real one.
func Serve(t testing.TB, h http.Handler, db *store.DB, users *storetest.Accounts) *World {
	t.Helper()
	SkipShort(t)
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return Listening(t, ts.URL, db, users)
}

// Listening is the world of a server that listens already at baseURL (a
// test's own httptest.Server over db). The store gets the real clock now,
// as with Serve.
func Listening(t testing.TB, baseURL string, db *store.DB, users *storetest.Accounts) *World {
	t.Helper()
	SkipShort(t)
	realClock(db)
	return &World{t: t, DB: db, URL: strings.TrimSuffix(baseURL, "/"), Users: users}
}

// Browser starts a new Chromium, signed in as nobody, for the test.
func (w *World) Browser() *browsertest.Browser {
	w.t.Helper()
	return browsertest.New(w.t)
}

// SignIn starts a new Chromium and signs the test user in through the
// login form (the user is created first if it does not exist yet).
func (w *World) SignIn(name string) *browsertest.Browser {
	w.t.Helper()
	return w.SignInNext(name, "")
}

// SignInNext is SignIn through the login page of a link with next= (the
// page to go to after signing in, such as "/births?status=new").
func (w *World) SignInNext(name, next string) *browsertest.Browser {
	w.t.Helper()
	b := w.Browser()
	w.SignInAs(b, name, next)
	return b
}

// SignInAs signs the test user in, in the browser b, through the login
// page (with next= when next is not "").
func (w *World) SignInAs(b *browsertest.Browser, name, next string) {
	w.t.Helper()
	if w.Users == nil {
		w.t.Fatal("webtest: the world has no test users; use LogIn")
	}
	w.Users.Create(w.t, name)
	w.LogIn(b, w.Users.Email(w.t, name), storetest.Password, next)
}

// LogIn fills in the login form at /login (with next= when next is not
// "") in b with the e-mail address and password and sends it. It fails
// the test when the browser is still on the login page afterwards.
func (w *World) LogIn(b *browsertest.Browser, email, password, next string) {
	w.t.Helper()
	page := w.URL + "/login"
	if next != "" {
		page += "?next=" + url.QueryEscape(next)
	}
	b.Navigate(page)
	b.SetValue("#email", email)
	b.SetValue("#password", password)
	b.Click("main form button[type=submit]")
	if u, err := url.Parse(b.URL()); err != nil || u.Path == "/login" {
		w.t.Fatalf("webtest: sign-in of %s failed, the browser is at %s: %s", email, b.URL(), b.Text("main"))
	}
}

// SignOut signs b out with the button in the page's header.
func (w *World) SignOut(b *browsertest.Browser) {
	w.t.Helper()
	b.Click("header form button[type=submit]")
}
