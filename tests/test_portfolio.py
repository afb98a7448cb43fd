"""Portfolio loss distributions: brute force, Vasicek, Monte Carlo, Hull-White CDO, recovery
simulation."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate
from scipy.special import ndtr, ndtri

from npl_xl.deal import Deal
from npl_xl.models import analysis, simulation
from npl_xl.models.portfolio import auto_nodes, factor_nodes, loss_distribution


def brute_force(p, e, g, rho, nodes=64):
    """Enumerate all 2^N default patterns at each factor node (the engine's small-pool rule)."""
    z, w = factor_nodes(nodes, "trapezoid")
    if rho == 0:
        z, w = np.zeros(1), np.ones(1)
    cond = ndtr((ndtri(p)[None, :] - math.sqrt(rho) * z[:, None]) / math.sqrt(1 - rho))
    pats = np.array(list(itertools.product([0, 1], repeat=len(p))))
    losses = pats @ (e * g) / e.sum()
    probs = w @ np.prod(np.where(pats[None] == 1, cond[:, None, :], 1 - cond[:, None, :]), axis=2)
    return losses, probs


@pytest.mark.parametrize("n, rho, seed", [(5, 0.0, 1), (8, 0.3, 2), (12, 0.6, 3), (12, 0.05, 4)])
def test_exact_matches_brute_force(n, rho, seed):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.001, 0.4, n)
    e = rng.integers(1, 6, n).astype(float)
    g = rng.choice([0.25, 0.5, 0.75, 1.0], n)
    d = loss_distribution(p, e, g, rho)
    assert d.exact
    losses, probs = brute_force(p, e, g, rho)
    for a, b in [(0.0, 0.05), (0.05, 0.15), (0.15, 0.4), (0.4, 1.0), (0.0, 1.0)]:
        bf = probs @ (np.clip(losses - a, 0, b - a) / (b - a))
        assert abs(d.tranche_expected_loss(a, b) - bf) < 1e-12
        assert abs(d.tranche_default_probability(a, b) - probs[losses > a + 1e-15].sum()) < 1e-12


@pytest.mark.parametrize("rho", [0.0, 0.3])
def test_a_homogeneous_group_starts_the_lattice_as_a_binomial(rho):
    # seven identical names (one binomial step) among five others: still the brute-force answer
    p = np.array([0.08] * 7 + [0.02, 0.3, 0.15, 0.08, 0.05])
    e = np.array([2.0] * 7 + [1.0, 3.0, 2.0, 4.0, 2.0])
    g = np.ones(12)
    d = loss_distribution(p, e, g, rho)
    losses, probs = brute_force(p, e, g, rho)
    for a, b in [(0.0, 0.05), (0.1, 0.3), (0.0, 1.0)]:
        bf = probs @ (np.clip(losses - a, 0, b - a) / (b - a))
        # 5e-12: the engine calibrates each threshold so the nodes reproduce its pd exactly
        assert abs(d.tranche_expected_loss(a, b) - bf) < 5e-12
    homogeneous = loss_distribution(np.full(40, 0.03), np.ones(40), np.ones(40), rho)
    assert homogeneous.expected_loss == pytest.approx(0.03, rel=1e-12)


def test_bucketed_lattice_keeps_probability_and_expected_loss():
    rng = np.random.default_rng(5)
    p, e, g = rng.uniform(0.01, 0.2, 40), rng.uniform(1, 100, 40), rng.uniform(0.2, 0.9, 40)
    d = loss_distribution(p, e, g, 0.2, lattice=500)
    assert not d.exact and "bucketed" in d.note
    assert d.probabilities.sum() == pytest.approx(1.0, abs=1e-12)
    assert d.expected_loss == pytest.approx(p @ (e * g) / e.sum(), rel=1e-12)
    fine = loss_distribution(p, e, g, 0.2, lattice=20000)
    assert d.tranche_expected_loss(0.05, 0.1) == pytest.approx(
        fine.tranche_expected_loss(0.05, 0.1), rel=2e-2
    )


def test_tranche_losses_add_up_to_pool_el():
    rng = np.random.default_rng(6)
    p, e, g = rng.uniform(0.01, 0.2, 30), rng.uniform(1, 10, 30), rng.uniform(0.3, 0.8, 30)
    cuts = [0, 0.03, 0.07, 0.1, 0.15, 0.3, 1.0]
    for method in ("exact", "lhp", "mc"):
        d = loss_distribution(p, e, g, 0.25, method=method, paths=20_000)
        total = sum((b - a) * d.tranche_expected_loss(a, b) for a, b in zip(cuts[:-1], cuts[1:]))
        assert total == pytest.approx(d.expected_loss, rel=1e-9, abs=1e-12)


