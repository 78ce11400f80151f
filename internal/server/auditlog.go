package server

import (
	"context"
	"encoding/base64"

	"kansrijk/internal/audit"
	"kansrijk/internal/auditlog"
	"kansrijk/internal/web"
)

// UseAuditLog gives the API and the web pages the verifiable access log:
// its public proofs, the DPO console's checkpoint and verification panel,
// and the family's proof bundles. server.New gives a read-only log (no
// key); kansrijk serve replaces it by the one that signs.
func (s *Server) UseAuditLog(lg *auditlog.Log) {
	s.API.AuditLog = lg
	s.API.AuditProofs = auditProofs{lg}
	s.Web.AuditProofs = auditProofs{lg}
	s.Web.AuditLog = auditStatus{lg}
}

// auditProofs adapts the log to what the family's view needs.
type auditProofs struct{ *auditlog.Log }

func (p auditProofs) LatestCheckpoint(ctx context.Context) (audit.Checkpoint, error) {
	c, err := p.Latest(ctx)
	if err != nil {
		return audit.Checkpoint{}, err
	}
	return audit.Checkpoint{Origin: c.Origin, Size: c.Size, Root: base64.StdEncoding.EncodeToString(c.Root[:]),
		Time: c.Time.UTC(), Note: c.Note, PublicKey: p.PublicKey()}, nil
}

// auditStatus adapts the log to the DPO console's panel.
type auditStatus struct{ log *auditlog.Log }

func (s auditStatus) LatestCheckpoint(ctx context.Context) (web.CheckpointInfo, error) {
	c, err := s.log.Latest(ctx)
	if err != nil {
		return web.CheckpointInfo{}, err
	}
	return web.CheckpointInfo{Size: c.Size, Root: base64.StdEncoding.EncodeToString(c.Root[:]), Time: c.Time,
		PublicKey: s.log.PublicKey()}, nil
}

func (s auditStatus) LastVerification(ctx context.Context) (web.VerificationInfo, error) {
	v, err := s.log.LastVerification(ctx)
	if err != nil {
		return web.VerificationInfo{}, err
	}
	return web.VerificationInfo{At: v.At, OK: v.OK, Size: v.Size, Message: v.Message}, nil
}
