"""Read a deal workbook into validated inputs, by defined names and table names (never by row
position).

Every error names the sheet and the cell, e.g. ``Tranches!B3: Balance: expected a number, got
'abc'``.
A user may move blocks, insert rows and add table rows: Excel keeps the names and table ranges that
this reader follows. Values come from python-calamine (fast); a workbook is checked against zip
bombs before it is read.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field

import pandas as pd

from ..assumptions import DEAL_UNITS, Assumptions
from ..deal import Deal
from ..models.analysis import load_stress_table
from ..rating.scorecard import Scorecard
from ..tables import deal_from_tables, excel_error
from . import layout as L
from .book import Book, Table

_NUMERIC_COLUMNS = {
    "Tranches": {
        "Balance",
        "Coupon",
        "Seniority",
        "Issue price",
        "Fixed return",
        "Spread",
        "Floor",
        "Cap",
        "Reset periods",
    },
    "Rates": {"Level"},
    "Triggers": {"Threshold"},
    "Supports": {"Limit", "Fee rate", "Interest rate"},
    "Fees": {"Rate", "Amount", "Cap"},
    "StressTable": {"Haircut", "Delay months", "Issue rate shift"}
    | {f"{k} {c}" for c in L.STRESS_CLASSES for k in ("Haircut", "Delay")},
    "AssetMix": {"Share of base recovery"},
}
#: notes larger than this many times the expected recovery (or smaller than its inverse) mean mixed
# units
UNIT_SANITY = 50.0


@dataclass
class WorkbookInputs:
    """Everything the rating run needs from a deal workbook."""

    deal: Deal
    assumptions: Assumptions
    stress: pd.DataFrame | None
    rating_table: pd.DataFrame | None
    tape: pd.DataFrame | None
    path: str
    sha256: str
    unit: str = "万元"
    language: str = "en"
    rate_subordinated: bool = False
    scorecard: Scorecard = field(default_factory=Scorecard)

    def stress_table(self) -> pd.DataFrame:
        """The stress table the rating uses: the workbook's (or the packaged one) after the
        scorecard's adjustment."""
        return self.scorecard.adjust(load_stress_table(self.stress))


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _numeric_check(t: Table) -> None:
    numeric = _NUMERIC_COLUMNS.get(t.name, set())
    for i, row in enumerate(t.rows):
        for j, (h, v) in enumerate(zip(t.header, row)):
            if h in numeric and not _blank(v) and not _is_number(v):
                what = (
                    f"the cell holds the Excel error {excel_error(v)}"
                    if excel_error(v)
                    else f"expected a number, got {v!r}"
                )
                raise ValueError(f"{t.ref(i, j)}: {h}: {what}")


def _named_value(book: Book, name: str, kind, label: str):
    v, ref = book.named(name)
    if _blank(v):
        return None
    if excel_error(v):
        raise ValueError(f"{ref}: {label}: the cell holds the Excel error {excel_error(v)}")
    if kind in (int, float):
        if not _is_number(v):
            raise ValueError(f"{ref}: {label}: expected a number, got {v!r}")
        if kind is int and float(v) != int(v):
            raise ValueError(f"{ref}: {label}: expected a whole number, got {v!r}")
        return kind(v)
    return str(v).strip()


