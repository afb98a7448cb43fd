"""The pages a committee reads first: Summary (proposal, credit enhancement, cushion, rationale,
reconciliation) and Method (the rating logic and the scorecard)."""

from __future__ import annotations

import numpy as np
from openpyxl.styles import Font

from ...assumptions import DEAL_UNITS, unit_label
from ...i18n import text
from ...rating.proposal import NOTCH_TOLERANCE
from ...rating.scorecard import FACTORS
from ..printing import paragraph, table
from ..xlsx import AMT, BOLD, PCT, PCT4, TITLE, put
from .labels import kmv_source, sheet_of

RED = Font(bold=True, color="C00000")


def _pool_total(inputs) -> float | None:
    tape = inputs.tape
    if tape is None or not len(tape):
        return None
    return float(tape["total"].sum()) / DEAL_UNITS[inputs.unit]


def summary_rows(run, inputs, lang: str) -> list[tuple[list[str], list[list], dict[str, str]]]:
    """Two tables, (header, one row per tranche, number formats) each: the ratings with the
    tranche's place in the pool and structure, then the cushions and the expected performance."""
    t = lambda key: text(key, lang)  # noqa: E731 - a short alias for the labels
    unit = inputs.unit
    deal, m, mc = run.deal, run.metrics, run.mc
    tranches = deal.ordered_tranches
    notes = sum(tr.balance for tr in tranches)
    base_total = float(run.collections.sum())
    pool = _pool_total(inputs)
    levels = {str(r): i for i, r in enumerate(run.stress.table["rating"])}
    first = [
        t("col_tranche"),
        f"{t('col_balance')} ({unit})",
        t("col_proposed"),
        t("col_stress_rating"),
        t("col_mc_rating"),
        t("col_kmv_rating"),
        t("col_pool_share"),
        t("col_base_share"),
        t("col_stress_share"),
        t("col_subordination"),
    ]
    second = [
        t("col_tranche"),
        t("col_coupon"),
        t("col_breakeven_at"),
        t("col_required"),
        t("col_cushion"),
        t("col_be_delay"),
        t("col_wal"),
        t("col_maturity"),
        t("col_yield"),
        t("col_mc_pd"),
        t("col_mc_el"),
    ]
    rows1, rows2 = [], []
    for k, (tr, p) in enumerate(zip(tranches, run.proposals)):
        level = levels.get(p.rating) if p.rated else None
        stressed_total = float(run.stress_collections[level].sum()) if level is not None else None
        required = run.required_haircut[k]
        at_rating, cushion = run.breakeven_at_rating[k], run.cushion[k]
        known = bool(np.isfinite(required) and np.isfinite(cushion))
        rows1.append(
            [
                tr.name,
                tr.balance,
                p.rating if p.rated else t("nr"),
                p.stress_rating,
                p.mc_rating,
                p.kmv_rating,
                tr.balance / pool if pool else t("na"),
                tr.balance / base_total,
                tr.balance / stressed_total if stressed_total else t("na"),
                sum(x.balance for x in tranches[k + 1 :]) / notes,
            ]
        )
        rows2.append(
            [
                tr.name,
                tr.coupon_label(),
                at_rating if known else run.breakeven[k],
                required if known else t("na"),
                cushion if known else t("na"),
                run.breakeven_delay[k],
                m.wal[k],
                m.expected_maturity[k],
                m.issue_yield[k],
                mc.pd[k],
                mc.el[k],
            ]
        )
    f1 = {first[1]: AMT} | dict.fromkeys(first[6:], PCT)
    f2 = dict.fromkeys(second[1:5], PCT) | {
        second[5]: "0",
        second[6]: "0.00",
        second[7]: "0.00",
        second[8]: PCT,
        second[9]: PCT4,
        second[10]: PCT4,
    }
    return [(first, rows1, f1), (second, rows2, f2)]


