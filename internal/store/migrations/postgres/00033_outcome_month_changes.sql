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
-- follow-up of this month's referrals stops at the trigger's WHEN (for
-- attempts and consents, at the function's first test). The application
-- keeps a month only once its end lies before the UTC month of
-- (now - 1 day), a margin for transactions that began before the turn of a
-- month.
CREATE TABLE outcome_month_changes (
    month      TEXT PRIMARY KEY,
    generation BIGINT NOT NULL
);

-- +goose StatementBegin
CREATE FUNCTION outcome_month_changed(at TIMESTAMPTZ) RETURNS void AS $$
DECLARE
    m TEXT;
BEGIN
    IF at IS NULL OR at >= date_trunc('month', now(), 'UTC') THEN
        RETURN;
    END IF;
    -- In the months' order: two writers bumping the same two months take
    -- their locks in the same order.
    FOREACH m IN ARRAY ARRAY[to_char(at AT TIME ZONE 'UTC', 'YYYY-MM'),
        to_char((at + interval '2 hours') AT TIME ZONE 'UTC', 'YYYY-MM')] LOOP
        -- Once a transaction: a bulk write of old rows (an import, a purge)
        -- would otherwise update one row once per row written, each update a
        -- new version of it for the next one to walk past. The month's new
        -- generation shows when the transaction commits, as its rows do.
        CONTINUE WHEN EXISTS (SELECT 1 FROM outcome_month_changes
            WHERE month = m AND xmin = (txid_current() % 4294967296)::text::xid);
        INSERT INTO outcome_month_changes AS c (month, generation) VALUES (m, 1)
        ON CONFLICT (month) DO UPDATE SET generation = c.generation + 1;
    END LOOP;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION outcome_row_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM outcome_month_changed(OLD.created_at);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.created_at IS DISTINCT FROM OLD.created_at) THEN
        PERFORM outcome_month_changed(NEW.created_at);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION outcome_referral_child_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM outcome_month_changed((SELECT created_at FROM referrals WHERE id = OLD.referral_id));
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.referral_id <> OLD.referral_id) THEN
        PERFORM outcome_month_changed((SELECT created_at FROM referrals WHERE id = NEW.referral_id));
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION outcome_send_refused() RETURNS trigger AS $$
BEGIN
    IF NEW.object_id ~ '^[0-9]{1,18}$' THEN
        PERFORM outcome_month_changed((SELECT created_at FROM referrals WHERE id = NEW.object_id::bigint));
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION outcome_agreement_version_changed() RETURNS trigger AS $$
BEGIN
    -- Every old referral sent under the version: its target of first
    -- contact decides within / past target.
    INSERT INTO outcome_month_changes AS c (month, generation)
    SELECT DISTINCT to_char(m AT TIME ZONE 'UTC', 'YYYY-MM'), 1
        FROM referrals r, unnest(ARRAY[r.created_at, r.created_at + interval '2 hours']) AS m
        WHERE ((r.agreement_id = OLD.agreement_id AND r.agreement_version = OLD.version)
            OR (TG_OP = 'UPDATE' AND r.agreement_id = NEW.agreement_id AND r.agreement_version = NEW.version))
            AND r.created_at < date_trunc('month', now(), 'UTC')
        ORDER BY 1
    ON CONFLICT (month) DO UPDATE SET generation = c.generation + 1;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

-- The triggers are deferred to the commit: a month's row is locked from
-- its bump to the end of the transaction, and concurrent writers to rows of
-- the same old month (an OCMW's follow-ups of last month's referrals, a
-- purge) would otherwise queue behind each other's whole transaction, past
-- the request's lock timeout. At the commit the lock is held only for the
-- commit itself. The WHEN conditions are still evaluated at each row, so a
-- row of the current month queues nothing.
CREATE CONSTRAINT TRIGGER referrals_outcome_insert AFTER INSERT ON referrals DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.created_at < date_trunc('month', now(), 'UTC')) EXECUTE FUNCTION outcome_row_changed();
-- Only the columns the counts read: the other updates (updated_at, name_key, …)
-- never reach the WHEN.
CREATE CONSTRAINT TRIGGER referrals_outcome_update AFTER UPDATE OF team_key, municipality_nis, recipient_key, status, agreement_id, agreement_version, outcome, rights,
    sent_at, received_at, closed_at, withdrawn_at, data_deleted_at, created_at ON referrals DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.created_at < date_trunc('month', now(), 'UTC') OR NEW.created_at < date_trunc('month', now(), 'UTC'))
    EXECUTE FUNCTION outcome_row_changed();
