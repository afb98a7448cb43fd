"""Trustee reports (受托机构报告 / 收益分配报告) as servicers and trustees publish them ->
:class:`npl_xl.surveil.TrusteeReport`.

``read_trustee_report(path, deal, unit=None, deal_unit="万元", sheet=None)`` reads a CSV or XLSX
(any sheet; a deal workbook holding the report as a sheet works too) with one row per payment
date: the period number and/or the payment date, the collections received, and where given fees,
each tranche's interest and principal paid and balance after payment, the notes' balance and the
reserve balance. Headers in Chinese or English are matched as the tape intake matches them
(full-width characters, spaces, brackets and unit suffixes normalised); the header row may be
anywhere in the first 30 rows; the amount unit comes from header suffixes, a title line or
``unit`` (conflicts are an error; a report stating none is taken to be in the deal's unit, and
the intake report says so). A title line '剩余回收预测覆盖 / Override remaining recovery'
followed by an amount is the analyst's override of the re-projection. The first bad cell stops
the intake with one line naming its row and column.
"""

from __future__ import annotations

import datetime as dt
import os
import re

import numpy as np
import pandas as pd

from ..assumptions import DEAL_UNITS
from ..deal import Deal
from ..surveil.report import TrusteeReport
from .intake import HEADER_SEARCH_ROWS, TapeError
from .intake import normalise as N
from .intake import vocabulary as V
from .intake.sources import read_raw

__all__ = [
    "read_trustee_report",
    "report_sheet",
    "REPORT_ALIASES",
    "TRANCHE_FIELDS",
    "REPORT_SHEETS",
]

#: names of the sheet that holds the trustee report inside a deal workbook (compared normalised)
REPORT_SHEETS = ("TrusteeReport", "Trustee report", "受托机构报告", "收益分配报告")

#: deal-level columns -> accepted headers (compared after normalisation)
REPORT_ALIASES: dict[str, tuple[str, ...]] = {
    "period": ("期数", "期次", "期号", "支付期", "期间", "period", "period no", "payment period"),
    "date": (
        "支付日",
        "兑付日",
        "分配日",
        "收益分配日",
        "支付日期",
        "兑付日期",
        "付息兑付日",
        "date",
        "payment date",
        "distribution date",
    ),
    "collections": (
        "本期回收金额",
        "回收金额",
        "本期回收款",
        "回收款",
        "本期回收",
        "本期净回收",
        "净回收款",
        "本期收入",
        "collections",
        "collection",
        "net collections",
        "recoveries",
    ),
    "fees": ("税费", "费用", "本期费用", "税费及费用", "fees", "fees paid", "expenses"),
    "reserve": (
        "储备账户余额",
        "流动性储备账户余额",
        "储备金余额",
        "储备账户",
        "reserve",
        "reserve balance",
        "reserve account",
    ),
    "notes_balance": ("证券余额", "证券本金余额", "notes balance", "notes outstanding"),
    "override": ("剩余回收预测覆盖", "回收预测覆盖", "override remaining recovery", "override"),
}
#: per-tranche fields: header suffix -> field (longest suffixes tried first)
TRANCHE_FIELDS: dict[str, str] = {
    "利息": "interest_paid",
    "本期利息": "interest_paid",
    "利息支付": "interest_paid",
    "本金": "principal_paid",
    "本期本金": "principal_paid",
    "本金支付": "principal_paid",
    "余额": "balance",
    "证券余额": "balance",
    "本金余额": "balance",
    "未偿本金余额": "balance",
    "interest": "interest_paid",
    "interestpaid": "interest_paid",
    "principal": "principal_paid",
    "principalpaid": "principal_paid",
    "balance": "balance",
    "balanceafterpayment": "balance",
}
#: tranche words -> position: 0 the most senior, -1 the most junior, 1 the middle of three
_TRANCHE_WORDS = {
    "优先": 0,
    "优先a": 0,
    "senior": 0,
    "classa": 0,
    "a": 0,
    "中间": 1,
    "夹层": 1,
    "mezzanine": 1,
    "mezz": 1,
    "次级": -1,
    "sub": -1,
    "subordinated": -1,
    "equity": -1,
}
_ALIASES = {N.key(a): c for c, aliases in REPORT_ALIASES.items() for a in aliases}
_FIELDS = sorted(((N.key(s), f) for s, f in TRANCHE_FIELDS.items()), key=lambda x: -len(x[0]))
_TRANCHE_SUFFIX = re.compile(r"(档|级|证券|类|notes?|class|tranche)$")


