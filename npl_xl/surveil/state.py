"""The deal at the last reported payment date: the waterfall re-run on the actual collections,
reconciled with what the trustee reported.

The state used for re-rating takes the trustee's balances and reserve where the report gives them
(they are the deal's legal facts) and the model's otherwise; every difference above the report's
tolerance (one unit of its amount unit) is listed, never silently overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..deal import Deal
from ..models.waterfall import WaterfallResult, run_waterfall
from .report import TrusteeReport

__all__ = ["CurrentState", "Difference", "current_state"]


@dataclass(frozen=True)
class Difference:
    """A reported figure that differs from the model's by more than the tolerance."""

    period: int
    item: str
    reported: float
    model: float

    def line(self) -> str:
        """E.g. 'period 3, Senior balance: reported 30,000.00, model 29,998.50 (+1.50)'."""
        return (
            f"period {self.period}, {self.item}: reported {self.reported:,.2f}, model "
            f"{self.model:,.2f} ({self.reported - self.model:+,.2f})"
        )


@dataclass(frozen=True)
class CurrentState:
    """Balances (most senior first), interest arrears, reserve and default event at period k."""

    period: int
    tranche_names: tuple[str, ...]
    balance: np.ndarray
    model_balance: np.ndarray
    arrears: np.ndarray
    reserve: float
    model_reserve: float
    default_event: bool
    support_used: dict[str, float]
    waterfall: WaterfallResult
    differences: tuple[Difference, ...]

    @property
    def notes_outstanding(self) -> float:
        """Notes outstanding after the last reported payment (deal units)."""
        return float(self.balance.sum())


def current_state(deal: Deal, report: TrusteeReport) -> CurrentState:
    """Run ``deal``'s waterfall on the reported collections (zero afterwards) and reconcile it with
    the report; ``ValueError`` when the report runs beyond legal maturity."""
    k = report.periods
    n = deal.legal_maturity_periods or len(deal.base_collections())
    if k >= n:
        raise ValueError(
            f"{report.where(k - 1)}, period: period {k} is at or beyond legal maturity "
            f"({n} periods); nothing is left to re-rate"
        )
    c = np.zeros(n)
    c[:k] = report.collections
    w = run_waterfall(deal, c)
    names = w.tranche_names
    last = k - 1
    model_bal = w.balance[last].copy()
    arrears = w.interest_due[last] - w.interest_paid[last]
    tol = report.tolerance
    diffs: list[Difference] = []

    def compare(item: str, reported: np.ndarray, model: np.ndarray) -> None:
        for i in range(k):
            if np.isfinite(reported[i]) and abs(reported[i] - model[i]) > tol:
                diffs.append(Difference(i + 1, item, float(reported[i]), float(model[i])))

    balance = model_bal.copy()
    for j, name in enumerate(names):
        for item, given, model in (
            ("interest paid", report.interest_paid, w.interest_paid[:k, j]),
            ("principal paid", report.principal_paid, w.principal_paid[:k, j]),
            ("balance", report.balance, w.balance[:k, j]),
        ):
            if name in given:
                compare(f"{name} {item}", given[name], model)
        if name in report.balance and np.isfinite(report.balance[name][last]):
            balance[j] = report.balance[name][last]
    if report.notes_balance is not None:
        compare("notes balance", report.notes_balance, w.balance[:k].sum(axis=1))
    if report.fees_paid is not None:
        compare("fees paid", report.fees_paid, w.fees_paid[:k].sum(axis=1))
    reserve = float(w.reserve_balance[last])
    if report.reserve is not None:
        compare("reserve", report.reserve, w.reserve_balance[:k])
        if np.isfinite(report.reserve[last]):
            reserve = float(report.reserve[last])
    used = {
        name: float(w.support_in[:k, j].sum())
        for j, name in enumerate(w.support_names)
        if deal.guarantee is not None and name == deal.guarantee.name
    }
    return CurrentState(
        period=k,
        tranche_names=names,
        balance=np.maximum(balance, 0.0),
        model_balance=model_bal,
        arrears=np.maximum(arrears, 0.0),
        reserve=max(reserve, 0.0),
        model_reserve=float(w.reserve_balance[last]),
        default_event=bool(w.default_event[last]),
        support_used=used,
        waterfall=w,
        differences=tuple(diffs),
    )
