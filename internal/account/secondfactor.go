package account

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Second factor (issue 15): a time-based one-time password (RFC 6238:
// 30-second steps, 6 digits, HMAC-SHA1, which every authenticator app
// reads) for local accounts, with one-time recovery codes. Required for
// the roles a deployment names (KANSRIJK_SECOND_FACTOR_ROLES).

// The TOTP parameters.
const (
	TOTPPeriod = 30 // seconds of one time step
	TOTPDigits = 6
	// TOTPSkew is the number of steps accepted before and after the
	// current one (clocks of phones drift).
	TOTPSkew = 1
	// TOTPIssuer names Kansrijk in the authenticator app.
	TOTPIssuer = "Kansrijk"
	// RecoveryCodeCount is the number of recovery codes of an enrolment.
	RecoveryCodeCount = 10
	// PendingLoginLifetime bounds the second step of a sign-in.
	PendingLoginLifetime = 5 * time.Minute
	// PendingLoginPrefix starts the secret of a pending sign-in.
	PendingLoginPrefix = "krl_"
)

// NewTOTPKey returns a new random TOTP secret (base32, 160 bits) for the
// account and its otpauth:// URI for an authenticator app.
func NewTOTPKey(email string) (secret, uri string, err error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: TOTPIssuer, AccountName: email, Period: TOTPPeriod,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return "", "", err
	}
	return k.Secret(), TOTPURI(email, k.Secret()), nil
}

// TOTPURI is the otpauth:// URI of a secret, as authenticator apps read
// it from the QR code.
func TOTPURI(email, secret string) string {
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("issuer", TOTPIssuer)
	v.Set("algorithm", "SHA1")
	v.Set("digits", "6")
	v.Set("period", "30")
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + TOTPIssuer + ":" + email, RawQuery: v.Encode()}
	return u.String()
}

// TOTPStep is the time step of t.
func TOTPStep(t time.Time) int64 { return t.Unix() / TOTPPeriod }

// TOTPCode is the code of secret at time t (tests compute codes with it).
func TOTPCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{Period: TOTPPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// MatchTOTP reports whether code is the code of secret in a step within
// TOTPSkew of now's, and which step. The caller refuses a step it has
// accepted before (a code works once).
func MatchTOTP(secret, code string, now time.Time) (step int64, ok bool) {
	code = NormalizeCode(code)
	if len(code) != TOTPDigits {
		return 0, false
	}
	cur := TOTPStep(now)
	for s := cur - TOTPSkew; s <= cur+TOTPSkew; s++ {
		want, err := TOTPCode(secret, time.Unix(s*TOTPPeriod, 0))
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			step, ok = s, true
		}
	}
	return step, ok
}

// NormalizeCode drops the spaces and dashes people type in a code and
// lower-cases it.
func NormalizeCode(s string) string {
	return strings.ToLower(strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, strings.TrimSpace(s)))
}

// IsRecoveryCode reports whether a typed code has the shape of a recovery
// code (16 letters and digits) rather than of a TOTP code.
func IsRecoveryCode(s string) bool { return len(NormalizeCode(s)) == 16 }

var recoveryEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewRecoveryCodes returns RecoveryCodeCount random recovery codes, each
// 80 bits in 16 base32 characters, grouped by four ("abcd-efgh-ijkl-mnop").
func NewRecoveryCodes() []string {
	out := make([]string, RecoveryCodeCount)
	for i := range out {
		b := make([]byte, 10)
		if _, err := rand.Read(b); err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
		s := strings.ToLower(recoveryEncoding.EncodeToString(b))
		out[i] = s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
	}
	return out
}

// HashRecoveryCode is what the database keeps of a recovery code (80
// random bits: a fast hash suffices).
func HashRecoveryCode(code string) string { return HashSecret("recovery:" + NormalizeCode(code)) }

// GroupSecret shows a base32 secret in groups of four for typing.
func GroupSecret(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// SecondFactorStatus is what a user sees of their own second factor.
type SecondFactorStatus struct {
	Enrolled     bool       // confirmed: asked at every sign-in
	EnrolledAt   *time.Time // when it was confirmed
	RecoveryLeft int        // unused recovery codes
	Required     bool       // the user's role requires it: it cannot be disabled
	// NoPassword: the user signs in with single sign-on only; the
	// identity provider asks the second factor, Kansrijk none.
	NoPassword bool
	// Pending is the enrolment waiting for its first code (nil when
	// none): the only time the secret is shown.
	Pending *Enrolment
}

// Enrolment is a new TOTP secret waiting for confirmation with a code.
type Enrolment struct {
	Email  string
	Secret string // base32
	URI    string // otpauth://totp/…
}

// LoginStep is the outcome of a correct password: either a session, or a
// pending sign-in (Pending, its secret) that needs a second step first —
// the code of the enrolled second factor, or, when Enrol is set, the
// enrolment the user's role requires.
type LoginStep struct {
	Session Session
	Pending string
	Enrol   bool
	Expires time.Time
}

// PendingLogin is a sign-in between its password and its second step.
type PendingLogin struct {
	UserID  int64
	Email   string
	Enrol   bool
	Expires time.Time
}

// SecondFactors is what the sign-in and the second-factor pages need from
// storage. Every method audits what it changes.
type SecondFactors interface {
	// LoginStart checks e-mail and password as Login does; a user with a
	// second factor (or whose role requires one) gets a pending sign-in
	// rather than a session.
	LoginStart(ctx context.Context, email, password, addr, requestID string) (LoginStep, error)
	PendingLogin(ctx context.Context, secret string) (PendingLogin, error)
	// LoginSecondFactor completes a pending sign-in with a TOTP code or a
	// recovery code.
	LoginSecondFactor(ctx context.Context, pending, code, addr, requestID string) (Session, error)
	// PendingEnrolment and ConfirmPendingEnrolment enrol, within a pending
	// sign-in, a user whose role requires a second factor; confirming
	// opens the session and returns the recovery codes (shown once).
	PendingEnrolment(ctx context.Context, pending string) (Enrolment, error)
	ConfirmPendingEnrolment(ctx context.Context, pending, code, addr, requestID string) (Session, []string, error)

	SecondFactorStatus(ctx context.Context, a Actor) (SecondFactorStatus, error)
	BeginSecondFactor(ctx context.Context, a Actor) (Enrolment, error)
	ConfirmSecondFactor(ctx context.Context, a Actor, code string) ([]string, error)
	RegenerateRecoveryCodes(ctx context.Context, a Actor, code string) ([]string, error)
	DisableSecondFactor(ctx context.Context, a Actor, code string) error
	// ResetSecondFactor removes a user's second factor (admins, and an
	// OCMW admin for its own OCMW); the user is told by e-mail.
	ResetSecondFactor(ctx context.Context, a Actor, userID int64) error
	// SecondFactorEnrolled reports whether a user has a confirmed second
	// factor (for the users list).
	SecondFactorEnrolled(ctx context.Context, userID int64) (bool, error)
}

// DefaultSecondFactorRoles are the roles that must sign in with a second
// factor unless configured otherwise.
const DefaultSecondFactorRoles = "admin,dpo"

// ParseSecondFactorRoles parses the setting KANSRIJK_SECOND_FACTOR_ROLES:
// roles separated by commas, "none" for no role, empty for the default.
func ParseSecondFactorRoles(s string) ([]Role, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		s = DefaultSecondFactorRoles
	case strings.EqualFold(s, "none"):
		return nil, nil
	}
	var out []Role
	for _, p := range strings.Split(s, ",") {
		r, err := ParseRole(p)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
