"""Portfolio loss distributions under a one-factor Gaussian copula: exact, large pool and Monte
Carlo.

Name i defaults when ``sqrt(rho) M + sqrt(1 - rho) Z_i < N^{-1}(p_i)``; its loss is exposure x LGD.
Losses and probabilities are fractions of pool notional (total exposure). References: Andersen,
Sidenius & Basu (2003) for the recursion; Vasicek (1987, 2002) for the large homogeneous pool;
docs/methodology.md §5.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.special import gammaln, ndtr, ndtri, xlog1py, xlogy

from . import _checks as chk
from . import _chunks
from ._normal import bvn_excess

__all__ = [
    "LossDistribution",
    "LatticeLossDistribution",
    "MonteCarloLossDistribution",
    "LargePoolLossDistribution",
    "loss_distribution",
    "auto_nodes",
    "METHODS",
]

METHODS = ("exact", "lhp", "mc")
#: largest exact lattice before bucketing takes over
MAX_EXACT_LATTICE = 200_000


class LossDistribution(ABC):
    """A pool loss distribution under the one-factor Gaussian copula: one interface, three methods.

    ``losses`` and ``probabilities`` are fractions of pool notional (for the large pool, a display
    grid); ``method`` says how it was made ("exact", "lhp", "mc"); ``exact`` whether the lattice is
    exact; ``note`` describes it. A statistic a method lacks raises ``ValueError`` saying so.
    """

    losses: np.ndarray
    probabilities: np.ndarray
    method: str
    exact: bool
    note: str

    @property
    @abstractmethod
    def expected_loss(self) -> float:
        """Expected pool loss, fraction of notional."""

    @abstractmethod
    def tranche_expected_loss(self, attachment, detachment) -> float:
        """Expected loss of the tranche [A, B] as a fraction of the tranche."""

    @abstractmethod
    def tranche_default_probability(self, attachment, detachment) -> float:
        """P(tranche loss > 0) = P(pool loss > attachment)."""

    @abstractmethod
    def quantile(self, q) -> float:
        """Smallest loss whose cumulative probability reaches q, in [0, 1]."""

    @property
    def expected_loss_se(self) -> float:
        """Standard error of the expected loss (Monte Carlo only)."""
        raise ValueError(
            "standard errors: only a Monte Carlo distribution has them, this one is "
            f"{self.method!r}"
        )

    def tranche_expected_loss_se(self, attachment, detachment) -> float:
        """Standard error of the tranche expected loss (Monte Carlo only)."""
        raise ValueError(
            "standard errors: only a Monte Carlo distribution has them, this one is "
            f"{self.method!r}"
        )


@dataclass(frozen=True)
class LatticeLossDistribution(LossDistribution):
    """A discrete distribution on loss points (the exact lattice): sums over the points."""

    losses: np.ndarray
    probabilities: np.ndarray
    method: str
    exact: bool
    note: str = ""

    @property
    def expected_loss(self) -> float:
        return float(self.probabilities @ self.losses)

    def tranche_expected_loss(self, attachment, detachment) -> float:
        a, b = (float(x) for x in chk.tranche_bounds(attachment, detachment))
        return float(self.probabilities @ (np.clip(self.losses - a, 0.0, b - a) / (b - a)))

    def tranche_default_probability(self, attachment, detachment) -> float:
        a, _ = (float(x) for x in chk.tranche_bounds(attachment, detachment))
        return float(self.probabilities[self.losses > a + 1e-15].sum())

    def quantile(self, q) -> float:
        q = float(chk.probability(q, "q"))
        cdf = np.cumsum(self.probabilities)
        return float(self.losses[min(np.searchsorted(cdf, q - 1e-12), len(cdf) - 1)])


@dataclass(frozen=True)
class MonteCarloLossDistribution(LatticeLossDistribution):
    """The distribution of simulated path losses, with standard errors from the paths."""

    paths: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)

    def _se(self, values) -> float:
        return float(np.std(values, ddof=1) / math.sqrt(len(values)))

    @property
    def expected_loss_se(self) -> float:
        return self._se(self.paths)

    def tranche_expected_loss_se(self, attachment, detachment) -> float:
        a, b = (float(x) for x in chk.tranche_bounds(attachment, detachment))
        return self._se(np.clip(self.paths - a, 0.0, b - a) / (b - a))


@dataclass(frozen=True)
class LargePoolLossDistribution(LossDistribution):
    """Vasicek's large homogeneous pool: closed forms in (pd, lgd, rho);
    ``losses``/``probabilities``
    are a grid for display."""

    losses: np.ndarray
    probabilities: np.ndarray
    pd: float
    lgd: float
    rho: float
    method: str = "lhp"
    exact: bool = False
    note: str = "Vasicek large homogeneous pool (closed forms; grid for display)"

    @property
    def expected_loss(self) -> float:
        return self.pd * self.lgd

    def tranche_expected_loss(self, attachment, detachment) -> float:
        a, b = (float(x) for x in chk.tranche_bounds(attachment, detachment))
        return float(
            (_lhp_call(a, self.pd, self.lgd, self.rho) - _lhp_call(b, self.pd, self.lgd, self.rho))
            / (b - a)
        )

    def tranche_default_probability(self, attachment, detachment) -> float:
        a, _ = (float(x) for x in chk.tranche_bounds(attachment, detachment))
        return float(1.0 - _lhp_cdf(a, self.pd, self.lgd, self.rho))

    def quantile(self, q) -> float:
        q = float(chk.probability(q, "q"))
        if q >= 1.0:
            return self.lgd
        return float(
            self.lgd
            * ndtr((ndtri(self.pd) + math.sqrt(self.rho) * ndtri(q)) / math.sqrt(1 - self.rho))
        )


def _lhp_cdf(x, p, lgd, rho):
    if x >= lgd:
        return 1.0
    if x <= 0:
        return 0.0
    if rho == 0:
        return 1.0 if x >= p * lgd else 0.0
    return float(ndtr((math.sqrt(1 - rho) * ndtri(x / lgd) - ndtri(p)) / math.sqrt(rho)))


def _lhp_call(k, p, lgd, rho):
    """E[(L - k)^+] for the Vasicek pool loss L = lgd N((c - sqrt(rho) M)/sqrt(1 - rho))."""
    if k <= 0:
        return p * lgd
    if k >= lgd:
        return 0.0
    c = ndtri(p)
    if rho == 0:
        return max(p * lgd - k, 0.0)
    m = (c - math.sqrt(1 - rho) * ndtri(k / lgd)) / math.sqrt(rho)  # L > k  <=>  M < m
    joint = float(bvn_excess(c, m, math.sqrt(rho))) + p * ndtr(m)  # P(X < c, M < m), corr sqrt(rho)
    return lgd * joint - k * ndtr(m)


#: most factor nodes the exact engine takes (numpy's Hermite weights stay finite to ~370)
MAX_NODES = 300


def loss_distribution(
    pds,
    exposures,
    lgds,
    rho,
    *,
    method: str = "exact",
    nodes: int = 64,
    quadrature: str = "auto",
    lattice: int = 15_000,
    unit: float | None = None,
    paths: int = 100_000,
    seed: int = 0,
    chunk: int | None = None,
    sectors=None,
    sector_rho: float = 0.0,
    client=None,
    progress: Callable[[int, int], None] | None = None,
) -> LossDistribution:
    """Pool loss distribution under the one-factor Gaussian copula.

    Args:
        pds: default probability per name over the horizon, in [0, 1].
        exposures: exposure per name (>= 0, currency units).
        lgds: loss given default per name, in [0, 1].
        rho: asset correlation with the common factor, in [0, 1).
        method: "exact" (recursion on a loss lattice, ``nodes`` factor nodes by ``quadrature``:
            "trapezoid", "legendre", "hermite" or "auto": trapezoid with at least ``nodes``
            nodes, more as the pool grows (:func:`auto_nodes`; :func:`factor_nodes`);
            exact when exposure x LGD are whole multiples of the lattice unit, else each name's loss
            is split between the two neighbouring lattice points so that probability and expected
            loss are both kept; ``lattice`` sets the number of units), "lhp" (Vasicek large
            homogeneous pool with the exposure-weighted pd and LGD) or "mc" (``paths`` draws and a
            ``seed``; the result does not depend on ``chunk``, the paths per task; optional
            ``sectors`` labels with ``sector_rho``
            for a second factor per sector; ``client`` runs chunks on Dask; ``progress(done,
            total)``).
    """
    if method not in METHODS:
        raise ValueError(f"method: expected one of {', '.join(METHODS)}, got {method!r}")
    p = chk.vector(pds, "pds")
    p = chk.probability(p, "pds")
    e = chk.nonnegative(chk.vector(exposures, "exposures"), "exposures")
    g = chk.probability(chk.vector(lgds, "lgds"), "lgds")
    p, e, g = (
        np.broadcast_to(x, (max(len(p), len(e), len(g)),)) if len(x) == 1 else x for x in (p, e, g)
    )
    chk.same_length(pds=p, exposures=e, lgds=g)
    r = float(chk.in_range(rho, "rho", 0.0, 1.0, hi_open=True))
    if quadrature not in ("auto", *_RULES):
        raise ValueError(f"quadrature: expected auto, hermite or legendre, got {quadrature!r}")
    if not (isinstance(nodes, (int, np.integer)) and 1 <= nodes <= MAX_NODES):
        # numpy's Gauss-Hermite weights overflow to NaN beyond about 370 nodes
        raise ValueError(f"nodes: expected a whole number from 1 to {MAX_NODES}, got {nodes!r}")
    total = e.sum()
    if total <= 0:
        raise ValueError("exposures: the pool has no exposure")
    loss = e * g
    if method == "lhp":
        pbar = float(p @ e / total)
        lbar = float((p * loss).sum() / (p @ e)) if pbar > 0 else float(g @ e / total)
        if not 0 < pbar < 1:
            raise ValueError(
                "pds: the large-pool formula needs an average pd strictly between 0 and 1"
            )
        grid = np.linspace(0.0, lbar, 2001)
        with np.errstate(divide="ignore"):
            cdf = (
                ndtr((math.sqrt(1 - r) * ndtri(grid / lbar) - ndtri(pbar)) / math.sqrt(r))
                if r > 0
                else (grid >= pbar * lbar).astype(float)
            )
        cdf[-1] = 1.0
        return LargePoolLossDistribution(grid, np.diff(cdf, prepend=0.0), pbar, lbar, r)
    if method == "exact":
        return _exact(p, loss, total, r, nodes, lattice, unit, quadrature)
    n_paths = int(chk.positive(paths, "paths"))
    if n_paths != paths:
        raise ValueError(f"paths: expected a whole number, got {paths!r}")
    s_codes, s_rho = None, 0.0
    if sectors is not None:
        s_codes = np.unique(np.asarray(sectors).astype(str), return_inverse=True)[1].ravel()
        if len(s_codes) != len(p):
            raise ValueError(f"mismatched lengths: pds has {len(p)}, sectors has {len(s_codes)}")
        s_rho = float(chk.in_range(sector_rho, "sector_rho", 0.0, 1.0 - r, hi_open=True))
    path_losses = _chunks.run(
        _mc_chunk,
        n_paths,
        _chunks.block_size(len(p)),
        int(seed),
        chunk=chunk,
        progress=progress,
        client=client,
        c=ndtri(p),
        loss=loss / total,
        rho=r,
        sectors=s_codes,
        sector_rho=s_rho,
    )
    values, counts = np.unique(path_losses, return_counts=True)
    return MonteCarloLossDistribution(
        values,
        counts / n_paths,
        "mc",
        False,
        f"Monte Carlo, {n_paths:,} paths, seed {seed}",
        paths=path_losses,
    )


def _mc_chunk(rng: np.random.Generator, n: int, *, c, loss, rho, sectors, sector_rho) -> np.ndarray:
    """Path losses for n paths: name i defaults when Z_i < (c_i - sqrt(rho) M [- sqrt(rho_s) S]) /
    b."""
    m = rng.standard_normal(n)
    z = rng.standard_normal((n, len(c)))
    b = math.sqrt(1.0 - rho - sector_rho)
    # Z_i + (sqrt(rho) M [+ sqrt(rho_s) S]) / b < c_i / b, in place: three passes over the draws
    z += (math.sqrt(rho) / b) * m[:, None]
    if sectors is not None:
        s = rng.standard_normal((n, sectors.max() + 1))
        z += (math.sqrt(sector_rho) / b) * s[:, sectors]
    np.less(z, c / b, out=z)  # 1.0 where the name defaults
    return np.einsum("ij,j->i", z, loss)  # not BLAS: its threads stall when the other core is busy


def _conditional_pds(p, rho, z, w) -> np.ndarray:
    """P(default | M = z_k) per node and name, thresholds calibrated so the quadrature average
    reproduces each name's pd exactly (Gauss-Hermite alone drifts once rho nears 1)."""
    a, b = math.sqrt(rho), math.sqrt(1.0 - rho)
    c = ndtri(p)
    inner = (p > 0) & (p < 1)
    if rho > 0 and inner.any():
        ci = c[inner]
        for _ in range(50):
            x = (ci[None, :] - a * z[:, None]) / b
            err = w @ ndtr(x) - p[inner]
            slope = w @ (np.exp(-0.5 * x * x) / (b * math.sqrt(2 * math.pi)))
            step = np.where(slope > 1e-300, err / np.maximum(slope, 1e-300), 0.0)
            ci = ci - np.clip(step, -1.0, 1.0)
            if np.all(np.abs(err) <= 1e-15 * np.maximum(p[inner], 1e-300) + 1e-17):
                break
        c = c.copy()
        c[inner] = ci
    return ndtr((c[None, :] - a * z[:, None]) / b)


