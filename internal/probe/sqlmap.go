package probe

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// MarkJSON encodes v as JSON with mark appended to every string value, so
// sqlmap (--data with "*" markers) injects into each of them and leaves
// the numbers, booleans and the structure valid.
func MarkJSON(v any, mark string) string {
	b, _ := json.Marshal(markStrings(v, mark))
	return string(b)
}

func markStrings(v any, mark string) any {
	switch x := v.(type) {
	case string:
		return x + mark
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = markStrings(e, mark)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = markStrings(e, mark)
		}
		return out
	}
	return v
}

// CountMarks counts the injection points of a target: the marks in its URL
// and body.
func CountMarks(url, body, mark string) int {
	return strings.Count(url, mark) + strings.Count(body, mark)
}

// Verdict is what one sqlmap run concluded.
type Verdict struct {
	Injectable []string // the injection points sqlmap reported
	Finished   bool     // sqlmap ran to its own conclusion
	HTTPErrors string   // sqlmap's "HTTP error codes detected" line, if any
}

var (
	paramLine   = regexp.MustCompile(`(?m)^Parameter: (.+)$`)
	httpErrLine = regexp.MustCompile(`HTTP error codes detected during run:[ \t]*\r?\n((?:[0-9]{3} [^\n]*\n?)+)`)
)

// ReadVerdict reads sqlmap's console output and its output directory
// (--output-dir) of one run. An injection point counts when sqlmap lists
// it ("sqlmap identified the following injection point(s)") or writes it
// to the log file of the target host.
func ReadVerdict(console, outputDir string) Verdict {
	var v Verdict
	if i := strings.Index(console, "identified the following injection point"); i >= 0 {
		for _, m := range paramLine.FindAllStringSubmatch(console[i:], -1) {
			v.Injectable = append(v.Injectable, strings.TrimSpace(m[1]))
		}
		if len(v.Injectable) == 0 {
			v.Injectable = []string{"(unnamed)"}
		}
	}
	logs, _ := filepath.Glob(filepath.Join(outputDir, "*", "log"))
	for _, l := range logs {
		if b, err := os.ReadFile(l); err == nil && len(strings.TrimSpace(string(b))) > 0 && len(v.Injectable) == 0 {
			for _, m := range paramLine.FindAllStringSubmatch(string(b), -1) {
				v.Injectable = append(v.Injectable, strings.TrimSpace(m[1]))
			}
			if len(v.Injectable) == 0 {
				v.Injectable = []string{"(see " + l + ")"}
			}
		}
	}
	v.Finished = len(v.Injectable) > 0 ||
		strings.Contains(console, "do not appear to be injectable") ||
		strings.Contains(console, "does not seem to be injectable")
	if m := httpErrLine.FindStringSubmatch(console); m != nil {
		v.HTTPErrors = strings.Join(strings.Fields(strings.ReplaceAll(strings.TrimSpace(m[1]), "\n", ", ")), " ")
	}
	return v
}
