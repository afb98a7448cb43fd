"""Waterfall defects of issue 21, each on a small deal worked by hand to the cent."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_structures import structured_deal

from npl_xl.deal import Deal, load_example
from npl_xl.models import analysis, waterfall
from npl_xl.models.waterfall import run_waterfall


def annual(tranches, **kw):
    base = {"name": "hand", "payments_per_year": 1, "default_event": "none", "tranches": tranches}
    return Deal.from_dict(base | kw)


SENIOR_SUB = [
    {"name": "Senior", "balance": 100, "coupon": 0.10, "seniority": 1},
    {"name": "Sub", "balance": 20, "seniority": 2},
]


# --- (1) the final period: legal maturity or an exercised call, nothing else ----------------------


def test_an_uneconomic_call_does_not_end_the_trust_by_hand():
    # Senior 100 at 10 %, Sub 20; reserve 1 x next senior interest, 10 at closing; a guarantee of
    # 200 on senior principal; a call trigger hit once any note is repaid. Collected 30, 20, 20, 60.
    # Y1: interest 10, senior principal 20 (80 left); the trigger is hit.
    # Y2: the call would cost 80 + 8 and the pool has 80 to come: not exercised, so the trust goes
    #     on: reserve target 8 (2 released), 22 pays 8 of interest and 14 of principal (66 left),
    #     and the guarantee pays nothing (principal is due only at legal maturity).
    # Y3: price 72.6 > 60 to come; target 6.6 (1.4 released), 21.4 pays 6.6 and 14.8 (51.2 left).
    # Y4: legal maturity: 6.6 released, 66.6 pays 5.12, 51.2 and 10.28 of the sub.
    d = annual(
        SENIOR_SUB,
        reserve={"multiple": 1, "initial": 10},
        guarantee={"limit": 200, "covers": ["senior_principal"]},
        triggers=[
            {"name": "call", "test": "notes_below", "threshold": 1.0, "effect": "clean_up_call"}
        ],
    )
    c = np.array([30.0, 20.0, 20.0, 60.0])
    one, many = run_waterfall(d, c), run_waterfall(d, np.array([c, c]))
    for r in (one, many):
        np.testing.assert_allclose(
            r.reserve_balance, np.broadcast_to([10, 8, 6.6, 0], r.reserve_balance.shape), atol=1e-12
        )
        senior = r.principal_paid[..., 0]
        np.testing.assert_allclose(
            senior, np.broadcast_to([20, 14, 14.8, 51.2], senior.shape), atol=1e-12
        )
        np.testing.assert_allclose(r.principal_paid[..., -1, 1], 10.28, atol=1e-12)
        np.testing.assert_allclose(r.call_proceeds, 0.0)
        np.testing.assert_allclose(r.support_in, 0.0)


def test_an_optional_call_never_lifts_the_break_even():
    d = load_example("credit_card")
    call = [{"name": "call", "test": "notes_below", "threshold": 0.5, "effect": "clean_up_call"}]
    base = d.base_collections()
    np.testing.assert_array_equal(
        analysis.breakeven_haircut(d.with_changes(triggers=call), base),
        analysis.breakeven_haircut(d, base),
    )


# --- (3) break-even and first loss at the first failure; non-monotone tranches flagged -----------


def turbo_deal():
    # Senior 57 repaid at legal maturity (schedule 0, 0, 57), Sub 40 pass-through, no coupons or
    # fees; base case 30, 30, 60. A collections-ratio trigger (cumulative below 90 % of the base
    # case) suspends the schedule (turbo) from the next period.
    return Deal.from_dict(
        {
            "name": "turbo",
            "payments_per_year": 1,
            "default_event": "none",
            "reserve": {"multiple": 0},
            "tranches": [
                {"name": "Senior", "balance": 57, "seniority": 1, "amortisation": [0, 0, 57]},
                {"name": "Sub", "balance": 40, "seniority": 2},
            ],
            "recovery": {"total": 120, "cumulative": [0.25, 0.5, 1.0]},
            "triggers": [
                {
                    "name": "turbo",
                    "test": "cumulative_collections_ratio",
                    "threshold": 0.9,
                    "effect": "sequential_turbo",
                }
            ],
        }
    )


def test_breakeven_and_first_loss_stop_at_the_first_failure_by_hand():
    # haircut h up to 10 %: no trigger; the sub takes Y1 and Y2, the senior gets Y3's 60 (1 - h):
    # paid while h <= 5 %, a unit short from h = 1/15. Above 10 % the trigger turbos the senior
    # from Y2: it gets 90 (1 - h) and passes again up to h = 36.67 %.
    d = turbo_deal()
    base = d.base_collections()
    np.testing.assert_allclose(base, [30, 30, 60])
    for h, senior_paid in ((0.04, True), (0.06, False), (0.09, False), (0.11, True), (0.36, True)):
        r = run_waterfall(d, base * (1 - h))
        assert analysis.paid_in_full(r)[0] == senior_paid, h
    be = analysis.breakeven(d, base, detail=True)
    np.testing.assert_allclose(be.values[0], 0.05, atol=2e-6)
    assert be.non_monotone.tolist() == [True, False]
    fl = analysis.breakeven(d, base, first_loss=True, detail=True)
    np.testing.assert_allclose(fl.values[0], 1 / 15, atol=2e-6)
    assert fl.non_monotone[0]
    np.testing.assert_allclose(analysis.breakeven_haircut(d, base)[0], 0.05, atol=2e-6)
    one = analysis.breakeven(d, base, tranche="Senior", detail=True)
    assert one.values == be.values[0] and one.non_monotone


def test_a_grid_boundary_is_the_first_failure():
    # unpaid per delay: the senior passes at 0 and 1, fails at 2, passes at 3, fails at 4
    d = turbo_deal()
    unpaid = np.array([[0, 0], [0, 0], [5, 0], [0, 0], [5, 2]], float)
    out = analysis._boundary_grid(d, unpaid, np.arange(5), first_loss=False)
    np.testing.assert_array_equal(out.values, [1, 3])
    assert out.non_monotone.tolist() == [True, False]
    first = analysis._boundary_grid(d, unpaid, np.arange(5), first_loss=True)
    np.testing.assert_array_equal(first.values, [2, 4])


# --- (2) a batch gives the same numbers as its scenarios run one by one -------------------------


def test_a_reserve_target_is_kept_per_scenario_by_hand():
    # Senior 100 at 10 %, Sub 20; reserve 1 x next senior interest, none at closing; a trigger
    # "reserve below 90 % of its target" stops the incentive fee (50 % of what is left).
    # A collects 0, 0, 200: its senior interest is unpaid in Y1, so from Y2 it is in the
    # post-default order, whose reserve step sets A's target to 0.
    # B collects 20, 5, 200. Y1: target 10, topped up from 20, interest 10 paid. Y2: 5 collected,
    # interest 10 = 5 of cash + 5 of reserve: the reserve (5) is below 90 % of B's target (10), so
    # from Y3 no incentive fee. Y3 (legal maturity): 5 released, 205 pays 10, 100, the sub's 20,
    # and 75 is residual. In a batch with A, B must not take A's target of 0.
    d = annual(
        SENIOR_SUB,
        default_event="senior_interest",
        reserve={"multiple": 1},
        incentive_fee_share=0.5,
        triggers=[
            {
                "name": "low",
                "test": "reserve_below_target",
                "threshold": 0.9,
                "effect": "stop_incentive_fee",
            }
        ],
    )
    a, b = np.array([0.0, 0.0, 200.0]), np.array([20.0, 5.0, 200.0])
    alone = run_waterfall(d, b)
    np.testing.assert_allclose(alone.reserve_balance, [10, 5, 0], atol=1e-12)
    np.testing.assert_allclose(alone.interest_paid[:, 0], [10, 10, 10], atol=1e-12)
    np.testing.assert_allclose(alone.incentive_fee, [0, 0, 0], atol=1e-12)
    np.testing.assert_allclose(alone.residual, [0, 0, 75], atol=1e-12)
    assert alone.trigger_states[:, 0].tolist() == [False, False, True]
    many = run_waterfall(d, np.array([a, b]))
    assert many.default_event[0].tolist() == [False, True, True]
    for name in waterfall.RECORDS:
        np.testing.assert_array_equal(getattr(many, name)[1], getattr(alone, name), err_msg=name)


@settings(max_examples=150, deadline=None)
@given(
    d=structured_deal(),
    scales=st.lists(st.floats(0, 2), min_size=2, max_size=5),
    zeros=st.lists(st.integers(0, 6), min_size=5, max_size=5),
    shift=st.floats(-0.02, 0.05),
)
def test_a_batch_gives_the_numbers_of_its_scenarios_run_one_by_one(d, scales, zeros, shift):
    # random deals with triggers, supports, floaters and calls; scenarios of different scales,
    # some with nothing collected for a while (default events, reserve draws, calls)
    base = d.base_collections()
    c = np.array([base * x for x in scales])
    for s, z in enumerate(zeros[: len(c)]):
        c[s, :z] = 0.0
    many = run_waterfall(d, c, rate_shift=shift)
    for s in range(len(c)):
        one = run_waterfall(d, c[s], rate_shift=shift)
        for name in waterfall.RECORDS:
            np.testing.assert_allclose(
                getattr(many, name)[s], getattr(one, name), rtol=0, atol=1e-9, err_msg=name
            )


# --- (6) a support without its draw step in a written-out order is refused -----------------------


def test_a_written_order_without_the_draw_step_is_refused_in_one_line():
    d = load_example("credit_card")
    with pytest.raises(ValueError) as err:
        d.with_changes(liquidity_facility={"limit": 1000})
    assert str(err.value) == (
        "deal: pre_default_order: the liquidity facility 'LF' has no 'draw:LF' step; add it "
        "where it pays (e.g. after 'reserve') or leave the order out for the default"
    )
    pre, post = d.orders()
    i, j = pre.index("reserve") + 1, post.index("reserve") + 1
    refused = "^deal: post_default_order: the guarantee 'G' has no 'draw:G'"
    with pytest.raises(ValueError, match=refused):
        d.with_changes(
            guarantee={"name": "G", "limit": 10}, pre_default_order=pre[:i] + ["draw:G"] + pre[i:]
        )
    # with the draw step written where it pays, it pays
    ok = d.with_changes(
        liquidity_facility={"limit": 1000},
        pre_default_order=pre[:i] + ["draw:LF"] + pre[i:],
        post_default_order=post[:j] + ["draw:LF"] + post[j:],
    )
    c = d.base_collections()
    c[:3] = 0.0
    assert run_waterfall(ok, c).support_in.sum() > 0


# --- (4) the excess-spread account: filled in the default order, released by priority ------------


def esa_deal(**kw):
    schedule = kw.pop("schedule", [20, 20, 60])
    tranches = [
        {"name": "Senior", "balance": 100, "coupon": 0.10, "seniority": 1},
        {"name": "Sub", "balance": 10, "seniority": 2},
    ]
    tranches[0]["amortisation"] = schedule
    return annual(tranches, reserve={"multiple": 0}, **kw)


def test_the_account_fills_before_the_sub_and_pays_the_senior_at_legal_maturity_by_hand():
    # Senior 100 at 10 % scheduled 20, 20, 60; Sub 10 pass-through; an account with a target of
    # 6. Collected 50, 50, 60. Y1: interest 10, senior 20, 6 trapped (the default order traps
    # before the sub's principal), sub 10, residual 4. Y2: interest 8, senior 20, the account is
    # full, residual 22. Y3 (legal maturity): the 6 joins the period's cash before the first step:
    # 66 pays interest 6 and the senior's last 60 (released after principal, the senior would be
    # 6 short and the 6 would go to the residual).
    d = esa_deal(excess_spread_account={"limit": 6})
    r = run_waterfall(d, np.array([50.0, 50.0, 60.0]))
    np.testing.assert_allclose(r.support_out[:, 0], [6, 0, 0], atol=1e-12)
    np.testing.assert_allclose(r.support_in[:, 0], [0, 0, 6], atol=1e-12)
    np.testing.assert_allclose(r.principal_paid[:, 0], [20, 20, 60], atol=1e-12)
    np.testing.assert_allclose(r.principal_paid[:, 1], [10, 0, 0], atol=1e-12)
    np.testing.assert_allclose(r.residual, [4, 22, 0], atol=1e-12)
    np.testing.assert_allclose(r.loss, [0, 0], atol=1e-12)


def test_the_account_is_released_by_priority_after_a_default_event_by_hand():
    # As above over four years (schedule 20, 20, 20, 40), the account covering senior fees only
    # (there are none), a default event on unpaid senior interest. Collected 50, 0, 0, 200.
    # Y1: as above, 6 trapped. Y2: nothing collected, 8 of interest unpaid: default event.
    # Y3 (post-default): the account's 6 is released before the first step and pays 6 of the 16 of
    # interest due. Y4: 200 pays the 18 of interest, the senior's 80, and 102 is residual.
    d = esa_deal(
        schedule=[20, 20, 20, 40],
        default_event="senior_interest",
        excess_spread_account={"limit": 6, "covers": ["senior_fees"]},
    )
    r = run_waterfall(d, np.array([50.0, 0.0, 0.0, 200.0]))
    np.testing.assert_array_equal(r.default_event, [False, False, True, True])
    np.testing.assert_allclose(r.support_balance[:, 0], [6, 6, 0, 0], atol=1e-12)
    np.testing.assert_allclose(r.support_in[:, 0], [0, 0, 6, 0], atol=1e-12)
    np.testing.assert_allclose(r.interest_paid[:, 0], [10, 0, 6, 18], atol=1e-12)
    np.testing.assert_allclose(r.principal_paid[:, 0], [20, 0, 0, 80], atol=1e-12)
    np.testing.assert_allclose(r.residual, [4, 0, 0, 102], atol=1e-12)


# --- (5) the facility ranks above the notes' interest; the guarantee after the trust's account ----


def test_the_liquidity_facility_is_repaid_before_the_notes_after_a_default_by_hand():
    # Senior 100 at 10 %, Sub 20; a facility of 8 on senior interest; collected 0, 0, 120.
    # Y1: 8 drawn, 2 of interest unpaid: default event. Y2: nothing. Y3 (post-default): the
    # facility is repaid its 8 first, then 22 of interest, 90 of principal: the senior is 10 short
    # (the facility bridges liquidity; it is not credit support).
    d = annual(
        SENIOR_SUB,
        default_event="senior_interest",
        reserve={"multiple": 0},
        liquidity_facility={"limit": 8},
    )
    r = run_waterfall(d, np.array([0.0, 0.0, 120.0]))
    np.testing.assert_array_equal(r.default_event, [False, True, True])
    np.testing.assert_allclose(r.support_in[:, 0], [8, 0, 0], atol=1e-12)
    np.testing.assert_allclose(r.support_out[:, 0], [0, 0, 8], atol=1e-12)
    np.testing.assert_allclose(r.interest_paid[:, 0], [8, 0, 22], atol=1e-12)
    np.testing.assert_allclose(r.principal_paid[:, 0], [0, 0, 90], atol=1e-12)
    np.testing.assert_allclose(r.loss, [10, 20], atol=1e-12)


def test_the_guarantee_pays_after_the_trusts_account_and_ranks_once_by_hand():
    # Senior 100 at 10 % scheduled 20, 20, 60; Sub 10; an account of 6 and a guarantee of 50, both
    # on senior interest. Collected 50, 0, 100. Y1: interest 10, senior 20, 6 trapped, sub 10,
    # residual 4. Y2: 8 of interest due, nothing collected: the account pays 6, the guarantee the
    # other 2. Y3: 100 pays 8 of interest, the senior's 80, reimburses the guarantor 2, residual 10.
    d = esa_deal(
        excess_spread_account={"limit": 6},
        guarantee={"limit": 50, "covers": ["senior_interest"]},
    )
    r = run_waterfall(d, np.array([50.0, 0.0, 100.0]))
    assert r.support_names == ("Guarantee", "ESA")
    np.testing.assert_allclose(r.support_in, [[0, 0], [2, 6], [0, 0]], atol=1e-12)
    np.testing.assert_allclose(r.support_out, [[0, 6], [0, 0], [2, 0]], atol=1e-12)
    np.testing.assert_allclose(r.interest_paid[:, 0], [10, 8, 8], atol=1e-12)
    np.testing.assert_allclose(r.residual, [4, 0, 10], atol=1e-12)
    # reimbursed at one rank: after every tranche's principal, before and after a default event
    for order in d.orders():
        last = max(i for i, s in enumerate(order) if s.startswith("principal:"))
        assert order[last + 1] == "repay:Guarantee"


def test_a_principal_facility_bridges_a_scheduled_shortfall_but_is_no_credit_support_by_hand():
    # Senior 100 (no coupon) scheduled 50, 50; Sub 20; a facility of 30 on senior principal.
    # Collected 20, 130: Y1 draws 30 and pays the 50 scheduled; Y2 (legal maturity) repays the
    # facility first, then the senior's 50 and the sub's 20, 30 residual.
    tranches = [
        {"name": "Senior", "balance": 100, "seniority": 1, "amortisation": [50, 50]},
        {"name": "Sub", "balance": 20, "seniority": 2},
    ]
    d = annual(
        tranches,
        reserve={"multiple": 0},
        liquidity_facility={"limit": 30, "covers": ["senior_principal"]},
    )
    r = run_waterfall(d, np.array([20.0, 130.0]))
    np.testing.assert_allclose(r.support_in[:, 0], [30, 0], atol=1e-12)
    np.testing.assert_allclose(r.support_out[:, 0], [0, 30], atol=1e-12)
    np.testing.assert_allclose(r.principal_paid, [[50, 0], [50, 20]], atol=1e-12)
    np.testing.assert_allclose(r.residual, [0, 30], atol=1e-12)
    # collected 20, 60: at legal maturity the facility is repaid its 30 and not drawn again (it
    # would never be repaid): the senior is 20 short
    r = run_waterfall(d, np.array([20.0, 60.0]))
    np.testing.assert_allclose(r.support_in[:, 0], [30, 0], atol=1e-12)
    np.testing.assert_allclose(r.support_out[:, 0], [0, 30], atol=1e-12)
    np.testing.assert_allclose(r.loss, [20, 20], atol=1e-12)