def test_rho_zero_is_independent_names():
    # independent identical names: the number of defaults is binomial
    from scipy.stats import binom

    d = loss_distribution(np.full(20, 0.1), np.ones(20), np.ones(20), 0.0)
    np.testing.assert_allclose(d.probabilities, binom.pmf(np.arange(21), 20, 0.1), atol=1e-15)
    near = loss_distribution(np.full(20, 0.1), np.ones(20), np.ones(20), 1e-10)
    np.testing.assert_allclose(near.probabilities, d.probabilities, atol=1e-6)


def test_lhp_display_grid_is_the_vasicek_distribution():
    # the grid shown for the large pool carries Vasicek's CDF at every point (rho > 0), and with
    # rho = 0 all the mass sits at the one loss pd x lgd
    p, lgd, rho = 0.02, 0.45, 0.12
    d = loss_distribution(np.full(10, p), np.ones(10), np.full(10, lgd), rho, method="lhp")
    x = d.losses[1:-1]
    vas = ndtr((math.sqrt(1 - rho) * ndtri(x / lgd) - ndtri(p)) / math.sqrt(rho))
    np.testing.assert_allclose(np.cumsum(d.probabilities)[1:-1], vas, rtol=1e-12, atol=1e-15)
    flat = loss_distribution(np.full(10, 0.1), np.ones(10), np.full(10, 0.5), 0.0, method="lhp")
    assert flat.probabilities.max() == 1.0
    assert flat.losses[np.argmax(flat.probabilities)] == pytest.approx(0.05, abs=0.5 / 2000)


def test_mc_standard_errors_are_those_of_the_paths():
    d = loss_distribution([0.05] * 30, [1.0] * 30, [0.6] * 30, 0.3, method="mc", paths=5000, seed=3)
    L = d.paths
    assert d.expected_loss_se == pytest.approx(L.std(ddof=1) / math.sqrt(5000), rel=1e-12)
    tr = np.clip(L - 0.02, 0.0, 0.05) / 0.05
    assert d.tranche_expected_loss_se(0.02, 0.07) == pytest.approx(
        tr.std(ddof=1) / math.sqrt(5000), rel=1e-12
    )
    assert d.tranche_expected_loss(0.02, 0.07) == pytest.approx(tr.mean(), rel=1e-12)


def test_large_whole_exposures_keep_an_exact_lattice():
    # losses of 1,000,000 and 2,000,000: the unit is 1,000,000 and the lattice has 4 points
    d = loss_distribution([0.1, 0.2], [1e6, 2e6], [1.0, 1.0], 0.0)
    assert d.exact and d.losses.size == 4
    np.testing.assert_allclose(d.probabilities, [0.72, 0.08, 0.18, 0.02], atol=1e-15)


def test_lhp_matches_vasicek_and_basel():
    p, lgd, rho = 0.02, 0.45, 0.12
    d = loss_distribution(np.full(10, p), np.ones(10), np.full(10, lgd), rho, method="lhp")
    # Vasicek (2002): P(L <= x) = N((sqrt(1 - rho) N^-1(x/lgd) - N^-1(p)) / sqrt(rho))
    for x in (0.001, 0.01, 0.05, 0.2):
        vas = ndtr((math.sqrt(1 - rho) * ndtri(x / lgd) - ndtri(p)) / math.sqrt(rho))
        assert 1 - d.tranche_default_probability(x, 1.0) == pytest.approx(vas, rel=1e-12)
    # Basel II IRB (BCBS 2005, "An Explanatory Note on the Basel II IRB Risk Weight Functions"):
    # the 99.9 % loss quantile is LGD N((N^-1(PD) + sqrt(R) N^-1(0.999)) / sqrt(1 - R))
    basel = lgd * ndtr((ndtri(p) + math.sqrt(rho) * ndtri(0.999)) / math.sqrt(1 - rho))
    assert d.quantile(0.999) == pytest.approx(basel, rel=1e-12)

    # closed-form tranche EL equals numerical integration over the factor
    def tranche_loss(m, a, b):
        loss = lgd * ndtr((ndtri(p) - math.sqrt(rho) * m) / math.sqrt(1 - rho))
        return (
            min(max(loss - a, 0), b - a) / (b - a) * math.exp(-m * m / 2) / math.sqrt(2 * math.pi)
        )

    for a, b in [(0, 0.03), (0.03, 0.07), (0.07, 0.2)]:
        num = integrate.quad(tranche_loss, -12, 12, args=(a, b), limit=200, epsabs=1e-13)[0]
        assert d.tranche_expected_loss(a, b) == pytest.approx(num, abs=1e-9)


