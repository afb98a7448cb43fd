"""One vocabulary on every face, and a workbook reader that follows names, not rows."""

import inspect
import pathlib
import shutil

import pytest
from openpyxl import load_workbook

from npl_xl import xl
from npl_xl.assumptions import Assumptions
from npl_xl.cli import main
from npl_xl.deal import RecoveryAssumptions
from npl_xl.vocabulary import CONCEPTS
from npl_xl.workbook import layout as L
from npl_xl.workbook.reader import read_deal_workbook

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("c", CONCEPTS, ids=lambda c: c.field)
def test_every_face_uses_the_concept_name(c):
    model = Assumptions if c.target == "assumptions" else RecoveryAssumptions
    assert c.field in model.model_fields  # Python field
    if c.defined_name:
        assert L.ASSUMPTION_FIELDS[c.defined_name][0] == c.label  # workbook label
        assert L.ASSUMPTION_KEYS[c.defined_name] == (c.target, c.field)  # defined name -> field
    commands = {"rate": main.commands["rate"], "simulate": main.commands["simulate"]}
    options = {cmd: {o for p in commands[cmd].params for o in p.opts} for cmd in commands}
    if c.cli:
        assert c.option in options["simulate"], c.option  # CLI option
        if c.field in ("paths", "seed"):
            assert c.option in options["rate"]
    if c.excel:
        args = {a for name in xl.FUNCTIONS for a in inspect.signature(getattr(xl, name)).parameters}
        assert c.field in args  # Excel argument


def test_no_drifting_synonyms_remain():
    """The old spellings of these concepts appear nowhere a user reads (old CLI names stay as
    aliases)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for old in ("RecoveryVolatility']", "--sigma ", "simulate --scenarios", "recovery_vol=sigma"):
        assert old not in text, old
    args = {a for name in xl.FUNCTIONS for a in inspect.signature(getattr(xl, name)).parameters}
    assert not {"sigma", "volatility", "scenarios"} & args


def _shift_names(wb, sheet, at_row, n):
    """What Excel does to defined names when rows are inserted above them."""
    import re

    for dn in list(wb.defined_names.values()):

        def bump(m):
            r = int(m.group(2))
            return f"${m.group(1)}${r + n if r >= at_row else r}"

        if dn.attr_text.startswith(f"{sheet}!"):
            dn.attr_text = re.sub(r"\$([A-Z]+)\$(\d+)", bump, dn.attr_text)


def test_moving_blocks_and_inserting_rows_reads_the_same_inputs(tmp_path):
    src = ROOT / "workbook_templates" / "example_mortgage.xlsx"
    path = tmp_path / "moved.xlsx"
    shutil.copy(src, path)
    before = read_deal_workbook(path)
    wb = load_workbook(path)
    for sheet, at, n in (("Deal", 3, 4), ("Assumptions", 5, 3), ("Deal", 12, 2)):
        wb[sheet].insert_rows(at, n)  # blank rows in the middle of the blocks
        _shift_names(wb, sheet, at, n)
    # move the Assumptions block four columns to the right, as a user dragging it would
    ws = wb["Assumptions"]
    ws.move_range(f"A1:C{ws.max_row}", cols=4)
    for dn in list(wb.defined_names.values()):
        if dn.attr_text.startswith("Assumptions!$B$"):
            dn.attr_text = dn.attr_text.replace("$B$", "$F$")
    wb.save(path)
    after = read_deal_workbook(path)
    assert after.deal == before.deal
    assert after.assumptions == before.assumptions and after.unit == before.unit
    assert (after.stress == before.stress).all().all()
