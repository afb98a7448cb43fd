"""Recoveries: expected total x timing curve -> collections per period, with stresses.

Units: amounts in currency units; periods are the deal's payment periods; haircuts and cost
rates as decimals (0.2 = 20 % less). Every function broadcasts over scenarios: haircuts and
delays of shape (scenarios,) give collections of shape (scenarios, periods).
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammainc

from . import _checks as chk

__all__ = [
    "timing_from_cumulative",
    "timing_parametric",
    "collections",
    "stressed",
    "stressed_months",
]


def timing_from_cumulative(cumulative, *, normalise: bool = False) -> np.ndarray:
    """Per-period shares of the total recovery from a cumulative-percentage curve.

    ``cumulative[t]`` is the share collected by the end of period t (decimals, non-decreasing,
    ending at 1). A curve ending below 1 raises unless ``normalise`` rescales it to end at 1.
    """
    cum = chk.vector(cumulative, "cumulative")
    cum = chk.probability(cum, "cumulative")
    if (np.diff(cum) < -1e-12).any():
        raise ValueError("cumulative: must not decrease from one period to the next")
    if abs(cum[-1] - 1.0) > 1e-9:
        if not normalise or cum[-1] <= 0:
            raise ValueError(f"cumulative: must end at 1 (100 % collected), ends at {cum[-1]:.6g}")
        cum = cum / cum[-1]
    return np.diff(cum, prepend=0.0)


def timing_parametric(n_periods: int, shape: str = "exponential", **params) -> np.ndarray:
    """Per-period shares over ``n_periods`` from a parametric shape (they add up to 1).

    shapes: "uniform"; "exponential" (``half_life`` in periods: collections halve every
    half-life); "gamma" (``mean`` in periods and ``cv``, the coefficient of variation; a
    hump-shaped curve as for secured loans worked out through the courts). The tail beyond
    ``n_periods`` is folded into the last period.
    """
    if not isinstance(n_periods, (int, np.integer)) or n_periods < 1:
        raise ValueError(f"n_periods: expected a whole number >= 1, got {n_periods!r}")
    edges = np.arange(n_periods + 1.0)
    if shape == "uniform":
        cdf = edges / n_periods
    elif shape == "exponential":
        half = float(chk.positive(params.get("half_life", 4.0), "half_life"))
        cdf = 1.0 - 0.5 ** (edges / half)
    elif shape == "gamma":
        mean = float(chk.positive(params.get("mean", n_periods / 3), "mean"))
        cv = float(chk.positive(params.get("cv", 0.6), "cv"))
        k = 1.0 / cv**2
        cdf = gammainc(k, edges * k / mean)  # gamma CDF with shape k and scale mean / k
    else:
        raise ValueError(f"shape: expected 'uniform', 'exponential' or 'gamma', got {shape!r}")
    shares = np.diff(cdf)
    shares[-1] += 1.0 - cdf[-1]
    return shares


def collections(total_recovery, timing, *, haircut=0.0, delay=0, cost_rate=0.0) -> np.ndarray:
    """Net collections per period: total x (1 - haircut) x timing, delayed, less collection costs.

    Args:
        total_recovery: expected total recovery (currency units, >= 0).
        timing: per-period shares (from :func:`timing_from_cumulative` or
        :func:`timing_parametric`).
        haircut: share of the recovery lost, in [0, 1]; scalar or one per scenario.
        delay: whole periods by which every collection arrives later; scalar or one per scenario.
            Collections pushed past the last period are lost to the deal (they arrive after
            legal maturity).
        cost_rate: collection cost as a share of each period's gross recovery, in [0, 1).
    Returns shape (periods,) for scalar stresses, else (scenarios, periods).
    """
    total = chk.nonnegative(total_recovery, "total_recovery")
    shares = chk.vector(timing, "timing")
    if (shares < 0).any():
        raise ValueError("timing: shares must be >= 0")
    h = chk.probability(haircut, "haircut")
    cost = chk.in_range(cost_rate, "cost_rate", 0.0, 1.0, hi_open=True)
    d = chk.nonnegative(delay, "delay")
    if not np.all(d == np.floor(d)):
        raise ValueError("delay: expected whole periods")
    if total.ndim or cost.ndim:
        raise ValueError(
            "total_recovery, cost_rate: expected single numbers (stress by haircut and delay)"
        )
    h, d = chk.broadcast(haircut=h, delay=d.astype(np.int64))
    n = len(shares)
    src = np.arange(n) - d[..., None]
    shifted = np.where(src >= 0, shares[np.clip(src, 0, n - 1)], 0.0)
    return float(total) * (1.0 - float(cost)) * (1.0 - h)[..., None] * shifted


def stressed(base_collections, *, haircut=0.0, delay=0) -> np.ndarray:
    """Apply a haircut and a delay to given collections (periods,) -> (scenarios, periods) or
    (periods,)."""
    base = chk.nonnegative(base_collections, "collections")
    if base.ndim != 1:
        raise ValueError("collections: expected one row of collections per period")
    total = base.sum()
    if total == 0:
        h, d = chk.broadcast(
            haircut=chk.probability(haircut, "haircut"), delay=chk.nonnegative(delay, "delay")
        )
        return np.zeros(h.shape + base.shape)
    return collections(total, base / total, haircut=haircut, delay=delay)


def stressed_months(base_collections, payments_per_year: int, *, haircut=0.0, delay_months=0):
    """Apply a haircut and a delay in **months** to collections per payment period, exactly.

    Each period's collections are spread evenly over its months, shifted by ``delay_months`` on
    that monthly grid and added back up by payment period, so a 3-month delay on a half-yearly deal
    moves half of each period's collections into the next one (a delay in whole periods would round
    it to none). Collections pushed past the last period are lost (after legal maturity).
    ``haircut`` and ``delay_months`` broadcast over scenarios: (scenarios, periods) out, or
    (periods,) for scalars.
    """
    base = chk.nonnegative(base_collections, "collections")
    if base.ndim != 1:
        raise ValueError("collections: expected one row of collections per period")
    if payments_per_year not in (1, 2, 3, 4, 6, 12):
        raise ValueError(
            f"payments_per_year: expected 1, 2, 3, 4, 6 or 12, got {payments_per_year!r}"
        )
    h = chk.probability(haircut, "haircut")
    d = chk.nonnegative(delay_months, "delay_months")
    if not np.all(d == np.floor(d)):
        raise ValueError("delay_months: expected whole months")
    h, d = chk.broadcast(haircut=h, delay_months=d.astype(np.int64))
    per = 12 // payments_per_year
    monthly = np.repeat(base / per, per)  # (months,)
    months = len(monthly)
    src = np.arange(months) - np.asarray(d)[..., None]  # month that lands in each month
    shifted = np.where(src >= 0, monthly[np.clip(src, 0, months - 1)], 0.0)
    by_period = shifted.reshape(*shifted.shape[:-1], len(base), per).sum(axis=-1)
    return (1.0 - np.asarray(h))[..., None] * by_period
