"""Write deal workbooks: the blank template, filled examples and filled new deals (openpyxl).

Inputs sit in Excel tables and defined names with data validation and number formats; input cells
are yellow and unlocked, formula cells grey and locked (sheets protected without a password).
The Results sheet calls the npl-xl Excel functions on the inputs (it needs the add-in; the
``npl-xl rate`` memo carries values instead).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo

from .. import __version__
from ..deal import TRIGGER_EFFECTS, TRIGGER_TESTS
from ..i18n import LANGUAGES, text
from ..i18n.workbook import ASSUMPTION_LABELS_ZH, DEAL_LABELS_ZH, FEE_NAME_ZH, HEADERS_ZH
from ..models.analysis import load_stress_table
from ..models.rating import _packaged
from . import layout as L
from .pool_sheets import sheet_loan_tape, sheet_pool, sheet_valuation, sheet_valuation_tables
from .results_sheet import pool_cell, results_sheet
from .sheet_tools import (
    add_table,
    define_name,
    header_row,
    input_cell,
    list_validation,
    range_validation,
)
from .xlsx import AMT as AMOUNT
from .xlsx import BOLD, FORMULA, PCT, TITLE, formula, put, save

#: placeholder structure of a new deal (the user or new-deal fills balances and recoveries)
SKELETON_TRANCHES: list[list] = [
    ["Senior", None, 0.033, 1, 100, 0.0, "initial"] + [None] * 6,
    ["Sub", None, 0.0, 2, 100, 0.0, "initial"] + [None] * 6,
]
SKELETON_FEES: list[list] = [
    ["Taxes", "collections", 0.01, None, None, "senior"],
    ["Trustee", "notes_balance", 0.0005, None, None, "senior"],
    ["Custodian", "notes_balance", 0.0001, None, None, "senior"],
    ["Paying agent", "fixed", None, 2.0, None, "senior"],
    ["Rating and audit", "fixed", None, 5.0, 3.0, "senior"],
    ["Servicer base fee", "collections", 0.05, None, None, "senior"],
]


#: names of the placeholder tranches and fees in a Chinese workbook (names are free text)
SKELETON_NAMES_ZH = {
    "Senior": "优先A档",
    "Sub": "次级档",
    "Taxes": "增值税及附加",
    "Trustee": "受托机构报酬",
    "Custodian": "资金保管机构报酬",
    "Paying agent": "登记托管及支付代理费",
    "Rating and audit": "跟踪评级及审计费",
    "Servicer base fee": "贷款服务机构基本服务费",
}


def _skeleton(rows: list[list], lang: str) -> list[list]:
    """The placeholder rows with their names in ``lang``."""
    if lang == "en":
        return rows
    return [[SKELETON_NAMES_ZH.get(r[0], r[0]), *r[1:]] for r in rows]


#: Assumptions-sheet numbers that are not shares (shown as plain numbers, not percentages)
NOT_PERCENT = ("DelayBeta",)

#: sheets protected (without a password): key/value inputs at fixed names and live formulas. The
#: table sheets stay unprotected so a user can add tranche, fee, curve and stress rows (Excel grows
#: a table as rows are typed below it; the reader follows the table's extent).
PROTECTED_SHEETS = ("Deal", "Assumptions", "Results")


def _example_curve() -> list[float]:
    from ..deal import load_example

    return list(load_example("credit_card").require_recovery().cumulative)


@dataclass(frozen=True)
class _Context:
    """What the sheet writers need besides the workbook."""

    values: dict
    a_values: dict
    unit: str
    tape: Any
    pool_tables: dict | None
    stress: Any
    rating_table: Any
    intake: list[str] | None
    valuation: Any = None
    lang: str = "en"

    def text(self, key: str, **values) -> str:
        """A message of the workbook catalogue in the workbook's language."""
        return text(key, self.lang, **values)

    def prompt(self, key: str, **values) -> tuple[str, str]:
        """(title, text) of an input prompt."""
        return self.text("wb_prompt_title"), self.text(key, **values)

    def choice(self, values: str) -> tuple[str, str]:
        return self.prompt("wb_prompt_choice", values=values)

    def header(self, h: str, fee: bool = False) -> str:
        """A table header in the workbook's language (keys stay English: see the catalogue)."""
        if self.lang == "en":
            return h
        return FEE_NAME_ZH if fee and h == "Name" else HEADERS_ZH.get(h, h)

    def label(self, key: str, en: tuple[str, str], zh: dict) -> tuple[str, str]:
        """(label, help) of a Deal or Assumptions key."""
        return en if self.lang == "en" else zh.get(key, en)

    def meaning(self, key: str, en: tuple[str, str]) -> str:
        """'Label: help' of a Deal-sheet key in the workbook's language."""
        label, help_ = self.label(key, en, DEAL_LABELS_ZH)
        return f"{label}{': ' if self.lang == 'en' else '：'}{help_}" if help_ else label


