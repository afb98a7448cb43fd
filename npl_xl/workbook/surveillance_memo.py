"""The surveillance memo (跟踪评级报告): a workbook of values in English or Chinese, printable.

Sheets: Summary (rating history, proposal, change and reason), Performance (actual against the base
case by period and cumulative, with a chart inside the print area), Current state (balances,
arrears, reserve and the reconciliation with the trustee report), Re-projection (method, source,
remaining collections), Stresses (from the current state), Provenance. The memo formats what
:class:`npl_xl.surveil.SurveillanceRun` holds; it computes nothing.
"""

from __future__ import annotations

import numpy as np
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.utils import get_column_letter

from ..assumptions import unit_label
from ..i18n import LANGUAGES, text
from ..surveil import SurveillanceRun
from .printing import autofit, display_width, fit_paragraphs, paragraph, print_setup, table
from .xlsx import AMT, BOLD, PCT, TITLE, put, save

__all__ = ["build_surveillance_memo", "write_surveillance_memo", "CHART_ROWS"]

#: rows the performance chart spans (7.5 cm at the default row height), kept inside the print area
CHART_ROWS = 16


def _summary(ws, s: SurveillanceRun, unit: str, lang: str) -> set[int]:
    date = f" ({s.report.last_date})" if s.report.last_date else ""
    put(
        ws["A1"],
        text("surv_title", lang, deal=s.deal.name, period=s.report.periods, date=date),
        font=TITLE,
    )
    put(ws["A2"], text("surv_title_history", lang), font=BOLD)
    header = [
        text(f"surv_col_{k}", lang) for k in ("tranche", "previous", "proposed", "change", "reason")
    ]
    rows = [
        [
            c.name,
            c.previous,
            c.proposed,
            text(f"surv_change_{c.change}", lang),
            text(c.reason, lang, **c.values),
        ]
        for c in s.changes
    ]
    row = table(ws, 3, 1, header, rows)
    if s.run is not None and s.run.stress.illustrative:
        paragraph(ws, row, text("surv_illustrative", lang), 5)
        return {1, 2, row}
    if s.run is None:
        paragraph(ws, row, text("surv_all_repaid", lang), 5)
        return {1, 2, row}
    return {1, 2}


def _performance(ws, s: SurveillanceRun, unit: str, lang: str) -> set[int]:
    put(ws["A1"], text("surv_title_performance", lang, unit=unit), font=TITLE)
    p = s.projection
    keys = (
        "period",
        "date",
        "actual",
        "forecast",
        "ratio",
        "cum_actual",
        "cum_forecast",
        "cum_ratio",
    )
    header = [text(f"surv_col_{k}", lang) for k in keys]
    ca, ce = np.cumsum(p.actual), np.cumsum(p.expected)
    dates = s.report.dates or (None,) * len(p.actual)
    rows = [
        [
            i + 1,
            str(dates[i] or ""),
            float(p.actual[i]),
            float(p.expected[i]),
            _ratio(p.actual[i], p.expected[i]),
            float(ca[i]),
            float(ce[i]),
            _ratio(ca[i], ce[i]),
        ]
        for i in range(len(p.actual))
    ]
    fmts = dict(zip(header, [None, None, AMT, AMT, PCT, AMT, AMT, PCT]))
    end = table(ws, 3, 1, header, rows, fmts)
    ch = LineChart()
    ch.title = text("surv_chart", lang)
    ch.y_axis.title, ch.x_axis.title = unit, header[0]
    for first in (3, 6):  # by period (actual, base case), then cumulative
        ch.add_data(
            Reference(ws, min_col=first, max_col=first + 1, min_row=3, max_row=end - 2),
            titles_from_data=True,
        )
    ch.set_categories(Reference(ws, min_col=1, min_row=4, max_row=end - 2))
    ch.height, ch.width = 7.5, 16
    ws.add_chart(ch, f"A{end}")
    return {1}


def _ratio(a: float, e: float):
    return float(a / e) if e > 0 else None


