"""Read a deal workbook into validated inputs, by defined names and table names (never by row
position).

Every error names the sheet and the cell, e.g. ``Tranches!B3: Balance: expected a number, got
'abc'``.
A user may move blocks, insert rows and add table rows: Excel keeps the names and table ranges that
this reader follows. Values come from python-calamine (fast); a workbook is checked against zip
bombs before it is read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass, field

import pandas as pd

from .. import limits
from ..assumptions import DEAL_UNITS, Assumptions
from ..deal import Deal
from ..models.analysis import load_stress_table
from ..rating.scorecard import Scorecard
from ..tables import FEE_COLUMNS, TRANCHE_COLUMNS, deal_from_tables, excel_error
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
    #: every optional blank cell that took a default: (sheet, cell, key, value used)
    defaults_used: tuple[tuple[str, str, str, object], ...] = ()
    #: transaction parties from the Deal sheet: originator, servicer, trustee, custodian,
    #: lead_underwriter (only those given)
    parties: dict[str, str] = field(default_factory=dict)
    #: the structurer's expected senior maturity, years from closing (None when blank)
    expected_senior_maturity: float | None = None
    #: collections between the cut-off date and closing, in the deal's unit (None when blank)
    collected_before_closing: float | None = None
    cutoff_date: dt.date | None = None
    closing_date: dt.date | None = None
    #: tranche name -> "timely" or "ultimate" (a blank cell: not listed, default by seniority;
    #: also set on the deal's tranches)
    rating_basis: dict[str, str] = field(default_factory=dict)

    def stress_table(self) -> pd.DataFrame:
        """The stress table the rating uses: the workbook's (or the packaged one) after the
        scorecard's adjustment."""
        return self.scorecard.adjust(load_stress_table(self.stress))


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _cell(ref: str) -> tuple[str, str]:
    """'Deal!B8' -> ('Deal', 'B8')."""
    sheet, _, cell = ref.rpartition("!")
    return sheet, cell


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


def _table(book: Book, key: str, formulas: tuple[str, ...] = ()) -> Table:
    """The table of ``key`` (layout.TABLES), refused when a cell holds an Excel error (columns
    ``formulas`` excepted) or a row was typed directly under it without growing it."""
    t = book.table(L.TABLES.get(key, key))
    limits.check("max_table_rows", len(t.rows), f"{t.sheet}!{t.name}: rows")
    t.header = [L.header_key(h) for h in t.header]
    for i, j in t.errors:
        if j < len(t.header) and t.header[j] not in formulas:
            raise ValueError(
                f"{t.ref(i, j)}: {t.header[j]}: the cell holds the Excel error {t.rows[i][j]}"
            )
    below = book.below(t)
    if below is not None:
        r, values = below
        raise ValueError(
            f"{t.sheet}!{r}:{r}: a row typed directly under the table {t.name} is not part of it "
            f"({', '.join(str(v) for v in values if not _blank(v))[:80]}); resize the table to "
            "include it (Table Design > Resize Table) or clear the row"
        )
    return t


def _duplicates(t: Table, j: int, what: str, rows=None) -> None:
    """Refuse two rows of ``t`` with the same key in column ``j``, naming both cells."""
    seen: dict[str, int] = {}
    for i, row in enumerate(t.rows):
        if rows is not None and i not in rows:
            continue
        v = row[j] if j < len(row) else None
        if _blank(v):
            continue
        key = str(v).strip().lower()
        if key in seen:
            raise ValueError(
                f"{t.ref(i, j)}: {what} {str(v).strip()!r} appears twice (also "
                f"{t.ref(seen[key], j)}); each {what} takes one row"
            )
        seen[key] = i


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
    if kind is dt.date:
        if isinstance(v, dt.datetime):
            return v.date()
        if isinstance(v, dt.date):
            return v
        try:
            return dt.date.fromisoformat(str(v).strip())
        except ValueError:
            raise ValueError(f"{ref}: {label}: expected a date (2024-06-30), got {v!r}") from None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


