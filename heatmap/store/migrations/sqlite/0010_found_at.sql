-- Version 10: when detection last found a spot's place in excess. The join takes a new
-- complaint into a detected spot only if it was made within policy.join.active_hours of
-- that time, so a spot that stays open after its burst stops collecting the place's
-- ordinary complainants. Spots detected before keep NULL (their creation time stands in).
ALTER TABLE spots ADD COLUMN found_at TEXT;
