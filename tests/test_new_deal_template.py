"""``new-deal --template`` keeps every deal term, structure and option of the template: a round trip
over every field, with a floating coupon, triggers, a guarantee and a liquidity facility."""

import datetime as dt

import pandas as pd
import pytest
from click.testing import CliRunner

from npl_xl.cli import main
from npl_xl.deal import load_example
from npl_xl.models.analysis import load_stress_table
from npl_xl.rating.scorecard import FACTORS, Scorecard
from npl_xl.workbook.new_deal import new_deal
from npl_xl.workbook.reader import read_deal_workbook
from npl_xl.workbook.tape import synthetic_tape
from npl_xl.workbook.template import write_deal_workbook

TERMS = {
    "language": "zh",
    "rate_subordinated": "yes",
    "cutoff_date": dt.date(2024, 3, 31),
    "closing_date": dt.date(2024, 6, 20),
    "expected_senior_maturity": 1.5,
    "collected_before_closing": 1234.5,
    "originator": "某银行",
    "servicer": "某银行",
    "trustee": "某信托",
    "custodian": "某银行分行",
    "lead_underwriter": "某证券",
}
ASSUMPTIONS = {
    "CollectionCostRate": 0.02,
    "RecoveryVolatility": 0.4,
    "DiscountRate": 0.06,
    "RecoveryCorrelation": 0.2,
    "DelayBeta": 2.0,
    "UnitDefaultProbability": 0.15,
    "StressedRecovery": 0.25,
    "Paths": 5000,
    "Seed": 7,
}


def _template_deal():
    deal = load_example("credit_card").with_changes(
        pre_default_order=None,
        post_default_order=None,
        closing_date=None,
        first_payment_date=None,
        rates={"LPR1Y": {"level": 0.0345, "source": "PBoC LPR"}},
        tranches=[
            {
                "name": "优先A档",
                "balance": 50_000.0,
                "coupon": {
                    "index": "LPR1Y",
                    "spread": 0.01,
                    "floor": 0.02,
                    "cap": 0.06,
                    "reset_periods": 4,
                },
                "seniority": 1,
            },
            {
                "name": "优先B档",
                "balance": 10_000.0,
                "coupon": 0.05,
                "seniority": 2,
                "issue_price": 99.5,
            },
            {
                "name": "次级档",
                "balance": 15_000.0,
                "coupon": 0.0,
                "seniority": 3,
                "fixed_return": 0.02,
                "fixed_return_base": "outstanding",
            },
        ],
        guarantee={"name": "G", "limit": 5000.0, "covers": ["senior_interest"], "fee_rate": 0.005},
        liquidity_facility={
            "name": "LF",
            "limit": 2000.0,
            "covers": ["senior_interest"],
            "fee_rate": 0.001,
            "interest_rate": 0.04,
        },
        triggers=[
            {
                "name": "T1",
                "test": "cumulative_collections_ratio",
                "threshold": 0.8,
                "effect": "sequential_turbo",
            },
            {
                "name": "T2",
                "test": "senior_interest_unpaid",
                "threshold": 10.0,
                "effect": "post_default_order",
            },
        ],
        payments_per_year=2,
        legal_maturity_periods=14,
        default_event="none",
        incentive_fee_share=0.1,
        reserve={"multiple": 2.0, "initial": 100.0},
    )
    pre, post = deal.orders()
    return deal.with_changes(pre_default_order=pre[:-2] + pre[-1:] + pre[-2:-1])


@pytest.fixture(scope="module")
def tape(tmp_path_factory):
    path = tmp_path_factory.mktemp("tape") / "tape.csv"
    synthetic_tape(300, seed=5).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _write_template(path, deal, unit="万元"):
    stress = load_stress_table(None)
    stress = stress.assign(haircut_unsecured=stress["haircut_unsecured"] + 0.01)
    card = Scorecard({FACTORS[0]: 2, FACTORS[1]: 4}, {FACTORS[0]: "weak servicer"})
    write_deal_workbook(
        path,
        deal,
        assumptions=ASSUMPTIONS,
        stress=stress,
        unit=unit,
        terms=TERMS
        | {"scorecard": card, "rating_basis": {"优先A档": "timely", "次级档": "ultimate"}},
    )
    return read_deal_workbook(path)


