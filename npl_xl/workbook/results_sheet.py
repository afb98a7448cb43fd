"""The deal workbook's Results sheet: live npl-xl formulas on the workbook's inputs (they need
the Excel add-in; ``npl-xl rate`` writes values to the memo instead)."""

from __future__ import annotations

from openpyxl.styles import Protection
from openpyxl.utils import get_column_letter

from . import layout as L
from .xlsx import BOLD, FORMULA, INPUT, PCT, TITLE, formula, put, spill

__all__ = ["results_sheet", "pool_cell", "KMV_VOLATILITY_FORMULA", "DEAL_ARGS", "DEAL_TAIL"]

#: the deal's inputs every Results function takes first: collections, tranches, fees
DEAL_ARGS = "RecoveryCurve[Collections],Tranches[#All],Fees[#All]"
#: and last: the Deal sheet's options, the structures (rates, triggers, supports, orders) and the
#: memo's base case beyond the curve (the timing block)
DEAL_TAIL = (
    "DealOptions,Rates[#All],Triggers[#All],Supports[#All],PaymentOrder[#All],BaseCaseTiming"
)
#: the timing block (npl_xl.workbook.ranges.TIMING_KEYS): key -> the defined name it shows, a
#: blank passed on as "" (a formula of a blank cell shows 0: a known 0 before closing)
TIMING_SOURCES = {
    "total_recovery": "TotalRecovery",
    "cost_rate": "CollectionCostRate",
    "collected_before_closing": "Deal_collected_before_closing",
    "expected_senior_maturity": "Deal_expected_senior_maturity",
    "cutoff_date": "Deal_cutoff_date",
    "closing_date": "Deal_closing_date",
}
#: where the timing block sits: beside the spill blocks, which grow downwards
TIMING_COLUMN = 20
#: the KMV inputs from the Assumptions sheet, each shown blank when blank (the functions then take
#: the rating's default, as rate does; a formula of a blank cell would show 0): key -> name
KMV_SOURCES = {
    "recovery_vol": "RecoveryVolatility",
    "correlation": "RecoveryCorrelation",
    "delay_beta": "DelayBeta",
    "discount_rate": "DiscountRate",
}
#: the rows of the Herfindahl index and the KMV inputs, under the timing block
KMV_ROW = 10 + len(TIMING_SOURCES)
_U = get_column_letter(TIMING_COLUMN + 1)
_KMV = {key: f"${_U}${KMV_ROW + 1 + i}" for i, key in enumerate(KMV_SOURCES)}
#: B7's formula: the memo's KMV volatility (:func:`npl_xl.xl.KMV_VOLATILITY`) from the KMV
#: inputs, the loans' Herfindahl index (PoolHerfindahl), the asset mix and the deal
KMV_VOLATILITY_FORMULA = (
    f"=KMV_VOLATILITY({DEAL_ARGS},{_KMV['recovery_vol']},{_KMV['correlation']},"
    f"{_KMV['delay_beta']},PoolHerfindahl,AssetMix[#All],{DEAL_TAIL})"
)


def pool_cell(tape) -> str | float | None:
    """What the PoolHerfindahl cell holds: ``=POOL_HERFINDAHL(LoanTape[#All])`` when the loans are
    in the workbook (computed when the tape changes, not with every input), their Herfindahl index
    when they are linked beside it (the file is hash-checked, so it cannot change), nothing
    without a tape (the rating's 1,000 equal units)."""
    if tape is None or not len(tape):
        return None
    if tape.attrs.get("linked") is None:
        return f"=POOL_HERFINDAHL({L.TABLES['LoanTape']}[#All])"
    from ..pool import herfindahl

    return herfindahl(tape["total"].to_numpy(float))


