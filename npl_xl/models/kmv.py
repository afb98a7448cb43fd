"""Merton (1974) structural model and Moody's KMV distance to default.

Units: values in one currency unit, volatilities and rates as annual decimals
(0.25 = 25 % a year), maturities in years. Every function broadcasts over numpy arrays.

References: Merton (1974); Hull, *Options, Futures, and Other Derivatives*, credit-risk chapter
(equity-implied asset value example); Crosbie & Bohn (2003), *Modeling Default Risk*, Moody's KMV.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from . import _checks as chk

__all__ = ["MertonSolution", "merton_solve", "distance_to_default", "kmv_pd", "default_point"]


@dataclass(frozen=True)
class MertonSolution:
    """Equity-implied asset value and volatility with the resulting default measures."""

    asset_value: float | np.ndarray
    asset_vol: float | np.ndarray
    d1: float | np.ndarray
    d2: float | np.ndarray

    @property
    def distance_to_default(self):
        """Risk-neutral distance to default, d2."""
        return self.d2

    @property
    def default_probability(self):
        """Risk-neutral probability of default at maturity, N(-d2)."""
        return chk.scalar_or_array(ndtr(-np.asarray(self.d2)))


def _d1_d2(V, s, K, T):
    """d1 and d2 of Black-Scholes-Merton with K = D exp(-rT) (the discounted debt)."""
    sq = s * np.sqrt(T)
    d1 = (np.log(V / K) + 0.5 * sq * sq) / sq
    return d1, d1 - sq


def _asset_value_given_vol(E, K, s, T, tol):
    """Asset value V with call(V; K, s, T) = E, by Newton from V = E + K (monotone: call is
    convex)."""
    V = E + K
    for _ in range(200):
        d1, d2 = _d1_d2(V, s, K, T)
        nd1 = ndtr(d1)
        f = V * nd1 - K * ndtr(d2) - E
        if (np.abs(f) <= tol * E).all():
            break
        V = V - f / np.maximum(nd1, 1e-300)
    return V


def _residuals(V, s, E, sE, K, T):
    """Largest relative error of the two Merton equations."""
    d1, d2 = _d1_d2(V, s, K, T)
    nd1 = ndtr(d1)
    return np.maximum(
        np.abs(V * nd1 - K * ndtr(d2) - E) / E, np.abs(nd1 * s * V - sE * E) / (sE * E)
    )


def _newton(E, sE, K, T, tol, max_iter=50):
    """2-D Newton on (V, sigma_V) from V = E + K, sigma_V = sigma_E E / V, halving steps to stay
    in V > E, sigma > 0. Works on floats (one firm, fast) or arrays; NaN where not converged."""
    V = E + K
    s = sE * E / V
    sqT = np.sqrt(T)
    done = False
    with np.errstate(all="ignore"):
        for _ in range(max_iter):
            d1, d2 = _d1_d2(V, s, K, T)
            nd1, pdf = ndtr(d1), np.exp(-0.5 * d1 * d1) * 0.3989422804014327
            f1 = V * nd1 - K * ndtr(d2) - E
            f2 = nd1 * s * V - sE * E
            done = (abs(f1) <= tol * E) & (abs(f2) <= tol * sE * E)
            if np.all(done):
                break
            a, b = nd1, V * pdf * sqT  # d f1 / d(V, s)
            c, d = s * nd1 + pdf / sqT, V * nd1 - V * pdf * d2  # d f2 / d(V, s)
            det = a * d - b * c
            dV = (d * f1 - b * f2) / det * (1 - done)
            ds = (a * f2 - c * f1) / det * (1 - done)
            step = 1.0
            for _ in range(30):  # halve until the point stays feasible
                ok = (V - step * dV > E) & (s - step * ds > 0)
                if np.all(ok):
                    break
                step = step * (0.5 + 0.5 * ok)
            V, s = V - step * dV, s - step * ds
    nan = np.nan if np.ndim(V) == 0 else np.full(np.shape(V), np.nan)
    return np.where(done, V, nan), np.where(done, s, nan)


def _bracketed(E, sE, K, T, tol):
    """Bisection in log-volatility inside [sigma_E E/(E + K), sigma_E] (equity's elasticity to
    assets lies between 1 and (E + K)/E), with the monotone Newton for V at each trial
    volatility."""
    lo = np.log(sE * E / (E + K))
    hi = np.log(sE)
    for _ in range(64):
        mid = 0.5 * (lo + hi)
        s = np.exp(mid)
        V = _asset_value_given_vol(E, K, s, T, tol)
        d1, _ = _d1_d2(V, s, K, T)
        too_high = ndtr(d1) * s * V > sE * E
        hi = np.where(too_high, mid, hi)
        lo = np.where(too_high, lo, mid)
        if (hi - lo <= 1e-15).all():
            break
    s = np.exp(0.5 * (lo + hi))
    return _asset_value_given_vol(E, K, s, T, tol), s


def merton_solve(equity_value, equity_vol, debt, rate, maturity, *, tol: float = 1e-12):
    """Solve Merton's two equations for the asset value and volatility implied by equity.

    ``E = V N(d1) - D e^{-rT} N(d2)`` and ``sigma_E E = N(d1) sigma_V V``.

    Args:
        equity_value: market value of equity E (> 0, currency units).
        equity_vol: annual equity volatility sigma_E (> 0, decimal).
        debt: face value of debt D due at ``maturity`` (> 0, currency units).
        rate: continuously compounded risk-free rate r (decimal a year).
        maturity: T in years (> 0).

    Returns:
        MertonSolution with ``asset_value``, ``asset_vol``, ``d1``, ``d2``,
        ``distance_to_default`` (= d2) and ``default_probability`` (= N(-d2)).

    A damped 2-D Newton iteration from the textbook start solves almost every case in a few
    steps; any element it cannot settle goes to a bracketed solver (bisection in log-volatility
    inside ``[sigma_E E/(E + D e^{-rT}), sigma_E]`` with a monotone Newton for V), which always
    converges. Covers leverage D/V from 1 % to 99 % and sigma_E from 5 % to 300 %; raises
    ``ValueError`` if any element's residual stays above 1e-8.
    """
    E = chk.positive(equity_value, "equity_value")
    sE = chk.positive(equity_vol, "equity_vol")
    D = chk.positive(debt, "debt")
    r = chk.finite(rate, "rate")
    T = chk.positive(maturity, "maturity")
    E, sE, D, r, T = chk.broadcast(equity_value=E, equity_vol=sE, debt=D, rate=r, maturity=T)
    shape = np.shape(E)
    E, sE, D, r, T = (np.atleast_1d(a).ravel() for a in (E, sE, D, r, T))
    K = D * np.exp(-r * T)
    if E.size == 1:  # one firm: Newton on floats avoids per-call array overhead
        V, s = (
            np.atleast_1d(x)
            for x in _newton(E[0].item(), sE[0].item(), K[0].item(), T[0].item(), tol)
        )
    else:
        V, s = _newton(E, sE, K, T, tol)
    bad = ~(_residuals(V, s, E, sE, K, T) <= 1e-10)
    if bad.any():  # the rare element Newton cannot settle: the bracketed solver always can
        Vb, sb = _bracketed(E[bad], sE[bad], K[bad], T[bad], tol)
        V[bad], s[bad] = Vb, sb
    bad = ~(_residuals(V, s, E, sE, K, T) <= 1e-8)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"merton_solve: no solution found for equity_value, equity_vol, debt = {E[i]:g}, "
            f"{sE[i]:g}, {D[i]:g} "
            "(leverage or volatility out of the solvable range)"
        )
    d1, d2 = _d1_d2(V, s, K, T)

    def out(a):
        return chk.scalar_or_array(a.reshape(shape))

    return MertonSolution(out(V), out(s), out(d1), out(d2))


def distance_to_default(
    asset_value, asset_vol, default_point, maturity=1.0, drift=0.0, method: str = "merton"
):
    """Distance to default in standard deviations of asset value.

    Args:
        asset_value: V (> 0, currency units).
        asset_vol: sigma_V, annual asset volatility (> 0, decimal).
        default_point: DP (> 0, currency units), e.g. from :func:`default_point`.
        maturity: horizon T in years (> 0), default 1.
        drift: mu, expected annual asset return (decimal), default 0; "merton" only.
        method: "merton": ``(ln(V/DP) + (mu - sigma^2/2) T) / (sigma sqrt T)``;
            "kmv": ``(V - DP) / (V sigma sqrt T)``, which is Crosbie & Bohn's
            ``(V - DP) / (V sigma)`` at the usual one-year horizon (drift is not used).
    """
    V = chk.positive(asset_value, "asset_value")
    s = chk.positive(asset_vol, "asset_vol")
    DP = chk.positive(default_point, "default_point")
    T = chk.positive(maturity, "maturity")
    mu = chk.finite(drift, "drift")
    V, s, DP, T, mu = chk.broadcast(
        asset_value=V, asset_vol=s, default_point=DP, maturity=T, drift=mu
    )
    if method not in ("merton", "kmv"):
        raise ValueError(f"method: expected 'merton' or 'kmv', got {method!r}")
    with np.errstate(all="ignore"):
        sq = s * np.sqrt(T)
        if not np.all(sq > 0):
            raise ValueError(
                "asset_vol: asset_vol x sqrt(maturity) is too small to compute (it underflows to 0)"
            )
        if method == "merton":
            dd = (np.log(V / DP) + (mu - 0.5 * s * s) * T) / sq
        else:
            dd = (V - DP) / (V * sq)
    if not np.all(np.isfinite(dd)):
        raise ValueError(
            "asset_value, default_point: the distance to default overflows for these magnitudes "
            "(ratio of asset value to default point, volatility or horizon out of range)"
        )
    return chk.scalar_or_array(dd)


def kmv_pd(asset_value, asset_vol, default_point, maturity=1.0, drift=0.0, method: str = "merton"):
    """Probability of default N(-DD) over ``maturity`` years; arguments as
    :func:`distance_to_default`."""
    dd = distance_to_default(asset_value, asset_vol, default_point, maturity, drift, method)
    return chk.scalar_or_array(ndtr(-np.asarray(dd)))


def default_point(short_term_debt, long_term_debt, long_term_weight=0.5):
    """KMV default point: short-term debt + weight x long-term debt (currency units).

    Crosbie & Bohn (2003) use weight 0.5; both debts must be >= 0 and the weight in [0, 1].
    """
    st = chk.nonnegative(short_term_debt, "short_term_debt")
    lt = chk.nonnegative(long_term_debt, "long_term_debt")
    w = chk.probability(long_term_weight, "long_term_weight")
    return chk.scalar_or_array(st + w * lt)
