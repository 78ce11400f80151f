package store_test

import (
	"context"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/outreach"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// The program's own work keeps "system" as its author and records what it
// was next to it (issue 12): the demo loader, a daily job, a command.
func TestAuthorsProgramSource(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		world(t, db)
		ctx := context.Background()
		demo := account.Program(account.SourceDemo, "")
		ag := mustCreate(t, db, demo, "team-noord", "13016", "interested", "2024-01-10")
		job := account.Program(account.SourceJob, "retention")
		if _, err := db.AddEvent(ctx, job, ag.ID, step(agreement.Draft, "2024-02-01")); err != nil {
			t.Fatal(err)
		}
		// The same store method run from the command line: the context
		// names the command, not the job.
		cli := account.ProgramFor(account.WithSource(ctx, account.SourceCLI, "retention"), account.SourceJob, "retention")
		if _, err := db.AddEvent(ctx, cli, ag.ID, step(agreement.Approved, "2024-03-01")); err != nil {
			t.Fatal(err)
		}
		// A person never gets a source, even if the actor carried one.
		person := admin
		person.Email, person.Source = "beheer@opgroeien.test", "job:retention"
		if _, err := db.AddEvent(ctx, person, ag.ID, step(agreement.Signed, "2024-04-01")); err != nil {
			t.Fatal(err)
		}
		got, err := db.Agreement(ctx, admin, ag.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []struct{ by, source string }{
			{"system", "demo"}, {"system", "job:retention"}, {"system", "cli:retention"}, {"beheer@opgroeien.test", ""},
		}
		if len(got.Events) != len(want) {
			t.Fatalf("%d events, want %d", len(got.Events), len(want))
		}
		for i, w := range want {
			e := got.Events[i]
			if e.RecordedBy != w.by || e.RecordedBySource != w.source {
				t.Errorf("event %d (%s): recorded by %q source %q, want %q %q", i, e.Status, e.RecordedBy, e.RecordedBySource, w.by, w.source)
			}
		}
		if v := got.Version; v == nil || v.CreatedBy != "system" || v.CreatedBySource != "demo" {
			t.Errorf("version in force = %+v, want created by system, source demo", v)
		}

		c, err := db.CreateCampaign(ctx, account.Program(account.SourceCLI, "import"), outreach.NewCampaign{Kind: "newsletter", On: "2024-02-01", Partner: "VVSG", Subject: "Nieuwsbrief", Audience: "all"})
		if err != nil {
			t.Fatal(err)
		}
		back, err := db.Campaign(ctx, admin, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if back.CreatedBy != "system" || back.CreatedBySource != "cli:import" {
			t.Errorf("campaign created by %q source %q, want system, cli:import", back.CreatedBy, back.CreatedBySource)
		}
		// Older work without a source (account.System) keeps an empty one.
		old, err := db.CreateCampaign(ctx, account.System("demo"), outreach.NewCampaign{Kind: "newsletter", On: "2024-03-01", Partner: "VVSG", Subject: "Oud", Audience: "all"})
		if err != nil {
			t.Fatal(err)
		}
		if old.CreatedBy != "system" || old.CreatedBySource != "" {
			t.Errorf("campaign without source: by %q source %q", old.CreatedBy, old.CreatedBySource)
		}

		// The outreach log the demo loader writes: contacts, moments, tasks.
		demoOrg := account.Program(account.SourceDemo, "")
		contact, err := db.CreateContact(ctx, demoOrg, outreach.NewContact{MunicipalityNIS: "13016", Function: "general_director", Name: "Demo Directeur", Email: "directeur@hulshout.test"})
		if err != nil {
			t.Fatal(err)
		}
		name := "Demo Directrice"
		contact, err = db.UpdateContact(ctx, account.Program(account.SourceCLI, "import"), contact.ID, outreach.ContactUpdate{Name: &name})
		if err != nil {
			t.Fatal(err)
		}
		if contact.CreatedBy != "system" || contact.CreatedBySource != "demo" || contact.UpdatedBySource != "cli:import" {
			t.Errorf("contact: by %q, sources %q/%q", contact.CreatedBy, contact.CreatedBySource, contact.UpdatedBySource)
		}
		moment, err := db.CreateContactMoment(ctx, demoOrg, outreach.NewContactMoment{MunicipalityNIS: "13016", On: "2024-02-10", Channel: "phone", ContactID: contact.ID, Summary: "Kennismaking"})
		if err != nil {
			t.Fatal(err)
		}
		if moment.CreatedBy != "system" || moment.CreatedBySource != "demo" {
			t.Errorf("moment: by %q, source %q", moment.CreatedBy, moment.CreatedBySource)
		}
		task, err := db.CreateTask(ctx, demoOrg, outreach.NewTask{MunicipalityNIS: "13016", Team: "team-noord", Title: "Opnieuw bellen", DueOn: "2030-01-01"})
		if err != nil {
			t.Fatal(err)
		}
		done := "done"
		task, err = db.UpdateTask(ctx, account.Program(account.SourceJob, "reminders"), task.ID, outreach.TaskUpdate{Status: &done})
		if err != nil {
			t.Fatal(err)
		}
		if task.CreatedBy != "system" || task.CreatedBySource != "demo" || task.UpdatedBySource != "job:reminders" {
			t.Errorf("task: by %q, sources %q/%q", task.CreatedBy, task.CreatedBySource, task.UpdatedBySource)
		}
	})
}
