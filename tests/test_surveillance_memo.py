"""The surveillance memo (prints in LibreOffice with its chart inside the print area; English and
Chinese hold the same numbers) and the batch over a book of deals (local and Dask, same table)."""

import os
import shutil
import subprocess

import numpy as np
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

from npl_xl.batch import COLUMNS, run_batch
from npl_xl.cli import main
from npl_xl.i18n import text
from npl_xl.surveil import surveil
from npl_xl.workbook.reader import read_deal_workbook
from npl_xl.workbook.run import setup_of
from npl_xl.workbook.surveillance_memo import write_surveillance_memo
from npl_xl.workbook.trustee_report import read_trustee_report

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATES = os.path.join(ROOT, "workbook_templates")


def report_csv(path, collections, with_balances=None):
    """A report with Chinese headers, amounts in 万元 stated in the headers."""
    head = "期数,支付日,本期回收金额(万元),优先档余额(万元)"
    rows = [
        f"{i + 1},{2022 + 3 * i // 12}-{3 * i % 12 + 1:02d}-26,{c:.2f},"
        + (f"{with_balances[i]:.2f}" if with_balances is not None else "")
        for i, c in enumerate(collections)
    ]
    path.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def memos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("surveillance_memo")
    inputs = read_deal_workbook(os.path.join(TEMPLATES, "example_credit_card.xlsx"))
    base = inputs.deal.base_collections()
    report = read_trustee_report(
        report_csv(folder / "r.csv", base[:4] * 0.3), inputs.deal, deal_unit=inputs.unit
    )
    s = surveil(inputs.deal, report, setup_of(inputs), paths=300, seed=4)
    en, zh = folder / "surv.xlsx", folder / "surv_zh.xlsx"
    write_surveillance_memo(s, en, unit=inputs.unit)
    write_surveillance_memo(s, zh, unit=inputs.unit, lang="zh")
    return s, en, zh


def _numbers(path):
    wb = load_workbook(path)
    return [
        [
            (c.coordinate, c.value)
            for row in ws.iter_rows()
            for c in row
            if isinstance(c.value, (int, float)) and not isinstance(c.value, bool)
        ]
        for ws in wb.worksheets
    ]


def test_english_and_chinese_memos_hold_the_same_numbers(memos):
    s, en, zh = memos
    a, b = _numbers(en), _numbers(zh)
    assert a == b and sum(map(len, a)) > 50
    wb = load_workbook(en)
    perf = wb[text("surv_sheet_performance", "en")]
    assert perf["C4"].value == pytest.approx(float(s.projection.actual[0]))
    summary = wb[text("surv_sheet_summary", "en")]
    assert [summary.cell(row=r, column=3).value for r in (4, 5)] == list(s.proposed)
    zh_summary = load_workbook(zh)[text("surv_sheet_summary", "zh")]
    assert zh_summary["A1"].value.startswith("跟踪评级报告")


def test_the_chart_is_inside_the_print_area(memos):
    _, en, _ = memos
    ws = load_workbook(en)[text("surv_sheet_performance", "en")]
    (chart,) = ws._charts
    assert len(chart.series) == 4  # actual and base case, by period and cumulative
    lo_col, lo_row, hi_col, hi_row = range_boundaries(ws.print_area.split("!")[-1].replace("$", ""))
    anchor = chart.anchor._from
    assert lo_col <= anchor.col + 1 <= hi_col and lo_row <= anchor.row + 1 <= hi_row
    # the chart's extent (cm) from the anchor fits in the columns and rows of the print area
    from openpyxl.utils import get_column_letter

    width_cm = sum(
        (ws.column_dimensions[get_column_letter(c)].width or 8.43) * 0.19
        for c in range(anchor.col + 1, hi_col + 1)
    )
    rows_left = hi_row - anchor.row
    assert width_cm >= chart.width - 0.5 and rows_left * 0.53 >= chart.height


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_the_memo_renders_in_libreoffice_with_its_chart(memos, tmp_path):
    _, en, _ = memos
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(en),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "surv.pdf"
    assert pdf.exists()
    if not shutil.which("pdftotext"):
        pytest.skip("poppler's pdftotext is not installed")
    pages = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.split("\f")
    assert "###" not in "".join(pages)
    perf = [p for p in pages if "Actual against forecast collections" in p]
    assert len(perf) == 1  # the table and its chart on one page
    assert "Collections, actual against base case" in " ".join(perf[0].split())  # chart title
    assert "below B-sf" in pages[0] and "downgrade" in pages[0]


