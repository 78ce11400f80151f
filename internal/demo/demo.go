// Package demo loads synthetic, clearly fictitious demo data into an empty
// database: local teams covering all of Flanders (with their areas changed
// at the 2025 mergers), a few maternity clinics, one user per role, and a
// 2023–2025 history of cooperation agreements. No real person's data is
// ever used.
package demo

import (
	"context"
	"fmt"
	"sort"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/municipality"
	"kansrijk/internal/org"
	"kansrijk/internal/store"
)

// Password is the password of every demo account. It is printed when the
// demo starts; never use demo accounts outside a demo.
const Password = "demo-wachtwoord-2026"

// Account is a demo login.
type Account struct {
	Email, Role, Org, Name string
}

// Accounts are the demo users, one per role.
var Accounts = []Account{
	{"admin@demo.kansrijk.test", "admin", "opgroeien", "Demo Beheerder"},
	{"teamlead@demo.kansrijk.test", "team_lead", "team-demo-turnhout", "Demo Teamverantwoordelijke"},
	{"teamworker@demo.kansrijk.test", "team_worker", "team-demo-turnhout", "Demo Gezinsondersteuner"},
	{"ocmw@demo.kansrijk.test", "ocmw_worker", "ocmw-13016", "Demo Maatschappelijk Werker"},
	{"ocmwadmin@demo.kansrijk.test", "ocmw_admin", "ocmw-13016", "Demo OCMW-beheerder"},
	{"clinic@demo.kansrijk.test", "clinic", "clinic-demo-zonnedal", "Demo Vroedvrouw"},
	{"dpo@demo.kansrijk.test", "dpo", "opgroeien", "Demo Functionaris Gegevensbescherming"},
	{"analyst@demo.kansrijk.test", "analyst", "opgroeien", "Demo Analist"},
}

// ExtraAccounts are demo users beyond one per role: an OCMW worker of
// Turnhout, an OCMW without an agreement, who must never see Hulshout's
// referrals.
var ExtraAccounts = []Account{
	{"ocmw2@demo.kansrijk.test", "ocmw_worker", "ocmw-13040", "Demo Maatschappelijk Werker Turnhout"},
}

// Clinics are the fictitious maternity clinics.
var Clinics = []org.NewClinic{
	{Key: "clinic-demo-zonnedal", Name: "Demo Kraamkliniek AZ Zonnedal"},
	{Key: "clinic-demo-scheldeoever", Name: "Demo Materniteit Scheldeoever"},
	{Key: "clinic-demo-maasland", Name: "Demo Kraamafdeling Maasland"},
}

// TeamsFrom is the start of the demo teams; AreasFrom2025 is when their
// areas switch to the merged municipalities.
var (
	TeamsFrom     = time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	AreasFrom2025 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Load fills an empty database with the demo data, in a few transactions.
// It refuses a database that already has users.
func Load(ctx context.Context, db *store.DB) error {
	empty, err := IsEmpty(ctx, db)
	if err != nil {
		return err
	}
	if !empty {
		return apperr.New(apperr.Conflict, "the database is not empty: demo data goes only into an empty database")
	}
	sys := account.Program(account.SourceDemo, "")
	for _, t := range Teams(db.Municipalities) {
		if _, err := db.CreateTeam(ctx, sys, t.Create); err != nil {
			return fmt.Errorf("demo team %s: %w", t.Create.Key, err)
		}
		if _, err := db.UpdateTeam(ctx, sys, t.Create.Key, t.Update2025); err != nil {
			return fmt.Errorf("demo team %s 2025 area: %w", t.Create.Key, err)
		}
	}
	for _, c := range Clinics {
		if _, err := db.CreateClinic(ctx, sys, c); err != nil {
			return fmt.Errorf("demo clinic %s: %w", c.Key, err)
		}
	}
	if err := loadAgreements(ctx, db); err != nil {
		return err
	}
	for _, a := range append(Accounts[:len(Accounts):len(Accounts)], ExtraAccounts...) {
		if _, err := db.CreateUser(ctx, sys, account.NewUser{Email: a.Email, Name: a.Name, Role: a.Role, Org: a.Org, Password: Password}); err != nil {
			return fmt.Errorf("demo user %s: %w", a.Email, err)
		}
	}
	if err := loadReferrals(ctx, db); err != nil {
		return err
	}
	// Factsheet area: the outreach history 2022–today (outreach.go).
	if err := loadOutreach(ctx, db); err != nil {
		return err
	}
	// births_ui: birth notifications of the demo clinics (births.go).
	if err := loadBirths(ctx, db); err != nil {
		return err
	}
	// demodata: the bulk outcome history of the municipalities with an
	// agreement (history.go).
	return loadHistory(ctx, db)
}

// IsEmpty reports whether the database has no users and no local teams.
func IsEmpty(ctx context.Context, db *store.DB) (bool, error) {
	n, err := db.CountUsers(ctx)
	if err != nil {
		return false, err
	}
	teams, err := db.Teams(ctx, TeamsFrom)
	if err != nil {
		return false, err
	}
	return n == 0 && len(teams) == 0, nil
}

// DemoTeam is one fictitious local team with its areas before and after
// the 2025 mergers.
type DemoTeam struct {
	Create     org.NewTeam
	Update2025 org.TeamUpdate
}

// Teams divides Flanders into fictitious local teams, one per
// arrondissement (the first two digits of the NIS code), named after the
// arrondissement's largest municipality.
func Teams(reg *municipality.Registry) []DemoTeam {
	before := group(reg.On(TeamsFrom, municipality.Flanders))
	after := group(reg.On(AreasFrom2025, municipality.Flanders))
	var prefixes []string
	for p := range before {
		prefixes = append(prefixes, p)
	}
	sort.Strings(prefixes)
	var out []DemoTeam
	for _, p := range prefixes {
		ms := before[p]
		largest := ms[0]
		for _, m := range ms {
			if m.Population2020 > largest.Population2020 {
				largest = m
			}
		}
		name := "Demoteam regio " + largest.Name
		areaAfter := nisOf(after[p])
		key := "team-demo-" + org.Slugify(largest.Name)
		out = append(out, DemoTeam{
			// A synthetic phone number (+32 9 123 45 xx) and mailbox
			// (.example: never delivered) for the families' receipts.
			Create: org.NewTeam{Key: key, Name: name, Municipalities: nisOf(ms), From: TeamsFrom,
				Phone: fmt.Sprintf("+32 9 123 45 %02d", 10+len(out)), Email: org.Slugify(largest.Name) + "@teams.kansrijk.example"},
			Update2025: org.TeamUpdate{Municipalities: &areaAfter, From: AreasFrom2025},
		})
	}
	return out
}

func group(list []municipality.Municipality) map[string][]municipality.Municipality {
	g := map[string][]municipality.Municipality{}
	for _, m := range list {
		p := m.NIS[:2]
		g[p] = append(g[p], m)
	}
	return g
}

func nisOf(ms []municipality.Municipality) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.NIS
	}
	return out
}
