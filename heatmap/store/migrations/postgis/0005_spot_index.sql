-- Version 5 (PostGIS): as SQLite's 0005, the index of complaints by spot holds only
-- complaints that are in a spot, so a bulk ingest (spot_id NULL) adds nothing to it.
DROP INDEX complaints_spot_id;
CREATE INDEX complaints_spot_id ON complaints (spot_id) WHERE spot_id IS NOT NULL;
