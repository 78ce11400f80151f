-- +goose Up
-- Contact persons at local governments. name, email and phone are personal
-- data: deleting a contact blanks them and sets deleted_at (the row stays
-- so that contact moments and touchpoints keep pointing at a function).
CREATE TABLE outreach_contacts (
    id               INTEGER PRIMARY KEY,
    municipality_nis TEXT NOT NULL,
    function         TEXT NOT NULL,
    name             TEXT NOT NULL DEFAULT '',
    email            TEXT NOT NULL DEFAULT '',
    phone            TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    updated_by       TEXT NOT NULL,
    deleted_at       TEXT
);
CREATE INDEX outreach_contacts_municipality ON outreach_contacts(municipality_nis);

CREATE TABLE outreach_campaigns (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL,
    on_day         TEXT NOT NULL,
    partner        TEXT NOT NULL DEFAULT '',
    subject        TEXT NOT NULL,
    audience       TEXT NOT NULL,
    audience_param TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_org    TEXT NOT NULL
);

-- The municipalities a campaign reached (one row per campaign and
-- municipality), with the registration and attendance of an import.
CREATE TABLE outreach_touchpoints (
    id               INTEGER PRIMARY KEY,
    campaign_id      INTEGER NOT NULL REFERENCES outreach_campaigns(id),
    municipality_nis TEXT NOT NULL,
    on_day           TEXT NOT NULL,
    source           TEXT NOT NULL,
    registered       INTEGER NOT NULL DEFAULT 0,
    attended         INTEGER NOT NULL DEFAULT 0,
    contact_id       INTEGER REFERENCES outreach_contacts(id),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (campaign_id, municipality_nis)
);
CREATE INDEX outreach_touchpoints_municipality ON outreach_touchpoints(municipality_nis, on_day);

CREATE TABLE outreach_contact_moments (
    id               INTEGER PRIMARY KEY,
    municipality_nis TEXT NOT NULL,
    on_day           TEXT NOT NULL,
    channel          TEXT NOT NULL,
    by_org           TEXT NOT NULL REFERENCES organisations(key),
    contact_id       INTEGER REFERENCES outreach_contacts(id),
    with_function    TEXT NOT NULL DEFAULT '',
    summary          TEXT NOT NULL,
    next_step        TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    created_by       TEXT NOT NULL
);
CREATE INDEX outreach_contact_moments_municipality ON outreach_contact_moments(municipality_nis, on_day);

CREATE TABLE outreach_tasks (
    id               INTEGER PRIMARY KEY,
    municipality_nis TEXT NOT NULL,
    team_key         TEXT NOT NULL REFERENCES organisations(key),
    title            TEXT NOT NULL,
    due_on           TEXT NOT NULL,
    status           TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    updated_by       TEXT NOT NULL,
    closed_at        TEXT
);
CREATE INDEX outreach_tasks_due ON outreach_tasks(status, due_on);
CREATE INDEX outreach_tasks_team ON outreach_tasks(team_key, status);

-- +goose Down
DROP TABLE outreach_tasks;
DROP TABLE outreach_contact_moments;
DROP TABLE outreach_touchpoints;
DROP TABLE outreach_campaigns;
DROP TABLE outreach_contacts;
