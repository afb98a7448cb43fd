"""Layer 3: deal inputs as tables (a header row, then one row per item) -> a validated Deal.

The Excel functions and the workbook reader both pass cell blocks through here. Headers are
matched case-insensitively, ignoring spaces, underscores and hyphens, with the aliases below.
A blank cell arrives as None (classic xlwings, openpyxl) or 0 (xlwings Lite); in every optional
column both mean "use the default" (so a cap of 0 is no cap: defer a fee entirely with position
"subordinated" instead). Errors name the table, the row and the column.
"""

from __future__ import annotations

import math
import re

from .deal import Deal

__all__ = [
    "TRANCHE_COLUMNS",
    "FEE_COLUMNS",
    "OPTION_KEYS",
    "EXCEL_ERRORS",
    "COM_ERRORS",
    "excel_error",
    "records",
    "deal_from_tables",
    "options_dict",
]

from .cells import COM_ERRORS, EXCEL_ERRORS, excel_error  # noqa: F401 - re-exported (their home moved)

#: canonical column -> accepted header spellings (normalised: lower case, no
# spaces/underscores/hyphens)
TRANCHE_COLUMNS = {
    "name": ("name", "tranche", "class", "档次", "名称"),
    "balance": ("balance", "principal", "size", "amount", "本金", "发行金额"),
    "coupon": ("coupon", "couponrate", "rate", "票面利率", "利率"),
    "seniority": ("seniority", "rank", "优先级"),
    "issue_price": ("issueprice", "price", "发行价格"),
    "fixed_return": ("fixedreturn", "期间收益"),
    "fixed_return_base": ("fixedreturnbase", "期间收益基数"),
    "index": ("index", "floatingindex", "基准利率"),
    "spread": ("spread", "利差"),
    "floor": ("floor", "下限"),
    "cap": ("cap", "上限"),
    "reset_periods": ("resetperiods", "reset", "重置周期"),
    "rating_basis": ("ratingbasis", "评级基础"),
}
#: a floating coupon's columns (the coupon is {"index", ...} when an index is given)
FLOATING_COLUMNS = ("spread", "floor", "cap", "reset_periods")
FEE_COLUMNS = {
    "name": ("name", "fee", "费用"),
    "basis": ("basis", "type", "计费基础"),
    "rate": ("rate", "费率"),
    "amount": ("amount", "金额"),
    "cap": ("cap", "上限"),
    "position": ("position", "rank", "顺序"),
}
#: options: key -> (where it goes in the deal dict, kind)
OPTION_KEYS = {
    "name": ("name", str),
    "payments_per_year": ("payments_per_year", int),
    "legal_maturity_periods": ("legal_maturity_periods", int),
    "reserve_multiple": ("reserve.multiple", float),
    "reserve_initial": ("reserve.initial", float),
    "incentive_fee_share": ("incentive_fee_share", float),
    "default_event": ("default_event", str),
    "pre_default_order": ("pre_default_order", list),
    "post_default_order": ("post_default_order", list),
    "rates": ("rates", dict),  # "LPR1Y=0.0345, SHIBOR3M=0.018": flat levels of floating indexes
    "delay": (None, int),  # break-even: periods of delay applied with the haircut
    "asset_mix": (None, "mix"),  # "residential=0.6, unsecured=0.4": shares of base recovery
    "discount_rate": (None, float),  # PV loss: discount rate instead of each coupon
}
_REQUIRED = {"tranches": ("name", "balance"), "fees": ("name", "basis")}
_NUMERIC = {
    "spread",
    "floor",
    "reset_periods",
    "balance",
    "coupon",
    "seniority",
    "issue_price",
    "fixed_return",
    "rate",
    "amount",
    "cap",
}
#: text columns too: xlwings Lite delivers a blank cell as 0 (a basis or an index is never 0)
_ZERO_MEANS_DEFAULT = {
    "seniority",
    "issue_price",
    "cap",
    "reset_periods",
    "index",
    "fixed_return_base",
    "rating_basis",
    "position",
}


def _norm(text) -> str:
    return re.sub(r"[\s_\-]+", "", str(text).strip().lower())


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _number_cell(v, col: str, where: str) -> float | int:
    """A numeric table cell (numbers or text with thousands separators) -> float; seniority ->
    int."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        try:
            v = float(str(v).replace(",", "").strip())
        except ValueError:
            raise ValueError(f"{where}: {col}: expected a number, got {v!r}") from None
    v = float(v)
    if not math.isfinite(v):
        raise ValueError(f"{where}: {col}: expected a finite number, got {v!r}")
    if col == "reset_periods":
        if not v.is_integer() or v < 1:
            raise ValueError(
                f"{where}: reset_periods: expected a whole number of periods, got {v:g}"
            )
        return int(v)
    if col != "seniority":
        return v
    if not v.is_integer() or not 1 <= v <= 1e9:
        raise ValueError(f"{where}: seniority: expected a whole rank from 1, got {v:g}")
    return int(v)


def _text_cell(v, col: str) -> str:
    """A text table cell; whole floats lose their '.0'; fee bases and positions are lower case."""
    text = str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip()
    lowered = col in ("basis", "position", "fixed_return_base")
    return text.lower().replace(" ", "_") if lowered else text


def _columns(header: list, table: str, columns: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Canonical column -> its index in the header; the required ones must be there."""
    names = [_norm(h) if not _blank(h) else "" for h in header]
    where = {}
    for col, aliases in columns.items():
        keys = {_norm(a) for a in aliases}
        hits = [i for i, h in enumerate(names) if h in keys]
        if hits:
            where[col] = hits[0]
    missing = [c for c in _REQUIRED.get(table, ()) if c not in where]
    if missing:
        found = ", ".join(str(h) for h in header if not _blank(h)) or "nothing"
        raise ValueError(
            f"{table}: no {' or '.join(missing)} column in the header row (found: {found})"
        )
    return where


