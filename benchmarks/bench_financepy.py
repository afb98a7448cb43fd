"""The exact loss engine against FinancePy's recursion at equal accuracy (2,000 names).

FinancePy (GPL-3.0) is never a dependency of npl-xl: this script imports it from a source checkout
given on the command line, with numba installed beside it, e.g.::

    python -m venv --system-site-packages /tmp/fp && /tmp/fp/bin/pip install numba
    git clone https://github.com/domokane/FinancePy /tmp/FinancePy
    /tmp/fp/bin/python benchmarks/bench_financepy.py /tmp/FinancePy

Both compute the same thing: the one-factor Gaussian copula loss distribution on a whole-unit
lattice (``loss_dbn_recursion_gcd``: a uniform grid of factor values; ours: Gauss-Hermite nodes).
Accuracy is the largest absolute error of the cumulative distribution against a reference made by
our engine with 300 Gauss-Legendre nodes (checked against FinancePy with 2,048 steps). FinancePy is
timed at the fewest steps, from a doubling sequence, that are at least as accurate as our default
(64 nodes; Gauss-Legendre on the factor's probability scale at this size); our Gauss-Hermite rule
(the default up to 250 names) is shown beside it.
"""

from __future__ import annotations

import math
import os
import platform
import sys
import time
from functools import partial

import numpy as np

from npl_xl.models.portfolio import loss_distribution


def best(fn, repeat=2):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main(source: str, names: int = 2000, rho: float = 0.25) -> None:
    sys.path.insert(0, os.path.abspath(source))
    import numba
    from financepy.models.gauss_copula_onefactor import loss_dbn_recursion_gcd

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}"
    )
    p = np.random.default_rng(names).uniform(0.005, 0.1, names)
    u = np.random.default_rng(names + 1).integers(1, 20, names).astype(float)
    lattice = int(u.sum())
    beta = np.full(names, math.sqrt(rho))

    def ours(nodes, quadrature="auto"):
        d = loss_distribution(
            p, u, np.ones(names), rho, nodes=nodes, lattice=lattice, quadrature=quadrature
        )
        assert d.exact and d.probabilities.size == lattice + 1
        return d.probabilities

    def theirs(steps):
        return loss_dbn_recursion_gcd(names, p, u, beta, steps)

    def cdf_error(probs, ref):
        return float(np.max(np.abs(np.cumsum(probs) - np.cumsum(ref))))

    reference = ours(300, "legendre")
    theirs(8)  # compile outside the timings
    check = cdf_error(theirs(2048), reference)
    t_ours, probs = best(lambda: ours(64))
    err_ours = cdf_error(probs, reference)
    print(f"{names:,} names, {lattice:,}-unit lattice, rho {rho}")
    print(
        f"reference (ours, 300 Legendre nodes) vs FinancePy 2,048 steps: max CDF error {check:.1e}"
    )
    print(f"ours, 64 nodes (default): {t_ours:.2f} s, max CDF error {err_ours:.1e}")
    t_h, probs_h = best(lambda: ours(64, "hermite"), 1)
    err_h = cdf_error(probs_h, reference)
    print(f"ours, 64 Gauss-Hermite nodes: {t_h:.2f} s, max CDF error {err_h:.1e}")
    steps = 32
    while True:
        t_theirs, probs = best(partial(theirs, steps), 1)
        err = cdf_error(probs, reference)
        print(f"FinancePy, {steps} steps: {t_theirs:.2f} s, max CDF error {err:.1e}")
        if err <= err_ours or steps >= 4096:
            break
        steps *= 2
    print(f"ratio at equal or better accuracy (ours / FinancePy): {t_ours / t_theirs:.2f}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: bench_financepy.py FINANCEPY_SOURCE_DIR")
    main(sys.argv[1])
