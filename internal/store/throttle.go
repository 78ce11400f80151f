package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/netip"
	"runtime"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
)

// Login throttling. Every attempt is counted in the database, atomically
// and before the password is checked, so that parallel guesses and several
// instances share one count:
//
//   - per (e-mail, client address), hard: after PerPair attempts within the
//     window that address is refused for that e-mail until the window ends;
//   - per client address, hard: PerAddr attempts for any e-mail;
//   - per e-mail, soft: after SoftAfter failures from any address, every
//     attempt for the e-mail waits a growing delay (capped at SoftCap)
//     before its password is checked, but is never refused.
//
// So a stranger who knows an e-mail address can slow its owner down by at
// most SoftCap, never keep the owner out: the right password from an
// address that has not failed always signs in.
type ThrottlePolicy struct {
	Window    time.Duration
	PerPair   int
	PerAddr   int
	SoftAfter int
	SoftBase  time.Duration
	SoftCap   time.Duration
}

// DefaultThrottle is the policy of a DB whose Throttle is nil.
var DefaultThrottle = ThrottlePolicy{
	Window:    15 * time.Minute,
	PerPair:   5,
	PerAddr:   50,
	SoftAfter: 5,
	SoftBase:  250 * time.Millisecond,
	SoftCap:   3 * time.Second,
}

func (db *DB) throttlePolicy() ThrottlePolicy {
	if db.Throttle != nil {
		return *db.Throttle
	}
	return DefaultThrottle
}

// delay is the soft delay after n failures for an e-mail.
func (p ThrottlePolicy) delay(n int) time.Duration {
	if n < p.SoftAfter || p.SoftBase <= 0 {
		return 0
	}
	d := p.SoftBase
	for i := p.SoftAfter; i < n && d < p.SoftCap; i++ {
		d *= 2
	}
	return min(d, p.SoftCap)
}

// throttleKey hashes a kind and its parts, so that the table holds no
// e-mail address or client address.
func throttleKey(kind string, parts ...string) string {
	h := sha256.New()
	h.Write([]byte(kind))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// loginAttempt is a counted attempt that may go on to the password check.
type loginAttempt struct {
	pairKey, addrKey, emailKey string
	delay                      time.Duration
}

func newLoginAttempt(email, addr string) loginAttempt {
	addr = throttleAddr(addr)
	return loginAttempt{pairKey: throttleKey("pair", email, addr), addrKey: throttleKey("addr", addr), emailKey: throttleKey("email", email)}
}

// throttleAddr is the client address as throttling counts it: an IPv6
// address by its /64 network (one subscriber usually holds a whole /64,
// and could otherwise rotate through it), an IPv4 address as it is.
func throttleAddr(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	a = a.Unmap()
	if a.Is6() {
		return netip.PrefixFrom(a, 64).Masked().String()
	}
	return a.String()
}

// bumpThrottle adds one to key's counter (a new window when the last one
// has ended) and returns the count and the window's start. One statement,
// atomic on both databases.
func bumpThrottle(ctx context.Context, tx *Tx, key string, window time.Duration) (n int, start timeCol, err error) {
	err = tx.QueryRowContext(ctx, `INSERT INTO login_throttle (key, window_start, attempts) VALUES ($1, $2, 1)
		ON CONFLICT (key) DO UPDATE SET
			attempts = CASE WHEN login_throttle.window_start <= $3 THEN 1 ELSE login_throttle.attempts + 1 END,
			window_start = CASE WHEN login_throttle.window_start <= $3 THEN excluded.window_start ELSE login_throttle.window_start END
		RETURNING attempts, window_start`, key, ts(tx.now), ts(tx.now.Add(-window))).Scan(&n, &start)
	return n, start, err
}

// countLoginAttempt counts an attempt for (email, addr) before its
// password is checked. Over a hard limit it writes the login.throttled
// audit event (ev) in the same transaction and returns too_many_attempts
// with the seconds until the window ends (Args "RetryAfter").
func (db *DB) countLoginAttempt(ctx context.Context, email, addr string, ev audit.Event) (att loginAttempt, err error) {
	p := db.throttlePolicy()
	att = newLoginAttempt(email, addr)
	var refusedUntil time.Time
	var now time.Time
	err = db.inTx(ctx, func(tx *Tx) error {
		now = tx.now
		pair, pairStart, err := bumpThrottle(ctx, tx, att.pairKey, p.Window)
		if err != nil {
			return err
		}
		byAddr, addrStart, err := bumpThrottle(ctx, tx, att.addrKey, p.Window)
		if err != nil {
			return err
		}
		if pair > p.PerPair {
			refusedUntil = pairStart.T.Add(p.Window)
		}
		if byAddr > p.PerAddr && addrStart.T.Add(p.Window).After(refusedUntil) {
			refusedUntil = addrStart.T.Add(p.Window)
		}
		if !refusedUntil.IsZero() {
			ev.Action, ev.Outcome = audit.LoginThrottle, audit.Denied
			return tx.Audit(ctx, ev)
		}
		var failures int
		err = tx.QueryRowContext(ctx, `SELECT attempts FROM login_throttle WHERE key = $1 AND window_start > $2`,
			att.emailKey, ts(tx.now.Add(-p.Window))).Scan(&failures)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		att.delay = p.delay(failures)
		return nil
	})
	if err != nil {
		return att, err
	}
	if !refusedUntil.IsZero() {
		return att, throttled(refusedUntil.Sub(now))
	}
	return att, nil
}

// throttled is the error of a refused attempt: retry after d.
func throttled(d time.Duration) error {
	secs := max(int((d+time.Second-1)/time.Second), 1)
	mins := max((secs+59)/60, 1)
	return apperr.New(apperr.Throttled, "too many failed attempts; try again in %d minutes", mins).
		WithKey("error.throttled", map[string]any{"N": mins, "RetryAfter": secs})
}

// loginFailed counts a failed password check for the e-mail (the soft
// limit), in the transaction that audits the failure.
func loginFailed(ctx context.Context, tx *Tx, att loginAttempt, window time.Duration) error {
	_, _, err := bumpThrottle(ctx, tx, att.emailKey, window)
	return err
}

// loginSucceeded forgets the attempts of the (e-mail, address) pair and
// takes the address's count of this attempt back, in the transaction that
// opens the session. Counters of ended windows are purged on the way.
func loginSucceeded(ctx context.Context, tx *Tx, att loginAttempt, window time.Duration) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE key = $1 OR window_start <= $2`, att.pairKey, ts(tx.now.Add(-window))); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE login_throttle SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0`, att.addrKey)
	return err
}

