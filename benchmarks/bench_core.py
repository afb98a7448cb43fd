"""Per-call time of each core function, scalar and on 10,000-element vectors.

Run: ``python benchmarks/bench_core.py``. Prints microseconds per call (best of 5 repeats,
so noise from other processes inflates less) and the machine it ran on.
"""

from __future__ import annotations

import os
import platform
import timeit

import numpy as np

from npl_xl.models import bet, diversity, kmv, rating


def per_call(fn, number: int) -> float:
    """Best-of-5 time per call in microseconds."""
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6


def main() -> None:
    rng = np.random.default_rng(0)
    n = 10_000
    V = rng.uniform(80, 200, n)
    s = rng.uniform(0.1, 0.6, n)
    dp = rng.uniform(50, 100, n)
    E = rng.uniform(1, 10, n)
    p = rng.uniform(0.01, 0.3, n)
    d = rng.integers(5, 300, n)
    par = rng.lognormal(3, 1, n)
    grp = rng.integers(0, 30, n)
    el = rng.uniform(0, 0.2, n)
    rating.rating_from_expected_loss(0.01, 2.0)  # load the tables once

    cases = [
        ("kmv_pd", lambda: kmv.kmv_pd(120.0, 0.25, 80.0), lambda: kmv.kmv_pd(V, s, dp)),
        (
            "distance_to_default kmv",
            lambda: kmv.distance_to_default(120.0, 0.25, 80.0, method="kmv"),
            lambda: kmv.distance_to_default(V, s, dp, method="kmv"),
        ),
        (
            "merton_solve",
            lambda: kmv.merton_solve(3.0, 0.8, 10.0, 0.05, 1.0),
            lambda: kmv.merton_solve(E, s + 0.2, 10.0, 0.05, 1.0),
        ),
        ("default_point", lambda: kmv.default_point(50.0, 40.0), lambda: kmv.default_point(V, dp)),
        (
            "bet_expected_loss D=300",
            lambda: bet.bet_expected_loss(300, 0.1, 0.5, 0.05, 0.1),
            lambda: bet.bet_expected_loss(d, p, 0.5, 0.05, 0.1),
        ),
        (
            "bet_probabilities D=300",
            lambda: bet.bet_probabilities(300, 0.1),
            lambda: bet.bet_probabilities(d, p),
        ),
        (
            "industry_diversity",
            lambda: diversity.industry_diversity(3.7),
            lambda: diversity.industry_diversity(par / 10),
        ),
        (
            "diversity_score (10k loans)",
            lambda: diversity.diversity_score([10.0, 20.0, 5.0], [1, 1, 2]),
            lambda: diversity.diversity_score(par, grp),
        ),
        (
            "alternative_diversity_score",
            lambda: diversity.alternative_diversity_score([1.0, 2.0], 0.1, 0.2),
            lambda: diversity.alternative_diversity_score(par, p, (grp, 0.2, 0.05)),
        ),
        (
            "default_correlation",
            lambda: diversity.default_correlation(0.05, 0.2),
            lambda: diversity.default_correlation(p, 0.2),
        ),
        (
            "rating_from_expected_loss",
            lambda: rating.rating_from_expected_loss(0.001, 2.0),
            lambda: rating.rating_from_expected_loss(el, 2.0),
        ),
    ]
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )
    print(f"{'function':32s} {'scalar us/call':>15s} {'10k vector ms/call':>19s}")
    for name, scalar, vector in cases:
        print(
            f"{name:32s} {per_call(scalar, 2000 if 'merton' not in name else 50):15.1f} "
            f"{per_call(vector, 5) / 1000:19.2f}"
        )


if __name__ == "__main__":
    main()
