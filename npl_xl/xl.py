"""Layer 4: the Excel functions (xlwings UDFs), thin over the Python API.

Each function converts its cells, validates them, calls the model and formats the result; it never
raises: bad input returns a short text starting ``#npl-xl:`` that names the argument. Classic
xlwings (Windows, "Import Functions") and xlwings Lite (``main.py`` re-exporting these names) share
this module; each ignores the decorator options it does not know.

Blank cells arrive as None (classic) or 0 (Lite). Optional arguments treat both as "omitted"
where 0 is not a meaningful value (maturity, method, scale, attachment bounds fall back to their
defaults); a blank in a required number is reported ("expected a number, got a blank cell") or,
as 0, fails the range check that names the argument. Blank cells in a collections range count as 0.
"""

from __future__ import annotations

import functools
import inspect
import types

import numpy as np
import xlwings as xw

from . import __version__, limits
from .cells import excel_error
from .lite import FUNCTIONS as FUNCTIONS  # every Excel function here, in documentation order
from .lite import MACROS as MACROS  # the macros (VBA Subs) here, in menu order
from .messages import cell_text


class _Lazy:
    """A module imported on its first use: Excel imports this module at every session start, so the
    models (scipy, pydantic) load only when a function is first called."""

    def __init__(self, name: str):
        self._name = name
        self._module: types.ModuleType | None = None

    def __getattr__(self, attr: str):
        if self._module is None:
            import importlib

            self._module = importlib.import_module(self._name)
        return getattr(self._module, attr)


analysis = _Lazy("npl_xl.models.analysis")
bet = _Lazy("npl_xl.models.bet")
diversity = _Lazy("npl_xl.models.diversity")
kmv = _Lazy("npl_xl.models.kmv")
portfolio = _Lazy("npl_xl.models.portfolio")
rating = _Lazy("npl_xl.models.rating")
_waterfall = _Lazy("npl_xl.models.waterfall")
_ranges = _Lazy("npl_xl.workbook.ranges")
simulation = _Lazy("npl_xl.models.simulation")
sizing = _Lazy("npl_xl.models.sizing")
pd = _Lazy("pandas")

CATEGORY = "npl-xl"
PREFIX = "#npl-xl: "


class CellError(ValueError):
    """Bad cell input; the message names the argument."""


def _finite(result):
    """Refuse a result holding NaN or an infinity (Excel would show a blank or #NUM!): say why
    instead."""
    values = result if isinstance(result, list) else [result]
    for row in values:
        for v in row if isinstance(row, list) else [row]:
            if isinstance(v, float) and not np.isfinite(v):
                raise CellError(
                    "result: not a finite number for these inputs (they lie outside the range the "
                    "model can represent: check magnitudes, volatilities and horizons)"
                )
    return result


def _error_cell(value) -> tuple[str, str] | None:
    """(Excel error, where) of the first error cell in an argument ('' for one cell, 'row r,
    column c' within a range), or None."""
    if not isinstance(value, (list, tuple)):
        err = excel_error(value)
        return (err, "") if err else None
    for i, row in enumerate(value):
        for j, v in enumerate(row if isinstance(row, (list, tuple)) else [row]):
            err = excel_error(v)
            if err:
                shaped = isinstance(row, (list, tuple))
                where = f"row {i + 1}, column {j + 1}" if shaped else f"cell {i + 1}"
                return err, where
    return None


def _check_errors(names: list[str], args) -> None:
    """Refuse any Excel error value in any argument, naming the argument (and the cell within a
    range): an error is never read as a blank, a zero or a default."""
    for name, value in zip(names, args):
        found = _error_cell(value)
        if found:
            err, where = found
            at = f" ({where} of the range)" if where else ""
            raise CellError(f"{name}: the cell holds the Excel error {err}{at}")


def _guard(fn):
    """Return ``#npl-xl: message`` instead of raising (the cell never shows a traceback or a
    blank); a message is one line without control characters, cut to Excel's cell limit."""
    names = list(inspect.signature(fn).parameters)

    @functools.wraps(fn)
    def wrapper(*args):
        return _message(_call(fn, names, args))

    return wrapper


def _message(result):
    return cell_text(result) if isinstance(result, str) and result.startswith(PREFIX) else result


