"""Deal workbooks, loan-tape intake and the rating memo (the main job)."""

import os

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from npl_xl.cli import main
from npl_xl.deal import EXAMPLES, load_example
from npl_xl.workbook import layout as L
from npl_xl.workbook.reader import read_deal_workbook
from npl_xl.workbook.tape import TapeError, read_tape, synthetic_tape
from npl_xl.workbook.template import build_templates, write_deal_workbook

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATES = os.path.join(ROOT, "workbook_templates")


# --- templates and round trips --------------------------------------------------------------------


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_committed_examples_read_back_as_the_example_deals(name):
    inputs = read_deal_workbook(os.path.join(TEMPLATES, f"example_{name}.xlsx"))
    assert inputs.deal == load_example(name)
    assert inputs.tape is not None and len(inputs.tape) in (20_000, 3_000)


def test_template_structure(tmp_path):
    paths = build_templates(tmp_path)
    wb = load_workbook(paths[0])
    assert wb.sheetnames == L.SHEETS
    tables = {name for ws in wb.worksheets for name in ws.tables}
    assert set(L.TABLES.values()) - {"LoanTape", "LoanValues"} <= tables
    for name in [
        "DealOptions",
        "TotalRecovery",
        "RecoveryVolatility",
        "DiscountRate",
        "Deal_payments_per_year",
    ]:
        assert name in wb.defined_names
    assert wb["Deal"].protection.sheet and not wb["Fees"].protection.sheet  # table sheets can grow
    assert not wb["Deal"]["B4"].protection.locked  # an input cell
    assert wb["Recovery"]["C3"].protection.locked and str(wb["Recovery"]["C3"].value).startswith(
        "="
    )
    lists = [dv.formula1 for dv in wb["Fees"].data_validations.dataValidation]
    assert any("notes_balance" in f for f in lists)
    assert "WATERFALL_SUMMARY" in str(wb["Results"]["A9"].value.text)
    # the committed template is what the code builds
    committed = load_workbook(os.path.join(TEMPLATES, "npl_deal_template.xlsx"))
    assert committed.sheetnames == wb.sheetnames
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                other = committed[ws.title][c.coordinate].value
                assert getattr(other, "text", other) == getattr(c.value, "text", c.value), (
                    ws.title,
                    c.coordinate,
                )


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_round_trip(tmp_path, name):
    deal = load_example(name).with_changes(closing_date=None, first_payment_date=None)
    path = tmp_path / "deal.xlsx"
    write_deal_workbook(path, deal)
    assert read_deal_workbook(path).deal == deal
    custom = deal.with_changes(
        pre_default_order=[
            "senior_fees",
            "interest:Senior",
            "reserve",
            "principal:Senior",
            "principal:Sub",
            "incentive_fee",
            "fee_excess",
        ]
    )
    write_deal_workbook(path, custom, overwrite=True)
    assert read_deal_workbook(path).deal == custom


def test_never_overwrites_without_being_asked(tmp_path):
    path = tmp_path / "deal.xlsx"
    path.write_bytes(b"user's precious file")
    with pytest.raises(ValueError, match="exists"):
        write_deal_workbook(path, load_example("credit_card"))
    assert path.read_bytes() == b"user's precious file"
    assert not [
        p for p in os.listdir(tmp_path) if p.startswith(".npl-xl-")
    ]  # no temporary file left


# --- bad workbooks name the sheet and cell --------------------------------------------------------


def _example_copy(tmp_path):
    path = tmp_path / "deal.xlsx"
    write_deal_workbook(path, load_example("credit_card"))
    return path


def test_missing_sheet(tmp_path):
    path = _example_copy(tmp_path)
    wb = load_workbook(path)
    del wb["Fees"]
    wb.save(path)
    with pytest.raises(ValueError, match="deal.xlsx: no table named 'Fees'"):
        read_deal_workbook(path)


def test_renamed_table(tmp_path):
    path = _example_copy(tmp_path)
    wb = load_workbook(path)
    table = wb["Tranches"].tables["Tranches"]
    del wb["Tranches"].tables["Tranches"]
    table.name = table.displayName = "Notes"
    wb["Tranches"].add_table(table)
    wb.save(path)
    with pytest.raises(ValueError, match="no table named 'Tranches' .*Notes"):
        read_deal_workbook(path)


@pytest.mark.parametrize(
    "sheet, cell, value, message",
    [
        ("Tranches", "B3", "lots", r"Tranches!B3: Balance: expected a number, got 'lots'"),
        ("Fees", "C4", "5bp", r"Fees!C4: Rate: expected a number, got '5bp'"),
        ("Assumptions", "B5", "high", r"Assumptions!B5: Recovery volatility: expected a number"),
        ("Deal", "B4", "quarterly", r"Deal!B4: Payments per year: expected a number"),
        ("Recovery", "B5", "n/a", r"Recovery!B5: Cumulative share: expected a number"),
        ("Tranches", "C3", 3.3, r"coupon: 3.3 looks like a percent"),
    ],
)
def test_text_in_numeric_cells(tmp_path, sheet, cell, value, message):
    path = _example_copy(tmp_path)
    wb = load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)
    with pytest.raises(ValueError, match=message):
        read_deal_workbook(path)


# --- loan tapes -----------------------------------------------------------------------------------


