-- +goose Up
-- Kind en Gezin's deprivation index (kansarmoede-index) per municipality
-- and year: public figures, imported from Opgroeien's spreadsheets. An
-- import replaces whole years; deprivation_years records the source and
-- when each year was last imported.
CREATE TABLE deprivation_years (
    year        INTEGER PRIMARY KEY,
    source      TEXT NOT NULL,
    imported_at TIMESTAMPTZ NOT NULL,
    imported_by TEXT NOT NULL
);

CREATE TABLE deprivation_index (
    municipality_nis TEXT NOT NULL,
    year             INTEGER NOT NULL REFERENCES deprivation_years(year),
    percent          DOUBLE PRECISION NOT NULL CHECK (percent >= 0 AND percent <= 100),
    births           INTEGER,
    deprived         INTEGER,
    PRIMARY KEY (municipality_nis, year)
);
CREATE INDEX deprivation_index_year ON deprivation_index(year);

-- +goose Down
DROP TABLE deprivation_index;
DROP TABLE deprivation_years;
