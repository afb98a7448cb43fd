"""A deal from the cell ranges an Excel function receives: the tranche, fee and option blocks
(:func:`npl_xl.tables.deal_from_tables`) plus the Structures sheet's Rates, Triggers and Supports
tables and the Waterfall sheet's PaymentOrder table, read by the deal-workbook reader's own code
(:mod:`npl_xl.workbook.reader`), so a range and a saved workbook give the same deal.

A range holds its header row, then one row per item. Blank cells arrive as None (classic xlwings)
or 0 (xlwings Lite): in a text column both mean blank, and so does a row of blanks and zeros.
Errors name the argument and the row and column within its range.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from ..deal import Deal
from ..tables import deal_from_tables
from . import layout as L
from .book import Table
from .reader import _NUMERIC_COLUMNS, _asset_mix, _orders, _structures

__all__ = [
    "STRUCTURE_ARGS",
    "deal_from_ranges",
    "asset_mix_from_range",
    "herfindahl_from_range",
    "timing_from_range",
    "TIMING_KEYS",
]

#: argument name -> (table name the reader looks up, its headers, the headers a range must have)
STRUCTURE_ARGS: dict[str, tuple[str, list[str], tuple[str, ...]]] = {
    "rates": (L.TABLES["Rates"], L.RATE_HEADERS, ("Index", "Level")),
    "triggers": (L.TABLES["Triggers"], L.TRIGGER_HEADERS, tuple(L.TRIGGER_HEADERS)),
    "supports": (L.TABLES["Supports"], L.SUPPORT_HEADERS, ("Kind", "Limit")),
    "orders": (L.TABLES["Waterfall"], L.ORDER_HEADERS, tuple(L.ORDER_HEADERS)),
    "asset_mix": (L.TABLES["AssetMix"], L.MIX_HEADERS, tuple(L.MIX_HEADERS)),
}


@dataclass
class _RangeTable(Table):
    """A table read from a function argument: cells are named by the argument, row and column."""

    arg: str = ""

    def ref(self, i: int, j: int) -> str:
        return f"{self.arg} (row {i + 2}, column {j + 1} of the range)"


def _blank(v) -> bool:
    return v is None or v == 0 or (isinstance(v, str) and not v.strip())


def _range_table(arg: str, block) -> _RangeTable:
    """The argument's block as a table; refuses a range without the table's header row."""
    name, headers, required = STRUCTURE_ARGS[arg]
    if not isinstance(block, (list, tuple)) or not block:
        raise ValueError(
            f"{arg}: expected the {name} table with its header row (e.g. {name}[#All])"
        )
    rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in block]
    if not isinstance(block[0], (list, tuple)):
        rows = [list(block)]  # one row
    header = [L.header_key(h) if isinstance(h, str) else h for h in rows[0]]
    missing = [h for h in required if h not in header]
    if missing:
        found = ", ".join(str(h) for h in rows[0] if not _blank(h)) or "nothing"
        raise ValueError(
            f"{arg}: expected the {name} table with its header row ({', '.join(headers)}); "
            f"no {', '.join(missing)} in the first row (found: {found})"
        )
    numeric = _NUMERIC_COLUMNS.get(name, set())
    data = []
    for r in rows[1:]:
        if all(_blank(v) for v in r):
            data.append([None] * len(r))
            continue
        data.append([None if _blank(v) and h not in numeric else v for h, v in zip(header, r)])
    if name == L.TABLES["Rates"] and "Path" in header:  # Lite: a blank level beside a path is 0
        j, p = header.index("Level"), header.index("Path")
        for r in data:
            if r[p] is not None and r[j] == 0:
                r[j] = None
    return _RangeTable(name, arg, header, data, 2, 1, arg=arg)


class _RangeBook:
    """What the reader's table functions need of a workbook, over function arguments."""

    def __init__(self, tables: dict[str, _RangeTable]):
        self._tables = tables
        self.file = "the ranges"

    def has_table(self, name: str) -> bool:
        return name in self._tables

    def table(self, name: str) -> Table:
        t = self._tables[name]
        return _RangeTable(
            t.name, t.sheet, list(t.header), [list(r) for r in t.rows], 2, 1, arg=t.arg
        )

    def below(self, t: Table) -> None:  # a range has nothing typed under it
        return None


