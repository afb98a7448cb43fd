"""The KMV asset volatility in closed form (npl_xl.models.simulation.recovery_dispersion and
kmv_volatility): the moments of the pool recovery the Monte Carlo draws, its limits, its
monotonicity, its independence of paths and seed, and the Excel function KMV_VOLATILITY as the
second face of the same function."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from npl_xl import xlharness
from npl_xl.deal import load_example
from npl_xl.models import simulation
from npl_xl.models.recovery import timing_from_cumulative
from npl_xl.rating.run import RatingSetup, market_sigma, rate_deal

SHARES = np.array([0.3, 0.25, 0.2, 0.12, 0.08, 0.05])


def _moment_matched(recovery: np.ndarray) -> float:
    """The log standard deviation of the lognormal with the sample's mean and variance."""
    return math.sqrt(math.log(np.mean(recovery**2) / np.mean(recovery) ** 2))


@pytest.mark.parametrize(
    "amounts, rho, sigma, beta, fixed",
    [
        (np.full(4, 25.0), 0.3, 0.6, 0.0, 0.0),  # four loans drawn one by one, no delay
        (np.array([60.0, 30.0, 10.0]), 0.5, 0.4, 1.0, 0.0),  # concentrated, delays lose the tail
        (np.full(8, 12.5), 0.2, 0.8, 2.5, 20.0),  # long delays, cash collected before closing
        (np.full(20_000, 0.005), 0.3, 0.25, 1.0, 0.0),  # a granular pool: noise pooled
    ],
)
def test_the_closed_form_has_the_simulated_recoverys_moments(amounts, rho, sigma, beta, fixed):
    """E R and E R^2 are exact in the closed form: 200,000 scenarios of simulate_collections give
    the same moment-matched dispersion to within Monte Carlo error (about 0.5 %)."""
    timing = SHARES
    sims = simulation.simulate_collections(
        amounts, timing, rho=rho, sigma=sigma, scenarios=200_000, seed=7, delay_beta=beta
    )
    total = amounts.sum()
    recovery = (sims.sum(axis=1) + fixed) / (total + fixed)
    w = amounts / total
    want = simulation.recovery_dispersion(
        timing,
        rho=rho,
        sigma=sigma,
        herfindahl=float(w @ w),
        delay_beta=beta,
        fixed_share=fixed / (total + fixed),
    )
    assert _moment_matched(recovery) == pytest.approx(want, rel=0.01)


def test_limits_are_the_lognormal():
    """No delay and nothing known: rho = 1 or a single loan gives a lognormal pool recovery of
    volatility sigma (the tranche KMV's own assumption); sigma = 0 or all cash known gives 0; an
    infinitely granular pool keeps only the systematic part sigma sqrt(rho)."""
    kw = {"delay_beta": 0.0}
    assert simulation.recovery_dispersion(SHARES, rho=1.0, sigma=0.4, herfindahl=0.01, **kw) == (
        pytest.approx(0.4, rel=1e-12)
    )
    assert simulation.recovery_dispersion(SHARES, rho=0.3, sigma=0.4, herfindahl=1.0, **kw) == (
        pytest.approx(0.4, rel=1e-12)
    )
    assert simulation.recovery_dispersion(SHARES, rho=0.3, sigma=0.0, herfindahl=0.5, **kw) == 0
    assert (
        simulation.recovery_dispersion(
            SHARES, rho=0.3, sigma=0.4, herfindahl=0.5, fixed_share=1.0, **kw
        )
        == 0
    )
    granular = simulation.recovery_dispersion(SHARES, rho=0.3, sigma=0.4, herfindahl=0.0, **kw)
    assert granular == pytest.approx(0.4 * math.sqrt(0.3), rel=1e-12)


@given(
    sigma=st.floats(0.01, 2.0),
    rho=st.floats(0.0, 1.0),
    h=st.floats(0.0, 1.0),
    beta=st.floats(0.0, 5.0),
    f=st.floats(0.0, 0.99),
    bump=st.floats(1.01, 2.0),
)
def test_more_uncertainty_never_gives_less_dispersion(sigma, rho, h, beta, f, bump):
    """The dispersion rises with sigma and concentration, and falls as more is known (not so with
    the delay: it lowers the mean too, and a long delay almost always taken is nearly certain)."""

    def sd(**kw):
        args = {"rho": rho, "sigma": sigma, "herfindahl": h, "delay_beta": beta, "fixed_share": f}
        return simulation.recovery_dispersion(SHARES, **(args | kw))

    base, eps = sd(), 1e-12
    assert base >= 0 and math.isfinite(base)
    assert sd(sigma=sigma * bump) >= base - eps
    assert sd(herfindahl=min(h * bump + 0.01, 1.0)) >= base - eps
    assert sd(fixed_share=min(f * bump + 0.005, 0.995)) <= base + eps


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"rho": 1.2}, "rho"),
        ({"herfindahl": 1.5}, "herfindahl"),
        ({"sigma": -0.1}, "sigma"),
        ({"delay_beta": -1.0}, "delay_beta"),
        ({"fixed_share": 2.0}, "fixed_share"),
    ],
)
def test_bad_input_is_named(kw, message):
    args = {"rho": 0.3, "sigma": 0.3, "herfindahl": 0.01} | kw
    with pytest.raises(ValueError, match=message):
        simulation.recovery_dispersion(SHARES, **args)
    with pytest.raises(ValueError, match="timing"):
        simulation.recovery_dispersion([0.0, 0.0], rho=0.3, sigma=0.3, herfindahl=0.1)


