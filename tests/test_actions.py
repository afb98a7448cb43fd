"""The three main jobs (npl_xl.workbook.actions): one function each, shared by the command line,
the classic Excel macros and the Lite scripts."""

import pathlib

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from npl_xl.cli import main
from npl_xl.workbook import actions

ROOT = pathlib.Path(__file__).resolve().parents[1]
CARD = ROOT / "workbook_templates" / "example_credit_card.xlsx"
MORTGAGE = ROOT / "workbook_templates" / "example_mortgage.xlsx"


def test_rate_writes_beside_never_replacing_and_reports_each_step(tmp_path):
    steps = []
    first = actions.rate_workbook(CARD, folder=tmp_path, paths=500, progress=steps.append)
    assert steps == list(actions.RATE_STEPS)
    assert first.paths == (str(tmp_path / "example_credit_card_memo.xlsx"),)
    assert first.lines[0].startswith("21建鑫2") and "Senior" in first.lines[0]
    assert first.lines[-1] == f"memo written to {first.paths[0]}"
    second = actions.rate_workbook(CARD, folder=tmp_path, paths=500)
    assert second.paths == (str(tmp_path / "example_credit_card_memo_2.xlsx"),)
    assert first.lines[:-1] == second.lines[:-1]  # same seed, same figures
    with pytest.raises(Exception, match="exists"):
        actions.rate_workbook(CARD, out=first.paths[0], paths=500)


def test_the_command_line_prints_what_the_action_returns(tmp_path):
    out = tmp_path / "m.xlsx"
    cli = CliRunner().invoke(main, ["rate", str(CARD), "--paths", "500", "--out", str(out)])
    assert cli.exit_code == 0, cli.output
    again = actions.rate_workbook(CARD, out=out, paths=500, force=True)
    assert cli.output.splitlines() == list(again.lines)
    cli = CliRunner().invoke(main, ["size", str(MORTGAGE), "--rating", "AAAsf"])
    assert cli.exit_code == 0, cli.output
    assert cli.output.splitlines() == list(actions.size_tranche(MORTGAGE, rating="AAAsf").lines)


def test_memo_sheets_are_the_memo_file_values(tmp_path):
    result, sheets = actions.memo_sheets(CARD, paths=500)
    written = actions.rate_workbook(CARD, folder=tmp_path, paths=500)
    assert result.lines == written.lines[:-1] and result.paths == ()
    wb = load_workbook(written.paths[0])
    assert [name for name, _ in sheets] == wb.sheetnames
    name, rows = sheets[0]
    values = [[c.value for c in row] for row in wb[name].iter_rows()]
    del rows[1], values[1]  # the run's timestamp
    assert len(rows) == len(values)
    for got, want in zip(rows, values):  # the file stores 15 significant digits
        assert got == [pytest.approx(w, rel=1e-14) if isinstance(w, float) else w for w in want]


def test_size_lists_every_level_in_the_deal_unit():
    r = actions.size_tranche(MORTGAGE)
    assert "largest Senior balance" in r.lines[0] and len(r.lines) > 2 and r.paths == ()
    assert r.lines[1].split()[0] == "AAAsf"


def test_new_deal_fills_a_workbook_from_a_tape(tmp_path):
    runner = CliRunner()
    tape = tmp_path / "t.csv"
    assert (
        runner.invoke(main, ["synthetic-tape", "--out", str(tape), "--loans", "200"]).exit_code == 0
    )
    out = tmp_path / "d.xlsx"
    r = actions.new_deal_workbook(tape, out)
    assert r.paths == (str(out),) and out.exists()
    assert r.lines[-1] == f"deal workbook written to {out}"
    assert any(line.startswith("200 loans: principal") for line in r.lines)
    with pytest.raises(ValueError, match="exists|replace"):
        actions.new_deal_workbook(tape, out)
    with pytest.raises(ValueError, match="--out"):
        actions.new_deal_workbook(tape, tmp_path / "d.csv")
