-- Teplokarty schema, version 1: complaints, quarantine, ingests, spots, spot events.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE ingests (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    source      TEXT NOT NULL,
    at          TEXT NOT NULL,
    read        INTEGER NOT NULL,
    inserted    INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    unchanged   INTEGER NOT NULL,
    quarantined INTEGER NOT NULL
);

CREATE TABLE complaints (
    ticket_id       TEXT PRIMARY KEY,
    created_at      TEXT NOT NULL,
    msisdn          TEXT,
    subscriber_id   TEXT NOT NULL,
    segment         TEXT NOT NULL,
    ltv             REAL,
    topic           TEXT,
    topic_source    TEXT,
    description     TEXT,
    address         TEXT,
    lat             REAL,
    lon             REAL,
    region          TEXT,
    channel         TEXT,
    content_hash    TEXT NOT NULL,
    precision       TEXT,
    geo_score       REAL,
    matched_address TEXT,
    geo_reason      TEXT,
    spot_id         TEXT,
    ingested_at     TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX complaints_created_at ON complaints (created_at);
CREATE INDEX complaints_spot_id ON complaints (spot_id);
CREATE INDEX complaints_pending ON complaints (precision) WHERE precision IS NULL;

CREATE TABLE complaint_changes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id  TEXT NOT NULL REFERENCES complaints (ticket_id),
    ingest_id  INTEGER NOT NULL REFERENCES ingests (id),
    at         TEXT NOT NULL,
    old_hash   TEXT NOT NULL,
    new_hash   TEXT NOT NULL,
    old_values TEXT NOT NULL
);
CREATE INDEX complaint_changes_ticket ON complaint_changes (ticket_id);

CREATE TABLE quarantine (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    ingest_id INTEGER NOT NULL REFERENCES ingests (id),
    source    TEXT NOT NULL,
    line      INTEGER NOT NULL,
    raw       TEXT NOT NULL,
    reasons   TEXT NOT NULL,
    at        TEXT NOT NULL,
    UNIQUE (source, line, raw)
);

CREATE TABLE spots (
    id                 TEXT PRIMARY KEY,
    status             TEXT NOT NULL,
    method             TEXT NOT NULL,
    geometry           TEXT NOT NULL,
    centroid_lat       REAL NOT NULL,
    centroid_lon       REAL NOT NULL,
    region             TEXT,
    address            TEXT,
    complaints         INTEGER NOT NULL,
    subscribers        INTEGER NOT NULL,
    first_complaint_at TEXT NOT NULL,
    last_complaint_at  TEXT NOT NULL,
    dominant_topic     TEXT,
    priority           REAL NOT NULL,
    breakdown          TEXT NOT NULL,
    queue              TEXT,
    sla_hours          REAL,
    due_at             TEXT,
    eta                TEXT,
    cause              TEXT,
    engineer           TEXT,
    merged_into        TEXT REFERENCES spots (id),
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX spots_status ON spots (status);
CREATE INDEX spots_centroid ON spots (centroid_lat, centroid_lon);

CREATE TABLE spot_events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    spot_id         TEXT NOT NULL REFERENCES spots (id),
    at              TEXT NOT NULL,
    kind            TEXT NOT NULL,
    from_status     TEXT,
    to_status       TEXT,
    related_spot_id TEXT,
    actor           TEXT,
    note            TEXT
);
CREATE INDEX spot_events_spot ON spot_events (spot_id);
