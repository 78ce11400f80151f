// Package bench is Kansrijk's measuring harness (issue 14): it generates
// a data set of a given scale into a database, starts the real server on
// 127.0.0.1, measures each figure against its baseline in the same run
// (a hello-world net/http handler under the same load generator, raw
// inserts of rows as wide, raw SHA-256 of the same bytes …) and writes
// bench/results.json. `kansrijk bench` (internal/cli) drives it.
package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Scale is the size of the data set and the length of the load phases.
type Scale struct {
	Name                           string
	Teams                          int
	Municipalities                 int // 0: all of Flanders
	Referrals, Births, AuditEvents int
	Phase                          time.Duration // each load phase
	BatchRows                      int           // rows of one imported batch
}

// Scales: full is the (1M referrals and notifications, 10M audit
// events), small a tenth of it, tiny for tests (seconds).
var Scales = map[string]Scale{
	"tiny":  {Name: "tiny", Teams: 5, Municipalities: 10, Referrals: 600, Births: 600, AuditEvents: 2000, Phase: 400 * time.Millisecond, BatchRows: 100},
	"small": {Name: "small", Teams: 50, Referrals: 100_000, Births: 100_000, AuditEvents: 1_000_000, Phase: 5 * time.Second, BatchRows: 1000},
	"full":  {Name: "full", Teams: 50, Referrals: 1_000_000, Births: 1_000_000, AuditEvents: 10_000_000, Phase: 10 * time.Second, BatchRows: 5000},
}

// Figure names, in the order of the table (contracts: the names
// of bench/results.json).
var FigureNames = []string{"api_ratio", "api_p99_ms", "mixed_ratio", "audit_overhead", "import_ratio", "import_same_tables_ratio",
	"insert_ratio", "verify_ratio", "proof_ms", "report_ms", "stats_ms", "stats_cold_ms", "growth", "rss_mb",
	"import_rss_mb"} // Area import

// Figure is one measured figure. A figure not measured has NotMeasured
// (the reason) and no value: never a made-up one.
type Figure struct {
	Value       float64 `json:"value"`
	Unit        string  `json:"unit"`
	Baseline    float64 `json:"baseline,omitempty"`
	BaseUnit    string  `json:"baseline_unit,omitempty"`
	Ratio       float64 `json:"ratio,omitempty"`
	Target      string  `json:"target"`
	Met         *bool   `json:"met"`
	NotMeasured string  `json:"not_measured,omitempty"`
	Note        string  `json:"note,omitempty"`
}

// Machine describes where the figures were taken.
type Machine struct {
	Cores int    `json:"cores"`
	Go    string `json:"go"`
	OS    string `json:"os"`
}

// Database is the run on one database.
type Database struct {
	Scale   string            `json:"scale"`
	Date    time.Time         `json:"date"`
	Counts  map[string]int    `json:"counts"`
	Figures map[string]Figure `json:"figures"`
}

// Results is bench/results.json: the machine and one object per
// database ("sqlite", "postgres").
type Results struct {
	Machine   Machine              `json:"machine"`
	Databases map[string]*Database `json:"databases"`
}

// ThisMachine is the machine running the benchmark.
func ThisMachine() Machine {
	return Machine{Cores: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
}

// WriteResults writes the run of database d into the file at path,
// keeping the other databases' runs already in it (make bench runs SQLite
// and PostgreSQL one after the other); a partial run (--only) keeps the
// figures it did not measure from the run of the same scale before.
func WriteResults(path, dialect string, d *Database, partial bool) error {
	res := Results{Databases: map[string]*Database{}}
	if b, err := os.ReadFile(path); err == nil {
		_ = json.Unmarshal(b, &res) // an unreadable file is replaced
		if res.Databases == nil {
			res.Databases = map[string]*Database{}
		}
	}
	res.Machine = ThisMachine()
	// A run of some figures (--only) at the same scale keeps the other
	// figures of the earlier run.
	if old := res.Databases[dialect]; partial && old != nil && old.Scale == d.Scale {
		for n, f := range old.Figures {
			if _, ok := d.Figures[n]; !ok {
				d.Figures[n] = f
			}
		}
	}
	res.Databases[dialect] = d
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// met reports whether v meets the target: at least (min) or at most.
func met(v, target float64, atLeast bool) *bool {
	ok := v <= target
	if atLeast {
		ok = v >= target
	}
	return &ok
}

// PrintTable prints the figures as a table: figure, value, baseline,
// ratio, target, met.
func PrintTable(w io.Writer, dialect string, d *Database) {
	fmt.Fprintf(w, "\n%s, scale %s, %s\n", dialect, d.Scale, d.Date.Format(time.RFC3339))
	fmt.Fprintf(w, "%-25s %16s %18s %8s %-16s %s\n", "figure", "value", "baseline", "ratio", "target", "met?")
	names := slices.Clone(FigureNames)
	for n := range d.Figures {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	for _, n := range names {
		f, ok := d.Figures[n]
		if !ok {
			continue
		}
		if f.NotMeasured != "" {
			fmt.Fprintf(w, "%-25s not measured: %s\n", n, f.NotMeasured)
			continue
		}
		base, ratio, mark := "", "", "–"
		if f.Baseline != 0 {
			base = fmt.Sprintf("%.1f %s", f.Baseline, f.BaseUnit)
		}
		if f.Ratio != 0 {
			ratio = fmt.Sprintf("%.3f", f.Ratio)
		}
		if f.Met != nil {
			mark = map[bool]string{true: "yes", false: "NO"}[*f.Met]
		}
		fmt.Fprintf(w, "%-25s %16s %18s %8s %-16s %s\n", n, fmt.Sprintf("%.3g %s", f.Value, f.Unit), base, ratio, f.Target, mark)
	}
}

// progressBar draws "[#####-----] done/total what" on one terminal line.
type progressBar struct {
	w     io.Writer
	total int
	done  int
}

func (p *progressBar) step(what string) {
	if p == nil || p.w == nil {
		return
	}
	p.done++
	const width = 24
	n := min(width, p.done*width/max(p.total, 1))
	fmt.Fprintf(p.w, "\r[%s%s] %2d/%d %-50.50s", strings.Repeat("#", n), strings.Repeat("-", width-n), p.done, p.total, what)
}

func (p *progressBar) end() {
	if p != nil && p.w != nil {
		fmt.Fprint(p.w, "\r"+strings.Repeat(" ", 90)+"\r")
	}
}
