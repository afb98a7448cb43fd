"""Run the real xlwings UDF machinery without Excel (Linux CI, and ``npl-xl excel vba``).

on Linux ``xw.func/arg/ret`` are no-ops and ``xlwings.udfs`` needs pywin32. With
three stub modules (pythoncom, pywintypes, win32com.client) and a stand-in engine named "excel"
(its cell cleaning mirrors ``xlwings/_xlwindows.py``), the real decorators, ``xlwings.conversion``
and ``generate_vba_wrapper`` run here. :func:`call` does what ``xlwings.udfs.call_udf`` and
``com_server.CallUDF`` do with COM-shaped raw values: a scalar for one cell, a tuple of row tuples
for a block, None for a blank, COM error integers for #N/A and friends.

Tested against xlwings 0.37.x (:data:`XLWINGS_TESTED`); a newer xlwings that moved these
internals fails loudly in :func:`load` rather than giving wrong answers.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import math
import re
import sys
import types

import numpy as np
from openpyxl.utils import get_column_letter

XLWINGS_TESTED = "0.37."
#: what VBA passes for an omitted Optional argument
MISSING = -2147352572
#: COM error integers as Excel delivers them (xlwings/_xlwindows.py)
CELL_ERRORS = {
    -2146826281: "#DIV/0!",
    -2146826246: "#N/A",
    -2146826259: "#NAME?",
    -2146826288: "#NULL!",
    -2146826252: "#NUM!",
    -2146826265: "#REF!",
    -2146826273: "#VALUE!",
}
ERROR_CODES = {v: k for k, v in CELL_ERRORS.items()}

_loaded: dict = {}


def _install_pywin32_stubs() -> None:
    if "pythoncom" in sys.modules and not getattr(sys.modules["pythoncom"], "_npl_xl_stub", False):
        return  # real pywin32 (Windows): nothing to stub

    def stub(name: str, **attrs) -> types.ModuleType:
        module = types.ModuleType(name)
        for key, value in attrs.items():
            setattr(module, key, value)
        return module

    pythoncom = stub("pythoncom", _npl_xl_stub=True, CoInitialize=lambda: None)
    pywintypes = stub(
        "pywintypes",
        TimeType=type("TimeType", (dt.datetime,), {}),
        com_error=type("com_error", (Exception,), {}),
        IID=lambda s: s,
    )
    client = stub("win32com.client", Dispatch=lambda *a, **k: None)
    win32com = stub("win32com", client=client)
    sys.modules.update(
        {
            "pythoncom": pythoncom,
            "pywintypes": pywintypes,
            "win32com": win32com,
            "win32com.client": client,
        }
    )


class _ExcelEngine:
    """Stand-in for xlwings._xlwindows.Engine: cleans values as COM delivers and expects them."""

    name = "excel"
    type = "desktop"

    @staticmethod
    def clean_value_data(data, datetime_builder, empty_as, number_builder, err_to_str):
        def clean(v):
            if v in ("", None):
                return empty_as
            if isinstance(v, dt.datetime):
                return datetime_builder(
                    v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond
                )
            if number_builder is not None and isinstance(v, float):
                return number_builder(v)
            if isinstance(v, int) and not isinstance(v, bool) and v in CELL_ERRORS:
                return CELL_ERRORS[v] if err_to_str else None
            return v

        return [[clean(c) for c in row] for row in data]

    @staticmethod
    def prepare_xl_data_element(x, date_format):
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return ""
        if isinstance(x, np.bool_):
            return bool(x)
        if isinstance(x, np.number):
            return "" if np.isnan(x) else float(x)
        return x


def load():
    """The UDF module decorated by the real xlwings decorators, plus xlwings' udfs and
    conversion."""
    if "module" in _loaded:
        return _loaded["module"], _loaded["udfs"], _loaded["conversion"]
    import xlwings

    if not xlwings.__version__.startswith(XLWINGS_TESTED):
        raise RuntimeError(
            f"the Excel harness is tested with xlwings {XLWINGS_TESTED}x, found "
            f"{xlwings.__version__}"
        )
    _install_pywin32_stubs()
    import xlwings.udfs as udfs
    from xlwings import conversion
    from xlwings.main import Engine

    if "excel" not in [e.name for e in xlwings.engines]:
        xlwings.engines.add(Engine(impl=_ExcelEngine()))
    saved = xlwings.func, xlwings.arg, xlwings.ret, getattr(xlwings, "sub", None)
    # the real decorators, for one import of the UDF module
    setattr(xlwings, "func", udfs.xlfunc)  # noqa: B010 - assigning over an overloaded function
    setattr(xlwings, "sub", udfs.xlsub)  # noqa: B010
    xlwings.arg, xlwings.ret = udfs.xlarg, udfs.xlret
    try:
        spec = importlib.util.find_spec("npl_xl.xl")
        if spec is None or spec.loader is None:
            raise RuntimeError("npl_xl.xl: the module cannot be found")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        xlwings.func, xlwings.arg, xlwings.ret = saved[:3]
        setattr(xlwings, "sub", saved[3])  # noqa: B010
    _loaded.update(module=module, udfs=udfs, conversion=conversion)
    return module, udfs, conversion


def call(func_name: str, *raw_args):
    """Call an Excel function as classic xlwings does: raw COM values in, COM-shaped value out."""
    module, _, conversion = load()
    func = getattr(module, func_name)
    info = func.__xlfunc__
    args = []
    for i, raw in enumerate(raw_args):
        arg_info = info["args"][min(i, len(info["args"]) - 1)]
        if isinstance(raw, int) and raw == MISSING:
            args.append(arg_info.get("optional"))
        else:
            args.append(conversion.read(None, raw, arg_info["options"]))
    for arg_info in info["args"][
        len(raw_args) :
    ]:  # Excel passes every Optional, omitted ones as MISSING
        args.append(arg_info.get("optional"))
    res = conversion.write(func(*args), None, info["ret"]["options"])
    if len(res) == 1 and len(res[0]) == 1:
        return res[0][0]
    if len(res) == 1:
        return res[0]
    return res


def vba_module(workbook_name: str = "npl-xl.xlam") -> str:
    """The VBA that "Import Functions" installs for :mod:`npl_xl.xl` (as xlwings generates it)."""
    module, udfs, _ = load()
    buf = io.StringIO()
    udfs.generate_vba_wrapper("npl_xl.xl", module, buf, types.SimpleNamespace(Name=workbook_name))
    return (
        'Attribute VB_Name = "xlwings_udfs"\n'
        "'Autogenerated code by xlwings - changes will be lost with next import!\n"
        '#Const App = "Microsoft Excel" \'Adjust when using outside of Excel\n' + buf.getvalue()
    )


# --- a deal workbook's formulas, evaluated as Excel would with the add-in ------------------------

_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")
_STRUCTURED = re.compile(r"^([A-Za-z_][\w.]*)\[(.+)\]$")
_CALL = re.compile(r"^=([A-Z][A-Z0-9_]*)\((.*)\)$", re.S)
_TOKEN = re.compile(r"(?<![\w.$])[A-Za-z_$][\w.$]*")
#: a defined name passed on blank as "" (a formula of a blank cell shows 0 otherwise)
_BLANK_AS_TEXT = re.compile(r'^=IF\(ISBLANK\((\w+)\),"",\1\)$')


def _split_args(text: str) -> list[str]:
    """A function's argument text split at its top-level commas."""
    out, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "([":
            depth += 1
        elif not quoted and ch in ")]":
            depth -= 1
        elif not quoted and depth == 0 and ch == ",":
            out.append(text[start:i].strip())
            start = i + 1
    return [*out, text[start:].strip()] if text.strip() else out


