package web_test

import (
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/browsertest"
	"kansrijk/internal/server"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestOutcomeBrowser shows the outcome dashboards in headless Chromium to each role that sees
// them: the period form without JavaScript, the charts and maps inline, axe-core clean, and no
// sideways scrolling at 390 px (screenshots in test-artifacts/).
func TestOutcomeBrowser(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("browser test: skipped with -short")
	}
	f := newFunnelFixture(t, storetest.Open(t, store.SQLite))
	outcomeData(t, f.db)
	roles := map[string]string{"admin": "admin@funnel.test", "analyst": "analyst@funnel.test", "lead": "lead@funnel.test", "ocmw": "ocmw@funnel.test"}
	for who := range roles {
		f.users.Create(t, who)
	}
	// The browser keeps the session cookie only if it expires after its own clock: the real one.
	f.db.Now = time.Now
	s, err := server.New(f.db)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	for _, who := range []string{"admin", "analyst", "lead", "ocmw"} {
		t.Run(who, func(t *testing.T) {
			b := browsertest.New(t)
			b.Navigate(srv.URL + "/login")
			b.SetValue("#email", roles[who])
			b.SetValue("#password", storetest.Password)
			b.Click("main form button[type=submit]")
			b.Navigate(srv.URL + "/")
			b.Click(`nav a[href="/reports/outcomes"]`)
			if !strings.HasSuffix(b.URL(), "/reports/outcomes") {
				t.Fatalf("the menu led to %s", b.URL())
			}
			// The form, without JavaScript: a window of 2025 by municipality.
			b.SetValue("#from", "2025-01")
			b.SetValue("#to", "2025-06")
			b.SetValue("#group", "municipality")
			b.Click("main form.filters button[type=submit]")
			if !strings.Contains(b.URL(), "group=municipality") || !strings.Contains(b.URL(), "from=2025-01") {
				t.Fatalf("the form led to %s", b.URL())
			}
			b.Page("outcomes-" + who)
			var shapes int
			b.Eval(`document.querySelectorAll("#map-per-births svg path[data-nis]").length`, &shapes)
			if shapes != 285 {
				t.Errorf("%d shapes on the 2025 map", shapes)
			}
			var charts int
			b.Eval(`document.querySelectorAll("main figure.chart svg title").length`, &charts)
			if charts < 6 {
				t.Errorf("%d charts with a title", charts)
			}
			// A phone: nothing scrolls sideways.
			b.Viewport(390, 844)
			b.Navigate(srv.URL + "/reports/outcomes?from=2025-01&to=2025-06&group=team")
			var wide bool
			b.Eval(`document.documentElement.scrollWidth > document.documentElement.clientWidth`, &wide)
			if wide {
				t.Error("the page scrolls sideways at 390 px")
			}
			b.Page("outcomes-" + who + "-390")
		})
	}
}
