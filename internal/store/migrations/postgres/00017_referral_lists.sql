-- +goose Up
-- The referral lists one keyset page at a time (issue 12): an index per
-- way a page is read, each ending in the id, so that a page costs the
-- same at 1k and at 1M referrals. The team's list by created or sent,
-- with or without a status; the OCMW's inbox, open or archive (partial
-- indexes: the archive grows, the open work does not), by sent.
CREATE INDEX referrals_team_created ON referrals(team_key, created_at, id);
CREATE INDEX referrals_team_status_created ON referrals(team_key, status, created_at, id);
CREATE INDEX referrals_team_sent ON referrals(team_key, COALESCE(sent_at, '-infinity'::timestamptz), id);
CREATE INDEX referrals_inbox_open ON referrals(recipient_key, sent_at, id)
    WHERE status IN ('sent','received','contact_attempted','reached');
CREATE INDEX referrals_inbox_archive ON referrals(recipient_key, sent_at, id)
    WHERE status IN ('closed','withdrawn');
-- (team_key, status) is the prefix of referrals_team_status_created.
DROP INDEX referrals_team;

-- +goose Down
CREATE INDEX referrals_team ON referrals(team_key, status);
DROP INDEX referrals_inbox_archive;
DROP INDEX referrals_inbox_open;
DROP INDEX referrals_team_sent;
DROP INDEX referrals_team_status_created;
DROP INDEX referrals_team_created;
