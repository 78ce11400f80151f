package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"kansrijk/internal/store"
)

// KindBirthEscalated: birth notifications nobody picked up in time (area
// "births"). The notice goes to the team's leads (Opgroeien's admins for
// its own queue), not to an inbox address, and says only how many.
const KindBirthEscalated = store.KindBirthEscalated

// composeBirthEscalation writes the Dutch message about n escalated birth
// notifications: a count and a link, nothing about any family.
func composeBirthEscalation(to, baseURL string, n int) Message {
	subject := fmt.Sprintf("%d %s nog niet opgepakt in Kansrijk", n, plural(n, "geboortemelding", "geboortemeldingen"))
	var b strings.Builder
	b.WriteString("Goedendag,\n\n")
	fmt.Fprintf(&b, "%d %s voor uw team %s nog geen eerste contact binnen de afgesproken termijn.\n\n",
		n, plural(n, "geboortemelding", "geboortemeldingen"), plural(n, "kreeg", "kregen"))
	fmt.Fprintf(&b, "Bekijk de wachtrij van nieuwe gezinnen:\n%s/births\n\n", baseURL)
	b.WriteString("\nDeze e-mail bevat bewust geen persoonsgegevens. Meld u aan in Kansrijk om de gegevens te bekijken.\n" +
		"Elke inzage wordt gelogd.\n\n" +
		"Dit is een automatisch bericht van Kansrijk. Antwoorden op dit bericht worden niet gelezen.\n")
	return Message{To: to, Subject: subject, Body: b.String()}
}

// mailBirthEscalations sends, for the escalation notices of one
// organisation, one message to each of its leads, and records the mail
// part of every row: sent, skipped (nobody to tell), disabled, or an
// error to retry.
func (d *Deliverer) mailBirthEscalations(ctx context.Context, orgKey string, rows []*outcome) int {
	if len(rows) == 0 {
		return 0
	}
	set := func(status string, err error) {
		for _, o := range rows {
			if err != nil {
				o.res.Err = errors.Join(o.res.Err, err)
				continue
			}
			o.res.MailStatus = status
			if status == store.MailDisabled {
				o.res.Note = "mail disabled"
			}
		}
	}
	if !d.Config.MailEnabled() || d.Mailer == nil {
		set(store.MailDisabled, nil)
		return 0
	}
	to, err := d.DB.BirthEscalationRecipients(ctx, orgKey)
	if err != nil {
		set("", fmt.Errorf("look up the leads of %s: %w", orgKey, err))
		return 0
	}
	if len(to) == 0 {
		set(store.MailSkipped, nil)
		return 0
	}
	sent := 0
	for _, addr := range to {
		if err := d.Mailer.Send(ctx, composeBirthEscalation(addr, d.Config.BaseURL, len(rows))); err != nil {
			d.Log.Warn("escalation e-mail not sent", "org", orgKey, "notices", len(rows), "error", err)
			set("", err)
			return sent
		}
		sent++
	}
	set(store.MailSent, nil)
	d.Log.Info("escalation e-mail sent", "org", orgKey, "notices", len(rows), "recipients", sent)
	return sent
}
