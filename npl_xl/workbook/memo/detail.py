"""The memo's sheets on the assets and the structure: pool, recovery and cash flows (with coverage,
triggers and credit support). Each builder returns the rows autofit should not measure."""

from __future__ import annotations

import re

import numpy as np
from openpyxl.chart import BarChart, LineChart, Reference

from ...assumptions import unit_label
from ...i18n import text
from ..printing import blocks, paragraph, table
from ..xlsx import AMT, BOLD, PCT, TITLE, put
from .labels import cash_flow_header, label
from .overview import before_closing


def _names(run) -> list[str]:
    return [t.name for t in run.deal.ordered_tranches]


def value_format(item: str) -> str:
    """The number format of a pool statistic from its label: counts whole, shares as percents,
    amounts with thousands separators, months and ages to one decimal."""
    low = item.lower()
    if low in ("loans", "borrowers", "obligors", "groups (regions)") or low.startswith("number"):
        return "#,##0"
    if "share" in low or "ltv" in low or low.endswith("%"):
        return PCT
    if "month" in low or re.search(r"\bage\b", low):
        return "0.0"
    if "hhi" in low or "diversity" in low:
        return "0.00"
    return AMT


def pool_sheet(ws, run, inputs, lang: str) -> set[int]:
    from ..tape import pool_tables

    put(ws["A1"], text("title_pool", lang, unit=unit_label(inputs.unit)), font=TITLE)
    tape = inputs.tape
    if tape is None:
        put(ws["A3"], text("no_tape", lang))
        return {1, 3}
    row, charts, skip = 3, [], {1}
    tables = pool_tables(tape, inputs.unit)
    if "Agency pool statistics" in tables and "Pool totals" in tables:
        # the agency statistics less what the pool totals already state
        stats, totals = tables["Agency pool statistics"], tables["Pool totals"]
        said = {str(x).split(" (")[0] for x in totals.iloc[:, 0]}
        tabled = {
            "five-category share": "By five-category class",
            "legal stage share": "By legal stage",
        }
        said |= {k for k, table_title in tabled.items() if table_title in tables}
        tables["Agency pool statistics"] = stats[
            [
                str(x).removeprefix("balance: ").split(" (")[0].split(":")[0] not in said
                for x in stats.iloc[:, 0]
            ]
        ]
    for title, frame in tables.items():
        if not len(frame):
            continue
        put(ws.cell(row=row, column=1), label(title, lang), font=BOLD)
        skip.add(row)
        header = [label(c, lang) for c in frame.columns]
        kinds = {"balance": AMT, "share": PCT, "value": "#,##0.00", "loans": "#,##0"}
        fmts = {h: kinds[c] for h, c in zip(header, frame.columns) if c in kinds}
        rows = [[label(v, lang) for v in r] for r in frame.values.tolist()]
        end = table(ws, row + 1, 1, header, rows, fmts)
        if "item" in frame.columns and "value" in frame.columns:
            j = list(frame.columns).index("value") + 1
            for i, item in enumerate(frame["item"], start=row + 2):
                ws.cell(row=i, column=j).number_format = value_format(str(item))
        if title in ("By region", "By months overdue", "By security type") and len(frame) > 1:
            charts.append((label(title, lang), row + 1, end - 2))
        row = end
    for n, (title, first, last) in enumerate(charts):
        ch = BarChart()
        ch.title, ch.legend = text("pool_chart", lang, what=title), None
        ch.add_data(Reference(ws, min_col=4, min_row=first, max_row=last), titles_from_data=True)
        ch.set_categories(Reference(ws, min_col=1, min_row=first + 1, max_row=last))
        ch.height, ch.width = 6.5, 12
        ws.add_chart(ch, f"F{3 + 14 * n}")
    return skip


def recovery_sheet(ws, run, inputs, lang: str) -> set[int]:
    top = run.stress.table.iloc[0]
    put(ws["A1"], text("title_recovery", lang), font=TITLE)
    from ...models.analysis import asset_mix

    sep = "；" if lang == "zh" else "; "
    classes = sep.join(
        text(
            "recovery_stress_class",
            lang,
            what=label(c, lang),
            share=share,
            haircut=float(top[f"haircut_{c}"]),
            delay=float(top[f"delay_{c}"]),
        )
        for c, share in asset_mix(run.deal).items()
    )
    put(ws["A2"], text("recovery_stress_line", lang, rating=top["rating"], classes=classes))
    base, st = run.collections, run.stress_collections[0]
    header = [
        text(k, lang)
        for k in (
            "col_period",
            "col_years",
            "col_base",
            "col_stressed",
            "col_cum_base",
            "col_cum_stressed",
        )
    ]
    rows = [
        [
            i + 1,
            float(run.base.period_times[i]),
            base[i],
            st[i],
            base[: i + 1].sum(),
            st[: i + 1].sum(),
        ]
        for i in range(len(base))
    ]
    skip = {1, 2}
    row = 3
    for words in _evidence(run, inputs, lang):
        skip.add(row)
        row = paragraph(ws, row, words, 6)
    top = row + 1
    end = table(ws, top, 1, header, rows, dict.fromkeys(header[2:], AMT) | {header[1]: "0.00"})
    ch = LineChart()
    ch.title, ch.height, ch.width = header[4], 7, 14
    ch.add_data(
        Reference(ws, min_col=5, max_col=6, min_row=top, max_row=end - 2), titles_from_data=True
    )
    ch.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=end - 2))
    ws.add_chart(ch, f"H{top}")
    return skip


