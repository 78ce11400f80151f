package cli

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// A witness keeps the operator of the access log honest from outside.
// Signed checkpoints and consistency proofs show that the log only grows
// as long as someone remembers what it looked like before: an operator who
// restores an older backup, or who rewrites the log and signs again, serves
// checkpoints that are each validly signed. The witness runs elsewhere (the
// DPO's or the supervisor's machine, daily), remembers the last checkpoint
// it accepted, and refuses any checkpoint that does not extend it.
//
// It talks only to the public JSON API (/api/v1/audit/…) and trusts only
// the verifier key: the first one it was given (--key) or, without --key,
// the one the log presented on the first run (trust on first use, which
// it says).

// witnessState is what the witness keeps between runs (the --state file):
// the key it trusts and the last signed checkpoint it accepted, verbatim.
type witnessState struct {
	URL       string    `json:"url"`
	PublicKey string    `json:"public_key"`
	Note      string    `json:"note"`
	SeenAt    time.Time `json:"seen_at"`
}

// witnessAlarm is a finding that the log was tampered with or replaced:
// the witness exits non-zero and keeps its state as it was.
type witnessAlarm struct{ kind, detail string }

func (a *witnessAlarm) Error() string {
	return fmt.Sprintf("witness alarm: %s: %s", a.kind, a.detail)
}

// The kinds of alarm.
const (
	alarmRollback     = "ROLLBACK"
	alarmFork         = "FORK"
	alarmBadSignature = "BAD SIGNATURE"
	alarmKeyChange    = "KEY CHANGE"
	alarmOriginChange = "ORIGIN CHANGE"
)

// witnessHTTP fetches from the log; a witness run is a few small requests.
var witnessHTTP = &http.Client{Timeout: time.Minute}

