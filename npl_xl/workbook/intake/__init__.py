"""Loan tapes as servicers send them -> one row per loan with canonical columns, amounts in yuan,
and a report of everything the intake did.

``read_tape(path, sheet=None, encoding=None, unit=None)`` finds the header anywhere in the first 30
rows of any sheet, matches headers by alias after normalising full-width characters, spaces,
brackets and unit suffixes, gives each amount column the unit its header states (else ``unit``,
else the title's 金额单位, else 元, each reported; a unit word not understood stops the intake),
finds the cut-off date anywhere in the title rows or beside a 封包日/基准日 cell (or takes
``cutoff``), drops blank rows and a totals row (checking it against the column sums), reads amounts
written as text and dates in every common form (date cells, Excel serials, ``2021/3/5``,
``20210305``, ``2021年3月5日``), normalises provinces, loan classes and security types, warns of
implausible values per field, and lists every problem of the tape in one :class:`TapeError`. The
report is ``tape.attrs["intake"]`` (:class:`IntakeReport`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import classes as C
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
        message = N.printable(message, keep_newlines=True)
        super().__init__(message)
        self.problems = [N.printable(p) for p in problems] if problems else [message]


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
    #: amount column as written -> (unit, where it came from)
    units: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: plausibility warnings, one line per field
    warnings: list[str] = field(default_factory=list)
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
        if self.units:
            out.append(
                "Amount units: "
                + "; ".join(f"{h} in {u} ({where})" for h, (u, where) in self.units.items())
                + "; amounts converted to 元"
            )
        else:
            out.append(f"Amount unit: {self.unit} ({self.unit_source}); amounts converted to 元")
        if self.cutoff:
            out.append(f"Cut-off date: {self.cutoff.isoformat()} ({self.cutoff_source})")
        out += [f"Warning: {w}" for w in self.warnings]
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
        return [N.printable(line) for line in out]


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
            canon, unit, _ = N.match_header(cell)
            if canon and canon not in seen:
                cols[j], units[j] = canon, unit
                seen.add(canon)
        score = len(seen) + 10 * all(r in seen for r in V.REQUIRED)
        if score > best[3]:
            best = (i, cols, units, score)
    return best


def parse_unit_option(unit) -> tuple[str | None, dict[str, str]]:
    """``--unit`` values -> (the unit for amount columns stating none, {column: unit} overrides).

    Each value is a unit ('万元') or ``column=unit`` ('年收入=万元', 'annual_income=万元'; the
    column as written in the tape or its canonical name)."""
    values = [unit] if isinstance(unit, str) else list(unit or ())
    default: str | None = None
    per_column: dict[str, str] = {}
    for v in values:
        col, _, word = str(v).rpartition("=")
        canon = N.parse_unit(word)
        if canon is None:
            raise TapeError(f"--unit: {word!r} is not a unit understood ({V.UNIT_WORDS})")
        if col.strip():
            per_column[N.key(col)] = canon
        elif default not in (None, canon):
            raise TapeError(f"--unit: given twice ({default}, {canon}); give one, or column=unit")
        else:
            default = canon
    return default, per_column


def _resolve_units(
    where: str,
    labels: dict[str, str],
    header_units: dict[str, str],
    title: tuple[str, str] | None,
    unit,
) -> dict[str, tuple[str, str]]:
    """{amount column: (unit, where it came from)}: a ``column=unit`` option, else the header's
    suffix, else the ``--unit`` default, else the title's unit, else 元 (assumed)."""
    default, per_column = parse_unit_option(unit)
    known = {N.key(labels[c]): c for c in labels} | {N.key(c): c for c in labels}
    override: dict[str, str] = {}
    for k, u in per_column.items():
        col = known.get(k) or N.match_header(k)[0]
        if col not in labels or col not in V.AMOUNT_COLUMNS:
            amounts = ", ".join(labels[c] for c in V.AMOUNT_COLUMNS if c in labels)
            raise TapeError(f"--unit: no amount column {k} in {where} (amount columns: {amounts})")
        override[col] = u
    out: dict[str, tuple[str, str]] = {}
    for col in (c for c in V.AMOUNT_COLUMNS if c in labels):
        if col in override:
            out[col] = (override[col], "--unit for this column")
        elif col in header_units:
            out[col] = (header_units[col], "header")
        elif default:
            out[col] = (default, "--unit")
        elif title:
            out[col] = (title[0], f"title line {title[1]!r}")
        else:
            out[col] = ("元", "assumed: no unit in the header or a title line; give --unit if not")
    return out


