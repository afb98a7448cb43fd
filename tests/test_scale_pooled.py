"""Pooled loan noise in the recovery simulation: exact moments, the split between loans drawn one by
one and the pooled rest, and the stated Wasserstein-1 error bound against exact per-loan draws."""

import math

import numpy as np
import pytest

from npl_xl.models import simulation
from npl_xl.models.simulation import POOLED_TOLERANCE, noise_moments, pooled_noise


@pytest.mark.parametrize("a", [0.05, 0.3, 0.8, 1.5])
def test_noise_moments_match_numerical_integration(a):
    z = np.linspace(-12, 12, 2_400_001)  # trapezoid on a fine grid: 1e-9 relative or better
    phi = np.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    y = np.exp(a * z - a * a / 2)
    v, r3 = noise_moments(a)
    assert v == pytest.approx(np.trapezoid((y - 1) ** 2 * phi, z), rel=1e-8)
    assert r3 == pytest.approx(np.trapezoid(np.abs(y - 1) ** 3 * phi, z), rel=1e-8)
    assert noise_moments(0.0) == (0.0, 0.0)


def test_pooled_noise_keeps_the_mean_and_the_variance_and_draws_the_largest_loans_exactly():
    amounts = np.r_[np.full(5, 1_000.0), np.random.default_rng(1).uniform(0.5, 1.5, 20_000)]
    a = 0.4
    p = pooled_noise(amounts, a)
    v, r3 = noise_moments(a)
    exact = np.sort(amounts)[::-1][: len(p.exact)]
    assert len(p.exact) >= 5 and np.array_equal(p.exact, exact)
    rest = np.sort(amounts)[::-1][len(p.exact) :]
    assert p.mean + p.exact.sum() == pytest.approx(amounts.sum(), rel=1e-12)
    assert p.sd == pytest.approx(math.sqrt(v * (rest**2).sum()), rel=1e-12)
    assert p.bound == pytest.approx(r3 * (rest**3).sum() / (v * (rest**2).sum()), rel=1e-12)
    assert p.bound <= POOLED_TOLERANCE * amounts.sum()
    # a granular pool is pooled whole; no loan noise (rho = 1) draws nothing
    even = pooled_noise(np.full(100_000, 1.0), a)
    assert len(even.exact) == 0 and even.bound <= POOLED_TOLERANCE * 100_000
    assert pooled_noise(amounts, 0.0).sd == 0.0


def _w1(x, y):
    """Wasserstein-1 distance of two equal-size samples (sorted differences)."""
    return float(np.mean(np.abs(np.sort(x) - np.sort(y))))


def test_the_pooled_draw_is_within_its_bound_of_exact_per_loan_draws():
    # 40 equal loans with a large noise, all pooled (tolerance 1): the bound is far from trivial
    amounts, a, n = np.full(40, 2.5), 0.8, 400_000
    p = pooled_noise(amounts, a, tolerance=1.0)
    assert len(p.exact) == 0 and 0.01 < p.bound < 0.1 * amounts.sum()
    rng = np.random.default_rng(11)
    exact = (np.exp(a * rng.standard_normal((n, 40)) - a * a / 2) * amounts).sum(axis=1)
    pooled = np.maximum(p.mean + p.sd * rng.standard_normal(n), 0.0)
    # on a pool of 100: W1 about 1.3, the bound 9.4, sampling error about sd / sqrt(n) = 0.02
    assert _w1(exact, pooled) <= p.bound
    assert _w1(exact, pooled) > 0.5  # the approximation is not exact: the test can fail


def test_simulated_totals_keep_the_exact_mean_and_variance_of_the_pool():
    amounts = np.random.default_rng(2).lognormal(0.0, 1.0, 5_000)
    rho, sigma, n = 0.3, 0.5, 40_000
    c = simulation.simulate_collections(amounts, [0.5, 0.5], rho=rho, sigma=sigma, scenarios=n)
    totals = c.sum(axis=1)
    a2, s2 = sigma * sigma * (1 - rho), sigma * sigma * rho
    # Var = E[F^2] E[(E + P)^2] - A^2, F the systematic factor: E F^2 = exp(s2)
    var = math.exp(s2) * (amounts.sum() ** 2 + math.expm1(a2) * (amounts**2).sum())
    var -= amounts.sum() ** 2
    assert totals.mean() == pytest.approx(amounts.sum(), abs=4 * math.sqrt(var / n))
    assert totals.var() == pytest.approx(var, rel=0.05)
