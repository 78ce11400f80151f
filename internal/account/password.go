package account

import (
	"bufio"
	_ "embed"
	"strings"
	"time"
	"unicode/utf8"

	"kansrijk/internal/apperr"
)

// Stable error codes of the password policy (answered with 400).
const (
	CodePasswordTooShort = "password_too_short"
	CodePasswordTooLong  = "password_too_long"
	CodePasswordCommon   = "password_too_common"
)

// commonPasswordList is the top of the public list of common passwords
// that the zxcvbn project ships (data/passwords.txt of
// github.com/trustelem/zxcvbn v1.0.1, MIT; derived from leaked-password
// frequency counts, no personal data): its first 5,000 entries and every
// entry of 12 characters or more, lower-cased.
//
//go:embed common_passwords.txt
var commonPasswordList string

var commonPasswords = func() map[string]struct{} {
	m := make(map[string]struct{}, 6000)
	sc := bufio.NewScanner(strings.NewReader(commonPasswordList))
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" {
			m[w] = struct{}{}
		}
	}
	return m
}()

// IsCommonPassword reports whether password is on the list of common
// passwords (case-insensitively, surrounding spaces ignored).
func IsCommonPassword(password string) bool {
	_, ok := commonPasswords[strings.ToLower(strings.TrimSpace(password))]
	return ok
}

// ValidatePassword checks a new password against the policy: 12 to 256
// characters and not on the list of common passwords.
func ValidatePassword(password string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLength:
		return apperr.FieldErr(CodePasswordTooShort, "password", "password must have at least %d characters", MinPasswordLength).
			WithKey("error.password_short", map[string]any{"N": MinPasswordLength})
	case n > MaxPasswordLength:
		return apperr.FieldErr(CodePasswordTooLong, "password", "password may have at most %d characters", MaxPasswordLength).
			WithKey("identity.error.password_long", map[string]any{"N": MaxPasswordLength})
	case IsCommonPassword(password):
		return apperr.FieldErr(CodePasswordCommon, "password", "this password is on a list of common passwords; choose another").
			WithKey("identity.error.password_common", nil)
	}
	return nil
}

// PasswordLinkPrefix starts the secret of every one-time password link.
const PasswordLinkPrefix = "krp_"

// PasswordLinkLifetime is how long a one-time link to set a password
// works.
const PasswordLinkLifetime = 72 * time.Hour

// Purposes of a one-time password link.
const (
	LinkSetup = "setup" // a new account
	LinkReset = "reset" // a reset, by the user or an admin
)

// PasswordLink is a one-time link to set a password, as created: the
// secret is shown once (to the creating admin for hand-over) and e-mailed
// to the user; the database keeps only its hash.
type PasswordLink struct {
	ID      int64     `json:"id"`
	UserID  int64     `json:"user_id"`
	Purpose string    `json:"purpose"`
	Secret  string    `json:"-"`
	Path    string    `json:"path"` // the page that sets the password: /wachtwoord/<secret>
	Expires time.Time `json:"expires_at"`
}

// PasswordLinkPath is the path of the page a link's secret opens.
func PasswordLinkPath(secret string) string { return "/wachtwoord/" + secret }

// NewServiceAccount is the input to create a service account: a name that
// says which system it is, and the organisation it acts for.
type NewServiceAccount struct {
	Name  string `json:"name"`
	Org   string `json:"organisation"`
	Label string `json:"label"` // of its first token
}

// ServiceAccountRole is the role a service account of an organisation
// kind gets: the machine client acts as the organisation's ordinary
// working role, never as an administrator.
func ServiceAccountRole(k OrgKind) (Role, bool) {
	switch k {
	case KindClinic:
		return Clinic, true
	case KindOCMW, KindCAW:
		return OCMWWorker, true
	case KindTeam:
		return TeamWorker, true
	case KindOpgroeien:
		return Analyst, true
	}
	return "", false
}