CREATE CONSTRAINT TRIGGER referrals_outcome_delete AFTER DELETE ON referrals DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.created_at < date_trunc('month', now(), 'UTC')) EXECUTE FUNCTION outcome_row_changed();

CREATE CONSTRAINT TRIGGER birth_notifications_outcome_insert AFTER INSERT ON birth_notifications DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.created_at < date_trunc('month', now(), 'UTC')) EXECUTE FUNCTION outcome_row_changed();
CREATE CONSTRAINT TRIGGER birth_notifications_outcome_update AFTER UPDATE OF team_key, municipality_nis, status, first_contact_on, created_at
    ON birth_notifications DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.created_at < date_trunc('month', now(), 'UTC') OR NEW.created_at < date_trunc('month', now(), 'UTC'))
    EXECUTE FUNCTION outcome_row_changed();
CREATE CONSTRAINT TRIGGER birth_notifications_outcome_delete AFTER DELETE ON birth_notifications DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.created_at < date_trunc('month', now(), 'UTC')) EXECUTE FUNCTION outcome_row_changed();

-- Attempts and consents carry no date of their own that says the month:
-- the function looks up their referral's (a primary-key read).
CREATE CONSTRAINT TRIGGER referral_contact_attempts_outcome AFTER INSERT OR UPDATE OF referral_id, on_day, reached OR DELETE ON referral_contact_attempts
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION outcome_referral_child_changed();
CREATE CONSTRAINT TRIGGER referral_consents_outcome AFTER INSERT OR UPDATE OF referral_id, refused OR DELETE ON referral_consents
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION outcome_referral_child_changed();

-- The audit log only grows (audit_events_no_change); of its inserts only
-- the rare refused sends reach the function.
CREATE CONSTRAINT TRIGGER audit_events_outcome AFTER INSERT ON audit_events DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.action = 'referral.send_refused' AND NEW.object_type = 'referral') EXECUTE FUNCTION outcome_send_refused();

-- A version is inserted before any referral is sent under it, and its
-- decision (state, decided_at) is not counted: only a change of its target
-- or of its key, or its removal, changes cells.
CREATE CONSTRAINT TRIGGER agreement_versions_outcome_update AFTER UPDATE OF first_contact_days, agreement_id, version ON agreement_versions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.first_contact_days IS DISTINCT FROM NEW.first_contact_days OR OLD.agreement_id <> NEW.agreement_id OR OLD.version <> NEW.version)
    EXECUTE FUNCTION outcome_agreement_version_changed();
CREATE CONSTRAINT TRIGGER agreement_versions_outcome_delete AFTER DELETE ON agreement_versions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION outcome_agreement_version_changed();

-- +goose Down
DROP TRIGGER agreement_versions_outcome_delete ON agreement_versions;
DROP TRIGGER agreement_versions_outcome_update ON agreement_versions;
DROP TRIGGER audit_events_outcome ON audit_events;
DROP TRIGGER referral_consents_outcome ON referral_consents;
DROP TRIGGER referral_contact_attempts_outcome ON referral_contact_attempts;
DROP TRIGGER birth_notifications_outcome_delete ON birth_notifications;
DROP TRIGGER birth_notifications_outcome_update ON birth_notifications;
DROP TRIGGER birth_notifications_outcome_insert ON birth_notifications;
DROP TRIGGER referrals_outcome_delete ON referrals;
DROP TRIGGER referrals_outcome_update ON referrals;
DROP TRIGGER referrals_outcome_insert ON referrals;
DROP FUNCTION outcome_agreement_version_changed;
DROP FUNCTION outcome_send_refused;
DROP FUNCTION outcome_referral_child_changed;
DROP FUNCTION outcome_row_changed;
DROP FUNCTION outcome_month_changed;
DROP TABLE outcome_month_changes;
