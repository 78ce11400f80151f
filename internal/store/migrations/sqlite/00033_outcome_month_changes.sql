-- +goose Up
-- The cells of a year's referral statistics (issue 14) are kept in each
-- instance's memory per month once the month is closed, and recounted only
-- when a row they count changes. This table is how every instance learns
-- that: one generation per month ("2006-01"), bumped by the triggers below
-- on every write to a row the counts read (store/outcome.go,
-- outcomeReferralsSQL and outcomeBirthsSQL). A row is bumped under the UTC
-- months of its created_at and of created_at + 2 hours: its Brussels month
-- is one of the two, so no zone data is needed here.
--
-- Only rows drafted before the current UTC month (database clock) bump:
-- the open month is never kept, so every new notification and every
-- follow-up of this month's referrals stops at the trigger's WHEN. The
-- application keeps a month only once its end lies before the UTC month
-- of (now - 1 day), a margin for transactions that began before the turn
-- of a month.
CREATE TABLE outcome_month_changes (
    month      TEXT PRIMARY KEY,
    generation INTEGER NOT NULL
) WITHOUT ROWID;

-- +goose StatementBegin
CREATE TRIGGER referrals_outcome_insert AFTER INSERT ON referrals
WHEN NEW.created_at < strftime('%Y-%m-01T00:00:00.000000Z', 'now')
BEGIN
    INSERT INTO outcome_month_changes (month, generation) VALUES (substr(NEW.created_at, 1, 7), 1), (strftime('%Y-%m', NEW.created_at, '+2 hours'), 1)
        ON CONFLICT (month) DO UPDATE SET generation = generation + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER referrals_outcome_update AFTER UPDATE OF team_key, municipality_nis, recipient_key, status, agreement_id, agreement_version, outcome, rights, sent_at, received_at, closed_at, withdrawn_at, data_deleted_at, created_at ON referrals
WHEN OLD.created_at < strftime('%Y-%m-01T00:00:00.000000Z', 'now')
BEGIN
    INSERT INTO outcome_month_changes (month, generation) VALUES (substr(OLD.created_at, 1, 7), 1), (strftime('%Y-%m', OLD.created_at, '+2 hours'), 1)
        ON CONFLICT (month) DO UPDATE SET generation = generation + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER referrals_outcome_moved AFTER UPDATE OF created_at ON referrals
WHEN NEW.created_at < strftime('%Y-%m-01T00:00:00.000000Z', 'now')
BEGIN
    INSERT INTO outcome_month_changes (month, generation) VALUES (substr(NEW.created_at, 1, 7), 1), (strftime('%Y-%m', NEW.created_at, '+2 hours'), 1)
        ON CONFLICT (month) DO UPDATE SET generation = generation + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER referrals_outcome_delete AFTER DELETE ON referrals
WHEN OLD.created_at < strftime('%Y-%m-01T00:00:00.000000Z', 'now')
BEGIN
    INSERT INTO outcome_month_changes (month, generation) VALUES (substr(OLD.created_at, 1, 7), 1), (strftime('%Y-%m', OLD.created_at, '+2 hours'), 1)
        ON CONFLICT (month) DO UPDATE SET generation = generation + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER birth_notifications_outcome_insert AFTER INSERT ON birth_notifications
WHEN NEW.created_at < strftime('%Y-%m-01T00:00:00.000000Z', 'now')
BEGIN
    INSERT INTO outcome_month_changes (month, generation) VALUES (substr(NEW.created_at, 1, 7), 1), (strftime('%Y-%m', NEW.created_at, '+2 hours'), 1)
        ON CONFLICT (month) DO UPDATE SET generation = generation + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER birth_notifications_outcome_update AFTER UPDATE OF team_key, municipality_nis, status, first_contact_on, created_at ON birth_notifications
WHEN OLD.created_at < strftime('%Y-%m-01T00:00:00.000000Z', 'now')
BEGIN
    INSERT INTO outcome_month_changes (month, generation) VALUES (substr(OLD.created_at, 1, 7), 1), (strftime('%Y-%m', OLD.created_at, '+2 hours'), 1)
        ON CONFLICT (month) DO UPDATE SET generation = generation + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER birth_notifications_outcome_moved AFTER UPDATE OF created_at ON birth_notifications
WHEN NEW.created_at < strftime('%Y-%m-01T00:00:00.000000Z', 'now')
BEGIN
    INSERT INTO outcome_month_changes (month, generation) VALUES (substr(NEW.created_at, 1, 7), 1), (strftime('%Y-%m', NEW.created_at, '+2 hours'), 1)
        ON CONFLICT (month) DO UPDATE SET generation = generation + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER birth_notifications_outcome_delete AFTER DELETE ON birth_notifications
WHEN OLD.created_at < strftime('%Y-%m-01T00:00:00.000000Z', 'now')
BEGIN
    INSERT INTO outcome_month_changes (month, generation) VALUES (substr(OLD.created_at, 1, 7), 1), (strftime('%Y-%m', OLD.created_at, '+2 hours'), 1)
        ON CONFLICT (month) DO UPDATE SET generation = generation + 1;
