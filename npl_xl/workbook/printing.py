"""Laying out workbooks for reading and printing: the header-plus-rows table writer, column widths
from formatted values, wrapped paragraphs with fitting row heights, and the page set-up of a
printable sheet."""

from __future__ import annotations

from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from .xlsx import BOLD, HEAD, put

__all__ = [
    "table",
    "autofit",
    "print_setup",
    "paragraph",
    "fit_paragraphs",
    "widths",
    "display_width",
]


def widths(ws, values) -> None:
    """Set column widths (characters) from column A on."""
    for j, w in enumerate(values, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w


def display_width(value, fmt: str) -> int:
    """Characters a value takes once formatted (CJK characters count two)."""
    if isinstance(value, bool) or value is None:
        return len(str(value or ""))
    if isinstance(value, (int, float)):
        decimals = len(fmt.split(".")[1].rstrip("%")) if "." in fmt else 0
        if fmt.endswith("%"):
            text = f"{value * 100:,.{decimals}f}%"
        elif "#,##0" in fmt:
            text = f"{value:,.{decimals}f}"
        elif fmt in ("General", ""):
            text = f"{value:.10g}"
        else:
            text = f"{value:.{decimals}f}"
        return len(text)
    text = str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def autofit(
    ws, *, min_width: float = 6, max_width: float = 48, skip_rows: set[int] | None = None
) -> None:
    """Column widths from the formatted values (numbers never show ###); text longer than
    ``max_width`` wraps instead of widening its column; rows in ``skip_rows`` (titles, paragraphs)
    do not count."""
    widths: dict[int, float] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None or (skip_rows and cell.row in skip_rows):
                continue
            w: float = display_width(cell.value, cell.number_format)
            if cell.alignment is not None and cell.alignment.wrap_text:
                w = min(w, 12)  # a wrapped header: its words stack up, the values set the width
            elif isinstance(cell.value, str) and w > max_width:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                w = max_width
            widths[cell.column] = max(widths.get(cell.column, min_width), w + 2)
    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(w, max_width + 2)


def paragraph(ws, row: int, words: str, width: int, *, font=None) -> int:
    """A line of text merged across ``width`` columns and wrapped (its height is set by
    :func:`fit_paragraphs` once the column widths are known); returns the next row."""
    cell = put(ws.cell(row=row, column=1), words, font=font)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    if width > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    pending = getattr(ws, "_npl_xl_paragraphs", None)
    if pending is None:
        pending = []
        ws._npl_xl_paragraphs = pending
    pending.append((row, width, display_width(words, "General")))
    return row + 1


def fit_paragraphs(ws) -> None:
    """Row heights of the paragraphs from the widths of the columns they span."""
    for row, width, chars in getattr(ws, "_npl_xl_paragraphs", []):
        span = sum(
            ws.column_dimensions[get_column_letter(c)].width or 9 for c in range(1, width + 1)
        )
        lines = -(-chars // max(int(span * 1.1), 20))
        ws.row_dimensions[row].height = 15 * max(lines, 1)


def print_setup(ws, *, title_rows: str | None = None, one_page: bool = False) -> None:
    """Landscape, one page wide (and tall with ``one_page``), the used range as print area, header
    rows repeated."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, (1 if one_page else 0)
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.print_area = ws.dimensions
    if title_rows:
        ws.print_title_rows = title_rows


def table(ws, row: int, col: int, header, rows, formats: dict | None = None) -> int:
    """Write a bold header and rows of values at (row, col); return the next free row (one blank
    between)."""
    for j, h in enumerate(header):
        c = put(ws.cell(row=row, column=col + j), h, font=BOLD, fill=HEAD)
        c.alignment = Alignment(wrap_text=True, vertical="top")
    longest = max((display_width(h, "General") for h in header), default=0)
    ws.row_dimensions[row].height = 15 * min(
        3, max(1, -(-longest // 12))
    )  # wrapped headers: up to 3 lines
    formats = formats or {}
    for i, r in enumerate(rows, start=row + 1):
        for j, v in enumerate(r):
            put(
                ws.cell(row=i, column=col + j),
                v,
                formats.get(header[j]) if j < len(header) else None,
            )
    return row + len(rows) + 2
