"""Raw cells of a tape file: XLSX through python-calamine (every sheet, absolute row numbers), CSV
decoded as UTF-8 (with or without BOM), GB18030 (which includes GBK) or what charset-normalizer
detects."""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass

from ... import limits

__all__ = ["RawSheet", "read_raw"]


@dataclass
class RawSheet:
    """One sheet's cells as rows of Python values ('' for empty), row 0 = the file's first row."""

    name: str | None
    rows: list[list]


def _decode(data: bytes, encoding: str | None, name: str) -> tuple[str, str]:
    """(text, how it was decoded)."""
    if encoding:
        try:
            return data.decode(encoding), f"{encoding} (given)"
        except LookupError:
            raise ValueError(f"--encoding: unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as exc:
            raise ValueError(
                f"{name}: not valid {encoding} at byte {exc.start:,}; try another --encoding"
            ) from None
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8 (with BOM)"
    for enc, label in (("utf-8", "utf-8"), ("gb18030", "gb18030 (GBK family; detected)")):
        try:
            return data.decode(enc), label
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ValueError(
            f"{name}: cannot tell the text encoding; give --encoding (e.g. gb18030, utf-8)"
        )
    return str(best), f"{best.encoding} (detected by charset-normalizer)"


def read_raw(path: str, *, encoding: str | None = None) -> tuple[list[RawSheet], str]:
    """The sheets of a CSV or XLSX tape and a note of how it was read (encoding or reader)."""
    name = os.path.basename(path)
    ext = os.path.splitext(path)[1].lower()
    if ext in (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"):
        from python_calamine import CalamineWorkbook

        if ext in (".xlsx", ".xlsm"):
            from ..xlsx import check_zip

            check_zip(path)
        try:
            wb = CalamineWorkbook.from_path(path)
            sheets = [
                RawSheet(s, wb.get_sheet_by_name(s).to_python(skip_empty_area=False))
                for s in wb.sheet_names
            ]
        except Exception as exc:  # any reader failure becomes one clear line
            raise ValueError(
                f"{name}: cannot read the workbook ({type(exc).__name__}: {str(exc)[:120]})"
            ) from None
        for s in sheets:
            limits.check("max_tape_rows", len(s.rows), f"{name}!{s.name}: rows")
        return sheets, f"{ext[1:]} workbook (python-calamine)"
    if ext not in (".csv", ".txt", ".tsv"):
        raise ValueError(
            f"{name}: expected a .csv, .xlsx or .xls tape, got {ext or 'no extension'!r}"
        )
    with open(path, "rb") as f:
        data = f.read()
    text, how = _decode(data, encoding, name)
    dialect = (
        csv.excel_tab
        if ext == ".tsv" or ("\t" in text[:4096] and "," not in text[:4096])
        else csv.excel
    )
    limit = limits.get("max_tape_rows")
    rows = []
    for row in csv.reader(io.StringIO(text, newline=""), dialect):
        rows.append(row)
        if len(rows) > limit:  # checked while reading: stop at the first row over the limit
            limits.check("max_tape_rows", len(rows), f"{name}: rows (at least)")
    return [RawSheet(None, rows)], how