def test_synthetic_tape_is_seeded_and_valid(tmp_path):
    a, b = synthetic_tape(500, seed=4), synthetic_tape(500, seed=4)
    pd.testing.assert_frame_equal(a, b)
    path = tmp_path / "tape.csv"
    a.to_csv(path, index=False, encoding="utf-8-sig")
    tape = read_tape(path)
    assert len(tape) == 500 and {
        "loan_id",
        "principal",
        "region",
        "secured",
        "months_overdue",
    } <= set(tape.columns)
    assert tape["total"].sum() == pytest.approx((a["未偿本金"] + a["未偿利息"] + a["费用"]).sum())


def test_bad_tape_report_lists_every_bad_row(tmp_path):
    tape = synthetic_tape(30, seed=1).astype({"未偿利息": object})
    tape.loc[3, "未偿本金"] = -10.0
    tape.loc[7, "借据号"] = tape.loc[8, "借据号"]
    tape.loc[10, "违约日期"] = "2999-01-01"
    tape.loc[12, "未偿利息"] = "abc"
    path = tmp_path / "bad.csv"
    tape.to_csv(path, index=False)
    with pytest.raises(TapeError) as err:
        read_tape(path)
    report = str(err.value)
    assert report.startswith("bad.csv: 5 problem(s) in 5 row(s):")
    for line in (
        "bad.csv row 5, 未偿本金: negative (-10)",
        "bad.csv row 9, 借据号: duplicate 'CC0000008'",
        "bad.csv row 10, 借据号: duplicate 'CC0000008'",
        "bad.csv row 12, 违约日期: 2999-01-01 is in the future",
        "bad.csv row 14, 未偿利息: not a number ('abc')",
    ):
        assert line in report
    tape.drop(columns=["未偿本金"]).to_csv(path, index=False)
    with pytest.raises(TapeError, match="missing column.*principal"):
        read_tape(path)


def test_new_deal_cli_from_tape(tmp_path):
    tape = tmp_path / "pool_2024.csv"
    runner = CliRunner()
    assert (
        runner.invoke(
            main, ["synthetic-tape", "--out", str(tape), "--loans", "2000", "--seed", "5"]
        ).exit_code
        == 0
    )
    out = tmp_path / "deal.xlsx"
    r = runner.invoke(main, ["new-deal", str(tape), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "2,000 loans" in r.output and "deal workbook written" in r.output
    inputs = read_deal_workbook(out)
    assert inputs.deal.name == "pool_2024" and len(inputs.tape) == 2000
    assert inputs.deal.recovery.source.startswith("loan-level valuation")
    pool = [c.value for c in load_workbook(out)["Pool"]["A"] if c.value]
    for title in (
        "Pool totals",
        "By balance (元)",
        "By months overdue",
        "By region",
        "By five-category class",
        "By borrower age",
        "By security type",
        "Diversity",
        "Intake report",
    ):
        assert title in pool
    again = runner.invoke(main, ["new-deal", str(tape), "--out", str(out)])
    assert again.exit_code == 1 and "exists" in again.output
    assert runner.invoke(main, ["new-deal", str(tape), "--out", str(out), "--force"]).exit_code == 0
    # a template brings its own structure: three tranches and a changed stress table
    tpl = tmp_path / "tpl.xlsx"
    write_deal_workbook(
        tpl,
        load_example("credit_card").with_changes(
            pre_default_order=None,  # the example's written orders name its tranches
            post_default_order=None,
            tranches=[
                {"name": "A", "balance": 1, "coupon": 0.03, "seniority": 1},
                {"name": "B", "balance": 1, "coupon": 0.05, "seniority": 2},
                {"name": "C", "balance": 1, "seniority": 3, "issue_price": 105},
            ],
        ),
    )
    wb = load_workbook(tpl)
    wb["Stress"]["B3"] = 0.55
    wb.save(tpl)
    out2 = tmp_path / "deal2.xlsx"
    assert (
        runner.invoke(
            main, ["new-deal", str(tape), "--out", str(out2), "--template", str(tpl)]
        ).exit_code
        == 0
    )
    inputs = read_deal_workbook(out2)
    assert [t.name for t in inputs.deal.ordered_tranches] == ["A", "B", "C"]
    assert (
        inputs.deal.tranches[2].issue_price == 105
        and inputs.stress["haircut_unsecured"].iloc[0] == 0.55
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("loan,amount\nA,1\n")
    r = runner.invoke(main, ["new-deal", str(bad), "--out", str(tmp_path / "x.xlsx")])
    assert r.exit_code == 1 and "missing column(s) principal" in r.output


# --- the rating run and the memo ------------------------------------------------------------------


def test_rate_never_replaces_a_memo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    src = tmp_path / "deal.xlsx"
    write_deal_workbook(src, load_example("mortgage"))
    runner = CliRunner()
    first = runner.invoke(main, ["rate", str(src), "--paths", "200"])
    second = runner.invoke(main, ["rate", str(src), "--paths", "200"])
    assert first.exit_code == second.exit_code == 0
    assert (tmp_path / "deal_memo.xlsx").exists() and (tmp_path / "deal_memo_2.xlsx").exists()
    r = runner.invoke(main, ["rate", str(src), "--paths", "200", "--out", "deal_memo.xlsx"])
    assert r.exit_code == 1 and "exists" in r.output
    r = runner.invoke(main, ["rate", str(tmp_path / "missing.xlsx")])
    assert r.exit_code == 1 and r.output.strip().endswith(
        "no such file '" + str(tmp_path / "missing.xlsx") + "'"
    )
