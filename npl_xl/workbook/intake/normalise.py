"""Normalising what a tape says: header keys, units, amounts, dates and categories (vectorised over
rows)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import numpy as np
import pandas as pd

from . import vocabulary as V

#: Excel's 1900 date system: serial 1 is 1900-01-01 (with the phantom 1900-02-29), so day 0 is
# 1899-12-30
EXCEL_EPOCH = dt.date(1899, 12, 30)
#: serial numbers read as dates: 1930-01-01 .. 2099-12-31
SERIAL_RANGE = (10_959, 73_050)
_UNIT_SUFFIX = re.compile(r"[\(\[（【]\s*([^\)\]）】]*)\s*[\)\]）】]\s*$|[/／]\s*(\S+)\s*$")
_STRIP = re.compile(r"[\s_\-\(\)\[\]（）【】:：/／\.·]+")


def nfkc(text) -> str:
    """Unicode NFKC (full-width letters, digits and U+3000 to their plain forms), stripped."""
    return unicodedata.normalize("NFKC", str(text)).strip()


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL_BUT_NEWLINE = re.compile(
    r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
)


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """Text safe to echo to a terminal: control characters (escape sequences, carriage returns,
    bidirectional overrides) removed; newlines kept only if asked."""
    return (_CONTROL_BUT_NEWLINE if keep_newlines else _CONTROL).sub("", text)


def key(text) -> str:
    """A header or category as a comparison key: NFKC, lower case, no spaces, brackets or
    separators."""
    return _STRIP.sub("", nfkc(text).lower())


def parse_unit(text) -> str | None:
    """The canonical unit a unit word names ('元', '人民币万元', 'CNY 10,000', '10k CNY'), or
    None."""
    k = key(text).replace(",", "").replace("'", "")
    k = re.sub(r"^(?:金额|货币)?单位|^(?:currency)?unit(?:s)?", "", k)
    k = re.sub(r"^(?:in)", "", k)
    currency = re.compile(r"人民币|cny|rmb|yuan|元")
    if not currency.search(k):
        return None
    rest = currency.sub("", k)
    return V.UNIT_MULTIPLIERS.get(rest)


def looks_like_unit(text) -> bool:
    """True when a header suffix or title text names some unit (a currency word, a multiplier or a
    unit marker), recognised or not."""
    return bool(V.UNIT_HINT.search(key(text)))


def split_unit(header) -> tuple[str, str | None, str | None]:
    """(header without its unit suffix, the unit named in the suffix or None, the suffix as written
    when it looks like a unit but is not one understood): '本金（元）' -> ('本金', '元', None)."""
    text = nfkc(header)
    m = _UNIT_SUFFIX.search(text)
    if not m:
        return text, None, None
    suffix = m.group(1) or m.group(2) or ""
    unit = parse_unit(suffix)
    unknown = None if unit or not looks_like_unit(suffix) else suffix.strip()
    return text[: m.start()].strip(), unit, unknown


#: alias key -> canonical column (built once)
ALIAS_KEYS = {key(a): canon for canon, aliases in V.COLUMN_ALIASES.items() for a in aliases}


def match_header(header) -> tuple[str | None, str | None, str | None]:
    """(canonical column or None, unit from the header's suffix or None, a unit-like suffix not
    understood or None)."""
    base, unit, unknown = split_unit(header)
    canon = ALIAS_KEYS.get(key(base))
    if canon is None and ALIAS_KEYS.get(key(header)):
        return ALIAS_KEYS[key(header)], None, None
    return canon, unit, unknown


_UNIT_IN_TITLE = re.compile(
    r"(金额单位|货币单位|单位|currency\s*unit|unit)\s*[:：]?\s*((?:\d,\d|[^,，;；)）\]】\n])+)",
    re.IGNORECASE,
)
_DATE = r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?|\d{8}"


def unit_in_title(text) -> tuple[str | None, str | None]:
    """(the amount unit a title line states anywhere in it - '金额单位：元', '（单位：人民币万元）',
    'Unit: CNY 10,000', or a cell that is only a unit such as '（人民币万元）' - or None, the unit
    words as written when they are not understood or None)."""
    t = nfkc(text)
    m = _UNIT_IN_TITLE.search(t)
    if m:
        words = m.group(2).strip()
        unit = parse_unit(words)
        if unit:
            return unit, None
        return None, (words if looks_like_unit(words) else None)
    bare = re.fullmatch(r"[\(\[（【]?\s*([^\)\]）】]+?)\s*[\)\]）】]?", t)
    if bare and len(bare.group(1)) <= 12:
        return parse_unit(bare.group(1)), None
    return None, None


_CUTOFF_IN_TITLE = re.compile(
    r"(封包日期?|资产池基准日|初始起算日|基准日|cut\s*-?\s*off(?:\s*date)?|as\s*of)\s*[:：]?\s*("
    + _DATE
    + ")",
    re.IGNORECASE,
)


def cutoff_in_title(text) -> dt.date | None:
    """The cut-off date a title line states anywhere in it ('…清单（封包日：2024年6月30日）',
    'Cut-off date: 2021/6/30'), or None."""
    m = _CUTOFF_IN_TITLE.search(nfkc(text))
    return _one_date(m.group(2)) if m else None


def cutoff_label(text) -> bool:
    """True when a cell is only a cut-off label ('封包日', '基准日：', 'Cut-off date')."""
    k = key(text).replace("-", "")
    return k in V.CUTOFF_MARKERS


def _one_date(text) -> dt.date | None:
    d = parse_dates(pd.Series([text], dtype=object))[0].iloc[0]
    return None if pd.isna(d) else d.date()


def one_date(value) -> dt.date | None:
    """A single cell as a date (any form :func:`parse_dates` reads), or None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _one_date(value)


