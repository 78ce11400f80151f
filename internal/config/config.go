// Package config is the configuration of a kansrijk process: every
// setting it reads, from three sources, and their checks.
//
// Sources, strongest first:
//
//  1. command-line flags (only the settings that have one, such as --db);
//  2. the environment (KANSRIJK_*); an empty value counts as unset;
//  3. an optional file, named by --config FILE or KANSRIJK_CONFIG.
//
// The file has the form of an environment file: one KEY=value per line,
// blank lines and lines starting with # ignored, an optional "export "
// before the key, and a value optionally in single or double quotes (no
// escapes, no variable expansion, no comments after a value). Every key
// must be a setting of this package; an unknown key or a line without =
// is an error naming the line, so that a typo does not silently leave a
// default in force.
//
// Check validates every setting and reports all problems at once;
// Effective lists the settings in force with secrets masked, for
// `kansrijk config check`.
package config

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/auditlog"
	"kansrijk/internal/httpx"
	"kansrijk/internal/store"
)

// FileEnv is the environment variable naming the configuration file.
const FileEnv = "KANSRIJK_CONFIG"

// Setting is one configuration setting.
type Setting struct {
	Key    string // environment variable and file key
	Flag   string // serve's flag, if any (without dashes)
	Secret bool   // masked when printed
	Doc    string // what it is, with its default
	check  func(v string) error
}

