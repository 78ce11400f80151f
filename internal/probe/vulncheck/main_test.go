package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A dependency finding fails, a standard-library one is only listed, and
// an imported but never called vulnerability is not a finding.
func TestReadFindings(t *testing.T) {
	stream := `{"config":{"scan_level":"symbol"}}
{"osv":{"id":"GO-1","summary":"bad in dep"}}
{"osv":{"id":"GO-2","summary":"bad in net/http"}}
{"finding":{"osv":"GO-1","fixed_version":"v1.2.0","trace":[{"module":"example.org/dep","version":"v1.1.0","package":"example.org/dep"}]}}
{"finding":{"osv":"GO-1","fixed_version":"v1.2.0","trace":[{"module":"example.org/dep","version":"v1.1.0","package":"example.org/dep","function":"F"}]}}
{"finding":{"osv":"GO-2","fixed_version":"v1.26.9","trace":[{"module":"stdlib","version":"v1.26.8","package":"net/http","function":"Get"}]}}
{"finding":{"osv":"GO-3","trace":[{"module":"example.org/other","version":"v0.1.0","package":"example.org/other"}]}}
`
	fs, err := ReadFindings(strings.NewReader(stream))
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 || fs[0].ID != "GO-1" || fs[0].Stdlib() || fs[0].Summary != "bad in dep" || !fs[1].Stdlib() {
		t.Errorf("findings %+v", fs)
	}
}

func TestBuildDB(t *testing.T) {
	src, out := t.TempDir(), t.TempDir()
	entry := `{"id":"GO-2099-0001","modified":"2099-01-02T00:00:00Z","aliases":["CVE-2099-1"],"affected":[{"package":{"name":"example.org/dep"}},{"package":{"name":"example.org/dep"}}]}`
	if err := os.WriteFile(filepath.Join(src, "GO-2099-0001.json"), []byte(entry), 0o644); err != nil {
		t.Fatal(err)
	}
	n, err := BuildDB(src, out)
	if err != nil || n != 1 {
		t.Fatalf("BuildDB = %d, %v", n, err)
	}
	var mods []struct {
		Path  string
		Vulns []struct{ ID string }
	}
	b, _ := os.ReadFile(filepath.Join(out, "index", "modules.json"))
	if err := json.Unmarshal(b, &mods); err != nil || len(mods) != 1 || mods[0].Path != "example.org/dep" || len(mods[0].Vulns) != 1 {
		t.Errorf("modules.json %s %v", b, err)
	}
	db, _ := os.ReadFile(filepath.Join(out, "index", "db.json"))
	if string(db) != `{"modified":"2099-01-02T00:00:00Z"}` {
		t.Errorf("db.json %s", db)
	}
	if _, err := os.Stat(filepath.Join(out, "ID", "GO-2099-0001.json")); err != nil {
		t.Error(err)
	}
}
