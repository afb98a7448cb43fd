"""The memo's Provenance sheet: the input, the run, every assumption and where each table comes
from."""

from __future__ import annotations

import os

from ...assumptions import unit_label
from ...i18n import text
from ...vocabulary import ASSUMPTION_CONCEPTS
from ..printing import table
from ..xlsx import AMT, PCT, TITLE, put
from .labels import kmv_source, sheet_of

#: number formats of the assumptions (npl_xl.vocabulary.ASSUMPTION_CONCEPTS) by field
FORMATS = {
    "total": AMT,
    "cost_rate": PCT,
    "recovery_vol": PCT,
    "discount_rate": PCT,
    "recovery_correlation": PCT,
    "delay_beta": "0.00",
    "unit_default_probability": PCT,
    "stressed_recovery": PCT,
    "paths": "#,##0",
    "seed": "0",
}


def _structures(run, lang: str) -> str:
    deal = run.deal
    sep = "；" if lang == "zh" else "; "
    parts = [
        f"{text('kind_trigger', lang)} {t.name}: "
        f"{text(f'test_{t.test}', lang, threshold=t.threshold)} -> "
        f"{text(f'effect_{t.effect}', lang)}"
        for t in deal.triggers
    ]
    parts += [f"{text(f'kind_{k}', lang)} {m.name}: {m.limit:,.2f}" for k, m in deal.supports()]
    parts += [
        text(
            "pv_rate",
            lang,
            name=k,
            level=f"{r.level:.2%}" if r.level is not None else text("pv_path", lang),
        )
        for k, r in deal.rates.items()
    ]
    return sep.join(parts) or text("pv_none", lang)


def _table_name(rating, lang: str) -> str:
    """Where the idealised table of a rating came from, in words."""
    name = rating.table
    if name == "user table":
        name = text("pv_el_user", lang)
    elif name.startswith("packaged "):
        name = text("pv_el_packaged", lang, file=name.removeprefix("packaged "))
    return text("pv_illustrative", lang, what=name) if rating.illustrative else name


def _defaults(ws, row: int, inputs, lang: str) -> int:
    """Every optional input of the deal workbook that was blank and took a default (sheet, cell,
    key, value used: WorkbookInputs.defaults_used), with the value used."""
    used = getattr(inputs, "defaults_used", None) or ()
    rows = [
        [text("pv_default", lang, what=f"{sheet}!{cell} {key}"), value]
        for sheet, cell, key, value in used
    ]
    if not rows:
        put(ws.cell(row=row, column=1), text("pv_no_defaults", lang))
        return row + 2
    return table(ws, row, 1, [text("pv_defaults", lang), text("col_value", lang)], rows)


def provenance_sheet(ws, run, inputs, lang: str) -> set[int]:
    inp = inputs
    t = lambda key, **v: text(key, lang, **v)  # noqa: E731 - a short alias for the labels
    put(ws["A1"], t("title_provenance"), font=TITLE)
    recovery = run.deal.require_recovery()
    el_table = run.mc.rating_el[0]
    rows = [
        [t("pv_workbook"), os.path.basename(inp.path)],
        [t("pv_sha"), inp.sha256],
        [t("pv_run_at"), run.timestamp],
        [t("pv_paths"), run.paths],
        [t("pv_seed"), run.seed],
        [t("pv_unit"), unit_label(inp.unit)],
        [t("pv_versions"), ", ".join(f"{k} {v}" for k, v in run.versions.items())],
    ]
    link = inp.tape.attrs.get("linked") if inp.tape is not None else None
    if link:
        rows.insert(2, [t("pv_linked_tape"), t("pv_linked_value", **vars(link))])

    def used(c):  # the value the run used: the Monte Carlo's volatility may be the dataset's
        if c.field == "recovery_vol":
            return run.mc_volatility
        return getattr(run.setup.assumptions if c.target == "assumptions" else recovery, c.field)

    shown = [c for c in ASSUMPTION_CONCEPTS if c.field not in ("paths", "seed")]  # rows above
    rows += [[t("pv_assumption", what=t(f"assumption_{c.field}")), used(c)] for c in shown]
    tail = [
        [t("pv_notes"), run.deal.notes or ""],
        [t("pv_stress"), t("pv_stress_packaged" if run.stress.illustrative else "pv_stress_own")],
        [t("pv_el_table"), _table_name(el_table, lang)],
        [t("pv_kmv"), kmv_source(run.kmv_vol_source, lang)],
    ]
    if run.deal.rates or run.deal.triggers or run.deal.supports():
        tail.append([t("pv_structures"), _structures(run, lang)])
    rows += tail
    row = table(ws, 3, 1, [t("col_item"), t("col_value")], rows)
    row = _defaults(ws, row, inputs, lang)
    first = 4 + len(rows) - len(tail) - len(shown)  # the assumptions' rows
    for i, c in enumerate(shown):
        ws.cell(row=first + i, column=2).number_format = FORMATS.get(c.field, "General")
    sources = [
        [sheet_of(tag, lang), t(key)]
        for tag, key in (
            ("Summary", "src_summary"),
            ("Pool", "src_pool"),
            ("Recovery", "src_recovery"),
            ("Cash flows", "src_cash_flows"),
            ("Stress", "src_stress"),
            ("KMV", "src_kmv"),
            ("Loss distribution", "src_loss"),
            ("BET", "src_bet"),
        )
    ]
    sources.append([t("sheet_methods_tables"), t("src_methods")])
    table(ws, row, 1, [t("col_sheet"), t("col_source")], sources)
    return {1}
