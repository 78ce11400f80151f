package demo_test

import (
	"context"

	"kansrijk/internal/account"
	"kansrijk/internal/birth"
	"kansrijk/internal/page"
	"kansrijk/internal/store"
)

// allBirths walks every page of the notifications in a's scope, newest
// first.
func allBirths(ctx context.Context, db *store.DB, a account.Actor, f birth.Filter) ([]birth.Summary, error) {
	items, err := page.All(page.Request{Sort: "created_at", Desc: true}, func(req page.Request) (page.Result[birth.QueueItem], error) {
		return db.BirthQueue(ctx, a, f, req)
	})
	out := make([]birth.Summary, len(items))
	for i, it := range items {
		out[i] = it.Summary
	}
	return out, err
}

// allSubmissions walks every page of a clinic's submissions.
func allSubmissions(ctx context.Context, db *store.DB, a account.Actor) ([]birth.Submission, error) {
	return page.All(page.Request{Sort: "created_at", Desc: true}, func(req page.Request) (page.Result[birth.Submission], error) {
		return db.ClinicSubmissionPage(ctx, a, birth.Filter{}, req)
	})
}
