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
}
