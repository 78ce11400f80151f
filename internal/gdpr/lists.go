package gdpr

import (
	"context"

	"kansrijk/internal/account"
	"kansrijk/internal/page"
)

// Sorts are the sort keys of the requests list (issue 12); the first is
// the default: open requests first, by due date, then the answered ones.
var Sorts = []string{"open", "due", "received", "created"}

// Lists is the paged requests list: the same rights as SubjectRequests,
// one audit event per page naming the requests shown.
type Lists interface {
	SubjectRequestPage(ctx context.Context, a account.Actor, f Filter, req page.Request) (page.Result[Request], error)
}
