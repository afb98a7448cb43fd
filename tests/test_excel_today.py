"""Excel as users run it today: tables that grow, row-shaped results, the xlwings Lite files, the
VBA
for an add-in and for a macro workbook."""

import difflib
import pathlib

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from npl_xl import lite, xlharness
from npl_xl.cli import main
from npl_xl.models.waterfall import TrancheMetrics
from npl_xl.workbook.reader import read_deal_workbook

ROOT = pathlib.Path(__file__).resolve().parents[1]
module, _, _ = xlharness.load()


def test_a_user_adds_a_tranche_row_and_rate_reads_three_tranches(tmp_path):
    path = tmp_path / "deal.xlsx"
    wb = load_workbook(ROOT / "workbook_templates" / "example_mortgage.xlsx")
    ws = wb["Tranches"]
    assert not ws.protection.sheet  # the sheet lets a user type below the table
    table = ws.tables["Tranches"]
    last = int(table.ref.split(":")[1][1:])
    for col, value in zip("ABCDEF", ("Mezz", 10_000.0, 0.05, 3, 100.0, 0.0)):
        ws[f"{col}{last + 1}"] = value
    ws["D4"] = 3  # the sub moves down a rank, as a structurer would
    ws[f"D{last + 1}"] = 2
    table.ref = f"A2:F{last + 1}"  # Excel grows the table as the row is typed
    wb.save(path)
    inputs = read_deal_workbook(path)
    assert [t.name for t in inputs.deal.ordered_tranches] == ["Senior", "Mezz", "Sub"]
    out = tmp_path / "memo.xlsx"
    r = CliRunner().invoke(main, ["rate", str(path), "--out", str(out), "--paths", "100"])
    assert r.exit_code == 0, r.output
    assert "Senior AAAsf" in r.output and "Mezz" in r.output


def test_the_blank_template_has_a_full_curve():
    wb = load_workbook(ROOT / "workbook_templates" / "npl_deal_template.xlsx")
    values = [c.value for c in wb["Recovery"]["B"][2:] if c.value is not None]
    assert len(values) == 24 and values[-1] == 1.0


def test_a_row_of_inputs_gives_a_row_of_results():
    row = xlharness.call("KMV_PD", ((100.0, 120.0, 150.0),), 0.25, 80.0)
    column = xlharness.call("KMV_PD", ((100.0,), (120.0,), (150.0,)), 0.25, 80.0)
    assert isinstance(row[0], float) and len(row) == 3  # one row: a flat list is a row in COM terms
    assert [r[0] for r in column] == row


def test_summary_columns_are_the_metrics():
    assert TrancheMetrics.names() == module.SUMMARY_METRICS
    assert lite.FUNCTIONS == module.FUNCTIONS


def test_lite_files_name_xlwings_and_the_wheel(tmp_path):
    url = "https://example.org/wheels/npl_xl-0.1.0-py3-none-any.whl"
    r = CliRunner().invoke(main, ["excel", "lite", "--out", str(tmp_path), "--wheel-url", url])
    assert r.exit_code == 0, r.output
    req = (tmp_path / "requirements.txt").read_text().splitlines()
    assert any(line.startswith("xlwings==") for line in req) and url in req
    code = (tmp_path / "main.py").read_text()
    compile(code, "main.py", "exec")
    assert all(name in code for name in module.FUNCTIONS)
    assert (
        ROOT / "excel" / "lite" / "main.py"
    ).read_text() == lite.main_py()  # the committed copy is current
    r = CliRunner().invoke(main, ["excel", "lite", "--out", str(tmp_path)])
    assert r.exit_code == 1 and "exists; pass --force" in r.output
    r = CliRunner().invoke(
        main, ["excel", "lite", "--out", str(tmp_path / "x"), "--wheel-url", "ftp://x/y.zip"]
    )
    assert r.exit_code == 1 and "--wheel-url: expected an http(s) URL of a .whl file" in r.output


@pytest.mark.parametrize(
    "workbook, golden",
    [("npl-xl.xlam", "xlwings_udfs.bas"), ("MyDeal.xlsm", "xlwings_udfs_xlsm.bas")],
)
def test_vba_for_an_add_in_and_for_a_macro_workbook(workbook, golden):
    text = xlharness.vba_module(workbook)
    assert text == (ROOT / "tests" / "golden" / golden).read_text()
    other = xlharness.vba_module("MyDeal.xlsm" if workbook.endswith("xlam") else "npl-xl.xlam")
    changed = [
        d
        for d in difflib.unified_diff(text.splitlines(), other.splitlines(), lineterm="")
        if d[:1] in "+-" and d[:3] not in ("+++", "---")
    ]
    assert len(changed) == 30  # 15 calls: ThisWorkbook in an .xlsm, ActiveWorkbook in an add-in
    assert ("ThisWorkbook" in text) == workbook.endswith(".xlsm")
