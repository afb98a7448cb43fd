"""Moody's binomial expansion technique (BET), single and multiple.

The pool is replaced by D independent identical units of par 1/D each defaulting with
probability p: ``P(j) = C(D, j) p^j (1 - p)^(D - j)``. A non-integer diversity D is rounded
to the nearest whole number (halves up), as the binomial needs whole units; D must lie in
[0.5, 100,000].

Units: losses, attachment and detachment as fractions of pool par; tranche losses as
fractions of the tranche. Reference: Moody's (1996) *The Binomial Expansion Method Applied
to CBO/CLO Analysis*; docs/methodology.md §4.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np
from scipy.special import gammaln, xlog1py, xlogy

from . import _checks as chk

__all__ = [
    "bet_probabilities",
    "bet_expected_loss",
    "bet_scenario_expected_loss",
    "multi_bet_expected_loss",
    "tranche_loss",
]

#: largest support the multiple BET enumerates exactly
MAX_MULTI_BET_POINTS = 5_000_000
#: largest diversity score accepted (beyond it the binomial is a point mass for any purpose)
MAX_DIVERSITY = 100_000


def _whole_diversity(diversity) -> np.ndarray:
    d = chk.in_range(diversity, "diversity", 0.5, MAX_DIVERSITY)
    return np.floor(d + 0.5).astype(np.int64)


@lru_cache(maxsize=256)
def _log_binom(d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """j = 0..d, d - j and log C(d, j), cached read-only per d."""
    j = np.arange(d + 1.0)
    out = (j, d - j, gammaln(d + 1.0) - gammaln(j + 1.0) - gammaln(d - j + 1.0))
    for a in out:
        a.flags.writeable = False
    return out


def _pmf(d: int, p) -> tuple[np.ndarray, np.ndarray]:
    """j = 0..d and P(j) for whole d; ``p`` scalar or array (broadcast on a trailing axis)."""
    j, rest, logc = _log_binom(d)
    if np.ndim(p) == 0 and 0.0 < p < 1.0:
        return j, np.exp(logc + j * math.log(p) + rest * math.log1p(-p))
    p = np.asarray(p)[..., None]
    return j, np.exp(logc + xlogy(j, p) + xlog1py(rest, -p))


def tranche_loss(pool_loss, attachment, detachment):
    """Loss of the tranche [A, B] as a fraction of its size: ``min(max(L - A, 0), B - A) / (B -
    A)``."""
    width = detachment - attachment
    return np.minimum(np.maximum(pool_loss - attachment, 0.0), width) / width


def bet_probabilities(diversity, pd) -> np.ndarray:
    """Probabilities P(j) of j = 0..D defaults among D independent units.

    Scalar D and p give a vector of length D + 1; arrays broadcast to shape (n, max D + 1)
    with zeros beyond each element's own D.
    """
    d = _whole_diversity(diversity)
    p = chk.probability(pd, "pd")
    d, p = chk.broadcast(diversity=d, pd=p)
    if d.ndim == 0:
        return _pmf(int(d), p)[1]
    flat_d, flat_p = d.ravel(), p.ravel()
    out = np.zeros((flat_d.size, int(flat_d.max()) + 1))
    for dv in np.unique(flat_d):  # one pass per distinct D, vectorised over its elements
        rows = flat_d == dv
        out[rows, : dv + 1] = _pmf(int(dv), flat_p[rows])[1]
    return out.reshape(*d.shape, -1)


def bet_expected_loss(diversity, pd, lgd, attachment=0.0, detachment=1.0):
    """Tranche expected loss under the BET, as a fraction of the tranche.

    ``EL = sum_j P(j) L(j)`` with pool loss ``j lgd / D`` and ``L = tranche_loss``.

    Args:
        diversity: diversity score D (>= 0.5; rounded to a whole number).
        pd: default probability of each unit over the horizon, in [0, 1].
        lgd: loss given default of a unit, in [0, 1].
        attachment, detachment: tranche bounds as fractions of pool par, 0 <= A < B <= 1.
    Broadcasts over all arguments. On [0, 1] the result is the pool EL, ``pd x lgd``.
    """
    d = _whole_diversity(diversity)
    p = chk.probability(pd, "pd")
    lgd = chk.probability(lgd, "lgd")
    a, b = chk.tranche_bounds(attachment, detachment)
    d, p, lgd, a, b = chk.broadcast(diversity=d, pd=p, lgd=lgd, attachment=a, detachment=b)
    if d.ndim == 0:
        dv = int(d)
        j, prob = _pmf(dv, p)
        return float(prob @ tranche_loss(j * (float(lgd) / dv), float(a), float(b)))
    flat = [x.ravel() for x in (d, p, lgd, a, b)]
    out = np.empty(flat[0].size)
    for dv in np.unique(flat[0]):
        rows = flat[0] == dv
        j, prob = _pmf(int(dv), flat[1][rows])
        pool = j * (flat[2][rows, None] / dv)
        out[rows] = np.sum(
            prob * tranche_loss(pool, flat[3][rows, None], flat[4][rows, None]), axis=-1
        )
    return out.reshape(d.shape)


def bet_scenario_expected_loss(
    diversity,
    pd,
    tranche_losses: Sequence[float] | np.ndarray | Callable[[np.ndarray, int], np.ndarray],
) -> float:
    """Tranche expected loss with the loss in each default scenario supplied by the caller.

    This is the hook for cash-flow BET: ``tranche_losses`` is either a sequence of D + 1
    losses (fraction of the tranche, scenario j = 0..D defaulted units) or a callable
    ``f(j, D)`` returning them for the array ``j``; e.g. a waterfall run per scenario.
    """
    d = _whole_diversity(diversity)
    p = chk.probability(pd, "pd")
    if d.ndim or p.ndim:
        raise ValueError("diversity, pd: expected single numbers for a scenario run")
    dv = int(d)
    j, prob = _pmf(dv, p)
    losses = tranche_losses(j, dv) if callable(tranche_losses) else tranche_losses
    losses = chk.nonnegative(losses, "tranche_losses")
    if losses.shape != (dv + 1,):
        raise ValueError(
            f"tranche_losses: expected {dv + 1} values (j = 0..{dv}), got shape {losses.shape}"
        )
    return float(prob @ losses)


def multi_bet_expected_loss(groups, attachment=0.0, detachment=1.0) -> float:
    """Tranche expected loss under the multiple BET (independent binomial groups).

    Args:
        groups: rows ``(diversity, pd, lgd, par_share)``, one per group; shares add up to 1.
        attachment, detachment: tranche bounds as fractions of pool par.

    Group g loses ``j_g x lgd_g x share_g / D_g`` of the pool with binomial probability;
    the joint loss distribution is enumerated exactly (equal losses merged), up to
    :data:`MAX_MULTI_BET_POINTS` support points. One group equals :func:`bet_expected_loss`.
    """
    rows = chk.finite(groups, "groups")
    if rows.ndim == 1 and rows.size == 4:
        rows = rows[None, :]
    if rows.ndim != 2 or rows.shape[1] != 4 or len(rows) == 0:
        raise ValueError(
            f"groups: expected rows of (diversity, pd, lgd, par_share), got shape {rows.shape}"
        )
    d = _whole_diversity(rows[:, 0])
    p = chk.probability(rows[:, 1], "pd")
    lgd = chk.probability(rows[:, 2], "lgd")
    share = chk.probability(rows[:, 3], "par_share")
    if abs(share.sum() - 1.0) > 1e-9:
        raise ValueError(
            f"par_share: the shares must add up to 1, they add up to {share.sum():.6g}"
        )
    a, b = chk.tranche_bounds(attachment, detachment)
    if a.ndim or b.ndim:
        raise ValueError("attachment, detachment: expected single numbers")
    losses: np.ndarray = np.zeros(1)
    probs: np.ndarray = np.ones(1)
    for dv, pv, lv, sv in zip(d, p, lgd, share):
        j, pj = _pmf(int(dv), pv)
        if losses.size * j.size > MAX_MULTI_BET_POINTS:
            raise ValueError(
                f"groups: the joint distribution has over {MAX_MULTI_BET_POINTS:,} points; "
                "merge groups or use a portfolio loss distribution instead"
            )
        losses = (losses[:, None] + (j * (lv * sv / dv))[None, :]).ravel()
        probs = (probs[:, None] * pj[None, :]).ravel()
        merged, inverse = np.unique(np.round(losses, 12), return_inverse=True)
        losses, probs = merged, np.bincount(inverse.ravel(), weights=probs)
    return float(probs @ tranche_loss(losses, a, b))
