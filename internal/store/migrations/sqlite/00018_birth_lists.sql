-- +goose Up
-- Birth notifications in pages (issue 12): the clinic's own reference of
-- a notification (its file number, shown to the clinic only), and the
-- indexes that let a page of the team's queue, Opgroeien's view and a
-- clinic's submissions be read in its order, at the same cost at 1k and
-- at 1M notifications. SQLite ends every index with the rowid (id), so
-- (team_key, status, created_at) serves ORDER BY created_at, id.
ALTER TABLE birth_notifications ADD COLUMN clinic_reference TEXT NOT NULL DEFAULT '';

-- The team's queue (and Opgroeien's queue: team_key IS NULL), the
-- notifications whose personal data are kept: with a status and without.
DROP INDEX birth_notifications_team;
CREATE INDEX birth_notifications_team_status_created ON birth_notifications(team_key, status, created_at) WHERE data_deleted_at IS NULL;
CREATE INDEX birth_notifications_team_status_born ON birth_notifications(team_key, status, child_birth_date) WHERE data_deleted_at IS NULL;
CREATE INDEX birth_notifications_team_created ON birth_notifications(team_key, created_at);
CREATE INDEX birth_notifications_team_born ON birth_notifications(team_key, child_birth_date);
CREATE INDEX birth_notifications_team_municipality ON birth_notifications(team_key, municipality_nis);
-- Opgroeien's view of all of them.
CREATE INDEX birth_notifications_status_created ON birth_notifications(status, created_at);
CREATE INDEX birth_notifications_born ON birth_notifications(child_birth_date);
-- A clinic's submissions (by date of submission: birth_notifications_clinic).
CREATE INDEX birth_notifications_clinic_born ON birth_notifications(clinic_key, child_birth_date);
CREATE INDEX birth_notifications_clinic_reference ON birth_notifications(clinic_key, clinic_reference);

-- +goose Down
DROP INDEX birth_notifications_clinic_reference;
DROP INDEX birth_notifications_clinic_born;
DROP INDEX birth_notifications_born;
DROP INDEX birth_notifications_status_created;
DROP INDEX birth_notifications_team_municipality;
DROP INDEX birth_notifications_team_born;
DROP INDEX birth_notifications_team_created;
DROP INDEX birth_notifications_team_status_born;
DROP INDEX birth_notifications_team_status_created;
CREATE INDEX birth_notifications_team ON birth_notifications(team_key, status);
ALTER TABLE birth_notifications DROP COLUMN clinic_reference;
