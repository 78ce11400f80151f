// Package notify delivers the outbox: the notices that the store writes
// in the transaction of a referral's change ("referral.sent",
// "referral.withdrawn"), to the receiving OCMW (or CAW Brussel) over two
// channels:
//
//   - e-mail to the organisation's inbox address (organisations.inbox_email),
//     sent over SMTP: the pending notices of one organisation and kind are
//     grouped into ONE message ("N nieuwe doorverwijzingen in Kansrijk")
//     with a link to the inbox. Messages hold no personal data at all —
//     no names, addresses, telephone numbers or e-mail addresses of
//     families, not even their municipality; only referral numbers.
//   - the organisation's webhook, if it has one: one signed POST per
//     notice carrying only the referral id, the event type and a time.
//
// Webhook requests look like this:
//
//	POST <url>
//	Content-Type: application/json
//	X-Kansrijk-Event: referral.sent
//	X-Kansrijk-Delivery: 42
//	X-Kansrijk-Signature: sha256=<64 hex digits>
//
//	{"referral_id":17,"event":"referral.sent","sent_at":"2025-03-04T09:15:02Z"}
//
// A receiver verifies a request before trusting it: compute the
// HMAC-SHA256 of the raw request body (the exact bytes received, before
// any JSON parsing) with the secret that Kansrijk returned when the
// webhook was set, hex-encode it, and compare it with the part after
// "sha256=" of X-Kansrijk-Signature in constant time. In Go:
//
//	mac := hmac.New(sha256.New, []byte(secret))
//	mac.Write(body)
//	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
//	ok := hmac.Equal([]byte(want), []byte(r.Header.Get("X-Kansrijk-Signature")))
//
// (In a shell: printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$SECRET".)
// Any 2xx answer counts as delivered; anything else (or no answer within
// 10 seconds; redirects are not followed) is retried with exponential
// backoff, up to store.MaxOutboxAttempts times. A notice can therefore
// arrive more than once: X-Kansrijk-Delivery is the same on every try of
// one notice, so receivers drop repeats by it. sent_at is the time of the
// try, so a receiver may also refuse requests older than a few minutes.
// Then the receiver fetches the referral itself with its API token
// (GET /api/v1/referrals/{id}), which is audited like any access.
package notify

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strings"
)

// Config is the delivery configuration, from the environment.
type Config struct {
	// SMTPAddr is host:port of the SMTP server; empty disables e-mail
	// (notices are then marked delivered with "mail disabled").
	SMTPAddr     string
	SMTPUser     string
	SMTPPassword string
	// SMTPTLS is none, starttls or tls (implicit TLS, as on port 465).
	SMTPTLS string
	// MailFrom is the sender, e.g. "Kansrijk <no-reply@example.org>".
	MailFrom string
	// BaseURL is where people reach Kansrijk; links point below it.
	BaseURL string
}

// Defaults.
const (
	DefaultMailFrom = "Kansrijk <no-reply@kansrijk.invalid>"
	DefaultBaseURL  = "http://localhost:8080"
)

// TLS modes of SMTP.
const (
	TLSNone     = "none"
	TLSStartTLS = "starttls"
	TLSImplicit = "tls"
)

// ConfigFromEnv reads KANSRIJK_SMTP_ADDR, KANSRIJK_SMTP_USER,
// KANSRIJK_SMTP_PASSWORD, KANSRIJK_SMTP_TLS (none|starttls|tls; default
// starttls when a user is set, else none), KANSRIJK_MAIL_FROM and
// KANSRIJK_BASE_URL, and checks them.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		SMTPAddr:     strings.TrimSpace(getenv("KANSRIJK_SMTP_ADDR")),
		SMTPUser:     getenv("KANSRIJK_SMTP_USER"),
		SMTPPassword: getenv("KANSRIJK_SMTP_PASSWORD"),
		SMTPTLS:      strings.ToLower(strings.TrimSpace(getenv("KANSRIJK_SMTP_TLS"))),
		MailFrom:     strings.TrimSpace(getenv("KANSRIJK_MAIL_FROM")),
		BaseURL:      strings.TrimSpace(getenv("KANSRIJK_BASE_URL")),
	}
	return c, c.normalize()
}

func (c *Config) normalize() error {
	if c.SMTPTLS == "" {
		c.SMTPTLS = TLSNone
		if c.SMTPUser != "" {
			c.SMTPTLS = TLSStartTLS
		}
	}
	switch c.SMTPTLS {
	case TLSNone, TLSStartTLS, TLSImplicit:
	default:
		return fmt.Errorf("KANSRIJK_SMTP_TLS must be none, starttls or tls, not %q", c.SMTPTLS)
	}
	if c.SMTPAddr != "" {
		host, port, err := net.SplitHostPort(c.SMTPAddr)
		if err != nil || host == "" || port == "" {
			return fmt.Errorf("KANSRIJK_SMTP_ADDR must be HOST:PORT, not %q", c.SMTPAddr)
		}
	}
	if c.MailFrom == "" {
		c.MailFrom = DefaultMailFrom
	}
	if _, err := mail.ParseAddress(c.MailFrom); err != nil {
		return fmt.Errorf("KANSRIJK_MAIL_FROM %q is not an e-mail address: %v", c.MailFrom, err)
	}
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("KANSRIJK_BASE_URL must be an http(s) URL such as https://kansrijk.example.org, not %q", c.BaseURL)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	return nil
}

// MailEnabled reports whether an SMTP server is configured.
func (c Config) MailEnabled() bool { return c.SMTPAddr != "" }
