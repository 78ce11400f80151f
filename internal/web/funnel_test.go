package web_test

// The outreach funnel pages through the real server (server.New over a
// fresh database of every backend) with a session per role: who may read
// them, the Dutch errors on bad dates and groupings, and the charts served
// alone, checked against the store's report of the same day.

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/httpx"
	"kansrijk/internal/org"
	"kansrijk/internal/outreach"
	"kansrijk/internal/server"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

var funnelNow = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

type funnelFixture struct {
	db    *store.DB
	srv   *server.Server
	users *storetest.Accounts // created and signed in on first use
}

type funnelResp struct {
	Code   int
	Header http.Header
	Body   string
}

func funnelDay(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// newFunnelFixture: team-noord (Hulshout 13016, Heist-op-den-Berg 12014,
// Herselt 13013) and team-zuid (Borsbeek 11007 and Kortessem 73040 until
// 2024, then Antwerpen 11002 and Hasselt 71072); a newsletter to Limburg in
// January 2023, a contact moment in Kortessem in May 2023, Hulshout signed
// up in October 2023 and active from June 2024; a user per role, made on
// first use.
func newFunnelFixture(t *testing.T, db *store.DB) *funnelFixture {
	t.Helper()
	ctx := context.Background()
	db.Now = func() time.Time { return funnelNow }
	sys := account.System("test")
	if _, err := db.CreateTeam(ctx, sys, org.NewTeam{Key: "team-noord", Name: "Lokaal team Noord", Municipalities: []string{"13016", "12014", "13013"}, From: funnelDay("2022-01-01")}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateTeam(ctx, sys, org.NewTeam{Key: "team-zuid", Name: "Lokaal team Zuid", Municipalities: []string{"11007", "73040"}, From: funnelDay("2022-01-01")}); err != nil {
		t.Fatal(err)
	}
	area := []string{"11002", "71072"}
	if _, err := db.UpdateTeam(ctx, sys, "team-zuid", org.TeamUpdate{Municipalities: &area, From: funnelDay("2025-01-01")}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateClinic(ctx, sys, org.NewClinic{Key: "clinic-zonnedal", Name: "Kraamkliniek Zonnedal"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateCampaign(ctx, sys, outreach.NewCampaign{Kind: "newsletter", On: "2023-01-20", Partner: "VVSG", Subject: "Decreet", Audience: "province", AudienceParam: "Limburg"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateContactMoment(ctx, sys, outreach.NewContactMoment{MunicipalityNIS: "73040", On: "2023-05-02", Channel: "meeting", Summary: "Kennismaking"}); err != nil {
		t.Fatal(err)
	}
	ag, err := db.CreateAgreement(ctx, sys, agreement.NewAgreement{Team: "team-noord", MunicipalityNIS: "13016", Status: "draft", EffectiveOn: "2023-10-02"})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range []agreement.NewEvent{
		{Status: "approved", EffectiveOn: "2024-02-01", CouncilReference: "RMW/2024/3", CouncilDecisionOn: "2024-02-01"},
		{Status: "signed", EffectiveOn: "2024-03-01", Signatures: []agreement.Signature{{Function: "administrator_general", Name: "A. Generaal", SignedOn: "2024-03-01"}, {Function: "council_chair", Name: "V. Oorzitter", SignedOn: "2024-03-01"}, {Function: "general_director", Name: "D. Irecteur", SignedOn: "2024-03-01"}}},
		{Status: "active", EffectiveOn: "2024-06-01"},
	} {
		if _, err := db.AddEvent(ctx, sys, ag.ID, ev); err != nil {
			t.Fatalf("event %s: %v", ev.Status, err)
		}
	}
	srv, err := server.New(db)
	if err != nil {
		t.Fatal(err)
	}
	return &funnelFixture{db: db, srv: srv, users: storetest.Users(t, db, "funnel.test",
		storetest.U{Name: "admin", Role: "admin", Org: "opgroeien"},
		storetest.U{Name: "analyst", Role: "analyst", Org: "opgroeien"},
		storetest.U{Name: "dpo", Role: "dpo", Org: "opgroeien"},
		storetest.U{Name: "lead", Role: "team_lead", Org: "team-noord"},
		storetest.U{Name: "worker", Role: "team_worker", Org: "team-zuid"},
		storetest.U{Name: "ocmw", Role: "ocmw_worker", Org: "ocmw-13016"},
		storetest.U{Name: "clinic", Role: "clinic", Org: "clinic-zonnedal"},
	)}
}

// get sends a GET as who ("" anonymous), in English when lang is "en".
func (f *funnelFixture) get(t *testing.T, target, who string, lang ...string) funnelResp {
	t.Helper()
	req := httptest.NewRequest("GET", target, nil)
	if who != "" {
		req.AddCookie(&http.Cookie{Name: httpx.SessionCookie, Value: f.users.Cookie(t, who)})
	}
	if len(lang) > 0 {
		req.AddCookie(&http.Cookie{Name: "lang", Value: lang[0]})
	}
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	return funnelResp{rec.Code, rec.Result().Header, rec.Body.String()}
}

// svgNode is a generic XML element of a chart.
type svgNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []svgNode  `xml:",any"`
	Text     string     `xml:",chardata"`
}

func (n *svgNode) get(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// byClass returns the descendants with the given class.
func (n *svgNode) byClass(class string) []*svgNode {
	var out []*svgNode
	var walk func(m *svgNode)
	walk = func(m *svgNode) {
		if m.get("class") == class {
			out = append(out, m)
		}
		for i := range m.Children {
			walk(&m.Children[i])
		}
	}
	walk(n)
	return out
}

// parseChart checks an SVG answer and parses it.
func parseChart(t *testing.T, r funnelResp) *svgNode {
	t.Helper()
	if r.Code != http.StatusOK || r.Header.Get("Content-Type") != "image/svg+xml; charset=utf-8" {
		t.Fatalf("SVG: %d %q %.300s", r.Code, r.Header.Get("Content-Type"), r.Body)
	}
	var root svgNode
	if err := xml.Unmarshal([]byte(r.Body), &root); err != nil {
		t.Fatalf("SVG is not XML: %v", err)
	}
	if root.XMLName.Local != "svg" || root.get("role") != "img" || root.get("aria-labelledby") == "" {
		t.Fatalf("root %v role %q", root.XMLName, root.get("role"))
	}
	return &root
}

// counts returns the count per stage written in the page's funnel table of
// a section, column col.
func tableColumn(t *testing.T, section, col string) map[string]string {
	t.Helper()
	out := map[string]string{}
	rows := regexp.MustCompile(`(?s)<tr data-stage="([a-z_]+)">(.*?)</tr>`).FindAllStringSubmatch(section, -1)
	for _, m := range rows {
		c := regexp.MustCompile(`data-col="` + col + `">([^<]*)<`).FindStringSubmatch(m[2])
		if c == nil {
			t.Fatalf("no %s cell in row %s", col, m[1])
		}
		out[m[1]] = c[1]
	}
	if len(out) != len(outreach.Stages) {
		t.Fatalf("%d stage rows, want %d", len(out), len(outreach.Stages))
	}
	return out
}

// sections splits a page into its group sections, by data-key.
func sections(t *testing.T, body string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range regexp.MustCompile(`(?s)<section id="[^"]+" class="funnel-group" data-group="([a-z]+)" data-key="([^"]*)"(.*?)</section>`).FindAllStringSubmatch(body, -1) {
		out[m[1]+":"+html.UnescapeString(m[2])] = m[3]
	}
	return out
}

func TestFunnelPage(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newFunnelFixture(t, db)
		ctx := context.Background()
		rep, err := db.OutreachReport(ctx, funnelDay("2025-06-01"))
		if err != nil {
			t.Fatal(err)
		}

		// Every reader of the aggregates sees the page.
		for _, who := range []string{"admin", "analyst", "lead", "worker"} {
			r := f.get(t, "/reports/outreach?as_of=2025-06-01", who)
			if r.Code != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("%s: %d %.300s", who, r.Code, r.Body)
			}
			for _, want := range []string{
				"<h1>Toeleiding: lokale besturen per fase</h1>",
				fmt.Sprintf(`id="kpi-informed" data-count="%d"`, rep.Informed),
				fmt.Sprintf(`id="kpi-in-conversation" data-count="%d"`, rep.Counts[outreach.InConversation]),
				fmt.Sprintf(`id="kpi-signed-up" data-count="%d"`, 1),
				fmt.Sprintf(`id="kpi-active" data-count="%d"`, 1),
				`class="chart chart-stages"`, `class="chart chart-funnel"`,
				`href="/api/v1/reports/outreach?as_of=2025-06-01&amp;format=csv"`,
				`href="/api/v1/reports/outreach?as_of=2025-06-01&amp;format=xlsx"`,
				`href="/api/v1/reports/outreach/series?from=2022-02-01&amp;to=2025-06-01&amp;group=all&amp;format=csv"`,
				`href="/reports/outreach/stages.svg?as_of=2025-06-01"`,
				`<option value="all" selected>Heel Vlaanderen</option>`,
				"Cijfers per maand", "Mediane duur (dagen)", "niet geïnformeerd",
			} {
				if !strings.Contains(r.Body, want) {
					t.Errorf("%s: the page lacks %s", who, want)
				}
			}
			if strings.Contains(r.Body, "Kennismaking") || strings.Contains(r.Body, "A. Generaal") {
				t.Errorf("%s: the page shows facts beyond counts", who)
			}
		}
		if rep.Informed == 0 || rep.Counts[outreach.Active] != 1 {
			t.Fatalf("the fixture: %+v", rep.Counts)
		}

		// The funnel table of all of Flanders is the report's funnel.
		page := f.get(t, "/reports/outreach?as_of=2025-06-01", "analyst").Body
		secs := sections(t, page)
		if len(secs) != 1 {
			t.Fatalf("%d sections for all of Flanders", len(secs))
		}
		all := rep.Funnel[0]
		reached, current, conv := tableColumn(t, secs["all:"], "reached"), tableColumn(t, secs["all:"], "current"), tableColumn(t, secs["all:"], "conversion")
		for _, row := range all.Rows {
			if reached[string(row.Stage)] != strconv.Itoa(row.Reached) || current[string(row.Stage)] != strconv.Itoa(row.Current) {
				t.Errorf("%s: reached %s current %s, want %d %d", row.Stage, reached[string(row.Stage)], current[string(row.Stage)], row.Reached, row.Current)
			}
		}
		if conv["active"] != "–" || conv["not_informed"] == "–" || !strings.HasSuffix(conv["not_informed"], " %") {
			t.Errorf("conversions %v", conv)
		}
		median := tableColumn(t, secs["all:"], "median")
		if median["signed"] != "92" || median["approved"] != "29" { // 2024-03-01 → 2024-06-01; 2024-02-01 → 2024-03-01
			t.Errorf("median days %v", median)
		}
		// The text alternative of the stage chart: a row per day.
		if n := strings.Count(secs["all:"], `<th scope="row" class="date">`); n != 41 {
			t.Errorf("%d rows per day, want 41 (February 2022 to June 2025)", n)
		}

		// Per province and per team: a section per group, with its funnel.
		secs = sections(t, f.get(t, "/reports/outreach?as_of=2025-06-01&group=province", "lead").Body)
		if len(secs) != 6 || secs["province:Limburg"] == "" {
			t.Fatalf("province sections %d", len(secs))
		}
		for _, fg := range rep.Funnel {
			if fg.Group != "province" {
				continue
			}
			got := tableColumn(t, secs["province:"+fg.Key], "current")
			for _, row := range fg.Rows {
				if got[string(row.Stage)] != strconv.Itoa(row.Current) {
					t.Errorf("%s %s: current %s, want %d", fg.Key, row.Stage, got[string(row.Stage)], row.Current)
				}
			}
		}
		body := f.get(t, "/reports/outreach?as_of=2025-06-01&group=team", "worker").Body
		secs = sections(t, body)
		if len(secs) != 4 || secs["team:team-zuid"] == "" || secs["team:"] == "" {
			t.Fatalf("team sections %v", len(secs))
		}
		for _, want := range []string{"<h2 id=\"group-team-team-zuid-heading\">Lokaal team Zuid</h2>", "Zonder lokaal team", `<option value="team" selected>`,
			`href="#group-team-team-noord"`, `href="/reports/outreach/stages.svg?as_of=2025-06-01&amp;group=team&amp;key=team-zuid"`} {
			if !strings.Contains(body, want) {
				t.Errorf("team page lacks %s", want)
			}
		}
		if got := tableColumn(t, secs["team:team-zuid"], "current"); got["in_conversation"] != "1" || got["not_informed"] != "1" {
			t.Errorf("team-zuid: %v", got)
		}

		// Before the decree month the series is the day itself.
		if r := f.get(t, "/reports/outreach?as_of=2021-05-01", "admin"); r.Code != http.StatusOK || strings.Count(r.Body, `<th scope="row" class="date">`) != 1 ||
			!strings.Contains(r.Body, `id="kpi-informed" data-count="0"`) {
			t.Errorf("2021: %d", r.Code)
		}

		// English on request.
		if r := f.get(t, "/reports/outreach?as_of=2025-06-01", "admin", "en"); r.Code != 200 || !strings.Contains(r.Body, "Outreach: local governments per stage") || !strings.Contains(r.Body, "Median time (days)") {
			t.Errorf("English: %d", r.Code)
		}

		// Others get the forbidden page; anonymous visitors the login.
		for _, who := range []string{"ocmw", "clinic", "dpo"} {
			for _, target := range []string{"/reports/outreach", "/reports/outreach/stages.svg", "/reports/outreach/funnel.svg"} {
				r := f.get(t, target, who)
				if r.Code != http.StatusForbidden || !strings.Contains(r.Body, "Uw rol laat dit niet toe.") {
					t.Errorf("%s %s: %d", who, target, r.Code)
				}
			}
		}
		if r := f.get(t, "/reports/outreach", ""); r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
			t.Errorf("anonymous: %d %s", r.Code, r.Header.Get("Location"))
		}

		// Bad input: a clear Dutch error, the field marked, today's report.
		for q, want := range map[string]string{
			"as_of=2018-12-31":                "Kies een datum van 01-01-2019 tot 02-03-2028.",
			"as_of=2028-03-03":                "Kies een datum van 01-01-2019 tot 02-03-2028.",
			"as_of=2023-02-30":                "„2023-02-30” is geen datum. Schrijf DD-MM-JJJJ, bijvoorbeeld 06-12-2026.",
			"as_of=gisteren":                  "„gisteren” is geen datum. Schrijf DD-MM-JJJJ",
			"as_of=2024-01-01&group=gemeente": "Onbekende indeling &#39;gemeente&#39;: kies heel Vlaanderen, per provincie of per lokaal team.",
		} {
			r := f.get(t, "/reports/outreach?"+q, "analyst")
			if r.Code != http.StatusBadRequest || !strings.Contains(r.Body, want) || !strings.Contains(r.Body, `role="alert"`) {
				t.Errorf("%s: %d, want 400 with %q", q, r.Code, want)
			}
			field := "as_of"
			if strings.Contains(q, "group") {
				field = "group"
			}
			if !regexp.MustCompile(`id="` + field + `"[^>]*aria-invalid="true"`).MatchString(r.Body) {
				t.Errorf("%s: the %s field is not marked invalid", q, field)
			}
			// A bad date shows today's report; a bad grouping the day asked.
			day := "02-03-2026"
			if field == "group" {
				day = "01-01-2024"
			}
			if !strings.Contains(r.Body, `id="as_of" name="as_of" inputmode="numeric" maxlength="10" autocomplete="off" aria-describedby="as_of-hint" value="`+day+`"`) {
				t.Errorf("%s: not the report of %s", q, day)
			}
		}

		// The agreements report links here for those who may read it.
		if r := f.get(t, "/reports/agreements?as_of=2025-06-01", "lead"); !strings.Contains(r.Body, `<a href="/reports/outreach?as_of=2025-06-01">`) {
			t.Error("no link from the agreements report")
		}
		if r := f.get(t, "/reports/agreements", "ocmw"); r.Code != 200 || strings.Contains(r.Body, `id="funnel-link"`) {
			t.Errorf("the agreements report links an OCMW worker to a page it may not read (%d)", r.Code)
		}
	})
}

func TestFunnelCharts(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newFunnelFixture(t, db)
		ctx := context.Background()
		rep, err := db.OutreachReport(ctx, funnelDay("2025-06-01"))
		if err != nil {
			t.Fatal(err)
		}
		series, err := db.OutreachSeries(ctx, outreach.SeriesStart, funnelDay("2025-06-01"), outreach.ByProvince)
		if err != nil {
			t.Fatal(err)
		}

		// The stage chart: one layer per stage, its values the series,
		// ending in the counts of the report of the day.
		root := parseChart(t, f.get(t, "/reports/outreach/stages.svg?as_of=2025-06-01", "lead"))
		layers := root.byClass("layer")
		if len(layers) != len(outreach.Stages) {
			t.Fatalf("%d layers, want one per stage", len(layers))
		}
		seen := map[string]bool{}
		for _, l := range layers {
			st := outreach.Stage(l.get("data-key"))
			if st.Order() < 0 || seen[string(st)] {
				t.Fatalf("layer %q", st)
			}
			seen[string(st)] = true
			vals := strings.Fields(l.get("data-values"))
			want := series.Groups[0].Counts[st]
			if len(vals) != len(want) || vals[len(vals)-1] != strconv.Itoa(rep.Counts[st]) {
				t.Fatalf("%s: %d values ending in %v, want %d ending in %d", st, len(vals), vals[len(vals)-1:], len(want), rep.Counts[st])
			}
			for i := range want {
				if vals[i] != strconv.Itoa(want[i]) {
					t.Fatalf("%s on %s: %s, want %d", st, series.Days[i], vals[i], want[i])
				}
			}
		}
		points := root.byClass("point")
		if len(points) != 41 || points[0].get("data-total") != "300" || points[40].get("data-total") != "285" || points[40].get("data-date") != "2025-06-01" {
			t.Errorf("%d points, first total %s, last %s on %s", len(points), points[0].get("data-total"), points[40].get("data-total"), points[40].get("data-date"))
		}
		if !strings.Contains(root.Children[0].Text, "Heel Vlaanderen") {
			t.Errorf("title %q", root.Children[0].Text)
		}

		// A province's chart.
		root = parseChart(t, f.get(t, "/reports/outreach/stages.svg?as_of=2025-06-01&group=province&key=Limburg", "analyst"))
		limburg, _ := series.Find(outreach.ByProvince, "Limburg")
		for _, l := range root.byClass("layer") {
			st := outreach.Stage(l.get("data-key"))
			vals := strings.Fields(l.get("data-values"))
			if vals[len(vals)-1] != strconv.Itoa(limburg.Counts[st][len(series.Days)-1]) {
				t.Errorf("Limburg %s: %v", st, vals[len(vals)-1])
			}
		}
		if !strings.Contains(root.Children[0].Text, "Provincie Limburg") {
			t.Errorf("title %q", root.Children[0].Text)
		}

		// The funnel chart: the report's funnel.
		root = parseChart(t, f.get(t, "/reports/outreach/funnel.svg?as_of=2025-06-01&group=team&key=team-noord", "worker"))
		var noord outreach.FunnelGroup
		for _, fg := range rep.Funnel {
			if fg.Group == "team" && fg.Key == "team-noord" {
				noord = fg
			}
		}
		rows := root.byClass("stage")
		if len(rows) != len(outreach.Stages) || noord.Total != 3 {
			t.Fatalf("%d funnel rows, team-noord total %d", len(rows), noord.Total)
		}
		for i, row := range rows {
			want := noord.Rows[i]
			if row.get("data-key") != string(want.Stage) || row.get("data-reached") != strconv.Itoa(want.Reached) || row.get("data-current") != strconv.Itoa(want.Current) {
				t.Errorf("row %d: %v, want %+v", i, row.Attrs, want)
			}
		}

		// In English; unknown groups and bad dates.
		if r := f.get(t, "/reports/outreach/stages.svg?as_of=2025-06-01", "admin", "en"); !bytes.Contains([]byte(r.Body), []byte("not informed")) {
			t.Error("English labels missing")
		}
		if r := f.get(t, "/reports/outreach/stages.svg?as_of=2025-06-01&group=province&key=Brabant", "admin"); r.Code != http.StatusNotFound {
			t.Errorf("unknown province: %d", r.Code)
		}
		if r := f.get(t, "/reports/outreach/funnel.svg?as_of=2023-06-01&group=team&key=team-onbekend", "admin"); r.Code != http.StatusNotFound {
			t.Errorf("unknown team: %d", r.Code)
		}
		for _, q := range []string{"as_of=2018-01-01", "as_of=2023-02-30", "group=gemeente"} {
			if r := f.get(t, "/reports/outreach/stages.svg?"+q, "admin"); r.Code != http.StatusBadRequest {
				t.Errorf("%s: %d", q, r.Code)
			}
		}
	})
}
