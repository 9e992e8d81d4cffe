-- Teplokarty schema, version 1 (PostGIS): the same tables as the SQLite schema 0001,
-- with timestamptz times, jsonb documents and geometries (SRID 4326) under GiST indexes.
-- Tables are created in the first schema of the connection's search_path; the PostGIS
-- types must resolve through that search_path too (usually via "public").

CREATE TABLE meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE ingests (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source      text NOT NULL,
    at          timestamptz NOT NULL,
    read        integer NOT NULL,
    inserted    integer NOT NULL,
    updated     integer NOT NULL,
    unchanged   integer NOT NULL,
    quarantined integer NOT NULL
);

CREATE TABLE complaints (
    ticket_id       text PRIMARY KEY,
    created_at      timestamptz NOT NULL,
    msisdn          text,
    subscriber_id   text NOT NULL,
    segment         text NOT NULL,
    ltv             double precision,
    topic           text,
    topic_source    text,
    description     text,
    address         text,
    lat             double precision,
    lon             double precision,
    region          text,
    channel         text,
    content_hash    text NOT NULL,
    "precision"     text,
    geo_score       double precision,
    matched_address text,
    geo_reason      text,
    spot_id         text,
    ingested_at     timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    -- The point follows lat/lon wherever they are set from (ingest, geocoding); NULL
    -- while the complaint is unlocated.
    geom            geometry(Point, 4326) GENERATED ALWAYS AS (
        CASE WHEN lat IS NOT NULL AND lon IS NOT NULL
             THEN ST_SetSRID(ST_MakePoint(lon, lat), 4326) END
    ) STORED
);
CREATE INDEX complaints_created_at ON complaints (created_at);
CREATE INDEX complaints_spot_id ON complaints (spot_id);
CREATE INDEX complaints_pending ON complaints ("precision") WHERE "precision" IS NULL;
CREATE INDEX complaints_geom ON complaints USING gist (geom);

CREATE TABLE complaint_changes (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id  text NOT NULL REFERENCES complaints (ticket_id),
    ingest_id  bigint NOT NULL REFERENCES ingests (id),
    at         timestamptz NOT NULL,
    old_hash   text NOT NULL,
    new_hash   text NOT NULL,
    old_values jsonb NOT NULL
);
CREATE INDEX complaint_changes_ticket ON complaint_changes (ticket_id);

CREATE TABLE quarantine (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ingest_id bigint NOT NULL REFERENCES ingests (id),
    source    text NOT NULL,
    line      integer NOT NULL,
    raw       text NOT NULL,
    reasons   text NOT NULL,
    at        timestamptz NOT NULL
);
-- SQLite's UNIQUE (source, line, raw), on a digest of raw: a B-tree entry cannot hold a
-- raw row longer than about 2.7 kB.
CREATE UNIQUE INDEX quarantine_row ON quarantine (source, line, md5(raw));

CREATE TABLE spots (
    id                 text PRIMARY KEY,
    status             text NOT NULL,
    method             text NOT NULL,
    geometry           geometry(Geometry, 4326) NOT NULL,
    centroid_lat       double precision NOT NULL,
    centroid_lon       double precision NOT NULL,
    region             text,
    address            text,
    complaints         integer NOT NULL,
    subscribers        integer NOT NULL,
    first_complaint_at timestamptz NOT NULL,
    last_complaint_at  timestamptz NOT NULL,
    dominant_topic     text,
    priority           double precision NOT NULL,
    breakdown          jsonb NOT NULL,
    queue              text,
    sla_hours          double precision,
    due_at             timestamptz,
    eta                timestamptz,
    cause              text,
    engineer           text,
    merged_into        text REFERENCES spots (id),
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL
);
CREATE INDEX spots_status ON spots (status);
CREATE INDEX spots_centroid ON spots (centroid_lat, centroid_lon);
CREATE INDEX spots_geometry ON spots USING gist (geometry);

CREATE TABLE spot_events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    spot_id         text NOT NULL REFERENCES spots (id),
    at              timestamptz NOT NULL,
    kind            text NOT NULL,
    from_status     text,
    to_status       text,
    related_spot_id text,
    actor           text,
    note            text
);
CREATE INDEX spot_events_spot ON spot_events (spot_id);
