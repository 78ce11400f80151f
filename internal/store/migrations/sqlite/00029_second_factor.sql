-- +goose Up
-- Second factor (issue 15): a TOTP secret per local account, confirmed
-- with a first code before it is asked at sign-in; last_step is the time
-- step of the last code accepted, so that a code works once. Recovery
-- codes are kept as hashes and work once. A pending sign-in is the short
-- time between a correct password and its second step: no session yet,
-- only the hash of its secret.
CREATE TABLE second_factors (
    user_id      INTEGER PRIMARY KEY REFERENCES users(id),
    secret       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    confirmed_at TEXT,
    last_step    INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE recovery_codes (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    hash       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);
CREATE TABLE pending_logins (
    id         INTEGER PRIMARY KEY,
    hash       TEXT NOT NULL UNIQUE,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    enrol      INTEGER NOT NULL DEFAULT 0,
    failures   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX pending_logins_user ON pending_logins(user_id);

-- +goose Down
DROP TABLE pending_logins;
DROP TABLE recovery_codes;
DROP TABLE second_factors;
