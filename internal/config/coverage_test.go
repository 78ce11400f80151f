package config_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"kansrijk/internal/config"
)

// sources returns the text of every non-test Go file of the program.
func sources(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, root := range []string{"../../cmd", "../../internal"} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "testdata" || d.Name() == "probe" || d.Name() == "reliability" || d.Name() == "storetest" || d.Name() == "browsertest") {
				return filepath.SkipDir // test harnesses, not the program
			}
			if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			b, err := os.ReadFile(p)
			out[p] = string(b)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestConfigCoversEveryVariable: every KANSRIJK_ variable the program
// reads is a setting, so that config check and the file know it.
func TestConfigCoversEveryVariable(t *testing.T) {
	re := regexp.MustCompile(`"(KANSRIJK_[A-Z0-9_]+)"`)
	ignore := []string{config.FileEnv, "KANSRIJK_TEST_POSTGRES", "KANSRIJK_TEST_ARTIFACTS", "KANSRIJK_CHROMIUM", "KANSRIJK_BENCH_10M"}
	for p, src := range sources(t) {
		for _, m := range re.FindAllStringSubmatch(src, -1) {
			key := m[1]
			if slices.Contains(ignore, key) {
				continue
			}
			if !slices.ContainsFunc(config.Settings, func(s config.Setting) bool { return s.Key == key }) {
				t.Errorf("%s reads %s, which is not in config.Settings", p, key)
			}
		}
	}
}

// TestOperationsGuideListsMetrics: docs/operations.md names every
// kansrijk_ metric the program registers.
func TestOperationsGuideListsMetrics(t *testing.T) {
	doc, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?:NewDesc\(|Name:\s*)"(kansrijk_[a-z0-9_]+)"`)
	n := 0
	for p, src := range sources(t) {
		for _, m := range re.FindAllStringSubmatch(src, -1) {
			n++
			if !strings.Contains(string(doc), "`"+m[1]) {
				t.Errorf("metric %s (%s) is not in docs/operations.md", m[1], p)
			}
		}
	}
	if n < 5 {
		t.Errorf("found only %d metrics in the code: the pattern is out of date", n)
	}
}