def test_new_deal_template_keeps_every_field(tmp_path, tape):
    template = tmp_path / "template.xlsx"
    before = _write_template(template, _template_deal())
    out = tmp_path / "deal.xlsx"
    new_deal(tape, out, template=template)
    after = read_deal_workbook(out)
    replaced = {"name", "tranches", "recovery", "notes"}  # what the tape gives
    a, b = before.deal.to_dict(), after.deal.to_dict()
    assert {k: v for k, v in a.items() if k not in replaced} == {
        k: v for k, v in b.items() if k not in replaced
    }
    for t0, t1 in zip(before.deal.ordered_tranches, after.deal.ordered_tranches):
        assert t0.model_dump(exclude={"balance"}) == t1.model_dump(exclude={"balance"})
    assert after.deal.tranches[0].floating  # a floating coupon works
    r0, r1 = before.deal.require_recovery(), after.deal.require_recovery()
    assert (r1.cost_rate, r1.volatility, r1.discount_rate) == (
        r0.cost_rate,
        r0.volatility,
        r0.discount_rate,
    )
    assert after.assumptions == before.assumptions
    pd.testing.assert_frame_equal(after.stress, before.stress)
    pd.testing.assert_frame_equal(after.rating_table, before.rating_table)
    assert after.scorecard == before.scorecard
    assert after.rating_basis == before.rating_basis == {"优先A档": "timely", "次级档": "ultimate"}
    for key in ("language", "rate_subordinated", "cutoff_date", "closing_date", "parties"):
        assert getattr(after, key) == getattr(before, key), key
    assert after.expected_senior_maturity == 1.5 and after.collected_before_closing == 1234.5
    assert (after.language, after.rate_subordinated) == ("zh", True)
    assert after.defaults_used == ()


def test_new_deal_template_rescales_amounts_into_the_deal_unit(tmp_path, tape):
    deal = _template_deal()
    template = tmp_path / "template_yuan.xlsx"
    data = deal.to_dict()
    for f in data["fees"]:  # the template states amounts in 元
        for k in ("amount", "cap"):
            if f.get(k) is not None:
                f[k] *= 1e4
    deal = deal.with_changes(
        fees=data["fees"],
        reserve={"multiple": 2.0, "initial": 1_000_000.0},
        guarantee=dict(deal.guarantee.model_dump(), limit=5e7),
        liquidity_facility=dict(deal.liquidity_facility.model_dump(), limit=2e7),
        tranches=[dict(t.model_dump(), balance=t.balance * 1e4) for t in deal.tranches],
        recovery=dict(deal.recovery.model_dump(), total=deal.recovery.total * 1e4),
        triggers=[
            dict(t.model_dump(), threshold=t.threshold * (1e4 if t.name == "T2" else 1))
            for t in deal.triggers
        ],
    )
    _write_template(template, deal, unit="元")
    out = tmp_path / "deal.xlsx"
    new_deal(tape, out, template=template, deal_unit="万元")
    after = read_deal_workbook(out)
    assert after.unit == "万元"
    assert after.deal.reserve.initial == 100.0
    assert after.deal.guarantee.limit == 5000.0 and after.deal.liquidity_facility.limit == 2000.0
    assert {t.name: t.threshold for t in after.deal.triggers} == {"T1": 0.8, "T2": 10.0}
    fees = {f.name: (f.amount, f.cap) for f in after.deal.fees}
    assert fees == {f.name: (f.amount, f.cap) for f in _template_deal().fees}
    assert after.collected_before_closing == pytest.approx(0.12345)


def test_new_deal_template_refuses_a_bad_template_naming_the_cell(tmp_path, tape):
    template = tmp_path / "template.xlsx"
    write_deal_workbook(template, load_example("credit_card"))
    from openpyxl import load_workbook

    wb = load_workbook(template)
    wb["Tranches"]["C3"] = "#N/A"
    wb.save(template)
    r = CliRunner().invoke(
        main,
        ["new-deal", str(tape), "--out", str(tmp_path / "d.xlsx"), "--template", str(template)],
    )
    assert r.exit_code == 1
    assert "Tranches!C3: Coupon: the cell holds the Excel error #N/A" in r.output
    assert not (tmp_path / "d.xlsx").exists()


def test_new_deal_template_refuses_an_error_in_the_valuation_tables(tmp_path, tape):
    from openpyxl import load_workbook

    template = tmp_path / "template.xlsx"
    write_deal_workbook(template, load_example("credit_card"))
    wb = load_workbook(template)
    wb["ValuationTables"]["B5"] = "#DIV/0!"
    wb.save(template)
    with pytest.raises(ValueError, match=r"ValuationTables!B5: haircut: .*Excel error #DIV/0!"):
        new_deal(tape, tmp_path / "d.xlsx", template=template)
