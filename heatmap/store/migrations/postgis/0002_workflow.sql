-- Version 2 (PostGIS): engineer workflow — spot kind, network correlation, escalation,
-- ETA history in events, network sites and alarms. Mirrors sqlite/0002_workflow.sql.
ALTER TABLE spots ADD COLUMN kind text NOT NULL DEFAULT 'detected';
ALTER TABLE spots ADD COLUMN suggested_cause text;
ALTER TABLE spots ADD COLUMN alarm_site text;
ALTER TABLE spots ADD COLUMN escalated integer NOT NULL DEFAULT 0;
ALTER TABLE spot_events ADD COLUMN eta timestamptz;
CREATE INDEX spots_queue ON spots (queue, status);

CREATE TABLE sites (
    site_id    text PRIMARY KEY,
    lat        double precision NOT NULL,
    lon        double precision NOT NULL,
    technology text,
    band       text,
    azimuth    double precision,
    geom       geometry(Point, 4326) GENERATED ALWAYS AS (
        ST_SetSRID(ST_MakePoint(lon, lat), 4326)
    ) STORED
);
CREATE INDEX sites_geom ON sites USING gist (geom);

CREATE TABLE alarms (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id  text NOT NULL,
    severity text NOT NULL,
    start    timestamptz NOT NULL,
    "end"    timestamptz,
    kind     text,
    text     text
);
CREATE INDEX alarms_site ON alarms (site_id);
