package birth

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"kansrijk/internal/municipality"
	"kansrijk/internal/textnorm"
)

// streamBatch reads data with a Sniffer and a Reader, row by row, and
// checks each row with a Checker: what the command line's import does.
func streamBatch(t *testing.T, data []byte, chunk int) (*Batch, []Row, [][]Problem, []string, error) {
	t.Helper()
	var s textnorm.Sniffer
	for p := data; len(p) > 0; {
		n := min(chunk, len(p))
		_, _ = s.Write(p[:n])
		p = p[n:]
	}
	r, err := NewReader(bytes.NewReader(data), s.Encoding())
	if err != nil {
		return nil, nil, nil, nil, err
	}
	c := NewChecker("clinic-zonnedal", municipality.MustLoad(), date(corpusToday))
	var rows []Row
	var probs [][]Problem
	var keys []string
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return r.Batch, rows, probs, keys, err
		}
		p, k := c.Check(r, &row)
		rows, probs, keys = append(rows, row), append(probs, p), append(keys, k)
	}
	return r.Batch, rows, probs, keys, nil
}

// TestReaderMatchesParseBatch: every corpus file, and the corpus files
// re-encoded, read by the streaming Reader and Checker (with the Sniffer
// fed in odd-sized chunks, cutting multi-byte characters) gives the same
// encoding, header, rows, problems and natural keys as ParseBatch and
// CheckBatch, and the same file errors.
func TestReaderMatchesParseBatch(t *testing.T) {
	files, err := filepath.Glob("testdata/*.[ct][sx][vt]")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	extra := map[string][]byte{
		"empty":     []byte(" \n\n"),
		"no rows":   []byte("moeder_naam;moeder_straat;moeder_huisnummer;moeder_postcode;moeder_nis;moeder_taal;geboortedatum\n"),
		"unknown":   []byte("moeder_naam;rijksregisternummer\nA;B\n"),
		"binary":    {0x50, 0x4B, 0x03, 0x04, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 0, 0, 1, 2, 3},
		"malformed": []byte("moeder_naam;moeder_straat;moeder_huisnummer;moeder_postcode;moeder_nis;moeder_taal;geboortedatum\n\"An;x\"y;1\n"),
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		extra[filepath.Base(f)] = data
	}
	for name, data := range extra {
		for _, chunk := range []int{1, 7, 4096} {
			want, werr := ParseBatch(data)
			got, rows, probs, keys, gerr := streamBatch(t, data, chunk)
			if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
				t.Fatalf("%s (chunks of %d): ParseBatch error %v, Reader %v", name, chunk, werr, gerr)
			}
			if werr != nil {
				continue
			}
			// Checking normalises the rows (a co-parent's address): compare
			// both checked.
			rep, wantKeys := CheckBatch(want, "clinic-zonnedal", municipality.MustLoad(), date(corpusToday))
			if got.Encoding != want.Encoding || got.Separator != want.Separator || got.HeaderLine != want.HeaderLine ||
				!reflect.DeepEqual(got.Header, want.Header) || !reflect.DeepEqual(rows, want.Rows) {
				t.Fatalf("%s (chunks of %d): Reader %+v %+v, ParseBatch %+v %+v", name, chunk, *got, rows, *want, want.Rows)
			}
			var all []Problem
			for _, p := range probs {
				all = append(all, p...)
			}
			if !reflect.DeepEqual(keys, wantKeys) || len(all) != len(rep.Problems) || len(all) > 0 && !reflect.DeepEqual(all, rep.Problems) {
				t.Fatalf("%s: Checker %v %v, CheckBatch %v %v", name, keys, all, wantKeys, rep.Problems)
			}
		}
	}
}
