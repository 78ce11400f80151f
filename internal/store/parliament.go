package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/page"
	"kansrijk/internal/parliament"
)

// The audit action of making a parliamentary answer pack, and its object type.
const (
	auditParliamentPack = "parliament_pack.create"
	objParliamentPack   = "parliament_pack"
)

const parliamentPackColumns = `p.id, p.as_of, p.period_from, p.period_to, p.pdf_sha256, p.csv_sha256, p.xlsx_sha256,
	p.checkpoint_size, p.checkpoint_root, p.created_by, p.created_at`

var parliamentPackSorts = sortCols{"created": "", "as_of": "p.as_of"}

// CreateParliamentPack stores a pack as made, with the SHA-256 of each file and the audit
// log's latest signed checkpoint, and writes its audit event in the same transaction. Only
// Opgroeien's admins and analysts (parliament.CanMake); anyone else's attempt is refused and
// audited as denied.
func (db *DB) CreateParliamentPack(ctx context.Context, a account.Actor, in parliament.NewPack) (p parliament.Pack, err error) {
	defer apperr.Wrap(&err, "store.CreateParliamentPack")
	if !parliament.CanMake(a) {
		return p, db.denyAction(ctx, a, auditParliamentPack, objParliamentPack, audit.PurposeAdministration, parliament.Forbidden())
	}
	for _, k := range parliament.Kinds {
		if len(in.Files[k]) == 0 {
			return p, fmt.Errorf("pack without its %s file", k)
		}
	}
	var id int64
	err = db.inTx(ctx, func(tx *Tx) error {
		// The checkpoint is read in the transaction that stores the pack: the latest the log
		// had signed when the figures were stored.
		var size sql.NullInt64
		var root sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT size, root FROM audit_checkpoints ORDER BY size DESC, id DESC LIMIT 1`).Scan(&size, &root)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO parliament_packs (as_of, period_from, period_to, pdf, csv, xlsx, pdf_sha256, csv_sha256, xlsx_sha256,
			checkpoint_size, checkpoint_root, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) RETURNING id`,
			in.AsOf, in.From, in.To, in.Files[parliament.PDF], in.Files[parliament.CSV], in.Files[parliament.XLSX],
			parliament.Sum(in.Files[parliament.PDF]), parliament.Sum(in.Files[parliament.CSV]), parliament.Sum(in.Files[parliament.XLSX]),
			size, root, actorName(a), ts(tx.now)).Scan(&id); err != nil {
			return err
		}
		ev := audit.For(a, auditParliamentPack, objParliamentPack, strconv.FormatInt(id, 10))
		ev.Purpose = audit.PurposeAdministration
		ev.Detail = "as_of=" + in.AsOf + " sha256=" + parliament.Sum(in.Files[parliament.PDF])
		return tx.Audit(ctx, ev)
	})
	if err != nil {
		return p, err
	}
	return db.parliamentPack(ctx, id)
}

func (db *DB) parliamentPack(ctx context.Context, id int64) (parliament.Pack, error) {
	p, err := scanParliamentPack(db.write.QueryRowContext(ctx, `SELECT `+parliamentPackColumns+` FROM parliament_packs p WHERE p.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.New(apperr.NotFound, "no such pack").WithKey("error.not_found", nil)
	}
	return p, err
}

func scanParliamentPack(row rowScanner) (parliament.Pack, error) {
	var p parliament.Pack
	var pdf, csv, xlsx string
	var size sql.NullInt64
	var root sql.NullString
	var at timeCol
	err := row.Scan(&p.ID, &p.AsOf, &p.From, &p.To, &pdf, &csv, &xlsx, &size, &root, &p.CreatedBy, &at)
	p.SHA256, p.CreatedAt = pdf, at.T
	p.Hashes = map[string]string{parliament.PDF: pdf, parliament.CSV: csv, parliament.XLSX: xlsx}
	if size.Valid {
		p.Checkpoint = &parliament.Checkpoint{Size: size.Int64, Root: root.String}
	}
	return p, err
}

// ParliamentPacks lists the packs a page at a time (sorts: parliament.Sorts; q searches the
// date). Only Opgroeien's admins and analysts. The list holds no personal data: no audit
// event.
func (db *DB) ParliamentPacks(ctx context.Context, a account.Actor, req page.Request) (page.Result[parliament.Pack], error) {
	if !parliament.CanMake(a) {
		return page.Result[parliament.Pack]{}, parliament.Forbidden()
	}
	l := listQuery{cols: parliamentPackColumns, from: "parliament_packs p", idCol: "p.id", sorts: parliamentPackSorts, where: []string{"1=1"}}
	l.search(req.Q, []string{"p.as_of"}, nil)
	return queryPage(ctx, db.read, req, l, scanParliamentPack, func(p parliament.Pack) int64 { return p.ID })
}

// ParliamentPackFile returns one file of a pack, byte for byte as stored. Only Opgroeien's
// admins and analysts; not_found for an unknown pack or kind.
func (db *DB) ParliamentPackFile(ctx context.Context, a account.Actor, id int64, kind string) (parliament.File, error) {
	if !parliament.CanMake(a) {
		return parliament.File{}, parliament.Forbidden()
	}
	if !slices.Contains(parliament.Kinds, kind) {
		return parliament.File{}, apperr.New(apperr.NotFound, "no such file").WithKey("error.not_found", nil)
	}
	f := parliament.File{PackID: id, Kind: kind}
	// kind is one of parliament.Kinds: the column names pdf, csv and xlsx.
	err := db.read.QueryRowContext(ctx, `SELECT as_of, `+kind+`, `+kind+`_sha256 FROM parliament_packs WHERE id = $1`, id).Scan(&f.AsOf, &f.Bytes, &f.SHA256)
	if errors.Is(err, sql.ErrNoRows) {
		return f, apperr.New(apperr.NotFound, "no such pack").WithKey("error.not_found", nil)
	}
	return f, err
}
