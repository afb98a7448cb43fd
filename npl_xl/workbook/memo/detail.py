"""The memo's supporting sheets: pool, recovery, cash flows, stress levels and matrix, KMV, loss
distribution, BET and provenance. Each builder returns the rows autofit should not measure."""

from __future__ import annotations

import os

import numpy as np
from openpyxl.chart import BarChart, LineChart, Reference

from ...assumptions import unit_label
from ...i18n import text
from ...vocabulary import ASSUMPTION_CONCEPTS
from ..printing import table
from ..xlsx import AMT, BOLD, NUM, PCT, PCT4, TITLE, put

_KMV_LABELS = {
    "recovery_vol": "recovery volatility",
    "issuance_size": "issuance size (x base)",
    "recovery_rate": "recovery (x base)",
    "maturity": "horizon (years)",
    "discount_rate": "discount rate",
}


def _names(run) -> list[str]:
    return [t.name for t in run.deal.ordered_tranches]


def pool_sheet(ws, run, inputs, lang: str) -> set[int]:
    from ..tape import pool_tables

    put(ws["A1"], text("title_pool", lang, unit=unit_label(inputs.unit)), font=TITLE)
    tape = inputs.tape
    if tape is None:
        put(ws["A3"], text("no_tape", lang))
        return {1, 3}
    row, charts, skip = 3, [], {1}
    for title, frame in pool_tables(tape, inputs.unit).items():
        put(ws.cell(row=row, column=1), title, font=BOLD)
        skip.add(row)
        fmts = {"balance": AMT, "share": PCT, "value": "#,##0.00", "loans": "#,##0"}
        end = table(ws, row + 1, 1, list(frame.columns), frame.values.tolist(), fmts)
        if title in ("By region", "By months overdue", "By security type") and len(frame) > 1:
            charts.append((title, row + 1, end - 2))
        row = end
    for n, (title, first, last) in enumerate(charts):
        ch = BarChart()
        ch.title, ch.legend = f"{title}: share of balance", None
        ch.add_data(Reference(ws, min_col=4, min_row=first, max_row=last), titles_from_data=True)
        ch.set_categories(Reference(ws, min_col=1, min_row=first + 1, max_row=last))
        ch.height, ch.width = 6.5, 12
        ws.add_chart(ch, f"F{3 + 14 * n}")
    return skip


def recovery_sheet(ws, run, inputs, lang: str) -> set[int]:
    top = run.stress.table.iloc[0]
    put(ws["A1"], text("title_recovery", lang), font=TITLE)
    from ...models.analysis import asset_mix

    classes = "; ".join(
        f"{c} {share:.0%}: {float(top[f'haircut_{c}']):.0%}, {float(top[f'delay_{c}']):g}m"
        for c, share in asset_mix(run.deal).items()
    )
    put(ws["A2"], f"{top['rating']}: {classes}")
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
    end = table(ws, 3, 1, header, rows, dict.fromkeys(header[2:], AMT) | {header[1]: "0.00"})
    ch = LineChart()
    ch.title, ch.height, ch.width = header[4], 7, 14
    ch.add_data(
        Reference(ws, min_col=5, max_col=6, min_row=3, max_row=end - 2), titles_from_data=True
    )
    ch.set_categories(Reference(ws, min_col=1, min_row=4, max_row=end - 2))
    ws.add_chart(ch, "H3")
    return {1, 2}


def cash_flow_sheet(ws, run, inputs, lang: str) -> set[int]:
    put(ws["A1"], text("title_cash_flows", lang, unit=unit_label(inputs.unit)), font=TITLE)
    header, rows = run.base.table()
    money = [h for h in header if h not in ("period", "years", "default_event")]
    end = table(ws, 3, 1, header, rows, dict.fromkeys(money, AMT) | {"years": "0.00"})
    put(ws.cell(row=end - 1, column=1), text("total", lang), font=BOLD)
    for j, h in enumerate(header, start=1):
        if h in money and "balance" not in h:
            put(ws.cell(row=end - 1, column=j), float(sum(r[j - 1] for r in rows)), AMT, font=BOLD)
    skip = {1, end + 1}
    put(ws.cell(row=end + 1, column=1), text("title_coverage", lang), font=BOLD)
    end = _coverage_table(ws, end + 2, run)
    skip.add(end + 1)
    put(ws.cell(row=end + 1, column=1), text("title_structures", lang), font=BOLD)
    _structures_table(ws, end + 2, run, lang)
    return skip


