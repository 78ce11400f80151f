package api

import (
	"context"
	"encoding/base64"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"kansrijk/internal/apperr"
	"kansrijk/internal/auditlog"
	"kansrijk/internal/httpx"
)

// AuditLog is what the public proof routes need of the verifiable access
// log (implemented by *auditlog.Log).
type AuditLog interface {
	Latest(ctx context.Context) (auditlog.Checkpoint, error)
	InclusionProof(ctx context.Context, index, size int64) (tlog.RecordProof, error)
	ConsistencyProof(ctx context.Context, old, new int64) (tlog.TreeProof, error)
	LeafHash(ctx context.Context, index int64) (tlog.Hash, error)
	PublicKey() string
}

type checkpointJSON struct {
	Origin    string `json:"origin"`
	Size      int64  `json:"size"`
	Root      string `json:"root"`
	Time      string `json:"time"`
	Note      string `json:"note"`
	PublicKey string `json:"public_key"`
}

// auditCheckpoint serves the latest signed checkpoint of the access log:
// hashes only, no login. 404 before the first checkpoint.
func (a *API) auditCheckpoint(w http.ResponseWriter, r *http.Request) error {
	if a.AuditLog == nil {
		return apperr.New(apperr.NotFound, "the audit log has no checkpoint yet")
	}
	c, err := a.AuditLog.Latest(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, checkpointJSON{Origin: c.Origin, Size: c.Size, Root: base64.StdEncoding.EncodeToString(c.Root[:]),
		Time: c.Time.UTC().Format(time.RFC3339), Note: c.Note, PublicKey: a.AuditLog.PublicKey()})
	return nil
}

// auditInclusionProof proves that leaf index is in the tree of size
// leaves (0 ≤ index < size ≤ the latest checkpoint's size).
func (a *API) auditInclusionProof(w http.ResponseWriter, r *http.Request) error {
	index, err := int64Param(r, "index")
	if err != nil {
		return err
	}
	size, err := int64Param(r, "size")
	if err != nil {
		return err
	}
	if a.AuditLog == nil {
		return apperr.FieldErr(auditlog.CodeInvalidInput, "size", "the audit log has no checkpoint yet")
	}
	p, err := a.AuditLog.InclusionProof(r.Context(), index, size)
	if err != nil {
		return err
	}
	leaf, err := a.AuditLog.LeafHash(r.Context(), index)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"index": index, "size": size,
		"leaf_hash": base64.StdEncoding.EncodeToString(leaf[:]), "proof": auditlog.EncodeHashes(p)})
	return nil
}

// auditConsistencyProof proves that the tree of old leaves is a prefix of
// the tree of new leaves (0 < old ≤ new ≤ the latest checkpoint's size).
func (a *API) auditConsistencyProof(w http.ResponseWriter, r *http.Request) error {
	old, err := int64Param(r, "old")
	if err != nil {
		return err
	}
	nw, err := int64Param(r, "new")
	if err != nil {
		return err
	}
	if a.AuditLog == nil {
		return apperr.FieldErr(auditlog.CodeInvalidInput, "new", "the audit log has no checkpoint yet")
	}
	p, err := a.AuditLog.ConsistencyProof(r.Context(), old, nw)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"old": old, "new": nw, "proof": auditlog.EncodeHashes(p)})
	return nil
}

// int64Param reads a required whole-number query parameter.
func int64Param(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, apperr.FieldErr(auditlog.CodeInvalidInput, name, "%s must be a whole number", name)
	}
	return n, nil
}
