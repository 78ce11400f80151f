-- +goose Up
-- The verifiable access log (issue 11): every audit event becomes a leaf of
-- an RFC 6962 Merkle tree whose hashes are stored here, and signed
-- checkpoints of that tree are kept. audit_events stays append-only.
--
-- salt: 16 random bytes (hex) per event, the secret part of the event's
-- private commitment in its canonical record. Events written before this
-- migration keep an empty salt (their commitment is the hash of the
-- private fields alone).
ALTER TABLE audit_events ADD COLUMN salt TEXT NOT NULL DEFAULT '';

-- Events committed but not yet in the tree. A trigger fills it, whatever
-- path wrote the event; the sequencer takes rows out as it appends leaves.
CREATE TABLE audit_pending (event_id INTEGER PRIMARY KEY);
INSERT INTO audit_pending (event_id) SELECT id FROM audit_events;
CREATE TRIGGER audit_events_pending AFTER INSERT ON audit_events
BEGIN INSERT INTO audit_pending (event_id) VALUES (NEW.id); END;

-- The leaves: the order of the tree is this table's, not the event ids'.
CREATE TABLE audit_leaves (
    leaf_index INTEGER PRIMARY KEY,
    event_id   INTEGER NOT NULL UNIQUE
);
-- The tree's hashes by tlog.StoredHashIndex.
CREATE TABLE audit_tree (
    idx  INTEGER PRIMARY KEY,
    hash BLOB NOT NULL
);
-- Signed checkpoints: the note text is kept verbatim.
CREATE TABLE audit_checkpoints (
    id   INTEGER PRIMARY KEY,
    size INTEGER NOT NULL,
    root TEXT NOT NULL,
    at   TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX audit_checkpoints_size ON audit_checkpoints(size);
-- Results of `kansrijk audit verify` and the daily verification.
CREATE TABLE audit_verifications (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    ok      INTEGER NOT NULL,
    size    INTEGER NOT NULL,
    message TEXT NOT NULL DEFAULT ''
);

CREATE TRIGGER audit_leaves_no_update BEFORE UPDATE ON audit_leaves
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_leaves_no_delete BEFORE DELETE ON audit_leaves
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_tree_no_update BEFORE UPDATE ON audit_tree
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_tree_no_delete BEFORE DELETE ON audit_tree
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_verifications_no_update BEFORE UPDATE ON audit_verifications
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_verifications_no_delete BEFORE DELETE ON audit_verifications
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

-- +goose Down
DROP TABLE audit_verifications;
DROP TABLE audit_checkpoints;
DROP TABLE audit_tree;
DROP TABLE audit_leaves;
DROP TRIGGER audit_events_pending;
DROP TABLE audit_pending;
ALTER TABLE audit_events DROP COLUMN salt;
