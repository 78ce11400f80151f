package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"

	"golang.org/x/mod/sumdb/tlog"
)

// consistencyProof is the JSON of /api/v1/audit/proof/consistency.
type consistencyProof struct {
	Old   int64    `json:"old"`
	New   int64    `json:"new"`
	Proof []string `json:"proof"`
}

// verifyConsistency checks that the tree of newer contains the tree of
// older unchanged, with the proof p (unused when the sizes are equal or
// the older tree is empty).
func verifyConsistency(older, newer checkpoint, p consistencyProof) error {
	switch {
	case older.Size > newer.Size:
		return fmt.Errorf("the newer checkpoint (size %d) is smaller than the older one (size %d): the log was rolled back", newer.Size, older.Size)
	case older.Size == newer.Size:
		if older.Root != newer.Root {
			return fmt.Errorf("two checkpoints of size %d with different roots: the log was forked or rewritten", older.Size)
		}
		return nil
	case older.Size == 0:
		return nil
	}
	if p.Old != older.Size || p.New != newer.Size {
		return fmt.Errorf("the proof is between sizes %d and %d, the checkpoints have sizes %d and %d", p.Old, p.New, older.Size, newer.Size)
	}
	hashes, err := decodeHashes(p.Proof)
	if err != nil {
		return fmt.Errorf("the consistency proof: %v", err)
	}
	if err := tlog.CheckTree(tlog.TreeProof(hashes), newer.Size, newer.Root, older.Size, older.Root); err != nil {
		return fmt.Errorf("the log of size %d does not extend the log of size %d (forked or rewritten): %v", newer.Size, older.Size, err)
	}
	return nil
}

func consistencyCmd(ctx context.Context, args []string, stdout io.Writer) error {
	var o options
	rest, err := parse("consistency", args, &o)
	if err != nil {
		return err
	}
	vkey, err := o.verifierKey("consistency")
	if err != nil {
		return err
	}
	if len(rest) != 2 {
		return &usageError{"consistency needs two files: OLD.note NEW.note"}
	}
	if (o.url == "") == (o.proof == "") {
		return &usageError{"consistency needs either --url BASE or --proof FILE"}
	}
	var cps [2]checkpoint
	for i, path := range rest {
		text, err := readNote(path)
		if err != nil {
			return err
		}
		if cps[i], err = openCheckpoint(text, vkey); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	older, newer := cps[0], cps[1]
	var p consistencyProof
	if older.Size > 0 && older.Size < newer.Size {
		if o.proof != "" {
			b, err := os.ReadFile(o.proof)
			if err != nil {
				return err
			}
			if err := json.Unmarshal(b, &p); err != nil {
				return fmt.Errorf("%s: not a consistency proof: %v", o.proof, err)
			}
		} else {
			q := url.Values{"old": {strconv.FormatInt(older.Size, 10)}, "new": {strconv.FormatInt(newer.Size, 10)}}
			if err := getJSON(ctx, o.url, "/api/v1/audit/proof/consistency?"+q.Encode(), &p); err != nil {
				return err
			}
		}
	}
	if err := verifyConsistency(older, newer, p); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "OK: both checkpoints are signed by the key, and the newer log contains the older one unchanged\n")
	fmt.Fprintf(stdout, "  older: %s\n  newer: %s\n", older.describe(), newer.describe())
	return nil
}
