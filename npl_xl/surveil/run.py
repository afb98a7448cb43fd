"""Surveillance (跟踪评级): re-rate a deal from its trustee report.

``surveil(deal, report, setup, previous=, paths=, seed=)`` builds the current state
(:mod:`.state`), re-projects what is left to collect (:mod:`.reprojection`), turns them into the
deal as it stands at the last reported date (:func:`remaining_deal`: balances, reserve, what is
left of legal maturity, schedules and index paths, the guarantee's unused limit, the post-default
order once a default event has happened) and runs the same rating as at issuance on it
(:func:`npl_xl.rating.run.rate_deal`: stresses, Monte Carlo cross-check, rating definition).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..deal import Deal, add_months
from ..rating import notch
from ..rating.run import RatingRun, RatingSetup, rate_deal
from .report import TrusteeReport
from .reproject import Reprojection, reproject
from .state import CurrentState, current_state

__all__ = ["SurveillanceRun", "TrancheChange", "surveil", "remaining_deal", "PAID_IN_FULL"]

#: the rating shown for a tranche repaid in full by the last reported date
PAID_IN_FULL = "PIF"
#: balance (deal units) below which a tranche counts as repaid
REPAID = 1e-6


@dataclass(frozen=True)
class TrancheChange:
    """One tranche's previous and proposed rating, the change and its reason (a message key of
    :mod:`npl_xl.i18n.surveillance` with its values)."""

    name: str
    previous: str
    proposed: str
    change: str  # affirmed, upgrade, downgrade, paid_in_full, not_rated
    notches: int
    reason: str
    values: dict


@dataclass(frozen=True)
class SurveillanceRun:
    """A surveillance run (values only); the memo and the batch table format what is here."""

    deal: Deal
    report: TrusteeReport
    state: CurrentState
    projection: Reprojection
    remaining: Deal | None
    run: RatingRun | None
    previous_source: str
    changes: tuple[TrancheChange, ...]

    @property
    def proposed(self) -> tuple[str, ...]:
        """The proposed rating of each tranche of the deal, most senior first."""
        return tuple(c.proposed for c in self.changes)

    def summary_line(self) -> str:
        """'<deal>: Senior AAAsf, Sub NR', as ``npl-xl rate`` prints it."""
        illustrative = self.run is not None and self.run.stress.illustrative
        return (
            f"{self.deal.name}: "
            + ", ".join(f"{c.name} {c.proposed}" for c in self.changes)
            + (" (illustrative stress table)" if illustrative else "")
        )


def remaining_deal(deal: Deal, state: CurrentState, projection: Reprojection) -> Deal | None:
    """The deal as it stands after period k (None when every note is repaid)."""
    k = state.period
    keep = {n: b for n, b in zip(state.tranche_names, state.balance) if b > REPAID}
    if not keep:
        return None
    data = deal.model_dump()
    tranches = []
    for t in data["tranches"]:
        if t["name"] not in keep:
            continue
        b = float(keep[t["name"]])
        if isinstance(t["amortisation"], list):
            t["amortisation"] = t["amortisation"][k:]
        if t["fixed_return"] > 0 and t["fixed_return_base"] == "initial":
            t["fixed_return"] = min(1.0, t["fixed_return"] * t["balance"] / b)  # same amount
        t["balance"] = b
        tranches.append(t)
    gone = {t.name for t in deal.tranches} - set(keep)
    n = len(projection.actual) + len(projection.remaining)
    rec = deal.require_recovery()
    shape = projection.remaining_base / projection.remaining_base.sum()
    cumulative = np.cumsum(shape)
    cumulative[-1] = 1.0
    net = projection.remaining_total
    changes: dict = {
        "tranches": tranches,
        "legal_maturity_periods": n - k,
        "reserve": {**data["reserve"], "initial": state.reserve},
        "recovery": {
            **data["recovery"],
            "total": max(net / (1.0 - rec.cost_rate), 1e-9),
            "cumulative": [float(x) for x in np.clip(cumulative, 0.0, 1.0)],
            "source": f"re-projected at period {k} ({projection.method}); {rec.source}".strip(),
        },
        "rates": {
            key: {**r, "path": r["path"][k:]} if r.get("path") else r
            for key, r in data["rates"].items()
        },
    }
    if deal.closing_date is not None and deal.first_payment_date is not None:
        step = 12 // deal.payments_per_year
        changes["closing_date"] = add_months(deal.first_payment_date, step * (k - 1))
        changes["first_payment_date"] = add_months(deal.first_payment_date, step * k)
    if deal.guarantee is not None:
        used = state.support_used.get(deal.guarantee.name, 0.0)
        changes["guarantee"] = {**data["guarantee"], "limit": max(deal.guarantee.limit - used, 0)}
    pre, post = deal.orders()
    kept = [s for s in post if s.partition(":")[2] not in gone or s.partition(":")[0] == "fee"]
    if deal.post_default_order is not None or gone:
        changes["post_default_order"] = kept
    if state.default_event:  # the default event has happened: the post-default order applies
        changes["pre_default_order"] = kept
    elif deal.pre_default_order is not None or gone:
        changes["pre_default_order"] = [
            s for s in pre if s.partition(":")[2] not in gone or s.partition(":")[0] == "fee"
        ]
    try:
        return deal.with_changes(**changes)
    except ValueError as exc:
        raise ValueError(f"current state after period {k}: {exc}") from None


def _change(name, previous, proposed, rated: bool) -> tuple[str, int]:
    if proposed == PAID_IN_FULL:
        return "paid_in_full", 0
    if not rated or previous == "NR" or proposed == "NR":
        return ("not_rated" if proposed == "NR" else "new"), 0
    d = notch(previous) - notch(proposed)
    return ("upgrade" if d > 0 else "downgrade" if d < 0 else "affirmed"), d


def surveil(
    deal: Deal,
    report: TrusteeReport,
    setup: RatingSetup | None = None,
    *,
    previous: dict[str, str] | None = None,
    paths: int | None = None,
    seed: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> SurveillanceRun:
    """Re-rate ``deal`` from ``report`` with ``setup`` (as at issuance). ``previous`` maps tranche
    names to their previous ratings; tranches it leaves out take the issuance rating (a rating run
    of the deal at closing with the same setup, paths and seed)."""
    setup = setup or RatingSetup()
    state = current_state(deal, report)
    projection = reproject(
        deal.base_collections(), report.collections, override_remaining=report.override_remaining
    )
    given = dict(previous or {})
    unknown = set(given) - {t.name for t in deal.tranches}
    if unknown:
        raise ValueError(f"previous: {sorted(unknown)[0]!r} is no tranche of the deal")
    source = "given"
    if len(given) < len(deal.tranches):
        issued = rate_deal(deal, setup, paths=paths, seed=seed)
        for t, r in zip(deal.ordered_tranches, issued.proposed):
            given.setdefault(t.name, r)
        source = "issuance rating run" if not previous else "given; issuance run for the rest"
    remaining = remaining_deal(deal, state, projection)
    run = (
        rate_deal(remaining, setup, paths=paths, seed=seed, progress=progress)
        if remaining
        else None
    )
    now = {p.name: p for p in run.proposals} if run else {}
    index = {t.name: j for j, t in enumerate(remaining.ordered_tranches)} if remaining else {}
    changes = []
    common = {
        "period": report.periods,
        "actual_to_expected": projection.actual_to_expected,
        "remaining_share": projection.factor,
    }
    for t in deal.ordered_tranches:
        prev = given[t.name]
        if t.name not in now:
            changes.append(
                TrancheChange(
                    t.name,
                    prev,
                    PAID_IN_FULL,
                    "paid_in_full",
                    0,
                    "surv_reason_paid_in_full",
                    common,
                )
            )
            continue
        assert run is not None  # a tranche is outstanding, so the run exists
        p, j = now[t.name], index[t.name]
        kind, d = _change(t.name, prev, p.rating, p.rated)
        be = float(np.nan_to_num(run.breakeven[j]))  # NaN: not paid even without a haircut
        values = common | {"breakeven": be, "notches": abs(d)}
        changes.append(
            TrancheChange(t.name, prev, p.rating, kind, d, f"surv_reason_{kind}", values)
        )
    return SurveillanceRun(deal, report, state, projection, remaining, run, source, tuple(changes))
