"""The xlwings Lite files: main.py registers every function and the scripts, and a script rates an
open workbook that has no file behind it (a snapshot of its sheets, tables and names).

xlwings' own Lite code (xlwings.pro.udfs_officejs) does not import on CPython without an xlwings
licence key, so the scripts are registered and called here the way its ``script`` and
``custom_scripts_call`` do: the function carries ``__xlscript__`` and the parameter annotated
``xw.Book`` receives the open book."""

import importlib.util
import inspect
import pathlib

import xlwings as xw

from npl_xl import lite
from npl_xl.workbook import actions
from npl_xl.workbook.book import Book as FileBook
from npl_xl.workbook.open_book import snapshot_file
from npl_xl.workbook.reader import read_deal_workbook

ROOT = pathlib.Path(__file__).resolve().parents[1]
CARD = ROOT / "workbook_templates" / "example_credit_card.xlsx"


def lite_script(f):
    """xlwings Lite's ``@script`` as far as these tests need it: registration metadata."""
    f.__xlscript__ = {"name": None}
    return f


def run_script(module, name, book):
    """Call a Lite script as Lite does: the ``xw.Book``-annotated parameter gets the book."""
    func = getattr(module, name)
    hints = inspect.get_annotations(func, eval_str=True)
    args = [book for p in inspect.signature(func).parameters if hints.get(p) is xw.Book]
    assert len(args) == 1, "a Lite script takes exactly one xw.Book parameter"
    return func(*args)


def _letters(col):
    out = ""
    while col:
        col, r = divmod(col - 1, 26)
        out = chr(65 + r) + out
    return out


class Range:
    def __init__(self, address, value):
        self.address, self.value = address, value

    def options(self, **_):
        return self


class Sheet:
    """An open Lite sheet: values, tables and the writes a script makes."""

    def __init__(self, name, grid=(), tables=()):
        self.name, self.tables, self.written = name, list(tables), {}
        rows = [list(r) for r in grid] or [[None]]
        width = max(len(r) for r in rows)
        self.used_range = Range(
            f"$A$1:${_letters(width)}${len(rows)}",
            [[None if v == "" else v for v in r] + [None] * (width - len(r)) for r in rows],
        )

    def __getitem__(self, address):
        sheet = self

        class Cell:
            @property
            def value(self):
                return sheet.written.get(address)

            @value.setter
            def value(self, v):
                sheet.written[address] = v

        return Cell()


class Sheets(list):
    def add(self, name, after=None):
        sheet = Sheet(name)
        self.insert(self.index(after) + 1, sheet)
        return sheet


class Name:
    def __init__(self, name, refers_to):
        self.name, self.refers_to = name, refers_to


class App:
    def __init__(self):
        self.alerts = []

    def alert(self, text, title=None, buttons="ok", mode=None):
        self.alerts.append((text, mode))


def open_in_lite(path):
    """The workbook at ``path`` as Lite presents it: values, tables, names; no file."""
    from openpyxl import load_workbook

    src, wb = FileBook(path), load_workbook(path)
    sheets = Sheets()
    for name in src.sheetnames:
        tables = [
            type("T", (), {"name": t.displayName, "range": Range(t.ref, None)})()
            for t in wb[name].tables.values()
        ]
        sheets.append(Sheet(name, src.grid(name), tables))
    names = []
    for n, (sheet, r0, c0, r1, c1) in src.names.items():
        ref = f"${_letters(c0)}${r0}" + (f":${_letters(c1)}${r1}" if (r1, c1) != (r0, c0) else "")
        names.append(Name(n, f"='{sheet}'!{ref}"))
    book = type("LiteBook", (), {})()
    book.name, book.sheets, book.names, book.app = "MyDeal.xlsx", sheets, names, App()
    book.selection = Range("$A$1", None)
    return book


