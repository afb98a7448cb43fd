"""Loan-level recovery valuation: what each defaulted loan is expected to return, and when.

As agencies value NPL pools (docs/methodology.md §7-8): secured loans by their collateral,
``min(claim, value x (1 - haircut) - disposal cost)``, collected over a gamma timing curve whose
mean
is the months to disposal of the loan's legal stage; unsecured loans by a static-pool cumulative
recovery curve by months since default, bucketed by months overdue at cut-off and scaled by a
balance-band factor, read from the loan's current month on; guaranteed loans by the unsecured curve
plus a guarantor's share. Secured loans without collateral data fall back to the secured curve of
their bucket, and the count is reported. Amounts in one currency unit (the tape's: 元); months
after the cut-off date.

The packaged tables (``data/valuation_*.csv``) are **illustrative**; every row carries a source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np
from scipy.special import gammainc

from . import _checks as chk

__all__ = [
    "ValuationTables",
    "Valuation",
    "value_loans",
    "packaged_tables",
    "OVERDUE_BUCKETS",
    "BALANCE_BANDS",
    "CURVE_MONTHS",
]

#: months-overdue buckets at cut-off: (label, lower bound in months)
OVERDUE_BUCKETS = (("0-6", 0), ("6-12", 6), ("12-24", 12), ("24-36", 24), ("36+", 36))
#: claim bands (元): (label, lower bound)
BALANCE_BANDS = (("<10k", 0), ("10k-50k", 1e4), ("50k-200k", 5e4), ("200k+", 2e5))
#: months since default at which the static-pool curves are given (linear in between, flat after)
CURVE_MONTHS = (0, 6, 12, 24, 36, 48, 60, 84, 120, 180)
#: collateral type -> the stress table's asset class
ASSET_CLASS = {
    "residential": "residential",
    "commercial": "commercial",
    "land": "commercial",
    "equipment": "sme",
    "equity": "sme",
}
#: coefficient of variation of the disposal timing around its mean
TIMING_CV = 0.4


@dataclass(frozen=True)
class ValuationTables:
    """The valuation assumptions (each a dict so a workbook table maps onto it one row a key)."""

    haircut: dict[str, float]
    disposal_cost: dict[str, float]
    tier_addon: dict[str, float]
    lien_addon: float
    disposal_months: dict[str, float]
    curves: dict[tuple[str, str], np.ndarray]
    balance_factor: dict[str, float]
    guarantor_share: float
    sources: dict[str, str] = field(default_factory=dict)

    def check(self) -> None:
        """Haircuts and shares in [0, 1], months > 0, curves non-decreasing in [0, 1]."""
        for name, table in (
            ("haircut", self.haircut),
            ("disposal_cost", self.disposal_cost),
            ("tier_addon", self.tier_addon),
        ):
            for k, v in table.items():
                chk.probability(v, f"{name} {k}")
        for k, v in self.disposal_months.items():
            chk.positive(v, f"disposal_months {k}")
        for (cls, bucket), curve in self.curves.items():
            c = chk.probability(curve, f"curve {cls} {bucket}")
            if (np.diff(c) < -1e-12).any():
                raise ValueError(f"curve {cls} {bucket}: the cumulative recovery must not decrease")
        chk.probability(self.guarantor_share, "guarantor_share")
        chk.probability(self.lien_addon, "lien_addon")


@dataclass(frozen=True)
class Valuation:
    """Per loan: ``expected`` recovery (within the horizon), ``method`` ('collateral', 'curve',
    'curve+guarantor', 'secured curve (no collateral data)'), ``asset_class``, ``mean_months``; the
    pool's ``monthly`` collections (months 1..horizon after cut-off); the recovery by asset class;
    and the number of secured loans valued by the fallback curve."""

    expected: np.ndarray
    method: np.ndarray
    asset_class: np.ndarray
    mean_months: np.ndarray
    monthly: np.ndarray
    by_class: dict[str, float]
    fallbacks: int

    def cumulative_by_period(self, payments_per_year: int, periods: int) -> list[float]:
        """The pool's cumulative share collected by each payment period end (ends at 1)."""
        per = 12 // payments_per_year
        months = self.monthly[: per * periods]
        months = np.pad(months, (0, per * periods - len(months)))
        by_period = months.reshape(periods, per).sum(axis=1)
        total = by_period.sum()
        if total <= 0:
            raise ValueError("valuation: nothing is recovered within the legal maturity")
        return (np.cumsum(by_period) / total).round(10).tolist()


def _bucket(months: np.ndarray) -> np.ndarray:
    edges = np.array([lo for _, lo in OVERDUE_BUCKETS[1:]])
    labels = np.array([b for b, _ in OVERDUE_BUCKETS], dtype=object)
    return labels[np.searchsorted(edges, months, side="right")]


