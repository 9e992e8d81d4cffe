-- Version 10 (PostGIS): when detection last found a spot's place in excess (NULL on spots
-- detected before). Mirrors sqlite/0010_found_at.sql.
ALTER TABLE spots ADD COLUMN found_at timestamptz;
