"""Loan-level valuation (hand-computed loans), the valuation tables, and the recovery-rate
regression."""

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from scipy.special import gammainc

from npl_xl.cli import main
from npl_xl.models.valuation import CURVE_MONTHS, packaged_tables, value_loans
from npl_xl.workbook.reader import read_deal_workbook

T = packaged_tables()
H = 72  # months to legal maturity of the credit-card example (24 quarters)


def curve(cls, bucket, months):
    return float(np.interp(months, CURVE_MONTHS, T.curves[(cls, bucket)]))


def hand_value(claim, m, security, guaranteed, ctype, value, stage):
    """Each loan valued by hand from the module's rules (docs/methodology.md §7-8)."""
    if security in ("mortgage", "pledge") and ctype:
        net = min(claim, value * (1 - T.haircut[ctype] - T.disposal_cost[ctype]))
        mu, shape = T.disposal_months[stage], 1 / 0.4**2
        return net * gammainc(shape, H * shape / mu)
    bucket = next(
        b
        for b, lo in (("36+", 36), ("24-36", 24), ("12-24", 12), ("6-12", 6), ("0-6", 0))
        if m >= lo
    )
    band = next(
        b
        for b, lo in (("200k+", 2e5), ("50k-200k", 5e4), ("10k-50k", 1e4), ("<10k", 0))
        if claim >= lo
    )
    kind = "secured" if security in ("mortgage", "pledge") else "unsecured"
    share = (curve(kind, bucket, m + H) - curve(kind, bucket, m)) * T.balance_factor[band]
    if guaranteed and kind == "unsecured":
        share += T.guarantor_share
    return claim * share


# claim (元), months overdue, security, guaranteed, collateral type, appraisal value, legal stage
TEN = [
    (8_000.0, 3, "unsecured", False, "", None, ""),
    (25_000.0, 9, "unsecured", False, "", None, ""),
    (60_000.0, 18, "guaranteed", True, "", None, ""),
    (300_000.0, 40, "unsecured", False, "", None, ""),
    (450_000.0, 14, "mortgage", False, "residential", 700_000.0, "已判决"),
    (900_000.0, 30, "mortgage", True, "commercial", 1_000_000.0, "执行中"),
    (120_000.0, 6, "pledge", False, "equity", 90_000.0, "拍卖中"),
    (200_000.0, 22, "mortgage", False, "", None, ""),  # no collateral data: the secured curve
    (5_000.0, 48, "unsecured", False, "", None, ""),
    (40_000.0, 12, "mortgage", False, "land", 30_000.0, "未诉讼"),
]


def test_ten_loans_valued_by_hand_to_the_cent():
    cols = list(zip(*TEN))
    v = value_loans(
        np.array(cols[0]),
        np.array(cols[1], float),
        list(cols[2]),
        guaranteed=list(cols[3]),
        collateral_type=list(cols[4]),
        appraisal_value=[np.nan if x is None else x for x in cols[5]],
        legal_stage=list(cols[6]),
        horizon=H,
    )
    expected = [hand_value(*loan) for loan in TEN]
    np.testing.assert_allclose(v.expected, expected, atol=0.005)
    assert round(v.expected.sum(), 2) == round(sum(expected), 2)
    assert v.method.tolist()[:5] == ["curve", "curve", "curve+guarantor", "curve", "collateral"]
    assert v.method[7] == "secured curve (no collateral data)" and v.fallbacks == 1
    assert v.asset_class.tolist()[4:8] == ["residential", "commercial", "sme", "residential"]
    np.testing.assert_allclose(v.monthly.sum(), v.expected.sum(), rtol=1e-12)
    # the residential loan: min(450,000, 700,000 x (1 - 30 % - 6 %)) = 448,000 over a 24-month mean
    assert v.expected[4] == pytest.approx(448_000 * gammainc(6.25, H * 6.25 / 24), abs=0.005)


