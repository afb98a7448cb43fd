"""Write deal workbooks: the blank template, filled examples and filled new deals (openpyxl).

Inputs sit in Excel tables and defined names with data validation and number formats; input cells
are yellow and unlocked, formula cells grey and locked (sheets protected without a password).
The Results sheet calls the npl-xl Excel functions on the inputs (it needs the add-in; the
``npl-xl rate`` memo carries values instead).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

from .. import __version__
from ..deal import TRIGGER_EFFECTS, TRIGGER_TESTS
from ..models.analysis import load_stress_table
from ..models.rating import _packaged
from . import layout as L
from .xlsx import AMT as AMOUNT
from .xlsx import BOLD, FORMULA, INPUT, PCT, TITLE, bulk_rows, formula, put, save, spill
from .xlsx import HEAD as HEADER

#: placeholder structure of a new deal (the user or new-deal fills balances and recoveries)
SKELETON_TRANCHES = [
    ["Senior", None, 0.033, 1, 100, 0.0, "initial"],
    ["Sub", None, 0.0, 2, 100, 0.0, "initial"],
]
SKELETON_FEES = [
    ["Taxes", "collections", 0.01, None, None, "senior"],
    ["Trustee", "notes_balance", 0.0005, None, None, "senior"],
    ["Custodian", "notes_balance", 0.0001, None, None, "senior"],
    ["Paying agent", "fixed", None, 2.0, None, "senior"],
    ["Rating and audit", "fixed", None, 5.0, 3.0, "senior"],
    ["Servicer base fee", "collections", 0.05, None, None, "senior"],
]


def _input(cell, value, fmt=None):
    put(cell, value, fmt, fill=INPUT, unlocked=True)


def _header(ws, row, headers, col=1):
    for j, h in enumerate(headers):
        put(ws.cell(row=row, column=col + j), h, font=BOLD, fill=HEADER)


def _name(wb, name, ref):
    wb.defined_names[name] = DefinedName(name, attr_text=ref)


def _table(ws, name, headers, rows, formats=None, first_row=2, inputs=True, col=1):
    """Header at ``first_row`` from column ``col``, then rows; returns the table's last row."""
    _header(ws, first_row, headers, col)
    rows = rows or [[None] * len(headers)]
    for i, row in enumerate(rows, start=first_row + 1):
        for j, v in enumerate(row):
            fmt = (formats or {}).get(headers[j])
            cell = ws.cell(row=i, column=col + j)
            if inputs:
                _input(cell, v, fmt)
            else:
                put(cell, v, fmt)
    last = first_row + len(rows)
    first, end = get_column_letter(col), get_column_letter(col + len(headers) - 1)
    t = Table(displayName=name, ref=f"{first}{first_row}:{end}{last}")
    t.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=False)
    ws.add_table(t)
    for j, h in enumerate(headers, start=col):
        ws.column_dimensions[get_column_letter(j)].width = max(12, len(str(h)) + 4)
    return last


def _list_validation(ws, values, ref):
    dv = DataValidation(
        type="list",
        formula1=f'"{values}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="npl-xl",
        error=f"Choose one of: {values}",
    )
    dv.add(ref)
    ws.add_data_validation(dv)


def _range_validation(ws, ref, lo, hi, what):
    dv = DataValidation(
        type="decimal",
        operator="between",
        formula1=str(lo),
        formula2=str(hi),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="npl-xl",
        error=f"{what}: a decimal from {lo} to {hi}",
    )
    dv.add(ref)
    ws.add_data_validation(dv)


#: sheets protected (without a password): key/value inputs at fixed names and live formulas. The
#: table sheets stay unprotected so a user can add tranche, fee, curve and stress rows (Excel grows
#: a table as rows are typed below it; the reader follows the table's extent).
PROTECTED_SHEETS = ("Deal", "Assumptions", "Results")


def _example_curve() -> list[float]:
    from ..deal import load_example

    return list(load_example("credit_card").require_recovery().cumulative)