def build_workbook(
    deal=None,
    *,
    assumptions: dict | None = None,
    tape=None,
    pool_tables: dict | None = None,
    stress=None,
    rating_table=None,
    unit: str = "万元",
    intake: list[str] | None = None,
    valuation=None,
    lang: str = "en",
    terms: dict | None = None,
) -> Workbook:
    """A deal workbook: the blank template when ``deal`` is None, else filled with the deal.

    Amounts of ``deal`` are in ``unit`` (万元 or 元); ``tape`` (a normalised tape, amounts in 元) is
    written in ``unit`` too; ``intake`` lines (the tape's intake report) go on the Pool sheet.
    ``lang`` (en or zh) is the language of labels, headers, sheet and input prompts; the keys
    (defined names, table names, option keys) are the same in both, so ``rate`` reads either.
    ``terms`` are Deal-sheet values by key (language, rate_subordinated, dates, parties ...), a
    ``scorecard`` (:class:`npl_xl.rating.scorecard.Scorecard`) and ``rating_basis`` (tranche ->
    timely or ultimate).
    """
    if lang not in LANGUAGES:
        raise ValueError(f"--lang: expected one of {', '.join(LANGUAGES)}, got {lang!r}")
    wb = Workbook()
    wb.remove(wb.active)
    c = _Context(
        _deal_values(deal) | {k: v for k, v in (terms or {}).items() if v is not None},
        _assumption_values(deal, assumptions),
        unit,
        tape,
        pool_tables,
        stress,
        rating_table,
        intake,
        valuation,
        lang,
    )
    for name in L.SHEETS:
        ws = wb.create_sheet(name)
        _SHEET_WRITERS[name](wb, ws, c)
        if name in PROTECTED_SHEETS:
            ws.protection.sheet = True  # no password: protects formulas from slips, not from users
    if lang != "en":
        _localise_formulas(wb["Results"], c)
    return wb


def _localise_formulas(ws, c: _Context) -> None:
    """The Results formulas' structured references to translated headers."""
    old = "RecoveryCurve[Collections]"
    new = f"RecoveryCurve[{c.header('Collections')}]"
    for row in ws.iter_rows():
        for cell in row:
            v = cell.value
            if isinstance(v, str) and old in v:
                cell.value = v.replace(old, new)
            elif hasattr(v, "text") and old in str(v.text):
                v.text = v.text.replace(old, new)


def _table(ws, c: _Context, key: str, headers, rows, formats=None, fee=False, **kwargs) -> int:
    """An input table with headers (and their number formats) in the workbook's language."""
    names = [c.header(h, fee) for h in headers]
    fmts = {c.header(h, fee): f for h, f in (formats or {}).items()}
    return add_table(ws, L.TABLES[key], names, rows, fmts, **kwargs)


