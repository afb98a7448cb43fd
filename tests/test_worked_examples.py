"""Values worked by hand, each aimed at a way the maths could break unnoticed (mutation testing
found these holes; benchmarks/mutation.py measures how many injected bugs the suite now catches)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from npl_xl.deal import Deal
from npl_xl.models import analysis, bet, diversity, kmv
from npl_xl.models.waterfall import run_waterfall


def make(tranches, **kw):
    return Deal.from_dict(
        {
            "name": "hand",
            "payments_per_year": kw.pop("ppy", 4),
            "tranches": tranches,
            "reserve": kw.pop("reserve", {"multiple": 0}),
        }
        | kw
    )


# --- waterfall ------------------------------------------------------------------------------------


def test_yield_and_pv_loss_of_a_zero_coupon_tranche_bought_above_par():
    # one tranche of 100 bought at 110, zero coupon, paid annually; collections 0, 0, 0, 121:
    # it receives 121 at year 4 (principal 100 + residual 21).
    # yield = (121 / 110)^(1/4) - 1 = 0.0241137; PV loss at 5 % = 1 - 121 / 1.05^4 / 100 = 0.0045300
    d = make([{"name": "T", "balance": 100, "seniority": 1, "issue_price": 110}], ppy=1)
    r = run_waterfall(d, [0, 0, 0, 121])
    m = r.metrics(discount_rate=0.05)
    assert m.issue_yield[0] == pytest.approx((121 / 110) ** 0.25 - 1, abs=1e-9)
    assert m.issue_yield[0] == pytest.approx(0.0241137, abs=1e-7)
    assert m.pv_loss[0] == pytest.approx(0.0045300, abs=1e-7)
    assert r.metrics().pv_loss[0] == 0.0  # at its own coupon (0 %) the PV is 121 > 100
    assert m.wal[0] == 4.0 and m.expected_maturity[0] == 4.0


def test_scheduled_amortisation_period_by_period():
    # A 100 at 4 % (semiannual), schedule 30/30/40; B 50 with a 2 % fixed return; collections 60,
    # 60, 100.
    # P1: interest 2, A scheduled 30, B takes the 28 left, fixed return 0.5 accrued unpaid
    # P2: interest 70 x 2 % = 1.4, A scheduled 30 (not its whole 70), B 22 (repaid), fixed return
    # 1.0
    #     (two periods), residual 60 - 1.4 - 30 - 22 - 1 = 5.6
    # P3 (legal maturity): interest 0.8, A its last 40, fixed return 0.5, residual 100 - 41.3 = 58.7
    d = make(
        [
            {
                "name": "A",
                "balance": 100,
                "coupon": 0.04,
                "seniority": 1,
                "amortisation": [30, 30, 40],
            },
            {"name": "B", "balance": 50, "seniority": 2, "fixed_return": 0.02},
        ],
        ppy=2,
    )
    for c in ([60.0, 60.0, 100.0], np.array([[60.0, 60.0, 100.0]] * 2)):
        r = run_waterfall(d, c)
        sl = (0,) if np.ndim(c) == 2 else ()
        np.testing.assert_allclose(r.interest_paid[sl][:, 0], [2.0, 1.4, 0.8], atol=1e-12)
        np.testing.assert_allclose(r.principal_paid[sl], [[30, 28], [30, 22], [40, 0]], atol=1e-12)
        np.testing.assert_allclose(r.fixed_return_paid[sl][:, 1], [0.0, 1.0, 0.5], atol=1e-12)
        np.testing.assert_allclose(r.residual[sl], [0.0, 5.6, 58.7], atol=1e-12)


def test_a_schedule_short_of_the_balance_is_paid_in_full_at_legal_maturity():
    # A 100 with a schedule of 30, 30, 20 (80 in all): at legal maturity the whole remaining 40 is
    # due, not the scheduled 20; before it, only the schedule
    d = make(
        [
            {"name": "A", "balance": 100, "seniority": 1, "amortisation": [30, 30, 20]},
            {"name": "B", "balance": 10, "seniority": 2},
        ],
        ppy=1,
    )
    r = run_waterfall(d, [35.0, 35.0, 60.0])
    np.testing.assert_allclose(r.principal_paid, [[30, 5], [30, 5], [40, 0]], atol=1e-12)
    np.testing.assert_allclose(r.residual, [0, 0, 20], atol=1e-12)


def test_a_reserve_top_up_under_one_unit():
    # senior 10 at 4 % quarterly, sub 5; reserve 1.5 x next senior interest; collections 3 a period.
    # P1: target 1.5 x 10 x 1 % = 0.15 -> top-up 0.15 (no release); interest 0.1; senior principal
    # 2.75
    # P2: target 1.5 x 7.25 x 1 % = 0.10875 -> release 0.04125
    d = make(
        [
            {"name": "S", "balance": 10, "coupon": 0.04, "seniority": 1},
            {"name": "J", "balance": 5, "seniority": 2},
        ],
        reserve={"multiple": 1.5},
    )
    for c in ([3.0] * 6, np.full((3, 6), 3.0)):
        r = run_waterfall(d, c)
        sl = (0,) if np.ndim(c) == 2 else ()
        np.testing.assert_allclose(r.reserve_topup[sl][:2], [0.15, 0.0], atol=1e-12)
        np.testing.assert_allclose(r.reserve_release[sl][:2], [0.0, 0.04125], atol=1e-12)
        assert r.balance[sl][0, 0] == pytest.approx(7.25, abs=1e-12)


def test_less_than_one_unit_of_cash_is_still_paid_down_the_order():
    # 0.5 of cash: principal 0.5; a fixed return due 1.0 with 0.4 left gets 0.4; an incentive fee of
    # 50 % of 0.2 left is 0.1
    d = make([{"name": "T", "balance": 10, "seniority": 1}], ppy=1)
    assert run_waterfall(d, [0.5]).principal_paid[0, 0] == 0.5
    d = make([{"name": "T", "balance": 10, "seniority": 1, "fixed_return": 0.1}], ppy=1)
    assert run_waterfall(d, [10.4]).fixed_return_paid[0, 0] == pytest.approx(0.4, abs=1e-12)
    d = make([{"name": "T", "balance": 10, "seniority": 1}], ppy=1, incentive_fee_share=0.5)
    r = run_waterfall(d, [10.2])
    assert r.incentive_fee[0] == pytest.approx(0.1, abs=1e-12) and r.residual[0] == pytest.approx(
        0.1
    )


tranche_st = st.fixed_dictionaries(
    {
        "balance": st.floats(1, 100),
        "coupon": st.floats(0, 0.08),
        "fixed_return": st.floats(0, 0.05),
        "scheduled": st.booleans(),
    }
)


@settings(max_examples=60, deadline=None)
@given(
    ts=st.lists(tranche_st, min_size=1, max_size=3),
    c=st.lists(st.floats(0, 80), min_size=2, max_size=6),
    multiple=st.sampled_from([0.0, 1.5]),
    share=st.sampled_from([0.0, 0.2]),
)
def test_one_and_many_scenario_paths_agree_on_every_field(ts, c, multiple, share):
    n = len(c)
    tranches = []
    for k, t in enumerate(ts):
        rec = {
            "name": f"T{k}",
            "balance": t["balance"],
            "coupon": t["coupon"],
            "seniority": k + 1,
            "fixed_return": t["fixed_return"] if k else 0.0,
        }
        if t["scheduled"]:
            rec["amortisation"] = [t["balance"] / n] * n
        tranches.append(rec)
    d = make(
        tranches,
        reserve={"multiple": multiple},
        incentive_fee_share=share,
        fees=[
            {"name": "tax", "basis": "collections", "rate": 0.01},
            {"name": "agent", "basis": "fixed", "amount": 0.3, "cap": 0.2},
        ],
    )
    many = run_waterfall(d, np.array([c, c[::-1]]))
    for s, coll in enumerate((c, c[::-1])):
        one = run_waterfall(d, coll)
        for name in (
            "interest_due",
            "interest_paid",
            "principal_paid",
            "fixed_return_paid",
            "balance",
            "fees_paid",
            "reserve_balance",
            "reserve_release",
            "reserve_topup",
            "incentive_fee",
            "residual",
            "default_event",
        ):
            np.testing.assert_allclose(
                getattr(many, name)[s], getattr(one, name), atol=1e-9, err_msg=name
            )
        assert (one.reserve_release >= 0).all() and (one.reserve_topup >= 0).all()
        assert (one.interest_paid <= one.interest_due + 1e-9).all()
        assert (one.balance >= -1e-9).all() and (one.principal_paid >= 0).all()
        out = (
            one.interest_paid.sum(-1)
            + one.principal_paid.sum(-1)
            + one.fixed_return_paid.sum(-1)
            + one.fees_paid.sum(-1)
            + one.incentive_fee
            + one.reserve_topup
            + one.residual
        )
        np.testing.assert_allclose(out, np.asarray(coll) + one.reserve_release, atol=1e-9)


# --- tranche KMV ----------------------------------------------------------------------------------


def test_tranche_kmv_with_an_interest_shortfall_counts_each_coupon_once():
    # senior 100 at 10 % a year, 3 annual periods, collections 0, 0, 120: interest accrues 10 a
    # year;
    # arrears carried forward are not new promises, so to its WAL of 3 years the default point is
    # 100 + 3 x 10 = 130. V0 = 120 e^{-0.05 x 3}; DD = (ln(V0/130) + (0.05 - 0.3^2/2) 3) / (0.3
    # sqrt 3)
    d = make(
        [{"name": "S", "balance": 100, "coupon": 0.10, "seniority": 1}], ppy=1, default_event="none"
    )
    k = analysis.tranche_kmv(d, [0.0, 0.0, 120.0], recovery_vol=0.3, discount_rate=0.05)
    v0 = 120 * math.exp(-0.15)
    assert k.asset_value[0] == pytest.approx(v0, rel=1e-12)
    assert k.default_point[0] == pytest.approx(130.0, abs=1e-9)
    dd = (math.log(v0 / 130) + (0.05 - 0.045) * 3) / (0.3 * math.sqrt(3))
    assert k.distance_to_default[0] == pytest.approx(dd, rel=1e-12)
    assert k.default_probability[0] == pytest.approx(norm.cdf(-dd), rel=1e-12)


def test_kmv_sensitivity_to_the_horizon_recounts_the_promise():
    # horizon 1.5 years: the senior's promise is 100 + 10 + 5 (half of year 2's coupon) = 115
    d = make(
        [{"name": "S", "balance": 100, "coupon": 0.10, "seniority": 1}], ppy=1, default_event="none"
    )
    c = [0.0, 0.0, 120.0]
    at = analysis.tranche_kmv(d, c, recovery_vol=0.3, discount_rate=0.05, horizon=1.5)
    assert at.default_point[0] == pytest.approx(115.0, abs=1e-9)
    grid = analysis.kmv_sensitivity(
        d, c, "maturity", [1.5, 3.0], recovery_vol=0.3, discount_rate=0.05
    )
    v0 = 120 * math.exp(-0.15)
    for row, (T, dp) in zip(grid, ((1.5, 115.0), (3.0, 130.0))):
        assert row[0] == pytest.approx(kmv.kmv_pd(v0, 0.3, dp, T, drift=0.05), rel=1e-12)
    rates = analysis.kmv_sensitivity(
        d, c, "discount_rate", [0.0, 0.05], recovery_vol=0.3, discount_rate=0.05
    )
    assert rates[0, 0] == pytest.approx(kmv.kmv_pd(120.0, 0.3, 130.0, 3.0, drift=0.0), rel=1e-12)
    with pytest.raises(ValueError, match="names no tranche"):
        analysis.kmv_sensitivity(d, c, "coupon:Mezz", [0.1], recovery_vol=0.3, discount_rate=0.05)


# --- Merton ---------------------------------------------------------------------------------------


def test_merton_newton_converges_without_the_fallback(monkeypatch):
    """The 2-D Newton must settle Hull's firm and a leverage sweep on its own."""

    def no_fallback(*a, **k):
        raise AssertionError("the bracketed fallback ran")

    monkeypatch.setattr(kmv, "_bracketed", no_fallback)
    s = kmv.merton_solve(3.0, 0.80, 10.0, 0.05, 1.0)
    # Hull's published figures: V0 = 12.40, sigma_V = 21.23 %, and d2 = 1.1408 so N(-d2) = 12.7 %
    assert s.asset_value == pytest.approx(12.40, abs=0.005) and s.asset_vol == pytest.approx(
        0.2123, abs=5e-5
    )
    assert s.d2 == pytest.approx(1.1408, abs=1e-3) and s.d1 == pytest.approx(
        s.d2 + s.asset_vol, abs=1e-12
    )
    leverage = np.linspace(0.05, 0.95, 19)
    debt = 100 * leverage
    equity = 100 * (1 - leverage)
    for vol in (0.2, 0.5, 1.0):
        sol = kmv.merton_solve(equity, vol, debt, 0.03, 2.0)  # vector path
        for i in (0, 9, 18):
            one = kmv.merton_solve(float(equity[i]), vol, float(debt[i]), 0.03, 2.0)  # float path
            assert one.asset_value == pytest.approx(sol.asset_value[i], rel=1e-9)


