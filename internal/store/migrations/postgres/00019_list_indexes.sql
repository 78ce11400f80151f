-- +goose Up
-- Lists a page at a time (issue 12): keyset pagination reads the next page
-- from an index over the sort column and the id, so a page costs the same
-- at 1k and at 1M rows. The lists that can grow get one for their default
-- sort and their most used other sorts.
CREATE INDEX outreach_contacts_municipality_id ON outreach_contacts(municipality_nis, id);
CREATE INDEX outreach_contacts_name_id ON outreach_contacts(LOWER(name), id);
CREATE INDEX outreach_contact_moments_on_id ON outreach_contact_moments(on_day, id);
CREATE INDEX outreach_tasks_due_id ON outreach_tasks(due_on, id);
CREATE INDEX outreach_tasks_team_due_id ON outreach_tasks(team_key, due_on, id);
CREATE INDEX outreach_tasks_team_title_id ON outreach_tasks(team_key, LOWER(title), id);
CREATE INDEX outreach_campaigns_on_id ON outreach_campaigns(on_day, id);
CREATE INDEX users_name_id ON users(LOWER(name), id);

-- +goose Down
DROP INDEX users_name_id;
DROP INDEX outreach_campaigns_on_id;
DROP INDEX outreach_tasks_team_title_id;
DROP INDEX outreach_tasks_team_due_id;
DROP INDEX outreach_tasks_due_id;
DROP INDEX outreach_contact_moments_on_id;
DROP INDEX outreach_contacts_name_id;
DROP INDEX outreach_contacts_municipality_id;
