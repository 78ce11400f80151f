package notify

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is one e-mail to an inbox address. It is built only from counts,
// referral numbers and the base URL: nothing about a family can get in.
type Message struct {
	To      string
	ReplyTo string // optional (outreach mailings: the sender)
	Subject string
	Body    string
}

// Kinds of notices.
const (
	KindSent      = "referral.sent"
	KindWithdrawn = "referral.withdrawn"
)

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func idList(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ", ")
}

// composeMessage writes the Dutch message for n notices of kind (KindSent
// or KindWithdrawn) about the referrals ids; ok is false for other kinds.
func composeMessage(kind, to, baseURL string, ids []int64) (Message, bool) {
	n := len(ids)
	link := baseURL + "/inbox"
	footer := "\nDeze e-mail bevat bewust geen persoonsgegevens. Meld u aan in Kansrijk om de gegevens te bekijken.\n" +
		"Elke inzage wordt gelogd.\n\n" +
		"Dit is een automatisch bericht van Kansrijk. Antwoorden op dit bericht worden niet gelezen.\n"
	switch kind {
	case KindSent:
		subject := fmt.Sprintf("%d %s in Kansrijk", n, plural(n, "nieuwe doorverwijzing", "nieuwe doorverwijzingen"))
		var b strings.Builder
		b.WriteString("Goedendag,\n\n")
		fmt.Fprintf(&b, "Er %s voor uw organisatie %d %s van Kind en Gezin klaar in Kansrijk.\n\n",
			plural(n, "staat", "staan"), n, plural(n, "nieuwe doorverwijzing", "nieuwe doorverwijzingen"))
		fmt.Fprintf(&b, "Bekijk %s in uw inbox:\n%s\n\n", plural(n, "de doorverwijzing", "de doorverwijzingen"), link)
		fmt.Fprintf(&b, "%s: %s\n", plural(n, "Nummer", "Nummers"), idList(ids))
		b.WriteString(footer)
		return Message{To: to, Subject: subject, Body: b.String()}, true
	case KindWithdrawn:
		subject := fmt.Sprintf("Toestemming ingetrokken voor %d %s in Kansrijk", n, plural(n, "doorverwijzing", "doorverwijzingen"))
		var b strings.Builder
		b.WriteString("Goedendag,\n\n")
		fmt.Fprintf(&b, "Voor %d %s die uw organisatie via Kansrijk ontving, %s het gezin de toestemming ingetrokken.\n",
			n, plural(n, "doorverwijzing", "doorverwijzingen"), plural(n, "heeft", "hebben"))
		fmt.Fprintf(&b, "Neem op basis van %s geen contact meer op, tenzij u al een sociaal dossier opende.\n\n",
			plural(n, "deze doorverwijzing", "deze doorverwijzingen"))
		fmt.Fprintf(&b, "Meer in uw inbox in Kansrijk:\n%s\n\n", link)
		fmt.Fprintf(&b, "%s: %s\n", plural(n, "Nummer", "Nummers"), idList(ids))
		b.WriteString(footer)
		return Message{To: to, Subject: subject, Body: b.String()}, true
	}
	return Message{}, false
}

// Mailer sends messages.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// SMTPMailer sends over SMTP with go-mail, one connection per message.
type SMTPMailer struct {
	Config  Config
	Timeout time.Duration // per message; default 30 s
}

// Send sends one plain-text message.
func (s *SMTPMailer) Send(ctx context.Context, m Message) error {
	host, portStr, err := net.SplitHostPort(s.Config.SMTPAddr)
	if err != nil {
		return fmt.Errorf("smtp address %q: %w", s.Config.SMTPAddr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return fmt.Errorf("smtp port %q: %w", portStr, err)
	}
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	opts := []gomail.Option{gomail.WithPort(port), gomail.WithTimeout(timeout)}
	switch s.Config.SMTPTLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.Config.SMTPUser != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.Config.SMTPUser), gomail.WithPassword(s.Config.SMTPPassword))
	}
	client, err := gomail.NewClient(host, opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP))
	if err := msg.From(s.Config.MailFrom); err != nil {
		return fmt.Errorf("sender %q: %w", s.Config.MailFrom, err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("recipient: %w", err)
	}
	if m.ReplyTo != "" {
		if err := msg.ReplyTo(m.ReplyTo); err != nil {
			return fmt.Errorf("reply-to: %w", err)
		}
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("send mail via %s: %w", s.Config.SMTPAddr, err)
	}
	return nil
}
