package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/netguard"
)

// The outbox holds notices written by enqueue in the transaction of the
// change they announce. The deliverer (package notify) claims due rows
// with a lease, delivers each over two channels — e-mail to the OCMW's
// inbox address (grouped, without personal data) and the OCMW's webhook
// (one POST per notice) — and marks them delivered, or reschedules them
// with exponential backoff until MaxOutboxAttempts.

// Channel states of an outbox row (columns mail_status, webhook_status).
// The empty state is "still to do".
const (
	MailSent         = "sent"     // the message went to the inbox address
	MailSkipped      = "skipped"  // the organisation has no inbox address
	MailDisabled     = "disabled" // no SMTP server configured
	WebhookDelivered = "delivered"
	WebhookNone      = "none" // the organisation has no webhook
)

// MaxOutboxAttempts is how often a notice is tried before it is given up
// (failed_at set; it stays in the table with its last error).
const MaxOutboxAttempts = 12

// Outbox backoff: 30 s after the first failure, doubling, at most 6 hours.
const (
	outboxBackoffBase = 30 * time.Second
	outboxBackoffMax  = 6 * time.Hour
)

// OutboxBackoff is the wait before the next try after the given number of
// failed attempts (1 or more).
func OutboxBackoff(attempts int) time.Duration {
	if attempts < 1 {
		attempts = 1
	}
	d := outboxBackoffBase
	for i := 1; i < attempts; i++ {
		d *= 2
		if d >= outboxBackoffMax {
			return outboxBackoffMax
		}
	}
	return d
}

// OutboxItem is one claimed notice. It names the referral by id only.
type OutboxItem struct {
	ID            int64
	Kind          string // "referral.sent", "referral.withdrawn"
	OrgKey        string // the receiving OCMW (or caw-brussel)
	ReferralID    int64
	Event         string
	CreatedAt     time.Time
	Attempts      int
	MailStatus    string
	WebhookStatus string
	Payload       string // the raw JSON payload (outreach e-mails, see OutboxMail)
}

// ClaimOutbox leases up to limit due notices (not delivered, not given up,
// next_at reached, no live lease) for lease, oldest first. Several
// instances may call it at once: on PostgreSQL rows locked by another
// claim are skipped (FOR UPDATE SKIP LOCKED) and a row leased meanwhile no
// longer qualifies; SQLite has one writer.
func (db *DB) ClaimOutbox(ctx context.Context, limit int, lease time.Duration) ([]OutboxItem, error) {
	if limit <= 0 {
		limit = 100
	}
	lock := ""
	if db.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var out []OutboxItem
	err := db.inTx(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE outbox SET locked_until = $1 WHERE id IN (
			SELECT id FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL AND next_at <= $2
			AND (locked_until IS NULL OR locked_until < $2) ORDER BY id LIMIT $3`+lock+`)
			RETURNING id, kind, org_key, payload, created_at, attempts, mail_status, webhook_status`,
			ts(tx.now.Add(lease)), ts(tx.now), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var it OutboxItem
			var payload string
			var created timeCol
			if err := rows.Scan(&it.ID, &it.Kind, &it.OrgKey, &payload, &created, &it.Attempts, &it.MailStatus, &it.WebhookStatus); err != nil {
				return err
			}
			it.CreatedAt, it.Payload = created.T, payload
			var p struct {
				ReferralID int64  `json:"referral_id"`
				Event      string `json:"event"`
			}
			if err := json.Unmarshal([]byte(payload), &p); err == nil {
				it.ReferralID, it.Event = p.ReferralID, p.Event
			}
			if it.Event == "" {
				it.Event = it.Kind
			}
			out = append(out, it)
		}
		return rows.Err()
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, err
}

// OutboxResult is the outcome of one delivery round for one notice.
type OutboxResult struct {
	MailStatus    string // "" when the e-mail part is still to do
	WebhookStatus string // "" when the webhook part is still to do
	Note          string // kept as last_error of a delivered notice (e.g. "mail disabled")
	Err           error  // a failure: the notice is tried again later
	// Release gives the notice back without counting an attempt (the
	// deliverer stops mid-round), keeping the channel states.
	Release bool
}

// FinishOutbox records a round: with both channels done and no error the
// notice is delivered; otherwise it is rescheduled with backoff (or given
// up after MaxOutboxAttempts), keeping the channels that succeeded. It
// reports whether the notice was given up.
func (db *DB) FinishOutbox(ctx context.Context, id int64, res OutboxResult) (gaveUp bool, err error) {
	err = db.inTx(ctx, func(tx *Tx) error {
		if res.Release {
			_, err := tx.ExecContext(ctx, `UPDATE outbox SET locked_until = NULL, mail_status = $1, webhook_status = $2 WHERE id = $3`,
				res.MailStatus, res.WebhookStatus, id)
			return err
		}
		if res.Err == nil && res.MailStatus != "" && res.WebhookStatus != "" {
			_, err := tx.ExecContext(ctx, `UPDATE outbox SET delivered_at = $1, locked_until = NULL, mail_status = $2, webhook_status = $3,
				last_error = $4 WHERE id = $5`, ts(tx.now), res.MailStatus, res.WebhookStatus, truncate(res.Note, 500), id)
			return err
		}
		msg := "not delivered"
		if res.Err != nil {
			msg = res.Err.Error()
		}
		var attempts int
		if err := tx.QueryRowContext(ctx, `SELECT attempts FROM outbox WHERE id = $1`, id).Scan(&attempts); err != nil {
			return err
		}
		attempts++
		var failed any
		if attempts >= MaxOutboxAttempts {
			failed, gaveUp = ts(tx.now), true
			msg = fmt.Sprintf("gave up after %d attempts: %s", attempts, msg)
		}
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = $1, next_at = $2, failed_at = $3, locked_until = NULL,
			mail_status = $4, webhook_status = $5, last_error = $6 WHERE id = $7`,
			attempts, ts(tx.now.Add(OutboxBackoff(attempts))), failed, res.MailStatus, res.WebhookStatus, truncate(msg, 500), id)
		return err
	})
	return gaveUp, err
}

