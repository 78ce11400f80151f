package cli_test

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const witnessOrigin = "kansrijk/audit-log"

// merkleLog is a log built in the test as the server builds one: records
// hashed into an RFC 6962 tree, checkpoints signed as notes.
type merkleLog struct {
	tb      testing.TB
	signer  note.Signer
	vkey    string
	origin  string
	records [][]byte
	stored  []tlog.Hash
}

// newMerkleLog makes a log of n synthetic records with a fresh key.
func newMerkleLog(tb testing.TB, n int) *merkleLog {
	tb.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, witnessOrigin)
	if err != nil {
		tb.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		tb.Fatal(err)
	}
	l := &merkleLog{tb: tb, signer: signer, vkey: vkey, origin: witnessOrigin}
	l.grow(n, "read")
	return l
}

// copyLog is a log with the first n records of l, signed with l's key: the
// start of a fork or of a restored backup.
func (l *merkleLog) copyLog(n int) *merkleLog {
	c := &merkleLog{tb: l.tb, signer: l.signer, vkey: l.vkey, origin: l.origin}
	for _, r := range l.records[:n] {
		c.append(r)
	}
	return c
}

// grow appends n synthetic records whose text depends on tag.
func (l *merkleLog) grow(n int, tag string) {
	for range n {
		id := len(l.records) + 1
		l.append(fmt.Appendf(nil, `{"v":1,"id":%d,"action":"referral.%s","actor_org":"ocmw-13016"}`, id, tag))
	}
}

func (l *merkleLog) append(rec []byte) {
	hs, err := tlog.StoredHashes(int64(len(l.records)), rec, l.reader())
	if err != nil {
		l.tb.Fatal(err)
	}
	l.records = append(l.records, rec)
	l.stored = append(l.stored, hs...)
}

func (l *merkleLog) reader() tlog.HashReader {
	return tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = l.stored[x]
		}
		return out, nil
	})
}

func (l *merkleLog) size() int64 { return int64(len(l.records)) }

// checkpoint signs the log's current state.
func (l *merkleLog) checkpoint() string {
	root, err := tlog.TreeHash(l.size(), l.reader())
	if err != nil {
		l.tb.Fatal(err)
	}
	text := fmt.Sprintf("%s\n%d\n%s\ntime %s\n", l.origin, l.size(), base64.StdEncoding.EncodeToString(root[:]),
		time.Date(2026, 12, 7, 0, 0, len(l.records), 0, time.UTC).Format(time.RFC3339))
	b, err := note.Sign(&note.Note{Text: text}, l.signer)
	if err != nil {
		l.tb.Fatal(err)
	}
	return string(b)
}

// logServer serves a log's public API as Kansrijk does. What it serves
// can be replaced between witness runs.
type logServer struct {
	*httptest.Server
	mu        sync.Mutex
	log       *merkleLog
	note      string // served instead of the log's checkpoint when set
	publicKey string // served instead of the log's key when set
	missing   bool   // no checkpoint yet: 404
}

func newLogServer(t *testing.T, l *merkleLog) *logServer {
	s := &logServer{log: l}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/audit/checkpoints/latest", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.missing {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error":{"code":"not_found","message":"no checkpoint yet"}}`)
			return
		}
		n, key := s.note, s.publicKey
		if n == "" {
			n = s.log.checkpoint()
		}
		if key == "" {
			key = s.log.vkey
		}
		json.NewEncoder(w).Encode(map[string]any{"origin": s.log.origin, "size": s.log.size(), "note": n, "public_key": key})
	})
	mux.HandleFunc("GET /api/v1/audit/proof/consistency", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		old, err1 := strconv.ParseInt(r.URL.Query().Get("old"), 10, 64)
		nw, err2 := strconv.ParseInt(r.URL.Query().Get("new"), 10, 64)
		if err1 != nil || err2 != nil || old <= 0 || old > nw || nw > s.log.size() {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":{"code":"invalid_input","message":"old/new out of range"}}`)
			return
		}
		p, err := tlog.ProveTree(nw, old, s.log.reader())
		if err != nil {
			t.Error(err)
		}
		hs := make([]string, len(p))
		for i, h := range p {
			hs[i] = base64.StdEncoding.EncodeToString(h[:])
		}
		json.NewEncoder(w).Encode(map[string]any{"old": old, "new": nw, "proof": hs})
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// serve replaces what the server serves.
func (s *logServer) serve(l *merkleLog, noteText, publicKey string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log, s.note, s.publicKey = l, noteText, publicKey
}

