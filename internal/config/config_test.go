package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kansrijk/internal/auditlog"
	"kansrijk/internal/config"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfigPrecedence(t *testing.T) {
	c := config.Config{
		File:  map[string]string{"KANSRIJK_DB": "file.db", "KANSRIJK_LOG_LEVEL": "debug", "KANSRIJK_BACKUP_KEEP": "3"},
		Env:   envOf(map[string]string{"KANSRIJK_DB": "env.db", "KANSRIJK_BACKUP_KEEP": ""}),
		Flags: map[string]string{"KANSRIJK_DB": "flag.db"},
	}
	for _, tc := range []struct {
		key, want string
		src       config.Source
	}{
		{"KANSRIJK_DB", "flag.db", config.FromFlag},
		{"KANSRIJK_LOG_LEVEL", "debug", config.FromFile},
		{"KANSRIJK_BACKUP_KEEP", "3", config.FromFile}, // an empty environment value is unset
		{"KANSRIJK_ADDR", "", config.FromDefault},
	} {
		if v, src := c.Lookup(tc.key); v != tc.want || src != tc.src {
			t.Errorf("Lookup(%s) = %q, %s; want %q, %s", tc.key, v, src, tc.want, tc.src)
		}
	}
	c.Flags = nil
	if v, src := c.Lookup("KANSRIJK_DB"); v != "env.db" || src != config.FromEnv {
		t.Errorf("without the flag: %q, %s; want env.db from the environment", v, src)
	}
}