END;
-- +goose StatementEnd

-- Attempts and consents carry no date of their own that says the month:
-- their referral's is looked up (a primary-key read).

-- +goose StatementBegin
CREATE TRIGGER referral_contact_attempts_outcome_insert AFTER INSERT ON referral_contact_attempts
WHEN (SELECT created_at FROM referrals WHERE id = NEW.referral_id) < strftime('%Y-%m-01T00:00:00.000000Z', 'now')
BEGIN
    INSERT INTO outcome_month_changes (month, generation) VALUES ((SELECT substr(created_at, 1, 7) FROM referrals WHERE id = NEW.referral_id), 1),
        ((SELECT strftime('%Y-%m', created_at, '+2 hours') FROM referrals WHERE id = NEW.referral_id), 1)
        ON CONFLICT (month) DO UPDATE SET generation = generation + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER referral_contact_attempts_outcome_update AFTER UPDATE OF on_day, reached, referral_id ON referral_contact_attempts
WHEN (SELECT created_at FROM referrals WHERE id = OLD.referral_id) < strftime('%Y-%m-01T00:00:00.000000Z', 'now')
BEGIN
    INSERT INTO outcome_month_changes (month, generation) VALUES ((SELECT substr(created_at, 1, 7) FROM referrals WHERE id = OLD.referral_id), 1),
        ((SELECT strftime('%Y-%m', created_at, '+2 hours') FROM referrals WHERE id = OLD.referral_id), 1)
        ON CONFLICT (month) DO UPDATE SET generation = generation + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER referral_contact_attempts_outcome_moved AFTER UPDATE OF referral_id ON referral_contact_attempts
WHEN (SELECT created_at FROM referrals WHERE id = NEW.referral_id) < strftime('%Y-%m-01T00:00:00.000000Z', 'now')
BEGIN
    INSERT INTO outcome_month_changes (month, generation) VALUES ((SELECT substr(created_at, 1, 7) FROM referrals WHERE id = NEW.referral_id), 1),
        ((SELECT strftime('%Y-%m', created_at, '+2 hours') FROM referrals WHERE id = NEW.referral_id), 1)
        ON CONFLICT (month) DO UPDATE SET generation = generation + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER referral_contact_attempts_outcome_delete AFTER DELETE ON referral_contact_attempts
WHEN (SELECT created_at FROM referrals WHERE id = OLD.referral_id) < strftime('%Y-%m-01T00:00:00.000000Z', 'now')
BEGIN
    INSERT INTO outcome_month_changes (month, generation) VALUES ((SELECT substr(created_at, 1, 7) FROM referrals WHERE id = OLD.referral_id), 1),
        ((SELECT strftime('%Y-%m', created_at, '+2 hours') FROM referrals WHERE id = OLD.referral_id), 1)
        ON CONFLICT (month) DO UPDATE SET generation = generation + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER referral_consents_outcome_insert AFTER INSERT ON referral_consents
WHEN (SELECT created_at FROM referrals WHERE id = NEW.referral_id) < strftime('%Y-%m-01T00:00:00.000000Z', 'now')
BEGIN
    INSERT INTO outcome_month_changes (month, generation) VALUES ((SELECT substr(created_at, 1, 7) FROM referrals WHERE id = NEW.referral_id), 1),
        ((SELECT strftime('%Y-%m', created_at, '+2 hours') FROM referrals WHERE id = NEW.referral_id), 1)
        ON CONFLICT (month) DO UPDATE SET generation = generation + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER referral_consents_outcome_update AFTER UPDATE OF refused, referral_id ON referral_consents
WHEN (SELECT created_at FROM referrals WHERE id = OLD.referral_id) < strftime('%Y-%m-01T00:00:00.000000Z', 'now')
BEGIN
    INSERT INTO outcome_month_changes (month, generation) VALUES ((SELECT substr(created_at, 1, 7) FROM referrals WHERE id = OLD.referral_id), 1),
        ((SELECT strftime('%Y-%m', created_at, '+2 hours') FROM referrals WHERE id = OLD.referral_id), 1)
        ON CONFLICT (month) DO UPDATE SET generation = generation + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER referral_consents_outcome_moved AFTER UPDATE OF referral_id ON referral_consents
WHEN (SELECT created_at FROM referrals WHERE id = NEW.referral_id) < strftime('%Y-%m-01T00:00:00.000000Z', 'now')
BEGIN
    INSERT INTO outcome_month_changes (month, generation) VALUES ((SELECT substr(created_at, 1, 7) FROM referrals WHERE id = NEW.referral_id), 1),
        ((SELECT strftime('%Y-%m', created_at, '+2 hours') FROM referrals WHERE id = NEW.referral_id), 1)
        ON CONFLICT (month) DO UPDATE SET generation = generation + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER referral_consents_outcome_delete AFTER DELETE ON referral_consents
