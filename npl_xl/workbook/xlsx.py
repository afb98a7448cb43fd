"""Writing and opening xlsx files safely: the one place every workbook of the project goes through.

Writing: :func:`put` stores a value in a cell as data (text a user or a tape supplied is never a
formula: a leading ``=``, ``+``, ``-``, ``@``, tab or CR is made inert with Excel's quote prefix and
the value shown unchanged; characters XML cannot hold are replaced by U+FFFD); only
:func:`formula` writes a formula, and :func:`save` turns any other formula cell into text before
writing atomically. Styles and the header-plus-rows table writer are shared by the deal template
and the memo.

Opening: :func:`check_zip` reads the zip directory (never the content) and refuses a workbook
whose uncompressed size, compression ratio or cell count is absurd (decompression bombs), before
any parser sees it; :func:`open_workbook` does that and loads with openpyxl (defusedxml guards
its XML parsing).
"""

from __future__ import annotations

import math
import os
import re
import zipfile

import numpy as np
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.utils import get_column_letter

from .. import limits
from ..atomic import check_extension, write_with
from ..messages import FORMULA_STARTS

__all__ = [
    "put",
    "formula",
    "save",
    "bulk_rows",
    "spill",
    "check_zip",
    "open_workbook",
    "inert_text",
    "TITLE",
    "BOLD",
    "HEAD",
    "INPUT",
    "FORMULA",
    "PCT",
    "PCT4",
    "AMT",
    "NUM",
]

TITLE = Font(bold=True, size=14)
BOLD = Font(bold=True)
HEAD = PatternFill("solid", fgColor="DDEBF7")
INPUT = PatternFill("solid", fgColor="FFF2CC")
FORMULA = PatternFill("solid", fgColor="EDEDED")
PCT, PCT4, AMT, NUM = "0.00%", "0.0000%", "#,##0.00", "0.0000"

#: characters an xlsx (XML 1.0) cannot hold
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: the project's own formulas, per workbook (id -> set of (sheet, coordinate))
_OWN = "_npl_xl_formulas"
#: large blocks of rows written straight into the sheet XML at save time (sheet title -> (frame,
# first row))
_BULK = "_npl_xl_bulk"
_SPILL = "_npl_xl_spill"


def inert_text(text: str) -> str:
    """``text`` with characters XML cannot hold replaced by U+FFFD (the rest unchanged)."""
    return _ILLEGAL.sub("\ufffd", text)


