package web_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/browsertest"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestForms2InBrowser: the agreement step form, the version form and the
// subject-request form, sent with several problems in Chromium, show them
// all — the summary linked to each field, each message next to its field
// — keep what was typed, and stay axe-clean.
func TestForms2InBrowser(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("browser test: skipped with -short")
	}
	db := storetest.Open(t, store.SQLite)
	w := formsWorld(t, db)
	draft, err := db.CreateAgreement(context.Background(), account.Program(account.SourceTest, ""),
		agreement.NewAgreement{Team: "team-noord", MunicipalityNIS: "12014", Status: "draft", EffectiveOn: "2024-01-02"})
	if err != nil {
		t.Fatal(err)
	}
	db.Now = time.Now // the browser drops a session cookie that expired by the real clock
	w.users.Create(t, "admin", "dpo")
	b := browsertest.New(t)
	base := w.srv.URL
	signIn := func(name string) {
		t.Helper()
		b.Navigate(base + "/login")
		b.SetValue("#email", w.users.Email(t, name))
		b.SetValue("#password", storetest.Password)
		b.Click("main form button[type=submit]")
	}
	// wantAll checks that the summary links to each id, that each has its
	// message next to it, and that the input keeps what was typed.
	wantAll := func(what string, ids []string, typed map[string]string) {
		t.Helper()
		for _, id := range ids {
			if !b.Exists(fmt.Sprintf("#form-errors a[href='#%s']", id)) {
				t.Errorf("%s: the summary does not link to #%s: %s", what, id, b.Text("#form-errors"))
			}
			if !b.Exists(fmt.Sprintf("#%s-error", id)) {
				t.Errorf("%s: no message next to #%s", what, id)
			}
		}
		for sel, want := range typed {
			var got string
			b.Eval(fmt.Sprintf(`document.querySelector(%q).value`, sel), &got)
			if got != want {
				t.Errorf("%s: %s came back as %q, want %q", what, sel, got, want)
			}
		}
	}

	signIn("admin")
	// The step "approved": four problems.
	b.Navigate(fmt.Sprintf("%s/agreements/%d", base, draft.ID))
	b.Eval(`document.querySelector("#cdate").closest("details").open = true`, nil)
	b.SetValue("#on-approved", "31/02/2024")
	b.SetValue("#cdate", "morgen")
	// A note longer than the field allows (as a script or an old browser
	// would send it).
	b.Eval(`document.querySelector("#note-approved").removeAttribute("maxlength")`, nil)
	b.SetValue("#note-approved", strings.Repeat("x", 2001))
	b.Submit("#cdate")
	wantAll("approved step", []string{"on-approved", "cdate", "cref", "note-approved"},
		map[string]string{"#on-approved": "31/02/2024", "#cdate": "morgen"})
	b.Page("forms2-agreement-step-errors")

	// The version form: five problems.
	b.Navigate(fmt.Sprintf("%s/agreements/%d", base, draft.ID))
	b.SetValue("#retention_days", "")
	b.SetValue("#first_contact_days", "999")
	b.SetValue("#information_text", " ")
	b.SetValue("#dpo_advice_on", "gisteren")
	b.SetValue("#publication_url", "ftp://example.org/besluit")
	b.Submit("#publication_url")
	wantAll("version", []string{"retention_days", "first_contact_days", "information_text", "dpo_advice_on", "publication_url"},
		map[string]string{"#first_contact_days": "999", "#dpo_advice_on": "gisteren", "#publication_url": "ftp://example.org/besluit"})
	b.Page("forms2-agreement-version-errors")
	b.Click("header form button[type=submit]") // sign out

	// The subject-request form: four problems.
	signIn("dpo")
	b.Navigate(base + "/verzoeken")
	b.SetValue("#received_on", "31/02/2026")
	b.SetValue("#name", "Fictieve Ouder")
	b.SetValue("#postcode", "22")
	b.Click("#new-request button[type=submit]")
	wantAll("subject request", []string{"received_on", "street", "number", "postcode"},
		map[string]string{"#received_on": "31/02/2026", "#name": "Fictieve Ouder", "#postcode": "22"})
	b.Page("forms2-subject-request-errors")

	// The rectification form on the request's page: no object, a postcode
	// that is none — both at once, the field chosen kept.
	b.Navigate(base + "/verzoeken")
	b.SetValue("#receipt_code", "KR-AAAA-BBBB-CCCC")
	b.Click("#new-request button[type=submit]")
	if !strings.Contains(b.URL(), "ok=gdpr_created") {
		t.Fatalf("the request form led to %s: %s", b.URL(), b.Text("main"))
	}
	b.SetValue("#field", "postcode")
	b.SetValue("#value", "12")
	b.SetValue("#rectify-note", "per brief")
	b.Click("#rectify button[type=submit]")
	wantAll("rectification", []string{"object", "value"},
		map[string]string{"#field": "postcode", "#value": "12", "#rectify-note": "per brief"})
	b.Page("forms2-rectification-errors")
}
