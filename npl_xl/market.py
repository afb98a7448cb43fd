"""Layer 2: the public market dataset of Chinese NPL ABS deals (``npl_xl/data/market/*.csv``).

Five typed tables (docs/methodology.md, "The public market dataset"): ``deals`` (issuance terms,
pool at cut-off, collections before closing), ``tranches``, ``recoveries`` (each agency's base
case), ``ratings`` (initial, presale and tracking) and ``evidence`` (what the agencies cite:
realised against forecast recoveries, recoveries to date, interim collections, ...). Amounts in
万元, rates and shares as decimals, dates ISO. Every row carries the public address it was read
from. Each file opens with ``#`` comment lines, then the column names, then a row of column types
(``str``, ``int``, ``float``, ``date``): the conventions travel with the data.

:func:`load` reads and validates the tables once (cached) and returns a frozen :class:`MarketData`
holding copies; :func:`deal` returns everything about one deal; :func:`summary` one line per deal
(senior share of each agency's base case, latest senior rating).
"""

from __future__ import annotations

import csv
import functools
import io
import math
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported where used: `npl-xl` starts without it
    import pandas as pd

__all__ = [
    "ASSET_CLASSES",
    "TABLES",
    "MarketData",
    "MarketDeal",
    "DealSummary",
    "load",
    "deal",
    "summary",
]

TABLES = ("deals", "tranches", "recoveries", "ratings", "evidence")
ASSET_CLASSES = (
    "credit_card",
    "consumer",
    "residential",
    "corporate",
    "sme",
    "commercial",
    "mixed",
)
#: column -> allowed values (blank always allowed where a column is optional)
_CHOICES = {
    ("deals", "asset_class"): ASSET_CLASSES,
    ("deals", "secured"): ("unsecured", "secured", "mixed"),
    ("deals", "originator_type"): ("bank", "amc"),
    ("deals", "payments_per_year"): (1, 2, 4, 6, 12),
    ("deals", "collected_before_closing_unit"): ("万元", "share_of_senior"),
    ("tranches", "class"): ("senior", "mezzanine", "subordinated"),
    ("tranches", "rate_type"): ("fixed", "floating", "zero_coupon"),
    ("recoveries", "stage"): ("presale", "tracking"),
    ("ratings", "stage"): ("initial", "presale", "tracking"),
    ("evidence", "unit"): ("万元", "share", "ratio", "months", "share_of_senior"),
}
#: columns that must be filled in every row
_REQUIRED = {
    "deals": (
        "code",
        "name_zh",
        "year",
        "originator",
        "asset_class",
        "cutoff_date",
        "closing_date",
        "legal_maturity",
        "pool_balance",
        "source",
    ),
    "tranches": ("code", "tranche", "class", "seniority", "balance", "source"),
    "recoveries": ("code", "agency", "stage", "base_case", "base_case_rate", "source"),
    "ratings": ("code", "tranche", "stage", "rating", "source"),
    "evidence": ("code", "stage", "kind", "quote", "source"),
}
_KEYS = {
    "deals": ("code",),
    "tranches": ("code", "tranche"),
    "recoveries": ("code", "agency", "stage", "date"),
    "ratings": ("code", "tranche", "agency", "stage", "date"),
}
#: decimal columns that must lie in [0, 1]
_SHARES = {
    "deals": (
        "secured_share",
        "subordinated_share",
        "substandard_share",
        "doubtful_share",
        "loss_share",
    ),
    "tranches": ("share_of_notes", "coupon"),
    "recoveries": ("base_case_rate",),
}
#: amount columns (万元) that must be > 0
_AMOUNTS = {
    "deals": ("issued_total", "pool_balance", "pool_principal", "collected_before_closing"),
    "tranches": ("balance",),
    "recoveries": ("base_case",),
}
_TYPES = ("str", "int", "float", "date")
_URL = re.compile(r"https?://\S+$")


@dataclass(frozen=True)
class MarketDeal:
    """Everything the dataset holds on one deal: its ``deals`` row and its rows of the other
    tables."""

    code: str
    deal: pd.Series
    tranches: pd.DataFrame
    recoveries: pd.DataFrame
    ratings: pd.DataFrame
    evidence: pd.DataFrame


@dataclass(frozen=True)
class MarketData:
    """The five tables of the market dataset (pandas frames, one row per record)."""

    deals: pd.DataFrame
    tranches: pd.DataFrame
    recoveries: pd.DataFrame
    ratings: pd.DataFrame
    evidence: pd.DataFrame

    def deal(self, code: str) -> MarketDeal:
        """One deal by its code (case-insensitive), e.g. ``21JIANXIN02``."""
        key = str(code).strip().upper()
        rows = self.deals[self.deals["code"] == key]
        if rows.empty:
            raise ValueError(
                f"code: unknown deal {code!r} ({len(self.deals)} deals; `npl-xl market list` "
                "lists them)"
            )

        def of(frame: pd.DataFrame) -> pd.DataFrame:
            return frame[frame["code"] == key].reset_index(drop=True)

        return MarketDeal(
            key,
            rows.iloc[0],
            of(self.tranches),
            of(self.recoveries),
            of(self.ratings),
            of(self.evidence),
        )


