-- Version 5: the index of complaints by spot holds only complaints that are in a spot.
-- Most complaints never join one, and a bulk ingest (which writes spot_id NULL) then
-- adds nothing to it; lookups by spot id use it as before.
DROP INDEX complaints_spot_id;
CREATE INDEX complaints_spot_id ON complaints (spot_id) WHERE spot_id IS NOT NULL;
