package store

import (
	"context"

	"kansrijk/internal/account"
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
