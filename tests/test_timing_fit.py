"""Timing as data: curves stretched in time until the senior's base-case life is the published one
(npl_xl.models.timing_fit)."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from npl_xl.deal import load_example
from npl_xl.models.timing_fit import class_curve, fit_to_senior, scaled_curve
from npl_xl.models.waterfall import run_waterfall


def test_class_curve_is_the_gamma_cdf_renormalised():
    # cv 1 is the exponential: F(m) = 1 - exp(-m / mean), here mean 12 months, quarterly, 8 periods
    got = class_curve(8, 4, 12.0, 1.0)
    months = np.arange(1, 9) * 3.0
    cdf = 1 - np.exp(-months / 12.0)
    assert got[:-1] == pytest.approx(cdf[:-1], rel=1e-12)
    assert got[-1] == 1.0  # the tail (exp(-2) = 13.5 %) is collected in the last period


def test_scaled_curve_identity_and_shape():
    cum = load_example("credit_card").recovery.cumulative
    assert scaled_curve(cum, 4, 1.0) == pytest.approx(cum, abs=1e-15)
    rows = scaled_curve(cum, 4, [0.5, 1.0, 2.0])
    assert rows.shape == (3, len(cum))
    assert (np.diff(rows, axis=1) >= -1e-15).all() and (rows[:, -1] == 1.0).all()
    # twice as slow: by month 6 the stretched curve has collected what the original had by month 3
    slow = scaled_curve(cum, 4, 2.0)
    assert slow[1] == pytest.approx(cum[0])
    assert slow[3] == pytest.approx(cum[1])


@given(st.floats(0.05, 20.0), st.floats(0.05, 20.0))
def test_scaled_curve_slower_collects_less_by_every_date(a, b):
    cum = load_example("mortgage").recovery.cumulative
    fast, slow = scaled_curve(cum, 2, min(a, b)), scaled_curve(cum, 2, max(a, b))
    assert (slow <= fast + 1e-12).all()


def test_fit_recovers_the_curves_own_wal():
    deal = load_example("credit_card")
    wal = float(run_waterfall(deal, deal.base_collections()).metrics().wal[0])  # 0.68 years
    fit = fit_to_senior(deal, deal.recovery.cumulative, wal=wal)
    assert fit.exact and fit.wal == pytest.approx(wal, rel=1e-5)
    assert fit.factor == pytest.approx(1.0, abs=2e-3)
    assert fit.cumulative == pytest.approx(deal.recovery.cumulative, abs=2e-3)


@pytest.mark.parametrize("target", [0.3, 0.5, 1.0, 1.5])
def test_fit_reaches_the_published_wal_and_longer_lives_need_slower_curves(target):
    deal = load_example("credit_card")
    fit = fit_to_senior(deal, deal.recovery.cumulative, wal=target)
    assert fit.exact and fit.wal == pytest.approx(target, rel=1e-4)
    again = fit_to_senior(deal, deal.recovery.cumulative, wal=target * 1.2)
    assert again.factor > fit.factor
    # the fitted curve, run as the deal's own, gives that WAL
    c = deal.recovery.total * np.diff(fit.cumulative, prepend=0.0)
    assert run_waterfall(deal, c).metrics().wal[0] == pytest.approx(fit.wal, rel=1e-12)
    assert "fitted" in fit.describe()


def test_fit_to_expected_maturity_lands_on_its_payment_date():
    deal = load_example("mortgage")  # semi-annual
    fit = fit_to_senior(deal, deal.recovery.cumulative, maturity=2.0)
    assert fit.exact and fit.maturity == pytest.approx(2.0)


def test_unreachable_targets_are_flagged_not_hidden():
    deal = load_example("credit_card")
    fit = fit_to_senior(deal, deal.recovery.cumulative, wal=0.01)  # below the first payment date
    assert not fit.exact and fit.wal > 0.01
    assert "nearest" in fit.describe()
    with pytest.raises(ValueError, match="either wal or maturity"):
        fit_to_senior(deal, deal.recovery.cumulative)
    with pytest.raises(ValueError, match="wal"):
        fit_to_senior(deal, deal.recovery.cumulative, wal=-1)
    assert math.isfinite(fit.factor)
