"""Calibration of the stress table on the public market dataset (npl_xl.calibration).

Reference figures are the dataset's own published figures (npl_xl/data/market, each row with its
source address); the calibration rule is stated in docs/methodology.md ('Calibration')."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pytest
from click.testing import CliRunner

from npl_xl import market
from npl_xl.calibration import public, stress
from npl_xl.cli import main
from npl_xl.models import analysis


@pytest.mark.parametrize(
    "asset_class, secured, klass",
    [
        ("credit_card", "unsecured", "unsecured"),
        ("consumer", "", "unsecured"),
        ("residential", "secured", "residential"),
        ("corporate", "secured", "commercial"),
        ("sme", "mixed", "commercial"),
        ("corporate", "unsecured", "sme"),
        ("mixed", "", "sme"),
    ],
)
def test_stress_class_by_asset_class_and_collateral(asset_class, secured, klass):
    assert public.stress_class(asset_class, secured) == klass


@pytest.fixture(scope="module")
def jianxin2():
    return public.build("21JIANXIN02")


def test_public_deal_from_published_figures(jianxin2):
    # 建鑫2021年第二期 (absbox.com.cn/deal/21JIANXIN02): quarterly, closing 2021-06-22, legal
    # maturity 2025-04-26, senior 41,000 万元 at 3.30 %, sub 10,400 万元 at 110, expected senior
    # life 0.84 years; the base case is the average of the agencies' published base cases
    d = jianxin2.deal
    md = market.deal("21JIANXIN02")
    cases = md.recoveries[md.recoveries["stage"].isin(["presale", "initial"])]["base_case"]
    assert d.require_recovery().total == pytest.approx(cases.astype(float).mean(), rel=1e-12)
    assert d.payments_per_year == 4 and d.legal_maturity_periods == 16
    assert d.closing_date == dt.date(2021, 6, 22) and d.first_payment_date == dt.date(2021, 7, 26)
    senior, sub = d.ordered_tranches
    published = (41000, 0.033, 10400, 110)
    assert (senior.balance, senior.coupon, sub.balance, sub.issue_price) == published
    assert jianxin2.klass == "unsecured" and jianxin2.fit_target == "maturity"
    assert jianxin2.fit.exact and abs(jianxin2.fit.maturity - 0.84) <= 0.125
    # cash collected between the cut-off date (2021-01-01) and closing: period 1, unstressed
    rec = d.require_recovery()
    assert rec.collected_before_closing == pytest.approx(jianxin2.fit.before_closing)
    assert d.base_collections().sum() == pytest.approx(rec.total)


def test_grid_breakevens_agree_with_the_solver(jianxin2):
    """The survival grid's break-even (first failure less one grid step) brackets the engine's
    bisection at the same delay."""
    d = jianxin2.deal
    grid = stress._breakevens(d, delays=(0, 3))
    base = d.base_collections()
    for j, months in enumerate((0, 3)):
        exact = analysis.breakeven_haircut(d, base, delay_months=months)[0]
        assert grid[j] <= exact < grid[j] + stress.STEP + 1e-9


def _row(code, klass, be, over=None, rating="AAAsf", share=0.5):
    be = np.asarray(be, float)
    deal = SimpleNamespace(code=code, klass=klass, senior_rating=rating, rating_source="published")
    return stress.Survival(deal, be, np.asarray(over if over is not None else be - 0.3), share)


def test_class_stress_rests_on_the_smallest_breakeven():
    n = len(stress.DELAYS)
    a = _row("A", "residential", np.linspace(0.40, 0.20, n))
    b = _row("B", "residential", np.linspace(0.30, 0.10, n))
    cs = stress._class_stress("residential", [a, b])
    j = stress.DELAYS.index(cs.delay)
    assert cs.haircut == pytest.approx(np.floor(0.1 * 0 + b.breakeven[j] / 0.005 + 1e-9) * 0.005)
    assert cs.binding == "B" and cs.n == 2
    # every delay scores the same here (oversized seniors all fail): ties go to the longest delay
    assert cs.delay == stress.DELAYS[-1]


def test_a_delay_some_senior_cannot_survive_is_not_admissible():
    n = len(stress.DELAYS)
    be = np.full(n, 0.3)
    be[stress.DELAYS.index(6) :] = np.nan  # fails from a 6-month delay with no haircut
    cs = stress._class_stress("sme", [_row("A", "sme", be), _row("B", "sme", np.full(n, 0.5))])
    assert cs.admissible == stress.DELAYS[: stress.DELAYS.index(6)]
    assert cs.delay < 6


def test_leave_one_out_misses_the_class_minimum_only():
    n = len(stress.DELAYS)
    rows = [_row(c, "unsecured", np.full(n, x)) for c, x in (("A", 0.5), ("B", 0.4), ("C", 0.3))]
    cv = stress.cross_validate(rows)
    assert list(cv["hit"]) == [True, True, False]  # C alone sits below the others' minimum


def test_table_scales_by_notch_to_no_stress():
    cs = stress.ClassStress("unsecured", 0.3, 6, 10, "A", 1.0, 1.0, (0, 6))
    table = stress.stress_table({"unsecured": cs})
    assert list(table["rating"]) == list(stress.LEVELS)
    assert table.iloc[0]["haircut_unsecured"] == 0.3 and table.iloc[0]["delay_unsecured"] == 6
    assert table.iloc[-1][[f"haircut_{c}" for c in analysis.ASSET_CLASSES]].sum() == 0
    for c in analysis.ASSET_CLASSES:  # a class without a public deal takes the unsecured stress
        assert (np.diff(table[f"haircut_{c}"]) <= 0).all()
        assert (np.diff(table[f"delay_{c}"]) <= 0).all()
    assert (table["haircut_commercial"] == table["haircut_unsecured"]).all()
    analysis.load_stress_table(table)  # a valid stress table


def test_packaged_table_is_reproduced_by_the_calibration():
    """`npl-xl calibrate --check` rebuilds every public deal and the table byte for byte."""
    result = CliRunner().invoke(main, ["calibrate", "--check"])
    assert result.exit_code == 0, result.output
    assert "reproduced byte for byte" in result.output
    frame = analysis.load_stress_table()
    assert set(frame["status"]) == {"calibrated"}


def test_calibrate_never_overwrites_without_force(tmp_path):
    out = tmp_path / "table.csv"
    out.write_text("mine")
    result = CliRunner().invoke(main, ["calibrate", "--out", str(out)])
    assert result.exit_code == 1 and "--force" in result.output
    assert out.read_text() == "mine"
