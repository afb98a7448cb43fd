"""A deal workbook's inputs into the one rating run (:mod:`npl_xl.rating.run`).

``rate_inputs(inputs, paths=, seed=, progress=)`` builds the run's setup from what
:func:`npl_xl.workbook.reader.read_deal_workbook` read (the pool from the LoanTape sheet) and calls
:func:`npl_xl.rating.run.rate_deal`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ..assumptions import DEAL_UNITS
from ..deal import Deal, months_between
from ..models.timing_fit import Curve, TimingFit, fit_to_senior
from ..pool import PoolSummary
from ..rating.run import STEPS, RatingRun, RatingSetup, rate_deal
from .reader import WorkbookInputs

__all__ = ["STEPS", "RatingRun", "rate_inputs", "setup_of", "pool_of", "deal_of", "fitted_deal"]


def pool_of(inputs: WorkbookInputs) -> PoolSummary | None:
    """The pool summary of a workbook's loan tape (None without a tape)."""
    tape = inputs.tape
    if tape is None or not len(tape):
        return None
    from .tape import diversity_inputs, pool_facts

    facts = pool_facts(tape)
    amounts = tape["total"].to_numpy(float)
    return PoolSummary(
        balance=float(amounts.sum()) / DEAL_UNITS[inputs.unit],
        loans=facts.loans,
        top10_share=facts.top10_share,
        largest_region_share=facts.largest_region_share,
        wa_months_overdue=facts.wa_months_overdue,
        secured_share=facts.secured_share,
        diversity_score=diversity_inputs(tape).diversity_score,
        amounts=amounts,
    )


def _defaulted(inputs: WorkbookInputs, key: str) -> bool:
    return any(d[2] == key for d in inputs.defaults_used)


def setup_of(inputs: WorkbookInputs) -> RatingSetup:
    """The rating setup a deal workbook states. A blank recovery volatility leaves the Monte Carlo
    the asset class's figure from the public market dataset; the Monte Carlo can lower the stress
    rating only when the analyst set the volatility and an idealised-EL table that is not the
    packaged illustrative one (:mod:`npl_xl.rating.proposal`)."""
    a = inputs.assumptions
    own_vol = not _defaulted(inputs, "recovery_vol")
    if not own_vol:
        a = a.model_copy(update={"recovery_vol": None})
    return RatingSetup(
        assumptions=a,
        stress_table=inputs.stress,
        rating_table=inputs.rating_table,
        scorecard=inputs.scorecard,
        rate_subordinated=inputs.rate_subordinated,
        pool=pool_of(inputs),
        monte_carlo_binding=own_vol and inputs.rating_table is not None,
    )


def deal_of(inputs: WorkbookInputs) -> tuple[Deal, TimingFit | None]:
    """The deal the workbook rates and its timing fit (:func:`fitted_deal` of the Deal sheet's
    rating inputs)."""
    return fitted_deal(
        inputs.deal,
        expected_senior_maturity=inputs.expected_senior_maturity,
        cutoff_date=inputs.cutoff_date,
        closing_date=inputs.closing_date,
        collected_before_closing=inputs.collected_before_closing,
    )


def fitted_deal(
    deal: Deal,
    *,
    expected_senior_maturity: float | None = None,
    cutoff_date: dt.date | None = None,
    closing_date: dt.date | None = None,
    collected_before_closing: float | None = None,
) -> tuple[Deal, TimingFit | None]:
    """The deal a rating runs, and the timing fit when the structurer's expected senior maturity
    (years) is given: the deal's recovery curve, read as months since the cut-off date, stretched
    until the base-case waterfall repays the senior at that maturity
    (:func:`npl_xl.models.timing_fit.fit_to_senior`); the collections before closing as given, or
    what the stretched curve collects between the cut-off and closing dates. Without one, the deal
    as it is (its recovery already holds what was collected before closing)."""
    if expected_senior_maturity is None:
        return deal, None
    rec = deal.require_recovery()
    gap = 0.0
    if cutoff_date is not None and closing_date is not None:
        gap = max(months_between(cutoff_date, closing_date), 0.0)
    fit = fit_to_senior(
        deal,
        Curve.from_periods(rec.cumulative, deal.payments_per_year),
        maturity=expected_senior_maturity,
        months_before_closing=gap,
        before_closing=collected_before_closing,
    )
    source = f"{rec.source}; {fit.describe()}" if rec.source else fit.describe()
    new = rec.model_copy(
        update={
            "cumulative": [float(x) for x in fit.cumulative],
            "collected_before_closing": min(fit.before_closing, rec.total),
            "source": source,
        }
    )
    return deal.model_copy(update={"recovery": new}), fit


def rate_inputs(
    inputs: WorkbookInputs,
    *,
    paths: int | None = None,
    seed: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> RatingRun:
    """Rate the deal of a workbook (:func:`deal_of`, then :func:`npl_xl.rating.run.rate_deal`)."""
    deal, _ = deal_of(inputs)
    return rate_deal(deal, setup_of(inputs), paths=paths, seed=seed, progress=progress)
