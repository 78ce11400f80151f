-- +goose Up
-- Times are TEXT in UTC, fixed width 'YYYY-MM-DDTHH:MM:SS.ffffffZ' so that
-- they sort as strings; dates are TEXT 'YYYY-MM-DD'.
CREATE TABLE organisations (
    key              TEXT PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('opgroeien','ocmw','caw','team','clinic')),
    name             TEXT NOT NULL,
    municipality_nis TEXT,
    inbox_email      TEXT,
    valid_from       TEXT NOT NULL,
    valid_to         TEXT,
    created_at       TEXT NOT NULL
);
CREATE INDEX organisations_kind ON organisations(kind);

-- The service area of a local team, with history: one row per municipality
-- and period. valid_to is the last day, NULL while in force.
CREATE TABLE team_areas (
    team_key         TEXT NOT NULL REFERENCES organisations(key),
    municipality_nis TEXT NOT NULL,
    valid_from       TEXT NOT NULL,
    valid_to         TEXT,
    PRIMARY KEY (team_key, municipality_nis, valid_from)
);
CREATE INDEX team_areas_nis ON team_areas(municipality_nis);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL,
    org_key       TEXT NOT NULL REFERENCES organisations(key),
    password_hash TEXT NOT NULL DEFAULT '',
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX users_org ON users(org_key);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    label        TEXT NOT NULL DEFAULT '',
    hash         TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);

CREATE TABLE sessions (
    hash       TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_expires ON sessions(expires_at);

CREATE TABLE login_failures (
    id    INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    addr  TEXT NOT NULL,
    at    TEXT NOT NULL
);
CREATE INDEX login_failures_email ON login_failures(email, at);
CREATE INDEX login_failures_addr ON login_failures(addr, at);

-- Append-only audit log. Later work chains these rows into a Merkle tree.
CREATE TABLE audit_events (
    id            INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    actor_user_id INTEGER,
    actor_email   TEXT NOT NULL DEFAULT '',
    actor_role    TEXT NOT NULL DEFAULT '',
    actor_org     TEXT NOT NULL DEFAULT '',
    action        TEXT NOT NULL,
    object_type   TEXT NOT NULL DEFAULT '',
    object_id     TEXT NOT NULL DEFAULT '',
    purpose       TEXT NOT NULL DEFAULT '',
    agreement_id  INTEGER,
    outcome       TEXT NOT NULL,
    request_id    TEXT NOT NULL DEFAULT '',
    client_addr   TEXT NOT NULL DEFAULT '',
    detail        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_object ON audit_events(object_type, object_id);
CREATE INDEX audit_events_action ON audit_events(action, at);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

-- +goose Down
DROP TABLE audit_events;
DROP TABLE login_failures;
DROP TABLE sessions;
DROP TABLE api_tokens;
DROP TABLE users;
DROP TABLE team_areas;
DROP TABLE organisations;
