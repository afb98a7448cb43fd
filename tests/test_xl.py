"""The Excel functions through xlwings' own decorators and conversion code (npl_xl.xlharness)."""

import math
import pathlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from npl_xl import __version__, xlharness
from npl_xl.deal import load_example
from npl_xl.models import analysis, bet, diversity, kmv, rating, sizing
from npl_xl.models.waterfall import run_waterfall

ROOT = pathlib.Path(__file__).resolve().parents[1]
M = xlharness.MISSING
module, udfs, _ = xlharness.load()
call = xlharness.call
HEAVY = {
    "KMV_SOLVE",
    "WATERFALL",
    "WATERFALL_SUMMARY",
    "TRANCHE_KMV",
    "KMV_VOLATILITY",
    "POOL_HERFINDAHL",
    "BREAKEVEN_HAIRCUT",
    "BREAKEVEN",
    "MAX_TRANCHE_SIZE",
    "PORTFOLIO_LOSS",
}


def col(values):
    """A column range as COM delivers it: a tuple of one-element row tuples."""
    return tuple((v,) for v in values)


def block(rows):
    return tuple(tuple(r) for r in rows)


EX = load_example("credit_card")
COLL = EX.base_collections()
TRANCHES = block(
    [("Name", "Balance", "Coupon", "Seniority", "Issue price")]
    + [(t.name, t.balance, t.coupon, float(t.seniority), t.issue_price) for t in EX.tranches]
)
FEES = block(
    [("Name", "Basis", "Rate", "Amount", "Cap")]
    + [(f.name, f.basis, f.rate, f.amount, f.cap) for f in EX.fees]
)
OPTIONS = block(
    [("payments_per_year", 4.0), ("reserve_multiple", 1.5), ("incentive_fee_share", 0.2)]
)


# --- registration ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", module.FUNCTIONS)
def test_every_function_is_registered_with_docs(name):
    info = getattr(module, name).__xlfunc__
    assert info["category"] == "npl-xl" and not info["volatile"]
    # no wizard guard on the Results sheet's functions (xlwings #1574: 0 on open)
    assert info["call_in_wizard"] == (name not in HEAVY or name in module.ON_RESULTS_SHEET)
    assert info["ret"]["doc"] and len(info["ret"]["doc"]) <= 255
    for arg in info["args"]:
        assert not arg["doc"].startswith("Positional argument"), f"{name}.{arg['name']} has no doc"
        assert arg["options"].get("err_to_str") is True


def test_generated_vba_matches_golden_copy():
    golden = (ROOT / "excel" / "xlwings_udfs.bas").read_text()
    assert xlharness.vba_module() == golden, (
        "regenerate with: npl-xl excel vba --out excel/xlwings_udfs.bas --force"
    )
    for name in module.FUNCTIONS:
        assert f"Function {name}(" in golden
    for name in module.MACROS:  # the main jobs, runnable from Alt+F8 or a button
        assert f"Sub {name}()\n" in golden
        assert f'XLPy.CallUDF "npl_xl.xl", "{name}", Array(), ActiveWorkbook' in golden


def test_lite_main_reexports_every_function():
    text = (ROOT / "excel" / "lite" / "main.py").read_text()
    assert all(name in text for name in module.FUNCTIONS)
    assert "npl-xl" in (ROOT / "excel" / "lite" / "requirements.txt").read_text()


# --- parity: the Excel face equals the Python API to the last digit -------------------------------


def test_kmv_parity():
    assert call("KMV_PD", 120.0, 0.25, 80.0) == kmv.kmv_pd(120.0, 0.25, 80.0)
    assert call("KMV_PD", 120.0, 0.25, 80.0, 2.0, 0.05, "kmv") == kmv.kmv_pd(
        120.0, 0.25, 80.0, 2.0, 0.05, "kmv"
    )
    assert call("KMV_DD", 120.0, 0.25, 80.0, 3.0, 0.02) == kmv.distance_to_default(
        120.0, 0.25, 80.0, 3.0, 0.02
    )
    got = call("KMV_PD", col([100.0, 120.0, 150.0]), 0.25, 80.0)
    assert [r[0] for r in got] == kmv.kmv_pd(np.array([100.0, 120.0, 150.0]), 0.25, 80.0).tolist()
    s = kmv.merton_solve(3.0, 0.8, 10.0, 0.05, 1.0)
    assert call("KMV_SOLVE", 3.0, 0.8, 10.0, 0.05, 1.0) == [
        ["asset_value", s.asset_value],
        ["asset_vol", s.asset_vol],
        ["d1", s.d1],
        ["d2", s.d2],
        ["distance_to_default", s.distance_to_default],
        ["default_probability", s.default_probability],
    ]


