package store

import (
	"context"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/birth"
)

// OpenInOpgroeienQueue counts the open notifications (new or not reached,
// personal data not deleted) in Opgroeien's own queue, as its list
// (birthQueueList) holds them: a number, no personal data, so no audit
// event. Admins only.
func (db *DB) OpenInOpgroeienQueue(ctx context.Context, a account.Actor) (int, error) {
	if a.Role != account.Admin {
		return 0, forbiddenBirth("only Opgroeien's admins see its queue")
	}
	n := 0
	for _, s := range []birth.Status{birth.New, birth.NotReached} {
		l, err := db.birthQueueList(birthScope{admin: true}, birth.Filter{Queue: birth.QueueOpgroeien, Status: s}, "")
		if err != nil {
			return 0, err
		}
		c, err := countList(ctx, db.read, l)
		if err != nil {
			return 0, err
		}
		n += c
	}
	return n, nil
}

// DenyBirth audits a refused access to a notification that the caller's
// role may not reach through the route it used (a page of the local
// team's for an OCMW worker, say) as birth.access_denied, and answers
// forbidden: the UI's refusal of a role leaves the same trace as the
// API's.
func (db *DB) DenyBirth(ctx context.Context, a account.Actor, id int64) error {
	if err := db.denyBirth(ctx, a, id); !apperr.Is(err, apperr.NotFound) {
		return err
	}
	return forbiddenBirth("not for this role")
}