def _coverage_table(ws, row: int, run) -> int:
    """OC and IC per period and tranche (blank where undefined, periods after the notes are repaid
    left out); returns the next free row."""
    b, names = run.base, _names(run)
    header = ["period"] + [f"OC {n}" for n in names] + [f"IC {n}" for n in names]
    oc, ic = b.oc_ratio, b.ic_ratio
    rows = [  # periods while some note is outstanding
        [t + 1]
        + [None if np.isnan(x) else float(x) for x in oc[t]]
        + [None if np.isnan(x) else float(x) for x in ic[t]]
        for t in range(len(b.collections))
        if not (np.isnan(oc[t]).all() and np.isnan(ic[t]).all())
    ]
    return table(ws, row, 1, header, rows, dict.fromkeys(header[1:], "0.00x"))


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
        rows.append(["trigger", name, f"{test} ({thr:g})", effect, first, None])
    for j, (kind, m) in enumerate(deal.supports()):
        rows.append(
            [
                kind,
                m.name,
                f"limit {m.limit:,.2f}; covers {', '.join(m.covers)}",
                getattr(m, "rating", None) or "",
                float(b.support_in[:, j].sum()),
                float(b.support_out[:, j].sum()),
            ]
        )
    if not rows:
        put(ws.cell(row=row, column=1), text("no_structures", lang))
        return row + 1
    header = ["kind", "name", "terms", "effect / rating", "first period in force / drawn", "repaid"]
    return table(ws, row, 1, header, rows, {"repaid": AMT})


def stress_sheet(ws, run, inputs, lang: str) -> set[int]:
    from ...models.analysis import asset_mix

    put(ws["A1"], text("title_stress", lang), font=TITLE)
    names, st = _names(run), run.stress
    classes = list(asset_mix(run.deal))
    header = (
        [text("col_rating", lang)]
        + [f"{k} {c}" for c in classes for k in ("haircut", "delay (m)")]
        + [text("paid_in_full", lang, tranche=n) for n in names]
    )
    rows = [
        [r["rating"]]
        + [r[f"{k}_{c}"] for c in classes for k in ("haircut", "delay")]
        + [text("yes" if ok else "no", lang) for ok in st.passed[i]]
        for i, (_, r) in enumerate(st.table.iterrows())
    ]
    row = table(ws, 3, 1, header, rows, {h: PCT for h in header if h.startswith("haircut")})
    put(ws.cell(row=row, column=1), text("title_matrix", lang), font=BOLD)
    m = run.stress_matrix
    mheader = [text("col_delay", lang)] + names
    first = row + 1
    end = table(
        ws,
        first,
        1,
        mheader,
        [[d, *m.breakeven[i]] for i, d in enumerate(m.delays_months)],
        dict.fromkeys(names, PCT),
    )
    ch = LineChart()
    ch.title, ch.height, ch.width = text("title_matrix", lang), 7, 14
    ch.y_axis.title, ch.x_axis.title = text("col_breakeven", lang), mheader[0]
    ch.add_data(
        Reference(ws, min_col=2, max_col=1 + len(names), min_row=first, max_row=end - 2),
        titles_from_data=True,
    )
    ch.set_categories(Reference(ws, min_col=1, min_row=first + 1, max_row=end - 2))
    ws.add_chart(ch, f"{chr(ord('A') + len(header) + 1)}{first}")
    if not run.sizing:
        return {1, row}
    ts = run.deal.ordered_tranches
    unit = unit_label(inputs.unit)
    put(
        ws.cell(row=end, column=1),
        text("title_sizing", lang, tranche=ts[0].name, junior=ts[1].name),
        font=BOLD,
    )
    sizes = [text("col_max_size", lang, unit=unit), text("col_issued", lang, unit=unit)]
    table(
        ws,
        end + 1,
        1,
        [text("col_rating", lang), *sizes],
        [[r, size, ts[0].balance] for r, size in run.sizing],
        dict.fromkeys(sizes, AMT),
    )
    return {1, row, end}