def is_blank(values: pd.Series) -> pd.Series:
    """True where a cell is empty (None, NaN, '' or only spaces)."""
    blank = values.isna().to_numpy().copy()
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        arr = values.to_numpy(dtype=object)
        blank |= np.fromiter(
            (v.__class__ is str and (not v or v.isspace()) for v in arr), bool, len(arr)
        )
    return pd.Series(blank, index=values.index)


def all_text(arr: np.ndarray) -> bool:
    """True when every cell of an object array is a str (a CSV column), checked in C."""
    from pandas.api.types import infer_dtype

    return len(arr) > 0 and infer_dtype(arr, skipna=False) == "string"


def clean_texts(values: pd.Series) -> pd.Series:
    """Texts in NFKC, stripped: a column of plain ASCII without surrounding spaces unchanged
    (checked on the joined column), else once per distinct value."""
    arr = values.to_numpy(dtype=object)
    filled = pd.notna(arr)
    texts = arr[filled] if not filled.all() else arr
    if all_text(texts):
        joined = "\n" + "\n".join(texts.tolist()) + "\n"
        if joined.isascii() and not any(w in joined for w in _EDGE_SPACE):
            out = arr.copy()
            out[~filled] = None
            return pd.Series(out, index=values.index, dtype=object)
    codes, uniques = pd.factorize(values)
    clean = np.array([unicodedata.normalize("NFKC", str(u)).strip() for u in uniques], object)
    out = np.empty(len(arr), dtype=object)
    ok = codes >= 0
    out[ok] = clean[codes[ok]]
    out[~ok] = None
    return pd.Series(out, index=values.index, dtype=object)