def _call(fn, names, args):
    try:
        _check_errors(names, args)
        with np.errstate(all="ignore"):
            return _finite(fn(*args))
    except ValueError as exc:
        return PREFIX + str(exc)
    except (OverflowError, FloatingPointError, ZeroDivisionError):
        return (
            f"{PREFIX}result: the inputs overflow the numbers the model can represent "
            "(check magnitudes, volatilities and horizons)"
        )
    except MemoryError:
        return f"{PREFIX}inputs: too large to compute in a cell (see the limits in the README)"
    except Exception as exc:  # a cell must never show a traceback
        return f"{PREFIX}internal error ({type(exc).__name__}: {exc}); please report it"


#: arguments read as 2-D blocks (a header row plus rows) even when one row is selected
_TABLE_ARGS = {
    "tranches": 2,
    "fees": 2,
    "options": 2,
    "asset_value": 2,
    "asset_vol": 2,
    "default_point": 2,
    "stress_table": 2,
    "rates": 2,
    "triggers": 2,
    "supports": 2,
    "orders": 2,
    "loans": 2,
    "asset_mix": 2,
    "timing": 2,
}


#: functions on the deal workbook's Results sheet keep no function-wizard guard: the guard line
#: (``If (Not Application.CommandBars("Standard").Controls(1).Enabled) Then Exit Function``) is
#: reported to return 0 when a workbook opens (xlwings issue #1574), a wrong value in a result
ON_RESULTS_SHEET = frozenset(
    {"WATERFALL_SUMMARY", "TRANCHE_KMV", "BREAKEVEN_HAIRCUT", "KMV_VOLATILITY", "POOL_HERFINDAHL"}
)


def _udf(heavy: bool = False, **docs: str):
    """Register ``fn`` as an Excel function with a doc string per argument (function wizard);
    Excel error cells arrive as their text (#N/A, ...) so the message can name them."""

    def deco(fn):
        fn = _guard(fn)
        for name, doc in docs.items():
            extra = {"ndim": _TABLE_ARGS[name]} if name in _TABLE_ARGS else {}
            fn = xw.arg(name, err_to_str=True, doc=doc, **extra)(fn)
        wizard = not heavy or fn.__name__ in ON_RESULTS_SHEET
        return xw.func(category=CATEGORY, call_in_wizard=wizard)(fn)

    return deco


# --- cell conversion ------------------------------------------------------------------------------


def _cell_number(v, name: str) -> float:
    if v is None or (isinstance(v, str) and not v.strip()):
        raise CellError(f"{name}: expected a number, got a blank cell")
    err = excel_error(v)
    if err:
        raise CellError(f"{name}: the cell holds the Excel error {err}")
    if isinstance(v, str):
        raise CellError(f"{name}: expected a number, got text {v!r}")
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise CellError(f"{name}: expected a number, got {type(v).__name__}")
    return float(v)


def _not_percent(values: np.ndarray, name: str, limit: float | None) -> None:
    """Reject a value above ``limit`` that is clearly a percent typed as a number (3.5 for 3.5
    %)."""
    if limit is not None and (values > limit).any():
        x = float(values[values > limit].flat[0])
        raise CellError(
            f"{name}: {x:g} looks like a percent; give decimals ({x / 100:g} for {x:g} %)"
        )


def _number(
    v, name: str, default=None, *, zero_is_blank: bool = False, percent_above: float | None = None
):
    """One cell -> float; a blank (or 0 where ``zero_is_blank``) gives ``default`` when there is
    one."""
    if isinstance(v, (list, tuple)):
        raise CellError(f"{name}: expected a single cell, got a range")
    if default is not None and (v is None or v == "" or (zero_is_blank and v == 0)):
        return default
    x = _cell_number(v, name)
    _not_percent(np.asarray(x), name, percent_above)
    return x


def _numbers(v, name: str, *, blank=None, percent_above: float | None = None) -> np.ndarray:
    """A cell or range -> float array (2-D for ranges); blanks become ``blank`` or raise."""
    rows = v if isinstance(v, (list, tuple)) else [v]
    rows = [r if isinstance(r, (list, tuple)) else [r] for r in rows]
    out = np.empty((len(rows), max(len(r) for r in rows)))
    for i, r in enumerate(rows):
        for j, c in enumerate(r):
            if blank is not None and (c is None or c == ""):
                out[i, j] = blank
            else:
                out[i, j] = _cell_number(c, name)
    _not_percent(out, name, percent_above)
    return out if isinstance(v, (list, tuple)) else out[0, 0]


def _vector(v, name: str, **kw) -> np.ndarray:
    a = np.atleast_1d(_numbers(v, name, **kw))
    if a.ndim == 2 and 1 not in a.shape:
        raise CellError(f"{name}: expected one row or one column, got {a.shape[0]} x {a.shape[1]}")
    return a.ravel()


