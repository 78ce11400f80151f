// Package org holds the organisations that use Kansrijk: Opgroeien, one
// OCMW per municipality, CAW Brussel, the local teams of Kind en Gezin with
// their service areas (which change over time), and maternity clinics.
package org

import (
	"context"
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
}

// TeamUpdate changes a team: a new name and/or a new service area from a date.
type TeamUpdate struct {
	Name           *string   `json:"name"`
	Municipalities *[]string `json:"municipalities"`
	ValidFrom      string    `json:"valid_from"`
	From           time.Time `json:"-"`
}

// NewClinic is the input to create a maternity clinic.
type NewClinic struct {
	Key  string `json:"key"`
	Name string `json:"name"`
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
