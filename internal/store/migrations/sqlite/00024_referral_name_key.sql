-- +goose Up
-- The name sort of the referral lists (issue 12) without reading
-- referral_parents for every referral of the organisation: the first
-- parent's name, lowercased, kept on the referral. Triggers keep it
-- whatever path writes the parents (create, consent refused, a
-- rectification, the deletion of the personal data, which leaves it
-- empty). An index per scope, each ending in the id like those of
-- migration 00017: a page by name costs what a page by date does.
-- LOWER is the application's Unicode LOWER (sqlite_lower.go), as for the
-- indexes of migration 00019: a tool that writes referral_parents with
-- SQLite's own LOWER folds ASCII letters only.
ALTER TABLE referrals ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
UPDATE referrals SET name_key = COALESCE((SELECT LOWER(p.name) FROM referral_parents p
    WHERE p.referral_id = referrals.id ORDER BY p.idx LIMIT 1), '');
-- +goose StatementBegin
CREATE TRIGGER referral_parents_name_key_insert AFTER INSERT ON referral_parents
BEGIN
    UPDATE referrals SET name_key = COALESCE((SELECT LOWER(p.name) FROM referral_parents p
        WHERE p.referral_id = NEW.referral_id ORDER BY p.idx LIMIT 1), '') WHERE id = NEW.referral_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER referral_parents_name_key_update AFTER UPDATE ON referral_parents
BEGIN
    UPDATE referrals SET name_key = COALESCE((SELECT LOWER(p.name) FROM referral_parents p
        WHERE p.referral_id = OLD.referral_id ORDER BY p.idx LIMIT 1), '') WHERE id = OLD.referral_id;
    UPDATE referrals SET name_key = COALESCE((SELECT LOWER(p.name) FROM referral_parents p
        WHERE p.referral_id = NEW.referral_id ORDER BY p.idx LIMIT 1), '') WHERE id = NEW.referral_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER referral_parents_name_key_delete AFTER DELETE ON referral_parents
BEGIN
    UPDATE referrals SET name_key = COALESCE((SELECT LOWER(p.name) FROM referral_parents p
        WHERE p.referral_id = OLD.referral_id ORDER BY p.idx LIMIT 1), '') WHERE id = OLD.referral_id;
END;
-- +goose StatementEnd
CREATE INDEX referrals_team_name ON referrals(team_key, name_key, id);
CREATE INDEX referrals_inbox_open_name ON referrals(recipient_key, name_key, id)
    WHERE status IN ('sent','received','contact_attempted','reached');
CREATE INDEX referrals_inbox_archive_name ON referrals(recipient_key, name_key, id)
    WHERE status IN ('closed','withdrawn');

-- +goose Down
DROP INDEX referrals_inbox_archive_name;
DROP INDEX referrals_inbox_open_name;
DROP INDEX referrals_team_name;
DROP TRIGGER referral_parents_name_key_delete;
DROP TRIGGER referral_parents_name_key_update;
DROP TRIGGER referral_parents_name_key_insert;
ALTER TABLE referrals DROP COLUMN name_key;
