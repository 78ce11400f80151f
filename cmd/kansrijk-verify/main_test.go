package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const origin = "kansrijk/audit-log"

// testLog is a Merkle log built in the test, as the server builds it: the
// leaves are canonical records, the checkpoints signed notes.
type testLog struct {
	t       *testing.T
	signer  note.Signer
	vkey    string
	records [][]byte
	stored  []tlog.Hash
}

// newTestLog makes a log of n synthetic records, signed by a fresh key
// named name.
func newTestLog(t *testing.T, name string, n int) *testLog {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	l := &testLog{t: t, signer: signer, vkey: vkey}
	for i := range n {
		l.append(syntheticRecord(int64(i + 1)))
	}
	return l
}

// syntheticRecord is the canonical record of a fictitious read.
func syntheticRecord(id int64) []byte {
	b, err := json.Marshal(record{V: 1, ID: id, At: time.Date(2026, 12, 6, 23, 38, 30, int(id)*1000, time.UTC).Format("2006-01-02T15:04:05.000000Z"),
		ActorRole: "ocmw_worker", ActorOrg: "ocmw-13016", Channel: "session", Action: "referral.read",
		ObjectType: "referral", ObjectID: fmt.Sprint(30 + id), ReceiptCode: "FICT-0001", Purpose: "contact the family",
		AgreementID: 4, Outcome: "ok", Private: strings.Repeat("ab", 32)})
	if err != nil {
		panic(err)
	}
	return b
}

func (l *testLog) append(rec []byte) {
	hs, err := tlog.StoredHashes(int64(len(l.records)), rec, l.reader())
	if err != nil {
		l.t.Fatal(err)
	}
	l.records = append(l.records, rec)
	l.stored = append(l.stored, hs...)
}

func (l *testLog) reader() tlog.HashReader {
	return tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = l.stored[x]
		}
		return out, nil
	})
}

func (l *testLog) root(size int64) tlog.Hash {
	h, err := tlog.TreeHash(size, l.reader())
	if err != nil {
		l.t.Fatal(err)
	}
	return h
}

// body is a checkpoint body.
func body(origin string, size int64, root tlog.Hash, at time.Time) string {
	return fmt.Sprintf("%s\n%d\n%s\ntime %s\n", origin, size, base64.StdEncoding.EncodeToString(root[:]), at.UTC().Format(time.RFC3339))
}

// sign signs a checkpoint body with the log's key.
func (l *testLog) sign(text string) string {
	b, err := note.Sign(&note.Note{Text: text}, l.signer)
	if err != nil {
		l.t.Fatal(err)
	}
	return string(b)
}

// checkpoint is the signed checkpoint of the first size records.
func (l *testLog) checkpoint(size int64) string {
	return l.sign(body(origin, size, l.root(size), time.Date(2026, 12, 7, 0, 0, int(size), 0, time.UTC)))
}

func encodeHashes(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return out
}

// bundle is the proof bundle of record index against the checkpoint of size.
func (l *testLog) bundle(index, size int64) bundle {
	p, err := tlog.ProveRecord(size, index, l.reader())
	if err != nil {
		l.t.Fatal(err)
	}
	return bundle{Format: bundleFormat, LeafIndex: index, Record: string(l.records[index]), Proof: encodeHashes(p), Checkpoint: l.checkpoint(size)}
}

