-- Version 2: engineer workflow — spot kind, network correlation, escalation,
-- ETA history in events, network sites and alarms.
ALTER TABLE spots ADD COLUMN kind TEXT NOT NULL DEFAULT 'detected';
ALTER TABLE spots ADD COLUMN suggested_cause TEXT;
ALTER TABLE spots ADD COLUMN alarm_site TEXT;
ALTER TABLE spots ADD COLUMN escalated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE spot_events ADD COLUMN eta TEXT;
CREATE INDEX spots_queue ON spots (queue, status);

CREATE TABLE sites (
    site_id    TEXT PRIMARY KEY,
    lat        REAL NOT NULL,
    lon        REAL NOT NULL,
    technology TEXT,
    band       TEXT,
    azimuth    REAL
);

CREATE TABLE alarms (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id  TEXT NOT NULL,
    severity TEXT NOT NULL,
    start    TEXT NOT NULL,
    "end"    TEXT,
    kind     TEXT,
    text     TEXT
);
CREATE INDEX alarms_site ON alarms (site_id);
