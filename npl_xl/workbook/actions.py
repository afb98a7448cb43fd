"""The three main jobs, one function each, for every face: the command line (``npl-xl rate``,
``new-deal``, ``size``), the classic Excel macros and the xlwings Lite scripts.

Each returns an :class:`ActionResult`: the lines to show (the command line prints them, a macro
puts them in a message box) and the paths written. ``progress(step)`` is called as each step
starts (the command line moves a progress bar, a macro writes the status bar).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..atomic import OutputExistsError, check_extension
from ..messages import cell_text

__all__ = [
    "ActionResult",
    "RATE_STEPS",
    "memo_sheets",
    "new_deal_workbook",
    "rate_lines",
    "rate_workbook",
    "size_tranche",
]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ActionResult:
    """What an action did: ``lines`` to show the user, ``paths`` written (absolute where the
    action chose the name), ``summary``: its result in one line where the lines are long (a
    message box shows it instead)."""

    lines: tuple[str, ...]
    paths: tuple[str, ...] = ()
    summary: str = ""

    def __post_init__(self):  # tape and deal text may hold terminal escapes: never echoed
        object.__setattr__(self, "lines", tuple(cell_text(line) for line in self.lines))


def _rate_steps() -> tuple[str, ...]:
    from .run import STEPS

    return ("reading the workbook", *STEPS, "writing the memo")


#: the steps of :func:`rate_workbook`, in order (``progress`` receives each as it starts)
RATE_STEPS: tuple[str, ...] = _rate_steps()


def rate_lines(run, inputs=None) -> list[str]:
    """The summary a rating prints: proposed ratings, every optional input that took a default,
    the timing fit, base-case coverage, trigger frequencies and the senior sizing (amounts in the
    deal's unit)."""
    lines = [
        f"{run.deal.name}: "
        + ", ".join(f"{t.name} {r}" for t, r in zip(run.deal.ordered_tranches, run.proposed))
        + (" (illustrative stress table)" if run.stress.illustrative else "")
    ]
    for sheet, cell, key, value in inputs.defaults_used if inputs is not None else ():
        lines.append(f"default used: {sheet}!{cell} {key} blank, {value!r} used")
    if inputs is not None and inputs.expected_senior_maturity is not None:
        from .run import deal_of

        fit = deal_of(inputs)[1]
        if fit is not None:
            lines.append(fit.describe())
    if run.mc_volatility_source != "the analyst's recovery volatility":
        lines.append(f"Monte Carlo recovery volatility {run.mc_volatility_source}")
    base, mc = run.base, run.mc
    with np.errstate(all="ignore"):
        oc, ic = np.nanmin(base.oc_ratio, axis=0), np.nanmin(base.ic_ratio, axis=0)
    lines.append(
        "base-case coverage (lowest over the periods): "
        + ", ".join(f"{n} OC {o:.2f}x IC {i:.2f}x" for n, o, i in zip(base.tranche_names, oc, ic))
    )
    if mc.triggers:
        lines.append(
            f"triggers hit in the Monte Carlo ({mc.scenarios:,} scenarios): "
            + ", ".join(f"{n} {p:.1%}" for n, p in zip(mc.triggers, mc.trigger_probability))
        )
    if run.sizing:  # levels down to the first that allows the largest size
        top = max(s for _, s in run.sizing)
        shown = run.sizing[: 1 + [s for _, s in run.sizing].index(top)]
        lines.append(
            f"largest {base.tranche_names[0]} paid in full under each stress: "
            + ", ".join(f"{r} {s:,.0f}" for r, s in shown)
            + (" and below" if len(shown) < len(run.sizing) else "")
        )
    return lines


def _rate(workbook, paths, seed, progress: Progress):
    from .reader import read_deal_workbook
    from .run import rate_inputs

    progress(RATE_STEPS[0])
    inputs = read_deal_workbook(workbook)
    run = rate_inputs(inputs, paths=paths, seed=seed, progress=progress)
    progress(RATE_STEPS[-1])
    return inputs, run


def _free_memo_path(workbook, folder) -> list[str]:
    """Candidate memo names: ``<stem>_memo.xlsx``, ``<stem>_memo_2.xlsx``, ... in ``folder``."""
    stem = os.path.splitext(os.path.basename(os.fspath(workbook)))[0]
    return [
        os.path.join(folder, f"{stem}_memo.xlsx" if n == 1 else f"{stem}_memo_{n}.xlsx")
        for n in range(1, 10_000)
    ]


def rate_workbook(
    workbook,
    *,
    out=None,
    folder=None,
    paths: int | None = None,
    seed: int | None = None,
    force: bool = False,
    lang: str | None = None,
    progress: Progress | None = None,
) -> ActionResult:
    """Rate the deal workbook and write the memo to ``out``, or (without ``out``) to the first
    free ``<deal>_memo[_n].xlsx`` in ``folder`` (default: the current folder), never replacing a
    file (even one a concurrent run wrote); ``force`` replaces an existing ``out``."""
    from .memo import write_memo

    if out is not None:
        check_extension(out, (".xlsx",), "--out")
    inputs, run = _rate(workbook, paths, seed, progress or (lambda step: None))
    if out is None:
        for candidate in _free_memo_path(workbook, folder or ""):
            if os.path.exists(candidate):
                continue
            try:
                write_memo(run, candidate, inputs=inputs, lang=lang)
            except OutputExistsError:
                continue
            out = candidate
            break
        else:
            raise ValueError(f"{folder or '.'}: no free memo name left (_memo_2 to _memo_9999)")
    else:
        write_memo(run, out, inputs=inputs, overwrite=force, lang=lang)
    written = os.path.abspath(out)
    return ActionResult((*rate_lines(run, inputs), f"memo written to {written}"), (written,))


def memo_sheets(
    workbook,
    *,
    paths: int | None = None,
    seed: int | None = None,
    lang: str | None = None,
    progress: Progress | None = None,
) -> tuple[ActionResult, list[tuple[str, list[list]]]]:
    """Rate the deal workbook and return the memo as (sheet name, rows of values) for a face
    that writes the sheets into the open book instead of a file (nothing is written here)."""
    from .memo import build_memo

    inputs, run = _rate(workbook, paths, seed, progress or (lambda step: None))
    wb = build_memo(run, inputs, lang)
    sheets = [
        (ws.title, [[c.value for c in row] for row in ws.iter_rows()]) for ws in wb.worksheets
    ]
    return ActionResult(tuple(rate_lines(run, inputs))), sheets


def size_tranche(
    workbook, *, tranche: str | None = None, rating: str | None = None
) -> ActionResult:
    """The largest balance of ``tranche`` (default: the most senior) paid in full under each
    rating's stress (or ``rating``'s only), the rest moving to the next junior tranche."""
    from ..assumptions import unit_label
    from ..models.sizing import max_tranche_size, sizing_grid
    from .reader import read_deal_workbook

    inputs = read_deal_workbook(workbook)
    deal = inputs.deal
    names = [t.name for t in deal.ordered_tranches]
    name = tranche or names[0]
    if name not in names:
        raise ValueError(f"--tranche: expected one of {', '.join(names)}, got {tranche!r}")
    table = inputs.stress_table()
    base = deal.base_collections()
    grid = (
        ((rating, max_tranche_size(deal, base, name, rating, table=table)),)
        if rating
        else sizing_grid(deal, base, name, table=table)
    )
    issued = next(t.balance for t in deal.ordered_tranches if t.name == name)
    lines = [
        f"{deal.name}: largest {name} balance ({unit_label(inputs.unit)}), issued {issued:,.0f}"
    ]
    lines += [f"  {level:8s} {value:>14,.0f}" for level, value in grid]
    return ActionResult(tuple(lines))


def new_deal_workbook(
    tape,
    out,
    *,
    template=None,
    force: bool = False,
    sheet: str | None = None,
    encoding: str | None = None,
    unit=None,
    deal_unit: str = "万元",
    lang: str = "en",
    cutoff=None,
    closing=None,
    linked: bool | None = None,
) -> ActionResult:
    """Fill a deal workbook ``out`` (.xlsx, never replacing a file unless ``force``) from a loan
    tape (CSV or XLSX), labelled in ``lang`` ("en" or "zh"). ``unit``: the unit of amount columns
    that state none, or "COLUMN=UNIT" texts; ``cutoff`` and ``closing``: dates (the tape's
    cut-off date otherwise); ``linked``: the loans beside the workbook (True), in it (False), or
    by size (None, :mod:`npl_xl.workbook.linked_tape`)."""
    from .new_deal import new_deal

    check_extension(out, (".xlsx",), "--out")
    s = new_deal(
        tape,
        out,
        template=template,
        overwrite=force,
        sheet=sheet,
        encoding=encoding,
        unit=unit,
        deal_unit=deal_unit,
        lang=lang,
        cutoff=cutoff,
        closing=closing,
        linked=linked,
    )
    u = s["unit"]
    summary = (
        f"{s['loans']:,} loans: principal {s['principal']:,.2f} + interest {s['interest']:,.2f} + "
        f"fees {s['fees']:,.2f} = {s['pool']:,.2f} {u}; secured {s['secured_share']:.1%}; assumed "
        f"base-case recovery {s['expected_recovery']:,.2f} {u} (replace it on the Assumptions "
        "sheet)"
    )
    lines = [*s["intake"], summary, f"deal workbook written to {s['out']}"]
    return ActionResult(tuple(lines), (os.path.abspath(s["out"]),), summary)