WHEN (SELECT created_at FROM referrals WHERE id = OLD.referral_id) < strftime('%Y-%m-01T00:00:00.000000Z', 'now')
BEGIN
    INSERT INTO outcome_month_changes (month, generation) VALUES ((SELECT substr(created_at, 1, 7) FROM referrals WHERE id = OLD.referral_id), 1),
        ((SELECT strftime('%Y-%m', created_at, '+2 hours') FROM referrals WHERE id = OLD.referral_id), 1)
        ON CONFLICT (month) DO UPDATE SET generation = generation + 1;
END;
-- +goose StatementEnd

-- The audit log only grows (audit_events_no_update/_delete); of its
-- inserts only the rare refused sends get past the WHEN.

-- +goose StatementBegin
CREATE TRIGGER audit_events_outcome AFTER INSERT ON audit_events
WHEN NEW.action = 'referral.send_refused' AND NEW.object_type = 'referral' AND (SELECT created_at FROM referrals WHERE id = CAST(NEW.object_id AS INTEGER) AND CAST(id AS TEXT) = NEW.object_id) < strftime('%Y-%m-01T00:00:00.000000Z', 'now')
BEGIN
    INSERT INTO outcome_month_changes (month, generation) VALUES ((SELECT substr(created_at, 1, 7) FROM referrals WHERE id = CAST(NEW.object_id AS INTEGER) AND CAST(id AS TEXT) = NEW.object_id), 1),
        ((SELECT strftime('%Y-%m', created_at, '+2 hours') FROM referrals WHERE id = CAST(NEW.object_id AS INTEGER) AND CAST(id AS TEXT) = NEW.object_id), 1)
        ON CONFLICT (month) DO UPDATE SET generation = generation + 1;
END;
-- +goose StatementEnd

-- A version is inserted before any referral is sent under it, and its
-- decision (state, decided_at) is not counted: only a change of its target
-- or of its key, or its removal, changes cells.

-- +goose StatementBegin
CREATE TRIGGER agreement_versions_outcome_update AFTER UPDATE OF first_contact_days, agreement_id, version ON agreement_versions
WHEN OLD.first_contact_days IS NOT NEW.first_contact_days OR OLD.agreement_id <> NEW.agreement_id OR OLD.version <> NEW.version
BEGIN
    INSERT INTO outcome_month_changes (month, generation)
    SELECT m, 1 FROM (SELECT substr(r.created_at, 1, 7) AS m FROM referrals r WHERE (r.agreement_id = OLD.agreement_id AND r.agreement_version = OLD.version AND r.created_at < strftime('%Y-%m-01T00:00:00.000000Z', 'now')) OR (r.agreement_id = NEW.agreement_id AND r.agreement_version = NEW.version AND r.created_at < strftime('%Y-%m-01T00:00:00.000000Z', 'now'))
        UNION SELECT strftime('%Y-%m', r.created_at, '+2 hours') FROM referrals r WHERE (r.agreement_id = OLD.agreement_id AND r.agreement_version = OLD.version AND r.created_at < strftime('%Y-%m-01T00:00:00.000000Z', 'now')) OR (r.agreement_id = NEW.agreement_id AND r.agreement_version = NEW.version AND r.created_at < strftime('%Y-%m-01T00:00:00.000000Z', 'now'))) WHERE true
    ON CONFLICT (month) DO UPDATE SET generation = generation + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER agreement_versions_outcome_delete AFTER DELETE ON agreement_versions
WHEN true
BEGIN
    INSERT INTO outcome_month_changes (month, generation)
    SELECT m, 1 FROM (SELECT substr(r.created_at, 1, 7) AS m FROM referrals r WHERE r.agreement_id = OLD.agreement_id AND r.agreement_version = OLD.version AND r.created_at < strftime('%Y-%m-01T00:00:00.000000Z', 'now')
        UNION SELECT strftime('%Y-%m', r.created_at, '+2 hours') FROM referrals r WHERE r.agreement_id = OLD.agreement_id AND r.agreement_version = OLD.version AND r.created_at < strftime('%Y-%m-01T00:00:00.000000Z', 'now')) WHERE true
    ON CONFLICT (month) DO UPDATE SET generation = generation + 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER agreement_versions_outcome_delete;
DROP TRIGGER agreement_versions_outcome_update;
DROP TRIGGER audit_events_outcome;
DROP TRIGGER referral_consents_outcome_delete;
DROP TRIGGER referral_consents_outcome_moved;
DROP TRIGGER referral_consents_outcome_update;
DROP TRIGGER referral_consents_outcome_insert;
DROP TRIGGER referral_contact_attempts_outcome_delete;
DROP TRIGGER referral_contact_attempts_outcome_moved;
DROP TRIGGER referral_contact_attempts_outcome_update;
DROP TRIGGER referral_contact_attempts_outcome_insert;
DROP TRIGGER birth_notifications_outcome_delete;
DROP TRIGGER birth_notifications_outcome_moved;
DROP TRIGGER birth_notifications_outcome_update;
DROP TRIGGER birth_notifications_outcome_insert;
DROP TRIGGER referrals_outcome_delete;
DROP TRIGGER referrals_outcome_moved;
DROP TRIGGER referrals_outcome_update;
DROP TRIGGER referrals_outcome_insert;
DROP TABLE outcome_month_changes;
