package notify_test

import (
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/org"
	"kansrijk/internal/referral"
	"kansrijk/internal/smtptest"
	"kansrijk/internal/store"
)

var (
	admin      = account.System("test")
	teamWorker = account.Actor{UserID: 11, Email: "worker@noord.test", Role: account.TeamWorker, Org: "team-noord", OrgKind: account.KindTeam}
	ocmwWorker = account.Actor{UserID: 13, Email: "sw@ocmw.test", Role: account.OCMWWorker, Org: "ocmw-13016", OrgKind: account.KindOCMW}
	t0         = time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
)

// The family of every test referral: none of this may reach an e-mail or
// a webhook.
var family = referral.Parent{Name: "Fictieve Ouder", Street: "Teststraat", Number: "17", Postcode: "2235",
	Phone: "+32 470 12 34 56", Email: "ouder@example.org"}

// forbidden are the strings that must not appear anywhere in a notice:
// the parent's name, street, telephone (as written and as digits) and
// e-mail address.
var forbidden = []string{"Fictieve", "Ouder", "Teststraat", "+32 470 12 34 56", "470123456", "470 12 34 56", "ouder@example.org", "example.org"}

// forbiddenInText may not appear in the text of a notice (subject, body):
// the municipality of residence, its postcode and NIS code. (Not checked
// in generated headers, where a random Message-ID may hold four digits.)
var forbiddenInText = []string{"Hulshout", "hulshout", "2235", "13016"}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func useClock(db *store.DB) *clock {
	c := &clock{t: t0}
	db.Now = c.Now
	return c
}

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// world creates team-noord (Hulshout 13016 among others) and an active
// agreement with the OCMW of Hulshout.
func world(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.CreateTeam(ctx, admin, org.NewTeam{Key: "team-noord", Name: "Lokaal team Noord", Municipalities: []string{"13016", "12014"}, From: day("2022-01-01")}); err != nil {
		t.Fatal(err)
	}
	ag, err := db.CreateAgreement(ctx, admin, agreement.NewAgreement{Team: "team-noord", MunicipalityNIS: "13016", Status: "draft", EffectiveOn: "2023-01-02"})
	if err != nil {
		t.Fatal(err)
	}
	sigs := []agreement.Signature{
		{Function: "administrator_general", Name: "A. Generaal", SignedOn: "2023-03-01"},
		{Function: "council_chair", Name: "V. Oorzitter", SignedOn: "2023-03-01"},
		{Function: "general_director", Name: "D. Irecteur", SignedOn: "2023-03-01"},
	}
	for _, ev := range []agreement.NewEvent{
		{Status: "approved", EffectiveOn: "2023-02-01", CouncilReference: "RMW/2023/17", CouncilDecisionOn: "2023-02-01"},
		{Status: "signed", EffectiveOn: "2023-03-01", Signatures: sigs},
		{Status: "active", EffectiveOn: "2023-04-01"},
	} {
		if _, err := db.AddEvent(ctx, admin, ag.ID, ev); err != nil {
			t.Fatal(err)
		}
	}
}

// sendReferral creates, consents and sends a referral for family.
func sendReferral(t *testing.T, db *store.DB) referral.Referral {
	t.Helper()
	ctx := context.Background()
	r, err := db.CreateReferral(ctx, teamWorker, referral.NewReferral{MunicipalityNIS: "13016", Parents: []referral.Parent{family},
		Criteria: []string{"income"}, Needs: []string{"income_support"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddConsent(ctx, teamWorker, r.ID, referral.NewConsent{Parent: 0, Informed: referral.InformationItems, Method: "verbal"}); err != nil {
		t.Fatal(err)
	}
	if r, err = db.Send(ctx, teamWorker, r.ID); err != nil {
		t.Fatal(err)
	}
	return r
}

// ---- a real SMTP server, in memory ----

// startSMTP starts an SMTP server on 127.0.0.1 and returns it and its
// address.
func startSMTP(t *testing.T) (*smtptest.Server, string) {
	t.Helper()
	s := smtptest.Start(t)
	return s, s.Addr
}

// decoded is a received message with its headers and body decoded.
type decoded struct {
	Header  mail.Header
	Subject string
	Body    string
	All     string // raw message + decoded headers + decoded body
}

func decode(t *testing.T, raw []byte) decoded {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatalf("parse message: %v\n%s", err, raw)
	}
	var dec mime.WordDecoder
	var all strings.Builder
	all.Write(raw)
	for k, vs := range m.Header {
		for _, v := range vs {
			d, err := dec.DecodeHeader(v)
			if err != nil {
				d = v
			}
			all.WriteString("\n" + k + ": " + d)
		}
	}
	subject, _ := dec.DecodeHeader(m.Header.Get("Subject"))
	var body io.Reader = m.Body
	switch strings.ToLower(m.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body = quotedprintable.NewReader(m.Body)
	case "base64":
		t.Fatalf("unexpected base64 body")
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	all.WriteString("\n")
	all.Write(b)
	return decoded{Header: m.Header, Subject: subject, Body: string(b), All: all.String()}
}

// wantNoPersonalData fails when s holds anything of the family; text is
// the human-readable part (subject and body).
func wantNoPersonalData(t *testing.T, what, s, text string) {
	t.Helper()
	for _, f := range forbidden {
		if strings.Contains(s, f) {
			t.Errorf("%s contains %q:\n%s", what, f, s)
		}
	}
	for _, f := range forbiddenInText {
		if strings.Contains(text, f) {
			t.Errorf("%s contains %q:\n%s", what, f, text)
		}
	}
}
