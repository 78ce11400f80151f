package web_test

import (
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/browsertest"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestMailingPageInBrowser: a team lead opens the mailing page of its
// target list in Chromium, asks a preview and sends itself a test
// message; axe-core finds no violation on the pages, and screenshots go
// to the test artifacts.
func TestMailingPageInBrowser(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("browser test: skipped with -short")
	}
	s := newSite(t, storetest.Open(t, store.SQLite))
	s.db.Now = time.Now // the browser drops a session cookie that expired by the real clock
	ts := httptest.NewServer(s.srv)
	t.Cleanup(ts.Close)
	s.users.Create(t, "lead")
	b := browsertest.New(t)
	b.Navigate(ts.URL + "/login?next=" + "/outreach/mailing%3Fteam%3Dteam-noord%26stage%3Dnot_informed")
	b.SetValue("#email", "lead@noord.test")
	b.SetValue("#password", storetest.Password)
	b.Click("main form button[type=submit]")
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