// OutboxRow is an outbox row as stored, for operators and tests.
type OutboxRow struct {
	ID            int64
	Kind, OrgKey  string
	Payload       string
	Attempts      int
	NextAt        time.Time
	DeliveredAt   *time.Time
	FailedAt      *time.Time
	MailStatus    string
	WebhookStatus string
	LastError     string
}

// OutboxRows lists the outbox, oldest first.
func (db *DB) OutboxRows(ctx context.Context) ([]OutboxRow, error) {
	out, err := queryList(ctx, db.read, func(row rowScanner) (OutboxRow, error) {
		var r OutboxRow
		var next, delivered, failed timeCol
		err := row.Scan(&r.ID, &r.Kind, &r.OrgKey, &r.Payload, &r.Attempts, &next, &delivered, &failed, &r.MailStatus,
			&r.WebhookStatus, &r.LastError)
		r.NextAt, r.DeliveredAt, r.FailedAt = next.T, delivered.Ptr(), failed.Ptr()
		return r, err
	}, `SELECT id, kind, org_key, payload, attempts, next_at, delivered_at, failed_at, mail_status,
		webhook_status, last_error FROM outbox ORDER BY id`)
	return nilIfEmpty(out), err
}

// NotifyTarget is where an organisation's notices go: its inbox address
// and its webhook, either possibly empty.
type NotifyTarget struct {
	InboxEmail    string
	WebhookURL    string
	WebhookSecret string
}

