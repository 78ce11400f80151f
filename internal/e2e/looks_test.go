package e2e

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/browsertest"
)

// The tests of issue 12's "Phones, print and looking": every page of every
// demo role at 390 px wide, and no internal code on any of them. The pages
// are found as a user finds them: the menu and the links on each page,
// from the start page, plus a few detail pages no list may link to yet.

// demoPassword is the password of every demo account.
const demoPassword = "demo-wachtwoord-2026"

// demoAccount is one account that `serve --demo` prints.
type demoAccount struct{ Role, Email, Org string }

var demoLine = regexp.MustCompile(`(?m)^\s+([a-z_]+)\s+(\S+@\S+)\s+(\S+)\s*$`)

// demoAccounts reads the accounts that the demo printed: every role.
func demoAccounts(t *testing.T) []demoAccount {
	t.Helper()
	out := server.out.String()
	_, list, ok := strings.Cut(out, "Demo accounts")
	if !ok {
		t.Fatalf("the demo printed no accounts:\n%s", out)
	}
	list, _, _ = strings.Cut(list, "\n\n")
	var accts []demoAccount
	for _, m := range demoLine.FindAllStringSubmatch(list, -1) {
		accts = append(accts, demoAccount{Role: m[1], Email: m[2], Org: m[3]})
	}
	if len(accts) < 8 {
		t.Fatalf("found %d demo accounts in:\n%s", len(accts), list)
	}
	return accts
}

// fixedPages are detail pages that are visited for every role besides
// the links found; a role that may not open one gets a 403 or 404 there,
// which is not a failure (only links must lead to pages the viewer may
// open).
var fixedPages = []string{
	"/agreements/1", "/referrals/1", "/inbox/1", "/outreach/municipalities/13016",
	"/outreach/municipalities/13016/factsheet", "/outreach/campaigns/1", "/births/1",
	"/reports/agreements?as_of=2024-12-31", "/register",
}

// crawledPage is a page a role may open, and where it was linked from.
type crawledPage struct {
	Path string // path and query
	From string // the page that linked to it ("" for the start and fixed pages)
	Body string
}

var (
	hrefAttr    = regexp.MustCompile(`(?i)\shref="([^"]*)"`)
	idSegment   = regexp.MustCompile(`^(\d+|KR-[A-Z0-9-]+|[0-9a-f-]{16,}|[A-Za-z0-9_-]{24,})$`)
	scriptStyle = regexp.MustCompile(`(?is)<(script|style|title)\b.*?</(script|style|title)>`)
	tag         = regexp.MustCompile(`(?s)<[^>]*>`)
)

// pagePattern is the route of a path: ids and codes become {id}, and the
// names of the query parameters are kept (not their values), so that a
// list of 285 municipalities is visited twice, not 285 times.
func pagePattern(u *url.URL) string {
	segs := strings.Split(u.Path, "/")
	for i, s := range segs {
		if idSegment.MatchString(s) {
			segs[i] = "{id}"
		}
	}
	var keys []string
	for k := range u.Query() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	p := strings.Join(segs, "/")
	if len(keys) > 0 {
		p += "?" + strings.Join(keys, "&")
	}
	return p
}

// skipLink reports whether a link is not a page to visit: files,
// downloads, the API, signing out, switching language.
func skipLink(u *url.URL) bool {
	p := u.Path
	for _, pre := range []string{"/static/", "/api/", "/logout", "/lang/", "/metrics"} {
		if strings.HasPrefix(p, pre) {
			return true
		}
	}
	for _, suf := range []string{".svg", ".pdf", ".csv", ".xlsx", ".png", ".json", ".txt"} {
		if strings.HasSuffix(p, suf) {
			return true
		}
	}
	if strings.Contains(p, "/documents/") || strings.Contains(p, "/pdf/") || u.Query().Has("format") || u.Query().Has("download") {
		return true
	}
	return false
}

const (
	perPattern = 2   // pages visited per route
	maxPages   = 150 // pages visited per role
)