func (l *testLog) consistency(old, new int64) consistencyProof {
	p, err := tlog.ProveTree(new, old, l.reader())
	if err != nil {
		l.t.Fatal(err)
	}
	return consistencyProof{Old: old, New: new, Proof: encodeHashes(p)}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// flipHash changes one bit of a base64 hash.
func flipHash(t *testing.T, s string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	b[0] ^= 1
	return base64.StdEncoding.EncodeToString(b)
}

func TestVerifyBundle(t *testing.T) {
	l := newTestLog(t, origin, 13)
	other := newTestLog(t, origin, 13)         // same name, another key
	stranger := newTestLog(t, "other/log", 13) // another log altogether

	t.Run("OK", func(t *testing.T) {
		for _, size := range []int64{1, 7, 13} {
			for i := range size {
				cb, err := verifyBundle(mustJSON(t, l.bundle(i, size)), l.vkey)
				if err != nil {
					t.Fatalf("leaf %d of %d: %v", i, size, err)
				}
				if cb.Index != i || cb.Checkpoint.Size != size || cb.Record.ID != i+1 || !cb.Canonical {
					t.Errorf("leaf %d of %d: checked %+v", i, size, cb)
				}
			}
		}
	})

	bad := []struct {
		name   string
		change func(b *bundle)
		key    string
		want   string
	}{
		{"ChangedRecord", func(b *bundle) { b.Record = strings.Replace(b.Record, "contact the family", "contact the familie", 1) }, "", "not leaf 5"},
		{"ChangedActor", func(b *bundle) { b.Record = strings.Replace(b.Record, "ocmw-13016", "ocmw-13017", 1) }, "", "not leaf 5"},
		{"OtherRecord", func(b *bundle) { b.Record = string(l.records[6]) }, "", "not leaf 5"},
		{"OtherIndex", func(b *bundle) { b.LeafIndex = 6 }, "", "not leaf 6"},
		{"IndexBeyondSize", func(b *bundle) { b.LeafIndex = 13 }, "", "not in a log of size 13"},
		{"NegativeIndex", func(b *bundle) { b.LeafIndex = -1 }, "", "not in a log"},
		{"ChangedProofHash", func(b *bundle) { b.Proof[1] = flipHash(t, b.Proof[1]) }, "", "not leaf 5"},
		{"ShortProof", func(b *bundle) { b.Proof = b.Proof[:len(b.Proof)-1] }, "", "not leaf 5"},
		{"ProofNotBase64", func(b *bundle) { b.Proof[0] = "not base64!" }, "", "inclusion proof"},
		{"WrongKey", func(b *bundle) {}, other.vkey, "not signed by the key"},
		{"OtherLogsKey", func(b *bundle) {}, stranger.vkey, "not signed by the key"},
		{"SignedByOtherKey", func(b *bundle) { b.Checkpoint = other.checkpoint(13) }, "", "not signed by the key"},
		{"ChangedRootUnsigned", func(b *bundle) {
			text, sig, _ := strings.Cut(b.Checkpoint, "\n\n")
			lines := strings.Split(text, "\n")
			lines[2] = flipHash(t, lines[2])
			b.Checkpoint = strings.Join(lines, "\n") + "\n\n" + sig
		}, "", "signature by kansrijk/audit-log"},
		{"ChangedSizeUnsigned", func(b *bundle) { b.Checkpoint = strings.Replace(b.Checkpoint, "\n13\n", "\n14\n", 1) }, "", "signature by kansrijk/audit-log"},
		{"ChangedRootSigned", func(b *bundle) {
			root := l.root(13)
			root[7] ^= 0x80
			b.Checkpoint = l.sign(body(origin, 13, root, time.Now()))
		}, "", "not leaf 5"},
		// A signed size that does not match the proof's shape. (Some other
		// sizes give proofs of the same shape: a lie about the size alone is
		// what consistency proofs and witnesses catch.)
		{"ChangedSizeSigned", func(b *bundle) {
			b.Checkpoint = l.sign(body(origin, 1000, l.root(13), time.Now()))
		}, "", "not leaf 5"},
		{"OtherOrigin", func(b *bundle) {
			b.Checkpoint = l.sign(body("other/log", 13, l.root(13), time.Now()))
		}, "", `of the log "other/log"`},
		{"NoTime", func(b *bundle) {
			root := l.root(13)
			b.Checkpoint = l.sign(fmt.Sprintf("%s\n13\n%s\n", origin, base64.StdEncoding.EncodeToString(root[:])))
		}, "", "no time line"},
		{"NotSigned", func(b *bundle) { b.Checkpoint, _, _ = strings.Cut(b.Checkpoint, "\n\n") }, "", "not a signed note"},
		{"OtherFormat", func(b *bundle) { b.Format = "kansrijk-audit-proof/v2" }, "", "format"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			b := l.bundle(5, 13)
			c.change(&b)
			key := l.vkey
			if c.key != "" {
				key = c.key
			}
			_, err := verifyBundle(mustJSON(t, b), key)
			if err == nil {
				t.Fatal("the changed bundle passed")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want it to mention %q", err, c.want)
			}
		})
	}

	t.Run("RecordVersion2", func(t *testing.T) {
		v2 := newTestLog(t, origin, 0)
		v2.append([]byte(`{"v":2,"id":1}`))
		b := v2.bundle(0, 1)
		_, err := verifyBundle(mustJSON(t, b), v2.vkey)
		if err == nil || !strings.Contains(err.Error(), "version 2") {
			t.Errorf("a version 2 record: error %v, want one naming the version", err)
		}
	})

	t.Run("NotCanonical", func(t *testing.T) {
		nc := newTestLog(t, origin, 0)
		nc.append([]byte(`{"id":1, "v":1, "action":"referral.read"}`))
		cb, err := verifyBundle(mustJSON(t, nc.bundle(0, 1)), nc.vkey)
		if err != nil {
			t.Fatal(err)
		}
		if cb.Canonical {
			t.Error("a record with other field order and spaces counted as canonical")
		}
	})
}

