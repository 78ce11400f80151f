package store

import (
	"context"

	"kansrijk/internal/audit"
)

// AuditAt writes synthetic audit events for the tests of the DPO's
// console, each at its own At (through Tx.Audit, like every event).
func (db *DB) AuditAt(ctx context.Context, evs ...audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		for _, ev := range evs {
			tx.now = ev.At.UTC()
			if err := tx.Audit(ctx, ev); err != nil {
				return err
			}
		}
		return nil
	})
}
