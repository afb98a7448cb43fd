"""The rating memo: an Excel workbook of values (opens anywhere), charts where people would rather
look.

Sheets: Summary, Pool, Recovery, Cash flows, KMV, Loss distribution, Stress, BET, Provenance.
Every table names its source (the npl-xl function and inputs that made it) on the Provenance sheet.
"""

from __future__ import annotations

import os

import numpy as np
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font

from ..assumptions import unit_label
from ..vocabulary import ASSUMPTION_CONCEPTS
from .run import RatingRun
from .xlsx import AMT, BOLD, NUM, PCT, PCT4, TITLE, put, save
from .xlsx import table as _table
from .xlsx import widths as _widths


def build_memo(run: RatingRun):
    """The memo workbook for a rating run."""
    deal, inp = run.inputs.deal, run.inputs
    tranches = deal.ordered_tranches
    illustrative = run.stress.illustrative or any(r.illustrative for r in run.mc.rating_el)
    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    put(ws["A1"], f"Rating memo: {deal.name}", font=TITLE)
    ws["A2"] = (
        f"npl-xl {run.versions['npl-xl']}, {run.timestamp}; amounts in {unit_label(inp.unit)}; "
        f"{run.paths:,} Monte Carlo scenarios, seed {run.seed}"
    )
    if illustrative:
        ws["A3"] = (
            "Ratings use ILLUSTRATIVE tables (stress levels and/or idealised losses not published "
            "by an "
            "agency); replace them on the deal workbook's Stress and IdealisedEL sheets for a "
            "real rating."
        )
        ws["A3"].font = Font(bold=True, color="C00000")
    m, mc, k = run.metrics, run.mc, run.kmv
    header = [
        "Tranche",
        "Balance",
        "Coupon",
        "Proposed rating (stress)",
        "Break-even haircut",
        "WAL (years)",
        "Expected maturity (years)",
        "Yield at issue price",
        "KMV PD",
        "KMV rating (PD)",
        "MC PD",
        "MC EL",
        "MC rating (EL)",
    ]
    rows = [
        [
            t.name,
            t.balance,
            t.coupon,
            run.proposed[i] + (" (illustrative)" if run.stress.illustrative else ""),
            run.breakeven[i],
            m.wal[i],
            m.expected_maturity[i],
            m.issue_yield[i],
            k.default_probability[i],
            run.kmv_ratings[i].labelled(),
            mc.pd[i],
            mc.el[i],
            mc.rating_el[i].labelled(),
        ]
        for i, t in enumerate(tranches)
    ]
    nxt = _table(
        ws,
        5,
        1,
        header,
        rows,
        {
            "Balance": AMT,
            "Coupon": PCT,
            "Break-even haircut": PCT,
            "WAL (years)": "0.00",
            "Expected maturity (years)": "0.00",
            "Yield at issue price": PCT,
            "KMV PD": PCT4,
            "MC PD": PCT4,
            "MC EL": PCT4,
        },
    )
    put(ws.cell(row=nxt, column=1), "How to read it", font=BOLD)
    notes = [
        "Proposed rating: the best level of the stress table whose recovery haircut and delay the "
        "tranche survives "
        "paid in full by legal maturity (the agencies' approach for NPL ABS).",
        "Break-even haircut: the largest cut to base-case recoveries at which the tranche is "
        "still paid in full.",
        "KMV: the modified KMV for NPL tranches (Chinese NPL ABS literature, Yan & Cai 2005) (V0 "
        "= PV of net collections, default point = principal and coupon "
        "promised to the tranche and those senior to it). MC: recovery scenarios through the "
        "waterfall.",
    ]
    for i, text in enumerate(notes, start=nxt + 1):
        put(ws.cell(row=i, column=1), text)
    _widths(ws, [14, 14, 9, 24, 12, 10, 12, 12, 10, 22, 10, 10, 22])

    _pool_sheet(wb.create_sheet("Pool"), run)
    _recovery_sheet(wb.create_sheet("Recovery"), run)
    _cash_flow_sheet(wb.create_sheet("Cash flows"), run)
    _kmv_sheet(wb.create_sheet("KMV"), run)
    _loss_sheet(wb.create_sheet("Loss distribution"), run)
    _stress_sheet(wb.create_sheet("Stress"), run)
    _bet_sheet(wb.create_sheet("BET"), run)
    _provenance_sheet(wb.create_sheet("Provenance"), run)
    for sheet in wb.worksheets:  # print each sheet on one page wide, landscape
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    return wb