// runCmd runs the command line and returns its exit status and output.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestProofCommand(t *testing.T) {
	l := newTestLog(t, origin, 9)
	good := writeFile(t, "bundle.json", mustJSON(t, l.bundle(3, 9)))
	code, out, errs := runCmd(t, "proof", "--key", l.vkey, good)
	if code != 0 {
		t.Fatalf("a good bundle: exit %d, stderr %s", code, errs)
	}
	for _, want := range []string{"OK", "leaf 3", "size 9", "referral.read", "ocmw-13016", "contact the family", "2026-12-06T23:38:30.000004Z", "agreement:    4"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Flags after the file, and the key from a file.
	keyFile := writeFile(t, "vkey", []byte(l.vkey+"\n"))
	if code, _, errs := runCmd(t, "proof", good, "--key-file", keyFile); code != 0 {
		t.Errorf("--key-file after the bundle: exit %d, stderr %s", code, errs)
	}

	b := l.bundle(3, 9)
	b.Record = strings.Replace(b.Record, "referral.read", "referral.list", 1)
	changed := writeFile(t, "changed.json", mustJSON(t, b))
	code, _, errs = runCmd(t, "proof", "--key", l.vkey, changed)
	if code != 1 || !strings.Contains(errs, "FAILED") {
		t.Errorf("a changed record: exit %d, stderr %q; want 1 and FAILED", code, errs)
	}

	for _, args := range [][]string{{"proof", good}, {"proof", "--key", l.vkey}, {"proof", "--key", "not a key", good}, {"nonsense"}, {}} {
		if code, _, _ := runCmd(t, args...); code != 2 {
			t.Errorf("kansrijk-verify %q: exit %d, want 2 (usage)", args, code)
		}
	}
}

