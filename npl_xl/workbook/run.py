"""A deal workbook's inputs into the one rating run (:mod:`npl_xl.rating.run`).

``rate_inputs(inputs, paths=, seed=, progress=)`` builds the run's setup from what
:func:`npl_xl.workbook.reader.read_deal_workbook` read (the pool from the LoanTape sheet) and calls
:func:`npl_xl.rating.run.rate_deal`.
"""

from __future__ import annotations

from collections.abc import Callable

from ..assumptions import DEAL_UNITS
from ..pool import PoolSummary
from ..rating.run import STEPS, RatingRun, RatingSetup, rate_deal
from .reader import WorkbookInputs

__all__ = ["STEPS", "RatingRun", "rate_inputs", "setup_of", "pool_of"]


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


def setup_of(inputs: WorkbookInputs) -> RatingSetup:
    """The rating setup a deal workbook states."""
    return RatingSetup(
        assumptions=inputs.assumptions,
        stress_table=inputs.stress,
        rating_table=inputs.rating_table,
        scorecard=inputs.scorecard,
        rate_subordinated=inputs.rate_subordinated,
        pool=pool_of(inputs),
    )


def rate_inputs(
    inputs: WorkbookInputs,
    *,
    paths: int | None = None,
    seed: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> RatingRun:
    """Rate the deal of a workbook (see :func:`npl_xl.rating.run.rate_deal`)."""
    return rate_deal(inputs.deal, setup_of(inputs), paths=paths, seed=seed, progress=progress)