// uncountLoginAttempt takes back an attempt whose password was never
// checked (the server was too busy), so that it costs the user nothing.
func (db *DB) uncountLoginAttempt(ctx context.Context, att loginAttempt) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE login_throttle SET attempts = attempts - 1 WHERE (key = $1 OR key = $2) AND attempts > 0`,
			att.pairKey, att.addrKey)
		return err
	})
}

// waitSoftDelay waits the soft per-e-mail delay, or until ctx ends.
func waitSoftDelay(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Password checks. One argon2id check holds 64 MiB for its duration, so
// the number running at once is capped for the whole process; a login
// that finds no free slot within PasswordCheckWait is refused as busy
// (429 with Retry-After) instead of growing the process without bound.
var (
	passwordSlots = make(chan struct{}, DefaultPasswordChecks())
	// PasswordCheckWait is how long a login waits for a free slot.
	PasswordCheckWait = 2 * time.Second
)

// DefaultPasswordChecks is the default cap on concurrent password checks:
// two per CPU, at most 3, so that they hold at most 192 MiB (argon2id
// takes 64 MiB each; more at once would not finish sooner, as each
// check already runs on two threads).
func DefaultPasswordChecks() int {
	return min(max(2*runtime.GOMAXPROCS(0), 1), 3)
}

// PasswordChecks returns the current cap on concurrent password checks.
func PasswordChecks() int { return cap(passwordSlots) }

// PasswordCheckMemory is what one password check holds (argon2id, m=64 MiB).
const PasswordCheckMemory = 64 << 20

// SetPasswordChecks sets the cap on concurrent password checks of the
// process (n <= 0: the default). Call it before serving.
func SetPasswordChecks(n int) {
	if n <= 0 {
		n = DefaultPasswordChecks()
	}
	passwordSlots = make(chan struct{}, n)
}

// acquirePasswordCheck takes a slot for a password check, waiting at most
// PasswordCheckWait; the returned func gives it back. It collects the
// finished check's 64 MiB before the next check can allocate its own, so
// that the memory of checks never exceeds the cap, whatever the garbage
// collector's pacing (the blocks hold no pointers: a cycle is cheap).
func acquirePasswordCheck(ctx context.Context) (release func(), err error) {
	slots := passwordSlots
	release = func() {
		runtime.GC()
		<-slots
	}
	select {
	case slots <- struct{}{}:
		return release, nil
	default:
	}
	t := time.NewTimer(PasswordCheckWait)
	defer t.Stop()
	select {
	case slots <- struct{}{}:
		return release, nil
	case <-t.C:
		return nil, apperr.New(apperr.Throttled, "the server is busy checking other logins; try again in a moment").
			WithKey("error.login_busy", map[string]any{"RetryAfter": 1})
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// LoginAttempts returns the counts in the current window: attempts for the
// (e-mail, address) pair, attempts from the address, and failures for the
// e-mail from any address.
func (db *DB) LoginAttempts(ctx context.Context, email, addr string) (pair, byAddr, emailFailures int, err error) {
	email = account.NormalizeEmail(email)
	since := ts(db.Now().UTC().Add(-db.throttlePolicy().Window))
	get := func(key string) (n int) {
		if err != nil {
			return 0
		}
		err = db.read.QueryRowContext(ctx, `SELECT attempts FROM login_throttle WHERE key = $1 AND window_start > $2`, key, since).Scan(&n)
		if errors.Is(err, sql.ErrNoRows) {
			err = nil
		}
		return n
	}
	att := newLoginAttempt(email, addr)
	pair, byAddr, emailFailures = get(att.pairKey), get(att.addrKey), get(att.emailKey)
	return pair, byAddr, emailFailures, err
}
