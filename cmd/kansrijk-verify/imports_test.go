package main

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps the verifier independent: the standard library, tlog
// and note, nothing of Kansrijk's own and nothing else an outsider would
// have to read and trust.
func TestImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"golang.org/x/mod/sumdb/tlog": true, "golang.org/x/mod/sumdb/note": true}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(p, "/")
			if !allowed[p] && strings.Contains(first, ".") || strings.HasPrefix(p, "kansrijk") {
				t.Errorf("%s imports %s: the verifier may use only the standard library, tlog and note", f, p)
			}
		}
	}
}
