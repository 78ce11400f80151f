// Package smtptest starts a real SMTP server (github.com/emersion/go-smtp)
// on 127.0.0.1 inside a test and keeps the messages it receives, decoded
// (subject, quoted-printable body), for the mailing, reminder and digest
// tests of every package that sends e-mail.
package smtptest

import (
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one message received.
type Message struct {
	From    string   // envelope sender
	To      []string // envelope recipients
	Header  mail.Header
	Subject string // decoded
	Body    string // decoded
	Raw     []byte
}

// Server is a running SMTP server and its mailbox.
type Server struct {
	Addr string // host:port
	mu   sync.Mutex
	msgs []Message
	fail bool
	tb   testing.TB
}

// Start starts a server that lives until the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s, stop, err := Listen()
	if err != nil {
		tb.Fatal(err)
	}
	s.tb = tb
	tb.Cleanup(func() { stop() })
	return s
}

// Listen starts a server that lives until stop is called, for a server
// shared by the tests of a package (started in TestMain). A message that
// cannot be decoded is kept with its raw bytes only.
func Listen() (s *Server, stop func() error, err error) {
	s = &Server{}
	srv := smtp.NewServer(backend{s})
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	s.Addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	return s, srv.Close, nil
}

// Fail makes the server answer DATA with a temporary error (or not).
func (s *Server) Fail(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = on
}

// Messages returns the messages received so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// To returns the messages received for one address.
func (s *Server) To(addr string) []Message {
	var out []Message
	for _, m := range s.Messages() {
		for _, to := range m.To {
			if strings.EqualFold(to, addr) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

type backend struct{ s *Server }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s    *Server
	from string
	to   []string
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.s.fail {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	m, err := decode(raw)
	if err != nil {
		if x.s.tb == nil {
			x.s.msgs = append(x.s.msgs, Message{From: x.from, To: x.to, Raw: raw})
			return nil
		}
		x.s.tb.Errorf("smtptest: undecodable message: %v\n%s", err, raw)
		return err
	}
	m.From, m.To = x.from, x.to
	x.s.msgs = append(x.s.msgs, m)
	return nil
}

func decode(raw []byte) (Message, error) {
	pm, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		return Message{}, err
	}
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(pm.Header.Get("Subject"))
	if err != nil {
		return Message{}, err
	}
	var body io.Reader = pm.Body
	if strings.EqualFold(pm.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(pm.Body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return Message{}, err
	}
	return Message{Header: pm.Header, Subject: subject, Body: strings.ReplaceAll(string(b), "\r\n", "\n"), Raw: raw}, nil
}
