package audit

import (
	"context"
	"sync/atomic"
)

// Denials is a request's record of the denied events written for it. The
// server puts one in every signed-in request's context (WithDenials); the
// store notes in it each event of outcome Denied it has made durable
// (NoteDenied). After the handler, a refusal (403) for which the store
// wrote none is audited once, as AccessDenied: every refused request of a
// signed-in caller leaves exactly one denied event.
type Denials struct{ n atomic.Int32 }

// AccessDenied is the action of the generic event of a refused request
// (a role refusal before any object was reached); its object type is
// "route" and its object id the route pattern.
const AccessDenied = "access.denied"

type denialsKey struct{}

// WithDenials returns ctx carrying a fresh Denials.
func WithDenials(ctx context.Context) (context.Context, *Denials) {
	d := &Denials{}
	return context.WithValue(ctx, denialsKey{}, d), d
}

// NoteDenied records in ctx's Denials (if any) that a denied event was
// written.
func NoteDenied(ctx context.Context) {
	if d, ok := ctx.Value(denialsKey{}).(*Denials); ok {
		d.n.Add(1)
	}
}

// Recorded reports whether a denied event was written for the request.
func (d *Denials) Recorded() bool { return d != nil && d.n.Load() > 0 }
