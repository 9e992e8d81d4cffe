-- Version 9: coverage measured by drive tests (`heatmap network coverage-from-drive-test`):
-- per H3 cell the median RSRP and RSSI (dBm) and how many fixes gave each.
CREATE TABLE coverage (
    h3_cell      text COLLATE "C" PRIMARY KEY,
    res          integer NOT NULL CHECK (res BETWEEN 0 AND 15),
    rsrp_median  double precision,
    rsrp_samples integer NOT NULL CHECK (rsrp_samples >= 0),
    rssi_median  double precision,
    rssi_samples integer NOT NULL CHECK (rssi_samples >= 0)
);
