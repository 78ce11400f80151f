package e2e

import (
	"strings"
	"testing"
	"time"

	"kansrijk/internal/demo"
	"kansrijk/internal/smtptest"
)

// TestOutreachFlow: a team lead sees its area's not-yet-signed list, opens
// a local government, adds a contact, logs a contact moment, plans a task
// and previews a mailing to the list; axe-core checks every page.
func TestOutreachFlow(t *testing.T) {
	t.Parallel()
	b := start(t)
	const (
		lead    = "teamlead@demo.kansrijk.test"
		contact = "E2E Contact Verhoeven"
	)
	login(t, b, lead, demo.Password)

	// One click from the navigation answers "who was informed, and who
	// was not approached yet?".
	b.Click(`header nav a[href="/outreach"]`)
	wantPath(t, b, "/outreach")
	wantText(t, b, "#informed", "Geïnformeerd")
	wantText(t, b, "#not-approached", "Nog niet benaderd")
	if !b.Exists("#informed-count") || !b.Exists("#not-approached-count") {
		t.Fatal("the overview does not show both counts")
	}
	b.Page("outreach-overview")

	// The target list defaults to the lead's own team.
	b.Navigate(baseURL + "/outreach/targets")
	wantPath(t, b, "/outreach/targets")
	var rows []struct{ NIS, Stage, Team string }
	b.Eval(`[...document.querySelectorAll("#targets tbody tr[data-nis]")].map(tr => ({NIS: tr.dataset.nis, Stage: tr.dataset.stage, Team: tr.cells[2].textContent.trim()}))`, &rows)
	if len(rows) == 0 {
		t.Fatal("the team lead's target list is empty")
	}
	for _, r := range rows {
		if r.Team != rows[0].Team || r.Team == "" {
			t.Errorf("row %s has team %q; the list should hold the lead's team only", r.NIS, r.Team)
		}
		switch r.Stage {
		case "not_informed", "informed", "in_conversation", "ended":
		default:
			t.Errorf("row %s in stage %s is on the not-yet-signed list", r.NIS, r.Stage)
		}
	}
	b.Page("outreach-targets")
	nis := rows[0].NIS

	// The local government: a contact (first without a name: a Dutch
	// error), a contact moment, a task.
	b.Click(`#targets tbody tr[data-nis="` + nis + `"] a`)
	wantPath(t, b, "/outreach/municipalities/"+nis)
	b.Page("outreach-municipality")
	b.SetValue("#contact-email", "e2e.contact@gemeente.demo.kansrijk.test")
	b.Click("#contact-new button[type=submit]")
	if got := status(b); got != 400 {
		t.Errorf("contact without a name: status %d, want 400", got)
	}
	wantText(t, b, "main", "naam")
	b.SetValue("#contact-name", contact)
	b.SetValue("#contact-email", "e2e.contact@gemeente.demo.kansrijk.test")
	b.Click("#contact-new button[type=submit]")
	wantPath(t, b, "/outreach/municipalities/"+nis)
	wantText(t, b, "#contact-list", contact)

	today := brusselsToday().Format(time.DateOnly)
	b.SetValue("#moment-on", today)
	b.SetValue("#moment-summary", "E2E: de samenwerkingsovereenkomst toegelicht aan de algemeen directeur")
	b.SetValue("#moment-next", "Agenderen op het vast bureau")
	b.Click("#moment-new button[type=submit]")
	wantPath(t, b, "/outreach/municipalities/"+nis)
	wantText(t, b, "#moment-list", "E2E: de samenwerkingsovereenkomst toegelicht")
	if got := attr(b, "#stage", "data-stage"); got != "in_conversation" && got != "ended" {
		t.Errorf("stage after a contact moment = %q, want in_conversation", got)
	}

	b.SetValue("#task-title", "E2E: ontwerp van overeenkomst bezorgen")
	b.SetValue("#task-due", brusselsToday().AddDate(0, 0, 14).Format(time.DateOnly))
	b.Click("#task-new button[type=submit]")
	wantPath(t, b, "/outreach/municipalities/"+nis)
	wantText(t, b, "main", "E2E: ontwerp van overeenkomst bezorgen")
	b.Page("outreach-municipality-after")

	// A mailing to the list: the preview fills the merge fields, for the
	// contact just added among the others.
	b.Navigate(baseURL + "/outreach/targets")
	b.Click("#targets-mailing")
	if p := path(t, b); !strings.HasPrefix(p, "/outreach/mailing") {
		t.Fatalf("the target list's mailing link leads to %s", p)
	}
	wantText(t, b, "#mailing-recipients", contact)
	b.Page("outreach-mailing")
	b.Click(`#mailing button[value=preview]`)
	wantText(t, b, "#mailing-preview", contact)
	if strings.Contains(b.Text("#mailing-preview"), "{{") {
		t.Error("the preview shows unfilled merge fields")
	}
	b.Page("outreach-mailing-preview")

	// A test mail to oneself goes out over SMTP with the merge fields of
	// the first recipient filled.
	before := len(server.mail.To(lead))
	b.Click(`#mailing button[value=test]`)
	var got []smtptest.Message
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if got = server.mail.To(lead); len(got) > before {
			break
		}
	}
	if len(got) <= before {
		t.Fatalf("no test mail reached %s over SMTP", lead)
	}
	m := got[len(got)-1]
	if !strings.Contains(m.Subject, "TEST") || strings.Contains(m.Body, "{{") {
		t.Errorf("test mail: subject %q, body:\n%s", m.Subject, m.Body)
	}
	b.Page("outreach-mailing-test-sent")

	// Send: every contact on the list gets its own message through the
	// outbox, and the mailing is listed as sent.
	b.Click(`#mailing button[value=send]`)
	wantText(t, b, "#mailing-history", "1")
	const to = "e2e.contact@gemeente.demo.kansrijk.test"
	got = nil
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && len(got) == 0; time.Sleep(250 * time.Millisecond) {
		got = server.mail.To(to)
	}
	if len(got) != 1 {
		t.Fatalf("%d messages reached %s, want 1", len(got), to)
	}
	if m := got[0]; !strings.Contains(m.Body, "Geachte "+contact) || strings.Contains(m.Subject, "TEST") {
		t.Errorf("mailing message: subject %q, body:\n%s", m.Subject, m.Body)
	}
	b.Page("outreach-mailing-sent")
}
