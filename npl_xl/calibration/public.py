"""Public deals as npl-xl deals: each deal of the market dataset (:mod:`npl_xl.market`) built as the
product builds a new deal, from published figures only.

What is published is used as published: tranche sizes, coupons and issue prices, payment
frequency, closing and legal maturity, the agencies' base-case recoveries (their average when
several agencies rate the deal), the collections between the cut-off date and closing where a
figure exists, and the senior's expected life or WAL. What is not published is a stated
assumption, the same for every deal: the shape of the recovery curve by stress class
(:data:`npl_xl.models.timing_fit.CLASS_SHAPES`), stretched until the senior's published expected
life comes out of the base-case waterfall (:func:`npl_xl.models.timing_fit.fit_to_senior`); the
fees of :data:`STANDARD_FEES`; a liquidity reserve of 1.5 times the next senior interest; payment
dates counted back from legal maturity. Amounts are in 万元 (CNY 10,000) as in the dataset.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import market
from ..deal import Deal, Fee, RecoveryAssumptions, Reserve, Tranche, add_months, months_between
from ..models.timing_fit import CLASS_SHAPES, TimingFit, class_curve, fit_to_senior

__all__ = ["PublicDeal", "STANDARD_FEES", "stress_class", "build", "build_all"]

#: fees of every public deal (not published per deal in the dataset; the bundled examples' fees,
#: documented in docs/methodology.md): taxes 1 % and a servicer base fee of collections, trustee
#: 5 bp and custodian 1 bp a year on the notes, a paying agent and rating/audit costs (万元 a
#: period, the latter capped)
STANDARD_FEES = (
    Fee(name="Taxes", basis="collections", rate=0.01),
    Fee(name="Trustee", basis="notes_balance", rate=0.0005),
    Fee(name="Custodian", basis="notes_balance", rate=0.0001),
    Fee(name="Paying agent", basis="fixed", amount=2.0),
    Fee(name="Rating and audit", basis="fixed", amount=5.0, cap=3.0),
)
#: servicer base fee (share of collections): lower for secured pools, worked out through courts
SERVICER_FEE = {"unsecured": 0.05, "sme": 0.04, "residential": 0.03, "commercial": 0.03}


def stress_class(asset_class: str, secured: str) -> str:
    """The stress-table class of a dataset asset class: credit card and consumer loans are
    unsecured; residential mortgages residential; corporate, SME and mixed pools by collateral
    (secured pools are mostly property-backed, stressed as commercial property; unsecured ones as
    sme)."""
    if asset_class in ("credit_card", "consumer"):
        return "unsecured"
    if asset_class == "residential":
        return "residential"
    return "commercial" if secured in ("secured", "mixed") else "sme"


@dataclass(frozen=True)
class PublicDeal:
    """One public deal built for the rating: the ``deal`` (recovery fitted), its stress ``klass``,
    the published senior rating (``senior_rating``, with ``rating_source``: "published" or
    "market review" when the dataset has no rating row and the market convention applies), the
    senior's share of the base case, and the timing ``fit``."""

    code: str
    year: int
    klass: str
    deal: Deal
    senior_rating: str
    rating_source: str
    senior_share: float
    fit: TimingFit
    fit_target: str

    @property
    def base_case(self) -> float:
        return self.deal.require_recovery().total


def _base_case(recoveries: pd.DataFrame) -> float:
    """The agencies' average base case at issuance (presale or initial figures)."""
    rows = recoveries[recoveries["stage"].isin(["presale", "initial"])]
    rows = rows if len(rows) else recoveries
    values = rows["base_case"].dropna().to_numpy(float)
    if not len(values):
        raise ValueError("no base-case recovery published")
    return float(values.mean())


def _senior_rating(md: market.MarketDeal, senior: str) -> tuple[str, str]:
    r = md.ratings[(md.ratings["tranche"] == senior) & (md.ratings["rating"] != "NR")]
    if len(r):
        first = r.sort_values("stage", key=lambda s: s.map({"initial": 0, "presale": 1}).fillna(2))
        return str(first["rating"].iloc[0]), "published"
    # 联合资信's 2024 review: every NPL ABS senior issued has been rated AAAsf (methodology §11)
    return "AAAsf", "market review"


def fitted(
    deal: Deal,
    klass: str,
    *,
    months_before_closing: float,
    wal: float | None = None,
    maturity: float | None = None,
    before_closing: float | None = None,
) -> tuple[Deal, TimingFit]:
    """``deal`` with its base-case timing fitted to the senior's published WAL (preferred) or
    expected maturity (years from closing): the class's curve shape
    (:data:`~npl_xl.models.timing_fit.CLASS_SHAPES`) stretched by
    :func:`~npl_xl.models.timing_fit.fit_to_senior`, the collections before closing as given or as
    the stretched curve collects them over ``months_before_closing``."""
    if wal is None and maturity is None:
        raise ValueError(f"{deal.name}: the senior's expected life is not published")
    fit = fit_to_senior(
        deal,
        class_curve(24.0, CLASS_SHAPES[klass]),
        wal=wal,
        maturity=None if wal is not None else maturity,
        months_before_closing=months_before_closing,
        before_closing=before_closing,
    )
    rec = deal.require_recovery()
    rec = rec.model_copy(
        update={
            "cumulative": [float(x) for x in fit.cumulative],
            "collected_before_closing": min(fit.before_closing, rec.total),
        }
    )
    return deal.model_copy(update={"recovery": rec}), fit