class _Defaults(list):
    """The optional blanks that took a default: (sheet, cell, key, value used)."""

    def add(self, ref: str, key: str, value) -> None:
        self.append((*_cell(ref), key, value))


def read_deal_workbook(path) -> WorkbookInputs:
    """Read and validate every input of a deal workbook.

    A required blank or an Excel error value stops with one line naming the sheet and the cell;
    an optional blank takes its default and is listed in ``defaults_used``.
    """
    path = os.fspath(path)
    book = Book(path)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    defaults = _Defaults()
    options, unit, notes = _deal_terms(book, defaults)
    deal, triggers, basis, located = _tables_deal(book, options, defaults)
    recovery, assumptions = _assumptions(book, defaults)
    _record_deal_defaults(book, deal, options, defaults)
    extra = {
        key: _named_value(book, f"Deal_{key}", kind, label)
        for key, (label, kind, _help) in L.DEAL_RATING.items()
        if f"Deal_{key}" in book.names
    }
    for key in ("expected_senior_maturity", "collected_before_closing"):
        if extra.get(key) is not None and extra[key] < 0:
            raise ValueError(
                f"{book.named(f'Deal_{key}')[1]}: {L.DEAL_RATING[key][0]}: must be >= 0"
            )
    recovery.update(
        asset_mix=_asset_mix(book),
        cumulative=_curve(book),
        volatility=assumptions.recovery_vol,
        discount_rate=assumptions.discount_rate,
        collected_before_closing=extra.get("collected_before_closing") or 0.0,
    )
    tranches_with_basis = [
        t.model_dump() | ({"rating_basis": basis[t.name]} if t.name in basis else {})
        for t in deal.tranches
    ]
    deal = located(
        lambda: deal.with_changes(
            recovery=recovery,
            notes=str(notes),
            tranches=tranches_with_basis,
            **({"triggers": triggers} if triggers else {}),
            **_orders(book, deal),
        )
    )
    _check_units(book, deal, unit)
    tape = _tape(book, deal, unit)
    language = _choice(book, "language", ("en", "zh"), defaults)
    rate_sub = _choice(book, "rate_subordinated", ("no", "yes"), defaults) == "yes"
    parties = {
        key: str(v)
        for key in L.PARTIES
        if f"Deal_{key}" in book.names
        and (v := _named_value(book, f"Deal_{key}", str, L.DEAL_PARTIES[key][0]))
    }
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
        defaults_used=tuple(defaults),
        parties=parties,
        expected_senior_maturity=extra.get("expected_senior_maturity"),
        collected_before_closing=extra.get("collected_before_closing"),
        cutoff_date=extra.get("cutoff_date"),
        closing_date=extra.get("closing_date"),
        rating_basis=basis,
    )


def _tables_deal(book: Book, options: list, defaults: _Defaults, *, blank_balances=False):
    """The deal of the Tranches, Fees and Structures tables, checked cell by cell: ``(deal,
    triggers, rating bases, located)``. Triggers come apart (they may compare with the base case,
    joined later); ``located(build)`` runs ``build`` and names the cell of a ``ValueError``. With
    ``blank_balances`` (a template) a blank balance is a placeholder: new-deal sizes the tranche."""
    tranches, fees = _table(book, "Tranches"), _table(book, "Fees")
    jb = _column(tranches, TRANCHE_COLUMNS, "balance")
    if blank_balances and jb is not None:
        for row in tranches.rows:
            if not all(_blank(v) for v in row) and _blank(row[jb]):
                row[jb] = 1.0
    t_rows, basis = _tranche_rows(tranches, defaults)
    f_rows = _fee_rows(fees)
    structures = _structures(book)
    triggers = structures.pop("triggers", [])

    def located(build):
        try:
            return build()
        except ValueError as exc:
            raise ValueError(_locate(str(exc), tranches, fees, t_rows, f_rows, book)) from None

    deal, _ = located(
        lambda: deal_from_tables(
            [tranches.header] + tranches.rows,
            [fees.header] + fees.rows,
            options,
            structures=structures,
        )
    )
    return deal, triggers, basis, located