def _convolve(cond, k, f, size) -> np.ndarray:
    """Conditional loss distribution per node on the lattice, (nodes, size): name i adds k_i units
    (k_i + 1 with weight f_i) with probability cond[:, i].

    The largest group of identical whole-unit names starts the lattice as its conditional
    binomial distribution (one step instead of one per name: a homogeneous pool costs nodes x
    names); the others are convolved in one at a time (Andersen, Sidenius and Basu 2003) between
    two buffers, vectorised over nodes and lattice points."""
    nodes = cond.shape[0]
    P, Q, T = (np.zeros((nodes, size)) for _ in range(3))
    rest, top, m = np.arange(len(k)), 0, 0
    whole = np.flatnonzero((f == 0) & (k > 0))
    if whole.size > 1:
        key = np.column_stack([k[whole], cond[:, whole].T])
        _, group, counts = np.unique(key, axis=0, return_inverse=True, return_counts=True)
        biggest = int(np.argmax(counts))
        m = int(counts[biggest])
    if m > 1:
        members = whole[group.ravel() == biggest]
        rest = np.setdiff1d(rest, members)
        q, step = cond[:, members[:1]], int(k[members[0]])
        j = np.arange(m + 1)
        log_pmf = gammaln(m + 1) - gammaln(j + 1) - gammaln(m - j + 1)
        P[:, : m * step + 1 : step] = np.exp(log_pmf + xlogy(j, q) + xlog1py(m - j, -q))
        top = m * step
    else:
        P[:, 0] = 1.0
    for i in rest:
        q = cond[:, i : i + 1]
        ki, fi = int(k[i]), float(f[i])
        span = top + 1
        np.multiply(P[:, :span], 1.0 - q, out=Q[:, :span])
        np.multiply(P[:, :span], q * (1.0 - fi), out=T[:, :span])
        Q[:, ki : ki + span] += T[:, :span]
        if fi > 0:
            np.multiply(P[:, :span], q * fi, out=T[:, :span])
            Q[:, ki + 1 : ki + span + 1] += T[:, :span]
        P, Q = Q, P
        top += ki + (1 if fi > 0 else 0)
    return P