def _pool_sheet(ws, run):
    put(ws["A1"], "Pool stratification (loan tape)", font=TITLE)
    tape = run.inputs.tape
    if tape is None:
        ws["A3"] = "The deal workbook has no loan tape: no stratification."
        return
    from .tape import pool_tables

    row, charts = 3, []
    for title, frame in pool_tables(tape, run.inputs.unit).items():
        put(ws.cell(row=row, column=1), title, font=BOLD)
        fmts = {"balance": AMT, "share": PCT, "value": "#,##0.00"}
        end = _table(ws, row + 1, 1, list(frame.columns), frame.values.tolist(), fmts)
        if (
            title in ("By region", "By months overdue", "By balance", "By borrower age")
            and len(frame) > 1
        ):
            charts.append((title, row + 1, end - 2))
        row = end + 1
    for n, (title, first, last) in enumerate(charts):
        ch = BarChart()
        ch.title, ch.y_axis.title = f"{title}: share of balance", "share"
        ch.add_data(Reference(ws, min_col=4, min_row=first, max_row=last), titles_from_data=True)
        ch.set_categories(Reference(ws, min_col=1, min_row=first + 1, max_row=last))
        ch.height, ch.width, ch.legend = 7, 14, None
        ws.add_chart(ch, f"G{3 + 16 * n}")
    _widths(ws, [34, 10, 16, 10])


def _recovery_sheet(ws, run):
    top = run.stress.table.iloc[0]
    put(ws["A1"], "Recovery curve: base case and the most severe stress", font=TITLE)
    classes = "; ".join(
        f"{c} {share:.0%} of base recovery: haircut {float(top[f'haircut_{c}']):.0%}, "
        f"delay {float(top[f'delay_{c}']):g} months"
        for c, share in _mix(run).items()
    )
    ws["A2"] = f"Stress {top['rating']}: {classes}. Base-case total {run.collections.sum():,.2f}."
    base, st = run.collections, run.stress_collections
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
    header = [
        "Period",
        "Years",
        "Base collections",
        "Stressed collections",
        "Cumulative base",
        "Cumulative stressed",
    ]
    end = _table(ws, 4, 1, header, rows, dict.fromkeys(header[2:], AMT) | {"Years": "0.00"})
    ch = LineChart()
    ch.title, ch.y_axis.title, ch.x_axis.title = (
        "Cumulative collections",
        ws.parent and "amount",
        "period",
    )
    ch.add_data(
        Reference(ws, min_col=5, max_col=6, min_row=4, max_row=end - 2), titles_from_data=True
    )
    ch.set_categories(Reference(ws, min_col=1, min_row=5, max_row=end - 2))
    ch.height, ch.width = 8, 16
    ws.add_chart(ch, "H4")
    _widths(ws, [8, 8, 16, 18, 16, 18])


def _cash_flow_sheet(ws, run):
    put(ws["A1"], "Base-case waterfall (npl_xl.models.waterfall.run_waterfall)", font=TITLE)
    header, rows = run.base.table()
    end = _table(
        ws,
        3,
        1,
        header,
        rows,
        {h: AMT for h in header if h not in ("period", "years", "default_event")},
    )
    put(ws.cell(row=end - 1, column=1), "Total", font=BOLD)
    for j, h in enumerate(header, start=1):
        if h not in ("period", "years", "default_event") and "balance" not in h:
            put(ws.cell(row=end - 1, column=j), float(sum(r[j - 1] for r in rows)), AMT, font=BOLD)
    ws.freeze_panes = "C4"
    _widths(ws, [8, 7] + [14] * (len(header) - 2))


