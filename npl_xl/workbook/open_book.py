"""An open xlwings ``Book`` with no file behind it (xlwings Lite) as an xlsx the readers take.

:func:`snapshot` copies what the deal readers use: every sheet's used range (values), the
workbook-level defined names and the Excel tables, into a new xlsx file (values only, nothing
else), so ``rate`` and ``size`` read an open Lite workbook exactly as they read a saved one.
"""

from __future__ import annotations

import os
import re
import tempfile

from openpyxl import Workbook
from openpyxl.utils import range_boundaries
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.table import Table

__all__ = ["remove_snapshot", "sheet_file", "snapshot", "snapshot_file"]

_ADDRESS = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")


def _top_left(address: str) -> tuple[int, int]:
    """(row, column), 1-based, of an address such as '$B$3:$D$9'."""
    m = _ADDRESS.match(address.split("!")[-1])
    if not m:
        raise ValueError(f"workbook: cannot read the range address {address!r}")
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def _rows(value) -> list[list]:
    if not isinstance(value, list):
        return [[value]]
    return [r if isinstance(r, list) else [r] for r in value] if value else []


def _copy_values(sheet, ws) -> None:
    """The values of the open ``sheet``'s used range into the openpyxl sheet ``ws``."""
    used = sheet.used_range
    r0, c0 = _top_left(used.address)
    for i, row in enumerate(_rows(used.options(ndim=2).value)):
        for j, v in enumerate(row):
            if v is not None and v != "":
                cell = ws.cell(row=r0 + i, column=c0 + j, value=v)
                if isinstance(v, str):
                    cell.data_type = "s"  # text, even when it starts with '='


def snapshot(book) -> Workbook:
    """The values, defined names and tables of an open xlwings ``book`` as an openpyxl workbook."""
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in book.sheets:
        ws = wb.create_sheet(sheet.name)
        _copy_values(sheet, ws)
        for table in getattr(sheet, "tables", []):
            ref = table.range.address.replace("$", "")
            if ":" not in ref:
                continue
            _fill_header(ws, ref)
            ws.add_table(Table(displayName=table.name, ref=ref))
    for name in book.names:
        refers = str(name.refers_to).lstrip("=")
        if "!" in refers and "[" not in refers:
            wb.defined_names[name.name] = DefinedName(name.name, attr_text=refers)
    return wb


def _fill_header(ws, ref: str) -> None:
    """A table needs a text header in every column: blanks become Column1, Column2 ... as in
    Excel."""
    c0, r0, c1, _ = range_boundaries(ref)
    for k, col in enumerate(range(c0, c1 + 1), start=1):
        cell = ws.cell(row=r0, column=col)
        if cell.value is None or cell.value == "":
            cell.value = f"Column{k}"
        elif not isinstance(cell.value, str):
            cell.value = str(cell.value)


def snapshot_file(book, folder=None) -> str:
    """Write :func:`snapshot` of ``book`` to a new temporary folder (in ``folder``, default the
    system's), under the book's own name so messages name it, and return the path; the caller
    removes it with :func:`remove_snapshot`."""
    stem = os.path.splitext(os.path.basename(str(book.name)))[0] or "workbook"
    path = os.path.join(tempfile.mkdtemp(prefix="npl-xl-", dir=folder), f"{stem}.xlsx")
    try:
        snapshot(book).save(path)
    except BaseException:
        remove_snapshot(path)
        raise
    return path


def sheet_file(sheet, folder=None) -> str:
    """The values of one open ``sheet`` (a pasted loan tape) as an xlsx in a new temporary folder,
    the sheet under its own name; removed with :func:`remove_snapshot`."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet.name
    _copy_values(sheet, ws)
    path = os.path.join(tempfile.mkdtemp(prefix="npl-xl-", dir=folder), "tape.xlsx")
    try:
        wb.save(path)
    except BaseException:
        remove_snapshot(path)
        raise
    return path


def remove_snapshot(path: str) -> None:
    """Remove a snapshot file and its temporary folder."""
    import shutil

    shutil.rmtree(os.path.dirname(path), ignore_errors=True)
