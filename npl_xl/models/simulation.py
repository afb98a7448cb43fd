"""NPL recovery simulation: collection scenarios from a systematic factor and loan-level noise,
and tranche statistics (PD, EL, loss distribution, ratings) from the waterfall on those scenarios.

Recovery of loan (or segment) i in scenario s: ``base_i x exp(sigma (sqrt(rho) M_s + sqrt(1 - rho)
Z_is)
- sigma^2 / 2)``, lognormal with mean ``base_i``; ``rho`` splits the log-variance between the common
factor M and loan noise Z. Timing: the base curve, delayed by ``round(delay_beta x max(-M_s, 0))``
periods (bad systematic states collect later), capped at ``max_delay``. With rho = 1 the pool
recovery is lognormal with volatility sigma, which is the tranche KMV's assumption.
"""

from __future__ import annotations

import math
import os
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .. import limits
from . import _checks as chk
from . import _chunks
from .rating import rating_from_default_probability, rating_from_expected_loss
from .recovery import collections as spread_over
from .waterfall import run_waterfall

__all__ = [
    "simulate_collections",
    "tranche_statistics",
    "check_run_size",
    "WATERFALL_CHUNK",
    "TrancheStatistics",
]

#: scenarios run through the waterfall at a time (bounds memory; results do not depend on it)
WATERFALL_CHUNK = 5_000


@dataclass(frozen=True)
class TrancheStatistics:
    """Monte Carlo statistics per tranche (arrays, most senior first).

    ``pd`` = P(principal or interest unpaid at legal maturity); ``el`` = mean principal loss
    fraction
    with its standard error ``el_se``; ``pv_loss`` (mean); ``loss_quantiles`` {q: losses};
    ``wal`` and ``maturity`` (mean years); ``rating_el`` (EL at the WAL) and ``rating_pd`` (PD at
    the
    maturity), from the packaged illustrative tables unless replaced; ``trigger_probability`` per
    trigger in ``triggers`` (the default event among them): share of scenarios hitting it.
    """

    tranches: tuple[str, ...]
    scenarios: int
    pd: np.ndarray
    el: np.ndarray
    el_se: np.ndarray
    pv_loss: np.ndarray
    loss_quantiles: dict[float, np.ndarray]
    wal: np.ndarray
    maturity: np.ndarray
    rating_el: tuple
    rating_pd: tuple
    triggers: tuple[str, ...] = ()
    trigger_probability: np.ndarray = field(default_factory=lambda: np.zeros(0))


def check_run_size(
    scenarios: int, periods: int, loans: int = 1, tranches: int = 2, fees: int = 8
) -> None:
    """Refuse a Monte Carlo run beyond ``max_paths`` or whose planned memory exceeds the share of
    available memory allowed by ``max_memory_share``: collections (scenarios x periods),
    per-scenario
    results and one waterfall chunk of (chunk x periods x records) floats."""
    limits.check("max_paths", scenarios, "paths")
    limits.check("max_periods", periods, "periods")
    chunk = min(scenarios, WATERFALL_CHUNK)
    planned = 8.0 * (
        scenarios * (periods + 8 * tranches)
        + chunk * periods * (5 * tranches + fees + 8)
        + _chunks.BLOCK_DRAWS * 4 * _cores()  # one block in flight per thread
        + min(loans, 10**6) * 8
    )
    limits.check_memory(planned, f"{scenarios:,} scenarios x {periods:,} periods")


def _cores() -> int:
    """Threads for the simulation: every core, one in Pyodide (xlwings Lite has no threads)."""
    return 1 if sys.platform == "emscripten" else os.cpu_count() or 1


def simulate_collections(
    amounts,
    timing,
    *,
    rho: float,
    sigma: float,
    scenarios: int,
    seed: int = 0,
    delay_beta: float = 0.0,
    max_delay: int = 4,
    chunk: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    client=None,
    threads: int | None = None,
) -> np.ndarray:
    """Collection scenarios, shape (scenarios, periods), in currency units.

    Args:
        amounts: base-case expected recovery per loan or segment (>= 0, currency units).
        timing: per-period shares of recovery (see :mod:`npl_xl.models.recovery`).
        rho: share of the recovery log-variance that is systematic, in [0, 1].
        sigma: recovery volatility (log standard deviation), >= 0.
        scenarios: number of scenarios; ``seed`` fixes the draws, identically for any ``chunk``
            (scenarios per task) and on Dask (``client``).
        delay_beta, max_delay: systematic delay in periods per unit of adverse factor, and its cap.
        threads: threads over scenario blocks (default: every core); the result does not depend on
            it.
    """
    a = chk.nonnegative(chk.vector(amounts, "amounts"), "amounts")
    t = chk.vector(timing, "timing")
    r = float(chk.probability(rho, "rho"))
    s = float(chk.nonnegative(sigma, "sigma"))
    if s > 3:
        raise ValueError(f"sigma: {s:g} looks like a percent; give decimals (0.25 for 25 %)")
    n = int(chk.positive(scenarios, "scenarios"))
    if n != scenarios:
        raise ValueError(f"scenarios: expected a whole number, got {scenarios!r}")
    check_run_size(n, len(t), len(a))
    beta = float(chk.nonnegative(delay_beta, "delay_beta"))
    cap = int(chk.nonnegative(max_delay, "max_delay"))
    total, delay = _chunks.run(
        _chunk,
        n,
        _chunks.block_size(len(a)),
        int(seed),
        chunk=chunk,
        progress=progress,
        client=client,
        threads=threads or _cores(),
        amounts=a,
        rho=r,
        sigma=s,
        delay_beta=beta,
        max_delay=cap,
    ).T
    return spread_over(1.0, t, delay=delay.astype(np.int64)) * total[:, None]


