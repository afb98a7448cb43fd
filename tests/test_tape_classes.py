"""Asset class per loan from product, purpose and collateral; city tiers; legal stages from a
remark; a messy small-business tape through new-deal with no edit."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy.special import gammainc

from npl_xl.cli import main
from npl_xl.models.valuation import TIMING_CV, packaged_tables, value_loans
from npl_xl.workbook.intake import read_tape
from npl_xl.workbook.intake.classes import CLASS_RULES, classify, rules_frame, rules_from_frame
from npl_xl.workbook.new_deal import new_deal, value_tape


def frame(**cols):
    return pd.DataFrame(cols)


@pytest.mark.parametrize(
    "product, security, collateral, expected",
    [
        ("个人经营贷", "mortgage", "residential", ("residential", "product '经营' secured by")),
        ("个人经营贷", "unsecured", None, ("sme", "product '经营'")),
        ("小微企业流动资金贷款", "pledge", None, ("sme", "product '小微'")),
        ("对公贷款", "mortgage", "commercial", ("commercial", "product '对公' secured by")),
        ("信用卡透支", "unsecured", None, ("unsecured", "product '信用卡'")),
        ("个人消费贷款", "guaranteed", None, ("unsecured", "product '消费'")),
        ("个人住房按揭贷款", "mortgage", None, ("residential", "product '住房按揭'")),
        ("商铺按揭", "mortgage", None, ("commercial", "product '商铺'")),
        (None, "mortgage", "land", ("commercial", "collateral land")),
        (None, "pledge", None, ("sme", "security pledge (stated mapping")),
        (None, "mortgage", None, ("residential", "fallback: mortgage without collateral")),
        (None, "unsecured", None, ("unsecured", "security unsecured")),
    ],
)
def test_asset_class_from_product_purpose_and_collateral(product, security, collateral, expected):
    tape = frame(product=[product], security=[security], collateral_type=[collateral])
    cls, why = classify(tape)
    assert cls[0] == expected[0] and why[0].startswith(expected[1])


def test_purpose_counts_like_product_and_nothing_stated_is_a_fallback():
    tape = frame(purpose=["经营周转", None], loan_id=["A", "B"])
    cls, why = classify(tape)
    assert cls.tolist() == ["sme", "unsecured"]
    assert why[1] == "fallback: no product, collateral or security stated"


def test_rules_round_trip_through_the_workbook_table_and_are_checked():
    assert rules_from_frame(rules_frame()) == CLASS_RULES
    edited = rules_frame()
    edited.loc[edited["word"] == "pledge", "asset_class"] = "commercial"
    cls, _ = classify(frame(security=["pledge"]), rules_from_frame(edited))
    assert cls.tolist() == ["commercial"]
    bad = rules_frame()
    bad.loc[0, "asset_class"] = "cars"
    with pytest.raises(ValueError, match="ValClasses row 1: asset_class 'cars'"):
        rules_from_frame(bad)
    with pytest.raises(ValueError, match="row 2: product word '信用卡' appears twice"):
        rules_from_frame(pd.concat([rules_frame().iloc[:1]] * 2))


def test_city_tier_reaches_the_valuation(tmp_path):
    """A tier-3 city's secured loan takes the tier-3 add-on (10 points of haircut): claim and value
    1,000,000 元, residential haircut 30 % + 10 %, disposal cost 6 %, stage 已判决 (24 months)."""
    path = tmp_path / "t.csv"
    path.write_text(
        "借据号,未偿本金,担保方式,抵押物类型,评估价值,诉讼阶段,城市,逾期月数\n"
        "A,1000000,抵押,住宅,1000000,已判决,襄阳市,12\n"
        "B,1000000,抵押,住宅,1000000,已判决,北京,12\n",
        encoding="utf-8",
    )
    tape = read_tape(path)
    assert tape["city_tier"].tolist() == ["3", "1"]
    v, _ = value_tape(tape, None, 12, 120)
    shape = 1 / TIMING_CV**2
    reached = gammainc(shape, 120 * shape / 24.0)
    assert v.expected[0] == pytest.approx(1_000_000 * (1 - 0.30 - 0.10 - 0.06) * reached, abs=0.01)
    assert v.expected[1] == pytest.approx(1_000_000 * (1 - 0.30 - 0.06) * reached, abs=0.01)
    assert packaged_tables().tier_addon["3"] == 0.10
    assert any("襄阳市 (1)" in line for line in tape.attrs["intake"].derived)


def test_legal_stage_words_and_remarks(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "借据号,未偿本金,诉讼阶段,备注\nA,1000,已诉讼,\nB,1000,已判决未执行,\n"
        "C,1000,,2023年已判决未执行\nD,1000,,客户失联\nE,1000,终结本次执行,\n",
        encoding="utf-8",
    )
    tape = read_tape(path)
    assert tape["legal_stage"].tolist() == ["已起诉", "已判决", "已判决", None, "执行中"]
    assert "legal_stage: 1 loan(s) from a stage named in 备注" in tape.attrs["intake"].derived


def messy_tape(path, n=400, seed=5):
    """A small-business tape as a servicer sends it: title with the cut-off date, income in 万元 and
    balances in 元, products naming business loans, pledges, mortgages without collateral data."""
    rng = np.random.default_rng(seed)
    product = rng.choice(["个人经营贷", "小微企业流动资金贷款", "信用卡"], n, p=[0.5, 0.4, 0.1])
    security = np.where(
        product == "信用卡", "信用", rng.choice(["抵押", "质押", "保证", "信用"], n)
    )
    collateral = np.where((security == "抵押") & (rng.uniform(size=n) < 0.5), "住宅", "")
    value = np.where(collateral == "住宅", rng.uniform(2e5, 1e6, n).round(2), np.nan)
    rows = [
        "XX银行2024年第一期不良资产支持证券基础资产清单（封包日：2024年6月30日）",
        "借据号,未偿本金（元）,未偿利息（元）,年收入（万元）,产品类型,担保方式,抵押物类型,"
        "评估价值（元）,逾期天数,违约日期,城市,备注",
    ]
    for i in range(n):
        rows.append(
            ",".join(
                [
                    f"L{i:05d}",
                    f"{rng.uniform(5e4, 8e5):.2f}",
                    f"{rng.uniform(0, 5e4):.2f}",
                    f"{rng.uniform(5, 60):.2f}",
                    product[i],
                    security[i],
                    collateral[i],
                    "" if np.isnan(value[i]) else f"{value[i]:.2f}",
                    str(int(rng.integers(100, 1500))),
                    (
                        dt.date(2024, 3, 27) - dt.timedelta(days=int(rng.integers(0, 900)))
                    ).isoformat(),
                    rng.choice(["杭州", "襄阳", ""]),
                    rng.choice(["", "已判决未执行", "已诉讼"]),
                ]
            )
        )
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_a_messy_small_business_tape_goes_through_new_deal_with_no_edit(tmp_path):
    tape_path, out = tmp_path / "sme.csv", tmp_path / "deal.xlsx"
    messy_tape(tape_path)
    tape = read_tape(tape_path)
    r = tape.attrs["intake"]
    assert r.cutoff == dt.date(2024, 6, 30) and r.cutoff_source.startswith("title line")
    assert tape["annual_income"].between(5e4, 6e5).all()  # 万元 read as 万元
    assert not r.warnings
    s = new_deal(tape_path, out)
    lines = s["intake"]
    mix = next(line for line in lines if line.startswith("asset class (stress table): "))
    assert "sme " in mix and "unsecured " in mix
    fallback = [line for line in lines if line.startswith("fallback: ")]
    assert any(
        line.startswith("fallback: secured loan valued by the secured curve") for line in fallback
    )
    assert all("of balance, " in line and "of base case" in line for line in fallback)
    from npl_xl.workbook.reader import read_deal_workbook

    deal = read_deal_workbook(out).deal
    assert deal.recovery.asset_mix["sme"] > 0.3
    result = CliRunner().invoke(
        main,
        ["new-deal", str(tape_path), "--out", str(tmp_path / "d2.xlsx"), "--unit", "年收入=元"],
    )
    assert result.exit_code == 0, result.output
    assert "Warning: 年收入（万元）: 400 of 400 value(s) outside the plausible" in result.output


def test_value_loans_takes_a_given_class():
    v = value_loans([100.0, 100.0], [12.0, 12.0], ["pledge", "unsecured"], asset_class=["sme", ""])
    assert v.asset_class.tolist() == ["sme", "unsecured"]


def test_agency_pool_statistics_worked_by_hand(tmp_path):
    """Three loans, 1,000 元: borrower X holds A (100) and B (300), Y holds C (600)."""
    from npl_xl.workbook.tape import pool_statistics, pool_tables

    path = tmp_path / "t.csv"
    path.write_text(
        "借据号,客户号,未偿本金,省份,逾期月数,五级分类,担保方式,抵押物类型,评估价值,城市,备注,"
        "封包后回收金额,放款日期\n"
        "A,X,100,广东,12,次级,抵押,住宅,200,北京,已判决,10,2022-06-30\n"
        "B,X,300,广东,24,可疑,抵押,住宅,400,襄阳,已诉讼,0,2022-06-30\n"
        "C,Y,600,江苏,6,损失,信用,,,,,5,2022-06-30\n",
        encoding="utf-8",
    )
    tape = read_tape(path)
    st = pool_statistics(tape, cutoff=dt.date(2024, 6, 30))
    assert (st.loans, st.borrowers, st.balance) == (3, 2, 1000.0)
    assert st.top1_share == pytest.approx(0.6) and st.top10_share == pytest.approx(1.0)
    assert st.region_hhi == pytest.approx(0.4**2 + 0.6**2)
    assert st.largest_region == ("江苏", pytest.approx(0.6))
    assert st.wa_months_overdue == pytest.approx(0.1 * 12 + 0.3 * 24 + 0.6 * 6)
    assert st.wa_loan_age_months == pytest.approx(731 / 30.4375)
    assert st.five_category == pytest.approx({"损失": 0.6, "可疑": 0.3, "次级": 0.1})
    assert st.legal_stage == pytest.approx({"(blank)": 0.6, "已起诉": 0.3, "已判决": 0.1})
    assert st.litigated_share == pytest.approx(0.4) and st.secured_share == pytest.approx(0.4)
    # LTV weighted by principal: (100 x 0.5 + 300 x 0.75) / 400
    assert st.wa_ltv == pytest.approx(0.6875)
    assert st.ltv_by_collateral == pytest.approx({"residential": 0.6875})
    assert st.ltv_by_tier == pytest.approx({"1": 0.5, "3": 0.75})
    assert st.collected == 15.0 and st.collected_share == pytest.approx(0.015)
    rows = dict(st.rows("万元"))
    assert rows["recoveries since cut-off (万元)"] == pytest.approx(0.0015)
    assert rows["regional Herfindahl index (sum of squared region shares)"] == pytest.approx(0.52)
    table = pool_tables(tape, "元", cutoff=dt.date(2024, 6, 30))["Agency pool statistics"]
    assert dict(zip(table["item"], table["value"]))["top-10 borrowers share"] == pytest.approx(1.0)


def test_the_class_rules_edited_in_the_workbook_are_used_with_template(tmp_path):
    from openpyxl import load_workbook

    from npl_xl.workbook.reader import read_deal_workbook

    tape_path, first, second = tmp_path / "t.csv", tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    tape_path.write_text(
        "借据号,未偿本金,担保方式,逾期月数\nA,100000,质押,12\nB,100000,信用,12\n", encoding="utf-8"
    )
    new_deal(tape_path, first)
    assert set(read_deal_workbook(first).deal.recovery.asset_mix) == {"sme", "unsecured"}
    wb = load_workbook(first)
    ws = wb["ValuationTables"]
    ref = ws.tables["ValClasses"].ref
    for row in ws[ref]:
        if row[1].value == "pledge":
            row[2].value = "commercial"
    wb.save(first)
    s = new_deal(tape_path, second, template=first)
    assert set(read_deal_workbook(second).deal.recovery.asset_mix) == {"commercial", "unsecured"}
    assert any(line.startswith("asset class (stress table): commercial") for line in s["intake"])
