// Package org holds the organisations that use Kansrijk: Opgroeien, one
// OCMW per municipality, CAW Brussel, the local teams of Kind en Gezin with
// their service areas (which change over time), and maternity clinics.
package org

import (
	"context"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/municipality"
)

// Fixed organisation keys.
const (
	OpgroeienKey  = "opgroeien"
	CAWBrusselKey = "caw-brussel"
)

// OCMWKey returns the key of the OCMW of a municipality.
func OCMWKey(nis string) string { return "ocmw-" + nis }

// Organisation is any organisation a user can belong to.
type Organisation struct {
	Key             string          `json:"key"`
	Kind            account.OrgKind `json:"kind"`
	Name            string          `json:"name"`
	MunicipalityNIS string          `json:"municipality_nis,omitempty"` // OCMWs only
	InboxEmail      string          `json:"inbox_email,omitempty"`
	// Phone and Email: how families and partners reach the organisation
	// (a team's shared number and mailbox; migration 00016).
	Phone     string     `json:"phone,omitempty"`
	Email     string     `json:"email,omitempty"`
	ValidFrom time.Time  `json:"-"`
	ValidTo   *time.Time `json:"-"`
}

// Team is a local team of Kind en Gezin and its service area on a day.
type Team struct {
	Key            string
	Name           string
	Phone, Email   string   // how families and OCMWs reach the team
	Municipalities []string // NIS codes of the service area on the day asked
	ValidFrom      time.Time
	AreaFrom       time.Time // since when the current area holds
	ValidTo        *time.Time
}

// NewTeam is the input to create a team or change its area.
type NewTeam struct {
	Key            string    `json:"key"`
	Name           string    `json:"name"`
	Municipalities []string  `json:"municipalities"`
	ValidFrom      string    `json:"valid_from"`
	From           time.Time `json:"-"`
	// Phone and Email: the team's shared number and mailbox, optional
	// (see ContactPhone, ContactEmail).
	Phone string `json:"phone"`
	Email string `json:"email"`
}

// TeamUpdate changes a team: a new name, new contact details and/or a new
// service area from a date. A nil field keeps its value; an empty phone
// or e-mail clears it.
type TeamUpdate struct {
	Name           *string   `json:"name"`
	Municipalities *[]string `json:"municipalities"`
	ValidFrom      string    `json:"valid_from"`
	From           time.Time `json:"-"`
	Phone          *string   `json:"phone"`
	Email          *string   `json:"email"`
}

// phoneSeparators are what a phone number may hold between its digits,
// as people type them.
const phoneSeparators = " ./-()"

var (
	belgianRE       = regexp.MustCompile(`^0(4[0-9]{8}|[1-9][0-9]{7})$`) // 09 123 45 67, 0470 12 34 56
	internationalRE = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)         // E.164
)

// ContactPhone checks a team's phone number: a Belgian number (0 and 8
// digits, a mobile 04 and 8) or an international one (+ or 00, country code and
// number, at most 15 digits), with spaces, dots, slashes, hyphens or
// brackets between the digits as people write them. It returns the
// number as typed with its spaces tidied, "" for none, or an invalid
// error on field "phone".
func ContactPhone(s string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "", nil
	}
	var digits strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == '+' && i == 0:
			digits.WriteRune(r)
		case strings.ContainsRune(phoneSeparators, r):
		default:
			return "", invalidPhone()
		}
	}
	d := digits.String()
	if strings.HasPrefix(d, "00") {
		d = "+" + d[2:]
	}
	if strings.HasPrefix(d, "+32") {
		// The Belgian number behind the country code ("+32 (0)9 …" too).
		d = "0" + strings.TrimPrefix(d[3:], "0")
	}
	if len(s) > 40 || !(belgianRE.MatchString(d) || (!strings.HasPrefix(d, "0") && internationalRE.MatchString(d))) {
		return "", invalidPhone()
	}
	return s, nil
}

func invalidPhone() error {
	return apperr.FieldErr(apperr.Invalid, "phone", "invalid phone number: give a Belgian number (09 123 45 67) or an international one (+32 9 123 45 67)").
		WithKey("home.error.phone", nil)
}

