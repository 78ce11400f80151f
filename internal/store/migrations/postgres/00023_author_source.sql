-- +goose Up
-- "system" as author becomes what it was (issue 12): next to each author
-- column the program's own work writes, the source of that work — "demo"
-- (the demo loader), "job:retention" (a daily job), "cli:retention" (a
-- command), "migration:…". Empty for people and for older rows, which
-- keep the generic text. The author columns keep "system": the API's
-- recorded_by/created_by values do not change.
ALTER TABLE agreement_events ADD COLUMN recorded_by_source TEXT NOT NULL DEFAULT '';
ALTER TABLE agreement_versions ADD COLUMN created_by_source TEXT NOT NULL DEFAULT '';
ALTER TABLE agreement_versions ADD COLUMN decided_by_source TEXT NOT NULL DEFAULT '';
ALTER TABLE outreach_campaigns ADD COLUMN created_by_source TEXT NOT NULL DEFAULT '';
ALTER TABLE outreach_contacts ADD COLUMN created_by_source TEXT NOT NULL DEFAULT '';
ALTER TABLE outreach_contacts ADD COLUMN updated_by_source TEXT NOT NULL DEFAULT '';
ALTER TABLE outreach_contact_moments ADD COLUMN created_by_source TEXT NOT NULL DEFAULT '';
ALTER TABLE outreach_tasks ADD COLUMN created_by_source TEXT NOT NULL DEFAULT '';
ALTER TABLE outreach_tasks ADD COLUMN updated_by_source TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE outreach_tasks DROP COLUMN updated_by_source;
ALTER TABLE outreach_tasks DROP COLUMN created_by_source;
ALTER TABLE outreach_contact_moments DROP COLUMN created_by_source;
ALTER TABLE outreach_contacts DROP COLUMN updated_by_source;
ALTER TABLE outreach_contacts DROP COLUMN created_by_source;
ALTER TABLE outreach_campaigns DROP COLUMN created_by_source;
ALTER TABLE agreement_versions DROP COLUMN decided_by_source;
ALTER TABLE agreement_versions DROP COLUMN created_by_source;
ALTER TABLE agreement_events DROP COLUMN recorded_by_source;