def test_diversity_and_bet_parity():
    par, grp = [10.0, 10.0, 30.0, 20.0, 5.0, 5.0], ["X", "X", "X", "Y", "Y", "Z"]
    assert (
        call("DIVERSITY_SCORE", col(par), col(grp)) == diversity.diversity_score(par, grp) == 3.35
    )
    obl = ["A", "B", "C", "D", "E", "E"]
    assert call(
        "DIVERSITY_SCORE", col(par), col(grp[:4] + ["Y", "Y"]), col(obl)
    ) == diversity.diversity_score(par, grp[:4] + ["Y", "Y"], obl)
    assert call(
        "ALT_DIVERSITY_SCORE", col([1.0] * 50), 0.05, 0.1
    ) == diversity.alternative_diversity_score([1.0] * 50, 0.05, 0.1)
    g = [1.0, 1.0, 2.0, 2.0]
    assert call(
        "ALT_DIVERSITY_SCORE",
        col([1.0, 2.0, 3.0, 4.0]),
        col([0.1, 0.2, 0.1, 0.3]),
        0.3,
        col(g),
        0.05,
    ) == diversity.alternative_diversity_score(
        [1, 2, 3, 4], [0.1, 0.2, 0.1, 0.3], (["1", "1", "2", "2"], 0.3, 0.05)
    )
    matrix = block([(1.0, 0.2), (0.2, 1.0)])
    assert call(
        "ALT_DIVERSITY_SCORE", col([1.0, 2.0]), 0.1, matrix
    ) == diversity.alternative_diversity_score([1, 2], 0.1, np.array([[1, 0.2], [0.2, 1]]))
    assert call("BET_LOSS", 20.0, 0.1, 0.6, 0.05, 0.2) == bet.bet_expected_loss(
        20, 0.1, 0.6, 0.05, 0.2
    )
    probs = bet.bet_probabilities(12, 0.15)
    got = call("BET_DISTRIBUTION", 12.0, 0.15)
    assert got[0] == ["j", "P(j)", "cumulative"] and [r[1] for r in got[1:]] == probs.tolist()
    assert [r[2] for r in got[1:]] == np.cumsum(probs).tolist()


def test_deal_functions_parity():
    res = run_waterfall(EX, COLL)
    wf = call("WATERFALL", col(COLL.tolist()), TRANCHES, FEES, OPTIONS)
    header = wf[0]
    assert header[:3] == ["period", "years", "collections"] and len(wf) == len(COLL) + 1
    i = header.index("Senior principal")
    assert [r[i] for r in wf[1:]] == res.principal_paid[:, 0].tolist()
    j = header.index("residual")
    assert [r[j] for r in wf[1:]] == res.residual.tolist()
    summary = call("WATERFALL_SUMMARY", col(COLL.tolist()), TRANCHES, FEES, OPTIONS)
    m = res.metrics()
    assert summary[1][0] == "Senior" and summary[1][summary[0].index("wal")] == m.wal[0]
    assert summary[2][summary[0].index("issue_yield")] == m.issue_yield[1]
    k = analysis.tranche_kmv(EX, COLL, recovery_vol=0.25, discount_rate=0.05)
    got = call("TRANCHE_KMV", col(COLL.tolist()), TRANCHES, FEES, 0.25, 0.05, OPTIONS)
    assert [r[-1] for r in got[1:]] == k.default_probability.tolist()
    be = analysis.breakeven_haircut(EX, COLL)
    assert call("BREAKEVEN_HAIRCUT", col(COLL.tolist()), TRANCHES, FEES, "Sub", OPTIONS) == be[1]
    assert call("BREAKEVEN_HAIRCUT", col(COLL.tolist()), TRANCHES, FEES, 1.0, OPTIONS) == be[0]
    mix = {"residential": 0.6, "unsecured": 0.4}
    size = sizing.max_tranche_size(EX, COLL, "Senior", "AAsf", mix=mix)
    opts = block([("asset_mix", "residential=0.6, unsecured=0.4")])
    got = call("MAX_TRANCHE_SIZE", col(COLL.tolist()), TRANCHES, FEES, "Senior", "AAsf", None, opts)
    assert (
        got == size and 0 < size < EX.ordered_tranches[0].balance + EX.ordered_tranches[1].balance
    )
    table = analysis.load_stress_table()
    cells = [list(table.columns)] + table.astype(object).values.tolist()
    assert call("MAX_TRANCHE_SIZE", col(COLL.tolist()), TRANCHES, FEES, 1, "AAsf", cells) == (
        sizing.max_tranche_size(EX, COLL, "Senior", "AAsf")
    )
    assert call("MAX_TRANCHE_SIZE", col(COLL.tolist()), TRANCHES, FEES, 1, "AAAAsf").startswith(
        "#npl-xl: rating: 'AAAAsf' is not a level of the stress table"
    )
    for variable, first in (("haircut", True), ("delay", False), ("issue_rate_shift", False)):
        x = analysis.breakeven(EX, COLL, variable, first_loss=first)
        got = call("BREAKEVEN", col(COLL.tolist()), TRANCHES, FEES, "Senior", variable, first)
        assert got == x[0], variable