def _labels(v, name: str, n: int) -> list:
    rows = v if isinstance(v, (list, tuple)) else [v]
    flat = [c for r in rows for c in (r if isinstance(r, (list, tuple)) else [r])]
    if len(flat) != n:
        raise CellError(f"{name}: expected {n} cells (one per par amount), got {len(flat)}")
    for c in flat:
        if c is None or c == "":
            raise CellError(f"{name}: has a blank cell")
        if excel_error(c):
            raise CellError(f"{name}: the cell holds the Excel error {excel_error(c)}")
    return [str(int(c)) if isinstance(c, float) and c.is_integer() else str(c) for c in flat]


def _text(v, name: str, default: str, choices: tuple[str, ...]) -> str:
    if excel_error(v):
        raise CellError(f"{name}: the cell holds the Excel error {excel_error(v)}")
    if v is None or v == "" or v == 0:
        return default
    s = str(v).strip().lower()
    if s not in choices:
        raise CellError(f"{name}: expected one of {', '.join(choices)}, got {v!r}")
    return s


def _out(x):
    """numpy result -> a float for one value, else a 2-D list (a 1-D result as a column)."""
    a = np.asarray(x, dtype=float)
    if a.ndim == 0:
        return float(a)
    return (a[:, None] if a.ndim == 1 else a).tolist()


def _table(header: list[str], rows) -> list[list]:
    return [header] + [[c.item() if isinstance(c, np.generic) else c for c in r] for r in rows]


# --- KMV -----------------------------------------------------------------------------------------

_KMV_DOCS = {
    "asset_value": "Asset value V (> 0, currency units); a cell or a range",
    "asset_vol": "Annual asset volatility (decimal, 0.25 = 25 %)",
    "default_point": "Default point DP (> 0, currency units)",
    "maturity": "Horizon in years (optional, default 1)",
    "drift": "Expected annual asset return (decimal, optional, default 0; Merton form only)",
    "method": '"merton" (default) or "kmv" = (V - DP) / (V sigma sqrt T)',
}


def _kmv_args(asset_value, asset_vol, default_point, maturity, drift, method):
    return {
        "asset_value": _numbers(asset_value, "asset_value"),
        "asset_vol": _numbers(asset_vol, "asset_vol", percent_above=5.0),
        "default_point": _numbers(default_point, "default_point"),
        "maturity": _number(maturity, "maturity", 1.0, zero_is_blank=True),
        "drift": _number(drift, "drift", 0.0, percent_above=1.0),
        "method": _text(method, "method", "merton", ("merton", "kmv")),
    }


@_udf(False, **_KMV_DOCS)
def KMV_PD(asset_value, asset_vol, default_point, maturity=None, drift=None, method=None):
    """Probability of default N(-DD) over the horizon (Merton/KMV distance to default)."""
    return _out(
        kmv.kmv_pd(**_kmv_args(asset_value, asset_vol, default_point, maturity, drift, method))
    )


@_udf(False, **_KMV_DOCS)
def KMV_DD(asset_value, asset_vol, default_point, maturity=None, drift=None, method=None):
    """Distance to default in standard deviations (Merton form or simple KMV form)."""
    return _out(
        kmv.distance_to_default(
            **_kmv_args(asset_value, asset_vol, default_point, maturity, drift, method)
        )
    )


@_udf(
    heavy=True,
    equity_value="Market value of equity E (> 0)",
    equity_vol="Annual equity volatility (decimal)",
    debt="Face value of debt due at maturity (> 0)",
    rate="Risk-free rate (decimal, continuous)",
    maturity="Years to the debt's maturity (> 0)",
)
def KMV_SOLVE(equity_value, equity_vol, debt, rate, maturity):
    """Merton: asset value and volatility implied by equity; spills a labelled two-column table."""
    s = kmv.merton_solve(
        _number(equity_value, "equity_value"),
        _number(equity_vol, "equity_vol", percent_above=5.0),
        _number(debt, "debt"),
        _number(rate, "rate", percent_above=1.0),
        _number(maturity, "maturity"),
    )
    return [
        ["asset_value", s.asset_value],
        ["asset_vol", s.asset_vol],
        ["d1", s.d1],
        ["d2", s.d2],
        ["distance_to_default", s.distance_to_default],
        ["default_probability", s.default_probability],
    ]


# --- diversity and BET ---------------------------------------------------------------------------


