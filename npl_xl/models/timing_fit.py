"""Timing as data: fit the speed of a base-case timing curve to the structurer's expected senior
life, with the collections between the cut-off date and closing as cash at the first payment date.

A deal's offering circular states, for each class, its expected maturity (预期到期) and weighted
average life (加权存续), computed from the issuer's own collection forecast, and the pool's base-
case recovery is forecast from the cut-off date (起算日), months before closing. When the timing
curve itself is not published, the shape of a recovery curve (front-loaded for unsecured
pools, court-driven for secured ones) is known far better than its speed.
:func:`fit_to_senior` keeps the shape, a cumulative curve C(m) of months m since the cut-off
date, and stretches it in time, C(m / f), until the base-case waterfall pays the most senior
tranche with the published WAL (or expected maturity). What the stretched curve collects
before closing, C(g / f) for a gap of g months, is the trust's cash at the first payment date
(unless the collections before closing are known, in which case they are used as given); the
rest follows the curve from closing. The senior's WAL and maturity increase with f, so a
bracketing search over a batch of candidate factors (one vectorised waterfall run per round)
finds it.

Units: months for curves, years for WAL and maturity, currency units for amounts. ``deal`` is any
object shaped like :class:`npl_xl.deal.Deal` (this layer does not import it): its structure and its
recovery total and cost rate are used, not its curve.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import gammainc

from . import _checks as chk
from .waterfall import run_waterfall

__all__ = ["TimingFit", "Curve", "class_curve", "fit_to_senior", "CLASS_SHAPES"]

#: recovery-curve shapes by stress class: the months from the cut-off date to each recovery are
#: gamma distributed with this coefficient of variation (1 = exponential, front-loaded: unsecured
#: collections fall off from the first month; below 1 = hump-shaped: secured loans are worked out
#: through the courts, with few recoveries in the first months). The mean is what the fit sets.
#: See docs/methodology.md, "Timing as data".
CLASS_SHAPES = {"unsecured": 1.0, "sme": 0.8, "residential": 0.7, "commercial": 0.7}


@dataclass(frozen=True)
class Curve:
    """A cumulative recovery curve: share of the base case collected by ``months`` since the
    cut-off date (piecewise linear between the points, 0 at month 0, 1 after the last point)."""

    months: np.ndarray
    cumulative: np.ndarray

    @classmethod
    def from_periods(cls, cumulative, payments_per_year: int) -> Curve:
        """A curve given by period end (the deal workbook's Recovery sheet), from closing."""
        cum = chk.probability(chk.vector(cumulative, "cumulative"), "cumulative")
        return cls(np.arange(1, len(cum) + 1) * (12 / payments_per_year), cum)

    def at(self, months) -> np.ndarray:
        """C(months), broadcasting."""
        knots = np.concatenate([[0.0], self.months])
        values = np.concatenate([[0.0], self.cumulative])
        return np.interp(months, knots, values, right=1.0)


def class_curve(mean_months: float, cv: float, *, horizon_months: float = 240.0) -> Curve:
    """A gamma curve of months since the cut-off date (mean ``mean_months``, coefficient of
    variation ``cv``) on a monthly grid up to ``horizon_months``, where it is closed at 1."""
    k = 1.0 / float(chk.positive(cv, "cv")) ** 2
    months = np.arange(1.0, float(horizon_months) + 1.0)
    cdf = gammainc(k, months * k / float(chk.positive(mean_months, "mean_months")))
    cdf[-1] = 1.0
    return Curve(months, cdf)


@dataclass(frozen=True)
class TimingFit:
    """A fitted timing: ``cumulative`` share of the collections after closing by each period end
    (ends at 1: what the last period's curve leaves is collected in it), ``before_closing`` the
    collections between the cut-off date and closing (currency units, before collection costs,
    as the recovery total; cash at the first payment date), the time ``factor`` applied to the
    curve, the senior ``wal`` and ``maturity`` (years) it gives, the ``target`` value and what it
    is (``"wal"`` or ``"maturity"``), and ``exact``:
    whether the target was reached (False when no speed of the curve reaches it; the nearest is
    returned)."""

    cumulative: np.ndarray
    before_closing: float
    factor: float
    wal: float
    maturity: float
    target: float
    what: str
    exact: bool

    def collections(self, total: float, cost_rate: float = 0.0) -> np.ndarray:
        """Base-case collections per period, net of ``cost_rate``: the cash before closing in the
        first period plus the rest of ``total`` (before costs) along :attr:`cumulative`."""
        net = 1.0 - cost_rate
        out = ((total - self.before_closing) * net) * np.diff(self.cumulative, prepend=0.0)
        out[0] += self.before_closing * net
        return out

    def describe(self) -> str:
        """One sentence for the memo and the command line."""
        got = self.wal if self.what == "wal" else self.maturity
        word = "WAL" if self.what == "wal" else "expected maturity"
        note = "" if self.exact else " (the nearest any speed of the curve gives)"
        return (
            f"base-case timing curve fitted to the structurer's expected senior {word} of "
            f"{self.target:.2f} years: {got:.2f} years{note}"
        )


def _shares(curve: Curve, factor: np.ndarray, gap: float, per: float, n: int):
    """(before closing, shares of the rest by period) of ``curve`` stretched by each factor."""
    f = factor[:, None]
    before = curve.at(gap / f)[:, 0]
    ends = curve.at((gap + per * np.arange(1, n + 1)) / f)
    ends[:, -1] = 1.0  # the tail after legal maturity is collected in the last period
    rest = np.maximum(1.0 - before, 1e-300)[:, None]
    return before, (ends - before[:, None]) / rest


def fit_to_senior(
    deal,
    curve: Curve,
    *,
    wal: float | None = None,
    maturity: float | None = None,
    months_before_closing: float = 0.0,
    before_closing: float | None = None,
    n_periods: int | None = None,
    rounds: int = 4,
    candidates: int = 48,
) -> TimingFit:
    """Stretch ``curve`` (months since the cut-off date) in time until the base-case waterfall of
    ``deal`` (its structure, recovery total and cost rate) pays the most senior tranche with
    weighted average life ``wal`` years, or last pays it at ``maturity`` years (give one).

    ``months_before_closing``: months from the cut-off date to closing (0: the curve starts at
    closing). The collections in that gap are ``before_closing`` (currency units, before collection
    costs) when known, else what the stretched curve collects in it; the waterfall runs them net of
    the recovery's cost rate, as the deal's base case. ``n_periods``: periods to legal maturity
    (default the deal's). The factor searched spans 1/20 to 20; for the WAL (continuous in the
    factor) each round runs ``candidates`` factors as one batch and keeps the bracket around the
    target; the expected maturity moves in whole periods, so one fine grid is run and the factor
    in the middle of the closest step is kept.
    """
    if (wal is None) == (maturity is None):
        raise ValueError("fit_to_senior: give either wal or maturity (years)")
    what, target = ("wal", wal) if wal is not None else ("maturity", maturity)
    target = float(chk.positive(target, what))
    gap = float(chk.nonnegative(months_before_closing, "months_before_closing"))
    recovery = deal.require_recovery()
    total, net = recovery.total, 1.0 - recovery.cost_rate
    known = (
        None if before_closing is None else float(chk.nonnegative(before_closing, "before_closing"))
    )
    if known is not None and known > total:
        raise ValueError(
            f"before_closing: {known:,.2f} collected before closing exceeds the base case "
            f"{total:,.2f}"
        )
    n = int(n_periods or deal.legal_maturity_periods or len(recovery.cumulative))
    per = 12 / deal.payments_per_year

    def measure(log_f: np.ndarray):
        before, shares = _shares(curve, np.exp(log_f), gap, per, n)
        cash = before * total if known is None else np.full(len(log_f), known)
        # net of collection costs, as the deal's base case (Deal.base_collections) has them
        c = ((total - cash) * net)[:, None] * np.diff(shares, axis=-1, prepend=0.0)
        c[:, 0] += cash * net
        m = run_waterfall(deal, c).metrics()
        w, t = m.wal[:, 0], m.expected_maturity[:, 0]
        finite = np.isfinite
        return shares, cash, np.where(finite(w), w, np.inf), np.where(finite(t), t, np.inf)

    lo, hi = np.log(1 / 20), np.log(20.0)
    if what == "wal":
        for _ in range(rounds):
            grid = np.linspace(lo, hi, candidates)
            w = measure(grid)[2]
            n_below = int((w < target).sum())  # the WAL increases with the factor
            if n_below in (0, candidates):
                grid = grid[[0]] if n_below == 0 else grid[[-1]]
                break
            lo, hi = grid[n_below - 1], grid[n_below]
        else:
            grid = np.array([lo, hi])
    else:
        grid = np.linspace(lo, hi, rounds * candidates)
    shares, cash, w, t = measure(grid)
    gap_to_target = np.abs((w if what == "wal" else t) - target)
    best = np.flatnonzero(gap_to_target == gap_to_target.min())
    j = int(best[len(best) // 2])
    tolerance = 0.02 * target if what == "wal" else 0.5 / deal.payments_per_year
    return TimingFit(
        cumulative=shares[j],
        before_closing=float(cash[j]),
        factor=float(np.exp(grid[j])),
        wal=float(w[j]),
        maturity=float(t[j]),
        target=target,
        what=what,
        exact=bool(gap_to_target[j] <= tolerance),
    )
