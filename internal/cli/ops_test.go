package cli_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/cli"
	"kansrijk/internal/store/storetest"
)

// runCLIEnv runs the command line with the given environment.
func runCLIEnv(tb testing.TB, env map[string]string, args ...string) result {
	tb.Helper()
	var out, errOut syncBuffer
	code := cli.Run(context.Background(), args, cli.Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
		Getenv: func(k string) string { return env[k] },
	})
	return result{code, out.String(), errOut.String()}
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// effective returns the line of key in config check's output.
func effective(out, key string) string {
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 0 && f[0] == key {
			return strings.Join(f[1:], " ")
		}
	}
	return ""
}

func TestOpsConfigCheck(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, "kansrijk.env", "# production\n"+
		"KANSRIJK_DB=postgres://kansrijk:filepass@db.example.org/kansrijk\n"+
		"KANSRIJK_ADDR=0.0.0.0:8080\n"+
		"KANSRIJK_BACKUP_DIR="+dir+"\n"+
		"KANSRIJK_LOG_LEVEL=info\n"+
		"KANSRIJK_SMTP_PASSWORD=mailsecret\n"+
		"KANSRIJK_SMTP_USER=mailer\n")

	t.Run("Precedence", func(t *testing.T) {
		env := map[string]string{"KANSRIJK_LOG_LEVEL": "debug", "KANSRIJK_ADDR": "127.0.0.1:9000"}
		r := runCLIEnv(t, env, "config", "check", "--config", file, "--addr", "127.0.0.1:7000")
		if r.Code != 0 {
			t.Fatalf("exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
		}
		for key, want := range map[string]string{
			"KANSRIJK_ADDR":       "127.0.0.1:7000 (flag)",
			"KANSRIJK_LOG_LEVEL":  "debug (environment)",
			"KANSRIJK_BACKUP_DIR": dir + " (file)",
			"KANSRIJK_LOG_FORMAT": "- (default)",
		} {
			if got := effective(r.Stdout, key); got != want {
				t.Errorf("%s: %q, want %q\n%s", key, got, want, r.Stdout)
			}
		}
		if !strings.Contains(r.Stdout, "OK: the configuration is valid.") {
			t.Errorf("no OK line:\n%s", r.Stdout)
		}
	})
	t.Run("FileFromEnvironment", func(t *testing.T) {
		r := runCLIEnv(t, map[string]string{"KANSRIJK_CONFIG": file}, "config", "check")
		if r.Code != 0 || effective(r.Stdout, "KANSRIJK_ADDR") != "0.0.0.0:8080 (file)" {
			t.Errorf("exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
		}
	})
	t.Run("SecretsMasked", func(t *testing.T) {
		r := runCLIEnv(t, nil, "config", "check", "--config", file)
		for _, s := range []string{"filepass", "mailsecret"} {
			if strings.Contains(r.Stdout+r.Stderr, s) {
				t.Errorf("secret %q printed:\n%s", s, r.Stdout)
			}
		}
		if got := effective(r.Stdout, "KANSRIJK_DB"); got != "postgres://kansrijk:xxxxx@db.example.org/kansrijk (file)" {
			t.Errorf("DSN shown as %q", got)
		}
	})
	t.Run("EveryProblem", func(t *testing.T) {
		env := map[string]string{"KANSRIJK_BASE_URL": "kansrijk.example.org", "KANSRIJK_SMTP_ADDR": "smtp", "KANSRIJK_AUDIT_KEY_FILE": filepath.Join(dir, "none.key")}
		r := runCLIEnv(t, env, "config", "check", "--config", file, "--backup-dir", filepath.Join(file, "backups"))
		if r.Code != 1 {
			t.Fatalf("exit %d, want 1\n%s", r.Code, r.Stderr)
		}
		for _, want := range []string{"4 problem(s)", "KANSRIJK_BASE_URL (environment)", "KANSRIJK_SMTP_ADDR (environment)", "KANSRIJK_AUDIT_KEY_FILE (environment)", "--backup-dir (flag)"} {
			if !strings.Contains(r.Stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, r.Stderr)
			}
		}
	})
	t.Run("BadFile", func(t *testing.T) {
		bad := writeFile(t, "bad.env", "KANSRIJK_DB=x.db\nKANSRIJK_DBB=y\nnonsense\n")
		r := runCLIEnv(t, nil, "config", "check", "--config", bad)
		if r.Code != 1 || !strings.Contains(r.Stderr, "line 2: unknown setting") || !strings.Contains(r.Stderr, "line 3: want KEY=value") {
			t.Errorf("exit %d, stderr %q", r.Code, r.Stderr)
		}
		if r := runCLIEnv(t, nil, "serve", "--config", bad); r.Code != 1 || !strings.Contains(r.Stderr, "line 2") {
			t.Errorf("serve with a bad file: exit %d, stderr %q", r.Code, r.Stderr)
		}
	})
	t.Run("Usage", func(t *testing.T) {
		if r := runCLIEnv(t, nil, "config"); r.Code != 2 {
			t.Errorf("config without check: exit %d", r.Code)
		}
	})
}

