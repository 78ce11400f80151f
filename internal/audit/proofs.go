package audit

import (
	"context"
	"time"
)

// Checkpoint is the latest signed checkpoint of the audit log's Merkle
// tree, as the public API serves it (GET /api/v1/audit/checkpoints/latest):
// Root in standard base64, Note the signed note text verbatim, PublicKey
// the verifier key.
type Checkpoint struct {
	Origin    string    `json:"origin"`
	Size      int64     `json:"size"`
	Root      string    `json:"root"`
	Time      time.Time `json:"time"`
	Note      string    `json:"note"`
	PublicKey string    `json:"public_key"`
}

// Proofs is what the family's view needs of the audit log (an adapter
// over internal/auditlog.Log). Nil where no log is wired: the view then
// shows its lines as not sealed yet.
type Proofs interface {
	// LatestCheckpoint returns the latest signed checkpoint; apperr
	// not_found before the first.
	LatestCheckpoint(ctx context.Context) (Checkpoint, error)
	// Bundle returns the proof bundle (format kansrijk-audit-proof/v1) of
	// one leaf against the latest checkpoint; apperr not_found while the
	// leaf is not under a checkpoint.
	Bundle(ctx context.Context, leafIndex int64) ([]byte, error)
	// PublicKey is the verifier key (<name>+<hash>+<base64>).
	PublicKey() string
}
