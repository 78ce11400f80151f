// Package account holds users, roles and what each role may do, the
// credentials (passwords, API tokens, sessions) and the caller identity
// (Actor) that every service method receives.
package account

import (
	"context"
	"net/mail"
	"strings"
	"time"

	"kansrijk/internal/apperr"
)

// Role is what a user does in Kansrijk. Each user has exactly one.
type Role string

// The roles (a contract of the command line and the API).
const (
	Admin      Role = "admin"
	TeamLead   Role = "team_lead"
	TeamWorker Role = "team_worker"
	OCMWWorker Role = "ocmw_worker"
	OCMWAdmin  Role = "ocmw_admin"
	Clinic     Role = "clinic"
	DPO        Role = "dpo"
	Analyst    Role = "analyst"
)

// Roles lists every role in display order.
var Roles = []Role{Admin, TeamLead, TeamWorker, OCMWWorker, OCMWAdmin, Clinic, DPO, Analyst}

// OrgKind is the kind of organisation a user belongs to.
type OrgKind string

// The organisation kinds.
const (
	KindOpgroeien OrgKind = "opgroeien"
	KindOCMW      OrgKind = "ocmw"
	KindCAW       OrgKind = "caw"
	KindTeam      OrgKind = "team"
	KindClinic    OrgKind = "clinic"
)

// allowedKinds says at which kind of organisation each role can exist.
var allowedKinds = map[Role][]OrgKind{
	Admin:      {KindOpgroeien},
	Analyst:    {KindOpgroeien},
	DPO:        {KindOpgroeien, KindOCMW, KindCAW},
	TeamLead:   {KindTeam},
	TeamWorker: {KindTeam},
	OCMWWorker: {KindOCMW, KindCAW},
	OCMWAdmin:  {KindOCMW, KindCAW},
	Clinic:     {KindClinic},
}

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	r := Role(strings.TrimSpace(s))
	if _, ok := allowedKinds[r]; !ok {
		return "", apperr.FieldErr(apperr.UnknownRole, "role", "unknown role %q; use one of admin, team_lead, team_worker, ocmw_worker, ocmw_admin, clinic, dpo, analyst", s).
			WithKey("error.unknown_role", map[string]any{"Role": s})
	}
	return r, nil
}

// AllowedAt reports whether role r can belong to an organisation of kind k.
func (r Role) AllowedAt(k OrgKind) bool {
	for _, a := range allowedKinds[r] {
		if a == k {
			return true
		}
	}
	return false
}

// User is a person with an account.
type User struct {
	ID        int64
	Email     string
	Name      string
	Role      Role
	Org       string // organisation key
	OrgKind   OrgKind
	OrgName   string
	Active    bool
	CreatedAt time.Time
	// Service marks a service account: a machine client (a clinic's
	// system, an OCMW's case software) that signs in only with its API
	// tokens, never with a password.
	Service bool
}

// NewUser is the input to create a user.
type NewUser struct {
	Email    string
	Name     string
	Role     string
	Org      string
	Password string // may be empty: the user cannot log in with a password then
}

// Normalize trims and lower-cases the e-mail and checks what needs no
// database: a well-formed e-mail, a name that is not too long, a known
// role, an organisation, a usable password. It reports every problem at
// once (an apperr.List, in the order of the form), the first as its code.
func (n *NewUser) Normalize() error {
	n.Email = NormalizeEmail(n.Email)
	n.Name = strings.TrimSpace(n.Name)
	n.Org = strings.TrimSpace(n.Org)
	var problems []*apperr.Error
	add := func(err error) { problems = append(problems, apperr.Problems(err)...) }
	if _, err := mail.ParseAddress(n.Email); err != nil || !strings.Contains(n.Email, "@") || strings.ContainsAny(n.Email, " <>") {
		add(apperr.FieldErr(apperr.Invalid, "email", "invalid e-mail address").WithKey("error.invalid_email", nil))
	}
	if len(n.Name) > 200 {
		add(apperr.FieldErr(apperr.Invalid, "name", "name is too long").WithKey("error.too_long", nil))
	}
	if _, err := ParseRole(n.Role); err != nil {
		add(err)
	}
	if n.Org == "" {
		add(apperr.FieldErr(apperr.UnknownOrg, "org", "organisation is required").WithKey("error.org_required", nil))
	}
	if n.Password != "" {
		if err := ValidatePassword(n.Password); err != nil {
			add(err)
		}
	}
	return apperr.Join(problems)
}

// NormalizeEmail trims and lower-cases an e-mail address.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// The lengths of an acceptable password, in characters.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

// Actor is the authenticated caller of a service method: who, in which
// role, for which organisation. Services scope every query by it.
type Actor struct {
	UserID  int64
	Email   string
	Name    string
	Role    Role
	Org     string
	OrgKind OrgKind
	// Via tells how the caller authenticated: "session", "token" or "cli";
	// any other value is work the program does on its own (see Channel).
	Via string
	// TokenID is the API token the caller authenticated with (Via
	// "token"), for the audit record.
	TokenID int64
	// Service marks a service account (see User.Service).
	Service bool
	// RequestID and ClientAddr go into audit records.
	RequestID  string
	ClientAddr string
}