def _evidence(run, inputs, lang: str) -> list[str]:
    """The recovery evidence: base-case total and its source, the collection curve used, and the
    static-pool curves by segment when the deal workbook has them."""
    rec = run.deal.require_recovery()
    unit = unit_label(inputs.unit)
    lines = [
        text(
            "evidence_total",
            lang,
            total=rec.total,
            unit=unit,
            source=rec.source or text("not_given", lang),
        )
    ]
    cum = np.asarray(rec.cumulative, dtype=float)
    per_year = run.deal.payments_per_year
    first = float(cum[min(per_year, len(cum)) - 1]) if len(cum) else 0.0
    half = float(cum[(len(cum) - 1) // 2]) if len(cum) else 0.0
    lines.append(text("evidence_curve", lang, periods=len(cum), first=first, half=half))
    lines.append(before_closing(run, inputs, lang))
    # merge: the tape helper adds static-pool curves by segment ({segment: source}); read them
    # defensively until then
    for segment, source in dict(getattr(inputs, "static_pools", None) or {}).items():
        lines.append(text("evidence_static", lang, segment=segment, source=source))
    return lines


def cash_flow_sheet(ws, run, inputs, lang: str) -> set[int]:
    put(ws["A1"], text("title_cash_flows", lang, unit=unit_label(inputs.unit)), font=TITLE)
    names = _names(run)
    codes, rows = run.base.table()
    header = cash_flow_header(codes, names, lang)
    flag = codes.index("default_event")
    money = [j for j, h in enumerate(codes) if h not in ("period", "years", "default_event")]
    for r in rows:
        r[flag] = text("yes" if r[flag] else "no", lang)
    total: list = [text("total", lang)] + [None] * (len(codes) - 1)
    for j in money:
        if not codes[j].endswith("balance"):
            total[j] = float(sum(r[j] for r in rows))
    fmts = {header[j]: AMT for j in money} | {header[1]: "0.00"}
    # pool columns first, then each tranche's four columns together
    pool = [j for j in range(2, len(codes)) if not any(codes[j].startswith(f"{n} ") for n in names)]
    groups = [[j] for j in pool] + [
        [j for j in range(len(codes)) if codes[j].startswith(f"{n} ")] for n in names
    ]
    row, _ = blocks(ws, 3, header, rows + [total], fmts, keep=2, groups=groups)
    skip = {1, row}
    put(ws.cell(row=row, column=1), text("title_coverage", lang), font=BOLD)
    row = _coverage_table(ws, row + 1, run, lang)
    skip.add(row)
    put(ws.cell(row=row, column=1), text("title_structures", lang), font=BOLD)
    _structures_table(ws, row + 1, run, lang)
    return skip


def _coverage_table(ws, row: int, run, lang: str) -> int:
    """OC and IC per period and tranche (blank where undefined, periods after the notes are repaid
    left out); returns the next free row."""
    b, names = run.base, _names(run)
    header = [text("col_period", lang)] + [f"OC {n}" for n in names] + [f"IC {n}" for n in names]
    oc, ic = b.oc_ratio, b.ic_ratio
    rows = [  # periods while some note is outstanding
        [t + 1]
        + [None if np.isnan(x) else float(x) for x in oc[t]]
        + [None if np.isnan(x) else float(x) for x in ic[t]]
        for t in range(len(b.collections))
        if not (np.isnan(oc[t]).all() and np.isnan(ic[t]).all())
    ]
    k = len(names)
    groups = [[1 + i, 1 + k + i] for i in range(k)]  # a tranche's OC beside its IC
    return blocks(ws, row, header, rows, dict.fromkeys(header[1:], "0.00x"), groups=groups)[0]


def _structures_table(ws, row: int, run, lang: str) -> int:
    """Each trigger (test, threshold, effect, first period in force in the base case) and each
    facility, guarantee or account (limit, covers, drawn and repaid in the base case)."""
    deal, b = run.deal, run.base
    rows = []
    for k, name in enumerate(b.trigger_names):
        spec = next((t for t in deal.triggers if t.name == name), None)
        test, thr, effect = (
            (spec.test, spec.threshold, spec.effect)
            if spec
            else ("senior_interest_unpaid", 0.0, "post_default_order")
        )
        hit = np.flatnonzero(b.trigger_states[:, k])
        first = int(hit[0]) + 1 if hit.size else None
        rows.append(
            [
                text("kind_trigger", lang),
                text("trig_default_event", lang) if spec is None else name,
                text(f"test_{test}", lang, threshold=thr),
                text(f"effect_{effect}", lang),
                first,
                None,
            ]
        )
    sep = "、" if lang == "zh" else ", "
    for j, (kind, m) in enumerate(deal.supports()):
        covers = sep.join(text(f"cover_{c}", lang) for c in m.covers)
        rows.append(
            [
                text(f"kind_{kind}", lang),
                m.name,
                text("support_terms", lang, limit=m.limit, covers=covers),
                getattr(m, "rating", None) or "",
                float(b.support_in[:, j].sum()),
                float(b.support_out[:, j].sum()),
            ]
        )
    if not rows:
        put(ws.cell(row=row, column=1), text("no_structures", lang))
        return row + 1
    header = [
        text(k, lang)
        for k in ("col_kind", "col_name", "col_terms", "col_effect", "col_first", "col_repaid")
    ]
    return table(ws, row, 1, header, rows, {header[5]: AMT})
