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
from .waterfall import run_waterfall

__all__ = [
    "simulate_collections",
    "tranche_statistics",
    "check_run_size",
    "planned_bytes",
    "pooled_noise",
    "noise_moments",
    "recovery_dispersion",
    "kmv_volatility",
    "POOLED_TOLERANCE",
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


#: the pooled loan noise may move the pool recovery by at most this share of the expected
#: recovery (Wasserstein-1 bound, see :func:`pooled_noise`): 1e-4, about a fourteenth of the Monte
#: Carlo's standard error of the mean recovery at 10,000 paths and a 14 % pool volatility
POOLED_TOLERANCE = 1e-4


@dataclass(frozen=True)
class PooledNoise:
    """How :func:`simulate_collections` draws the loan noise: the ``exact`` amounts (the largest
    loans) one lognormal each; the rest as one normal per scenario, mean ``mean`` and standard
    deviation ``sd`` (currency units), floored at 0. ``bound``: the Wasserstein-1 distance from
    the exact pool recovery it may cause, in currency units (at most ``POOLED_TOLERANCE`` x the
    expected recovery)."""

    exact: np.ndarray
    mean: float
    sd: float
    bound: float


def noise_moments(a: float) -> tuple[float, float]:
    """(v, r3): the variance and the third absolute central moment of one loan's noise
    Y = exp(a Z - a^2 / 2), Z standard normal (mean 1), in closed form: v = exp(a^2) - 1 and
    E|Y - 1|^3 = E(Y - 1)^3 - 2 E[(Y - 1)^3; Y < 1], with E Y^k = exp(k (k - 1) a^2 / 2) and
    E[Y^k; Y < 1] = E Y^k x Phi(a / 2 - k a)."""
    from scipy.special import ndtr

    if a <= 0:
        return 0.0, 0.0
    moment = [math.exp(k * (k - 1) * a * a / 2) for k in range(4)]
    below = [moment[k] * float(ndtr(a / 2 - k * a)) for k in range(4)]
    binom = (-1.0, 3.0, -3.0, 1.0)  # (Y - 1)^3 = -1 + 3Y - 3Y^2 + Y^3
    third = sum(c * m for c, m in zip(binom, moment))
    third_below = sum(c * m for c, m in zip(binom, below))
    return math.expm1(a * a), third - 2.0 * third_below


def recovery_dispersion(
    timing,
    *,
    rho: float,
    sigma: float,
    herfindahl: float,
    delay_beta: float = 0.0,
    max_delay: int = 4,
    fixed_share: float = 0.0,
) -> float:
    """The log standard deviation of the pool recovery :func:`simulate_collections` draws (a
    share of the base case), in closed form: that of the lognormal with the same mean and
    variance (Fenton 1960, "The sum of log-normal probability distributions in scatter
    transmission systems", IRE Trans. Commun. Syst. 8(1), 57-67), sqrt(ln(E R^2 / (E R)^2)).

    R = f + (1 - f) X S (1 - L): ``fixed_share`` f of the base case is known (collected before
    closing); X = exp(b M - b^2 / 2), b = sigma sqrt(rho), is the systematic factor; S, the
    loans' noise weighted by their shares (``herfindahl`` = sum of the squared shares), has mean 1
    and E S^2 = 1 + herfindahl (exp(sigma^2 (1 - rho)) - 1), whether drawn loan by loan or pooled
    (:func:`pooled_noise` keeps both moments); L is the share of ``timing`` pushed past the last
    period by the delay of d = min(rint(delay_beta max(-M, 0)), max_delay) periods, constant on
    intervals of M, over which E[X^k] is exp(k (k - 1) b^2 / 2) (Phi(hi - k b) - Phi(lo - k b)).
    """
    from scipy.special import ndtr

    t = chk.nonnegative(chk.vector(timing, "timing"), "timing")
    if not t.sum() > 0:
        raise ValueError("timing: expected some collections")
    r = float(chk.probability(rho, "rho"))
    s = float(chk.nonnegative(sigma, "sigma"))
    h = float(chk.probability(herfindahl, "herfindahl"))
    f = float(chk.probability(fixed_share, "fixed_share"))
    beta = float(chk.nonnegative(delay_beta, "delay_beta"))
    cap = int(chk.nonnegative(max_delay, "max_delay")) if beta > 0 else 0
    b = s * math.sqrt(r)
    d = np.arange(min(cap, len(t)) + 1)  # whole periods of delay; beyond len(t) all is lost
    tail = np.concatenate([[0.0], np.cumsum(t[::-1] / t.sum())])
    kept = 1.0 - tail[d]
    hi, lo = np.full(len(d), np.inf), np.full(len(d), -np.inf)  # the intervals of M, d = 0..
    if beta > 0:  # the last d takes every longer delay too (a tiny beta: bounds at -inf)
        with np.errstate(over="ignore"):
            hi[1:], lo[:-1] = -(d[1:] - 0.5) / beta, -(d[:-1] + 0.5) / beta

    def moment(k: int) -> float:
        weight = math.exp(k * (k - 1) * b * b / 2) * (ndtr(hi - k * b) - ndtr(lo - k * b))
        return float((kept**k * weight).sum())

    m1, m2 = moment(1), moment(2)
    mean = f + (1.0 - f) * m1
    second = (
        f * f
        + 2.0 * f * (1.0 - f) * m1
        + (1.0 - f) ** 2 * (1.0 + h * math.expm1(s * s * (1 - r))) * m2
    )
    if not mean > 0:
        return 0.0
    return math.sqrt(max(math.log(second / (mean * mean)), 0.0))


def kmv_volatility(
    collections,
    times,
    *,
    rho: float,
    sigma: float,
    herfindahl: float,
    delay_beta: float = 0.0,
    max_delay: int = 4,
    fixed: float = 0.0,
) -> tuple[float, float, float]:
    """(volatility a year, terminal log standard deviation, life in years): the tranche KMV's
    asset volatility from the deal's own recovery uncertainty. The terminal dispersion of the pool
    recovery (:func:`recovery_dispersion` of the base-case ``collections``, currency units per
    period, whose first period holds the ``fixed`` cash collected before closing) spread over the
    collection-weighted life L = sum(c t) / sum(c) of the ``times`` (years), so that
    sigma sqrt(L) is the terminal dispersion; at least 0.1 % a year."""
    c = chk.nonnegative(chk.vector(collections, "collections"), "collections")
    t = chk.vector(times, "times")
    if len(t) != len(c):
        raise ValueError(f"times: {len(t)} values for {len(c)} periods of collections")
    total = float(c.sum())
    if not total > 0:
        raise ValueError("collections: all zero")
    cash = float(chk.nonnegative(fixed, "fixed"))
    if cash > c[0] * (1.0 + 1e-12) + 1e-9:
        raise ValueError(f"fixed: {cash:,.2f} is more than the first period's {c[0]:,.2f}")
    projected = c.copy()
    projected[0] = max(projected[0] - cash, 0.0)
    sd = (
        recovery_dispersion(
            projected,
            rho=rho,
            sigma=sigma,
            herfindahl=herfindahl,
            delay_beta=delay_beta,
            max_delay=max_delay,
            fixed_share=min(cash / total, 1.0),
        )
        if projected.sum() > 0
        else 0.0  # all collected before closing: nothing is uncertain
    )
    life = float(c @ t / total)
    return max(sd / math.sqrt(max(life, 1e-6)), 1e-3), sd, life


def pooled_noise(amounts: np.ndarray, a: float, tolerance: float | None = None) -> PooledNoise:
    """Split the loans into those drawn one by one and those whose summed noise is drawn at once.

    The pooled sum S = sum a_i (Y_i - 1) of independent loan noises (``a``: their log standard
    deviation) is replaced by a normal with its mean and variance v sum a_i^2. By the Wasserstein
    Berry-Esseen bound with constant 1 (Goldstein 2010, "Bounds on the constant in the mean
    central limit theorem", Ann. Probab. 38(4), 1672-1689), W1(S, normal) <= r3 sum a_i^3 /
    (v sum a_i^2), with v and r3 from :func:`noise_moments`; flooring the normal at 0 (the
    recovery cannot be negative) does not increase it, and the scenario's systematic factor
    (mean 1) carries it to the pool recovery unchanged. So the mean of any function of the pool
    recovery that moves by at most one unit per unit of recovery (a tranche's loss, for instance)
    moves by at most ``bound``. The largest loans are drawn exactly until the bound of the rest is
    within ``tolerance`` (default :data:`POOLED_TOLERANCE`) x the expected recovery.
    """
    tolerance = POOLED_TOLERANCE if tolerance is None else tolerance
    total = float(amounts.sum())
    v, r3 = noise_moments(a)
    if v == 0.0 or total == 0.0:
        return PooledNoise(np.zeros(0), total, 0.0, 0.0)
    order = np.argsort(amounts, kind="stable")[::-1]
    big = amounts[order]
    # tail sums from k onwards, k = 0..n: the rest after the k largest loans
    s1 = np.concatenate([np.cumsum(big[::-1])[::-1], [0.0]])
    s2 = np.concatenate([np.cumsum((big * big)[::-1])[::-1], [0.0]])
    s3 = np.concatenate([np.cumsum((big**3)[::-1])[::-1], [0.0]])
    with np.errstate(invalid="ignore", divide="ignore"):
        bound = np.where(s2 > 0, r3 * s3 / (v * s2), 0.0)
    k = int(np.argmax(bound <= tolerance * total))
    return PooledNoise(big[:k].copy(), float(s1[k]), math.sqrt(v * s2[k]), float(bound[k]))


def planned_bytes(
    scenarios: int,
    periods: int,
    loans: int = 1,
    tranches: int = 2,
    fees: int = 8,
    exact: int | None = None,
    triggers: int = 0,
) -> float:
    """Bytes a rating's Monte Carlo step plans for at its peak, the largest of its three phases
    (measured with tracemalloc on the example deals and on deals of 2-10 tranches, 2-20 fees,
    0-10 triggers; tests/test_scale_memory.py keeps the plan within 1.5x of the peak):

    - :func:`simulate_collections`: the loans' sort and tail sums (7 floats a loan), one block of
      exact draws per thread working (``exact``: loans drawn one by one, default all), the
      per-scenario totals and delays and the (scenarios x periods) collections;
    - the rating adding the cash collected before closing: the collections twice;
    - :func:`tranche_statistics`: the collections, the per-scenario results (losses, unpaid flags,
      WAL, maturity, PV loss per tranche) and one waterfall chunk of ``WATERFALL_CHUNK``
      scenarios: 10 + 7.5 per tranche + 1.5 per fee + 0.5 per trigger floats a scenario and
      period.
    """
    chunk = min(scenarios, WATERFALL_CHUNK)
    exact = loans if exact is None else exact
    block = _chunks.block_size(exact + 2)
    tasks = -(-scenarios // (8 * block))  # _chunks.run gives a task 8 blocks
    threads = max(1, min(_cores(), tasks))
    simulate = min(block, scenarios) * (exact + 4) * threads + scenarios * (periods + 6) + 7 * loans
    copy = 2 * scenarios * periods
    rate = scenarios * (periods + 6 + 3 * tranches) + chunk * periods * (
        10 + 7.5 * tranches + 1.5 * fees + 0.5 * triggers
    )
    return 8.0 * max(simulate, copy, rate)


def check_run_size(scenarios: int, periods: int, *sizes, **named) -> None:
    """Refuse a Monte Carlo run beyond ``max_paths`` or ``max_periods``, or whose
    :func:`planned_bytes` (the other arguments are its own) exceed the share of available memory
    allowed by ``max_memory_share``."""
    limits.check("max_paths", scenarios, "paths")
    limits.check("max_periods", periods, "periods")
    planned = planned_bytes(scenarios, periods, *sizes, **named)
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

    The loan noise of the many small loans is drawn as one pooled normal per scenario
    (:func:`pooled_noise`: the pool recovery within ``POOLED_TOLERANCE`` of the expected
    recovery of the exact per-loan draws, in Wasserstein-1 distance); the largest loans one
    lognormal each.

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
    if (t < 0).any():
        raise ValueError("timing: shares must be >= 0")
    limits.check("max_paths", n, "paths")
    limits.check("max_periods", len(t), "periods")
    noise = pooled_noise(a, s * math.sqrt(1.0 - r))
    check_run_size(n, len(t), len(a), exact=len(noise.exact))
    beta = float(chk.nonnegative(delay_beta, "delay_beta"))
    cap = int(chk.nonnegative(max_delay, "max_delay"))
    total, delay = _chunks.run(
        _chunk,
        n,
        _chunks.block_size(len(noise.exact) + 2),
        int(seed),
        chunk=chunk,
        progress=progress,
        client=client,
        threads=threads or _cores(),
        exact=noise.exact,
        pooled=(noise.mean, noise.sd),
        rho=r,
        sigma=s,
        delay_beta=beta,
        max_delay=cap,
    ).T
    return _spread(total, t, delay.astype(np.int64))


def _spread(total: np.ndarray, shares: np.ndarray, delay: np.ndarray) -> np.ndarray:
    """(scenarios, periods): each scenario's total over the shares, delayed by its whole periods
    (collections pushed past the last period are lost), one output array and no more."""
    out = np.zeros((len(total), len(shares)))
    for d in np.unique(delay):
        rows = np.flatnonzero(delay == d)
        if d < len(shares):
            out[rows, d:] = total[rows, None] * shares[: len(shares) - d]
    return out


def _chunk(
    rng: np.random.Generator,
    n: int,
    *,
    exact,
    pooled,
    rho,
    sigma,
    delay_beta,
    max_delay,
) -> np.ndarray:
    m = rng.standard_normal(n)
    a = sigma * math.sqrt(1.0 - rho)
    total = np.zeros(n)
    if len(exact):
        z = rng.standard_normal((n, len(exact)))
        z *= a
        z -= 0.5 * a * a
        np.exp(z, out=z)
        z *= exact
        # a fixed-order (index-based pairwise) sum per scenario: the same bits whatever the
        # memory alignment of z, so serial, chunked and Dask runs agree exactly
        total = np.add.reduce(z, axis=1)
    mean, sd = pooled
    if sd > 0:
        total = total + np.maximum(mean + sd * rng.standard_normal(n), 0.0)
    elif mean > 0:
        total = total + mean
    total = total * np.exp(sigma * math.sqrt(rho) * m - 0.5 * sigma * sigma * rho)
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
        names, trigger_names, last = res.tranche_names, res.trigger_names, res.period_times[-1]
        del res, m, hit  # one chunk's waterfall in memory at a time
    lf, unpaid, wals, mats, pv_loss, hits = (np.concatenate(x) for x in zip(*parts))
    del parts
    pd = unpaid.mean(axis=0)
    el = lf.mean(axis=0)
    with (
        warnings.catch_warnings()
    ):  # a tranche never paid in any scenario has no WAL: NaN, set below
        warnings.simplefilter("ignore", RuntimeWarning)
        wal = np.nanmean(np.where(np.isfinite(wals), wals, np.nan), axis=0)
        maturity = np.nanmean(np.where(np.isfinite(mats), mats, np.nan), axis=0)
    wal = np.where(np.isnan(wal), last, wal)
    maturity = np.where(np.isnan(maturity), last, maturity)
    horizon_cap = 10.0  # the packaged rating tables stop at 10 years
    return TrancheStatistics(
        tranches=tuple(names),
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
        triggers=tuple(trigger_names),
        trigger_probability=hits.mean(axis=0),
    )
