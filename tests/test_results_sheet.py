"""The deal workbook's Results sheet computes the rating memo's figures: its formulas, evaluated
through the real xlwings machinery (npl_xl.xlharness.evaluate, no Excel), equal the RatingRun the
memo is written from, for both bundled examples and a floating-rate deal with a trigger, a
liquidity facility and a written order."""

import datetime as dt
import math
import pathlib

import numpy as np
import pytest
from openpyxl import load_workbook

from npl_xl import xlharness
from npl_xl.deal import load_example
from npl_xl.models import analysis
from npl_xl.workbook.reader import read_deal_workbook
from npl_xl.workbook.results_sheet import DEAL_ARGS, DEAL_TAIL
from npl_xl.workbook.run import rate_inputs
from npl_xl.workbook.template import write_deal_workbook

ROOT = pathlib.Path(__file__).resolve().parents[1]
CELLS = ["B5", "B7", "A9", "M9"]
KMV_COLUMNS = ("asset_value", "default_point", "maturity", "distance_to_default")


def structured_deal():
    """The credit-card example with a floating senior coupon (LPR1Y), a collections trigger, a
    liquidity facility covering senior interest and a written pre-default order."""
    deal = load_example("credit_card")
    tranches = [t.model_dump() for t in deal.ordered_tranches]
    tranches[0]["coupon"] = {"index": "LPR1Y", "spread": 0.006, "floor": 0.02, "cap": 0.06}
    deal = deal.with_changes(
        pre_default_order=None,
        post_default_order=None,
        tranches=tranches,
        rates={"LPR1Y": {"level": 0.0345, "source": "PBoC LPR"}},
        triggers=[
            {
                "name": "Collections",
                "test": "cumulative_collections_ratio",
                "threshold": 0.9,
                "effect": "sequential_turbo",
            }
        ],
        liquidity_facility={
            "name": "LF",
            "limit": 800.0,
            "covers": ["senior_interest"],
            "fee_rate": 0.003,
            "interest_rate": 0.04,
        },
    )
    pre, _ = deal.orders()
    return deal.with_changes(pre_default_order=pre[:-2] + pre[-1:] + pre[-2:-1])


def costly(deal):
    """The deal with a collection cost rate of 5 %."""
    return deal.with_changes(recovery=deal.recovery.model_dump() | {"cost_rate": 0.05})


#: 21建鑫2's cut-off and closing dates (absbox.com.cn/deal/21JIANXIN02): 5.7 months apart
DATES = {"cutoff_date": dt.date(2021, 1, 1), "closing_date": dt.date(2021, 6, 22)}


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory):
    folder = tmp_path_factory.mktemp("results")
    built = {
        "structured": (structured_deal(), {}),
        "structured_zh": (structured_deal(), {"lang": "zh"}),
        # the timing fit to an expected senior maturity, the cash before closing from the curve
        "fitted": (
            costly(structured_deal()),
            {"terms": DATES | {"expected_senior_maturity": 2.0}},
        ),
        # ... and given; and given without a fit
        "fitted_known": (
            costly(load_example("credit_card")),
            {"terms": DATES | {"expected_senior_maturity": 2.0, "collected_before_closing": 900.0}},
        ),
        "before_closing": (
            costly(load_example("mortgage")),
            {"terms": {"collected_before_closing": 2500.0}},
        ),
        # blank assumptions take the rating's defaults, on the sheet too (a formula of a blank
        # cell shows 0, and Lite passes a blank as 0)
        "blank_assumptions": (
            costly(load_example("credit_card")),
            {
                "terms": DATES | {"expected_senior_maturity": 2.0},
                "assumptions": dict.fromkeys(
                    ("RecoveryVolatility", "RecoveryCorrelation", "DelayBeta", "DiscountRate")
                ),
            },
        ),
    }
    paths = {
        "credit_card": ROOT / "workbook_templates" / "example_credit_card.xlsx",
        "mortgage": ROOT / "workbook_templates" / "example_mortgage.xlsx",
    }
    for name, (deal, kwargs) in built.items():
        paths[name] = folder / f"{name}.xlsx"
        write_deal_workbook(paths[name], deal, **kwargs)
    return paths


