package web_test

import (
	"net/http"
	"strings"
	"testing"

	"kansrijk/internal/webtest"
)

// TestFactsheetBrowser signs in through the login form in headless
// Chromium, opens the factsheet and the deprivation index page, and checks
// each with axe-core (screenshots in the test artifacts). The refused
// upload's row report is rendered by the server as it answers the POST and
// shown to the browser as such.
func TestFactsheetBrowser(t *testing.T) {
	w := newFsWorld(t)
	refused := w.fsUpload(t, "admin", "fouten.csv", []byte("NIS;Gemeente;Jaar;Kansarmoede-index\n99999;Nergensdorp;2022;10\n46003;Beveren;2025;10,4\n13013;Herselt;2022;twaalf\n"), "")
	if refused.Code != http.StatusBadRequest {
		t.Fatalf("refused upload: %d", refused.Code)
	}
	// The session is made by the real clock (Serve); the pages keep the
	// world's day, which the UI got at its start.
	srv := webtest.Serve(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/test/refused-upload" {
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = rw.Write([]byte(refused.Body))
			return
		}
		w.srv.ServeHTTP(rw, r)
	}), w.db, w.users)
	b := srv.SignIn("admin")

	b.Navigate(srv.URL + "/outreach/municipalities/13013/factsheet")
	if got := b.Text("article.factsheet h1"); got != "Herselt: samenwerken met Kind en Gezin tegen onderbescherming" {
		t.Fatalf("factsheet title %q", got)
	}
	if got := b.Text("#gemist tbody tr"); !strings.Contains(got, "<5") {
		t.Errorf("the counts row %q", got)
	}
	b.Page("factsheet")
	b.Navigate(srv.URL + "/outreach/municipalities/46030/factsheet")
	b.Page("factsheet-merged")

	b.Navigate(srv.URL + "/outreach/deprivation?nis=46030")
	if !b.Exists("form#deprivation-upload") || !b.Exists("#deprivation-series") {
		t.Error("the admin's deprivation page lacks the upload form or the looked-up series")
	}
	b.Page("deprivation")
	b.Navigate(srv.URL + "/test/refused-upload")
	if got := b.Text("#row-report"); !strings.Contains(got, "er is geen gemeente met NIS-code 99999") {
		t.Errorf("row report %q", got)
	}
	b.Page("deprivation-refused")
}
