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
from openpyxl.worksheet.table import Table, TableStyleInfo

from .. import __version__
from ..deal import TRIGGER_EFFECTS, TRIGGER_TESTS
from ..models.analysis import load_stress_table
from ..models.rating import _packaged
from . import layout as L
from .pool_sheets import sheet_loan_tape, sheet_pool, sheet_valuation, sheet_valuation_tables
from .results_sheet import results_sheet
from .sheet_tools import (
    add_table,
    define_name,
    header_row,
    input_cell,
    list_validation,
    range_validation,
)
from .xlsx import AMT as AMOUNT
from .xlsx import BOLD, FORMULA, PCT, TITLE, formula, put, save

#: placeholder structure of a new deal (the user or new-deal fills balances and recoveries)
SKELETON_TRANCHES = [
    ["Senior", None, 0.033, 1, 100, 0.0, "initial"] + [None] * 6,
    ["Sub", None, 0.0, 2, 100, 0.0, "initial"] + [None] * 6,
]
SKELETON_FEES = [
    ["Taxes", "collections", 0.01, None, None, "senior"],
    ["Trustee", "notes_balance", 0.0005, None, None, "senior"],
    ["Custodian", "notes_balance", 0.0001, None, None, "senior"],
    ["Paying agent", "fixed", None, 2.0, None, "senior"],
    ["Rating and audit", "fixed", None, 5.0, 3.0, "senior"],
    ["Servicer base fee", "collections", 0.05, None, None, "senior"],
]


#: Assumptions-sheet numbers that are not shares (shown as plain numbers, not percentages)
NOT_PERCENT = ("DelayBeta",)

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
    header_row(ws, 2, ["Key", "Value", "Meaning"])
    for i, (key, (label, _kind, default, choices, help_)) in enumerate(
        L.DEAL_FIELDS.items(), start=3
    ):
        put(ws.cell(row=i, column=1), key)
        input_cell(
            ws.cell(row=i, column=2),
            c.values.get(key, default),
            PCT if key == "incentive_fee_share" else None,
        )
        put(ws.cell(row=i, column=3), f"{label}: {help_}")
        define_name(wb, f"Deal_{key}", f"Deal!$B${i}")
        if choices:
            list_validation(ws, choices, f"B{i}")
    last = 2 + len(L.DEAL_FIELDS)
    define_name(wb, "DealOptions", f"Deal!$A$3:$B${last}")
    row = last + 2
    for key, (label, default, choices, help_) in L.DEAL_EXTRA.items():
        put(ws.cell(row=row, column=1), key)
        input_cell(
            ws.cell(row=row, column=2), c.values.get(key, c.unit if key == "unit" else default)
        )
        put(ws.cell(row=row, column=3), f"{label}: {help_}")
        define_name(wb, f"Deal_{key}", f"Deal!$B${row}")
        if choices:
            list_validation(ws, choices, f"B{row}")
        row += 1
    row += 1
    extra = {k: (label, kind, help_) for k, (label, kind, help_) in L.DEAL_RATING.items()}
    extra |= {k: (label, str, help_) for k, (label, help_) in L.DEAL_PARTIES.items()}
    for key, (label, kind, help_) in extra.items():
        put(ws.cell(row=row, column=1), key)
        fmt = "yyyy-mm-dd" if kind is dt.date else AMOUNT if key.startswith("collected") else None
        input_cell(ws.cell(row=row, column=2), c.values.get(key), fmt)
        put(ws.cell(row=row, column=3), f"{label}: {help_}")
        define_name(wb, f"Deal_{key}", f"Deal!$B${row}")
        row += 1
    put(
        ws.cell(row=row + 1, column=1),
        f"Written by npl-xl {__version__}. Yellow cells are inputs; grey cells are "
        "formulas. Rates are decimals (0.033, not 3.3).",
    )
    (
        ws.column_dimensions["A"].width,
        ws.column_dimensions["B"].width,
        ws.column_dimensions["C"].width,
    ) = 26, 20, 80


