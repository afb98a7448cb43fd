"""The linked tape: new-deal keeps the loans beside the workbook (forced here with a small pool so
the tests stay fast), rate reads them back, checking the file's hash and row count."""

import gzip
import os
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from npl_xl.atomic import OutputExistsError
from npl_xl.cli import main
from npl_xl.workbook import linked_tape
from npl_xl.workbook.new_deal import new_deal
from npl_xl.workbook.reader import read_deal_workbook
from npl_xl.workbook.tape import synthetic_tape


@pytest.fixture(scope="module")
def tape(tmp_path_factory):
    path = tmp_path_factory.mktemp("tape") / "loans.csv"
    frame = synthetic_tape(300, seed=3, kind="mortgage")
    frame.loc[0, "借据号"] = "=HYPERLINK(1)"  # text a spreadsheet would take for a formula
    frame.loc[1, "借据号"] = "'quoted"
    frame.loc[2, "借据号"] = 'L,"2" a'  # a comma and quotes: a quoted CSV field
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


@pytest.fixture(scope="module")
def books(tape, tmp_path_factory):
    d = tmp_path_factory.mktemp("books")
    linked, inline = d / "linked.xlsx", d / "inline.xlsx"
    summary = new_deal(tape, linked, linked=True)
    new_deal(tape, inline, linked=False)
    return linked, inline, summary


def test_round_trip_reads_the_same_tape_as_the_sheet(books):
    linked, inline, summary = books
    assert summary["linked"].rows == 300
    assert os.path.exists(linked_tape.linked_path(linked))
    assert not os.path.exists(linked_tape.linked_path(inline))
    a, b = read_deal_workbook(linked).tape, read_deal_workbook(inline).tape
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    assert a.loc[0, "loan_id"] == "=HYPERLINK(1)" and a.loc[1, "loan_id"] == "'quoted"
    assert a.loc[2, "loan_id"] == 'L,"2" a'
    assert a.attrs["linked"] == summary["linked"]
    with gzip.open(linked_tape.linked_path(linked), "rt", encoding="utf-8") as f:
        text = f.read()
    assert text.startswith("\ufeffloan_id,")  # Excel reads the Chinese text as UTF-8
    assert "\n'=HYPERLINK(1)," in text and "\n''quoted," in text  # inert in a spreadsheet
    assert '\n"L,""2"" a",' in text
    assert "valuation: expected recovery (元)" in text.splitlines()[0]


def test_the_link_is_on_a_visible_sheet_and_in_the_intake_report(books):
    linked, _, summary = books
    wb = load_workbook(linked, read_only=True)
    ws = wb["LoanTape"]
    assert ws.sheet_state == "visible"
    link = summary["linked"]
    assert [ws["B3"].value, ws["B4"].value, ws["B5"].value] == [link.file, link.sha256, 300]
    assert link.file == "linked.loans.csv.gz" and len(link.sha256) == 64
    line = next(x for x in summary["intake"] if x.startswith("Loan tape: the 300 loans"))
    assert "--linked-tape" in line and link.sha256 in line
    pool = load_workbook(linked, read_only=True)["Pool"]
    assert any(line == r[0] for r in pool.iter_rows(values_only=True))


def test_same_bytes_for_the_same_tape(tape, books, tmp_path):
    linked, _, summary = books
    again = new_deal(tape, tmp_path / "linked.xlsx", linked=True)
    assert again["linked"].sha256 == summary["linked"].sha256


def _copy(books, tmp_path):
    import shutil

    linked = books[0]
    book = tmp_path / "linked.xlsx"
    shutil.copy(linked, book)
    shutil.copy(linked_tape.linked_path(linked), linked_tape.linked_path(book))
    return book, linked_tape.linked_path(book)