def _state(ws, s: SurveillanceRun, unit: str, lang: str) -> set[int]:
    st = s.state
    put(ws["A1"], text("surv_title_state", lang, period=st.period, unit=unit), font=TITLE)
    header = [
        text(f"surv_col_{k}", lang)
        for k in ("tranche", "initial", "balance", "model_balance", "arrears")
    ]
    ts = s.deal.ordered_tranches
    rows = [
        [t.name, t.balance, float(st.balance[j]), float(st.model_balance[j]), float(st.arrears[j])]
        for j, t in enumerate(ts)
    ]
    row = table(ws, 3, 1, header, rows, dict.fromkeys(header[1:], AMT))
    for label, value in (
        ("surv_notes", st.notes_outstanding),
        ("surv_reserve", st.reserve),
        ("surv_model_reserve", st.model_reserve),
    ):
        put(ws.cell(row=row, column=1), text(label, lang))
        put(ws.cell(row=row, column=2), float(value), AMT)
        row += 1
    put(ws.cell(row=row, column=1), text("surv_default_event", lang))
    put(ws.cell(row=row, column=2), text("surv_yes" if st.default_event else "surv_no", lang))
    paragraph(ws, row + 1, text("surv_state_basis", lang), 5)
    basis = row + 1
    row += 3
    title = row
    put(
        ws.cell(row=row, column=1),
        text("surv_title_reconciliation", lang, tolerance=s.report.tolerance),
        font=BOLD,
    )
    if not st.differences:
        paragraph(ws, row + 1, text("surv_no_differences", lang), 5)
        return {1, basis, title, row + 1}
    dh = [
        text(f"surv_col_{k}", lang) for k in ("period", "item", "reported", "model", "difference")
    ]
    table(
        ws,
        row + 1,
        1,
        dh,
        [[d.period, d.item, d.reported, d.model, d.reported - d.model] for d in st.differences],
        dict.fromkeys(dh[2:], AMT),
    )
    return {1, basis, title}


def _reprojection(ws, s: SurveillanceRun, unit: str, lang: str) -> set[int]:
    p = s.projection
    put(ws["A1"], text("surv_title_reprojection", lang, unit=unit), font=TITLE)
    paragraph(
        ws,
        2,
        text(
            "surv_method",
            lang,
            method=text(f"surv_method_{p.method}", lang),
            z=p.credibility,
            period=s.report.periods,
            ae=p.actual_to_expected,
            remaining_share=p.factor,
            remaining=p.remaining_total,
            base=float(p.remaining_base.sum()),
        ),
        6,
    )
    header = [text(f"surv_col_{k}", lang) for k in ("period", "remaining_base", "remaining")]
    k = s.report.periods
    rows: list[list] = [
        [k + i + 1, float(b), float(r)]
        for i, (b, r) in enumerate(zip(p.remaining_base, p.remaining))
    ]
    rows.append([text("surv_total", lang), float(p.remaining_base.sum()), p.remaining_total])
    table(ws, 4, 1, header, rows, dict.fromkeys(header[1:], AMT))
    return {1, 2}


def _stress(ws, s: SurveillanceRun, unit: str, lang: str) -> set[int]:
    put(ws["A1"], text("surv_title_stress", lang), font=TITLE)
    if s.run is None:
        put(ws["A3"], text("surv_all_repaid", lang))
        return {1, 3}
    r = s.run
    names = list(r.base.tranche_names)
    header = [
        text(f"surv_col_{k}", lang)
        for k in ("tranche", "proposed", "breakeven", "required", "cushion")
    ]
    rows = [
        [n, r.proposed[j], _num(r.breakeven[j]), _num(r.required_haircut[j]), _num(r.cushion[j])]
        for j, n in enumerate(names)
    ]
    row = table(ws, 3, 1, header, rows, dict.fromkeys(header[2:], PCT))
    lh = [text("surv_col_level", lang)] + [f"{n}: {text('surv_col_passes', lang)}" for n in names]
    levels = [str(x) for x in r.stress.table["rating"]]
    table(
        ws,
        row,
        1,
        lh,
        [
            [lvl] + [text("surv_yes" if ok else "surv_no", lang) for ok in r.stress.passed[i]]
            for i, lvl in enumerate(levels)
        ],
    )
    return {1}


