-- Version 7 (PostGIS): significance-based detection — observed, expected, excess,
-- relative risk, p-value, scan window and trend on spots (NULL on spots detected before), and the
-- exposure layers per source. Mirrors sqlite/0007_expected.sql; cell names compare byte
-- by byte (COLLATE "C") as identifiers do since version 6.
ALTER TABLE spots
    ADD COLUMN observed double precision,
    ADD COLUMN expected double precision,
    ADD COLUMN excess double precision,
    ADD COLUMN relative_risk double precision,
    ADD COLUMN p_value double precision,
    ADD COLUMN scan_days double precision,
    ADD COLUMN trend text
        CHECK (trend IN ('new', 'intensifying', 'persistent', 'diminishing'));

CREATE TABLE exposure (
    source  text COLLATE "C" NOT NULL CHECK (source IN ('subscribers', 'addresses')),
    h3_cell text COLLATE "C" NOT NULL,
    weight  double precision NOT NULL CHECK (weight >= 0),
    PRIMARY KEY (source, h3_cell)
);
