package browsertest

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core, see axe/README.md.
//
//go:embed axe/axe.min.js
var axeSource string

// axeVersion is the version of axeSource.
const axeVersion = "4.14.1"

// axeTags are the rule tags that CheckAxe runs.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"}

// axeViolation is one rule that failed, as axe.run reports it.
type axeViolation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"`
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []axeNode `json:"nodes"`
}

// axeNode is one element that fails a rule.
type axeNode struct {
	// Target is the selector of the element. Each entry is a CSS selector
	// (a string) for one document, or, inside a shadow DOM, an array of
	// selectors.
	Target         []any  `json:"target"`
	HTML           string `json:"html"`
	FailureSummary string `json:"failureSummary"`
}

// target formats the selector of the node.
func (n axeNode) target() string {
	if len(n.Target) == 1 {
		if s, ok := n.Target[0].(string); ok {
			return s
		}
	}
	b, _ := json.Marshal(n.Target)
	return string(b)
}

// CheckAxe injects axe-core into the current page, runs it with the rules of
// WCAG 2.0 and 2.1 level A and AA and the best practices, and fails the test
// (t.Error, so the test goes on) with every violation it finds. name names
// the page in the message.
func (b *Browser) CheckAxe(name string) {
	b.t.Helper()
	vs, err := b.axeViolations()
	if err != nil {
		b.fatalf("axe on %q: %v", name, err)
	}
	if len(vs) == 0 {
		return
	}
	u, _ := run(b, b.timeout, chromedp.Location())
	b.t.Errorf("browsertest: axe found %d accessibility violation(s) on page %q (%s):\n%s",
		len(vs), name, u, formatViolations(vs))
}

// axeViolations injects axe-core into the current page if it is not there
// yet, runs it and returns the violations.
func (b *Browser) axeViolations() ([]axeViolation, error) {
	have, err := run(b, axeTimeout, chromedp.Evaluate[bool](
		`typeof window.axe === "object" && window.axe !== null && window.axe.version === `+jsString(axeVersion)))
	if err != nil {
		return nil, fmt.Errorf("check for axe-core: %w", err)
	}
	if !have {
		if _, err := run(b, axeTimeout, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
			return nil, fmt.Errorf("inject axe-core: %w", err)
		}
	}
	tags, _ := json.Marshal(axeTags)
	script := `axe.run(document, {runOnly: ` + string(tags) + `, resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
	id: v.id,
	impact: v.impact,
	help: v.help,
	helpUrl: v.helpUrl,
	nodes: v.nodes.map(n => ({target: n.target, html: n.html, failureSummary: n.failureSummary})),
})))`
	vs, err := run(b, axeTimeout, chromedp.Evaluate[[]axeViolation](script, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("run axe-core: %w", err)
	}
	return vs, nil
}

// formatViolations lists the violations, one rule with its elements at a time.
func formatViolations(vs []axeViolation) string {
	var sb strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&sb, "  - %s [%s]: %s\n    %s\n", v.ID, v.Impact, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&sb, "      at %s: %s\n", n.target(), abbrev(n.HTML))
			if n.FailureSummary != "" {
				for _, line := range strings.Split(strings.TrimSpace(n.FailureSummary), "\n") {
					fmt.Fprintf(&sb, "        %s\n", strings.TrimSpace(line))
				}
			}
		}
	}
	return sb.String()
}
