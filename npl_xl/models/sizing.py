"""Tranche sizing: the largest balance of a tranche that survives a rating's stress.

Structurers size a senior tranche by searching the largest balance that is still paid in full by
legal maturity under the stress of the target rating (haircut and delay per asset class, from the
stress table of :mod:`npl_xl.models.analysis`), the rest of the notes moving to the next junior
tranche so the total issued is unchanged. ``deal`` is any object shaped like
:class:`npl_xl.deal.Deal` with ``with_changes``; amounts are currency units.
"""

from __future__ import annotations

import math

import numpy as np

from . import _checks as chk
from .analysis import PAID_TOLERANCE, load_stress_table, rate_shifts, stress_collections
from .waterfall import unpaid_at_maturity

__all__ = ["max_tranche_size", "sizing_grid"]


def max_tranche_size(
    deal, collections, tranche: str, rating: str, *, table=None, tolerance: float = 1.0, mix=None
) -> float:
    """Largest balance of ``tranche`` paid in full under the stress of ``rating``, to
    ``tolerance`` currency units (bisection: the tranche's own shortfall grows with its size).

    The balance moves to or from the next junior tranche, which keeps at least ``tolerance``;
    the answer is a whole multiple of ``tolerance``, 0.0 when even one fails. ``mix`` (asset class
    -> share of base recovery) replaces the deal's asset mix."""
    frame = load_stress_table(table)
    levels = [str(r) for r in frame["rating"]]
    if str(rating) not in levels:
        raise ValueError(
            f"rating: {rating!r} is not a level of the stress table ({levels[0]} to {levels[-1]})"
        )
    row = levels.index(str(rating))
    stressed = stress_collections(deal, collections, frame, mix=mix)[row]
    shift = float(np.broadcast_to(rate_shifts(frame), (len(frame),))[row])
    return _search(
        deal, stressed, _index(deal, tranche), float(chk.positive(tolerance, "tolerance")), shift
    )


def sizing_grid(deal, collections, tranche: str, *, table=None, tolerance: float | None = None):
    """(rating, largest balance of ``tranche``) for every level of the stress table, most senior
    level first; ``tolerance`` defaults to the power of ten nearest below 0.01 % of the notes
    issued (at least 1 unit), so sizes are round numbers."""
    frame = load_stress_table(table)
    k = _index(deal, tranche)
    notes = sum(t.balance for t in deal.ordered_tranches)
    tol = (
        max(1.0, 10.0 ** math.floor(math.log10(1e-4 * notes)))
        if tolerance is None
        else float(chk.positive(tolerance, "tolerance"))
    )
    paths = stress_collections(deal, collections, frame)
    shifts = np.broadcast_to(rate_shifts(frame), (len(frame),))
    return tuple(
        (str(r), _search(deal, c, k, tol, float(x)))
        for r, c, x in zip(frame["rating"], paths, shifts)
    )


def _index(deal, tranche: str) -> int:
    names = [t.name for t in deal.ordered_tranches]
    if tranche not in names:
        raise ValueError(f"tranche: {tranche!r} is not a tranche of the deal ({', '.join(names)})")
    k = names.index(tranche)
    if k == len(names) - 1:
        raise ValueError(
            f"tranche: {tranche!r} is the most junior; no tranche below takes the rest"
        )
    return k


def _resized(deal, k: int, size: float):
    ts = deal.ordered_tranches
    pair = ts[k].balance + ts[k + 1].balance
    new = {ts[k].name: size, ts[k + 1].name: pair - size}
    return deal.with_changes(
        tranches=[t.model_dump() | ({"balance": new[t.name]} if t.name in new else {}) for t in ts]
    )


def _passes(deal, collections, k: int, size: float, shift: float) -> bool:
    d = _resized(deal, k, size)
    return bool(unpaid_at_maturity(d, collections, rate_shift=shift)[k] <= PAID_TOLERANCE * size)


def _search(deal, collections, k: int, tol: float, shift: float = 0.0) -> float:
    """Bisection on whole multiples n x ``tol``: n passes, n + 1 fails (or n is the cap)."""
    ts = deal.ordered_tranches
    lo, hi = 1, int(np.floor((ts[k].balance + ts[k + 1].balance) / tol)) - 1
    if hi < lo or not _passes(deal, collections, k, lo * tol, shift):
        return 0.0
    if _passes(deal, collections, k, hi * tol, shift):
        return hi * tol
    while hi - lo > 1:  # lo passes, hi fails
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if _passes(deal, collections, k, mid * tol, shift) else (lo, mid)
    return lo * tol
