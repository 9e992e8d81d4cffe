-- Version 8: complaint_changes says who changed a complaint. A change made through the
-- HTTP API carries the API key's name (actor) and is recorded on creation too (kind
-- 'inserted', with no old values); the CRM import's changes keep actor NULL (their
-- ingest names the file). SQLite cannot drop NOT NULL in place: the table is rebuilt.
CREATE TABLE complaint_changes_v8 (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id  TEXT NOT NULL REFERENCES complaints (ticket_id),
    ingest_id  INTEGER NOT NULL REFERENCES ingests (id),
    at         TEXT NOT NULL,
    old_hash   TEXT,
    new_hash   TEXT NOT NULL,
    old_values TEXT,
    kind       TEXT NOT NULL DEFAULT 'updated' CHECK (kind IN ('inserted', 'updated')),
    actor      TEXT,
    CHECK (kind = 'inserted' OR (old_hash IS NOT NULL AND old_values IS NOT NULL))
);
INSERT INTO complaint_changes_v8 (id, ticket_id, ingest_id, at, old_hash, new_hash, old_values)
    SELECT id, ticket_id, ingest_id, at, old_hash, new_hash, old_values FROM complaint_changes;
DROP TABLE complaint_changes;
ALTER TABLE complaint_changes_v8 RENAME TO complaint_changes;
CREATE INDEX complaint_changes_ticket ON complaint_changes (ticket_id);
