"""The functional core: pure functions over data frames and values (no I/O, no clock)."""
