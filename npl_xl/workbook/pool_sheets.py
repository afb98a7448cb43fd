"""The deal workbook's pool sheets, filled by ``npl-xl new-deal`` from a loan tape: Pool (intake
report and stratifications), LoanTape (every loan), ValuationTables (the editable valuation
assumptions) and Valuation (the value of each loan)."""

from __future__ import annotations

from typing import Any

from openpyxl.utils import get_column_letter, quote_sheetname

from . import layout as L
from .sheet_tools import add_table, define_name, header_row
from .xlsx import AMT as AMOUNT
from .xlsx import BOLD, PCT, TITLE, bulk_rows, put

__all__ = [
    "sheet_pool",
    "sheet_loan_tape",
    "sheet_valuation_tables",
    "sheet_valuation",
    "CLASS_TABLE",
    "loan_values",
]

#: the editable asset-class rules' table on the ValuationTables sheet
CLASS_TABLE = "ValClasses"


def sheet_pool(wb, ws, c: Any) -> None:
    put(
        ws["A1"],
        f"Pool summary (filled by npl-xl new-deal from the loan tape; amounts in {c.unit})",
        font=TITLE,
    )
    row = 3
    if c.intake:
        put(ws.cell(row=row, column=1), "Intake report", font=BOLD)
        for i, line in enumerate(c.intake, start=row + 1):
            put(ws.cell(row=i, column=1), line)
        row += len(c.intake) + 2
    for title, frame in (c.pool_tables or {}).items():
        put(ws.cell(row=row, column=1), title, font=BOLD)
        header_row(ws, row + 1, [str(c) for c in frame.columns])
        for i, rec in enumerate(frame.itertuples(index=False), start=row + 2):
            for j, v in enumerate(rec, start=1):
                put(ws.cell(row=i, column=j), v, AMOUNT if isinstance(v, float) else None)
        row += len(frame) + 3
    ws.column_dimensions["A"].width = 44
    ws.column_dimensions["B"].width = ws.column_dimensions["C"].width = 18


def sheet_loan_tape(wb, ws, c: Any) -> None:
    link = _link(c)
    if link is not None:
        _link_cells(wb, ws, link)
    elif c.tape is not None and len(c.tape):
        from .tape import sheet_frame

        frame = sheet_frame(c.tape, c.unit)
        header = [str(c) for c in frame.columns]
        dates = {
            h: "yyyy-mm-dd"
            for h, c in zip(header, frame.columns)
            if str(frame[c].dtype).startswith("datetime")
        }
        add_table(
            ws,
            L.TABLES["LoanTape"],
            header,
            [list(frame.iloc[0])],
            dates,
            first_row=1,
            inputs=False,
        )
        table = ws.tables[L.TABLES["LoanTape"]]
        table._initialise_columns()  # name the columns now, so saving never visits every cell
        for col, name in zip(table.tableColumns, header):
            col.name = name
        table.ref = f"A1:{get_column_letter(len(header))}{len(frame) + 1}"
        bulk_rows(ws, frame.iloc[1:], first_row=3)  # the rest straight into the sheet XML (fast)
    else:
        put(ws["A1"], "Loan tape: npl-xl new-deal fills this sheet from a CSV or XLSX tape")


def _link(c: Any):
    """The linked tape of the workbook being written (:mod:`.linked_tape`), or None."""
    return c.tape.attrs.get("linked") if c.tape is not None else None


def _link_cells(wb, ws, link) -> None:
    """The link to the loans kept beside the workbook: file, SHA-256 and rows in named cells."""
    from .linked_tape import NAMES, VALUE_PREFIX

    put(ws["A1"], "Loan tape (linked): the loans are kept beside this workbook", font=TITLE)
    rows = (
        ("file", "Linked tape file (in this workbook's folder)", link.file),
        ("sha256", "SHA-256 of the file", link.sha256),
        ("rows", "Loans (rows)", link.rows),
    )
    for r, (key, label, value) in enumerate(rows, start=3):
        put(ws.cell(row=r, column=1), label, font=BOLD)
        put(ws.cell(row=r, column=2), value)
        define_name(wb, NAMES[key], f"{quote_sheetname(ws.title)}!$B${r}")
    put(ws["A7"], link.describe())
    put(
        ws["A8"],
        "The file is a gzip-compressed CSV (UTF-8): the LoanTape columns, then the Valuation "
        f"columns headed '{VALUE_PREFIX}...'; rate reads it, checking the hash and the rows.",
    )
    ws.column_dimensions["A"].width = 44
    ws.column_dimensions["B"].width = 70


