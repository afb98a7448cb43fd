"""Servicer tapes as they arrive: title rows, unit suffixes, text amounts, mixed dates, totals rows,
GBK CSVs, province spellings. Each tape is built here in code with its true values known."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from npl_xl.cli import main
from npl_xl.workbook.intake import TapeError, read_tape
from npl_xl.workbook.reader import read_deal_workbook

CUTOFF = dt.date(2021, 6, 30)
PROVINCE_SPELLINGS = {
    "广东": ["广东省", "广东", "Guangdong"],
    "上海": ["上海市", "上海"],
    "内蒙古": ["内蒙古自治区", "内蒙古"],
    "江苏": ["江苏省"],
    "广西": ["广西壮族自治区"],
}
CLASS_SPELLINGS = {
    "次级": ["次级类", "次级"],
    "可疑": ["可疑类", "可疑"],
    "损失": ["损失类", "损失"],
}
SECURITY_SPELLINGS = [
    ("信用", "unsecured", False),
    ("保证", "guaranteed", True),
    ("抵押", "mortgage", False),
    ("抵押+保证", "mortgage", True),
    ("信用+保证", "guaranteed", True),
    ("房产抵押", "mortgage", False),
    ("质押", "pledge", False),
]


def truth(n=400, seed=7):
    """The true loans (amounts in yuan, to the cent) and how the servicer spells each value."""
    rng = np.random.default_rng(seed)
    principal = np.round(rng.lognormal(np.log(30_000), 1.0, n), 2)
    interest = np.round(principal * rng.uniform(0.02, 0.3, n), 2)
    fees = np.round(principal * rng.uniform(0, 0.05, n), 2)
    region = rng.choice(list(PROVINCE_SPELLINGS), n)
    klass = rng.choice(list(CLASS_SPELLINGS), n)
    sec = rng.integers(0, len(SECURITY_SPELLINGS), n)
    orig = [CUTOFF - dt.timedelta(days=int(d)) for d in rng.integers(400, 3000, n)]
    default = [o + dt.timedelta(days=int(d)) for o, d in zip(orig, rng.integers(100, 390, n))]
    return pd.DataFrame(
        {
            "loan_id": [f"L{i:05d}" for i in range(n)],
            "borrower_id": [f"B{i // 2:05d}" for i in range(n)],
            "principal": principal,
            "interest": interest,
            "fees": fees,
            "days_overdue": rng.integers(90, 2000, n),
            "region": region,
            "five_category": klass,
            "region_as_written": [rng.choice(PROVINCE_SPELLINGS[r]) for r in region],
            "class_as_written": [rng.choice(CLASS_SPELLINGS[c]) for c in klass],
            "security_as_written": [SECURITY_SPELLINGS[k][0] for k in sec],
            "security": [SECURITY_SPELLINGS[k][1] for k in sec],
            "guaranteed": [SECURITY_SPELLINGS[k][2] for k in sec],
            "origination_date": pd.to_datetime(orig),
            "default_date": pd.to_datetime(default),
        }
    )


HEADERS = [
    "借据号",
    "客户号",
    "未偿本金（元）",
    "未偿利息（元）",
    "费用（元）",
    "逾期天数",
    "省份",
    "五级分类",
    "担保方式",
    "放款日期",
    "违约日期",
    "客户经理",
    "备注",
]


def _serial(d: dt.date) -> int:
    return (d - dt.date(1899, 12, 30)).days


def _as_written(t: pd.DataFrame, i: int, text_dates: bool):
    """One loan as the servicer writes it: amounts as text with separators now and then, dates in
    every form."""
    r = t.iloc[i]
    money = [f"{v:,.2f}" if i % 3 == 0 else float(v) for v in (r.principal, r.interest, r.fees)]
    od, dd = r.origination_date.date(), r.default_date.date()
    forms = [
        od.isoformat(),
        f"{od.year}/{od.month}/{od.day}",
        od.strftime("%Y%m%d"),
        f"{od.year}年{od.month}月{od.day}日",
    ]
    orig = forms[i % 4] if text_dates or i % 5 else (od if i % 2 else _serial(od))
    default = f"{dd.year}/{dd.month}/{dd.day}" if text_dates or i % 7 else _serial(dd)
    return [
        r.loan_id,
        r.borrower_id,
        *money,
        int(r.days_overdue),
        r.region_as_written,
        r.class_as_written,
        r.security_as_written,
        orig,
        default,
        "张三",
        '=HYPERLINK("x")' if i == 5 else None,
    ]


def _totals(t):
    return [
        "合计",
        None,
        f"{t.principal.sum():,.2f}",
        round(t.interest.sum(), 2),
        round(t.fees.sum(), 2),
    ] + [None] * (len(HEADERS) - 5)


def write_xlsx(path, t, *, title_unit="金额单位：元", total_row=True, sheet="资产清单"):
    wb = Workbook()
    notes = wb.active
    notes.title = "说明"
    notes["A1"] = "本表为资产池逐笔明细，见第二页"
    ws = wb.create_sheet(sheet)
    ws.append(["XX银行2021年第一期不良资产支持证券 资产清单"])
    ws.append([title_unit] if title_unit else [])
    ws.append(["封包日：2021-06-30"])
    ws.append(HEADERS)
    for i in range(len(t)):
        ws.append(_as_written(t, i, text_dates=False))
        if i == 150:
            ws.append([])  # a blank row in the middle
    if total_row:
        ws.append(_totals(t))
    wb.save(path)


def write_csv(path, t, encoding="gbk"):
    lines = ["XX银行不良资产清单", "金额单位：元", ",".join(HEADERS)]
    for i in range(len(t)):
        row = _as_written(t, i, text_dates=True)
        lines.append(
            ",".join(
                "" if v is None else f'"{v}"' if isinstance(v, str) and "," in v else str(v)
                for v in row
            )
        )
        if i == 40:
            lines.append("," * (len(HEADERS) - 1))  # a blank row
    lines.append(
        ",".join(
            "" if v is None else f'"{v}"' if isinstance(v, str) and "," in v else str(v)
            for v in _totals(t)
        )
    )
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))


def check_against_truth(tape, t):
    assert len(tape) == len(t)
    for col in ("principal", "interest", "fees"):
        assert round(tape[col].sum(), 2) == round(t[col].sum(), 2)  # to the cent
        assert np.allclose(tape[col].to_numpy(), t[col].to_numpy(), atol=0.005, rtol=0)
    assert tape["region"].value_counts().to_dict() == t["region"].value_counts().to_dict()
    assert (
        tape["five_category"].value_counts().to_dict()
        == t["five_category"].value_counts().to_dict()
    )
    assert tape["security"].tolist() == t["security"].tolist()
    assert tape["guaranteed"].tolist() == t["guaranteed"].tolist()
    assert (tape["origination_date"].dt.date == t["origination_date"].dt.date).all()
    assert (tape["default_date"].dt.date == t["default_date"].dt.date).all()
    assert np.allclose(tape["months_overdue"], t["days_overdue"] / 30.4375)


def test_a_messy_xlsx_tape_is_read_exactly(tmp_path):
    t = truth()
    path = tmp_path / "tape.xlsx"
    write_xlsx(path, t)
    tape = read_tape(path, today=CUTOFF)
    check_against_truth(tape, t)
    r = tape.attrs["intake"]
    assert (r.sheet, r.header_row, r.unit, r.cutoff) == ("资产清单", 4, "元", CUTOFF)
    assert r.other_sheets == ["说明"]
    assert r.mapping["未偿本金（元）"] == "principal" and r.mapping["客户号"] == "borrower_id"
    assert set(r.ignored) == {"客户经理"} and r.mapping["备注"] == "remarks"
    assert [why for _, why in r.dropped] == ["blank", "totals row"]
    assert r.dropped[0][0] == 4 + 152 and r.dropped[1][0] == 4 + len(t) + 2
    assert any("未偿本金（元）" in line for line in r.totals_check)
    assert r.serial_dates["放款日期"] > 0 and r.serial_dates["违约日期"] > 0
    assert (
        r.normalised["region"]["广东省"] == "广东"
        and r.normalised["five_category"]["可疑类"] == "可疑"
    )
    assert r.normalised["security"]["抵押+保证"] == "mortgage, guaranteed"
    text = "\n".join(r.lines())
    for words in (
        "header on row 4",
        "Ignored columns: 客户经理 (",
        "Dropped 1 row(s), totals row",
        "amounts converted to 元",
        "Excel serial number(s) read as dates",
        "region normalised: ",
    ):
        assert words in text, words


def test_a_gbk_csv_tape_with_text_dates(tmp_path):
    t = truth(300, seed=11)
    path = tmp_path / "tape_gbk.csv"
    write_csv(path, t, "gbk")
    with pytest.raises(UnicodeDecodeError):
        path.read_text(encoding="utf-8")
    tape = read_tape(path, today=CUTOFF)
    check_against_truth(tape, t)
    assert tape.attrs["intake"].reader.startswith("gb18030")
    utf8 = tmp_path / "tape_utf8.csv"
    write_csv(utf8, t, "utf-8-sig")
    again = read_tape(utf8, today=CUTOFF)
    assert again.attrs["intake"].reader == "utf-8 (with BOM)"
    pd.testing.assert_frame_equal(tape, again, check_like=True)
    forced = read_tape(path, encoding="gb18030", today=CUTOFF)
    assert forced.attrs["intake"].reader == "gb18030 (given)"


def test_serial_dates_in_a_csv(tmp_path):
    path = tmp_path / "serial.csv"
    path.write_text(
        "借据号,未偿本金,违约日期\nA,100,44377\nB,200,2021-06-30\nC,300,44377.5\n", encoding="utf-8"
    )
    tape = read_tape(path, today=CUTOFF)
    assert tape["default_date"].dt.date.tolist() == [dt.date(2021, 6, 30)] * 3
    assert tape.attrs["intake"].serial_dates == {"违约日期": 2}
    assert "interest: no such column in the tape; counted as 0" in tape.attrs["intake"].lines()


def test_units_from_headers_titles_or_the_option(tmp_path):
    t = truth(50, seed=2)
    wan = tmp_path / "wan.xlsx"
    write_xlsx(wan, t, title_unit="金额单位：万元")
    tape = read_tape(wan, today=CUTOFF)  # each header states 元: the title fills none of them
    check_against_truth(tape, t)
    assert tape.attrs["intake"].units["未偿本金（元）"] == ("元", "header")
    plain = tmp_path / "plain.csv"
    plain.write_text("loan_id,principal,interest\nA,1.5,0.25\nB,2,0\n", encoding="utf-8")
    tape = read_tape(plain, unit="万元")
    assert tape["principal"].tolist() == [15_000.0, 20_000.0] and tape["interest"].sum() == 2_500.0
    assert tape.attrs["intake"].unit_source == "--unit"
    assumed = read_tape(plain)
    assert assumed.attrs["intake"].unit == "元" and "assumed" in assumed.attrs["intake"].unit_source
    with pytest.raises(TapeError, match="--unit: 'dollars' is not a unit understood"):
        read_tape(plain, unit="dollars")


def test_each_amount_column_keeps_the_unit_its_header_states(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "XX银行个人经营贷款不良资产清单（金额单位：人民币万元）\n"
        "借据号,未偿本金（元）,年收入（万元）,费用\nA,1000.50,12.5,0.01\nB,2000,30,0\n",
        encoding="utf-8",
    )
    tape = read_tape(path)
    assert tape["principal"].tolist() == [1000.50, 2000.0]
    assert tape["annual_income"].tolist() == [125_000.0, 300_000.0]
    assert tape["fees"].tolist() == [100.0, 0.0]  # no unit of its own: the title's 万元
    r = tape.attrs["intake"]
    assert r.units["年收入（万元）"] == ("万元", "header")
    assert r.units["费用"][0] == "万元" and r.units["费用"][1].startswith("title line")
    assert not r.warnings
    # --unit fills only columns stating none; column=unit overrides one column
    forced = read_tape(path, unit=["元", "年收入=元"])
    assert forced["fees"].tolist() == [0.01, 0.0]
    assert forced["annual_income"].tolist() == [12.5, 30.0]
    assert forced.attrs["intake"].units["年收入（万元）"] == ("元", "--unit for this column")
    assert forced["principal"].tolist() == [1000.50, 2000.0]
    # income read in 元 is implausible: a warning with the count and examples
    assert forced.attrs["intake"].warnings == [
        "年收入（万元）: 2 of 2 value(s) outside the plausible 1,000-5e+07 元 a year "
        "(e.g. A: 12.5, B: 30); check the unit or the data"
    ]
    with pytest.raises(
        TapeError, match=r"--unit: no amount column 收入 .*amount columns: 未偿本金"
    ):
        read_tape(path, unit="收入=元")


@pytest.mark.parametrize(
    "header, title, principal",
    [
        ("未偿本金（人民币万元）", "", 15_000.0),
        ("未偿本金", '"Unit: CNY 10,000"', 15_000.0),
        ("未偿本金", "（单位：人民币亿元）", 150_000_000.0),
        ("未偿本金(CNY)", "", 1.5),
        ("未偿本金（千元）", "", 1_500.0),
        ("未偿本金", "（人民币万元）", 15_000.0),
    ],
)
def test_unit_words_in_headers_and_titles(tmp_path, header, title, principal):
    path = tmp_path / "t.csv"
    path.write_text(f"{title}\n借据号,{header}\nA,1.5\n", encoding="utf-8")
    assert read_tape(path)["principal"].tolist() == [principal]


@pytest.mark.parametrize(
    "header, title, words",
    [("未偿本金（美元）", "", "'美元' in the header"), ("未偿本金", "金额单位：港币", "'港币' in")],
)
def test_a_unit_word_not_understood_stops_the_intake(tmp_path, header, title, words):
    path = tmp_path / "t.csv"
    path.write_text(f"{title}\n借据号,{header}\nA,1.5\n", encoding="utf-8")
    with pytest.raises(TapeError, match=words + ".*not one understood \\(元, 千元, 万元"):
        read_tape(path)


@pytest.mark.parametrize(
    "title, source",
    [
        (["XX银行2024年第一期不良资产支持证券基础资产清单（封包日：2024年6月30日）"], "title line"),
        (["资产清单", "", "基准日", "", "2024/6/30"], "cell beside '基准日' on row 1"),
        (["Loan list, cut-off date 30 June", "Cut-off date: 20240630"], "title line"),
    ],
)
def test_the_cutoff_date_anywhere_in_the_title_rows(tmp_path, title, source):
    path = tmp_path / "t.csv"
    path.write_text(
        ",".join(title) + "\n借据号,未偿本金,违约日期\nA,1500,2024-03-27\n", encoding="utf-8"
    )
    r = read_tape(path, today=dt.date(2024, 8, 1)).attrs["intake"]
    assert r.cutoff == dt.date(2024, 6, 30) and r.cutoff_source.startswith(source)
    assert "Cut-off date: 2024-06-30 (" in "\n".join(r.lines())
    given = read_tape(path, today=dt.date(2024, 8, 1), cutoff=dt.date(2024, 7, 31))
    g = given.attrs["intake"]
    assert g.cutoff == dt.date(2024, 7, 31) and g.cutoff_source.startswith("--cutoff; the tape")
    with pytest.raises(TapeError, match="cut-off date 2024-06-30 .* is not before the closing"):
        read_tape(path, today=dt.date(2024, 8, 1), closing=dt.date(2024, 6, 1))
    early = read_tape(path, today=dt.date(2024, 8, 1), cutoff=dt.date(2024, 1, 1))
    assert early.attrs["intake"].warnings == [
        "1 loan(s) default after the cut-off date 2024-01-01 (e.g. A); check the cut-off date"
    ]


def test_totals_row_mismatch_names_the_column(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        '借据号,未偿本金（元）,未偿利息（元）\nA,"1,000.00",10\nB,500,5\n合计,1500,16\n',
        encoding="utf-8",
    )
    with pytest.raises(
        TapeError,
        match=r"t.csv row 4, 未偿利息（元）: totals row says 16.00, the loans add up to 15.00",
    ):
        read_tape(path)


def test_every_problem_names_file_sheet_row_and_column(tmp_path):
    t = truth(60, seed=3)
    path = tmp_path / "tape.xlsx"
    write_xlsx(path, t, total_row=False)
    wb = load_workbook(path)
    ws = wb["资产清单"]
    ws["C10"] = "abc"  # principal as text
    ws["J20"] = "2021-13-45"  # no such date
    ws["A30"] = ws["A31"].value  # duplicate id
    ws["D40"] = -5.0  # negative interest
    wb.save(path)
    with pytest.raises(TapeError) as err:
        read_tape(path, today=CUTOFF)
    msg = str(err.value)
    assert msg.startswith("tape.xlsx!资产清单: 5 problem(s) in 5 row(s):")
    for line in (
        "tape.xlsx!资产清单 row 10, 未偿本金（元）: not a number ('abc')",
        "tape.xlsx!资产清单 row 20, 放款日期: not a date ('2021-13-45')",
        "tape.xlsx!资产清单 row 30, 借据号: duplicate",
        "tape.xlsx!资产清单 row 31, 借据号: duplicate",
        "tape.xlsx!资产清单 row 40, 未偿利息（元）: negative (-5)",
    ):
        assert line in msg, line
    assert len(err.value.problems) == 5


def test_missing_columns_list_the_headers_found(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("编号,金额,地区\nA,1,广东\n", encoding="utf-8")
    with pytest.raises(
        TapeError, match=r"missing column\(s\) loan_id, principal .*has: 编号, 金额, 地区.*借据号"
    ):
        read_tape(path)
    with pytest.raises(
        TapeError, match=r"--sheet: .* has no sheet 'Loans' \(sheets: 说明, 资产清单\)"
    ):
        write_xlsx(tmp_path / "x.xlsx", truth(5))
        read_tape(tmp_path / "x.xlsx", sheet="Loans")


def test_unrecognised_categories_are_reported_not_mapped(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "借据号,未偿本金,省份,担保方式\nA,1,广东省,抵押\nB,2,深圳市,车位抵押\nC,3,火星,以物抵债\nD,4,火星,\n",
        encoding="utf-8",
    )
    tape = read_tape(path)
    r = tape.attrs["intake"]
    assert tape["region"].tolist() == ["广东", "深圳市", "火星", "火星"]
    assert r.unrecognised["region"] == {"深圳市": 1, "火星": 2}
    assert tape["security"].tolist()[:2] == ["mortgage", "mortgage"]  # '车位抵押' names a mortgage
    assert r.unrecognised["security"] == {"以物抵债": 1}
    assert "region: 3 value(s) not recognised, kept as written: 火星 (2), 深圳市 (1)" in r.lines()


def test_new_deal_writes_the_pool_in_the_deal_unit_and_the_memo_says_it(tmp_path):
    t = truth(400, seed=9)
    path = tmp_path / "tape.xlsx"
    write_xlsx(path, t)
    out = tmp_path / "deal.xlsx"
    r = CliRunner().invoke(main, ["new-deal", str(path), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "header on row 4" in r.output and "万元" in r.output
    pool_wan = (t.principal.sum() + t.interest.sum() + t.fees.sum()) / 1e4
    assert f"= {pool_wan:,.2f} 万元" in r.output
    wb = load_workbook(out)
    assert (
        wb["Deal"][wb.defined_names["Deal_unit"].attr_text.split("!")[1].replace("$", "")].value
        == "万元"
    )
    totals = {row[0].value: row[1].value for row in wb["Pool"].iter_rows() if row[0].value}
    assert totals["principal + interest + fees (万元)"] == pytest.approx(pool_wan, abs=1e-9)
    assert totals["principal (万元)"] == pytest.approx(t.principal.sum() / 1e4, abs=1e-9)
    inputs = read_deal_workbook(out)
    assert inputs.unit == "万元" and round(inputs.tape["total"].sum(), 2) == round(
        pool_wan * 1e4, 2
    )
    fees = {f.name: f for f in inputs.deal.fees}
    paying = fees["Paying agent"].amount
    assert paying in (2.0, 3.0)  # the bundled example's fee a period, in 万元 as it states it
    memo = tmp_path / "memo.xlsx"
    r = CliRunner().invoke(main, ["rate", str(out), "--out", str(memo), "--paths", "200"])
    assert r.exit_code == 0, r.output
    assert "amounts in 万元 (CNY 10k)" in load_workbook(memo)["Summary"]["A2"].value
    # the same tape into a deal stated in yuan: every amount 10,000 times larger
    out_yuan = tmp_path / "deal_yuan.xlsx"
    r = CliRunner().invoke(
        main, ["new-deal", str(path), "--out", str(out_yuan), "--deal-unit", "元"]
    )
    assert r.exit_code == 0, r.output
    yuan = read_deal_workbook(out_yuan)
    assert yuan.unit == "元"
    assert yuan.deal.recovery.total == pytest.approx(
        inputs.deal.recovery.total * 1e4, abs=50
    )  # 0.01 万元 rounding
    assert {f.name: f for f in yuan.deal.fees}["Paying agent"].amount == paying * 1e4


def test_a_deal_with_mixed_units_is_refused(tmp_path):
    from npl_xl.deal import load_example
    from npl_xl.workbook.template import write_deal_workbook

    deal = load_example("credit_card")
    big = deal.with_changes(
        tranches=[t.model_dump() | {"balance": t.balance * 1e4} for t in deal.tranches]
    )
    path = tmp_path / "mixed.xlsx"
    write_deal_workbook(path, big)
    with pytest.raises(
        ValueError, match=r"the notes add up to 514,000,000.00, 6,237 times the expected recovery"
    ):
        read_deal_workbook(path)


def test_a_line_break_at_a_cells_edge_is_stripped_whatever_the_other_cells():
    # the all-ASCII shortcut once missed "abc\n" (kept) while the same cell beside a non-ASCII one
    # was stripped: the same loan id cleaned two ways (found in review)
    import pandas as pd

    from npl_xl.workbook.intake.normalise import clean_texts

    assert clean_texts(pd.Series(["abc\n", "x"])).tolist() == ["abc", "x"]
    assert clean_texts(pd.Series(["abc\n", "é"])).tolist() == ["abc", "é"]
    assert clean_texts(pd.Series(["\nabc", "a\nb"])).tolist() == ["abc", "a\nb"]
