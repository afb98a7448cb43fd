"""Read a deal workbook (as written by :mod:`npl_xl.workbook.template`) into validated inputs.

Every error names the sheet and the cell, e.g. ``Tranches!B3: Balance: expected a number, got 'abc'``.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field

import pandas as pd
from openpyxl.utils import get_column_letter, range_boundaries

from ..deal import Deal
from ..tables import deal_from_tables
from . import layout as L
from .xlsx import open_workbook

_NUMERIC_COLUMNS = {
    "Tranches": {"Balance", "Coupon", "Seniority", "Issue price", "Fixed return"},
    "Fees": {"Rate", "Amount", "Cap"},
    "Stress": {"Haircut", "Delay months"},
}


@dataclass
class WorkbookInputs:
    """Everything the rating run needs from a deal workbook."""

    deal: Deal
    assumptions: dict
    stress: pd.DataFrame
    rating_table: pd.DataFrame
    tape: pd.DataFrame | None
    path: str
    sha256: str
    currency: str = L.CURRENCY_LABEL
    notes: list = field(default_factory=list)


def _err(sheet, row, col, what) -> ValueError:
    return ValueError(f"{sheet}!{get_column_letter(col)}{row}: {what}")


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _table_rows(wb, sheet: str, table: str):
    """(header, rows, first data row, first column) of an Excel table."""
    ws = wb[sheet]
    if table not in ws.tables:
        found = ", ".join(ws.tables) or "none"
        raise ValueError(f"{sheet}: no table named '{table}' (tables on the sheet: {found}); "
                         "restore the name in Table Design > Table Name")
    c0, r0, c1, r1 = range_boundaries(ws.tables[table].ref)
    cells = [[ws.cell(row=r, column=c).value for c in range(c0, c1 + 1)] for r in range(r0, r1 + 1)]
    return cells[0], cells[1:], r0 + 1, c0


def _numeric_check(sheet, header, rows, r0, c0):
    numeric = _NUMERIC_COLUMNS.get(sheet, set())
    for i, row in enumerate(rows):
        for j, (h, v) in enumerate(zip(header, row)):
            if h in numeric and v is not None and not _is_number(v):
                if isinstance(v, str) and not v.strip():
                    continue
                raise _err(sheet, r0 + i, c0 + j, f"{h}: expected a number, got {v!r}")


def _value(ws, sheet, row, kind, label):
    v = ws.cell(row=row, column=2).value
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if kind in (int, float):
        if not _is_number(v):
            raise _err(sheet, row, 2, f"{label}: expected a number, got {v!r}")
        if kind is int and float(v) != int(v):
            raise _err(sheet, row, 2, f"{label}: expected a whole number, got {v!r}")
        return kind(v)
    return str(v).strip()


def read_deal_workbook(path) -> WorkbookInputs:
    """Read and validate every input of a deal workbook."""
    path = os.fspath(path)
    wb = open_workbook(path)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    missing = [s for s in L.REQUIRED_SHEETS if s not in wb.sheetnames]
    if missing:
        raise ValueError(f"workbook: no sheet {', '.join(repr(m) for m in missing)} in {os.path.basename(path)} "
                         f"(sheets: {', '.join(wb.sheetnames)})")

    ws = wb["Deal"]
    options = []
    for i, (key, (label, kind, *_)) in enumerate(L.DEAL_FIELDS.items(), start=3):
        if ws.cell(row=i, column=1).value != key:
            raise _err("Deal", i, 1, f"expected the key {key!r}, found {ws.cell(row=i, column=1).value!r} "
                                     "(rows of the Deal sheet must not move)")
        v = _value(ws, "Deal", i, kind, label)
        if v is not None:
            options.append([key, v])
    currency = ws.cell(row=len(L.DEAL_FIELDS) + 4, column=2).value or L.CURRENCY_LABEL
    notes = ws.cell(row=len(L.DEAL_FIELDS) + 5, column=2).value or ""

    tables, first_rows = {}, {}
    for sheet in ("Tranches", "Fees"):
        header, rows, r0, c0 = _table_rows(wb, sheet, L.TABLES[sheet])
        _numeric_check(sheet, header, rows, r0, c0)
        tables[sheet], first_rows[sheet] = [header] + rows, r0
    for i, row in enumerate(tables["Tranches"][1:]):
        if row[0] not in (None, "") and row[1] in (None, ""):
            raise _err("Tranches", first_rows["Tranches"] + i, 2, f"Balance: tranche {row[0]!r} has no balance")

    a = wb["Assumptions"]
    assumptions = {}
    for i, (key, (label, kind, default, _)) in enumerate(L.ASSUMPTION_FIELDS.items(), start=3):
        v = _value(a, "Assumptions", i, kind, label)
        assumptions[key] = default if v is None else v
    if assumptions["TotalRecovery"] <= 0:
        raise _err("Assumptions", 3, 2, "Expected total recovery: must be > 0")

    header, rows, r0, c0 = _table_rows(wb, "Recovery", L.TABLES["Recovery"])
    cumulative = []
    for i, row in enumerate(rows):
        v = row[1]
        if v is None:
            continue
        if not _is_number(v):
            raise _err("Recovery", r0 + i, c0 + 1, f"Cumulative share: expected a number, got {v!r}")
        cumulative.append(float(v))

    orders = {}
    if "Waterfall" in wb.sheetnames and L.TABLES["Waterfall"] in wb["Waterfall"].tables:
        header, rows, *_ = _table_rows(wb, "Waterfall", L.TABLES["Waterfall"])
        for j, key in enumerate(("pre_default_order", "post_default_order")):
            steps = [str(r[j]).strip() for r in rows if r[j] not in (None, "")]
            if steps:
                orders[key] = steps

    deal, _ = deal_from_tables(tables["Tranches"], tables["Fees"], options)
    recovery = {"total": assumptions["TotalRecovery"], "cumulative": cumulative,
                "cost_rate": assumptions["CollectionCostRate"], "volatility": assumptions["RecoveryVolatility"],
                "discount_rate": assumptions["DiscountRate"], "source": assumptions["RecoverySource"]}
    default_pre, default_post = deal.orders()
    orders = {k: v for k, v in orders.items() if v != (default_pre if k == "pre_default_order" else default_post)}
    try:
        deal = deal.with_changes(recovery=recovery, notes=str(notes), **orders)
    except ValueError as exc:
        raise ValueError(f"{os.path.basename(path)}: {exc}") from None

    stress = rating = None
    if "Stress" in wb.sheetnames:
        header, rows, r0, c0 = _table_rows(wb, "Stress", L.TABLES["Stress"])
        _numeric_check("Stress", header, rows, r0, c0)
        columns = [str(c or "").strip().lower().replace(" ", "_") for c in header]
        missing = [c for c in ("rating", "haircut", "delay_months") if c not in columns]
        if missing:
            raise ValueError(f"Stress: the table {L.TABLES['Stress']} has no column {', '.join(missing)} "
                             f"(found: {', '.join(c for c in columns if c) or 'nothing'})")
        stress = pd.DataFrame([r for r in rows if r[0] not in (None, "")], columns=columns)
        if stress.empty:
            raise ValueError(f"Stress: the table {L.TABLES['Stress']} has no rating levels")
    if "RatingScale" in wb.sheetnames:
        header, rows, *_ = _table_rows(wb, "RatingScale", L.TABLES["RatingScale"])
        rating = pd.DataFrame([r for r in rows if r[0] not in (None, "")], columns=[str(h) for h in header])
    tape = None
    if "LoanTape" in wb.sheetnames and L.TABLES["LoanTape"] in wb["LoanTape"].tables:
        from .tape import validate_tape

        header, rows, *_ = _table_rows(wb, "LoanTape", L.TABLES["LoanTape"])
        tape = validate_tape(pd.DataFrame(rows, columns=header), name="LoanTape sheet")
    return WorkbookInputs(deal, assumptions, stress, rating, tape, path, digest, str(currency))
