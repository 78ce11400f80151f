// Package auditlog makes the audit log verifiable: every audit event,
// once committed, becomes a leaf of an append-only RFC 6962 Merkle tree
// (golang.org/x/mod/sumdb/tlog) whose hashes the store keeps, and the tree
// is signed at least every minute as a C2SP checkpoint (a signed note,
// Ed25519). Anyone with the verifier key can check inclusion and
// consistency proofs against a checkpoint; `kansrijk audit verify`
// recomputes everything from the events and finds any change made behind
// the application's back.
//
// The canonical record of an event (record.go) is defined here only. The
// store keeps the SQL (internal/store/auditlog.go); this package keeps the
// tree logic, the keys and the format.
package auditlog

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"kansrijk/internal/apperr"
	"kansrijk/internal/store"
)

// DefaultOrigin is the checkpoint origin and key name unless
// KANSRIJK_AUDIT_ORIGIN sets another.
const DefaultOrigin = "kansrijk/audit-log"

// BundleFormat names the format of a proof bundle.
const BundleFormat = "kansrijk-audit-proof/v1"

// CodeInvalidInput is the API error code of a proof request outside the
// signed tree.
const CodeInvalidInput = "invalid_input"

// Checkpoint is a signed checkpoint of the tree: Note is the signed note
// text, verbatim.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
	Time   time.Time
	Note   string
}

// Verification is the result of a verification of the whole log.
type Verification struct {
	At      time.Time
	OK      bool
	Size    int64
	Message string
}

// Config configures a Log.
type Config struct {
	// Origin of the checkpoints; DefaultOrigin when empty.
	Origin string
	// PrivateKey is a note signer key (PRIVATE+KEY+…). Without it the Log
	// can serve proofs and verify (given VerifierKey) but signs nothing.
	PrivateKey string
	// VerifierKey checks checkpoint signatures; derived from PrivateKey
	// when empty.
	VerifierKey string
}

// Log is the verifiable audit log over a store.
type Log struct {
	db       *store.DB
	origin   string
	signer   note.Signer
	verifier note.Verifier
	vkey     string
	// Now is the clock of checkpoints and verifications; nil: the
	// store's clock (db.Now), which also dates the events.
	Now func() time.Time
}

func (l *Log) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return l.db.Now()
}

// New returns the log over db.
func New(db *store.DB, cfg Config) (*Log, error) {
	l := &Log{db: db, origin: cfg.Origin}
	if l.origin == "" {
		l.origin = DefaultOrigin
	}
	if cfg.PrivateKey != "" {
		s, err := note.NewSigner(cfg.PrivateKey)
		if err != nil {
			return nil, fmt.Errorf("audit log signing key: %w", err)
		}
		l.signer = s
		if cfg.VerifierKey == "" {
			if cfg.VerifierKey, err = VerifierKey(cfg.PrivateKey); err != nil {
				return nil, err
			}
		}
	}
	if cfg.VerifierKey != "" {
		v, err := note.NewVerifier(cfg.VerifierKey)
		if err != nil {
			return nil, fmt.Errorf("audit log verifier key: %w", err)
		}
		l.verifier, l.vkey = v, cfg.VerifierKey
	}
	return l, nil
}

// Origin returns the origin line of the log's checkpoints.
func (l *Log) Origin() string { return l.origin }

// PublicKey returns the verifier key of the checkpoints
// (<name>+<hash>+<base64>), "" when none is configured.
func (l *Log) PublicKey() string { return l.vkey }

// CanSign reports whether the log has a signing key.
func (l *Log) CanSign() bool { return l.signer != nil }

// GenerateKey returns a new Ed25519 note key pair named name.
func GenerateKey(name string) (skey, vkey string, err error) {
	return note.GenerateKey(rand.Reader, name)
}

