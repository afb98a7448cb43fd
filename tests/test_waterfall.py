"""Waterfall engine: small deals computed by hand, invariants on random deals, bad input."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from npl_xl.deal import Deal
from npl_xl.models.recovery import stressed
from npl_xl.models.waterfall import irr, run_waterfall


def deal(**kw):
    base = {
        "name": "hand",
        "payments_per_year": 4,
        "tranches": [
            {"name": "Senior", "balance": 100, "coupon": 0.04, "seniority": 1},
            {"name": "Sub", "balance": 20, "seniority": 2, "issue_price": 110},
        ],
        "reserve": {"multiple": 0},
    }
    return Deal.from_dict(base | kw)


def cash_out(r):
    """Everything paid out each period (fees, notes, reserve, support, residual)."""
    return (
        r.interest_paid.sum(-1)
        + r.principal_paid.sum(-1)
        + r.fixed_return_paid.sum(-1)
        + r.fees_paid.sum(-1)
        + r.incentive_fee
        + r.reserve_topup
        + r.residual
        + r.support_out.sum(-1)
    )


def test_four_period_deal_by_hand():
    # Worked by hand (quarterly, senior 100 at 4 %, sub 20; tax 1 % of collections; trustee 0.5 a
    # period
    # capped at 0.4 with the excess at the bottom; 20 % incentive fee; collections 40, 40, 40, 10):
    # P1: fees 0.8, interest 1.00, senior principal 38.2 -> 61.8; excess trustee 0.1 unpaid
    # P2: fees 0.8, interest 0.618, senior principal 38.582 -> 23.218
    # P3: fees 0.8, interest 0.23218, senior principal 23.218 -> 0, sub principal 15.74982 ->
    # 4.25018
    # P4: fees 0.1 + 0.4, sub principal 4.25018, incentive 20 % x 5.24982 = 1.049964,
    #     trustee excess 0.4 (4 x 0.1), residual 3.799856
    d = deal(
        fees=[
            {"name": "tax", "basis": "collections", "rate": 0.01},
            {"name": "trustee", "basis": "fixed", "amount": 0.5, "cap": 0.4},
        ],
        incentive_fee_share=0.2,
    )
    r = run_waterfall(d, [40, 40, 40, 10])
    np.testing.assert_allclose(r.interest_paid[:, 0], [1.0, 0.618, 0.23218, 0.0], atol=5e-10)
    np.testing.assert_allclose(
        r.principal_paid, [[38.2, 0], [38.582, 0], [23.218, 15.74982], [0, 4.25018]], atol=5e-10
    )
    np.testing.assert_allclose(r.balance[:, 0], [61.8, 23.218, 0, 0], atol=5e-10)
    np.testing.assert_allclose(
        r.fees_paid, [[0.4, 0.4], [0.4, 0.4], [0.4, 0.4], [0.1, 0.8]], atol=5e-10
    )
    np.testing.assert_allclose(r.incentive_fee, [0, 0, 0, 1.049964], atol=5e-10)
    np.testing.assert_allclose(r.residual, [0, 0, 0, 3.799856], atol=5e-10)
    np.testing.assert_allclose(r.collections, cash_out(r), atol=1e-12)
    m = r.metrics()
    np.testing.assert_allclose(m.loss, [0, 0])
    # WAL of the senior by hand: (38.2 x .25 + 38.582 x .5 + 23.218 x .75) / 100
    assert m.wal[0] == pytest.approx((38.2 * 0.25 + 38.582 * 0.5 + 23.218 * 0.75) / 100)
    assert m.expected_maturity.tolist() == [0.75, 1.0]


def test_liquidity_reserve_by_hand():
    # one tranche 100 at 4 % quarterly, fixed fee 1 a period, reserve 1.5 x (next fees + senior
    # interest)
    # P1: coll 5: fee 1, target 1.5 x (1 + 1) = 3 -> top-up 3, interest 1.
    # P2: coll 0: fee 1 and interest 1 drawn from the reserve (3 -> 1); no default event.
    # P3 (last): coll 200: fee 1, target 0 -> release 1, interest 1, principal 100, residual 99.
    d = Deal.from_dict(
        {
            "name": "r",
            "payments_per_year": 4,
            "tranches": [{"name": "A", "balance": 100, "coupon": 0.04, "seniority": 1}],
            "fees": [{"name": "f", "basis": "fixed", "amount": 1.0}],
            "reserve": {"multiple": 1.5},
        }
    )
    r = run_waterfall(d, [5, 0, 200])
    np.testing.assert_allclose(r.reserve_topup, [3, 0, 0])
    np.testing.assert_allclose(r.reserve_release, [0, 2, 1])
    np.testing.assert_allclose(r.reserve_balance, [3, 1, 0])
    np.testing.assert_allclose(r.interest_paid[:, 0], [1, 1, 1])
    np.testing.assert_allclose(r.residual, [0, 0, 99])
    assert not r.default_event.any()
    np.testing.assert_allclose(r.collections + r.reserve_release, cash_out(r), atol=1e-12)


def test_default_event_switches_order_and_stops_incentive_fee():
    # P1: nothing collected, senior interest 1 unpaid -> default event from P2.
    # P2 (post-default): interest 2 (with arrears), principal 48. P3: interest 0.52, principal 52,
    # sub 20,
    # no incentive fee, residual 200 - 0.52 - 52 - 20 = 127.48.
    d = deal(incentive_fee_share=0.3)
    r = run_waterfall(d, [0, 50, 200])
    assert r.default_event.tolist() == [False, True, True]
    np.testing.assert_allclose(r.interest_paid[:, 0], [0, 2, 0.52])
    np.testing.assert_allclose(r.principal_paid, [[0, 0], [48, 0], [52, 20]])
    assert r.incentive_fee.sum() == 0
    assert r.residual[-1] == pytest.approx(127.48)
    # without the default rule the same cash pays the incentive fee
    r2 = run_waterfall(deal(incentive_fee_share=0.3, default_event="none"), [0, 50, 200])
    assert r2.incentive_fee.sum() > 0


def test_fixed_return_and_scheduled_amortisation():
    d = Deal.from_dict(
        {
            "name": "s",
            "payments_per_year": 2,
            "tranches": [
                {
                    "name": "A",
                    "balance": 100,
                    "coupon": 0.04,
                    "seniority": 1,
                    "amortisation": [30, 30, 40],
                },
                {"name": "B", "balance": 50, "seniority": 2, "fixed_return": 0.02},
            ],
            "reserve": {"multiple": 0},
        }
    )
    r = run_waterfall(d, [60, 60, 100])
    # P1: interest 2, scheduled 30, then B takes 28 (the schedule leaves cash for the junior)
    np.testing.assert_allclose(r.principal_paid[0], [30, 28])
    # fixed return accrues 50 x 2 % / 2 = 0.5 a period, paid once B is repaid
    assert r.fixed_return_paid.sum() == pytest.approx(1.5)


def test_vector_equals_scalar_runs():
    d = deal(
        fees=[
            {"name": "t", "basis": "notes_balance", "rate": 0.01, "cap": 0.2},
            {"name": "s", "basis": "collections", "rate": 0.05},
            {"name": "x", "basis": "fixed", "amount": 0.3, "position": "subordinated"},
        ],
        incentive_fee_share=0.25,
        reserve={"multiple": 1.5, "initial": 2.0},
    )
    rng = np.random.default_rng(3)
    c = rng.uniform(0, 60, (7, 6))
    c[2] = 0.0
    c[3, :2] = 0.0  # triggers a default event in one scenario only
    rv = run_waterfall(d, c)
    for s in range(len(c)):
        rs = run_waterfall(d, c[s])
        for name in (
            "interest_paid",
            "principal_paid",
            "balance",
            "fees_paid",
            "reserve_balance",
            "residual",
            "incentive_fee",
            "reserve_release",
            "default_event",
        ):
            np.testing.assert_allclose(
                getattr(rv, name)[s], getattr(rs, name), atol=1e-12, err_msg=name
            )
    assert rv.default_event[3].any() and not rv.default_event[0].any()


def test_irr_by_hand():
    # price 100, 110 received after one year -> 10 %; 5 + 105 over two years at par -> 5 %
    assert irr([110.0], [1.0], 100.0) == pytest.approx(0.10, abs=1e-12)
    assert irr([5.0, 105.0], [1.0, 2.0], 100.0) == pytest.approx(0.05, abs=1e-12)
    assert np.isnan(irr([0.0, 0.0], [1.0, 2.0], 100.0))


def test_accrual_with_dates():
    d = deal(closing_date="2021-03-15", first_payment_date="2021-06-26", day_count="ACT/365")
    frac = d.accrual_fractions(3)
    assert frac[0] == pytest.approx(103 / 365) and frac[1] == pytest.approx(92 / 365)
    r = run_waterfall(d, [50, 50, 50])
    assert r.interest_paid[0, 0] == pytest.approx(100 * 0.04 * 103 / 365)


# --- invariants on random deals ------------------------------------------------------------------

fee_st = st.fixed_dictionaries(
    {
        "name": st.text("abcdefgh", min_size=3, max_size=6),
        "basis": st.sampled_from(["fixed", "collections", "notes_balance"]),
        "size": st.floats(0, 0.05),
        "cap": st.one_of(st.none(), st.floats(0, 2)),
        "position": st.sampled_from(["senior", "senior", "subordinated"]),
    }
)


@st.composite
def random_deal(draw, junior_coupons=True):
    n_tr = draw(st.integers(1, 3))
    tranches = [
        {
            "name": f"T{k}",
            "balance": draw(st.floats(1, 200)),
            "coupon": draw(st.floats(0, 0.1)) if junior_coupons or k == 0 else 0.0,
            "seniority": k + 1,
        }
        for k in range(n_tr)
    ]
    fees = []
    for i, f in enumerate(draw(st.lists(fee_st, max_size=4))):
        size = f["size"] * (100 if f["basis"] == "fixed" else 1)
        fees.append(
            {
                "name": f"{f['name']}{i}",
                "basis": f["basis"],
                "position": f["position"],
                "cap": f["cap"],
                ("amount" if f["basis"] == "fixed" else "rate"): size,
            }
        )
    return Deal.from_dict(
        {
            "name": "random",
            "payments_per_year": draw(st.sampled_from([1, 2, 4, 12])),
            "tranches": tranches,
            "fees": fees,
            "reserve": {"multiple": draw(st.floats(0, 3)), "initial": draw(st.floats(0, 5))},
            "incentive_fee_share": draw(st.floats(0, 0.5)),
        }
    )


collections_st = st.lists(st.floats(0, 150), min_size=1, max_size=10)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(d=random_deal(), c=collections_st)
def test_invariants_on_random_deals(d, c):
    r = run_waterfall(d, np.array([c, np.array(c) * 0.5, np.zeros(len(c))]))
    # cash in = cash out, every period and scenario
    np.testing.assert_allclose(r.collections + r.reserve_release, cash_out(r), atol=1e-9)
    # balances never negative and never rise
    assert (r.balance >= -1e-9).all()
    assert (
        np.diff(
            np.concatenate(
                [np.broadcast_to(r.initial_balance, (3, 1, len(r.initial_balance))), r.balance],
                axis=1,
            ),
            axis=1,
        )
        <= 1e-9
    ).all()
    # before a default event no tranche gets principal while a more senior one still has a balance
    pre = ~r.default_event
    for k in range(1, r.balance.shape[-1]):
        got = (r.principal_paid[..., k] > 1e-9) & pre
        assert (r.balance[..., :k][got] <= 1e-9).all()
    assert (r.reserve_balance >= -1e-9).all() and (r.residual >= -1e-9).all()


# Juniors without coupons, as in NPL deals (docs/methodology.md §6). With coupon-bearing juniors the
# pre-default order pays junior interest ahead of senior principal, and a stress that triggers the
# default event earlier can *lower* the senior's loss (hypothesis found: collections [1, 0] delayed
# one
# period); that is the structure working as drafted, not an engine fault.
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    d=random_deal(junior_coupons=False),
    c=st.lists(st.floats(0, 150), min_size=2, max_size=10),
    h=st.lists(st.floats(0, 1), min_size=2, max_size=2),
    k=st.lists(st.integers(0, 4), min_size=2, max_size=2),
)
def test_losses_non_decreasing_in_haircut_and_delay(d, c, h, k):
    h1, h2 = sorted(h)
    k1, k2 = sorted(k)
    base = np.array(c)
    loss = run_waterfall(d, stressed(base, haircut=[h1, h2, h1], delay=[k1, k1, k2])).loss
    assert (loss[1] >= loss[0] - 1e-7).all() and (loss[2] >= loss[0] - 1e-7).all()


@settings(max_examples=40, deadline=None)
@given(d=random_deal(), n=st.integers(1, 12))
def test_zero_collections_pay_nothing_and_lose_everything(d, n):
    d = d.with_changes(reserve={"multiple": 1.0, "initial": 0.0})
    r = run_waterfall(d, np.zeros(n))
    np.testing.assert_allclose(r.loss, r.initial_balance)
    assert cash_out(r).sum() == 0 and r.interest_paid.sum() == 0


# --- bad deals and bad collections ----------------------------------------------------------------


@pytest.mark.parametrize(
    "change, message",
    [
        ({"tranches": [{"name": "A", "balance": -5, "seniority": 1}]}, r"tranches\[0\]\.balance"),
        (
            {"tranches": [{"name": "A", "balance": 5, "coupon": 3.3, "seniority": 1}]},
            r"tranches\[0\]\.coupon: 3.3 looks like a percent",
        ),
        ({"fees": [{"name": "f", "basis": "monthly", "rate": 0.01}]}, r"fees\[0\]\.basis"),
        ({"fees": [{"name": "f", "basis": "collections", "rate": 5}]}, r"fees\[0\]\.rate"),
        (
            {
                "tranches": [
                    {"name": "A", "balance": 5, "seniority": 1},
                    {"name": "A", "balance": 5, "seniority": 2},
                ]
            },
            "share a name",
        ),
        ({"payments_per_year": 3}, "payments_per_year"),
        ({"pre_default_order": ["senior_fees", "interest:Z"]}, "pre_default_order"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_deals_name_the_field(change, message):
    with pytest.raises(ValueError, match=message):
        deal(**change)


def test_bad_collections():
    d = deal(legal_maturity_periods=4)
    with pytest.raises(ValueError, match="expected 4 periods"):
        run_waterfall(d, [1, 2, 3])
    with pytest.raises(ValueError, match="collections"):
        run_waterfall(deal(), [1, -2, 3])
    with pytest.raises(ValueError, match="collections"):
        run_waterfall(deal(), [[[1.0]]])
    with pytest.raises(ValueError, match="collections"):
        run_waterfall(deal(), [1, np.nan])
