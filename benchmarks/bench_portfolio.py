"""Portfolio loss engine and NPL recovery simulation timings.

Run: ``python benchmarks/bench_portfolio.py`` (about a minute). Figures in benchmarks/README.md.
"""

from __future__ import annotations

import os
import platform
import time

import numpy as np

from npl_xl.deal import load_example
from npl_xl.models import simulation
from npl_xl.models.portfolio import loss_distribution


def best(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, "
        f"numpy {np.__version__}"
    )
    rng = np.random.default_rng(0)
    n = 125
    p, e, g = rng.uniform(0.005, 0.1, n), rng.uniform(1, 100, n), rng.uniform(0.2, 0.8, n)
    d = loss_distribution(p, e, g, 0.25, lattice=15_000, nodes=64)
    t = best(lambda: loss_distribution(p, e, g, 0.25, lattice=15_000, nodes=64))
    print(
        f"exact, 125 heterogeneous names, {d.losses.size - 1:,}-unit lattice, 64 nodes: {t:.3f} s"
    )

    paths = 200_000
    draws = paths * n
    bare_rng = np.random.default_rng(1)
    block = 8192

    def bare():  # the practical limit: the same number of normal draws, in the same block shape
        for _ in range(0, paths, block):
            bare_rng.standard_normal((block, n))

    t_bare = best(bare)
    t_mc = best(lambda: loss_distribution(p, e, g, 0.25, method="mc", paths=paths, seed=1))
    print(
        f"Monte Carlo obligor draws per second (1 core): {draws / t_mc / 1e6:.1f} M "
        f"vs bare numpy normal draws {draws / t_bare / 1e6:.1f} M -> {t_bare / t_mc:.0%} of the "
        "limit"
    )

    deal = load_example("credit_card")
    timing = deal.base_collections() / deal.recovery.total
    loans, scenarios = 50_000, 10_000
    amounts = rng.lognormal(0.0, 1.0, loans)
    amounts *= deal.recovery.total / amounts.sum()
    t0 = time.perf_counter()
    c = simulation.simulate_collections(
        amounts, timing, rho=0.3, sigma=0.35, scenarios=scenarios, seed=7, delay_beta=1.0
    )
    t1 = time.perf_counter()
    stats = simulation.tranche_statistics(deal, c)
    t2 = time.perf_counter()
    print(
        f"NPL recovery simulation, {loans:,} loans x {scenarios:,} scenarios: simulate "
        f"{t1 - t0:.1f} s, "
        f"waterfall + statistics {t2 - t1:.1f} s, total {t2 - t0:.1f} s "
        f"(senior PD {stats['pd'][0]:.3%}, sub PD {stats['pd'][1]:.3%})"
    )


if __name__ == "__main__":
    main()
