"""Excel's error values as they reach Python: text (xlwings Lite, err_to_str) or COM integers
(classic xlwings). A leaf module (no imports from the package) so the Excel functions load fast."""

from __future__ import annotations

__all__ = ["EXCEL_ERRORS", "COM_ERRORS", "excel_error"]

#: Excel's error values by VBA error number (XlCVError: 2000 + the C API code), classic and Excel
# 365
_ERROR_NUMBERS = {
    2000: "#NULL!",
    2007: "#DIV/0!",
    2015: "#VALUE!",
    2023: "#REF!",
    2029: "#NAME?",
    2036: "#NUM!",
    2042: "#N/A",
    2043: "#GETTING_DATA",
    2045: "#SPILL!",
    2046: "#CONNECT!",
    2047: "#BLOCKED!",
    2048: "#UNKNOWN!",
    2049: "#FIELD!",
    2050: "#CALC!",
    2051: "#BUSY!",
}
#: the same errors as COM delivers them to classic xlwings (HRESULT 0x800A0000 + number, signed);
# xlwings
#: maps only the seven classic ones to text, so the Excel 365 errors arrive as these plain integers
COM_ERRORS = {n - 2146828288: text for n, text in _ERROR_NUMBERS.items()}
#: every error value as text (xlwings Lite and err_to_str deliver these), plus newer ones seen as
# text only
EXCEL_ERRORS = frozenset(_ERROR_NUMBERS.values()) | {"#EXTERNAL!", "#PYTHON!", "#TIMEOUT!"}


def excel_error(v) -> str | None:
    """The Excel error a cell value stands for (text or a COM error integer), or None."""
    if isinstance(v, str):
        s = v.strip()
        return s if s in EXCEL_ERRORS else None
    if isinstance(v, int) and not isinstance(v, bool):
        return COM_ERRORS.get(v)
    return None
