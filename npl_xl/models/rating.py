"""Rating scales and idealised tables: map a tranche's expected loss or default probability to a
rating.

Rule (Moody's 1996): a tranche gets the best rating whose idealised value for the tranche's
horizon (its weighted average life, in years) is not below the computed value. Tables are data:
the package ships ``data/idealized_el.csv`` and ``data/idealized_pd.csv`` (labelled
ILLUSTRATIVE: derived from Moody's rating factors, not an agency's published table) and
``data/rating_scale.csv`` (ranks, Moody's rating factors, Chinese ``sf`` scale equivalents);
users pass their own as a DataFrame or a CSV path with the same layout.

Horizons between table columns are interpolated linearly; horizons below the first column use
the first column; horizons beyond the last column raise ``ValueError``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from . import _checks as chk

__all__ = [
    "Rating",
    "RatingTable",
    "load_rating_table",
    "rating_scale",
    "rating_from_expected_loss",
    "rating_from_default_probability",
    "SCALES",
]

SCALES = ("moodys", "cn_sf")


class Rating(str):
    """A rating code (a plain ``str``) that remembers the table it came from."""

    table: str
    illustrative: bool

    def __new__(cls, code: str, table: str = "", illustrative: bool = False):
        obj = super().__new__(cls, code)
        obj.table, obj.illustrative = table, illustrative
        return obj

    def __repr__(self) -> str:
        tag = ", illustrative table" if self.illustrative else ""
        return f"Rating({str(self)!r}{tag})"

    def labelled(self) -> str:
        """The code with ' (illustrative)' appended when the table is illustrative."""
        return f"{self} (illustrative)" if self.illustrative else str(self)


@dataclass(frozen=True)
class RatingTable:
    """Idealised values by rating (rows, best first) and horizon (columns, years)."""

    name: str
    ratings: tuple[str, ...]
    horizons: np.ndarray
    values: np.ndarray
    sources: tuple[str, ...]
    illustrative: bool

    def thresholds(self, horizon_years) -> np.ndarray:
        """Idealised values at ``horizon_years``: shape (..., n_ratings)."""
        h = chk.positive(horizon_years, "horizon_years")
        if _any(h > self.horizons[-1] + 1e-12):
            raise ValueError(
                f"horizon_years: beyond the table's last horizon ({self.horizons[-1]:g} years), "
                f"got {float(np.max(h)):g}"
            )
        h = np.clip(h, self.horizons[0], self.horizons[-1])
        k = np.clip(np.searchsorted(self.horizons, h, side="right") - 1, 0, len(self.horizons) - 2)
        h0, h1 = self.horizons[k], self.horizons[k + 1]
        w = ((h - h0) / (h1 - h0))[..., None]
        return (1 - w) * self.values[:, k].T.reshape(*np.shape(h), -1) + w * self.values[
            :, k + 1
        ].T.reshape(*np.shape(h), -1)


def _any(a) -> bool:
    return bool(np.any(a))


def _from_frame(frame, name: str) -> RatingTable:
    cols = {str(c).strip().lower(): c for c in frame.columns}
    if "rating" not in cols:
        raise ValueError(f"table: {name} has no 'rating' column")
    horizon_cols = []
    for key, col in cols.items():
        m = re.fullmatch(r"(?:y|year\s*)?(\d+(?:\.\d+)?)\s*(?:y|yr|years?)?", key)
        if m:
            horizon_cols.append((float(m.group(1)), col))
    if len(horizon_cols) < 2:
        raise ValueError(f"table: {name} needs at least two horizon columns (1, 2, ... years)")
    horizon_cols.sort()
    horizons = np.array([h for h, _ in horizon_cols])
    try:
        values = frame[[c for _, c in horizon_cols]].to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"table: {name} has a non-numeric value in a horizon column") from None
    values = chk.probability(values, f"table {name}")
    if (np.diff(values, axis=0) < -1e-15).any():
        raise ValueError(
            f"table: {name} must list ratings best first (values not decreasing down a column)"
        )
    ratings = tuple(str(r).strip() for r in frame[cols["rating"]])
    status = frame[cols["status"]].astype(str).str.lower() if "status" in cols else None
    illustrative = bool(status is not None and status.str.contains("illustrative").any())
    sources = (
        tuple(str(s) for s in frame[cols["source"]])
        if "source" in cols
        else ("user table",) * len(ratings)
    )
    return RatingTable(name, ratings, horizons, values, sources, illustrative)


@lru_cache(maxsize=8)
def _packaged(filename: str):
    import pandas as pd

    with resources.files(__package__).joinpath(f"data/{filename}").open() as f:
        return pd.read_csv(f, comment="#")


@lru_cache(maxsize=2)
def _packaged_table(kind: str) -> RatingTable:
    return _from_frame(_packaged(f"idealized_{kind}.csv"), f"packaged idealized_{kind}.csv")


@lru_cache(maxsize=1)
def _cn_sf_map() -> dict[str, str]:
    scale = _packaged("rating_scale.csv")
    return dict(zip(scale["rating"], scale["cn_sf"]))


def load_rating_table(kind: str = "el", table=None) -> RatingTable:
    """The idealised table of ``kind`` "el" or "pd": the packaged one, or ``table`` (DataFrame or
    CSV path)."""
    if kind not in ("el", "pd"):
        raise ValueError(f"kind: expected 'el' or 'pd', got {kind!r}")
    if table is None:
        return _packaged_table(kind)
    if isinstance(table, RatingTable):
        return table
    if isinstance(table, (str, os.PathLike)):
        import pandas as pd

        try:
            frame = pd.read_csv(table, comment="#")
        except FileNotFoundError:
            raise ValueError(f"table: no such file {os.fspath(table)!r}") from None
        return _from_frame(frame, os.path.basename(os.fspath(table)))
    if hasattr(table, "columns"):
        return _from_frame(table, "user table")
    raise ValueError("table: expected a pandas DataFrame, a CSV path or None")


def rating_scale():
    """The packaged rating scale (DataFrame: rating, rank, rating_factor, cn_sf, source)."""
    return _packaged("rating_scale.csv").copy()


def _rate(value, horizon_years, table: RatingTable, scale: str, name: str):
    if scale not in SCALES:
        raise ValueError(f"scale: expected one of {', '.join(SCALES)}, got {scale!r}")
    v = chk.probability(value, name)
    thr = table.thresholds(horizon_years)
    v, _ = chk.broadcast(**{name: v, "horizon_years": thr[..., 0]})
    idx = np.sum(thr < v[..., None], axis=-1)
    codes = np.array(table.ratings + (f"below {table.ratings[-1]}",), dtype=object)
    if scale == "cn_sf":
        codes = np.array([_cn_sf_map().get(c, c) for c in codes], dtype=object)
    make = np.frompyfunc(lambda c: Rating(c, table.name, table.illustrative), 1, 1)
    out = make(codes[idx])
    return out


def rating_from_expected_loss(el, horizon_years, table=None, scale: str = "moodys"):
    """Best rating whose idealised expected loss at ``horizon_years`` is >= ``el``.

    Args:
        el: tranche expected loss as a fraction of the tranche, in [0, 1].
        horizon_years: the tranche's weighted average life in years (> 0).
        table: None (packaged, illustrative), a DataFrame or a CSV path.
        scale: "moodys" (Aaa, Aa1, ...) or "cn_sf" (AAAsf, AA+sf, ...).
    Returns a :class:`Rating` (an array of them for array input).
    """
    return _rate(el, horizon_years, load_rating_table("el", table), scale, "el")


def rating_from_default_probability(pd, horizon_years, table=None, scale: str = "moodys"):
    """Best rating whose idealised default probability at ``horizon_years`` is >= ``pd``.

    Arguments as :func:`rating_from_expected_loss`, with ``pd`` the tranche's cumulative
    default probability over the horizon, in [0, 1].
    """
    return _rate(pd, horizon_years, load_rating_table("pd", table), scale, "pd")


def default_probability_of(rating: str, horizon_years: float, table=None) -> float:
    """The idealised default probability of ``rating`` over ``horizon_years`` from the PD table
    (the packaged one unless given). ``rating`` in the table's codes (``Aa2``) or the Chinese scale
    with or without "sf" (``AA+``, ``AA+sf``: the best table rating that maps to it)."""
    t = load_rating_table("pd", table)
    code = str(rating).strip()
    if code not in t.ratings:
        cn = code if code.endswith("sf") else code + "sf"
        matches = [r for r in t.ratings if _cn_sf_map().get(r) == cn]
        if not matches:
            raise ValueError(
                f"rating: {rating!r} is neither a rating of the table ({t.ratings[0]} to "
                f"{t.ratings[-1]}) nor of the Chinese scale (AAA to C)"
            )
        code = matches[0]
    h = min(float(chk.positive(horizon_years, "horizon_years")), float(t.horizons[-1]))
    return float(t.thresholds(h)[t.ratings.index(code)])