def _column(t: Table, columns: dict[str, tuple[str, ...]], key: str) -> int | None:
    """The index of the header of canonical column ``key`` (tables.TRANCHE_COLUMNS aliases)."""
    aliases = {re.sub(r"[\s_\-]+", "", a.lower()) for a in columns[key]}
    for j, h in enumerate(t.header):
        if not _blank(h) and re.sub(r"[\s_\-]+", "", str(h).strip().lower()) in aliases:
            return j
    return None


def _filled(t: Table) -> list[int]:
    """Indices of the rows of ``t`` with at least one value (blank rows are skipped)."""
    return [i for i, r in enumerate(t.rows) if not all(_blank(v) or v == 0 for v in r)]


def _tranche_rows(t: Table, defaults: _Defaults) -> tuple[list[int], dict[str, str]]:
    """Check the Tranches table cell by cell; returns the filled rows and the rating bases."""
    _numeric_check(t)
    rows = _filled(t)
    col = {k: _column(t, TRANCHE_COLUMNS, k) for k in ("name", "balance", "coupon", "index")}
    col |= {k: _column(t, TRANCHE_COLUMNS, k) for k in ("seniority", "issue_price")}
    jb = t.header.index("Rating basis") if "Rating basis" in t.header else None
    basis: dict[str, str] = {}

    def get(i, key):
        j = col[key]
        return (j, None) if j is None or j >= len(t.rows[i]) else (j, t.rows[i][j])

    for i in rows:
        j, name = get(i, "name")
        if j is not None and _blank(name):
            raise ValueError(f"{t.ref(i, j)}: Name: a tranche row has no name")
        j, balance = get(i, "balance")
        if j is not None and _blank(balance):
            raise ValueError(f"{t.ref(i, j)}: Balance: tranche {name!r} has no balance")
        if j is not None and balance <= 0:
            raise ValueError(
                f"{t.ref(i, j)}: Balance: tranche {name!r}: must be > 0, got {balance:g}"
            )
        jc, coupon = get(i, "coupon")
        _, index = get(i, "index")
        if jc is not None and _blank(coupon) and _blank(index):
            raise ValueError(
                f"{t.ref(i, jc)}: Coupon: tranche {name!r} has no coupon (0 for a tranche "
                "without one; a floating coupon gives an Index)"
            )
        for key, value in (("seniority", None), ("issue_price", 100.0)):
            j, v = get(i, key)
            if j is not None and (_blank(v) or v == 0):
                used = 1 + rows.index(i) if key == "seniority" else value
                defaults.add(t.ref(i, j), f"{key} of {name}", used)
        if jb is not None and jb < len(t.rows[i]) and not _blank(t.rows[i][jb]):
            b = str(t.rows[i][jb]).strip().lower()
            if b not in L.RATING_BASES.split(","):
                raise ValueError(
                    f"{t.ref(i, jb)}: Rating basis: expected timely or ultimate, got "
                    f"{t.rows[i][jb]!r}"
                )
            basis[str(name).strip()] = b
    if col["name"] is not None:
        _duplicates(t, col["name"], "tranche name", set(rows))
    return rows, basis