def test_bad_valuation_inputs_are_listed_per_loan():
    with pytest.raises(ValueError) as err:
        value_loans(
            [100.0, 100.0, 100.0],
            [5, 5, 5],
            ["mortgage", "mortgage", "mortgage"],
            collateral_type=["residential", "residential", "land"],
            appraisal_value=[-5.0, 80.0, 0.0],
            legal_stage=["已起诉", "在谈判", "已起诉"],
        )
    msg = str(err.value)
    assert (
        "loan 1: collateral value -5 must be > 0" in msg
        and "loan 3: collateral value 0 must be > 0" in msg
    )
    assert "loan 2: legal stage '在谈判' is not in the disposal-months table" in msg
    from dataclasses import replace

    bad = replace(T, curves=T.curves | {("unsecured", "0-6"): T.curves[("unsecured", "0-6")][::-1]})
    with pytest.raises(
        ValueError, match="curve unsecured 0-6: the cumulative recovery must not decrease"
    ):
        value_loans([100.0], [5], ["unsecured"], tables=bad)
    with pytest.raises(ValueError, match="haircut residential: must lie in"):
        value_loans(
            [100.0], [5], ["unsecured"], tables=replace(T, haircut=T.haircut | {"residential": 1.4})
        )


def test_new_deal_base_case_is_the_sum_of_the_loan_values(tmp_path):
    cols = [
        "借据号",
        "客户号",
        "未偿本金（元）",
        "逾期月数",
        "担保方式",
        "抵押物类型",
        "评估价值（元）",
        "诉讼阶段",
    ]
    rows = [
        [
            f"L{i}",
            f"B{i}",
            c,
            m,
            {"unsecured": "信用", "guaranteed": "保证", "mortgage": "抵押", "pledge": "质押"}[s]
            + ("+保证" if g and s == "mortgage" else ""),
            {"residential": "住宅", "commercial": "商铺", "land": "土地", "equity": "股权", "": ""}[
                ct
            ],
            v or "",
            st,
        ]
        for i, (c, m, s, g, ct, v, st) in enumerate(TEN)
    ]
    tape = tmp_path / "ten.csv"
    pd.DataFrame(rows, columns=cols).to_csv(tape, index=False)
    out = tmp_path / "deal.xlsx"
    r = CliRunner().invoke(main, ["new-deal", str(tape), "--out", str(out), "--deal-unit", "元"])
    assert r.exit_code == 0, r.output
    inputs = read_deal_workbook(out)
    periods = inputs.deal.legal_maturity_periods
    horizon = periods * 12 // inputs.deal.payments_per_year
    assert horizon == 120  # mostly secured: the mortgage example's 20 half-years
    global H
    old, H = H, horizon
    try:
        by_hand = sum(hand_value(*loan) for loan in TEN)
    finally:
        H = old
    assert inputs.deal.recovery.total == pytest.approx(round(by_hand, 2), abs=0.005)
    wb = load_workbook(out)
    assert "LoanValues" in wb["Valuation"].tables and wb["Valuation"]["C2"].value in (
        "curve",
        "collateral",
    )
    tables = {t for ws in wb.worksheets for t in ws.tables}
    assert {"ValCollateral", "ValStages", "ValCurves", "ValFactors"} <= tables
    assert sum(inputs.deal.recovery.asset_mix.values()) == pytest.approx(1.0)
    # edit a table and revalue through --template: a 10-point higher residential haircut lowers the
    # base case
    ws = wb["ValuationTables"]
    for row in ws.iter_rows():
        if row[0].value == "residential":
            row[1].value = 0.40
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    again = tmp_path / "again.xlsx"
    r = CliRunner().invoke(
        main,
        [
            "new-deal",
            str(tape),
            "--out",
            str(again),
            "--deal-unit",
            "元",
            "--template",
            str(edited),
        ],
    )
    assert r.exit_code == 0, r.output
    assert read_deal_workbook(again).deal.recovery.total < inputs.deal.recovery.total
