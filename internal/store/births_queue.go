package store

import (
	"context"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/birth"
)

// OpenInOpgroeienQueue counts the open notifications (new or not reached,
// personal data not deleted) in Opgroeien's own queue: a number, no
// personal data, so no audit event. Admins only.
func (db *DB) OpenInOpgroeienQueue(ctx context.Context, a account.Actor) (int, error) {
	if a.Role != account.Admin {
		return 0, forbiddenBirth("only Opgroeien's admins see its queue")
	}
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM birth_notifications
		WHERE team_key IS NULL AND status IN ($1, $2) AND data_deleted_at IS NULL`, string(birth.New), string(birth.NotReached)).Scan(&n)
	return n, err
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