def _recovery(c: np.ndarray) -> dict:
    """Base-case recovery equal to the collections (a cumulative_collections_ratio trigger
    compares with the base case)."""
    if (c < 0).any():
        raise ValueError(
            "collections: must not be negative (they are the base case of the trigger)"
        )
    total = float(c.sum())
    if not total > 0:
        raise ValueError(
            "collections: all zero; a cumulative_collections_ratio trigger compares with them as "
            "the base case"
        )
    return {"total": total, "cumulative": (np.cumsum(c) / total).clip(0, 1).tolist()}


def deal_from_ranges(
    collections: np.ndarray, tranches, fees, options, structures: dict, timing=None
) -> tuple[Deal, np.ndarray, dict]:
    """(deal, base-case collections, options that are not deal fields) from an Excel function's
    ranges.

    ``structures`` maps rates / triggers / supports / orders to their ranges (None: not given).
    Collections shorter than the legal maturity are padded with zero periods, as the rating's
    base case is; with a cumulative_collections_ratio trigger the collections are the deal's base
    case (its recovery is built from them, and the collections returned are its base case, equal
    to within rounding). With the ``timing`` block (:func:`timing_from_range`) the collections give
    the recovery curve's shape and the block the rest of the memo's base case: the deal's recovery
    (total, cost rate, cash collected before closing) and the timing fit to the expected senior
    maturity (:func:`npl_xl.workbook.run.fitted_deal`); its base case is returned.
    """
    book = _RangeBook(
        {
            STRUCTURE_ARGS[arg][0]: _range_table(arg, block)
            for arg, block in structures.items()
            if block is not None
        }
    )
    found = _structures(book)  # type: ignore[arg-type]  # a Book look-alike over the ranges
    triggers = found.pop("triggers", None)
    deal, extra = deal_from_tables(
        tranches, fees, options, n_periods=len(collections), structures=found
    )
    n = deal.legal_maturity_periods or len(collections)
    if len(collections) > n:
        raise ValueError(
            f"collections: {len(collections)} periods, beyond the legal maturity ({n} periods)"
        )
    c = np.pad(collections, (0, n - len(collections)))
    changes: dict = _orders(book, deal)  # type: ignore[arg-type]
    ratio = any(t["test"] == "cumulative_collections_ratio" for t in triggers or ())
    if triggers:
        changes["triggers"] = triggers
    given = timing_from_range(timing) if timing is not None else None
    if given is not None:
        changes["recovery"] = _timed_recovery(collections, given)
    elif ratio:
        changes["recovery"] = _recovery(c)
    deal = deal.with_changes(**changes) if changes else deal
    if given is not None:
        from .run import fitted_deal

        deal, _ = fitted_deal(
            deal,
            expected_senior_maturity=given["expected_senior_maturity"],
            cutoff_date=given["cutoff_date"],
            closing_date=given["closing_date"],
            collected_before_closing=given["collected_before_closing"],
        )
    if given is not None or ratio:  # the base case rebuilt from its curve, to the last bit: a
        c = deal.base_collections()  # trigger comparing with it at 1 is not hit by rounding
    return deal, c, extra


#: the timing block's keys (the memo's base case beyond the curve): key -> kind
TIMING_KEYS: dict[str, type] = {
    "total_recovery": float,
    "cost_rate": float,
    "collected_before_closing": float,
    "expected_senior_maturity": float,
    "cutoff_date": dt.date,
    "closing_date": dt.date,
}
#: Excel's day 0 and last day (serial numbers of the 1900 date system from 1900-03-01 on)
_EXCEL_EPOCH, _EXCEL_LAST_DAY = dt.date(1899, 12, 30), 2_958_465


def _rows_of(block) -> list:
    """A range's rows; one cell is one row."""
    return list(block) if isinstance(block, (list, tuple)) else [block]