def test_a_tampered_file_is_refused_naming_the_cell(books, tmp_path):
    book, csv = _copy(books, tmp_path)
    frame = pd.read_csv(csv, dtype=str)
    frame.loc[5, "principal (元)"] = "1"
    frame.to_csv(csv, index=False, compression="gzip")
    with pytest.raises(ValueError, match=r"^LoanTape!B4: the linked tape linked.loans.csv.gz has "):
        read_deal_workbook(book)


def test_a_changed_row_count_is_refused(books, tmp_path):
    book, csv = _copy(books, tmp_path)
    pd.read_csv(csv, dtype=str).iloc[:-1].to_csv(csv, index=False, compression="gzip")
    wb = load_workbook(book)
    with open(csv, "rb") as f:
        import hashlib

        wb["LoanTape"]["B4"] = hashlib.sha256(f.read()).hexdigest()
    wb.save(book)
    with pytest.raises(ValueError, match=r"LoanTape!B5: .* has 299 rows, the workbook says 300"):
        read_deal_workbook(book)


def test_a_missing_file_is_refused(books, tmp_path):
    book, csv = _copy(books, tmp_path)
    os.unlink(csv)
    with pytest.raises(ValueError, match=r"^LoanTape!B3: the linked tape .* is not beside"):
        read_deal_workbook(book)


def test_a_file_bigger_than_its_rows_allow_is_refused(books, tmp_path, monkeypatch):
    book, _ = _copy(books, tmp_path)
    size = os.path.getsize(linked_tape.linked_path(book))
    per_row = size // 301 + 1  # 300 rows and the header: the file fits, its content does not
    monkeypatch.setenv("NPL_XL_MAX_LINKED_ROW_BYTES", str(per_row))
    with pytest.raises(
        ValueError, match=rf"^linked.loans.csv.gz: unpacks to more than {301 * per_row:,} b"
    ):
        read_deal_workbook(book)
    monkeypatch.setenv("NPL_XL_MAX_LINKED_ROW_BYTES", "1")
    with pytest.raises(ValueError, match=rf"LoanTape!B3: the linked tape .* is {size:,} bytes"):
        read_deal_workbook(book)
    monkeypatch.delenv("NPL_XL_MAX_LINKED_ROW_BYTES")
    monkeypatch.setenv("NPL_XL_MAX_TAPE_ROWS", "100")
    with pytest.raises(ValueError, match=r"LoanTape!B5: linked tape rows: 300 exceeds the limit"):
        read_deal_workbook(book)


def test_an_existing_linked_file_is_never_overwritten(tape, tmp_path):
    out = tmp_path / "deal.xlsx"
    csv = linked_tape.linked_path(out)
    with open(csv, "w") as f:
        f.write("mine")
    with pytest.raises(OutputExistsError, match="deal.loans.csv.gz exists"):
        new_deal(tape, out, linked=True)
    assert not out.exists() and Path(csv).read_text() == "mine"
    new_deal(tape, out, linked=True, overwrite=True)
    assert read_deal_workbook(out).tape is not None


def test_an_existing_workbook_stops_before_writing_the_linked_file(tape, tmp_path):
    out = tmp_path / "deal.xlsx"
    out.write_bytes(b"mine")
    with pytest.raises(OutputExistsError, match="deal.xlsx exists"):
        new_deal(tape, out, linked=True)
    assert not os.path.exists(linked_tape.linked_path(out))


def test_the_threshold_and_the_options(tape, tmp_path, monkeypatch):
    monkeypatch.setattr(linked_tape, "LINKED_TAPE_LOANS", 200)
    run = CliRunner().invoke
    auto = run(main, ["new-deal", str(tape), "--out", str(tmp_path / "a.xlsx")])
    assert auto.exit_code == 0, auto.output
    assert "exceed the 200 that the workbook holds well" in auto.output
    assert os.path.exists(tmp_path / "a.loans.csv.gz")
    inline = run(main, ["new-deal", str(tape), "--out", str(tmp_path / "b.xlsx"), "--inline-tape"])
    assert inline.exit_code == 0, inline.output
    assert not os.path.exists(tmp_path / "b.loans.csv.gz")
    rated = run(main, ["rate", str(tmp_path / "a.xlsx"), "--out", str(tmp_path / "m.xlsx")])
    assert rated.exit_code == 0, rated.output
    assert linked_tape.use_linked(201, None) and not linked_tape.use_linked(201, False)