def _sheet_deal(wb, ws, c: _Context) -> None:
    put(ws["A1"], c.text("wb_deal_title"), font=TITLE)
    header_row(ws, 2, [c.text("wb_key"), c.text("wb_value"), c.text("wb_meaning")])
    row = 3
    for key, (label, _kind, default, choices, help_) in L.DEAL_FIELDS.items():
        put(ws.cell(row=row, column=1), key)
        input_cell(
            ws.cell(row=row, column=2),
            c.values.get(key, default),
            PCT if key == "incentive_fee_share" else None,
        )
        put(ws.cell(row=row, column=3), c.meaning(key, (label, help_)))
        define_name(wb, f"Deal_{key}", f"Deal!$B${row}")
        if choices:
            list_validation(ws, choices, f"B{row}", c.choice(choices))
        row += 1
    define_name(wb, "DealOptions", f"Deal!$A$3:$B${row - 1}")
    row += 1
    for key, (label, default, choices, help_) in L.DEAL_EXTRA.items():
        put(ws.cell(row=row, column=1), key)
        value = {"unit": c.unit, "language": c.lang}.get(key, default)
        input_cell(ws.cell(row=row, column=2), c.values.get(key, value))
        put(ws.cell(row=row, column=3), c.meaning(key, (label, help_)))
        define_name(wb, f"Deal_{key}", f"Deal!$B${row}")
        if choices:
            list_validation(ws, choices, f"B{row}", c.choice(choices))
        row += 1
    row += 1
    extra = {k: (label, kind, help_) for k, (label, kind, help_) in L.DEAL_RATING.items()}
    extra |= {k: (label, str, help_) for k, (label, help_) in L.DEAL_PARTIES.items()}
    for key, (label, kind, help_) in extra.items():
        put(ws.cell(row=row, column=1), key)
        fmt = "yyyy-mm-dd" if kind is dt.date else AMOUNT if key.startswith("collected") else None
        input_cell(ws.cell(row=row, column=2), c.values.get(key), fmt)
        put(ws.cell(row=row, column=3), c.meaning(key, (label, help_)))
        define_name(wb, f"Deal_{key}", f"Deal!$B${row}")
        row += 1
    put(ws.cell(row=row + 1, column=1), c.text("wb_footer", version=__version__))
    (
        ws.column_dimensions["A"].width,
        ws.column_dimensions["B"].width,
        ws.column_dimensions["C"].width,
    ) = 26, 20, 80


def _sheet_tranches(wb, ws, c: _Context) -> None:
    ws["A1"] = c.text("wb_tranches_title")
    rows = c.values.get("tranches") or _skeleton(SKELETON_TRANCHES, c.lang)
    basis = c.values.get("rating_basis") or {}
    rows = [r[:-1] + [r[-1] or basis.get(r[0])] for r in rows]
    end = _table(
        ws,
        c,
        "Tranches",
        L.TRANCHE_HEADERS,
        rows,
        {
            "Balance": AMOUNT,
            "Coupon": PCT,
            "Fixed return": PCT,
            "Issue price": "0.00",
            "Spread": PCT,
            "Floor": PCT,
            "Cap": PCT,
        },
    )
    range_validation(ws, f"C3:C{end}", 0, 1, c.header("Coupon"), c.prompt("wb_prompt_coupon"))
    list_validation(
        ws, "initial,outstanding", f"G3:G{end + 20}", c.prompt("wb_prompt_fixed_return_base")
    )
    list_validation(ws, L.RATING_BASES, f"M3:M{end + 20}", c.prompt("wb_prompt_rating_basis"))


def _sheet_fees(wb, ws, c: _Context) -> None:
    ws["A1"] = c.text("wb_fees_title")
    end = _table(
        ws,
        c,
        "Fees",
        L.FEE_HEADERS,
        c.values.get("fees") or _skeleton(SKELETON_FEES, c.lang),
        {"Rate": "0.000%", "Amount": AMOUNT, "Cap": AMOUNT},
        fee=True,
    )
    list_validation(ws, L.FEE_BASES, f"B3:B{end + 20}", c.prompt("wb_prompt_fee_basis"))
    list_validation(ws, L.FEE_POSITIONS, f"F3:F{end + 20}", c.prompt("wb_prompt_position"))
    range_validation(
        ws,
        f"C3:C{end}",
        0,
        1,
        c.header("Rate"),
        c.prompt("wb_prompt_range", what=c.header("Rate"), lo=0, hi=1),
    )


def _sheet_waterfall(wb, ws, c: _Context) -> None:
    ws["A1"] = c.text("wb_waterfall_title")
    pre, post = c.values.get("orders", ([], []))
    n = max(len(pre), len(post), 1)
    _table(
        ws,
        c,
        "Waterfall",
        L.ORDER_HEADERS,
        [[pre[i] if i < len(pre) else None, post[i] if i < len(post) else None] for i in range(n)],
    )
    ws.column_dimensions["A"].width = ws.column_dimensions["B"].width = 28