func TestConfigLoadFromEnvVariable(t *testing.T) {
	p := filepath.Join(t.TempDir(), "kansrijk.env")
	if err := os.WriteFile(p, []byte("# comment\n\nexport KANSRIJK_LOG_FORMAT=json\nKANSRIJK_MAIL_FROM=\"Kansrijk <a@example.org>\"\nKANSRIJK_AUDIT_ORIGIN='x'\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load("", envOf(map[string]string{config.FileEnv: p}))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Get("KANSRIJK_LOG_FORMAT"); got != "json" {
		t.Errorf("LOG_FORMAT %q", got)
	}
	if got := c.Get("KANSRIJK_MAIL_FROM"); got != "Kansrijk <a@example.org>" {
		t.Errorf("quoted value %q", got)
	}
	if got := c.Get("KANSRIJK_AUDIT_ORIGIN"); got != "x" {
		t.Errorf("single-quoted value %q", got)
	}
	if _, err := config.Load(filepath.Join(t.TempDir(), "missing"), envOf(nil)); err == nil {
		t.Error("a missing file must be an error")
	}
}

func TestConfigFileBadLines(t *testing.T) {
	_, errs := config.ParseFile(strings.NewReader("KANSRIJK_DB=a.db\nthis is not a setting\nKANSRIJK_NO_SUCH=1\nKANSRIJK_DB=b.db\nKANSRIJK_MAIL_FROM=\"open\nKANSRIJK_CONFIG=other\n"))
	want := []string{"line 2: want KEY=value", "line 3: unknown setting", "line 4: KANSRIJK_DB is set twice", "line 5: KANSRIJK_MAIL_FROM: unclosed quote", "line 6: KANSRIJK_CONFIG cannot be set"}
	if len(errs) != len(want) {
		t.Fatalf("errors %v, want %d", errs, len(want))
	}
	for i, w := range want {
		if !strings.Contains(errs[i].Error(), w) {
			t.Errorf("error %d = %q, want %q", i, errs[i], w)
		}
	}
}

func TestConfigMasking(t *testing.T) {
	skey, _, err := auditlog.GenerateKey("test")
	if err != nil {
		t.Fatal(err)
	}
	c := config.Config{Env: envOf(map[string]string{
		"KANSRIJK_DB":            "postgres://kansrijk:s3cret@db.example.org/kansrijk?sslmode=require",
		"KANSRIJK_SMTP_PASSWORD": "mailpass",
		"KANSRIJK_AUDIT_KEY":     skey,
		"KANSRIJK_METRICS_TOKEN": "0123456789abcdef-token",
		"KANSRIJK_SMTP_USER":     "mailer",
	})}
	var all strings.Builder
	for _, l := range c.Effective() {
		all.WriteString(l.Key + "=" + l.Value + "\n")
	}
	for _, secret := range []string{"s3cret", "mailpass", skey, "0123456789abcdef-token"} {
		if strings.Contains(all.String(), secret) {
			t.Errorf("secret %q printed:\n%s", secret, all.String())
		}
	}
	for _, shown := range []string{"postgres://kansrijk:xxxxx@db.example.org/kansrijk?sslmode=require", "KANSRIJK_SMTP_USER=mailer"} {
		if !strings.Contains(all.String(), shown) {
			t.Errorf("%q not shown:\n%s", shown, all.String())
		}
	}
	if got := config.Mask("KANSRIJK_DB", "postgres://u@h/d?password=pw"); strings.Contains(got, "pw") && !strings.Contains(got, "xxxxx") {
		t.Errorf("password parameter shown: %s", got)
	}
}

func TestConfigCheckErrors(t *testing.T) {
	dir := t.TempDir()
	skey, _, err := auditlog.GenerateKey("test")
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "audit.key")
	if err := os.WriteFile(keyFile, []byte(skey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	badKey := filepath.Join(dir, "bad.key")
	if err := os.WriteFile(badKey, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	notDir := filepath.Join(dir, "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	good := map[string]string{
		"KANSRIJK_DB":                        "postgres://k:pw@localhost:5432/kansrijk",
		"KANSRIJK_ADDR":                      ":8080",
		"KANSRIJK_BASE_URL":                  "https://kansrijk.example.org",
		"KANSRIJK_AUDIT_KEY_FILE":            keyFile,
		"KANSRIJK_BACKUP_DIR":                dir,
		"KANSRIJK_BACKUP_INTERVAL":           "6h",
		"KANSRIJK_SMTP_ADDR":                 "smtp.example.org:587",
		"KANSRIJK_SMTP_USER":                 "u",
		"KANSRIJK_SMTP_PASSWORD":             "p",
		"KANSRIJK_MAIL_FROM":                 "Kansrijk <no-reply@example.org>",
		"KANSRIJK_METRICS_ALLOW":             "10.0.0.0/8, 192.168.1.2",
		"KANSRIJK_AUDIT_CHECKPOINT_INTERVAL": "30s",
		"KANSRIJK_LOG_LEVEL":                 "warn",
	}
	if errs := (config.Config{Env: envOf(good)}).Check(); len(errs) > 0 {
		t.Fatalf("good configuration: %v", errs)
	}
	for _, tc := range []struct{ key, val, want string }{
		{"KANSRIJK_DB", "mysql://x/y", "unsupported database DSN"},
		{"KANSRIJK_DB", "postgres://u:p@/kansrijk", "needs a host"},
		{"KANSRIJK_DB", "postgres://u:p@h", "needs a database name"},
		{"KANSRIJK_DB", filepath.Join(dir, "nope", "k.db"), "does not exist"},
		{"KANSRIJK_ADDR", "8080", "want HOST:PORT"},
		{"KANSRIJK_BASE_URL", "kansrijk.example.org", "absolute http(s) URL"},
		{"KANSRIJK_BASE_URL", "/relative", "absolute http(s) URL"},
		{"KANSRIJK_AUDIT_KEY_FILE", filepath.Join(dir, "missing.key"), "cannot read the key"},
		{"KANSRIJK_AUDIT_KEY_FILE", badKey, "not a note private key"},
		{"KANSRIJK_BACKUP_DIR", filepath.Join(notDir, "sub", "backups"), "not a directory"},
		{"KANSRIJK_BACKUP_DIR", notDir, "is not a folder"},
		{"KANSRIJK_BACKUP_INTERVAL", "30s", "at least 1m"},
		{"KANSRIJK_BACKUP_KEEP", "0", "whole number"},
		{"KANSRIJK_SMTP_ADDR", "smtp.example.org", "want HOST:PORT"},
		{"KANSRIJK_SMTP_ADDR", "smtp.example.org:99999", "port"},
		{"KANSRIJK_SMTP_TLS", "ssl", "want one of none, starttls, tls"},
		{"KANSRIJK_MAIL_FROM", "nobody", "not an e-mail address"},
		{"KANSRIJK_METRICS_ALLOW", "10.0.0.0/33", "neither an address nor a CIDR"},
		{"KANSRIJK_METRICS_TOKEN", "short", "at least 16"},
		{"KANSRIJK_AUDIT_CHECKPOINT_INTERVAL", "5m", "from 1ms to 1m0s"},
		{"KANSRIJK_REQUEST_TIMEOUT", "2m", "from 1s to 1m55s"},
		{"KANSRIJK_DB_STATEMENT_TIMEOUT", "soon", "duration"},
		{"KANSRIJK_PASSWORD_CHECKS", "65", "from 1 to 64"},
		{"KANSRIJK_LOG_LEVEL", "loud", "want one of"},
		{"KANSRIJK_WEBHOOK_ALLOW_INSECURE", "yes", "want one of 0, 1"},
	} {
		env := map[string]string{}
		for k, v := range good {
			env[k] = v
		}
		env[tc.key] = tc.val
		errs := (config.Config{Env: envOf(env)}).Check()
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.key) || !strings.Contains(errs[0].Error(), tc.want) {
			t.Errorf("%s=%q: errors %v, want one naming it with %q", tc.key, tc.val, errs, tc.want)
		}
	}
	// Problems across settings, and all of them at once.
	env := map[string]string{"KANSRIJK_SMTP_PASSWORD": "p", "KANSRIJK_AUDIT_KEY": "PRIVATE+KEY+bad", "KANSRIJK_AUDIT_KEY_FILE": keyFile, "KANSRIJK_ADDR": "x"}
	if errs := (config.Config{Env: envOf(env)}).Check(); len(errs) != 4 {
		t.Errorf("want 4 problems (key, addr, both keys, password without user), got %v", errs)
	}
	// A backup folder the first backup makes.
	if errs := (config.Config{Env: envOf(map[string]string{"KANSRIJK_BACKUP_DIR": filepath.Join(dir, "new", "backups")})}).Check(); len(errs) > 0 {
		t.Errorf("backup folder to be made: %v", errs)
	}
	// A socket folder instead of a host.
	if errs := (config.Config{Env: envOf(map[string]string{"KANSRIJK_DB": "postgres:///kansrijk?host=/run/postgresql"})}).Check(); len(errs) > 0 {
		t.Errorf("DSN with a socket folder: %v", errs)
	}
	// A flag is named as a flag.
	errs := (config.Config{Env: envOf(nil), Flags: map[string]string{"KANSRIJK_ADDR": "nope"}}).Check()
	if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), "--addr (flag)") {
		t.Errorf("flag problem: %v", errs)
	}
}