def test_the_memo_names_the_linked_file_and_a_batch_notices_it_changed(books, tmp_path):
    from npl_xl import batch
    from npl_xl.workbook.memo import build_memo
    from npl_xl.workbook.run import rate_inputs

    linked, _, summary = books
    inputs = read_deal_workbook(linked)
    run = rate_inputs(inputs, paths=200, seed=1)
    for lang, sheet, label in (
        ("en", "Provenance", "Linked loan tape"),
        ("zh", "数据来源", "关联资产清单文件"),
    ):
        ws = build_memo(run, inputs, lang)[sheet]
        rows = {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r[0]}
        link = summary["linked"]
        assert rows[label].startswith(link.file) and link.sha256 in rows[label]
    book, csv = _copy(books, tmp_path)
    assert batch._read(str(book)).tape.attrs["linked"].rows == 300
    with open(csv, "ab") as f:  # the same workbook, a changed linked file: read again, refused
        f.write(b"\0")
    with pytest.raises(ValueError, match=r"LoanTape!B4: "):
        batch._read(str(book))


def test_a_fractional_row_count_and_a_parser_error_are_one_clear_line(books, tmp_path):
    book, csv = _copy(books, tmp_path)
    wb = load_workbook(book)
    wb["LoanTape"]["B5"] = 300.7
    wb.save(book)
    with pytest.raises(ValueError, match=r"^LoanTape!B5: .*not a whole number: 300.7$"):
        read_deal_workbook(book)
    (tmp_path / "other").mkdir()
    book, csv = _copy(books, tmp_path / "other")
    with gzip.open(csv, "rb") as f:
        lines = f.read().split(b"\n")
    lines[5] = lines[5] + b",1,2,3"  # a row with more fields than the header: pandas says so
    with open(csv, "wb") as f:
        f.write(gzip.compress(b"\n".join(lines), mtime=0))
    wb = load_workbook(book)
    import hashlib

    with open(csv, "rb") as f:
        wb["LoanTape"]["B4"] = hashlib.sha256(f.read()).hexdigest()
    wb.save(book)
    with pytest.raises(ValueError, match=r"cannot read the linked tape") as err:
        read_deal_workbook(book)
    assert "\n" not in str(err.value)


def test_a_failed_forced_run_keeps_the_previous_workbook_and_its_linked_file(
    tape, tmp_path, monkeypatch
):
    from npl_xl.workbook import new_deal as nd

    out = tmp_path / "deal.xlsx"
    new_deal(tape, out, linked=True)
    csv = linked_tape.linked_path(out)
    before = (out.read_bytes(), Path(csv).read_bytes())

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(nd, "write_deal_workbook", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        new_deal(tape, out, linked=True, overwrite=True)
    assert (out.read_bytes(), Path(csv).read_bytes()) == before
    assert read_deal_workbook(out).tape.attrs["linked"].rows == 300  # still a working pair
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deal.loans.csv.gz", "deal.xlsx"]


def test_a_linked_file_that_is_not_gzip_is_one_clear_line(books, tmp_path):
    import hashlib

    book, csv = _copy(books, tmp_path)
    with open(csv, "wb") as f:
        f.write(b"loan_id,principal\nL1,1\n")  # plain text where a gzip file belongs
    wb = load_workbook(book)
    with open(csv, "rb") as f:
        wb["LoanTape"]["B4"] = hashlib.sha256(f.read()).hexdigest()
    wb.save(book)
    with pytest.raises(ValueError, match=r"^linked.loans.csv.gz: not a gzip file \(") as err:
        read_deal_workbook(book)
    assert "\n" not in str(err.value)
