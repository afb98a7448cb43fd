"""Loan tapes as servicers send them -> one row per loan with canonical columns, amounts in yuan,
and a report of everything the intake did.

``read_tape(path, sheet=None, encoding=None, unit=None)`` finds the header anywhere in the first 30
rows of any sheet, matches headers by alias after normalising full-width characters, spaces,
brackets and unit suffixes, takes the amount unit from header suffixes, a title line or ``unit``
(conflicting signals are an error), drops blank rows and a totals row (checking it against the
column sums), reads amounts written as text and dates in every common form (date cells, Excel
serials, ``2021/3/5``, ``20210305``, ``2021年3月5日``), normalises provinces, loan classes and
security types, and lists every problem of the tape in one :class:`TapeError`. The report is
``tape.attrs["intake"]`` (:class:`IntakeReport`).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import normalise as N
from . import vocabulary as V
from .sources import read_raw

__all__ = ["read_tape", "normalise_rows", "IntakeReport", "TapeError", "COLUMN_ALIASES"]

COLUMN_ALIASES = V.COLUMN_ALIASES
#: rows searched for the header
HEADER_SEARCH_ROWS = 30
#: problems listed in full in an error message (all are counted)
SHOWN_PROBLEMS = 60


class TapeError(ValueError):
    """A tape with problems; the message lists them all (one line each), ``problems`` holds them."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or [message]


@dataclass
class IntakeReport:
    """What the intake did with a tape, in the order it did it."""

    source: str
    sheet: str | None = None
    reader: str = ""
    header_row: int = 0
    mapping: dict[str, str] = field(default_factory=dict)
    ignored: dict[str, str] = field(default_factory=dict)
    dropped: list[tuple[int, str]] = field(default_factory=list)
    unit: str = "元"
    unit_source: str = ""
    totals_check: list[str] = field(default_factory=list)
    normalised: dict[str, dict[str, str]] = field(default_factory=dict)
    unrecognised: dict[str, dict[str, int]] = field(default_factory=dict)
    serial_dates: dict[str, int] = field(default_factory=dict)
    derived: list[str] = field(default_factory=list)
    cutoff: dt.date | None = None
    cutoff_source: str = ""
    loans: int = 0
    other_sheets: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report as short lines (printed by ``new-deal`` and written to the Pool sheet)."""
        where = f"{self.source}" + (f"!{self.sheet}" if self.sheet else "")
        out = [
            f"Tape: {where}, read as {self.reader}; header on row {self.header_row}; "
            f"{self.loans:,} loans"
        ]
        if self.other_sheets:
            out.append(f"Other sheets (no loan header found): {', '.join(self.other_sheets)}")
        out.append(
            "Columns: " + "; ".join(f"{src} -> {canon}" for src, canon in self.mapping.items())
        )
        if self.ignored:
            out.append(
                "Ignored columns: " + "; ".join(f"{h} ({why})" for h, why in self.ignored.items())
            )
        out.append(f"Amount unit: {self.unit} ({self.unit_source}); amounts converted to 元")
        if self.cutoff:
            out.append(f"Cut-off date: {self.cutoff.isoformat()} ({self.cutoff_source})")
        if self.dropped:
            reasons: dict[str, list[int]] = {}
            for row, why in self.dropped:
                reasons.setdefault(why, []).append(row)
            for why, rows in reasons.items():
                shown = ", ".join(f"{r:,}" for r in rows[:8]) + (" ..." if len(rows) > 8 else "")
                out.append(f"Dropped {len(rows):,} row(s), {why}: rows {shown}")
        out += [f"Totals row check: {t}" for t in self.totals_check]
        for col, n in self.serial_dates.items():
            out.append(f"{col}: {n:,} Excel serial number(s) read as dates")
        out += self.derived
        for col, mapping in self.normalised.items():
            shown = "; ".join(f"{a} -> {b}" for a, b in list(mapping.items())[:12])
            more = f" (+{len(mapping) - 12} more)" if len(mapping) > 12 else ""
            out.append(f"{col} normalised: {shown}{more}")
        for col, values in self.unrecognised.items():
            total = sum(values.values())
            examples = ", ".join(
                f"{v} ({n:,})" for v, n in sorted(values.items(), key=lambda x: -x[1])[:6]
            )
            out.append(f"{col}: {total:,} value(s) not recognised, kept as written: {examples}")
        return out


def _text(v) -> str:
    """A cell as text: whole floats without '.0' (ids read from xlsx), dates ISO, the rest str()."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    return str(v)