func auditWitness(ctx context.Context, args []string, env Env) error {
	fs := flags("audit witness", env)
	base := fs.String("url", "", "base address of the Kansrijk server")
	statePath := fs.String("state", "", "file keeping the last checkpoint seen")
	key := fs.String("key", "", "verifier key of the log (from a trusted channel)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *base == "" || *statePath == "" {
		return &usageError{"audit witness needs --url BASE_URL and --state FILE", usage}
	}
	if *key != "" {
		if _, err := note.NewVerifier(*key); err != nil {
			return &usageError{fmt.Sprintf("--key is not a verifier key: %v", err), usage}
		}
	}
	state, err := readWitnessState(*statePath)
	if err != nil {
		return err
	}

	// The key the witness trusts.
	trusted := *key
	if state != nil {
		if *key != "" && *key != state.PublicKey {
			return &witnessAlarm{alarmKeyChange, fmt.Sprintf("--key %s differs from the key %s this witness has trusted since %s; "+
				"if the operator really changed the key, check the new one through a trusted channel and start a new state file",
				*key, state.PublicKey, state.SeenAt.Format(time.RFC3339))}
		}
		trusted = state.PublicKey
	}

	var latest struct {
		Note      string `json:"note"`
		PublicKey string `json:"public_key"`
	}
	if err := witnessGet(ctx, *base, "/api/v1/audit/checkpoints/latest", &latest); err != nil {
		if state != nil && errors.Is(err, errWitnessNotFound) {
			return &witnessAlarm{alarmRollback, fmt.Sprintf("%s has no signed checkpoint, but this witness saw one before (%s)", *base, describeNote(state.Note))}
		}
		return err
	}
	tofu := trusted == ""
	if tofu {
		if _, err := note.NewVerifier(latest.PublicKey); err != nil {
			return fmt.Errorf("first run without --key: the log presents no valid verifier key (%q)", latest.PublicKey)
		}
		trusted = latest.PublicKey
	}
	cur, err := openWitnessCheckpoint(latest.Note, trusted)
	if err != nil {
		if latest.PublicKey != "" && latest.PublicKey != trusted {
			return &witnessAlarm{alarmKeyChange, fmt.Sprintf("the log now presents the key %s and its checkpoint is not signed by the trusted key %s (%v)",
				latest.PublicKey, trusted, err)}
		}
		var oc *originChange
		if errors.As(err, &oc) {
			return &witnessAlarm{alarmOriginChange, err.Error()}
		}
		return &witnessAlarm{alarmBadSignature, err.Error()}
	}

	if state == nil {
		if err := writeWitnessState(*statePath, witnessState{URL: *base, PublicKey: trusted, Note: latest.Note, SeenAt: time.Now().UTC()}); err != nil {
			return err
		}
		if tofu {
			fmt.Fprintf(env.Stdout, "first run: trusting on first use the key the log presents, %s\n"+
				"  check it against the key published through a trusted channel (README, the DPO)\n", trusted)
		} else {
			fmt.Fprintf(env.Stdout, "first run: the checkpoint is signed by the given key %s\n", trusted)
		}
		fmt.Fprintf(env.Stdout, "  recorded %s in %s\n", cur.describe(), *statePath)
		return nil
	}

	prev, err := openWitnessCheckpoint(state.Note, state.PublicKey)
	if err != nil {
		return fmt.Errorf("the state file %s does not hold a checkpoint signed by its key: %v", *statePath, err)
	}
	switch {
	case cur.Origin != prev.Origin:
		return &witnessAlarm{alarmOriginChange, fmt.Sprintf("the log is now %q, it was %q", cur.Origin, prev.Origin)}
	case cur.Size < prev.Size:
		return &witnessAlarm{alarmRollback, fmt.Sprintf("the log has size %d (checkpoint of %s), but this witness saw size %d (checkpoint of %s, seen %s): "+
			"records were removed, e.g. by restoring an older backup",
			cur.Size, cur.Time.Format(time.RFC3339), prev.Size, prev.Time.Format(time.RFC3339), state.SeenAt.Format(time.RFC3339))}
	case cur.Size == prev.Size && cur.Root != prev.Root:
		return &witnessAlarm{alarmFork, fmt.Sprintf("two checkpoints of size %d with different roots (%s, seen %s, and %s): the log was rewritten",
			cur.Size, prev.Root, state.SeenAt.Format(time.RFC3339), cur.Root)}
	case cur.Size > prev.Size && prev.Size > 0:
		var p struct {
			Old   int64    `json:"old"`
			New   int64    `json:"new"`
			Proof []string `json:"proof"`
		}
		q := url.Values{"old": {strconv.FormatInt(prev.Size, 10)}, "new": {strconv.FormatInt(cur.Size, 10)}}
		if err := witnessGet(ctx, *base, "/api/v1/audit/proof/consistency?"+q.Encode(), &p); err != nil {
			return fmt.Errorf("consistency of size %d with size %d: %w", prev.Size, cur.Size, err)
		}
		hashes, err := decodeWitnessHashes(p.Proof)
		if err != nil || p.Old != prev.Size || p.New != cur.Size {
			return &witnessAlarm{alarmFork, fmt.Sprintf("the log answered no valid consistency proof from size %d to %d", prev.Size, cur.Size)}
		}
		if err := tlog.CheckTree(tlog.TreeProof(hashes), cur.Size, cur.Root, prev.Size, prev.Root); err != nil {
			return &witnessAlarm{alarmFork, fmt.Sprintf("the log of size %d does not contain the log of size %d this witness saw (seen %s) unchanged: "+
				"it was rewritten or forked (%v)", cur.Size, prev.Size, state.SeenAt.Format(time.RFC3339), err)}
		}
	}

	if err := writeWitnessState(*statePath, witnessState{URL: *base, PublicKey: trusted, Note: latest.Note, SeenAt: time.Now().UTC()}); err != nil {
		return err
	}
	if cur.Size == prev.Size {
		fmt.Fprintf(env.Stdout, "OK: the log is unchanged at size %d (%s)\n", cur.Size, cur.describe())
	} else {
		fmt.Fprintf(env.Stdout, "OK: the log grew from size %d to %d and contains what this witness saw before\n  recorded %s\n", prev.Size, cur.Size, cur.describe())
	}
	return nil
}

// witnessCheckpoint is a parsed checkpoint body (C2SP tlog-checkpoint with
// a "time" extension line).
type witnessCheckpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
	Time   time.Time
}