// witness runs `kansrijk audit witness` against the server.
func witness(t *testing.T, s *logServer, state string, extra ...string) result {
	t.Helper()
	return runCLI(t, "", append([]string{"audit", "witness", "--url", s.URL, "--state", state}, extra...)...)
}

// wantAlarm fails unless the run exited 1 naming the alarm, and the state
// file is as it was before.
func wantAlarm(t *testing.T, r result, kind, state string, before []byte) {
	t.Helper()
	if r.Code != 1 || !strings.Contains(r.Stderr, "witness alarm: "+kind+":") {
		t.Errorf("exit %d, stderr %q; want 1 and a %s alarm", r.Code, r.Stderr, kind)
	}
	after, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != string(before) {
		t.Errorf("the state changed after a %s alarm", kind)
	}
}

func readState(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWitnessGoodSequence(t *testing.T) {
	l := newMerkleLog(t, 5)
	s := newLogServer(t, l)
	dir := t.TempDir()
	state := filepath.Join(dir, "witness.json")

	r := witness(t, s, state)
	if r.Code != 0 || !strings.Contains(r.Stdout, "trusting on first use") || !strings.Contains(r.Stdout, l.vkey) {
		t.Fatalf("first run: exit %d\nstdout %s\nstderr %s", r.Code, r.Stdout, r.Stderr)
	}
	var st struct {
		PublicKey string `json:"public_key"`
		Note      string `json:"note"`
	}
	if err := json.Unmarshal(readState(t, state), &st); err != nil || st.PublicKey != l.vkey || st.Note != l.checkpoint() {
		t.Fatalf("state after the first run: %+v, %v", st, err)
	}

	for _, grow := range []int{1, 0, 7, 100, 0, 3} {
		l.grow(grow, "read")
		r := witness(t, s, state)
		want := fmt.Sprintf("grew from size %d to %d", l.size()-int64(grow), l.size())
		if grow == 0 {
			want = fmt.Sprintf("unchanged at size %d", l.size())
		}
		if r.Code != 0 || !strings.Contains(r.Stdout, want) {
			t.Fatalf("after %d more records: exit %d, stdout %q, stderr %q; want %q", grow, r.Code, r.Stdout, r.Stderr, want)
		}
		if err := json.Unmarshal(readState(t, state), &st); err != nil || st.Note != l.checkpoint() {
			t.Fatalf("the state does not hold the checkpoint of size %d", l.size())
		}
	}
	// Only the state file is left in the directory: no temporary files.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("the state directory holds %d files, want only the state", len(entries))
	}

	// With --key, the first run says it checked the given key.
	state2 := filepath.Join(t.TempDir(), "w.json")
	r = witness(t, s, state2, "--key", l.vkey)
	if r.Code != 0 || !strings.Contains(r.Stdout, "signed by the given key") || strings.Contains(r.Stdout, "first use") {
		t.Errorf("first run with --key: exit %d, stdout %q, stderr %q", r.Code, r.Stdout, r.Stderr)
	}
	if r = witness(t, s, state2, "--key", l.vkey); r.Code != 0 {
		t.Errorf("second run with the same --key: exit %d, stderr %q", r.Code, r.Stderr)
	}
}