def _same(got, want) -> None:
    if isinstance(want, float) and math.isnan(want):
        assert got == "n/a"
    else:
        assert got == pytest.approx(want, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize(
    "name, blank",
    [
        ("credit_card", None),
        ("mortgage", None),
        ("structured", None),
        ("fitted", None),
        ("fitted", 0),  # xlwings Lite: blank cells arrive as 0
        ("fitted_known", None),
        ("before_closing", 0),
        ("blank_assumptions", None),
        ("blank_assumptions", 0),
    ],
)
def test_results_values_equal_the_memos(name, blank, workbooks):
    path = workbooks[name]
    inputs = read_deal_workbook(path)
    if name == "blank_assumptions":
        assert {d[2] for d in inputs.defaults_used} >= {
            "recovery_vol",
            "recovery_correlation",
            "delay_beta",
            "discount_rate",
        }
    run = rate_inputs(inputs, paths=200)
    got = xlharness.evaluate(path, "Results", CELLS, blank=blank)
    # the most senior tranche's break-even haircut (memo: stress matrix, no delay)
    _same(got["B5"], float(run.breakeven[0]))
    # the base-case waterfall, tranche by tranche
    header, *rows = got["A9"]
    assert [r[0] for r in rows] == [t.name for t in run.deal.ordered_tranches]
    for k, row in enumerate(rows):
        _same(row[1], run.deal.ordered_tranches[k].balance)
        for column, value in zip(header[2:], row[2:]):
            _same(value, float(getattr(run.metrics, column)[k]))
    # the memo's KMV volatility (closed form, from the loan tape's Herfindahl index) and table
    _same(got["B7"], run.kmv_vol)
    for k, row in enumerate(got["M9"][1:]):
        assert row[0] == run.deal.ordered_tranches[k].name
        for j, column in enumerate((*KMV_COLUMNS, "default_probability"), start=1):
            _same(row[j], float(getattr(run.kmv, column)[k]))
    # a volatility typed over B7 reaches the KMV table
    typed = {"Results!B7": 0.25}
    table = xlharness.evaluate(path, "Results", ["M9"], typed=typed, blank=blank)["M9"]
    kmv = analysis.tranche_kmv(
        run.deal,
        run.collections,
        recovery_vol=0.25,
        discount_rate=run.setup.assumptions.discount_rate,
    )
    for k, row in enumerate(table[1:]):
        for j, column in enumerate((*KMV_COLUMNS, "default_probability"), start=1):
            _same(row[j], float(getattr(kmv, column)[k]))


def test_the_structures_reach_the_results(workbooks):
    """Without the structures the floating coupon has no rate, and the trigger and facility move
    the break-even: the Results sheet passes them all."""
    path = workbooks["structured"]
    assert DEAL_TAIL in load_workbook(path)["Results"]["A9"].value.text
    ev = xlharness._Evaluator(path, None)
    ws = ev.wb["Results"]
    args = [ev.reference(ws, a) for a in (*DEAL_ARGS.split(","), *DEAL_TAIL.split(","))]
    assert xlharness.call("WATERFALL_SUMMARY", *args[:4]).startswith(
        "#npl-xl: deal: tranches[0].coupon.index: 'LPR1Y' is not one of the deal's rates"
    )
    full = xlharness.call("BREAKEVEN_HAIRCUT", *args[:3], 1, *args[3:])
    rates_only = xlharness.call("BREAKEVEN_HAIRCUT", *args[:3], 1, *args[3:5])
    assert isinstance(full, float) and isinstance(rates_only, float) and full != rates_only


@pytest.mark.parametrize("name", ["fitted", "fitted_known", "before_closing"])
def test_the_timing_block_reaches_the_results(name, workbooks):
    """The memo's base case is not the Recovery sheet's collections here (the curve fitted to the
    expected senior maturity, or cash before closing that no stress touches): without the timing
    block the Results sheet would show other figures."""
    path = workbooks[name]
    run = rate_inputs(read_deal_workbook(path), paths=200)
    ev = xlharness._Evaluator(path, None)
    ws = ev.wb["Results"]
    args = [ev.reference(ws, a) for a in (*DEAL_ARGS.split(","), *DEAL_TAIL.split(","))]
    sheet = np.array([r[0] for r in args[0]])
    assert not np.allclose(np.pad(sheet, (0, len(run.collections) - len(sheet))), run.collections)
    full = xlharness.call("BREAKEVEN_HAIRCUT", *args[:3], 1, *args[3:])
    without = xlharness.call("BREAKEVEN_HAIRCUT", *args[:3], 1, *args[3:-1])
    _same(full, float(run.breakeven[0]))
    assert isinstance(without, float) and abs(without - full) > 1e-6


@pytest.mark.parametrize(
    "block, message",
    [
        ((("total_recovery", None),), "timing: total_recovery: required"),
        ((("total_recovery", 100.0), ("speed", 2.0)), "timing (row 2 of the range): unknown key"),
        (
            (("total_recovery", 100.0), ("cutoff_date", "June")),
            "timing (row 2 of the range): cutoff_date: expected a date (2024-06-30), got 'June'",
        ),
        (
            (("total_recovery", 100.0), ("collected_before_closing", -1.0)),
            "timing (row 2 of the range): collected_before_closing: must be >= 0",
        ),
        ((("total_recovery", 999.0),), "collections: add up to 300.00, not the timing block's"),
        (
            (("total_recovery", 300.0), ("cutoff_date", -5.0)),
            "timing (row 2 of the range): cutoff_date: expected a date (2024-06-30), got -5.0",
        ),
        (
            (("total_recovery", 300.0), ("closing_date", 1e10)),
            "timing (row 2 of the range): closing_date: expected a date",
        ),
        (
            (("total_recovery", float("nan")),),
            "timing (row 1 of the range): total_recovery: expected a number, got nan",
        ),
        (
            (("total_recovery", 300.0), ("TOTAL_RECOVERY", 300.0)),
            "timing (row 2 of the range): total_recovery is given twice",
        ),
        # as rate: an expected senior maturity of 0 is refused, not read as blank
        (
            (("total_recovery", 300.0), ("expected_senior_maturity", 0.0)),
            "maturity: must be > 0",
        ),
    ],
)
def test_a_bad_timing_block_is_named(block, message):
    got = xlharness.call("WATERFALL_SUMMARY", COLL, TRANCHES, None, None, RATES, *[None] * 3, block)
    assert isinstance(got, str) and got.startswith("#npl-xl: " + message), got


def test_a_chinese_workbook_and_lite_blanks_give_the_same_results(workbooks):
    """The zh workbook's translated headers and structured references, and blanks arriving as 0
    (xlwings Lite), give the English workbook's values."""
    english = xlharness.evaluate(workbooks["structured"], "Results", CELLS)
    chinese = xlharness.evaluate(workbooks["structured_zh"], "Results", CELLS)
    lite = xlharness.evaluate(workbooks["structured"], "Results", CELLS, blank=0)
    assert chinese["B5"] == english["B5"] == lite["B5"]
    for ref in ("A9", "M9"):
        assert [r[1:] for r in chinese[ref][1:]] == [r[1:] for r in english[ref][1:]]
        assert lite[ref] == english[ref]
    assert np.isfinite(english["B5"])


COLL = ((100.0,), (100.0,), (100.0,))
TRANCHES = (
    ("name", "balance", "coupon", "index"),
    ("A", 150.0, None, "LPR1Y"),
    ("B", 100.0, 0.0, None),
)
RATES = (("Index", "Level"), ("LPR1Y", 0.03))
TRIGGERS = ("Name", "Test", "Threshold", "Effect")


@pytest.mark.parametrize(
    "structures, message",
    [
        (
            [(("Index", "Level"), ("LPR1Y", "x"))],
            "rates (row 2, column 2 of the range): Level: expected a number, got 'x'",
        ),
        (
            [(TRIGGERS, ("t", "notes_below", 0.1, "clean_up_call"))],
            "rates: expected the Rates table with its header row (Index, Level, Path, Source); no "
            "Index, Level in the first row (found: Name, Test, Threshold, Effect)",
        ),
        (
            [RATES, (TRIGGERS, ("t", "notes_below", None, "clean_up_call"))],
            "triggers (row 2, column 3 of the range): Threshold: required, the cell is blank",
        ),
        (
            [RATES, None, (("Kind", "Limit"), ("facility", 5.0))],
            "supports (row 2, column 1 of the range): Kind: expected one of liquidity_facility,",
        ),
        (
            [RATES, None, None, (("Pre-default order", "Post-default order"), ("x", None))],
            "deal: pre_default_order: unknown step 'x'",
        ),
        ([5.0], "rates: expected the Rates table with its header row"),
    ],
)
def test_a_bad_structures_range_is_named(structures, message):
    got = xlharness.call("WATERFALL_SUMMARY", COLL, TRANCHES, None, None, *structures)
    assert got.startswith("#npl-xl: " + message), got


def test_short_collections_are_padded_to_the_legal_maturity():
    options = (("legal_maturity_periods", 5),)
    padded = xlharness.call("WATERFALL_SUMMARY", COLL, TRANCHES, None, options, RATES)
    full = COLL + ((0.0,), (0.0,))
    assert padded == xlharness.call("WATERFALL_SUMMARY", full, TRANCHES, None, options, RATES)
    assert xlharness.call("WATERFALL_SUMMARY", COLL + COLL, TRANCHES, None, options, RATES) == (
        "#npl-xl: collections: 6 periods, beyond the legal maturity (5 periods)"
    )


def test_a_trigger_at_a_ratio_of_one_is_not_hit_in_the_base_case():
    """The collections are the base case a collections trigger compares with: at a threshold of
    1 it never fires on them through rounding (before, about a quarter of random curves did)."""
    deal = load_example("credit_card")
    tranches = [["name", "balance", "coupon"]] + [
        [t.name, t.balance, t.coupon] for t in deal.ordered_tranches
    ]
    trigger = (TRIGGERS, ("x", "cumulative_collections_ratio", 1.0, "post_default_order"))
    rng = np.random.default_rng(1)
    for _ in range(40):
        c = tuple((float(v),) for v in deal.base_collections() * rng.uniform(0.5, 1.5, 24))
        with_trigger = xlharness.call("WATERFALL_SUMMARY", c, tranches, None, None, None, trigger)
        without = xlharness.call("WATERFALL_SUMMARY", c, tranches, None, None)
        for got, want in zip(with_trigger[1:], without[1:]):  # equal to within rounding
            assert got[0] == want[0] and got[1:] == pytest.approx(want[1:], rel=1e-12)


def test_only_a_collections_trigger_makes_the_collections_a_base_case():
    """A notes_below trigger needs no base case: zero collections run (the sub is not paid); a
    cumulative_collections_ratio trigger does, and negative or zero collections are named."""
    zero = tuple((0.0,) for _ in COLL)
    call = zero, TRANCHES, None, None, RATES
    notes = (TRIGGERS, ("t", "notes_below", 0.1, "clean_up_call"))
    ratio = (TRIGGERS, ("t", "cumulative_collections_ratio", 0.8, "post_default_order"))
    got = xlharness.call("WATERFALL_SUMMARY", *call, notes)
    assert got == xlharness.call("WATERFALL_SUMMARY", *call)
    assert not str(got).startswith("#npl-xl")
    assert xlharness.call("WATERFALL_SUMMARY", *call, ratio) == (
        "#npl-xl: collections: all zero; a cumulative_collections_ratio trigger compares with "
        "them as the base case"
    )
    negative = ((-1.0,),) + COLL[1:]
    assert xlharness.call("WATERFALL_SUMMARY", negative, TRANCHES, None, None, RATES, ratio) == (
        "#npl-xl: collections: must not be negative (they are the base case of the trigger)"
    )