def _fee_rows(t: Table) -> list[int]:
    """Check the Fees table cell by cell; returns the filled rows."""
    _numeric_check(t)
    rows = _filled(t)
    jn, jb = _column(t, FEE_COLUMNS, "name"), _column(t, FEE_COLUMNS, "basis")
    for i in rows:
        name = t.rows[i][jn] if jn is not None else None
        if jn is not None and _blank(name):
            raise ValueError(f"{t.ref(i, jn)}: Name: a fee row has no name")
        if jb is None:
            continue
        b = t.rows[i][jb]
        if _blank(b) or str(b).strip().lower().replace(" ", "_") not in L.FEE_BASES.split(","):
            raise ValueError(
                f"{t.ref(i, jb)}: Basis: fee {name!r}: expected one of {L.FEE_BASES}, got {b!r}"
            )
        basis = str(b).strip().lower().replace(" ", "_")
        need = "Amount" if basis == "fixed" else "Rate"
        if need in t.header:
            j = t.header.index(need)
            if j >= len(t.rows[i]) or _blank(t.rows[i][j]):
                raise ValueError(f"{t.ref(i, j)}: {need}: a {basis} fee ({name!r}) needs one")
    if jn is not None:
        _duplicates(t, jn, "fee name", set(rows))
    return rows


_WHERE = re.compile(
    r"^(tranches|fees)(?: row (\d+) \([^)]*\)|\[(\d+)\])(?::|\.)\s*(\w+)?(?:\.(\w+))?"
)
_TRIGGER = re.compile(r"^triggers\[(\d+)\]\.(\w+)")
_SUPPORT = re.compile(r"^(liquidity_facility|guarantee|excess_spread_account)\.(\w+)")
_ORDER = re.compile(r"^(pre|post)_default_order: (?:.*?step '([^']*)')?")
_RATE = re.compile(r"^rates\.([^.:\s]+)")


def _locate(message: str, tranches: Table, fees: Table, t_rows, f_rows, book: Book) -> str:
    """A deal error rewritten to name its cell: a tranche or fee row ('tranches[1].balance: ...',
    'fees row 3 (Taxes): rate: ...'), a trigger, a support, a rate or a step of an order; other
    errors name the file."""
    message = message.removeprefix("deal: ")
    m = _WHERE.match(message)
    if m:
        t, rows, columns = (
            (tranches, t_rows, TRANCHE_COLUMNS)
            if m.group(1) == "tranches"
            else (fees, f_rows, FEE_COLUMNS)
        )
        i = int(m.group(2)) - 2 if m.group(2) else rows[int(m.group(3))]
        key = m.group(5) if m.group(5) in columns else m.group(4)  # coupon.index: Index
        j = _column(t, columns, key) if key in columns else None
        return f"{_at(t, i, j)}: {message}"
    where = _structure_cell(message, book)
    return f"{where or book.file}: {message}"


def _at(t: Table, i: int | None, j: int | None) -> str:
    """'Sheet!C5' of row i, column j of ``t``; the whole row or column when one is unknown."""
    if i is not None and j is not None:
        return t.ref(i, j)
    if i is not None:
        return f"{t.sheet}!{t.first_row + i}:{t.first_row + i}"
    if j is not None:
        first, last = t.ref(0, j), t.ref(max(len(t.rows) - 1, 0), j)
        return f"{first}:{last.split('!')[1]}"
    return t.sheet


def _structure_cell(message: str, book: Book) -> str | None:
    """The cell a trigger, support, rate or order error is about, or None."""

    def find(key: str, j: int, value) -> tuple[Table, int | None]:
        t = book.table(L.TABLES[key])
        t.header = [L.header_key(h) for h in t.header]
        hits = [i for i, r in enumerate(t.rows) if j < len(r) and str(r[j]).strip() == value]
        return t, (hits[0] if hits else None)

    def column(t: Table, field: str) -> int | None:
        header = field.replace("_", " ").capitalize()
        return t.header.index(header) if header in t.header else None

    try:
        if m := _TRIGGER.match(message):
            t = book.table(L.TABLES["Triggers"])
            t.header = [L.header_key(h) for h in t.header]
            filled = [i for i, r in enumerate(t.rows) if not all(_blank(v) for v in r)]
            k = int(m.group(1))
            return _at(t, filled[k] if k < len(filled) else None, column(t, m.group(2)))
        if m := _SUPPORT.match(message):
            t, i = find("Supports", 0, m.group(1))
            return _at(t, i, column(t, m.group(2)))
        if m := _ORDER.match(message):
            j = 0 if m.group(1) == "pre" else 1
            t, i = find("Waterfall", j, m.group(2))
            return _at(t, i if m.group(2) else None, j)
        if m := _RATE.match(message):
            t, i = find("Rates", 0, m.group(1))
            return _at(t, i, None) if i is not None else t.sheet
    except ValueError:  # a table the workbook lacks: the message names the file
        return None
    return None


