-- +goose Up
-- The parliamentary answer packs (issue 13): the three files of a pack as
-- made, their SHA-256 (hex), the audit log's latest signed checkpoint when
-- the pack was made (NULL before the first), its author and time. A pack is
-- never changed nor deleted: the triggers refuse it.
CREATE TABLE parliament_packs (
    id              INTEGER PRIMARY KEY,
    as_of           TEXT NOT NULL,
    period_from     TEXT NOT NULL DEFAULT '',
    period_to       TEXT NOT NULL DEFAULT '',
    pdf             BLOB NOT NULL,
    csv             BLOB NOT NULL,
    xlsx            BLOB NOT NULL,
    pdf_sha256      TEXT NOT NULL,
    csv_sha256      TEXT NOT NULL,
    xlsx_sha256     TEXT NOT NULL,
    checkpoint_size INTEGER,
    checkpoint_root TEXT,
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX parliament_packs_as_of_id ON parliament_packs(as_of, id);
CREATE TRIGGER parliament_packs_no_update BEFORE UPDATE ON parliament_packs
BEGIN SELECT RAISE(ABORT, 'parliamentary answer packs are immutable'); END;
CREATE TRIGGER parliament_packs_no_delete BEFORE DELETE ON parliament_packs
BEGIN SELECT RAISE(ABORT, 'parliamentary answer packs are immutable'); END;

-- +goose Down
DROP TABLE parliament_packs;
