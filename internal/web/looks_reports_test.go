package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"kansrijk/internal/demo"
	"kansrijk/internal/server"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// demoClient signs in to srv as a demo account and returns a client with
// its session.
func demoClient(t *testing.T, srv *httptest.Server, email string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: time.Minute}
	res, err := c.PostForm(srv.URL+"/login", url.Values{"email": {email}, "password": {demo.Password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Request.URL.Path == "/login" {
		t.Fatalf("%s could not sign in", email)
	}
	return c
}

func getPage(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// dataCount reads the data-count of the element with the id.
func dataCount(t *testing.T, page, id string) int {
	t.Helper()
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `" data-count="(\d+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no #%s with a data-count", id)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// statusCount reads a status's count in Flanders from the agreements
// report's table.
func statusCount(t *testing.T, page, status string) int {
	t.Helper()
	m := regexp.MustCompile(`id="count-` + status + `">(\d+)<`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no count for %s", status)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// stageCount reads a stage's current count from the funnel table of all
// of Flanders (the first one on the page).
func stageCount(t *testing.T, page, stage string) int {
	t.Helper()
	m := regexp.MustCompile(`(?s)<tr data-stage="` + stage + `">.*?data-col="current">(\d+)<`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no funnel row for %s", stage)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestReportsAgree: on the demo data, on both databases and on several
// days, Wie tekende? (/reports/agreements) and the outreach funnel
// (/reports/outreach) give the same numbers: signed up, in force, and
// per agreement status the stage it maps to; the list under the headline
// holds as many local governments as the headline counts. And the
// report's links lead only where the viewer may go, for every role.
func TestReportsAgree(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("loads the demo data: skipped with -short")
	}
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		if err := demo.Load(t.Context(), db); err != nil {
			t.Fatal(err)
		}
		s, err := server.New(db)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(s)
		t.Cleanup(srv.Close)
		admin := demoClient(t, srv, "admin@demo.kansrijk.test")

		for _, asOf := range []string{"", "2024-12-31", "2025-09-30"} {
			q := ""
			if asOf != "" {
				q = "?as_of=" + asOf
			}
			code, agr := getPage(t, admin, srv.URL+"/reports/agreements"+q)
			if code != 200 {
				t.Fatalf("agreements report %s: %d", asOf, code)
			}
			code, fun := getPage(t, admin, srv.URL+"/reports/outreach"+q)
			if code != 200 {
				t.Fatalf("outreach report %s: %d", asOf, code)
			}
			inForce, signedUp := dataCount(t, agr, "in-force"), dataCount(t, agr, "signed-up")
			if got := dataCount(t, fun, "kpi-active"); got != inForce {
				t.Errorf("%s: in force %d in Wie tekende?, %d in the funnel", asOf, inForce, got)
			}
			if got := dataCount(t, fun, "kpi-signed-up"); got != signedUp {
				t.Errorf("%s: signed up %d in Wie tekende?, %d in the funnel", asOf, signedUp, got)
			}
			for status, stage := range map[string]string{"interested": "signed_up", "draft": "drafting", "approved": "approved", "active": "active", "ended": "ended"} {
				if a, f := statusCount(t, agr, status), stageCount(t, fun, stage); a != f {
					t.Errorf("%s: %s %d in Wie tekende?, stage %s %d in the funnel", asOf, status, a, stage, f)
				}
			}
			if a, f := statusCount(t, agr, "signed")+statusCount(t, agr, "suspended"), stageCount(t, fun, "signed"); a != f {
				t.Errorf("%s: signed and suspended %d in Wie tekende?, stage signed %d in the funnel", asOf, a, f)
			}
			if inForce != statusCount(t, agr, "active") {
				t.Errorf("%s: in force %d, active %d", asOf, inForce, statusCount(t, agr, "active"))
			}
			m := regexp.MustCompile(`<caption id="listed-caption">[^<]*\((\d+)\)</caption>`).FindStringSubmatch(agr)
			if m == nil || m[1] != strconv.Itoa(signedUp) {
				t.Errorf("%s: the list's caption %v, the headline %d", asOf, m, signedUp)
			}
			if regexp.MustCompile(`>team-demo-`).MatchString(agr) {
				t.Errorf("%s: the agreements report shows a team key", asOf)
			}
		}

		// Every role: the report links only to agreements the viewer
		// may open.
		agreementLink := regexp.MustCompile(`href="(/agreements/\d+)"`)
		for _, a := range append(demo.Accounts, demo.ExtraAccounts...) {
			c := demoClient(t, srv, a.Email)
			code, page := getPage(t, c, srv.URL+"/reports/agreements")
			if code != 200 {
				continue // a role without the report
			}
			links := map[string]bool{}
			for _, m := range agreementLink.FindAllStringSubmatch(page, -1) {
				links[m[1]] = true
			}
			for l := range links {
				if code, _ := getPage(t, c, srv.URL+l); code != 200 {
					t.Errorf("%s (%s): the report links to %s, which answers %d", a.Email, a.Role, l, code)
				}
			}
			t.Logf("%s: %d agreement links", a.Role, len(links))
		}
	})
}
