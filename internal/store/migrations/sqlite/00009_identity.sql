-- +goose Up
-- Identity (issue 10): how every audited action was made (channel
-- session, token, cli or job; the token's id where a token was used;
-- whether the actor is a service account), service accounts that cannot
-- sign in with a password, one-time links to set a password, and the
-- last request of a session for the idle timeout. The audit table stays
-- append-only: adding columns fires no row trigger.
ALTER TABLE audit_events ADD COLUMN channel TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN token_id INTEGER;
ALTER TABLE audit_events ADD COLUMN actor_service INTEGER NOT NULL DEFAULT 0;

ALTER TABLE users ADD COLUMN service INTEGER NOT NULL DEFAULT 0;

ALTER TABLE sessions ADD COLUMN last_seen_at TEXT;

-- One-time links to set one's own password: only the SHA-256 of the
-- secret is kept; a link works once and until expires_at.
CREATE TABLE password_links (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    hash       TEXT NOT NULL UNIQUE,
    purpose    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX password_links_user ON password_links(user_id);

-- +goose Down
DROP TABLE password_links;
ALTER TABLE sessions DROP COLUMN last_seen_at;
ALTER TABLE users DROP COLUMN service;
ALTER TABLE audit_events DROP COLUMN actor_service;
ALTER TABLE audit_events DROP COLUMN token_id;
ALTER TABLE audit_events DROP COLUMN channel;