def _band(claims: np.ndarray) -> np.ndarray:
    edges = np.array([lo for _, lo in BALANCE_BANDS[1:]])
    labels = np.array([b for b, _ in BALANCE_BANDS], dtype=object)
    return labels[np.searchsorted(edges, claims, side="right")]


def _curve_at(curve: np.ndarray, months) -> np.ndarray:
    return np.interp(months, CURVE_MONTHS, curve)


def value_loans(
    claim,
    months_overdue,
    security,
    *,
    guaranteed=None,
    collateral_type=None,
    appraisal_value=None,
    lien_rank=None,
    legal_stage=None,
    city_tier=None,
    asset_class=None,
    tables: ValuationTables | None = None,
    horizon: int = 120,
) -> Valuation:
    """Value each loan (arrays of one entry per loan); see the module docstring.

    ``security``: 'unsecured', 'guaranteed', 'mortgage', 'pledge'; ``collateral_type``: residential,
    commercial, land, equipment, equity (or blank); ``legal_stage``: a key of the disposal-months
    table (blank: the longest, the most prudent); ``city_tier``: '1', '2', '3' (blank: no add-on);
    ``asset_class``: the stress table's class per loan (blank: from the collateral type, secured
    without collateral data residential, else unsecured). Raises ``ValueError`` listing every loan
    whose
    valuation inputs are unusable (collateral value <= 0, a stage not in the table).
    """
    t = tables or packaged_tables()
    t.check()
    c = chk.nonnegative(chk.vector(claim, "claim"), "claim")
    n = len(c)
    m = chk.nonnegative(
        np.broadcast_to(chk.vector(months_overdue, "months_overdue"), (n,)), "months_overdue"
    )

    def text(values, default=""):
        if values is None:
            return np.full(n, default, dtype=object)
        arr = np.asarray(values, dtype=object).reshape(-1)
        clean = {  # one cleaning per distinct value (a handful per column)
            v: default if v is None or v != v or str(v).strip() == "" else str(v).strip().lower()
            for v in dict.fromkeys(arr.tolist())
        }
        return np.fromiter(map(clean.__getitem__, arr.tolist()), dtype=object, count=len(arr))

    sec, ctype, stage, tier = (
        text(security, "unsecured"),
        text(collateral_type),
        text(legal_stage),
        text(city_tier),
    )
    guar = np.zeros(n, bool) if guaranteed is None else np.asarray(guaranteed, bool).reshape(-1)
    value = (
        np.full(n, np.nan)
        if appraisal_value is None
        else np.asarray(appraisal_value, float).reshape(-1)
    )
    lien = (
        np.ones(n)
        if lien_rank is None
        else np.nan_to_num(np.asarray(lien_rank, float).reshape(-1), nan=1.0)
    )
    secured = np.isin(sec, ["mortgage", "pledge"])
    has_collateral = secured & np.isfinite(value) & np.isin(ctype, list(t.haircut))
    problems = [
        f"loan {i + 1}: collateral value {value[i]:g} must be > 0"
        for i in np.flatnonzero(has_collateral & ~(value > 0))
    ]
    known = set(t.disposal_months)
    problems += [
        f"loan {i + 1}: legal stage {stage[i]!r} is not in the disposal-months table "
        f"({', '.join(sorted(known))})"
        for i in np.flatnonzero(has_collateral & (stage != "") & ~np.isin(stage, list(known)))
    ]
    if problems:
        more = f"; ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise ValueError("valuation: " + "; ".join(problems[:20]) + more)
    months = np.arange(1, horizon + 1)
    expected = np.zeros(n)
    mean = np.zeros(n)
    monthly = np.zeros(horizon)
    method = np.where(guar & ~secured, "curve+guarantor", "curve").astype(object)
    cls = np.where(
        has_collateral,
        [ASSET_CLASS.get(x, "residential") for x in ctype],
        np.where(secured, "residential", "unsecured"),
    ).astype(object)
    if asset_class is not None:
        given = text(asset_class)
        cls = np.where(given != "", given, cls).astype(object)
    # collateral: min(claim, value x (1 - haircut - add-ons) - cost x value), gamma timing by legal
    # stage
    if has_collateral.any():
        k = np.flatnonzero(has_collateral)
        h = np.array([t.haircut[x] + t.tier_addon.get(y, 0.0) for x, y in zip(ctype[k], tier[k])])
        h = np.clip(h + t.lien_addon * (lien[k] > 1), 0.0, 1.0)
        cost = np.array([t.disposal_cost[x] for x in ctype[k]])
        net = np.clip(value[k] * (1.0 - h - cost), 0.0, c[k])
        slowest = max(t.disposal_months.values())
        mu = np.array([t.disposal_months.get(s, slowest) for s in stage[k]])
        shape = 1.0 / TIMING_CV**2
        # one timing curve per distinct mean (a handful of legal stages), not one per loan
        mu_u, inv = np.unique(mu, return_inverse=True)
        cdf = gammainc(shape, months[None, :] * shape / mu_u[:, None])  # (means, months)
        per_month = np.diff(cdf, prepend=0.0, axis=1)
        expected[k] = net * cdf[inv, -1]
        mean[k] = mu
        monthly += np.bincount(inv, weights=net, minlength=len(mu_u)) @ per_month
        method[k] = "collateral"
    # curves: from the loan's current month since default on
    curve_loans = ~has_collateral
    if curve_loans.any():
        k = np.flatnonzero(curve_loans)
        kind = np.where(secured[k], "secured", "unsecured")
        buckets, bands = _bucket(m[k]), _band(c[k])
        factor = np.array([t.balance_factor.get(b, 1.0) for b in bands])
        extra = np.where(guar[k] & ~secured[k], t.guarantor_share, 0.0)
        # one share curve per distinct (class, months overdue, balance factor, guarantor share):
        # a few hundred rows for a million loans, not a (loans x months) matrix
        rows, inv = np.unique(
            np.column_stack([secured[k], m[k], factor, extra]), axis=0, return_inverse=True
        )
        inv = inv.ravel()
        first = np.zeros(len(rows), np.int64)
        first[inv[::-1]] = np.arange(len(inv))[::-1]  # a loan of each row
        u_kind, u_bucket = kind[first], buckets[first]
        share = np.zeros((len(rows), horizon))
        for key in {(a, b) for a, b in zip(u_kind, u_bucket)}:  # a handful of (class, bucket)
            sel = (u_kind == key[0]) & (u_bucket == key[1])
            curve = t.curves[key]
            start = rows[sel, 1][:, None]
            share[sel] = _curve_at(curve, start + months[None, :]) - _curve_at(
                curve, start + months[None, :] - 1
            )
        share *= rows[:, 2][:, None]
        total_share = share.sum(axis=1)
        scale = np.where(
            total_share > 0, (total_share + rows[:, 3]) / np.maximum(total_share, 1e-300), 0.0
        )
        share = np.minimum(share * scale[:, None], 1.0)
        per_unit = share.sum(axis=1)  # recovery per unit of claim
        expected[k] = c[k] * per_unit[inv]
        timing = np.where(per_unit > 0, share @ months / np.maximum(per_unit, 1e-300), 0.0)
        mean[k] = np.where(expected[k] > 0, timing[inv], 0.0)
        monthly += np.bincount(inv, weights=c[k], minlength=len(rows)) @ share
        method[k[secured[k]]] = "secured curve (no collateral data)"
    by_class = {str(x): float(expected[cls == x].sum()) for x in np.unique(cls)}
    return Valuation(
        expected, method, cls, mean, monthly, by_class, int((secured & ~has_collateral).sum())
    )


