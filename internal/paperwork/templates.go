package paperwork

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"text/template"
)

// The legal texts, one folder per template version. A new legal text is a
// new folder next to the old ones: agreement versions that refer to an
// older template keep rendering with their own text.
//
//go:embed templates
var templateFS embed.FS

// The documents every template version holds.
const (
	cooperationFile = "samenwerkingsovereenkomst.txt"
	processingFile  = "verwerkingsovereenkomst.txt"
)

// ErrUnknownTemplate is returned (wrapped) for a template version that has
// no folder under templates/.
var ErrUnknownTemplate = errors.New("paperwork: unknown template version")

// templateSet is one template version: both documents.
type templateSet struct {
	cooperation *template.Template
	processing  *template.Template
}

var loadEmbedded = sync.OnceValues(func() (map[string]templateSet, error) {
	sub, err := fs.Sub(templateFS, "templates")
	if err != nil {
		return nil, err
	}
	return loadTemplates(sub)
})

// loadTemplates reads every version folder of fsys (version/<document>.txt).
func loadTemplates(fsys fs.FS) (map[string]templateSet, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("paperwork: read templates: %w", err)
	}
	sets := make(map[string]templateSet)
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		v := e.Name()
		var set templateSet
		for _, doc := range []struct {
			file string
			dst  **template.Template
		}{{cooperationFile, &set.cooperation}, {processingFile, &set.processing}} {
			name := path.Join(v, doc.file)
			src, err := fs.ReadFile(fsys, name)
			if err != nil {
				return nil, fmt.Errorf("paperwork: template %s: %w", name, err)
			}
			t, err := template.New(name).Option("missingkey=error").Funcs(funcs).Parse(string(src))
			if err != nil {
				return nil, fmt.Errorf("paperwork: template %s: %w", name, err)
			}
			*doc.dst = t
		}
		sets[v] = set
	}
	return sets, nil
}

// Versions lists the template versions that can be rendered, sorted.
func Versions() []string {
	sets, err := loadEmbedded()
	if err != nil {
		return nil
	}
	vs := make([]string, 0, len(sets))
	for v := range sets {
		vs = append(vs, v)
	}
	slices.Sort(vs)
	return vs
}

// lookup returns the templates of version v ("" is the current version).
func lookup(sets map[string]templateSet, v string) (templateSet, string, error) {
	if v == "" {
		v = TemplateVersion
	}
	set, ok := sets[v]
	if !ok {
		return templateSet{}, v, fmt.Errorf("%w %q", ErrUnknownTemplate, v)
	}
	return set, v, nil
}

var funcs = template.FuncMap{
	// quote turns a multi-line text into quote lines ("> …"), one per
	// non-empty line, so that text from the database can never be read as
	// layout markup.
	"quote": func(s string) string {
		var b strings.Builder
		for line := range strings.Lines(s) {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString("> ")
			b.WriteString(line)
		}
		return b.String()
	},
}

func execute(t *template.Template, d data) (string, error) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, d); err != nil {
		return "", fmt.Errorf("paperwork: %w", err)
	}
	return buf.String(), nil
}

// The template markup, one element per line, after the template ran:
//
//	# Title                      document title (also the PDF title)
//	^ Subtitle                   centred line under the title
//	## Heading                   section heading
//	- item                       bullet
//	> text                       line of a quoted block (information text)
//	@handtekening f | role | party   signature block for function f
//	plain text                   paragraph; consecutive lines are joined
//	(blank line)                 ends a paragraph
type blockKind int

const (
	kindTitle blockKind = iota
	kindSubtitle
	kindHeading
	kindPara
	kindBullet
	kindQuote
	kindSignature
)

type block struct {
	kind blockKind
	text string
	// signature blocks
	function, role, party string
}

// parseBlocks turns the executed template into layout blocks.
func parseBlocks(src string) ([]block, error) {
	var blocks []block
	open := false // the last block may take continuation lines
	for n, line := range strings.Split(src, "\n") {
		line = strings.TrimRight(line, " \t\r")
		trimmed := strings.TrimLeft(line, " \t")
		switch {
		case trimmed == "":
			open = false
		case strings.HasPrefix(line, "## "):
			blocks = append(blocks, block{kind: kindHeading, text: strings.TrimSpace(line[3:])})
			open = false
		case strings.HasPrefix(line, "# "):
			blocks = append(blocks, block{kind: kindTitle, text: strings.TrimSpace(line[2:])})
			open = false
		case strings.HasPrefix(line, "^ "):
			blocks = append(blocks, block{kind: kindSubtitle, text: strings.TrimSpace(line[2:])})
			open = false
		case strings.HasPrefix(line, "- "):
			blocks = append(blocks, block{kind: kindBullet, text: strings.TrimSpace(line[2:])})
			open = true
		case line == ">" || strings.HasPrefix(line, "> "):
			blocks = append(blocks, block{kind: kindQuote, text: strings.TrimSpace(line[1:])})
			open = false
		case strings.HasPrefix(line, "@handtekening "):
			parts := strings.SplitN(line[len("@handtekening "):], "|", 3)
			if len(parts) != 3 {
				return nil, fmt.Errorf("paperwork: line %d: @handtekening needs function | role | party", n+1)
			}
			blocks = append(blocks, block{kind: kindSignature, function: strings.TrimSpace(parts[0]),
				role: strings.TrimSpace(parts[1]), party: strings.TrimSpace(parts[2])})
			open = false
		case strings.HasPrefix(line, "@"):
			return nil, fmt.Errorf("paperwork: line %d: unknown directive %q", n+1, strings.Fields(line)[0])
		case open:
			last := &blocks[len(blocks)-1]
			last.text += " " + trimmed
		default:
			blocks = append(blocks, block{kind: kindPara, text: trimmed})
			open = true
		}
	}
	return blocks, nil
}