def records(rows, table: str, columns: dict[str, tuple[str, ...]]) -> list[dict]:
    """Rows with a header -> list of dicts keyed by canonical column; blank rows skipped."""
    if not isinstance(rows, (list, tuple)) or not rows or not isinstance(rows[0], (list, tuple)):
        raise ValueError(f"{table}: expected a range with a header row and one row per item")
    where = _columns(list(rows[0]), table, columns)
    out = []
    for r, row in enumerate(rows[1:], start=2):
        if all(_blank(v) or v == 0 for v in row):
            continue
        name = row[where["name"]] if "name" in where and where["name"] < len(row) else None
        at = f"{table} row {r} ({name if not _blank(name) else f'row {r}'})"
        rec = {}
        for col, i in where.items():
            v = row[i] if i < len(row) else None
            err = excel_error(v)
            if err:
                raise ValueError(f"{at}: {col}: the cell holds the Excel error {err}")
            if _blank(v) or (col in _ZERO_MEANS_DEFAULT and v == 0):
                continue
            rec[col] = _number_cell(v, col, at) if col in _NUMERIC else _text_cell(v, col)
        out.append(rec)
    if not out and table == "tranches":
        raise ValueError("tranches: the range has a header but no tranche rows")
    return out


def _option_value(key: str, value):
    """An option cell converted to its kind; raises naming the key."""
    kind = OPTION_KEYS[key][1]
    try:
        if kind is list:
            return [s.strip() for s in str(value).split(",") if s.strip()]
        if kind in (dict, "mix"):  # NAME=number pairs
            pairs = [p.split("=") for p in str(value).split(",") if p.strip()]
            if any(len(p) != 2 for p in pairs):
                raise ValueError
            if kind == "mix":
                return {k.strip().lower(): float(v) for k, v in pairs}
            return {k.strip(): {"level": float(v)} for k, v in pairs}
        if kind is int:
            number = float(value)
            if not number.is_integer():
                raise ValueError
            return int(number)
        if kind is float:
            number = float(value)
            if not math.isfinite(number):
                raise ValueError
            return number
        return str(value).strip()
    except (TypeError, ValueError):
        what = (
            "NAME=number pairs separated by commas"
            if kind in (dict, "mix")
            else getattr(kind, "__name__", kind)
        )
        raise ValueError(f"options: {key}: expected {what}, got {value!r}") from None


def options_dict(rows) -> dict:
    """Two-column key/value cells -> {canonical key: value}; unknown keys raise."""
    if rows is None:
        return {}
    if not isinstance(rows, (list, tuple)) or (rows and not isinstance(rows[0], (list, tuple))):
        raise ValueError("options: expected a two-column range of keys and values")
    keys = {_norm(k): k for k in OPTION_KEYS}
    out = {}
    for row in rows:
        empty_pair = row and row[0] == 0 and (len(row) < 2 or _blank(row[1]) or row[1] == 0)
        if not row or _blank(row[0]) or empty_pair:
            continue
        if len(row) < 2:
            raise ValueError("options: expected a two-column range of keys and values")
        key = keys.get(_norm(row[0]))
        if key is None:
            raise ValueError(f"options: unknown key {row[0]!r}; keys are {', '.join(OPTION_KEYS)}")
        if _blank(row[1]):
            continue
        err = excel_error(row[1])
        if err:
            raise ValueError(f"options: {key}: the cell holds the Excel error {err}")
        out[key] = _option_value(key, row[1])
    return out


def _coupons(rows: list[dict]) -> None:
    """A tranche row with an index gets a floating coupon {index, spread, floor, cap, reset}."""
    for i, t in enumerate(rows, start=2):
        floating = {k: t.pop(k) for k in FLOATING_COLUMNS if k in t}
        if "index" not in t:
            given = [k for k, v in floating.items() if v != 0]  # 0: a blank cell in Lite
            if given:
                raise ValueError(
                    f"tranches row {i} ({t.get('name')}): {given[0]}: a floating "
                    "coupon needs an index"
                )
            continue
        if t.get("coupon"):
            raise ValueError(
                f"tranches row {i} ({t.get('name')}): give a coupon or an index, not both"
            )
        t["coupon"] = {"index": t.pop("index"), **floating}


def deal_from_tables(
    tranches, fees=None, options=None, *, n_periods: int | None = None, structures=None
) -> tuple[Deal, dict]:
    """Build a Deal from a tranche table, a fee table and key/value options.

    Tranches without a seniority are ranked in row order (first row most senior).
    ``n_periods`` (e.g. the length of the collections) sets the legal maturity unless the
    options give one; ``structures`` (rates, triggers, facilities as deal keys) join the deal.
    Returns the deal and the options that are not deal fields (delay, discount_rate).
    """
    opts = options_dict(options)
    tr = records(tranches, "tranches", TRANCHE_COLUMNS)
    _coupons(tr)
    for i, t in enumerate(tr):
        t.setdefault("seniority", i + 1)
    fe = records(fees, "fees", FEE_COLUMNS) if fees not in (None, [], ()) else []
    data: dict = {"name": opts.pop("name", "Excel deal"), "tranches": tr, "fees": fe}
    extra = {}
    for key, value in opts.items():
        target = OPTION_KEYS[key][0]
        if target is None:
            extra[key] = value
        elif "." in target:
            outer, inner = target.split(".")
            data.setdefault(outer, {})[inner] = value
        else:
            data[target] = value
    if n_periods is not None:
        data.setdefault("legal_maturity_periods", n_periods)
    data.update(structures or {})
    return Deal.from_dict(data), extra
