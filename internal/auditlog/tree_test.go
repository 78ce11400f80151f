package auditlog

import (
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// memHashes is a tlog.HashReader over a slice of stored hashes.
type memHashes []tlog.Hash

func (m memHashes) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		if x >= int64(len(m)) {
			return nil, fmt.Errorf("no hash %d", x)
		}
		out[i] = m[x]
	}
	return out, nil
}

// The frontier stores exactly tlog.StoredHashes and yields tlog.TreeHash,
// appended leaf by leaf and reloaded from the stored hashes at any size.
func TestFrontierMatchesTlog(t *testing.T) {
	var stored memHashes
	f := &frontier{}
	for i := int64(0); i < 300; i++ {
		data := []byte(fmt.Sprintf("record %d", i))
		want, err := tlog.StoredHashes(i, data, stored)
		if err != nil {
			t.Fatal(err)
		}
		if i%37 == 0 { // reload as the sequencer does at the start of a batch
			if f, err = loadFrontier(i, stored); err != nil {
				t.Fatal(err)
			}
		}
		got := f.append(tlog.RecordHash(data))
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("leaf %d: stored hashes %x, want %x", i, got, want)
		}
		stored = append(stored, got...)
		root, err := tlog.TreeHash(i+1, stored)
		if err != nil {
			t.Fatal(err)
		}
		if f.root() != root {
			t.Fatalf("size %d: root %x, want %x", i+1, f.root(), root)
		}
	}
}