def read_deal_workbook(path) -> WorkbookInputs:
    """Read and validate every input of a deal workbook."""
    path = os.fspath(path)
    book = Book(path)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    options, unit, notes = _deal_terms(book)
    tranches, fees = (book.table(name) for name in ("Tranches", "Fees"))
    for t in (tranches, fees):
        _numeric_check(t)
    for i, row in enumerate(tranches.rows):
        if not _blank(row[0]) and (len(row) < 2 or _blank(row[1])):
            raise ValueError(f"{tranches.ref(i, 1)}: Balance: tranche {row[0]!r} has no balance")
    recovery, assumptions = _assumptions(book)
    structures = _structures(book)
    # triggers may compare with the base case: they join with the recovery below
    triggers = {k: structures.pop(k) for k in ("triggers",) if k in structures}
    deal, _ = deal_from_tables(
        [tranches.header] + tranches.rows,
        [fees.header] + fees.rows,
        options,
        structures=structures,
    )
    recovery.update(
        asset_mix=_asset_mix(book),
        cumulative=_curve(book),
        volatility=assumptions.recovery_vol,
        discount_rate=assumptions.discount_rate,
    )
    try:
        deal = deal.with_changes(
            recovery=recovery, notes=str(notes), **triggers, **_orders(book, deal)
        )
    except ValueError as exc:
        raise ValueError(f"{book.file}: {exc}") from None
    _check_units(book, deal, unit)
    tape = _tape(book, deal, unit)
    language = _choice(book, "language", ("en", "zh"))
    rate_sub = _choice(book, "rate_subordinated", ("no", "yes")) == "yes"
    return WorkbookInputs(
        deal,
        assumptions,
        _stress(book),
        _idealised_el(book),
        tape,
        path,
        digest,
        unit,
        language,
        rate_sub,
        _scorecard(book),
    )


def _choice(book: Book, key: str, choices: tuple[str, ...]) -> str:
    """A Deal-sheet option from a short list (the first choice when the workbook has no such
    name)."""
    if f"Deal_{key}" not in book.names:
        return choices[0]
    label = L.DEAL_EXTRA[key][0]
    value = (_named_value(book, f"Deal_{key}", str, label) or choices[0]).lower()
    if value not in choices:
        raise ValueError(
            f"{book.named(f'Deal_{key}')[1]}: {label}: expected {' or '.join(choices)}, got "
            f"{value!r}"
        )
    return value


def _scorecard(book: Book) -> Scorecard:
    """Scores of the Scorecard table (blank = neutral); errors name the cell."""
    if not book.has_table(L.TABLES["Scorecard"]):
        return Scorecard()
    t = book.table(L.TABLES["Scorecard"])
    scores, comments = {}, {}
    for i, row in enumerate(t.rows):
        key = str(row[0] or "").strip()
        if not key:
            continue
        score = row[2] if len(row) > 2 else None
        if not _blank(score):
            if not _is_number(score) or score != int(score) or not 1 <= score <= 5:  # type: ignore[arg-type]  # a number
                raise ValueError(
                    f"{t.ref(i, 2)}: Score: expected a whole score from 1 to 5, got {score!r}"
                )
            scores[key] = int(score)
        if len(row) > 3 and not _blank(row[3]):
            comments[key] = str(row[3])
    try:
        return Scorecard(scores, comments)
    except ValueError as exc:
        raise ValueError(f"{t.sheet}: {exc}") from None


def _deal_terms(book: Book) -> tuple[list, str, str]:
    """(the Deal sheet's options as key/value rows, the currency unit, the notes)."""
    options = []
    for key, (label, kind, *_) in L.DEAL_FIELDS.items():
        v = _named_value(book, f"Deal_{key}", kind, label)
        if v is not None:
            options.append([key, v])
    unit = _named_value(book, "Deal_unit", str, "Currency unit") or L.DEAL_EXTRA["unit"][1]
    if unit not in DEAL_UNITS:
        raise ValueError(
            f"{book.named('Deal_unit')[1]}: Currency unit: expected 万元 or 元, got {unit!r}"
        )
    return options, unit, _named_value(book, "Deal_notes", str, "Notes") or ""


def _assumptions(book: Book) -> tuple[dict, Assumptions]:
    """(the Deal.recovery fields, the model Assumptions) from the Assumptions sheet's defined
    names."""
    recovery: dict[str, object] = {}
    fields: dict[str, object] = {}
    for name, (label, kind, default, _) in L.ASSUMPTION_FIELDS.items():
        v = _named_value(book, name, kind, label)
        target, field = L.ASSUMPTION_KEYS[name]
        (recovery if target == "recovery" else fields)[field] = default if v is None else v
    if not float(recovery["total"]) > 0:  # type: ignore[arg-type]  # a number: read with kind float
        raise ValueError(f"{book.named('TotalRecovery')[1]}: Expected total recovery: must be > 0")
    try:
        return recovery, Assumptions.from_dict(fields)
    except ValueError as exc:
        raise ValueError(f"Assumptions: {exc}") from None