// NotifyTarget looks up the inbox address and webhook of an organisation.
// An unknown organisation has neither.
func (db *DB) NotifyTarget(ctx context.Context, orgKey string) (NotifyTarget, error) {
	var t NotifyTarget
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE(o.inbox_email,''), COALESCE(w.url,''), COALESCE(w.secret,'')
		FROM organisations o LEFT JOIN webhooks w ON w.org_key = o.key WHERE o.key = $1`, orgKey).
		Scan(&t.InboxEmail, &t.WebhookURL, &t.WebhookSecret)
	if errors.Is(err, sql.ErrNoRows) {
		return t, nil
	}
	return t, err
}

// Error codes of webhook settings.
const (
	CodeInvalidWebhookURL  = "invalid_webhook_url"
	CodeInsecureWebhookURL = "webhook_url_not_https"
)

// ValidateWebhookURL checks a webhook address: absolute https, a host on
// the public internet (not a loopback, private, link-local, multicast or
// unspecified address, nor a name resolving to one, nor an internal name:
// netguard.Host), no credentials, no fragment, at most 2000 characters.
// Plain http and internal hosts only with the development setting
// KANSRIJK_WEBHOOK_ALLOW_INSECURE=1 (tests with a receiver on 127.0.0.1).
// It returns the normalised URL.
func ValidateWebhookURL(ctx context.Context, raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	bad := func(format string, args ...any) error {
		return apperr.FieldErr(CodeInvalidWebhookURL, "url", format, args...).WithKey("error.invalid_webhook_url", nil)
	}
	if raw == "" {
		return "", bad("a webhook URL is required")
	}
	if len(raw) > 2000 {
		return "", bad("the webhook URL is longer than 2000 characters")
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return "", bad("the webhook URL must be an absolute URL such as https://example.org/kansrijk")
	}
	if u.User != nil {
		return "", bad("the webhook URL must not hold a user name or password; the signature authenticates Kansrijk")
	}
	if u.Fragment != "" {
		return "", bad("the webhook URL must not have a #fragment")
	}
	u.Scheme = strings.ToLower(u.Scheme)
	switch u.Scheme {
	case "https":
	case "http":
		if !netguard.AllowInsecure() {
			return "", apperr.FieldErr(CodeInsecureWebhookURL, "url", "the webhook URL must use https").
				WithKey("error.webhook_url_not_https", nil)
		}
	default:
		return "", bad("the webhook URL must use https, not %q", u.Scheme)
	}
	if err := netguard.Host(ctx, u.Hostname()); err != nil {
		return "", apperr.FieldErr(apperr.WebhookAddressNotAllowed, "url",
			"the webhook URL must point at a server on the public internet, not at a loopback, private, link-local, multicast or internal address (%s)", err).
			WithKey("error.webhook_address_not_allowed", nil)
	}
	return u.String(), nil
}

// newWebhookSecret returns 32 random bytes, hex-encoded behind a prefix.
func newWebhookSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return "whsec_" + hex.EncodeToString(b)
}

// mayManageNotices: admins, or the OCMW's (CAW's) own admin.
func mayManageNotices(a account.Actor, key string) error {
	if a.Role == account.Admin || (a.Role == account.OCMWAdmin && a.Org == key) {
		return nil
	}
	return apperr.New(apperr.Forbidden, "your role may not do this").WithKey("error.forbidden", nil)
}

func noSuchOCMW(key string) error {
	return apperr.New(apperr.NotFound, "no OCMW %q", key).WithKey("error.not_found", nil)
}

// SetWebhook sets (or replaces) the webhook of an OCMW or CAW Brussel and
// returns its new signing secret, which is shown only here. Admins, or the
// organisation's own admin. The audit record names the host, not the URL
// (a URL may carry a token).
func (db *DB) SetWebhook(ctx context.Context, a account.Actor, key, rawURL string) (secret string, err error) {
	defer apperr.Wrap(&err, "store.SetWebhook")
	if err := mayManageNotices(a, key); err != nil {
		return "", err
	}
	u, err := ValidateWebhookURL(ctx, rawURL)
	if err != nil {
		return "", err
	}
	secret = newWebhookSecret()
	err = db.inTx(ctx, func(tx *Tx) error {
		var kind string
		err := tx.QueryRowContext(ctx, `SELECT kind FROM organisations WHERE key = $1`, key).Scan(&kind)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && kind != string(account.KindOCMW) && kind != string(account.KindCAW)) {
			return noSuchOCMW(key)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhooks (org_key, url, secret, created_at) VALUES ($1,$2,$3,$4)
			ON CONFLICT (org_key) DO UPDATE SET url = excluded.url, secret = excluded.secret, created_at = excluded.created_at`,
			key, u, secret, ts(tx.now)); err != nil {
			return err
		}
		ev := audit.For(a, audit.OrgUpdate, "organisation", key)
		host := ""
		if pu, err := url.Parse(u); err == nil {
			host = pu.Host
		}
		ev.Detail = "webhook set: host " + host + "; new secret"
		return tx.Audit(ctx, ev)
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// DeleteWebhook removes the webhook of an OCMW (nothing to remove is no
// error). Admins, or the organisation's own admin.
func (db *DB) DeleteWebhook(ctx context.Context, a account.Actor, key string) (err error) {
	defer apperr.Wrap(&err, "store.DeleteWebhook")
	if err := mayManageNotices(a, key); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		var kind string
		err := tx.QueryRowContext(ctx, `SELECT kind FROM organisations WHERE key = $1`, key).Scan(&kind)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && kind != string(account.KindOCMW) && kind != string(account.KindCAW)) {
			return noSuchOCMW(key)
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM webhooks WHERE org_key = $1`, key)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		ev := audit.For(a, audit.OrgUpdate, "organisation", key)
		ev.Detail = "webhook deleted"
		return tx.Audit(ctx, ev)
	})
}

// WebhookURL returns the webhook address of an organisation ("" if none).
// The secret is never read back.
func (db *DB) WebhookURL(ctx context.Context, key string) (string, error) {
	var u string
	err := db.read.QueryRowContext(ctx, `SELECT url FROM webhooks WHERE org_key = $1`, key).Scan(&u)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return u, err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary.
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