def _find_header(rows: list[list]) -> tuple[int, dict[int, str], dict[int, str | None], int]:
    """(row index, {column index: canonical}, {column index: unit}, score) of the best header
    row."""
    best: tuple[int, dict[int, str], dict[int, str | None], int] = (-1, {}, {}, 0)
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cols: dict[int, str] = {}
        units: dict[int, str | None] = {}
        seen: set[str] = set()
        for j, cell in enumerate(row):
            if not isinstance(cell, str) or not cell.strip():
                continue
            canon, unit = N.match_header(cell)
            if canon and canon not in seen:
                cols[j], units[j] = canon, unit
                seen.add(canon)
        score = len(seen) + 10 * all(r in seen for r in V.REQUIRED)
        if score > best[3]:
            best = (i, cols, units, score)
    return best


def _resolve_unit(
    name: str, header_units: dict[str, str], title: tuple[str, str] | None, unit: str | None
) -> tuple[str, str]:
    """The one amount unit of the tape and where it came from; conflicting signals raise."""
    signals: list[tuple[str, str]] = [(u, f"header {h!r}") for h, u in header_units.items()]
    if title:
        signals.append((title[0], f"title line {title[1]!r}"))
    if unit:
        canon = V.UNIT_ALIASES.get(N.key(unit))
        if canon is None:
            raise TapeError(f"--unit: expected one of {', '.join(V.UNITS)}, got {unit!r}")
        signals.append((canon, "--unit"))
    found = {u for u, _ in signals}
    if len(found) > 1:
        listed = "; ".join(f"{where} says {u}" for u, where in signals)
        raise TapeError(
            f"{name}: the amount unit is ambiguous ({listed}); fix the tape or give --unit to match"
        )
    if not signals:
        return (
            "元",
            "assumed: no unit in the headers or a title line (give --unit if the tape is in 万元)",
        )
    u, where = signals[-1] if unit else signals[0]
    return u, (
        "--unit" if unit else where + (f" and {len(signals) - 1} more" if len(signals) > 1 else "")
    )


