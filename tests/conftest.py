"""Test-wide settings: hypothesis runs derandomised (a fixed seed per test) so a green suite stays
green.

``HYPOTHESIS_PROFILE=explore`` runs with fresh random examples instead (for local bug hunting);
``benchmarks/fuzz_cells.py`` is the large-budget random search, reported as figures.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("explore", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