def test_portfolio_loss_parity():
    from npl_xl.models.portfolio import loss_distribution

    p, e = [0.02, 0.05, 0.1, 0.03], [10.0, 20.0, 5.0, 15.0]
    for method, extra in (("exact", ()), ("lhp", ()), ("mc", (5000.0, 3.0))):
        got = call("PORTFOLIO_LOSS", col(p), col(e), 0.6, 0.25, 0.05, 0.2, method, *extra)
        d = loss_distribution(p, e, [0.6], 0.25, method=method, paths=5000, seed=3)
        assert got == d.tranche_expected_loss(0.05, 0.2)
    assert call("PORTFOLIO_LOSS", col(p), col(e), 0.6, 0.25, 0.05, 0.2, "mc", 0.5).startswith(
        "#npl-xl: paths"
    )


def test_rating_and_version():
    assert (
        call("RATING_FROM_EL", 0.001, 3.0)
        == rating.rating_from_expected_loss(0.001, 3.0).labelled()
    )
    assert call("RATING_FROM_PD", 0.036, 10.0, "cn_sf") == "BBBsf (illustrative)"
    assert call("NPLXL_VERSION") == __version__


# --- messages -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, text",
    [
        (
            ("KMV_PD", 100.0, 0.2, -2146826246),
            "#npl-xl: default_point: the cell holds the Excel error #N/A",
        ),
        (
            ("KMV_PD", 100.0, -2146826281, 80.0),
            "#npl-xl: asset_vol: the cell holds the Excel error #DIV/0!",
        ),
        (("KMV_PD", "abc", 0.2, 80.0), "#npl-xl: asset_value: expected a number, got text 'abc'"),
        (("KMV_PD", None, 0.2, 80.0), "#npl-xl: asset_value: expected a number, got a blank cell"),
        (
            ("KMV_PD", 100.0, 25.0, 80.0),
            "#npl-xl: asset_vol: 25 looks like a percent; give decimals (0.25 for 25 %)",
        ),
        (("KMV_PD", 0.0, 0.2, 80.0), "#npl-xl: asset_value: must be > 0, got 0"),
        (
            ("BET_LOSS", 10.0, 5.0, 0.5),
            "#npl-xl: pd: 5 looks like a percent; give decimals (0.05 for 5 %)",
        ),
        (("BET_LOSS", 10.0, 0.1, 0.5, 0.3, 0.2), "#npl-xl: attachment: must be below detachment"),
        (
            ("KMV_PD", block([(1.0, 2.0)]), 0.2, block([(1.0, 2.0, 3.0)])),
            "#npl-xl: mismatched lengths",
        ),
        (("RATING_FROM_EL", 0.01, 3.0, "fitch"), "#npl-xl: scale: expected one of moodys, cn_sf"),
    ],
)
def test_messages_name_the_argument(args, text):
    out = call(*args)
    assert isinstance(out, str) and out.startswith(text)


