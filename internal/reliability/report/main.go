// Command report prints the figures of the latest crash and soak runs
// (test-artifacts/reliability/*.json) as Markdown, for RELIABILITY.md:
//
//	go run ./internal/reliability/report [DIR]
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type crash struct {
	Database     string         `json:"database"`
	FinishedAt   string         `json:"finished_at"`
	Machine      map[string]any `json:"machine"`
	Kills        int            `json:"kills"`
	Duration     string         `json:"duration"`
	Attempted    map[string]int `json:"writes_attempted"`
	Acknowledged map[string]int `json:"writes_acknowledged"`
	Retried      map[string]int `json:"retried_after_restart"`
	Interrupted  int            `json:"requests_interrupted_by_kill"`
	BatchRows    int            `json:"batch_rows"`
	Batches      int            `json:"batch_files"`
	RestartP50   string         `json:"restart_to_ready_p50"`
	RestartMax   string         `json:"restart_to_ready_max"`
	Violations   []string       `json:"violations"`
}

type soak struct {
	Database   string         `json:"database"`
	FinishedAt string         `json:"finished_at"`
	Machine    map[string]any `json:"machine"`
	Clients    int            `json:"clients"`
	Duration   string         `json:"duration"`
	Requests   int            `json:"requests"`
	Errors     int            `json:"errors"`
	PerSecond  float64        `json:"requests_per_second"`
	Kinds      []struct {
		Kind   string `json:"kind"`
		Count  int    `json:"count"`
		Errors int    `json:"errors"`
		P50    string `json:"p50"`
		P99    string `json:"p99"`
		Max    string `json:"max"`
	} `json:"kinds"`
	ErrorSamples []string `json:"error_samples"`
	Memory       struct {
		Samples int     `json:"samples"`
		Start   float64 `json:"start_mib"`
		Middle  float64 `json:"middle_third_max_mib"`
		Last    float64 `json:"last_third_max_mib"`
		Limit   float64 `json:"limit_mib"`
		Flat    bool    `json:"flat"`
	} `json:"memory"`
}

func main() {
	dir := filepath.Join("test-artifacts", "reliability")
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	sort.Strings(files)
	if len(files) == 0 {
		fmt.Fprintf(os.Stderr, "no figures in %s: run make crash / make soak first\n", dir)
		os.Exit(1)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		switch {
		case strings.HasPrefix(filepath.Base(f), "crash-"):
			var c crash
			must(json.Unmarshal(b, &c))
			printCrash(c)
		case strings.HasPrefix(filepath.Base(f), "soak-"):
			var s soak
			must(json.Unmarshal(b, &s))
			printSoak(s)
		}
	}
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func machine(m map[string]any) string {
	return fmt.Sprintf("%v × %v, %v, %v", m["cpus"], m["cpu"], m["memory"], m["go"])
}

func kinds(m map[string]int) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func printCrash(c crash) {
	fmt.Printf("#### crash, %s (%s; %s)\n\n", c.Database, c.FinishedAt, machine(c.Machine))
	fmt.Printf("%d kills in %s; %d requests in flight at a kill; restart to ready p50 %s, max %s; %d batch files, %d rows.\n\n",
		c.Kills, c.Duration, c.Interrupted, c.RestartP50, c.RestartMax, c.Batches, c.BatchRows)
	fmt.Println("| write | attempted | acknowledged | retried after restart |")
	fmt.Println("|---|---:|---:|---:|")
	for _, k := range kinds(c.Attempted) {
		fmt.Printf("| %s | %d | %d | %d |\n", k, c.Attempted[k], c.Acknowledged[k], c.Retried[k])
	}
	fmt.Printf("\nViolations: %d.\n", len(c.Violations))
	for _, v := range c.Violations {
		fmt.Printf("- %s\n", v)
	}
	fmt.Println()
}

func printSoak(s soak) {
	fmt.Printf("#### soak, %s (%s; %s)\n\n", s.Database, s.FinishedAt, machine(s.Machine))
	fmt.Printf("%d clients for %s: %d requests (%.0f/s), %d errors. VmRSS: start %.1f MiB, max of the middle third %.1f MiB, of the last third %.1f MiB (limit %.1f MiB): %s.\n\n",
		s.Clients, s.Duration, s.Requests, s.PerSecond, s.Errors, s.Memory.Start, s.Memory.Middle, s.Memory.Last, s.Memory.Limit, map[bool]string{true: "flat", false: "NOT flat"}[s.Memory.Flat])
	fmt.Println("| request | n | errors | p50 | p99 | max |")
	fmt.Println("|---|---:|---:|---:|---:|---:|")
	for _, k := range s.Kinds {
		fmt.Printf("| %s | %d | %d | %s | %s | %s |\n", k.Kind, k.Count, k.Errors, k.P50, k.P99, k.Max)
	}
	seen := map[string]bool{}
	for _, e := range s.ErrorSamples {
		if !seen[e] {
			seen[e] = true
			fmt.Printf("\nError sample: `%s`\n", e)
		}
	}
	fmt.Println()
}
