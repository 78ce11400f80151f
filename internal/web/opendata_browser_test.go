package web_test

// openstats area: the public page of the open statistics in Chromium, anonymous, on the demo
// data: axe-clean in Dutch and English, the period form without JavaScript, the downloads,
// and no sideways scrolling at 390 px.

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/demo"
	"kansrijk/internal/opendata"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
	"kansrijk/internal/webtest"
)

// openStatsWidthJS measures the page at the window's width: its scroll width, and the SVG
// text drawn smaller than 12 px.
const openStatsWidthJS = `(() => {
  const small = [];
  for (const el of document.querySelectorAll("svg text")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const m = el.getScreenCTM();
    const px = parseFloat(getComputedStyle(el).fontSize) * (m ? Math.hypot(m.a, m.b) : 1);
    if (px < 11.95) small.push((el.textContent || "").trim().slice(0, 40) + " (" + px.toFixed(1) + " px)");
  }
  return {iw: window.innerWidth, sw: document.documentElement.scrollWidth, small};
})()`

func TestOpenStatsPageInBrowser(t *testing.T) {
	webtest.SkipShort(t)
	db := storetest.Open(t, store.SQLite)
	if err := demo.Load(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	w := webtest.Start(t, db, nil)

	// Without a browser first: the page and every download it links answer 200, anonymously.
	start := time.Now()
	res, err := http.Get(w.URL + "/statistieken")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("/statistieken: %d", res.StatusCode)
	}
	t.Logf("/statistieken on the demo data in %v", time.Since(start).Round(time.Millisecond))
	for _, want := range []string{opendata.SchemaPath, opendata.DCATPath, opendata.StatisticsPath + "?from=", "format=csv", "/statistieken/chart.svg?"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the page does not link %s", want)
		}
	}

	b := w.Browser()
	b.Navigate(w.URL + "/register")
	if !b.Exists(`footer a[href="/statistieken"]`) {
		t.Error("the public pages' footer does not link the open statistics")
	}
	b.Click(`footer a[href="/statistieken"]`)
	if !strings.HasSuffix(b.URL(), "/statistieken") {
		t.Fatalf("the footer link leads to %s", b.URL())
	}
	main := b.Text("main")
	for _, want := range []string{"Open statistieken", "Vlaanderen per kwartaal", "Per gemeente", "<5", "afgerond op een veelvoud van 5", "Modellicentie Gratis Hergebruik"} {
		if !strings.Contains(main, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if !b.Exists("figure.chart svg title") || !b.Exists("figure.chart svg desc") {
		t.Error("the chart has no text alternative")
	}
	b.Page("openstats")
	var links []string
	b.Eval(`Array.from(document.querySelectorAll("main a")).map(a => a.getAttribute("href"))`, &links)
	for _, href := range links {
		if !strings.HasPrefix(href, "/") {
			continue
		}
		res, err := http.Get(w.URL + href)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Errorf("the page links %s, which answers %d", href, res.StatusCode)
		}
	}

	// The period form works without JavaScript: a GET with the chosen quarters.
	var options []string
	b.Eval(`Array.from(document.querySelectorAll("#from option")).map(o => o.value)`, &options)
	if len(options) < 2 {
		t.Fatalf("quarters to choose from: %v", options)
	}
	b.SetValue("#from", options[len(options)-2])
	b.Submit("main form.filters")
	if u := b.URL(); !strings.Contains(u, "from="+options[len(options)-2]) {
		t.Errorf("the form went to %s", u)
	}
	if n := strings.Count(b.HTML(), `<th scope="row">20`); n != 2 {
		t.Errorf("%d quarters in the table of Flanders, want 2", n)
	}
	b.Page("openstats-two-quarters")

	// A bad period: 400, the error above the form, the default window below it.
	b.Navigate(w.URL + "/statistieken?from=2024-13")
	if !b.Exists(".error-summary") || !b.Exists(`#from[aria-invalid="true"]`) {
		t.Errorf("a bad month: %s", b.Text("main"))
	}
	b.Page("openstats-bad-month")

	// English.
	b.Navigate(w.URL + "/lang/en?next=/statistieken")
	if txt := b.Text("main"); !strings.Contains(txt, "Open statistics") || !strings.Contains(txt, "rounded to a multiple of 5") {
		t.Errorf("English page: %s", txt)
	}
	b.Page("openstats-en")

	// A phone: no sideways scrolling, chart labels of 12 px at least.
	b.Viewport(390, 844)
	b.Navigate(w.URL + "/lang/nl?next=/statistieken")
	var o struct {
		IW    int      `json:"iw"`
		SW    int      `json:"sw"`
		Small []string `json:"small"`
	}
	b.Eval(openStatsWidthJS, &o)
	if o.SW > o.IW {
		t.Errorf("/statistieken scrolls sideways at 390 px: %d px wide", o.SW)
	}
	if len(o.Small) > 0 {
		t.Errorf("chart labels under 12 px at 390 px: %v", o.Small)
	}
	b.Page("openstats-390")
}