def _timing_value(key: str, v, where: str):
    """One value of the timing block: None for a blank ("" or None), a date from a date, an Excel
    serial number (1900 date system) or ISO text; numbers finite and >= 0."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    number = isinstance(v, (int, float)) and not isinstance(v, bool)
    if TIMING_KEYS[key] is dt.date:
        if isinstance(v, dt.datetime):
            return v.date()
        if isinstance(v, dt.date):
            return v
        if number and math.isfinite(v) and 1 <= v <= _EXCEL_LAST_DAY:
            return _EXCEL_EPOCH + dt.timedelta(days=int(v))
        try:
            return dt.date.fromisoformat(str(v).strip())
        except ValueError:
            raise ValueError(f"{where}: {key}: expected a date (2024-06-30), got {v!r}") from None
    if not number or not math.isfinite(v):
        raise ValueError(f"{where}: {key}: expected a number, got {v!r}")
    if v < 0:
        raise ValueError(f"{where}: {key}: must be >= 0, got {v:g}")
    return float(v)


def timing_from_range(block) -> dict:
    """The timing block, two columns of key and value (:data:`TIMING_KEYS`), as a dict with every
    key (None where blank); the total recovery is required, a blank cost rate is 0."""
    rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in _rows_of(block)]
    out: dict = dict.fromkeys(TIMING_KEYS)
    seen: set[str] = set()
    for i, r in enumerate(rows, start=1):
        key = r[0] if r else None
        value = r[1] if len(r) > 1 else None
        if _blank(key) and _blank(value):
            continue
        where = f"timing (row {i} of the range)"
        name = str(key).strip().lower() if isinstance(key, str) else None
        if name not in TIMING_KEYS:
            raise ValueError(f"{where}: unknown key {key!r}; keys are {', '.join(TIMING_KEYS)}")
        if name in seen:
            raise ValueError(f"{where}: {name} is given twice")
        seen.add(name)
        out[name] = _timing_value(name, value, where)
    if out["total_recovery"] is None:
        raise ValueError("timing: total_recovery: required (the Assumptions sheet's total)")
    out["cost_rate"] = out["cost_rate"] or 0.0
    return out


def _timed_recovery(collections: np.ndarray, given: dict) -> dict:
    """The deal's recovery from the timing block: the curve of the collections (the Recovery
    sheet's total net of costs along the curve), the block's total, cost rate and cash collected
    before closing."""
    total, cost = given["total_recovery"], given["cost_rate"]
    if (collections < 0).any():
        raise ValueError("collections: must not be negative (they are the recovery curve)")
    got, want = float(collections.sum()), total * (1.0 - cost)
    if not got > 0 or abs(got - want) > 1e-9 * max(abs(want), 1.0):
        raise ValueError(
            f"collections: add up to {got:,.2f}, not the timing block's total recovery net of "
            f"costs {want:,.2f} (pass RecoveryCurve[Collections] with it)"
        )
    cumulative = np.cumsum(collections) / got
    cumulative[-1] = 1.0
    return {
        "total": total,
        "cost_rate": cost,
        "cumulative": cumulative.clip(0, 1).tolist(),
        "collected_before_closing": given["collected_before_closing"] or 0.0,
    }


def asset_mix_from_range(block) -> dict[str, float] | None:
    """The AssetMix table (with its header row) as the reader reads it: {class: share}, or None
    when every share is 0."""
    book = _RangeBook({L.TABLES["AssetMix"]: _range_table("asset_mix", block)})
    return _asset_mix(book)  # type: ignore[arg-type]  # a Book look-alike over the range


def herfindahl_from_range(block) -> float:
    """The loans' Herfindahl index (sum of squared shares of principal + interest + fees, as the
    Monte Carlo weighs them) from the LoanTape table with its header row, read by the tape intake
    as ``rate`` reads the LoanTape sheet."""
    from ..pool import herfindahl
    from .intake import normalise_rows

    rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in _rows_of(block)]
    if len(rows) < 2 or not any(isinstance(h, str) and h.strip() for h in rows[0]):
        raise ValueError("loans: expected the LoanTape table with its header row and loans")
    tape = normalise_rows(rows[0], rows[1:], first_row=2, name="loans")
    return herfindahl(tape["total"].to_numpy(float))
