"""The main jobs run from inside Excel, over an xlwings ``Book`` (classic or Lite alike).

The classic macros (``NPLXL_RATE`` ... in :mod:`npl_xl.xl`) and the Lite scripts
(``excel/lite/main.py``) are one line each over these functions: progress goes to the status bar,
an error becomes one message box line (never a traceback), results to a message box or to new
sheets of the open book. The work itself is :mod:`npl_xl.workbook.actions`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable

from ..messages import FORMULA_STARTS, cell_text, one_line
from . import actions

__all__ = [
    "TEXT_PREFIXES",
    "free_sheet_names",
    "inert",
    "rate_book",
    "run_macro",
    "size_book",
    "write_sheets",
]

TITLE = "npl-xl"
#: text starting with these would be read as a formula when written to a cell: written as text
TEXT_PREFIXES = FORMULA_STARTS
#: the most characters a message box shows (Excel's MsgBox prompt limit is about 1,024)
MESSAGE_CHARS = 1000
#: Excel's longest sheet name
SHEET_NAME_CHARS = 31


def run_macro(book, title: str, job: Callable[[Callable[[str], None]], actions.ActionResult]):
    """Run ``job(progress)`` with progress in the status bar; show its lines (or the error as one
    line) in a message box. Returns the result, or None after an error; never raises."""
    app = book.app
    steps = [0]

    def progress(step: str) -> None:
        steps[0] += 1
        _status(app, f"{TITLE}: {title}: {step} ({steps[0]})")

    try:
        result = job(progress)
    except Exception as exc:  # an Excel user sees one line, never a traceback
        _status(app, False)
        _alert(app, f"{title}: {cell_text(one_line(exc), MESSAGE_CHARS)}", mode="critical")
        return None
    _status(app, False)
    _alert(app, cell_text("\n".join(result.lines), MESSAGE_CHARS, lines=True))
    return result


def _status(app, value) -> None:
    with contextlib.suppress(Exception):  # a status bar is a courtesy, never a failure
        app.status_bar = value


def _alert(app, text: str, mode: str | None = None) -> None:
    with contextlib.suppress(Exception):  # no message box (a server): nothing more to do
        app.alert(text, title=TITLE, mode=mode)


def saved_path(book) -> str:
    """The file of an open workbook the actions read; refuses an unsaved or changed workbook
    (the rating reads the file, so unsaved edits would be silently left out)."""
    path = book.fullname
    if not os.path.isfile(path):
        raise ValueError(
            f"{book.name}: save the workbook as .xlsx first (the rating reads the file)"
        )
    saved = getattr(getattr(book, "api", None), "Saved", True)
    if saved is False:
        raise ValueError(
            f"{book.name}: has unsaved changes; save it first (the rating reads the saved file)"
        )
    return path


def inert(value):
    """A value as written to a cell: text that Excel would read as a formula kept as text,
    control characters stripped and long text cut to Excel's cell limit."""
    if isinstance(value, str):
        value = cell_text(value)
        if value.startswith(TEXT_PREFIXES):
            return "'" + value
    return value


def free_sheet_names(existing, wanted) -> list[str]:
    """``memo <name>`` for each wanted sheet, numbered ``(2)``, ``(3)`` ... where taken
    (case-insensitively, as Excel compares), each at most 31 characters."""
    taken = {s.lower() for s in existing}
    out = []
    for name in wanted:
        base = f"memo {name}"[:SHEET_NAME_CHARS]
        candidate, n = base, 1
        while candidate.lower() in taken:
            n += 1
            suffix = f" ({n})"
            candidate = base[: SHEET_NAME_CHARS - len(suffix)] + suffix
        taken.add(candidate.lower())
        out.append(candidate)
    return out


def write_sheets(book, sheets) -> list[str]:
    """Add each (name, rows) of ``sheets`` as a new sheet after the last one (names from
    :func:`free_sheet_names`), values only; returns the sheet names."""
    names = free_sheet_names([s.name for s in book.sheets], [n for n, _ in sheets])
    for name, (_, rows) in zip(names, sheets):
        ws = book.sheets.add(name, after=book.sheets[len(book.sheets) - 1])
        if rows:
            width = max(len(r) for r in rows)
            ws["A1"].value = [[inert(v) for v in r] + [None] * (width - len(r)) for r in rows]
    return names


