"""A workbook's values by defined name and by table name (python-calamine for cells, the zip's
``xl/workbook.xml`` for defined names), so a reader never depends on where a block sits.

Cells come from the cached values (what Excel or LibreOffice last computed); a user may move blocks,
insert rows or add table rows: Excel keeps names and table ranges up to date, and so does this.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass

from defusedxml import ElementTree

from .xlsx import check_zip

__all__ = ["Book", "Table"]

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REF = re.compile(
    r"^(?:'((?:[^']|'')+)'|([^!]+))!\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$"
)


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _letters(col: int) -> str:
    out = ""
    while col:
        col, r = divmod(col - 1, 26)
        out = chr(65 + r) + out
    return out


def cell_ref(sheet: str, row: int, col: int) -> str:
    """'Sheet!B3' for 1-based row and column."""
    return f"{sheet}!{_letters(col)}{row}"


@dataclass
class Table:
    """An Excel table's cells: header, data rows, and where the first data cell sits (1-based)."""

    name: str
    sheet: str
    header: list
    rows: list[list]
    first_row: int
    first_col: int

    def ref(self, i: int, j: int) -> str:
        """'Sheet!C5' of data row i, column j (0-based within the table)."""
        return cell_ref(self.sheet, self.first_row + i, self.first_col + j)


class Book:
    """Read-only values of an xlsx workbook, addressed by defined name, table name or sheet."""

    def __init__(self, path):
        from python_calamine import CalamineWorkbook

        self.path = os.fspath(path)
        self.file = os.path.basename(self.path)
        if not os.path.exists(self.path):
            raise ValueError(f"workbook: no such file {self.path!r}")
        check_zip(self.path)
        try:
            self._wb = CalamineWorkbook.from_path(self.path, load_tables=True)
        except Exception as exc:  # any reader failure becomes one clear line
            raise ValueError(
                f"workbook: cannot open {self.file} as an xlsx workbook "
                f"({type(exc).__name__}: {str(exc)[:120]})"
            ) from None
        self.sheetnames = list(self._wb.sheet_names)
        self.table_names: list[str] = list(self._wb.table_names or [])
        self.names = self._defined_names()
        self._grids: dict[str, list[list]] = {}

    def _defined_names(self) -> dict[str, tuple[str, int, int, int, int]]:
        """name -> (sheet, first row, first col, last row, last col), 1-based; names of other
        shapes skipped."""
        with zipfile.ZipFile(self.path) as z:
            try:
                root = ElementTree.fromstring(z.read("xl/workbook.xml"))
            except KeyError:
                return {}
        out = {}
        for node in root.iter(f"{_NS}definedName"):
            m = _REF.match((node.text or "").strip())
            if m and node.get("localSheetId") is None:
                sheet = (m.group(1) or "").replace("''", "'") or m.group(2)
                r0, c0 = int(m.group(4)), _col(m.group(3))
                r1, c1 = (int(m.group(6)), _col(m.group(5))) if m.group(5) else (r0, c0)
                out[node.get("name")] = (sheet, r0, c0, r1, c1)
        return out

    def grid(self, sheet: str) -> list[list]:
        """Every cell of ``sheet`` from A1 (rows of values, '' for empty)."""
        if sheet not in self._grids:
            self._grids[sheet] = self._wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        return self._grids[sheet]

    def cell(self, sheet: str, row: int, col: int):
        """The value at 1-based (row, col) of ``sheet`` (None when empty or outside the used
        range)."""
        g = self.grid(sheet)
        if row - 1 < len(g) and col - 1 < len(g[row - 1]):
            v = g[row - 1][col - 1]
            return None if v == "" else v
        return None

    def named(self, name: str):
        """(value, 'Sheet!B3') of a single-cell defined name; raises naming the missing name."""
        if name not in self.names:
            raise ValueError(
                f"{self.file}: no defined name {name!r} (Formulas > Name Manager); "
                "the template defines one for every input"
            )
        sheet, r, c, *_ = self.names[name]
        if sheet not in self.sheetnames:
            raise ValueError(f"{self.file}: the name {name!r} points at a missing sheet {sheet!r}")
        return self.cell(sheet, r, c), cell_ref(sheet, r, c)

    def has_table(self, name: str) -> bool:
        return name in self.table_names

    def find_table(self, *names: str) -> str | None:
        """The first of ``names`` that is a table of the workbook (current name first, then older
        ones)."""
        return next((n for n in names if self.has_table(n)), None)

    def table(self, name: str) -> Table:
        """The Excel table ``name`` wherever it sits; raises naming the tables there are."""
        if not self.has_table(name):
            found = ", ".join(self.table_names) or "none"
            raise ValueError(
                f"{self.file}: no table named '{name}' (tables: {found}); restore the name in "
                "Table Design > Table Name"
            )
        t = self._wb.get_table_by_name(name)
        rows = [[None if v == "" else v for v in r] for r in t.to_python()]
        start = t.start or (0, 0)
        return Table(name, t.sheet, list(t.columns), rows, start[0] + 1, start[1] + 1)
