"""Tranche sizing: the largest senior that survives a rating's stress (structurers' search)."""

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from test_analysis import simple as analysis_deal  # one annual period, no fees or reserve

from npl_xl.cli import main
from npl_xl.deal import load_example
from npl_xl.models import analysis
from npl_xl.models.sizing import _resized, max_tranche_size, sizing_grid
from npl_xl.models.waterfall import unpaid_at_maturity

TABLE = pd.DataFrame({"Rating": ["AAAsf", "AAsf"], "Haircut": [0.3, 0.1], "Delay_Months": [0, 0]})


def simple(coupon=0.0):
    return analysis_deal(senior=50.0, sub=50.0, coupon=coupon)


def test_by_hand():
    # one annual period collecting 100; AAAsf takes 30 % off: 70 left, so the largest senior
    # paid in full is 70, at AAsf 90. With a 10 % coupon the senior needs 1.1 x its balance:
    # 70 / 1.1 = 63.6 -> 63 whole units.
    assert max_tranche_size(simple(), [100.0], "Senior", "AAAsf", table=TABLE) == 70.0
    assert sizing_grid(simple(), [100.0], "Senior", table=TABLE, tolerance=1) == (
        ("AAAsf", 70.0),
        ("AAsf", 90.0),
    )
    assert max_tranche_size(simple(coupon=0.1), [100.0], "Senior", "AAAsf", table=TABLE) == 63.0
    # a pool that could pay every note: the cap is all the notes but one unit left to the sub
    assert max_tranche_size(simple(), [200.0], "Senior", "AAAsf", table=TABLE) == 99.0
    assert max_tranche_size(simple(), [0.0], "Senior", "AAAsf", table=TABLE) == 0.0


@pytest.mark.parametrize("name", ["credit_card", "mortgage"])
def test_the_size_passes_and_one_percent_more_fails(name):
    deal = load_example(name)
    base = deal.base_collections()
    stressed = analysis.stress_collections(deal, base)[0]  # the AAAsf level
    size = max_tranche_size(deal, base, "Senior", "AAAsf")
    total = sum(t.balance for t in deal.tranches)
    assert 0 < size < total
    for s, paid in ((size, True), (size + 1, False), (1.01 * size, False)):
        unpaid = unpaid_at_maturity(_resized(deal, 0, s), stressed)
        assert bool(unpaid[0] <= 1e-9 * s) is paid, s
        assert sum(t.balance for t in _resized(deal, 0, s).tranches) == pytest.approx(total)
    grid = dict(sizing_grid(deal, base, "Senior"))
    sizes = list(grid.values())
    assert all(np.diff(sizes) >= 0)  # milder stress, larger senior
    assert grid["AAAsf"] == pytest.approx(size, abs=max(1.0, 1e-4 * total))


def test_bad_input_names_the_argument():
    d = simple()
    with pytest.raises(ValueError, match="rating: 'AAA' is not a level"):
        max_tranche_size(d, [100.0], "Senior", "AAA", table=TABLE)
    with pytest.raises(ValueError, match="tranche: 'Mezz' is not a tranche"):
        max_tranche_size(d, [100.0], "Mezz", "AAAsf", table=TABLE)
    with pytest.raises(ValueError, match="most junior"):
        max_tranche_size(d, [100.0], "Sub", "AAAsf", table=TABLE)
    with pytest.raises(ValueError, match="tolerance"):
        max_tranche_size(d, [100.0], "Senior", "AAAsf", table=TABLE, tolerance=0)


def test_cli_and_memo(tmp_path):
    r = CliRunner().invoke(
        main, ["size", "workbook_templates/example_mortgage.xlsx", "--rating", "AAAsf"]
    )
    assert r.exit_code == 0, r.output
    assert "AAAsf" in r.output and "issued 113,000" in r.output
    r = CliRunner().invoke(
        main, ["size", "workbook_templates/example_mortgage.xlsx", "--tranche", "Sub"]
    )
    assert r.exit_code == 1 and "most junior" in r.output
