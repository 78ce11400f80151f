package server

import (
	"time"

	"kansrijk/internal/api"
	"kansrijk/internal/outcome"
	"kansrijk/internal/parliament/pack"
	"kansrijk/internal/store"
)

// newParliament is the service that makes the parliamentary answer packs over the database:
// the agreements, the outreach, the teams and the referral outcomes.
func newParliament(db *store.DB, outcomes outcome.Store) *pack.Service {
	return &pack.Service{Store: db, Today: func() time.Time { return api.Today(db.Now()) },
		Sources: pack.Sources{Agreements: db, Outreach: db, Teams: db, Outcomes: outcomes, Municipalities: db.Municipalities}}
}
