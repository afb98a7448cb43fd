"""Surveillance of a book of deals: every deal workbook in a folder with its trustee report beside
it, re-rated locally or on a Dask cluster, one summary table.

A deal ``NAME.xlsx`` takes its report from ``NAME_report.csv`` or ``NAME_report.xlsx`` beside it,
or from its own ``TrusteeReport`` (受托机构报告) sheet; deals with neither are listed as skipped.
Each deal is one task (:func:`surveil_file`, a pure function of its files and the run size), so
the table is the same wherever the tasks run; rows keep the deals' sorted order. Within a process,
a workbook read (and its issuance rating) is kept by content hash, so copies are read once.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["BatchRow", "find_deals", "surveil_file", "run_batch", "REPORT_SUFFIXES", "COLUMNS"]

#: report files beside a deal workbook NAME.xlsx, tried in order
REPORT_SUFFIXES = ("_report.csv", "_report.xlsx")
#: files in the folder that are outputs, not deals
_OUTPUTS = ("_report.xlsx", "_surveillance.xlsx", "_memo.xlsx")
COLUMNS = ("deal", "tranche", "previous", "proposed", "change", "reason")


@dataclass(frozen=True)
class BatchRow:
    """One tranche of one deal in the summary table (``change`` 'error' with the message as the
    reason when the deal could not be re-rated)."""

    deal: str
    tranche: str
    previous: str
    proposed: str
    change: str
    reason: str


def find_deals(folder) -> tuple[list[tuple[str, str]], list[str]]:
    """([(deal workbook, report)], [deal workbooks skipped: no report]) in sorted order."""
    folder = os.fspath(folder)
    if not os.path.isdir(folder):
        raise ValueError(f"--batch: no such folder {folder!r}")
    found, skipped = [], []
    for path in sorted(glob.glob(os.path.join(folder, "*.xlsx"))):
        name = os.path.basename(path)
        if name.startswith("~$") or any(name.endswith(s) for s in _OUTPUTS) or "_memo_" in name:
            continue
        stem = path[: -len(".xlsx")]
        report = next((stem + s for s in REPORT_SUFFIXES if os.path.exists(stem + s)), None)
        if report is None and _has_report_sheet(path):
            report = path
        if report is None:
            skipped.append(path)
        else:
            found.append((path, report))
    return found, skipped


def _has_report_sheet(path: str) -> bool:
    from .workbook.trustee_report import report_sheet

    try:
        return report_sheet(path) is not None
    except Exception:  # not a workbook openpyxl reads: not a deal
        return False


#: issuance ratings already computed in this process: (workbook sha256, paths, seed) -> ratings
_ISSUANCE: dict[tuple[str, int | None, int | None], dict[str, str]] = {}
#: deal workbooks already read in this process: sha256 of the file -> (inputs, linked tape stamp)
_INPUTS: dict[str, tuple[object, tuple | None]] = {}
#: workbooks kept read (each may hold a loan tape of a million rows)
_KEPT = 8


def _linked_stamp(path: str, inputs) -> tuple | None:
    """Size and modification time of the linked tape beside ``path`` (None without one), so a
    changed linked file is read again although the workbook is the same."""
    link = getattr(inputs, "tape", None) is not None and inputs.tape.attrs.get("linked")
    if not link:
        return None
    try:
        st = os.stat(os.path.join(os.path.dirname(os.path.abspath(path)), link.file))
    except OSError:
        return ()
    return (st.st_size, st.st_mtime_ns)


def _read(path: str):
    import hashlib

    from .workbook.reader import read_deal_workbook

    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    cached = _INPUTS.pop(digest, None)
    if cached is None or _linked_stamp(path, cached[0]) != cached[1]:
        inputs = read_deal_workbook(path)
        cached = (inputs, _linked_stamp(path, inputs))
    _INPUTS[digest] = cached  # the most recent last; a batch of big tapes keeps only a few
    while len(_INPUTS) > _KEPT:
        _INPUTS.pop(next(iter(_INPUTS)))
    return cached[0]


def surveil_file(
    deal_path: str,
    report_path: str,
    *,
    paths: int | None = None,
    seed: int | None = None,
    lang: str = "en",
) -> list[BatchRow]:
    """Re-rate one deal workbook from its report; a bad input becomes one 'error' row."""
    from .i18n import text
    from .rating.run import rate_deal
    from .surveil import surveil
    from .workbook.run import deal_of, setup_of
    from .workbook.trustee_report import read_trustee_report, report_sheet

    name = os.path.basename(deal_path)
    try:
        inputs = _read(deal_path)
        sheet = report_sheet(deal_path) if report_path == deal_path else None
        report = read_trustee_report(report_path, inputs.deal, deal_unit=inputs.unit, sheet=sheet)
        setup, rated = setup_of(inputs), deal_of(inputs)[0]
        key = (inputs.sha256, paths, seed)
        if key not in _ISSUANCE:  # the same workbook gives the same issuance rating
            run = rate_deal(rated, setup, paths=paths, seed=seed)
            _ISSUANCE[key] = {t.name: r for t, r in zip(rated.ordered_tranches, run.proposed)}
        s = surveil(rated, report, setup, previous=_ISSUANCE[key], paths=paths, seed=seed)
    except ValueError as exc:
        return [BatchRow(name, "", "", "", "error", str(exc).splitlines()[0])]
    return [
        BatchRow(
            name,
            c.name,
            c.previous,
            c.proposed,
            text(f"surv_change_{c.change}", lang),
            text(c.reason, lang, **c.values),
        )
        for c in s.changes
    ]


def run_batch(
    folder,
    *,
    paths: int | None = None,
    seed: int | None = None,
    lang: str = "en",
    dask: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[BatchRow], list[str]]:
    """Re-rate every deal of ``folder`` (see the module docstring) locally or, with ``dask`` (a
    scheduler address), on that Dask cluster. Returns (table rows, skipped deal workbooks);
    ``progress(done, total)`` is called as deals finish."""
    deals, skipped = find_deals(folder)
    tick = progress or (lambda done, total: None)
    kwargs: dict = {"paths": paths, "seed": seed, "lang": lang}
    results: list[list[BatchRow]] = []
    if dask is None:
        for i, (d, r) in enumerate(deals, start=1):
            results.append(surveil_file(d, r, **kwargs))
            tick(i, len(deals))
    else:
        try:
            from dask.distributed import Client, as_completed
        except ImportError:
            raise ValueError(
                "--dask: dask.distributed is not installed (pip install distributed)"
            ) from None
        with Client(dask) as client:
            futures = [client.submit(surveil_file, d, r, pure=False, **kwargs) for d, r in deals]
            for i, _ in enumerate(as_completed(futures), start=1):
                tick(i, len(deals))
            results = client.gather(futures)
    return [row for rows in results for row in rows], skipped