def _curve(book: Book) -> list[float]:
    """The cumulative recovery curve (blank rows skipped)."""
    curve = book.table(L.TABLES["Recovery"])
    cumulative = []
    for i, row in enumerate(curve.rows):
        v = row[1] if len(row) > 1 else None
        if _blank(v):
            continue
        if not _is_number(v):
            raise ValueError(f"{curve.ref(i, 1)}: Cumulative share: expected a number, got {v!r}")
        cumulative.append(float(v))  # type: ignore[arg-type]  # _is_number checked it
    return cumulative


def _orders(book: Book, deal: Deal) -> dict[str, list[str]]:
    """The priorities of payments that differ from the deal's default ones."""
    if not book.has_table(L.TABLES["Waterfall"]):
        return {}
    t = book.table(L.TABLES["Waterfall"])
    defaults = dict(zip(("pre_default_order", "post_default_order"), deal.orders()))
    orders = {}
    for j, key in enumerate(defaults):
        steps = [str(r[j]).strip() for r in t.rows if j < len(r) and not _blank(r[j])]
        if steps and steps != defaults[key]:
            orders[key] = steps
    return orders


def _check_units(book: Book, deal: Deal, unit: str) -> None:
    """Notes wildly out of scale with the expected recovery mean two units were mixed."""
    notes_total = sum(t.balance for t in deal.tranches)
    total = deal.require_recovery().total
    ratio = notes_total / total
    if not 1 / UNIT_SANITY <= ratio <= UNIT_SANITY:
        raise ValueError(
            f"{book.file}: the notes add up to {notes_total:,.2f}, {ratio:,.4g} times the expected "
            f"recovery {total:,.2f} ({book.named('TotalRecovery')[1]}): are both in "
            f"the deal's unit ({unit}, {book.named('Deal_unit')[1]})?"
        )


def _idealised_el(book: Book) -> pd.DataFrame | None:
    name = book.find_table(L.TABLES["IdealisedEL"], *L.LEGACY_TABLES["IdealisedEL"])
    if name is None:
        return None
    t = book.table(name)
    return pd.DataFrame([r for r in t.rows if not _blank(r[0])], columns=[str(h) for h in t.header])


def _tape(book: Book, deal: Deal, unit: str) -> pd.DataFrame | None:
    """The LoanTape sheet through the tape intake; a recovery above the pool means mixed units."""
    if not book.has_table(L.TABLES["LoanTape"]):
        return None
    from .tape import normalise_rows

    t = book.table(L.TABLES["LoanTape"])
    tape = normalise_rows(t.header, t.rows, first_row=t.first_row, name=book.file, sheet=t.sheet)
    pool = tape["total"].sum() / DEAL_UNITS[unit]
    total = deal.require_recovery().total
    if total > 1.5 * pool:
        raise ValueError(
            f"{book.file}: the expected recovery {total:,.2f} {unit} is "
            f"{total / pool:,.3g} times the loan tape's principal + interest + fees "
            f"({pool:,.2f} {unit}): check the unit of the recovery and of the tape"
        )
    return tape


def _rows(book: Book, key: str) -> list[dict]:
    """The non-blank rows of an optional table as {header: value} (numbers checked)."""
    if not book.has_table(L.TABLES[key]):
        return []
    t = book.table(L.TABLES[key])
    _numeric_check(t)
    return [
        {str(h).strip(): v for h, v in zip(t.header, r) if not _blank(v)}
        for r in t.rows
        if not all(_blank(v) for v in r)
    ]


