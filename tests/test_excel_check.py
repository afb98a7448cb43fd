"""npl-xl excel check: what a workbook and the machine still need, one line each."""

import zipfile

import pytest
from click.testing import CliRunner

from npl_xl.cli import main
from npl_xl.excel_check import check_workbook
from npl_xl.lite import MACROS


def xlsm(path, vba: bytes | None):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        if vba is not None:
            z.writestr("xl/vbaProject.bin", vba)
    return path


MODULE = "xlwings_udfs".encode("utf-16-le")


@pytest.mark.parametrize(
    "vba, ok, says",
    [
        (None, False, "no VBA project: open it, xlwings tab > Import Functions"),
        (b"\x00" * 64, False, "no xlwings_udfs module: xlwings tab > Import Functions"),
        (MODULE + b"NPLXL_RATE", False, "not found NPLXL_NEW_DEAL, NPLXL_SIZE: Import Functions"),
        (MODULE + " ".join(MACROS).encode(), True, "the macros NPLXL_RATE, NPLXL_NEW_DEAL"),
    ],
)
def test_a_macro_workbook_is_checked(tmp_path, vba, ok, says):
    checks = check_workbook(xlsm(tmp_path / "deal.xlsm", vba))
    workbook = [c for c in checks if c.line.startswith(("workbook", "module"))]
    assert all(c.ok for c in workbook) == ok and says in workbook[-1].line
    r = CliRunner().invoke(main, ["excel", "check", str(tmp_path / "deal.xlsm")])
    assert (r.exit_code == 0) == ok and says in r.output


def test_other_files_are_one_line(tmp_path):
    (tmp_path / "a.xlsm").write_bytes(b"not a zip")
    r = CliRunner().invoke(main, ["excel", "check", str(tmp_path / "a.xlsm")])
    assert (
        r.exit_code == 1
        and r.output == "npl-xl: error: workbook: a.xlsm is not an Excel workbook\n"
    )
    r = CliRunner().invoke(main, ["excel", "check", str(tmp_path / "none.xlsm")])
    assert r.exit_code == 1 and "no such file" in r.output
    xlsm(tmp_path / "b.ods", None)
    assert not check_workbook(tmp_path / "b.ods")[0].ok


def test_the_results_sheet_is_checked(tmp_path):
    from openpyxl import load_workbook

    from npl_xl.workbook.template import write_deal_workbook

    path = tmp_path / "deal.xlsx"
    write_deal_workbook(path)
    checks = check_workbook(path)
    assert "results: the Results sheet passes the whole deal" in [c.line for c in checks if c.ok]
    wb = load_workbook(path)  # a Results sheet written before the structures reached it
    ws = wb["Results"]
    ws["B5"] = (
        "=BREAKEVEN_HAIRCUT(RecoveryCurve[Collections],Tranches[#All],Fees[#All],1,DealOptions)"
    )
    wb.save(path)
    (old,) = [c for c in check_workbook(path) if c.line.startswith("results")]
    assert not old.ok and old.line.startswith("results: Results!B5 passes only part of the deal")


def test_an_old_kmv_volatility_cell_is_named(tmp_path):
    """Before the memo's KMV volatility had a closed form, Results!B7 was the recovery
    volatility: the KMV table then differs from the memo's."""
    from openpyxl import load_workbook

    from npl_xl.workbook.template import write_deal_workbook

    path = tmp_path / "deal.xlsx"
    write_deal_workbook(path)
    assert not [c for c in check_workbook(path) if not c.ok and c.line.startswith("results")]
    wb = load_workbook(path)
    wb["Results"]["B7"] = "=RecoveryVolatility"
    wb.save(path)
    (old,) = [c for c in check_workbook(path) if c.line.startswith("results") and not c.ok]
    assert old.line.startswith("results: Results!B7 is the recovery volatility")
    wb["Results"]["B7"] = 0.2  # a volatility typed over it is the analyst's choice
    wb.save(path)
    assert not [c for c in check_workbook(path) if not c.ok and c.line.startswith("results")]