def _lattice_unit(loss) -> float | None:
    """The largest unit of which every loss is a whole multiple (losses with up to six decimals),
    or None when there is none or the lattice would exceed MAX_EXACT_LATTICE points."""
    if not loss.size:
        return None
    for scale in 10.0 ** np.arange(7):
        scaled = loss * scale
        ints = np.rint(scaled)
        if ints.min() >= 1 and np.allclose(
            scaled, ints, rtol=0, atol=1e-9 * max(1.0, scaled.max())
        ):
            u = float(np.gcd.reduce(ints.astype(np.int64))) / scale
            return u if loss.sum() / u <= MAX_EXACT_LATTICE else None
    return None


def _exact(p, loss, total, rho, nodes, lattice, unit, quadrature) -> LatticeLossDistribution:
    positive = (
        loss > 1e-15 * total
    )  # names that cannot move the loss by a representable amount are left out
    p, loss = p[positive], loss[positive]
    if unit is None:
        unit = _lattice_unit(loss)
        exact = unit is not None
        if not exact:
            unit = loss.sum() / max(int(lattice), 1) if loss.size else 1.0
    else:
        unit = float(chk.positive(unit, "unit"))
        exact = bool(np.allclose(loss / unit, np.rint(loss / unit), atol=1e-9))
    units = loss / unit
    k = np.floor(units + 1e-9).astype(np.int64)
    f = np.where(exact, 0.0, np.clip(units - k, 0.0, 1.0))
    size = int(k.sum() + (f > 0).sum()) + 1
    if size > 5_000_000:
        raise ValueError(
            f"unit: gives a lattice of {size:,} points; choose a larger unit or a smaller lattice"
        )
    rule, n_nodes = quadrature, int(nodes)
    if quadrature == "auto":
        rule, n_nodes = "trapezoid", auto_nodes(n_nodes, p.size, rho, size)
    z, w = (np.zeros(1), np.ones(1)) if rho == 0.0 else factor_nodes(n_nodes, rule)
    cond = _conditional_pds(p, rho, z, w)  # (nodes, names)
    P = _convolve(cond, k, f, size)
    probs = w @ P
    losses = np.arange(size) * unit / total
    note = (
        f"exact lattice, unit {unit:g}"
        if exact
        else f"bucketed lattice of {size - 1:,} units of {unit:g}: "
        "probability and expected loss kept"
    )
    return LatticeLossDistribution(
        losses, probs, "exact", exact, note + f"; {len(z)} {_RULES[rule]}"
    )