def payment_grid(closing: dt.date, legal: dt.date, payments_per_year: int) -> tuple[int, dt.date]:
    """(periods, first payment date) of a deal paying ``payments_per_year`` times a year on
    the day of its legal maturity: payment dates counted back from legal maturity, the first one
    after closing."""
    per = 12 // payments_per_year
    n = int(np.ceil(months_between(closing, legal) / per - 1e-9))
    first = add_months(legal, -per * (n - 1))
    if first <= closing:
        n -= 1
        first = add_months(legal, -per * (n - 1))
    return n, first


def with_public_timing(deal: Deal, code: str, klass: str) -> tuple[Deal, TimingFit]:
    """``deal`` (its structure and base case) on the public deal ``code``'s dates (closing, legal
    maturity, payment dates), its base-case timing fitted (:func:`fitted`) to the senior's
    published WAL or expected life, and the published collections before closing when known."""
    md = market.deal(code)
    row = md.deal
    dates = [row[c] for c in ("cutoff_date", "closing_date", "legal_maturity")]
    if any(pd.isna(x) for x in dates):
        raise ValueError(f"{code}: cut-off, closing or legal maturity not published")
    cutoff, closing, legal = (pd.Timestamp(x).date() for x in dates)
    n, first = payment_grid(closing, legal, deal.payments_per_year)
    senior = md.tranches.sort_values("seniority").iloc[0]
    wal, life = senior["wal"], senior["expected_life"]
    known = row["collected_before_closing"]
    if not pd.isna(known) and str(row["collected_before_closing_unit"]) == "亿元":
        known = float(known) * 1e4
    rec = deal.require_recovery().model_copy(update={"cumulative": [1.0] * n})
    deal = deal.model_copy(
        update={
            "legal_maturity_periods": n,
            "closing_date": closing,
            "first_payment_date": first,
            "recovery": rec,
        }
    )
    return fitted(
        deal,
        klass,
        months_before_closing=max(months_between(cutoff, closing), 0.0),
        wal=None if pd.isna(wal) else float(wal),
        maturity=None if pd.isna(life) else float(life),
        before_closing=None if pd.isna(known) else float(known),
    )


def build(code: str) -> PublicDeal:
    """The public deal ``code`` as an npl-xl deal; ``ValueError`` when a figure it needs is not
    published (base case, senior expected life, dates)."""
    md = market.deal(code)
    row = md.deal
    klass = stress_class(str(row["asset_class"]), str(row["secured"] or ""))
    if pd.isna(row["payments_per_year"]):
        raise ValueError(f"{code}: payment frequency not published")
    ppy = int(row["payments_per_year"])
    tr = md.tranches.sort_values("seniority")
    tranches = [
        Tranche(
            name=str(t["label"] or t["tranche"]) if i else "Senior",
            balance=float(t["balance"]),
            coupon=0.0 if pd.isna(t["coupon"]) else float(t["coupon"]),
            seniority=i + 1,
            issue_price=100.0 if pd.isna(t["issue_price"]) else float(t["issue_price"]),
        )
        for i, (_, t) in enumerate(tr.iterrows())
    ]
    if len(tranches) > 1:
        tranches[-1] = tranches[-1].model_copy(update={"name": "Sub"})
    total = _base_case(md.recoveries)
    senior = tr.iloc[0]
    fees = [
        *STANDARD_FEES,
        Fee(name="Servicer base fee", basis="collections", rate=SERVICER_FEE[klass]),
    ]
    deal = Deal(
        name=f"{code} {row['name_zh']}",
        payments_per_year=ppy,
        tranches=tranches,
        fees=fees,
        reserve=Reserve(multiple=1.5),
        incentive_fee_share=0.2,
        recovery=RecoveryAssumptions(
            total=total, cumulative=[1.0], asset_mix={klass: 1.0}, source="market dataset"
        ),
    )
    deal, fit = with_public_timing(deal, code, klass)
    rating, source = _senior_rating(md, str(senior["tranche"]))
    return PublicDeal(
        code=code,
        year=int(row["year"]),
        klass=klass,
        deal=deal,
        senior_rating=rating,
        rating_source=source,
        senior_share=float(senior["balance"]) / total,
        fit=fit,
        fit_target=fit.what,
    )


def build_all(codes=None) -> tuple[list[PublicDeal], list[tuple[str, str]]]:
    """Every dataset deal that can be built, and (code, reason) for those that cannot."""
    codes = list(market.load().deals["code"]) if codes is None else list(codes)
    built, skipped = [], []
    for code in codes:
        try:
            built.append(build(code))
        except (ValueError, TypeError) as exc:
            skipped.append((code, str(exc)))
    return built, skipped
