package web_test

import (
	"strings"
	"testing"
	"time"

	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
	"kansrijk/internal/webtest"
)

// TestFunnelBrowser shows the outreach report in headless Chromium as a
// team lead does: the form without JavaScript, the charts inline, the
// groupings and a bad date, each page checked with axe-core (and a
// screenshot in test-artifacts/).
func TestFunnelBrowser(t *testing.T) {
	webtest.SkipShort(t)
	f := newFunnelFixture(t, storetest.Open(t, store.SQLite))
	f.users.Create(t, "lead")
	// A new server over the store on the real clock (the pages too).
	srv := webtest.Start(t, f.db, f.users)
	b := srv.SignIn("lead")

	b.Navigate(srv.URL + "/reports/agreements?as_of=2025-06-01")
	b.Click("#funnel-link a")
	if !strings.HasSuffix(b.URL(), "/reports/outreach?as_of=2025-06-01") {
		t.Fatalf("the link led to %s", b.URL())
	}
	b.Page("funnel-all")
	if got := b.Text("#kpi-active strong"); got != "1" {
		t.Errorf("active KPI %q", got)
	}
	var layers int
	b.Eval(`document.querySelectorAll("svg.chart-stages g.layer").length`, &layers)
	if layers != 9 {
		t.Errorf("%d stage layers in the page", layers)
	}

	// Per province through the form.
	b.SetValue("#group", "province")
	b.Click("main form button[type=submit]")
	if !strings.Contains(b.URL(), "group=province") {
		t.Fatalf("the form led to %s", b.URL())
	}
	b.Page("funnel-province")
	var sections int
	b.Eval(`document.querySelectorAll("section.funnel-group").length`, &sections)
	if sections != 6 {
		t.Errorf("%d sections per province", sections)
	}

	b.Navigate(srv.URL + "/reports/outreach?as_of=2025-06-01&group=team")
	b.Page("funnel-team")

	b.Navigate(srv.URL + "/reports/outreach?as_of=2018-06-01")
	b.Page("funnel-bad-date")
	y, m, d := time.Now().In(brussels).Date()
	last := time.Date(y+2, m, d, 0, 0, 0, 0, time.UTC).Format("02-01-2006")
	if got := b.Text(".error-summary"); !strings.Contains(got, "Kies een datum van 01-01-2019 tot "+last+".") {
		t.Errorf("error summary %q", got)
	}
}

var brussels = func() *time.Location {
	l, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return l
}()
