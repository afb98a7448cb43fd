"""Layer 2: what a rating needs to know of the pool behind a deal, whatever the pool came from (a
loan tape read by :mod:`npl_xl.workbook.tape`, a trustee report, or public deal figures).

Shares are of principal + interest + fees (本息费); amounts are in the deal's currency unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PoolSummary", "loan_weights", "herfindahl"]


def loan_weights(amounts) -> np.ndarray:
    """Monte Carlo weights per loan (``amounts``, any positive scale) adding up to 1; 1,000 equal
    units without amounts."""
    w = np.ones(1000) if amounts is None or not len(amounts) else amounts
    w = np.asarray(w, float)
    return w / w.sum()


def herfindahl(amounts) -> float:
    """The loans' Herfindahl index, the sum of their squared :func:`loan_weights` (0.001 without
    amounts)."""
    w = loan_weights(amounts)
    return float(w @ w)


@dataclass(frozen=True)
class PoolSummary:
    """The pool figures a rating run uses.

    ``balance`` principal + interest + fees (deal unit); ``loans``; ``top10_share`` of the ten
    largest borrowers, ``largest_region_share``, ``wa_months_overdue`` (weighted by balance),
    ``secured_share`` (mortgage or pledge collateral): None where the source does not say;
    ``diversity_score`` (Moody's, regions as groups); ``amounts`` each loan's (or segment's) share
    weight for the Monte Carlo (any positive scale; None: 1,000 equal units).
    """

    balance: float
    loans: int
    top10_share: float | None = None
    largest_region_share: float | None = None
    wa_months_overdue: float | None = None
    secured_share: float | None = None
    diversity_score: float | None = None
    amounts: np.ndarray | None = None

    def weights(self) -> np.ndarray:
        """Monte Carlo weights per loan or unit, adding up to 1 (:func:`loan_weights`)."""
        return loan_weights(self.amounts)
