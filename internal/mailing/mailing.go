// Package mailing sends e-mail to the contact persons of local
// governments on a target list of the outreach (internal/outreach), from
// built-in Dutch templates with merge fields that the user may edit: a
// preview first, a test message to the user's own address, then the
// mailing itself. A sent mailing is recorded as an outreach campaign of
// kind "mailing" whose touchpoints are the municipalities mailed, and
// every message goes through the durable outbox (delivered by package
// notify), in the same transaction as the campaign and its audit record.
//
// Merge fields describe only the local government, its contact person,
// the local team and the sender (Fields): no data about a family can get
// into a mailing. Rendering is strict: an unknown field, a broken "{{"
// or an empty value is an error naming the field, never a silent gap.
package mailing

import (
	"context"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/outreach"
)

// PreviewCount is how many messages a preview renders in full.
const PreviewCount = 3

// MaxMunicipalities bounds an explicit list of municipalities.
const MaxMunicipalities = 400

// Recipient is one contact person who receives the mailing.
type Recipient struct {
	ContactID       int64             `json:"contact_id"`
	MunicipalityNIS string            `json:"municipality_nis"`
	Municipality    string            `json:"municipality"`
	Province        string            `json:"province"`
	Function        outreach.Function `json:"function"`
	Name            string            `json:"name"`
	Email           string            `json:"email"`
	Team            string            `json:"team"`      // key of the team whose area holds the municipality
	TeamName        string            `json:"team_name"` // its name, for the {{team}} field
}

// Reasons a municipality on the list gets no message.
const (
	SkipNoEmail         = "no_contact_email"         // no contact with an e-mail address
	SkipNoFunction      = "no_contact_with_function" // contacts with an address, none of the functions asked
	SkipNotOnTargetList = "not_on_target_list"       // named in the list, but the filter leaves it out
)

// Skipped is a municipality on the list that gets no message, and why.
type Skipped struct {
	MunicipalityNIS string `json:"municipality_nis"`
	Municipality    string `json:"municipality"`
	Reason          string `json:"reason"`
}

// Recipients are the contacts a mailing goes to, by municipality and
// function, and the municipalities skipped.
type Recipients struct {
	Municipalities int         `json:"municipalities"` // municipalities with at least one recipient
	Recipients     []Recipient `json:"recipients"`
	Skipped        []Skipped   `json:"skipped"`
}

// Message is one rendered e-mail.
type Message struct {
	To              string `json:"to"`
	ReplyTo         string `json:"reply_to,omitempty"`
	Subject         string `json:"subject"`
	Body            string `json:"body"`
	ContactID       int64  `json:"contact_id,omitempty"`
	MunicipalityNIS string `json:"municipality_nis,omitempty"`
}

// Request is what a mailing form or API call asks: the target list (a
// filter over the outreach report and/or an explicit list of municipality
// codes), optionally only some functions, and the texts.
//
// With only a filter, the municipalities on the filtered target list are
// mailed; with only Municipalities, exactly those; with both, those of the
// list that the filter keeps (the others are reported as skipped).
type Request struct {
	Filter         outreach.TargetFilter
	Municipalities []string
	Functions      []outreach.Function
	Template       string
	Subject, Body  string
	IdempotencyKey string
}

// FilterGiven reports whether the request sets any part of the filter.
func (r Request) FilterGiven() bool {
	f := r.Filter
	return f.Province != "" || f.Team != "" || len(f.Stages) > 0 || f.MinDaysSinceContact > 0
}

// ParseForm reads a request from form or query values: the target filter
// (province, team, stage, min_days_since_contact as outreach.ParseTargetFilter),
// nis (repeated), function (repeated), template, subject, body and
// idempotency_key.
func ParseForm(v url.Values) (Request, error) {
	f, err := outreach.ParseTargetFilter(v)
	if err != nil {
		return Request{}, err
	}
	r := Request{Filter: f, Template: strings.TrimSpace(v.Get("template")), Subject: v.Get("subject"), Body: v.Get("body"),
		IdempotencyKey: strings.TrimSpace(v.Get("idempotency_key"))}
	for _, s := range v["nis"] {
		r.Municipalities = append(r.Municipalities, strings.Split(s, ",")...)
	}
	for _, s := range v["function"] {
		if strings.TrimSpace(s) == "" {
			continue
		}
		fn, err := outreach.ParseFunction("function", s)
		if err != nil {
			return r, err
		}
		r.Functions = append(r.Functions, fn)
	}
	return r, r.Normalize()
}