def _record_deal_defaults(book: Book, deal: Deal, options: list, defaults: _Defaults) -> None:
    """List the Deal-sheet options left blank with the value the deal took."""
    given = {k for k, _ in options}
    used = {
        "name": deal.name,
        "reserve_multiple": deal.reserve.multiple,
        "reserve_initial": deal.reserve.initial,
        "incentive_fee_share": deal.incentive_fee_share,
        "default_event": deal.default_event,
    }
    for key, value in used.items():
        if key not in given and f"Deal_{key}" in book.names:
            defaults.add(book.named(f"Deal_{key}")[1], key, value)


def _choice(book: Book, key: str, choices: tuple[str, ...], defaults: _Defaults) -> str:
    """A Deal-sheet option from a short list (the first choice when the workbook has no such
    name or the cell is blank, listed in ``defaults``)."""
    if f"Deal_{key}" not in book.names:
        return choices[0]
    label = L.DEAL_EXTRA[key][0]
    value = _named_value(book, f"Deal_{key}", str, label)
    if value is None:
        defaults.add(book.named(f"Deal_{key}")[1], key, choices[0])
        return choices[0]
    value = value.lower()
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
    t = _table(book, "Scorecard")
    _duplicates(t, 0, "factor")
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


def _deal_terms(book: Book, defaults: _Defaults) -> tuple[list, str, str]:
    """(the Deal sheet's options as key/value rows, the currency unit, the notes); a blank
    required term (payments per year, legal maturity) names its cell."""
    options = []
    for key, (label, kind, *_) in L.DEAL_FIELDS.items():
        v = _named_value(book, f"Deal_{key}", kind, label)
        if v is not None:
            options.append([key, v])
        elif key in L.REQUIRED_DEAL_FIELDS:
            raise ValueError(
                f"{book.named(f'Deal_{key}')[1]}: {label}: required, the cell is blank"
            )
    unit = _named_value(book, "Deal_unit", str, "Currency unit")
    if unit is None:
        unit = L.DEAL_EXTRA["unit"][1]
        defaults.add(book.named("Deal_unit")[1], "unit", unit)
    if unit not in DEAL_UNITS:
        raise ValueError(
            f"{book.named('Deal_unit')[1]}: Currency unit: expected 万元 or 元, got {unit!r}"
        )
    return options, unit, _named_value(book, "Deal_notes", str, "Notes") or ""


def _assumptions(book: Book, defaults: _Defaults) -> tuple[dict, Assumptions]:
    """(the Deal.recovery fields, the model Assumptions) from the Assumptions sheet's defined
    names; a blank takes its default (listed), the expected total recovery is required."""
    recovery: dict[str, object] = {}
    fields: dict[str, object] = {}
    for name, (label, kind, default, _) in L.ASSUMPTION_FIELDS.items():
        v = _named_value(book, name, kind, label)
        target, field = L.ASSUMPTION_KEYS[name]
        if v is None:
            if name == "TotalRecovery":
                raise ValueError(f"{book.named(name)[1]}: {label}: required, the cell is blank")
            if default not in (None, ""):
                defaults.add(book.named(name)[1], field, default)
        (recovery if target == "recovery" else fields)[field] = default if v is None else v
    if not float(recovery["total"]) > 0:  # type: ignore[arg-type]  # a number: read with kind float
        raise ValueError(f"{book.named('TotalRecovery')[1]}: Expected total recovery: must be > 0")
    try:
        return recovery, Assumptions.from_dict(fields)
    except ValueError as exc:
        field_name = str(exc).split(":")[0]
        where = next(
            (book.named(n)[1] for n, (_, f) in L.ASSUMPTION_KEYS.items() if f == field_name),
            "Assumptions",
        )
        raise ValueError(f"{where}: {exc}") from None


