package store_test

import (
	"context"
	"net/url"

	"kansrijk/internal/account"
	"kansrijk/internal/birth"
	"kansrijk/internal/page"
	"kansrijk/internal/store"
)

// allBirths walks every page of the notifications in a's scope, in the
// order of sort (a key of birth.QueueSorts, "-" for descending; "" for
// the default, newest first).
func allBirths(ctx context.Context, db *store.DB, a account.Actor, f birth.Filter, sort string) ([]birth.Summary, error) {
	req, err := page.Parse(url.Values{"sort": {sort}}, birth.QueueSorts...)
	if err != nil {
		return nil, err
	}
	items, err := page.All(req, func(req page.Request) (page.Result[birth.QueueItem], error) {
		return db.BirthQueue(ctx, a, f, req)
	})
	if err != nil {
		return nil, err
	}
	out := make([]birth.Summary, len(items))
	for i, it := range items {
		out[i] = it.Summary
	}
	return out, nil
}

// allSubmissions walks every page of a clinic's submissions, newest
// first.
func allSubmissions(ctx context.Context, db *store.DB, a account.Actor, f birth.Filter) ([]birth.Submission, error) {
	return page.All(page.Request{Sort: "created_at", Desc: true}, func(req page.Request) (page.Result[birth.Submission], error) {
		return db.ClinicSubmissionPage(ctx, a, f, req)
	})
}
