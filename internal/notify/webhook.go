package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/store"
)

// Webhook headers.
const (
	HeaderEvent     = "X-Kansrijk-Event"
	HeaderDelivery  = "X-Kansrijk-Delivery"
	HeaderSignature = "X-Kansrijk-Signature"
)

// WebhookBody is everything a webhook carries: the referral id, the event
// type and the time of the try. Nothing about the family.
type WebhookBody struct {
	ReferralID int64  `json:"referral_id"`
	Event      string `json:"event"`
	SentAt     string `json:"sent_at"`
}

// Sign returns the X-Kansrijk-Signature value of body: "sha256=" and the
// hex HMAC-SHA256 of the body with the secret.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether signature (the X-Kansrijk-Signature header) is
// the signature of body with secret, comparing in constant time. Receivers
// written in Go can copy it.
func Verify(secret string, body []byte, signature string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(strings.TrimSpace(signature)))
}

func (d *Deliverer) postWebhook(ctx context.Context, target store.NotifyTarget, it store.OutboxItem) error {
	body, err := json.Marshal(WebhookBody{ReferralID: it.ReferralID, Event: it.Event, SentAt: d.DB.Now().UTC().Format(time.RFC3339)})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Kansrijk-Webhook/1")
	req.Header.Set(HeaderEvent, it.Event)
	req.Header.Set(HeaderDelivery, strconv.FormatInt(it.ID, 10))
	req.Header.Set(HeaderSignature, Sign(target.WebhookSecret, body))
	resp, err := d.HTTP.Do(req)
	if err != nil {
		// Name the host only: a webhook URL may carry a token.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("webhook to %s: %w", req.URL.Host, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook to %s answered %s", req.URL.Host, resp.Status)
	}
	return nil
}
