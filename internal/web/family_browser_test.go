package web_test

import (
	"strconv"
	"testing"

	"kansrijk/internal/i18n"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
	"kansrijk/internal/webtest"
)

// TestFamilyPagesInBrowser: in each of the seven languages, the family
// opens its view with the receipt code and postcode, and the team shows
// the receipt in that language; axe-core checks every page (Arabic right
// to left), screenshots go to the test artifacts.
func TestFamilyPagesInBrowser(t *testing.T) {
	webtest.SkipShort(t)
	db := storetest.Open(t, store.SQLite)
	w := newFamilyWorld(t, db)
	site := webtest.Listening(t, w.srv.URL, db, w.users)
	b := site.Browser()
	for _, l := range i18n.PublicLangs {
		b.Navigate(w.srv.URL + "/ontvangstbewijs?lang=" + string(l))
		b.SetValue("#code", w.a.ReceiptCode)
		b.SetValue("#postcode", "2235")
		b.Click("main form button[type=submit]")
		if !b.Exists("#access-log") {
			t.Fatalf("%s: no access log: %s", l, b.Text("main"))
		}
		var dir string
		b.Eval(`document.documentElement.dir + " " + document.documentElement.lang`, &dir)
		if want := i18n.Dir(l) + " " + i18n.HTMLLang(l); dir != want {
			t.Errorf("%s: dir/lang %q, want %q", l, dir, want)
		}
		b.Page("family-view-" + string(l))
	}
	site.SignInAs(b, "worker", "")
	for _, l := range i18n.PublicLangs {
		b.Navigate(w.srv.URL + "/referrals/" + strconv.FormatInt(w.a.ID, 10) + "/receipt?lang=" + string(l))
		if !b.Exists("article.receipt") {
			t.Fatalf("%s: no receipt: %s", l, b.Text("main"))
		}
		b.Page("family-receipt-" + string(l))
	}
}
