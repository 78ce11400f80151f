// Command report prints the figures of the latest crash and soak runs
// (test-artifacts/reliability/*.json) as Markdown, for RELIABILITY.md:
//
//	go run ./internal/reliability/report [DIR]
package main

import (
	"encoding/json"
	"fmt"
	"kansrijk/internal/reliability"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

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
			var c reliability.CrashFigures
			must(json.Unmarshal(b, &c))
			printCrash(c)
		case strings.HasPrefix(filepath.Base(f), "soak-"):
			var s reliability.SoakFigures
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

func printCrash(c reliability.CrashFigures) {
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

func printSoak(s reliability.SoakFigures) {
	fmt.Printf("#### soak, %s (%s; %s)\n\n", s.Database, s.FinishedAt, machine(s.Machine))
	fmt.Printf("%d clients for %s: %d requests (%.0f/s), %d errors. VmRSS: start %.1f MiB, max of the middle third %.1f MiB, of the last third %.1f MiB (limit %.1f MiB): %s.\n\n",
		s.Clients, s.Duration, s.Requests, s.PerSecond, s.Errors, s.Memory.StartMiB, s.Memory.MiddleMaxMiB, s.Memory.LastMaxMiB, s.Memory.LimitMiB, map[bool]string{true: "flat", false: "NOT flat"}[s.Memory.Flat])
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
