"""Recoveries, break-even haircuts, stress ratings, tranche KMV, sensitivity grids, cash-flow BET,
examples."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from npl_xl.deal import EXAMPLES, Deal, load_example
from npl_xl.models import analysis, bet, kmv, recovery
from npl_xl.models.waterfall import run_waterfall


def simple(senior=80.0, sub=20.0, coupon=0.0, **kw):
    return Deal.from_dict(
        {
            "name": "s",
            "payments_per_year": 1,
            "reserve": {"multiple": 0},
            "tranches": [
                {"name": "Senior", "balance": senior, "coupon": coupon, "seniority": 1},
                {"name": "Sub", "balance": sub, "seniority": 2},
            ],
        }
        | kw
    )


# --- recoveries ---------------------------------------------------------------------------------


def test_timing_and_stresses():
    t = recovery.timing_from_cumulative([0.2, 0.5, 0.8, 1.0])
    np.testing.assert_allclose(t, [0.2, 0.3, 0.3, 0.2])
    c = recovery.collections(100, t, haircut=[0, 0.5], delay=[0, 1], cost_rate=0.1)
    np.testing.assert_allclose(c, [[18, 27, 27, 18], [0, 9, 13.5, 13.5]])
    for shape, kw in (
        ("uniform", {}),
        ("exponential", {"half_life": 3}),
        ("gamma", {"mean": 4, "cv": 0.5}),
    ):
        s = recovery.timing_parametric(12, shape, **kw)
        assert s.sum() == pytest.approx(1.0) and (s >= 0).all()
    with pytest.raises(ValueError, match="cumulative: must end at 1"):
        recovery.timing_from_cumulative([0.2, 0.5])
    with pytest.raises(ValueError, match="cumulative: must not decrease"):
        recovery.timing_from_cumulative([0.5, 0.4, 1.0])
    with pytest.raises(ValueError, match="delay"):
        recovery.collections(100, t, delay=1.5)
    with pytest.raises(ValueError, match="haircut"):
        recovery.collections(100, t, haircut=20)


def test_parametric_and_normalised_timing_by_hand():
    # the gamma shape is scipy's gamma with shape 1/cv^2 and scale mean cv^2, the tail folded into
    # the last period; its default mean is a third of the periods and its default cv 0.6
    shares = recovery.timing_parametric(12, "gamma", mean=4, cv=0.5)
    cdf = stats.gamma.cdf(np.arange(13.0), a=4.0, scale=1.0)
    expected = np.diff(cdf)
    expected[-1] += 1 - cdf[-1]
    np.testing.assert_allclose(shares, expected, rtol=1e-12)
    np.testing.assert_array_equal(
        recovery.timing_parametric(12, "gamma"),
        recovery.timing_parametric(12, "gamma", mean=4, cv=0.6),
    )
    np.testing.assert_allclose(
        recovery.timing_parametric(4, "exponential", half_life=1), [0.5, 0.25, 0.125, 0.125]
    )
    # a curve ending short of 1 is rescaled only when asked, never one that collects nothing
    np.testing.assert_allclose(
        recovery.timing_from_cumulative([0.1, 0.2, 0.4], normalise=True), [0.25, 0.25, 0.5]
    )
    with pytest.raises(ValueError, match="must end at 1"):
        recovery.timing_from_cumulative([0.0, 0.0], normalise=True)
    # four-monthly payments (3 a year): a 2-month delay moves half of each period on
    np.testing.assert_allclose(
        recovery.stressed_months([40.0, 40.0, 40.0], 3, delay_months=2), [20.0, 40.0, 40.0]
    )


# --- break-even and stress ratings ----------------------------------------------------------------


def test_breakeven_by_hand_and_consistent_with_engine():
    # one period, no fees or coupons: senior 80 paid in full while 100 (1 - h) >= 80 -> h* = 20 %;
    # the sub needs 100 (1 - h) >= 100 -> h* = 0
    be = analysis.breakeven_haircut(simple(), [100.0])
    np.testing.assert_allclose(be, [0.2, 0.0], atol=2e-6)
    d = load_example("credit_card")
    c = d.base_collections()
    be = analysis.breakeven_haircut(d, c)
    for k, h in enumerate(be):
        at = run_waterfall(d, recovery.stressed(c, haircut=h))
        beyond = run_waterfall(d, recovery.stressed(c, haircut=min(h + 1e-4, 1.0)))
        assert analysis.paid_in_full(at)[k]
        assert not analysis.paid_in_full(beyond)[k]
    assert be[0] > be[1]  # the senior withstands more
    # a delay never raises a break-even (NaN: the senior misses a coupon even with no haircut)
    delayed = analysis.breakeven_haircut(d, c, delay=4)
    assert (np.isnan(delayed) | (delayed <= be + 1e-9)).all()


def test_breakeven_nan_when_base_case_fails():
    assert np.isnan(analysis.breakeven_haircut(simple(), [90.0])[1])


def test_stress_ratings_on_examples():
    for name in EXAMPLES:
        d = load_example(name)
        out = analysis.stress_ratings(d, d.base_collections())
        order = list(out.table["rating"])
        senior, sub = out.ratings
        assert order.index(senior) <= order.index(sub)
        assert not out.illustrative  # the packaged table is calibrated on public deals
        # passing is monotone down the table: once a level passes, every milder level passes too
        passed = out.passed
        assert all((np.diff(passed[:, k].astype(int)) >= 0).all() for k in range(passed.shape[1]))


def test_user_stress_table():
    table = pd.DataFrame(
        {"Rating": ["AAAsf", "AAsf"], "Haircut": [0.5, 0.1], "Delay_Months": [0, 0]}
    )
    out = analysis.stress_ratings(simple(), [100.0], table=table)
    assert out.ratings == ("AAsf", "below AAsf") and not out.illustrative
    with pytest.raises(ValueError, match="delay_months"):
        analysis.stress_ratings(simple(), [100.0], table=table.drop(columns="Delay_Months"))


# --- tranche KMV ----------------------------------------------------------------------------------


def test_tranche_kmv_by_hand():
    # two annual periods, no fees; senior 60 at 5 %, sub 20; collections 50, 50; discount 4 %
    # (continuous, as the drift). Year 1: interest 3, senior principal 47 (13 left); year 2:
    # interest 0.65, senior 13, sub 20. Senior WAL (47 x 1 + 13 x 2) / 60 = 73/60 years: its
    # default point counts the year-1 coupon and 13/60 of the year-2 one: 60 + 3 + 0.65 x 13/60.
    # The sub's WAL is 2: 80 + 3 + 0.65.
    d = simple(senior=60.0, coupon=0.05)
    out = analysis.tranche_kmv(d, [50.0, 50.0], recovery_vol=0.3, discount_rate=0.04)
    v0 = 50 * np.exp(-0.04) + 50 * np.exp(-0.08)
    np.testing.assert_allclose(out.asset_value, v0)
    dp = [60 + 3 + 0.65 * 13 / 60, 83.65]
    np.testing.assert_allclose(out.default_point, dp, rtol=1e-12)
    np.testing.assert_allclose(out.maturity, [73 / 60, 2.0], rtol=1e-12)
    expected = kmv.kmv_pd(v0, 0.3, np.array(dp), np.array([73 / 60, 2.0]), drift=0.04)
    np.testing.assert_allclose(out.default_probability, expected, rtol=1e-12)


def test_tranche_kmv_by_hand_with_a_fee_and_a_fixed_return():
    # as above with a trustee fee of 1 a year and a sub fixed return of 10 % on 20: V0 is the
    # collections net of the fee, 49 + 49; year 1 pays fee 1, interest 3, senior principal 46
    # (14 left); senior WAL (46 + 2 x 14) / 60; its point 60 + 3 + 0.7 x 14/60. The sub's point
    # adds the fixed return accrued to its WAL of 2 years: 80 + 3 + 0.7 + 0.1 x 20 x 2 = 87.7.
    d = simple(senior=60.0, coupon=0.05, fees=[{"name": "Trustee", "basis": "fixed", "amount": 1}])
    d = d.with_changes(
        tranches=[
            t.model_dump() | ({"fixed_return": 0.1} if t.name == "Sub" else {}) for t in d.tranches
        ]
    )
    out = analysis.tranche_kmv(d, [50.0, 50.0], recovery_vol=0.3, discount_rate=0.04)
    np.testing.assert_allclose(out.asset_value, 49 * np.exp(-0.04) + 49 * np.exp(-0.08))
    np.testing.assert_allclose(out.default_point, [63 + 0.7 * 14 / 60, 87.7], rtol=1e-12)
    np.testing.assert_allclose(out.maturity, [74 / 60, 2.0], rtol=1e-12)
    # a named tranche's coupon, and the fixed return (the last tranche's unless named), move
    # exactly as a deal with that input changed
    for parameter, tranche, field, value in (
        ("coupon:Senior", "Senior", "coupon", 0.07),
        ("fixed_return", "Sub", "fixed_return", 0.2),
    ):
        moved = d.with_changes(
            tranches=[
                t.model_dump() | ({field: value} if t.name == tranche else {}) for t in d.tranches
            ]
        )
        grid = analysis.kmv_sensitivity(
            d, [50.0, 50.0], parameter, [value], recovery_vol=0.3, discount_rate=0.04
        )
        direct = analysis.tranche_kmv(moved, [50.0, 50.0], recovery_vol=0.3, discount_rate=0.04)
        np.testing.assert_allclose(grid[0], direct.default_probability, rtol=1e-14)


def test_breakeven_delay_is_zero_when_one_month_already_fails():
    # 100 collected over two annual periods, notes 97: one month's delay pushes 50/12 past legal
    # maturity, so the sub survives no delay; the senior survives four months (4 x 50/12 < 20)
    np.testing.assert_array_equal(
        analysis.breakeven_delay_months(simple(sub=17.0), [50.0, 50.0]), [4.0, 0.0]
    )


def test_kmv_sensitivity_directions():
    d = load_example("mortgage")
    c = d.base_collections()
    vol = analysis.kmv_sensitivity(
        d, c, "recovery_vol", [0.15, 0.25, 0.35], recovery_vol=0.25, discount_rate=0.05
    )
    assert (np.diff(vol, axis=0) > 0).all()  # PD rises with recovery volatility
    size = analysis.kmv_sensitivity(
        d, c, "issuance_size", [0.8, 1.0, 1.2], recovery_vol=0.25, discount_rate=0.05
    )
    assert (np.diff(size, axis=0) > 0).all()  # and with issuance size
    rate = analysis.kmv_sensitivity(
        d, c, "recovery_rate", [0.8, 1.0, 1.2], recovery_vol=0.25, discount_rate=0.05
    )
    assert (np.diff(rate, axis=0) < 0).all()  # and falls with recoveries
    cpn = analysis.kmv_sensitivity(
        d, c, "coupon", [0.02, 0.04, 0.06], recovery_vol=0.25, discount_rate=0.05
    )
    assert (np.diff(cpn[:, 0]) > 0).all()
    mid = analysis.tranche_kmv(d, c, recovery_vol=0.25, discount_rate=0.05).default_probability
    np.testing.assert_allclose(vol[1], mid)
    with pytest.raises(ValueError, match="parameter"):
        analysis.kmv_sensitivity(d, c, "colour", [1], recovery_vol=0.25, discount_rate=0.05)


# --- BET with cash flows --------------------------------------------------------------------------


@pytest.mark.parametrize("D, p, s", [(10, 0.2, 0.3), (25, 0.1, 0.0), (7, 0.4, 0.6)])
def test_cashflow_bet_equals_closed_form_on_a_plain_deal(D, p, s):
    # no fees or coupons, one period: senior 100 (1 - a), sub 100 a; failing units lose 1 - s of
    # their value,
    # so the tranche losses are exactly the BET attachment formula with lgd = 1 - s
    # (docs/methodology.md §4)
    a = 0.25
    d = simple(senior=100 * (1 - a), sub=100 * a)
    el = analysis.bet_cashflow_expected_loss(d, [100.0], diversity=D, pd=p, stressed_recovery=s)
    np.testing.assert_allclose(
        el,
        [bet.bet_expected_loss(D, p, 1 - s, a, 1.0), bet.bet_expected_loss(D, p, 1 - s, 0.0, a)],
        atol=1e-12,
    )


# --- example deals --------------------------------------------------------------------------------


def test_examples_match_public_figures_and_round_trip():
    cc, mg = load_example("credit_card"), load_example("mortgage")
    # docs/methodology.md §6 (CNY 10k)
    assert [t.balance for t in cc.tranches] == [41000, 10400] and cc.tranches[0].coupon == 0.033
    assert (
        cc.recovery.total == 82416.68
        and cc.payments_per_year == 4
        and cc.tranches[1].issue_price == 110
    )
    assert [t.balance for t in mg.tranches] == [113000, 44000] and mg.tranches[0].coupon == 0.0355
    assert (
        mg.recovery.total == 222016.46
        and mg.payments_per_year == 2
        and mg.tranches[1].issue_price == 112
    )
    for d in (cc, mg):
        assert Deal.from_dict(d.to_dict()) == d
        # the senior is 48-62 % of base-case recovery in public deals
        assert 0.48 <= d.tranches[0].balance / d.recovery.total <= 0.62
    # expected senior life: ~0.6-1.3 years for credit cards, ~2.6 for mortgages
    # (docs/methodology.md §6)
    wal_cc = run_waterfall(cc, cc.base_collections()).metrics().wal
    wal_mg = run_waterfall(mg, mg.base_collections()).metrics().wal
    # the public ranges: senior life ~0.6-1.3 years (credit card), ~2.6 years (mortgage);
    # methodology §6
    assert 0.6 <= wal_cc[0] <= 1.3 and 2.0 <= wal_mg[0] <= 3.2
    # and the example deals' own figures, pinned (assumed curves: docs/methodology.md §7)
    np.testing.assert_allclose(wal_cc, [0.67953, 1.59119], atol=5e-5)
    np.testing.assert_allclose(wal_mg, [2.41183, 4.93710], atol=5e-5)


def test_json_files(tmp_path):
    d = load_example("credit_card")
    path = tmp_path / "deal.json"
    d.to_json(path)
    assert Deal.from_json(path) == d
    with pytest.raises(ValueError, match="exists"):
        d.to_json(path)
    path.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        Deal.from_json(path)
    with pytest.raises(ValueError, match="no such file"):
        Deal.from_json(tmp_path / "missing.json")


def test_breakeven_and_first_loss_by_hand():
    # one annual period of 100, senior 80 and sub 20, no coupons.
    # haircut: senior paid while 100 (1 - h) >= 80 (h* = 20 %), loses 1 unit from 100 (1 - h) = 79
    # (21 %); the sub is paid only at h = 0 and loses 1 unit from h = 1 %.
    d = simple()
    np.testing.assert_allclose(analysis.breakeven(d, [100.0], "haircut"), [0.2, 0.0], atol=2e-6)
    first = analysis.breakeven(d, [100.0], "haircut", first_loss=True)
    np.testing.assert_allclose(first, [0.21, 0.01], atol=2e-6)
    assert analysis.breakeven(d, [100.0], "haircut", "Sub", first_loss=True) == first[1]
    # issue-rate shift on a 5 % senior: 80 (1.05 + s) <= 100 -> s* = 20 %; first loss at
    # 80 (1.05 + s) = 101 -> 21.25 %. The sub already loses 4 at s = 0: NaN, and first loss 0.
    c = simple(coupon=0.05)
    shift = analysis.breakeven(c, [100.0], "issue_rate_shift")
    np.testing.assert_allclose(shift[0], 0.2, atol=2e-6)
    assert np.isnan(shift[1])
    first = analysis.breakeven(c, [100.0], "issue_rate_shift", first_loss=True)
    np.testing.assert_allclose(first, [0.2125, 0.0], atol=2e-6)
    # without a coupon the senior survives the whole range of shifts, and never loses a unit
    assert analysis.breakeven(d, [100.0], "issue_rate_shift", "Senior") == 1.0
    assert np.isnan(analysis.breakeven(d, [100.0], "issue_rate_shift", "Senior", first_loss=True))
    # delay in whole periods: 50 + 50 over two years, notes 97: one period pushes 50 past legal
    # maturity, so neither survives a delay and both lose a unit at 1 period
    d2 = simple(sub=17.0)
    np.testing.assert_array_equal(analysis.breakeven(d2, [50.0, 50.0], "delay"), [0.0, 0.0])
    np.testing.assert_array_equal(
        analysis.breakeven(d2, [50.0, 50.0], "delay", first_loss=True), [1.0, 1.0]
    )
    # the general search reproduces the haircut break-even on an example, both within 1e-6
    ex = load_example("credit_card")
    np.testing.assert_allclose(
        analysis.breakeven(ex, ex.base_collections()),
        analysis.breakeven_haircut(ex, ex.base_collections()),
        atol=1e-6,
    )
    with pytest.raises(ValueError, match="variable: expected one of haircut, delay"):
        analysis.breakeven(d, [100.0], "recovery")
    with pytest.raises(ValueError, match="tranche: 'Mezz' is not a tranche"):
        analysis.breakeven(d, [100.0], "haircut", "Mezz")


def test_tranche_kmv_with_a_small_positive_asset_value_is_computed():
    # V0 = 0.5 collected at the end of year 1 discounted at 4 %: 0.4804; senior default point 80.
    # The PD is near 1 but DD is the formula's finite value, not the "no assets" shortcut (-inf)
    out = analysis.tranche_kmv(simple(), [0.5], recovery_vol=0.3, discount_rate=0.04)
    v0 = 0.5 * np.exp(-0.04)
    assert out.asset_value[0] == pytest.approx(v0)
    expected = (np.log(v0 / 80.0) + (0.04 - 0.045)) / 0.3
    assert out.distance_to_default[0] == pytest.approx(expected, rel=1e-12)


def test_cashflow_bet_pv_measure_counts_timing():
    # everything is collected in year 2: the 5 % senior's interest in arrears is paid late, which
    # the PV measure (discounting at the coupon) counts and the principal-loss measure does not;
    # the zero-coupon sub is discounted at 0 %, where the two measures agree
    d = simple(coupon=0.05, senior=60.0, sub=40.0)
    kw = {"diversity": 10, "pd": 0.2, "stressed_recovery": 0.3}
    el = analysis.bet_cashflow_expected_loss(d, [0.0, 100.0], **kw)
    pv = analysis.bet_cashflow_expected_loss(d, [0.0, 100.0], measure="pv_loss", **kw)
    assert pv[0] > el[0] + 1e-3 and pv[1] == pytest.approx(el[1], rel=1e-9)
    with pytest.raises(ValueError, match="measure: expected 'loss_fraction' or 'pv_loss'"):
        analysis.bet_cashflow_expected_loss(d, [100.0], measure="el", **kw)


def test_delay_breakevens_stop_at_the_range_asked():
    # 50, 50, 0 over three years, senior 80: one year's delay leaves 50 + 50 inside legal maturity
    # (paid), two leave 50 (not): the break-even delay is 1 period. In months (spread evenly within
    # each year) a delay of d > 12 months pushes (d - 12) x 50 / 12 past legal maturity: 16 months
    # lose 16.67 (83.33 left, paid), 17 lose 20.83 (79.17, not). Capped at 3 when 3 are asked.
    d = simple()
    c = [50.0, 50.0, 0.0]
    assert analysis.breakeven(d, c, "delay", "Senior") == 1.0
    assert analysis.breakeven(d, c, "delay", "Senior", first_loss=True) == 2.0
    assert analysis.breakeven_delay_months(d, c)[0] == 16.0
    assert analysis.breakeven_delay_months(d, c, max_months=3)[0] == 3.0


def test_explicit_asset_mix_and_a_table_without_a_shift_column():
    d = simple(coupon=0.05)
    base = np.array([100.0, 0.0, 0.0, 0.0])  # four years: the 12- and 18-month delays stay inside
    mixed = analysis.stress_collections(d, base, mix={"residential": 0.5, "unsecured": 0.5})
    table = analysis.load_stress_table()
    top = table.iloc[0]
    expected = 0.5 * (1 - top["haircut_residential"]) + 0.5 * (1 - top["haircut_unsecured"])
    assert mixed[0].sum() == pytest.approx(100 * expected)
    with pytest.raises(ValueError, match="asset_mix: unknown asset class 'moon'"):
        analysis.stress_collections(d, base, mix={"moon": 1.0})
    with pytest.raises(ValueError, match="asset_mix: shares must be >= 0 and add up to 1"):
        analysis.stress_collections(d, base, mix={"sme": 0.5})
    # a user table without issue_rate_shift shifts nothing: 5 % senior 80 on 100 passes at 0 %
    plain = pd.DataFrame({"rating": ["AAAsf"], "haircut": [0.0], "delay_months": [0]})
    assert analysis.load_stress_table(plain)["issue_rate_shift"].tolist() == [0.0]
    assert analysis.stress_ratings(d, [100.0], table=plain).passed[0, 0]
