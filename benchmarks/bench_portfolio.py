"""Portfolio loss engine and NPL recovery simulation timings.

Run: ``python benchmarks/bench_portfolio.py`` (about two minutes). Figures in benchmarks/README.md.
"""

from __future__ import annotations

import math
import os
import platform
import time
from functools import partial

import numpy as np
from scipy.special import ndtr, ndtri

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


def plain_lattice(p, units, rho, nodes=64):
    """The textbook recursion in plain numpy (Andersen, Sidenius and Basu 2003): Gauss-Hermite
    nodes, one shifted update per name, no calibration and no grouping; the reference for the
    exact engine's overhead."""
    z, w = np.polynomial.hermite_e.hermegauss(nodes)
    w = w / math.sqrt(2 * math.pi)
    q = ndtr((ndtri(p)[None, :] - math.sqrt(rho) * z[:, None]) / math.sqrt(1 - rho))
    P = np.zeros((nodes, int(units.sum()) + 1))
    P[:, 0] = 1.0
    for i, k in enumerate(units.astype(int)):
        shifted = P[:, :-k] * q[:, i : i + 1]
        P *= 1.0 - q[:, i : i + 1]
        P[:, k:] += shifted
    return w @ P


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

    hp, hu = np.full(100, 0.02), np.ones(100)
    t_plain = best(lambda: plain_lattice(hp, hu, 0.25), 7)
    t_exact = best(lambda: loss_distribution(hp, hu, np.ones(100), 0.25, nodes=64), 7)
    print(
        f"100 homogeneous names, 64 nodes: exact {t_exact * 1e3:.2f} ms vs plain numpy lattice "
        f"{t_plain * 1e3:.2f} ms -> ratio {t_exact / t_plain:.2f}"
    )
    sizes, times, plain = (500, 1000, 2000), [], []
    for names in sizes:
        gp = np.random.default_rng(names).uniform(0.005, 0.1, names)
        gu = np.random.default_rng(names + 1).integers(1, 20, names).astype(float)
        times.append(best(partial(loss_distribution, gp, gu, np.ones(names), 0.25, nodes=64), 2))
        plain.append(best(partial(plain_lattice, gp, gu, 0.25), 2))
    growth = math.log(times[-1] / times[0]) / math.log(sizes[-1] / sizes[0])
    print(
        "heterogeneous names (1-19 units, pd 0.5-10 %), 64 nodes: "
        + ", ".join(f"{n:,}: {t:.2f} s (plain {q:.2f} s)" for n, t, q in zip(sizes, times, plain))
        + f"; growth exponent {growth:.2f}"
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

    def simulate(threads):
        return simulation.simulate_collections(
            amounts,
            timing,
            rho=0.3,
            sigma=0.35,
            scenarios=scenarios,
            seed=7,
            delay_beta=1.0,
            threads=threads,
        )

    t_serial = best(lambda: simulate(1), 2)
    t_threads = best(lambda: simulate(None), 2)
    c = simulate(None)
    assert np.array_equal(c, simulate(1))  # threads change nothing but the time
    t0 = time.perf_counter()
    stats = simulation.tranche_statistics(deal, c)
    t_stats = time.perf_counter() - t0
    print(
        f"NPL recovery simulation, {loans:,} loans x {scenarios:,} scenarios: simulate "
        f"{t_serial:.2f} s on 1 thread, {t_threads:.2f} s on {os.cpu_count()} "
        f"(speed-up {t_serial / t_threads:.2f}, identical paths); waterfall + statistics "
        f"{t_stats:.2f} s (senior PD {stats.pd[0]:.3%}, sub PD {stats.pd[1]:.3%})"
    )


if __name__ == "__main__":
    main()
