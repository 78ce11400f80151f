package server

import (
	"time"

	"kansrijk/internal/api"
	"kansrijk/internal/outcome"
	"kansrijk/internal/parliament/pack"
	"kansrijk/internal/store"
)

// newParliament is the service that makes the parliamentary answer packs over the database:
// the agreements, the outreach, the teams and, where the store implements them, the referral
// outcomes.
func newParliament(db *store.DB) *pack.Service {
	svc := &pack.Service{Store: db, Today: func() time.Time { return api.Today(db.Now()) },
		Sources: pack.Sources{Agreements: db, Outreach: db, Teams: db, Municipalities: db.Municipalities}}
	if o, ok := any(db).(outcome.Store); ok {
		svc.Sources.Outcomes = o
	}
	return svc
}
