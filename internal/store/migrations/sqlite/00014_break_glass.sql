-- +goose Up
-- Break-glass (issue 11): an admin who must see a referral's personal
-- data outside the normal scope asks with a reason; a second, different
-- admin approves or denies; an approval opens that one referral to the
-- requester until expires_at. Every step and every read is audited.
CREATE TABLE break_glass_requests (
    id           INTEGER PRIMARY KEY,
    referral_id  INTEGER NOT NULL REFERENCES referrals(id),
    requested_by INTEGER NOT NULL REFERENCES users(id),
    reason       TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'approved', 'denied')),
    decided_by   INTEGER REFERENCES users(id),
    decided_at   TEXT,
    note         TEXT NOT NULL DEFAULT '',
    expires_at   TEXT,
    CHECK (decided_by IS NULL OR decided_by <> requested_by)
);
CREATE INDEX break_glass_grant ON break_glass_requests(referral_id, requested_by, status);
CREATE INDEX break_glass_status ON break_glass_requests(status, id);

-- The DPO's console: the flags read the events of a time range.
CREATE INDEX audit_events_at ON audit_events(at);

-- +goose Down
DROP INDEX audit_events_at;
DROP TABLE break_glass_requests;
