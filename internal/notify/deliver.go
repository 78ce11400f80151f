package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"time"

	"kansrijk/internal/netguard"
	"kansrijk/internal/store"
)

// Deliverer delivers the outbox: once at start, then every Interval,
// until its context ends. Several instances may run at once: each claims
// its own rows with a lease.
type Deliverer struct {
	DB     *store.DB
	Config Config
	// Mailer sends e-mail; nil uses SMTP with Config (when configured).
	Mailer Mailer
	// HTTP posts webhooks; nil uses WebhookClient.
	HTTP     *http.Client
	Interval time.Duration // default 5 s
	Batch    int           // rows claimed per round; default 100
	Lease    time.Duration // how long a claim holds; default 10 min
	Log      *slog.Logger  // default slog.Default()
}

// New returns a deliverer over db with cfg and the defaults.
func New(db *store.DB, cfg Config) *Deliverer {
	return &Deliverer{DB: db, Config: cfg}
}

// WebhookTimeout bounds one webhook request.
const WebhookTimeout = 10 * time.Second

// WebhookClient returns the client that posts webhooks: a 10 s timeout,
// no redirects followed, no proxy, and a dialer that connects only to
// public internet addresses (netguard.Control, after name resolution: a
// name that resolves to an internal address by the time of delivery, as
// in DNS rebinding, reaches nothing), unless the development setting
// KANSRIJK_WEBHOOK_ALLOW_INSECURE=1 is on.
func WebhookClient() *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second, Control: netguard.Control}
	return &http.Client{
		Timeout: WebhookTimeout,
		Transport: &http.Transport{
			Proxy:                 nil, // a proxy would connect on our behalf, past the dialer's check
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          20,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   5 * time.Second,
			ResponseHeaderTimeout: WebhookTimeout,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func (d *Deliverer) defaults() {
	if d.Interval <= 0 {
		d.Interval = 5 * time.Second
	}
	if d.Batch <= 0 {
		d.Batch = 100
	}
	if d.Lease <= 0 {
		d.Lease = 10 * time.Minute
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.HTTP == nil {
		d.HTTP = WebhookClient()
	}
	if d.Mailer == nil && d.Config.MailEnabled() {
		d.Mailer = &SMTPMailer{Config: d.Config}
	}
}

// Run delivers until ctx ends; it returns nil then.
func (d *Deliverer) Run(ctx context.Context) error {
	d.defaults()
	if !d.Config.MailEnabled() {
		d.Log.Info("e-mail notices disabled: KANSRIJK_SMTP_ADDR is not set; notices are marked delivered with \"mail disabled\"")
	}
	t := time.NewTicker(d.Interval)
	defer t.Stop()
	for {
		if _, err := d.DeliverOnce(ctx); err != nil && ctx.Err() == nil {
			d.Log.Error("outbox delivery", "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Stats counts what a round did.
type Stats struct {
	Claimed, Delivered, Retried, GaveUp, Mails int
}

// outcome is the state of one claimed row during a round.
type outcome struct {
	item store.OutboxItem
	res  store.OutboxResult
}

// DeliverOnce runs one round: claim due rows, send one e-mail per
// organisation and kind, post one webhook per row, record the results.
func (d *Deliverer) DeliverOnce(ctx context.Context) (Stats, error) {
	d.defaults()
	var st Stats
	items, err := d.DB.ClaimOutbox(ctx, d.Batch, d.Lease)
	if err != nil {
		return st, fmt.Errorf("claim outbox: %w", err)
	}
	st.Claimed = len(items)
	if len(items) == 0 {
		return st, nil
	}
	byOrg := map[string][]*outcome{}
	var orgs []string
	for _, it := range items {
		if _, ok := byOrg[it.OrgKey]; !ok {
			orgs = append(orgs, it.OrgKey)
		}
		byOrg[it.OrgKey] = append(byOrg[it.OrgKey], &outcome{item: it, res: store.OutboxResult{MailStatus: it.MailStatus, WebhookStatus: it.WebhookStatus}})
	}
	sort.Strings(orgs)
	for _, key := range orgs {
		if ctx.Err() != nil {
			break
		}
		target, err := d.DB.NotifyTarget(ctx, key)
		if err != nil {
			for _, o := range byOrg[key] {
				o.res.Err = fmt.Errorf("look up %s: %w", key, err)
			}
			continue
		}
		st.Mails += d.mail(ctx, key, target, byOrg[key])
		d.webhooks(ctx, target, byOrg[key])
	}
	// Record the results; a round cut short by shutdown gives back the
	// rows it could not finish, keeping the parts that were done.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	for _, key := range orgs {
		for _, o := range byOrg[key] {
			if o.res.MailStatus == store.MailDisabled && o.res.Note == "" {
				o.res.Note = "mail disabled"
			}
			incomplete := o.res.MailStatus == "" || o.res.WebhookStatus == ""
			if ctx.Err() != nil && incomplete && (o.res.Err == nil || errors.Is(o.res.Err, context.Canceled) || errors.Is(o.res.Err, context.DeadlineExceeded)) {
				o.res.Release, o.res.Err = true, nil
			}
			gaveUp, err := d.DB.FinishOutbox(wctx, o.item.ID, o.res)
			if err != nil {
				return st, fmt.Errorf("record outbox %d: %w", o.item.ID, err)
			}
			switch {
			case o.res.Release:
			case gaveUp:
				st.GaveUp++
				d.Log.Error("outbox notice given up", "outbox_id", o.item.ID, "kind", o.item.Kind, "org", key, "error", o.res.Err)
			case o.res.Err != nil || incomplete:
				st.Retried++
				d.Log.Warn("outbox notice not delivered; will retry", "outbox_id", o.item.ID, "kind", o.item.Kind, "org", key,
					"attempt", o.item.Attempts+1, "error", o.res.Err)
			default:
				st.Delivered++
			}
		}
	}
	return st, nil
}

// mail sends one message per kind for the rows whose mail part is to do,
// and returns the number of messages sent.
func (d *Deliverer) mail(ctx context.Context, org string, target store.NotifyTarget, rows []*outcome) int {
	groups := map[string][]*outcome{}
	var kinds []string
	var own []*outcome    // outreach mailings, reminders and digests (outreach.go)
	var births []*outcome // births: escalation notices go to the team's leads (births.go)
	for _, o := range rows {
		if o.res.MailStatus != "" {
			continue
		}
		if o.item.Kind == KindBirthEscalated {
			births = append(births, o)
			continue
		}
		switch {
		case !d.Config.MailEnabled() || d.Mailer == nil:
			o.res.MailStatus, o.res.Note = store.MailDisabled, "mail disabled"
		case store.IsOutboxMail(o.item.Kind):
			own = append(own, o)
		case target.InboxEmail == "":
			o.res.MailStatus = store.MailSkipped // no inbox address: not an error
		case o.item.Kind != KindSent && o.item.Kind != KindWithdrawn:
			o.res.MailStatus = store.MailSkipped
		default:
			if _, ok := groups[o.item.Kind]; !ok {
				kinds = append(kinds, o.item.Kind)
			}
			groups[o.item.Kind] = append(groups[o.item.Kind], o)
		}
	}
	sort.Strings(kinds)
	sent := d.outreachMail(ctx, org, own)
	sent += d.mailBirthEscalations(ctx, org, births)
	for _, kind := range kinds {
		g := groups[kind]
		ids := make([]int64, 0, len(g))
		seen := map[int64]bool{}
		for _, o := range g {
			if !seen[o.item.ReferralID] {
				seen[o.item.ReferralID] = true
				ids = append(ids, o.item.ReferralID)
			}
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		msg, _ := composeMessage(kind, target.InboxEmail, d.Config.BaseURL, ids)
		if err := d.Mailer.Send(ctx, msg); err != nil {
			for _, o := range g {
				o.res.Err = errors.Join(o.res.Err, err)
			}
			d.Log.Warn("notice e-mail not sent", "org", org, "kind", kind, "notices", len(g), "error", err)
			continue
		}
		sent++
		for _, o := range g {
			o.res.MailStatus = store.MailSent
		}
		d.Log.Info("notice e-mail sent", "org", org, "kind", kind, "notices", len(g))
	}
	return sent
}

// webhooks posts one request per row whose webhook part is to do. After a
// failure the organisation's other rows wait for the next try, so that a
// dead endpoint does not hold a round for long.
func (d *Deliverer) webhooks(ctx context.Context, target store.NotifyTarget, rows []*outcome) {
	var failed error
	for _, o := range rows {
		if o.res.WebhookStatus != "" {
			continue
		}
		if target.WebhookURL == "" {
			o.res.WebhookStatus = store.WebhookNone
			continue
		}
		if failed != nil {
			o.res.Err = errors.Join(o.res.Err, fmt.Errorf("webhook not tried: an earlier request to it failed in this round"))
			continue
		}
		if err := d.postWebhook(ctx, target, o.item); err != nil {
			o.res.Err = errors.Join(o.res.Err, err)
			failed = err
			continue
		}
		o.res.WebhookStatus = store.WebhookDelivered
	}
}