def _num(x) -> float | None:
    return float(x) if np.isfinite(x) else None


def _provenance(ws, s: SurveillanceRun, unit: str, lang: str, deal_source: str) -> set[int]:
    put(ws["A1"], text("surv_title_provenance", lang), font=TITLE)
    run = s.run
    items = [
        ("surv_prov_deal", deal_source),
        ("surv_prov_report", s.report.source),
        ("surv_prov_previous", s.previous_source),
    ]
    if run is not None:
        items += [
            (
                "surv_prov_run",
                text(
                    "surv_prov_run_line",
                    lang,
                    paths=run.paths,
                    seed=run.seed,
                    timestamp=run.timestamp,
                ),
            ),
            ("surv_prov_versions", ", ".join(f"{k} {v}" for k, v in run.versions.items())),
        ]
    row = 3
    for key, value in items:
        put(ws.cell(row=row, column=1), text(key, lang), font=BOLD)
        put(ws.cell(row=row, column=2), value)
        row += 1
    put(ws.cell(row=row + 1, column=1), text("surv_prov_intake", lang), font=BOLD)
    for i, line in enumerate(s.report.lines, start=row + 2):
        put(ws.cell(row=i, column=1), line)
    return {1} | set(range(row + 2, row + 2 + len(s.report.lines)))


SHEETS = (
    ("surv_sheet_summary", _summary),
    ("surv_sheet_performance", _performance),
    ("surv_sheet_state", _state),
    ("surv_sheet_reprojection", _reprojection),
    ("surv_sheet_stress", _stress),
)


def build_surveillance_memo(
    s: SurveillanceRun, *, unit: str = "万元", lang: str = "en", deal_source: str = ""
) -> Workbook:
    """The surveillance memo of ``s`` (amounts in the deal's ``unit``) in ``lang``."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang: expected one of {', '.join(LANGUAGES)}, got {lang!r}")
    label = unit_label(unit)
    wb = Workbook()
    wb.remove(wb.active)
    for key, builder in SHEETS:
        ws = wb.create_sheet(text(key, lang))
        skip = builder(ws, s, label, lang)
        _finish(ws, skip)
    ws = wb.create_sheet(text("surv_sheet_provenance", lang))
    _finish(ws, _provenance(ws, s, label, lang, deal_source or s.deal.name))
    return wb


def _finish(ws, skip: set[int]) -> None:
    autofit(ws, skip_rows=skip)
    fit_paragraphs(ws)
    _fit_wrapped(ws, skip)
    print_setup(ws, title_rows="1:2", one_page=True)
    # the print area spans at least 16.5 cm of columns (titles and paragraphs overflow into them)
    # and, with the chart, reaches past its last row
    last_row = ws.max_row + (CHART_ROWS if ws._charts else 0)
    width_cm, col = 0.0, 0
    while width_cm < 16.5:
        col += 1
        width_cm += (ws.column_dimensions[get_column_letter(col)].width or 8.43) * 0.19 + 0.1
    ws.print_area = f"A1:{get_column_letter(max(col, ws.max_column))}{last_row}"


def _fit_wrapped(ws, skip: set[int]) -> None:
    """Row heights of table rows whose text autofit wrapped (reasons), from the column widths."""
    for row in ws.iter_rows():
        lines = 1
        for c in row:
            if isinstance(c.value, str) and c.alignment.wrap_text and c.row not in skip:
                width = ws.column_dimensions[get_column_letter(c.column)].width or 9
                lines = max(lines, -(-display_width(c.value, "General") // max(int(width), 8)))
        if lines > 1 and row[0].row not in skip:
            ws.row_dimensions[row[0].row].height = 15 * lines


def write_surveillance_memo(
    s: SurveillanceRun,
    path,
    *,
    unit: str = "万元",
    lang: str = "en",
    deal_source: str = "",
    overwrite: bool = False,
) -> None:
    """Write the memo atomically; an existing file is kept unless ``overwrite``."""
    save(
        build_surveillance_memo(s, unit=unit, lang=lang, deal_source=deal_source),
        path,
        overwrite=overwrite,
    )
