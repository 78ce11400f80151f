// Command vulncheck runs govulncheck on the module against a local
// vulnerability database (there is no online one where the build runs)
// and fails on a vulnerability the code reaches in a dependency.
// Standard-library findings are listed, not failed: only a newer Go fixes
// them, and the Go version is not this project's to change.
//
// The database is built from the golang.org/x/vulndb module, fetched
// through the module proxy like any module: its data/osv folder holds one
// OSV file per vulnerability, and the v1 database layout govulncheck reads
// (index/db.json, index/modules.json, index/vulns.json, ID/<id>.json) is
// an index over those files.
//
//	go run ./internal/probe/vulncheck -vulndb golang.org/x/vulndb@<version> -govulncheck govulncheck ./...
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

func main() {
	module := flag.String("vulndb", "", "golang.org/x/vulndb@version to build the database from")
	osvDir := flag.String("osv", "", "folder of OSV files (instead of -vulndb)")
	dbDir := flag.String("db", "", "where to write the database (default a temporary folder)")
	tool := flag.String("govulncheck", "govulncheck", "govulncheck executable")
	flag.Parse()
	patterns := flag.Args()
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	if err := run(*module, *osvDir, *dbDir, *tool, patterns); err != nil {
		fmt.Fprintln(os.Stderr, "vulncheck:", err)
		os.Exit(1)
	}
}

func run(module, osvDir, dbDir, tool string, patterns []string) error {
	start := time.Now()
	if osvDir == "" {
		if module == "" {
			return fmt.Errorf("give -vulndb golang.org/x/vulndb@version or -osv DIR")
		}
		dir, err := moduleDir(module)
		if err != nil {
			return err
		}
		osvDir = filepath.Join(dir, "data", "osv")
	}
	if dbDir == "" {
		d, err := os.MkdirTemp("", "kansrijk-vulndb-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dbDir = d
	}
	n, err := BuildDB(osvDir, dbDir)
	if err != nil {
		return err
	}
	fmt.Printf("vulncheck: database of %d vulnerabilities built in %s\n", n, time.Since(start).Round(time.Millisecond))
	abs, err := filepath.Abs(dbDir)
	if err != nil {
		return err
	}
	args := append([]string{"-db", "file://" + abs, "-format", "json"}, patterns...)
	cmd := exec.Command(tool, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil && len(out) == 0 {
		return fmt.Errorf("govulncheck: %w", err)
	}
	findings, err := ReadFindings(bytes.NewReader(out))
	if err != nil {
		return err
	}
	var failed []Finding
	for _, f := range findings {
		where := "dependency"
		if f.Stdlib() {
			where = "standard library (listed, not failed: fixed by a newer Go)"
		} else {
			failed = append(failed, f)
		}
		fmt.Printf("%s %s@%s, fixed in %s: %s — %s\n", f.ID, f.Module, f.Version, orNone(f.Fixed), f.Summary, where)
	}
	fmt.Printf("vulncheck: %d reachable vulnerabilities (%d in dependencies) in %s\n", len(findings), len(failed), time.Since(start).Round(time.Second))
	if len(failed) > 0 {
		return fmt.Errorf("%d reachable vulnerabilities in dependencies: update them", len(failed))
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(no fix)"
	}
	return s
}

// moduleDir downloads a module through the module proxy (or finds it in
// the module cache) and returns its folder.
func moduleDir(module string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", module)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go mod download %s: %w", module, err)
	}
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil {
		return "", err
	}
	if info.Error != "" || info.Dir == "" {
		return "", fmt.Errorf("go mod download %s: %s", module, info.Error)
	}
	return info.Dir, nil
}

// osv is the part of an OSV entry the index needs.
type osv struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	Aliases  []string  `json:"aliases,omitempty"`
	Affected []struct {
		Package struct {
			Name string `json:"name"`
		} `json:"package"`
	} `json:"affected"`
}