def test_merton_newton_converges_quadratically():
    """Full Newton steps on the exact Jacobian settle Hull's firm to 1e-12 in five iterations
    and a leverage sweep in at most seven; a wrong derivative or a damped step needs dozens."""
    K = 10 * math.exp(-0.05)
    V, s = kmv._newton(3.0, 0.8, K, 1.0, 1e-12, max_iter=5)
    assert pytest.approx(12.395387, abs=1e-6) == V and s == pytest.approx(0.212305, abs=1e-6)
    leverage = np.linspace(0.05, 0.95, 19)
    for vol in (0.2, 0.5):
        V, s = kmv._newton(
            100 * (1 - leverage), vol, 100 * leverage * math.exp(-0.06), 2.0, 1e-12, max_iter=7
        )
        assert np.isfinite(V).all() and np.isfinite(s).all()


def test_merton_residual_needs_both_equations():
    # a point that satisfies the equity equation but not the volatility equation is not a solution
    E, sE, K, T = 3.0, 0.8, 10 * math.exp(-0.05), 1.0
    s_wrong = 0.5
    V = kmv._asset_value_given_vol(E, K, s_wrong, T, 1e-14)
    d1, d2 = kmv._d1_d2(V, s_wrong, K, T)
    assert abs(V * norm.cdf(d1) - K * norm.cdf(d2) - E) < 1e-10  # equation 1 holds
    assert kmv._residuals(V, s_wrong, E, sE, K, T) > 0.1  # but the check rejects it
    good = kmv.merton_solve(E, sE, 10.0, 0.05, 1.0)
    assert kmv._residuals(good.asset_value, good.asset_vol, E, sE, K, T) < 1e-10