def test_deal_table_messages():
    bad = block([("Name", "Balance", "Coupon"), ("Senior", 41000.0, 3.3)])
    assert call("WATERFALL", col(COLL.tolist()), bad, FEES).startswith(
        "#npl-xl: tranches[0].coupon: 3.3 looks like a percent"
    )
    bad = block([("Name", "Balance", "Coupon"), ("Senior", "lots", 0.03)])
    assert (
        call("WATERFALL", col(COLL.tolist()), bad, FEES)
        == "#npl-xl: tranches row 2 (Senior): balance: expected a number, got 'lots'"
    )
    fees = block([("Name", "Basis", "Rate"), ("Tax", "weekly", 0.01)])
    assert call("WATERFALL", col(COLL.tolist()), TRANCHES, fees).startswith(
        "#npl-xl: fees[0].basis: expected"
    )
    opts = block([("colour", "red")])
    assert call("WATERFALL", col(COLL.tolist()), TRANCHES, FEES, opts).startswith(
        "#npl-xl: options: unknown key 'colour'"
    )
    assert call("BREAKEVEN_HAIRCUT", col(COLL.tolist()), TRANCHES, FEES, "Mezz").startswith(
        "#npl-xl: tranche: expected one of Senior, Sub"
    )
    assert call("BREAKEVEN", col(COLL.tolist()), TRANCHES, FEES, 1.0, "rates") == (
        "#npl-xl: variable: expected haircut, delay, issue_rate_shift, got 'rates'"
    )
    assert call("BREAKEVEN", col(COLL.tolist()), TRANCHES, FEES, 1.0, "delay", "yes").startswith(
        "#npl-xl: first_loss: expected TRUE or FALSE"
    )


def test_blank_as_none_or_zero_behaves_the_same():
    # classic xlwings sends None for a blank optional cell, xlwings Lite sends 0
    for blank in (None, 0.0):
        assert call("KMV_PD", 120.0, 0.25, 80.0, blank, blank, blank) == kmv.kmv_pd(
            120.0, 0.25, 80.0
        )
        assert call("BET_LOSS", 10.0, 0.1, 0.5, blank, blank) == bet.bet_expected_loss(10, 0.1, 0.5)
        assert (
            call("RATING_FROM_PD", 0.01, 2.0, blank)
            == rating.rating_from_default_probability(0.01, 2.0).labelled()
        )
    # omitted optionals (VBA's missing marker) too
    assert call("KMV_PD", 120.0, 0.25, 80.0, M, M, M) == kmv.kmv_pd(120.0, 0.25, 80.0)
    # blank cells inside the tables (issue price, cap) mean the default either way
    t_none = block(
        [
            ("Name", "Balance", "Coupon", "Issue price"),
            ("Senior", 41000.0, 0.033, None),
            ("Sub", 10400.0, None, None),
        ]
    )
    t_zero = block(
        [
            ("Name", "Balance", "Coupon", "Issue price"),
            ("Senior", 41000.0, 0.033, 0.0),
            ("Sub", 10400.0, 0.0, 0.0),
        ]
    )
    f_none = block(
        [("Name", "Basis", "Rate", "Amount", "Cap"), ("Audit", "fixed", None, 5.0, None)]
    )
    f_zero = block([("Name", "Basis", "Rate", "Amount", "Cap"), ("Audit", "fixed", 0.0, 5.0, 0.0)])
    assert call("WATERFALL_SUMMARY", col(COLL.tolist()), t_none, f_none) == call(
        "WATERFALL_SUMMARY", col(COLL.tolist()), t_zero, f_zero
    )


# --- garbage never escapes as an exception --------------------------------------------------------

value = st.one_of(
    st.none(),
    st.floats(allow_nan=False),
    st.floats(-10, 10),
    st.text(max_size=5),
    st.sampled_from(list(xlharness.CELL_ERRORS)),
    st.booleans(),
)
cell = st.one_of(value, st.just(M))  # a single argument may also be omitted
rng_ = st.lists(st.lists(value, min_size=1, max_size=3), min_size=1, max_size=4).map(
    lambda rows: tuple(tuple((r + [None] * 3)[:3]) for r in rows)
)
raw = st.one_of(cell, rng_)
LEGIT_TEXT = {"RATING_FROM_EL", "RATING_FROM_PD", "NPLXL_VERSION"}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(
        [
            f
            for f in module.FUNCTIONS
            if f not in HEAVY
            or f in ("KMV_SOLVE", "PORTFOLIO_LOSS", "KMV_VOLATILITY", "POOL_HERFINDAHL")
        ]
    ),
    args=st.lists(raw, min_size=0, max_size=6),
)
def test_garbage_returns_a_message_never_raises(name, args):
    n = len(getattr(module, name).__xlfunc__["args"])
    out = call(name, *args[:n])
    if isinstance(out, str) and name not in LEGIT_TEXT:
        assert (
            out.startswith("#npl-xl: ") and "Traceback" not in out and "internal error" not in out
        )
    elif isinstance(out, float):
        assert math.isfinite(out) or math.isnan(out)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    collections=rng_,
    tranches=rng_,
    fees=rng_,
    which=st.sampled_from(
        sorted(HEAVY - {"KMV_SOLVE", "PORTFOLIO_LOSS", "KMV_VOLATILITY", "POOL_HERFINDAHL"})
    ),
)
def test_deal_garbage_returns_a_message(collections, tranches, fees, which):
    extra = {
        "TRANCHE_KMV": (0.25, 0.05),
        "BREAKEVEN_HAIRCUT": ("Senior",),
        "BREAKEVEN": ("Senior", "delay"),
        "MAX_TRANCHE_SIZE": ("Senior", "AAAsf"),
    }.get(which, ())
    out = call(which, collections, tranches, fees, *extra)
    assert isinstance(out, str) and out.startswith("#npl-xl: ") and "internal error" not in out