def read_tape(
    path,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    unit=None,
    today: dt.date | None = None,
    cutoff: dt.date | None = None,
    closing: dt.date | None = None,
) -> pd.DataFrame:
    """Read, normalise and validate a loan tape (CSV or XLSX). See the module docstring.

    ``unit``: a unit, or ``column=unit`` texts, or a list of them (see :func:`parse_unit_option`);
    ``cutoff`` overrides the date the tape states; ``closing`` (the deal's closing date) is checked
    to come after the cut-off date.

    Returns one row per loan with canonical columns (those present of ``COLUMN_ALIASES``, plus
    ``security``/``guaranteed``/``secured`` when a security column exists and ``total`` =
    principal + interest + fees), amounts in yuan; ``.attrs["intake"]`` is the
    :class:`IntakeReport`. Raises :class:`TapeError` listing every problem.
    """
    path = os.fspath(path)
    name = os.path.basename(path)
    if not os.path.exists(path):
        raise TapeError(f"loan tape: no such file {path!r}")
    sheets, how = read_raw(path, encoding=encoding, columnar=True)
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
    title_unit, found = _title_facts(
        chosen.rows[:i], where=name + (f"!{chosen.name}" if chosen.name else "")
    )
    header = chosen.rows[i]
    tape = normalise_rows(
        header,
        chosen.data(i + 1),
        first_row=i + 2,
        name=name,
        sheet=chosen.name,
        report=report,
        title_unit=title_unit,
        unit=unit,
        today=today,
    )
    if cutoff is not None:
        report.cutoff, report.cutoff_source = (
            cutoff,
            "--cutoff" + (f"; the tape says {found[0].isoformat()} ({found[1]})" if found else ""),
        )
    elif found:
        report.cutoff, report.cutoff_source = found
    _check_cutoff(tape, report, closing)
    return tape


def _title_facts(rows: list[list], where: str):
    """(the title's amount unit and the text saying it, or None; the cut-off date and where it was
    found, or None) from the rows above the header. A unit word not understood raises."""
    unit: tuple[str, str] | None = None
    cutoff: tuple[dt.date, str] | None = None
    for r, row in enumerate(rows):
        for j, cell in enumerate(row):
            if not isinstance(cell, str) or not cell.strip():
                continue
            found_unit, unknown = N.unit_in_title(cell)
            if unknown:
                raise TapeError(
                    f"{where} row {r + 1}: the amount unit {unknown!r} in {N.nfkc(cell)!r} is not "
                    f"one understood ({V.UNIT_WORDS}); fix the title or give --unit"
                )
            if found_unit and unit is None:
                unit = (found_unit, N.nfkc(cell))
            if cutoff is not None:
                continue
            date = N.cutoff_in_title(cell)
            if date:
                cutoff = (date, f"title line {N.nfkc(cell)!r}")
            elif N.cutoff_label(cell):  # a 封包日 cell: the date is in the next filled cell
                nxt = next((c for c in row[j + 1 :] if c not in (None, "")), None)
                date = N.one_date(nxt) if nxt is not None else None
                if date:
                    cutoff = (date, f"cell beside {N.nfkc(cell)!r} on row {r + 1}")
    return unit, cutoff


