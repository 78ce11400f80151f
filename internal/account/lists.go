package account

import (
	"context"

	"kansrijk/internal/page"
)

// UserSorts are the sort keys of the users list (issue 12); the first is
// the default: by organisation name.
var UserSorts = []string{"organisation", "name", "email", "role", "created"}

// UserQuery narrows the users list. q searches the name and the e-mail
// address.
type UserQuery struct {
	Role   Role
	Org    string // organisation key
	Active *bool
}

// UserLists is the paged users list: the same rights as Users, one audit
// event per page naming the users shown.
type UserLists interface {
	UserPage(ctx context.Context, a Actor, f UserQuery, req page.Request) (page.Result[User], error)
	// ServiceAccountPage is a page of ServiceAccounts (issue 12): the same
	// rights as ServiceAccounts, searchable by the account's name, its
	// organisation's name or key and its live tokens' labels, sortable by
	// ServiceAccountSorts; one audit event per page names the accounts
	// shown.
	ServiceAccountPage(ctx context.Context, a Actor, req page.Request) (page.Result[ServiceAccount], error)
}

// ServiceAccountSorts are the sort keys of the service accounts list; the
// first is the default: by organisation name.
var ServiceAccountSorts = []string{"organisation", "name", "created"}