# --- diversity ------------------------------------------------------------------------------------


def test_alternative_diversity_score_with_unequal_pds_is_the_double_sum():
    F = np.array([1.0, 2.0, 3.0])
    p = np.array([0.1, 0.2, 0.05])
    rho = np.array([[1.0, 0.3, 0.1], [0.3, 1.0, 0.2], [0.1, 0.2, 1.0]])
    num = (p @ F) * ((1 - p) @ F)
    den = sum(
        rho[i, j] * math.sqrt(p[i] * (1 - p[i]) * p[j] * (1 - p[j])) * F[i] * F[j]
        for i in range(3)
        for j in range(3)
    )
    assert diversity.alternative_diversity_score(F, p, rho) == pytest.approx(num / den, rel=1e-13)
    # (0.1 + 0.4 + 0.15)(0.9 + 1.6 + 2.85) = 0.65 x 5.35 = 3.4775 over the double sum
    assert num == pytest.approx(3.4775, rel=1e-13)
    flat = np.full((3, 3), 0.25) + 0.75 * np.eye(3)
    assert diversity.alternative_diversity_score(F, p, 0.25) == pytest.approx(
        diversity.alternative_diversity_score(F, p, flat), rel=1e-13
    )
    groups = (["a", "a", "b"], 0.3, 0.1)
    block = np.array([[1, 0.3, 0.1], [0.3, 1, 0.1], [0.1, 0.1, 1]])
    assert diversity.alternative_diversity_score(F, p, groups) == pytest.approx(
        diversity.alternative_diversity_score(F, p, block), rel=1e-13
    )


