"""Moody's diversity score (industry table method) and the alternative diversity score.

Units: par amounts in one currency unit, probabilities and correlations as decimals.

References: Moody's (1996) *The Binomial Expansion Method Applied to CBO/CLO Analysis*;
the diversity table as reproduced in CLO indentures (shipped in
``data/moodys_industry_diversity.csv``);
Moody's (2000) alternative diversity score by moment matching.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np
from scipy.special import ndtri

from . import _checks as chk
from ._normal import bvn_excess

__all__ = [
    "industry_diversity",
    "diversity_score",
    "alternative_diversity_score",
    "default_correlation",
]

#: numerical slack when comparing a unit score with the table points (sums of ratios drift by ulps)
_TABLE_SLACK = 1e-9


@lru_cache(maxsize=1)
def _table() -> tuple[np.ndarray, np.ndarray]:
    text = resources.files(__package__).joinpath("data/moodys_industry_diversity.csv").read_text()
    data = np.loadtxt(text.splitlines(), delimiter=",", comments="#", skiprows=5)
    return data[:, 0], data[:, 1]


def industry_diversity(units):
    """Moody's table lookup: aggregate industry equivalent unit score -> industry diversity score.

    A value between two table points takes the lower point's score; above the last
    point (19.95 units) the table's last score, 5.00, applies (indenture practice).
    Vectorised; ``units`` must be >= 0.
    """
    u = chk.nonnegative(units, "units")
    points, scores = _table()
    idx = np.searchsorted(points, u + _TABLE_SLACK, side="right") - 1
    return chk.scalar_or_array(scores[idx])


def _codes(labels, name: str, n: int) -> np.ndarray:
    """Integer codes 0..k-1 for a list of labels (numbers or text) of length ``n``."""
    arr = np.asarray(labels)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1 or len(arr) != n:
        raise ValueError(f"mismatched lengths: par has {n}, {name} has {arr.size}")
    if arr.dtype == object:
        if any(v is None or (isinstance(v, float) and np.isnan(v)) for v in arr):
            raise ValueError(f"{name}: has a blank label")
        arr = arr.astype(str)
    elif arr.dtype.kind == "f" and np.isnan(arr).any():
        raise ValueError(f"{name}: has a blank label")
    return np.unique(arr, return_inverse=True)[1].ravel()


def diversity_score(par, group, obligor=None) -> float:
    """Moody's diversity score of a pool (industry table method).

    Args:
        par: par amount of each position (> 0, currency units).
        group: group (industry, region, ...) label of each position.
        obligor: optional obligor id of each position; positions of one obligor are added
            up first and must all sit in one group. Without it every position is an obligor.

    Steps: average obligor par F_bar; equivalent units EU_i = min(1, F_i / F_bar); per group
    the sum of EU_i goes through :func:`industry_diversity`; the group scores are added up.
    The result never exceeds the number of obligors.
    """
    F = chk.vector(par, "par")
    if (F <= 0).any():
        raise ValueError(f"par: must be > 0, got {F[F <= 0][0]:g}")
    g = _codes(group, "group", len(F))
    if obligor is not None:
        o = _codes(obligor, "obligor", len(F))
        n_obligors = o.max() + 1
        obligor_groups = np.full(n_obligors, -1)
        obligor_groups[o] = g
        if (obligor_groups[o] != g).any():
            raise ValueError("obligor: an obligor appears in more than one group")
        F = np.bincount(o, weights=F, minlength=n_obligors)
        g = obligor_groups
    eu = np.minimum(1.0, F / F.mean())
    aieus = np.bincount(g, weights=eu)
    return float(np.sum(industry_diversity(aieus)))


def alternative_diversity_score(par, pd, correlation) -> float:
    """Alternative diversity score by moment matching (Moody's 2000).

    ``D = (sum p_i F_i)(sum q_i F_i) / sum_ij rho_ij sqrt(p_i q_i p_j q_j) F_i F_j`` with
    q = 1 - p and rho_ii = 1; homogeneous pools give ``N / (1 + rho (N - 1))``.

    Args:
        par: par of each obligor (> 0, currency units).
        pd: default probability of each obligor, in (0, 1).
        correlation: pairwise DEFAULT correlation (see :func:`default_correlation` to convert
            asset correlation), as a scalar (every pair), an N x N symmetric matrix with unit
            diagonal, or a tuple ``(groups, rho_within, rho_between)`` giving each obligor's
            group label and the correlation inside and across groups (O(N) memory).
    """
    F = chk.vector(par, "par")
    if (F <= 0).any():
        raise ValueError(f"par: must be > 0, got {F[F <= 0][0]:g}")
    p = chk.in_range(pd, "pd", 0.0, 1.0, lo_open=True, hi_open=True)
    p = np.broadcast_to(p, F.shape) if p.ndim == 0 else p
    chk.same_length(par=F, pd=p)
    q = 1.0 - p
    s = np.sqrt(p * q) * F
    if isinstance(correlation, tuple):
        if len(correlation) != 3:
            raise ValueError("correlation: a tuple must be (groups, rho_within, rho_between)")
        groups, rho_w, rho_b = correlation
        rho_w = float(chk.in_range(rho_w, "rho_within", -1.0, 1.0))
        rho_b = float(chk.in_range(rho_b, "rho_between", -1.0, 1.0))
        g = _codes(groups, "groups", len(F))
        by_group = np.bincount(g, weights=s)
        denom = (
            rho_b * s.sum() ** 2
            + (rho_w - rho_b) * np.sum(by_group**2)
            + (1 - rho_w) * np.sum(s * s)
        )
    else:
        rho = chk.in_range(correlation, "correlation", -1.0, 1.0)
        if rho.ndim == 0:
            denom = rho * s.sum() ** 2 + (1 - rho) * np.sum(s * s)
        else:
            n = len(F)
            if rho.shape != (n, n):
                raise ValueError(f"correlation: expected a {n} x {n} matrix, got shape {rho.shape}")
            if not np.allclose(rho, rho.T, atol=1e-12) or not np.allclose(np.diag(rho), 1.0):
                raise ValueError("correlation: the matrix must be symmetric with a unit diagonal")
            denom = s @ rho @ s
    if not denom > 0:
        raise ValueError(
            "correlation: gives a non-positive loss variance (not a valid correlation)"
        )
    score = float(np.sum(p * F) * np.sum(q * F) / denom)
    if not np.isfinite(score):
        raise ValueError(
            "pd: too close to 0 or 1 for a finite diversity score (the loss variance underflows)"
        )
    return score


def default_correlation(pd, asset_correlation):
    """Pairwise default correlation of two names with default probability ``pd`` each.

    ``rho_D = (Phi2(c, c; rho_A) - p^2) / (p (1 - p))`` with ``c = N^{-1}(p)``.
    The bivariate-normal excess is computed from Plackett's identity
    ``Phi2(c, c; rho) - p^2 = (1/2pi) int_0^{asin rho} exp(-c^2 / (1 + sin t)) dt``,
    whose integrand is smooth, by 48-point Gauss-Legendre (no cancellation at small p; see
    :func:`npl_xl.models._normal.bvn_excess`).

    Args:
        pd: default probability in (0, 1).
        asset_correlation: asset (latent-variable) correlation rho_A in [0, 1].
    """
    p = chk.in_range(pd, "pd", 0.0, 1.0, lo_open=True, hi_open=True)
    rho = chk.probability(asset_correlation, "asset_correlation")
    p, rho = chk.broadcast(pd=p, asset_correlation=rho)
    c = ndtri(p)
    return chk.scalar_or_array(bvn_excess(c, c, rho) / (p * (1 - p)))