@_udf(
    par_amounts="Par of each position (currency units, a column)",
    groups="Group (industry, region) of each position",
    obligors="Obligor id of each position (optional; positions of one obligor are added up)",
)
def DIVERSITY_SCORE(par_amounts, groups, obligors=None):
    """Moody's diversity score (industry table method; above 19.95 units a group scores 5.00)."""
    par = _vector(par_amounts, "par_amounts")
    grp = _labels(groups, "groups", len(par))
    obl = None if obligors is None or obligors == 0 else _labels(obligors, "obligors", len(par))
    return diversity.diversity_score(par, grp, obl)


@_udf(
    par_amounts="Par of each obligor (a column)",
    pds="Default probability of each obligor (decimal; one cell for all)",
    correlation="Pairwise DEFAULT correlation: one cell, or an N x N matrix",
    groups="Group of each obligor (optional; then correlation is the within-group value)",
    rho_between="Default correlation between groups (with groups; default 0)",
)
def ALT_DIVERSITY_SCORE(par_amounts, pds, correlation, groups=None, rho_between=None):
    """Alternative diversity score (Moody's moment matching): N / (1 + rho (N - 1)) for a
    homogeneous pool."""
    par = _vector(par_amounts, "par_amounts")
    p = _vector(pds, "pds", percent_above=1.0)
    p = p[0] if p.size == 1 else p
    rho = _numbers(correlation, "correlation", percent_above=1.0)
    if groups is not None and groups != 0:
        if np.ndim(rho):
            raise CellError(
                "correlation: with groups, give the within-group correlation as one cell"
            )
        within = (
            _labels(groups, "groups", len(par)),
            rho,
            _number(rho_between, "rho_between", 0.0, percent_above=1.0),
        )
        return diversity.alternative_diversity_score(par, p, within)
    return diversity.alternative_diversity_score(par, p, rho)


@_udf(
    diversity="Diversity score D (rounded to a whole number)",
    pd="Default probability of a unit (decimal)",
    lgd="Loss given default (decimal)",
    attachment="Tranche attachment, fraction of the pool (optional, default 0)",
    detachment="Tranche detachment, fraction of the pool (optional, default 1; blank or 0 = 1)",
)
def BET_LOSS(diversity, pd, lgd, attachment=None, detachment=None):
    """Tranche expected loss under the binomial expansion technique, as a fraction of the
    tranche."""
    return bet.bet_expected_loss(
        _number(diversity, "diversity"),
        _number(pd, "pd", percent_above=1.0),
        _number(lgd, "lgd", percent_above=1.0),
        _number(attachment, "attachment", 0.0),
        _number(detachment, "detachment", 1.0, zero_is_blank=True),
    )


@_udf(
    diversity="Diversity score D (rounded to a whole number)",
    pd="Default probability of a unit (decimal)",
)
def BET_DISTRIBUTION(diversity, pd):
    """Binomial distribution of defaults: spills j, P(j) and the cumulative probability."""
    probs = bet.bet_probabilities(
        _number(diversity, "diversity"), _number(pd, "pd", percent_above=1.0)
    )
    return _table(["j", "P(j)", "cumulative"], zip(range(len(probs)), probs, np.cumsum(probs)))


# --- deals ---------------------------------------------------------------------------------------

_DEAL_DOCS = {
    "collections": "Net collections per period (a row or column; blanks count as 0)",
    "tranches": "Tranche table with a header: name, balance, coupon, [seniority], [issue_price], "
    "[fixed_return]",
    "fees": "Fee table with a header: name, basis (fixed/collections/notes_balance), rate, "
    "amount, [cap], [position]",
    "options": "Optional two-column key/value range: payments_per_year, reserve_multiple, "
    "incentive_fee_share, ...",
}
#: the deal's structures: optional tables with their header rows (the deal workbook's own tables)
_STRUCTURE_DOCS = {
    "rates": "Optional Rates table with a header: Index, Level, [Path], [Source] (Rates[#All])",
    "triggers": "Optional Triggers table with a header: Name, Test, Threshold, Effect "
    "(Triggers[#All])",
    "supports": "Optional Supports table with a header: Kind, [Name], Limit, [Covers], [Fee rate], "
    "[Interest rate], [Rating] (Supports[#All])",
    "orders": "Optional payment-order table with a header: Pre-default order, Post-default order "
    "(PaymentOrder[#All])",
}
_STRUCTURE_DOCS["timing"] = (
    "Optional key/value block of the memo's base case: total_recovery, cost_rate, "
    "collected_before_closing, expected_senior_maturity, cutoff_date, closing_date (the Results "
    "sheet's BaseCaseTiming)"
)
_DEAL_DOCS |= _STRUCTURE_DOCS


