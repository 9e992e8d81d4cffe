-- Version 3 (PostGIS): the HTTP API — API keys (only a hash of each secret is kept)
-- and a counter of spot changes that lets every API worker see cheaply whether its
-- in-memory index of open spots is still current. Mirrors sqlite/0003_api.sql.
CREATE TABLE api_keys (
    key_id     text PRIMARY KEY,
    key_hash   text NOT NULL,
    role       text NOT NULL CHECK (role IN ('agent', 'engineer', 'analyst', 'admin', 'gateway')),
    name       text,
    created_at timestamptz NOT NULL,
    revoked_at timestamptz
);

INSERT INTO meta (key, value) VALUES ('spots_version', '0') ON CONFLICT (key) DO NOTHING;
