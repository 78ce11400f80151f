package store

import (
	"context"
	"fmt"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
)

// Gate answers "may team T refer to the OCMW of municipality M on date
// D?": allowed with the agreement in force, or the reason why not. It
// answers from the read pool; a send asks gateTx inside its own
// transaction instead.
func (db *DB) Gate(ctx context.Context, team, nis string, on time.Time) (agreement.Decision, error) {
	return db.gate(ctx, db.read, team, nis, on)
}

// gateTx is Gate inside the caller's write transaction, after locking the
// agreements between team and the municipality's OCMW: a step of one of
// them (its end, a carry-over: AddEvent and CarryOver take the same lock)
// commits either before the decision, which then sees it, or after the
// caller's transaction. So no referral is sent under an agreement that
// had ended when the send committed. On SQLite the single writer orders
// the two already.
func (db *DB) gateTx(ctx context.Context, tx *Tx, team, nis string, on time.Time) (agreement.Decision, error) {
	if err := lockAgreements(ctx, tx, "team_key = $1 AND municipality_nis = $2", team, nis); err != nil {
		return agreement.Decision{}, err
	}
	return db.gate(ctx, tx, team, nis, on)
}

// lockAgreements locks the agreements matching cond for the rest of the
// transaction (PostgreSQL; SQLite has one writer), always in id order so
// that two transactions never wait for each other crosswise.
func lockAgreements(ctx context.Context, tx *Tx, cond string, args ...any) error {
	if tx.db.dialect != Postgres {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id FROM agreements WHERE `+cond+` ORDER BY id FOR UPDATE`, args...)
	if err != nil {
		return fmt.Errorf("lock agreements: %w", err)
	}
	return rows.Close()
}

// gate decides on q, which is the read pool or a transaction: every query
// goes through q, so that a transaction never waits for a second
// connection of the pool it holds one of.
func (db *DB) gate(ctx context.Context, q queryer, team, nis string, on time.Time) (agreement.Decision, error) {
	m, ok := db.Municipalities.ByNIS(nis)
	if !ok {
		return agreement.Decision{Reason: agreement.ReasonUnknownMunicipality, Message: fmt.Sprintf("unknown municipality %q", nis)}, nil
	}
	if !db.Municipalities.ValidOn(nis, on) {
		msg := fmt.Sprintf("municipality %s (%s) does not exist on %s", m.Name, nis, day(on))
		if s, ok := db.Municipalities.SuccessorOn(nis, on); ok {
			msg += fmt.Sprintf("; it merged into %s (%s)", s.Name, s.NIS)
		}
		return agreement.Decision{Reason: agreement.ReasonMunicipalityInvalid, Message: msg}, nil
	}
	holds, err := db.areaHolds(ctx, q, team, nis, on)
	if err != nil {
		return agreement.Decision{}, err
	}
	if !holds {
		d := agreement.Decision{Reason: agreement.ReasonOutsideArea, Message: fmt.Sprintf("%s is not in the service area of %s on %s", m.Name, team, day(on))}
		if other, err := teamFor(ctx, q, nis, on); err == nil && other != "" {
			d.Message += "; it belongs to " + other
		}
		return d, nil
	}
	// The status on day `on` of every agreement between the team and the
	// municipality, replayed from the events.
	states, err := queryList(ctx, q, func(row rowScanner) (agreementState, error) {
		s := agreementState{team: team, nis: nis}
		var st string
		var eon timeCol
		err := row.Scan(&s.id, &st, &eon)
		s.status, s.effectiveOn = agreement.Status(st), eon.T
		return s, err
	}, `SELECT a.id, e.status, e.effective_on FROM agreements a JOIN agreement_events e ON e.id = `+effectiveEventSQL+`
		WHERE a.team_key = $3 AND a.municipality_nis = $4 ORDER BY a.id`, day(on), farFuture, team, nis)
	if err != nil {
		return agreement.Decision{}, err
	}
	recipient := RecipientFor(m)
	var found *agreementState
	for i, s := range states {
		if found == nil || s.status.Rank() > found.status.Rank() {
			found = &states[i]
		}
	}
	if found == nil {
		return agreement.Decision{Reason: agreement.ReasonNoAgreement, Message: fmt.Sprintf("no agreement between %s and %s", team, recipient)}, nil
	}
	if !found.status.InForce() {
		return agreement.Decision{Reason: agreement.ReasonNotActive, Message: fmt.Sprintf("the agreement between %s and %s is %s on %s", team, recipient, found.status, day(on))}, nil
	}
	ag, err := db.agreementIn(ctx, q, account.Program(account.SourceJob, "gate"), found.id)
	if err != nil {
		return agreement.Decision{}, err
	}
	return agreement.Decision{Allowed: true, Agreement: &ag}, nil
}
