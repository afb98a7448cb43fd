"""A deal from the cell ranges an Excel function receives: the tranche, fee and option blocks
(:func:`npl_xl.tables.deal_from_tables`) plus the Structures sheet's Rates, Triggers and Supports
tables and the Waterfall sheet's PaymentOrder table, read by the deal-workbook reader's own code
(:mod:`npl_xl.workbook.reader`), so a range and a saved workbook give the same deal.

A range holds its header row, then one row per item. Blank cells arrive as None (classic xlwings)
or 0 (xlwings Lite): in a text column both mean blank, and so does a row of blanks and zeros.
Errors name the argument and the row and column within its range.
"""

from __future__ import annotations

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
    "schedule_from_options",
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
    collections: np.ndarray, tranches, fees, options, structures: dict
) -> tuple[Deal, np.ndarray, dict]:
    """(deal, collections, options that are not deal fields) from an Excel function's ranges.

    ``structures`` maps rates / triggers / supports / orders to their ranges (None: not given).
    Collections shorter than the legal maturity are padded with zero periods, as the rating's
    base case is; with a cumulative_collections_ratio trigger the collections are the deal's base
    case (its recovery is built from them, and the collections returned are its base case, equal
    to within rounding).
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
    if ratio:
        changes["recovery"] = _recovery(c)
    deal = deal.with_changes(**changes) if changes else deal
    if ratio:  # the base case rebuilt from its curve, to the last bit: a trigger comparing
        c = deal.base_collections()  # with it at a ratio of 1 is not hit by rounding
    return deal, c, extra


def asset_mix_from_range(block) -> dict[str, float] | None:
    """The AssetMix table (with its header row) as the reader reads it: {class: share}, or None
    when every share is 0."""
    book = _RangeBook({L.TABLES["AssetMix"]: _range_table("asset_mix", block)})
    return _asset_mix(book)  # type: ignore[arg-type]  # a Book look-alike over the range


def herfindahl_from_range(block) -> float:
    """The loans' Herfindahl index (sum of squared shares of principal + interest + fees, as the
    Monte Carlo weighs them) from the LoanTape table with its header row, read by the tape intake
    as ``rate`` reads the LoanTape sheet; or a number given as the index itself."""
    if not isinstance(block, (list, tuple)):
        h = float(block)
        if not 0 < h <= 1:
            raise ValueError(
                f"pool: expected a Herfindahl index in (0, 1] or the LoanTape table, got {h:g}"
            )
        return h
    from ..pool import herfindahl
    from .intake import normalise_rows

    rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in block]
    if len(rows) < 2 or not any(isinstance(h, str) and h.strip() for h in rows[0]):
        raise ValueError("pool: expected the LoanTape table with its header row and loans")
    tape = normalise_rows(rows[0], rows[1:], first_row=2, name="pool")
    return herfindahl(tape["total"].to_numpy(float))


def schedule_from_options(options, n_periods: int) -> np.ndarray:
    """The payment times (years from closing) to the legal maturity the option block gives
    (default ``n_periods``), as the deal of the same options has them (its notes do not matter:
    one placeholder note)."""
    deal, _ = deal_from_tables(
        [["name", "balance"], ["notes", 1.0]], None, options, n_periods=n_periods
    )
    n = deal.legal_maturity_periods or n_periods
    if n_periods > n:
        raise ValueError(
            f"collections: {n_periods} periods, beyond the legal maturity ({n} periods)"
        )
    return deal.period_times(n)