@dataclass(frozen=True)
class _Context:
    """What the sheet writers need besides the workbook."""

    values: dict
    a_values: dict
    unit: str
    tape: Any
    pool_tables: dict | None
    stress: Any
    rating_table: Any
    intake: list[str] | None
    valuation: Any = None


def build_workbook(
    deal=None,
    *,
    assumptions: dict | None = None,
    tape=None,
    pool_tables: dict | None = None,
    stress=None,
    rating_table=None,
    unit: str = "万元",
    intake: list[str] | None = None,
    valuation=None,
) -> Workbook:
    """A deal workbook: the blank template when ``deal`` is None, else filled with the deal.

    Amounts of ``deal`` are in ``unit`` (万元 or 元); ``tape`` (a normalised tape, amounts in 元) is
    written in ``unit`` too; ``intake`` lines (the tape's intake report) go on the Pool sheet.
    """
    wb = Workbook()
    wb.remove(wb.active)
    c = _Context(
        _deal_values(deal),
        _assumption_values(deal, assumptions),
        unit,
        tape,
        pool_tables,
        stress,
        rating_table,
        intake,
        valuation,
    )
    for name in L.SHEETS:
        ws = wb.create_sheet(name)
        _SHEET_WRITERS[name](wb, ws, c)
        if name in PROTECTED_SHEETS:
            ws.protection.sheet = True  # no password: protects formulas from slips, not from users
    return wb


def _sheet_deal(wb, ws, c: _Context) -> None:
    put(ws["A1"], "Deal terms", font=TITLE)
    _header(ws, 2, ["Key", "Value", "Meaning"])
    for i, (key, (label, _kind, default, choices, help_)) in enumerate(
        L.DEAL_FIELDS.items(), start=3
    ):
        put(ws.cell(row=i, column=1), key)
        _input(
            ws.cell(row=i, column=2),
            c.values.get(key, default),
            PCT if key == "incentive_fee_share" else None,
        )
        put(ws.cell(row=i, column=3), f"{label}: {help_}")
        _name(wb, f"Deal_{key}", f"Deal!$B${i}")
        if choices:
            _list_validation(ws, choices, f"B{i}")
    last = 2 + len(L.DEAL_FIELDS)
    _name(wb, "DealOptions", f"Deal!$A$3:$B${last}")
    for i, (key, (label, default, choices, help_)) in enumerate(
        L.DEAL_EXTRA.items(), start=last + 2
    ):
        put(ws.cell(row=i, column=1), key)
        _input(ws.cell(row=i, column=2), c.values.get(key, c.unit if key == "unit" else default))
        put(ws.cell(row=i, column=3), f"{label}: {help_}")
        _name(wb, f"Deal_{key}", f"Deal!$B${i}")
        if choices:
            _list_validation(ws, choices, f"B{i}")
    put(
        ws.cell(row=last + 5, column=1),
        f"Written by npl-xl {__version__}. Yellow cells are inputs; grey cells are "
        "formulas. Rates are decimals (0.033, not 3.3).",
    )
    (
        ws.column_dimensions["A"].width,
        ws.column_dimensions["B"].width,
        ws.column_dimensions["C"].width,
    ) = 26, 20, 80


def _sheet_tranches(wb, ws, c: _Context) -> None:
    ws["A1"] = "Tranches, most senior first (seniority 1 = most senior)"
    rows = c.values.get("tranches", SKELETON_TRANCHES)
    end = _table(
        ws,
        L.TABLES["Tranches"],
        L.TRANCHE_HEADERS,
        rows,
        {
            "Balance": AMOUNT,
            "Coupon": PCT,
            "Fixed return": PCT,
            "Issue price": "0.00",
            "Spread": PCT,
            "Floor": PCT,
            "Cap": PCT,
        },
    )
    _range_validation(ws, f"C3:C{end}", 0, 1, "Coupon")
    _list_validation(ws, "initial,outstanding", f"G3:G{end + 20}")
    ws["A" + str(end + 2)] = (
        "A floating coupon: leave Coupon blank and give Index (a rate of the Structures sheet), "
        "Spread, and optionally Floor, Cap and Reset periods."
    )


