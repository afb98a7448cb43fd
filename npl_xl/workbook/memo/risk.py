"""The memo's sheets on the rating's models: stress levels and matrix (and sizing), KMV, the Monte
Carlo loss distribution and the binomial expansion. Each builder returns the rows autofit should
not measure. Tables with a column per tranche are cut into blocks a page wide."""

from __future__ import annotations

import numpy as np
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from ...assumptions import unit_label
from ...i18n import text
from ..printing import MAX_COLUMNS, blocks, paragraph, table
from ..xlsx import AMT, BOLD, NUM, PCT, PCT4, TITLE, put
from .labels import kmv_source, label

#: most tranches a chart draws as series (the table beside it has them all)
CHART_SERIES = 10


def _names(run) -> list[str]:
    return [t.name for t in run.deal.ordered_tranches]


def stress_sheet(ws, run, inputs, lang: str) -> set[int]:
    from ...models.analysis import asset_mix

    put(ws["A1"], text("title_stress", lang), font=TITLE)
    names, st = _names(run), run.stress
    classes = list(asset_mix(run.deal))
    header = (
        [text("col_rating", lang)]
        + [
            text(f"col_{k}_of", lang, what=label(c, lang))
            for c in classes
            for k in ("haircut", "delay")
        ]
        + [text("col_issue_rate", lang)]
        + [text("paid_in_full", lang, tranche=n) for n in names]
    )
    rows = [
        [r["rating"]]
        + [r[f"{k}_{c}"] for c in classes for k in ("haircut", "delay")]
        + [float(r.get("issue_rate_shift", 0.0))]
        + [text("yes" if ok else "no", lang) for ok in st.passed[i]]
        for i, (_, r) in enumerate(st.table.iterrows())
    ]
    haircuts = {header[1 + 2 * i]: PCT for i in range(len(classes))}
    delays = {header[2 + 2 * i]: "0" for i in range(len(classes))}
    haircuts[header[1 + 2 * len(classes)]] = PCT
    keep = 2 + 2 * len(classes)
    row, _ = blocks(ws, 3, header, rows, haircuts | delays, keep=keep)
    skip = {1, row}
    put(ws.cell(row=row, column=1), text("title_matrix", lang), font=BOLD)
    m = run.stress_matrix
    mheader = [text("col_delay", lang)] + names
    end, spans = blocks(
        ws,
        row + 1,
        mheader,
        [[d, *m.breakeven[i]] for i, d in enumerate(m.delays_months)],
        dict.fromkeys(names, PCT),
    )
    first, last = spans[0]
    ch = LineChart()
    ch.title, ch.height, ch.width = text("title_matrix", lang), 7, 14
    ch.y_axis.title, ch.x_axis.title = text("col_breakeven", lang), mheader[0]
    series = min(len(names), CHART_SERIES, 11)
    ch.add_data(
        Reference(ws, min_col=2, max_col=1 + series, min_row=first, max_row=last),
        titles_from_data=True,
    )
    ch.set_categories(Reference(ws, min_col=1, min_row=first + 1, max_row=last))
    if len(mheader) <= 6:  # beside a narrow matrix, else under it
        ws.add_chart(ch, f"{get_column_letter(len(mheader) + 2)}{first}")
    else:
        ws.add_chart(ch, f"A{end}")
        end += 16  # the chart's rows
    if not run.sizing:
        return skip
    ts = run.deal.ordered_tranches
    unit = unit_label(inputs.unit)
    beside = len(header) + 4 <= MAX_COLUMNS + 2  # right of the levels while the page is wide enough
    at, col = (2, len(header) + 2) if beside else (end, 1)
    title = put(
        ws.cell(row=at, column=col),
        text("title_sizing", lang, tranche=ts[0].name, junior=ts[1].name),
        font=BOLD,
    )
    sizes = [text("col_max_size", lang, unit=unit), text("col_issued", lang, unit=unit)]
    if beside:
        title.alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=at, start_column=col, end_row=at, end_column=col + 2)
        ws.row_dimensions[at].height = 45
    table(
        ws,
        at + 1,
        col,
        [text("col_rating", lang), *sizes],
        [[r, size, ts[0].balance] for r, size in run.sizing],
        dict.fromkeys(sizes, AMT),
    )
    return skip | {at}


def kmv_sheet(ws, run, inputs, lang: str) -> set[int]:
    put(ws["A1"], text("title_kmv", lang), font=TITLE)
    put(ws["A2"], text("kmv_line", lang, source=kmv_source(run.kmv_vol_source, lang)))
    k, names = run.kmv, _names(run)
    header = [
        text(key, lang)
        for key in (
            "col_tranche",
            "col_v0",
            "col_default_point",
            "col_horizon",
            "col_dd",
            "col_pd",
            "col_rating_pd",
        )
    ]
    rows = [
        [
            n,
            k.asset_value[i],
            k.default_point[i],
            k.maturity[i],
            k.distance_to_default[i],
            k.default_probability[i],
            run.kmv_ratings[i],
        ]
        for i, n in enumerate(names)
    ]
    fmts = {header[1]: AMT, header[2]: AMT, header[3]: "0.00", header[4]: NUM, header[5]: PCT4}
    row = table(ws, 3, 1, header, rows, fmts)
    pds = [text("col_tranche_pd", lang, tranche=n) for n in names]
    two = len(names) <= 4  # two grids side by side while they fit the page
    width = len(names) + 2
    for i, grid in enumerate(run.sensitivity):
        kind, _, tranche = grid.parameter.partition(":")
        name = text(f"kmv_{kind}", lang, tranche=tranche) if kind else grid.parameter
        fmt = "0.00" if kind in ("issuance_size", "recovery_rate", "maturity") else PCT
        grid_rows = [[v] + list(p) for v, p in zip(grid.values, grid.pds)]
        fmts = {name: fmt} | dict.fromkeys(pds, PCT4)
        if two:
            end = table(ws, row, 1 + (i % 2) * width, [name] + pds, grid_rows, fmts)
            if i % 2 or i == len(run.sensitivity) - 1:
                row = end
        else:
            row = blocks(ws, row, [name] + pds, grid_rows, fmts)[0]
    return {1, 2}


