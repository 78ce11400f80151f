package store

import (
	"context"
	"fmt"

	"kansrijk/internal/account"
	"kansrijk/internal/page"
	"kansrijk/internal/referral"
)

// ReferralPageUnaudited reads what ReferralPage reads for a team's
// unfiltered list sorted by creation (the agreements' versions, then the
// page's query with its parents' names), without writing its audit event:
// the baseline of BenchmarkListReaders.
func ReferralPageUnaudited(ctx context.Context, db *DB, a account.Actor, req page.Request) (page.Result[referral.ListItem], error) {
	if req.Sort != "created" {
		return page.Result[referral.ListItem]{}, fmt.Errorf("ReferralPageUnaudited sorts by created only, not %q", req.Sort)
	}
	versions, err := db.versionsWhere(ctx, "team_key", a.Org)
	if err != nil {
		return page.Result[referral.ListItem]{}, err
	}
	return db.referralPage(ctx, teamList(a.Org, referral.Filter{}, versions), req)
}