def _check_cutoff(tape: pd.DataFrame, report: IntakeReport, closing: dt.date | None) -> None:
    """A cut-off date must come before closing (error) and after every default date (warning)."""
    if report.cutoff is None:
        return
    if closing is not None and report.cutoff >= closing:
        raise TapeError(
            f"cut-off date {report.cutoff.isoformat()} ({report.cutoff_source}) is not before the "
            f"closing date {closing.isoformat()}"
        )
    if "default_date" in tape:
        late = tape["default_date"] > pd.Timestamp(report.cutoff)
        if late.any():
            rows = ", ".join(str(x) for x in tape.loc[late, "loan_id"].head(3))
            report.warnings.append(
                f"{int(late.sum()):,} loan(s) default after the cut-off date "
                f"{report.cutoff.isoformat()} (e.g. {rows}); check the cut-off date"
            )


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
    rows: list[list] | pd.DataFrame,
    *,
    first_row: int = 2,
    name: str = "loan tape",
    sheet: str | None = None,
    report: IntakeReport | None = None,
    title_unit: tuple[str, str] | None = None,
    unit=None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Header + data rows (``first_row`` = the file row of ``rows[0]``) -> the canonical tape."""
    report = report or IntakeReport(source=name, sheet=sheet, header_row=first_row - 1)
    where = name + (f"!{sheet}" if sheet else "")
    cols, labels, header_units = _map_header(header, report, where)
    units = _resolve_units(where, labels, header_units, title_unit, unit)
    report.units = {labels[c]: u for c, u in units.items()}
    report.unit, report.unit_source = units["principal"]
    tape, totals = _loan_rows(header, rows, cols, first_row, report)
    check = _Problems(labels)
    _numbers(tape, totals, {c: V.UNITS[u] for c, (u, _) in units.items()}, check, report, labels)
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
    report.warnings += plausibility(tape, labels)
    tape = tape.reset_index(drop=True)
    report.loans = len(tape)
    tape.attrs["intake"] = report
    return tape


def _map_header(header: list, report: IntakeReport, where: str):
    """({column index: canonical}, {canonical: header as written}, {canonical: unit in its
    suffix})."""
    cols: dict[int, str] = {}
    labels: dict[str, str] = {}
    header_units: dict[str, str] = {}
    for j, h in enumerate(header):
        text = _text(h).strip() if h not in (None, "") else ""
        if not text:
            continue
        canon, u, unknown = N.match_header(text)
        if canon in V.AMOUNT_COLUMNS and unknown:
            raise TapeError(
                f"{where}: the unit {unknown!r} in the header {text!r} is not one understood "
                f"({V.UNIT_WORDS}); fix the header or give --unit {text}=<unit>"
            )
        if canon is None:
            report.ignored[text] = "not a known column"
        elif canon in cols.values():
            report.ignored[text] = f"second {canon} column"
        else:
            cols[j], labels[canon] = canon, text
            report.mapping[text] = canon
            if u and canon in V.AMOUNT_COLUMNS:
                header_units[canon] = u
    missing = [c for c in V.REQUIRED if c not in cols.values()]
    if missing:
        found = ", ".join(_text(h) for h in header if h not in (None, "")) or "nothing"
        raise TapeError(f"{where}: missing column(s) {', '.join(missing)} (headers found: {found})")
    return cols, labels, header_units


def _loan_rows(header, rows, cols, first_row, report) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the loans, the totals rows) in canonical columns, indexed by file row; blank and totals rows
    are reported as dropped."""
    if isinstance(rows, pd.DataFrame):  # a columnar CSV (intake.sources)
        width = max(len(header), rows.shape[1])
        grid = rows.copy()
        grid.columns = range(rows.shape[1])
    else:
        width = max([len(header)] + [len(r) for r in rows[:1]])
        grid = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame(columns=range(width))
    for j in range(grid.shape[1], width):  # short rows: the missing cells are blank
        grid[j] = ""
    grid.index = np.arange(len(grid)) + first_row
    blank = np.ones(len(grid), bool)
    for j in grid.columns:  # each column only where every column before it is blank
        rows = np.flatnonzero(blank)
        if not len(rows):
            break
        blank[rows] = N.is_blank(grid[j].iloc[rows]).to_numpy()
    report.dropped += [(int(r), "blank") for r in grid.index[blank]]
    grid = grid[~blank]
    is_total = pd.Series(False, index=grid.index)  # a total word in one of the first three cells
    for j in list(grid.columns)[:3]:
        cells = grid[j]
        values = cells.to_numpy(dtype=object)
        if N.all_text(values):  # no total word anywhere in the column: no totals row there
            joined = re.sub(r"[\s:：]+", "", "\n".join(values.tolist())).lower()
            if not any(w.lower() in joined for w in V.TOTAL_WORDS):
                continue
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


