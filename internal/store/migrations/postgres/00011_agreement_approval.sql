-- +goose Up
-- Changes to an agreement the OCMW council has approved (approved, signed,
-- active, suspended, ended) are proposals until the OCMW's admin approves
-- them; the version in force is the newest applied one.
ALTER TABLE agreement_versions ADD COLUMN state TEXT NOT NULL DEFAULT 'applied'
    CHECK (state IN ('applied', 'proposed', 'rejected', 'superseded'));
ALTER TABLE agreement_versions ADD COLUMN based_on INTEGER;
ALTER TABLE agreement_versions ADD COLUMN decided_at TIMESTAMPTZ;
ALTER TABLE agreement_versions ADD COLUMN decided_by TEXT NOT NULL DEFAULT '';
ALTER TABLE agreement_versions ADD COLUMN decision_note TEXT NOT NULL DEFAULT '';
-- At most one proposal waits for the OCMW at a time.
CREATE UNIQUE INDEX agreement_versions_one_proposal ON agreement_versions(agreement_id) WHERE state = 'proposed';

-- The version of the agreement whose information text a parent was given
-- before consenting: the receipt shows that text, whatever changes later.
ALTER TABLE referral_consents ADD COLUMN agreement_id BIGINT REFERENCES agreements(id);
ALTER TABLE referral_consents ADD COLUMN agreement_version INTEGER;
-- Consents recorded before: the version the referral was sent under is
-- the best record of what the family was told.
UPDATE referral_consents c SET agreement_id = r.agreement_id, agreement_version = r.agreement_version
FROM referrals r WHERE r.id = c.referral_id AND r.agreement_id IS NOT NULL AND r.agreement_version IS NOT NULL;

-- The row trigger of 00001 does not fire on TRUNCATE: a statement trigger
-- refuses it too, whoever runs it (the table owner included).
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- +goose Down
DROP TRIGGER audit_events_no_truncate ON audit_events;
ALTER TABLE referral_consents DROP COLUMN agreement_version;
ALTER TABLE referral_consents DROP COLUMN agreement_id;
DROP INDEX agreement_versions_one_proposal;
ALTER TABLE agreement_versions DROP COLUMN decision_note;
ALTER TABLE agreement_versions DROP COLUMN decided_by;
ALTER TABLE agreement_versions DROP COLUMN decided_at;
ALTER TABLE agreement_versions DROP COLUMN based_on;
ALTER TABLE agreement_versions DROP COLUMN state;