def _empty(block) -> bool:
    """A blank argument or a range of blank cells (None in classic xlwings, 0 in Lite)."""
    if isinstance(block, (list, tuple)):
        return all(_empty(v) for v in block)
    return block is None or block == "" or block == 0


def _deal(collections, tranches, fees, options, rates, triggers, supports, orders, timing=None):
    """(deal, its base-case collections padded to the legal maturity, options that are not deal
    fields)."""
    given = {"rates": rates, "triggers": triggers, "supports": supports, "orders": orders}
    return _ranges.deal_from_ranges(
        _vector(collections, "collections", blank=0.0),
        tranches,
        None if _empty(fees) else fees,
        None if _empty(options) else options,
        {k: None if _empty(v) else v for k, v in given.items()},
        None if _empty(timing) else timing,
    )


@_udf(heavy=True, **_DEAL_DOCS)
def WATERFALL(
    collections,
    tranches,
    fees,
    options=None,
    rates=None,
    triggers=None,
    supports=None,
    orders=None,
    timing=None,
):
    """Cash-flow waterfall: spills a header row and one row per period (fees, reserve, each
    tranche, residual)."""
    d, c, _ = _deal(collections, tranches, fees, options, rates, triggers, supports, orders, timing)
    header, rows = _waterfall.run_waterfall(d, c).table()
    return [header] + rows


#: shown where a metric does not exist (WAL of a tranche that received no principal, yield with no
# receipts)
NOT_AVAILABLE = "n/a"
#: the columns of WATERFALL_SUMMARY after tranche and balance (TrancheMetrics' fields; a test keeps
# them equal)
SUMMARY_METRICS = (
    "total_interest",
    "total_principal",
    "loss",
    "loss_fraction",
    "interest_shortfall",
    "wal",
    "expected_maturity",
    "issue_yield",
    "pv_loss",
)


@_udf(heavy=True, **_DEAL_DOCS)
def WATERFALL_SUMMARY(
    collections,
    tranches,
    fees,
    options=None,
    rates=None,
    triggers=None,
    supports=None,
    orders=None,
    timing=None,
):
    """Per-tranche metrics: interest, principal, loss, WAL (years), expected maturity, yield, PV
    loss."""
    d, c, extra = _deal(
        collections, tranches, fees, options, rates, triggers, supports, orders, timing
    )
    m = _waterfall.run_waterfall(d, c).metrics(extra.get("discount_rate"))
    rows = [
        [t.name, t.balance] + [getattr(m, k)[i] for k in SUMMARY_METRICS]
        for i, t in enumerate(d.ordered_tranches)
    ]
    return _table(
        ["tranche", "balance", *SUMMARY_METRICS],
        [
            [NOT_AVAILABLE if isinstance(v, float) and np.isnan(v) else v for v in row]
            for row in rows
        ],
    )


@_udf(
    heavy=True,
    **_DEAL_DOCS,
    recovery_vol="Recovery-value volatility (decimal, e.g. 0.25)",
    discount_rate="Discount rate for the present value of collections (decimal; blank: 0.05, the "
    "rating's default)",
)
def TRANCHE_KMV(
    collections,
    tranches,
    fees,
    recovery_vol,
    discount_rate,
    options=None,
    rates=None,
    triggers=None,
    supports=None,
    orders=None,
    timing=None,
):
    """Modified KMV per tranche: V0, default point, horizon, distance to default and PD."""
    d, c, _ = _deal(collections, tranches, fees, options, rates, triggers, supports, orders, timing)
    k = analysis.tranche_kmv(
        d,
        c,
        recovery_vol=_number(recovery_vol, "recovery_vol", percent_above=3.0),
        discount_rate=_number(
            discount_rate, "discount_rate", _default("discount_rate"), percent_above=1.0
        ),
    )
    cols = (
        "asset_value",
        "default_point",
        "maturity",
        "distance_to_default",
        "default_probability",
    )
    return _table(
        ["tranche", *cols],
        [[t.name] + [getattr(k, c)[i] for c in cols] for i, t in enumerate(d.ordered_tranches)],
    )


