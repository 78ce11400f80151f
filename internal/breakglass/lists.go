package breakglass

import (
	"context"

	"kansrijk/internal/account"
	"kansrijk/internal/page"
)

// Sorts are the sort keys of the requests list (issue 12); the first is
// the default: open requests first, newest first.
var Sorts = []string{"-open", "created", "status"}

// Lists is the paged list of break-glass requests: the same rights as
// BreakGlassRequests, one audit event per page naming the requests shown.
type Lists interface {
	BreakGlassPage(ctx context.Context, a account.Actor, req page.Request) (page.Result[Request], error)
}