def _sheet_structures(wb, ws, c: _Context) -> None:
    ws["A1"] = c.text("wb_structures_title")
    _table(ws, c, "Rates", L.RATE_HEADERS, c.values.get("rates"), {"Level": PCT})
    end = _table(ws, c, "Triggers", L.TRIGGER_HEADERS, c.values.get("triggers"), col=5)
    tests, effects = ",".join(TRIGGER_TESTS), ",".join(TRIGGER_EFFECTS)
    list_validation(ws, tests, f"F3:F{end + 20}", c.prompt("wb_prompt_trigger_test"))
    list_validation(ws, effects, f"H3:H{end + 20}", c.prompt("wb_prompt_trigger_effect"))
    end = _table(
        ws,
        c,
        "Supports",
        L.SUPPORT_HEADERS,
        c.values.get("supports"),
        {"Limit": AMOUNT, "Fee rate": PCT, "Interest rate": PCT},
        col=10,
    )
    list_validation(ws, L.SUPPORT_KINDS, f"J3:J{end + 20}", c.prompt("wb_prompt_support_kind"))


def _sheet_assumptions(wb, ws, c: _Context) -> None:
    put(ws["A1"], c.text("wb_assumptions_title"), font=TITLE)
    header_row(ws, 2, [c.text("wb_assumption"), c.text("wb_value"), c.text("wb_meaning")])
    for i, (key, (label, kind, default, help_)) in enumerate(L.ASSUMPTION_FIELDS.items(), start=3):
        label, help_ = c.label(key, (label, help_), ASSUMPTION_LABELS_ZH)
        put(ws.cell(row=i, column=1), label)
        fmt = (
            AMOUNT
            if key == "TotalRecovery"
            else "0"
            if kind is int
            else None
            if kind is str
            else "0.00"
            if key in NOT_PERCENT
            else "0.00%"
        )
        input_cell(ws.cell(row=i, column=2), c.a_values.get(key, default), fmt)
        put(ws.cell(row=i, column=3), help_)
        define_name(wb, key, f"Assumptions!$B${i}")
    (
        ws.column_dimensions["A"].width,
        ws.column_dimensions["B"].width,
        ws.column_dimensions["C"].width,
    ) = 52, 16, 60


def _sheet_recovery(wb, ws, c: _Context) -> None:
    ws["A1"] = c.text("wb_recovery_title")
    # a blank template starts from the credit-card example's curve, a full one to edit
    cum = c.values.get("cumulative") or _example_curve()
    header_row(ws, 2, [c.header(h) for h in L.RECOVERY_HEADERS])
    for i, v in enumerate(cum, start=3):
        put(ws.cell(row=i, column=1), i - 2)
        input_cell(ws.cell(row=i, column=2), v, PCT)
        prev = f"B{i - 1}" if i > 3 else "0"
        formula(
            ws.cell(row=i, column=3), f"=TotalRecovery*(1-CollectionCostRate)*(B{i}-{prev})", AMOUNT
        ).fill = FORMULA
    t = Table(displayName=L.TABLES["Recovery"], ref=f"A2:C{2 + len(cum)}")
    t.tableStyleInfo = TableStyleInfo(name="TableStyleLight9")
    ws.add_table(t)
    what = c.header("Cumulative share")
    range_validation(ws, f"B3:B{2 + len(cum)}", 0, 1, what, c.prompt("wb_prompt_cumulative"))
    ws.column_dimensions["B"].width = ws.column_dimensions["C"].width = 18