def kmv_sheet(ws, run, inputs, lang: str) -> set[int]:
    put(ws["A1"], text("title_kmv", lang), font=TITLE)
    put(ws["A2"], text("kmv_line", lang, source=run.kmv_vol_source))
    k, names = run.kmv, _names(run)
    header = [
        "tranche",
        "V0",
        "default point",
        "horizon (years)",
        "distance to default",
        "PD",
        "rating (PD)",
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
    row = table(
        ws,
        3,
        1,
        header,
        rows,
        {
            "V0": AMT,
            "default point": AMT,
            "PD": PCT4,
            "distance to default": NUM,
            "horizon (years)": "0.00",
        },
    )
    skip, width = {1, 2}, len(names) + 2
    for i, grid in enumerate(run.sensitivity):  # two grids side by side
        col = 1 + (i % 2) * width
        label = _KMV_LABELS.get(grid.parameter, grid.parameter.replace(":", " "))
        fmt = "0.00" if grid.parameter in ("issuance_size", "recovery_rate", "maturity") else PCT
        end = table(
            ws,
            row,
            col,
            [label] + [f"{n} PD" for n in names],
            [[v] + list(p) for v, p in zip(grid.values, grid.pds)],
            {label: fmt} | {f"{n} PD": PCT4 for n in names},
        )
        if i % 2 or i == len(run.sensitivity) - 1:
            row = end
    return skip


def loss_sheet(ws, run, inputs, lang: str) -> set[int]:
    put(ws["A1"], text("title_loss", lang), font=TITLE)
    a, mc, names = run.setup.assumptions, run.mc, _names(run)
    put(
        ws["A2"],
        f"{run.paths:,} scenarios, seed {run.seed}; recovery volatility {run.mc_volatility:.0%}, "
        "systematic "
        f"share {a.recovery_correlation:.0%}, delay {a.delay_beta:g} period(s) per unit of "
        "adverse factor",
    )
    header = [
        "tranche",
        "PD",
        "EL",
        "EL s.e.",
        "PV loss",
        "WAL (years)",
        "rating (EL)",
        "rating (PD)",
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
    row = table(
        ws,
        3,
        1,
        header,
        rows,
        dict.fromkeys(("PD", "EL", "EL s.e.", "PV loss"), PCT4) | {"WAL (years)": "0.00"},
    )
    q_rows = [[f"{q:.0%} quantile"] + list(v) for q, v in mc.loss_quantiles.items()]
    row = table(ws, row, 1, ["tranche loss"] + names, q_rows, dict.fromkeys(names, PCT4))
    if mc.triggers:
        t_rows = [[n, float(p)] for n, p in zip(mc.triggers, mc.trigger_probability)]
        head = [text("title_triggers_mc", lang), "probability"]
        row = table(ws, row, 1, head, t_rows, {"probability": PCT})
    rec = run.mc_pool_recovery
    edges = np.linspace(0.0, max(1.6, float(rec.max()) * 1.01), 21)
    counts, _ = np.histogram(rec, bins=edges)
    hist = [
        [f"{lo:.0%}-{hi:.0%}", c / len(rec)] for lo, hi, c in zip(edges[:-1], edges[1:], counts)
    ]
    end = table(ws, row, 1, ["recovery / base case", "probability"], hist, {"probability": PCT})
    ch = BarChart()
    ch.title, ch.legend, ch.gapWidth, ch.height, ch.width = "recovery / base case", None, 10, 7, 14
    ch.add_data(Reference(ws, min_col=2, min_row=row, max_row=end - 2), titles_from_data=True)
    ch.set_categories(Reference(ws, min_col=1, min_row=row + 1, max_row=end - 2))
    ws.add_chart(ch, f"D{row}")
    return {1, 2}


def bet_sheet(ws, run, inputs, lang: str) -> set[int]:
    put(ws["A1"], text("title_bet", lang), font=TITLE)
    b = run.bet
    rows = [
        [
            "diversity score of the tape (regions, Moody's table)",
            b.tape_diversity if b.tape_diversity is not None else text("na", lang),
        ],
        ["D used (whole units, 1-200)", b.diversity],
        ["probability a recovery unit fails", b.unit_default_probability],
        ["share of base recovery a failing unit recovers", b.stressed_recovery],
    ]
    row = table(ws, 3, 1, [text("col_item", lang), text("col_value", lang)], rows)
    ws.cell(row=5, column=2).number_format = "0"
    table(
        ws,
        row,
        1,
        ["tranche", "expected loss (share of tranche)"],
        [[n, b.expected_loss[i]] for i, n in enumerate(_names(run))],
        {"expected loss (share of tranche)": PCT4},
    )
    return {1}


def provenance_sheet(ws, run, inputs, lang: str) -> set[int]:
    inp = inputs
    put(ws["A1"], text("title_provenance", lang), font=TITLE)
    recovery = run.deal.require_recovery()
    rows = [
        ["input workbook", os.path.basename(inp.path)],
        ["SHA-256 of the input", inp.sha256],
        ["run at", run.timestamp],
        ["Monte Carlo scenarios", run.paths],
        ["seed", run.seed],
        ["currency unit", unit_label(inp.unit)],
        ["memo language", lang],
    ]
    rows += [[f"version of {k}", v] for k, v in run.versions.items()]
    rows += [
        [
            f"Assumptions sheet: {c.label}",
            getattr(run.setup.assumptions if c.target == "assumptions" else recovery, c.field),
        ]
        for c in ASSUMPTION_CONCEPTS
    ]
    rows += [
        ["deal notes", run.deal.notes or ""],
        [
            "stress table",
            "packaged, illustrative" if run.stress.illustrative else "the deal workbook's",
        ],
        [
            "idealised EL table",
            f"{run.mc.rating_el[0].table}"
            f"{' (illustrative)' if run.mc.rating_el[0].illustrative else ''}",
        ],
        ["KMV volatility", run.kmv_vol_source],
        [
            "structures",
            "; ".join(
                [
                    f"trigger {t.name}: {t.test} ({t.threshold:g}) -> {t.effect}"
                    for t in run.deal.triggers
                ]
                + [f"{k} {m.name}: limit {m.limit:,.2f}" for k, m in run.deal.supports()]
                + [
                    f"rate {k}: {r.level if r.level is not None else 'path'}"
                    for k, r in run.deal.rates.items()
                ]
            )
            or "none",
        ],
    ]
    row = table(ws, 3, 1, [text("col_item", lang), text("col_value", lang)], rows)
    sources = [
        [
            "Summary",
            "rating.propose on stress_ratings, tranche_statistics (Monte Carlo) and tranche_kmv",
        ],
        ["Pool", "workbook.tape.pool_tables on the LoanTape sheet"],
        ["Recovery", "Deal.base_collections and analysis.stress_collections (most severe level)"],
        [
            "Cash flows",
            "models.waterfall.run_waterfall(deal, base collections); totals are sums; coverage "
            "from WaterfallResult.oc_ratio and ic_ratio; triggers and support from its "
            "trigger_states and support_in / support_out",
        ],
        ["Stress", "analysis.stress_ratings, analysis.breakeven_haircut(delay_months=...)"],
        ["KMV", "analysis.tranche_kmv and analysis.kmv_sensitivity"],
        [
            "Loss distribution",
            "simulation.simulate_collections and simulation.tranche_statistics (trigger hit "
            "probabilities; a rated guarantor fails with its rating's idealised PD, same seed)",
        ],
        ["BET", "analysis.bet_cashflow_expected_loss"],
        ["Methods and tables", "docs/methodology.md in the npl-xl repository"],
    ]
    table(ws, row, 1, ["sheet", "source"], sources)
    return {1}