def test_mc_within_three_standard_errors_and_reproducible():
    rng = np.random.default_rng(7)
    n = 60
    p, e, g = rng.uniform(0.01, 0.1, n), rng.uniform(1, 3, n), rng.uniform(0.3, 0.7, n)
    exact = loss_distribution(p, e, g, 0.3, lattice=20000)
    mc = loss_distribution(p, e, g, 0.3, method="mc", paths=100_000, seed=11)
    for a, b in [(0, 0.03), (0.03, 0.07), (0.07, 0.15)]:
        assert (
            abs(mc.tranche_expected_loss(a, b) - exact.tranche_expected_loss(a, b))
            < 3 * mc.tranche_expected_loss_se(a, b) + 2e-4
        )
    assert abs(mc.expected_loss - exact.expected_loss) < 3 * mc.expected_loss_se
    again = loss_distribution(p, e, g, 0.3, method="mc", paths=100_000, seed=11, chunk=7_000)
    assert np.array_equal(mc.paths, again.paths)
    other = loss_distribution(p, e, g, 0.3, method="mc", paths=100_000, seed=12)
    assert not np.array_equal(mc.paths, other.paths)


def test_mc_sector_factor_adds_tail():
    p, e, g = np.full(40, 0.05), np.ones(40), np.full(40, 0.6)
    one = loss_distribution(p, e, g, 0.1, method="mc", paths=50_000, seed=1)
    two = loss_distribution(
        p,
        e,
        g,
        0.1,
        method="mc",
        paths=50_000,
        seed=1,
        sectors=np.repeat(["a", "b"], 20),
        sector_rho=0.3,
    )
    assert two.quantile(0.99) > one.quantile(0.99)
    assert two.expected_loss == pytest.approx(one.expected_loss, rel=0.05)


def hull_white_spread(rho, attach, detach, n=100, hazard=0.01, recovery=0.4, rate=0.05, years=5):
    """Running spread (bp) of a synthetic CDO tranche from expected tranche losses at quarterly
    dates."""
    times = np.arange(1, 4 * years + 1) / 4
    etl = [0.0]
    for t in times:
        pd_t = 1 - math.exp(-hazard * t)
        d = loss_distribution(np.full(n, pd_t), np.ones(n), np.full(n, 1 - recovery), rho, nodes=64)
        etl.append(d.tranche_expected_loss(attach, detach))
    etl = np.array(etl)
    disc = np.exp(-rate * times)
    disc_mid = np.exp(-rate * (times - 0.125))
    premium = np.sum(0.25 * disc * (1 - etl[1:]) + 0.25 * 0.5 * disc_mid * (etl[1:] - etl[:-1]))
    protection = np.sum(disc_mid * (etl[1:] - etl[:-1]))
    return protection / premium * 1e4


