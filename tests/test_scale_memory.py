"""The Monte Carlo's memory plan (simulation.planned_bytes, checked by limits.check_memory) against
the peak tracemalloc measures (numpy reports its arrays to it): within 1.5x either way."""

import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from npl_xl.deal import Deal
from npl_xl.models import analysis, simulation
from npl_xl.pool import loan_weights
from npl_xl.rating.run import RatingSetup, monte_carlo, recovery_sigma
from npl_xl.workbook.reader import read_deal_workbook
from npl_xl.workbook.run import deal_of, setup_of

EXAMPLES = Path(__file__).resolve().parents[1] / "workbook_templates"


def _peak_and_plan(deal, setup, paths):
    base_c, _ = analysis.split_unstressed(deal, deal.base_collections())
    w = loan_weights(setup.pool.amounts if setup.pool is not None else None)
    sigma, _ = recovery_sigma(deal, setup.assumptions)
    a = sigma * np.sqrt(1 - setup.assumptions.recovery_correlation)
    exact = len(simulation.pooled_noise(w, a).exact)
    plan = simulation.planned_bytes(
        paths, len(base_c), len(w), len(deal.tranches), len(deal.fees), exact, len(deal.triggers)
    )
    tracemalloc.start()
    try:
        monte_carlo(deal, setup, paths=paths, seed=1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak, plan


@pytest.mark.parametrize("example", ["credit_card", "mortgage"])
@pytest.mark.parametrize("paths", [2_000, 12_000])
def test_the_plan_is_within_1_5x_of_the_measured_peak_on_the_examples(example, paths):
    inputs = read_deal_workbook(EXAMPLES / f"example_{example}.xlsx")
    deal, _ = deal_of(inputs)
    peak, plan = _peak_and_plan(deal, setup_of(inputs), paths)
    assert peak / 1.5 <= plan <= 1.5 * peak, (peak, plan)


def test_the_plan_follows_tranches_fees_and_triggers():
    deal = Deal.from_dict(
        {
            "name": "wide",
            "payments_per_year": 4,
            "tranches": [
                {"name": f"T{i}", "balance": 10, "seniority": i + 1, "coupon": 0.03}
                for i in range(8)
            ],
            "fees": [{"name": f"F{i}", "rate": 0.001, "basis": "collections"} for i in range(12)],
            "triggers": [
                {"name": f"G{i}", "test": "notes_below", "threshold": 0.05 * (i + 1),
                 "effect": "stop_incentive_fee"}
                for i in range(6)
            ],
            "recovery": {"total": 90, "cumulative": list(np.linspace(0.1, 1.0, 20))},
        }
    )  # fmt: skip
    peak, plan = _peak_and_plan(deal, RatingSetup(), 6_000)
    assert peak / 1.5 <= plan <= 1.5 * peak, (peak, plan)