func TestWitnessAlarms(t *testing.T) {
	// Each case: a witness sees a log of 10 records, then the server serves
	// something else.
	cases := []struct {
		name  string
		kind  string
		serve func(s *logServer, l *merkleLog)
		flags []string
	}{
		{"RestoredBackup", alarmRollback, func(s *logServer, l *merkleLog) {
			s.serve(l.copyLog(6), "", "")
		}, nil},
		{"RestoredBackupThenNewRecords", alarmFork, func(s *logServer, l *merkleLog) {
			// The backup had 6 records; since the restore, 9 others came.
			b := l.copyLog(6)
			b.grow(9, "list")
			s.serve(b, "", "")
		}, nil},
		{"NoCheckpointAnyMore", alarmRollback, func(s *logServer, l *merkleLog) {
			s.mu.Lock()
			s.missing = true
			s.mu.Unlock()
		}, nil},
		{"SameSizeOtherRoot", alarmFork, func(s *logServer, l *merkleLog) {
			f := l.copyLog(4)
			f.grow(6, "update")
			s.serve(f, "", "")
		}, nil},
		{"RewrittenAndGrown", alarmFork, func(s *logServer, l *merkleLog) {
			f := l.copyLog(9)
			f.append([]byte(`{"v":1,"id":10,"action":"referral.read","actor_org":"ocmw-99999"}`))
			f.grow(5, "read")
			s.serve(f, "", "")
		}, nil},
		{"ChangedCheckpointText", alarmBadSignature, func(s *logServer, l *merkleLog) {
			l.grow(2, "read")
			s.serve(l, strings.Replace(l.checkpoint(), "\n12\n", "\n13\n", 1), "")
		}, nil},
		{"SignedByAnotherKeyPresentingOld", alarmBadSignature, func(s *logServer, l *merkleLog) {
			o := newMerkleLog(t, 0)
			for _, r := range l.records {
				o.append(r)
			}
			o.grow(1, "read")
			s.serve(o, "", l.vkey)
		}, nil},
		{"SignedByAnotherKey", alarmKeyChange, func(s *logServer, l *merkleLog) {
			o := newMerkleLog(t, 0)
			for _, r := range l.records {
				o.append(r)
			}
			o.grow(1, "read")
			s.serve(o, "", "")
		}, nil},
		{"OtherKeyOnCommandLine", alarmKeyChange, func(s *logServer, l *merkleLog) {}, []string{"--key", newMerkleLog(t, 0).vkey}},
		{"OtherOrigin", alarmOriginChange, func(s *logServer, l *merkleLog) {
			l.grow(1, "read")
			l.origin = "kansrijk/other-log"
			s.serve(l, "", "")
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := newMerkleLog(t, 10)
			s := newLogServer(t, l)
			state := filepath.Join(t.TempDir(), "witness.json")
			if r := witness(t, s, state, "--key", l.vkey); r.Code != 0 {
				t.Fatalf("first run: exit %d, stderr %s", r.Code, r.Stderr)
			}
			before := readState(t, state)
			c.serve(s, l)
			r := witness(t, s, state, c.flags...)
			wantAlarm(t, r, c.kind, state, before)
			// The alarm stays until someone looks: the next run raises it again.
			r = witness(t, s, state, c.flags...)
			wantAlarm(t, r, c.kind, state, before)
		})
	}
}

// The alarm kinds as the command prints them.
const (
	alarmRollback     = "ROLLBACK"
	alarmFork         = "FORK"
	alarmBadSignature = "BAD SIGNATURE"
	alarmKeyChange    = "KEY CHANGE"
	alarmOriginChange = "ORIGIN CHANGE"
)

func TestWitnessFirstRunProblems(t *testing.T) {
	l := newMerkleLog(t, 3)
	s := newLogServer(t, l)
	state := filepath.Join(t.TempDir(), "witness.json")

	// A first run with --key refuses a checkpoint signed by another key
	// and records nothing.
	other := newMerkleLog(t, 0)
	if r := witness(t, s, state, "--key", other.vkey); r.Code != 1 || !strings.Contains(r.Stderr, alarmKeyChange) {
		t.Errorf("first run with another key: exit %d, stderr %q", r.Code, r.Stderr)
	}
	if _, err := os.Stat(state); !os.IsNotExist(err) {
		t.Errorf("a refused first run wrote the state (%v)", err)
	}
	// No checkpoint yet: nothing to witness, non-zero, nothing recorded.
	s.missing = true
	if r := witness(t, s, state); r.Code != 1 || !strings.Contains(r.Stderr, "404") {
		t.Errorf("no checkpoint: exit %d, stderr %q", r.Code, r.Stderr)
	}
	if _, err := os.Stat(state); !os.IsNotExist(err) {
		t.Errorf("a run without checkpoint wrote the state (%v)", err)
	}
	// A state file that is not one is not overwritten.
	s.missing = false
	if err := os.WriteFile(state, []byte("not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := witness(t, s, state); r.Code != 1 || !strings.Contains(r.Stderr, "not a witness state") {
		t.Errorf("broken state: exit %d, stderr %q", r.Code, r.Stderr)
	}
	// Usage.
	for _, args := range [][]string{
		{"audit", "witness", "--url", s.URL},
		{"audit", "witness", "--state", state},
		{"audit", "witness", "--url", s.URL, "--state", state, "--key", "not-a-key"},
	} {
		if r := runCLI(t, "", args...); r.Code != 2 {
			t.Errorf("kansrijk %s: exit %d, want 2", strings.Join(args, " "), r.Code)
		}
	}
}