@pytest.mark.parametrize("rho, spreads", [(0.1, (2279, 450, 89, 1)), (0.3, (1487, 472, 203, 7))])
def test_hull_white_100_name_cdo(rho, spreads):
    # Hull & White (2004), "Valuation of a CDO and an n-th to default CDS without Monte Carlo
    # simulation", Journal of Derivatives 12(2), Table 7 (also QuantLib's test-suite/cdo.cpp,
    # testHW):
    # 100 names, hazard rate 1 %, recovery 40 %, 5 years, quarterly premiums, rate 5 %; one-factor
    # Gaussian copula; tranche spreads in bp. Our expected tranche losses priced the same way must
    # agree within 4 % (QuantLib's tolerance for its Gaussian engines) or 1 bp.
    tranches = [(0.0, 0.03), (0.03, 0.06), (0.06, 0.10), (0.10, 1.0)]
    for (a, b), published in zip(tranches, spreads):
        ours = hull_white_spread(rho, a, b)
        assert abs(ours - published) <= max(0.04 * published, 1.0), (a, b, ours, published)


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"pds": [1.2]}, "pds"),
        ({"pds": [-0.1]}, "pds"),
        ({"rho": 1.0}, "rho"),
        ({"rho": -0.2}, "rho"),
        ({"exposures": [-1.0]}, "exposures"),
        ({"lgds": [np.nan]}, "lgds"),
        ({"method": "mc", "paths": 0}, "paths"),
        ({"method": "mc", "paths": -5}, "paths"),
        ({"method": "mc", "paths": 2.5}, "paths"),
        ({"method": "fast"}, "method"),
        # numpy's Gauss-Hermite weights are NaN at 400 nodes: once a silent all-zero distribution
        ({"nodes": 400}, "nodes: expected a whole number from 1 to 300"),
        ({"nodes": 0}, "nodes"),
        ({"nodes": 2.5}, "nodes"),
        ({"pds": [0.1, 0.2], "exposures": [1.0, 2.0, 3.0]}, "mismatched lengths"),
    ],
)
def test_bad_input_is_rejected(bad, message):
    args = {"pds": [0.1], "exposures": [1.0], "lgds": [0.5], "rho": 0.2, "method": "exact"} | bad
    with pytest.raises(ValueError, match=message):
        loss_distribution(
            args.pop("pds"), args.pop("exposures"), args.pop("lgds"), args.pop("rho"), **args
        )


@settings(max_examples=60, deadline=None)
@given(
    p=st.lists(st.floats(0, 1), min_size=1, max_size=6),
    rho=st.floats(0, 0.99),
    e=st.floats(0.1, 100),
    g=st.floats(0, 1),
)
def test_exact_distribution_is_a_distribution(p, rho, e, g):
    d = loss_distribution(p, [e] * len(p), [g] * len(p), rho)
    assert d.probabilities.sum() == pytest.approx(1.0, abs=1e-9)
    assert (d.probabilities >= -1e-15).all()
    assert d.expected_loss == pytest.approx(np.mean(p) * g, abs=1e-9)


# --- NPL recovery simulation ----------------------------------------------------------------------