def _chunk(
    rng: np.random.Generator, n: int, *, amounts, rho, sigma, delay_beta, max_delay
) -> np.ndarray:
    m = rng.standard_normal(n)
    z = rng.standard_normal((n, len(amounts)))
    a = sigma * math.sqrt(1.0 - rho)
    z *= a
    z -= 0.5 * a * a
    np.exp(z, out=z)
    z *= amounts
    # a fixed-order (index-based pairwise) sum per scenario: the same bits whatever the memory
    # alignment of z, so serial, chunked and Dask runs agree exactly (einsum's SIMD loops need not)
    total = np.add.reduce(z, axis=1) * np.exp(
        sigma * math.sqrt(rho) * m - 0.5 * sigma * sigma * rho
    )
    delay = np.minimum(np.rint(np.maximum(-m, 0.0) * delay_beta), max_delay)
    return np.column_stack([total, delay])


def _guarantor_limits(deal, shape, seed: int) -> dict:
    """The guarantee's limit per scenario: 0 where its guarantor defaults (see
    :func:`tranche_statistics`); empty without a rated guarantee."""
    g = getattr(deal, "guarantee", None)
    if g is None or not g.rating:
        return {}
    from .rating import default_probability_of

    life = float(deal.period_times(shape[1])[-1])
    pd = default_probability_of(g.rating, life)
    failed = np.random.default_rng([int(seed), 0x6775]).random(shape[0]) < pd
    return {g.name: np.where(failed, 0.0, g.limit)}


def tranche_statistics(
    deal, collections, *, quantiles=(0.5, 0.9, 0.99), seed: int = 0
) -> TrancheStatistics:
    """Tranche PD, EL, loss quantiles, WAL and ratings from the waterfall on collection scenarios.

    ``collections`` has shape (scenarios, periods). Per tranche (most senior first): ``pd`` =
    P(principal or interest unpaid at legal maturity), ``el`` = mean principal loss fraction with
    its
    standard error ``el_se``, ``pv_loss`` (mean), ``loss_quantiles`` (rows per quantile), ``wal``
    and
    ``maturity`` (mean years), ``rating_el`` (EL at the WAL) and ``rating_pd`` (PD at the maturity);
    ``trigger_probability``: share of scenarios in which each trigger (``triggers``) is hit.
    A guarantee with a ``rating`` fails in a share of scenarios equal to that rating's idealised
    default probability over the deal's life (drawn with ``seed``; the guarantor then pays
    nothing in that scenario: default at the start, the conservative reading).
    """
    c = chk.nonnegative(collections, "collections")
    if c.ndim != 2 or c.shape[0] < 2:
        raise ValueError(
            f"collections: expected (scenarios, periods) with at least 2 scenarios, got {c.shape}"
        )
    from .analysis import paid_in_full

    limits = _guarantor_limits(deal, c.shape, seed)
    parts = []
    for start in range(0, c.shape[0], WATERFALL_CHUNK):  # bounded memory; identical to one batch
        part = slice(start, start + WATERFALL_CHUNK)
        res = run_waterfall(
            deal, c[part], support_limits={k: v[part] for k, v in limits.items()} or None
        )
        m = res.metrics()
        hit = res.trigger_states.any(axis=-2)  # (scenarios, triggers): hit at some period
        parts.append(
            (res.loss_fraction, ~paid_in_full(res), m.wal, m.expected_maturity, m.pv_loss, hit)
        )
    lf, unpaid, wals, mats, pv_loss, hits = (np.concatenate(x) for x in zip(*parts))
    pd = unpaid.mean(axis=0)
    el = lf.mean(axis=0)
    with (
        warnings.catch_warnings()
    ):  # a tranche never paid in any scenario has no WAL: NaN, set below
        warnings.simplefilter("ignore", RuntimeWarning)
        wal = np.nanmean(np.where(np.isfinite(wals), wals, np.nan), axis=0)
        maturity = np.nanmean(np.where(np.isfinite(mats), mats, np.nan), axis=0)
    last = res.period_times[-1]
    wal = np.where(np.isnan(wal), last, wal)
    maturity = np.where(np.isnan(maturity), last, maturity)
    horizon_cap = 10.0  # the packaged rating tables stop at 10 years
    return TrancheStatistics(
        tranches=tuple(res.tranche_names),
        scenarios=c.shape[0],
        pd=pd,
        el=el,
        el_se=lf.std(axis=0, ddof=1) / math.sqrt(c.shape[0]),
        pv_loss=pv_loss.mean(axis=0),
        loss_quantiles={q: np.quantile(lf, q, axis=0) for q in quantiles},
        wal=wal,
        maturity=maturity,
        rating_el=tuple(
            rating_from_expected_loss(e, min(w, horizon_cap), scale="cn_sf")
            for e, w in zip(el, wal)
        ),
        rating_pd=tuple(
            rating_from_default_probability(p, min(t, horizon_cap), scale="cn_sf")
            for p, t in zip(pd, maturity)
        ),
        triggers=tuple(res.trigger_names),
        trigger_probability=hits.mean(axis=0),
    )