func (c witnessCheckpoint) describe() string {
	return fmt.Sprintf("log %s, size %d, root %s, signed at %s", c.Origin, c.Size, c.Root, c.Time.UTC().Format(time.RFC3339))
}

// originChange is a checkpoint signed by the key but for another log.
type originChange struct{ origin, name string }

func (e *originChange) Error() string {
	return fmt.Sprintf("the checkpoint is of the log %q, but the key is that of %q", e.origin, e.name)
}

// openWitnessCheckpoint checks that text is a note signed by vkey and
// parses its body; the origin must be the key's name.
func openWitnessCheckpoint(text, vkey string) (witnessCheckpoint, error) {
	var c witnessCheckpoint
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return c, fmt.Errorf("verifier key: %v", err)
	}
	n, err := note.Open([]byte(text), note.VerifierList(v))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		if errors.As(err, &unverified) {
			return c, fmt.Errorf("the checkpoint is not signed by the key %s+%08x", v.Name(), v.KeyHash())
		}
		return c, fmt.Errorf("the checkpoint is not validly signed: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	// n.Text ends with a newline, so the last element is empty.
	if len(lines) < 4 || lines[0] == "" {
		return c, fmt.Errorf("malformed checkpoint %q", n.Text)
	}
	c.Origin = lines[0]
	if c.Size, err = strconv.ParseInt(lines[1], 10, 64); err != nil || c.Size < 0 {
		return c, fmt.Errorf("malformed checkpoint size %q", lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return c, fmt.Errorf("malformed checkpoint root %q", lines[2])
	}
	copy(c.Root[:], root)
	for _, l := range lines[3:] {
		if t, ok := strings.CutPrefix(l, "time "); ok {
			if c.Time, err = time.Parse(time.RFC3339, t); err != nil {
				return c, fmt.Errorf("malformed checkpoint time %q", t)
			}
		}
	}
	if c.Time.IsZero() {
		return c, fmt.Errorf("the checkpoint has no time line")
	}
	if c.Origin != v.Name() {
		return c, &originChange{c.Origin, v.Name()}
	}
	return c, nil
}

// describeNote describes a stored checkpoint without checking it.
func describeNote(text string) string {
	body, _, _ := strings.Cut(text, "\n\n")
	return strings.ReplaceAll(strings.TrimSpace(body), "\n", " ")
}

func decodeWitnessHashes(in []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(in))
	for i, s := range in {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != tlog.HashSize {
			return nil, fmt.Errorf("hash %d is not a base64 SHA-256 hash", i)
		}
		copy(out[i][:], b)
	}
	return out, nil
}

// errWitnessNotFound is a 404 from the log.
var errWitnessNotFound = errors.New("not found")

// witnessGet fetches base+path and decodes the JSON answer into v.
func witnessGet(ctx context.Context, base, path string, v any) error {
	u := strings.TrimRight(base, "/") + path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return &usageError{fmt.Sprintf("--url: %v", err), usage}
	}
	req.Header.Set("Accept", "application/json")
	resp, err := witnessHTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	if resp.StatusCode == http.StatusNotFound {
		return fmt.Errorf("GET %s: %s: %w", u, resp.Status, errWitnessNotFound)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if json.Unmarshal(b, &e) == nil && e.Error.Code != "" {
			return fmt.Errorf("GET %s: %s (%s: %s)", u, resp.Status, e.Error.Code, e.Error.Message)
		}
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("GET %s: not the expected JSON: %v", u, err)
	}
	return nil
}

// readWitnessState reads the state file; nil, nil when there is none yet.
func readWitnessState(path string) (*witnessState, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var s witnessState
	if err := json.Unmarshal(b, &s); err != nil || s.PublicKey == "" || s.Note == "" {
		return nil, fmt.Errorf("the state file %s is not a witness state (remove it only to start over, trusting the log anew)", path)
	}
	return &s, nil
}

// writeWitnessState replaces the state file atomically: a temporary file
// in the same directory, synced, renamed over the old one, so that a crash
// leaves either the old state or the new one, never half of one.
func writeWitnessState(path string, s witnessState) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("write the witness state %s: %w", path, err)
		}
	}()
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // a no-op after the rename
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