func TestVerifyConsistency(t *testing.T) {
	l := newTestLog(t, origin, 20)
	open := func(size int64) checkpoint {
		c, err := openCheckpoint([]byte(l.checkpoint(size)), l.vkey)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, sizes := range [][2]int64{{1, 20}, {7, 8}, {8, 16}, {13, 20}, {20, 20}, {0, 5}} {
		var p consistencyProof
		if sizes[0] > 0 && sizes[0] < sizes[1] {
			p = l.consistency(sizes[0], sizes[1])
		}
		if err := verifyConsistency(open(sizes[0]), open(sizes[1]), p); err != nil {
			t.Errorf("%d → %d: %v", sizes[0], sizes[1], err)
		}
	}

	// A fork: the same first 10 records, then others.
	fork := &testLog{t: t, signer: l.signer, vkey: l.vkey}
	for i := range 10 {
		fork.append(l.records[i])
	}
	for i := range 10 {
		fork.append(syntheticRecord(int64(100 + i)))
	}
	// A rewrite: record 3 changed.
	rewrite := &testLog{t: t, signer: l.signer, vkey: l.vkey}
	for i := range 20 {
		rec := l.records[i]
		if i == 3 {
			rec = syntheticRecord(1000)
		}
		rewrite.append(rec)
	}
	openOf := func(x *testLog, size int64) checkpoint {
		c, err := openCheckpoint([]byte(x.checkpoint(size)), l.vkey)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	changedProof := l.consistency(5, 20)
	changedProof.Proof[0] = flipHash(t, changedProof.Proof[0])
	bad := []struct {
		name         string
		older, newer checkpoint
		proof        consistencyProof
		want         string
	}{
		{"Rollback", open(20), open(12), consistencyProof{}, "rolled back"},
		{"SameSizeOtherRoot", open(20), openOf(fork, 20), consistencyProof{}, "forked"},
		{"ForkAfterOld", open(15), openOf(fork, 20), fork.consistency(15, 20), "does not extend"},
		{"ForkProofFromLog", open(15), openOf(fork, 20), l.consistency(15, 20), "does not extend"},
		{"Rewritten", open(5), openOf(rewrite, 20), rewrite.consistency(5, 20), "does not extend"},
		{"ChangedProofHash", open(5), open(20), changedProof, "does not extend"},
		{"ProofForOtherSizes", open(5), open(20), l.consistency(6, 20), "between sizes 6 and 20"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			err := verifyConsistency(c.older, c.newer, c.proof)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one mentioning %q", err, c.want)
			}
		})
	}
	// A fork before the old size is no fork: the fork log's first 10
	// records are the log's.
	if err := verifyConsistency(open(10), openOf(fork, 20), fork.consistency(10, 20)); err != nil {
		t.Errorf("a log that shares the first 10 records: %v", err)
	}
}