def _plain(v):
    """numpy scalars -> Python; NaN/inf -> None (an empty cell)."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def put(cell, value, fmt: str | None = None, *, font=None, fill=None, unlocked: bool = False):
    """Store ``value`` in ``cell`` as data (never a formula); return the cell."""
    v = _plain(value)
    if isinstance(v, str):
        v = inert_text(v)
        cell.value = v
        cell.data_type = "s"
        if v.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    else:
        cell.value = v
    if fmt:
        cell.number_format = fmt
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if unlocked:
        cell.protection = Protection(locked=False)
    return cell


def formula(cell, text, fmt: str | None = None):
    """Write one of the project's own formulas (text starting with '=', or an openpyxl
    ``ArrayFormula``) into ``cell``."""
    if not str(getattr(text, "text", text)).startswith("="):
        raise ValueError(f"formula: expected text starting with '=', got {text!r}")
    cell.value = text
    wb = cell.parent.parent
    own = getattr(wb, _OWN, None)
    if own is None:
        own = set()
        setattr(wb, _OWN, own)
    own.add((cell.parent.title, cell.coordinate))
    if fmt:
        cell.number_format = fmt
    return cell


def spill(cell, text: str, ref: str):
    """Write ``text`` as a dynamic-array (spilling) formula anchored at ``cell``.

    ``ref`` is the block the result fills today: Excel 2016/2019 show it as a fixed array formula
    of that size, Excel 365 re-spills it to whatever size the result takes (the cell carries the
    ``XLDAPR`` dynamic-array metadata Excel itself writes: ECMA-376 part 1 §18.9 metadata and
    [MS-XLSX] ``dynamicArrayProperties``; openpyxl writes only the legacy array formula,
    :func:`save` adds the metadata)."""
    from openpyxl.worksheet.formula import ArrayFormula

    formula(cell, ArrayFormula(ref, text))
    wb = cell.parent.parent
    marked = getattr(wb, _SPILL, None)
    if marked is None:
        marked = {}
        setattr(wb, _SPILL, marked)
    marked.setdefault(cell.parent.title, set()).add(cell.coordinate)
    return cell


def _neutralise(wb) -> int:
    """Turn every formula cell the project did not compose into inert text; return how many."""
    own: set[tuple[str, str]] = getattr(wb, _OWN, set())
    count = 0
    for ws in wb.worksheets:
        # the only way to visit stored cells without creating more
        for cell in ws._cells.values():
            if cell.data_type == "f" and (ws.title, cell.coordinate) not in own:
                value = (
                    cell.value
                    if isinstance(cell.value, str)
                    else str(getattr(cell.value, "text", cell.value))
                )
                put(cell, value)
                count += 1
    return count


def bulk_rows(ws, frame, first_row: int) -> None:
    """Write the rows of ``frame`` (a DataFrame) from ``first_row`` of ``ws`` at save time,
    straight into
    the sheet's XML: a 20,000-loan tape in a fraction of openpyxl's time. Values are data (text as
    inline strings, never formulas); each column takes the number format and style of the cell
    above its first row, which the caller writes with :func:`put`."""
    pending = getattr(ws.parent, _BULK, None)
    if pending is None:
        pending = {}
        setattr(ws.parent, _BULK, pending)
    pending[ws.title] = (frame, first_row)


def _bulk_xml(frame, first_row: int, styles: dict[int, str]) -> tuple[str, int]:
    """(the <row> elements of ``frame`` from ``first_row``, the last row written).

    Built a column at a time as arrays of cell strings (numpy object arithmetic), then joined
    once: text columns of plain strings and blanks take a vectorised path."""
    from xml.sax.saxutils import escape

    import pandas as pd

    rows = range(first_row, first_row + len(frame))
    refs = np.array([str(r) for r in rows], dtype=object)
    acc = '<row r="' + refs + '">'
    for j, name in enumerate(frame.columns, start=1):
        col, letter, style = frame[name], get_column_letter(j), styles.get(j, "")
        if pd.api.types.is_datetime64_any_dtype(col):
            serial = (
                ((col - pd.Timestamp(1899, 12, 30)) / pd.Timedelta(days=1)).to_numpy(float).tolist()
            )
            cells = [
                f'<c r="{letter}{r}"{style}><v>{v!r}</v></c>' if v == v else ""
                for r, v in zip(rows, serial)
            ]
        elif pd.api.types.is_bool_dtype(col):
            cells = [
                f'<c r="{letter}{r}" t="b"><v>{int(v)}</v></c>'
                for r, v in zip(rows, col.to_numpy())
            ]
        elif pd.api.types.is_numeric_dtype(col):
            cells = [
                f'<c r="{letter}{r}"{style}><v>{v!r}</v></c>' if math.isfinite(v) else ""
                for r, v in zip(rows, col.to_numpy(float).tolist())
            ]
        else:
            cells = _text_cells(col, letter, refs)
            if cells is None:
                cells = [
                    _bulk_cell(letter, r, v, style, escape) for r, v in zip(rows, col.tolist())
                ]
        acc = acc + np.asarray(cells, dtype=object)
    body = "".join((acc + "</row>").tolist())
    return body, first_row + len(frame) - 1


def _text_cells(col, letter: str, refs: np.ndarray):
    """Inline-string cells of a column holding only strings and blanks (None/NaN), vectorised;
    None when the column holds anything else (or a NUL inside a value)."""
    import pandas as pd

    values = pd.Series(col.to_numpy(dtype=object))
    is_text = values.map(type).eq(str).to_numpy()
    blank = values.isna().to_numpy()
    if not (is_text | blank).all():
        return None
    texts = values.where(is_text, "").tolist()
    joined = "\x00".join(texts)  # escaped in one pass over one string, then split again
    if joined.count("\x00") != len(texts) - 1:
        return None
    joined = _ILLEGAL_BUT_NUL.sub("\ufffd", joined)
    joined = joined.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = np.array(joined.split("\x00"), dtype=object)
    cells = f'<c r="{letter}' + refs + '" t="inlineStr"><is><t xml:space="preserve">' + text
    return np.where(is_text & (text != ""), cells + "</t></is></c>", "")


_ILLEGAL_BUT_NUL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f]")


def _bulk_cell(letter, r, v, style, escape) -> str:
    v = _plain(v)
    if v is None or v == "":
        return ""
    if isinstance(v, bool):
        return f'<c r="{letter}{r}" t="b"><v>{int(v)}</v></c>'
    if isinstance(v, (int, float)):
        return f'<c r="{letter}{r}"{style}><v>{v!r}</v></c>'
    text = escape(inert_text(str(v)))
    return f'<c r="{letter}{r}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


_STYLE_ATTR = re.compile(r'<c r="([A-Z]+)\d+"( s="\d+")?')


_METADATA = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<metadata xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:xda="http://schemas.microsoft.com/office/spreadsheetml/2017/dynamicarray">'
    '<metadataTypes count="1"><metadataType name="XLDAPR" minSupportedVersion="120000" copy="1" '
    'pasteAll="1" pasteValues="1" merge="1" splitFirst="1" rowColShift="1" clearFormats="1" '
    'clearComments="1" assign="1" coerce="1" cellMeta="1"/></metadataTypes>'
    '<futureMetadata name="XLDAPR" count="1"><bk><extLst>'
    '<ext uri="{bdbb8cdc-fa1e-496e-a857-3c3f30c029c3}">'
    '<xda:dynamicArrayProperties fDynamic="1" fCollapsed="0"/></ext></extLst></bk></futureMetadata>'
    '<cellMetadata count="1"><bk><rc t="1" v="0"/></bk></cellMetadata></metadata>'
)
_METADATA_TYPE = (
    '<Override PartName="/xl/metadata.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheetMetadata+xml"/>'
)
_METADATA_REL = (
    '<Relationship Id="rIdNplXlMetadata" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sheetMetadata" '
    'Target="metadata.xml"/>'
)


def _finish(wb, path: str) -> None:
    """Insert the pending bulk rows and dynamic-array marks into the saved workbook (one rewrite
    of the zip, only when there are any)."""
    bulk, spills = getattr(wb, _BULK, None) or {}, getattr(wb, _SPILL, None) or {}
    if not bulk and not spills:
        return
    parts = {f"xl/worksheets/sheet{i}.xml": ws.title for i, ws in enumerate(wb.worksheets, start=1)}
    tmp = path + ".part"
    try:
        _rewrite(path, tmp, parts, bulk, spills)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _rewrite(path: str, tmp: str, parts: dict, bulk: dict, spills: dict) -> None:
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            title = parts.get(info.filename)
            if title in bulk:
                data = _splice_rows(data.decode("utf-8"), *bulk[title]).encode("utf-8")
            if title in spills:
                xml = data.decode("utf-8")
                for coordinate in spills[title]:  # cell metadata 1 = dynamic array
                    xml = xml.replace(f'<c r="{coordinate}"', f'<c r="{coordinate}" cm="1"', 1)
                data = xml.encode("utf-8")
            if spills and info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", _METADATA_TYPE.encode() + b"</Types>", 1)
            if spills and info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>", _METADATA_REL.encode() + b"</Relationships>", 1
                )
            dst.writestr(info, data)
        if spills:
            dst.writestr("xl/metadata.xml", _METADATA)


def _splice_rows(xml: str, frame, first_row: int) -> str:
    """The sheet XML with ``frame``'s rows added from ``first_row``, styled like the row above."""
    row_above = re.search(rf'<row r="{first_row - 1}"[^>]*>(.*?)</row>', xml)
    styles = (
        {
            _column_number(m.group(1).encode()): m.group(2) or ""
            for m in _STYLE_ATTR.finditer(row_above.group(1))
        }
        if row_above
        else {}
    )
    body, last = _bulk_xml(frame, first_row, styles)
    xml = xml.replace("</sheetData>", body + "</sheetData>", 1)
    return re.sub(
        r'<dimension ref="([A-Z]+\d+):([A-Z]+)\d+"',
        rf'<dimension ref="\1:\g<2>{last}"',
        xml,
        count=1,
    )


