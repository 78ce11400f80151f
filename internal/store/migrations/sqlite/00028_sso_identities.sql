-- +goose Up
-- Single sign-on with OpenID Connect (issue 15). user_identities links a
-- provider's (issuer, subject) to a user: the key of every later sign-in,
-- whatever the e-mail address becomes. sso_pending keeps a sign-in whose
-- claims carried no (known) organisation or role until an admin assigns
-- them on the users page; the row goes when the user is made.
CREATE TABLE user_identities (
    issuer        TEXT NOT NULL,
    subject       TEXT NOT NULL,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    created_at    TEXT NOT NULL,
    last_login_at TEXT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX user_identities_user ON user_identities(user_id);
CREATE TABLE sso_pending (
    id           INTEGER PRIMARY KEY,
    issuer       TEXT NOT NULL,
    subject      TEXT NOT NULL,
    email        TEXT NOT NULL,
    name         TEXT NOT NULL DEFAULT '',
    claimed_org  TEXT NOT NULL DEFAULT '',
    claimed_role TEXT NOT NULL DEFAULT '',
    first_seen   TEXT NOT NULL,
    last_seen    TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 1,
    UNIQUE (issuer, subject)
);

-- +goose Down
DROP TABLE sso_pending;
DROP TABLE user_identities;
