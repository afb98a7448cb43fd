"""Waterfall defects of issue 21, each on a small deal worked by hand to the cent."""

import numpy as np

from npl_xl.deal import Deal, load_example
from npl_xl.models import analysis
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
