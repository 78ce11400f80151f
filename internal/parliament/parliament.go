// Package parliament is the parliamentary answer pack: for a date, a PDF in Dutch that
// answers a written question of the Flemish Parliament in the order such a question asks
// (model: written question 467 of 8 March 2023 — how were the local governments informed, how
// many have signed up and which, how many have an agreement in force, how many families were
// referred and reached and which rights were opened, which local governments have not signed
// up and how the local teams approach them), with the same figures as CSV and XLSX.
//
// A pack is stored immutably (the store refuses every change) with the bytes of its three
// files, the SHA-256 of the PDF, and the latest signed checkpoint of the audit log at the
// moment it was made (tree size and root hash), so that anyone can later show that the
// figures were made from a log that has not been rewritten since.
//
// Making a pack for the same date from the same data gives the same figures, and the same
// bytes: the PDF's creation date is the pack's date, its objects are written in a fixed
// order, and nothing in it depends on the clock (the time a pack was made and its checkpoint
// are stored beside the files, not in them). Counts of families are published as everywhere
// outside an organisation's own view: by ended calendar quarter, suppressed and rounded
// (internal/suppress). The pack holds no personal data.
//
// This package holds the pack as stored, the store's contract and who may make packs;
// package parliament/pack gathers the figures and renders the files.
package parliament

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/page"
)

// File kinds of a pack.
const (
	PDF  = "pdf"
	CSV  = "csv"
	XLSX = "xlsx"
)

// Kinds lists the file kinds, in the order of a pack's downloads.
var Kinds = []string{PDF, CSV, XLSX}

// ContentType returns the media type of a file kind.
func ContentType(kind string) string {
	switch kind {
	case PDF:
		return "application/pdf"
	case CSV:
		return "text/csv; charset=utf-8"
	case XLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "application/octet-stream"
}

// Checkpoint is the audit log's latest signed checkpoint when a pack was made: the size of
// the Merkle tree and its root hash (standard base64).
type Checkpoint struct {
	Size int64  `json:"size"`
	Root string `json:"root"`
}

// Pack is a stored pack, as the API answers it. SHA256 is the hex SHA-256 of the PDF's bytes
// (the CSV's and the XLSX's are stored too, see Files). Checkpoint is nil when the audit log
// had no signed checkpoint yet.
type Pack struct {
	ID         int64       `json:"id"`
	AsOf       string      `json:"as_of"`
	SHA256     string      `json:"sha256"`
	Checkpoint *Checkpoint `json:"checkpoint"`
	CreatedBy  string      `json:"created_by"`
	CreatedAt  time.Time   `json:"created_at"`
	// From and To are the period asked for the families' figures ("" for the default); not
	// part of the API's answer.
	From string `json:"-"`
	To   string `json:"-"`
	// Hashes are the hex SHA-256 of every file, by kind.
	Hashes map[string]string `json:"-"`
}

// NewPack is what the store keeps of a pack just made.
type NewPack struct {
	AsOf, From, To string // YYYY-MM-DD; From and To "" when not asked
	Files          map[string][]byte
}

// File is one stored file of a pack.
type File struct {
	PackID int64
	AsOf   string
	Kind   string
	Bytes  []byte
	SHA256 string
}

// Name is the file's download name.
func (f File) Name() string { return FileName(f.AsOf, f.Kind) }

// FileName is the download name of a pack's file.
func FileName(asOf, kind string) string { return "parlementair-antwoord-" + asOf + "." + kind }

// Sum returns the hex SHA-256 of b.
func Sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// Store keeps the packs. Only callers for whom CanMake holds may create, list or download
// them (others get apperr forbidden). Creating a pack writes one audit event in the same
// transaction; a stored pack is never changed nor deleted.
type Store interface {
	// CreateParliamentPack stores a pack with the latest signed checkpoint of the audit log.
	CreateParliamentPack(ctx context.Context, a account.Actor, in NewPack) (Pack, error)
	// ParliamentPacks lists packs newest first, a page at a time (sort created or as_of, see Sorts).
	ParliamentPacks(ctx context.Context, a account.Actor, req page.Request) (page.Result[Pack], error)
	// ParliamentPackFile returns one file of a pack as stored; apperr not_found for an
	// unknown pack.
	ParliamentPackFile(ctx context.Context, a account.Actor, id int64, kind string) (File, error)
}

// Sorts are the sort keys of the list of packs.
var Sorts = []string{"-created", "as_of"}

// CanMake reports whether a makes, lists and downloads packs: Opgroeien's admins and its
// analysts (who answer the minister's cabinet; the pack holds aggregates only). Local teams,
// OCMWs, clinics and the DPO do not.
func CanMake(a account.Actor) bool {
	if a.OrgKind != account.KindOpgroeien {
		return false
	}
	return a.Role == account.Admin || a.Role == account.Analyst
}

// Forbidden is the error for a caller who may not make packs.
func Forbidden() error {
	return apperr.New(apperr.Forbidden, "only Opgroeien's admins and analysts make parliamentary answer packs").WithKey("error.forbidden", nil)
}
