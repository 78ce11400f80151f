package audit

import (
	"context"
	"time"

	"kansrijk/internal/account"
)

// Console is what the data protection officer's console needs from
// storage. Every method enforces the caller's scope itself (forbidden for
// anyone but a DPO) and records its own use in the audit log.
type Console interface {
	SearchAuditEvents(ctx context.Context, a account.Actor, q Query) (Page, error)
	ExportAuditEvents(ctx context.Context, a account.Actor, q Query, format string) ([]Event, error)
	AuditFlags(ctx context.Context, a account.Actor, from, to time.Time, cfg FlagConfig) ([]Flag, error)
	// SearchAuditPage is the console page's one view: a page of events
	// and, when w is not nil, the flags of its window, recorded as one
	// audit.search event.
	SearchAuditPage(ctx context.Context, a account.Actor, q Query, w *FlagWindow) (Page, []Flag, error)
}

// FlagWindow asks SearchAuditPage for the flags of [From, To).
type FlagWindow struct {
	From, To time.Time
	Config   FlagConfig
}
