-- +goose Up
-- Staging of large birth imports (issue 14): `kansrijk import births`
-- and the clinics' batches write their checked rows here in short
-- transactions of a chunk each, so that other writes pass between them,
-- and then move them into birth_notifications, birth_parents and
-- audit_events with set-based INSERT … SELECT in one transaction: the
-- file goes in whole or not at all. The rows of an import are deleted
-- once it is in (or failed); rows older than a day are what a crash left.
-- They hold personal data only for the minutes of an import. UNLOGGED:
-- nothing of it needs to survive a crash.
CREATE UNLOGGED TABLE birth_import_rows (
    import_id        TEXT NOT NULL,
    line             INTEGER NOT NULL,
    natural_key      TEXT NOT NULL,
    team_key         TEXT,
    municipality_nis TEXT NOT NULL,
    child_birth_date DATE NOT NULL,
    language         TEXT NOT NULL,
    early_contact    BOOLEAN NOT NULL,
    clinic_reference TEXT NOT NULL,
    detail           TEXT NOT NULL,
    salt             TEXT NOT NULL,
    m_name           TEXT NOT NULL,
    m_street         TEXT NOT NULL,
    m_number         TEXT NOT NULL,
    m_box            TEXT NOT NULL,
    m_postcode       TEXT NOT NULL,
    m_nis            TEXT NOT NULL,
    m_phone          TEXT NOT NULL,
    m_email          TEXT NOT NULL,
    m_language       TEXT NOT NULL,
    m_duplicate_key  TEXT NOT NULL,
    co_parent        BOOLEAN NOT NULL,
    c_name           TEXT NOT NULL,
    c_street         TEXT NOT NULL,
    c_number         TEXT NOT NULL,
    c_box            TEXT NOT NULL,
    c_postcode       TEXT NOT NULL,
    c_nis            TEXT NOT NULL,
    c_phone          TEXT NOT NULL,
    c_email          TEXT NOT NULL,
    c_language       TEXT NOT NULL,
    c_duplicate_key  TEXT NOT NULL,
    staged_at        TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX birth_import_rows_line ON birth_import_rows(import_id, line);

-- +goose Down
DROP TABLE birth_import_rows;