def _words(prefix: str) -> list[str]:
    """The tranche word with 0, 1 and 2 trailing '档', '级', 'notes' ... taken off."""
    out = [prefix]
    for _ in range(2):
        out.append(_TRANCHE_SUFFIX.sub("", out[-1]))
    return out


def report_sheet(path) -> str | None:
    """The trustee-report sheet of a deal workbook (one of :data:`REPORT_SHEETS`), or None."""
    from openpyxl import load_workbook

    wanted = {N.key(n) for n in REPORT_SHEETS}
    wb = load_workbook(os.fspath(path), read_only=True)
    try:
        return next((n for n in wb.sheetnames if N.key(n) in wanted), None)
    finally:
        wb.close()


def _resolve_unit(
    name: str, header_units: dict[str, str], title: tuple[str, str] | None, unit: str | None
) -> tuple[str, str]:
    """The one amount unit of the report and where it came from; conflicting signals raise."""
    signals: list[tuple[str, str]] = [(u, f"header {h!r}") for h, u in header_units.items()]
    if title:
        signals.append((title[0], f"title line {title[1]!r}"))
    if unit:
        canon = N.parse_unit(unit)
        if canon is None:
            raise TapeError(f"--unit: expected one of {', '.join(V.UNITS)}, got {unit!r}")
        signals.append((canon, "--unit"))
    found = {u for u, _ in signals}
    if len(found) > 1:
        listed = "; ".join(f"{where} says {u}" for u, where in signals)
        raise TapeError(
            f"{name}: the amount unit is ambiguous ({listed}); fix the report or give --unit"
        )
    if not signals:
        return "元", "assumed: no unit in the headers or a title line"
    u, where = signals[-1] if unit else signals[0]
    more = f" and {len(signals) - 1} more" if len(signals) > 1 else ""
    return u, ("--unit" if unit else where + more)


def _match(header, deal: Deal) -> tuple[str | None, str | None]:
    """(column id or None, unit in the suffix): 'collections', ... or 'balance:Senior'."""
    base, unit, _ = N.split_unit(header)
    k = N.key(base)
    if k in _ALIASES:
        return _ALIASES[k], unit
    names = {N.key(t.name): t.name for t in deal.ordered_tranches}
    ordered = [t.name for t in deal.ordered_tranches]
    for suffix, field in _FIELDS:
        if not k.endswith(suffix) or len(k) == len(suffix):
            continue
        prefix = k[: -len(suffix)]
        for word in _words(prefix):
            if word in names:
                return f"{field}:{names[word]}", unit
            pos = _TRANCHE_WORDS.get(word)
            if pos is not None and (pos != 1 or len(ordered) == 3):
                return f"{field}:{ordered[pos]}", unit
        return f"unknown tranche:{base}", unit
    return None, unit


def _find_header(rows: list[list], deal: Deal) -> tuple[int, dict[int, str], dict[int, str], int]:
    best: tuple[int, dict[int, str], dict[int, str], int] = (-1, {}, {}, 0)
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cols: dict[int, str] = {}
        units: dict[int, str] = {}
        for j, cell in enumerate(row):
            if isinstance(cell, str) and cell.strip():
                canon, unit = _match(cell, deal)
                if canon and canon != "override" and canon not in cols.values():
                    cols[j] = canon
                    if unit:
                        units[j] = unit
        found = set(cols.values())
        score = len(found) + 10 * ("collections" in found and bool({"period", "date"} & found))
        if score > best[3]:
            best = (i, cols, units, score)
    return best


