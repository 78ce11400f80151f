package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"kansrijk/internal/config"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	Cmd, Args string
	Stage     int // index of its FROM
}

func parseDockerfile(t *testing.T, text string) []instruction {
	t.Helper()
	var out []instruction
	stage := -1
	var cur strings.Builder
	for _, line := range strings.Split(text, "\n") {
		trim := strings.TrimSpace(line)
		if cur.Len() == 0 && (trim == "" || strings.HasPrefix(trim, "#")) {
			continue
		}
		if strings.HasPrefix(trim, "#") { // a comment inside a continued instruction
			continue
		}
		if c, ok := strings.CutSuffix(trim, "\\"); ok {
			cur.WriteString(c + " ")
			continue
		}
		cur.WriteString(trim)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		cur.Reset()
		cmd = strings.ToUpper(cmd)
		if cmd == "FROM" {
			stage++
		}
		if stage < 0 {
			t.Fatalf("instruction %s before FROM", cmd)
		}
		out = append(out, instruction{cmd, strings.Join(strings.Fields(args), " "), stage})
	}
	return out
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func known(key string) bool {
	return slices.ContainsFunc(config.Settings, func(s config.Setting) bool { return s.Key == key })
}

func TestDockerfile(t *testing.T) {
	ins := parseDockerfile(t, read(t, filepath.Join("..", "Dockerfile")))
	last := ins[len(ins)-1].Stage
	if last < 1 {
		t.Fatalf("want a multi-stage build, got %d stage(s)", last+1)
	}
	var from string
	var build, user, health, volume, entry, copied bool
	for _, in := range ins {
		switch {
		case in.Cmd == "FROM" && in.Stage == last:
			from = in.Args
		case in.Cmd == "RUN" && in.Stage < last && strings.Contains(in.Args, "go build"):
			build = strings.Contains(in.Args, "CGO_ENABLED=0") && strings.Contains(in.Args, "-trimpath") && strings.Contains(in.Args, "./cmd/kansrijk")
		case in.Cmd == "RUN" && in.Stage == last:
			t.Errorf("final stage runs %q: distroless/static has no shell", in.Args)
		case in.Cmd == "USER" && in.Stage == last:
			u, _, _ := strings.Cut(in.Args, ":")
			user = u != "root" && u != "0" && u != ""
		case in.Cmd == "HEALTHCHECK" && in.Stage == last:
			health = strings.Contains(in.Args, `"/kansrijk", "healthcheck"`) && strings.Contains(in.Args, "/healthz")
		case in.Cmd == "VOLUME" && in.Stage == last:
			volume = strings.Contains(in.Args, `"/data"`)
		case in.Cmd == "ENTRYPOINT" && in.Stage == last:
			entry = in.Args == `["/kansrijk"]`
		case in.Cmd == "COPY" && in.Stage == last && strings.Contains(in.Args, "/kansrijk /kansrijk"):
			copied = strings.HasPrefix(in.Args, "--from=")
		case in.Cmd == "ENV" && in.Stage == last:
			for _, kv := range strings.Fields(in.Args) {
				k, v, _ := strings.Cut(kv, "=")
				if strings.HasPrefix(k, "KANSRIJK_") && !known(k) {
					t.Errorf("ENV %s is not a setting of package config", k)
				}
				if k == "KANSRIJK_DB" && !strings.HasPrefix(v, "sqlite:/data/") {
					t.Errorf("the database %q is not in the volume /data", v)
				}
				if k == "TZ" && v != "Europe/Brussels" {
					t.Errorf("TZ=%s", v)
				}
			}
		}
	}
	if !strings.Contains(from, "distroless/static") && from != "scratch" {
		t.Errorf("final stage FROM %q: want distroless/static or scratch", from)
	}
	for what, ok := range map[string]bool{
		"go build with CGO_ENABLED=0 and -trimpath in a build stage": build,
		"a non-root USER in the final stage":                         user,
		"HEALTHCHECK with kansrijk healthcheck on /healthz":          health,
		`VOLUME ["/data"]`:                       volume,
		`ENTRYPOINT ["/kansrijk"]`:               entry,
		"the binary copied from the build stage": copied,
	} {
		if !ok {
			t.Errorf("Dockerfile lacks %s", what)
		}
	}
}

func TestDockerignore(t *testing.T) {
	lines := strings.Split(read(t, filepath.Join("..", ".dockerignore")), "\n")
	for _, want := range []string{".git", "kansrijk-data/", "**/*.key", "**/*.db"} {
		if !slices.Contains(lines, want) {
			t.Errorf(".dockerignore lacks %q", want)
		}
	}
	for _, l := range lines {
		switch strings.TrimSpace(l) {
		case "go.mod", "go.sum", "internal", "internal/", "cmd", "cmd/", "*", "**":
			t.Errorf(".dockerignore leaves the build without %q", l)
		}
	}
}

func TestSystemdUnit(t *testing.T) {
	text := read(t, "kansrijk.service")
	unit := map[string][]string{} // "Section.Key" → values
	section := ""
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Errorf("line %q is not KEY=value", line)
			}
			unit[section+"."+k] = append(unit[section+"."+k], v)
		}
	}
	one := func(key string) string {
		if v := unit[key]; len(v) > 0 {
			return v[len(v)-1]
		}
		return ""
	}
	for key, want := range map[string]string{
		"Service.ProtectSystem":   "strict",
		"Service.NoNewPrivileges": "yes",
		"Service.Restart":         "on-failure",
		"Service.DynamicUser":     "yes",
		"Service.ReadWritePaths":  "/var/lib/kansrijk",
		"Service.StateDirectory":  "kansrijk",
		"Service.EnvironmentFile": "/etc/kansrijk/kansrijk.env",
		"Install.WantedBy":        "multi-user.target",
	} {
		if got := one(key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	if !strings.HasSuffix(one("Service.ExecStart"), "kansrijk serve") {
		t.Errorf("ExecStart = %q", one("Service.ExecStart"))
	}
	for _, kv := range unit["Service.Environment"] {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "KANSRIJK_") && !known(k) {
			t.Errorf("Environment %s is not a setting of package config", k)
		}
		if k == "KANSRIJK_DB" && !strings.Contains(v, "/var/lib/kansrijk/") {
			t.Errorf("the database %q is outside ReadWritePaths", v)
		}
	}
	// systemd's own check, where systemd is installed.
	if sa, err := exec.LookPath("systemd-analyze"); err == nil {
		p := filepath.Join(t.TempDir(), "kansrijk.service")
		if err := os.WriteFile(p, []byte(strings.ReplaceAll(text, "/usr/local/bin/kansrijk", "/bin/true")), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(sa, "verify", p).CombinedOutput()
		if err != nil || len(strings.TrimSpace(string(out))) > 0 {
			t.Errorf("systemd-analyze verify: %v\n%s", err, out)
		}
	} else {
		t.Log("systemd-analyze not installed: the unit is checked by the parser above only")
	}
}
