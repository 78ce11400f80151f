-- +goose Up
-- The family's receipt code on every audit event about its referral: the
-- family's own view of who saw its data selects on it.
ALTER TABLE audit_events ADD COLUMN receipt_code TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_events_receipt ON audit_events(receipt_code) WHERE receipt_code <> '';

-- +goose Down
DROP INDEX audit_events_receipt;
ALTER TABLE audit_events DROP COLUMN receipt_code;
