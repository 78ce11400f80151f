-- +goose Up
-- How families and partners reach an organisation: a local team's phone
-- number and e-mail address appear on the family's receipt (to withdraw
-- consent) and in the OCMW's inbox (who referred). Organisation data, not
-- personal data: a team's shared number and mailbox.
ALTER TABLE organisations ADD COLUMN contact_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN contact_email TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE organisations DROP COLUMN contact_email;
ALTER TABLE organisations DROP COLUMN contact_phone;
