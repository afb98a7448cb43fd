"""The rating memo: a workbook of values (no formulas) that a rating committee reads, in English or
Chinese (one message catalogue, :mod:`npl_xl.i18n`), printable (landscape, one page wide, header
rows repeated, column widths from the formatted values).

Sheets: Summary (proposed ratings, credit enhancement, cushion, rationale, reconciliation),
Overview (transaction, parties, notes and their rating basis, priority of payments, recoveries
before closing, surveillance), Method (the rating logic, stresses, rating definitions and the
scorecard), Pool, Recovery, Cash flows, Stress (levels and the
haircut x delay matrix), KMV, Loss distribution, BET (left out when it shows no loss: the Loss
sheet says so), Provenance.
"""

from __future__ import annotations

from openpyxl import Workbook

from ...i18n import LANGUAGES
from ...rating.run import RatingRun
from ..printing import autofit, fit_paragraphs, print_setup
from ..reader import WorkbookInputs
from ..xlsx import save
from . import detail, overview, provenance, risk, summary
from .labels import cap

__all__ = ["build_memo", "write_memo"]

#: sheet builders in memo order: (message key of the sheet name, builder, fit on one page when
#: readable, whether the run has something to show on it)
SHEETS = (
    ("sheet_summary", summary.summary_sheet, False, None),
    ("sheet_overview", overview.overview_sheet, True, None),
    ("sheet_method", summary.method_sheet, True, None),
    ("sheet_pool", detail.pool_sheet, False, None),
    ("sheet_recovery", detail.recovery_sheet, True, None),
    ("sheet_cash_flows", detail.cash_flow_sheet, False, None),
    ("sheet_stress", risk.stress_sheet, True, None),
    ("sheet_kmv", risk.kmv_sheet, True, None),
    ("sheet_loss", risk.loss_sheet, True, None),
    ("sheet_bet", risk.bet_sheet, True, risk.bet_informative),
    ("sheet_provenance", provenance.provenance_sheet, True, None),
)


#: sheets of two columns of text, whose text column may be wider
WIDE = {"sheet_provenance": 90}


def _cap_cells(ws) -> None:
    """Every text cut to what an Excel cell holds."""
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and len(cell.value) > 32_767:
                cell.value = cap(cell.value)


def build_memo(run: RatingRun, inputs: WorkbookInputs, lang: str | None = None) -> Workbook:
    """The memo workbook for a rating run of the deal workbook ``inputs``, in ``lang`` (default:
    the deal workbook's language)."""
    from ...i18n import text

    lang = lang or inputs.language
    if lang not in LANGUAGES:
        raise ValueError(f"lang: expected one of {', '.join(LANGUAGES)}, got {lang!r}")
    wb = Workbook()
    wb.remove(wb.active)
    for key, builder, one_page, shown in SHEETS:
        if shown is not None and not shown(run):
            continue
        ws = wb.create_sheet(text(key, lang))
        skip = builder(ws, run, inputs, lang) or set()
        _cap_cells(ws)
        autofit(ws, skip_rows=skip, max_width=WIDE.get(key, 48))
        fit_paragraphs(ws)
        print_setup(ws, title_rows="1:2", one_page=one_page)
    return wb


def write_memo(
    run: RatingRun,
    path,
    *,
    inputs: WorkbookInputs,
    overwrite: bool = False,
    lang: str | None = None,
) -> None:
    """Write the memo atomically; an existing file is kept unless ``overwrite``."""
    save(build_memo(run, inputs, lang), path, overwrite=overwrite)
