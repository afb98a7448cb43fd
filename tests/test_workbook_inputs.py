"""Deal-workbook inputs never change a result silently: Excel error values, required blanks,
defaults listed, duplicate keys, rows typed under a table, and every error naming its cell."""

import itertools
import re

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from npl_xl.cli import main
from npl_xl.deal import load_example
from npl_xl.workbook import layout as L
from npl_xl.workbook.book import sheet_errors
from npl_xl.workbook.reader import read_deal_workbook
from npl_xl.workbook.template import write_deal_workbook

ERRORS = ["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"]


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The credit-card example as a deal workbook (no tape: quick to read)."""
    path = tmp_path_factory.mktemp("deal") / "deal.xlsx"
    write_deal_workbook(path, load_example("credit_card"))
    return path.read_bytes()


def _edited(tmp_path, example, edits, resize=None):
    """A copy of the example with ``edits`` {(sheet, cell): value} and tables resized."""
    path = tmp_path / "deal.xlsx"
    path.write_bytes(example)
    wb = load_workbook(path)
    for (sheet, cell), value in edits.items():
        wb[sheet][cell] = value
    for (sheet, table), ref in (resize or {}).items():
        wb[sheet].tables[table].ref = ref
    wb.save(path)
    return path


def _refused(tmp_path, example, edits, message, resize=None):
    path = _edited(tmp_path, example, edits, resize)
    with pytest.raises(ValueError, match=message):
        read_deal_workbook(path)


# --- Excel error values ---------------------------------------------------------------------------

CELLS = [
    ("Tranches", "C3", "Coupon"),
    ("Tranches", "B4", "Balance"),
    ("Fees", "C3", "Rate"),
    ("Deal", "B5", "Legal maturity"),
    ("Assumptions", "B5", "Recovery volatility"),
    ("Recovery", "B5", "Cumulative share"),
    ("Stress", "C4", "Delay unsecured"),
    ("Stress", "N4", "Asset class"),
    ("Fees", "F4", "Position"),
]


@pytest.mark.parametrize(
    "error, where", list(zip(ERRORS * 2, CELLS + CELLS[: 2 * len(ERRORS) - len(CELLS)]))
)
def test_excel_error_in_an_input_cell_names_the_cell(tmp_path, example, error, where):
    sheet, cell, _label = where
    _refused(
        tmp_path,
        example,
        {(sheet, cell): error},
        rf"{sheet}!{cell}: .*Excel error {re.escape(error)}",
    )


def test_excel_error_in_a_structures_table(tmp_path, example):
    _refused(
        tmp_path,
        example,
        {("Structures", "A3"): "LPR1Y", ("Structures", "B3"): "#N/A"},
        r"Structures!B3: Level: the cell holds the Excel error #N/A",
    )


def test_error_cells_found_across_chunk_boundaries():
    xml = b"".join(
        b'<row><c r="A%d" s="1" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="B%d"><v>1</v></c></row>'
        % (i, i)
        for i in range(1, 3001)
    )
    for n in (97, 1000, 4096, 1 << 20):
        chunks = itertools.chain((xml[i : i + n] for i in range(0, len(xml), n)), [b""])
        found = sheet_errors(chunks, "S")
        assert len(found) == 3000 and found[(3000, 1)] == "#DIV/0!"


# --- required blanks ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sheet, cell, message",
    [
        ("Tranches", "C3", r"Tranches!C3: Coupon: tranche 'Senior' has no coupon"),
        ("Tranches", "A3", r"Tranches!A3: Name: a tranche row has no name"),
        ("Tranches", "B4", r"Tranches!B4: Balance: tranche 'Sub' has no balance"),
        ("Deal", "B4", r"Deal!B4: Payments per year: required, the cell is blank"),
        ("Deal", "B5", r"Deal!B5: Legal maturity \(periods\): required, the cell is blank"),
        ("Recovery", "B7", r"Recovery!B7: Cumulative share: blank inside the timing curve"),
        ("Stress", "D5", r"Stress!D5: Haircut sme: blank in the stress table"),
        ("Assumptions", "B3", r"Assumptions!B3: Expected total recovery .*required"),
        ("Fees", "C3", r"Fees!C3: Rate: a collections fee \('Taxes'\) needs one"),
        ("Stress", "O3", r"Stress!O3: Share of base recovery: blank"),
    ],
)
def test_required_blank_names_the_cell(tmp_path, example, sheet, cell, message):
    _refused(tmp_path, example, {(sheet, cell): None}, message)


def test_blank_senior_coupon_stops_rate_with_one_line(tmp_path, example):
    path = _edited(tmp_path, example, {("Tranches", "C3"): None})
    r = CliRunner().invoke(main, ["rate", str(path), "--out", str(tmp_path / "memo.xlsx")])
    assert r.exit_code == 1
    assert r.output.strip().splitlines()[-1].startswith("npl-xl: error: Tranches!C3: Coupon")
    assert "Traceback" not in r.output and not (tmp_path / "memo.xlsx").exists()


# --- optional blanks take a default, listed -------------------------------------------------------


def test_optional_blanks_are_listed_with_the_value_used(tmp_path, example):
    path = _edited(
        tmp_path,
        example,
        {
            ("Deal", "B6"): None,  # reserve multiple
            ("Deal", "B13"): None,  # memo language
            ("Assumptions", "B5"): None,  # recovery volatility
            ("Assumptions", "B8"): None,  # delay beta
            ("Tranches", "E3"): None,  # issue price
        },
    )
    inputs = read_deal_workbook(path)
    assert set(inputs.defaults_used) == {
        ("Deal", "B6", "reserve_multiple", 1.5),
        ("Deal", "B13", "language", "en"),
        ("Assumptions", "B5", "recovery_vol", 0.25),
        ("Assumptions", "B8", "delay_beta", 1.0),
        ("Tranches", "E3", "issue_price of Senior", 100.0),
    }
    assert inputs.assumptions.recovery_vol == 0.25 and inputs.deal.reserve.multiple == 1.5
    # the example itself leaves nothing to a default
    assert read_deal_workbook(_edited(tmp_path, example, {})).defaults_used == ()


def test_rate_prints_each_default_after_the_ratings(tmp_path, example):
    path = _edited(tmp_path, example, {("Assumptions", "B5"): None})
    r = CliRunner().invoke(
        main, ["rate", str(path), "--out", str(tmp_path / "memo.xlsx"), "--paths", "100"]
    )
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("default used"))
    assert lines[at] == "default used: Assumptions!B5 recovery_vol blank, 0.25 used"
    assert "Senior" in lines[at - 1]  # right after the ratings line


# --- every error names its cell -------------------------------------------------------------------


@pytest.mark.parametrize(
    "edits, message",
    [
        ({("Tranches", "B4"): -5.0}, r"Tranches!B4: Balance: tranche 'Sub': must be > 0"),
        (
            {("Tranches", "A4"): "senior"},
            r"Tranches!A4: tranche name 'senior' appears twice \(also Tranches!A3\)",
        ),
        ({("Fees", "A4"): "Taxes"}, r"Fees!A4: fee name 'Taxes' appears twice \(also Fees!A3\)"),
        ({("Recovery", "B6"): 0.1}, r"Recovery!B6: Cumulative share: 0.1 is below"),
        ({("Recovery", "B6"): 1.2}, r"Recovery!B6: Cumulative share: expected 0 to 1"),
        ({("Stress", "O3"): 0.5}, r"Stress!O3:O6: Share of base recovery: the shares add up"),
        ({("Stress", "N4"): "cars"}, r"Stress!N4: Asset class: expected one of"),
        ({("Fees", "B3"): "monthly"}, r"Fees!B3: Basis: fee 'Taxes': expected one of"),
        ({("Tranches", "C3"): -0.01}, r"Tranches!C3: tranches\[0\]\.coupon"),
        ({("Tranches", "M3"): "soon"}, r"Tranches!M3: Rating basis: expected timely or ultimate"),
        ({("Stress", "A4"): "AAAsf"}, r"Stress!A4: rating level 'AAAsf' appears twice"),
    ],
)
def test_deal_errors_name_the_cell(tmp_path, example, edits, message):
    _refused(tmp_path, example, edits, message)


GUARANTEE = ["guarantee", "G1", 1000.0, "interest:Senior", 0.01, None, "AAA"]


def _support_rows(*rows):
    return {
        ("Structures", f"{chr(74 + j)}{3 + i}"): v
        for i, r in enumerate(rows)
        for j, v in enumerate(r)
    }


def test_two_guarantee_rows_are_refused_naming_both(tmp_path, example):
    _refused(
        tmp_path,
        example,
        _support_rows(GUARANTEE, ["guarantee", "G2", *GUARANTEE[2:]]),
        r"Structures!J4: support kind 'guarantee' appears twice \(also Structures!J3\)",
        resize={("Structures", "Supports"): "J2:P4"},
    )


@pytest.mark.parametrize(
    "edits, message",
    [
        (_support_rows([*GUARANTEE[:2], None, *GUARANTEE[3:]]), r"Structures!L3: Limit: required"),
        (
            {
                ("Structures", "E3"): "T1",
                ("Structures", "F3"): "oc_below",
                ("Structures", "H3"): "sequential",
            },
            r"Structures!G3: Threshold: required, the cell is blank",
        ),
        ({("Structures", "B3"): 0.03}, r"Structures!A3: Index: required, the cell is blank"),
    ],
)
def test_blank_structure_fields_are_errors(tmp_path, example, edits, message):
    _refused(tmp_path, example, edits, message)


def test_duplicate_rate_and_trigger_names(tmp_path, example):
    rates = {
        ("Structures", "A3"): "LPR1Y",
        ("Structures", "B3"): 0.03,
        ("Structures", "A4"): "LPR1Y",
        ("Structures", "B4"): 0.04,
    }
    _refused(
        tmp_path,
        example,
        rates,
        r"Structures!A4: rate index 'LPR1Y' appears twice",
        resize={("Structures", "Rates"): "A2:D4"},
    )


# --- rows typed under a table that did not grow ---------------------------------------------------


@pytest.mark.parametrize(
    "sheet, cell, row",
    [("Tranches", "A5", 5), ("Fees", "C9", 9), ("Recovery", "B27", 27), ("Structures", "A4", 4)],
)
def test_row_typed_under_a_table_is_refused_naming_its_row(tmp_path, example, sheet, cell, row):
    _refused(
        tmp_path,
        example,
        {(sheet, cell): 0.5 if sheet == "Recovery" else "Mezz"},
        rf"{sheet}!{row}:{row}: a row typed directly under the table",
    )


def test_a_grown_table_reads_the_new_row(tmp_path, example):
    path = _edited(
        tmp_path,
        example,
        {("Tranches", f"{c}5"): v for c, v in zip("ABCDE", ["Mezz", 1000.0, 0.05, 3, 100])},
        resize={("Tranches", "Tranches"): "A2:M5"},
    )
    deal = read_deal_workbook(path).deal
    assert [t.name for t in deal.ordered_tranches][-1] == "Mezz"


# --- the Deal sheet as written --------------------------------------------------------------------


def test_deal_sheet_keys_and_formats(tmp_path, example):
    path = _edited(tmp_path, example, {})
    wb = load_workbook(path)
    keys = {wb["Deal"].cell(row=r, column=1).value for r in range(1, 40)}
    assert set(L.DEAL_EXTRA) | set(L.DEAL_RATING) | set(L.DEAL_PARTIES) <= keys
    # the footer sits below every key, never in a key cell
    name = wb.defined_names["Deal_rate_subordinated"].attr_text
    row = int(name.rsplit("$", 1)[1])
    assert wb["Deal"].cell(row=row, column=1).value == "rate_subordinated"
    delay = wb.defined_names["DelayBeta"].attr_text.rsplit("!", 1)[1].replace("$", "")
    assert wb["Assumptions"][delay].number_format == "0.00"  # periods per unit, not a percent


# --- inputs the rating needs ----------------------------------------------------------------------


def test_rating_inputs_and_parties_are_read(tmp_path, example):
    import datetime as dt

    wb = load_workbook(_edited(tmp_path, example, {}))
    cells = {
        k: wb.defined_names[f"Deal_{k}"].attr_text.split("!")[1].replace("$", "")
        for k in (*L.DEAL_RATING, *L.DEAL_PARTIES)
    }
    path = _edited(
        tmp_path,
        example,
        {
            ("Deal", cells["cutoff_date"]): dt.datetime(2021, 3, 31),
            ("Deal", cells["closing_date"]): "2021-06-10",
            ("Deal", cells["expected_senior_maturity"]): 1.75,
            ("Deal", cells["collected_before_closing"]): 3456.78,
            ("Deal", cells["originator"]): "建设银行",
            ("Deal", cells["trustee"]): "建信信托",
            ("Tranches", "M3"): "timely",
            ("Tranches", "M4"): "Ultimate",
        },
    )
    inputs = read_deal_workbook(path)
    assert inputs.cutoff_date == dt.date(2021, 3, 31)
    assert inputs.closing_date == dt.date(2021, 6, 10)
    assert inputs.expected_senior_maturity == 1.75
    assert inputs.collected_before_closing == 3456.78
    assert inputs.parties == {"originator": "建设银行", "trustee": "建信信托"}
    assert inputs.rating_basis == {"Senior": "timely", "Sub": "ultimate"}
    _refused(
        tmp_path,
        example,
        {("Deal", cells["collected_before_closing"]): -1.0},
        rf"Deal!{cells['collected_before_closing']}: Collected before closing: must be >= 0",
    )
    _refused(
        tmp_path,
        example,
        {("Deal", cells["closing_date"]): "June"},
        rf"Deal!{cells['closing_date']}: Closing date: expected a date",
    )


@pytest.mark.parametrize(
    "edits, message",
    [
        (
            {
                ("Structures", "E3"): "T1",
                ("Structures", "F3"): "oc_below",
                ("Structures", "G3"): 1.0,
                ("Structures", "H3"): "sequential_turbo",
            },
            r"Structures!F3: triggers\[0\]\.test: unknown test 'oc_below'",
        ),
        (
            _support_rows(["guarantee", "G1", 1000.0, "everything"]),
            r"Structures!M3: guarantee\.covers\[0\]: expected",
        ),
        ({("Waterfall", "A4"): "bogus"}, r"Waterfall!A4: pre_default_order: unknown step 'bogus'"),
        (
            {("Tranches", "C3"): None, ("Tranches", "H3"): "NOPE", ("Tranches", "I3"): 0.01},
            r"Tranches!H3: tranches\[0\]\.coupon\.index: 'NOPE' is not one of the deal's rates",
        ),
    ],
)
def test_structure_and_order_errors_name_the_cell(tmp_path, example, edits, message):
    _refused(tmp_path, example, edits, message)
