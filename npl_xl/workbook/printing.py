"""Laying out workbooks for reading and printing: the header-plus-rows table writer, column widths
from formatted values, wrapped paragraphs with fitting row heights, and the page set-up of a
printable sheet."""

from __future__ import annotations

import math

from openpyxl.styles import Alignment
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.worksheet.page import PageMargins

from .xlsx import BOLD, HEAD, put

__all__ = [
    "table",
    "blocks",
    "chart_extent",
    "page_scale",
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
    """Row heights of the paragraphs from the widths of the columns they span, and of rows with a
    wrapped cell from that cell's column width (never lower than they are)."""
    merged = {r for r, _, _ in getattr(ws, "_npl_xl_paragraphs", [])}
    spans = {c for rng in ws.merged_cells.ranges for c in rng.cells}
    for row in ws.iter_rows():
        for cell in row:
            if cell.row in merged or cell.value is None or not cell.alignment.wrap_text:
                continue
            if (cell.row, cell.column) in spans:
                continue
            span = ws.column_dimensions[get_column_letter(cell.column)].width or 9
            chars = max(display_width(part, "General") for part in str(cell.value).split("\n"))
            lines = -(-chars // max(int(span * 0.95), 1))
            lines += str(cell.value).count("\n")
            now = ws.row_dimensions[cell.row].height or 15
            ws.row_dimensions[cell.row].height = max(now, 15 * lines)
    for row, width, chars in getattr(ws, "_npl_xl_paragraphs", []):
        span = sum(
            ws.column_dimensions[get_column_letter(c)].width or 9 for c in range(1, width + 1)
        )
        lines = -(-chars // max(int(span * 1.1), 20))
        ws.row_dimensions[row].height = 15 * max(lines, 1)


#: A4 landscape inside the margins set by print_setup (points); the scale floor of a page
PAGE_WIDTH, PAGE_HEIGHT, MIN_SCALE = 842 - 72, 595 - 86, 70
#: widest table a memo page holds at MIN_SCALE, in columns of the usual width
MAX_COLUMNS = 10


def _column_points(ws, col: int) -> float:
    width = ws.column_dimensions[get_column_letter(col)].width or 8.43
    return (width * 7 + 5) * 0.75


def _row_points(ws, row: int) -> float:
    return ws.row_dimensions[row].height or 15.0


def chart_extent(ws, chart) -> tuple[int, int]:
    """The last (row, column) a chart anchored at a cell covers, from its size in cm."""
    anchor = chart.anchor if isinstance(chart.anchor, str) else None
    if anchor is None:
        m = chart.anchor._from
        row, col = m.row + 1, m.col + 1
    else:
        letters, row = coordinate_from_string(anchor)
        col = column_index_from_string(letters)
    need = chart.width / 2.54 * 72
    while need > 0:
        need -= _column_points(ws, col)
        col += 1
    need = chart.height / 2.54 * 72
    while need > 0:
        need -= _row_points(ws, row)
        row += 1
    return row - 1, col - 1


def page_scale(ws, last_row: int, last_col: int, one_page: bool = False) -> int:
    """The print scale (%) at which the columns fit the page width (at most 100), or the whole range
    one page when ``one_page`` and that keeps MIN_SCALE; estimated with a margin for renderers'
    wider fonts (LibreOffice)."""
    width = sum(_column_points(ws, c) for c in range(1, last_col + 1)) * 1.15
    scale = min(100, math.floor(100 * PAGE_WIDTH / width))
    if one_page:
        height = sum(_row_points(ws, r) for r in range(1, last_row + 1)) * 1.15
        scale = min(scale, max(MIN_SCALE, math.floor(100 * PAGE_HEIGHT / height)))
    return scale


def print_setup(ws, *, title_rows: str | None = None, one_page: bool = False) -> None:
    """Landscape A4, fitted to the page width (and one page tall with ``one_page`` when that stays
    readable: :func:`page_scale`); the print area holds the used range and every chart; header
    rows repeated."""
    last_row, last_col = ws.max_row, ws.max_column
    for chart in ws._charts:
        r, c = chart_extent(ws, chart)
        last_row, last_col = max(last_row, r), max(last_col, c)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    tall = one_page and page_scale(ws, last_row, last_col, True) > MIN_SCALE
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, (1 if tall else 0)
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.print_area = f"A1:{get_column_letter(last_col)}{last_row}"
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
            c = put(
                ws.cell(row=i, column=col + j),
                v,
                formats.get(header[j]) if j < len(header) else None,
            )
            # text a space in from the number before it (right-aligned numbers, left-aligned text)
            c.alignment = Alignment(vertical="top", indent=1 if isinstance(v, str) and j else 0)
    return row + len(rows) + 2


def blocks(
    ws,
    row: int,
    header,
    rows,
    formats: dict | None = None,
    *,
    keep: int = 1,
    groups: list[list[int]] | None = None,
    max_columns: int = MAX_COLUMNS,
) -> tuple[int, list[tuple[int, int]]]:
    """A table too wide for a page as tables stacked one under the other, each with the first
    ``keep`` columns and whole ``groups`` of the other columns (indices; default one each), at
    most ``max_columns`` wide. Returns the next free row and each block's (header row, last row)."""
    rest = groups or [[j] for j in range(keep, len(header))]
    chunks: list[list[int]] = [[]]
    for g in rest:
        if chunks[-1] and keep + len(chunks[-1]) + len(g) > max_columns:
            chunks.append([])
        chunks[-1].extend(g)
    spans = []
    for chunk in chunks:
        cols = list(range(keep)) + chunk
        end = table(
            ws, row, 1, [header[j] for j in cols], [[r[j] for j in cols] for r in rows], formats
        )
        spans.append((row, row + len(rows)))
        row = end
    return row, spans
