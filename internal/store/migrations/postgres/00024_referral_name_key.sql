-- +goose Up
-- The name sort of the referral lists (issue 12) without reading
-- referral_parents for every referral of the organisation: the first
-- parent's name, lowercased, kept on the referral. A trigger keeps it
-- whatever path writes the parents (create, consent refused, a
-- rectification, the deletion of the personal data, which leaves it
-- empty). An index per scope, each ending in the id like those of
-- migration 00017: a page by name costs what a page by date does.
ALTER TABLE referrals ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
UPDATE referrals SET name_key = COALESCE((SELECT LOWER(p.name) FROM referral_parents p
    WHERE p.referral_id = referrals.id ORDER BY p.idx LIMIT 1), '');
-- +goose StatementBegin
CREATE FUNCTION referral_parents_name_key() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE referrals SET name_key = COALESCE((SELECT LOWER(p.name) FROM referral_parents p
            WHERE p.referral_id = OLD.referral_id ORDER BY p.idx LIMIT 1), '') WHERE id = OLD.referral_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE referrals SET name_key = COALESCE((SELECT LOWER(p.name) FROM referral_parents p
            WHERE p.referral_id = NEW.referral_id ORDER BY p.idx LIMIT 1), '') WHERE id = NEW.referral_id;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER referral_parents_name_key AFTER INSERT OR UPDATE OR DELETE ON referral_parents
FOR EACH ROW EXECUTE FUNCTION referral_parents_name_key();
CREATE INDEX referrals_team_name ON referrals(team_key, name_key, id);
CREATE INDEX referrals_inbox_open_name ON referrals(recipient_key, name_key, id)
    WHERE status IN ('sent','received','contact_attempted','reached');
CREATE INDEX referrals_inbox_archive_name ON referrals(recipient_key, name_key, id)
    WHERE status IN ('closed','withdrawn');

-- +goose Down
DROP INDEX referrals_inbox_archive_name;
DROP INDEX referrals_inbox_open_name;
DROP INDEX referrals_team_name;
DROP TRIGGER referral_parents_name_key ON referral_parents;
DROP FUNCTION referral_parents_name_key;
ALTER TABLE referrals DROP COLUMN name_key;