def _sheet_fees(wb, ws, c: _Context) -> None:
    ws["A1"] = (
        "Taxes and fees in priority order. Basis: fixed (Amount a period), collections (Rate x "
        "collections), "
        "notes_balance (Rate a year x notes outstanding). Cap: most paid a period at its position."
    )
    end = _table(
        ws,
        L.TABLES["Fees"],
        L.FEE_HEADERS,
        c.values.get("fees", SKELETON_FEES),
        {"Rate": "0.000%", "Amount": AMOUNT, "Cap": AMOUNT},
    )
    _list_validation(ws, L.FEE_BASES, f"B3:B{end + 20}")
    _list_validation(ws, L.FEE_POSITIONS, f"F3:F{end + 20}")
    _range_validation(ws, f"C3:C{end}", 0, 1, "Rate")


def _sheet_waterfall(wb, ws, c: _Context) -> None:
    ws["A1"] = (
        "Priority of payments, one step a row: senior_fees, fee:<fee>, reserve, "
        "interest:<tranche>, principal:<tranche>, fixed_return:<tranche>, incentive_fee, "
        "fee_excess, draw:<facility>, repay:<facility>, trap:<account>"
    )
    pre, post = c.values.get("orders", ([], []))
    n = max(len(pre), len(post), 1)
    _table(
        ws,
        L.TABLES["Waterfall"],
        L.ORDER_HEADERS,
        [[pre[i] if i < len(pre) else None, post[i] if i < len(post) else None] for i in range(n)],
    )
    ws.column_dimensions["A"].width = ws.column_dimensions["B"].width = 28


def _sheet_structures(wb, ws, c: _Context) -> None:
    ws["A1"] = (
        "Floating-rate indexes, triggers (tested at each period end, latched, effective next "
        "period) and a liquidity facility, guarantee or excess-spread account (steps draw:<name>, "
        "repay:<name>, trap:<name> in the Waterfall sheet). Leave a table blank if unused."
    )
    _table(ws, L.TABLES["Rates"], L.RATE_HEADERS, c.values.get("rates"), {"Level": PCT})
    end = _table(ws, L.TABLES["Triggers"], L.TRIGGER_HEADERS, c.values.get("triggers"), col=5)
    _list_validation(ws, ",".join(TRIGGER_TESTS), f"F3:F{end + 20}")
    _list_validation(ws, ",".join(TRIGGER_EFFECTS), f"H3:H{end + 20}")
    end = _table(
        ws,
        L.TABLES["Supports"],
        L.SUPPORT_HEADERS,
        c.values.get("supports"),
        {"Limit": AMOUNT, "Fee rate": PCT, "Interest rate": PCT},
        col=10,
    )
    _list_validation(ws, L.SUPPORT_KINDS, f"J3:J{end + 20}")


def _sheet_assumptions(wb, ws, c: _Context) -> None:
    put(ws["A1"], "Recovery and model assumptions", font=TITLE)
    _header(ws, 2, ["Assumption", "Value", "Meaning"])
    for i, (key, (label, kind, default, help_)) in enumerate(L.ASSUMPTION_FIELDS.items(), start=3):
        put(ws.cell(row=i, column=1), label)
        fmt = (
            AMOUNT
            if key == "TotalRecovery"
            else "0"
            if kind is int
            else None
            if kind is str
            else "0.00%"
        )
        _input(ws.cell(row=i, column=2), c.a_values.get(key, default), fmt)
        put(ws.cell(row=i, column=3), help_)
        _name(wb, key, f"Assumptions!$B${i}")
    (
        ws.column_dimensions["A"].width,
        ws.column_dimensions["B"].width,
        ws.column_dimensions["C"].width,
    ) = 52, 16, 60