def read_tape(
    path,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    unit: str | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Read, normalise and validate a loan tape (CSV or XLSX). See the module docstring.

    Returns one row per loan with canonical columns (those present of ``COLUMN_ALIASES``, plus
    ``security``/``guaranteed``/``secured`` when a security column exists and ``total`` =
    principal + interest + fees), amounts in yuan; ``.attrs["intake"]`` is the
    :class:`IntakeReport`. Raises :class:`TapeError` listing every problem.
    """
    path = os.fspath(path)
    name = os.path.basename(path)
    if not os.path.exists(path):
        raise TapeError(f"loan tape: no such file {path!r}")
    sheets, how = read_raw(path, encoding=encoding)
    if sheet is not None:
        match = [s for s in sheets if s.name == sheet]
        if not match:
            raise TapeError(
                f"--sheet: {name} has no sheet {sheet!r} (sheets: "
                f"{', '.join(str(s.name) for s in sheets)})"
            )
        sheets = match
    scored = [(_find_header(s.rows), s) for s in sheets]
    (i, cols, units, score), chosen = max(scored, key=lambda x: x[0][3])
    if score < 10:  # the required columns were not found on any sheet
        (i, cols, _, _), chosen = max(scored, key=lambda x: x[0][3])
        row = (
            chosen.rows[i] if 0 <= i < len(chosen.rows) else (chosen.rows[0] if chosen.rows else [])
        )
        found = ", ".join(str(c) for c in row if str(c).strip()) or "nothing"
        missing = [c for c in V.REQUIRED if c not in cols.values()]
        accepted = "; ".join(f"{c}: {', '.join(V.COLUMN_ALIASES[c])}" for c in missing)
        where = f"{name}" + (f"!{chosen.name}" if chosen.name else "")
        raise TapeError(
            f"{where}: missing column(s) {', '.join(missing)} in the first {HEADER_SEARCH_ROWS} "
            "rows "
            f"(best header row {i + 1} has: {found}) (accepted headers - {accepted})"
        )
    report = IntakeReport(
        source=name,
        sheet=chosen.name,
        reader=how,
        header_row=i + 1,
        other_sheets=[str(s.name) for _, s in scored if s is not chosen],
    )
    title_unit: tuple[str, str] | None = None
    cutoff: tuple[dt.date, str] | None = None
    for cell in (c for r in chosen.rows[:i] for c in r if isinstance(c, str) and c.strip()):
        found_unit, found_cutoff = N.unit_in_title(cell), N.cutoff_in_title(cell)
        if found_unit and title_unit is None:
            title_unit = (found_unit, N.nfkc(cell))
        if found_cutoff and cutoff is None:
            cutoff = (found_cutoff, N.nfkc(cell))
    header = chosen.rows[i]
    tape = normalise_rows(
        header,
        chosen.rows[i + 1 :],
        first_row=i + 2,
        name=name,
        sheet=chosen.name,
        report=report,
        title_unit=title_unit,
        unit=unit,
        today=today,
    )
    if cutoff:
        report.cutoff, report.cutoff_source = cutoff[0], f"title line {cutoff[1]!r}"
    return tape


#: columns that must not be negative
NON_NEGATIVE = (
    "principal",
    "interest",
    "fees",
    "appraisal_value",
    "days_overdue",
    "months_overdue",
)


def normalise_rows(
    header: list,
    rows: list[list],
    *,
    first_row: int = 2,
    name: str = "loan tape",
    sheet: str | None = None,
    report: IntakeReport | None = None,
    title_unit: tuple[str, str] | None = None,
    unit: str | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Header + data rows (``first_row`` = the file row of ``rows[0]``) -> the canonical tape."""
    report = report or IntakeReport(source=name, sheet=sheet, header_row=first_row - 1)
    where = name + (f"!{sheet}" if sheet else "")
    cols, labels, header_units = _map_header(header, report, where)
    report.unit, report.unit_source = _resolve_unit(where, header_units, title_unit, unit)
    tape, totals = _loan_rows(header, rows, cols, first_row, report)
    check = _Problems(labels)
    _numbers(tape, totals, report, check, labels)
    _dates(tape, report, check, labels, today)
    _texts(tape)
    ids = tape["loan_id"]
    check.flag(ids.isna(), "loan_id", lambda k: "blank")
    check.flag(
        ids.duplicated(keep=False) & ids.notna(), "loan_id", lambda k: f"duplicate {ids[k]!r}"
    )
    check.raise_if_any(where)
    _categories(tape, report)
    _fill_defaults(tape, report)
    tape = tape.reset_index(drop=True)
    report.loans = len(tape)
    tape.attrs["intake"] = report
    return tape


def _map_header(header: list, report: IntakeReport, where: str):
    """({column index: canonical}, {canonical: header as written}, {header: unit in its suffix})."""
    cols: dict[int, str] = {}
    labels: dict[str, str] = {}
    header_units: dict[str, str] = {}
    for j, h in enumerate(header):
        text = _text(h).strip() if h not in (None, "") else ""
        if not text:
            continue
        canon, u = N.match_header(text)
        if canon is None:
            report.ignored[text] = "not a known column"
        elif canon in cols.values():
            report.ignored[text] = f"second {canon} column"
        else:
            cols[j], labels[canon] = canon, text
            report.mapping[text] = canon
            if u and canon in V.AMOUNT_COLUMNS:
                header_units[text] = u
    missing = [c for c in V.REQUIRED if c not in cols.values()]
    if missing:
        found = ", ".join(_text(h) for h in header if h not in (None, "")) or "nothing"
        raise TapeError(f"{where}: missing column(s) {', '.join(missing)} (headers found: {found})")
    return cols, labels, header_units


def _loan_rows(header, rows, cols, first_row, report) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the loans, the totals rows) in canonical columns, indexed by file row; blank and totals rows
    are reported as dropped."""
    width = max([len(header)] + [len(r) for r in rows[:1]])
    grid = pd.DataFrame(
        [list(r) + [""] * (width - len(r)) for r in rows], columns=range(width), dtype=object
    )
    grid.index = np.arange(len(grid)) + first_row
    blank = np.ones(len(grid), bool)
    for j in grid.columns:
        blank &= N.is_blank(grid[j]).to_numpy()
    report.dropped += [(int(r), "blank") for r in grid.index[blank]]
    grid = grid[~blank]
    is_total = pd.Series(False, index=grid.index)  # a total word in one of the first three cells
    for j in list(grid.columns)[:3]:
        cells = grid[j]
        text = (
            cells.where(cells.map(type).eq(str))
            .str.replace(r"[\s:：]+", "", regex=True)
            .str.lower()
        )
        is_total |= text.str.startswith(V.TOTAL_WORDS).fillna(False).astype(bool)
    report.dropped += [(int(r), "totals row") for r in grid.index[is_total.to_numpy()]]
    mapped = grid[list(cols)].rename(columns=cols)
    return mapped[~is_total], mapped[is_total]


class _Problems:
    """Problems of a tape, each (file row, 'header: what'), raised all at once."""

    def __init__(self, labels: dict[str, str]):
        self.labels = labels
        self.items: list[tuple[int, str]] = []

    def flag(self, mask: pd.Series, col: str, what) -> None:
        self.items += [(int(k), f"{self.labels[col]}: {what(k)}") for k in mask[mask].index]

    def add(self, row: int, col: str, what: str) -> None:
        self.items.append((row, f"{self.labels[col]}: {what}"))

    def raise_if_any(self, where: str) -> None:
        if not self.items:
            return
        self.items.sort()
        lines = [f"{where} row {r:,}, {msg}" for r, msg in self.items]
        rows = len({r for r, _ in self.items})
        more = (
            [f"... and {len(lines) - SHOWN_PROBLEMS:,} more"] if len(lines) > SHOWN_PROBLEMS else []
        )
        head = f"{where}: {len(lines):,} problem(s) in {rows:,} row(s):"
        raise TapeError(
            "\n".join([head] + ["  " + s for s in lines[:SHOWN_PROBLEMS] + more]), lines
        )


def _numbers(tape, totals, report, check: _Problems, labels) -> None:
    """Amounts (to 元) and counts; the totals row, if any, checked against the column sums."""
    scale = V.UNITS[report.unit]
    check.flag(
        N.is_blank(tape["principal"]) & ~N.is_blank(tape["loan_id"]), "principal", lambda k: "blank"
    )
    for col in V.AMOUNT_COLUMNS + V.NUMBER_COLUMNS:
        if col not in tape:
            continue
        raw = tape[col]
        values, failed = N.parse_amounts(raw)
        check.flag(failed, col, lambda k, raw=raw: f"not a number ({_text(raw[k])!r})")
        if col in NON_NEGATIVE:
            check.flag(values < 0, col, lambda k, v=values: f"negative ({v[k]:g})")
        if col in V.AMOUNT_COLUMNS and len(totals):
            _check_total(totals[col], col, values, report, check, labels)
        tape[col] = values * scale if col in V.AMOUNT_COLUMNS else values


def _check_total(stated_cells, col, values, report, check: _Problems, labels) -> None:
    stated, _ = N.parse_amounts(stated_cells)
    if not stated.notna().any():
        return
    total, got = float(stated.dropna().iloc[0]), float(values.sum())
    if abs(total - got) > 1e-4 * max(abs(total), abs(got), 1e-9):
        check.add(
            int(stated_cells.index[0]),
            col,
            f"totals row says {total:,.2f}, the loans add up to {got:,.2f}",
        )
    else:
        report.totals_check.append(f"{labels[col]} {total:,.2f} = sum of the loans")


def _dates(tape, report, check: _Problems, labels, today) -> None:
    limit = pd.Timestamp(today or dt.date.today())
    for col in V.DATE_COLUMNS:
        if col not in tape:
            continue
        raw = tape[col]
        values, failed, serial = N.parse_dates(raw)
        check.flag(failed, col, lambda k, raw=raw: f"not a date ({_text(raw[k])!r})")
        if serial.any():
            report.serial_dates[labels[col]] = int(serial.sum())
        check.flag(values > limit, col, lambda k, v=values: f"{v[k].date()} is in the future")
        tape[col] = values


def _texts(tape) -> None:
    """Text columns: numbers read from xlsx as text without '.0', NFKC, stripped, blanks None."""
    for col in V.TEXT_COLUMNS:
        if col not in tape:
            continue
        cells = tape[col]
        other = cells.map(type).ne(str) & cells.notna()
        text = cells.where(~other, cells[other].map(_text)) if other.any() else cells
        text = text.astype(object).where(~N.is_blank(text), None)
        tape[col] = text.str.normalize("NFKC").str.strip().astype(object).where(text.notna(), None)


def _fill_defaults(tape, report) -> None:
    """Absent interest and fees count as 0, months from days, each loan its own borrower: all
    reported."""
    for col in ("interest", "fees"):
        if col not in tape:
            tape[col] = 0.0
            report.derived.append(f"{col}: no such column in the tape; counted as 0")
        elif tape[col].isna().any():
            report.derived.append(
                f"{col}: {int(tape[col].isna().sum()):,} blank cell(s) counted as 0"
            )
            tape[col] = tape[col].fillna(0.0)
    if "months_overdue" not in tape and "days_overdue" in tape:
        tape["months_overdue"] = tape["days_overdue"] / 30.4375
        report.derived.append("months_overdue: from days_overdue / 30.4375")
    if "borrower_id" not in tape:
        tape["borrower_id"] = tape["loan_id"]
        report.derived.append("borrower_id: no such column; each loan counted as its own borrower")
    tape["total"] = tape["principal"] + tape["interest"] + tape["fees"]


def _categories(tape: pd.DataFrame, report: IntakeReport) -> None:
    """Provinces to short names, loan classes to 正常..损失, security to the strongest type and
    a guarantee flag."""
    for col, table, suffixes in (
        ("region", V.PROVINCES, ("省", "市")),
        ("five_category", V.FIVE_CATEGORIES, ("类",)),
        ("collateral_type", V.COLLATERAL_TYPES, ()),
    ):
        if col in tape:
            tape[col], changed, unknown = N.map_categories(tape[col], table, suffixes)
            if changed:
                report.normalised[col] = changed
            if unknown:
                report.unrecognised[col] = unknown
    if "security" in tape:
        tape["security"], tape["guaranteed"], changed, unknown = N.map_security(tape["security"])
        tape["secured"] = tape["security"].isin(("mortgage", "pledge"))
        if changed:
            report.normalised["security"] = changed
        if unknown:
            report.unrecognised["security"] = unknown
