"""What is left to collect, re-estimated from performance so far (Benktander credibility method).

With the base case expected to have collected the share ``p`` of its total ``U0`` by period k
(``E = p U0``) and ``A`` actually collected, the chain-ladder estimate of the total is
``A / p`` and the base case's (Bornhuetter-Ferguson prior) is ``U0``. The Benktander estimate of
what remains weights them by the credibility ``Z = p`` (the share that should have emerged):

    remaining = (1 - p) [Z A / p + (1 - Z) U0] = R0 [p (A / E) + (1 - p)],  R0 = U0 - E

so early evidence moves the forecast little and late evidence much (Benktander 1976; Mack 2000,
"Credible claims reserves: the Benktander method", ASTIN Bulletin 30(2), 333-347). The remaining
base-case curve keeps its shape, scaled to that total, re-anchored at the last reported date
(its period 1 is period k + 1 of the deal). The analyst's override replaces the total.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Reprojection", "reproject"]


@dataclass(frozen=True)
class Reprojection:
    """Actual against base case to period k and the re-projected remaining collections.

    Amounts in deal units, net of collection costs. ``actual``/``expected``: (k,) per period;
    ``remaining_base``/``remaining``: (n - k,) from period k + 1; ``credibility`` Z; ``factor``:
    the re-projected remaining over the base case's remaining; ``method``: 'benktander' or
    'override'.
    """

    actual: np.ndarray
    expected: np.ndarray
    remaining_base: np.ndarray
    remaining: np.ndarray
    credibility: float
    factor: float
    method: str

    @property
    def actual_to_expected(self) -> float:
        """Cumulative actual over cumulative base case to period k (NaN if none was expected)."""
        e = float(self.expected.sum())
        return float(self.actual.sum()) / e if e > 0 else float("nan")

    @property
    def by_period(self) -> np.ndarray:
        """Actual over base case in each reported period (NaN where none was expected)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.expected > 0, self.actual / self.expected, np.nan)

    @property
    def remaining_total(self) -> float:
        """Re-projected remaining net collections (deal units)."""
        return float(self.remaining.sum())


def reproject(
    base: np.ndarray, actual: np.ndarray, *, override_remaining: float | None = None
) -> Reprojection:
    """Re-project the base-case net collections ``base`` (n,) given ``actual`` (k,), k < n."""
    base = np.asarray(base, dtype=float)
    actual = np.asarray(actual, dtype=float)
    k = actual.size
    expected, rest = base[:k], base[k:]
    u0, e, r0 = float(base.sum()), float(expected.sum()), float(rest.sum())
    if r0 <= 0:
        raise ValueError(
            f"recovery.cumulative: the base case collects nothing after period {k}; "
            "give the remaining recovery as an override"
            if override_remaining is None
            else "recovery.cumulative: the base case has no remaining curve to scale the override"
        )
    p = e / u0 if u0 > 0 else 0.0
    ratio = float(actual.sum()) / e if e > 0 else 1.0
    factor, method = p * ratio + (1.0 - p), "benktander"
    if override_remaining is not None:
        factor, method = float(override_remaining) / r0, "override"
    return Reprojection(actual, expected, rest, rest * factor, p, factor, method)