// Normalize trims and deduplicates the municipality codes and functions
// and checks their number.
func (r *Request) Normalize() error {
	var list []string
	for _, n := range r.Municipalities {
		if n = strings.TrimSpace(n); n != "" && !slices.Contains(list, n) {
			list = append(list, n)
		}
	}
	if len(list) > MaxMunicipalities {
		return apperr.FieldErr(apperr.Invalid, "municipalities", "at most %d municipalities", MaxMunicipalities).
			WithKey("error.mailing.too_many_municipalities", map[string]any{"Max": MaxMunicipalities})
	}
	r.Municipalities = list
	var fns []outreach.Function
	for _, f := range r.Functions {
		fn, err := outreach.ParseFunction("functions", string(f))
		if err != nil {
			return err
		}
		if !slices.Contains(fns, fn) {
			fns = append(fns, fn)
		}
	}
	r.Functions = fns
	r.Template = strings.TrimSpace(r.Template)
	return nil
}

// Draft returns the texts of the request checked and parsed: the subject
// and body given, or else those of the chosen template.
func (r Request) Draft() (Draft, error) {
	subject, body := r.Subject, r.Body
	if r.Template != "" {
		t, ok := TemplateByID(r.Template)
		if !ok {
			return Draft{}, apperr.FieldErr(CodeUnknownTemplate, "template", "unknown template %q", r.Template).
				WithKey("error.mailing.unknown_template", map[string]any{"Template": r.Template})
		}
		if strings.TrimSpace(subject) == "" {
			subject = t.Subject
		}
		if strings.TrimSpace(body) == "" {
			body = t.Body
		}
	}
	return NewDraft(r.Template, subject, body)
}

var idempotencyKeyRE = regexp.MustCompile(`^[A-Za-z0-9_-]{8,100}$`)

// CheckIdempotencyKey checks the key that makes a send happen once: 8 to
// 100 letters, digits, "-" or "_".
func CheckIdempotencyKey(key string) error {
	if !idempotencyKeyRE.MatchString(key) {
		return apperr.FieldErr(CodeIdempotencyKey, "idempotency_key", "idempotency_key must be 8 to 100 letters, digits, - or _").
			WithKey("error.mailing.idempotency_key", nil)
	}
	return nil
}

// Mailing is a mailing that was sent, with the state of its messages in
// the outbox.
type Mailing struct {
	ID             int64     `json:"id"`
	CampaignID     int64     `json:"campaign_id"`
	On             time.Time `json:"-"`
	Template       string    `json:"template"`
	Subject        string    `json:"subject"` // as written, with its merge fields
	Municipalities int       `json:"municipalities"`
	Recipients     int       `json:"recipients"`
	// Delivery: sent over SMTP, still waiting (or being retried), given
	// up, or not sent (the contact was removed before delivery).
	Sent       int       `json:"sent"`
	Pending    int       `json:"pending"`
	Failed     int       `json:"failed"`
	NotSent    int       `json:"not_sent"`
	CreatedAt  time.Time `json:"-"`
	CreatedBy  string    `json:"created_by"`
	CreatedOrg string    `json:"created_org"`
}

// NewMailing is what the store records for a send.
type NewMailing struct {
	Request     Request
	Draft       Draft
	Sender      string // the sender's name, for {{afzender}}
	SenderEmail string // replies go there
	Recipients  Recipients
}

// Store is what mailing needs from storage. Admins may mail every
// municipality; team leads those in their team's area today; every other
// role is forbidden. Writes are one transaction with their audit record.
type Store interface {
	// MailingRecipients resolves the recipients of a request (no texts needed).
	MailingRecipients(ctx context.Context, a account.Actor, r Request) (Recipients, error)
	// AuditMailing records a preview or test send (action "preview" or "test").
	AuditMailing(ctx context.Context, a account.Actor, action, detail string, contactIDs []int64) error
	// MailingByKey returns the caller's mailing sent with an idempotency
	// key, or not_found.
	MailingByKey(ctx context.Context, a account.Actor, key string) (Mailing, error)
	// CreateMailing records a mailing and queues its messages; repeated
	// reports that the key had been used already (nothing new was queued).
	CreateMailing(ctx context.Context, a account.Actor, m NewMailing) (ml Mailing, repeated bool, err error)
	// Mailings lists the mailings the caller may see, newest first.
	Mailings(ctx context.Context, a account.Actor) ([]Mailing, error)
}

