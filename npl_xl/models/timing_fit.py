"""Timing as data: fit the speed of a base-case timing curve to the structurer's expected senior
life.

A deal's offering circular states, for each class, its expected maturity (预期到期) and weighted
average life (加权存续), computed from the issuer's own collection forecast. When the timing curve
itself is not published, the shape of a recovery curve (front-loaded for unsecured pools,
court-driven for secured ones) is known far better than its speed; :func:`fit_to_senior` keeps the
shape and stretches or compresses it in time until the base-case waterfall pays the most senior
tranche with the published WAL (or expected maturity). Both are increasing in the stretch factor,
so a bracketing search over a batch of candidate factors (one vectorised waterfall run per round)
finds it.

Units: months for the curve's grid, years for WAL and maturity, currency units for amounts.
``deal`` is any object shaped like :class:`npl_xl.deal.Deal` (this layer does not import it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import gammainc

from . import _checks as chk
from .waterfall import run_waterfall

__all__ = ["TimingFit", "class_curve", "scaled_curve", "fit_to_senior", "CLASS_SHAPES"]

#: recovery-curve shapes by asset class: gamma distributions of the months to each recovery with
#: coefficient of variation ``cv`` (1 = exponential, front-loaded: unsecured collections fall off
#: from the first month; below 1 = hump-shaped: secured loans are worked out through the courts,
#: with few recoveries in the first months). Means are what the fit sets. See
#: docs/methodology.md, "Timing as data".
CLASS_SHAPES = {"unsecured": 1.0, "sme": 0.8, "residential": 0.7, "commercial": 0.7}


@dataclass(frozen=True)
class TimingFit:
    """A fitted timing curve: ``cumulative`` share by period end (ends at 1), the time ``factor``
    applied to the starting curve, the senior ``wal`` and ``maturity`` (years) it gives, the
    ``target`` value and what it is (``"wal"`` or ``"maturity"``), and ``exact``: whether the
    target was reached (False when it lies outside what any speed can give; the nearest end is
    returned)."""

    cumulative: np.ndarray
    factor: float
    wal: float
    maturity: float
    target: float
    what: str
    exact: bool

    def describe(self) -> str:
        """One sentence for the memo and the command line."""
        got = self.wal if self.what == "wal" else self.maturity
        word = "WAL" if self.what == "wal" else "expected maturity"
        note = "" if self.exact else " (the nearest any speed of the curve gives)"
        return (
            f"base-case timing curve fitted to the structurer's expected senior {word} of "
            f"{self.target:.2f} years: {got:.2f} years{note}"
        )


def class_curve(n_periods: int, payments_per_year: int, mean_months: float, cv: float):
    """Cumulative share collected by each period end of a gamma curve of months (mean
    ``mean_months``, coefficient of variation ``cv``); what the curve leaves after the last period
    is collected in it (the base case is what the deal collects over its life, as in
    :func:`npl_xl.models.recovery.timing_parametric`)."""
    months = np.arange(1, n_periods + 1) * (12 / payments_per_year)
    k = 1.0 / float(chk.positive(cv, "cv")) ** 2
    cdf = gammainc(k, months * k / float(chk.positive(mean_months, "mean_months")))
    cdf[-1] = 1.0
    return cdf


def scaled_curve(cumulative, payments_per_year: int, factor) -> np.ndarray:
    """The curve stretched in time by ``factor`` (> 1 slower, < 1 faster): C_f(m) = C(m / f), with
    C linear between period ends (0 at month 0, 1 after the last point), evaluated at the same
    period ends; what a slower curve leaves after the last period is collected in it (as
    :func:`class_curve` does). ``factor`` may be a vector: one curve per row."""
    cum = chk.vector(cumulative, "cumulative")
    f = np.asarray(chk.positive(factor, "factor"), float)
    per = 12 / payments_per_year
    knots = np.arange(len(cum) + 1) * per
    values = np.concatenate([[0.0], cum])
    grid = knots[1:] / f[..., None]
    out = np.interp(grid, knots, values, right=float(values[-1]))
    out[..., -1] = 1.0
    return out


def fit_to_senior(
    deal,
    cumulative,
    *,
    wal: float | None = None,
    maturity: float | None = None,
    rounds: int = 4,
    candidates: int = 48,
) -> TimingFit:
    """Stretch ``cumulative`` (share by period end, ending at 1) in time until the base-case
    waterfall of ``deal`` (its recovery total, costs and structure) pays the most senior tranche
    with weighted average life ``wal`` years, or last pays it at ``maturity`` years (give one).

    The factor searched spans 1/20 to 20 times the starting speed. For the WAL (continuous in the
    factor) each round runs ``candidates`` factors as one batch and keeps the bracket around the
    target; the expected maturity moves in whole periods, so one fine grid is run and the factor in
    the middle of the closest step is kept.
    """
    if (wal is None) == (maturity is None):
        raise ValueError("fit_to_senior: give either wal or maturity (years)")
    what, target = ("wal", wal) if wal is not None else ("maturity", maturity)
    target = float(chk.positive(target, what))
    cum = chk.vector(cumulative, "cumulative")
    recovery = deal.require_recovery()
    scale = recovery.total * (1.0 - recovery.cost_rate)
    ppy = deal.payments_per_year

    def measure(log_f: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        curves = scaled_curve(cum, ppy, np.exp(log_f))
        timing = np.diff(curves, axis=-1, prepend=0.0)
        m = run_waterfall(deal, scale * timing).metrics()
        w, t = m.wal[:, 0], m.expected_maturity[:, 0]
        return curves, np.where(np.isfinite(w), w, np.inf), np.where(np.isfinite(t), t, np.inf)

    lo, hi = np.log(1 / 20), np.log(20.0)
    if what == "wal":
        for _ in range(rounds):
            grid = np.linspace(lo, hi, candidates)
            _, w, _ = measure(grid)
            n_below = int((w < target).sum())  # the WAL increases with the factor
            if n_below in (0, candidates):
                grid = grid[[0]] if n_below == 0 else grid[[-1]]
                break
            lo, hi = grid[n_below - 1], grid[n_below]
        else:
            grid = np.array([lo, hi])
    else:
        grid = np.linspace(lo, hi, rounds * candidates)
    curves, w, t = measure(grid)
    value = w if what == "wal" else t
    gap = np.abs(value - target)
    best = np.flatnonzero(gap == gap.min())
    j = int(best[len(best) // 2])
    tolerance = 0.02 * target if what == "wal" else 0.5 / ppy
    return TimingFit(
        curves[j],
        float(np.exp(grid[j])),
        float(w[j]),
        float(t[j]),
        target,
        what,
        bool(gap[j] <= tolerance),
    )
