-- +goose Up
-- Login throttling (store/throttle.go): one counter per key within a fixed
-- window, counted atomically before a password is checked. A key is a
-- SHA-256 hash of its kind with the e-mail and/or client address, so the
-- table holds neither. Kinds: pair (e-mail, address: hard limit), addr
-- (address: hard limit), email (failures for an e-mail: soft delays only).
CREATE TABLE login_throttle (
    key          TEXT PRIMARY KEY,
    window_start TEXT NOT NULL,
    attempts     INTEGER NOT NULL
);
CREATE INDEX login_throttle_window ON login_throttle(window_start);
DROP TABLE login_failures;

-- +goose Down
CREATE TABLE login_failures (
    id    INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    addr  TEXT NOT NULL,
    at    TEXT NOT NULL
);
CREATE INDEX login_failures_email ON login_failures(email, at);
CREATE INDEX login_failures_addr ON login_failures(addr, at);
DROP TABLE login_throttle;
