-- +goose Up
-- Mailings to the contact persons of local governments (package mailing).
-- A mailing keeps its subject and body as written, with their merge
-- fields; each message is merged when the outbox delivers it, from the
-- contact's data of that moment, so that no copy of a contact's name or
-- address is kept here and a contact removed before delivery is not
-- mailed. The idempotency key makes a repeated send of one form a no-op.
CREATE TABLE outreach_mailings (
    id              INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    campaign_id     INTEGER NOT NULL REFERENCES outreach_campaigns(id),
    template        TEXT NOT NULL DEFAULT '',
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    target          TEXT NOT NULL DEFAULT '',
    sender_name     TEXT NOT NULL DEFAULT '',
    sender_email    TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    created_org     TEXT NOT NULL
);
CREATE INDEX outreach_mailings_org ON outreach_mailings(created_org, created_at);

-- One message per contact: the team named in it (as on the day of the
-- send) and its outbox row, whose state is the message's delivery.
CREATE TABLE outreach_mailing_messages (
    id               INTEGER PRIMARY KEY,
    mailing_id       INTEGER NOT NULL REFERENCES outreach_mailings(id),
    contact_id       INTEGER NOT NULL REFERENCES outreach_contacts(id),
    municipality_nis TEXT NOT NULL,
    team_name        TEXT NOT NULL DEFAULT '',
    outbox_id        INTEGER NOT NULL REFERENCES outbox(id),
    UNIQUE (mailing_id, contact_id)
);

-- +goose Down
DROP TABLE outreach_mailing_messages;
DROP TABLE outreach_mailings;
