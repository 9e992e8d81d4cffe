-- Version 7: significance-based detection. A spot says why it is one: observed (weighted
-- distinct complainants), the count expected there, the excess, the relative risk, the
-- p-value, the scan window (days) they were counted in, and a trend label from its own history. Spots detected before keep NULL.
-- Exposure layers (where the people who could complain are) are kept per source.
ALTER TABLE spots ADD COLUMN observed REAL;
ALTER TABLE spots ADD COLUMN expected REAL;
ALTER TABLE spots ADD COLUMN excess REAL;
ALTER TABLE spots ADD COLUMN relative_risk REAL;
ALTER TABLE spots ADD COLUMN p_value REAL;
ALTER TABLE spots ADD COLUMN scan_days REAL;
ALTER TABLE spots ADD COLUMN trend TEXT
    CHECK (trend IN ('new', 'intensifying', 'persistent', 'diminishing'));

CREATE TABLE exposure (
    source  TEXT NOT NULL CHECK (source IN ('subscribers', 'addresses')),
    h3_cell TEXT NOT NULL,
    weight  REAL NOT NULL CHECK (weight >= 0),
    PRIMARY KEY (source, h3_cell)
);