def load(*, folder: str | Path | None = None) -> MarketData:
    """The market dataset, validated (``ValueError`` naming file, line and column otherwise).

    ``folder``: a folder with the five CSV files (default: the packaged dataset, read once and
    cached). The frames returned are copies: changing them changes nothing for later calls.
    """
    data = _packaged() if folder is None else _read(Path(folder))
    return MarketData(*(getattr(data, t).copy() for t in TABLES))


def deal(code: str) -> MarketDeal:
    """One packaged deal by its code (see :meth:`MarketData.deal`)."""
    return load().deal(code)


@dataclass(frozen=True)
class DealSummary:
    """One deal at a glance (:func:`summary`): amounts in 万元, shares as decimals."""

    code: str
    year: int
    asset_class: str
    originator: str
    pool_balance: float
    senior_balance: float
    #: (agency, base case in 万元, rate of the pool balance) per agency
    base_cases: tuple[tuple[str, float, float], ...]
    #: (agency, senior balance / that agency's base case)
    senior_shares: tuple[tuple[str, float], ...]
    #: latest rating of the most senior tranche ("" when none is published) and by whom, when
    senior_rating: str
    senior_rating_by: str


def summary(data: MarketData | None = None) -> list[DealSummary]:
    """One :class:`DealSummary` per deal, in the order of ``deals.csv`` (by closing date)."""
    import pandas as pd

    data = data or load()
    tr = data.tranches
    senior = tr[tr["class"] == "senior"].groupby("code")["balance"].sum()
    first = tr.sort_values("seniority").groupby("code")["tranche"].first()
    rec = data.recoveries[data.recoveries["stage"] == "presale"]
    cases: dict[str, list[tuple[str, float, float]]] = {}
    for code, agency, base, rate in zip(
        rec["code"], rec["agency"], rec["base_case"], rec["base_case_rate"]
    ):
        cases.setdefault(code, []).append((agency, float(base), float(rate)))
    # the latest rating of each deal's most senior tranche (undated ratings count as oldest)
    top = data.ratings.merge(first.reset_index(), on=["code", "tranche"])
    top = top.sort_values("date", na_position="first", kind="stable").groupby("code").last()
    out = []
    for code, year, cls, originator, pool in zip(
        data.deals["code"],
        data.deals["year"],
        data.deals["asset_class"],
        data.deals["originator"],
        data.deals["pool_balance"],
    ):
        s = float(senior.get(code, math.nan))
        c = tuple(cases.get(code, ()))
        rating, by = "", ""
        if code in top.index:
            r = top.loc[code]
            when = "" if pd.isna(r["date"]) else f" {r['date']:%Y-%m-%d}"
            rating, by = (
                str(r["rating"]),
                f"{r['agency'] or 'agency not stated'} {r['stage']}{when}",
            )
        out.append(
            DealSummary(
                code,
                int(year),
                cls,
                originator,
                float(pool),
                s,
                c,
                tuple((a, s / b) for a, b, _ in c),
                rating,
                by,
            )
        )
    return out


# -- reading and validation -------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _packaged() -> MarketData:
    root = resources.files("npl_xl").joinpath("data/market")
    texts = {t: root.joinpath(f"{t}.csv").read_text(encoding="utf-8") for t in TABLES}
    return _validate({t: _parse(t, texts[t]) for t in TABLES})


def _read(folder: Path) -> MarketData:
    texts = {}
    for t in TABLES:
        path = folder / f"{t}.csv"
        if not path.is_file():
            raise ValueError(f"folder: no {t}.csv in {folder}")
        texts[t] = path.read_text(encoding="utf-8")
    return _validate({t: _parse(t, texts[t]) for t in TABLES})


def _parse(table: str, text: str) -> pd.DataFrame:
    """One CSV text -> a typed frame; line numbers (1-based, as in an editor) kept in ``_line``."""
    import pandas as pd

    where = f"market/{table}.csv"
    lines = text.splitlines()
    body = [(n, ln) for n, ln in enumerate(lines, 1) if ln.strip() and not ln.startswith("#")]
    if len(body) < 2:
        raise ValueError(f"{where}: expected a header row and a row of column types")
    rows = list(csv.reader(io.StringIO("\n".join(ln for _, ln in body))))
    header, types = rows[0], rows[1]
    if len(types) != len(header) or any(t not in _TYPES for t in types):
        raise ValueError(
            f"{where} line {body[1][0]}: the second row must give each column's type, one of "
            f"{', '.join(_TYPES)}"
        )
    missing = [c for c in _REQUIRED[table] if c not in header]
    if missing:
        raise ValueError(f"{where}: missing column(s) {', '.join(missing)}")
    columns: dict[str, list] = {c: [] for c in header}
    numbers = []
    for (n, _), row in zip(body[2:], rows[2:]):
        if len(row) != len(header):
            raise ValueError(f"{where} line {n}: {len(row)} cells, expected {len(header)}")
        for c, t, v in zip(header, types, row):
            columns[c].append(_cell(v.strip(), t, f"{where} line {n}, {c}"))
        numbers.append(n)
    frame = pd.DataFrame(columns)
    for c, t in zip(header, types):
        if t == "date":
            frame[c] = pd.to_datetime(frame[c])
        elif t in ("int", "float"):
            frame[c] = frame[c].astype("Float64" if t == "float" else "Int64")
    frame["_line"] = numbers
    return frame