def _kmv_sheet(ws, run):
    put(ws["A1"], "Tranche KMV (npl_xl.models.analysis.tranche_kmv)", font=TITLE)
    a = run.inputs.assumptions
    ws["A2"] = f"Recovery volatility {a.recovery_vol:.0%}, discount rate {a.discount_rate:.2%}."
    k, names = run.kmv, [t.name for t in run.inputs.deal.ordered_tranches]
    header = [
        "Tranche",
        "Asset value V0",
        "Default point",
        "Horizon (years)",
        "Distance to default",
        "PD",
        "Rating (PD)",
    ]
    rows = [
        [
            n,
            k.asset_value[i],
            k.default_point[i],
            k.maturity[i],
            k.distance_to_default[i],
            k.default_probability[i],
            run.kmv_ratings[i].labelled(),
        ]
        for i, n in enumerate(names)
    ]
    row = _table(
        ws,
        4,
        1,
        header,
        rows,
        {
            "Asset value V0": AMT,
            "Default point": AMT,
            "PD": PCT4,
            "Distance to default": NUM,
            "Horizon (years)": "0.00",
        },
    )
    labels = {
        "recovery_vol": "Recovery volatility",
        "issuance_size": "Issuance size (x base)",
        "recovery_rate": "Recovery (x base)",
        "coupon": "Senior coupon",
        "maturity": "Horizon (years)",
    }
    first_grid = row
    for grid in run.sensitivity:
        name, values, pds = grid.parameter, grid.values, grid.pds
        put(ws.cell(row=row, column=1), f"PD sensitivity: {labels[name]}", font=BOLD)
        fmt = PCT if name in ("recovery_vol", "coupon") else "0.00"
        end = _table(
            ws,
            row + 1,
            1,
            [labels[name]] + [f"{n} PD" for n in names],
            [[v] + list(p) for v, p in zip(values, pds)],
            {labels[name]: fmt} | {f"{n} PD": PCT4 for n in names},
        )
        if name == "recovery_vol":
            ch = LineChart()
            ch.title, ch.y_axis.title, ch.x_axis.title = (
                "Tranche PD by recovery volatility",
                "PD",
                "volatility",
            )
            ch.add_data(
                Reference(ws, min_col=2, max_col=1 + len(names), min_row=row + 1, max_row=end - 2),
                titles_from_data=True,
            )
            ch.set_categories(Reference(ws, min_col=1, min_row=row + 2, max_row=end - 2))
            ch.height, ch.width = 8, 14
            ws.add_chart(ch, f"J{first_grid}")
        row = end
    _widths(ws, [24, 16, 16, 14, 16, 12, 22])


def _loss_sheet(ws, run):
    put(
        ws["A1"], "Monte Carlo recoveries and tranche losses (npl_xl.models.simulation)", font=TITLE
    )
    a, mc = run.inputs.assumptions, run.mc
    ws["A2"] = (
        f"{run.paths:,} scenarios, seed {run.seed}; recovery volatility {a.recovery_vol:.0%}, "
        f"systematic share {a.recovery_correlation:.0%}, delay {a.delay_beta:g} period(s) per "
        "unit of "
        "adverse factor."
    )
    names = list(mc.tranches)
    header = [
        "Tranche",
        "PD",
        "EL",
        "EL standard error",
        "PV loss",
        "WAL (years)",
        "Rating (EL)",
        "Rating (PD)",
    ]
    rows = [
        [
            n,
            mc.pd[i],
            mc.el[i],
            mc.el_se[i],
            mc.pv_loss[i],
            mc.wal[i],
            mc.rating_el[i].labelled(),
            mc.rating_pd[i].labelled(),
        ]
        for i, n in enumerate(names)
    ]
    row = _table(
        ws,
        4,
        1,
        header,
        rows,
        {"PD": PCT4, "EL": PCT4, "EL standard error": PCT4, "PV loss": PCT4, "WAL (years)": "0.00"},
    )
    q_rows = [[f"{q:.0%} quantile"] + list(v) for q, v in mc.loss_quantiles.items()]
    row = _table(
        ws, row, 1, ["Tranche loss (fraction)"] + names, q_rows, dict.fromkeys(names, PCT4)
    )
    rec = run.mc_pool_recovery
    edges = np.linspace(0.0, max(2.0, float(rec.max()) * 1.01), 41)
    counts, _ = np.histogram(rec, bins=edges)
    hist = [
        [f"{lo:.0%}-{hi:.0%}", c / len(rec)] for lo, hi, c in zip(edges[:-1], edges[1:], counts)
    ]
    put(ws.cell(row=row, column=1), "Distribution of pool recovery (share of base case)", font=BOLD)
    end = _table(
        ws, row + 1, 1, ["Recovery / base case", "Probability"], hist, {"Probability": PCT}
    )
    ch = BarChart()
    ch.title, ch.y_axis.title, ch.x_axis.title = (
        "Pool recovery distribution",
        "probability",
        "recovery / base case",
    )
    ch.add_data(Reference(ws, min_col=2, min_row=row + 1, max_row=end - 2), titles_from_data=True)
    ch.set_categories(Reference(ws, min_col=1, min_row=row + 2, max_row=end - 2))
    ch.height, ch.width, ch.legend, ch.gapWidth = 9, 18, None, 10
    ws.add_chart(ch, f"E{row}")
    _widths(ws, [24, 12, 12, 14, 12, 12, 22, 22])