def test_the_memos_kmv_volatility_depends_on_neither_paths_nor_seed():
    deal = load_example("mortgage")
    one = rate_deal(deal, RatingSetup(), paths=200, seed=1)
    other = rate_deal(deal, RatingSetup(), paths=2000, seed=99)
    assert one.kmv_vol == other.kmv_vol
    assert "closed form" in one.kmv_vol_source
    # and it is the Monte Carlo's dispersion over the collection life
    times = one.base.period_times
    c = one.collections
    life = float(c @ times / c.sum())
    sd = simulation.recovery_dispersion(
        c,
        rho=RatingSetup().assumptions.recovery_correlation,
        sigma=one.mc_volatility,
        herfindahl=0.001,
        delay_beta=RatingSetup().assumptions.delay_beta,
    )
    assert one.kmv_vol == pytest.approx(sd / math.sqrt(life), rel=1e-12)


def col(values):
    return tuple((float(v),) for v in values)


TRANCHES = (("name", "balance", "coupon"), ("A", 500.0, 0.03), ("B", 300.0, None))


def test_the_excel_function_is_the_same_function():
    """KMV_VOLATILITY through the xlwings machinery equals kmv_volatility to the last digit, with
    the collections padded to the legal maturity the options give."""
    c = timing_from_cumulative([0.2, 0.45, 0.65, 0.8, 0.9, 1.0]) * 1000.0
    options = (("payments_per_year", 4.0), ("legal_maturity_periods", 10.0))
    args = (col(c), TRANCHES, None)
    got = xlharness.call("KMV_VOLATILITY", *args, 0.3, 0.4, 1.0, 0.02, None, options)
    times = np.arange(1, 11) / 4
    want, _, _ = simulation.kmv_volatility(
        np.pad(c, (0, 4)), times, rho=0.4, sigma=0.3, herfindahl=0.02, delay_beta=1.0
    )
    assert got == want
    # blank volatility: the asset mix's figure on the public market dataset, as the memo
    mix = (("Asset class", "Share of base recovery"), ("unsecured", 0.4), ("residential", 0.6))
    sigma, _ = market_sigma({"unsecured": 0.4, "residential": 0.6}, 0.4)
    blank = xlharness.call("KMV_VOLATILITY", *args, None, 0.4, 1.0, 0.02, mix, options)
    want, _, _ = simulation.kmv_volatility(
        np.pad(c, (0, 4)), times, rho=0.4, sigma=sigma, herfindahl=0.02, delay_beta=1.0
    )
    assert blank == want
    # cash collected before closing is known: less dispersion
    timing = (("total_recovery", 1000.0), ("collected_before_closing", 150.0))
    known = xlharness.call(
        "KMV_VOLATILITY", *args, 0.3, 0.4, 1.0, 0.02, None, options, *[None] * 4, timing
    )
    base = 0.85 * c  # the rest along the curve, the cash before closing in the first period
    base[0] += 150.0
    want, _, _ = simulation.kmv_volatility(
        np.pad(base, (0, 4)),
        times,
        rho=0.4,
        sigma=0.3,
        herfindahl=0.02,
        delay_beta=1.0,
        fixed=150.0,
    )
    assert known == pytest.approx(want, rel=1e-12) and known < got


@pytest.mark.parametrize(
    "args, message",
    [
        ((0.3, 1.5), "correlation: expected a share in [0, 1], got 1.5"),
        ((30.0, 0.3), "recovery_vol: 30 looks like a percent"),
        ((0.3, 0.3, None, 2.0), "pool: expected a Herfindahl index in (0, 1]"),
        ((0.3, 0.3, None, (("loan_id",), ("x",))), "pool: expected a single cell, got a range"),
        (
            (None, 0.3, None, None, (("Asset class", "Share of base recovery"), ("gold", 1.0))),
            "asset_mix (row 2, column 1 of the range): Asset class: expected one of",
        ),
    ],
)
def test_bad_cells_are_named(args, message):
    got = xlharness.call("KMV_VOLATILITY", col([100.0, 50.0]), TRANCHES, None, *args)
    assert isinstance(got, str) and got.startswith("#npl-xl: " + message), got


def test_the_pool_herfindahl_is_the_ratings():
    """POOL_HERFINDAHL reads the LoanTape table as rate reads it (principal + interest + fees per
    loan): two loans of 300 and 100 have shares 3/4 and 1/4, an index of 10/16."""
    loans = (
        ("loan_id", "principal (元)", "interest (元)", "fees (元)"),
        ("L1", 250.0, 40.0, 10.0),
        ("L2", 100.0, None, None),
    )
    assert xlharness.call("POOL_HERFINDAHL", loans) == pytest.approx(10 / 16, rel=1e-15)
    assert xlharness.call("POOL_HERFINDAHL", (("loan_id",), ("x",))).startswith(
        "#npl-xl: loans: missing column(s) principal"
    )
    assert xlharness.call("POOL_HERFINDAHL", 0.5) == (
        "#npl-xl: loans: expected the LoanTape table with its header row and loans"
    )
