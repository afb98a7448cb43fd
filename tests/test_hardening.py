"""Hostile and broken input, resource limits and file safety (the attacker's and the careless
user's view)."""

import os
import pathlib
import re
import signal
import subprocess
import sys
import textwrap
import time
import tracemalloc
import zipfile

import numpy as np
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from npl_xl import limits, xlharness
from npl_xl.atomic import OutputExistsError, write_with
from npl_xl.cli import main
from npl_xl.deal import Deal
from npl_xl.models import analysis
from npl_xl.tables import COM_ERRORS
from npl_xl.workbook.reader import read_deal_workbook
from npl_xl.workbook.tape import synthetic_tape
from npl_xl.workbook.xlsx import check_zip

ROOT = pathlib.Path(__file__).resolve().parents[1]
MORTGAGE = ROOT / "workbook_templates" / "example_mortgage.xlsx"
call = xlharness.call


def formula_cells(path):
    """(sheet, coordinate, value) of every formula cell of a workbook."""
    wb = load_workbook(path)
    return [
        (ws.title, c.coordinate, c.value)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    ]


# --- formula injection ----------------------------------------------------------------------------

HOSTILE = [
    '=HYPERLINK("http://evil.example","click")',
    '=WEBSERVICE("http://evil.example")',
    "+1+1",
    "-2+3",
    "@SUM(1)",
    "=cmd|' /C calc'!A0",
    "\tleading tab",
    '=DDE("cmd","/c calc","x")',
]


def test_tape_text_is_written_as_text_never_as_a_formula(tmp_path):
    tape = synthetic_tape(60, seed=3)
    for i, text in enumerate(HOSTILE):
        tape.loc[i, "借据号"] = text
        tape.loc[i, "借款人编号"] = text
        tape.loc[i, "省份"] = text
        tape.loc[i, "五级分类"] = text
    tape.loc[20, "省份"] = "广东\x01\x07"  # control characters XML cannot hold
    src = tmp_path / "=HYPERLINK(1).csv"  # the file name becomes the deal name
    tape.to_csv(src, index=False, encoding="utf-8-sig")
    deal_path = tmp_path / "deal.xlsx"
    r = CliRunner().invoke(main, ["new-deal", str(src), "--out", str(deal_path)])
    assert r.exit_code == 0, r.output
    own = {("Recovery", f"C{i}") for i in range(3, 400)} | {
        ("Results", f"{c}{r}") for c in "ABMU" for r in range(1, 40)
    }
    assert all((s, c) in own for s, c, _ in formula_cells(deal_path)), formula_cells(deal_path)[:5]
    wb = load_workbook(deal_path)
    ids = [c.value for c in wb["LoanTape"]["A"]]
    for text in HOSTILE:
        assert text.strip() in ids  # shown unchanged (ids are trimmed), as text
    assert wb["Deal"]["B3"].value == "=HYPERLINK(1)" and wb["Deal"]["B3"].data_type == "s"
    assert "广东\ufffd\ufffd" in [c.value for c in wb["LoanTape"]["G"]]
    memo = tmp_path / "memo.xlsx"
    r = CliRunner().invoke(main, ["rate", str(deal_path), "--out", str(memo), "--paths", "200"])
    assert r.exit_code == 0, r.output
    assert formula_cells(memo) == []  # the memo holds values only


def test_only_the_projects_own_formulas_survive_saving(tmp_path):
    from openpyxl import Workbook

    from npl_xl.workbook.xlsx import formula, put, save

    wb = Workbook()
    ws = wb.active
    ws["A1"] = "=1+1"  # slipped in without put(): neutralised on save
    put(ws["A2"], "=2+2")
    formula(ws["A3"], "=SUM(1,2)")
    save(wb, tmp_path / "x.xlsx")
    back = load_workbook(tmp_path / "x.xlsx")["Sheet"]
    assert [(c.value, c.data_type) for c in (back["A1"], back["A2"], back["A3"])] == [
        ("=1+1", "s"),
        ("=2+2", "s"),
        ("=SUM(1,2)", "f"),
    ]


# --- resource limits ------------------------------------------------------------------------------


