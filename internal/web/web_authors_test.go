package web_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/outreach"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

var tagRE = regexp.MustCompile(`(?s)<[^>]*>`)

// visibleText is a page's text without its tags (and so without class
// names and attributes).
func visibleText(body string) string { return tagRE.ReplaceAllString(body, " ") }

// A page shows what the program's own work was — the demo loader, the
// daily job, the command — and never the word "system" (issue 12).
func TestAuthorsPagesNameTheSource(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newBirthsWorld(t, db)
		ctx := context.Background()
		ag, err := db.CreateAgreement(ctx, account.Program(account.SourceDemo, ""), agreement.NewAgreement{Team: "team-noord", MunicipalityNIS: "13016", Status: "interested", EffectiveOn: "2024-01-10"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddEvent(ctx, account.Program(account.SourceJob, "retention"), ag.ID, agreement.NewEvent{Status: "draft", EffectiveOn: "2024-02-01"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddEvent(ctx, account.Program(account.SourceCLI, "retention"), ag.ID, agreement.NewEvent{Status: "withdrawn", EffectiveOn: "2024-03-01", Reason: "geen interesse"}); err != nil {
			t.Fatal(err)
		}
		c, err := db.CreateCampaign(ctx, account.Program(account.SourceJob, "digest"), outreach.NewCampaign{Kind: "newsletter", On: "2024-02-01", Partner: "VVSG", Subject: "Nieuwsbrief", Audience: "all"})
		if err != nil {
			t.Fatal(err)
		}
		admin := w.login("admin")
		r := admin.get(fmt.Sprintf("/agreements/%d", ag.ID))
		wantStatus(t, "agreement", r, 200)
		wantIn(t, "agreement", r, "Demogegevens (kansrijk demo of kansrijk serve --demo)", "Dagelijkse taak: bewaartermijnen", "Opdrachtregel: kansrijk retention")
		r2 := admin.get(fmt.Sprintf("/outreach/campaigns/%d", c.ID))
		wantStatus(t, "campaign", r2, 200)
		wantIn(t, "campaign", r2, "Dagelijkse taak: wekelijks overzicht")
		for what, r := range map[string]response{"agreement": r, "campaign": r2} {
			text := visibleText(r.Body)
			if m := regexp.MustCompile(`(?i)\bsystem\b`).FindString(text); m != "" {
				t.Errorf("%s page shows %q", what, m)
			}
			if strings.Contains(text, "Kansrijk zelf") {
				t.Errorf("%s page shows the generic text although the source is known", what)
			}
		}
	})
}