class _Evaluator:
    """Cells of an openpyxl workbook by sheet and reference, formulas computed: the npl-xl
    functions through :func:`call` (ranges COM-shaped), ``=IF(ISBLANK(Name),"",Name)``, anything
    else as arithmetic on cells and defined names (the Recovery sheet's collections)."""

    def __init__(self, path, blank, typed: dict[str, object] | None = None):
        from openpyxl import load_workbook
        from openpyxl.utils.cell import range_boundaries

        from .workbook.book import Book

        # read-only: a filled deal's loan tape makes a full load slow; tables come from Book
        self.wb, self.book = load_workbook(path, read_only=True), Book(path)
        self.blank, self._bounds = blank, range_boundaries
        self.memo: dict[tuple[str, int, int], object] = {}
        for ref, value in (typed or {}).items():
            sheet, _, cell = ref.rpartition("!")
            c, r, _, _ = range_boundaries(cell)
            self.memo[(sheet, r, c)] = value

    def table(self, name: str):
        """(worksheet, 'A2:F5') of the Excel table ``name``, header row included."""
        t = self.book.table(name)
        last = t.first_row + max(len(t.rows), 1) - 1
        first_col, last_col = (
            get_column_letter(t.first_col),
            get_column_letter(t.first_col + len(t.header) - 1),
        )
        return self.wb[t.sheet], f"{first_col}{t.first_row - 1}:{last_col}{last}"

    def cell(self, ws, row: int, col: int):
        key = (ws.title, row, col)
        if key not in self.memo:
            self._computed(ws, row, col, ws.cell(row=row, column=col).value)
        return self.memo[key]

    def _computed(self, ws, row: int, col: int, v):
        """Store what a cell holding ``v`` shows: a formula computed, a blank as ``blank``."""
        v = getattr(v, "text", v)  # an array formula: its text
        if isinstance(v, str) and v.startswith("="):
            v = self.formula(ws, v)
        self.memo[(ws.title, row, col)] = self.blank if v is None else v

    def block(self, ws, ref: str):
        """A range as COM delivers it: one value for one cell, else a tuple of row tuples (read
        row by row: a read-only sheet finds one cell at a time only by scanning)."""
        c0, r0, c1, r1 = self._bounds(ref.replace("$", ""))
        raw = ws.iter_rows(min_row=r0, max_row=r1, min_col=c0, max_col=c1, values_only=True)
        for r, values in zip(range(r0, r1 + 1), raw):
            for c, v in zip(range(c0, c1 + 1), values):
                if (ws.title, r, c) not in self.memo:
                    self._computed(ws, r, c, v)
        rows = tuple(
            tuple(self.memo.get((ws.title, r, c), self.blank) for c in range(c0, c1 + 1))
            for r in range(r0, r1 + 1)
        )
        return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else rows

    def reference(self, ws, text: str):
        """The value of a reference: a cell, a defined name, Table[#All] or Table[Column]."""
        if m := _CELL.match(text):
            return self.block(ws, text)
        if m := _STRUCTURED.match(text):
            name, part = m.groups()
            sheet, ref = self.table(name)
            c0, r0, c1, r1 = self._bounds(ref)
            if part == "#All":
                return self.block(sheet, ref)
            header = [sheet.cell(row=r0, column=c).value for c in range(c0, c1 + 1)]
            if part not in header:
                raise ValueError(f"{text}: no column {part} in the table {name}")
            c = c0 + header.index(part)
            return self.block(sheet, f"{get_column_letter(c)}{r0 + 1}:{get_column_letter(c)}{r1}")
        if text in self.wb.defined_names:
            sheet, _, ref = self.wb.defined_names[text].attr_text.rpartition("!")
            return self.block(self.wb[sheet.strip("'")], ref)
        raise ValueError(f"{ws.title}: cannot evaluate the reference {text!r}")

    def _raw_blank(self, name: str) -> bool:
        """Whether the cell a defined name points to holds nothing (Excel's ISBLANK)."""
        sheet, _, ref = self.wb.defined_names[name].attr_text.rpartition("!")
        c, r, _, _ = self._bounds(ref.replace("$", ""))
        return self.wb[sheet.strip("'")].cell(row=r, column=c).value is None

    def formula(self, ws, text: str):
        if m := _BLANK_AS_TEXT.match(text):
            return "" if self._raw_blank(m.group(1)) else self.reference(ws, m.group(1))
        m = _CALL.match(text)
        if m and m.group(1) in load()[0].FUNCTIONS:
            args: list = []
            for a in _split_args(m.group(2)):
                if a.startswith('"'):
                    args.append(a.strip('"'))
                elif re.fullmatch(r"[-+]?[\d.]+(?:[eE][-+]?\d+)?", a):
                    args.append(float(a))
                else:
                    args.append(self.reference(ws, a))
            return call(m.group(1), *args)

        def value(t: re.Match) -> str:
            v = self.reference(ws, t.group(0))
            return repr(0.0 if v in (None, "") else float(v))

        expression = _TOKEN.sub(value, text[1:])
        if not re.fullmatch(r"[\d.eE+\-*/() ]*", expression):
            raise ValueError(f"{ws.title}: cannot evaluate {text!r}")
        return eval(expression, {"__builtins__": {}})  # noqa: S307 - digits and operators only


def evaluate(
    path, sheet: str, refs: list[str], *, blank=None, typed: dict[str, object] | None = None
) -> dict[str, object]:
    """Values of ``refs`` (cells or array-formula anchors) of ``sheet`` in the workbook at
    ``path``, computed as Excel with the add-in would (no Excel, no LibreOffice): npl-xl
    functions through :func:`call` with COM-shaped ranges, the workbook's own arithmetic in
    Python. Blank cells arrive as ``blank`` (None in classic xlwings, 0 in xlwings Lite);
    ``typed`` ('Sheet!B7' -> value) are values typed over cells first."""
    ev = _Evaluator(path, blank, typed)
    ws = ev.wb[sheet]
    out = {}
    for ref in refs:
        c0, r0, _, _ = ev._bounds(ref)
        out[ref] = ev.cell(ws, r0, c0)
    return out
