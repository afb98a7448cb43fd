"""What a deal workbook gives the rating besides the deal's tables: collections before closing
(never stressed), the expected senior maturity the timing is fitted to, and the Monte Carlo's
volatility (the dataset's class figure when blank, binding only on the analyst's own inputs)."""

from __future__ import annotations

import numpy as np
import pytest

from npl_xl.assumptions import Assumptions
from npl_xl.deal import load_example
from npl_xl.models import analysis
from npl_xl.rating.run import RatingSetup, rate_deal
from npl_xl.workbook.actions import rate_lines
from npl_xl.workbook.reader import read_deal_workbook
from npl_xl.workbook.run import deal_of, setup_of
from npl_xl.workbook.template import write_deal_workbook


def _with_before_closing(amount: float):
    deal = load_example("credit_card")
    rec = deal.require_recovery().model_copy(update={"collected_before_closing": amount})
    return deal.model_copy(update={"recovery": rec})


def test_collections_before_closing_are_never_stressed():
    deal = _with_before_closing(10_000.0)
    base = deal.base_collections()
    plain = load_example("credit_card").base_collections()
    # the total is unchanged; the cash before closing is in period 1
    assert base.sum() == pytest.approx(plain.sum())
    assert base[0] == pytest.approx(10_000.0 + (plain[0] * (1 - 10_000.0 / plain.sum())))
    stressed = analysis.stress_collections(deal, base)
    assert (stressed[:, 0] >= 10_000.0 - 1e-9).all()  # every level keeps it whole
    # so a senior no larger than that cash survives any haircut, even 100 %
    small = deal.with_changes(
        tranches=[
            {"name": "Senior", "balance": 9_000.0, "coupon": 0.0, "seniority": 1},
            {"name": "Sub", "balance": 1_000.0, "coupon": 0.0, "seniority": 2},
        ],
        pre_default_order=None,
        post_default_order=None,
    )
    assert analysis.breakeven_haircut(small, small.base_collections())[0] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="collected before closing"):
        analysis.stress_collections(deal, base * 0.1)


def test_timing_is_fitted_to_the_expected_senior_maturity(tmp_path):
    path = tmp_path / "deal.xlsx"
    write_deal_workbook(path, load_example("credit_card"), terms={"expected_senior_maturity": 1.5})
    inputs = read_deal_workbook(path)
    assert inputs.expected_senior_maturity == 1.5
    deal, fit = deal_of(inputs)
    assert fit is not None and fit.exact and abs(fit.maturity - 1.5) <= 0.125  # quarterly dates
    assert fit.describe() in deal.require_recovery().source
    run = rate_deal(deal, setup_of(inputs), paths=200, seed=1)
    assert abs(run.metrics.expected_maturity[0] - 1.5) <= 0.125
    assert fit.describe() in rate_lines(run, inputs)
    # no expected maturity: the Recovery sheet's curve as it is
    plain = tmp_path / "plain.xlsx"
    write_deal_workbook(plain, load_example("credit_card"))
    assert deal_of(read_deal_workbook(plain)) == (read_deal_workbook(plain).deal, None)


def test_a_blank_volatility_takes_the_dataset_figure_and_never_binds(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "deal.xlsx"
    write_deal_workbook(path, load_example("credit_card"))
    wb = load_workbook(path)
    sheet, ref = next(iter(wb.defined_names["RecoveryVolatility"].destinations))
    wb[sheet][ref.replace("$", "")].value = None  # the analyst leaves it blank
    wb.save(path)
    inputs = read_deal_workbook(path)
    assert any(d[2] == "recovery_vol" for d in inputs.defaults_used)
    setup = setup_of(inputs)
    assert setup.assumptions.recovery_vol is None and not setup.monte_carlo_binding
    run = rate_deal(inputs.deal, setup, paths=200, seed=1)
    # 建鑫 and other card pools: the unsecured pool dispersion of the dataset (recovery_model),
    # as a loan volatility v / sqrt(rho)
    from npl_xl.models.recovery_model import recovery_volatility

    v = recovery_volatility("unsecured")[0]
    rho = setup.assumptions.recovery_correlation
    assert run.mc_volatility == pytest.approx(v / np.sqrt(rho))
    assert "market dataset" in run.mc_volatility_source
    # the analyst's own volatility is used as given
    own = rate_deal(inputs.deal, RatingSetup(Assumptions(recovery_vol=0.4)), paths=200, seed=1)
    assert (
        own.mc_volatility == 0.4 and own.mc_volatility_source == "the analyst's recovery volatility"
    )
