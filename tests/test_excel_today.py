"""Excel as users run it today: tables that grow, row-shaped results, the xlwings Lite files, the
VBA
for an add-in and for a macro workbook."""

import difflib
import pathlib
import re
import shutil
import subprocess
import zipfile

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
    decorated = {n for n, f in vars(module).items() if hasattr(f, "__xlfunc__")}
    subs = {n for n in decorated if getattr(module, n).__xlfunc__["sub"]}
    assert set(lite.FUNCTIONS) == decorated - subs and len(lite.FUNCTIONS) == len(decorated - subs)
    assert subs == set(module.MACROS)


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
    assert text == (ROOT / "excel" / golden).read_text()
    other = xlharness.vba_module("MyDeal.xlsm" if workbook.endswith("xlam") else "npl-xl.xlam")
    changed = [
        d
        for d in difflib.unified_diff(text.splitlines(), other.splitlines(), lineterm="")
        if d[:1] in "+-" and d[:3] not in ("+++", "---")
    ]
    # one line each way per function and macro: ThisWorkbook in an .xlsm, ActiveWorkbook in an
    # add-in
    assert len(changed) == 2 * (len(lite.FUNCTIONS) + len(xlharness.load()[0].MACROS))
    assert ("ThisWorkbook" in text) == workbook.endswith(".xlsm")


def test_results_blocks_are_dynamic_arrays_with_a_legacy_extent(tmp_path):
    """Each Results block is an array formula sized for today's tranches (what Excel 2016/2019
    shows) whose cell carries the XLDAPR dynamic-array metadata (Excel 365 re-spills it)."""
    path = ROOT / "workbook_templates" / "example_mortgage.xlsx"
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        wb = load_workbook(path)
        sheet = f"xl/worksheets/sheet{wb.sheetnames.index('Results') + 1}.xml"
        xml = z.read(sheet).decode()
        meta = z.read("xl/metadata.xml").decode()
        types = z.read("[Content_Types].xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    assert "xl/metadata.xml" in names and 'fDynamic="1"' in meta and '<rc t="1" v="0"/>' in meta
    assert "spreadsheetml.sheetMetadata+xml" in types and 'Target="metadata.xml"' in rels
    tranches = len(read_deal_workbook(path).deal.tranches)
    for anchor, last in (("A9", "K"), ("M9", "R")):
        cell = re.search(rf'<c r="{anchor}"([^>]*)><f([^>]*)>([^<]*)</f>', xml)
        assert cell and 'cm="1"' in cell.group(1) and 't="array"' in cell.group(2)
        assert f'ref="{anchor}:{last}{9 + tranches}"' in cell.group(2)  # header + one row each
    assert xml.count('cm="1"') == 2  # only the two blocks are spills
    assert "WATERFALL_SUMMARY" in wb["Results"]["A9"].value.text


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice is not installed (.ci/run installs it)"
)
def test_another_spreadsheet_reads_the_dynamic_array_template(tmp_path):
    """LibreOffice opens the template with the metadata part and keeps the array formula."""
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(tmp_path / "out"),
            str(ROOT / "workbook_templates" / "npl_deal_template.xlsx"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    block = load_workbook(tmp_path / "out" / "npl_deal_template.xlsx")["Results"]["A9"].value
    # LibreOffice lower-cases the names of functions it does not know
    assert "WATERFALL_SUMMARY" in block.text.upper() and block.ref == "A9:K11"
