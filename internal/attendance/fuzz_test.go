package attendance

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"kansrijk/internal/municipality"
)

// FuzzParse checks that Parse never panics, never returns both a table and an error, always
// returns rows with a table, and that matching any table it returns is consistent.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		if fi, err := os.Stat(name); err != nil || fi.IsDir() {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("sep=;\nNaam;Gemeente\n\"Demo\";Kortenberg"))
	f.Add([]byte("\xFF\xFEG\x00e\x00m\x00e\x00e\x00n\x00t\x00e\x00\n\x00"))
	reg := municipality.MustLoad()
	on := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := Parse(bytes.NewReader(data))
		if err != nil {
			if tab != nil {
				t.Fatalf("Parse returned a table and an error: %v", err)
			}
			if Code(err) == "" {
				t.Fatalf("error without code: %v", err)
			}
			return
		}
		if tab == nil || len(tab.Rows) == 0 {
			t.Fatalf("Parse returned no error and no rows")
		}
		for i, r := range tab.Rows {
			if r.Line <= tab.HeaderLine || i > 0 && r.Line <= tab.Rows[i-1].Line {
				t.Fatalf("row %d on line %d (header %d)", i, r.Line, tab.HeaderLine)
			}
		}
		rep := MatchAll(tab, reg, on)
		if len(rep.Rows) != len(tab.Rows) || rep.Matched+rep.Unmatched+rep.Duplicates+rep.Organizers+rep.OutsideFlanders != len(rep.Rows) {
			t.Fatalf("report counts %d+%d+%d+%d for %d rows", rep.Matched, rep.Unmatched, rep.Duplicates, rep.Organizers, len(rep.Rows))
		}
		for _, m := range rep.Rows {
			if m.Problem == "" && (m.NIS == "" || m.How == "") {
				t.Fatalf("matched row without NIS or how: %+v", m)
			}
		}
	})
}