def _sheet_stress(wb, ws, c: _Context) -> None:
    ws["A1"] = c.text("wb_stress_title")
    frame = load_stress_table(c.stress)
    cols = [f"{k}_{a}" for a in L.STRESS_CLASSES for k in ("haircut", "delay")]
    rows = [
        [r["rating"], *(r[k] for k in cols), r.get("issue_rate_shift", 0.0)]
        + [r.get("status", ""), r.get("source", "")]
        for _, r in frame.iterrows()
    ]
    _table(
        ws,
        c,
        "Stress",
        L.STRESS_HEADERS,
        rows,
        {h: PCT for h in L.STRESS_HEADERS if h.startswith(("Haircut", "Issue rate"))},
    )
    ws.column_dimensions[get_column_letter(len(L.STRESS_HEADERS))].width = 70
    # beside the stress table, not under it: the stress table can grow downwards
    col = len(L.STRESS_HEADERS) + 2
    put(ws.cell(row=1, column=col), c.text("wb_asset_mix_title"), font=BOLD)
    mix = c.values.get("asset_mix") or {"unsecured": 1.0}
    _table(
        ws,
        c,
        "AssetMix",
        L.MIX_HEADERS,
        [[a, mix.get(a, 0.0)] for a in L.STRESS_CLASSES],
        {L.MIX_HEADERS[1]: PCT},
        col=col,
    )


def _sheet_scorecard(wb, ws, c: _Context) -> None:
    from ..rating.scorecard import FACTORS, HAIRCUT_PER_POINT

    put(ws["A1"], c.text("wb_scorecard_title"), font=TITLE)
    put(ws["A2"], c.text("wb_scorecard_note", step=HAIRCUT_PER_POINT))
    card = c.values.get("scorecard")
    scores, comments = (card.scores, card.comments) if card is not None else ({}, {})
    rows = [
        [
            f,
            text(f"factor_{f}", "en") + " / " + text(f"factor_{f}", "zh"),
            scores.get(f, 3),
            comments.get(f, ""),
        ]
        for f in FACTORS
    ]
    _table(ws, c, "Scorecard", L.SCORECARD_HEADERS, rows, first_row=4)
    ws.column_dimensions["B"].width, ws.column_dimensions["D"].width = 48, 60


def _sheet_idealised_el(wb, ws, c: _Context) -> None:
    ws["A1"] = c.text("wb_idealised_el_title")
    el = c.rating_table if c.rating_table is not None else _packaged("idealized_el.csv")
    headers = ["Rating"] + [str(c) for c in el.columns[1:]]
    _table(
        ws,
        c,
        "IdealisedEL",
        headers,
        el.values.tolist(),
        dict.fromkeys(headers[1:11], "0.0000%"),
    )


_SHEET_WRITERS = {
    "Deal": _sheet_deal,
    "Tranches": _sheet_tranches,
    "Fees": _sheet_fees,
    "Waterfall": _sheet_waterfall,
    "Structures": _sheet_structures,
    "Assumptions": _sheet_assumptions,
    "Recovery": _sheet_recovery,
    "Stress": _sheet_stress,
    "IdealisedEL": _sheet_idealised_el,
    "Pool": sheet_pool,
    "LoanTape": sheet_loan_tape,
    "Scorecard": _sheet_scorecard,
    "ValuationTables": sheet_valuation_tables,
    "Valuation": sheet_valuation,
    "Results": lambda wb, ws, c: results_sheet(
        ws, len(c.values.get("tranches", SKELETON_TRANCHES)), pool_cell(c.tape)
    ),
}


def _deal_values(deal) -> dict:
    if deal is None:
        return {}
    pre, post = deal.orders()
    return {
        "name": deal.name,
        "payments_per_year": deal.payments_per_year,
        "legal_maturity_periods": deal.legal_maturity_periods
        or (len(deal.recovery.cumulative) if deal.recovery else None),
        "reserve_multiple": deal.reserve.multiple,
        "reserve_initial": deal.reserve.initial,
        "incentive_fee_share": deal.incentive_fee_share,
        "default_event": deal.default_event,
        "collected_before_closing": (
            deal.recovery.collected_before_closing or None if deal.recovery else None
        ),
        "tranches": [_tranche_row(t) for t in deal.ordered_tranches],
        "rates": [
            [k, r.level, None if r.path is None else ", ".join(f"{x:g}" for x in r.path), r.source]
            for k, r in deal.rates.items()
        ],
        "triggers": [[t.name, t.test, t.threshold, t.effect] for t in deal.triggers],
        "supports": [
            [kind, m.name, m.limit, ", ".join(m.covers), m.fee_rate, m.interest_rate]
            + [getattr(m, "rating", None)]
            for kind, m in deal.supports()
        ],
        "fees": [
            [
                f.name,
                f.basis,
                f.rate if f.basis != "fixed" else None,
                f.amount if f.basis == "fixed" else None,
                f.cap,
                f.position,
            ]
            for f in deal.fees
        ],
        "orders": (pre, post),
        "notes": deal.notes,
        "cumulative": list(deal.recovery.cumulative) if deal.recovery else None,
        "asset_mix": deal.recovery.asset_mix if deal.recovery else None,
    }


