"""A trustee report (受托机构报告 / 收益分配报告) as values: one entry per payment period since
closing, amounts in the deal's currency unit.

Built by :func:`npl_xl.workbook.trustee_report.read_trustee_report` from a CSV or XLSX, or directly
from arrays (tests, the Python API). ``collections`` are the net collections the trust received in
each period (what the waterfall pays out; comparable with ``Deal.base_collections()``). Per-tranche
figures are NaN where the report does not give them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

__all__ = ["TrusteeReport"]


@dataclass(frozen=True)
class TrusteeReport:
    """Reported periods 1..k (consecutive from closing) of a deal.

    ``collections``: (k,) net collections per period (deal units). ``interest_paid``,
    ``principal_paid``, ``balance`` (after payment): tranche name -> (k,) with NaN where not given.
    ``notes_balance``, ``fees_paid``, ``reserve`` (after payment): (k,) or None. ``rows``: the file
    row of each period (for messages). ``override_remaining``: the analyst's re-projected remaining
    net collections (deal units), replacing the method's estimate. ``lines``: the intake report.
    """

    collections: np.ndarray
    dates: tuple[dt.date | None, ...] = ()
    interest_paid: dict[str, np.ndarray] = field(default_factory=dict)
    principal_paid: dict[str, np.ndarray] = field(default_factory=dict)
    balance: dict[str, np.ndarray] = field(default_factory=dict)
    notes_balance: np.ndarray | None = None
    fees_paid: np.ndarray | None = None
    reserve: np.ndarray | None = None
    rows: tuple[int, ...] = ()
    source: str = "trustee report"
    override_remaining: float | None = None
    tolerance: float = 1.0
    lines: tuple[str, ...] = ()

    def __post_init__(self):
        c = np.asarray(self.collections, dtype=float)
        if c.ndim != 1 or c.size == 0:
            raise ValueError("collections: expected one value per reported period")
        for i, v in enumerate(c):
            if not np.isfinite(v) or v < 0:
                raise ValueError(f"{self.where(i)}, collections: expected a number >= 0, got {v:g}")
        object.__setattr__(self, "collections", c)
        if self.override_remaining is not None and not self.override_remaining >= 0:
            raise ValueError(
                f"override_remaining: expected a number >= 0, got {self.override_remaining:g}"
            )

    @property
    def periods(self) -> int:
        """The number of reported periods k (the last reported payment date is period k)."""
        return int(self.collections.size)

    @property
    def last_date(self) -> dt.date | None:
        """The last reported payment date (None when the report gives no dates)."""
        return self.dates[-1] if self.dates else None

    def where(self, i: int) -> str:
        """'<source> row R' of period index i (period i + 1 when rows are unknown)."""
        if self.rows:
            return f"{self.source} row {self.rows[i]}"
        return f"{self.source} period {i + 1}"