// Settings are every setting a kansrijk process reads, in the order shown.
var Settings = []Setting{
	{Key: "KANSRIJK_DB", Flag: "db", Secret: true, Doc: "database: a file path or sqlite:PATH (SQLite), or postgres://… (default " + store.DefaultPath + ")", check: checkDSN},
	{Key: "KANSRIJK_ADDR", Flag: "addr", Doc: "listen address HOST:PORT of serve (default 127.0.0.1:8080)", check: checkListen},
	{Key: "KANSRIJK_BASE_URL", Doc: "public address, absolute http(s) URL; links in e-mails point below it (default http://localhost:8080)", check: checkBaseURL},
	{Key: "KANSRIJK_LOG_LEVEL", Doc: "debug, info, warn or error (default info)", check: oneOf("debug", "info", "warn", "error")},
	{Key: "KANSRIJK_LOG_FORMAT", Doc: "text or json (default text)", check: oneOf("text", "json")},
	{Key: "KANSRIJK_DB_MAX_CONNS", Doc: "PostgreSQL connections of this instance (default 20)", check: intRange(1, 10000)},
	{Key: "KANSRIJK_DB_STATEMENT_TIMEOUT", Doc: "PostgreSQL statement_timeout, 0 switches it off (default 30s)", check: durRange(0, 24*time.Hour)},
	{Key: "KANSRIJK_DB_IDLE_TX_TIMEOUT", Doc: "PostgreSQL idle_in_transaction_session_timeout, 0 switches it off (default 60s)", check: durRange(0, 24*time.Hour)},
	{Key: "KANSRIJK_REQUEST_TIMEOUT", Doc: "deadline of a request (default 30s, at most 115s)", check: durRange(time.Second, 115*time.Second)},
	{Key: "KANSRIJK_UPLOAD_TIMEOUT", Doc: "deadline of an upload (default 110s, at most 115s)", check: durRange(time.Second, 115*time.Second)},
	{Key: "KANSRIJK_SESSION_IDLE_MINUTES", Doc: "sessions end after this many idle minutes (1 to 1440)", check: intRange(1, 24*60)},
	{Key: "KANSRIJK_PASSWORD_CHECKS", Doc: "password checks at the same time, 64 MiB each (1 to 64)", check: intRange(1, 64)},
	{Key: "KANSRIJK_AUDIT_KEY", Secret: true, Doc: "signing key of the audit log (PRIVATE+KEY+…); prefer KANSRIJK_AUDIT_KEY_FILE", check: checkAuditKey},
	{Key: "KANSRIJK_AUDIT_KEY_FILE", Doc: "file holding the signing key of the audit log (kansrijk audit keygen)", check: checkAuditKeyFile},
	{Key: "KANSRIJK_AUDIT_ORIGIN", Doc: "origin line of the audit log's checkpoints", check: checkOrigin},
	{Key: "KANSRIJK_AUDIT_CHECKPOINT_INTERVAL", Doc: "how often a checkpoint is signed (1ms to 1m, default 1m)", check: durRange(time.Millisecond, time.Minute)},
	{Key: "KANSRIJK_BACKUP_DIR", Flag: "backup-dir", Doc: "folder of the scheduled backups, writable or made in a writable folder (none when empty)", check: checkWritableDir},
	{Key: "KANSRIJK_BACKUP_INTERVAL", Flag: "backup-interval", Doc: "time between scheduled backups (at least 1m, default 24h)", check: durRange(time.Minute, 0)},
	{Key: "KANSRIJK_BACKUP_KEEP", Flag: "backup-keep", Doc: "how many scheduled backups to keep (default 7)", check: intRange(1, 100000)},
	{Key: "KANSRIJK_SMTP_ADDR", Doc: "SMTP server HOST:PORT; empty disables e-mail", check: checkHostPort},
	{Key: "KANSRIJK_SMTP_USER", Doc: "SMTP user name"},
	{Key: "KANSRIJK_SMTP_PASSWORD", Secret: true, Doc: "SMTP password"},
	{Key: "KANSRIJK_SMTP_TLS", Doc: "none, starttls or tls (default starttls with a user, else none)", check: oneOf("none", "starttls", "tls")},
	{Key: "KANSRIJK_MAIL_FROM", Doc: "sender of e-mails (default Kansrijk <no-reply@kansrijk.invalid>)", check: checkMailFrom},
	{Key: "KANSRIJK_METRICS_TOKEN", Secret: true, Doc: "bearer token for /metrics, at least 16 characters", check: checkToken},
	{Key: "KANSRIJK_METRICS_ALLOW", Doc: "addresses or CIDR networks allowed to read /metrics, or none (default loopback)", check: checkAllow},
	{Key: "KANSRIJK_BIRTH_ESCALATE_DAYS", Doc: "days before an unhandled birth notice is escalated (default 14)", check: intRange(1, 3650)},
	{Key: "KANSRIJK_BIRTH_RETENTION_MONTHS", Doc: "months birth notices are kept (default 6)", check: intRange(1, 120)},
	{Key: "KANSRIJK_OUTREACH_NO_CONTACT_DAYS", Doc: "days without contact before outreach (1 to 3650)", check: intRange(1, 3650)},
	{Key: "KANSRIJK_FLAG_FAMILIES", Doc: "families opened by one person in the window before the DPO is alerted", check: intRange(1, 1<<30)},
	{Key: "KANSRIJK_FLAG_FAMILIES_WINDOW", Doc: "window of KANSRIJK_FLAG_FAMILIES", check: durRange(time.Nanosecond, 0)},
	{Key: "KANSRIJK_FLAG_DENIALS", Doc: "denied accesses in the window before the DPO is alerted", check: intRange(1, 1<<30)},
	{Key: "KANSRIJK_FLAG_DENIALS_WINDOW", Doc: "window of KANSRIJK_FLAG_DENIALS", check: durRange(time.Nanosecond, 0)},
	{Key: "KANSRIJK_BREAK_GLASS_TTL", Doc: "how long an approved break-glass opens a referral (default 4h)", check: durRange(time.Nanosecond, 0)},
	{Key: "KANSRIJK_WEBHOOK_ALLOW_INSECURE", Doc: "1 allows webhooks to private addresses and plain http (tests only)", check: oneOf("0", "1")},
	// Area sso: single sign-on with OpenID Connect (internal/sso); the callback is KANSRIJK_BASE_URL + /auth/oidc/callback.
	{Key: "KANSRIJK_OIDC_ISSUER", Doc: "issuer URL of the OpenID Connect provider (discovery at start); empty: single sign-on off", check: checkIssuer},
	{Key: "KANSRIJK_OIDC_CLIENT_ID", Doc: "client id of Kansrijk at the provider"},
	{Key: "KANSRIJK_OIDC_CLIENT_SECRET", Secret: true, Doc: "client secret of Kansrijk at the provider"},
	{Key: "KANSRIJK_OIDC_SCOPES", Doc: "scopes asked for, space- or comma-separated (default openid email profile)"},
	{Key: "KANSRIJK_OIDC_ORG_CLAIM", Doc: "claim carrying the organisation key (ocmw-13016, team-…); empty: an admin assigns it"},
	{Key: "KANSRIJK_OIDC_ROLE_CLAIM", Doc: "claim carrying the role (a string or a list); empty: an admin assigns it"},
	{Key: "KANSRIJK_OIDC_ROLE_MAP", Doc: "role claim values to roles, value=role,… (a value that is a role name needs no entry)", check: checkRoleMap},
	// Area ops: graceful shutdown and the proxies in front (cli/serve.go, httpx/transport.go).
	{Key: "KANSRIJK_SHUTDOWN_DRAIN", Doc: "after SIGTERM, how long new requests are still served while /readyz answers 503 (0 to 5m, default 5s)", check: durRange(0, 5*time.Minute)},
	{Key: "KANSRIJK_SHUTDOWN_TIMEOUT", Doc: "after the drain, how long requests in flight may take to finish (1s to 10m, default 20s)", check: durRange(time.Second, 10*time.Minute)},
	{Key: "KANSRIJK_TRUSTED_PROXIES", Doc: "reverse proxies (addresses or CIDR networks, comma-separated) whose X-Forwarded-For and X-Forwarded-Proto count (default none)", check: checkTrustedProxies},
}