def _cell(v: str, kind: str, where: str):
    import pandas as pd

    if v == "":
        return None if kind != "str" else ""
    try:
        if kind == "int":
            return int(v)
        if kind == "float":
            x = float(v)
            if not math.isfinite(x):
                raise ValueError
            return x
        if kind == "date":
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
                raise ValueError
            return pd.Timestamp(v)
    except ValueError:
        expected = {"int": "a whole number", "float": "a number", "date": "an ISO date"}[kind]
        raise ValueError(f"{where}: expected {expected}, got {v!r}") from None
    return v


def _fail(table: str, frame: pd.DataFrame, bad, message: str) -> None:
    """Raise naming the first offending row of ``frame`` (``bad``: boolean mask)."""
    import pandas as pd

    bad = pd.Series(bad, index=frame.index).fillna(False).astype(bool)
    if bad.any():
        row = frame[bad].iloc[0]
        more = int(bad.sum()) - 1
        extra = f" (and {more} more row{'s' if more > 1 else ''})" if more else ""
        raise ValueError(f"market/{table}.csv line {row['_line']}, {message}{extra}")


def _validate(t: dict[str, pd.DataFrame]) -> MarketData:

    from .models.rating import rating_scale

    for name, frame in t.items():
        for c in _REQUIRED[name]:
            blank = frame[c].isna() | (frame[c].astype(str) == "")
            _fail(name, frame, blank, f"{c}: required, found a blank")
        _fail(name, frame, ~frame["source"].str.match(_URL), "source: expected a web address")
        for c in [c for c in frame.columns if c.endswith("_source")]:
            given = frame[c] != ""
            _fail(name, frame, given & ~frame[c].str.match(_URL), f"{c}: expected a web address")
        for (tab, c), allowed in _CHOICES.items():
            if tab == name:
                v = frame[c]
                bad = v.notna() & (v.astype(str) != "") & ~v.isin(allowed)
                _fail(name, frame, bad, f"{c}: expected one of {', '.join(map(str, allowed))}")
        for c in _SHARES.get(name, ()):
            _fail(
                name, frame, (frame[c] < 0) | (frame[c] > 1), f"{c}: expected a decimal in [0, 1]"
            )
        for c in _AMOUNTS.get(name, ()):
            _fail(name, frame, frame[c] <= 0, f"{c}: expected an amount > 0 (万元)")
        keys = _KEYS.get(name)
        if keys:
            _fail(
                name,
                frame,
                frame.duplicated(list(keys), keep="first"),
                f"{', '.join(keys)}: duplicate of an earlier row",
            )
        if name != "deals":
            _fail(name, frame, ~frame["code"].isin(t["deals"]["code"]), "code: not in deals.csv")
    d = t["deals"]
    _fail("deals", d, ~d["code"].str.fullmatch(r"[0-9A-Z_]+"), "code: expected capitals, digits, _")
    _fail("deals", d, d["cutoff_date"] > d["closing_date"], "cutoff_date: after closing_date")
    _fail("deals", d, d["closing_date"] >= d["legal_maturity"], "legal_maturity: not after closing")
    _fail(
        "deals", d, d["announcement_date"] > d["closing_date"], "announcement_date: after closing"
    )
    _fail("deals", d, d["year"] != d["closing_date"].dt.year, "year: not the closing date's year")
    _fail("deals", d, d["pool_principal"] > d["pool_balance"], "pool_principal: above pool_balance")
    tr = t["tranches"].merge(d[["code", "legal_maturity"]], on="code")
    _fail(
        "tranches",
        tr,
        tr["expected_maturity"] > tr["legal_maturity"],
        "expected_maturity: after the deal's legal maturity",
    )
    _fail("tranches", tr, tr["wal"] > tr["expected_life"] + 1e-9, "wal: longer than expected_life")
    _fail(
        "tranches",
        tr,
        (tr["issue_price"] < 50) | (tr["issue_price"] > 200),
        "issue_price: expected a price per 100 of face, 50 to 200",
    )
    r = t["ratings"]
    scale = set(rating_scale()["cn_sf"]) | {"NR"}
    _fail(
        "ratings", r, ~r["rating"].isin(scale), "rating: expected the cn sf scale (AAAsf ...) or NR"
    )
    known = set(zip(t["tranches"]["code"], t["tranches"]["tranche"]))
    _fail(
        "ratings",
        r,
        [k not in known for k in zip(r["code"], r["tranche"])],
        "tranche: not in tranches.csv",
    )
    return MarketData(*(t[n].drop(columns="_line").reset_index(drop=True) for n in TABLES))
