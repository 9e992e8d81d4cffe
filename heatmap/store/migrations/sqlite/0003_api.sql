-- Version 3: the HTTP API — API keys (only a hash of each secret is kept) and a
-- counter of spot changes that lets every API worker see cheaply whether its
-- in-memory index of open spots is still current.
CREATE TABLE api_keys (
    key_id     TEXT PRIMARY KEY,
    key_hash   TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('agent', 'engineer', 'analyst', 'admin', 'gateway')),
    name       TEXT,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

INSERT OR IGNORE INTO meta (key, value) VALUES ('spots_version', '0');