def _sheet_recovery(wb, ws, c: _Context) -> None:
    ws["A1"] = (
        "Recovery timing: cumulative share of the total recovery collected by each period end "
        "(ends at 1)"
    )
    # a blank template starts from the credit-card example's curve, a full one to edit
    cum = c.values.get("cumulative") or _example_curve()
    _header(ws, 2, L.RECOVERY_HEADERS)
    for i, v in enumerate(cum, start=3):
        put(ws.cell(row=i, column=1), i - 2)
        _input(ws.cell(row=i, column=2), v, PCT)
        prev = f"B{i - 1}" if i > 3 else "0"
        formula(
            ws.cell(row=i, column=3), f"=TotalRecovery*(1-CollectionCostRate)*(B{i}-{prev})", AMOUNT
        ).fill = FORMULA
    t = Table(displayName=L.TABLES["Recovery"], ref=f"A2:C{2 + len(cum)}")
    t.tableStyleInfo = TableStyleInfo(name="TableStyleLight9")
    ws.add_table(t)
    _range_validation(ws, f"B3:B{2 + len(cum)}", 0, 1, "Cumulative share")
    ws.column_dimensions["B"].width = ws.column_dimensions["C"].width = 18


def _sheet_stress(wb, ws, c: _Context) -> None:
    ws["A1"] = (
        "Recovery stress per rating level (best first) and asset class: haircut of the base-case "
        "recovery and delay in months, and a shift added to every coupon (the issue rate is "
        "uncertain when a deal is rated); a tranche must be paid in full under it"
    )
    frame = load_stress_table(c.stress)
    cols = [f"{k}_{a}" for a in L.STRESS_CLASSES for k in ("haircut", "delay")]
    rows = [
        [r["rating"], *(r[k] for k in cols), r.get("issue_rate_shift", 0.0)]
        + [r.get("status", ""), r.get("source", "")]
        for _, r in frame.iterrows()
    ]
    last = _table(
        ws,
        L.TABLES["Stress"],
        L.STRESS_HEADERS,
        rows,
        {h: PCT for h in L.STRESS_HEADERS if h.startswith(("Haircut", "Issue rate"))},
    )
    ws.column_dimensions[get_column_letter(len(L.STRESS_HEADERS))].width = 70
    put(
        ws.cell(row=last + 2, column=1),
        "Asset mix: share of base-case recovery by class",
        font=BOLD,
    )
    mix = c.values.get("asset_mix") or {"unsecured": 1.0}
    _table(
        ws,
        L.TABLES["AssetMix"],
        L.MIX_HEADERS,
        [[a, mix.get(a, 0.0)] for a in L.STRESS_CLASSES],
        {L.MIX_HEADERS[1]: PCT},
        first_row=last + 3,
    )


def _sheet_scorecard(wb, ws, c: _Context) -> None:
    from ..i18n import text
    from ..rating.scorecard import FACTORS, HAIRCUT_PER_POINT

    put(ws["A1"], "Qualitative scorecard: 1 weak .. 5 strong, 3 neutral", font=TITLE)
    put(
        ws["A2"],
        f"Each point below 3 adds {HAIRCUT_PER_POINT:.0%} of haircut to every stress level and "
        "asset "
        "class (each point above takes it away); all 3 changes nothing.",
    )
    scores = c.values.get("scorecard") or {}
    rows = [
        [f, text(f"factor_{f}", "en") + " / " + text(f"factor_{f}", "zh"), scores.get(f, 3), ""]
        for f in FACTORS
    ]
    _table(ws, L.TABLES["Scorecard"], L.SCORECARD_HEADERS, rows, first_row=4)
    ws.column_dimensions["B"].width, ws.column_dimensions["D"].width = 48, 60


def _sheet_idealised_el(wb, ws, c: _Context) -> None:
    ws["A1"] = (
        "Idealised expected loss by rating and horizon (years), best rating first; replace with "
        "an agency table"
    )
    el = c.rating_table if c.rating_table is not None else _packaged("idealized_el.csv")
    headers = ["Rating"] + [str(c) for c in el.columns[1:]]
    _table(
        ws,
        L.TABLES["IdealisedEL"],
        headers,
        el.values.tolist(),
        dict.fromkeys(headers[1:11], "0.0000%"),
    )