def test_excel_functions_give_hand_worked_values():
    """Each parity above compares two faces of one model; these pin the numbers themselves."""
    # KMV: (ln(120/80) - 0.25^2/2) / 0.25 = 1.496861, PD = N(-1.496861) = 0.067215
    assert call("KMV_DD", 120.0, 0.25, 80.0) == pytest.approx(1.496861, abs=1e-6)
    assert call("KMV_PD", 120.0, 0.25, 80.0) == pytest.approx(0.067215, abs=1e-6)
    # homogeneous pool: 50 / (1 + 0.1 x 49) = 8.474576
    assert call("ALT_DIVERSITY_SCORE", col([1.0] * 50), 0.05, 0.1) == pytest.approx(
        8.474576, abs=1e-6
    )
    # BET, D 3, p 0.1, tranche [20 %, 50 %]: 0.243 x 4/9 + 0.027 + 0.001 = 0.136
    assert call("BET_LOSS", 3.0, 0.1, 1.0, 0.2, 0.5) == pytest.approx(0.136, abs=1e-12)
    # two names of pd 50 %, independent: pool loss 0, 0.5, 1 with 1/4, 1/2, 1/4; tranche [0, 0.5]
    # loses all of itself unless nobody defaults -> EL = 0.75
    assert call(
        "PORTFOLIO_LOSS", col([0.5, 0.5]), col([1.0, 1.0]), 1.0, 0.0, 0.0, 0.5
    ) == pytest.approx(0.75, abs=1e-12)
    # the four-period hand deal of test_waterfall: senior principal 38.2, 38.582, 23.218, 0
    tr = block(
        [
            ("Name", "Balance", "Coupon", "Issue price"),
            ("Senior", 100.0, 0.04, None),
            ("Sub", 20.0, 0.0, 110.0),
        ]
    )
    fees = block(
        [
            ("Name", "Basis", "Rate", "Amount", "Cap"),
            ("tax", "collections", 0.01, None, None),
            ("trustee", "fixed", None, 0.5, 0.4),
        ]
    )
    opts = block([("reserve_multiple", 0.0), ("incentive_fee_share", 0.2)])
    wf = call("WATERFALL", col([40.0, 40.0, 40.0, 10.0]), tr, fees, opts)
    i = wf[0].index("Senior principal")
    np.testing.assert_allclose([r[i] for r in wf[1:]], [38.2, 38.582, 23.218, 0.0], atol=5e-10)
    # one period, senior 50 / sub 50, collections 100: the senior breaks even at a 50 % haircut
    half = block([("Name", "Balance"), ("A", 50.0), ("B", 50.0)])
    assert call(
        "BREAKEVEN_HAIRCUT", 100.0, half, None, "A", block([("reserve_multiple", 0.0)])
    ) == pytest.approx(0.5, abs=1e-6)
    assert call("RATING_FROM_PD", 0.036, 10.0, "cn_sf") == "BBBsf (illustrative)"


# --- issue 26: Excel errors name the argument, messages fit a cell, a time budget ---------------

