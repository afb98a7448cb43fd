"""The main jobs from inside Excel (npl_xl.workbook.macros and the NPLXL_* Subs) on a stand-in
for an xlwings Book: status bar, one-line message boxes, memo sheets, never a traceback."""

import pathlib
import shutil

import pytest
import xlwings as xw

from npl_xl import xlharness
from npl_xl.workbook import actions, macros

ROOT = pathlib.Path(__file__).resolve().parents[1]
CARD = ROOT / "workbook_templates" / "example_credit_card.xlsx"
MORTGAGE = ROOT / "workbook_templates" / "example_mortgage.xlsx"


class Cell:
    def __init__(self):
        self.value = None


class Sheet:
    def __init__(self, name):
        self.name = name
        self.cells: dict[str, Cell] = {}

    def __getitem__(self, address):
        return self.cells.setdefault(address, Cell())


class Sheets(list):
    def add(self, name, after=None):
        sheet = Sheet(name)
        self.insert(self.index(after) + 1 if after is not None else 0, sheet)
        return sheet


class Api:
    Saved = True


class App:
    def __init__(self):
        self.status, self.alerts, self.opened = [], [], []
        self.books = type("Books", (), {"open": lambda _, p: self.opened.append(p)})()

    @property
    def status_bar(self):
        return self.status[-1] if self.status else False

    @status_bar.setter
    def status_bar(self, value):
        self.status.append(value)

    def alert(self, text, title=None, buttons="ok", mode=None):
        self.alerts.append((text, mode))
        return "ok"


class Book:
    def __init__(self, path, selection=None):
        self.fullname, self.name = str(path), pathlib.Path(path).name
        self.app, self.api = App(), Api()
        self.sheets = Sheets([Sheet("Deal"), Sheet("Summary")])
        self.selection = Cell()
        self.selection.value = selection


@pytest.fixture
def deal(tmp_path):
    path = tmp_path / "deal.xlsx"
    shutil.copy(CARD, path)
    return path


def test_rate_writes_the_memo_beside_the_workbook(deal):
    book = Book(deal)
    result = macros.rate_macro(book, ask=lambda q: "yes")
    memo = deal.parent / "deal_memo.xlsx"
    assert result.paths == (str(memo),) and memo.exists()
    text, mode = book.app.alerts[-1]
    assert mode is None and text.splitlines() == list(result.lines)
    steps = [s for s in book.app.status if s]
    assert [s.split(": ")[2].rsplit(" (", 1)[0] for s in steps] == list(actions.RATE_STEPS)
    assert book.app.status[-1] is False  # the status bar is handed back to Excel


def test_rate_into_new_sheets_of_the_book(deal):
    book = Book(deal)
    result = macros.rate_macro(book, ask=lambda q: "no")
    _, sheets = actions.memo_sheets(deal)
    names = [s.name for s in book.sheets]
    assert names[:2] == ["Deal", "Summary"] and len(names) == 2 + len(sheets)
    assert names[2] == "memo " + sheets[0][0] and result.paths == ()
    first = book.sheets[2]["A1"].value
    assert first[0][0] == sheets[0][1][0][0] and len(first) == len(sheets[0][1])
    assert result.lines[-1] == f"memo written to the sheets {names[2]} to {names[-1]}"
    assert not (deal.parent / "deal_memo.xlsx").exists()  # no file written


def test_cancel_does_nothing_and_errors_are_one_line(deal, tmp_path):
    book = Book(deal)
    assert macros.rate_macro(book, ask=lambda q: "cancel") is None and not book.app.alerts
    unsaved = Book(deal)
    unsaved.api.Saved = False
    assert macros.rate_macro(unsaved, ask=lambda q: "yes") is None
    text, mode = unsaved.app.alerts[-1]
    assert mode == "critical" and "\n" not in text and "unsaved changes; save it first" in text
    new = Book(tmp_path / "Book1")  # never saved: no file
    assert macros.rate_macro(new, ask=lambda q: "yes") is None
    assert "save the workbook as .xlsx first" in new.app.alerts[-1][0]
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    assert macros.rate_macro(Book(broken), ask=lambda q: "no") is None


def test_new_deal_from_a_chosen_tape_never_replaces_a_file(tmp_path):
    from click.testing import CliRunner

    from npl_xl.cli import main

    tape = tmp_path / "tape.csv"
    CliRunner().invoke(main, ["synthetic-tape", "--out", str(tape), "--loans", "150"])
    book = Book(tmp_path / "x.xlsx")
    asked = []

    def save_as(app, suggested):
        asked.append(suggested)
        return str(tmp_path / "new.xlsx")

    r = macros.new_deal_macro(book, choose_tape=lambda app: str(tape), choose_out=save_as)
    assert asked == [str(tmp_path / "tape_deal.xlsx")]
    assert r.paths == (str(tmp_path / "new.xlsx"),) and book.app.opened == list(r.paths)
    again = macros.new_deal_macro(book, choose_tape=lambda app: str(tape), choose_out=save_as)
    assert again is None and book.app.alerts[-1][1] == "critical"
    assert "exists" in book.app.alerts[-1][0]
    assert macros.new_deal_macro(book, choose_tape=lambda app: None) is None  # cancelled


def test_size_takes_the_selected_tranche_else_the_senior(tmp_path):
    path = tmp_path / "m.xlsx"
    shutil.copy(MORTGAGE, path)
    senior = macros.size_macro(Book(path, selection=" Senior "))
    assert senior.lines == actions.size_tranche(path, tranche="Senior").lines
    other = macros.size_macro(Book(path, selection="not a tranche"))
    assert other.lines == senior.lines
    book = Book(path, selection="Sub")
    assert macros.size_macro(book) is None  # the most junior has no tranche below
    assert book.app.alerts[-1] == (
        "sizing: tranche: 'Sub' is the most junior; no tranche below takes the rest",
        "critical",
    )


def test_the_subs_run_the_macros_on_the_calling_book(deal, monkeypatch):
    module = xlharness.load()[0]
    book = Book(deal, selection="Senior")
    monkeypatch.setattr(xw.Book, "caller", classmethod(lambda cls: book), raising=False)
    module.NPLXL_SIZE()
    assert book.app.alerts[-1][0].splitlines() == list(actions.size_tranche(deal).lines)


def test_sheet_names_are_free_and_short():
    assert macros.free_sheet_names(["memo Summary", "Deal"], ["Summary", "Pool"]) == [
        "memo Summary (2)",
        "memo Pool",
    ]
    long = macros.free_sheet_names(["memo " + "x" * 26], ["x" * 40])
    assert long == ["memo " + "x" * 22 + " (2)"] and len(long[0]) == 31
    assert macros.free_sheet_names(["MEMO A"], ["a"]) == ["memo a (2)"]  # Excel ignores case


def test_written_text_is_inert():
    assert macros.inert("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert macros.inert("-5 %") == "'-5 %" and macros.inert(-5.0) == -5.0
    assert macros.inert("a\x1b[31mb\x00") == "a[31mb" and macros.inert(None) is None