// lookup returns the setting of a key.
func lookup(key string) (Setting, bool) {
	for _, s := range Settings {
		if s.Key == key {
			return s, true
		}
	}
	return Setting{}, false
}

// ParseFile reads a configuration file (see the package comment). It
// returns every value it could read and one error per bad line.
func ParseFile(r io.Reader) (map[string]string, []error) {
	vals := map[string]string{}
	var errs []error
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		key, val, ok := strings.Cut(line, "=")
		key = strings.TrimSpace(key)
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("line %d: want KEY=value, got %q", n, truncate(line)))
			continue
		case key == FileEnv:
			errs = append(errs, fmt.Errorf("line %d: %s cannot be set in the configuration file itself", n, FileEnv))
			continue
		}
		if _, known := lookup(key); !known {
			errs = append(errs, fmt.Errorf("line %d: unknown setting %q", n, truncate(key)))
			continue
		}
		val = strings.TrimSpace(val)
		if len(val) >= 2 && (val[0] == '"' || val[0] == '\'') {
			if val[len(val)-1] != val[0] {
				errs = append(errs, fmt.Errorf("line %d: %s: unclosed quote", n, key))
				continue
			}
			val = val[1 : len(val)-1]
		}
		if _, dup := vals[key]; dup {
			errs = append(errs, fmt.Errorf("line %d: %s is set twice", n, key))
		}
		vals[key] = val
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, err)
	}
	return vals, errs
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// ReadFile reads the configuration file at path; the error names the
// file and every bad line.
func ReadFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("configuration file: %w", err)
	}
	defer f.Close()
	vals, errs := ParseFile(f)
	if len(errs) > 0 {
		return vals, fmt.Errorf("configuration file %s: %w", path, errors.Join(errs...))
	}
	return vals, nil
}

// Source tells where a value comes from.
type Source string

// Sources of a value.
const (
	FromDefault Source = "default"
	FromFile    Source = "file"
	FromEnv     Source = "environment"
	FromFlag    Source = "flag"
)

// Config is the layered configuration of a process.
type Config struct {
	File  map[string]string // from the configuration file
	Env   func(string) string
	Flags map[string]string // by key, the flags given on the command line
}

// Get returns the value in force for key: flag, else environment, else file.
func (c Config) Get(key string) string {
	v, _ := c.Lookup(key)
	return v
}

// Lookup returns the value in force for key and where it comes from.
func (c Config) Lookup(key string) (string, Source) {
	if v, ok := c.Flags[key]; ok {
		return v, FromFlag
	}
	if c.Env != nil {
		if v := c.Env(key); v != "" {
			return v, FromEnv
		}
	}
	if v, ok := c.File[key]; ok && v != "" {
		return v, FromFile
	}
	return "", FromDefault
}

