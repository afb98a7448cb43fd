"""Timing as data: curves stretched in time until the senior's base-case life is the published one,
with the collections between cut-off and closing as cash at the first payment date
(npl_xl.models.timing_fit)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from npl_xl.deal import load_example
from npl_xl.models.timing_fit import Curve, class_curve, fit_to_senior
from npl_xl.models.waterfall import run_waterfall


def test_class_curve_is_the_gamma_cdf():
    # cv 1 is the exponential: C(m) = 1 - exp(-m / mean), here a mean of 12 months
    c = class_curve(12.0, 1.0)
    m = np.array([1.0, 3.0, 12.0, 36.0])
    assert c.at(m) == pytest.approx(1 - np.exp(-m / 12.0), rel=1e-12)
    # between months the curve is linear
    assert c.at(36.5) == pytest.approx((c.at(36.0) + c.at(37.0)) / 2, rel=1e-12)
    assert c.at(0.0) == 0.0 and c.at(1e6) == 1.0


def test_a_curve_by_period_is_linear_between_period_ends():
    cum = load_example("credit_card").recovery.cumulative
    c = Curve.from_periods(cum, 4)
    assert c.at([3.0, 6.0]) == pytest.approx(cum[:2])
    assert c.at(1.5) == pytest.approx(cum[0] / 2)


@given(st.floats(0.05, 20.0), st.floats(0.05, 20.0), st.floats(0.0, 12.0))
def test_a_slower_curve_collects_less_by_every_date(a, b, gap):
    c = class_curve(18.0, 0.7)
    m = gap + 6.0 * np.arange(1, 11)
    fast, slow = c.at(m / min(a, b)), c.at(m / max(a, b))
    assert (slow <= fast + 1e-12).all()


def test_fit_recovers_the_curves_own_wal():
    deal = load_example("credit_card")
    wal = float(run_waterfall(deal, deal.base_collections()).metrics().wal[0])  # 0.68 years
    curve = Curve.from_periods(deal.recovery.cumulative, 4)
    fit = fit_to_senior(deal, curve, wal=wal)
    assert fit.exact and fit.wal == pytest.approx(wal, rel=1e-5)
    assert fit.factor == pytest.approx(1.0, abs=2e-3) and fit.before_closing == 0.0
    assert fit.cumulative == pytest.approx(deal.recovery.cumulative, abs=2e-3)


@pytest.mark.parametrize("target", [0.3, 0.5, 1.0, 1.5])
def test_fit_reaches_the_published_wal_and_longer_lives_need_slower_curves(target):
    deal = load_example("credit_card")
    curve = class_curve(12.0, 1.0)
    fit = fit_to_senior(deal, curve, wal=target)
    assert fit.exact and fit.wal == pytest.approx(target, rel=1e-4)
    assert fit_to_senior(deal, curve, wal=target * 1.2).factor > fit.factor
    # the fitted timing, run as the deal's collections, gives that WAL
    c = fit.collections(deal.recovery.total)
    assert c.sum() == pytest.approx(deal.recovery.total)
    assert run_waterfall(deal, c).metrics().wal[0] == pytest.approx(fit.wal, rel=1e-12)
    assert "fitted" in fit.describe()


def test_collections_before_closing_are_cash_at_the_first_payment_date():
    """21建鑫2's base case is forecast from its cut-off date, 2021-01-01, 5.7 months before closing
    (2021-06-22; absbox.com.cn/deal/21JIANXIN02): what a front-loaded curve collects in those
    months is the trust's cash at the first payment date."""
    deal = load_example("credit_card")
    curve = class_curve(12.0, 1.0)
    fit = fit_to_senior(deal, curve, wal=0.5, months_before_closing=5.7)
    share = fit.before_closing / deal.recovery.total
    assert share == pytest.approx(float(curve.at(5.7 / fit.factor)), rel=1e-12)
    c = fit.collections(deal.recovery.total)
    assert c[0] >= fit.before_closing and c.sum() == pytest.approx(deal.recovery.total)
    # given amounts are used as given; the rest follows the curve from closing
    known = fit_to_senior(deal, curve, wal=0.5, months_before_closing=5.7, before_closing=9_000.0)
    assert known.before_closing == 9_000.0 and known.exact
    with pytest.raises(ValueError, match="exceeds the base case"):
        fit_to_senior(deal, curve, wal=0.5, before_closing=1e9)


def test_fit_to_expected_maturity_lands_on_its_payment_date():
    deal = load_example("mortgage")  # semi-annual
    fit = fit_to_senior(deal, Curve.from_periods(deal.recovery.cumulative, 2), maturity=2.0)
    assert fit.exact and fit.maturity == pytest.approx(2.0)


def test_unreachable_targets_are_flagged_not_hidden():
    deal = load_example("credit_card")
    curve = Curve.from_periods(deal.recovery.cumulative, 4)
    fit = fit_to_senior(deal, curve, wal=0.01)  # before the first payment date
    assert not fit.exact and fit.wal > 0.01
    assert "nearest" in fit.describe()
    with pytest.raises(ValueError, match="either wal or maturity"):
        fit_to_senior(deal, curve)
    with pytest.raises(ValueError, match="wal"):
        fit_to_senior(deal, curve, wal=-1)


@pytest.mark.parametrize("known", [None, 9_000.0])
def test_with_collection_costs_the_fit_is_the_memos_base_case(known):
    """The cash before closing is before collection costs, as the recovery total: the deal built
    from the fit (npl_xl.workbook.run.deal_of) has the very collections the fit ran, so its senior
    WAL is the fitted one (before, the cash was netted once in the fit and again in the deal's base
    case when the cost rate was not 0)."""
    deal = load_example("credit_card")
    rec = deal.recovery.model_dump() | {"cost_rate": 0.12}
    deal = deal.with_changes(recovery=rec)
    curve = class_curve(12.0, 1.0)
    fit = fit_to_senior(deal, curve, wal=0.6, months_before_closing=5.7, before_closing=known)
    fitted = deal.with_changes(
        recovery=rec
        | {"cumulative": fit.cumulative.tolist(), "collected_before_closing": fit.before_closing}
    )
    base = fitted.base_collections()
    assert base == pytest.approx(fit.collections(deal.recovery.total, 0.12), rel=1e-12)
    assert base.sum() == pytest.approx(deal.recovery.total * 0.88, rel=1e-12)
    assert run_waterfall(fitted, base).metrics().wal[0] == pytest.approx(fit.wal, rel=1e-9)
    assert fit.exact and fit.wal == pytest.approx(0.6, rel=1e-4)
