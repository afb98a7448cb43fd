"""A workbook's values by defined name and by table name (python-calamine for cells, the zip's
``xl/workbook.xml`` for defined names), so a reader never depends on where a block sits.

Cells come from the cached values (what Excel or LibreOffice last computed); a user may move blocks,
insert rows or add table rows: Excel keeps names and table ranges up to date, and so does this.
Excel error values (``#N/A``, ``#DIV/0!`` ...), which python-calamine reads as empty cells, are
found in the sheet's XML (cells of type ``e``) and returned as their text, so a reader can refuse
them (:func:`npl_xl.cells.excel_error`).
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass
from itertools import chain

from defusedxml import ElementTree

from .xlsx import check_zip

__all__ = ["Book", "Table"]

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
#: an error cell's start tag (any namespace prefix), its reference and its cached value
_ERROR_CELL = re.compile(rb"""<(?:\w+:)?c\b[^>]*?\bt=["']e["'][^>]*>""")
_CELL_REF = re.compile(rb"""\br=["']([A-Z]{1,3})(\d+)["']""")
#: a quick test that a chunk may hold an error cell (most sheets have none)
_MAYBE = (b'="e"', b"='e'")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_CHUNK = 1 << 22
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


def sheet_errors(data_chunks, sheet: str) -> dict[tuple[int, int], str]:
    """(row, col) -> Excel error text of every error cell in a sheet's XML, read in chunks (a tape
    sheet may be large); a cell without a reference is refused naming the sheet."""
    out: dict[tuple[int, int], str] = {}
    tail = b""
    for chunk in data_chunks:
        buf = tail + chunk
        last = chunk == b""
        # keep a margin so a cell cut by the chunk boundary is read whole in the next round
        stop = len(buf) if last else max(len(buf) - 4096, 0)
        pos = 0
        matches = _ERROR_CELL.finditer(buf) if any(x in buf for x in _MAYBE) else ()
        for m in matches:
            if m.start() >= stop:
                break
            pos = m.end()
            ref = _CELL_REF.search(m.group(0))
            if ref is None:
                raise ValueError(f"{sheet}: an Excel error cell without a cell reference")
            end = buf.find(b"c>", m.end())
            value = _VALUE.search(buf, m.end(), end if end >= 0 else len(buf))
            text = value.group(1).decode("utf-8", "replace") if value else "#VALUE!"
            out[(int(ref.group(2)), _col(ref.group(1).decode()))] = text
        tail = buf[max(stop, pos) :]
        if last:
            break
    return out


@dataclass
class Table:
    """An Excel table's cells: header, data rows, and where the first data cell sits (1-based).
    ``errors`` lists the (data row, column) of cells holding an Excel error (0-based)."""

    name: str
    sheet: str
    header: list
    rows: list[list]
    first_row: int
    first_col: int
    errors: tuple[tuple[int, int], ...] = ()

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
        self._errors: dict[str, dict[tuple[int, int], str]] = {}

    def _sheet_parts(self) -> dict[str, str]:
        """Sheet name -> its XML part in the zip."""
        with zipfile.ZipFile(self.path) as z:
            try:
                root = ElementTree.fromstring(z.read("xl/workbook.xml"))
                rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
            except KeyError:
                return {}
        targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG}Relationship")}
        out = {}
        for node in root.iter(f"{_NS}sheet"):
            target = targets.get(node.get(_REL), "")
            out[node.get("name")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
        return out

    def errors(self, sheet: str) -> dict[tuple[int, int], str]:
        """(row, col) -> Excel error text of the error cells of ``sheet`` (1-based)."""
        if sheet not in self._errors:
            part = self._sheet_parts().get(sheet)
            found: dict[tuple[int, int], str] = {}
            if part:
                with zipfile.ZipFile(self.path) as z, z.open(part) as f:
                    found = sheet_errors(chain(iter(lambda: f.read(_CHUNK), b""), [b""]), sheet)
            self._errors[sheet] = found
        return self._errors[sheet]

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
            grid = self._wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            for (r, c), text in self.errors(sheet).items():
                while len(grid) < r:
                    grid.append([])
                row = grid[r - 1]
                row.extend([""] * (c - len(row)))
                row[c - 1] = text
            self._grids[sheet] = grid
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
        r0, c0 = start[0] + 1, start[1] + 1
        errors = []
        for (r, c), text in sorted(self.errors(t.sheet).items()):
            i, j = r - r0, c - c0
            if 0 <= i < len(rows) and 0 <= j < len(rows[i]):
                rows[i][j] = text
                errors.append((i, j))
        return Table(name, t.sheet, list(t.columns), rows, r0, c0, tuple(errors))

    def below(self, t: Table) -> tuple[int, list] | None:
        """(sheet row, values) of a non-empty row directly under table ``t`` within its columns
        (typed there in a program that did not grow the table), or None."""
        r = t.first_row + len(t.rows)
        values = [self.cell(t.sheet, r, t.first_col + j) for j in range(len(t.header))]
        return (r, values) if any(v is not None and str(v).strip() for v in values) else None
