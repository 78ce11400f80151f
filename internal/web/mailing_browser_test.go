package web_test

import (
	"strings"
	"testing"

	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
	"kansrijk/internal/webtest"
)

// TestMailingPageInBrowser: a team lead opens the mailing page of its
// target list in Chromium, asks a preview and sends itself a test
// message; axe-core finds no violation on the pages, and screenshots go
// to the test artifacts.
func TestMailingPageInBrowser(t *testing.T) {
	webtest.SkipShort(t)
	s := newSite(t, storetest.Open(t, store.SQLite))
	w := webtest.Serve(t, s.srv, s.db, s.users)
	b := w.SignInNext("lead", "/outreach/mailing?team=team-noord&stage=not_informed")
	if !strings.Contains(b.URL(), "/outreach/mailing") {
		t.Fatalf("after login at %s: %s", b.URL(), b.Text("main"))
	}
	b.Page("mailing")
	b.Click(`form#mailing button[value=preview]`)
	if !b.Exists("#mailing-preview") || !strings.Contains(b.Text("#mailing-preview"), "Geachte An Peeters,") {
		t.Fatalf("no preview: %s", b.Text("main"))
	}
	b.Page("mailing-preview")
	b.Click(`form#mailing button[value=test]`)
	if !strings.Contains(b.Text("main"), "Testmail verstuurd naar lead@noord.test") || len(s.smtp.To("lead@noord.test")) != 1 {
		t.Fatalf("no test message: %s", b.Text("main"))
	}
	b.Page("mailing-test-sent")
}