VALID = {
    "KMV_PD": (100.0, 0.25, 80.0),
    "KMV_DD": (100.0, 0.25, 80.0),
    "KMV_SOLVE": (3.0, 0.8, 10.0, 0.05, 1.0),
    "DIVERSITY_SCORE": (col([10.0, 20.0]), col(["a", "b"])),
    "ALT_DIVERSITY_SCORE": (col([10.0, 20.0]), 0.05, 0.1),
    "BET_LOSS": (20.0, 0.05, 0.6, 0.0, 1.0),
    "BET_DISTRIBUTION": (20.0, 0.05),
    "WATERFALL": (col(COLL), TRANCHES, FEES, OPTIONS),
    "WATERFALL_SUMMARY": (col(COLL), TRANCHES, FEES, OPTIONS),
    "TRANCHE_KMV": (col(COLL), TRANCHES, FEES, 0.25, 0.03, OPTIONS),
    "KMV_VOLATILITY": (
        col(COLL),
        TRANCHES,
        FEES,
        0.25,
        0.3,
        1.0,
        0.01,
        (("Asset class", "Share of base recovery"), ("unsecured", 1.0)),
        OPTIONS,
    ),
    "POOL_HERFINDAHL": (block([("loan_id", "principal (元)"), ("L1", 100.0), ("L2", 50.0)]),),
    "BREAKEVEN_HAIRCUT": (col(COLL), TRANCHES, FEES, 1.0, OPTIONS),
    "BREAKEVEN": (col(COLL), TRANCHES, FEES, 1.0, "haircut"),
    "MAX_TRANCHE_SIZE": (col(COLL), TRANCHES, FEES, 1.0, "AAAsf"),
    "PORTFOLIO_LOSS": (col([0.05] * 3), col([1.0, 2.0, 3.0]), 0.6, 0.2, 0.0, 0.1),
    "RATING_FROM_EL": (0.001, 3.0),
    "RATING_FROM_PD": (0.001, 3.0),
}


def _with_error(value, code):
    """``value`` with an Excel error in its last cell (a range) or as the cell."""
    if isinstance(value, tuple):
        rows = [list(r) for r in value]
        rows[-1][-1] = code
        return block(rows)
    return code


@pytest.mark.parametrize("name", [n for n in module.FUNCTIONS if n != "NPLXL_VERSION"])
def test_every_excel_error_in_every_argument_names_the_argument(name):
    args = VALID[name]
    ok = call(name, *args)
    assert not (isinstance(ok, str) and ok.startswith("#npl-xl")), ok
    params = [a["name"] for a in getattr(module, name).__xlfunc__["args"]]
    for i, param in enumerate(params[: len(args)]):
        for text, code in xlharness.ERROR_CODES.items():
            args_bad = list(args)
            args_bad[i] = _with_error(args[i], code)
            got = call(name, *args_bad)
            assert isinstance(got, str) and got.startswith(f"#npl-xl: {param}: "), (param, got)
            assert f"the cell holds the Excel error {text}" in got


def test_an_error_inside_a_range_is_located():
    got = call("WATERFALL_SUMMARY", col(COLL), _with_error(TRANCHES, -2146826246), FEES)
    n = len(TRANCHES)
    assert got == (
        f"#npl-xl: tranches: the cell holds the Excel error #N/A (row {n}, column 5 of the range)"
    )


def test_messages_are_one_clean_line_within_the_cell_limit():
    long_name = "x\x1b[31m" + "y" * 40_000
    got = call("KMV_PD", 100.0, 0.25, 80.0, 1.0, 0.0, long_name)
    assert got.startswith("#npl-xl: method: expected one of merton, kmv, got ")
    assert len(got) == 32_767 and got.endswith(" ... (cut)") and "\x1b" not in got


def test_portfolio_loss_exact_keeps_a_time_budget():
    """Refused up front from the name count (no timing in the test): 16,000 names would block a
    cell for about two minutes."""
    n = 16_000
    got = call("PORTFOLIO_LOSS", 0.05, col([1.0] * n), 0.6, 0.2, 0.0, 0.1)
    assert got.startswith("#npl-xl: exposures: 16,000 names would take about 126 s")
    assert 'use method "lhp" or "mc"' in got
    most = int(module.CELL_BUDGET_SECONDS / module.EXACT_SECONDS_PER_NAME)
    fits = call("PORTFOLIO_LOSS", 0.05, col([1.0] * 5), 0.6, 0.2, 0.0, 0.1)
    assert isinstance(fits, float) and most > 5
    lhp = call("PORTFOLIO_LOSS", 0.05, col([1.0] * n), 0.6, 0.2, 0.0, 0.1, "lhp")
    assert isinstance(lhp, float)
