-- +goose Up
CREATE TABLE agreements (
    id               INTEGER PRIMARY KEY,
    team_key         TEXT NOT NULL REFERENCES organisations(key),
    recipient_key    TEXT NOT NULL REFERENCES organisations(key),
    municipality_nis TEXT NOT NULL,
    predecessor_id   INTEGER REFERENCES agreements(id),
    -- Cache of the latest effective status, kept in the same transaction
    -- as every event; reports never read it, they replay the events.
    status           TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    created_by       TEXT NOT NULL
);
CREATE INDEX agreements_municipality ON agreements(municipality_nis);
CREATE INDEX agreements_team ON agreements(team_key);
CREATE INDEX agreements_recipient ON agreements(recipient_key);

-- Immutable lifecycle events. seq is the position in the lifecycle; a
-- correction repeats the seq and status of the event it corrects.
CREATE TABLE agreement_events (
    id            INTEGER PRIMARY KEY,
    agreement_id  INTEGER NOT NULL REFERENCES agreements(id),
    seq           INTEGER NOT NULL,
    status        TEXT NOT NULL,
    effective_on  TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    recorded_by   TEXT NOT NULL,
    recorded_org  TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    corrects_id   INTEGER REFERENCES agreement_events(id),
    details       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX agreement_events_agreement ON agreement_events(agreement_id, seq);
CREATE UNIQUE INDEX agreement_events_corrects ON agreement_events(corrects_id) WHERE corrects_id IS NOT NULL;
CREATE TRIGGER agreement_events_no_update BEFORE UPDATE ON agreement_events
BEGIN SELECT RAISE(ABORT, 'agreement events are immutable'); END;
CREATE TRIGGER agreement_events_no_delete BEFORE DELETE ON agreement_events
BEGIN SELECT RAISE(ABORT, 'agreement events are immutable'); END;

CREATE TABLE agreement_versions (
    agreement_id       INTEGER NOT NULL REFERENCES agreements(id),
    version            INTEGER NOT NULL,
    retention_days     INTEGER NOT NULL,
    status_feedback    INTEGER NOT NULL,
    first_contact_days INTEGER NOT NULL,
    information_text   TEXT NOT NULL,
    protocol_reference TEXT NOT NULL DEFAULT '',
    dpo_advice_on      TEXT,
    publication_url    TEXT NOT NULL DEFAULT '',
    template_version   TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    created_by         TEXT NOT NULL,
    PRIMARY KEY (agreement_id, version)
);

CREATE TABLE agreement_documents (
    id           INTEGER PRIMARY KEY,
    agreement_id INTEGER NOT NULL REFERENCES agreements(id),
    kind         TEXT NOT NULL,
    filename     TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    content      BLOB NOT NULL,
    uploaded_at  TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL
);
CREATE INDEX agreement_documents_agreement ON agreement_documents(agreement_id);

-- +goose Down
DROP TABLE agreement_documents;
DROP TABLE agreement_versions;
DROP TABLE agreement_events;
DROP TABLE agreements;