def test_limits_name_themselves_and_how_to_change_them(monkeypatch):
    rows = [{"name": f"T{i}", "balance": 1.0, "seniority": i + 1} for i in range(10_000)]
    with pytest.raises(
        ValueError, match=r"tranches: 10,000 exceeds the limit of 100 tranches.*NPL_XL_MAX_TRANCHES"
    ):
        Deal.from_dict({"name": "x", "tranches": rows})
    with pytest.raises(ValueError, match="NPL_XL_MAX_FEES"):
        Deal.from_dict(
            {
                "name": "x",
                "tranches": rows[:1],
                "fees": [{"name": f"F{i}", "basis": "fixed", "amount": 1.0} for i in range(5000)],
            }
        )
    with pytest.raises(
        ValueError, match="legal_maturity_periods: 1,000,000 exceeds.*NPL_XL_MAX_PERIODS"
    ):
        Deal.from_dict({"name": "x", "tranches": rows[:1], "legal_maturity_periods": 1_000_000})
    monkeypatch.setenv("NPL_XL_MAX_TRANCHES", "20000")
    assert len(Deal.from_dict({"name": "x", "tranches": rows[:150]}).tranches) == 150
    monkeypatch.setenv("NPL_XL_MAX_TRANCHES", "many")
    with pytest.raises(ValueError, match="NPL_XL_MAX_TRANCHES: expected a number"):
        limits.get("max_tranches")


def test_triggers_rates_and_orders_have_limits():
    """A 441 KB workbook with 20,000 triggers once ran for minutes: now refused at validation."""
    base = {"name": "x", "tranches": [{"name": "A", "balance": 1.0}]}
    trigger = {"name": "t", "test": "notes_below", "threshold": 0.1, "effect": "clean_up_call"}
    with pytest.raises(ValueError, match=r"triggers: 20,000 exceeds .*NPL_XL_MAX_TRIGGERS"):
        Deal.from_dict(base | {"triggers": [trigger] * 20_000})
    with pytest.raises(ValueError, match=r"rates: 101 exceeds .*NPL_XL_MAX_RATES"):
        Deal.from_dict(base | {"rates": {f"R{i}": {"level": 0.03} for i in range(101)}})
    with pytest.raises(ValueError, match=r"pre_default_order: 2,001 exceeds .*MAX_ORDER_STEPS"):
        Deal.from_dict(base | {"pre_default_order": ["interest:A"] * 2_001})


def test_workbook_tables_have_a_row_limit(monkeypatch):
    monkeypatch.setenv("NPL_XL_MAX_TABLE_ROWS", "1")
    with pytest.raises(ValueError, match=r"Tranches!.*rows: 2 exceeds .*NPL_XL_MAX_TABLE_ROWS"):
        read_deal_workbook(ROOT / "workbook_templates" / "example_credit_card.xlsx")


def test_thousands_of_tranches_in_a_cell_and_a_workbook(tmp_path):
    header = (("Name", "Balance", "Coupon"),)
    rows = tuple((f"T{i}", 1.0, 0.01) for i in range(10_000))
    out = call(
        "WATERFALL", tuple((1.0,) for _ in range(4)), header + rows, (("Name", "Basis", "Rate"),)
    )
    assert out.startswith("#npl-xl: deal: tranches: 10,000 exceeds the limit")
    wb = load_workbook(MORTGAGE)
    ws = wb["Tranches"]
    for i in range(9_000):  # under the 10,000 rows of a table: the tranche limit speaks
        for j, v in enumerate((f"T{i}", 1.0, 0.01, i + 3, 100.0, 0.0), start=1):
            ws.cell(row=5 + i, column=j, value=v)
    ws.tables["Tranches"].ref = f"A2:F{4 + 9_000}"
    path = tmp_path / "big.xlsx"
    wb.save(path)
    with pytest.raises(ValueError, match="exceeds the limit of 100 tranches"):
        read_deal_workbook(path)


def test_breakeven_memory_grows_linearly_with_tranches():
    def peak(k):
        tranches = [
            {"name": f"T{i}", "balance": 100.0 / k, "coupon": 0.03, "seniority": i + 1}
            for i in range(k)
        ]
        deal = Deal.from_dict(
            {
                "name": "many",
                "payments_per_year": 4,
                "legal_maturity_periods": 24,
                "tranches": tranches,
            }
        )
        c = np.full(24, 130.0 / 24)
        tracemalloc.start()
        be = analysis.breakeven_haircut(deal, c)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert np.all(np.diff(be) <= 1e-6)  # juniors break even at smaller haircuts
        return top

    peak(80)  # warm caches (the generated loop, lazy imports) so only the run itself is measured
    small, large = peak(10), peak(80)
    assert large < 200 * 2**20  # 80 tranches in well under 200 MB (was GBs)
    assert large / small < 8 * 8  # ~linear per scenario, not (tranches^2) x periods