// Mailer sends one message now (the test send).
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// Allowed reports whether the actor may send mailings: admins, and team
// leads for their area.
func Allowed(a account.Actor) bool { return a.Role == account.Admin || a.Role == account.TeamLead }

// Forbidden is the error for anyone else.
func Forbidden() error {
	return apperr.New(apperr.Forbidden, "only administrators and team leads send mailings").WithKey("error.mailing.forbidden", nil)
}

// Service ties the store, the templates and SMTP together for the web and
// API handlers.
type Service struct {
	Store Store
	// Mailer sends test messages; nil when no SMTP server is configured
	// (then test sends and sends are refused: a mailing would not leave).
	Mailer Mailer
	// BaseURL is where people reach Kansrijk (the factsheet links).
	BaseURL string
}

// MailEnabled reports whether messages can leave.
func (s *Service) MailEnabled() bool { return s.Mailer != nil }

func mailDisabled() error {
	return apperr.New(CodeMailDisabled, "e-mail is not configured on this server (KANSRIJK_SMTP_ADDR)").WithKey("error.mailing.mail_disabled", nil)
}

// Recipients resolves the recipients of a request.
func (s *Service) Recipients(ctx context.Context, a account.Actor, r Request) (Recipients, error) {
	if !Allowed(a) {
		return Recipients{}, Forbidden()
	}
	if err := r.Normalize(); err != nil {
		return Recipients{}, err
	}
	return s.Store.MailingRecipients(ctx, a, r)
}

// Preview is the recipients and the first messages, rendered.
type Preview struct {
	Recipients
	Messages []Message `json:"messages"`
}

// render checks the texts and merges them for every recipient (so that
// an empty field anywhere is found before anything is sent).
func (s *Service) render(ctx context.Context, a account.Actor, r Request) (Draft, Recipients, []Message, error) {
	if !Allowed(a) {
		return Draft{}, Recipients{}, nil, Forbidden()
	}
	if err := r.Normalize(); err != nil {
		return Draft{}, Recipients{}, nil, err
	}
	d, err := r.Draft()
	if err != nil {
		return d, Recipients{}, nil, err
	}
	rs, err := s.Store.MailingRecipients(ctx, a, r)
	if err != nil {
		return d, rs, nil, err
	}
	if len(rs.Recipients) == 0 {
		return d, rs, nil, apperr.New(CodeNoRecipients, "no contact with an e-mail address on this list").WithKey("error.mailing.no_recipients", nil)
	}
	msgs := make([]Message, len(rs.Recipients))
	for i, rc := range rs.Recipients {
		if msgs[i], err = d.Render(rc, a.Name, s.BaseURL); err != nil {
			return d, rs, nil, err
		}
		if strings.Contains(a.Email, "@") {
			msgs[i].ReplyTo = a.Email
		}
	}
	return d, rs, msgs, nil
}

// Preview renders the messages for the first recipients without sending
// anything. Audited (the preview shows contacts' names and addresses).
func (s *Service) Preview(ctx context.Context, a account.Actor, r Request) (Preview, error) {
	_, rs, msgs, err := s.render(ctx, a, r)
	if err != nil {
		return Preview{Recipients: rs}, err
	}
	if err := s.Store.AuditMailing(ctx, a, "preview", auditDetail(r, rs), rs.contactIDs()); err != nil {
		return Preview{}, err
	}
	return Preview{Recipients: rs, Messages: msgs[:min(PreviewCount, len(msgs))]}, nil
}

// TestSubjectPrefix marks a test message.
const TestSubjectPrefix = "[TEST] "