def _tranche_row(t) -> list:
    row = [t.name, t.balance, None, t.seniority, t.issue_price, t.fixed_return]
    row.append(t.fixed_return_base)
    basis = t.rating_basis
    if t.floating:
        f = t.coupon
        return row + [f.index, f.spread, f.floor, f.cap, f.reset_periods, basis]
    row[2] = t.coupon
    return row + [None] * 5 + [basis]


def _assumption_values(deal, assumptions) -> dict:
    out: dict[str, object] = {}
    if deal is not None and deal.recovery is not None:
        r = deal.recovery
        out.update(TotalRecovery=r.total, CollectionCostRate=r.cost_rate, RecoverySource=r.source)
        if r.volatility is not None:
            out["RecoveryVolatility"] = r.volatility
        if r.discount_rate is not None:
            out["DiscountRate"] = r.discount_rate
    out.update(assumptions or {})
    return out


def write_deal_workbook(path, deal=None, *, overwrite: bool = False, **kwargs) -> None:
    """Write a deal workbook atomically; an existing file is kept unless ``overwrite``."""
    save(build_workbook(deal, **kwargs), path, overwrite=overwrite)


#: principal + interest + fees of the public deals behind the examples, 万元 (methodology §6)
POOL_WAN = {"credit_card": 392_841.81, "mortgage": 262_513.86}


#: the blank template in Chinese (the English one and the filled examples are the others)
TEMPLATE_ZH = "npl_deal_template_zh.xlsx"


def build_templates(
    folder: str | os.PathLike, *, overwrite: bool = False, lang: str | None = None
) -> list[str]:
    """Write the blank templates and the two filled examples into ``folder``; returns the paths.

    ``lang`` None writes every workbook: the English template, the Chinese template and the two
    English examples; ``"en"`` the English ones only, ``"zh"`` the Chinese template only.
    Existing files are kept (an error names the first) unless ``overwrite``.
    """
    if lang not in (None, *LANGUAGES):
        raise ValueError(f"--lang: expected one of {', '.join(LANGUAGES)}, got {lang!r}")
    english = [
        os.path.join(folder, f)
        for f in ("npl_deal_template.xlsx", "example_credit_card.xlsx", "example_mortgage.xlsx")
    ]
    chinese = [os.path.join(folder, TEMPLATE_ZH)]
    paths = {None: english + chinese, "en": english, "zh": chinese}[lang]
    if not overwrite:
        for path in paths:
            if os.path.exists(path):
                raise ValueError(
                    f"output: {path} exists; pass --force (overwrite=True) to replace it"
                )
    if lang in (None, "zh"):
        write_deal_workbook(chinese[0], overwrite=overwrite, lang="zh")
    if lang == "zh":
        return paths
    from ..deal import load_example
    from .tape import normalise_rows, pool_tables, synthetic_tape

    write_deal_workbook(english[0], overwrite=overwrite)
    for path, (name, loans, kind) in zip(
        english[1:], (("credit_card", 20_000, "consumer"), ("mortgage", 3_000, "mortgage"))
    ):
        raw = synthetic_tape(loans, seed=2021, kind=kind)
        # scaled so the pool's principal + interest + fees is the public deal's (methodology §6)
        factor = POOL_WAN[name] * 1e4 / raw[["未偿本金", "未偿利息", "费用"]].to_numpy().sum()
        raw[["未偿本金", "未偿利息", "费用"]] = (
            raw[["未偿本金", "未偿利息", "费用"]] * factor
        ).round(2)
        tape = normalise_rows(
            list(raw.columns),
            raw.values.tolist(),
            name=f"synthetic {kind} tape",
            today=dt.date(2021, 6, 30),
        )
        write_deal_workbook(
            path,
            load_example(name),
            tape=tape,
            pool_tables=pool_tables(tape, "万元"),
            overwrite=overwrite,
            unit="万元",
        )
    return paths