// System is the actor for work the program does on its own (migrations,
// demo data, background jobs, the command line).
func System(via string) Actor {
	return Actor{Role: Admin, Org: "opgroeien", OrgKind: KindOpgroeien, Email: "system", Via: via}
}

// The channels an audited action comes through (audit_events.channel).
const (
	ChannelSession = "session" // a signed-in browser session
	ChannelToken   = "token"   // an API token
	ChannelCLI     = "cli"     // the command line, run on the server
	ChannelJob     = "job"     // the program on its own: background jobs, demo data
)

// Channel is the channel of the actor's actions for the audit record:
// session, token or cli as authenticated, and job for everything the
// program does on its own (daily jobs, the referral gate, demo data).
func (a Actor) Channel() string {
	switch a.Via {
	case ChannelSession, ChannelToken, ChannelCLI:
		return a.Via
	}
	return ChannelJob
}

// IsCentral reports whether the actor works at Opgroeien's central level.
func (a Actor) IsCentral() bool { return a.OrgKind == KindOpgroeien }

// Can reports whether the actor's role holds permission p.
func (a Actor) Can(p Permission) bool {
	for _, r := range permissions[p] {
		if r == a.Role {
			return true
		}
	}
	return false
}

// Require returns a forbidden error unless the actor holds permission p.
func (a Actor) Require(p Permission) error {
	if a.Can(p) {
		return nil
	}
	return apperr.New(apperr.Forbidden, "your role may not do this").WithKey("error.forbidden", nil)
}

// Permission names a thing a role may do.
type Permission string

// Permissions. The organisation scope is applied by the services.
const (
	ManageOrganisations Permission = "manage_organisations" // teams, service areas, clinics
	ViewOrganisations   Permission = "view_organisations"
	ManageUsers         Permission = "manage_users" // admin: all; ocmw_admin: its own OCMW
	// ManageServiceAccounts: an OCMW admin for its own OCMW (or CAW);
	// Opgroeien's admin for Opgroeien, the local teams and the clinics
	// (which have no admin of their own) — never for an OCMW.
	ManageServiceAccounts Permission = "manage_service_accounts"
	// ViewAudit: the data protection officer's console (the audit log).
	// Only the DPO: admins are among those the log watches (break-glass).
	ViewAudit Permission = "view_audit"
)

var permissions = map[Permission][]Role{
	ManageOrganisations:   {Admin},
	ViewOrganisations:     Roles,
	ManageUsers:           {Admin, OCMWAdmin},
	ManageServiceAccounts: {Admin, OCMWAdmin},
	ViewAudit:             {DPO},
}

type ctxKey struct{}

// NewContext returns a context carrying the actor.
func NewContext(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, ctxKey{}, a)
}

// FromContext returns the actor in ctx, if any.
func FromContext(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(ctxKey{}).(Actor)
	return a, ok
}

// Token is an API token as listed (never the secret).
type Token struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Label      string     `json:"label"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// Session is a signed-in browser session.
type Session struct {
	Secret  string // only returned at login; the database keeps its hash
	CSRF    string
	Expires time.Time
	Actor   Actor
}

// Store is what the account package needs from storage. Every method
// enforces the actor's rights itself.
type Store interface {
	CreateUser(ctx context.Context, a Actor, in NewUser) (User, error)
	User(ctx context.Context, id int64) (User, error)
	UserByEmail(ctx context.Context, email string) (User, error)
	Users(ctx context.Context, a Actor) ([]User, error)
	SetUserActive(ctx context.Context, a Actor, id int64, active bool) error
	CreateToken(ctx context.Context, a Actor, email, label string) (string, error)
	Tokens(ctx context.Context, a Actor, userID int64) ([]Token, error)
	RevokeToken(ctx context.Context, a Actor, id int64) error
	ActorByToken(ctx context.Context, secret string) (Actor, error)
	Login(ctx context.Context, email, password, addr, requestID string) (Session, error)
	SessionBySecret(ctx context.Context, secret string) (Session, error)
	Logout(ctx context.Context, a Actor, secret string) error

	// Identity (issue 10): invitations and one-time password links,
	// password changes, service accounts.
	InviteUser(ctx context.Context, a Actor, in NewUser) (User, PasswordLink, error)
	CreatePasswordReset(ctx context.Context, a Actor, userID int64) (PasswordLink, error)
	RequestPasswordReset(ctx context.Context, email, addr, requestID string) error
	SetPasswordWithLink(ctx context.Context, secret, password, addr, requestID string) error
	ChangePassword(ctx context.Context, a Actor, current, password string) error
	CreateServiceAccount(ctx context.Context, a Actor, in NewServiceAccount) (User, string, error)
	ServiceAccounts(ctx context.Context, a Actor) ([]ServiceAccount, error)
	CreateServiceToken(ctx context.Context, a Actor, id int64, label string) (string, error)
	RevokeServiceAccount(ctx context.Context, a Actor, id int64) error
	// UserLists (issue 12): the paged users list, lists.go.
	UserLists
}

// ServiceAccount is a service account with its tokens (never their
// secrets).
type ServiceAccount struct {
	User
	Tokens []Token
}
