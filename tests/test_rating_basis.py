"""Rating basis (issue 20): a "timely" tranche passes a stress only if every payment date's
interest is paid on that date and its principal by legal maturity; an "ultimate" one only needs
both by legal maturity. Small deals worked by hand to the cent."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_structures import structured_deal

from npl_xl.deal import Deal
from npl_xl.models import analysis, sizing, waterfall
from npl_xl.models.simulation import tranche_statistics
from npl_xl.models.waterfall import run_waterfall, unpaid_at_maturity

# base case 100 then 60 collected; the AAAsf stress delays it by two years (nothing collected in
# years 1 and 2), AAsf does not stress it
BASE = np.array([100.0, 60.0, 0.0, 0.0])
TABLE = pd.DataFrame({"rating": ["AAAsf", "AAsf"], "haircut": [0.0, 0.0], "delay_months": [24, 0]})


def deal(senior_basis=None, **kw):
    senior = {"name": "Senior", "balance": 100, "coupon": 0.05, "seniority": 1}
    if senior_basis:
        senior["rating_basis"] = senior_basis
    data = {
        "name": "basis",
        "payments_per_year": 1,
        "default_event": "none",
        "reserve": {"multiple": 0},
        "tranches": [senior, {"name": "Sub", "balance": 20, "seniority": 2}],
    }
    return Deal.from_dict(data | kw)


def test_bases_default_timely_senior_ultimate_others_and_round_trip():
    assert deal().rating_bases() == ("timely", "ultimate")
    assert deal("ultimate").rating_bases() == ("ultimate", "ultimate")
    d = deal("timely")
    assert d.to_dict()["tranches"][0]["rating_basis"] == "timely"
    assert "rating_basis" not in deal().to_dict()["tranches"][0]
    assert Deal.from_dict(d.to_dict()) == d
    # the most senior is the first in payment order, not the first listed
    listed = deal().to_dict()
    listed["tranches"] = listed["tranches"][::-1]
    assert Deal.from_dict(listed).rating_bases() == ("timely", "ultimate")


def test_a_bad_basis_is_one_line_naming_the_tranche():
    with pytest.raises(ValueError) as err:
        deal("on time")
    assert str(err.value) == (
        "tranches[0].rating_basis: expected 'timely' or 'ultimate' for tranche Senior, "
        "got 'on time'"
    )


def test_missed_coupons_repaid_later_fail_timely_pass_ultimate_by_hand():
    # AAAsf: 0, 0, 100, 60 collected, no reserve. Senior 100 at 5 %: Y1 interest 5 missed, Y2
    # 10 in arrears; Y3 pays 15 of interest and 85 of principal; Y4 0.75 of interest and the last
    # 15: repaid in full by legal maturity, but 10 of interest was missed on the Y2 date.
    r = run_waterfall(deal(), np.array([0.0, 0.0, 100.0, 60.0]))
    np.testing.assert_allclose(r.interest_paid[:, 0], [0, 0, 15, 0.75], atol=1e-12)
    np.testing.assert_allclose(r.interest_missed[:, 0], [5, 10, 10, 10], atol=1e-12)
    np.testing.assert_allclose(r.interest_missed[:, 1], 0.0)
    assert r.rating_basis == ("timely", "ultimate")
    np.testing.assert_allclose(r.loss, [0, 0], atol=1e-12)
    np.testing.assert_allclose(r.unpaid, [10, 0], atol=1e-12)
    np.testing.assert_array_equal(analysis.paid_in_full(r), [False, True])
    u = unpaid_at_maturity(deal(), np.array([0.0, 0.0, 100.0, 60.0]))
    np.testing.assert_allclose(u, [10, 0], atol=1e-12)
    # the senior fails AAAsf on the timely basis (AAsf: no delay, every coupon on time) ...
    timely = analysis.stress_ratings(deal(), BASE, table=TABLE)
    assert [str(x) for x in timely.ratings] == ["AAsf", "AAAsf"]
    # ... and passes it on the ultimate basis (today's rule)
    ultimate = analysis.stress_ratings(deal("ultimate"), BASE, table=TABLE)
    assert [str(x) for x in ultimate.ratings] == ["AAAsf", "AAAsf"]


def test_a_reserve_that_pays_the_coupons_keeps_aaa_by_hand():
    # reserve 10 at closing, target 2 x next senior interest (10 while the senior is 100): Y1 and
    # Y2 pay 5 each from it; Y3 tops it up to 10 from 100, pays 5 of interest and 85 of
    # principal; Y4 releases it (legal maturity): 70 pays 0.75 + 15 + the sub's 20, 34.25 left
    d = deal(reserve={"multiple": 2, "initial": 10})
    r = run_waterfall(d, np.array([0.0, 0.0, 100.0, 60.0]))
    np.testing.assert_allclose(r.interest_paid[:, 0], [5, 5, 5, 0.75], atol=1e-12)
    np.testing.assert_allclose(r.reserve_balance, [5, 0, 10, 0], atol=1e-12)
    np.testing.assert_allclose(r.residual, [0, 0, 0, 34.25], atol=1e-12)
    np.testing.assert_allclose(r.interest_missed, 0.0, atol=1e-12)
    assert str(analysis.stress_ratings(d, BASE, table=TABLE).ratings[0]) == "AAAsf"


def test_solvers_apply_the_basis():
    # break-even delay: the timely senior survives no delay at all (one missed coupon fails it),
    # on the ultimate basis it survives a 2-year delay (0, 0, 100, 60: all repaid) but not 3
    # (0, 0, 0, 100: 100 < 100 + 15 + 5 owed)
    assert analysis.breakeven(deal(), BASE, "delay")[0] == 0
    assert analysis.breakeven(deal("ultimate"), BASE, "delay")[0] == 2
    # first loss counts the missed coupon: 1 unit of interest missed at a delay of one year
    assert analysis.breakeven(deal(), BASE, "delay", first_loss=True)[0] == 1
    # sizing: at AAAsf (two-year delay, no reserve) no timely senior with a coupon passes
    assert sizing.max_tranche_size(deal(), BASE, "Senior", "AAAsf", table=TABLE) == 0.0
    assert sizing.max_tranche_size(deal("ultimate"), BASE, "Senior", "AAAsf", table=TABLE) > 100


def test_monte_carlo_default_probability_counts_a_missed_coupon():
    # two scenarios: on time, and delayed two years; the timely senior defaults in the second
    c = np.array([[100.0, 60.0, 0.0, 0.0], [0.0, 0.0, 100.0, 60.0]])
    np.testing.assert_allclose(tranche_statistics(deal(), c).pd, [0.5, 0.0])
    np.testing.assert_allclose(tranche_statistics(deal("ultimate"), c).pd, [0.0, 0.0])
    np.testing.assert_allclose(tranche_statistics(deal(), c).el, [0.0, 0.0])


@settings(max_examples=100, deadline=None)
@given(d=structured_deal(), scale=st.floats(0, 2), zeros=st.integers(0, 6))
def test_interest_missed_batch_and_one_scenario_agree(d, scale, zeros):
    c = d.base_collections() * np.array([[scale], [1.0], [0.3]])
    c[:, :zeros] = 0.0
    many = run_waterfall(d, c)
    for s in range(len(c)):
        one = run_waterfall(d, c[s])
        np.testing.assert_allclose(many.interest_missed[s], one.interest_missed, atol=1e-9)
        last = unpaid_at_maturity(d, c[s])
        np.testing.assert_allclose(last, one.unpaid, atol=1e-9)
    # a running maximum, never below the arrears after the period
    assert (np.diff(many.interest_missed, axis=1) >= 0).all()
    arrears = many.interest_due - many.interest_paid
    assert (many.interest_missed >= arrears - 1e-12).all()
    np.testing.assert_allclose(unpaid_at_maturity(d, c), many.unpaid, atol=1e-9)
    assert waterfall.rating_bases(d) == d.rating_bases()


def test_excel_functions_read_a_rating_basis_column():
    """The tranches range of every Excel function may carry a `Rating basis` column (评级基础):
    on the hand-worked deal above (no reserve) the senior's delay break-even is 0 years on the
    timely basis the default gives it (a one-year delay already misses the first coupon) and 2 on
    the ultimate basis (a two-year delay still repays everything by legal maturity)."""
    from npl_xl import xl

    options = [["payments_per_year", 1], ["default_event", "none"], ["reserve_multiple", 0]]
    fees = [["Name", "Basis", "Rate"]]
    header = ["Name", "Balance", "Coupon", "Seniority", "Rating basis"]
    senior = ["Senior", 100, 0.05, 1]
    c = [[x] for x in BASE]
    ours = [header, senior + [""], ["Sub", 20, 0, 2, ""]]
    ultimate = [header, senior + ["ultimate"], ["Sub", 20, 0, 2, ""]]
    assert xl.BREAKEVEN(c, ours, fees, "Senior", "delay", False, options) == 0
    assert xl.BREAKEVEN(c, ultimate, fees, "Senior", "delay", False, options) == 2
    bad = [header, senior + ["on time"], ["Sub", 20, 0, 2, ""]]
    assert "rating_basis" in str(xl.BREAKEVEN(c, bad, fees, "Senior", "delay", False, options))