def test_alternative_diversity_score_bounds():
    with pytest.raises(ValueError, match="rho_within: must lie in"):
        diversity.alternative_diversity_score([1, 2], 0.1, (["a", "b"], 1.5, 0.1))
    with pytest.raises(ValueError, match="correlation"):
        diversity.alternative_diversity_score([1, 1], 0.1, -1.0)  # zero loss variance


# --- BET ---------------------------------------------------------------------------------------


def test_bet_scenario_hook_takes_single_numbers_only():
    with pytest.raises(ValueError, match="expected single numbers"):
        bet.bet_scenario_expected_loss([3, 4], 0.1, [0.0, 0.1, 0.2, 0.3])
    assert bet.bet_scenario_expected_loss(3, 0.1, [0.0, 1 / 3, 2 / 3, 1.0]) == pytest.approx(
        0.1, abs=1e-15
    )


def test_multi_bet_flat_group_and_a_finite_detachment():
    assert bet.multi_bet_expected_loss([10, 0.2, 0.6, 1.0], 0.05, 0.2) == pytest.approx(
        bet.bet_expected_loss(10, 0.2, 0.6, 0.05, 0.2), rel=1e-13
    )
    # D = 2, p = 0.5, lgd 1, tranche [0.25, 0.75]: pool loss 0, 0.5, 1 with 1/4, 1/2, 1/4;
    # tranche loss 0, 0.5, 1 -> EL = 0.5 x 0.5 + 0.25 = 0.5
    assert bet.bet_expected_loss(2, 0.5, 1.0, 0.25, 0.75) == pytest.approx(0.5, abs=1e-15)
    # a detachment below 1 cuts the senior's loss: [0.6, 0.8] of D = 5, p = 0.3, lgd 1:
    # pool loss j/5; tranche loss (j/5 - 0.6)^+ capped at 0.2, over 0.2 -> j = 4: 1, j = 5: 1
    p4, p5 = 5 * 0.3**4 * 0.7, 0.3**5
    assert bet.bet_expected_loss(5, 0.3, 1.0, 0.6, 0.8) == pytest.approx(p4 + p5, rel=1e-13)