def _sheet_tranches(wb, ws, c: _Context) -> None:
    ws["A1"] = (
        "Tranches, most senior first (seniority 1 = most senior). A floating coupon: leave Coupon "
        "blank and give Index (a rate of the Structures sheet), Spread, and optionally Floor, Cap "
        "and Reset periods."
    )
    rows = c.values.get("tranches", SKELETON_TRANCHES)
    end = add_table(
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
    range_validation(ws, f"C3:C{end}", 0, 1, "Coupon")
    list_validation(ws, "initial,outstanding", f"G3:G{end + 20}")
    list_validation(ws, L.RATING_BASES, f"M3:M{end + 20}")


def _sheet_fees(wb, ws, c: _Context) -> None:
    ws["A1"] = (
        "Taxes and fees in priority order. Basis: fixed (Amount a period), collections (Rate x "
        "collections), "
        "notes_balance (Rate a year x notes outstanding). Cap: most paid a period at its position."
    )
    end = add_table(
        ws,
        L.TABLES["Fees"],
        L.FEE_HEADERS,
        c.values.get("fees", SKELETON_FEES),
        {"Rate": "0.000%", "Amount": AMOUNT, "Cap": AMOUNT},
    )
    list_validation(ws, L.FEE_BASES, f"B3:B{end + 20}")
    list_validation(ws, L.FEE_POSITIONS, f"F3:F{end + 20}")
    range_validation(ws, f"C3:C{end}", 0, 1, "Rate")


def _sheet_waterfall(wb, ws, c: _Context) -> None:
    ws["A1"] = (
        "Priority of payments, one step a row: senior_fees, fee:<fee>, reserve, "
        "interest:<tranche>, principal:<tranche>, fixed_return:<tranche>, incentive_fee, "
        "fee_excess, draw:<facility>, repay:<facility>, trap:<account>"
    )
    pre, post = c.values.get("orders", ([], []))
    n = max(len(pre), len(post), 1)
    add_table(
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
    add_table(ws, L.TABLES["Rates"], L.RATE_HEADERS, c.values.get("rates"), {"Level": PCT})
    end = add_table(ws, L.TABLES["Triggers"], L.TRIGGER_HEADERS, c.values.get("triggers"), col=5)
    list_validation(ws, ",".join(TRIGGER_TESTS), f"F3:F{end + 20}")
    list_validation(ws, ",".join(TRIGGER_EFFECTS), f"H3:H{end + 20}")
    end = add_table(
        ws,
        L.TABLES["Supports"],
        L.SUPPORT_HEADERS,
        c.values.get("supports"),
        {"Limit": AMOUNT, "Fee rate": PCT, "Interest rate": PCT},
        col=10,
    )
    list_validation(ws, L.SUPPORT_KINDS, f"J3:J{end + 20}")


def _sheet_assumptions(wb, ws, c: _Context) -> None:
    put(ws["A1"], "Recovery and model assumptions", font=TITLE)
    header_row(ws, 2, ["Assumption", "Value", "Meaning"])
    for i, (key, (label, kind, default, help_)) in enumerate(L.ASSUMPTION_FIELDS.items(), start=3):
        put(ws.cell(row=i, column=1), label)
        fmt = (
            AMOUNT
            if key == "TotalRecovery"
            else "0"
            if kind is int
            else None
            if kind is str
            else "0.00"
            if key in NOT_PERCENT
            else "0.00%"
        )
        input_cell(ws.cell(row=i, column=2), c.a_values.get(key, default), fmt)
        put(ws.cell(row=i, column=3), help_)
        define_name(wb, key, f"Assumptions!$B${i}")
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
    header_row(ws, 2, L.RECOVERY_HEADERS)
    for i, v in enumerate(cum, start=3):
        put(ws.cell(row=i, column=1), i - 2)
        input_cell(ws.cell(row=i, column=2), v, PCT)
        prev = f"B{i - 1}" if i > 3 else "0"
        formula(
            ws.cell(row=i, column=3), f"=TotalRecovery*(1-CollectionCostRate)*(B{i}-{prev})", AMOUNT
        ).fill = FORMULA
    t = Table(displayName=L.TABLES["Recovery"], ref=f"A2:C{2 + len(cum)}")
    t.tableStyleInfo = TableStyleInfo(name="TableStyleLight9")
    ws.add_table(t)
    range_validation(ws, f"B3:B{2 + len(cum)}", 0, 1, "Cumulative share")
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
    add_table(
        ws,
        L.TABLES["Stress"],
        L.STRESS_HEADERS,
        rows,
        {h: PCT for h in L.STRESS_HEADERS if h.startswith(("Haircut", "Issue rate"))},
    )
    ws.column_dimensions[get_column_letter(len(L.STRESS_HEADERS))].width = 70
    # beside the stress table, not under it: the stress table can grow downwards
    col = len(L.STRESS_HEADERS) + 2
    put(ws.cell(row=1, column=col), "Asset mix: share of base-case recovery by class", font=BOLD)
    mix = c.values.get("asset_mix") or {"unsecured": 1.0}
    add_table(
        ws,
        L.TABLES["AssetMix"],
        L.MIX_HEADERS,
        [[a, mix.get(a, 0.0)] for a in L.STRESS_CLASSES],
        {L.MIX_HEADERS[1]: PCT},
        col=col,
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
    add_table(ws, L.TABLES["Scorecard"], L.SCORECARD_HEADERS, rows, first_row=4)
    ws.column_dimensions["B"].width, ws.column_dimensions["D"].width = 48, 60


def _sheet_idealised_el(wb, ws, c: _Context) -> None:
    ws["A1"] = (
        "Idealised expected loss by rating and horizon (years), best rating first; replace with "
        "an agency table"
    )
    el = c.rating_table if c.rating_table is not None else _packaged("idealized_el.csv")
    headers = ["Rating"] + [str(c) for c in el.columns[1:]]
    add_table(
        ws,
        L.TABLES["IdealisedEL"],
        headers,
        el.values.tolist(),
        dict.fromkeys(headers[1:11], "0.0000%"),
    )


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
    "Pool": sheet_pool,
    "LoanTape": sheet_loan_tape,
    "Scorecard": _sheet_scorecard,
    "ValuationTables": sheet_valuation_tables,
    "Valuation": sheet_valuation,
    "Results": lambda wb, ws, c: results_sheet(
        ws, len(c.values.get("tranches", SKELETON_TRANCHES))
    ),
}


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
    basis = getattr(t, "rating_basis", None)  # merge: the engine's Tranche gains rating_basis
    if t.floating:
        f = t.coupon
        return row + [f.index, f.spread, f.floor, f.cap, f.reset_periods, basis]
    row[2] = t.coupon
    return row + [None] * 5 + [basis]


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
