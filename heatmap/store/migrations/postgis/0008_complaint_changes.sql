-- Version 8: complaint_changes says who changed a complaint. A change made through the
-- HTTP API carries the API key's name (actor) and is recorded on creation too (kind
-- 'inserted', with no old values); the CRM import's changes keep actor NULL (their
-- ingest names the file).
ALTER TABLE complaint_changes
    ALTER COLUMN old_hash DROP NOT NULL,
    ALTER COLUMN old_values DROP NOT NULL,
    ADD COLUMN kind text NOT NULL DEFAULT 'updated' CHECK (kind IN ('inserted', 'updated')),
    ADD COLUMN actor text,
    ADD CONSTRAINT complaint_changes_old CHECK (
        kind = 'inserted' OR (old_hash IS NOT NULL AND old_values IS NOT NULL));
