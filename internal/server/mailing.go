package server

import (
	"context"

	"kansrijk/internal/mailing"
	"kansrijk/internal/notify"
)

// UseMail configures e-mail for outreach mailings (test sends over SMTP,
// links below cfg.BaseURL); without an SMTP server mailings stay
// previews. Call it before serving.
func (s *Server) UseMail(cfg notify.Config) {
	s.Mailing.BaseURL = cfg.BaseURL
	s.Mailing.Mailer = nil
	if cfg.MailEnabled() {
		s.Mailing.Mailer = smtpMailer{&notify.SMTPMailer{Config: cfg}}
	}
}

// smtpMailer sends mailing messages through notify's SMTP mailer.
type smtpMailer struct{ m notify.Mailer }

func (s smtpMailer) Send(ctx context.Context, m mailing.Message) error {
	return s.m.Send(ctx, notify.Message{To: m.To, ReplyTo: m.ReplyTo, Subject: m.Subject, Body: m.Body})
}