// ContactEmail checks a team's e-mail address (one plain address with a
// domain that has a dot) and returns it trimmed and lower-cased, "" for
// none, or an invalid error on field "email".
func ContactEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", nil
	}
	a, err := mail.ParseAddress(s)
	at := strings.LastIndex(s, "@")
	if err != nil || a.Address != s || len(s) > 254 || at < 1 || !strings.Contains(s[at+1:], ".") || strings.HasSuffix(s, ".") {
		return "", apperr.FieldErr(apperr.Invalid, "email", "invalid e-mail address").WithKey("home.error.email", nil)
	}
	return s, nil
}

// Validate checks and tidies the contact details of a new team.
func (in *NewTeam) Validate() error {
	var err error
	if in.Phone, err = ContactPhone(in.Phone); err != nil {
		return err
	}
	in.Email, err = ContactEmail(in.Email)
	return err
}

// Validate checks and tidies the contact details of a team's update.
func (up *TeamUpdate) Validate() error {
	if up.Phone != nil {
		p, err := ContactPhone(*up.Phone)
		if err != nil {
			return err
		}
		up.Phone = &p
	}
	if up.Email != nil {
		e, err := ContactEmail(*up.Email)
		if err != nil {
			return err
		}
		up.Email = &e
	}
	return nil
}

// NewClinic is the input to create a maternity clinic.
type NewClinic struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// Validate checks a new clinic without the database: its key and its
// name, every problem at once (an apperr.List).
func (in NewClinic) Validate() error {
	var problems []*apperr.Error
	for _, err := range []error{ValidName(in.Name), ValidKey(strings.TrimSpace(in.Key), "clinic-")} {
		problems = append(problems, apperr.Problems(err)...)
	}
	return apperr.Join(problems)
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidKey checks an organisation key of the form <prefix><slug>.
func ValidKey(key, prefix string) error {
	if !strings.HasPrefix(key, prefix) || !slugRE.MatchString(strings.TrimPrefix(key, prefix)) || len(key) > 80 {
		return apperr.FieldErr(apperr.Invalid, "key", "key must look like %s<slug>: lower-case letters, digits and hyphens", prefix).
			WithKey("error.invalid_key", map[string]any{"Prefix": prefix})
	}
	return nil
}

// ValidName checks a display name.
func ValidName(name string) error {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 {
		return apperr.FieldErr(apperr.Invalid, "name", "name is required (at most 200 characters)").WithKey("error.name_required", nil)
	}
	return nil
}

// Slugify turns a name into a key slug ("Zuiderkempen Noord" → "zuiderkempen-noord").
func Slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case strings.ContainsRune("éèëê", r):
			b.WriteRune('e')
			dash = false
		case strings.ContainsRune("ïî", r):
			b.WriteRune('i')
			dash = false
		case strings.ContainsRune("öô", r):
			b.WriteRune('o')
			dash = false
		case strings.ContainsRune("üû", r):
			b.WriteRune('u')
			dash = false
		case strings.ContainsRune("àâä", r):
			b.WriteRune('a')
			dash = false
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// Filter selects organisations.
type Filter struct {
	Kind string     // "" for all kinds
	On   *time.Time // only those valid on this day
}

// Store is what the org package needs from storage.
type Store interface {
	Organisations(ctx context.Context, f Filter) ([]Organisation, error)
	Organisation(ctx context.Context, key string) (Organisation, error)
	Teams(ctx context.Context, on time.Time) ([]Team, error)
	Team(ctx context.Context, key string, on time.Time) (Team, error)
	TeamFor(ctx context.Context, nis string, on time.Time) (string, error)
	CreateTeam(ctx context.Context, a account.Actor, in NewTeam) (Team, error)
	UpdateTeam(ctx context.Context, a account.Actor, key string, up TeamUpdate) (Team, error)
	CreateClinic(ctx context.Context, a account.Actor, in NewClinic) (Organisation, error)
	SetInboxEmail(ctx context.Context, a account.Actor, key, email string) error
	// TeamLeads are the active team leads of a local team: the contact
	// persons a local government is given (factsheet). Staff data only.
	TeamLeads(ctx context.Context, key string) ([]Person, error)
}

// Person is a staff member by name and professional e-mail address.
type Person struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// RecipientFor returns the organisation that receives referrals for a
// municipality: CAW Brussel in Brussels, else the municipality's OCMW.
func RecipientFor(m municipality.Municipality) string {
	if m.Region == municipality.Brussels {
		return CAWBrusselKey
	}
	return OCMWKey(m.NIS)
}
