package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/gdpr"
)

// ProcessingRecordData lists the recipients of referrals for the record of
// processing activities (GDPR art. 30): every agreement in force on the
// day (replayed from its events, as the reports do), with its recipient
// and the retention period of its version in force. DPOs and admins only.
func (db *DB) ProcessingRecordData(ctx context.Context, a account.Actor, on time.Time) (out []gdpr.Recipient, err error) {
	defer apperr.Wrap(&err, "store.ProcessingRecordData")
	if a.Role != account.DPO && a.Role != account.Admin {
		return nil, apperr.New(apperr.Forbidden, "only the data protection officer and admins read the record of processing activities").WithKey("error.forbidden", nil)
	}
	rows, err := db.PublicRegister(ctx, on)
	if err != nil {
		return nil, err
	}
	versions, err := currentVersions(ctx, db.read)
	if err != nil {
		return nil, err
	}
	type party struct{ recipient, name string }
	parties, err := queryList(ctx, db.read, func(row rowScanner) (struct {
		id int64
		party
	}, error) {
		var x struct {
			id int64
			party
		}
		err := row.Scan(&x.id, &x.recipient, &x.name)
		return x, err
	}, `SELECT a.id, a.recipient_key, o.name FROM agreements a JOIN organisations o ON o.key = a.recipient_key`)
	if err != nil {
		return nil, err
	}
	byID := map[int64]party{}
	for _, p := range parties {
		byID[p.id] = p.party
	}
	out = []gdpr.Recipient{}
	for _, r := range rows {
		if r.AgreementID == 0 || !r.Status.InForce() {
			continue
		}
		v, ok := versions[r.AgreementID]
		if !ok {
			return nil, fmt.Errorf("agreement %d has no version in force", r.AgreementID)
		}
		p := byID[r.AgreementID]
		out = append(out, gdpr.Recipient{AgreementID: r.AgreementID, Version: v.Version, Organisation: p.recipient, OrganisationName: p.name,
			MunicipalityNIS: r.NIS, Municipality: r.Name, Team: r.Team, InForceSince: r.ActiveFrom, RetentionDays: v.RetentionDays,
			ProtocolReference: v.ProtocolReference})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].OrganisationName != out[j].OrganisationName {
			return out[i].OrganisationName < out[j].OrganisationName
		}
		return out[i].AgreementID < out[j].AgreementID
	})
	return out, nil
}