def results_sheet(ws, n_tranches: int, pool: str | float | None = None) -> None:
    """Write the Results sheet; the spill blocks are sized for ``n_tranches`` tranches; ``pool``:
    see :func:`pool_cell`."""
    put(ws["A1"], "Results (live: needs the npl-xl Excel add-in)", font=TITLE)
    ws["A2"] = (
        "npl-xl rate writes the full rating memo with values; these cells recalculate as inputs "
        "change."
    )
    ws["A3"] = (
        "Excel 365 spills each block to fit the tranches. Excel 2016/2019 show a fixed block: "
        "after adding a tranche select the block one row deeper and press Ctrl+Shift+Enter."
    )
    ws["A4"] = (
        "The rating memo's base case, break-even, waterfall and KMV from the whole deal "
        "(structures, orders, the timing fit to an expected senior maturity and the cash "
        "collected before closing included)."
    )
    args, tail = DEAL_ARGS, DEAL_TAIL
    _input_blocks(ws, pool)
    put(ws["A5"], "Break-even haircut, most senior tranche", font=BOLD)
    formula(ws["B5"], f"=BREAKEVEN_HAIRCUT({args},1,{tail})", PCT).fill = FORMULA
    put(ws["A6"], "npl-xl version", font=BOLD)
    formula(ws["B6"], "=NPLXL_VERSION()").fill = FORMULA
    put(ws["A7"], "KMV asset volatility, the memo's (type over to try another)", font=BOLD)
    kmv_vol = formula(ws["B7"], KMV_VOLATILITY_FORMULA, PCT)
    kmv_vol.fill, kmv_vol.protection = INPUT, Protection(locked=False)
    k = n_tranches
    blocks = [  # side by side, so each can grow downwards
        ("Waterfall summary", f"=WATERFALL_SUMMARY({args},{tail})", 1, 11),
        ("Tranche KMV", f"=TRANCHE_KMV({args},B7,{_KMV['discount_rate']},{tail})", 13, 6),
    ]
    for title, text, col, width in blocks:
        put(ws.cell(row=8, column=col), title, font=BOLD)
        first, last = get_column_letter(col), get_column_letter(col + width - 1)
        spill(ws.cell(row=9, column=col), text, f"{first}9:{last}{9 + k}")
        for r in ws[f"{first}9:{last}{9 + k}"]:
            for c in r:
                c.fill = FORMULA
    ws.column_dimensions["A"].width = 40


def _blank_as_blank(cell, name: str):
    """``cell`` shows the defined name's value, or "" when it is blank (ISBLANK: a blank passed on
    as a blank, in Lite too, not as 0)."""
    return formula(cell, f'=IF(ISBLANK({name}),"",{name})')


def _input_blocks(ws, pool) -> None:
    """The timing block the functions take last (defined name BaseCaseTiming): key and value of
    the memo's base case beyond the curve, from the Assumptions and Deal sheets; below it the
    loans' Herfindahl index (PoolHerfindahl, :func:`pool_cell`) and the KMV inputs."""
    from openpyxl.utils import quote_sheetname

    from .sheet_tools import define_name

    col = TIMING_COLUMN
    put(ws.cell(row=8, column=col), "Base case beyond the curve (from the Deal sheet)", font=BOLD)
    for r, (key, name) in enumerate(TIMING_SOURCES.items(), start=9):
        put(ws.cell(row=r, column=col), key)
        cell = _blank_as_blank(ws.cell(row=r, column=col + 1), name)
        cell.fill = FORMULA
        if key.endswith("_date"):
            cell.number_format = "yyyy-mm-dd"
    first, last = get_column_letter(col), get_column_letter(col + 1)
    end = 8 + len(TIMING_SOURCES)
    sheet = quote_sheetname(ws.title)
    define_name(ws.parent, "BaseCaseTiming", f"{sheet}!${first}$9:${last}${end}")
    put(
        ws.cell(row=KMV_ROW - 1, column=col), "KMV inputs (blank: the rating's defaults)", font=BOLD
    )
    put(ws.cell(row=KMV_ROW, column=col), "pool_herfindahl")
    h = ws.cell(row=KMV_ROW, column=col + 1)
    if isinstance(pool, str):
        formula(h, pool).fill = FORMULA
    else:
        put(h, pool)
    define_name(ws.parent, "PoolHerfindahl", f"{sheet}!${last}${KMV_ROW}")
    for r, (key, name) in enumerate(KMV_SOURCES.items(), start=KMV_ROW + 1):
        put(ws.cell(row=r, column=col), key)
        _blank_as_blank(ws.cell(row=r, column=col + 1), name).fill = FORMULA
    ws.column_dimensions[first].width = 26
    ws.column_dimensions[last].width = 14