# -- a book of deals -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """20 copies of the two example workbooks, each with a report beside it (base case or 30 %)."""
    folder = tmp_path_factory.mktemp("book")
    for name in ("credit_card", "mortgage"):
        src = os.path.join(TEMPLATES, f"example_{name}.xlsx")
        base = read_deal_workbook(src).deal.base_collections()
        for i in range(10):
            stem = folder / f"{name}_{i:02d}"
            shutil.copy(src, f"{stem}.xlsx")
            report_csv(folder / f"{stem.name}_report.csv", base[:4] * (1.0 if i % 2 else 0.3))
    shutil.copy(os.path.join(TEMPLATES, "example_mortgage.xlsx"), folder / "orphan.xlsx")
    return folder


@pytest.fixture(scope="module")
def local_table(book):
    seen = []
    rows, skipped = run_batch(book, paths=100, seed=3, progress=lambda d, t: seen.append((d, t)))
    return rows, skipped, seen


def test_the_batch_table_has_every_tranche_of_every_deal(local_table):
    rows, skipped, seen = local_table
    assert [os.path.basename(p) for p in skipped] == ["orphan.xlsx"]
    assert len(rows) == 40 and seen[-1] == (20, 20)
    assert all(r.change != "error" for r in rows)
    seniors = {r.deal: r for r in rows if r.tranche == "Senior"}
    assert seniors["credit_card_01.xlsx"].proposed == "AAAsf"  # base case
    assert seniors["credit_card_00.xlsx"].proposed != "AAAsf"  # 30 % of it


def test_the_batch_gives_the_same_table_on_a_local_dask_cluster(book, local_table):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        rows, skipped = run_batch(book, paths=100, seed=3, dask=cluster.scheduler_address)
    assert rows == local_table[0] and skipped == local_table[1]


def test_the_batch_command_prints_the_table(book, tmp_path):
    sub = tmp_path / "two"
    sub.mkdir()
    for f in ("credit_card_00.xlsx", "credit_card_00_report.csv"):
        shutil.copy(book / f, sub / f)
    out = tmp_path / "table.csv"
    result = CliRunner().invoke(
        main, ["surveil", "--batch", str(sub), "--paths", "100", "--seed", "3", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "credit_card_00.xlsx" in result.output and "downgrade" in result.output
    assert out.read_text(encoding="utf-8").splitlines()[0] == ",".join(COLUMNS)


def test_a_deal_workbook_holding_its_report_as_a_sheet(tmp_path):
    from openpyxl import load_workbook as open_book

    src = os.path.join(TEMPLATES, "example_credit_card.xlsx")
    inputs = read_deal_workbook(src)
    base = inputs.deal.base_collections()
    wb = open_book(src)
    ws = wb.create_sheet("TrusteeReport")
    ws.append(["金额单位：万元"])
    ws.append(["剩余回收预测覆盖", float(np.round(base[4:].sum(), 2))])  # the analyst's override
    ws.append(["期数", "支付日", "本期回收金额"])
    for i in range(4):
        ws.append([i + 1, f"2022-{3 * i + 1:02d}-26", float(np.round(base[i], 2))])
    deal = tmp_path / "deal.xlsx"
    wb.save(deal)
    out = tmp_path / "m.xlsx"
    result = CliRunner().invoke(
        main, ["surveil", str(deal), "--out", str(out), "--paths", "100", "--seed", "1"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith(f"{inputs.deal.name}: Senior AAAsf")
    assert "collections 100.0% of the base case" in result.output
    assert "re-projected at 100.0% of the base case (override)" in result.output