def test_monte_carlo_size_is_checked_before_work_starts():
    r = CliRunner().invoke(main, ["simulate", "--example", "credit_card", "--paths", "1000000000"])
    assert r.exit_code == 1 and "paths: 1,000,000,000 exceeds the limit of 10,000,000" in r.output
    out = call(
        "PORTFOLIO_LOSS",
        tuple((0.05,) for _ in range(100)),
        tuple((1.0,) for _ in range(100)),
        0.5,
        0.2,
        0.0,
        0.1,
        "mc",
        10_000_000.0,
    )
    assert out.startswith("#npl-xl: paths x names: 1,000,000,000 exceeds the limit")


def _bomb(path, megabytes=60):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(
            "xl/worksheets/sheet1.xml",
            b"<worksheet>" + b" " * (megabytes * 2**20) + b"</worksheet>",
        )


def test_decompression_bombs_are_refused_from_the_zip_directory(tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    _bomb(bomb)
    assert bomb.stat().st_size < 200_000
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match=r"unpacks .*x .*max_part_ratio; a decompression bomb"):
        read_deal_workbook(bomb)
    assert time.perf_counter() - t0 < 1.0
    r = CliRunner().invoke(main, ["new-deal", str(bomb), "--out", str(tmp_path / "d.xlsx")])
    assert r.exit_code == 1 and "decompression bomb" in r.output
    # a sheet that claims a huge dimension is refused by its cell count
    huge = tmp_path / "huge.xlsx"
    with zipfile.ZipFile(huge, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "xl/worksheets/sheet1.xml", '<worksheet><dimension ref="A1:XFD1048576"/></worksheet>'
        )
    with pytest.raises(ValueError, match="cells: 17,179,869,184 exceeds the limit"):
        check_zip(huge)
    with pytest.raises(ValueError, match="is not an xlsx file"):
        (tmp_path / "text.xlsx").write_text("hello")
        check_zip(tmp_path / "text.xlsx")


# --- the command line: one line, exit 1, --debug for the traceback --------------------------------


def test_cli_errors_are_one_line_and_debug_shows_the_traceback(tmp_path):
    wb = load_workbook(MORTGAGE)
    ws = wb["Stress"]
    for row in ws.iter_rows():
        for c in row:
            c.value = None  # the Stress sheet cleared, table left in place
    path = tmp_path / "cleared.xlsx"
    wb.save(path)
    r = CliRunner().invoke(
        main, ["rate", str(path), "--paths", "100", "--out", str(tmp_path / "m.xlsx")]
    )
    assert r.exit_code == 1
    assert (
        r.output.strip().splitlines() == [r.output.strip().splitlines()[-1]]
        or "Traceback" not in r.output
    )
    assert "Stress: the table StressTable has no column rating, haircut, delay_months" in r.output
    r = CliRunner().invoke(
        main, ["--debug", "rate", str(path), "--paths", "100", "--out", str(tmp_path / "m.xlsx")]
    )
    assert r.exit_code != 0 and isinstance(r.exception, ValueError)


@pytest.mark.parametrize("out", ["memo.xlsm", "memo.csv", "memo"])
def test_output_extension_must_match_the_format(tmp_path, out):
    r = CliRunner().invoke(
        main, ["rate", str(MORTGAGE), "--out", str(tmp_path / out), "--paths", "50"]
    )
    assert r.exit_code == 1 and "must end in .xlsx" in r.output
    assert not (tmp_path / out).exists()


def test_templates_never_overwrite_without_force(tmp_path):
    mine = tmp_path / "npl_deal_template.xlsx"
    mine.write_bytes(b"my own work")
    r = CliRunner().invoke(main, ["templates", "--out", str(tmp_path)])
    assert r.exit_code == 1 and "exists; pass --force" in r.output
    assert mine.read_bytes() == b"my own work"


# --- concurrent writers and SIGTERM ---------------------------------------------------------------


