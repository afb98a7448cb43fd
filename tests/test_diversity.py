"""Moody's diversity score, the alternative diversity score and default correlation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import multivariate_normal, norm

from npl_xl.models import diversity as dv

# Moody's (1996), "The Binomial Expansion Method Applied to CBO/CLO Analysis", diversity table at
# whole numbers of equal-par obligors in one industry (docs/methodology.md §3).
CLASSIC = {
    1: 1.00,
    2: 1.50,
    3: 2.00,
    4: 2.33,
    5: 2.67,
    6: 3.00,
    7: 3.25,
    8: 3.50,
    9: 3.75,
    10: 4.00,
}


@pytest.mark.parametrize("n, score", CLASSIC.items())
def test_classic_table_at_whole_obligor_counts(n, score):
    assert dv.diversity_score([5.0] * n, ["metals"] * n) == pytest.approx(score, abs=0.005)
    assert dv.industry_diversity(float(n)) == pytest.approx(score, abs=0.005)


def test_indenture_table_end_points_and_rule_above_it():
    # CLO indenture table: 0 -> 0, 0.05 -> 0.10, 1.05 -> 1.05, 3.05 -> 2.0333, 19.95 -> 5.00;
    # between two points the lower one applies; above 19.95 the last score (5.00) applies.
    np.testing.assert_allclose(
        dv.industry_diversity([0.0, 0.049, 0.05, 1.05, 3.05, 19.95, 20.0, 1000.0]),
        [0.0, 0.0, 0.10, 1.05, 2.0333, 5.0, 5.0, 5.0],
    )
    assert dv.industry_diversity(2.5) == 1.75  # between 2.45 (1.75) and 2.55 (1.80)


def test_seed_review_one_decimal_table_at_whole_units():
    # seeds/003 (新世纪评级, 资产证券化信用评级模型述评, 表1) quotes Moody's table to one decimal:
    # 1.0->1.0, 2.0->1.5, 3.0->2.0, 4.0->2.3, 5.0->2.7, 6.0->3.0. (Its half-unit rows are a coarser
    # rounding of the indenture table and are not asserted.)
    for units, score in {1: 1.0, 2: 1.5, 3: 2.0, 4: 2.3, 5: 2.7, 6: 3.0}.items():
        assert round(dv.industry_diversity(float(units)), 1) == score


def test_mixed_pool_by_hand():
    # 6 obligors, par 10, 10, 30 (industry X), 20, 5 (Y), 5 (Z): average par 80/6 = 13.333;
    # EU = .75, .75, 1 | 1, .375 | .375; AIEUS X 2.5 -> 1.75, Y 1.375 -> 1.20, Z 0.375 -> 0.40; DS
    # 3.35
    par = [10, 10, 30, 20, 5, 5]
    grp = ["X", "X", "X", "Y", "Y", "Z"]
    assert dv.diversity_score(par, grp) == pytest.approx(3.35)
    # the same pool with obligor C split into two positions aggregates back to 3.35
    par2 = [10, 10, 15, 15, 20, 5, 5]
    grp2 = ["X", "X", "X", "X", "Y", "Y", "Z"]
    obl = ["A", "B", "C", "C", "D", "E", "F"]
    assert dv.diversity_score(par2, grp2, obl) == pytest.approx(3.35)
    # without aggregation the split counts as two obligors and scores differently
    assert dv.diversity_score(par2, grp2) != pytest.approx(3.35)


def test_obligor_in_two_groups_is_rejected():
    with pytest.raises(ValueError, match="obligor"):
        dv.diversity_score([1, 1], ["X", "Y"], ["A", "A"])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.floats(0.01, 1e6), st.integers(0, 6)), min_size=1, max_size=60))
def test_diversity_score_never_exceeds_obligor_count(rows):
    par, grp = zip(*rows)
    ds = dv.diversity_score(par, grp)
    assert 0 < ds <= len(par) + 1e-12


def test_industry_diversity_is_non_decreasing():
    u = np.linspace(0, 25, 5001)
    assert np.all(np.diff(dv.industry_diversity(u)) >= 0)


# --- alternative diversity score -------------------------------------------------------------


@pytest.mark.parametrize("n, rho", [(10, 0.0), (50, 0.05), (100, 0.3), (7, 1.0)])
def test_ads_homogeneous_identity(n, rho):
    # Moody's (2000) moment matching: homogeneous pool D = N / (1 + rho (N - 1))
    assert dv.alternative_diversity_score([1.0] * n, 0.07, rho) == pytest.approx(
        n / (1 + rho * (n - 1))
    )


def test_ads_limits():
    rng = np.random.default_rng(1)
    par = rng.uniform(1, 2, 40)
    assert dv.alternative_diversity_score(np.ones(40), 0.1, 0.0) == pytest.approx(40)
    assert dv.alternative_diversity_score(np.ones(40), 0.1, 1.0) == pytest.approx(1.0)
    # unequal par: uncorrelated D = (sum F)^2 / sum F^2 <= N  (the par-Herfindahl count)
    assert dv.alternative_diversity_score(par, 0.1, 0.0) == pytest.approx(
        par.sum() ** 2 / (par**2).sum()
    )


def test_ads_group_description_equals_full_matrix():
    rng = np.random.default_rng(2)
    n = 30
    par, pd = rng.uniform(1, 5, n), rng.uniform(0.02, 0.3, n)
    groups = rng.integers(0, 4, n)
    rho = np.where(groups[:, None] == groups[None, :], 0.25, 0.05)
    np.fill_diagonal(rho, 1.0)
    full = dv.alternative_diversity_score(par, pd, rho)
    described = dv.alternative_diversity_score(par, pd, (groups, 0.25, 0.05))
    assert described == pytest.approx(full, rel=1e-12)
    assert dv.alternative_diversity_score(par, pd, 0.1) == pytest.approx(
        dv.alternative_diversity_score(par, pd, (groups, 0.1, 0.1)), rel=1e-12
    )


def test_ads_bad_matrix():
    with pytest.raises(ValueError, match="correlation"):
        dv.alternative_diversity_score([1, 1], 0.1, [[1, 0.2], [0.3, 1]])
    with pytest.raises(ValueError, match="correlation"):
        dv.alternative_diversity_score([1, 1, 1], 0.1, np.eye(2))


@pytest.mark.parametrize("p, rho", [(0.01, 0.2), (0.05, 0.3), (0.2, 0.9), (0.001, 0.5), (0.5, 0.1)])
def test_default_correlation_matches_scipy_bivariate_normal(p, rho):
    # peer library: scipy.stats.multivariate_normal.cdf (Genz's algorithm)
    c = norm.ppf(p)
    joint = multivariate_normal([0, 0], [[1, rho], [rho, 1]]).cdf([c, c])
    assert dv.default_correlation(p, rho) == pytest.approx(
        (joint - p * p) / (p * (1 - p)), abs=1e-7
    )


def test_default_correlation_limits():
    assert dv.default_correlation(0.1, 0.0) == 0.0
    assert dv.default_correlation(0.1, 1.0) == pytest.approx(1.0, abs=1e-12)
    rhos = np.linspace(0, 1, 21)
    assert np.all(np.diff(dv.default_correlation(0.05, rhos)) > 0)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: dv.diversity_score([1, -2], ["a", "b"]), "par"),
        (lambda: dv.diversity_score([1, 2, 3], ["a", "b"]), "mismatched lengths"),
        (lambda: dv.diversity_score([1, np.nan], ["a", "b"]), "par"),
        (lambda: dv.diversity_score([1, 2], ["a", None]), "group"),
        (lambda: dv.alternative_diversity_score([1, 2], 1.5, 0.1), "pd"),
        (
            lambda: dv.alternative_diversity_score([1, 2], [0.1, 0.2, 0.3], 0.1),
            "mismatched lengths",
        ),
        (lambda: dv.alternative_diversity_score([1, 2], 0.1, 2.0), "correlation"),
        (lambda: dv.alternative_diversity_score([1, 2], 0.1, 1.2), "correlation: must lie in"),
        (lambda: dv.alternative_diversity_score([1, 2], 0.1, -1.2), "correlation: must lie in"),
        (lambda: dv.alternative_diversity_score([1, 0], 0.1, 0.2), "par: must be > 0, got 0$"),
        (
            lambda: dv.alternative_diversity_score([1, 2], 0.1, (["a", "b"], 0.2, 1.2)),
            "rho_between: must lie in",
        ),
        (lambda: dv.diversity_score([1, 0], ["a", "b"]), "par: must be > 0, got 0$"),
        (lambda: dv.alternative_diversity_score([3, -5], 0.1, 0.2), "par: must be > 0, got -5$"),
        (lambda: dv.default_correlation(0.0, 0.2), "pd"),
        (lambda: dv.default_correlation(0.1, 1.2), "asset_correlation"),
        (lambda: dv.industry_diversity(-1), "units"),
    ],
)
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_group_labels_as_excel_gives_them():
    # one position with a single label, and a column mixing numeric and text industry codes
    assert dv.diversity_score(5.0, "Retail") == 1.0
    mixed = dv.diversity_score([1, 1, 1, 1], np.array([31, "31", "Retail", 31.5], dtype=object))
    assert mixed == dv.diversity_score([1, 1, 1, 1], ["31", "31", "Retail", "31.5"])


def test_ads_matches_the_variance_of_the_copula_loss_distribution():
    # No worked ADS example with published inputs was found; this checks the defining property
    # instead (Moody's 2000: D units of par P/D with pd p-bar match the pool loss's mean and
    # variance):
    # Var(pool loss) under a one-factor Gaussian copula (exact lattice, independent code) must equal
    # P^2 p q / D with D from alternative_diversity_score and rho_D from default_correlation.
    from npl_xl.models.portfolio import loss_distribution

    par = np.array([1, 2, 3, 4, 2, 1, 5, 3], float)
    p, rho_a = 0.08, 0.3
    d = loss_distribution(np.full(len(par), p), par, np.ones(len(par)), rho_a, nodes=96)
    var = d.probabilities @ d.losses**2 - d.expected_loss**2
    D = dv.alternative_diversity_score(par, p, dv.default_correlation(p, rho_a))
    assert var == pytest.approx(p * (1 - p) / D, rel=1e-9)
