-- Version 9: coverage measured by drive tests (`heatmap network coverage-from-drive-test`):
-- per H3 cell the median RSRP and RSSI (dBm) and how many fixes gave each.
CREATE TABLE coverage (
    h3_cell      TEXT PRIMARY KEY,
    res          INTEGER NOT NULL CHECK (res BETWEEN 0 AND 15),
    rsrp_median  REAL,
    rsrp_samples INTEGER NOT NULL CHECK (rsrp_samples >= 0),
    rssi_median  REAL,
    rssi_samples INTEGER NOT NULL CHECK (rssi_samples >= 0)
);
