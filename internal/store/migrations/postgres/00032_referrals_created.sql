-- +goose Up
-- A year's referral statistics (issue 14) read the referrals drafted in a
-- period over every team: with only the per-team indexes the read hopped
-- from team to team through the whole table, page after page read again
-- (SQLite's skip-scan of referrals_team_created). In the order of the
-- drafting time the table is read once, front to back.
CREATE INDEX referrals_created ON referrals(created_at);

-- +goose Down
DROP INDEX referrals_created;