def _sheet_pool(wb, ws, c: _Context) -> None:
    put(
        ws["A1"],
        f"Pool summary (filled by npl-xl new-deal from the loan tape; amounts in {c.unit})",
        font=TITLE,
    )
    row = 3
    if c.intake:
        put(ws.cell(row=row, column=1), "Intake report", font=BOLD)
        for i, line in enumerate(c.intake, start=row + 1):
            put(ws.cell(row=i, column=1), line)
        row += len(c.intake) + 2
    for title, frame in (c.pool_tables or {}).items():
        put(ws.cell(row=row, column=1), title, font=BOLD)
        _header(ws, row + 1, [str(c) for c in frame.columns])
        for i, rec in enumerate(frame.itertuples(index=False), start=row + 2):
            for j, v in enumerate(rec, start=1):
                put(ws.cell(row=i, column=j), v, AMOUNT if isinstance(v, float) else None)
        row += len(frame) + 3
    ws.column_dimensions["A"].width = 44
    ws.column_dimensions["B"].width = ws.column_dimensions["C"].width = 18


def _sheet_loan_tape(wb, ws, c: _Context) -> None:
    if c.tape is not None and len(c.tape):
        from .tape import sheet_frame

        frame = sheet_frame(c.tape, c.unit)
        header = [str(c) for c in frame.columns]
        dates = {
            h: "yyyy-mm-dd"
            for h, c in zip(header, frame.columns)
            if str(frame[c].dtype).startswith("datetime")
        }
        _table(
            ws,
            L.TABLES["LoanTape"],
            header,
            [list(frame.iloc[0])],
            dates,
            first_row=1,
            inputs=False,
        )
        table = ws.tables[L.TABLES["LoanTape"]]
        table._initialise_columns()  # name the columns now, so saving never visits every cell
        for col, name in zip(table.tableColumns, header):
            col.name = name
        table.ref = f"A1:{get_column_letter(len(header))}{len(frame) + 1}"
        bulk_rows(ws, frame.iloc[1:], first_row=3)  # the rest straight into the sheet XML (fast)
    else:
        put(ws["A1"], "Loan tape: npl-xl new-deal fills this sheet from a CSV or XLSX tape")


def _sheet_valuation_tables(wb, ws, c: _Context) -> None:
    """The valuation assumptions as editable tables, each row with its source."""
    from ..models.valuation import CURVE_MONTHS, _read

    put(
        ws["A1"],
        "Loan-level valuation tables (ILLUSTRATIVE defaults): edit, then run npl-xl new-deal TAPE "
        "--template THIS_WORKBOOK to revalue",
        font=TITLE,
    )
    row = 3
    for key, name, fmts in (
        ("ValCollateral", "valuation_collateral.csv", {"haircut": PCT, "disposal_cost": PCT}),
        ("ValStages", "valuation_stages.csv", {}),
        ("ValCurves", "valuation_curves.csv", dict.fromkeys(map(str, CURVE_MONTHS), PCT)),
        ("ValFactors", "valuation_factors.csv", {}),
    ):
        frame = _read(name)
        put(ws.cell(row=row, column=1), key, font=BOLD)
        last = _table(
            ws,
            L.TABLES[key],
            [str(h) for h in frame.columns],
            frame.values.tolist(),
            fmts,
            first_row=row + 1,
        )
        row = last + 3


