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
import sys
import types

import numpy as np

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