def _cell(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return str(v)


def read_trustee_report(
    path,
    deal: Deal,
    *,
    unit: str | None = None,
    deal_unit: str = "万元",
    sheet: str | None = None,
    encoding: str | None = None,
) -> TrusteeReport:
    """Read and validate the trustee report at ``path`` for ``deal`` (amounts converted from the
    report's unit to ``deal_unit``). See the module docstring."""
    path = os.fspath(path)
    name = os.path.basename(path)
    if not os.path.exists(path):
        raise ValueError(f"trustee report: no such file {path!r}")
    if deal_unit not in DEAL_UNITS:
        raise ValueError(f"deal_unit: expected one of {', '.join(DEAL_UNITS)}, got {deal_unit!r}")
    sheets, how = read_raw(path, encoding=encoding)
    if sheet is not None:
        sheets = [s for s in sheets if s.name == sheet]
        if not sheets:
            raise ValueError(f"--sheet: {name} has no sheet {sheet!r}")
    (i, cols, units, score), chosen = max(
        ((_find_header(s.rows, deal), s) for s in sheets), key=lambda x: x[0][3]
    )
    where = name + (f"!{chosen.name}" if chosen.name else "")
    if score < 10:
        accepted = "; ".join(
            f"{c}: {', '.join(REPORT_ALIASES[c][:4])}" for c in ("period", "date", "collections")
        )
        raise ValueError(
            f"{where}: no header with the collections and the period or payment date in the first "
            f"{HEADER_SEARCH_ROWS} rows (accepted headers - {accepted})"
        )
    header = chosen.rows[i]
    _check_tranches(header, cols, deal, f"{where} row {i + 1}")
    title_unit, override = _title(chosen.rows[:i], deal, where)
    header_units = {_cell(header[j]): u for j, u in units.items()}
    if not (header_units or title_unit or unit):
        u, u_source = deal_unit, "assumed: the report states no unit, the deal's unit"
    else:
        try:
            u, u_source = _resolve_unit(where, header_units, title_unit, unit)
        except TapeError as exc:
            raise ValueError(str(exc).replace("--unit", "--report-unit")) from None
    scale = V.UNITS[u] / DEAL_UNITS[deal_unit]
    labels = {c: _cell(header[j]) for j, c in cols.items()}
    data = _rows(chosen.rows[i + 1 :], i + 2, cols)
    if not data:
        raise ValueError(f"{where}: no reported period below the header on row {i + 1}")
    rows = [r for r, _ in data]
    frame = pd.DataFrame([v for _, v in data], index=rows, columns=list(cols.values()))
    values = {
        c: _numbers(frame[c], labels[c], where, c == "collections")
        for c in frame
        if c not in ("period", "date")
    }
    dates = _dates(frame, labels, where) if "date" in frame else ()
    _periods(frame, labels, where, deal, dates)
    per_tranche: dict[str, dict[str, np.ndarray]] = {
        "interest_paid": {},
        "principal_paid": {},
        "balance": {},
    }
    for c, v in values.items():
        if ":" in c:
            field, tranche = c.split(":", 1)
            per_tranche[field][tranche] = v * scale
    report_lines = (
        f"Trustee report: {where}, read as {how}; header on row {i + 1}; {len(rows)} period(s)"
        + (f" to {dates[-1]}" if dates and dates[-1] else ""),
        "Columns: " + "; ".join(f"{labels[c]} -> {c}" for c in cols.values()),
        f"Amount unit: {u} ({u_source}); amounts converted to {deal_unit}",
    ) + ((f"Override of the re-projection: {override:,.2f} {u}",) if override is not None else ())
    return TrusteeReport(
        collections=values["collections"] * scale,
        dates=dates,
        interest_paid=per_tranche["interest_paid"],
        principal_paid=per_tranche["principal_paid"],
        balance=per_tranche["balance"],
        notes_balance=values["notes_balance"] * scale if "notes_balance" in values else None,
        fees_paid=values["fees"] * scale if "fees" in values else None,
        reserve=values["reserve"] * scale if "reserve" in values else None,
        rows=tuple(rows),
        source=where,
        override_remaining=None if override is None else override * scale,
        tolerance=scale,
        lines=report_lines,
    )


def _check_tranches(header: list, cols: dict[int, str], deal: Deal, where: str) -> None:
    for j, c in cols.items():
        if c.startswith("unknown tranche:"):
            raise ValueError(
                f"{where}, {_cell(header[j])}: names no tranche of the deal "
                f"(tranches: {', '.join(t.name for t in deal.ordered_tranches)})"
            )


def _title(rows: list[list], deal: Deal, where: str):
    """(the unit a title line states with the line, the override amount) above the header."""
    title_unit, override = None, None
    for r, row in enumerate(rows):
        for j, cell in enumerate(row):
            if not isinstance(cell, str) or not cell.strip():
                continue
            found = next(
                (u for u, _ in map(N.unit_in_title, [cell, *cell.split()]) if u is not None), None
            )
            if title_unit is None and found:
                title_unit = (found, N.nfkc(cell))
            canon, _ = _match(re.split(r"[:：]", cell)[0], deal)
            if canon == "override":
                override = _override(cell, row[j + 1 :], f"{where} row {r + 1}")
    return title_unit, override


def _override(cell: str, rest: list, where: str) -> float | None:
    """The amount after an override label: in the same cell after a colon, or the next cell."""
    text = re.split(r"[:：]", N.nfkc(cell), maxsplit=1)
    candidates = ([text[1]] if len(text) > 1 and text[1].strip() else []) + [
        v for v in rest if str(v).strip()
    ][:1]
    if not candidates:
        return None
    v, failed = N.parse_amounts(pd.Series(candidates[:1], dtype=object))
    if failed.iloc[0] or not v.iloc[0] >= 0:
        raise ValueError(f"{where}, {N.nfkc(cell)}: expected an amount >= 0, got {candidates[0]!r}")
    return float(v.iloc[0])


def _rows(rows: list[list], first: int, cols: dict[int, str]) -> list[tuple[int, list]]:
    """(file row, cells of the mapped columns) of each period row; blank and totals rows skipped."""
    out = []
    for r, row in enumerate(rows, start=first):
        cells = [row[j] if j < len(row) else "" for j in cols]
        if all(str(v).strip() == "" for v in cells):
            continue
        lead = N.key(_cell(next((v for v in row[:3] if str(v).strip()), "")))
        if lead.startswith(V.TOTAL_WORDS):
            continue
        out.append((r, cells))
    return out


def _numbers(cells: pd.Series, label: str, where: str, required: bool) -> np.ndarray:
    """Amounts >= 0 (NaN where blank and not required); the first bad cell raises."""
    values, failed = N.parse_amounts(cells.astype(object))
    for r in cells.index:
        if failed[r]:
            raise ValueError(f"{where} row {r}, {label}: not a number ({_cell(cells[r])!r})")
        if required and np.isnan(values[r]):
            raise ValueError(f"{where} row {r}, {label}: blank")
        if values[r] < 0:
            raise ValueError(f"{where} row {r}, {label}: negative ({values[r]:,.2f})")
    return values.to_numpy(float)


def _dates(frame: pd.DataFrame, labels: dict, where: str) -> tuple[dt.date | None, ...]:
    values, failed, _ = N.parse_dates(frame["date"].astype(object))
    out: list[dt.date | None] = []
    last: tuple[int, dt.date] | None = None
    for r in frame.index:
        if failed[r]:
            raise ValueError(
                f"{where} row {r}, {labels['date']}: not a date ({_cell(frame['date'][r])!r})"
            )
        d = None if pd.isna(values[r]) else values[r].date()
        if d is not None and last is not None and d <= last[1]:
            raise ValueError(
                f"{where} row {r}, {labels['date']}: {d} is not after {last[1]} (row {last[0]}); "
                "dates out of order"
            )
        if d is not None:
            last = (r, d)
        out.append(d)
    return tuple(out)


def _periods(frame: pd.DataFrame, labels: dict, where: str, deal: Deal, dates) -> None:
    """Periods run 1, 2, ... (the row order when there is no period column) within legal
    maturity."""
    n = deal.legal_maturity_periods or len(deal.base_collections())
    given = frame.get("period")
    for k, r in enumerate(frame.index, start=1):
        if given is not None:
            v, failed = N.parse_amounts(pd.Series([given[r]], dtype=object))
            p = v.iloc[0]
            if failed.iloc[0] or np.isnan(p) or p != int(p):
                raise ValueError(
                    f"{where} row {r}, {labels['period']}: expected a whole period number, got "
                    f"{_cell(given[r])!r}"
                )
            if int(p) != k:
                raise ValueError(
                    f"{where} row {r}, {labels['period']}: expected period {k} (periods run 1, "
                    f"2, ... from closing, one row each), got {int(p)}"
                )
        if k >= n:
            col = labels.get("period") or labels.get("date") or "period"
            raise ValueError(
                f"{where} row {r}, {col}: period {k} is at or beyond legal maturity ({n} periods)"
            )
