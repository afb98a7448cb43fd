"""``npl-xl excel check WORKBOOK``: what a workbook and this machine still need before the npl-xl
functions and macros run in classic Excel (xlwings), one line per item.

Checks: the workbook can hold macros (.xlsm) or relies on the add-in; its VBA project carries the
``xlwings_udfs`` module (the OLE directory names it, uncompressed UTF-16); the module's Subs
(NPLXL_RATE ...) are in it; xlwings is installed at the tested version; on Windows, the xlwings
add-in sits in Excel's start-up folder and Excel trusts access to the VBA project object model
(needed by "Import Functions"); the deal workbook's Results sheet passes the whole deal (a sheet
written before the structures reached the functions passes only the Deal sheet's options). Nothing
is changed.
"""

from __future__ import annotations

import os
import sys
import zipfile
from dataclasses import dataclass

__all__ = ["Check", "check_workbook"]


@dataclass(frozen=True)
class Check:
    """One item: ``ok`` or not, and the line to show (what is there, or what to do)."""

    ok: bool
    line: str


def _vba_project(path: str) -> bytes | None:
    with zipfile.ZipFile(path) as z:
        names = [n for n in z.namelist() if n.lower().endswith("vbaproject.bin")]
        return z.read(names[0]) if names else None


def _workbook_checks(path: str, macros: tuple[str, ...]) -> list[Check]:
    ext = os.path.splitext(path)[1].lower()
    if ext == ".xlsx":
        return [
            Check(
                True,
                "workbook: .xlsx holds no macros: the functions and macros come from the npl-xl "
                "add-in (Import Functions into an .xlam), or save the workbook as .xlsm",
            )
        ]
    if ext not in (".xlsm", ".xlam"):
        return [
            Check(False, f"workbook: expected .xlsx, .xlsm or .xlam, got {ext or 'no extension'}")
        ]
    vba = _vba_project(path)
    if vba is None:
        return [Check(False, "workbook: no VBA project: open it, xlwings tab > Import Functions")]
    out = [Check(True, "workbook: has a VBA project")]
    if "xlwings_udfs".encode("utf-16-le") not in vba:
        out.append(Check(False, "module: no xlwings_udfs module: xlwings tab > Import Functions"))
        return out
    out.append(Check(True, "module: xlwings_udfs is there"))
    # module text is compressed (MS-OVBA); names of short Subs survive as literals in practice,
    # so a missing name is reported as "not found", not as certainly absent
    missing = [m for m in macros if m.encode("ascii") not in vba]
    out.append(
        Check(
            not missing,
            "module: the macros " + ", ".join(macros) + " are there"
            if not missing
            else "module: not found " + ", ".join(missing) + ": Import Functions again (older "
            "module version)",
        )
    )
    return out


def _machine_checks() -> list[Check]:
    out = []
    try:
        import xlwings

        tested = xlwings.__version__.startswith("0.37.")
        out.append(
            Check(
                tested,
                f"xlwings {xlwings.__version__} installed"
                + ("" if tested else " (npl-xl is tested with 0.37.x)"),
            )
        )
    except ImportError:
        out.append(Check(False, 'xlwings: not installed: pip install "npl-xl[excel]"'))
    if sys.platform.startswith("win"):
        out.append(_addin_check())
        out.append(_trust_check())
    else:
        out.append(
            Check(True, "add-in and trust settings: checked on Windows only (classic Excel)")
        )
    return out


def _addin_check() -> Check:  # pragma: no cover - Windows only
    xlstart = os.path.join(os.environ.get("APPDATA", ""), "Microsoft", "Excel", "XLSTART")
    found = os.path.exists(os.path.join(xlstart, "xlwings.xlam"))
    return Check(
        found,
        "add-in: xlwings.xlam is in Excel's start-up folder"
        if found
        else "add-in: not installed: run xlwings addin install, then restart Excel",
    )


def _trust_check() -> Check:  # pragma: no cover - Windows only
    import importlib
    from typing import Any

    winreg: Any = importlib.import_module("winreg")  # Windows only: typed loosely

    key = r"Software\Microsoft\Office\16.0\Excel\Security"
    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key) as k:
            trusted = winreg.QueryValueEx(k, "AccessVBOM")[0] == 1
    except OSError:
        trusted = False
    return Check(
        trusted,
        "trust: access to the VBA project object model is on"
        if trusted
        else "trust: File > Options > Trust Center > Trust Center Settings > Macro Settings > "
        "tick 'Trust access to the VBA project object model'",
    )


#: the deal functions a Results sheet calls, and what each call must pass to see the whole deal
_DEAL_FUNCTIONS = ("BREAKEVEN_HAIRCUT", "WATERFALL_SUMMARY", "TRANCHE_KMV", "KMV_VOLATILITY")


def _results_check(path: str) -> list[Check]:
    """Whether the Results sheet's deal functions pass the structures (none for a workbook
    without a Results sheet)."""
    from openpyxl import load_workbook

    from .workbook.results_sheet import DEAL_TAIL

    with zipfile.ZipFile(path) as z:
        if "xl/workbook.xml" not in z.namelist():
            return []
    wb = load_workbook(path, read_only=True)
    try:
        if "Results" not in wb.sheetnames:
            return []
        old, kmv_vol = [], ""
        for row in wb["Results"].iter_rows():
            for cell in row:
                text = str(getattr(cell.value, "text", cell.value) or "")
                calls = any(f"{f}(" in text.upper() for f in _DEAL_FUNCTIONS)
                if calls and DEAL_TAIL.upper() not in text.upper().replace(" ", ""):
                    old.append(f"Results!{cell.coordinate}")
                if (getattr(cell, "row", 0), getattr(cell, "column", 0)) == (7, 2):
                    kmv_vol = text
    finally:
        wb.close()
    checks = []
    if kmv_vol.replace(" ", "").upper() == "=RECOVERYVOLATILITY":
        checks.append(
            Check(
                False,
                "results: Results!B7 is the recovery volatility, not the memo's KMV volatility "
                "(written by an older npl-xl); copy B7's formula =KMV_VOLATILITY(...) from a new "
                "template (npl-xl templates)",
            )
        )
    if old:
        return checks + [
            Check(
                False,
                f"results: {', '.join(old)} {'passes' if len(old) == 1 else 'pass'} only part of "
                "the deal (written by an older "
                "npl-xl: some of the rates, triggers, supports, orders and the base case's "
                "timing block do not reach them); copy the "
                "Results sheet's formulas from a new template (npl-xl templates)",
            )
        ]
    return checks + [Check(True, "results: the Results sheet passes the whole deal")]


def check_workbook(path, macros: tuple[str, ...] | None = None) -> list[Check]:
    """The checks for the workbook at ``path`` and this machine (see the module docstring);
    ``macros`` default to those of :mod:`npl_xl.xl`."""
    from .lite import MACROS

    macros = MACROS if macros is None else macros
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise ValueError(f"workbook: no such file {path!r}")
    try:
        items = _workbook_checks(path, macros) + _results_check(path)
    except zipfile.BadZipFile:
        raise ValueError(f"workbook: {os.path.basename(path)} is not an Excel workbook") from None
    return items + _machine_checks()
