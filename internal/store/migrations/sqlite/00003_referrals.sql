-- +goose Up
-- A referral's administrative record. It never holds personal data
-- itself: the parents' details are in referral_parents (deleted at the
-- end of retention), Kind en Gezin's assessment in referral_assessments
-- (never read for an OCMW).
CREATE TABLE referrals (
    id                INTEGER PRIMARY KEY,
    team_key          TEXT NOT NULL REFERENCES organisations(key),
    municipality_nis  TEXT NOT NULL,
    recipient_key     TEXT NOT NULL REFERENCES organisations(key),
    status            TEXT NOT NULL,
    agreement_id      INTEGER REFERENCES agreements(id),
    agreement_version INTEGER,
    outcome           TEXT NOT NULL DEFAULT '',
    rights            TEXT NOT NULL DEFAULT '[]',
    social_file       INTEGER NOT NULL DEFAULT 0,
    receipt_code      TEXT NOT NULL UNIQUE,
    version           INTEGER NOT NULL DEFAULT 1,
    created_by        TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    sent_at           TEXT,
    received_at       TEXT,
    first_contact_at  TEXT,
    closed_at         TEXT,
    withdrawn_at      TEXT,
    data_deleted_at   TEXT,
    updated_at        TEXT NOT NULL
);
CREATE INDEX referrals_team ON referrals(team_key, status);
CREATE INDEX referrals_recipient ON referrals(recipient_key, status);

CREATE TABLE referral_parents (
    referral_id      INTEGER NOT NULL REFERENCES referrals(id),
    idx              INTEGER NOT NULL,
    name             TEXT NOT NULL,
    street           TEXT NOT NULL,
    number           TEXT NOT NULL,
    box              TEXT NOT NULL DEFAULT '',
    postcode         TEXT NOT NULL,
    municipality_nis TEXT NOT NULL,
    phone            TEXT NOT NULL DEFAULT '',
    email            TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (referral_id, idx)
);

-- Kind en Gezin only: never joined into anything an OCMW reads.
CREATE TABLE referral_assessments (
    referral_id INTEGER PRIMARY KEY REFERENCES referrals(id),
    criteria    TEXT NOT NULL DEFAULT '[]',
    needs       TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE referral_consents (
    id          INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES referrals(id),
    parent_idx  INTEGER NOT NULL,
    informed    TEXT NOT NULL DEFAULT '[]',
    method      TEXT NOT NULL DEFAULT '',
    refused     INTEGER NOT NULL DEFAULT 0,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX referral_consents_referral ON referral_consents(referral_id);

CREATE TABLE referral_contact_attempts (
    id          INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES referrals(id),
    on_day      TEXT NOT NULL,
    channel     TEXT NOT NULL,
    reached     INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX referral_contact_attempts_referral ON referral_contact_attempts(referral_id);

-- Referrals that could not be made for want of an agreement: anonymous
-- counts only, for the outreach to local governments.
CREATE TABLE missed_referrals (
    municipality_nis TEXT NOT NULL,
    month            TEXT NOT NULL,
    team_key         TEXT NOT NULL,
    count            INTEGER NOT NULL,
    PRIMARY KEY (municipality_nis, month, team_key)
);

-- Outgoing notices (e-mail, webhooks) as a durable outbox: written in the
-- transaction of the change, delivered afterwards, never lost.
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    org_key      TEXT NOT NULL,
    payload      TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      TEXT NOT NULL,
    delivered_at TEXT,
    last_error   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_pending ON outbox(delivered_at, next_at);

CREATE TABLE webhooks (
    org_key    TEXT PRIMARY KEY REFERENCES organisations(key),
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Daily jobs run once across instances: the first to insert the row runs it.
CREATE TABLE job_runs (
    job         TEXT NOT NULL,
    day         TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    result      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (job, day)
);

-- +goose Down
DROP TABLE job_runs;
DROP TABLE webhooks;
DROP TABLE outbox;
DROP TABLE missed_referrals;
DROP TABLE referral_contact_attempts;
DROP TABLE referral_consents;
DROP TABLE referral_assessments;
DROP TABLE referral_parents;
DROP TABLE referrals;
