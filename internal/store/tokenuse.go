package store

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// tokenUseEvery is how often the use of one API token is written.
const tokenUseEvery = time.Minute

// tokenUse records when API tokens were last used (api_tokens.last_used_at)
// off the request path: at most once a minute per token and instance, in
// the background, never blocking or failing the request. Without it every
// token-authenticated request queued an UPDATE on the single SQLite writer
// even when the SQL then changed nothing.
type tokenUse struct {
	mu     sync.Mutex
	last   map[int64]time.Time // token id → when this instance last wrote its use
	closed bool
	wg     sync.WaitGroup
	writes atomic.Int64 // UPDATEs issued (tests)
}

// record writes that the token id was used at now, unless this instance
// did so less than a minute before. The SQL keeps the same rule across
// instances.
func (u *tokenUse) record(db *DB, id int64, now time.Time) {
	u.mu.Lock()
	if u.closed {
		u.mu.Unlock()
		return
	}
	if t, ok := u.last[id]; ok && now.Sub(t) < tokenUseEvery && !now.Before(t) {
		u.mu.Unlock()
		return
	}
	if u.last == nil || len(u.last) > 10000 {
		u.prune(now)
	}
	u.last[id] = now
	u.wg.Add(1)
	u.writes.Add(1)
	u.mu.Unlock()
	go func() {
		defer u.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.write.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)`,
			ts(now), id, ts(now.Add(-tokenUseEvery))); err != nil {
			slog.Warn("record token use", "error", err)
		}
	}()
}

// prune forgets the tokens not written for a minute (u.mu held).
func (u *tokenUse) prune(now time.Time) {
	if u.last == nil {
		u.last = map[int64]time.Time{}
		return
	}
	for id, t := range u.last {
		if now.Sub(t) >= tokenUseEvery {
			delete(u.last, id)
		}
	}
}

// wait stops recording and waits for the writes under way (Close).
func (u *tokenUse) wait() {
	u.mu.Lock()
	u.closed = true
	u.mu.Unlock()
	u.wg.Wait()
}