def test_a_file_that_appears_during_the_write_is_never_replaced(tmp_path):
    target = tmp_path / "memo.xlsx"

    def slow_writer(tmp):
        pathlib.Path(tmp).write_bytes(b"ours")
        target.write_bytes(b"the other run's memo")  # a concurrent run finishes first

    with pytest.raises(OutputExistsError, match="appeared while writing"):
        write_with(target, slow_writer)
    assert target.read_bytes() == b"the other run's memo"
    assert [p.name for p in tmp_path.iterdir()] == ["memo.xlsx"]  # no temporary file left


def test_two_concurrent_rate_runs_never_share_a_memo(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "npl_xl.cli", "rate", str(MORTGAGE), "--paths", "300"]
    procs = [
        subprocess.Popen(
            cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    written = sorted(re.search(r"memo written to (\S+)", o).group(1) for o, _ in outs)
    assert len(set(written)) == 2 and all(os.path.exists(w) for w in written)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".npl-xl-")]


def test_sigterm_mid_write_leaves_no_temporary_file(tmp_path):
    script = textwrap.dedent(f"""
        import pathlib, sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from npl_xl.atomic import install_signal_cleanup, write_with
        install_signal_cleanup()
        def writer(tmp):
            pathlib.Path(tmp).write_bytes(b"partial")
            print("writing", flush=True)
            time.sleep(60)
        write_with({str(tmp_path / "out.xlsx")!r}, writer)
    """)
    p = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "writing"
    p.send_signal(signal.SIGTERM)
    assert p.wait(timeout=30) == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == []


# --- cells: every Excel error, never NaN/inf/blank ------------------------------------------------


@pytest.mark.parametrize("code, text", sorted(COM_ERRORS.items()))
def test_every_excel_error_code_is_named(code, text):
    out = call("KMV_PD", 100.0, 0.2, 80.0, 1.0, code)
    assert out == f"#npl-xl: drift: the cell holds the Excel error {text}"


def test_spill_error_is_an_error_not_a_number():
    spill = -2146826243
    assert COM_ERRORS[spill] == "#SPILL!"
    assert call("KMV_PD", 100.0, 0.2, 80.0, 1.0, spill).startswith(
        "#npl-xl: drift: the cell holds the Excel error #SPILL!"
    )
    assert (
        call("BET_LOSS", 10.0, spill, 0.5) == "#npl-xl: pd: the cell holds the Excel error #SPILL!"
    )
    assert call("KMV_PD", 100.0, 0.2, 80.0, 1.0, "#CALC!").endswith("Excel error #CALC!")


@pytest.mark.parametrize(
    "args",
    [
        ("KMV_PD", 1.6e-223, 1.6e-223, 1.6e-223, 1.6e-223),
        ("KMV_DD", 1.6e-223, 1.6e-223, 1.6e-223, 1.6e-223),
        ("KMV_DD", 1e300, 0.2, 1e-300),
        ("KMV_SOLVE", 1e-300, 0.5, 1e300, 0.05, 1.0),
    ],
)
def test_no_nan_inf_or_blank_ever_reaches_a_cell(args):
    out = call(*args)
    assert isinstance(out, str) and out.startswith("#npl-xl: ") and "internal error" not in out, out


def test_huge_maturity_or_infinite_seniority_give_a_message():
    coll = tuple((10.0,) for _ in range(4))
    fees = (("Name", "Basis", "Rate"),)
    bad_rank = (("Name", "Balance", "Seniority"), ("A", 10.0, float("inf")))
    assert call("WATERFALL", coll, bad_rank, fees).startswith(
        "#npl-xl: tranches row 2 (A): seniority"
    )
    opts = (("legal_maturity_periods", 1e300),)
    out = call("WATERFALL", coll, (("Name", "Balance"), ("A", 10.0)), fees, opts)
    assert out.startswith("#npl-xl: ") and "internal error" not in out
    assert (
        call("KMV_PD", 100.0, 0.2, 80.0, 1e308) == 1.0
    )  # the drift term dominates: default is certain


def test_readme_lists_every_limit():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for lim in limits.LIMITS.values():
        assert lim.env in readme, lim.env


def test_defusedxml_is_declared_and_used():
    import openpyxl.xml

    text = (ROOT / "pyproject.toml").read_text()
    assert '"defusedxml' in text
    assert openpyxl.xml.DEFUSEDXML