def _curve(book: Book) -> list[float]:
    """The cumulative recovery curve: every row with a period needs a share, shares never
    decrease and lie in [0, 1]; fully blank rows are skipped."""
    curve = _table(book, "Recovery", formulas=("Collections",))
    cumulative = []
    previous = 0.0
    for i, row in enumerate(curve.rows):
        v = row[1] if len(row) > 1 else None
        if _blank(v):
            if all(_blank(x) for x in row[:2]):
                continue
            raise ValueError(
                f"{curve.ref(i, 1)}: Cumulative share: blank inside the timing curve (period "
                f"{row[0]}); give the share collected by that period's end"
            )
        if not _is_number(v):
            raise ValueError(f"{curve.ref(i, 1)}: Cumulative share: expected a number, got {v!r}")
        v = float(v)  # type: ignore[arg-type]  # _is_number checked it
        if not 0 <= v <= 1:
            raise ValueError(f"{curve.ref(i, 1)}: Cumulative share: expected 0 to 1, got {v:g}")
        if v < previous - 1e-12:
            raise ValueError(
                f"{curve.ref(i, 1)}: Cumulative share: {v:g} is below the period before "
                f"({previous:g}); a cumulative curve never decreases"
            )
        previous = v
        cumulative.append(v)
    return cumulative


def _orders(book: Book, deal: Deal) -> dict[str, list[str]]:
    """The priorities of payments that differ from the deal's default ones."""
    if not book.has_table(L.TABLES["Waterfall"]):
        return {}
    t = _table(book, "Waterfall")
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
    t = _table(book, name)
    _duplicates(t, 0, "rating")
    return pd.DataFrame([r for r in t.rows if not _blank(r[0])], columns=[str(h) for h in t.header])


def _tape(book: Book, deal: Deal, unit: str) -> pd.DataFrame | None:
    """The LoanTape sheet through the tape intake, or the tape linked beside the workbook
    (:mod:`.linked_tape`); a recovery above the pool means mixed units."""
    from .linked_tape import read_linked

    tape = read_linked(book)
    if tape is None:
        if not book.has_table(L.TABLES["LoanTape"]):
            return None
        from .tape import normalise_rows

        t = book.table(L.TABLES["LoanTape"])
        if t.errors:
            i, j = t.errors[0]
            raise ValueError(
                f"{t.ref(i, j)}: {t.header[j]}: the cell holds the Excel error {t.rows[i][j]}"
            )
        tape = normalise_rows(
            t.header, t.rows, first_row=t.first_row, name=book.file, sheet=t.sheet
        )
    pool = tape["total"].sum() / DEAL_UNITS[unit]
    total = deal.require_recovery().total
    if total > 1.5 * pool:
        raise ValueError(
            f"{book.file}: the expected recovery {total:,.2f} {unit} is "
            f"{total / pool:,.3g} times the loan tape's principal + interest + fees "
            f"({pool:,.2f} {unit}): check the unit of the recovery and of the tape"
        )
    return tape


def _rows(book: Book, key: str, required: tuple[str, ...] = ()) -> list[tuple[Table, int, dict]]:
    """The non-blank rows of an optional table as (table, row index, {header: value}) (numbers
    checked; a blank ``required`` column names its cell)."""
    if not book.has_table(L.TABLES[key]):
        return []
    t = _table(book, key)
    _numeric_check(t)
    out = []
    for i, r in enumerate(t.rows):
        if all(_blank(v) for v in r):
            continue
        for h in required:
            j = t.header.index(h) if h in t.header else len(r)
            if j < len(r) and _blank(r[j]):
                raise ValueError(f"{t.ref(i, j)}: {h}: required, the cell is blank")
        out.append((t, i, {str(h).strip(): v for h, v in zip(t.header, r) if not _blank(v)}))
    return out


