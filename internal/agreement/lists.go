package agreement

import (
	"context"

	"kansrijk/internal/account"
	"kansrijk/internal/page"
)

// Sorts are the sort keys of the agreements list (issue 12); the first is
// the default: by id, the order of creation.
var Sorts = []string{"id", "municipality", "team", "recipient", "status"}

// Lists is the paged agreements list, with the same rights and filters as
// Agreements. q searches the team's and the recipient's name and the
// municipality's name.
type Lists interface {
	AgreementPage(ctx context.Context, a account.Actor, f Filter, req page.Request) (page.Result[Agreement], error)
}
