package reliability

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"

	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// TestWitnessCatchesRestoredBackup is the attack a signed log alone does not
// stop: the operator restores the database from an older backup. Every
// checkpoint the restored server signs is valid; only someone who remembers
// a later one can tell. The test runs kansrijk serve as a process on SQLite
// with a short checkpoint interval, a witness (`kansrijk audit witness`)
// beside it, backs the database file up, lets the log grow, restores the
// backup, and wants the witness to exit non-zero naming a rollback. On the
// way, the independent verifier (cmd/kansrijk-verify) checks the live
// server's checkpoint and consistency proof.
//
// It needs the Merkle log of the audit events (internal/auditlog: the
// `audit keygen` command, KANSRIJK_AUDIT_KEY_FILE and
// KANSRIJK_AUDIT_CHECKPOINT_INTERVAL) and skips on a build without it.
func TestWitnessCatchesRestoredBackup(t *testing.T) {
	if testing.Short() {
		t.Skip("witness end-to-end: not in -short")
	}
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	dbFile := filepath.Join(dir, "kansrijk.db")
	dsn := "sqlite:" + dbFile

	// The signing key, made by the command the operator uses.
	keyFile := filepath.Join(dir, "audit.key")
	code, stdout, stderr := runBinary(t, bin, "audit", "keygen", "--out", keyFile)
	if code == 2 && strings.Contains(stderr, "unknown command") {
		t.Skip("this build has no `kansrijk audit keygen`: the Merkle log is not merged yet")
	}
	if code != 0 {
		t.Fatalf("kansrijk audit keygen: exit %d\n%s", code, stderr)
	}
	vkey := verifierKeyOf(t, keyFile)
	if !strings.Contains(stdout, vkey) {
		t.Errorf("kansrijk audit keygen printed %q, want the verifier key %s", stdout, vkey)
	}
	t.Setenv("KANSRIJK_AUDIT_KEY_FILE", keyFile)
	t.Setenv("KANSRIJK_AUDIT_KEY", "")
	t.Setenv("KANSRIJK_AUDIT_ORIGIN", "")
	t.Setenv("KANSRIJK_AUDIT_CHECKPOINT_INTERVAL", "200ms")

	tokens := loadDemo(t, dsn, teamWorker)
	srv := newServer(t, dsn)
	c := newClient(srv.URL(), tokens[teamWorker], 30*time.Second)
	state := filepath.Join(t.TempDir(), "witness.json") // "another machine"
	witness := func() (int, string, string) {
		return runBinary(t, bin, "audit", "witness", "--url", srv.URL(), "--state", state, "--key", vkey)
	}
	createReferrals := func(n int, tag string) {
		t.Helper()
		for i := range n {
			status, body, err := c.do(context.Background(), "POST", "/api/v1/referrals", "", referralBody("Fictief Getuige "+tag+letters(i, 3)))
			if err != nil || status != http.StatusCreated {
				t.Fatalf("create a referral: %d %s %v\n%s", status, body, err, srv.tail())
			}
		}
	}

	// 1. Audited requests, a checkpoint, the witness's first run.
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	createReferrals(3, "a")
	first := waitCheckpoint(t, srv, 1)
	if code, out, errs := witness(); code != 0 || !strings.Contains(out, "first run") {
		t.Fatalf("witness, first run: exit %d\nstdout %s\nstderr %s", code, out, errs)
	}

	// 2. The backup: the database file of a cleanly stopped server.
	srv.Stop()
	backup := filepath.Join(dir, "backup")
	copySQLite(t, dbFile, backup)

	// 3. The log grows; the witness follows it.
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	atBackup := latestCheckpoint(t, srv)
	createReferrals(20, "b")
	grown := waitCheckpoint(t, srv, atBackup.Size+1)
	if code, out, errs := witness(); code != 0 || !strings.Contains(out, "grew from size") {
		t.Fatalf("witness after growth: exit %d\nstdout %s\nstderr %s", code, out, errs)
	}

	// The independent verifier agrees, with nothing but the key.
	verify := verifierBinary(t)
	oldNote := filepath.Join(dir, "first.note")
	newNote := filepath.Join(dir, "grown.note")
	writeTestFile(t, oldNote, first.Note)
	writeTestFile(t, newNote, grown.Note)
	for _, args := range [][]string{
		{"checkpoint", "--key", vkey, "--url", srv.URL()},
		{"consistency", "--key", vkey, oldNote, newNote, "--url", srv.URL()},
	} {
		if code, out, errs := runBinary(t, verify, args...); code != 0 {
			t.Errorf("kansrijk-verify %s: exit %d\nstdout %s\nstderr %s", args[0], code, out, errs)
		}
	}

	// 4. The restore: stop, put the old file back, start, a little new
	// activity and a new checkpoint, smaller than what the witness saw.
	srv.Stop()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(dbFile + suffix); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	copySQLite(t, backup, dbFile)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	// (The restored server may have logged a few events of its own at
	// start, such as a retention run; what matters is the size.)
	back := latestCheckpoint(t, srv)
	if back.Size >= grown.Size {
		t.Fatalf("after the restore the log is at size %d, not below the %d the witness saw", back.Size, grown.Size)
	}
	createReferrals(1, "c")
	restored := waitCheckpoint(t, srv, back.Size+1)
	if restored.Size >= grown.Size {
		t.Fatalf("the restored log (size %d) outgrew what the witness saw (%d): the test needs more growth in step 3", restored.Size, grown.Size)
	}
	code, out, errs := witness()
	if code == 0 || !strings.Contains(errs, "ROLLBACK") {
		t.Errorf("witness after the restore: exit %d, want non-zero naming a ROLLBACK\nstdout %s\nstderr %s", code, out, errs)
	}
	t.Logf("the witness on the restored server: %s", strings.TrimSpace(errs))
	// The independent verifier says the same of the two checkpoints.
	restoredNote := filepath.Join(dir, "restored.note")
	writeTestFile(t, restoredNote, restored.Note)
	if code, _, errs := runBinary(t, verify, "consistency", "--key", vkey, newNote, restoredNote, "--url", srv.URL()); code != 1 || !strings.Contains(errs, "rolled back") {
		t.Errorf("kansrijk-verify consistency grown → restored: exit %d, stderr %s", code, errs)
	}
	srv.Stop()
}