// VerifierKey derives the verifier key of a note signer key.
func VerifierKey(skey string) (string, error) {
	// PRIVATE+KEY+<name>+<hash>+<base64 of algorithm byte and seed>; the
	// base64 part may hold '+' too.
	rest, ok := strings.CutPrefix(skey, "PRIVATE+KEY+")
	name, rest, ok2 := strings.Cut(rest, "+")
	_, key, ok3 := strings.Cut(rest, "+")
	if !ok || !ok2 || !ok3 {
		return "", errors.New("audit log signing key: not a note private key (PRIVATE+KEY+…)")
	}
	raw, err := base64.StdEncoding.DecodeString(key)
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return "", errors.New("audit log signing key: not an Ed25519 note key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(name, pub)
}

// KeyFromEnv reads the signing key from KANSRIJK_AUDIT_KEY or the file
// named by KANSRIJK_AUDIT_KEY_FILE; "" when neither is set.
func KeyFromEnv(getenv func(string) string) (string, error) {
	if k := strings.TrimSpace(getenv("KANSRIJK_AUDIT_KEY")); k != "" {
		return k, nil
	}
	if f := getenv("KANSRIJK_AUDIT_KEY_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", fmt.Errorf("KANSRIJK_AUDIT_KEY_FILE: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return "", nil
}

// checkpointBody is the C2SP tlog-checkpoint body with a time extension
// line.
func checkpointBody(origin string, size int64, root tlog.Hash, t time.Time) string {
	return fmt.Sprintf("%s\n%d\n%s\ntime %s\n", origin, size, base64.StdEncoding.EncodeToString(root[:]), t.UTC().Format(time.RFC3339))
}

// ParseCheckpoint parses the body of a checkpoint note (note.Note.Text).
func ParseCheckpoint(text string) (Checkpoint, error) {
	var c Checkpoint
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 || !strings.HasSuffix(text, "\n") {
		return c, errors.New("checkpoint: want origin, size and root lines")
	}
	c.Origin = lines[0]
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != lines[1] {
		return c, fmt.Errorf("checkpoint: bad size %q", lines[1])
	}
	c.Size = n
	h, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(h) != tlog.HashSize {
		return c, fmt.Errorf("checkpoint: bad root %q", lines[2])
	}
	copy(c.Root[:], h)
	for _, ext := range lines[3:] {
		if v, ok := strings.CutPrefix(ext, "time "); ok {
			if c.Time, err = time.Parse(time.RFC3339, v); err != nil {
				return c, fmt.Errorf("checkpoint: bad time %q", v)
			}
		}
	}
	return c, nil
}

// OpenCheckpoint checks a signed checkpoint note with the verifier key
// vkey and parses it.
func OpenCheckpoint(msg []byte, vkey string) (Checkpoint, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return Checkpoint{}, err
	}
	return openCheckpoint(msg, v)
}

func openCheckpoint(msg []byte, v note.Verifier) (Checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, err
	}
	c, err := ParseCheckpoint(n.Text)
	c.Note = string(msg)
	return c, err
}

// Latest returns the latest signed checkpoint (of the largest size);
// apperr.NotFound before the first.
func (l *Log) Latest(ctx context.Context) (Checkpoint, error) {
	sc, err := l.db.LatestAuditCheckpoint(ctx)
	if err != nil {
		return Checkpoint{}, err
	}
	n, err := note.Open([]byte(sc.Note), note.VerifierList(l.anyVerifier()))
	var text string
	switch {
	case err == nil:
		text = n.Text
	default:
		// Without a verifier key (or with another one) the body is still
		// served as stored: verification is the reader's business.
		text, _, _ = strings.Cut(sc.Note, "\n\n")
		text += "\n"
	}
	c, perr := ParseCheckpoint(text)
	if perr != nil {
		return Checkpoint{}, fmt.Errorf("stored checkpoint %d: %w", sc.ID, perr)
	}
	c.Note = sc.Note
	return c, nil
}

// anyVerifier is the log's verifier, or one that knows no key.
func (l *Log) anyVerifier() note.Verifier {
	if l.verifier != nil {
		return l.verifier
	}
	return noVerifier{}
}

type noVerifier struct{}

func (noVerifier) Name() string                { return "" }
func (noVerifier) KeyHash() uint32             { return 0 }
func (noVerifier) Verify(msg, sig []byte) bool { return false }

// InclusionProof proves that leaf index is in the tree of size leaves.
// 0 ≤ index < size ≤ the latest checkpoint's size, else invalid_input.
func (l *Log) InclusionProof(ctx context.Context, index, size int64) (tlog.RecordProof, error) {
	latest, err := l.latestSize(ctx)
	if err != nil {
		return nil, err
	}
	if size <= 0 || size > latest {
		return nil, apperr.FieldErr(CodeInvalidInput, "size", "size must be from 1 to %d, the size of the latest signed checkpoint", latest)
	}
	if index < 0 || index >= size {
		return nil, apperr.FieldErr(CodeInvalidInput, "index", "index must be from 0 to size-1")
	}
	return tlog.ProveRecord(size, index, l.db.AuditProofReader(ctx, size))
}

// ConsistencyProof proves that the tree of old leaves is a prefix of the
// tree of new leaves. 0 < old ≤ new ≤ the latest checkpoint's size, else
// invalid_input.
func (l *Log) ConsistencyProof(ctx context.Context, old, new int64) (tlog.TreeProof, error) {
	latest, err := l.latestSize(ctx)
	if err != nil {
		return nil, err
	}
	if new <= 0 || new > latest {
		return nil, apperr.FieldErr(CodeInvalidInput, "new", "new must be from 1 to %d, the size of the latest signed checkpoint", latest)
	}
	if old <= 0 || old > new {
		return nil, apperr.FieldErr(CodeInvalidInput, "old", "old must be from 1 to new")
	}
	return tlog.ProveTree(new, old, l.db.AuditProofReader(ctx, new))
}

// WarmProofs loads into memory the upper levels of the tree of the latest
// checkpoint, which proofs then need not read from the database
// (store.WarmAuditProofs). Nothing before the first checkpoint.
func (l *Log) WarmProofs(ctx context.Context) error {
	size, err := l.latestSize(ctx)
	if err != nil || size == 0 {
		return err
	}
	return l.db.WarmAuditProofs(ctx, size)
}

func (l *Log) latestSize(ctx context.Context) (int64, error) {
	c, err := l.db.LatestAuditCheckpoint(ctx)
	if apperr.Is(err, apperr.NotFound) {
		return 0, nil
	}
	return c.Size, err
}

// Bundle is the proof bundle of one leaf: its canonical record, its
// inclusion proof and the checkpoint the proof leads to.
type Bundle struct {
	Format     string   `json:"format"`
	LeafIndex  int64    `json:"leaf_index"`
	Record     string   `json:"record"`
	Proof      []string `json:"proof"`
	Checkpoint string   `json:"checkpoint"`
}

// Bundle returns the JSON proof bundle of a leaf against the latest
// checkpoint; apperr.NotFound when the leaf is not (yet) under a
// checkpoint. The verifier key is not in it: whoever checks it must get
// that key separately.
func (l *Log) Bundle(ctx context.Context, leafIndex int64) ([]byte, error) {
	sc, err := l.db.LatestAuditCheckpoint(ctx)
	if err != nil {
		return nil, err
	}
	if leafIndex < 0 || leafIndex >= sc.Size {
		return nil, apperr.New(apperr.NotFound, "leaf %d is not under a signed checkpoint yet", leafIndex)
	}
	rec, err := l.db.AuditLeaf(ctx, leafIndex)
	if err != nil {
		return nil, err
	}
	p, err := tlog.ProveRecord(sc.Size, leafIndex, l.db.AuditProofReader(ctx, sc.Size))
	if err != nil {
		return nil, err
	}
	return json.Marshal(Bundle{Format: BundleFormat, LeafIndex: leafIndex, Record: string(Record(rec.Event, rec.Salt)),
		Proof: EncodeHashes(p), Checkpoint: sc.Note})
}

// EncodeHashes encodes hashes in base64 (standard encoding).
func EncodeHashes(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return out
}

// LastVerification returns the newest stored verification result;
// apperr.NotFound before the first.
func (l *Log) LastVerification(ctx context.Context) (Verification, error) {
	v, err := l.db.LastAuditVerification(ctx)
	return Verification(v), err
}

// LeafHash returns the stored hash of leaf index.
func (l *Log) LeafHash(ctx context.Context, index int64) (tlog.Hash, error) {
	hs, err := l.db.AuditHashReader(ctx).ReadHashes([]int64{tlog.StoredHashIndex(0, index)})
	if err != nil {
		return tlog.Hash{}, err
	}
	return hs[0], nil
}
