-- +goose Up
-- Changes to an agreement the OCMW council has approved (approved, signed,
-- active, suspended, ended) are proposals until the OCMW's admin approves
-- them; the version in force is the newest applied one.
ALTER TABLE agreement_versions ADD COLUMN state TEXT NOT NULL DEFAULT 'applied'
    CHECK (state IN ('applied', 'proposed', 'rejected', 'superseded'));
ALTER TABLE agreement_versions ADD COLUMN based_on INTEGER;
ALTER TABLE agreement_versions ADD COLUMN decided_at TEXT;
ALTER TABLE agreement_versions ADD COLUMN decided_by TEXT NOT NULL DEFAULT '';
ALTER TABLE agreement_versions ADD COLUMN decision_note TEXT NOT NULL DEFAULT '';
-- At most one proposal waits for the OCMW at a time.
CREATE UNIQUE INDEX agreement_versions_one_proposal ON agreement_versions(agreement_id) WHERE state = 'proposed';

-- The version of the agreement whose information text a parent was given
-- before consenting: the receipt shows that text, whatever changes later.
ALTER TABLE referral_consents ADD COLUMN agreement_id INTEGER REFERENCES agreements(id);
ALTER TABLE referral_consents ADD COLUMN agreement_version INTEGER;
-- Consents recorded before: the version the referral was sent under is
-- the best record of what the family was told.
UPDATE referral_consents SET
    agreement_id = (SELECT r.agreement_id FROM referrals r WHERE r.id = referral_consents.referral_id),
    agreement_version = (SELECT r.agreement_version FROM referrals r WHERE r.id = referral_consents.referral_id)
WHERE EXISTS (SELECT 1 FROM referrals r WHERE r.id = referral_consents.referral_id
    AND r.agreement_id IS NOT NULL AND r.agreement_version IS NOT NULL);

-- SQLite has no TRUNCATE: a DELETE without WHERE fires the row trigger of
-- 00001 (audit_events_no_delete).

-- +goose Down
ALTER TABLE referral_consents DROP COLUMN agreement_version;
ALTER TABLE referral_consents DROP COLUMN agreement_id;
DROP INDEX agreement_versions_one_proposal;
ALTER TABLE agreement_versions DROP COLUMN decision_note;
ALTER TABLE agreement_versions DROP COLUMN decided_by;
ALTER TABLE agreement_versions DROP COLUMN decided_at;
ALTER TABLE agreement_versions DROP COLUMN based_on;
ALTER TABLE agreement_versions DROP COLUMN state;
