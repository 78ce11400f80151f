package web_test

import (
	"context"

	"kansrijk/internal/account"
	"kansrijk/internal/birth"
	pg "kansrijk/internal/page"
	"kansrijk/internal/store"
)

// allSubmissions walks every page of a clinic's submissions, newest
// first.
func allSubmissions(db *store.DB, a account.Actor) ([]birth.Submission, error) {
	return pg.All(pg.Request{Sort: "created_at", Desc: true}, func(req pg.Request) (pg.Result[birth.Submission], error) {
		return db.ClinicSubmissionPage(context.Background(), a, birth.Filter{}, req)
	})
}