def _structures(book: Book) -> dict:
    """Rates, triggers and facility / guarantee / account from the Structures sheet's tables, as
    deal keys (nothing when the workbook has no such tables)."""
    out: dict = {}
    rates = {}
    for r in _rows(book, "Rates"):
        index = str(r.get("Index", "")).strip()
        path = r.get("Path")
        rate: dict = {"source": str(r.get("Source", ""))}
        if path is not None:
            try:
                rate["path"] = [float(x) for x in str(path).replace("，", ",").split(",")]
            except ValueError:
                raise ValueError(
                    f"{book.file}: Rates: {index}: Path: expected numbers separated by commas, got "
                    f"{path!r}"
                ) from None
        if "Level" in r:
            rate["level"] = float(r["Level"])
        rates[index] = rate
    if rates:
        out["rates"] = rates
    triggers = [
        {
            "name": str(r.get("Name", f"trigger {i}")),
            "test": str(r.get("Test", "")).strip(),
            "threshold": float(r.get("Threshold", 0.0)),
            "effect": str(r.get("Effect", "")).strip(),
        }
        for i, r in enumerate(_rows(book, "Triggers"), start=1)
    ]
    if triggers:
        out["triggers"] = triggers
    for r in _rows(book, "Supports"):
        kind = str(r.get("Kind", "")).strip()
        if kind not in L.SUPPORT_KINDS.split(","):
            raise ValueError(
                f"{book.file}: Supports: Kind: expected one of {L.SUPPORT_KINDS}, got {kind!r}"
            )
        item: dict = {"limit": float(r.get("Limit", 0.0))}
        if "Name" in r:
            item["name"] = str(r["Name"])
        if "Covers" in r:
            text = str(r["Covers"]).replace("、", ",").replace("，", ",")
            item["covers"] = [x.strip() for x in text.split(",") if x.strip()]
        for header, key in (("Fee rate", "fee_rate"), ("Interest rate", "interest_rate")):
            if header in r:
                item[key] = float(r[header])
        if "Rating" in r and kind == "guarantee":
            item["rating"] = str(r["Rating"])
        out[kind] = item
    return out


def _asset_mix(book: Book) -> dict[str, float] | None:
    """Shares of base-case recovery by asset class (the AssetMix table), or None without one."""
    if not book.has_table(L.TABLES["AssetMix"]):
        return None
    t = book.table(L.TABLES["AssetMix"])
    _numeric_check(t)
    mix = {
        str(r[0]).strip().lower(): float(r[1])
        for r in t.rows
        if not _blank(r[0]) and _is_number(r[1])
    }
    return {k: v for k, v in mix.items() if v} or None


def _stress(book: Book) -> pd.DataFrame | None:
    if not book.has_table(L.TABLES["Stress"]):
        return None
    t = book.table(L.TABLES["Stress"])
    _numeric_check(t)
    columns = [_stress_column(c) for c in t.header]
    classes = [f"{k}_{a}" for a in L.STRESS_CLASSES for k in ("haircut", "delay")]
    wanted = (
        ("rating", *classes)
        if set(classes) <= set(columns)
        else ("rating", "haircut", "delay_months")
    )
    missing = [c for c in wanted if c not in columns]
    if missing or all(_blank(c) for r in t.rows for c in r):
        if missing == ["rating", "haircut", "delay_months"] or not missing:
            raise ValueError(
                f"{t.sheet}: the table {t.name} has no column rating, haircut, delay_months or no "
                f"rating levels (found: {', '.join(c for c in columns if c) or 'nothing'})"
            )
        raise ValueError(
            f"{t.sheet}: the table {t.name} has no column {', '.join(missing)} "
            f"(found: {', '.join(c for c in columns if c) or 'nothing'})"
        )
    return pd.DataFrame([r for r in t.rows if not _blank(r[0])], columns=columns)


def _stress_column(header) -> str:
    """'Haircut unsecured' -> 'haircut_unsecured'; 'Delay months' -> 'delay_months'."""
    return str(header or "").strip().lower().replace(" ", "_")