@_udf(
    heavy=True,
    **_DEAL_DOCS,
    recovery_vol="Loan recovery volatility (decimal); blank: the asset mix's figure on the public "
    "market dataset / sqrt(correlation), as the rating memo",
    correlation="Systematic share of the recovery log-variance, in [0, 1] (blank: 0.3, the "
    "rating's default)",
    delay_beta="Systematic delay, periods per unit of adverse factor (blank: 1, the rating's "
    "default)",
    pool="The loans' Herfindahl index (POOL_HERFINDAHL of the LoanTape table); blank: 1,000 "
    "equal units, as a rating without a tape",
    asset_mix="Optional AssetMix table with its header (AssetMix[#All]); blank: unsecured",
)
def KMV_VOLATILITY(
    collections,
    tranches,
    fees,
    recovery_vol,
    correlation,
    delay_beta=None,
    pool=None,
    asset_mix=None,
    options=None,
    rates=None,
    triggers=None,
    supports=None,
    orders=None,
    timing=None,
):
    """The rating memo's KMV asset volatility (annual): the Monte Carlo's pool recovery
    dispersion in closed form, spread over the base case's collection life."""
    from .pool import herfindahl
    from .rating.run import kmv_volatility, market_sigma

    rho = _number(correlation, "correlation", _default("recovery_correlation"))
    if not 0 <= rho <= 1:
        raise CellError(f"correlation: expected a share in [0, 1], got {rho:g}")
    h = herfindahl(None) if _empty(pool) else _number(pool, "pool")
    if not 0 < h <= 1:
        raise CellError(f"pool: expected a Herfindahl index in (0, 1], got {h:g}")
    beta = _number(delay_beta, "delay_beta", _default("delay_beta"))
    d, c, _ = _deal(collections, tranches, fees, options, rates, triggers, supports, orders, timing)
    if recovery_vol is None or recovery_vol == "" or recovery_vol == 0:
        mix = None if _empty(asset_mix) else _ranges.asset_mix_from_range(asset_mix)
        sigma, _ = market_sigma(mix or analysis.asset_mix(d), rho)
    else:
        sigma = _number(recovery_vol, "recovery_vol", percent_above=3.0)
    vol, _ = kmv_volatility(
        d, c, d.period_times(len(c)), sigma=sigma, rho=rho, herfindahl=h, delay_beta=beta
    )
    return vol


@_udf(
    heavy=True,
    loans="The LoanTape table with its header row (LoanTape[#All]): loan_id, principal, "
    "[interest], [fees], ...",
)
def POOL_HERFINDAHL(loans):
    """The loans' Herfindahl index: the sum of their squared shares of principal + interest +
    fees, as the rating's Monte Carlo weighs them (the tape read as rate reads the LoanTape)."""
    return _ranges.herfindahl_from_range(loans)


def _default(field: str) -> float:
    """The rating's default for an assumption a blank cell leaves open (as ``rate`` fills it)."""
    from .assumptions import Assumptions

    return float(Assumptions.model_fields[field].default)


_TRANCHE_DOC = "Tranche name, or its rank (1 = most senior)"


def _tranche_index(d, tranche) -> int:
    names = [t.name for t in d.ordered_tranches]
    if (
        isinstance(tranche, (int, float))
        and not isinstance(tranche, bool)
        and float(tranche).is_integer()
        and str(int(tranche)) not in names
    ):
        k = int(tranche) - 1
        if not 0 <= k < len(names):
            raise CellError(f"tranche: rank {int(tranche)} is outside 1..{len(names)}")
        return k
    label = (
        str(int(tranche)) if isinstance(tranche, float) and tranche.is_integer() else str(tranche)
    )
    if label not in names:
        raise CellError(f"tranche: expected one of {', '.join(names)} or a rank, got {tranche!r}")
    return names.index(label)


@_udf(heavy=True, **_DEAL_DOCS, tranche=_TRANCHE_DOC)
def BREAKEVEN_HAIRCUT(
    collections,
    tranches,
    fees,
    tranche,
    options=None,
    rates=None,
    triggers=None,
    supports=None,
    orders=None,
    timing=None,
):
    """Largest recovery haircut at which the tranche is still paid in full by legal maturity
    (option: delay)."""
    d, c, extra = _deal(
        collections, tranches, fees, options, rates, triggers, supports, orders, timing
    )
    k = _tranche_index(d, tranche)
    h = analysis.breakeven_haircut(d, c, delay=extra.get("delay", 0))[k]
    if np.isnan(h):
        raise CellError(
            f"tranche: {d.ordered_tranches[k].name} is not paid in full even with no haircut"
        )
    return float(h)