def _read(name: str):
    import pandas as pd

    with resources.files(__package__).joinpath(f"data/{name}").open(encoding="utf-8") as f:
        return pd.read_csv(f, comment="#")


@lru_cache(maxsize=1)
def packaged_tables() -> ValuationTables:
    """The packaged, illustrative valuation tables (data/valuation_*.csv)."""
    return tables_from_frames(
        _read("valuation_collateral.csv"),
        _read("valuation_stages.csv"),
        _read("valuation_curves.csv"),
        _read("valuation_factors.csv"),
    )


def tables_from_frames(collateral, stages, curves, factors) -> ValuationTables:
    """Valuation tables from four frames (the CSVs' or a deal workbook's tables, same columns)."""
    f = dict(zip(factors["item"].astype(str).str.strip(), factors["value"].astype(float)))
    curve_cols = [str(mo) for mo in CURVE_MONTHS]
    return ValuationTables(
        haircut=dict(
            zip(collateral["collateral_type"].str.strip(), collateral["haircut"].astype(float))
        ),
        disposal_cost=dict(
            zip(
                collateral["collateral_type"].str.strip(), collateral["disposal_cost"].astype(float)
            )
        ),
        tier_addon={
            k.removeprefix("tier_addon_"): v for k, v in f.items() if k.startswith("tier_addon_")
        },
        lien_addon=f.get("lien_addon", 0.0),
        disposal_months=dict(
            zip(stages["legal_stage"].str.strip().str.lower(), stages["months"].astype(float))
        ),
        curves={
            (str(r["class"]).strip(), str(r["overdue_bucket"]).strip()): np.array(
                [float(r[c]) for c in curve_cols]
            )
            for _, r in curves.iterrows()
        },
        balance_factor={
            k.removeprefix("balance_factor_"): v
            for k, v in f.items()
            if k.startswith("balance_factor_")
        },
        guarantor_share=f.get("guarantor_share", 0.0),
    )
