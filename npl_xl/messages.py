"""One-line messages for every face: an exception as a line a user can act on, and text made safe
for a cell, a message box or a terminal (control characters stripped, cut to Excel's cell limit).
A leaf module (no imports from the package)."""

from __future__ import annotations

import re

__all__ = ["CELL_CHARS", "FORMULA_STARTS", "cell_text", "one_line"]

#: the most characters an Excel cell holds
CELL_CHARS = 32_767
#: what makes spreadsheet software read a text starting with it as a formula or a command
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: C0 and C1 control characters and DEL (a line break and a tab are kept as a space)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_MARK = " ... (cut)"


def cell_text(text: str, limit: int = CELL_CHARS, *, lines: bool = False) -> str:
    """``text`` without control characters (terminal escapes, NULs; tabs and line breaks become
    spaces, or with ``lines`` line breaks are kept), cut to ``limit`` characters with a visible
    mark."""
    keep = "\n" if lines else ""
    s = _CONTROL.sub(
        lambda m: m.group() if m.group() in keep else (" " if m.group() in "\t\n\r" else ""),
        str(text),
    )
    return s if len(s) <= limit else s[: limit - len(_MARK)] + _MARK


def one_line(exc: BaseException) -> str:
    """The message of an exception as one line a user can act on."""
    if isinstance(exc, MemoryError):
        return (
            "out of memory: the run is too large for this machine (use fewer paths, periods, loans)"
        )
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    if isinstance(exc, ValueError):
        return str(exc)
    return f"{type(exc).__name__}: {exc} (unexpected; rerun with --debug and report the traceback)"