@_udf(
    heavy=True,
    **_DEAL_DOCS,
    tranche=_TRANCHE_DOC,
    variable='"haircut" (0-1), "delay" (periods) or "issue_rate_shift" (decimal)',
    first_loss="TRUE: the smallest stress at which the tranche loses 1 unit (default FALSE)",
)
def BREAKEVEN(
    collections,
    tranches,
    fees,
    tranche,
    variable,
    first_loss=False,
    options=None,
    rates=None,
    triggers=None,
    supports=None,
    orders=None,
    timing=None,
):
    """Largest stress the tranche survives paid in full, or with first_loss the smallest at which
    it loses 1 currency unit."""
    d, c, _ = _deal(collections, tranches, fees, options, rates, triggers, supports, orders, timing)
    k = _tranche_index(d, tranche)
    name = str(variable).strip().lower()
    if name not in analysis.BREAKEVEN_VARIABLES:
        raise CellError(
            f"variable: expected {', '.join(analysis.BREAKEVEN_VARIABLES)}, got {variable!r}"
        )
    if first_loss not in (None, True, False):  # a blank cell: None (xlwings) or 0 (Lite)
        raise CellError(f"first_loss: expected TRUE or FALSE, got {first_loss!r}")
    x = analysis.breakeven(d, c, name, first_loss=bool(first_loss))[k]
    if np.isnan(x):
        what = (
            "no stress up to the range's end loses a unit"
            if first_loss
            else ("it is not paid in full even with no stress")
        )
        raise CellError(f"tranche: {d.ordered_tranches[k].name}: {what}")
    return float(x)


def _stress_frame(block):
    """A stress-table range (header row, one row per rating level) as a DataFrame."""
    rows = [list(r) for r in block if not _empty(list(r)[:1])]
    for r in rows:
        for c in r:
            if excel_error(c):
                raise CellError(f"stress_table: the cell holds the Excel error {excel_error(c)}")
    if len(rows) < 2:
        raise CellError("stress_table: expected a header row and one row per rating level")
    return pd.DataFrame(rows[1:], columns=[str(h).strip() for h in rows[0]])


@_udf(
    heavy=True,
    **_DEAL_DOCS,
    tranche=_TRANCHE_DOC + " (the next junior tranche takes the rest)",
    rating="A level of the stress table, e.g. AAAsf",
    stress_table="Optional stress table with a header (rating, haircut_<class>, delay_<class> "
    "...); blank: the packaged illustrative one",
)
def MAX_TRANCHE_SIZE(
    collections,
    tranches,
    fees,
    tranche,
    rating,
    stress_table=None,
    options=None,
    rates=None,
    triggers=None,
    supports=None,
    orders=None,
    timing=None,
):
    """Largest balance of the tranche paid in full under the rating's stress, to 1 currency unit
    (option asset_mix: class=share pairs)."""
    d, c, extra = _deal(
        collections, tranches, fees, options, rates, triggers, supports, orders, timing
    )
    k = _tranche_index(d, tranche)
    table = None if _empty(stress_table) else _stress_frame(stress_table)
    name = d.ordered_tranches[k].name
    return float(
        sizing.max_tranche_size(
            d, c, name, str(rating).strip(), table=table, mix=extra.get("asset_mix")
        )
    )


#: most Monte Carlo paths one cell may ask for (a worksheet recalculation must stay interactive)
MAX_CELL_PATHS = 10_000_000


# --- portfolio loss distribution ------------------------------------------------------------------

#: seconds one cell may compute before it is refused up front (a recalculation blocks Excel)
CELL_BUDGET_SECONDS = 30.0
#: seconds of the exact method per name (64 factor nodes x a 15,000-unit lattice), the slowest
#: measured (1,000 names 4.4 s, 4,000 names 17 s, 16,000 names 126 s; benchmarks/README.md, "Excel
#: time budget")
EXACT_SECONDS_PER_NAME = 7.9e-3


def _exact_budget(n: int) -> None:
    """Refuse the exact method where it would block Excel past :data:`CELL_BUDGET_SECONDS`."""
    seconds = n * EXACT_SECONDS_PER_NAME
    if seconds > CELL_BUDGET_SECONDS:
        most = int(CELL_BUDGET_SECONDS / EXACT_SECONDS_PER_NAME)
        raise CellError(
            f"exposures: {n:,} names would take about {seconds:,.0f} s with method exact, past "
            f"the {CELL_BUDGET_SECONDS:.0f} s a cell may block Excel (at most {most:,} names); "
            'use method "lhp" or "mc", or npl_xl.models.portfolio in Python'
        )