def test_newton_keeps_its_steps_feasible_at_high_volatility(monkeypatch):
    # sigma_E 300 %, ten years, 9 % leverage: a full Newton step would leave V > E, sigma > 0;
    # the halving keeps it feasible and Newton still settles without the fallback
    monkeypatch.setattr(kmv, "_bracketed", lambda *a, **k: pytest.fail("the fallback ran"))
    s = kmv.merton_solve(91.0, 3.0, 9.0, 0.05, 10.0)
    # almost all the value is equity's: V is 91.00004 and both Merton equations hold
    assert s.asset_value == pytest.approx(91.00004497, abs=1e-6)
    K = 9.0 * math.exp(-0.5)
    assert kmv._residuals(s.asset_value, s.asset_vol, 91.0, 3.0, K, 10.0) < 1e-10


def test_the_bracketed_fallback_solves_hulls_firm_on_its_own():
    K = 10 * math.exp(-0.05)
    V, s = kmv._bracketed(np.array([3.0]), np.array([0.8]), np.array([K]), np.array([1.0]), 1e-12)
    assert V[0] == pytest.approx(12.3954, abs=1e-4) and s[0] == pytest.approx(0.21230, abs=1e-5)
    assert kmv._residuals(V, s, 3.0, 0.8, K, 1.0)[0] < 1e-9


def test_distance_to_default_defaults_to_no_drift_over_one_year():
    # (ln(120/100) - 0.3^2/2) / 0.3 = 0.457739
    assert kmv.distance_to_default(120.0, 0.3, 100.0) == pytest.approx(
        (math.log(1.2) - 0.045) / 0.3, rel=1e-14
    )
    assert kmv.distance_to_default(120.0, 0.3, 100.0) == pytest.approx(0.457739, abs=1e-6)


def test_bet_probabilities_for_several_diversities_and_one_pd():
    out = bet.bet_probabilities([3, 5], 0.1)
    assert out.shape == (2, 6)
    np.testing.assert_allclose(out[0, :4], [0.729, 0.243, 0.027, 0.001], rtol=1e-13)
    np.testing.assert_allclose(
        out[1], [0.59049, 0.32805, 0.0729, 0.0081, 0.00045, 0.00001], rtol=1e-12
    )
