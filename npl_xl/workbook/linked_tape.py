"""The linked tape: a large pool's per-loan rows kept beside the deal workbook as a compressed CSV.

Above :data:`LINKED_TAPE_LOANS` loans (or when asked), ``new-deal`` writes the LoanTape and
Valuation sheets' rows to ``<workbook stem>.loans.csv.gz`` beside the workbook instead of into it,
and the LoanTape sheet records the link: the file name, its SHA-256 and its row count, in cells
named ``LoanTape_File``, ``LoanTape_SHA256`` and ``LoanTape_Rows``. Why a threshold: at 100,000
mortgage loans the two sheets already hold 2.2 million cells and 126 MB of sheet XML (1.26 KB a
loan uncompressed: ``max_workbook_bytes``, 400 MB, is reached near 320,000 loans), writing them
takes 9 s CPU and opening them with openpyxl about as long again; past 1,048,575 loans they do not
fit Excel's rows at all. The CSV costs about 60 bytes a loan compressed and is read by
``pandas.read_csv`` in columns.

``rate`` (:func:`read_linked`) reads the file named in the workbook from the workbook's folder,
checks its SHA-256 and row count (one line naming the cell when missing or changed) and rebuilds
the normalised tape without the per-cell intake (the file is the tool's own output, verified by
its hash). The workbook limits then apply to the workbook only; the linked file has its own:
``max_tape_rows`` rows and ``max_linked_row_bytes`` bytes for each row the workbook declares
(uncompressed, checked on the file's size and while decompressing).

Amounts are in 元 whatever the deal's unit (the tape's own figures, read back exactly). Text that
spreadsheet software would read as a formula (a leading ``=``, ``+``, ``-``, ``@``, tab, CR) or
that starts with an apostrophe is written with an apostrophe before it, removed on reading.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import limits
from ..atomic import write_with
from ..messages import FORMULA_STARTS
from .intake.vocabulary import AMOUNT_COLUMNS, DATE_COLUMNS, NUMBER_COLUMNS, TEXT_COLUMNS, UNITS

__all__ = [
    "LINKED_TAPE_LOANS",
    "SUFFIX",
    "NAMES",
    "Link",
    "use_linked",
    "linked_path",
    "write_linked",
    "read_linked",
    "linked_frame",
]

#: loans above which new-deal keeps the per-loan rows beside the workbook (see the module text)
LINKED_TAPE_LOANS = 100_000
#: the linked file's name: the workbook's stem and this suffix
SUFFIX = ".loans.csv.gz"
#: defined names of the link's cells on the LoanTape sheet
NAMES = {"file": "LoanTape_File", "sha256": "LoanTape_SHA256", "rows": "LoanTape_Rows"}
#: headers of the Valuation sheet's columns in the linked file start with this
VALUE_PREFIX = "valuation: "
#: texts written with an apostrophe before them: a formula's starts, and an apostrophe itself
_TRIGGERS = (*FORMULA_STARTS, "'")


@dataclass(frozen=True)
class Link:
    """A linked tape: its file name (beside the workbook), SHA-256 (hex) and loans (rows)."""

    file: str
    sha256: str
    rows: int

    def describe(self) -> str:
        """The intake-report line saying where the loans are and why."""
        return (
            f"Loan tape: the {self.rows:,} loans (LoanTape and Valuation rows) are kept beside the "
            f"workbook in {self.file} (SHA-256 {self.sha256}), because "
            + (
                f"{self.rows:,} loans exceed the {LINKED_TAPE_LOANS:,} that the workbook holds "
                "well (Excel's and openpyxl's practical size)"
                if self.rows > LINKED_TAPE_LOANS
                else "new-deal was asked to (--linked-tape)"
            )
            + "; keep the two files together: rate checks the file's hash and row count"
        )


def use_linked(loans: int, linked: bool | None) -> bool:
    """Whether ``new-deal`` links the tape: as asked, else above :data:`LINKED_TAPE_LOANS`."""
    return loans > LINKED_TAPE_LOANS if linked is None else bool(linked)


def linked_path(workbook) -> str:
    """The linked file beside ``workbook``: 'deal.xlsx' -> 'deal.loans.csv.gz'."""
    workbook = os.fspath(workbook)
    return os.path.splitext(workbook)[0] + SUFFIX


def linked_frame(sheet_rows: pd.DataFrame, values: pd.DataFrame | None) -> pd.DataFrame:
    """The LoanTape sheet's rows (:func:`npl_xl.workbook.tape.sheet_frame`) with the Valuation
    sheet's columns after them (``values``, same row order, its loan_id dropped), headed
    ``valuation: ...``."""
    if values is None:
        return sheet_rows
    extra = values.drop(columns=["loan_id"], errors="ignore")
    extra.columns = [VALUE_PREFIX + str(c) for c in extra.columns]
    return pd.concat([sheet_rows.reset_index(drop=True), extra.reset_index(drop=True)], axis=1)


#: rows formatted at a time (bounds the memory of the text being written)
CSV_ROWS = 100_000


def _cells(col: pd.Series) -> np.ndarray:
    """A column as CSV cell texts (object array): numbers by ``repr`` (they read back exactly),
    dates ISO, blanks empty; text quoted where it holds a comma, quote or line break, and with an
    apostrophe before it where a spreadsheet would read a formula."""
    dtype = col.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return np.where(col.to_numpy(bool), "True", "False").astype(object)
    if pd.api.types.is_numeric_dtype(dtype):
        values = col.to_numpy(float)
        out = np.array(list(map(repr, values.tolist())), dtype=object)
        out[np.isnan(values)] = ""
        return out
    if pd.api.types.is_datetime64_any_dtype(dtype):
        days = col.to_numpy().astype("datetime64[D]")
        return np.where(np.isnat(days), "", days.astype(str)).astype(object)
    values = col.to_numpy(dtype=object)
    blank = pd.isna(values)
    text = np.where(blank, "", values).astype(str).astype(object)
    joined = "\n" + "\n".join(text.tolist())
    if any("\n" + t in joined for t in _TRIGGERS):
        first = np.array([t[:1] for t in text.tolist()], dtype=object)
        risky = np.isin(first, list(_TRIGGERS))
        text[risky] = "'" + text[risky]
    if any(c in joined[1:] for c in ',"\r') or joined.count("\n") > len(text):
        special = np.array([any(c in t for c in ',"\r\n') for t in text.tolist()], bool)
        text[special] = ['"' + t.replace('"', '""') + '"' for t in text[special].tolist()]
    return text


def _write_csv(frame: pd.DataFrame, stream) -> None:
    """``frame`` as UTF-8 CSV text (with a byte-order mark) into the binary ``stream``,
    :data:`CSV_ROWS` rows at a time, a column of cell texts at a time, joined row by row."""
    header = [c if not any(x in c for x in ',"\r\n') else f'"{c}"' for c in map(str, frame.columns)]
    # a byte-order mark: Excel then opens the CSV as UTF-8 (Chinese text readable)
    stream.write(("\ufeff" + ",".join(header) + "\n").encode("utf-8"))
    for start in range(0, len(frame), CSV_ROWS):
        part = frame.iloc[start : start + CSV_ROWS]
        columns = [_cells(part[name]).tolist() for name in part.columns]
        lines = list(map(",".join, zip(*columns)))
        if lines:
            stream.write(("\n".join(lines) + "\n").encode("utf-8"))


def write_linked(workbook, frame: pd.DataFrame, *, overwrite: bool = False) -> Link:
    """Write ``frame`` to :func:`linked_path` of ``workbook`` atomically (gzip level 1, no name
    or timestamp inside: the same rows give the same bytes); an existing file is kept unless
    ``overwrite``."""
    path = linked_path(workbook)
    digest: list[str] = []

    def writer(tmp: str) -> None:
        with (
            open(tmp, "wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=1, mtime=0) as gz,
        ):
            _write_csv(frame, gz)
        h = hashlib.sha256()
        with open(tmp, "rb") as f:
            while chunk := f.read(1 << 22):
                h.update(chunk)
        digest.append(h.hexdigest())

    write_with(path, writer, overwrite=overwrite)
    return Link(os.path.basename(path), digest[0], len(frame))


def _named(book, key: str):
    """(value, cell) of a link cell; one line naming the name when it is missing."""
    value, ref = book.named(NAMES[key])
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"{ref}: the linked tape's {key} is blank")
    return value, ref


class _TooBigError(ValueError):
    """A linked file that unpacks to more than its rows allow."""


class _Capped(io.RawIOBase):
    """The unpacked bytes of a gzip file, read as a stream; refused as soon as they pass ``cap``
    (never held whole in memory)."""

    def __init__(self, path: str, cap: float, what: str):
        self._gz = gzip.open(path, "rb")  # noqa: SIM115 - closed by close(), this stream's own
        self._cap, self._what, self._n = cap, what, 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        data = self._gz.read(len(b))
        self._n += len(data)
        if self._n > self._cap:
            raise _TooBigError(
                f"{self._what}: unpacks to more than {self._cap:,.0f} bytes (max_linked_row_bytes "
                "for each row the workbook declares); not a linked tape new-deal wrote"
            )
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._gz.close()
        super().close()


def _csv(path: str, cap: float, what: str, **options) -> pd.DataFrame:
    with io.BufferedReader(_Capped(path, cap, what), 1 << 20) as stream:
        return pd.read_csv(stream, **options)


def read_linked(book) -> pd.DataFrame | None:
    """The normalised tape of a workbook whose LoanTape sheet links a file (None without a link):
    amounts in 元, the columns :func:`npl_xl.workbook.intake.read_tape` gives.

    Raises one line naming the cell if the file is missing, its hash or row count differ, or its
    size passes the limits.
    """
    if NAMES["file"] not in book.names:
        return None
    name, ref = _named(book, "file")
    expected, hash_ref = _named(book, "sha256")
    rows, rows_ref = _named(book, "rows")
    name = str(name)
    if os.path.basename(name) != name or name in ("", ".", ".."):
        raise ValueError(f"{ref}: the linked tape must be a file name beside the workbook")
    try:
        whole = float(rows) == int(float(rows))
    except (TypeError, ValueError, OverflowError):
        whole = False
    if not whole or isinstance(rows, bool):
        raise ValueError(f"{rows_ref}: the linked tape's row count is not a whole number: {rows!r}")
    rows = int(float(rows))
    limits.check("max_tape_rows", rows, f"{rows_ref}: linked tape rows")
    path = os.path.join(os.path.dirname(os.path.abspath(book.path)), name)
    if not os.path.isfile(path):
        raise ValueError(
            f"{ref}: the linked tape {name} is not beside the workbook (in "
            f"{os.path.dirname(path)}); keep the two files together"
        )
    cap = (rows + 1) * limits.get("max_linked_row_bytes")  # the rows and the header
    if os.path.getsize(path) > cap:
        raise ValueError(
            f"{ref}: the linked tape {name} is {os.path.getsize(path):,} bytes, over "
            f"{cap:,.0f} (max_linked_row_bytes for each of its {rows:,} rows and the header); "
            "not a file new-deal wrote"
        )
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    got = digest.hexdigest()
    if got != str(expected).strip().lower():
        raise ValueError(
            f"{hash_ref}: the linked tape {name} has changed since new-deal wrote it (SHA-256 "
            f"{got[:16]}..., the workbook says {str(expected)[:16]}...); run new-deal again"
        )
    try:
        header = _csv(path, cap, name, nrows=0).columns
        numbers = {h: float for h in header if _kind(h) == "number"}
        frame = _csv(
            path,
            cap,
            name,
            dtype={h: (float if h in numbers else object) for h in header},
            keep_default_na=False,
            na_values=[""],
            engine="c",
        )
    except _TooBigError:
        raise
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"{name}: not a gzip file ({exc})") from None
    except (ValueError, pd.errors.ParserError) as exc:
        said = " ".join(str(exc).split())[:120]  # pandas' messages end in a line break
        raise ValueError(f"{name}: cannot read the linked tape ({said})") from None
    if len(frame) != rows:
        raise ValueError(
            f"{rows_ref}: the linked tape {name} has {len(frame):,} rows, the workbook says "
            f"{rows:,}; run new-deal again"
        )
    tape = _canonical(frame, name)
    tape.attrs["linked"] = Link(name, got, rows)
    return tape


def _kind(header: str) -> str:
    """What a linked-file column holds: number, date, text, value (a Valuation column) or
    unknown."""
    if header.startswith(VALUE_PREFIX):
        return "value"
    canon, _, unit = header.partition(" (")
    if canon in AMOUNT_COLUMNS and unit.rstrip(")") in UNITS:
        return "number"
    if canon in NUMBER_COLUMNS and not unit:
        return "number"
    if canon in DATE_COLUMNS and not unit:
        return "date"
    if canon in TEXT_COLUMNS and not unit:
        return "text"
    return "unknown"


def _unquote(col: pd.Series) -> pd.Series:
    """Texts (None for blanks) with the apostrophe :func:`_cells` put before risky text removed."""
    values = col.to_numpy(dtype=object)
    blank = pd.isna(values)
    text = np.where(blank, "", values)
    if "\n'" in "\n" + "\n".join(map(str, text.tolist())):
        quoted = np.array([str(t).startswith("'") for t in text.tolist()], bool)
        text[quoted] = [str(t)[1:] for t in text[quoted].tolist()]
    out = text.astype(object)
    out[blank] = None
    return pd.Series(out, index=col.index, dtype=object)


def _canonical(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """The normalised tape from the linked file's LoanTape columns (the inverse of
    :func:`npl_xl.workbook.tape.sheet_frame`)."""
    from .intake import IntakeReport

    out: dict[str, pd.Series] = {}
    mapping: dict[str, str] = {}
    units: dict[str, tuple[str, str]] = {}
    for h in frame.columns:
        kind = _kind(h)
        if kind == "value":
            continue
        col = frame[h]
        canon, _, unit = h.partition(" (")
        if kind == "number":
            unit = unit.rstrip(")")
            out[canon] = col * UNITS[unit] if unit else col
            if unit:
                units[h] = (unit, "header")
        elif kind == "date":
            out[canon] = pd.to_datetime(col, format="%Y-%m-%d")
        elif kind == "text":
            out[canon] = _unquote(col)
        else:
            raise ValueError(f"{name}: column {h!r} is not one new-deal writes; run new-deal again")
        mapping[h] = canon
    tape = pd.DataFrame(out)
    for key in ("interest", "fees"):
        if key not in tape:
            tape[key] = 0.0
    if "borrower_id" not in tape:
        tape["borrower_id"] = tape["loan_id"]
    if "security" in tape:
        sec = tape["security"].astype(object)
        plus = sec.str.endswith("+guaranteed").fillna(False).astype(bool)
        sec = sec.where(~plus, sec.str.removesuffix("+guaranteed"))
        tape["security"] = sec.where(sec.notna(), None)
        tape["guaranteed"] = (plus | sec.eq("guaranteed")).to_numpy(bool)
        tape["secured"] = sec.isin(("mortgage", "pledge")).to_numpy(bool)
    tape["total"] = tape["principal"] + tape["interest"] + tape["fees"]
    report = IntakeReport(source=name, reader="linked tape (pandas.read_csv)", header_row=1)
    report.mapping, report.units, report.loans = mapping, units, len(tape)
    report.unit = "元"
    tape.attrs["intake"] = report
    return tape