#: most nodes x lattice points the automatic node count takes (three buffers of 8-byte floats)
_NODE_BUDGET = 16_000_000


def auto_nodes(nodes: int, names: int, rho: float, size: int) -> int:
    """Trapezoid factor nodes for a pool: ``nodes`` up to 500 names at rho 0.1, growing as
    sqrt(names x rho / 50) beyond (given the factor, a large pool's loss is nearly a step in it,
    of width ~ sqrt((1 - rho) / (rho x names)), which the even grid must resolve: benchmarks/
    README.md, "Factor nodes"), within a memory budget (nodes x ``size`` lattice points); never
    fewer than ``nodes``."""
    grown = math.ceil(nodes * math.sqrt(max(names * rho / 50.0, 1.0)))
    return int(max(nodes, min(grown, _NODE_BUDGET // max(int(size), 1))))


_RULES = {
    "trapezoid": "evenly spaced factor nodes on [-7, 7]",
    "legendre": "Gauss-Legendre nodes on the factor's probability scale",
    "hermite": "Gauss-Hermite nodes of weight > 1e-16",
}


def factor_nodes(nodes: int, rule: str = "trapezoid") -> tuple[np.ndarray, np.ndarray]:
    """Nodes z and weights w (adding up to 1) for E[g(M)], M standard normal.

    "trapezoid": evenly spaced on [-7, 7] weighted by the normal density; for smooth g decaying
    with the density the error falls geometrically with the spacing (Trefethen and Weideman,
    SIAM Review 56(3), 2014), and it resolves a steep g evenly across the range.
    "legendre": Gauss-Legendre in u = N(M) on (0, 1), best when g is nearly a step in M (very large
    pools: the error is about the weight of the node nearest the step, ~1.6/nodes at most).
    "hermite": Gauss-Hermite, exact for polynomials; its central weights are large (~0.1 with 64
    nodes), so a steep g is poorly resolved; tail nodes of weight below 1e-16 are dropped."""
    if rule == "trapezoid":
        z = np.linspace(-7.0, 7.0, nodes) if nodes > 1 else np.zeros(1)
        w = np.exp(-0.5 * z * z)
        return z, w / w.sum()
    if rule == "hermite":
        z, w = np.polynomial.hermite_e.hermegauss(nodes)
        w = w / math.sqrt(2 * math.pi)
        return z[w > 1e-16], w[w > 1e-16]
    x, w = np.polynomial.legendre.leggauss(nodes)
    return ndtri((x + 1.0) / 2.0), w / 2.0