// server serves a test log's checkpoint of size latest and its proofs.
func server(t *testing.T, l *testLog, latest int64) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/audit/checkpoints/latest", func(w http.ResponseWriter, r *http.Request) {
		root := l.root(latest)
		json.NewEncoder(w).Encode(map[string]any{"origin": origin, "size": latest, "root": base64.StdEncoding.EncodeToString(root[:]),
			"time": "2026-12-07T00:00:00Z", "note": l.checkpoint(latest), "public_key": l.vkey})
	})
	mux.HandleFunc("GET /api/v1/audit/proof/consistency", func(w http.ResponseWriter, r *http.Request) {
		var old, new int64
		fmt.Sscan(r.URL.Query().Get("old"), &old)
		fmt.Sscan(r.URL.Query().Get("new"), &new)
		if old <= 0 || old > new || new > latest {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":{"code":"invalid_input","message":"old or new out of range"}}`)
			return
		}
		json.NewEncoder(w).Encode(l.consistency(old, new))
	})
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func TestConsistencyCommand(t *testing.T) {
	l := newTestLog(t, origin, 30)
	s := server(t, l, 30)
	old := writeFile(t, "old.note", []byte(l.checkpoint(11)))
	latestJSON := writeFile(t, "latest.json", mustJSON(t, map[string]any{"note": l.checkpoint(30)}))

	code, out, errs := runCmd(t, "consistency", "--key", l.vkey, old, latestJSON, "--url", s.URL)
	if code != 0 || !strings.Contains(out, "contains the older one unchanged") {
		t.Fatalf("a good pair over --url: exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	// A proof bundle's checkpoint as the older one.
	bundleFile := writeFile(t, "bundle.json", mustJSON(t, l.bundle(2, 11)))
	if code, _, errs := runCmd(t, "consistency", "--key", l.vkey, bundleFile, latestJSON, "--url", s.URL); code != 0 {
		t.Fatalf("a bundle's checkpoint and the latest: exit %d, stderr %s", code, errs)
	}
	proof := writeFile(t, "proof.json", mustJSON(t, l.consistency(11, 30)))
	if code, _, errs := runCmd(t, "consistency", "--key", l.vkey, "--proof", proof, old, latestJSON); code != 0 {
		t.Fatalf("a good pair with --proof: exit %d, stderr %s", code, errs)
	}

	// The operator rewrote record 2 and re-signed: the server's proofs are
	// of the rewritten log, which does not contain the old checkpoint's.
	rw := &testLog{t: t, signer: l.signer, vkey: l.vkey}
	for i := range 30 {
		rec := l.records[i]
		if i == 2 {
			rec = syntheticRecord(2000)
		}
		rw.append(rec)
	}
	srw := server(t, rw, 30)
	newer := writeFile(t, "new.note", []byte(rw.checkpoint(30)))
	code, _, errs = runCmd(t, "consistency", "--key", l.vkey, old, newer, "--url", srw.URL)
	if code != 1 || !strings.Contains(errs, "does not extend") {
		t.Errorf("a rewritten log: exit %d, stderr %q", code, errs)
	}
	// Swapped files read as a rollback.
	code, _, errs = runCmd(t, "consistency", "--key", l.vkey, latestJSON, old, "--url", s.URL)
	if code != 1 || !strings.Contains(errs, "rolled back") {
		t.Errorf("older file newer than newer file: exit %d, stderr %q", code, errs)
	}
	// A wrong key fails on the first file.
	other := newTestLog(t, origin, 0)
	code, _, errs = runCmd(t, "consistency", "--key", other.vkey, old, latestJSON, "--url", s.URL)
	if code != 1 || !strings.Contains(errs, "not signed by the key") {
		t.Errorf("wrong key: exit %d, stderr %q", code, errs)
	}
	if code, _, _ := runCmd(t, "consistency", "--key", l.vkey, old, latestJSON); code != 2 {
		t.Errorf("neither --url nor --proof: exit %d, want 2", code)
	}
}

func TestCheckpointCommand(t *testing.T) {
	l := newTestLog(t, origin, 4)
	s := server(t, l, 4)
	code, out, errs := runCmd(t, "checkpoint", "--key", l.vkey, "--url", s.URL+"/")
	if code != 0 || !strings.Contains(out, "size 4") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	other := newTestLog(t, origin, 0)
	if code, _, errs := runCmd(t, "checkpoint", "--key", other.vkey, "--url", s.URL); code != 1 || !strings.Contains(errs, "not signed by the key") {
		t.Errorf("wrong key: exit %d, stderr %q", code, errs)
	}
	empty := httptest.NewServer(http.NotFoundHandler())
	defer empty.Close()
	if code, _, errs := runCmd(t, "checkpoint", "--key", l.vkey, "--url", empty.URL); code != 1 || !strings.Contains(errs, "404") {
		t.Errorf("no checkpoint: exit %d, stderr %q", code, errs)
	}
}

func TestParseCheckpoint(t *testing.T) {
	root := base64.StdEncoding.EncodeToString(make([]byte, 32))
	good := "o\n5\n" + root + "\nother extension\ntime 2026-12-07T00:00:00Z\n"
	c, err := parseCheckpoint(good)
	if err != nil || c.Origin != "o" || c.Size != 5 || !c.Time.Equal(time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("parseCheckpoint(%q) = %+v, %v", good, c, err)
	}
	for _, bad := range []string{
		"o\n5\n" + root + "\ntime 2026-12-07T00:00:00Z",                              // no final newline
		"o\n5\n" + root + "\n",                                                       // no time
		"o\n05\n" + root + "\ntime 2026-12-07T00:00:00Z\n",                           // not canonical size
		"o\n-5\n" + root + "\ntime 2026-12-07T00:00:00Z\n",                           // negative size
		"o\n5\nAAAA\ntime 2026-12-07T00:00:00Z\n",                                    // short root
		"\n5\n" + root + "\ntime 2026-12-07T00:00:00Z\n",                             // no origin
		"o\n5\n" + root + "\ntime yesterday\n",                                       // bad time
		"o\n5\n" + root + "\ntime 2026-12-07T00:00:00Z\ntime 2026-12-07T00:00:00Z\n", // two times
	} {
		if _, err := parseCheckpoint(bad); err == nil {
			t.Errorf("parseCheckpoint(%q) accepted it", bad)
		}
	}
}
