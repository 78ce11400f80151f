-- +goose Up
-- Birth notifications of maternity clinics (area "births"). The
-- administrative record holds no name, address or contact detail: the
-- parents' details are in birth_parents, deleted at the end of retention
-- (or when a duplicate is merged). The data set: internal/birth/dataset.go.

-- CSV batches, one row per file a clinic sent: the same file again
-- creates nothing new.
CREATE TABLE birth_batches (
    id          INTEGER PRIMARY KEY,
    clinic_key  TEXT NOT NULL REFERENCES organisations(key),
    file_sha256 TEXT NOT NULL,
    row_count   INTEGER NOT NULL,
    created     INTEGER NOT NULL DEFAULT 0,
    existing    INTEGER NOT NULL DEFAULT 0,
    rejected    INTEGER NOT NULL DEFAULT 0,
    partial     INTEGER NOT NULL DEFAULT 0,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (clinic_key, file_sha256)
);

CREATE TABLE birth_notifications (
    id               INTEGER PRIMARY KEY,
    clinic_key       TEXT NOT NULL REFERENCES organisations(key),
    -- NULL: no local team covered the municipality on the date of birth;
    -- the notification is in Opgroeien's queue.
    team_key         TEXT REFERENCES organisations(key),
    municipality_nis TEXT NOT NULL,
    -- The date of birth; only its month is kept once the parents' data
    -- are deleted.
    child_birth_date TEXT NOT NULL,
    language         TEXT NOT NULL,
    early_contact    INTEGER NOT NULL DEFAULT 0,
    status           TEXT NOT NULL,
    batch_id         INTEGER REFERENCES birth_batches(id),
    -- Batch rows: hash of clinic, mother's name and date of birth, so that
    -- a row sent again is recognised; cleared with the parents' data.
    natural_key      TEXT,
    merged_into      INTEGER REFERENCES birth_notifications(id),
    referral_id      INTEGER REFERENCES referrals(id),
    version          INTEGER NOT NULL DEFAULT 1,
    submitted_by     TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    first_contact_on TEXT,
    reached_on       TEXT,
    escalated_at     TEXT,
    data_deleted_at  TEXT
);
CREATE UNIQUE INDEX birth_notifications_natural ON birth_notifications(clinic_key, natural_key);
CREATE INDEX birth_notifications_team ON birth_notifications(team_key, status);
CREATE INDEX birth_notifications_clinic ON birth_notifications(clinic_key, created_at);
CREATE INDEX birth_notifications_created ON birth_notifications(created_at);

-- The parents (idx 0 the mother, 1 the co-parent): personal data.
-- duplicate_key is a hash of the normalised name and the date of birth,
-- to flag possible duplicates across submissions.
CREATE TABLE birth_parents (
    notification_id  INTEGER NOT NULL REFERENCES birth_notifications(id),
    idx              INTEGER NOT NULL,
    name             TEXT NOT NULL,
    street           TEXT NOT NULL,
    number           TEXT NOT NULL,
    box              TEXT NOT NULL DEFAULT '',
    postcode         TEXT NOT NULL,
    municipality_nis TEXT NOT NULL,
    phone            TEXT NOT NULL DEFAULT '',
    email            TEXT NOT NULL DEFAULT '',
    language         TEXT NOT NULL DEFAULT '',
    duplicate_key    TEXT NOT NULL,
    PRIMARY KEY (notification_id, idx)
);
CREATE INDEX birth_parents_duplicate ON birth_parents(duplicate_key);

-- Contacts of the local team with the family (no personal data).
CREATE TABLE birth_contacts (
    id                 INTEGER PRIMARY KEY,
    notification_id    INTEGER NOT NULL REFERENCES birth_notifications(id),
    on_day             TEXT NOT NULL,
    channel            TEXT NOT NULL,
    reached            INTEGER NOT NULL,
    home_visit_planned INTEGER NOT NULL,
    recorded_at        TEXT NOT NULL,
    recorded_by        TEXT NOT NULL
);
CREATE INDEX birth_contacts_notification ON birth_contacts(notification_id);

-- +goose Down
DROP TABLE birth_contacts;
DROP TABLE birth_parents;
DROP TABLE birth_notifications;
DROP TABLE birth_batches;