def loan_values(tape, valuation, unit: str):
    """The Valuation sheet's rows: loan id, class, method, claim and expected recovery in
    ``unit``, mean months to collect."""
    import pandas as pd

    from ..assumptions import DEAL_UNITS

    scale = 1.0 / DEAL_UNITS[unit]
    return pd.DataFrame(
        {
            "loan_id": tape["loan_id"].to_numpy(),
            "asset_class": valuation.asset_class,
            "method": valuation.method,
            f"claim ({unit})": tape["total"].to_numpy() * scale,
            f"expected recovery ({unit})": valuation.expected * scale,
            "mean months": valuation.mean_months,
        }
    )


def sheet_valuation_tables(wb, ws, c: Any) -> None:
    """The valuation assumptions as editable tables, each row with its source."""
    from ..models.valuation import CURVE_MONTHS, _read

    put(
        ws["A1"],
        "Loan-level valuation tables (ILLUSTRATIVE defaults): edit, then run npl-xl new-deal TAPE "
        "--template THIS_WORKBOOK to revalue",
        font=TITLE,
    )
    row = 3
    for key, name, fmts in (
        ("ValCollateral", "valuation_collateral.csv", {"haircut": PCT, "disposal_cost": PCT}),
        ("ValStages", "valuation_stages.csv", {}),
        ("ValCurves", "valuation_curves.csv", dict.fromkeys(map(str, CURVE_MONTHS), PCT)),
        ("ValFactors", "valuation_factors.csv", {}),
    ):
        frame = _read(name)
        put(ws.cell(row=row, column=1), key, font=BOLD)
        last = add_table(
            ws,
            L.TABLES[key],
            [str(h) for h in frame.columns],
            frame.values.tolist(),
            fmts,
            first_row=row + 1,
        )
        row = last + 3
    from .intake.classes import CLASS_RULES, rules_frame

    rules = c.valuation[2] if c.valuation is not None and len(c.valuation) > 2 else CLASS_RULES
    frame = rules_frame(rules)
    put(
        ws.cell(row=row, column=1),
        f"{CLASS_TABLE}: asset class per loan - the first product rule whose word the product or "
        "purpose contains, else the collateral type, else the security (collateral|sme: by "
        "collateral, else sme)",
        font=BOLD,
    )
    add_table(
        ws,
        CLASS_TABLE,
        [str(h) for h in frame.columns],
        frame.values.tolist(),
        {},
        first_row=row + 1,
    )


def sheet_valuation(wb, ws, c: Any) -> None:
    """The value of each loan (from new-deal): class, method, claim, expected recovery, mean
    months."""
    if c.valuation is None:
        put(ws["A1"], "Loan-level values: npl-xl new-deal fills this sheet from a tape")
        return
    link = _link(c)
    if link is not None:
        put(
            ws["A1"],
            f"Loan-level values: in the linked tape {link.file} beside this workbook (its "
            "columns headed 'valuation: ...'), with the loans",
        )
        return
    frame = loan_values(c.tape, c.valuation[0], c.unit)
    header = [str(h) for h in frame.columns]
    add_table(
        ws,
        L.TABLES["LoanValues"],
        header,
        [list(frame.iloc[0])],
        {header[3]: AMOUNT, header[4]: AMOUNT},
        first_row=1,
        inputs=False,
    )
    table = ws.tables[L.TABLES["LoanValues"]]
    table._initialise_columns()
    for col, name in zip(table.tableColumns, header):
        col.name = name
    table.ref = f"A1:{get_column_letter(len(header))}{len(frame) + 1}"
    bulk_rows(ws, frame.iloc[1:], first_row=3)