def _sheet_valuation(wb, ws, c: _Context) -> None:
    """The value of each loan (from new-deal): class, method, claim, expected recovery, mean
    months."""
    if c.valuation is None:
        put(ws["A1"], "Loan-level values: npl-xl new-deal fills this sheet from a tape")
        return
    import pandas as pd

    from ..assumptions import DEAL_UNITS

    v = c.valuation[0]
    scale = 1.0 / DEAL_UNITS[c.unit]
    frame = pd.DataFrame(
        {
            "loan_id": c.tape["loan_id"].to_numpy(),
            "asset_class": v.asset_class,
            "method": v.method,
            f"claim ({c.unit})": c.tape["total"].to_numpy() * scale,
            f"expected recovery ({c.unit})": v.expected * scale,
            "mean months": v.mean_months,
        }
    )
    header = [str(h) for h in frame.columns]
    _table(
        ws,
        L.TABLES["LoanValues"],
        header,
        [list(frame.iloc[0])],
        {header[3]: AMOUNT, header[4]: AMOUNT},
        first_row=1,
        inputs=False,
    )
    table = ws.tables[L.TABLES["LoanValues"]]
    table._initialise_columns()
    for col, name in zip(table.tableColumns, header):
        col.name = name
    table.ref = f"A1:{get_column_letter(len(header))}{len(frame) + 1}"
    bulk_rows(ws, frame.iloc[1:], first_row=3)


_SHEET_WRITERS = {
    "Deal": _sheet_deal,
    "Tranches": _sheet_tranches,
    "Fees": _sheet_fees,
    "Waterfall": _sheet_waterfall,
    "Structures": _sheet_structures,
    "Assumptions": _sheet_assumptions,
    "Recovery": _sheet_recovery,
    "Stress": _sheet_stress,
    "IdealisedEL": _sheet_idealised_el,
    "Pool": _sheet_pool,
    "LoanTape": _sheet_loan_tape,
    "Scorecard": _sheet_scorecard,
    "ValuationTables": _sheet_valuation_tables,
    "Valuation": _sheet_valuation,
    "Results": lambda wb, ws, c: _results_sheet(ws, c.values),
}


def _results_sheet(ws, values):
    put(ws["A1"], "Results (live: needs the npl-xl Excel add-in)", font=TITLE)
    ws["A2"] = (
        "npl-xl rate writes the full rating memo with values; these cells recalculate as inputs "
        "change."
    )
    ws["A3"] = (
        "Excel 365 spills each block to fit the tranches. Excel 2016/2019 show a fixed block: "
        "after adding a tranche select the block one row deeper and press Ctrl+Shift+Enter."
    )
    args = "RecoveryCurve[Collections],Tranches[#All],Fees[#All]"
    put(ws["A5"], "Break-even haircut, most senior tranche", font=BOLD)
    formula(ws["B5"], f"=BREAKEVEN_HAIRCUT({args},1,DealOptions)", PCT).fill = FORMULA
    put(ws["A6"], "npl-xl version", font=BOLD)
    formula(ws["B6"], "=NPLXL_VERSION()").fill = FORMULA
    k = len(values.get("tranches", SKELETON_TRANCHES))
    blocks = [  # side by side, so each can grow downwards
        ("Waterfall summary", f"=WATERFALL_SUMMARY({args},DealOptions)", 1, 11),
        ("Tranche KMV", f"=TRANCHE_KMV({args},RecoveryVolatility,DiscountRate,DealOptions)", 13, 6),
    ]
    for title, text, col, width in blocks:
        put(ws.cell(row=8, column=col), title, font=BOLD)
        first, last = get_column_letter(col), get_column_letter(col + width - 1)
        spill(ws.cell(row=9, column=col), text, f"{first}9:{last}{9 + k}")
        for r in ws[f"{first}9:{last}{9 + k}"]:
            for c in r:
                c.fill = FORMULA
    ws.column_dimensions["A"].width = 40