def _stress_sheet(ws, run):
    put(
        ws["A1"],
        "Stress results per rating level (npl_xl.models.analysis.stress_ratings)",
        font=TITLE,
    )
    st, names = run.stress, [t.name for t in run.inputs.deal.ordered_tranches]
    classes = list(_mix(run))
    header = (
        ["Rating"]
        + [f"{k} {c}" for c in classes for k in ("Haircut", "Delay (months)")]
        + [f"{n} paid in full" for n in names]
        + ["Status", "Source"]
    )
    rows = [
        [r["rating"]]
        + [r[f"{k}_{c}"] for c in classes for k in ("haircut", "delay")]
        + ["yes" if ok else "no" for ok in st.passed[i]]
        + [r.get("status", ""), r.get("source", "")]
        for i, (_, r) in enumerate(st.table.iterrows())
    ]
    _table(ws, 3, 1, header, rows, {h: PCT for h in header if h.startswith("Haircut")})
    _widths(ws, [10] + [12] * (2 * len(classes)) + [14] * len(names) + [12, 70])


def _mix(run) -> dict[str, float]:
    from ..models.analysis import asset_mix

    return asset_mix(run.inputs.deal)


def _bet_sheet(ws, run):
    put(
        ws["A1"],
        "Binomial expansion with the cash-flow engine (bet_cashflow_expected_loss)",
        font=TITLE,
    )
    b = run.bet
    rows = [
        [
            "Diversity score (loan tape, regions, Moody's table)",
            b.tape_diversity if b.tape_diversity is not None else "n/a",
        ],
        ["D used (whole units, 1-200)", b.diversity],
        ["Probability a recovery unit fails", b.unit_default_probability],
        ["Share of base recovery a failing unit recovers", b.stressed_recovery],
    ]
    row = _table(ws, 3, 1, ["Input", "Value"], rows)
    names = [t.name for t in run.inputs.deal.ordered_tranches]
    _table(
        ws,
        row,
        1,
        ["Tranche", "Expected loss (fraction of tranche)"],
        [[n, b.expected_loss[i]] for i, n in enumerate(names)],
        {"Expected loss (fraction of tranche)": PCT4},
    )
    _widths(ws, [52, 30])


def _provenance_sheet(ws, run):
    inp = run.inputs
    put(ws["A1"], "Provenance", font=TITLE)
    rows = [
        ["Input workbook", os.path.abspath(inp.path)],
        ["SHA-256 of the input", inp.sha256],
        ["Run at", run.timestamp],
        ["Monte Carlo scenarios", run.paths],
        ["Seed", run.seed],
    ]
    rows += [[f"Version of {k}", v] for k, v in run.versions.items()]
    rows += [["Currency unit", unit_label(inp.unit)]]
    recovery = inp.deal.recovery
    rows += [
        [
            f"Assumptions sheet: {c.label}",
            getattr(inp.assumptions if c.target == "assumptions" else recovery, c.field),
        ]
        for c in ASSUMPTION_CONCEPTS
    ]
    rows += [["Deal notes", inp.deal.notes or ""]]
    rows += [
        [
            "Stress table",
            "illustrative (npl-xl defaults)" if run.stress.illustrative else "user table",
        ]
    ]
    rt = run.mc.rating_el[0]
    rows += [
        ["Rating table (idealised EL)", f"{rt.table}{' - illustrative' if rt.illustrative else ''}"]
    ]
    row = _table(ws, 3, 1, ["Item", "Value"], rows)
    sources = [
        [
            "Summary",
            "stress_ratings, breakeven_haircut, run_waterfall(...).metrics, tranche_kmv, "
            "tranche_statistics",
        ],
        ["Pool", "npl_xl.workbook.tape.pool_tables on the LoanTape sheet"],
        [
            "Recovery",
            "Deal.base_collections (TotalRecovery x cumulative curve) and recovery.stressed at "
            "the top stress",
        ],
        [
            "Cash flows",
            "run_waterfall(deal, base collections).table(); totals are sums of the rows (values)",
        ],
        ["KMV", "analysis.tranche_kmv and analysis.kmv_sensitivity"],
        ["Loss distribution", "simulation.simulate_collections and simulation.tranche_statistics"],
        ["Stress", "analysis.stress_ratings with the workbook's Stress table"],
        ["BET", "analysis.bet_cashflow_expected_loss"],
    ]
    _table(ws, row, 1, ["Memo sheet", "Source"], sources)
    _widths(ws, [40, 100])


def write_memo(run: RatingRun, path, *, overwrite: bool = False) -> None:
    """Write the memo atomically; an existing file is kept unless ``overwrite``."""
    save(build_memo(run), path, overwrite=overwrite)