@_udf(
    heavy=True,
    pds="Default probability of each name (decimal; a column, or one cell for all)",
    exposures="Exposure of each name (currency units, a column)",
    lgds="Loss given default of each name (decimal; a column, or one cell for all)",
    rho="Asset correlation with the common factor, in [0, 1)",
    attachment="Tranche attachment, fraction of the pool",
    detachment="Tranche detachment, fraction of the pool",
    method='"exact" (default), "lhp" or "mc"',
    paths="Monte Carlo paths (default 100,000)",
    seed="Monte Carlo seed (default 0)",
)
def PORTFOLIO_LOSS(
    pds, exposures, lgds, rho, attachment, detachment, method=None, paths=None, seed=None
):
    """Tranche expected loss (fraction of the tranche) under the one-factor Gaussian copula."""
    e = _vector(exposures, "exposures")
    n = len(e)
    p = _vector(pds, "pds", percent_above=1.0)
    g = _vector(lgds, "lgds", percent_above=1.0)
    m = _text(method, "method", "exact", ("exact", "lhp", "mc"))
    n_paths = _number(paths, "paths", 100_000.0, zero_is_blank=True)
    s = _number(seed, "seed", 0.0)
    if not float(n_paths).is_integer() or not 1 <= n_paths <= MAX_CELL_PATHS:
        raise CellError(
            f"paths: expected a whole number from 1 to {MAX_CELL_PATHS:,}, got {n_paths:g}"
        )
    if not float(s).is_integer() or s < 0:
        raise CellError(f"seed: expected a whole number >= 0, got {s:g}")
    if p.size not in (1, n) or g.size not in (1, n):
        raise CellError(f"pds, lgds: expected one cell or {n} cells (one per exposure)")
    if m == "mc":
        limits.check("max_cell_work", n_paths * n, "paths x names")
    if m == "exact":
        _exact_budget(n)
    d = portfolio.loss_distribution(
        p, e, g, _number(rho, "rho", percent_above=1.0), method=m, paths=int(n_paths), seed=int(s)
    )
    return d.tranche_expected_loss(
        _number(attachment, "attachment", percent_above=1.0),
        _number(detachment, "detachment", percent_above=1.0),
    )


# --- ratings -------------------------------------------------------------------------------------


def _rating(fn, value, name, horizon, scale) -> str:
    r = fn(
        _number(value, name, percent_above=1.0),
        _number(horizon, "horizon"),
        scale=_text(scale, "scale", "moodys", rating.SCALES),
    )
    return r.labelled()


@_udf(
    el="Tranche expected loss (decimal, fraction of the tranche)",
    horizon="Horizon in years (the tranche's WAL)",
    scale='"moodys" (default) or "cn_sf"',
)
def RATING_FROM_EL(el, horizon, scale=None):
    """Best rating whose idealised expected loss at the horizon is not below EL; '(illustrative)'
    marks the packaged table."""
    return _rating(rating.rating_from_expected_loss, el, "el", horizon, scale)


@_udf(
    pd="Tranche default probability over the horizon (decimal)",
    horizon="Horizon in years",
    scale='"moodys" (default) or "cn_sf"',
)
def RATING_FROM_PD(pd, horizon, scale=None):
    """Best rating whose idealised default probability at the horizon is not below PD;
    '(illustrative)' marks the packaged table."""
    return _rating(rating.rating_from_default_probability, pd, "pd", horizon, scale)


@xw.func(category=CATEGORY)
def NPLXL_VERSION():
    """Version of the npl-xl package behind these functions."""
    return __version__


# --- macros: the main jobs from inside Excel (classic; Lite: excel/lite/main.py) ----------------
#: ``xw.sub`` in classic xlwings (a VBA Sub after "Import Functions"); a no-op elsewhere
_sub = getattr(xw, "sub", None) or xw.script


@_sub
def NPLXL_RATE():
    """Rate this deal workbook (its saved file): the memo as a file beside it or as new sheets."""
    from .workbook import macros

    macros.rate_macro(xw.Book.caller())


@_sub
def NPLXL_NEW_DEAL():
    """Fill a new deal workbook from a loan tape chosen in a dialog, then open it."""
    from .workbook import macros

    macros.new_deal_macro(xw.Book.caller())


@_sub
def NPLXL_SIZE():
    """Size the tranche named in the selected cell (else the most senior) at every stress
    level."""
    from .workbook import macros

    macros.size_macro(xw.Book.caller())
