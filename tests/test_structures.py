"""Structures (issue 12): fixed-return base, fee steps, floating coupons, triggers, coverage ratios.
Small deals worked by hand to the cent, equivalences with today's behaviour, cash in = cash out
with every feature on, and one-line messages for bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_waterfall import cash_out  # everything paid out each period

from npl_xl.deal import TRIGGER_EFFECTS, TRIGGER_TESTS, Deal, load_example
from npl_xl.models import waterfall
from npl_xl.models.recovery import stressed
from npl_xl.models.waterfall import coupon_paths, run_waterfall, unpaid_at_maturity


def annual(tranches, **kw):
    base = {
        "name": "hand",
        "payments_per_year": 1,
        "tranches": tranches,
        "reserve": {"multiple": 0},
        "default_event": "none",
    }
    return Deal.from_dict(base | kw)


def cash_in(r):
    return r.collections + r.reserve_release + r.call_proceeds + r.support_in.sum(-1)


# --- fixed-return base ----------------------------------------------------------------------------


def test_fixed_return_on_initial_or_outstanding_balance_by_hand():
    # Senior 100 at 5 %, Sub 50 with a 10 % fixed return, 60 collected in each of three years.
    # Y1: interest 5, senior principal 55 (bal 45); fixed return 5 accrued, unpaid.
    # Y2: interest 2.25, senior 45, sub principal 12.75 (bal 37.25); fixed return +5 (on 50 either
    #     way: the sub is whole at the start of Y2), unpaid.
    # Y3: sub principal 37.25, 22.75 left. Initial base: 5 + 5 + 5 = 15 paid, residual 7.75.
    #     Outstanding base: 5 + 5 + 37.25 x 10 % = 13.725 paid, residual 9.025.
    tranches = [
        {"name": "Senior", "balance": 100, "coupon": 0.05, "seniority": 1},
        {"name": "Sub", "balance": 50, "seniority": 2, "fixed_return": 0.10},
    ]
    c = np.full(3, 60.0)
    initial = run_waterfall(annual(tranches), c)
    tranches[1]["fixed_return_base"] = "outstanding"
    outstanding = run_waterfall(annual(tranches), c)
    np.testing.assert_allclose(initial.interest_paid[:, 0], [5, 2.25, 0], atol=1e-12)
    np.testing.assert_allclose(initial.principal_paid[:, 1], [0, 12.75, 37.25], atol=1e-12)
    np.testing.assert_allclose(initial.fixed_return_paid[:, 1], [0, 0, 15], atol=1e-12)
    np.testing.assert_allclose(initial.residual, [0, 0, 7.75], atol=1e-12)
    np.testing.assert_allclose(outstanding.fixed_return_paid[:, 1], [0, 0, 13.725], atol=1e-12)
    np.testing.assert_allclose(outstanding.residual, [0, 0, 9.025], atol=1e-12)


# --- fee steps ------------------------------------------------------------------------------------


def test_a_fee_step_pays_that_fee_where_the_order_puts_it():
    # Tax 2 and servicer 3 a year, Senior 100 at 4 %; 5 collected in year 1. In the default order
    # fees come first (5 paid, interest 0); with "fee:Servicer" after the senior interest, the tax
    # (still in "senior_fees") takes 2, interest 3 of 4, the servicer nothing.
    fees = [
        {"name": "Tax", "basis": "fixed", "amount": 2},
        {"name": "Servicer", "basis": "fixed", "amount": 3},
    ]
    tranches = [{"name": "Senior", "balance": 100, "coupon": 0.04, "seniority": 1}]
    c = np.array([5.0, 200.0])
    base = run_waterfall(annual(tranches, fees=fees), c)
    order = ["senior_fees", "interest:Senior", "fee:Servicer", "principal:Senior"]
    moved = run_waterfall(annual(tranches, fees=fees, pre_default_order=order), c)
    np.testing.assert_allclose(base.fees_paid[0], [2, 3], atol=1e-12)
    np.testing.assert_allclose(base.interest_paid[0], [0], atol=1e-12)
    np.testing.assert_allclose(moved.fees_paid[0], [2, 0], atol=1e-12)
    np.testing.assert_allclose(moved.interest_paid[0], [3], atol=1e-12)
    # Y2: tax 2, servicer 3 and its arrears 3
    np.testing.assert_allclose(moved.senior_fees_paid, [2, 8], atol=1e-12)
    np.testing.assert_allclose(cash_in(moved), cash_out(moved), atol=1e-12)


def test_written_orders_of_the_examples_give_the_generated_results():
    # the example deals carry their priorities of payments in the JSON, fee by fee; dropping them
    # (the generated default order) changes no number
    for name in ("credit_card", "mortgage"):
        d = load_example(name)
        assert d.pre_default_order and any(s.startswith("fee:") for s in d.pre_default_order)
        generated = d.with_changes(pre_default_order=None, post_default_order=None)
        c = d.base_collections()
        scen = stressed(c, haircut=np.array([0.0, 0.4, 0.8]), delay=2)
        a, b = run_waterfall(d, scen), run_waterfall(generated, scen)
        np.testing.assert_allclose(a.balance, b.balance, rtol=0, atol=1e-9)
        np.testing.assert_allclose(a.fees_paid, b.fees_paid, rtol=0, atol=1e-9)
        np.testing.assert_allclose(a.residual, b.residual, rtol=0, atol=1e-9)


# --- floating coupons -----------------------------------------------------------------------------


def floater(**coupon):
    tranches = [
        {"name": "Senior", "balance": 100, "coupon": {"index": "L"} | coupon, "seniority": 1},
        {"name": "Sub", "balance": 20, "coupon": 0.0, "seniority": 2},
    ]
    return annual(tranches, rates={"L": {"path": [0.01, 0.04, 0.07, 0.02]}})


def test_floating_coupon_by_hand():
    # index 1 %, 4 %, 7 %, 2 %, reset every 2 periods: held 1, 1, 7, 7 %; + 1 % spread: 2, 2, 8,
    # 8 %; floor 3 %, cap 6 %: 3, 3, 6, 6 %. Nothing repaid before year 4 (no collections):
    # interest on 100 accrues 3 + 3 + 6 + 6 = 18, all paid in year 4 out of 200.
    d = floater(spread=0.01, floor=0.03, cap=0.06, reset_periods=2)
    r = run_waterfall(d, np.array([0.0, 0.0, 0.0, 200.0]))
    np.testing.assert_allclose(r.coupon_rates[:, 0], [0.03, 0.03, 0.06, 0.06], atol=1e-15)
    np.testing.assert_allclose(r.interest_due[:, 0], [3, 6, 12, 18], atol=1e-12)
    np.testing.assert_allclose(r.interest_paid[-1, 0], 18, atol=1e-12)
    np.testing.assert_allclose(r.residual[-1], 200 - 18 - 120, atol=1e-12)
    # an issue-rate shift of +1 % per scenario: 0 % and 1 % (held index + shift + spread, clipped)
    shifted = coupon_paths(d, 4, rate_shift=[0.0, 0.01])
    np.testing.assert_allclose(shifted[1, :, 0], [0.03, 0.03, 0.06, 0.06], atol=1e-15)
    no_cap = coupon_paths(floater(spread=0.01), 4, rate_shift=[0.0, 0.01])
    expected = [[0.02, 0.05, 0.08, 0.03], [0.03, 0.06, 0.09, 0.04]]  # reset every period, no caps
    np.testing.assert_allclose(no_cap[:, :, 0], expected)


def test_paths_per_scenario_and_shifts_run_as_scenarios():
    d = floater(spread=0.01)
    c = np.array([30.0, 30.0, 30.0, 80.0])
    paths = np.array([[0.01, 0.04, 0.07, 0.02], [0.05, 0.05, 0.05, 0.05]])
    many = run_waterfall(d, c, rates={"L": paths})
    one = run_waterfall(d, c, rates={"L": paths[1]})
    np.testing.assert_allclose(many.interest_paid[1], one.interest_paid, atol=1e-12)
    assert many.balance.shape == (2, 4, 2)
    # the per-tranche coupon is the average over scenarios and periods (the default discount rate)
    mean_senior = (paths + 0.01).mean()
    np.testing.assert_allclose(many.coupon, [mean_senior, 0.0], atol=1e-15)
    assert many.metrics().pv_loss.shape == (2, 2)
    # a fixed coupon moves by the shift too (the uncertain issue rate); a 0 % sub does not
    fixed = annual([{"name": "A", "balance": 100, "coupon": 0.04, "seniority": 1}])
    cp = coupon_paths(fixed, 3, rate_shift=np.array([-0.05, 0.0, 0.01]))
    np.testing.assert_allclose(cp[:, 0, 0], [0.0, 0.04, 0.05], atol=1e-15)
    ultimate = annual(
        [{"name": "A", "balance": 100, "coupon": 0.04, "seniority": 1, "rating_basis": "ultimate"}]
    )
    c = np.array([1.0, 1.0, 110.0])
    u = unpaid_at_maturity(ultimate, c, rate_shift=np.array([0.0, 0.1]))
    # 4 %: arrears 3, 6, then 10 + 100 paid from 110. 14 %: arrears 13, 26, then 40 of interest and
    # 70 of principal: 30 unpaid
    np.testing.assert_allclose(u[:, 0], [0.0, 30.0], atol=1e-9)
    # timely (the senior's default basis) adds the largest arrears after a payment date: 6 and 26
    u = unpaid_at_maturity(fixed, c, rate_shift=np.array([0.0, 0.1]))
    np.testing.assert_allclose(u[:, 0], [6.0, 56.0], atol=1e-9)


@pytest.mark.parametrize("name", ["credit_card", "mortgage"])
def test_a_flat_index_equal_to_the_fixed_coupon_changes_nothing(name):
    d = load_example(name)
    data = d.to_dict()
    for t in data["tranches"]:
        if t.get("coupon", 0) > 0:
            t["coupon"] = {"index": "FLAT", "spread": 0.001}
            level = d.tranches[[x.name for x in d.tranches].index(t["name"])].coupon - 0.001
    data["rates"] = {"FLAT": {"level": level}}
    f = Deal.from_dict(data)
    scen = stressed(d.base_collections(), haircut=np.array([0.0, 0.5, 0.9]), delay=3)
    a, b = run_waterfall(d, scen), run_waterfall(f, scen)
    for field in ("interest_paid", "principal_paid", "balance", "fees_paid", "reserve_balance"):
        np.testing.assert_allclose(getattr(a, field), getattr(b, field), rtol=0, atol=1e-9)


# --- triggers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["credit_card", "mortgage"])
def test_the_default_event_is_one_trigger(name):
    d = load_example(name)
    data = d.to_dict() | {"default_event": "none"}
    data["triggers"] = [
        {
            "name": "EoD",
            "test": "senior_interest_unpaid",
            "threshold": 0,
            "effect": "post_default_order",
        }
    ]
    t = Deal.from_dict(data)
    scen = stressed(d.base_collections(), haircut=np.linspace(0, 0.95, 12), delay=4)
    a, b = run_waterfall(d, scen), run_waterfall(t, scen)
    assert a.default_event.any()  # the stress does hit the event
    for field in ("interest_paid", "principal_paid", "balance", "fees_paid", "residual"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    np.testing.assert_array_equal(a.default_event, b.default_event)
    np.testing.assert_array_equal(a.trigger_states, b.trigger_states)
    assert a.trigger_names == ("default_event",) and b.trigger_names == ("EoD",)


def test_clean_up_call_by_hand():
    # Senior 100, Sub 50, no coupons; collected 80, 40, 40, 40. After Y1 the notes are 70, below
    # 50 % of 150: the trigger hits. Y2 is the call (the 80 still to come are worth the 70 owed):
    # 40 collected + 70 paid by the seller; senior 20, sub 50, residual 40. Y3 and Y4 collections
    # go to the buyer.
    tranches = [
        {"name": "Senior", "balance": 100, "seniority": 1},
        {"name": "Sub", "balance": 50, "seniority": 2},
    ]
    trig = [{"name": "call", "test": "notes_below", "threshold": 0.5, "effect": "clean_up_call"}]
    r = run_waterfall(annual(tranches, triggers=trig), np.array([80.0, 40, 40, 40]))
    np.testing.assert_allclose(r.call_proceeds, [0, 70, 0, 0], atol=1e-12)
    np.testing.assert_allclose(r.collections, [80, 40, 0, 0], atol=1e-12)
    np.testing.assert_allclose(r.principal_paid, [[80, 0], [20, 50], [0, 0], [0, 0]], atol=1e-12)
    np.testing.assert_allclose(r.residual, [0, 40, 0, 0], atol=1e-12)
    np.testing.assert_array_equal(r.trigger_states[:, 0], [False, True, True, True])
    np.testing.assert_allclose(cash_in(r), cash_out(r), atol=1e-12)
    # a second trigger that would hit once the notes are gone (after the call) stays off: once
    # called, the trust is over and no test runs again (one scenario and a batch alike)
    late = trig + [
        {"name": "late", "test": "notes_below", "threshold": 0.2, "effect": "stop_incentive_fee"}
    ]
    c = np.array([80.0, 40, 40, 40])
    for r in (run_waterfall(annual(tranches, triggers=late), c),):
        np.testing.assert_array_equal(r.trigger_states[:, 1], [False] * 4)
    batch = run_waterfall(annual(tranches, triggers=late), np.vstack([c, c]))
    np.testing.assert_array_equal(batch.trigger_states[0, :, 1], [False] * 4)
    # with 10 + 10 still to come the pool is worth less than the 70 owed: no call, the trust runs
    # on (senior 20 and sub 30 of 50 paid from Y2's 40 and the 20 after)
    r = run_waterfall(annual(tranches, triggers=trig), np.array([80.0, 40, 10, 10]))
    assert not r.call_proceeds.any()
    np.testing.assert_allclose(r.principal_paid.sum(0), [100, 40], atol=1e-12)


def test_collections_ratio_trigger_turbos_the_senior_by_hand():
    # Base case 30 a year (120 along 25/50/75/100 %); actual 30, 10, 30, 30. Senior 70 scheduled
    # 10, 10, 10, 40; Sub 50 with a 10 % fixed return; the incentive fee takes half the rest.
    # After Y2, 40 collected of 60 expected (67 % < 80 %): the trigger hits.
    # Without it: Y1 senior 10, sub 20; Y2 senior 10; Y3 senior 10, sub 20; Y4 senior 30 of 40
    # (10 lost). With it, from Y3 the senior takes all: Y3 30 (bal 10), Y4 10, then the sub 20.
    tranches = [
        {"name": "Senior", "balance": 70, "seniority": 1, "amortisation": [10, 10, 10, 40]},
        {"name": "Sub", "balance": 50, "seniority": 2, "fixed_return": 0.1},
    ]
    kw = {
        "recovery": {"total": 120, "cumulative": [0.25, 0.5, 0.75, 1.0]},
        "incentive_fee_share": 0.5,
    }
    c = np.array([30.0, 10, 30, 30])
    plain = run_waterfall(annual(tranches, **kw), c)
    trig = [
        {
            "name": "perf",
            "test": "cumulative_collections_ratio",
            "threshold": 0.8,
            "effect": "sequential_turbo",
        }
    ]
    turbo = run_waterfall(annual(tranches, triggers=trig, **kw), c)
    np.testing.assert_allclose(plain.principal_paid[:, 0], [10, 10, 10, 30], atol=1e-12)
    np.testing.assert_allclose(plain.principal_paid[:, 1], [20, 0, 20, 0], atol=1e-12)
    np.testing.assert_allclose(plain.loss, [10, 10], atol=1e-12)
    np.testing.assert_allclose(turbo.principal_paid[:, 0], [10, 10, 30, 20], atol=1e-12)
    np.testing.assert_allclose(turbo.principal_paid[:, 1], [20, 0, 0, 10], atol=1e-12)
    np.testing.assert_allclose(turbo.loss, [0, 20], atol=1e-12)
    np.testing.assert_array_equal(turbo.trigger_states[:, 0], [False, False, True, True])
    assert turbo.incentive_fee.sum() == 0 and turbo.fixed_return_paid.sum() == 0
    np.testing.assert_allclose(cash_in(turbo), cash_out(turbo), atol=1e-12)


def test_stop_incentive_fee_and_reserve_trigger():
    # Senior 100 at 8 % with a 1.5x reserve and an incentive fee of 20 %: collections of 1 in Y1
    # leave the reserve below target, so from Y2 no incentive fee is paid
    tranches = [
        {"name": "Senior", "balance": 100, "coupon": 0.08, "seniority": 1},
        {"name": "Sub", "balance": 10, "seniority": 2},
    ]
    trig = [
        {
            "name": "r",
            "test": "reserve_below_target",
            "threshold": 1,
            "effect": "stop_incentive_fee",
        }
    ]
    kw = {"incentive_fee_share": 0.2, "reserve": {"multiple": 1.5}}
    c = np.array([1.0, 200.0, 200.0])
    with_fee = run_waterfall(annual(tranches, **kw), c)
    stopped = run_waterfall(annual(tranches, triggers=trig, **kw), c)
    assert with_fee.incentive_fee[1:].sum() > 10
    assert stopped.incentive_fee.sum() == 0
    np.testing.assert_array_equal(stopped.trigger_states[:, 0], [False, True, True])
    # the one-scenario and many-scenario runs agree on every field
    many = run_waterfall(annual(tranches, triggers=trig, **kw), np.vstack([c, c * 0.1]))
    for field in ("incentive_fee", "reserve_balance", "balance", "trigger_states"):
        np.testing.assert_allclose(getattr(many, field)[0], getattr(stopped, field), atol=1e-12)


def test_trigger_probability_over_scenarios():
    tranches = [{"name": "A", "balance": 100, "seniority": 1}]
    trig = [{"name": "call", "test": "notes_below", "threshold": 0.5, "effect": "clean_up_call"}]
    c = np.array([[60.0, 10, 40], [10.0, 10, 10], [20.0, 40, 50], [0.0, 0, 0]])
    r = run_waterfall(annual(tranches, triggers=trig), c)
    # hit in scenario 1 (after Y1) and 3 (after Y2): 2 of 4. Scenario 1 is called in Y2 (the 40
    # still to come are worth the 40 owed); scenario 3 is not: Y3 is its last period, nothing is
    # left to buy
    np.testing.assert_allclose(r.trigger_probability(), [0.5])
    np.testing.assert_allclose(r.call_proceeds[0], [0, 40, 0])
    np.testing.assert_allclose(r.call_proceeds[2], [0, 0, 0])


# --- coverage ratios ------------------------------------------------------------------------------


def test_coverage_ratios_by_hand():
    # Senior 100 at 4 %, Sub 50; a 10 % collection fee; 60 a year for three years.
    # Y1: fee 6, net 54; interest due 4 -> IC 13.5 for both classes; senior repaid 50, so 120 still
    # to come covers the senior's 50 2.4x and all notes (100) 1.2x.
    tranches = [
        {"name": "Senior", "balance": 100, "coupon": 0.04, "seniority": 1},
        {"name": "Sub", "balance": 50, "seniority": 2},
    ]
    fees = [{"name": "Servicer", "basis": "collections", "rate": 0.1}]
    r = run_waterfall(annual(tranches, fees=fees), np.full(3, 60.0))
    np.testing.assert_allclose(r.ic_ratio[0], [13.5, 13.5])
    np.testing.assert_allclose(r.oc_ratio[0], [2.4, 1.2])
    # Y2: senior interest 2, senior repaid (52 of 50), sub 2 -> senior NaN, all notes 60 / 48
    np.testing.assert_allclose(r.ic_ratio[1], [27.0, 27.0])
    assert np.isnan(r.oc_ratio[1, 0]) and r.oc_ratio[1, 1] == pytest.approx(60 / 48)


# --- cash in = cash out with every feature on -----------------------------------------------------


@st.composite
def structured_deal(draw):
    n_tr = draw(st.integers(1, 3))
    tranches = []
    for k in range(n_tr):
        floating = draw(st.booleans())
        coupon = (
            {
                "index": "L",
                "spread": draw(st.floats(-0.02, 0.05)),
                "floor": draw(st.one_of(st.none(), st.floats(0, 0.02))),
                "cap": draw(st.one_of(st.none(), st.floats(0.03, 0.2))),
                "reset_periods": draw(st.integers(1, 3)),
            }
            if floating
            else draw(st.floats(0, 0.1))
        )
        tranches.append(
            {
                "name": f"T{k}",
                "balance": draw(st.floats(1, 200)),
                "coupon": coupon,
                "seniority": k + 1,
                "fixed_return": draw(st.sampled_from([0.0, 0.05])),
                "fixed_return_base": draw(st.sampled_from(["initial", "outstanding"])),
            }
        )
    fees = [
        {"name": "Tax", "basis": "collections", "rate": draw(st.floats(0, 0.05))},
        {"name": "Trustee", "basis": "fixed", "amount": draw(st.floats(0, 3)), "cap": 1.0},
        {"name": "Other", "basis": "fixed", "amount": 0.5, "position": "subordinated"},
    ]
    triggers = [
        {
            "name": f"g{i}",
            "test": draw(st.sampled_from(list(TRIGGER_TESTS))),
            "threshold": draw(st.floats(0, 1)),
            "effect": draw(st.sampled_from(list(TRIGGER_EFFECTS))),
        }
        for i in range(draw(st.integers(0, 3)))
    ]
    pre = None
    if draw(st.booleans()):
        pre = ["fee:Tax", "senior_fees", "reserve"] + [f"interest:{t['name']}" for t in tranches]
        pre += ["fee:Other"] + [f"principal:{t['name']}" for t in tranches]
        pre += [f"fixed_return:{t['name']}" for t in tranches] + ["incentive_fee", "fee_excess"]
    covers = st.lists(
        st.sampled_from(["senior_fees", "senior_interest", "senior_principal"]),
        min_size=1,
        max_size=3,
        unique=True,
    )
    support = {
        "liquidity_facility": draw(
            st.one_of(
                st.none(),
                st.fixed_dictionaries(
                    {
                        "limit": st.floats(0, 50),
                        "covers": covers,
                        "fee_rate": st.floats(0, 0.02),
                        "interest_rate": st.floats(0, 0.1),
                    }
                ),
            )
        ),
        "guarantee": draw(
            st.one_of(
                st.none(), st.fixed_dictionaries({"limit": st.floats(0, 100), "covers": covers})
            )
        ),
        "excess_spread_account": draw(
            st.one_of(
                st.none(), st.fixed_dictionaries({"limit": st.floats(0, 30), "covers": covers})
            )
        ),
    }
    if pre is not None:
        names = {
            "liquidity_facility": "LF",
            "guarantee": "Guarantee",
            "excess_spread_account": "ESA",
        }
        draws = [f"draw:{names[k]}" for k, v in support.items() if v]
        pre = pre[:3] + draws + pre[3:]
        pre += [f"repay:{names[k]}" for k in ("liquidity_facility", "guarantee") if support[k]]
        pre += ["trap:ESA"] if support["excess_spread_account"] else []
    return Deal.from_dict(
        {
            "name": "random",
            "payments_per_year": draw(st.sampled_from([1, 4])),
            "tranches": tranches,
            "fees": fees,
            **{k: v for k, v in support.items() if v is not None},
            "reserve": {"multiple": draw(st.floats(0, 2)), "initial": draw(st.floats(0, 5))},
            "incentive_fee_share": draw(st.floats(0, 0.5)),
            "default_event": draw(st.sampled_from(["senior_interest", "none"])),
            "rates": {"L": {"level": draw(st.floats(-0.01, 0.08))}},
            "triggers": triggers,
            "recovery": {"total": 300, "cumulative": [0.2, 0.5, 0.7, 0.9, 1.0, 1.0]},
            "pre_default_order": pre,
        }
    )


@settings(max_examples=150, deadline=None)
@given(d=structured_deal(), scale=st.floats(0, 2), shift=st.floats(-0.02, 0.05))
def test_cash_in_equals_cash_out_with_every_feature(d, scale, shift):
    c = d.base_collections() * np.array([[scale], [1.0], [0.2]])
    r = run_waterfall(d, c, rate_shift=shift)
    np.testing.assert_allclose(cash_in(r), cash_out(r), atol=1e-9)
    assert (r.balance >= -1e-9).all() and (r.reserve_balance >= -1e-9).all()
    # one scenario at a time gives the same numbers as the batch
    one = run_waterfall(d, c[0], rate_shift=shift)
    for field in (
        "balance",
        "interest_paid",
        "residual",
        "trigger_states",
        "call_proceeds",
        "support_in",
        "support_out",
        "support_balance",
    ):
        np.testing.assert_allclose(getattr(r, field)[0], getattr(one, field), atol=1e-9)


# --- bad input ------------------------------------------------------------------------------------


def with_senior(**senior):
    t = {"name": "Senior", "balance": 100, "coupon": 0.04, "seniority": 1} | senior
    return [t, {"name": "Sub", "balance": 10, "seniority": 2}]


@pytest.mark.parametrize(
    "kw, message",
    [
        (
            {"tranches": with_senior(coupon={"index": "L", "floor": 0.05, "cap": 0.03})},
            r"tranches\[0\].coupon: floor 0.05 is above cap 0.03",
        ),
        (
            {"tranches": with_senior(coupon={"index": "LPR1Y"})},
            r"tranches\[0\].coupon.index: 'LPR1Y' is not one of the deal's rates",
        ),
        (
            {"triggers": [{"name": "x", "test": "oc_test", "effect": "clean_up_call"}]},
            r"triggers\[0\].test: unknown test 'oc_test'",
        ),
        (
            {"triggers": [{"name": "x", "test": "notes_below", "effect": "explode"}]},
            r"triggers\[0\].effect: unknown effect 'explode'",
        ),
        (
            {"pre_default_order": ["senior_fees", "fee:Audit", "principal:Senior"]},
            r"pre_default_order: step 'fee:Audit' names no fee of the deal",
        ),
        (
            {"rates": {"L": {"path": [0.01, 0.02]}}, "legal_maturity_periods": 3},
            r"rates.L.path: expected 3 periods, got 2",
        ),
        (
            {"triggers": [{"name": "t", "test": "cumulative_collections_ratio", "effect": "x"}]},
            r"triggers\[0\].effect: unknown effect",
        ),
        (
            {
                "triggers": [
                    {"name": "t", "test": "cumulative_collections_ratio", "effect": "clean_up_call"}
                ]
            },
            r"triggers\[0\].test: cumulative_collections_ratio .* needs the deal's recovery",
        ),
        (
            {"pre_default_order": ["senior_fees", "draw:LF", "principal:Senior"]},
            r"pre_default_order: step 'draw:LF' names no facility, guarantee or account",
        ),
        (
            {
                "liquidity_facility": {"limit": 5},
                "pre_default_order": ["draw:LF", "principal:Senior", "trap:LF"],
            },
            r"pre_default_order: step 'trap:LF': only an account traps",
        ),
        (
            {
                "excess_spread_account": {"limit": 5},
                "pre_default_order": ["draw:ESA", "principal:Senior", "repay:ESA"],
            },
            r"pre_default_order: step 'repay:ESA': an account is trapped, not repaid",
        ),
        (
            {"liquidity_facility": {"limit": 5, "covers": ["senior_interest", "senior_interest"]}},
            r"liquidity_facility.covers: an item appears twice",
        ),
        (
            {"guarantee": {"limit": -1}},
            r"guarantee.limit: Input should be greater than or equal to 0",
        ),
        (
            {"tranches": with_senior(fixed_return_base="current")},
            r"tranches\[0\].fixed_return_base: expected 'initial' or 'outstanding'",
        ),
    ],
)
def test_bad_structures_are_one_line_messages(kw, message):
    base = {"name": "bad", "tranches": with_senior()}
    with pytest.raises(ValueError, match=message):
        Deal.from_dict(base | kw)


def test_bad_rate_paths_at_run_time():
    d = floater()
    with pytest.raises(ValueError, match=r"rates.L: expected 4 periods .* got shape \(3,\)"):
        run_waterfall(d, np.ones(4), rates={"L": [0.01, 0.02, 0.03]})
    with pytest.raises(ValueError, match="rates: 'M' is the index of no floating tranche"):
        run_waterfall(d, np.ones(4), rates={"M": np.zeros(4)})
    with pytest.raises(ValueError, match="rates: 3 rate scenarios for 2 collection scenarios"):
        run_waterfall(d, np.ones((2, 4)), rates={"L": np.zeros((3, 4))})
    with pytest.raises(ValueError, match="rate_shift"):
        run_waterfall(d, np.ones(4), rate_shift=np.nan)


# --- the two dialects of the generated loop -------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    d=structured_deal(),
    scale=st.floats(0, 2),
    zeros=st.integers(0, 6),
    shift=st.floats(-0.02, 0.05),
)
def test_one_scenario_on_floats_is_the_vector_run_bit_for_bit(d, scale, zeros, shift):
    # one scenario runs the deal's loop written on Python floats (npl_xl.models.waterfall.compile);
    # the same steps written on numpy vectors, run on a batch of that one scenario, are the
    # reference: every record identical, not merely close
    c = d.base_collections() * scale
    c[:zeros] = 0.0
    c, plan = waterfall._prepared(d, c, None, shift)
    fast, ref = waterfall._run(plan, c), waterfall._run(plan, c[None, :])
    for name in waterfall.RECORDS:
        np.testing.assert_array_equal(fast[name], ref[name][0], err_msg=name)
    last = waterfall._run(plan, c, last_only=True)
    np.testing.assert_array_equal(last["balance"], ref["balance"][0, -1:])


def test_fees_that_sum_to_the_cash_leave_no_negative_cash_on_floats():
    # 0 + 65.508 + 79.084 + 10.292 == 154.884 in floats, but 154.884 - 65.508 - 79.084 - 10.292
    # is -1.2e-14: the one-scenario shortcut once paid every fee in full and then paid that
    # negative cash as interest (-1.2e-14 a period), where the vector run pays 0 (found in review)
    fees = [
        {"name": f"F{i}", "basis": "fixed", "amount": a}
        for i, a in enumerate((65.508, 79.084, 10.292))
    ]
    d = annual([{"name": "A", "balance": 100, "coupon": 0.05, "seniority": 1}], fees=fees)
    c, plan = waterfall._prepared(d, np.full(3, 0 + 65.508 + 79.084 + 10.292), None, 0.0)
    one, batch = waterfall._run(plan, c), waterfall._run(plan, c[None, :])
    assert (one["interest_paid"] >= 0).all()
    for name in waterfall.RECORDS:
        np.testing.assert_array_equal(one[name], batch[name][0], err_msg=name)


# --- facility, guarantee, excess-spread account ---------------------------------------------------


def test_liquidity_facility_by_hand():
    # Senior 100 at 10 %, Sub 20; a facility of 8 covering senior interest at 10 % on what is drawn;
    # collected 5, 0, 200. Y1: interest 10, cash 5, draw 5. Y2: interest 10 (+0.5 on the draw),
    # nothing collected, 3 left to draw: 3 paid, 7 in arrears. Y3: interest 17 paid; the facility
    # takes 0.5 + 0.8 of interest and 8 drawn (9.3); senior 100, sub 20, residual 53.7.
    tranches = [
        {"name": "Senior", "balance": 100, "coupon": 0.10, "seniority": 1},
        {"name": "Sub", "balance": 20, "seniority": 2},
    ]
    lf = {"limit": 8, "interest_rate": 0.10}
    r = run_waterfall(annual(tranches, liquidity_facility=lf), np.array([5.0, 0.0, 200.0]))
    assert r.support_names == ("LF",)
    np.testing.assert_allclose(r.support_in[:, 0], [5, 3, 0], atol=1e-12)
    np.testing.assert_allclose(r.support_out[:, 0], [0, 0, 9.3], atol=1e-12)
    np.testing.assert_allclose(r.support_balance[:, 0], [5, 8, 0], atol=1e-12)
    np.testing.assert_allclose(r.interest_paid[:, 0], [10, 3, 17], atol=1e-12)
    np.testing.assert_allclose(r.residual, [0, 0, 53.7], atol=1e-12)
    np.testing.assert_allclose(cash_in(r), cash_out(r), atol=1e-12)


def test_guarantee_covers_senior_principal_at_maturity_up_to_its_limit():
    # Senior 100 (no coupon), Sub 20, 30 a year for three years: 10 of senior principal is short
    # at legal maturity. A guarantee of 15 pays it (the sub loses 20); one of 5 leaves the senior 5
    # short.
    tranches = [
        {"name": "Senior", "balance": 100, "seniority": 1},
        {"name": "Sub", "balance": 20, "seniority": 2},
    ]
    c = np.full(3, 30.0)
    full = run_waterfall(annual(tranches, guarantee={"limit": 15}), c)
    np.testing.assert_allclose(full.support_in[:, 0], [0, 0, 10], atol=1e-12)
    np.testing.assert_allclose(full.loss, [0, 20], atol=1e-12)
    part = run_waterfall(annual(tranches, guarantee={"limit": 5}), c)
    np.testing.assert_allclose(part.support_in[:, 0], [0, 0, 5], atol=1e-12)
    np.testing.assert_allclose(part.loss, [5, 20], atol=1e-12)


def test_excess_spread_account_by_hand():
    # Senior 100 at 10 % scheduled 20, 20, 60; Sub 10; an account with a target of 6 covering senior
    # interest; collected 50, 0, 100. Y1: interest 10, senior 20, sub 10, 6 trapped, residual 4.
    # Y2: interest 8 due, nothing collected: the account pays 6, 2 in arrears. Y3: interest 10,
    # senior 80, residual 10 (the account is empty).
    tranches = [
        {
            "name": "Senior",
            "balance": 100,
            "coupon": 0.10,
            "seniority": 1,
            "amortisation": [20, 20, 60],
        },
        {"name": "Sub", "balance": 10, "seniority": 2},
    ]
    r = run_waterfall(
        annual(tranches, excess_spread_account={"limit": 6}), np.array([50.0, 0.0, 100.0])
    )
    np.testing.assert_allclose(r.support_out[:, 0], [6, 0, 0], atol=1e-12)
    np.testing.assert_allclose(r.support_in[:, 0], [0, 6, 0], atol=1e-12)
    np.testing.assert_allclose(r.support_balance[:, 0], [6, 0, 0], atol=1e-12)
    np.testing.assert_allclose(r.interest_paid[:, 0], [10, 6, 10], atol=1e-12)
    np.testing.assert_allclose(r.residual, [4, 0, 10], atol=1e-12)
    # released at the trust's last payment date when nothing needs it
    kept = run_waterfall(
        annual(tranches, excess_spread_account={"limit": 6}), np.array([50.0, 50.0, 100.0])
    )
    np.testing.assert_allclose(kept.support_in[:, 0], [0, 0, 6], atol=1e-12)
    np.testing.assert_allclose(kept.support_balance[-1, 0], 0, atol=1e-12)


@pytest.mark.parametrize("name", ["credit_card", "mortgage"])
def test_a_facility_with_limit_zero_changes_nothing(name):
    d = load_example(name)
    with_lf = d.with_changes(
        pre_default_order=None,
        post_default_order=None,
        liquidity_facility={"limit": 0, "covers": ["senior_fees", "senior_interest"]},
    )
    plain = d.with_changes(pre_default_order=None, post_default_order=None)
    scen = stressed(d.base_collections(), haircut=np.linspace(0, 0.95, 8), delay=3)
    for c in (scen, scen[5]):
        a, b = run_waterfall(plain, c), run_waterfall(with_lf, c)
        for field in ("interest_paid", "principal_paid", "balance", "fees_paid", "residual"):
            np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
        assert not b.support_in.any() and not b.support_out.any()


def test_a_rated_guarantor_fails_in_its_default_probability_of_scenarios():
    # a C-rated guarantor (idealised pd ~ 1 over the deal's life) never pays; an Aaa one
    # (pd ~ 0) always does: the senior's Monte Carlo PD moves from the unguaranteed deal's to 0
    from npl_xl.models.rating import default_probability_of
    from npl_xl.models.simulation import tranche_statistics

    tranches = [
        {"name": "Senior", "balance": 100, "seniority": 1},
        {"name": "Sub", "balance": 20, "seniority": 2},
    ]
    c = np.random.default_rng(3).uniform(0, 60, (4000, 3))
    plain = tranche_statistics(annual(tranches), c)
    strong = tranche_statistics(
        annual(tranches, guarantee={"limit": 200, "rating": "Aaa"}), c, seed=1
    )
    weak = tranche_statistics(annual(tranches, guarantee={"limit": 200, "rating": "C"}), c, seed=1)
    mid = tranche_statistics(annual(tranches, guarantee={"limit": 200, "rating": "B3"}), c, seed=1)
    assert plain.pd[0] > 0.3 and strong.pd[0] <= 0.001 and weak.pd[0] == plain.pd[0]
    # a B3 guarantor fails in about its pd of scenarios: the senior defaults in that share of the
    # unguaranteed defaults (binomial, 5 standard errors)
    p = default_probability_of("B3", 3.0)
    expected = plain.pd[0] * p
    assert abs(mid.pd[0] - expected) < 5 * np.sqrt(expected * (1 - expected) / 4000)
    with pytest.raises(ValueError, match="rating: 'ZZ' is neither"):
        tranche_statistics(annual(tranches, guarantee={"limit": 1, "rating": "ZZ"}), c)
    # a limit replaced by name: 0 pays nothing, the support keeps its name
    zero = run_waterfall(
        annual(tranches, guarantee={"limit": 200}), c[:5], support_limits={"Guarantee": 0.0}
    )
    assert zero.support_names == ("Guarantee",) and not zero.support_in.any()
    with pytest.raises(ValueError, match="support_limits: 'X' is no facility"):
        run_waterfall(annual(tranches), c, support_limits={"X": 1.0})


# --- structures in the deal workbook and in Excel options -----------------------------------------


def structured_example():
    d = load_example("credit_card")
    data = d.to_dict()
    data["tranches"][0]["coupon"] = {
        "index": "LPR1Y",
        "spread": 0.004,
        "floor": 0.02,
        "cap": 0.06,
        "reset_periods": 4,
    }
    data["tranches"][1]["fixed_return"] = 0.02
    data["tranches"][1]["fixed_return_base"] = "outstanding"
    n = d.legal_maturity_periods
    data["rates"] = {
        "LPR1Y": {"level": 0.0345, "source": "LPR 2026-10-20"},
        "SHIBOR3M": {"path": [round(0.015 + 0.0005 * k, 6) for k in range(n)]},
    }
    data["triggers"] = [
        {
            "name": "perf",
            "test": "cumulative_collections_ratio",
            "threshold": 0.7,
            "effect": "sequential_turbo",
        },
        {"name": "call", "test": "notes_below", "threshold": 0.1, "effect": "clean_up_call"},
    ]
    data["liquidity_facility"] = {"limit": 800, "fee_rate": 0.003, "interest_rate": 0.04}
    data["guarantee"] = {"limit": 5000, "rating": "AA+"}
    data["excess_spread_account"] = {"name": "Reserve 2", "limit": 300}
    data["pre_default_order"] = data["post_default_order"] = None
    return Deal.from_dict(data)


def test_structures_round_trip_through_the_deal_workbook(tmp_path):
    from npl_xl.workbook.reader import read_deal_workbook
    from npl_xl.workbook.template import write_deal_workbook

    d = structured_example()
    path = tmp_path / "structured.xlsx"
    write_deal_workbook(path, d)
    back = read_deal_workbook(path).deal
    for key in (
        "tranches",
        "rates",
        "triggers",
        "liquidity_facility",
        "guarantee",
        "excess_spread_account",
    ):
        assert getattr(back, key) == getattr(d, key), key
    assert back.orders() == d.orders()
    c = d.base_collections()
    np.testing.assert_array_equal(run_waterfall(back, c).balance, run_waterfall(d, c).balance)


def test_a_user_adds_a_trigger_row_to_the_template(tmp_path):
    # as a user would: type a row under the Triggers table (openpyxl grows the table's ref as Excel
    # does when a row is typed below it), then the reader finds it
    from openpyxl import load_workbook

    from npl_xl.workbook.reader import read_deal_workbook
    from npl_xl.workbook.template import write_deal_workbook

    path = tmp_path / "deal.xlsx"
    write_deal_workbook(path, load_example("mortgage"))
    wb = load_workbook(path)
    ws = wb["Structures"]
    table = ws.tables["Triggers"]
    assert not ws.protection.sheet
    first, last = table.ref.split(":")
    row = int("".join(ch for ch in last if ch.isdigit()))
    if ws.cell(row=row, column=5).value is not None:
        row += 1
    for col, v in zip(range(5, 9), ["call", "notes_below", 0.1, "clean_up_call"]):
        ws.cell(row=row, column=col, value=v)
    table.ref = f"{first}:H{row}"
    wb.save(path)
    deal = read_deal_workbook(path).deal
    assert [(t.name, t.test, t.effect) for t in deal.triggers] == [
        ("call", "notes_below", "clean_up_call")
    ]


def test_excel_options_take_rates_for_floating_coupons():
    from npl_xl.tables import deal_from_tables

    tranches = [
        ["Name", "Balance", "Index", "Spread", "Cap", "Reset periods"],
        ["A", 100, "LPR1Y", 0.01, 0.05, 2],
        ["B", 20, None, None, None, None],
    ]
    d, _ = deal_from_tables(tranches, None, [["rates", "LPR1Y=0.0345, SHIBOR3M=0.02"]])
    assert d.tranches[0].coupon.index == "LPR1Y" and d.tranches[0].coupon.reset_periods == 2
    assert d.rates["LPR1Y"].level == 0.0345
    with pytest.raises(ValueError, match="options: rates: expected NAME=number pairs"):
        deal_from_tables(tranches, None, [["rates", "LPR1Y 0.03"]])
    with pytest.raises(ValueError, match=r"tranches row 2 \(A\): give a coupon or an index"):
        deal_from_tables(
            [tranches[0] + ["Coupon"], tranches[1] + [0.03]], None, [["rates", "LPR1Y=0.03"]]
        )
    with pytest.raises(ValueError, match=r"tranches row 3 \(B\): spread: a floating coupon needs"):
        deal_from_tables(
            [tranches[0], tranches[1], ["B", 20, None, 0.01, None, None]],
            None,
            [["rates", "LPR1Y=0.03"]],
        )


def test_the_stress_table_shifts_the_issue_rate():
    # one year, 100 collected, Senior 80 at 5 %: +30 % makes 108 due (fails), +10 % 88 (passes)
    import pandas as pd

    from npl_xl.models import analysis, sizing

    d = annual(
        [
            {"name": "Senior", "balance": 80, "coupon": 0.05, "seniority": 1},
            {"name": "Sub", "balance": 20, "seniority": 2},
        ]
    )
    table = pd.DataFrame(
        {
            "rating": ["AAAsf", "AAsf"],
            "haircut": [0.0, 0.0],
            "delay_months": [0, 0],
            "issue_rate_shift": [0.3, 0.1],
        }
    )
    out = analysis.stress_ratings(d, [100.0], table=table)
    assert str(out.ratings[0]) == "AAsf"
    np.testing.assert_array_equal(out.passed[:, 0], [False, True])
    # sizing under AAAsf: the senior may be s with 1.35 s <= 100: s = 74 (to 1 unit)
    assert sizing.max_tranche_size(d, [100.0], "Senior", "AAAsf", table=table) == 74.0
    with pytest.raises(ValueError, match="issue_rate_shift: give annual decimals"):
        analysis.load_stress_table(table.assign(issue_rate_shift=[30, 10]))


def test_a_call_releases_the_reserve_in_its_period():
    # with a reserve the call period is the trust's last: the reserve is released then, in one
    # scenario and in a batch alike
    tranches = [
        {"name": "Senior", "balance": 100, "coupon": 0.04, "seniority": 1},
        {"name": "Sub", "balance": 50, "seniority": 2},
    ]
    trig = [{"name": "call", "test": "notes_below", "threshold": 0.5, "effect": "clean_up_call"}]
    d = annual(tranches, triggers=trig, reserve={"multiple": 1.0, "initial": 3.0})
    c = np.array([90.0, 40, 40, 40])
    one = run_waterfall(d, c)
    batch = run_waterfall(d, np.vstack([c, c * 0.5]))
    assert one.call_proceeds[1] > 0 and one.reserve_balance[1] == 0 and one.reserve_release[1] > 0
    for field in ("reserve_balance", "reserve_release", "residual", "call_proceeds", "balance"):
        np.testing.assert_allclose(getattr(batch, field)[0], getattr(one, field), atol=1e-12)
    np.testing.assert_allclose(cash_in(batch), cash_out(batch), atol=1e-12)


def test_every_step_kind_has_one_template():
    # each kind of step a deal's order may hold is written once, for both dialects
    from npl_xl.deal import STEP_KINDS
    from npl_xl.models.waterfall.steps import STEPS

    assert sorted(STEPS) == sorted(STEP_KINDS)