def rate_book(book, *, into_sheets: bool, progress=None, path=None) -> actions.ActionResult:
    """Rate the deal workbook open as ``book`` (its saved file, or ``path``): the memo beside the
    file, or (``into_sheets``) as new sheets of the book."""
    path = path or saved_path(book)
    if not into_sheets:
        return actions.rate_workbook(path, folder=os.path.dirname(path), progress=progress)
    result, sheets = actions.memo_sheets(path, progress=progress)
    names = write_sheets(book, sheets)
    return actions.ActionResult(
        (*result.lines, f"memo written to the sheets {names[0]} to {names[-1]}"), ()
    )


def size_book(book, tranche: str | None = None, path=None) -> actions.ActionResult:
    """Size ``tranche`` (default: the most senior) of the deal workbook open as ``book``."""
    return actions.size_tranche(path or saved_path(book), tranche=tranche or None)


def new_deal_book(tape: str, out: str) -> actions.ActionResult:
    """Fill a new deal workbook ``out`` from the tape file ``tape`` (never replacing a file)."""
    return actions.new_deal_workbook(tape, out)


# --- the macros (classic xlwings; dialogs through Excel's own, injectable for tests) -------------

RATE_QUESTION = (
    "Rate this deal workbook (its saved file).\n\nYes: write the memo as a file beside the "
    "workbook.\nNo: write the memo into new sheets of this workbook.\nCancel: do nothing."
)
TAPE_FILTER = "Loan tapes (*.csv;*.xlsx),*.csv;*.xlsx"


def rate_macro(book, ask=None) -> actions.ActionResult | None:
    """NPLXL_RATE: ask where the memo goes, rate, report (``ask(question)`` -> 'yes', 'no' or
    'cancel'; default: Excel's message box)."""
    ask = ask or (lambda q: book.app.alert(q, title=TITLE, buttons="yes_no_cancel", mode="info"))
    answer = ask(RATE_QUESTION)
    if answer not in ("yes", "no"):
        return None
    return run_macro(
        book, "rating", lambda p: rate_book(book, into_sheets=answer == "no", progress=p)
    )


def _open_dialog(app) -> str | None:
    r = app.api.GetOpenFilename(TAPE_FILTER, 1, f"{TITLE}: the loan tape")
    return r if isinstance(r, str) and r else None


def _save_dialog(app, suggested: str) -> str | None:
    r = app.api.GetSaveAsFilename(
        suggested, "Excel workbook (*.xlsx),*.xlsx", 1, f"{TITLE}: the new deal workbook"
    )
    return r if isinstance(r, str) and r else None


def new_deal_macro(book, choose_tape=None, choose_out=None, open_book=True):
    """NPLXL_NEW_DEAL: a tape chosen in a dialog, the deal workbook's name in a save dialog
    (never replacing a file), then the new workbook opened."""
    app = book.app
    tape = (choose_tape or _open_dialog)(app)
    if not tape:
        return None
    stem = os.path.splitext(tape)[0]
    out = (choose_out or _save_dialog)(app, f"{stem}_deal.xlsx")
    if not out:
        return None
    result = run_macro(book, "new deal", lambda p: new_deal_book(tape, out))
    if result is not None and open_book:
        with contextlib.suppress(Exception):  # the message box already named the file
            app.books.open(result.paths[0])
    return result


def size_macro(book):
    """NPLXL_SIZE: size the tranche named in the selected cell (else the most senior) of the
    deal workbook's saved file, every level of its stress table."""
    selected = _selected_text(book)
    return run_macro(book, "sizing", lambda p: _size_selected(book, selected, saved_path(book)))


def _selected_text(book) -> str | None:
    """The text of the selected cell, or None (a number, a blank, a chart, no selection)."""
    try:
        v = book.selection.value
    except Exception:
        return None
    return v.strip() if isinstance(v, str) else None