def test_recovery_simulation_mean_reproducibility_and_progress():
    amounts = np.random.default_rng(0).uniform(1, 10, 500)
    timing = np.array([0.4, 0.3, 0.2, 0.1])
    calls = []
    c = simulation.simulate_collections(
        amounts,
        timing,
        rho=0.4,
        sigma=0.3,
        scenarios=4000,
        seed=9,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert c.shape == (4000, 4) and calls[-1][0] == calls[-1][1]
    totals = c.sum(axis=1)
    assert abs(totals.mean() - amounts.sum()) < 4 * totals.std() / math.sqrt(4000)
    same = simulation.simulate_collections(
        amounts, timing, rho=0.4, sigma=0.3, scenarios=4000, seed=9, chunk=333
    )
    assert np.array_equal(c, same)
    for threads in (1, 3):  # threads over blocks change nothing, whatever the chunking
        again = simulation.simulate_collections(
            amounts, timing, rho=0.4, sigma=0.3, scenarios=4000, seed=9, chunk=333, threads=threads
        )
        assert np.array_equal(c, again)
    # with every loan's noise systematic the pool's log-recovery has volatility sigma
    full = simulation.simulate_collections(
        amounts, timing, rho=1.0, sigma=0.3, scenarios=20000, seed=1
    ).sum(axis=1)
    assert np.std(np.log(full)) == pytest.approx(0.3, rel=0.03)


def test_simulated_tranche_pd_matches_tranche_kmv_for_lognormal_recovery():
    # one annual period, no fees or coupons, pool recovery lognormal (rho = 1): P(recovery < 70) is
    # the tranche KMV's N(-DD) with V0 = 100, DP = 70, sigma 30 %, T = 1, drift 0 (discount 0).
    deal = Deal.from_dict(
        {
            "name": "kmv",
            "payments_per_year": 1,
            "reserve": {"multiple": 0},
            "tranches": [
                {"name": "Senior", "balance": 70, "seniority": 1},
                {"name": "Sub", "balance": 30, "seniority": 2},
            ],
        }
    )
    c = simulation.simulate_collections(
        [40.0, 60.0], [1.0], rho=1.0, sigma=0.3, scenarios=40_000, seed=3
    )
    stats = simulation.tranche_statistics(deal, c)
    kmv_pd = analysis.tranche_kmv(
        deal, [100.0], recovery_vol=0.3, discount_rate=0.0
    ).default_probability
    se = np.sqrt(kmv_pd * (1 - kmv_pd) / 40_000)
    assert np.all(np.abs(stats.pd - kmv_pd) < 4 * se)
    assert stats.rating_el[0] and stats.el[0] < stats.el[1]


def test_recovery_simulation_bad_input():
    with pytest.raises(ValueError, match="sigma"):
        simulation.simulate_collections([1.0], [1.0], rho=0.2, sigma=30, scenarios=10)
    with pytest.raises(ValueError, match="scenarios"):
        simulation.simulate_collections([1.0], [1.0], rho=0.2, sigma=0.3, scenarios=0)
    with pytest.raises(ValueError, match="rho"):
        simulation.simulate_collections([1.0], [1.0], rho=1.5, sigma=0.3, scenarios=10)


def test_dask_gives_the_serial_result():
    distributed = pytest.importorskip("distributed")
    p, e, g = np.full(30, 0.05), np.ones(30), np.full(30, 0.6)
    serial = loss_distribution(p, e, g, 0.2, method="mc", paths=20_000, seed=5, chunk=4_000)
    with distributed.Client(
        processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None
    ) as client:
        parallel = loss_distribution(
            p, e, g, 0.2, method="mc", paths=20_000, seed=5, chunk=4_000, client=client
        )
    assert np.array_equal(serial.paths, parallel.paths)


def test_no_dask_gives_a_clear_message(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_dask(name, *a, **k):
        if name.startswith("dask"):
            raise ImportError(name)
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    with pytest.raises(ValueError, match="Dask is not installed"):
        loss_distribution([0.1], [1.0], [0.5], 0.2, method="mc", paths=10, client="local")


def test_factor_nodes_integrate_the_normal():
    # both rules: weights add up to 1, E[M] = 0 and E[M^2] = 1 (Hermite exactly; Legendre on the
    # probability scale converges algebraically: 1e-3 at 64 nodes)
    for rule, tol in (("hermite", 1e-12), ("legendre", 1e-3)):
        z, w = factor_nodes(64, rule)
        assert abs(w.sum() - 1) < 1e-12 and abs(w @ z) < 1e-12
        assert abs(w @ z**2 - 1) < tol, rule


def test_large_pool_uses_nodes_that_resolve_a_step():
    # 1,000 identical names: P(L <= k) = E[binomial cdf(k; n, q(M))], by adaptive quadrature
    # (scipy.integrate.quad). Given M the loss is nearly certain, so the integrand is nearly a step
    # in M: 64 Hermite nodes miss it by 9e-3; the default even grid grows to 144 nodes here
    # (auto_nodes) and misses it by less than 1e-6.
    from scipy.stats import binom

    n, pd_, rho = 1000, 0.05, 0.25
    c, a, b = ndtri(pd_), np.sqrt(rho), np.sqrt(1 - rho)

    def cdf(k):
        g = lambda z: binom.cdf(k, n, ndtr((c - a * z) / b)) * np.exp(-z * z / 2)  # noqa: E731
        return integrate.quad(g, -9, 9, points=[(c - b * ndtri(k / n)) / a], limit=400)[
            0
        ] / np.sqrt(2 * np.pi)

    ks = np.array([20, 40, 50, 60, 100, 200])
    truth = np.array([cdf(k) for k in ks])
    args = (np.full(n, pd_), np.ones(n), np.ones(n), rho)
    auto = np.cumsum(loss_distribution(*args).probabilities)[ks]
    hermite = np.cumsum(loss_distribution(*args, quadrature="hermite").probabilities)[ks]
    assert np.max(np.abs(auto - truth)) < 1e-6
    assert np.max(np.abs(hermite - truth)) > 5e-3
    assert "144 evenly spaced" in loss_distribution(*args).note


def test_quantile_at_an_exact_step_and_at_one():
    # one name, pd 1/2, rho 0: losses 0 and 1 with probability 1/2 each. The q-quantile is the
    # smallest loss x with P(L <= x) >= q: 0 at q = 1/2 (the step itself), 1 at q = 1.
    d = loss_distribution([0.5], [1.0], [1.0], 0.0)
    np.testing.assert_allclose(d.probabilities, [0.5, 0.5])
    assert d.quantile(0.5) == 0.0 and d.quantile(0.5000001) == 1.0 and d.quantile(1.0) == 1.0


def test_large_pool_edges_by_hand():
    # Vasicek with rho 0 is deterministic: L = pd x lgd = 0.02. A tranche attached below it defaults
    # surely, one attached above it never; tranche [0, 0.01] loses all, [0.01, 0.03] half.
    d = loss_distribution(np.full(4, 0.05), np.ones(4), np.full(4, 0.4), 0.0, method="lhp")
    assert d.tranche_default_probability(0.0, 0.01) == 1.0
    assert d.tranche_default_probability(0.01, 0.05) == 1.0
    assert d.tranche_default_probability(0.021, 0.05) == 0.0
    assert d.tranche_expected_loss(0.0, 0.01) == pytest.approx(1.0)
    assert d.tranche_expected_loss(0.01, 0.03) == pytest.approx(0.5)
    # with correlation: attached at 0 a tranche defaults surely (P(L > 0) = 1)
    c = loss_distribution(np.full(4, 0.05), np.ones(4), np.full(4, 0.4), 0.3, method="lhp")
    assert c.tranche_default_probability(0.0, 0.1) == 1.0


def test_large_pool_takes_the_loss_weighted_lgd():
    # pds 1 % and 9 %, LGDs 0.9 and 0.1 on equal exposures: pbar 5 %, lbar = (0.009 + 0.009) /
    # 0.1 = 0.18 (weighted by expected defaults), so EL = 0.05 x 0.18 = 0.009 = the mean of p x lgd
    d = loss_distribution([0.01, 0.09], [1.0, 1.0], [0.9, 0.1], 0.2, method="lhp")
    assert d.expected_loss == pytest.approx(0.009, rel=1e-12)
    assert d.lgd == pytest.approx(0.18, rel=1e-12)
    with pytest.raises(ValueError, match="pds: the large-pool formula needs an average pd"):
        loss_distribution([1.0, 1.0], [1.0, 1.0], [0.5, 0.5], 0.2, method="lhp")


def test_single_cells_broadcast_and_the_default_seed_is_zero():
    p = np.full(10, 0.05)
    one = loss_distribution([0.05], np.arange(1.0, 11.0), [0.5], 0.2)
    full = loss_distribution(p, np.arange(1.0, 11.0), np.full(10, 0.5), 0.2)
    np.testing.assert_array_equal(one.probabilities, full.probabilities)
    mc = loss_distribution(p, np.ones(10), np.full(10, 0.5), 0.2, method="mc", paths=2000)
    seeded = loss_distribution(
        p, np.ones(10), np.full(10, 0.5), 0.2, method="mc", paths=2000, seed=0
    )
    assert mc.expected_loss == seeded.expected_loss


def test_no_accuracy_cliff_as_the_pool_grows():
    # issue 21 (8): identical names, pd 5 %, rho 0.1. A deep-senior tranche (losses above 15 %)
    # has EL = E[E[(L - 0.15)^+ | M]] with L = K / n, K binomial(n, q(M)): by adaptive quadrature
    # (scipy.integrate.quad) per pool size. The default grid keeps its accuracy across 500/501
    # names (64 Gauss-Legendre nodes, the rule beyond 500 names before, missed it by 98.5 % at
    # 501) and its node count grows with the pool.
    from scipy.stats import binom

    pd_, rho, a = 0.05, 0.1, 0.15
    c, s, t = ndtri(pd_), np.sqrt(rho), np.sqrt(1 - rho)

    def tranche_el(n):
        k = np.arange(n + 1)
        over = np.maximum(k / n - a, 0.0)

        def g(z):
            return binom.pmf(k, n, ndtr((c - s * z) / t)) @ over * np.exp(-z * z / 2)

        return integrate.quad(g, -10, 10, limit=400, epsabs=1e-14)[0] / np.sqrt(2 * np.pi)

    for n in (500, 501, 1000):
        d = loss_distribution(np.full(n, pd_), np.ones(n), np.ones(n), rho)
        ours = d.probabilities @ np.maximum(d.losses - a, 0.0)
        truth = tranche_el(n)
        assert abs(ours / truth - 1) < 1e-6, n
    assert auto_nodes(64, 500, 0.1, 501) == 64 and auto_nodes(64, 501, 0.1, 502) == 65
    assert auto_nodes(64, 5000, 0.1, 5001) == 203
    assert auto_nodes(64, 10**6, 0.2, 10**6 + 1) == 64  # the memory budget: never below nodes