def save(wb, path, *, overwrite: bool = False) -> None:
    """Write ``wb`` to ``path`` (.xlsx) atomically, with only the project's own formulas live."""
    check_extension(path, (".xlsx",), "output")
    _neutralise(wb)

    def writer(tmp: str) -> None:
        wb.save(tmp)
        _finish(wb, tmp)

    write_with(path, writer, overwrite=overwrite)


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})(\d{1,7})"')
#: sheet parts up to this size (uncompressed) are scanned for their real extent even with a
#: <dimension> (milliseconds); larger ones are scanned only without one
SCAN_BYTES = 32 * 2**20


def _sheet_extent(zf, info) -> tuple[int, int]:
    """(rows, columns) from A1 to the farthest cell reference of a sheet part, streamed in 1 MB
    chunks (what a reader filling empty cells would allocate)."""
    rows = cols = 0
    tail = b""
    with zf.open(info) as f:
        while chunk := f.read(2**20):
            data = tail + chunk
            for m in _CELL_REF.finditer(data):
                rows = max(rows, int(m.group(2)))
                cols = max(cols, _column_number(m.group(1)))
            tail = data[-256:]
    return rows, cols


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def check_zip(path) -> None:
    """Refuse a workbook whose parts would unpack to an absurd size, ratio or cell count.

    Reads the zip directory and each sheet's ``<dimension>``; a sheet without one (or under
    :data:`SCAN_BYTES`) is streamed for its farthest cell reference, so one far cell cannot make a
    reader allocate billions of cells. Cells count from A1 (as readers fill them). Limits:
    ``max_workbook_bytes``, ``max_part_ratio`` (parts over 1 MB unpacked) and
    ``max_workbook_cells``.
    """
    name = os.path.basename(os.fspath(path))
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValueError(f"workbook: {name} is not an xlsx file ({type(exc).__name__})") from None
    with zf:
        infos = zf.infolist()
        limits.check(
            "max_workbook_bytes", sum(i.file_size for i in infos), f"{name}: uncompressed size"
        )
        ratio_limit = limits.get("max_part_ratio")
        for info in infos:
            if info.file_size > 2**20 and info.file_size > ratio_limit * max(info.compress_size, 1):
                ratio = info.file_size / max(info.compress_size, 1)
                raise ValueError(
                    f"{name}: part {info.filename} unpacks {ratio:,.0f}x ({info.file_size:,} "
                    "bytes), "
                    f"over the limit of {ratio_limit:,.0f}x (max_part_ratio; a decompression "
                    "bomb?); "
                    f"set {limits.LIMITS['max_part_ratio'].env} to change it"
                )
        cells = 0
        for info in infos:
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                with zf.open(info) as f:
                    head = f.read(4096)
                m = _DIMENSION.search(head)
                stated = 0
                if m and m.group(3):
                    rows = int(m.group(4))
                    cols = _column_number(m.group(3))
                    stated = max(rows, 0) * max(cols, 0)
                if stated == 0 or info.file_size <= SCAN_BYTES:
                    rows, cols = _sheet_extent(zf, info)
                    stated = max(stated, rows * cols)
                cells += stated
                limits.check("max_workbook_cells", cells, f"{name}: {info.filename}: cells")


def open_workbook(path, *, read_only: bool = False, data_only: bool = False):
    """:func:`check_zip`, then ``openpyxl.load_workbook``; any failure becomes one clear line."""
    from openpyxl import load_workbook

    path = os.fspath(path)
    if not os.path.exists(path):
        raise ValueError(f"workbook: no such file {path!r}")
    check_zip(path)
    try:
        return load_workbook(path, read_only=read_only, data_only=data_only)
    except Exception as exc:  # any parser failure becomes one clear line
        raise ValueError(
            f"workbook: cannot open {os.path.basename(path)} as an xlsx workbook "
            f"({type(exc).__name__}: {str(exc)[:120]})"
        ) from None
