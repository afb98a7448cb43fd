"""Input validation shared by the models: every check raises ``ValueError`` naming the argument."""

from __future__ import annotations

import math

import numpy as np


def _as_float(x, name: str) -> np.ndarray:
    if isinstance(x, str) or x is None:
        raise ValueError(f"{name}: expected a number, got {x!r:.60}")
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a number or array of numbers, got {x!r:.60}") from None
    if (a != a) if a.ndim == 0 else np.isnan(a).any():
        raise ValueError(f"{name}: must not be NaN (blank or missing value?)")
    return a


def _all(ok) -> bool:
    """``ok`` is a bool (scalar input) or a boolean array."""
    return bool(ok) if isinstance(ok, (bool, np.bool_)) else bool(ok.all())


def finite(x, name: str) -> np.ndarray:
    """``x`` as a float array; NaN and +-inf rejected."""
    a = _as_float(x, name)
    if not (math.isfinite(a) if a.ndim == 0 else np.isfinite(a).all()):
        raise ValueError(f"{name}: must be finite, got {_first(a, ~np.isfinite(a))}")
    return a


def positive(x, name: str) -> np.ndarray:
    """``x`` as a float array of finite values > 0."""
    a = finite(x, name)
    if not _all(a > 0):
        raise ValueError(f"{name}: must be > 0, got {_first(a, a <= 0)}")
    return a


def nonnegative(x, name: str) -> np.ndarray:
    """``x`` as a float array of finite values >= 0."""
    a = finite(x, name)
    if not _all(a >= 0):
        raise ValueError(f"{name}: must be >= 0, got {_first(a, a < 0)}")
    return a


def in_range(x, name: str, lo: float, hi: float, *, lo_open=False, hi_open=False) -> np.ndarray:
    """``x`` as a float array inside [lo, hi] (ends open where asked)."""
    a = finite(x, name)
    if _all((a > lo if lo_open else a >= lo) & (a < hi if hi_open else a <= hi)):
        return a
    bad = (a <= lo if lo_open else a < lo) | (a >= hi if hi_open else a > hi)
    if bad.any():
        interval = f"{'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"
        raise ValueError(f"{name}: must lie in {interval}, got {_first(a, bad)}")
    return a


def probability(x, name: str) -> np.ndarray:
    """``x`` as a float array inside [0, 1] (a decimal, not a percent)."""
    a = finite(x, name)
    if _all((a >= 0) & (a <= 1)):
        return a
    bad = (a < 0) | (a > 1)
    if bad.any():
        v = _first(a, bad)
        hint = " (give decimals: 0.05, not 5)" if 1 < float(v) <= 100 else ""
        raise ValueError(f"{name}: must lie in [0, 1], got {v:g}{hint}")
    return a


def vector(x, name: str) -> np.ndarray:
    """``x`` as a 1-D float array with at least one element."""
    a = finite(x, name)
    if a.ndim == 0:
        a = a.reshape(1)
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"{name}: expected a non-empty list of numbers, got shape {a.shape}")
    return a


def same_length(**arrays) -> int:
    """Common length of 1-D arrays; raise naming the ones that differ."""
    sizes = {k: len(v) for k, v in arrays.items()}
    if len(set(sizes.values())) > 1:
        listed = ", ".join(f"{k} has {n}" for k, n in sizes.items())
        raise ValueError(f"mismatched lengths: {listed}")
    return next(iter(sizes.values()))


def broadcast(**arrays) -> list[np.ndarray]:
    """Broadcast arrays together; raise naming the shapes that do not fit."""
    if all(np.ndim(v) == 0 for v in arrays.values()):
        return list(arrays.values())
    try:
        return list(np.broadcast_arrays(*arrays.values()))
    except ValueError:
        listed = ", ".join(f"{k} {np.shape(v)}" for k, v in arrays.items())
        raise ValueError(f"mismatched lengths: {listed}") from None


def tranche_bounds(attachment, detachment) -> tuple[np.ndarray, np.ndarray]:
    """Attachment and detachment as fractions with 0 <= A < B <= 1."""
    a = probability(attachment, "attachment")
    b = probability(detachment, "detachment")
    if not _all(a < b):
        raise ValueError("attachment: must be below detachment (0 <= attachment < detachment <= 1)")
    return a, b


def scalar_or_array(a: np.ndarray):
    """A Python float for 0-d results, the array otherwise."""
    return float(a) if np.ndim(a) == 0 else a


def _first(a: np.ndarray, bad: np.ndarray) -> float:
    return float(np.asarray(a)[np.asarray(bad)].flat[0])