def _numbers(tape, totals, scales: dict[str, float], check: _Problems, report, labels) -> None:
    """Amounts (to 元, ``scales``: 元 per unit of each amount column) and counts; the totals row,
    if any, checked against the column sums."""
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
        tape[col] = values * scales[col] if col in V.AMOUNT_COLUMNS else values


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
        if not N.all_text(cells.to_numpy(dtype=object)):
            other = cells.map(type).ne(str) & cells.notna()
            cells = cells.where(~other, cells[other].map(_text)) if other.any() else cells
        text = cells.astype(object).where(~N.is_blank(cells), None)
        tape[col] = N.clean_texts(text)


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
    _stages_and_tiers(tape, report)
    if "security" in tape:
        tape["security"], tape["guaranteed"], changed, unknown = N.map_security(tape["security"])
        tape["secured"] = tape["security"].isin(("mortgage", "pledge"))
        if changed:
            report.normalised["security"] = changed
        if unknown:
            report.unrecognised["security"] = unknown


def plausibility(tape: pd.DataFrame, labels: dict[str, str]) -> list[str]:
    """One warning per field with values outside :data:`~.vocabulary.PLAUSIBLE` (amounts in 元):
    the count and the first examples (loan id: value)."""
    out = []
    for col, (lo, hi, unit) in V.PLAUSIBLE.items():
        if col == "ltv":
            if "appraisal_value" not in tape:
                continue
            values = tape["principal"] / tape["appraisal_value"].where(tape["appraisal_value"] > 0)
            label = "LTV (principal / appraisal value)"
        elif col in tape:
            values, label = tape[col].astype(float), labels.get(col, col)
        else:
            continue
        bad = values.notna() & ((values < lo) | (values > hi))
        if bad.any():
            shown = ", ".join(
                f"{i}: {v:,.4g}" for i, v in zip(tape.loc[bad, "loan_id"].head(3), values[bad])
            )
            out.append(
                f"{label}: {int(bad.sum()):,} of {int(values.notna().sum()):,} value(s) outside "
                f"the plausible {lo:,g}-{hi:,g} {unit} (e.g. {shown}); check the unit or the data"
            )
    return out


def _stages_and_tiers(tape: pd.DataFrame, report: IntakeReport) -> None:
    """Legal stages to the disposal-months table's words (blanks filled from a 备注 remark naming
    one); city tiers from tier words or, where blank, from the city."""
    label = {canon: text for text, canon in report.mapping.items()}
    if "legal_stage" in tape:
        stage, changed = C.legal_stages(tape["legal_stage"])
        unknown = tape["legal_stage"][tape["legal_stage"].notna() & stage.isna()]
        tape["legal_stage"] = stage.where(stage.notna(), tape["legal_stage"])
        if changed:
            report.normalised["legal_stage"] = changed
        if len(unknown):
            report.unrecognised["legal_stage"] = {
                str(k): int(v) for k, v in unknown.value_counts().items()
            }
    if "remarks" in tape:
        filled = _fill_blanks(tape, "legal_stage", C.legal_stages(tape["remarks"])[0])
        if filled:
            report.derived.append(
                f"legal_stage: {filled:,} loan(s) from a stage named in {label['remarks']}"
            )
    if "city_tier" in tape:
        words = {N.key(w): t for w, t in V.TIER_WORDS.items()}
        tier = tape["city_tier"].map(lambda v: words.get(N.key(v)) if v is not None else None)
        unknown = tape["city_tier"][tape["city_tier"].notna() & tier.isna()]
        if len(unknown):
            report.unrecognised["city_tier"] = {
                str(k): int(v) for k, v in unknown.value_counts().items()
            }
        tape["city_tier"] = tier.astype(object)
    if "city" in tape:
        tiers, unlisted = C.city_tiers(tape["city"])
        filled = _fill_blanks(tape, "city_tier", tiers)
        if filled:
            shown = ", ".join(
                f"{c} ({n:,})" for c, n in sorted(unlisted.items(), key=lambda x: -x[1])[:6]
            )
            report.derived.append(
                f"city_tier: {filled:,} loan(s) from {label['city']}"
                + (f"; not in the tier-1/2 lists, so tier 3: {shown}" if unlisted else "")
            )


def _fill_blanks(tape: pd.DataFrame, column: str, found: pd.Series) -> int:
    """Fill the blanks of ``column`` (made when the tape has none) where ``found`` has a value;
    returns the loans filled."""
    blank = tape[column].isna() if column in tape else True
    fill = found.notna() & blank
    if fill.any():
        if column not in tape:
            tape[column] = pd.Series(None, index=tape.index, dtype=object)
        tape.loc[fill, column] = found[fill]
    return int(fill.sum())