def loss_sheet(ws, run, inputs, lang: str) -> set[int]:
    put(ws["A1"], text("title_loss", lang), font=TITLE)
    a, mc, names = run.setup.assumptions, run.mc, _names(run)
    put(
        ws["A2"],
        text(
            "loss_line",
            lang,
            paths=run.paths,
            seed=run.seed,
            vol=run.mc_volatility,
            corr=a.recovery_correlation,
            beta=a.delay_beta,
        ),
    )
    header = [
        text(key, lang)
        for key in (
            "col_tranche",
            "col_pd",
            "col_el",
            "col_el_se",
            "col_pv_loss",
            "col_wal",
            "col_rating_el",
            "col_rating_pd",
        )
    ]
    rows = [
        [
            n,
            mc.pd[i],
            mc.el[i],
            mc.el_se[i],
            mc.pv_loss[i],
            mc.wal[i],
            mc.rating_el[i],
            mc.rating_pd[i],
        ]
        for i, n in enumerate(names)
    ]
    fmts = dict.fromkeys(header[1:5], PCT4) | {header[5]: "0.00"}
    row = table(ws, 3, 1, header, rows, fmts)
    skip = {1, 2}
    quantiles = {q: v for q, v in mc.loss_quantiles.items() if np.any(np.asarray(v) > 0)}
    if quantiles:
        q_rows = [[text("quantile", lang, q=q)] + list(v) for q, v in quantiles.items()]
        head = [text("col_tranche_loss", lang)] + names
        row = blocks(ws, row, head, q_rows, dict.fromkeys(names, PCT4))[0]
    else:  # a row of zeros tells the committee nothing: say so in words
        skip.add(row)
        row = paragraph(ws, row, text("no_losses", lang), 8) + 1
    if mc.triggers:
        prob = text("col_probability", lang)
        t_rows = [
            [text("trig_default_event", lang) if n == "default_event" else n, float(p)]
            for n, p in zip(mc.triggers, mc.trigger_probability)
        ]
        row = table(ws, row, 1, [text("title_triggers_mc", lang), prob], t_rows, {prob: PCT})
    rec = run.mc_pool_recovery
    edges = np.linspace(0.0, max(1.6, float(rec.max()) * 1.01), 11)
    counts, _ = np.histogram(rec, bins=edges)
    hist = [  # ten bands: short labels that print level under the bars
        [f"{lo * 100:.0f}-{hi:.0%}", c / len(rec)]
        for lo, hi, c in zip(edges[:-1], edges[1:], counts)
    ]
    ratio, prob = text("col_recovery_ratio", lang), text("col_probability", lang)
    end = table(ws, row, 1, [ratio, prob], hist, {prob: PCT})
    ch = BarChart()
    ch.title, ch.legend, ch.gapWidth, ch.height, ch.width = ratio, None, 10, 7, 14
    ch.add_data(Reference(ws, min_col=2, min_row=row, max_row=end - 2), titles_from_data=True)
    ch.set_categories(Reference(ws, min_col=1, min_row=row + 1, max_row=end - 2))
    ws.add_chart(ch, f"D{row}")
    if not bet_informative(run):
        skip.add(end)
        paragraph(ws, end, text("bet_no_loss", lang), 3)
    return skip


def bet_informative(run) -> bool:
    """Whether the binomial expansion has a loss to show (else the Loss sheet says it in words)."""
    return bool(np.any(run.bet.expected_loss > 0))


def bet_sheet(ws, run, inputs, lang: str) -> set[int]:
    put(ws["A1"], text("title_bet", lang), font=TITLE)
    b = run.bet
    rows = [
        [
            text("bet_tape_diversity", lang),
            b.tape_diversity if b.tape_diversity is not None else text("na", lang),
        ],
        [text("bet_d", lang), b.diversity],
        [text("bet_p", lang), b.unit_default_probability],
        [text("bet_r", lang), b.stressed_recovery],
    ]
    row = table(ws, 3, 1, [text("col_item", lang), text("col_value", lang)], rows)
    ws.cell(row=4, column=2).number_format = "0.00"
    ws.cell(row=5, column=2).number_format = "0"
    ws.cell(row=6, column=2).number_format = PCT
    ws.cell(row=7, column=2).number_format = PCT
    el = text("col_bet_el", lang)
    table(
        ws,
        row,
        1,
        [text("col_tranche", lang), el],
        [[n, b.expected_loss[i]] for i, n in enumerate(_names(run))],
        {el: PCT4},
    )
    return {1}