def _structures(book: Book) -> dict:
    """Rates, triggers and facility / guarantee / account from the Structures sheet's tables, as
    deal keys (nothing when the workbook has no such tables). Keys appear once; required cells
    (index, trigger test / threshold / effect, support kind and limit) are never blank."""
    out: dict = {}
    rates = _rates(book)
    if rates:
        out["rates"] = rates
    rows = _rows(book, "Triggers", ("Name", "Test", "Threshold", "Effect"))
    if rows:
        _duplicates(rows[0][0], 0, "trigger name")
    triggers = [
        {
            "name": str(r["Name"]),
            "test": str(r["Test"]).strip(),
            "threshold": float(r["Threshold"]),
            "effect": str(r["Effect"]).strip(),
        }
        for _, _, r in rows
    ]
    if triggers:
        out["triggers"] = triggers
    return out | _supports(book)


def _rates(book: Book) -> dict:
    """Floating-rate indexes of the Rates table: index -> {level or path, source}."""
    rates = {}
    rows = _rows(book, "Rates", ("Index",))
    if rows:
        _duplicates(rows[0][0], 0, "rate index")
    for t, i, r in rows:
        index = str(r["Index"]).strip()
        path = r.get("Path")
        rate: dict = {"source": str(r.get("Source", ""))}
        if path is not None:
            try:
                rate["path"] = [float(x) for x in str(path).replace("，", ",").split(",")]
            except ValueError:
                raise ValueError(
                    f"{t.ref(i, 2)}: Path: expected numbers separated by commas, got {path!r}"
                ) from None
        if "Level" in r:
            rate["level"] = float(r["Level"])
        if "Level" not in r and path is None:
            raise ValueError(f"{t.ref(i, 1)}: Level: rate {index!r} needs a level or a path")
        rates[index] = rate
    return rates


def _supports(book: Book) -> dict:
    """Liquidity facility, guarantee, excess-spread account of the Supports table (one each)."""
    out: dict = {}
    rows = _rows(book, "Supports", ("Kind", "Limit"))
    if rows:
        _duplicates(rows[0][0], 0, "support kind")
        _duplicates(rows[0][0], 1, "support name")
    for t, i, r in rows:
        kind = str(r["Kind"]).strip()
        if kind not in L.SUPPORT_KINDS.split(","):
            raise ValueError(
                f"{t.ref(i, 0)}: Kind: expected one of {L.SUPPORT_KINDS}, got {kind!r}"
            )
        item: dict = {"limit": float(r["Limit"])}
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
    """Shares of base-case recovery by asset class (the AssetMix table), or None without one;
    every listed class needs a share, the shares add up to 1."""
    if not book.has_table(L.TABLES["AssetMix"]):
        return None
    t = _table(book, "AssetMix")
    _numeric_check(t)
    _duplicates(t, 0, "asset class")
    mix = {}
    for i, r in enumerate(t.rows):
        if all(_blank(v) for v in r):
            continue
        if _blank(r[0]):
            raise ValueError(f"{t.ref(i, 0)}: Asset class: blank, with a share beside it")
        name = str(r[0]).strip().lower()
        if name not in L.STRESS_CLASSES:
            raise ValueError(
                f"{t.ref(i, 0)}: Asset class: expected one of {', '.join(L.STRESS_CLASSES)}, "
                f"got {r[0]!r}"
            )
        if len(r) < 2 or _blank(r[1]):
            raise ValueError(f"{t.ref(i, 1)}: {t.header[1]}: blank (0 for a class not present)")
        if r[1] < 0:
            raise ValueError(f"{t.ref(i, 1)}: {t.header[1]}: must be >= 0, got {r[1]:g}")
        mix[name] = float(r[1])
    mix = {k: v for k, v in mix.items() if v}
    if mix and abs(sum(mix.values()) - 1.0) > 1e-6:
        raise ValueError(
            f"{t.ref(0, 1)}:{t.ref(len(t.rows) - 1, 1).rpartition('!')[2]}: {t.header[1]}: "
            f"the shares add up to {sum(mix.values()):.6g}, not 1"
        )
    return mix or None


