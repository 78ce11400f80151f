package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// The demo's bulk history (area demodata): thousands of fictitious birth
// notifications and referrals of past years, written in one transaction
// with multi-row inserts, because writing them one by one through the
// constructors would make the demo start slowly. Only history whose
// personal data are gone by retention is written this way, so no personal
// data are inserted: the rows are those the constructors, the daily jobs and
// retention leave behind (statuses, timestamps, versions, contacts,
// consents, attempts; the date of birth reduced to its month).

// DemoBirth is one past birth notification, after retention.
type DemoBirth struct {
	Clinic, Team, NIS, Language string
	Status                      string
	Born                        time.Time // only its month is kept
	Early                       bool
	SubmittedBy                 string
	Created, Updated            time.Time
	Contacts                    []DemoContact
	Escalated                   time.Time // zero: never
	DataDeleted                 time.Time
	Version                     int
}

// DemoContact is a contact of a local team with a family (births) or of an
// OCMW with a family (referrals: HomeVisit unused).
type DemoContact struct {
	On, Recorded time.Time
	Channel      string
	Reached      bool
	HomeVisit    bool
	By           string
}

// DemoConsent is one consent (or refusal) of a parent.
type DemoConsent struct {
	Parent   int
	Informed []string
	Method   string
	Refused  bool
	Recorded time.Time
	By       string
}

// DemoReferral is one past referral, after retention.
type DemoReferral struct {
	Team, NIS, Recipient string
	Status, Outcome      string
	Rights               []string
	SocialFile           bool
	AgreementID          int64
	AgreementVersion     int
	Version              int
	CreatedBy            string
	Created, Updated     time.Time
	// Zero times are NULL.
	Sent, Received, FirstContact, Closed, Withdrawn, DataDeleted time.Time
	Consents                                                     []DemoConsent
	Attempts                                                     []DemoContact
}

func nullTS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ts(t)
}

// InsertDemoHistory writes the demo's past births and referrals in one
// transaction. It is for the demo loader only.
func (db *DB) InsertDemoHistory(ctx context.Context, births []DemoBirth, refs []DemoReferral) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if len(births) > 0 {
			args := make([]any, 0, len(births)*16)
			for _, b := range births {
				var first, reached any
				for _, c := range b.Contacts {
					if first == nil {
						first = day(c.On)
					}
					if c.Reached && reached == nil {
						reached = day(c.On)
					}
				}
				month := time.Date(b.Born.Year(), b.Born.Month(), 1, 0, 0, 0, 0, time.UTC)
				args = append(args, b.Clinic, nullStr(b.Team), b.NIS, day(month), b.Language, b.Early, b.Status, max(b.Version, 1),
					b.SubmittedBy, ts(b.Created), ts(b.Updated), first, reached, nullTS(b.Escalated), nullTS(b.DataDeleted), "")
			}
			var ids []int64
			err := insertRows(ctx, tx, `INSERT INTO birth_notifications (clinic_key, team_key, municipality_nis, child_birth_date, language, early_contact,
				status, version, submitted_by, created_at, updated_at, first_contact_on, reached_on, escalated_at, data_deleted_at, clinic_reference) VALUES `,
				` RETURNING id`, 16, args, func(rows *sql.Rows) error {
					var id int64
					if err := rows.Scan(&id); err != nil {
						return err
					}
					ids = append(ids, id)
					return nil
				})
			if err != nil {
				return fmt.Errorf("demo births: %w", err)
			}
			if len(ids) != len(births) {
				return fmt.Errorf("demo births: %d ids for %d rows", len(ids), len(births))
			}
			var contacts []any
			for i, b := range births {
				for _, c := range b.Contacts {
					contacts = append(contacts, ids[i], day(c.On), c.Channel, c.Reached, c.HomeVisit, ts(c.Recorded), c.By)
				}
			}
			if err := insertRows(ctx, tx, `INSERT INTO birth_contacts (notification_id, on_day, channel, reached, home_visit_planned, recorded_at, recorded_by) VALUES `,
				"", 7, contacts, nil); err != nil {
				return fmt.Errorf("demo birth contacts: %w", err)
			}
		}
		if len(refs) == 0 {
			return nil
		}
		args := make([]any, 0, len(refs)*21)
		for _, r := range refs {
			rights, _ := json.Marshal(r.Rights)
			if r.Rights == nil {
				rights = []byte("[]")
			}
			args = append(args, r.Team, r.NIS, r.Recipient, r.Status, nullInt(r.AgreementID), nullInt(int64(r.AgreementVersion)), r.Outcome, string(rights),
				r.SocialFile, newReceiptCode(), max(r.Version, 1), r.CreatedBy, ts(r.Created), nullTS(r.Sent), nullTS(r.Received), nullTS(r.FirstContact),
				nullTS(r.Closed), nullTS(r.Withdrawn), nullTS(r.DataDeleted), ts(r.Updated))
		}
		var ids []int64
		err := insertRows(ctx, tx, `INSERT INTO referrals (team_key, municipality_nis, recipient_key, status, agreement_id, agreement_version, outcome,
			rights, social_file, receipt_code, version, created_by, created_at, sent_at, received_at, first_contact_at, closed_at, withdrawn_at,
			data_deleted_at, updated_at) VALUES `, ` RETURNING id`, 20, args, func(rows *sql.Rows) error {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
			return nil
		})
		if err != nil {
			return fmt.Errorf("demo referrals: %w", err)
		}
		if len(ids) != len(refs) {
			return fmt.Errorf("demo referrals: %d ids for %d rows", len(ids), len(refs))
		}
		var consents, attempts []any
		for i, r := range refs {
			for _, c := range r.Consents {
				informed, _ := json.Marshal(c.Informed)
				if c.Informed == nil {
					informed = []byte("[]")
				}
				consents = append(consents, ids[i], c.Parent, string(informed), c.Method, c.Refused, ts(c.Recorded), c.By,
					nullInt(r.AgreementID), nullInt(int64(r.AgreementVersion)))
			}
			for _, c := range r.Attempts {
				attempts = append(attempts, ids[i], day(c.On), c.Channel, c.Reached, ts(c.Recorded), c.By)
			}
		}
		if err := insertRows(ctx, tx, `INSERT INTO referral_consents (referral_id, parent_idx, informed, method, refused, recorded_at, recorded_by,
			agreement_id, agreement_version) VALUES `, "", 9, consents, nil); err != nil {
			return fmt.Errorf("demo consents: %w", err)
		}
		if err := insertRows(ctx, tx, `INSERT INTO referral_contact_attempts (referral_id, on_day, channel, reached, recorded_at, recorded_by) VALUES `,
			"", 6, attempts, nil); err != nil {
			return fmt.Errorf("demo contact attempts: %w", err)
		}
		return nil
	})
}
