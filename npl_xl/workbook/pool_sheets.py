"""The deal workbook's pool sheets, filled by ``npl-xl new-deal`` from a loan tape: Pool (intake
report and stratifications), LoanTape (every loan), ValuationTables (the editable valuation
assumptions) and Valuation (the value of each loan)."""

from __future__ import annotations

from typing import Any

from openpyxl.utils import get_column_letter

from . import layout as L
from .sheet_tools import add_table, header_row
from .xlsx import AMT as AMOUNT
from .xlsx import BOLD, PCT, TITLE, bulk_rows, put

__all__ = [
    "sheet_pool",
    "sheet_loan_tape",
    "sheet_valuation_tables",
    "sheet_valuation",
    "CLASS_TABLE",
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
    if c.tape is not None and len(c.tape):
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
    import pandas as pd

    from ..assumptions import DEAL_UNITS

    v = c.valuation[0]
    scale = 1.0 / DEAL_UNITS[c.unit]
    frame = pd.DataFrame(
        {
            "loan_id": c.tape["loan_id"].to_numpy(),
            "asset_class": v.asset_class,
            "method": v.method,
            f"claim ({c.unit})": c.tape["total"].to_numpy() * scale,
            f"expected recovery ({c.unit})": v.expected * scale,
            "mean months": v.mean_months,
        }
    )
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