// crawl signs in as the account and visits every page it can reach by
// links from the start page, and the fixed pages. It fails the test on a
// link that leads to an error.
func crawl(t *testing.T, acct demoAccount) []crawledPage {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	res, err := c.PostForm(baseURL+"/login", url.Values{"email": {acct.Email}, "password": {demoPassword}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	base, _ := url.Parse(baseURL)

	type item struct{ path, from string }
	queue := []item{{"/", ""}}
	for _, p := range fixedPages {
		queue = append(queue, item{p, ""})
	}
	seen := map[string]bool{}
	perRoute := map[string]int{}
	var pages []crawledPage
	for len(queue) > 0 && len(pages) < maxPages {
		it := queue[0]
		queue = queue[1:]
		u, err := base.Parse(it.path)
		if err != nil || u.Host != base.Host || skipLink(u) {
			continue
		}
		u.Fragment = ""
		key := u.RequestURI()
		if seen[key] {
			continue
		}
		seen[key] = true
		pat := pagePattern(u)
		if perRoute[pat] >= perPattern {
			continue
		}
		perRoute[pat]++

		res, err := c.Get(u.String())
		if err != nil {
			t.Fatalf("GET %s: %v", key, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		final := res.Request.URL.RequestURI()
		if strings.HasPrefix(final, "/login") && it.path != "/login" {
			t.Fatalf("%s: GET %s led to the login page: the session was lost", acct.Email, key)
		}
		if res.StatusCode != http.StatusOK {
			if it.from != "" {
				t.Errorf("%s (%s): the link to %s on %s answers %d: a page links only where the viewer may go",
					acct.Email, acct.Role, key, it.from, res.StatusCode)
			}
			continue
		}
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			continue
		}
		pages = append(pages, crawledPage{Path: final, From: it.from, Body: string(body)})
		for _, m := range hrefAttr.FindAllStringSubmatch(string(body), -1) {
			queue = append(queue, item{html.UnescapeString(m[1]), final})
		}
	}
	return pages
}

// visibleText is the text of a page without its tags, scripts and styles.
func visibleText(body string) string {
	return html.UnescapeString(tag.ReplaceAllString(scriptStyle.ReplaceAllString(body, " "), " "))
}

// TestNoInternalCodes signs in as every demo role, visits every page the
// role reaches and fails on an internal code shown to the user: a team key
// (team-demo-…) or "system" as an author.
func TestNoInternalCodes(t *testing.T) {
	start(t)
	for _, acct := range demoAccounts(t) {
		t.Run(acct.Role+"/"+acct.Email, func(t *testing.T) {
			pages := crawl(t, acct)
			if len(pages) < 3 {
				t.Fatalf("only %d pages found", len(pages))
			}
			for _, p := range pages {
				text := visibleText(p.Body)
				if keyPages.MatchString(p.Path) {
					continue
				}
				if i := strings.Index(text, "team-demo-"); i >= 0 {
					t.Errorf("%s shows a team key: …%s…", p.Path, snippet(text, i))
				}
				if i := strings.Index(p.Body, ">system<"); i >= 0 {
					t.Errorf("%s shows \"system\" as an author: …%s…", p.Path, snippet(p.Body, i))
				}
				if loc := systemWord.FindStringIndex(text); loc != nil {
					t.Errorf("%s shows \"system\" as an author: …%s…", p.Path, snippet(text, loc[0]))
				}
			}
			t.Logf("%d pages checked", len(pages))
		})
	}
}

// keyPages show an organisation's key on purpose, labelled as its key
// beside its name: the administrator's organisation pages and user forms
// (the key is what `kansrijk user create --org` takes), and the DPO's
// access log, which shows each record as it was written.
var keyPages = regexp.MustCompile(`^/(organisations|teams/[^/?]+|users/new|users/\d+|service-accounts|audit)(\?|$)`)

// systemWord is "system" as a word of its own in a Dutch page.
var systemWord = regexp.MustCompile(`\bsystem\b`)

func snippet(s string, i int) string {
	from, to := max(0, i-60), min(len(s), i+60)
	return strings.Join(strings.Fields(s[from:to]), " ")
}

// overflowJS measures the page: its scroll width against the window, the
// widest element that is not inside a box that scrolls or clips, and the
// SVG text rendered smaller than 12 px.
const overflowJS = `(() => {
  const iw = window.innerWidth, sw = document.documentElement.scrollWidth;
  const clipped = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o !== "visible") return true;
    }
    return false;
  };
  const describe = el => {
    let d = el.tagName.toLowerCase();
    if (el.id) d += "#" + el.id;
    if (typeof el.className === "string" && el.className.trim()) d += "." + el.className.trim().split(/\s+/).join(".");
    const txt = (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 60);
    return d + (txt ? " \"" + txt + "\"" : "");
  };
  let widest = "", right = 0;
  if (sw > iw) {
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= right || clipped(el)) continue;
      right = r.right; widest = describe(el) + " (" + Math.round(r.width) + " px wide, right edge " + Math.round(r.right) + ")";
    }
  }
  const small = [];
  for (const el of document.querySelectorAll("svg text")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const m = el.getScreenCTM();
    const px = parseFloat(getComputedStyle(el).fontSize) * (m ? Math.hypot(m.a, m.b) : 1);
    if (px < 11.95 && small.length < 3) small.push((el.textContent || "").trim().slice(0, 40) + " (" + px.toFixed(1) + " px)");
  }
  return {iw, sw, widest, small};
})()`

type overflow struct {
	IW     int      `json:"iw"`
	SW     int      `json:"sw"`
	Widest string   `json:"widest"`
	Small  []string `json:"small"`
}

// TestPhoneWidth opens every page of every demo role in a window of
// 390 × 844 (a phone) and fails on a page that scrolls sideways (naming the
// widest element), on chart labels under 12 px and on an axe-core
// violation (every route once).
func TestPhoneWidth(t *testing.T) {
	start(t)
	axed := map[string]bool{}
	for _, acct := range demoAccounts(t) {
		t.Run(acct.Role+"/"+acct.Email, func(t *testing.T) {
			pages := crawl(t, acct)
			b := browsertest.New(t)
			b.Viewport(390, 844)
			login(t, b, acct.Email, demoPassword)
			routes := map[string]bool{}
			for _, p := range pages {
				// One page per route in the browser: the crawl has read
				// them all already.
				u, _ := url.Parse(p.Path)
				if routes[pagePattern(u)] {
					continue
				}
				routes[pagePattern(u)] = true
				b.Navigate(baseURL + p.Path)
				if got := status(b); got != http.StatusOK {
					t.Errorf("%s answers %d in the browser", p.Path, got)
					continue
				}
				var o overflow
				b.Eval(overflowJS, &o)
				if o.SW > o.IW {
					b.Screenshot("overflow-" + strings.ReplaceAll(strings.Trim(p.Path, "/"), "/", "_"))
					t.Errorf("%s scrolls sideways at 390 px: %d px wide; widest element: %s", p.Path, o.SW, o.Widest)
				}
				if len(o.Small) > 0 {
					t.Errorf("%s has chart labels under 12 px at 390 px: %s", p.Path, strings.Join(o.Small, "; "))
				}
				if pat := pagePattern(u); !axed[pat] {
					axed[pat] = true
					b.CheckAxe(fmt.Sprintf("390px %s", pat))
				}
			}
			t.Logf("%d routes at 390 px", len(routes))
		})
	}
	keys := make([]string, 0, len(axed))
	for k := range axed {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	t.Logf("axe-core on %d routes: %s", len(keys), strings.Join(keys, " "))
}

// TestPrintReport prints the agreements report as a user does (print
// media, Chromium's PDF) and checks that the menu, header controls, forms
// and buttons are gone and the pages are A4 (pdfinfo and pdftotext of
// poppler-utils read the PDF).
func TestPrintReport(t *testing.T) {
	b := start(t)
	for _, tool := range []string{"pdfinfo", "pdftotext"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is missing: install poppler-utils", tool)
			}
			t.Skipf("%s is missing: install poppler-utils", tool)
		}
	}
	login(t, b, "admin@demo.kansrijk.test", demoPassword)
	for _, page := range []string{"/reports/agreements", "/reports/outreach", "/outreach/municipalities/13016/factsheet"} {
		b.Navigate(baseURL + page)
		b.EmulateMedia("print")
		var hidden map[string]bool
		b.Eval(`(() => {
		  const gone = sel => [...document.querySelectorAll(sel)].every(el => el.getClientRects().length === 0);
		  return {nav: gone("header nav"), header: gone("header.top"), forms: gone("main form"), buttons: gone("button"), footer: gone("footer")};
		})()`, &hidden)
		for what, ok := range hidden {
			if !ok {
				t.Errorf("%s: the %s is printed", page, what)
			}
		}
		pdf := b.PrintToPDF()
		b.EmulateMedia("")
		file := filepath.Join(t.TempDir(), "page.pdf")
		if err := os.WriteFile(file, pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		info, err := exec.Command("pdfinfo", file).CombinedOutput()
		if err != nil {
			t.Fatalf("pdfinfo: %v\n%s", err, info)
		}
		if !regexp.MustCompile(`Page size:\s+59[45](\.\d+)? x 84[12](\.\d+)? pts`).Match(info) {
			t.Errorf("%s does not print on A4:\n%s", page, info)
		}
		text, err := exec.Command("pdftotext", "-layout", file, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		for _, clutter := range []string{"Afmelden", "Wachtwoord wijzigen", "Naar de inhoud", "Tonen"} {
			if strings.Contains(string(text), clutter) {
				t.Errorf("%s: the printout holds %q", page, clutter)
			}
		}
		if page == "/reports/agreements" && !strings.Contains(string(text), "Wie heeft zich aangemeld") {
			t.Errorf("%s: the printout lacks the title:\n%.500s", page, text)
		}
		t.Logf("%s: %s", page, strings.Join(regexp.MustCompile(`(?m)^(Pages|Page size):.*$`).FindAllString(string(info), -1), "; "))
	}
}