def _size_selected(book, selected: str | None, path) -> actions.ActionResult:
    """Size the tranche ``selected`` when it is one of the deal's, else the most senior."""
    try:
        return size_book(book, selected, path=path)
    except ValueError as exc:
        if selected and str(exc).startswith("--tranche:"):
            return size_book(book, None, path=path)
        raise


# --- xlwings Lite: the open book has no file; the readers take a snapshot of it ---------------


def _on_snapshot(book, job):
    from .open_book import remove_snapshot, snapshot_file

    path = snapshot_file(book)
    try:
        return job(path)
    finally:
        remove_snapshot(path)


def lite_rate(book):
    """Lite script: rate the open deal workbook; the memo's sheets are added to it."""
    return run_macro(
        book,
        "rating",
        lambda p: _on_snapshot(
            book, lambda path: rate_book(book, into_sheets=True, progress=p, path=path)
        ),
    )


def lite_size(book):
    """Lite script: size the tranche named in the selected cell (else the most senior)."""
    selected = _selected_text(book)

    def job(progress):
        return _on_snapshot(book, lambda path: _size_selected(book, selected, path))

    return run_macro(book, "sizing", job)


def lite_new_deal(book):
    """Lite script: fill this book as a deal workbook from the loan tape pasted into its active
    sheet (Lite has no file dialog): the deal workbook's sheets, tables and names are added to the
    book, its formulas (Recovery, Results) entered by Excel itself, so they calculate in Lite."""
    sheet = book.sheets.active

    def job(progress):
        from openpyxl import load_workbook

        from .open_book import remove_snapshot, sheet_file

        progress("reading the tape")
        taken = {s.name.lower() for s in book.sheets}
        tape = sheet_file(sheet)
        try:
            out = os.path.join(os.path.dirname(tape), "deal.xlsx")
            result = actions.new_deal_workbook(tape, out, sheet=sheet.name, linked=False)
            progress("writing the deal sheets")
            wb = load_workbook(out)
            clash = [ws.title for ws in wb.worksheets if ws.title.lower() in taken]
            if clash:
                raise ValueError(
                    f"this book already has a sheet named {clash[0]}, which the deal workbook "
                    "uses: paste the tape into a sheet of another name in a new workbook"
                )
            write_workbook(book, wb)
        finally:
            remove_snapshot(tape)
        return actions.ActionResult(
            (
                result.summary,
                "deal sheets added to this book; the intake report is on the Pool sheet",
            )
        )

    return run_macro(book, "new deal", job)


def write_workbook(book, wb) -> None:
    """Add the sheets of the openpyxl workbook ``wb`` to the open ``book``: values (text kept as
    text), then its tables and defined names, then its formulas, entered last so that Excel
    stores them in its own form once the tables and names they use exist."""
    added: list = []
    try:
        _write_workbook(book, wb, added)
    except BaseException:  # nothing half-written: what was added goes again
        for item in reversed(added):
            with contextlib.suppress(Exception):
                item.delete()
        raise


def _write_workbook(book, wb, added: list) -> None:
    formulas = []
    for ws in wb.worksheets:
        target = book.sheets.add(ws.title, after=book.sheets[len(book.sheets) - 1])
        added.append(target)
        rows = []
        for row in ws.iter_rows():
            values: list = []
            for c in row:
                if c.data_type == "f":  # a spill block's formula goes in its top-left cell
                    text = str(getattr(c.value, "text", c.value))
                    formulas.append((target, c.coordinate, "=" + text.lstrip("=")))
                    values.append(None)
                else:
                    values.append(inert(c.value))
            rows.append(values)
        if rows:
            target["A1"].value = rows
        for table in ws.tables.values():
            target.tables.add(source=target[table.ref], name=table.displayName)
    for name, dn in wb.defined_names.items():
        added.append(book.names.add(name, "=" + dn.attr_text))
    for target, address, formula in formulas:
        target[address].value = formula
