-- +goose Up
-- Requests of families under GDPR art. 15–21 (area gdpr), registered by
-- the data protection officer of the organisation that received them:
-- what was asked, when, by when it must be answered (one month, art.
-- 12(3)), how the family was looked up and what was found. The lookup
-- criteria are personal data: only the DPO of the organisation reads them.
CREATE TABLE subject_requests (
    id              INTEGER PRIMARY KEY,
    org_key         TEXT NOT NULL REFERENCES organisations(key),
    kind            TEXT NOT NULL,
    received_on     TEXT NOT NULL,
    due_on          TEXT NOT NULL,
    answered_on     TEXT,
    lookup_code     TEXT NOT NULL DEFAULT '',
    lookup_postcode TEXT NOT NULL DEFAULT '',
    lookup_street   TEXT NOT NULL DEFAULT '',
    lookup_number   TEXT NOT NULL DEFAULT '',
    lookup_name     TEXT NOT NULL DEFAULT '',
    -- What the lookup found when the request was registered (JSON arrays):
    -- exports and rectifications work on these.
    receipt_codes   TEXT NOT NULL DEFAULT '[]',
    referral_ids    TEXT NOT NULL DEFAULT '[]',
    birth_ids       TEXT NOT NULL DEFAULT '[]',
    note            TEXT NOT NULL DEFAULT '',
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX subject_requests_org ON subject_requests(org_key, answered_on, due_on);

-- Rectifications and objections recorded on a request: what was corrected
-- (the field, never the old value), whether it was applied to Kansrijk's
-- own data, which referrals an objection withdrew.
CREATE TABLE subject_request_actions (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES subject_requests(id),
    kind        TEXT NOT NULL,
    object_type TEXT NOT NULL DEFAULT '',
    object_id   INTEGER,
    parent_idx  INTEGER,
    field       TEXT NOT NULL DEFAULT '',
    applied     INTEGER NOT NULL DEFAULT 0,
    withdrawn   TEXT NOT NULL DEFAULT '[]',
    note        TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX subject_request_actions_request ON subject_request_actions(request_id);

-- +goose Down
DROP TABLE subject_request_actions;
DROP TABLE subject_requests;
