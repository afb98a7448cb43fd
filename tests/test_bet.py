"""Binomial expansion technique: hand-computed cases, invariants, the scenario hook, bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom

from npl_xl.models import bet


def test_probabilities_by_hand():
    # D = 3, p = 0.1: 0.9^3, 3 x 0.1 x 0.9^2, 3 x 0.01 x 0.9, 0.001
    np.testing.assert_allclose(
        bet.bet_probabilities(3, 0.1), [0.729, 0.243, 0.027, 0.001], rtol=1e-13
    )


def test_probabilities_match_scipy_binomial():
    # peer library: scipy.stats.binom
    for d, p in [(1, 0.3), (17, 0.02), (300, 0.15), (60, 0.0), (60, 1.0)]:
        np.testing.assert_allclose(
            bet.bet_probabilities(d, p), binom.pmf(np.arange(d + 1), d, p), atol=1e-15
        )
        assert bet.bet_probabilities(d, p).sum() == pytest.approx(1.0)


def test_non_integer_diversity_rounds_to_nearest_whole():
    assert len(bet.bet_probabilities(20.4, 0.1)) == 21
    assert len(bet.bet_probabilities(20.5, 0.1)) == 22
    assert bet.bet_expected_loss(20.4, 0.1, 0.5, 0.05, 0.1) == bet.bet_expected_loss(
        20, 0.1, 0.5, 0.05, 0.1
    )


def test_tranche_expected_loss_by_hand():
    # D = 3, p = 0.1, lgd 100 %, tranche [20 %, 50 %]: pool loss j/3; tranche loss 0, 4/9, 1, 1
    # EL = 0.243 x 4/9 + 0.027 + 0.001 = 0.136
    assert bet.bet_expected_loss(3, 0.1, 1.0, 0.2, 0.5) == pytest.approx(0.136, rel=1e-13)


def test_vector_input_matches_scalar_calls():
    d = np.array([3, 20, 20, 300, 45.6])
    p = np.array([0.1, 0.2, 0.05, 0.01, 0.3])
    out = bet.bet_expected_loss(d, p, 0.6, 0.1, 0.3)
    expected = [bet.bet_expected_loss(*args, 0.6, 0.1, 0.3) for args in zip(d, p)]
    np.testing.assert_allclose(out, expected, rtol=1e-13)
    probs = bet.bet_probabilities([3, 5], [0.1, 0.2])
    assert probs.shape == (2, 6) and probs[0, 4:].sum() == 0


@settings(max_examples=100, deadline=None)
@given(d=st.integers(1, 200), p=st.floats(0, 1), lgd=st.floats(0, 1))
def test_pool_el_and_additivity(d, p, lgd):
    assert bet.bet_expected_loss(d, p, lgd) == pytest.approx(p * lgd, abs=1e-12)
    cuts = np.array([0.0, 0.03, 0.1, 0.25, 0.6, 1.0])
    els = bet.bet_expected_loss(d, p, lgd, cuts[:-1], cuts[1:])
    assert np.sum(els * np.diff(cuts)) == pytest.approx(p * lgd, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(
    d=st.integers(1, 150),
    p=st.floats(0.001, 0.999),
    lgd=st.floats(0.05, 1),
    cuts=st.lists(st.floats(0, 0.99), min_size=2, max_size=2, unique=True),
)
def test_el_non_increasing_in_attachment(d, p, lgd, cuts):
    a1, a2 = sorted(cuts)
    assert (
        bet.bet_expected_loss(d, p, lgd, a2, 1.0)
        <= bet.bet_expected_loss(d, p, lgd, a1, 1.0) + 1e-12
    )
    # with a finite detachment above both attachments the tranche's loss (as a share of itself)
    # still falls as the attachment rises
    b = min(1.0, max(a1, a2) + 0.01)
    assert (
        bet.bet_expected_loss(d, p, lgd, a2, b) <= bet.bet_expected_loss(d, p, lgd, a1, b) + 1e-12
    )


def test_scenario_hook_equals_formula_and_takes_cash_flow_losses():
    d, p, lgd, a, b = 12, 0.15, 0.55, 0.05, 0.2
    formula = bet.bet_expected_loss(d, p, lgd, a, b)
    hooked = bet.bet_scenario_expected_loss(d, p, lambda j, D: bet.tranche_loss(j * lgd / D, a, b))
    assert hooked == pytest.approx(formula, rel=1e-14)
    # a per-scenario table (as a cash-flow engine would return): only the worst two scenarios lose
    losses = np.zeros(d + 1)
    losses[-2:] = [0.5, 1.0]
    probs = bet.bet_probabilities(d, p)
    assert bet.bet_scenario_expected_loss(d, p, losses) == pytest.approx(
        0.5 * probs[-2] + probs[-1]
    )
    with pytest.raises(ValueError, match="tranche_losses"):
        bet.bet_scenario_expected_loss(d, p, [0.1, 0.2])


def test_multi_bet_by_hand():
    # group 1: D 1, p 0.1, lgd 100 %, half the pool -> pool loss 0 or 0.5
    # group 2: D 2, p 0.2, lgd 50 %, half the pool -> 0, 0.125, 0.25 with 0.64, 0.32, 0.04
    # tranche [10 %, 30 %]: 0.9 x (0.32 x 0.125 + 0.04 x 0.75) + 0.1 x 1 = 0.163
    groups = [(1, 0.1, 1.0, 0.5), (2, 0.2, 0.5, 0.5)]
    assert bet.multi_bet_expected_loss(groups, 0.1, 0.3) == pytest.approx(0.163, rel=1e-12)
    assert bet.multi_bet_expected_loss(groups) == pytest.approx(0.5 * 0.1 + 0.5 * 0.2 * 0.5)


def test_multi_bet_one_group_is_bet():
    assert bet.multi_bet_expected_loss([(25, 0.12, 0.6, 1.0)], 0.1, 0.2) == pytest.approx(
        bet.bet_expected_loss(25, 0.12, 0.6, 0.1, 0.2), rel=1e-12
    )


def test_bet_limit_large_diversity_tends_to_deterministic_loss():
    # D -> infinity: the pool loss concentrates at p x lgd, so a tranche above it loses nothing
    els = [bet.bet_expected_loss(d, 0.1, 0.5, 0.06, 0.1) for d in (10, 100, 1000, 10000)]
    assert all(np.diff(els) < 0) and els[-1] < 1e-12


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: bet.bet_expected_loss(0, 0.1, 0.5), "diversity"),
        (lambda: bet.bet_expected_loss(-3, 0.1, 0.5), "diversity"),
        (lambda: bet.bet_expected_loss(10, 1.1, 0.5), "pd"),
        (lambda: bet.bet_expected_loss(10, 5.0, 0.5), "give decimals"),
        (lambda: bet.bet_expected_loss(10, 0.1, np.nan), "lgd"),
        (lambda: bet.bet_expected_loss(10, 0.1, 0.5, 0.3, 0.3), "attachment"),
        (lambda: bet.bet_expected_loss(10, 0.1, 0.5, 0.5, 0.2), "attachment"),
        (lambda: bet.bet_expected_loss([10, 20], [0.1, 0.2, 0.3], 0.5), "mismatched lengths"),
        (lambda: bet.multi_bet_expected_loss([(10, 0.1, 0.5, 0.6)]), "par_share"),
        (lambda: bet.multi_bet_expected_loss([(10, 0.1, 0.5)]), "groups"),
    ],
)
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


@settings(max_examples=150, deadline=None)
@given(
    d=st.one_of(st.floats(allow_nan=True), st.text(max_size=3), st.none()),
    p=st.one_of(st.floats(allow_nan=True), st.text(max_size=3)),
)
def test_garbage_gives_value_error_or_a_number(d, p):
    try:
        out = bet.bet_expected_loss(d, p, 0.5)
    except ValueError as exc:
        assert any(k in str(exc) for k in ("diversity", "pd"))
    else:
        assert 0.0 <= out <= 1.0
