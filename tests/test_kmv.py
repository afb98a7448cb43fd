"""KMV / Merton: published examples, invariants and bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from npl_xl.models import kmv


def test_hull_equity_implied_asset_value():
    # Hull, Options, Futures, and Other Derivatives (credit-risk chapter, "Using equity prices to
    # estimate default probability"); also Hull, Risk Management and Financial Institutions:
    # E = 3, sigma_E = 80 %, D = 10, r = 5 %, T = 1  ->  V0 = 12.40, sigma_V = 21.23 %, PD = 12.7 %.
    s = kmv.merton_solve(3.0, 0.80, 10.0, 0.05, 1.0)
    assert s.asset_value == pytest.approx(12.40, abs=0.005)
    assert s.asset_vol == pytest.approx(0.2123, abs=0.00005)
    assert s.default_probability == pytest.approx(0.127, abs=0.0005)
    # Hull: market value of the debt 12.40 - 3 = 9.40 against a promised PV of 9.51
    assert s.asset_value - 3.0 == pytest.approx(9.40, abs=0.005)
    # Hull's d2 = 1.1408 (so N(-d2) = 12.7 %); the distance to default is d2 to the last digit
    assert s.distance_to_default == pytest.approx(1.1408, abs=1e-3)
    assert s.d1 == pytest.approx(s.d2 + s.asset_vol, abs=1e-12)


def test_simple_kmv_distance_to_default_textbook():
    # Saunders & Allen, Credit Risk Measurement (2nd ed., KMV chapter): assets 100, default point
    # 80,
    # asset volatility 10 % -> distance to default (100 - 80) / (100 x 0.10) = 2 standard
    # deviations.
    assert kmv.distance_to_default(100.0, 0.10, 80.0, method="kmv") == pytest.approx(2.0)
    assert kmv.kmv_pd(100.0, 0.10, 80.0, method="kmv") == pytest.approx(norm.cdf(-2.0))


def test_merton_distance_to_default_by_hand():
    # (ln(120/100) + (0.05 - 0.3^2/2) * 2) / (0.3 * sqrt 2), computed by hand = 0.4533
    expected = (np.log(1.2) + (0.05 - 0.045) * 2) / (0.3 * np.sqrt(2))
    assert kmv.distance_to_default(120, 0.3, 100, 2.0, 0.05) == pytest.approx(expected, rel=1e-14)
    assert expected == pytest.approx(0.4533, abs=1e-4)


def test_merton_dd_with_risk_free_drift_is_d2():
    s = kmv.merton_solve(40.0, 0.45, 70.0, 0.03, 2.0)
    dd = kmv.distance_to_default(s.asset_value, s.asset_vol, 70.0, 2.0, drift=0.03)
    assert dd == pytest.approx(s.d2, rel=1e-10)
    assert kmv.kmv_pd(s.asset_value, s.asset_vol, 70.0, 2.0, 0.03) == pytest.approx(
        s.default_probability, rel=1e-9
    )


def test_default_point_kmv_rule():
    # Crosbie & Bohn (2003): default point = short-term debt + half of long-term debt
    assert kmv.default_point(50.0, 40.0) == 70.0
    assert kmv.default_point(50.0, 40.0, 1.0) == 90.0
    np.testing.assert_allclose(kmv.default_point([1, 2], [10, 20], 0.25), [3.5, 7.0])


@pytest.mark.parametrize("leverage", [0.01, 0.1, 0.5, 0.9, 0.99])
@pytest.mark.parametrize("equity_vol", [0.05, 0.3, 1.0, 3.0])
def test_merton_solve_converges_over_the_promised_range(leverage, equity_vol):
    # leverage = discounted debt / asset value; build E from a firm with known V, sigma_V, then
    # solve back
    r, T = 0.03, 1.5
    debt = leverage * np.exp(r * T)  # V = 1
    s = kmv.merton_solve(
        1.0 - leverage, equity_vol, debt, r, T
    )  # a rough E; the solver must still hit it
    K = debt * np.exp(-r * T)
    d1, d2 = s.d1, s.d2
    equity = s.asset_value * norm.cdf(d1) - K * norm.cdf(d2)
    assert equity == pytest.approx(1.0 - leverage, rel=1e-8)
    assert norm.cdf(d1) * s.asset_vol * s.asset_value == pytest.approx(
        equity_vol * (1.0 - leverage), rel=1e-8
    )


def test_merton_solve_round_trip_vectorised():
    V = np.array([100.0, 100.0, 100.0])
    sv = np.array([0.1, 0.25, 0.6])
    D, r, T = np.array([50.0, 80.0, 95.0]), 0.02, 1.0
    K = D * np.exp(-r * T)
    d1 = (np.log(V / K) + 0.5 * sv**2 * T) / (sv * np.sqrt(T))
    E = V * norm.cdf(d1) - K * norm.cdf(d1 - sv * np.sqrt(T))
    sE = norm.cdf(d1) * sv * V / E
    s = kmv.merton_solve(E, sE, D, r, T)
    np.testing.assert_allclose(s.asset_value, V, rtol=1e-9)
    np.testing.assert_allclose(s.asset_vol, sv, rtol=1e-9)


def test_pd_increases_with_leverage_and_volatility():
    dps = np.linspace(10, 99, 50)
    pds = kmv.kmv_pd(100.0, 0.3, dps)
    assert np.all(np.diff(pds) > 0)
    vols = np.linspace(0.05, 1.0, 50)
    assert np.all(np.diff(kmv.kmv_pd(100.0, vols, 80.0)) > 0)
    assert np.all(np.diff(kmv.kmv_pd(100.0, vols, 80.0, method="kmv")) > 0)
    lev = np.linspace(0.05, 0.95, 20)
    pd_solved = kmv.merton_solve(1.0 - lev, 0.5, lev, 0.02, 1.0).default_probability
    assert np.all(np.diff(pd_solved) > 0)


@settings(max_examples=60, deadline=None)
@given(
    v=st.floats(1, 1e6),
    ratio=st.floats(0.05, 1.0),
    s1=st.floats(0.01, 2),
    s2=st.floats(0.01, 2),
    mu=st.floats(0, 0.2),
    T=st.floats(0.1, 10),
)
def test_pd_monotone_in_vol_when_solvent(v, ratio, s1, s2, mu, T):
    lo, hi = sorted((s1, s2))
    dp = v * ratio
    assert kmv.kmv_pd(v, lo, dp, T, mu) <= kmv.kmv_pd(v, hi, dp, T, mu) + 1e-15


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"asset_value": 0.0}, "asset_value"),
        ({"asset_value": -5.0}, "asset_value"),
        ({"asset_vol": 0.0}, "asset_vol"),
        ({"default_point": np.nan}, "default_point"),
        ({"maturity": -1.0}, "maturity"),
        ({"drift": np.inf}, "drift"),
        ({"asset_value": "abc"}, "asset_value"),
    ],
)
def test_bad_input_names_the_argument(kwargs, name):
    args = {
        "asset_value": 100.0,
        "asset_vol": 0.2,
        "default_point": 80.0,
        "maturity": 1.0,
        "drift": 0.0,
    } | kwargs
    with pytest.raises(ValueError, match=name):
        kmv.kmv_pd(**args)


def test_bad_method_and_mismatched_lengths():
    with pytest.raises(ValueError, match="method"):
        kmv.distance_to_default(100, 0.2, 80, method="black")
    with pytest.raises(ValueError, match="mismatched lengths"):
        kmv.merton_solve([1, 2, 3], [0.2, 0.3], 10, 0.05, 1)


@settings(max_examples=80, deadline=None)
@given(
    bad=st.one_of(st.floats(max_value=0), st.just(float("nan")), st.just(float("-inf"))),
    which=st.sampled_from(["equity_value", "equity_vol", "debt", "maturity"]),
)
def test_merton_solve_rejects_non_positive(bad, which):
    args = {"equity_value": 3.0, "equity_vol": 0.8, "debt": 10.0, "rate": 0.05, "maturity": 1.0} | {
        which: bad
    }
    with pytest.raises(ValueError, match=which):
        kmv.merton_solve(**args)
