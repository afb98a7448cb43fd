"""Small writers shared by the deal-workbook sheets: input cells, header rows, defined names,
Excel tables and data validation (openpyxl)."""

from __future__ import annotations

from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

from .xlsx import BOLD, INPUT, put
from .xlsx import HEAD as HEADER

__all__ = [
    "input_cell",
    "header_row",
    "define_name",
    "add_table",
    "list_validation",
    "range_validation",
]


def input_cell(cell, value, fmt=None):
    put(cell, value, fmt, fill=INPUT, unlocked=True)


def header_row(ws, row, headers, col=1):
    for j, h in enumerate(headers):
        put(ws.cell(row=row, column=col + j), h, font=BOLD, fill=HEADER)


def define_name(wb, name, ref):
    wb.defined_names[name] = DefinedName(name, attr_text=ref)


def add_table(ws, name, headers, rows, formats=None, first_row=2, inputs=True, col=1):
    """Header at ``first_row`` from column ``col``, then rows; returns the table's last row."""
    header_row(ws, first_row, headers, col)
    rows = rows or [[None] * len(headers)]
    for i, row in enumerate(rows, start=first_row + 1):
        for j, v in enumerate(row):
            fmt = (formats or {}).get(headers[j])
            cell = ws.cell(row=i, column=col + j)
            if inputs:
                input_cell(cell, v, fmt)
            else:
                put(cell, v, fmt)
    last = first_row + len(rows)
    first, end = get_column_letter(col), get_column_letter(col + len(headers) - 1)
    t = Table(displayName=name, ref=f"{first}{first_row}:{end}{last}")
    t.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=False)
    ws.add_table(t)
    for j, h in enumerate(headers, start=col):
        ws.column_dimensions[get_column_letter(j)].width = max(12, len(str(h)) + 4)
    return last


def _prompt(dv: DataValidation, prompt: tuple[str, str] | None) -> None:
    """Show ``prompt`` (title, text) when the cell is selected (Excel's input message)."""
    if prompt:
        dv.showInputMessage = True
        dv.promptTitle, dv.prompt = prompt[0][:32], prompt[1][:255]


def list_validation(ws, values, ref, prompt: tuple[str, str] | None = None):
    dv = DataValidation(
        type="list",
        formula1=f'"{values}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="npl-xl",
        error=f"Choose one of: {values}",
    )
    _prompt(dv, prompt)
    dv.add(ref)
    ws.add_data_validation(dv)


def range_validation(ws, ref, lo, hi, what, prompt: tuple[str, str] | None = None):
    dv = DataValidation(
        type="decimal",
        operator="between",
        formula1=str(lo),
        formula2=str(hi),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="npl-xl",
        error=f"{what}: a decimal from {lo} to {hi}",
    )
    _prompt(dv, prompt)
    dv.add(ref)
    ws.add_data_validation(dv)