// latest is the answer of /api/v1/audit/checkpoints/latest.
type latest struct {
	Origin    string `json:"origin"`
	Size      int64  `json:"size"`
	Root      string `json:"root"`
	Note      string `json:"note"`
	PublicKey string `json:"public_key"`
}

// latestCheckpoint fetches the latest checkpoint; a zero one before the first.
func latestCheckpoint(t *testing.T, s *Server) latest {
	t.Helper()
	resp, err := http.Get(s.URL() + "/api/v1/audit/checkpoints/latest")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var l latest
	switch resp.StatusCode {
	case http.StatusNotFound:
		return l
	case http.StatusOK:
		if err := json.Unmarshal(b, &l); err != nil {
			t.Fatalf("latest checkpoint: %v\n%s", err, b)
		}
		return l
	}
	t.Fatalf("latest checkpoint: %s\n%s", resp.Status, b)
	return l
}

// waitCheckpoint returns a checkpoint that covers at least size events. The
// server signs one every KANSRIJK_AUDIT_CHECKPOINT_INTERVAL (short here)
// and at shutdown: if none comes within a few seconds (a build that reads
// no interval signs every minute), a clean restart makes one. Either way
// the test asserts nothing about time.
func waitCheckpoint(t *testing.T, s *Server, size int64) latest {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if l := latestCheckpoint(t, s); l.Size >= size {
			return l
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.Stop()
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	l := latestCheckpoint(t, s)
	if l.Size < size {
		t.Fatalf("no checkpoint of size %d, even after a restart (latest: %d)\n%s", size, l.Size, s.tail())
	}
	return l
}

// verifierKeyOf derives the verifier key from a note private key file
// (PRIVATE+KEY+<name>+<hash>+<base64 of 0x01 and the Ed25519 seed>).
func verifierKeyOf(t *testing.T, keyFile string) string {
	t.Helper()
	b, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	skey := strings.TrimSpace(string(b))
	if _, err := note.NewSigner(skey); err != nil {
		t.Fatalf("%s does not hold a note private key: %v", keyFile, err)
	}
	// The base64 key may hold "+" too: cut the fields off from the left.
	rest, _ := strings.CutPrefix(skey, "PRIVATE+KEY+")
	name, rest, _ := strings.Cut(rest, "+")
	_, key64, _ := strings.Cut(rest, "+")
	raw, err := base64.StdEncoding.DecodeString(key64)
	if err != nil || len(raw) != 1+ed25519.SeedSize {
		t.Fatalf("the private key is not an Ed25519 seed")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(name, pub)
	if err != nil {
		t.Fatal(err)
	}
	return vkey
}

// copySQLite copies a stopped server's database (with its WAL files, if
// any) as a file backup does.
func copySQLite(t *testing.T, from, to string) {
	t.Helper()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(from + suffix)
		if os.IsNotExist(err) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func writeTestFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// runBinary runs a program and returns its exit status and output.
func runBinary(t *testing.T, bin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "KANSRIJK_LOG_LEVEL=warn")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String(), errb.String()
	}
	if err != nil {
		t.Fatalf("%s %s: %v", bin, strings.Join(args, " "), err)
	}
	return 0, out.String(), errb.String()
}

// verifierBinary builds cmd/kansrijk-verify.
func verifierBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kansrijk-verify")
	cmd := exec.Command("go", "build", "-o", bin, "kansrijk/cmd/kansrijk-verify")
	cmd.Dir = moduleRoot()
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build kansrijk-verify: %v\n%s", err, out)
	}
	return bin
}