// Test sends the message of the first recipient to the caller's own
// address, now, over SMTP, and returns it as sent. Audited.
func (s *Service) Test(ctx context.Context, a account.Actor, r Request) (Message, error) {
	if !s.MailEnabled() {
		return Message{}, mailDisabled()
	}
	_, rs, msgs, err := s.render(ctx, a, r)
	if err != nil {
		return Message{}, err
	}
	if !strings.Contains(a.Email, "@") {
		return Message{}, apperr.New(apperr.Invalid, "your account has no e-mail address to send a test to").WithKey("error.mailing.no_own_address", nil)
	}
	first, rc := msgs[0], rs.Recipients[0]
	m := Message{To: a.Email, ReplyTo: first.ReplyTo, Subject: TestSubjectPrefix + first.Subject,
		Body: "Dit is een testbericht van Kansrijk, enkel naar u verstuurd. Bij verzending krijgt " + rc.Name + " (" +
			FunctionLabel(rc.Function) + ", " + rc.Municipality + ") het bericht hieronder.\n\n" + first.Body,
		ContactID: first.ContactID, MunicipalityNIS: first.MunicipalityNIS}
	if err := s.Store.AuditMailing(ctx, a, "test", auditDetail(r, rs)+" to=self", rs.contactIDs()); err != nil {
		return Message{}, err
	}
	if err := s.Mailer.Send(ctx, m); err != nil {
		slog.Warn("mailing test message not sent", "error", err)
		return Message{}, apperr.New(CodeSendFailed, "the test message could not be sent: the mail server refused it or did not answer").
			WithKey("error.mailing.test_failed", nil)
	}
	return m, nil
}

// Sent is the outcome of a send.
type Sent struct {
	Mailing  Mailing   `json:"mailing"`
	Skipped  []Skipped `json:"skipped"`
	Repeated bool      `json:"repeated"` // the key had been used: nothing new was sent
}

// Send records the mailing and queues one message per recipient in the
// outbox, in one transaction with the campaign and its audit record. A
// request with an idempotency key already used by the caller sends
// nothing and returns the earlier mailing.
func (s *Service) Send(ctx context.Context, a account.Actor, r Request) (Sent, error) {
	if !Allowed(a) {
		return Sent{}, Forbidden()
	}
	if err := CheckIdempotencyKey(r.IdempotencyKey); err != nil {
		return Sent{}, err
	}
	if m, err := s.Store.MailingByKey(ctx, a, r.IdempotencyKey); err == nil {
		return Sent{Mailing: m, Skipped: []Skipped{}, Repeated: true}, nil
	} else if !apperr.Is(err, apperr.NotFound) {
		return Sent{}, err
	}
	if !s.MailEnabled() {
		return Sent{}, mailDisabled()
	}
	d, rs, _, err := s.render(ctx, a, r)
	if err != nil {
		return Sent{}, err
	}
	m, repeated, err := s.Store.CreateMailing(ctx, a, NewMailing{Request: r, Draft: d, Sender: a.Name, SenderEmail: a.Email, Recipients: rs})
	if err != nil {
		return Sent{}, err
	}
	skipped := rs.Skipped
	if repeated {
		skipped = []Skipped{}
	}
	return Sent{Mailing: m, Skipped: skipped, Repeated: repeated}, nil
}

// Mailings lists the mailings the caller may see.
func (s *Service) Mailings(ctx context.Context, a account.Actor) ([]Mailing, error) {
	if !Allowed(a) {
		return nil, Forbidden()
	}
	return s.Store.Mailings(ctx, a)
}

// auditDetail summarises a request for the audit log, without names or
// addresses.
// contactIDs are the contact persons a preview or test shows (their
// names and addresses): the audit event names them.
func (rs Recipients) contactIDs() []int64 {
	ids := make([]int64, len(rs.Recipients))
	for i, r := range rs.Recipients {
		ids[i] = r.ContactID
	}
	return ids
}

func auditDetail(r Request, rs Recipients) string {
	return "filter=" + r.Filter.Query().Encode() + " list=" + strings.Join(r.Municipalities, ",") + " template=" + r.Template +
		" recipients=" + strconv.Itoa(len(rs.Recipients)) + " municipalities=" + strconv.Itoa(rs.Municipalities) + " skipped=" + strconv.Itoa(len(rs.Skipped))
}