def summary_sheet(ws, run, inputs, lang: str) -> set[int]:
    """Proposed ratings first, then the rationale and how the methods were reconciled."""
    deal = run.deal
    skip = set()
    put(ws["A1"], text("memo_title", lang, deal=deal.name), font=TITLE)
    put(
        ws["A2"],
        text(
            "memo_subtitle",
            lang,
            version=run.versions["npl-xl"],
            time=run.timestamp,
            unit=unit_label(inputs.unit),
            paths=run.paths,
            seed=run.seed,
        ),
    )
    skip |= {1, 2}
    tables = summary_rows(run, inputs, lang)
    width = max(len(h) for h, _, _ in tables)
    row = 3
    if run.stress.illustrative or any(r.illustrative for r in run.mc.rating_el):
        skip.add(row)
        row = paragraph(ws, row, text("illustrative_warning", lang), width, font=RED)
    put(ws.cell(row=row + 1, column=1), text("proposed_ratings", lang), font=BOLD)
    skip.add(row + 1)
    row += 2
    for n, (header, rows, formats) in enumerate(tables):
        end = table(ws, row, 1, header, rows, formats)
        if n == 0:
            for r in range(row + 1, row + 1 + len(rows)):
                ws.cell(row=r, column=3).font = BOLD
        row = end
    r = deal.reserve
    skip.add(row)
    row = paragraph(
        ws, row, text("reserve_line", lang, multiple=r.multiple, initial=r.initial), width
    )
    skip.add(row)
    row = paragraph(
        ws, row, text("kmv_line", lang, source=kmv_source(run.kmv_vol_source, lang)), width
    )
    if run.benchmark is not None:
        rate, lo, hi, base = run.benchmark
        skip.add(row)
        row = paragraph(
            ws, row, text("benchmark_line", lang, rate=rate, lo=lo, hi=hi, base=base), width
        )
    row += 1
    for kind, title in (("strength", "strengths"), ("concern", "concerns")):
        points = [p for p in run.rationale if p.kind == kind]
        if not points:
            continue
        put(
            ws.cell(row=row, column=1), f"{text('rationale', lang)}: {text(title, lang)}", font=BOLD
        )
        skip.add(row)
        row += 1
        for p in points:
            skip.add(row)
            words = f"• {text(p.key, lang, **p.values)}  [{sheet_of(p.source, lang)}]"
            row = paragraph(ws, row, words, width)
        row += 1
    put(ws.cell(row=row, column=1), text("reconciliation", lang), font=BOLD)
    skip.add(row)
    row += 1
    for p in run.proposals:
        for key, values in p.reasons:
            skip.add(row)
            row = paragraph(ws, row, f"• {text(key, lang, **values)}", width)
    ws.freeze_panes = None
    return skip


def method_sheet(ws, run, inputs, lang: str) -> set[int]:
    """The rating logic, written down, and the qualitative scorecard that moved the stress."""
    skip = {1, 2}
    put(ws["A1"], text("method_title", lang), font=TITLE)
    card = run.setup.scorecard
    lines = [
        text("method_1", lang),
        text("method_2", lang, tolerance=NOTCH_TOLERANCE),
        text("method_3", lang),
        text("method_4", lang, vol_source=kmv_source(run.kmv_vol_source, lang)),
        text("method_5", lang, addon=card.haircut_addon),
        text("method_6", lang),
    ]
    row = 3
    for line in lines:
        skip.add(row)
        row = paragraph(ws, row, line, 8)
    shifts = run.stress.table.get("issue_rate_shift")
    top = float(shifts.max()) if shifts is not None and len(shifts) else 0.0
    for title, words in (
        ("title_stresses", [text("stresses_text", lang, shift=f"0 - {top:.2%}")]),
        ("title_definitions", [text("definition_basis", lang), text("definition_scale", lang)]),
        ("ov_surveillance", [text("surveillance_text", lang)]),
    ):
        put(ws.cell(row=row, column=1), text(title, lang), font=BOLD)
        skip.add(row)
        row += 1
        for line in words:
            skip.add(row)
            row = paragraph(ws, row, line, 8)
    row += 1
    header = [text("col_factor", lang), text("col_score", lang), text("col_comment", lang)]
    rows = [[text(f"factor_{f}", lang), card.score(f), card.comments.get(f, "")] for f in FACTORS]
    table(ws, row, 1, header, rows)
    return skip
