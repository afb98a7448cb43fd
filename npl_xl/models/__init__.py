"""Layer 1: pure numpy/scipy credit models (no I/O beyond the package's own data tables)."""
