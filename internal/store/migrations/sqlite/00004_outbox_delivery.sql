-- +goose Up
-- Delivery state of the outbox: a lease so that several instances never
-- work on the same notice at once, the state of each channel (a notice is
-- delivered once both its e-mail and its webhook part are done, and a
-- retry only repeats the part that failed), and when it was given up.
ALTER TABLE outbox ADD COLUMN locked_until TEXT;
ALTER TABLE outbox ADD COLUMN mail_status TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN webhook_status TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN failed_at TEXT;

-- +goose Down
ALTER TABLE outbox DROP COLUMN failed_at;
ALTER TABLE outbox DROP COLUMN webhook_status;
ALTER TABLE outbox DROP COLUMN mail_status;
ALTER TABLE outbox DROP COLUMN locked_until;