def _deal_values(deal) -> dict:
    if deal is None:
        return {}
    pre, post = deal.orders()
    return {
        "name": deal.name,
        "payments_per_year": deal.payments_per_year,
        "legal_maturity_periods": deal.legal_maturity_periods
        or (len(deal.recovery.cumulative) if deal.recovery else None),
        "reserve_multiple": deal.reserve.multiple,
        "reserve_initial": deal.reserve.initial,
        "incentive_fee_share": deal.incentive_fee_share,
        "default_event": deal.default_event,
        "tranches": [_tranche_row(t) for t in deal.ordered_tranches],
        "rates": [
            [k, r.level, None if r.path is None else ", ".join(f"{x:g}" for x in r.path), r.source]
            for k, r in deal.rates.items()
        ],
        "triggers": [[t.name, t.test, t.threshold, t.effect] for t in deal.triggers],
        "supports": [
            [kind, m.name, m.limit, ", ".join(m.covers), m.fee_rate, m.interest_rate]
            + [getattr(m, "rating", None)]
            for kind, m in deal.supports()
        ],
        "fees": [
            [
                f.name,
                f.basis,
                f.rate if f.basis != "fixed" else None,
                f.amount if f.basis == "fixed" else None,
                f.cap,
                f.position,
            ]
            for f in deal.fees
        ],
        "orders": (pre, post),
        "notes": deal.notes,
        "cumulative": list(deal.recovery.cumulative) if deal.recovery else None,
        "asset_mix": deal.recovery.asset_mix if deal.recovery else None,
    }


def _tranche_row(t) -> list:
    row = [t.name, t.balance, None, t.seniority, t.issue_price, t.fixed_return]
    row.append(t.fixed_return_base)
    if t.floating:
        f = t.coupon
        return row + [f.index, f.spread, f.floor, f.cap, f.reset_periods]
    row[2] = t.coupon
    return row + [None] * 5


def _assumption_values(deal, assumptions) -> dict:
    out: dict[str, object] = {}
    if deal is not None and deal.recovery is not None:
        r = deal.recovery
        out.update(TotalRecovery=r.total, CollectionCostRate=r.cost_rate, RecoverySource=r.source)
        if r.volatility is not None:
            out["RecoveryVolatility"] = r.volatility
        if r.discount_rate is not None:
            out["DiscountRate"] = r.discount_rate
    out.update(assumptions or {})
    return out


def write_deal_workbook(path, deal=None, *, overwrite: bool = False, **kwargs) -> None:
    """Write a deal workbook atomically; an existing file is kept unless ``overwrite``."""
    save(build_workbook(deal, **kwargs), path, overwrite=overwrite)


#: principal + interest + fees of the public deals behind the examples, 万元 (methodology §6)
POOL_WAN = {"credit_card": 392_841.81, "mortgage": 262_513.86}


def build_templates(folder: str | os.PathLike, *, overwrite: bool = False) -> list[str]:
    """Write the blank template and the two filled examples into ``folder``; returns the paths.

    Existing files are kept (an error names the first) unless ``overwrite``.
    """
    from ..deal import load_example
    from .tape import normalise_rows, pool_tables, synthetic_tape

    paths = [
        os.path.join(folder, f)
        for f in ("npl_deal_template.xlsx", "example_credit_card.xlsx", "example_mortgage.xlsx")
    ]
    if not overwrite:
        for path in paths:
            if os.path.exists(path):
                raise ValueError(
                    f"output: {path} exists; pass --force (overwrite=True) to replace it"
                )
    write_deal_workbook(paths[0], overwrite=overwrite)
    for path, (name, loans, kind) in zip(
        paths[1:], (("credit_card", 20_000, "consumer"), ("mortgage", 3_000, "mortgage"))
    ):
        raw = synthetic_tape(loans, seed=2021, kind=kind)
        # scaled so the pool's principal + interest + fees is the public deal's (methodology §6)
        factor = POOL_WAN[name] * 1e4 / raw[["未偿本金", "未偿利息", "费用"]].to_numpy().sum()
        raw[["未偿本金", "未偿利息", "费用"]] = (
            raw[["未偿本金", "未偿利息", "费用"]] * factor
        ).round(2)
        tape = normalise_rows(
            list(raw.columns),
            raw.values.tolist(),
            name=f"synthetic {kind} tape",
            today=dt.date(2021, 6, 30),
        )
        write_deal_workbook(
            path,
            load_example(name),
            tape=tape,
            pool_tables=pool_tables(tape, "万元"),
            overwrite=overwrite,
            unit="万元",
        )
    return paths