#: what shows ASCII white space at the start or end of a cell of a newline-joined column (a
#: line break at a cell's edge shows as two in a row)
_EDGE_SPACE = ("\n ", " \n", "\n\n", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")


def parse_amounts(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers from numbers or text with thousands separators, currency signs and full-width digits.

    Returns (floats with NaN for blanks and failures, True where a non-blank cell failed).
    """
    arr = values.to_numpy(dtype=object) if values.dtype == object else None
    if arr is not None and not all_text(arr):
        is_bool = values.map(type).isin((bool, np.bool_))
    else:
        is_bool = pd.Series(False, index=values.index)
    out = pd.to_numeric(values.where(~is_bool), errors="coerce").astype(float)
    blank = is_blank(values)
    todo = out.isna() & ~blank
    if todo.any():  # text: only the cells that are not plain numbers go through the cleaning
        text = values[todo].map(str).str.normalize("NFKC")
        text = text.str.replace(r"[,\s¥$元€]|人民币|CNY|RMB", "", regex=True, case=False)
        text = text.str.replace(
            r"^\((.*)\)$", r"-\1", regex=True
        )  # accounting negatives (1,234.00)
        out[todo] = pd.to_numeric(text.where(text != "", None), errors="coerce").astype(float)
    return out, out.isna() & ~blank


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Dates from date cells, Excel serial numbers (as numbers or text), '2021-03-05', '2021/3/5',
    '2021.3.5', '20210305' and '2021年3月5日' (a time part is ignored).

    Returns (datetime64 with NaT for blanks and failures, True where a non-blank cell failed,
    True where the value was an Excel serial number).
    """
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    is_date = values.map(type).isin((dt.date, dt.datetime, pd.Timestamp))
    if is_date.any():
        out[is_date] = pd.to_datetime(values[is_date].map(lambda v: pd.Timestamp(v).normalize()))
    rest = ~is_date & ~is_blank(values)
    cells = values[rest]
    if not all_text(cells.to_numpy(dtype=object)):
        cells = cells.map(lambda v: repr(v) if isinstance(v, float) else str(v))
    text = clean_texts(cells)
    # the common form first, in C: an ISO date is never a number, so nothing below changes
    iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    if iso.notna().any():
        out[iso[iso.notna()].index] = iso[iso.notna()]
        text = text[iso.isna()]
    number = pd.to_numeric(text, errors="coerce")
    serial = (
        number.notna()
        & (number >= SERIAL_RANGE[0])
        & (number <= SERIAL_RANGE[1])
        & ~text.str.fullmatch(r"\d{8}")
    )
    if serial.any():
        days = np.floor(number[serial].to_numpy(float)).astype("int64")
        out[serial[serial].index] = pd.Timestamp(EXCEL_EPOCH) + pd.to_timedelta(days, unit="D")
    rest_text = text[~serial]
    parts = rest_text.str.extract(
        r"^(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(\d{2})(\d{2}))"
        r"(?:[\sT].*)?$"
    )
    if len(parts):
        year = parts[0].astype(float)
        month = parts[1].fillna(parts[3]).astype(float)
        day = parts[2].fillna(parts[4]).astype(float)
        ok = year.notna() & month.between(1, 12) & day.between(1, 31)
        if ok.any():
            stamps = pd.to_datetime(
                pd.DataFrame({"year": year[ok], "month": month[ok], "day": day[ok]}),
                errors="coerce",
            )
            out[stamps.index] = stamps
    failed = rest & out.isna()
    serial_mask = pd.Series(False, index=values.index)
    serial_mask[serial[serial].index] = True
    return out, failed, serial_mask


def map_categories(
    values: pd.Series, table: dict[str, tuple[str, ...]], strip_suffixes: tuple[str, ...] = ()
) -> tuple[pd.Series, dict[str, str], dict[str, int]]:
    """Map spellings to canonical names (per unique value); unknown values are kept as written.

    Returns (mapped values, {spelling: canonical} for every spelling that changed, {unknown:
    count}).
    """
    lookup = {key(c): c for c in table} | {
        key(a): c for c, aliases in table.items() for a in aliases
    }
    uniques = values.dropna().unique()
    mapping, unknown, changed = {}, {}, {}
    counts = values.value_counts()
    for u in uniques:
        k = key(u)
        canon = lookup.get(k)
        if canon is None:
            for suffix in strip_suffixes:
                if k.endswith(suffix) and lookup.get(k[: -len(suffix)]):
                    canon = lookup[k[: -len(suffix)]]
                    break
        if canon is None:
            mapping[u] = nfkc(u)
            unknown[str(u)] = int(counts.get(u, 0))
        else:
            mapping[u] = canon
            if str(u) != canon:
                changed[str(u)] = canon
    return values.map(mapping), changed, unknown


def map_security(values: pd.Series) -> tuple[pd.Series, pd.Series, dict[str, str], dict[str, int]]:
    """Security type per loan: the strongest collateral named (mortgage > pledge > guaranteed >
    unsecured)
    and whether a guarantee is also named ('抵押+保证' -> mortgage, guaranteed).

    Returns (type or the text as written when unknown, guaranteed flag, {spelling: 'type[,
    guaranteed]'},
    {unknown: count}).
    """
    order = list(V.SECURITY_TYPES)
    words = {key(w): t for t, ws in V.SECURITY_TYPES.items() for w in ws}
    uniques = values.dropna().unique()
    kind, guarantee, changed, unknown = {}, {}, {}, {}
    counts = values.value_counts()
    for u in uniques:
        found: set[str] = set()
        for part in re.split(V.SECURITY_SEPARATORS, nfkc(u)):
            k = key(part)
            if not k:
                continue
            t = words.get(k)
            if t is None:  # a longer phrase: the types whose words it contains ('房产抵押贷款')
                t_all = {t for w, t in words.items() if len(w) > 1 and w in k}
                if not t_all:
                    found = set()
                    break
                found |= t_all
            else:
                found.add(t)
        if not found:
            kind[u], guarantee[u] = nfkc(u), False
            unknown[str(u)] = int(counts.get(u, 0))
            continue
        best = min(found, key=order.index)
        kind[u], guarantee[u] = best, "guaranteed" in found
        label = best + (", guaranteed" if guarantee[u] and best != "guaranteed" else "")
        if str(u) != best:
            changed[str(u)] = label
    return values.map(kind), values.map(guarantee).fillna(False).astype(bool), changed, unknown
