package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// checkpoint is the signed statement of the log's state: its origin (the
// log's name), its size (number of records) and the Merkle tree hash of
// those records, and when it was signed.
type checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
	Time   time.Time
}

// openCheckpoint checks that text is a note signed by vkey and parses its
// body as a checkpoint (C2SP tlog-checkpoint with a "time" extension line):
//
//	<origin>
//	<size>
//	<base64 root hash>
//	time <RFC 3339 UTC>
//
// The origin must be the key's name: a checkpoint of another log, even
// signed with the right key, is refused.
func openCheckpoint(text []byte, vkey string) (checkpoint, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return checkpoint{}, &usageError{fmt.Sprintf("the verifier key %q is not valid: %v", vkey, err)}
	}
	n, err := note.Open(text, note.VerifierList(v))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		switch {
		case errors.As(err, &unverified):
			var by []string
			for _, s := range unverified.Note.UnverifiedSigs {
				by = append(by, fmt.Sprintf("%s+%08x", s.Name, s.Hash))
			}
			return checkpoint{}, fmt.Errorf("the checkpoint is not signed by the key %s+%08x (it is signed by %s)",
				v.Name(), v.KeyHash(), strings.Join(by, ", "))
		case errors.As(err, &invalid):
			return checkpoint{}, fmt.Errorf("the checkpoint's signature by %s+%08x is not valid: its text was changed or the signature forged", invalid.Name, invalid.Hash)
		}
		return checkpoint{}, fmt.Errorf("the checkpoint is not a signed note: %v", err)
	}
	c, err := parseCheckpoint(n.Text)
	if err != nil {
		return checkpoint{}, err
	}
	if c.Origin != v.Name() {
		return checkpoint{}, fmt.Errorf("the checkpoint is of the log %q, but the key is that of %q", c.Origin, v.Name())
	}
	return c, nil
}

// parseCheckpoint parses the body of a signed checkpoint.
func parseCheckpoint(text string) (checkpoint, error) {
	var c checkpoint
	bad := func(format string, args ...any) (checkpoint, error) {
		return checkpoint{}, fmt.Errorf("malformed checkpoint: "+format, args...)
	}
	if !strings.HasSuffix(text, "\n") {
		return bad("no final newline")
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return bad("%d lines, want at least origin, size and root", len(lines))
	}
	if c.Origin = lines[0]; c.Origin == "" {
		return bad("empty origin")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return bad("size %q is not a number", lines[1])
	}
	c.Size = size
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return bad("root %q is not a base64 SHA-256 hash", lines[2])
	}
	copy(c.Root[:], root)
	for _, l := range lines[3:] {
		if v, ok := strings.CutPrefix(l, "time "); ok {
			if !c.Time.IsZero() {
				return bad("two time lines")
			}
			if c.Time, err = time.Parse(time.RFC3339, v); err != nil {
				return bad("time %q is not RFC 3339", v)
			}
		}
	}
	if c.Time.IsZero() {
		return bad("no time line")
	}
	return c, nil
}

// readNote reads a signed checkpoint from a file: the note text itself, or
// JSON holding it as "note" (/api/v1/audit/checkpoints/latest, a witness's
// state file) or as "checkpoint" (a proof bundle).
func readNote(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if t := strings.TrimSpace(string(b)); strings.HasPrefix(t, "{") {
		var v struct {
			Note       string `json:"note"`
			Checkpoint string `json:"checkpoint"`
		}
		if err := json.Unmarshal(b, &v); err != nil || v.Note == "" && v.Checkpoint == "" {
			return nil, fmt.Errorf("%s: JSON without a \"note\" or \"checkpoint\" field", path)
		}
		if v.Note != "" {
			return []byte(v.Note), nil
		}
		return []byte(v.Checkpoint), nil
	}
	return b, nil
}

// describe is the one-line account of a verified checkpoint.
func (c checkpoint) describe() string {
	return fmt.Sprintf("log %s, size %d, root %s, signed at %s", c.Origin, c.Size, c.Root, c.Time.UTC().Format(time.RFC3339))
}

func checkpointCmd(ctx context.Context, args []string, stdout io.Writer) error {
	var o options
	rest, err := parse("checkpoint", args, &o)
	if err != nil {
		return err
	}
	vkey, err := o.verifierKey("checkpoint")
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return &usageError{fmt.Sprintf("checkpoint: unexpected argument %q", rest[0])}
	}
	if o.url == "" {
		return &usageError{"checkpoint needs --url BASE"}
	}
	var latest struct {
		Note string `json:"note"`
	}
	if err := getJSON(ctx, o.url, "/api/v1/audit/checkpoints/latest", &latest); err != nil {
		return err
	}
	c, err := openCheckpoint([]byte(latest.Note), vkey)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "OK: the latest checkpoint of %s is signed by the key\n  %s\n", o.url, c.describe())
	return nil
}