def _stress(book: Book) -> pd.DataFrame | None:
    if not book.has_table(L.TABLES["Stress"]):
        return None
    t = _table(book, "Stress")
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
    numeric = [j for j, h in enumerate(t.header) if h in _NUMERIC_COLUMNS["StressTable"]]
    for i, r in enumerate(t.rows):
        if all(_blank(v) for v in r):
            continue
        if _blank(r[0]):
            raise ValueError(f"{t.ref(i, 0)}: Rating: a stress row without a rating level")
        for j in numeric:
            if j >= len(r) or _blank(r[j]):
                raise ValueError(
                    f"{t.ref(i, j)}: {t.header[j]}: blank in the stress table (rating {r[0]}); "
                    "give 0 for no stress"
                )
    _duplicates(t, 0, "rating level")
    return pd.DataFrame([r for r in t.rows if not _blank(r[0])], columns=columns)


def _stress_column(header) -> str:
    """'Haircut unsecured' -> 'haircut_unsecured'; 'Delay months' -> 'delay_months'."""
    return str(header or "").strip().lower().replace(" ", "_")


@dataclass
class TemplateInputs:
    """What ``new-deal --template`` keeps of a deal workbook: every deal term, structure and
    option; the tape replaces the balances, the base-case recovery and its timing and mix."""

    deal: Deal  # tranches (template balances, or 1.0 when blank), fees, terms, structures, orders
    triggers: list[dict]  # joined once the deal has its recovery (tests compare with it)
    unit: str
    assumptions: dict[str, object]  # Assumptions-sheet values given, by defined name
    stress: pd.DataFrame | None
    rating_table: pd.DataFrame | None
    scorecard: Scorecard
    #: Deal-sheet values by key: language, rate_subordinated, dates, maturity, parties
    terms: dict[str, object]
    rating_basis: dict[str, str]


def read_template(path) -> TemplateInputs:
    """Read a deal workbook as a template for ``new-deal``: like :func:`read_deal_workbook`
    (same checks, errors naming the cell) except that balances, the expected recovery and the
    timing curve may be blank (the tape gives them)."""
    path = os.fspath(path)
    book = Book(path)
    defaults = _Defaults()
    options, unit, _notes = _deal_terms(book, defaults)
    deal, triggers, basis, located = _tables_deal(book, options, defaults, blank_balances=True)
    deal = located(lambda: deal.with_changes(**_orders(book, deal)))
    assumptions = {}
    for name, (label, kind, _default, _help) in L.ASSUMPTION_FIELDS.items():
        v = _named_value(book, name, kind, label) if name in book.names else None
        if v is not None:
            assumptions[name] = v
    terms: dict[str, object] = {
        "language": _choice(book, "language", ("en", "zh"), defaults),
        "rate_subordinated": _choice(book, "rate_subordinated", ("no", "yes"), defaults),
    }
    for key, (label, kind, _help) in L.DEAL_RATING.items():
        if f"Deal_{key}" in book.names:
            terms[key] = _named_value(book, f"Deal_{key}", kind, label)
    for key, (label, _help) in L.DEAL_PARTIES.items():
        if f"Deal_{key}" in book.names:
            terms[key] = _named_value(book, f"Deal_{key}", str, label)
    return TemplateInputs(
        deal,
        triggers,
        unit,
        assumptions,
        _stress(book),
        _idealised_el(book),
        _scorecard(book),
        {k: v for k, v in terms.items() if v is not None},
        basis,
    )
