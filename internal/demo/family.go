package demo

import (
	"context"

	"kansrijk/internal/referral"
	"kansrijk/internal/store"
)

// FamilyCode is a demo family's receipt code with the postcode written on
// its receipt: together they open the family's view (/ontvangstbewijs).
type FamilyCode struct {
	Code, Postcode string
	Status         referral.Status
}

// FamilyCodes returns a few demo families to try the family's view with:
// one whose referral the OCMW is working on, one closed, one withdrawn
// (its contact data deleted: the municipality's postcode still opens it).
func FamilyCodes(ctx context.Context, db *store.DB) ([]FamilyCode, error) {
	codes, err := db.ReceiptCodesOf(ctx, demoTeam, referral.Reached, referral.ContactAttempted, referral.Closed, referral.Withdrawn)
	if err != nil {
		return nil, err
	}
	out := make([]FamilyCode, 0, len(codes))
	for _, c := range codes {
		out = append(out, FamilyCode{Code: c.Code, Postcode: demoPostcode, Status: c.Status})
	}
	return out, nil
}