// Getenv is Get as a func, to hand to code that reads the environment:
// it answers every variable, settings and others (GOMEMLIMIT…), with the
// file below the environment.
func (c Config) Getenv(key string) string { return c.Get(key) }

// Export sets, in the process environment, the file's values that the
// environment does not set, for the packages that read it directly.
func (c Config) Export() error {
	for k, v := range c.File {
		if os.Getenv(k) == "" && v != "" {
			if err := os.Setenv(k, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// Load returns the configuration of a process: the file named by path,
// else by KANSRIJK_CONFIG in getenv (none when both are empty), below
// getenv.
func Load(path string, getenv func(string) string) (Config, error) {
	c := Config{Env: getenv}
	if path == "" {
		path = getenv(FileEnv)
	}
	if path == "" {
		return c, nil
	}
	vals, err := ReadFile(path)
	c.File = vals
	return c, err
}

// Check validates every setting in force and returns one error per
// problem (nil when all is well).
func (c Config) Check() []error {
	var errs []error
	for _, s := range Settings {
		v, src := c.Lookup(s.Key)
		if v == "" || s.check == nil {
			continue
		}
		if err := s.check(v); err != nil {
			name := s.Key
			if src == FromFlag {
				name = "--" + s.Flag
			}
			errs = append(errs, fmt.Errorf("%s (%s): %w", name, src, err))
		}
	}
	if c.Get("KANSRIJK_AUDIT_KEY") != "" && c.Get("KANSRIJK_AUDIT_KEY_FILE") != "" {
		errs = append(errs, errors.New("KANSRIJK_AUDIT_KEY and KANSRIJK_AUDIT_KEY_FILE are both set: keep one (the key itself wins)"))
	}
	if c.Get("KANSRIJK_SMTP_PASSWORD") != "" && c.Get("KANSRIJK_SMTP_USER") == "" {
		errs = append(errs, errors.New("KANSRIJK_SMTP_PASSWORD is set without KANSRIJK_SMTP_USER"))
	}
	if c.Get("KANSRIJK_SMTP_USER") != "" && c.Get("KANSRIJK_SMTP_TLS") == "none" {
		errs = append(errs, errors.New("KANSRIJK_SMTP_USER with KANSRIJK_SMTP_TLS=none would send the SMTP password in the clear: use starttls or tls"))
	}
	// Area sso: an issuer needs the client's id and secret.
	if c.Get("KANSRIJK_OIDC_ISSUER") != "" && (c.Get("KANSRIJK_OIDC_CLIENT_ID") == "" || c.Get("KANSRIJK_OIDC_CLIENT_SECRET") == "") {
		errs = append(errs, errors.New("KANSRIJK_OIDC_ISSUER is set without KANSRIJK_OIDC_CLIENT_ID and KANSRIJK_OIDC_CLIENT_SECRET"))
	}
	return errs
}

// Line is one row of the effective configuration.
type Line struct {
	Key, Value string
	Source     Source
}

// Effective lists every setting with its value in force (secrets
// masked; "" when unset) and its source.
func (c Config) Effective() []Line {
	out := make([]Line, 0, len(Settings))
	for _, s := range Settings {
		v, src := c.Lookup(s.Key)
		if s.Secret {
			v = Mask(s.Key, v)
		}
		out = append(out, Line{Key: s.Key, Value: v, Source: src})
	}
	return out
}

// Mask hides the secret in a value: the password of a DSN, or the whole
// value of a key, token or password.
func Mask(key, v string) string {
	if v == "" {
		return ""
	}
	if key == "KANSRIJK_DB" {
		return maskDSN(v)
	}
	return "********"
}

// maskDSN hides the password of a URL DSN, also one given as a
// password= parameter.
func maskDSN(dsn string) string {
	if !strings.Contains(dsn, "://") {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable DSN, hidden)"
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// Checks.

func oneOf(vals ...string) func(string) error {
	return func(v string) error {
		for _, ok := range vals {
			if strings.EqualFold(v, ok) {
				return nil
			}
		}
		return fmt.Errorf("want one of %s, got %q", strings.Join(vals, ", "), v)
	}
}

func intRange(lo, hi int) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("want a whole number from %d to %d, got %q", lo, hi, v)
		}
		return nil
	}
}

// durRange checks a Go duration from lo to hi (hi 0: no upper bound).
func durRange(lo, hi time.Duration) func(string) error {
	return func(v string) error {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil || d < lo || (hi > 0 && d > hi) {
			want := "a duration such as 30s or 1h"
			switch {
			case hi > 0:
				want += fmt.Sprintf(" from %s to %s", lo, hi)
			case lo > time.Nanosecond:
				want += fmt.Sprintf(" of at least %s", lo)
			case lo > 0:
				want += ", above zero"
			}
			return fmt.Errorf("want %s, got %q", want, v)
		}
		return nil
	}
}

func checkDSN(v string) error {
	d, src, err := store.ParseDSN(v)
	if err != nil {
		return err
	}
	if d == store.Postgres {
		u, err := url.Parse(src)
		if err != nil {
			return errors.New("not a valid postgres:// URL")
		}
		if u.Host == "" && u.Query().Get("host") == "" {
			return errors.New("a postgres:// DSN needs a host (or ?host=/socket/folder)")
		}
		if strings.Trim(u.Path, "/") == "" {
			return errors.New("a postgres:// DSN needs a database name (postgres://user@host/DB)")
		}
		return nil
	}
	path, _, _ := strings.Cut(src, "?")
	if path == ":memory:" || strings.HasPrefix(path, "file::memory:") {
		return nil
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("the SQLite database's folder %s does not exist", dir)
	}
	return nil
}

func checkListen(v string) error {
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		return fmt.Errorf("want HOST:PORT such as 127.0.0.1:8080 or :8080, got %q", v)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	return nil
}

func checkHostPort(v string) error {
	host, port, err := net.SplitHostPort(v)
	if err != nil || host == "" {
		return fmt.Errorf("want HOST:PORT such as smtp.example.org:587, got %q", v)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("port %q is not a number from 1 to 65535", port)
	}
	return nil
}

func checkBaseURL(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("want an absolute http(s) URL such as https://kansrijk.example.org, got %q", v)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return errors.New("want a URL without user, query or fragment")
	}
	return nil
}

func checkMailFrom(v string) error {
	if _, err := mail.ParseAddress(v); err != nil {
		return fmt.Errorf("%q is not an e-mail address: %v", v, err)
	}
	return nil
}

func checkToken(v string) error {
	if len(strings.TrimSpace(v)) < 16 {
		return errors.New("use at least 16 characters")
	}
	return nil
}

func checkAllow(v string) error {
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if f == "none" {
			continue
		}
		if _, err := netip.ParsePrefix(f); err == nil {
			continue
		}
		if _, err := netip.ParseAddr(f); err != nil {
			return fmt.Errorf("%q is neither an address nor a CIDR network", f)
		}
	}
	return nil
}

func checkOrigin(v string) error {
	if strings.ContainsAny(v, "\n+") || strings.TrimSpace(v) != v {
		return errors.New("want one line without '+' or surrounding spaces")
	}
	return nil
}

func checkAuditKey(v string) error {
	_, err := auditlog.VerifierKey(strings.TrimSpace(v))
	return err
}

func checkAuditKeyFile(v string) error {
	b, err := os.ReadFile(v)
	if err != nil {
		return fmt.Errorf("cannot read the key: %w", err)
	}
	return checkAuditKey(string(b))
}

func checkWritableDir(v string) error {
	// A missing folder is made by the first backup: then its nearest
	// existing parent must be a writable folder.
	dir := filepath.Clean(v)
	for {
		if _, err := os.Stat(dir); err == nil || !errors.Is(err, fs.ErrNotExist) {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("folder %s: %w", v, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a folder", dir)
	}
	f, err := os.CreateTemp(dir, ".kansrijk-config-check-*")
	if err != nil {
		return fmt.Errorf("folder %s is not writable: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// checkTrustedProxies: area ops.
func checkTrustedProxies(v string) error {
	_, err := httpx.ParseTrustedProxies(v)
	return err
}