// TestOpsServeConfigFileHealthcheck starts serve with its database and
// address from a configuration file only, and checks it with
// `kansrijk healthcheck`, as the container's HEALTHCHECK does.
func TestOpsServeConfigFileHealthcheck(t *testing.T) {
	for _, d := range storetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			// serve exports the file's values to the process environment;
			// t.Setenv puts the environment back afterwards.
			for _, k := range []string{"KANSRIJK_DB", "KANSRIJK_ADDR", "KANSRIJK_LOG_LEVEL"} {
				t.Setenv(k, "")
			}
			dsn := storetest.DSN(t, d)
			file := writeFile(t, "kansrijk.env", "KANSRIJK_DB="+dsn+"\nKANSRIJK_ADDR=127.0.0.1:0\nKANSRIJK_LOG_LEVEL=warn\n")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ready := make(chan string, 1)
			done := make(chan int, 1)
			var out, errOut syncBuffer
			go func() {
				done <- cli.Run(ctx, []string{"serve", "--config", file}, cli.Env{
					Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
					Getenv: func(string) string { return "" },
					Ready:  func(addr string) { ready <- addr },
				})
			}()
			var addr string
			select {
			case addr = <-ready:
			case code := <-done:
				t.Fatalf("serve exited %d before listening\nstdout: %s\nstderr: %s", code, out.String(), errOut.String())
			case <-time.After(60 * time.Second):
				t.Fatal("serve did not start listening within 60s")
			}
			if r := runCLIEnv(t, nil, "healthcheck", "--url", "http://"+addr+"/healthz"); r.Code != 0 || !strings.Contains(r.Stdout, "healthy") {
				t.Errorf("healthcheck: exit %d, %q %q", r.Code, r.Stdout, r.Stderr)
			}
			if r := runCLIEnv(t, nil, "healthcheck", "--url", "http://"+addr+"/no-such-page"); r.Code != 1 || !strings.Contains(r.Stderr, "unhealthy") {
				t.Errorf("healthcheck of a 404: exit %d, %q", r.Code, r.Stderr)
			}
			cancel()
			select {
			case code := <-done:
				if code != 0 {
					t.Errorf("serve exit %d: %s", code, errOut.String())
				}
			case <-time.After(60 * time.Second):
				t.Fatal("serve did not stop")
			}
		})
	}
	t.Run("Unreachable", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		if r := runCLIEnv(t, nil, "healthcheck", "--url", "http://"+addr+"/healthz", "--timeout", "2s"); r.Code != 1 {
			t.Errorf("healthcheck of a closed port: exit %d", r.Code)
		}
	})
}

// TestOpsConfigFileEveryCommand: --config and KANSRIJK_CONFIG work for
// the other commands too (here migrate), below flags and environment.
func TestOpsConfigFileEveryCommand(t *testing.T) {
	t.Setenv("KANSRIJK_DB", "") // the file's values are exported; put the environment back afterwards
	dir := t.TempDir()
	db := filepath.Join(dir, "from-file.db")
	file := writeFile(t, "kansrijk.env", "KANSRIJK_DB=sqlite:"+db+"\n")
	if r := runCLIEnv(t, nil, "migrate", "--config", file); r.Code != 0 {
		t.Fatalf("migrate --config: exit %d %s", r.Code, r.Stderr)
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("the database of the file was not made: %v", err)
	}
	other := filepath.Join(dir, "from-flag.db")
	if r := runCLIEnv(t, map[string]string{"KANSRIJK_CONFIG": file}, "migrate", "--db", "sqlite:"+other); r.Code != 0 {
		t.Fatalf("migrate --db with KANSRIJK_CONFIG: exit %d %s", r.Code, r.Stderr)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("the flag did not win over the file: %v", err)
	}
	bad := writeFile(t, "bad.env", "KANSRIJK_DB\n")
	if r := runCLIEnv(t, nil, "migrate", "--config="+bad); r.Code != 1 || !strings.Contains(r.Stderr, "line 1") {
		t.Errorf("migrate with a bad file: exit %d %q", r.Code, r.Stderr)
	}
}
