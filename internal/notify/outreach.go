package notify

import (
	"context"
	"errors"

	"kansrijk/internal/store"
)

// outreachMail sends the e-mails that Kansrijk composes itself (outreach
// mailings to contact persons, reminders and digests to users), one
// message per outbox row, composed by the store when it is delivered. A
// row whose message is not to be sent any more (the contact was removed)
// is marked skipped with the reason. It returns the number of messages
// sent.
func (d *Deliverer) outreachMail(ctx context.Context, org string, rows []*outcome) int {
	sent := 0
	for _, o := range rows {
		if ctx.Err() != nil {
			return sent
		}
		m, skip, err := d.DB.OutboxMail(ctx, o.item, d.Config.BaseURL)
		switch {
		case err != nil:
			o.res.Err = errors.Join(o.res.Err, err)
			continue
		case skip != "":
			o.res.MailStatus, o.res.Note = store.MailSkipped, skip
			continue
		}
		if err := d.Mailer.Send(ctx, Message{To: m.To, ReplyTo: m.ReplyTo, Subject: m.Subject, Body: m.Body}); err != nil {
			o.res.Err = errors.Join(o.res.Err, err)
			d.Log.Warn("outreach e-mail not sent", "outbox_id", o.item.ID, "kind", o.item.Kind, "org", org, "error", err)
			continue
		}
		o.res.MailStatus = store.MailSent
		sent++
	}
	if sent > 0 {
		d.Log.Info("outreach e-mails sent", "org", org, "messages", sent)
	}
	return sent
}