def lite_main():
    """excel/lite/main.py imported with xlwings Lite's decorators, as Lite imports it."""
    saved = xw.script
    xw.script = lite_script
    try:
        spec = importlib.util.spec_from_file_location("lite_main", ROOT / "excel/lite/main.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        xw.script = saved
    return module


def test_the_committed_lite_files_are_current_and_install_as_committed():
    assert (ROOT / "excel/lite/main.py").read_text() == lite.main_py()
    req = (ROOT / "excel/lite/requirements.txt").read_text()
    assert req == lite.requirements_txt()
    active = [line for line in req.splitlines() if line and not line.startswith("#")]
    assert active == [f"xlwings=={xw.__version__}"]  # no pin of a version no index serves


def test_lite_registers_every_function_and_the_scripts():
    module = lite_main()
    functions = {n for n, f in vars(module).items() if n in lite.FUNCTIONS and callable(f)}
    assert functions == set(lite.FUNCTIONS)
    scripts = {n for n, f in vars(module).items() if hasattr(f, "__xlscript__")}
    assert scripts == {name for name, _, _ in lite.SCRIPTS}


def test_a_snapshot_reads_as_the_saved_workbook():
    path = snapshot_file(open_in_lite(CARD))
    try:
        got, want = read_deal_workbook(path), read_deal_workbook(CARD)
    finally:
        import shutil

        shutil.rmtree(pathlib.Path(path).parent)
    assert got.deal == want.deal and got.unit == want.unit
    assert got.assumptions == want.assumptions


def test_the_lite_rate_script_adds_the_memo_sheets():
    module = lite_main()
    book = open_in_lite(CARD)
    before = len(book.sheets)
    run_script(module, "NPLXL_RATE", book)
    text, mode = book.app.alerts[-1]
    assert mode is None, text
    _, sheets = actions.memo_sheets(CARD)
    assert len(book.sheets) == before + len(sheets)
    assert book.sheets[before].name == "memo " + sheets[0][0]
    assert text.splitlines()[:-1] == list(actions.memo_sheets(CARD)[0].lines)
    assert text.splitlines()[-1].startswith("memo written to the sheets memo ")


def test_the_lite_size_script_reports_in_a_message_box():
    module = lite_main()
    book = open_in_lite(CARD)
    run_script(module, "NPLXL_SIZE", book)
    assert book.app.alerts[-1][0].splitlines() == list(actions.size_tranche(CARD).lines)


class LiveSheet:
    """A Lite sheet that keeps what a script writes: used range, tables and the order of writes."""

    def __init__(self, name, log):
        self.name, self.cells, self.log = name, {}, log
        sheet = self

        class Tables(list):
            def add(self, source, name):
                log.append(("table", sheet.name, name))
                self.append(type("T", (), {"name": name, "range": source})())

        self.tables = Tables()

    def __getitem__(self, address):
        from openpyxl.utils import range_boundaries

        c0, r0, c1, r1 = range_boundaries(address.replace("$", ""))
        sheet = self

        class Cells:
            address = f"${_letters(c0)}${r0}:${_letters(c1 or c0)}${r1 or r0}"

            @property
            def value(self):
                return sheet.cells.get((r0, c0))

            @value.setter
            def value(self, v):
                rows = v if isinstance(v, list) else [[v]]
                for i, row in enumerate(rows):
                    for j, x in enumerate(row):
                        sheet.cells[(r0 + i, c0 + j)] = x
                if isinstance(v, str) and v.startswith("="):
                    sheet.log.append(("formula", sheet.name, address))

        return Cells()

    @property
    def used_range(self):
        filled = [k for k, v in self.cells.items() if v is not None] or [(1, 1)]
        r1, c1 = max(r for r, _ in filled), max(c for _, c in filled)
        grid = [[self.cells.get((r, c)) for c in range(1, c1 + 1)] for r in range(1, r1 + 1)]
        return Range(f"$A$1:${_letters(c1)}${r1}", grid)


def live_book(frame, sheet_name="Tape", fail_names=False):
    """A Lite book whose active sheet holds ``frame`` pasted (header row first); sheets and names
    added by a script are kept (a duplicate sheet name refused, as Excel does) and can be
    deleted; ``fail_names``: adding a defined name fails (an error half-way through)."""
    log: list = []
    tape = LiveSheet(sheet_name, log)
    tape["A1"].value = [list(frame.columns)] + frame.astype(object).values.tolist()

    class LiveSheets(list):
        active = tape

        def add(self, name, after=None):
            if name.lower() in {s.name.lower() for s in self}:
                raise ValueError(f"a sheet named {name} exists")  # Excel refuses it too
            sheet = LiveSheet(name, log)
            sheet.delete = lambda: self.remove(sheet)
            self.insert(self.index(after) + 1, sheet)
            return sheet

    class Names(list):
        def add(self, name, refers_to):
            if fail_names:
                raise RuntimeError("the add-in lost its connection")
            log.append(("name", name))
            n = Name(name, refers_to)
            n.delete = lambda: self.remove(n)
            self.append(n)
            return n

    book = type("LiteBook", (), {})()
    book.name, book.sheets, book.names, book.app = "Tape.xlsx", LiveSheets([tape]), Names(), App()
    return book, log


def test_the_lite_new_deal_script_fills_the_book_as_new_deal_fills_a_file(tmp_path):
    """The tape pasted into the active sheet; the deal's sheets, tables and names added, then its
    formulas (tables first, so structured references resolve); the book then reads as the deal
    workbook new-deal writes from the same tape."""
    from npl_xl.workbook.tape import synthetic_tape

    frame = synthetic_tape(300, seed=3, kind="mortgage")
    book, log = live_book(frame)
    run_script(lite_main(), "NPLXL_NEW_DEAL", book)
    text, mode = book.app.alerts[-1]
    assert mode is None, text
    assert text.splitlines()[-1].startswith("deal sheets added to this book")
    assert text.splitlines()[0].startswith("300 loans: principal")
    names = [s.name for s in book.sheets]
    assert names[0] == "Tape" and {"Deal", "Tranches", "Recovery", "Results"} <= set(names)
    kinds = [e[0] for e in log]
    assert kinds.index("formula") > max(i for i, k in enumerate(kinds) if k in ("table", "name"))
    assert ("formula", "Results", "B5") in log  # the Results sheet's functions, entered by Excel
    # the filled book reads as the file new-deal writes from the same tape
    csv = tmp_path / "tape.csv"
    frame.to_csv(csv, index=False)
    actions.new_deal_workbook(csv, tmp_path / "deal.xlsx")
    want = read_deal_workbook(tmp_path / "deal.xlsx")
    path = snapshot_file(book)
    try:
        got = read_deal_workbook(path)
    finally:
        import shutil

        shutil.rmtree(pathlib.Path(path).parent)
    assert got.deal.tranches == want.deal.tranches and got.unit == want.unit
    assert len(got.tape) == len(want.tape) == 300


def test_the_lite_new_deal_script_adds_nothing_when_it_cannot_finish():
    """A tape pasted into a sheet named like a deal sheet is refused before anything is added; an
    error half-way through removes what was added (no half-filled book)."""
    from npl_xl.workbook.tape import synthetic_tape

    frame = synthetic_tape(200, seed=4, kind="mortgage")
    for sheet_name, fail_names, said in (
        ("Pool", False, "this book already has a sheet named Pool"),
        ("Tape", True, "the add-in lost its connection"),
    ):
        book, _ = live_book(frame, sheet_name, fail_names)
        run_script(lite_main(), "NPLXL_NEW_DEAL", book)
        text, mode = book.app.alerts[-1]
        assert mode == "critical" and said in text and "\n" not in text, text
        assert [s.name for s in book.sheets] == [sheet_name] and not book.names
