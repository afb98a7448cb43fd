"""Hardening of tape intake and writes at scale: far cells without a dimension, the row limit while
reading, control characters from tape text, temporary files left by a killed process."""

import os
import signal
import subprocess
import sys
import zipfile

import pytest
from openpyxl import Workbook

from npl_xl import atomic
from npl_xl.workbook.intake import TapeError, read_tape


def _far_cell_xlsx(path, padding_rows=3000):
    """An xlsx whose sheet has no <dimension>, ordinary rows, and one cell at XFD1048576."""
    wb = Workbook()
    ws = wb.active
    ws.append(["借据号", "未偿本金"])
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    rows = "".join(
        f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>L{i:06d}</t></is></c>'
        f'<c r="B{i}"><v>{i * 1.5}</v></c></row>'
        for i in range(2, padding_rows + 2)
    )
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>loan_id</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>principal</t></is></c></row>'
        f"{rows}{far}</sheetData></worksheet>"
    )
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)
    return len(sheet)


def test_a_sheet_with_one_far_cell_and_no_dimension_is_refused(tmp_path):
    path = tmp_path / "far.xlsx"
    size = _far_cell_xlsx(path)
    assert size > 300_000
    with pytest.raises(
        ValueError, match=r"far.xlsx: xl/worksheets/sheet1.xml: cells: 17,179,869,184 "
    ):
        read_tape(path)


def test_the_csv_row_limit_is_checked_while_reading(tmp_path, monkeypatch):
    path = tmp_path / "t.csv"
    path.write_text("借据号,未偿本金\n" + "".join(f"L{i},{i}\n" for i in range(1, 200)))
    monkeypatch.setenv("NPL_XL_MAX_TAPE_ROWS", "50")
    with pytest.raises(ValueError, match=r"t.csv: rows \(at least\): 51 exceeds the limit of 50"):
        read_tape(path)


def test_control_characters_from_tape_text_are_not_echoed(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "借据号,未偿本金,省份,客户经理\x1b[2J\nA,1000,\x1b]0;pwned\x07火星\u202e,x\n",
        encoding="utf-8",
    )
    tape = read_tape(path)
    text = "\n".join(tape.attrs["intake"].lines())
    assert "火星" in text and not any(ch in text for ch in "\x1b\x07\u202e")
    bad = tmp_path / "bad.csv"
    bad.write_text("借据号,未偿本金\nA,\x1b[31mabc\n", encoding="utf-8")
    with pytest.raises(TapeError) as err:
        read_tape(bad)
    assert "\x1b" not in str(err.value) and "[31mabc" in str(err.value)


def test_a_killed_writer_leaves_a_temp_file_the_next_write_removes(tmp_path):
    code = (
        "import time, sys\n"
        "from npl_xl.atomic import write_with\n"
        "def writer(tmp):\n"
        "    open(tmp, 'w').write('partial')\n"
        "    print('ready', flush=True)\n"
        "    time.sleep(60)\n"
        f"write_with({str(tmp_path / 'out.txt')!r}, writer)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    left = [n for n in os.listdir(tmp_path) if n.startswith(atomic.PREFIX)]
    assert left and left[0].startswith(f"{atomic.PREFIX}{proc.pid}-")
    mine = tmp_path / f"{atomic.PREFIX}{os.getpid()}-live.txt"
    mine.write_text("a live writer's file")  # this process is alive: kept
    atomic.write_text(tmp_path / "other.txt", "done")
    assert sorted(os.listdir(tmp_path)) == sorted(["other.txt", mine.name])


def test_vectorised_text_cells_match_the_per_cell_writer():
    from xml.sax.saxutils import escape

    import numpy as np
    import pandas as pd

    from npl_xl.workbook.xlsx import _bulk_cell, _text_cells

    rng = np.random.default_rng(1)
    alphabet = list("ab &<>\"'\t\n\x01\x1f\u3000广东") + [""]
    values = ["".join(rng.choice(alphabet, rng.integers(0, 6))) for _ in range(500)] + [None]
    refs = np.array([str(r) for r in range(3, 3 + len(values))], dtype=object)
    fast = _text_cells(pd.Series(values, dtype=object), "C", refs)
    slow = [_bulk_cell("C", r, v, "", escape) for r, v in zip(range(3, 3 + len(values)), values)]
    assert fast.tolist() == slow


def test_recovery_simulation_is_bit_identical_serially_chunked_and_on_dask():
    distributed = pytest.importorskip("distributed")
    import numpy as np

    from npl_xl.models.simulation import simulate_collections

    amounts = np.random.default_rng(3).lognormal(8.0, 1.0, 1000)
    timing = np.full(12, 1 / 12)
    kw = {"rho": 0.3, "sigma": 0.4, "scenarios": 6_000, "seed": 7, "delay_beta": 1.0}
    serial = simulate_collections(amounts, timing, threads=1, **kw)
    chunked = simulate_collections(amounts, timing, chunk=1_000, threads=2, **kw)
    assert np.array_equal(serial, chunked)
    with distributed.Client(
        processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None
    ) as client:
        on_dask = simulate_collections(amounts, timing, chunk=1_500, client=client, **kw)
    assert np.array_equal(serial, on_dask)