// BuildDB writes a v1 vulnerability database to out from the OSV files in
// dir and returns how many entries it holds. Index entries carry no
// "fixed" version, so govulncheck reads every entry of a module it uses
// and decides from the entry itself.
func BuildDB(dir, out string) (int, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return 0, err
	}
	if len(files) == 0 {
		return 0, fmt.Errorf("no OSV files in %s", dir)
	}
	if err := os.MkdirAll(filepath.Join(out, "ID"), 0o755); err != nil {
		return 0, err
	}
	if err := os.MkdirAll(filepath.Join(out, "index"), 0o755); err != nil {
		return 0, err
	}
	type vulnMeta struct {
		ID       string    `json:"id"`
		Modified time.Time `json:"modified"`
		Aliases  []string  `json:"aliases,omitempty"`
	}
	type moduleVuln struct {
		ID       string    `json:"id"`
		Modified time.Time `json:"modified"`
	}
	type moduleMeta struct {
		Path  string       `json:"path"`
		Vulns []moduleVuln `json:"vulns"`
	}
	var vulns []vulnMeta
	modules := map[string][]moduleVuln{}
	var latest time.Time
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return 0, err
		}
		var e osv
		if err := json.Unmarshal(raw, &e); err != nil {
			return 0, fmt.Errorf("%s: %w", f, err)
		}
		if e.ID == "" {
			return 0, fmt.Errorf("%s: no id", f)
		}
		if err := os.WriteFile(filepath.Join(out, "ID", e.ID+".json"), raw, 0o644); err != nil {
			return 0, err
		}
		vulns = append(vulns, vulnMeta{e.ID, e.Modified, e.Aliases})
		seen := map[string]bool{}
		for _, a := range e.Affected {
			if p := a.Package.Name; p != "" && !seen[p] {
				seen[p] = true
				modules[p] = append(modules[p], moduleVuln{e.ID, e.Modified})
			}
		}
		if e.Modified.After(latest) {
			latest = e.Modified
		}
	}
	paths := make([]string, 0, len(modules))
	for p := range modules {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	mods := make([]moduleMeta, 0, len(paths))
	for _, p := range paths {
		mods = append(mods, moduleMeta{p, modules[p]})
	}
	for name, v := range map[string]any{
		"db.json":      struct{ Modified time.Time }{latest},
		"vulns.json":   vulns,
		"modules.json": mods,
	} {
		b, err := json.Marshal(v)
		if err != nil {
			return 0, err
		}
		if name == "db.json" {
			b = bytes.Replace(b, []byte(`"Modified"`), []byte(`"modified"`), 1)
		}
		if err := os.WriteFile(filepath.Join(out, "index", name), b, 0o644); err != nil {
			return 0, err
		}
	}
	return len(vulns), nil
}

// Finding is a vulnerability govulncheck found the code calls.
type Finding struct {
	ID, Summary, Module, Version, Fixed string
}

// Stdlib reports whether the finding is in the standard library or the
// toolchain.
func (f Finding) Stdlib() bool { return f.Module == "stdlib" || f.Module == "toolchain" }

// ReadFindings reads govulncheck's JSON stream and returns one Finding per
// vulnerability reached at symbol level (a function the code calls).
func ReadFindings(r io.Reader) ([]Finding, error) {
	dec := json.NewDecoder(bufio.NewReader(r))
	summaries := map[string]string{}
	byID := map[string]*Finding{}
	var order []string
	for {
		var msg struct {
			OSV *struct {
				ID      string `json:"id"`
				Summary string `json:"summary"`
			} `json:"osv"`
			Finding *struct {
				OSV   string `json:"osv"`
				Fixed string `json:"fixed_version"`
				Trace []struct {
					Module   string `json:"module"`
					Version  string `json:"version"`
					Function string `json:"function"`
				} `json:"trace"`
			} `json:"finding"`
		}
		if err := dec.Decode(&msg); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("govulncheck output: %w", err)
		}
		if msg.OSV != nil {
			summaries[msg.OSV.ID] = msg.OSV.Summary
		}
		f := msg.Finding
		if f == nil || len(f.Trace) == 0 || f.Trace[0].Function == "" {
			continue // imported or required, not called
		}
		if _, ok := byID[f.OSV]; !ok {
			byID[f.OSV] = &Finding{ID: f.OSV, Module: f.Trace[0].Module, Version: f.Trace[0].Version, Fixed: f.Fixed}
			order = append(order, f.OSV)
		}
	}
	out := make([]Finding, 0, len(order))
	for _, id := range order {
		f := *byID[id]
		f.Summary = strings.TrimSpace(summaries[id])
		out = append(out, f)
	}
	return out, nil
}
