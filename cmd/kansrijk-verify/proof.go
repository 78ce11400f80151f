package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"golang.org/x/mod/sumdb/tlog"
)

// bundleFormat is the format of the proof bundles this program reads.
const bundleFormat = "kansrijk-audit-proof/v1"

// bundle is what the family view downloads for one line of the access log:
// the record, its place in the log, the proof that it is there, and the
// signed checkpoint the proof leads to. The verifier key is not in it: the
// key must come from elsewhere, or anyone could sign their own bundle.
type bundle struct {
	Format     string   `json:"format"`
	LeafIndex  int64    `json:"leaf_index"`
	Record     string   `json:"record"`
	Proof      []string `json:"proof"`
	Checkpoint string   `json:"checkpoint"`
}

// record is the canonical record of one access, version 1. The field order
// is the canonical one: encoding/json of this struct, compact, gives the
// bytes that are hashed into the log.
type record struct {
	V            int    `json:"v"`
	ID           int64  `json:"id"`
	At           string `json:"at"`
	ActorRole    string `json:"actor_role"`
	ActorOrg     string `json:"actor_org"`
	ActorService bool   `json:"actor_service"`
	Channel      string `json:"channel"`
	Action       string `json:"action"`
	ObjectType   string `json:"object_type"`
	ObjectID     string `json:"object_id"`
	ReceiptCode  string `json:"receipt_code"`
	Purpose      string `json:"purpose"`
	AgreementID  int64  `json:"agreement_id"` // 0: none
	Outcome      string `json:"outcome"`
	Private      string `json:"private"`
}

// checkedBundle is what verifyBundle found to hold.
type checkedBundle struct {
	Checkpoint checkpoint
	Index      int64
	Record     record
	Canonical  bool // the record's bytes are exactly its canonical form
}

// verifyBundle checks a proof bundle with the verifier key: the checkpoint
// is signed by the key, and the record is leaf LeafIndex of the tree the
// checkpoint signs.
func verifyBundle(data []byte, vkey string) (checkedBundle, error) {
	var b bundle
	if err := json.Unmarshal(data, &b); err != nil {
		return checkedBundle{}, fmt.Errorf("the bundle is not JSON: %v", err)
	}
	if b.Format != bundleFormat {
		return checkedBundle{}, fmt.Errorf("the bundle's format is %q, want %q", b.Format, bundleFormat)
	}
	c, err := openCheckpoint([]byte(b.Checkpoint), vkey)
	if err != nil {
		return checkedBundle{}, err
	}
	if b.LeafIndex < 0 || b.LeafIndex >= c.Size {
		return checkedBundle{}, fmt.Errorf("leaf %d is not in a log of size %d", b.LeafIndex, c.Size)
	}
	proof, err := decodeHashes(b.Proof)
	if err != nil {
		return checkedBundle{}, fmt.Errorf("the inclusion proof: %v", err)
	}
	leaf := tlog.RecordHash([]byte(b.Record))
	if err := tlog.CheckRecord(tlog.RecordProof(proof), c.Size, c.Root, b.LeafIndex, leaf); err != nil {
		return checkedBundle{}, fmt.Errorf("the record is not leaf %d of the signed log of size %d (the record or the proof was changed): %v",
			b.LeafIndex, c.Size, err)
	}
	var r record
	if err := json.Unmarshal([]byte(b.Record), &r); err != nil {
		return checkedBundle{}, fmt.Errorf("the record is in the log but is not JSON: %v", err)
	}
	if r.V != 1 {
		return checkedBundle{}, fmt.Errorf("the record is in the log but has version %d; this program reads version 1", r.V)
	}
	canon, err := json.Marshal(r)
	if err != nil {
		return checkedBundle{}, err
	}
	return checkedBundle{Checkpoint: c, Index: b.LeafIndex, Record: r, Canonical: bytes.Equal(canon, []byte(b.Record))}, nil
}

// decodeHashes decodes base64 SHA-256 hashes.
func decodeHashes(in []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(in))
	for i, s := range in {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != tlog.HashSize {
			return nil, fmt.Errorf("hash %d (%q) is not a base64 SHA-256 hash", i, s)
		}
		copy(out[i][:], b)
	}
	return out, nil
}

func proofCmd(args []string, stdout io.Writer) error {
	var o options
	rest, err := parse("proof", args, &o)
	if err != nil {
		return err
	}
	vkey, err := o.verifierKey("proof")
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return &usageError{"proof needs one BUNDLE.json file"}
	}
	data, err := os.ReadFile(rest[0])
	if err != nil {
		return err
	}
	cb, err := verifyBundle(data, vkey)
	if err != nil {
		return err
	}
	r := cb.Record
	fmt.Fprintf(stdout, "OK: the record is leaf %d of the log, under a checkpoint signed by the key\n", cb.Index)
	fmt.Fprintf(stdout, "  checkpoint:   %s\n", cb.Checkpoint.describe())
	fmt.Fprintf(stdout, "  action:       %s (outcome %s)\n", r.Action, r.Outcome)
	fmt.Fprintf(stdout, "  at:           %s\n", r.At)
	fmt.Fprintf(stdout, "  organisation: %s (role %s, channel %s)\n", r.ActorOrg, r.ActorRole, r.Channel)
	fmt.Fprintf(stdout, "  object:       %s %s\n", r.ObjectType, r.ObjectID)
	fmt.Fprintf(stdout, "  purpose:      %s\n", r.Purpose)
	if r.AgreementID != 0 {
		fmt.Fprintf(stdout, "  agreement:    %d\n", r.AgreementID)
	} else {
		fmt.Fprintf(stdout, "  agreement:    none\n")
	}
	if !cb.Canonical {
		fmt.Fprintf(stdout, "  note: the record's text is not in the canonical form of version 1 (field order or spacing differ)\n")
	}
	return nil
}
