"""``npl-xl new-deal``: a deal workbook filled from a loan tape.

The tape gives the pool (stratifications, diversity inputs, the loan tape sheet, the intake report)
and, through the loan-level valuation (:mod:`npl_xl.models.valuation`), the base-case recovery, its
timing curve and its asset mix; the per-loan values and the editable valuation tables go into the
workbook. What a tape cannot give is marked as an assumption to replace: suggested tranche sizes
(senior 50 % and sub 12 % of the expected recovery, the market's usual senior share), fees and
reserve of the bundled example of the same kind. With ``template``, the tranche structure, fees,
stress, rating and valuation tables come from that deal workbook instead (edit the tables and run
again to revalue). Every amount written is in ``deal_unit``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os

import numpy as np
import pandas as pd

from ..assumptions import DEAL_UNITS
from ..atomic import OutputExistsError
from ..deal import load_example
from ..models.valuation import Valuation, ValuationTables, tables_from_frames, value_loans
from .intake.classes import CLASS_RULES, classify, rules_from_frame
from .linked_tape import Link, linked_frame, linked_path, use_linked, write_linked
from .tape import pool_tables, read_tape
from .template import write_deal_workbook

SENIOR_SHARE, SUB_SHARE = 0.50, 0.12
#: the bundled example deals state amounts in 万元
EXAMPLE_UNIT = "万元"


def _from_template(template, deal_unit: str):
    """(what the template keeps, rescaled into ``deal_unit``; its valuation tables or None).

    Every deal term, structure and option of the template is kept (see
    :class:`npl_xl.workbook.reader.TemplateInputs`); amounts (fixed fees and caps, the initial
    reserve, support limits, an unpaid-interest trigger threshold, collections before closing)
    move from the template's unit into ``deal_unit``.
    """
    from .book import Book
    from .reader import read_template

    kept = read_template(template)
    factor = DEAL_UNITS[kept.unit] / DEAL_UNITS[deal_unit]
    data = kept.deal.model_dump()
    _rescale_fees(data["fees"], kept.unit, deal_unit)
    data["reserve"]["initial"] = round(data["reserve"]["initial"] * factor, 6)
    for kind in ("liquidity_facility", "guarantee", "excess_spread_account"):
        if data.get(kind):
            data[kind]["limit"] = round(data[kind]["limit"] * factor, 6)
    for t in kept.triggers:
        if t["test"] == "senior_interest_unpaid":
            t["threshold"] = round(t["threshold"] * factor, 6)
    collected = kept.terms.get("collected_before_closing")
    if isinstance(collected, (int, float)):
        kept.terms["collected_before_closing"] = round(collected * factor, 6)
    kept.deal = type(kept.deal).from_dict(data)
    book = Book(template)
    return kept, _valuation_tables(book), _class_rules(book)


def _class_rules(book):
    """The asset-class rules of a deal workbook (its ValClasses table), or the packaged ones."""
    from .pool_sheets import CLASS_TABLE

    if not book.has_table(CLASS_TABLE):
        return CLASS_RULES
    t = book.table(CLASS_TABLE)
    frame = pd.DataFrame(
        [r for r in t.rows if r and r[0] is not None], columns=[str(h) for h in t.header]
    )
    try:
        return rules_from_frame(frame)
    except (ValueError, IndexError) as exc:
        raise ValueError(f"{book.file}: {CLASS_TABLE}: {exc}") from None


def _valuation_tables(book) -> ValuationTables | None:
    """The valuation tables of a deal workbook (its ValuationTables sheet), or None without them."""
    from . import layout as L

    names = [L.TABLES[k] for k in ("ValCollateral", "ValStages", "ValCurves", "ValFactors")]
    if not all(book.has_table(n) for n in names):
        return None
    frames = []
    for n in names:
        t = book.table(n)
        if t.errors:  # an Excel error value is never read as a blank
            i, j = t.errors[0]
            raise ValueError(
                f"{t.ref(i, j)}: {t.header[j]}: the cell holds the Excel error {t.rows[i][j]}"
            )
        frames.append(
            pd.DataFrame(
                [r for r in t.rows if r and r[0] is not None], columns=[str(h) for h in t.header]
            )
        )
    try:
        tables = tables_from_frames(*frames)
        tables.check()
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{book.file}: ValuationTables: {exc}") from None
    return tables


def _rescale_fees(fees: list[dict], unit: str, deal_unit: str) -> None:
    """Fixed fee amounts and caps from ``unit`` into ``deal_unit`` (rates are unit-free)."""
    factor = DEAL_UNITS[unit] / DEAL_UNITS[deal_unit]
    for fee in fees:
        for key in ("amount", "cap"):
            if fee.get(key) is not None:
                fee[key] = round(fee[key] * factor, 6)


def value_tape(
    tape,
    tables: ValuationTables | None,
    payments_per_year: int,
    periods: int,
    rules=CLASS_RULES,
) -> tuple[Valuation, np.ndarray]:
    """The loan-level valuation of a normalised tape over the deal's life (months to legal
    maturity), each loan in the asset class ``rules`` give it; also the reason of each class."""

    def col(name):
        return tape[name].to_numpy() if name in tape else None

    classes, reasons = classify(tape, rules)
    return value_loans(
        tape["total"].to_numpy(float),
        col("months_overdue") if "months_overdue" in tape else 0.0,
        col("security"),
        guaranteed=col("guaranteed"),
        collateral_type=col("collateral_type"),
        appraisal_value=col("appraisal_value"),
        lien_rank=col("lien_rank"),
        legal_stage=col("legal_stage"),
        city_tier=col("city_tier"),
        asset_class=classes,
        tables=tables,
        horizon=periods * 12 // payments_per_year,
    ), reasons


def class_lines(tape, valuation: Valuation, reasons: np.ndarray) -> list[str]:
    """Intake-report lines: the asset-class mix by balance and base case, then every fallback (a
    class or value not stated by the tape) with its loans, balance share and base-case share."""
    claim = tape["total"].to_numpy(float)
    total, base = claim.sum(), valuation.expected.sum()
    out = []
    mix = [
        f"{c} {claim[valuation.asset_class == c].sum() / total:.1%} of balance, "
        f"{valuation.expected[valuation.asset_class == c].sum() / base:.1%} of base case"
        for c in np.unique(valuation.asset_class)
    ]
    out.append("asset class (stress table): " + "; ".join(mix))
    why = np.asarray(reasons, dtype=object)
    fallbacks = [(str(r), why == r) for r in np.unique(why) if str(r).startswith("fallback")]
    no_data = valuation.method == "secured curve (no collateral data)"
    if no_data.any():
        fallbacks.append(
            ("fallback: secured loan valued by the secured curve (no collateral data)", no_data)
        )
    for what, mask in fallbacks:
        out.append(
            f"{what}: {int(mask.sum()):,} loan(s), {claim[mask].sum() / total:.1%} of balance, "
            f"{valuation.expected[mask].sum() / base:.1%} of base case"
        )
    return out


def new_deal(
    tape_path,
    out,
    *,
    template=None,
    overwrite: bool = False,
    sheet: str | None = None,
    encoding: str | None = None,
    unit=None,
    deal_unit: str = "万元",
    today: dt.date | None = None,
    lang: str = "en",
    cutoff: dt.date | None = None,
    closing: dt.date | None = None,
    linked: bool | None = None,
) -> dict:
    """Read and normalise the tape, value it loan by loan, then write the deal workbook ``out``;
    returns a short summary (loans, pool and recovery in ``deal_unit``, the intake report lines, the
    path, the linked tape or None). ``lang`` (en or zh) is the language of the workbook's labels and
    prompts. ``linked``: keep the per-loan rows beside the workbook (True), in it (False), or
    beside it above :data:`~.linked_tape.LINKED_TAPE_LOANS` loans (None; see
    :mod:`npl_xl.workbook.linked_tape`); an existing linked file is replaced only with
    ``overwrite``."""
    if deal_unit not in DEAL_UNITS:
        raise ValueError(f"--deal-unit: expected 万元 or 元, got {deal_unit!r}")
    if os.path.exists(os.fspath(out)) and not overwrite:
        raise OutputExistsError(
            f"output: {os.fspath(out)} exists; pass --force (overwrite=True) to replace it"
        )
    tape = read_tape(
        tape_path,
        sheet=sheet,
        encoding=encoding,
        unit=unit,
        today=today,
        cutoff=cutoff,
        closing=closing,
    )
    report = tape.attrs["intake"]
    beside = linked_path(out) if use_linked(len(tape), linked) else None
    if beside is not None and os.path.exists(beside) and not overwrite:  # before the valuation
        raise OutputExistsError(
            f"output: {beside} exists; pass --force (overwrite=True) to replace it"
        )
    scale = 1.0 / DEAL_UNITS[deal_unit]
    total = float(tape["total"].sum())
    secured = float(tape.loc[tape["secured"], "total"].sum() / total) if "secured" in tape else 0.0
    base = load_example("mortgage" if secured >= 0.5 else "credit_card")
    kept = tables = None
    rules = CLASS_RULES
    if template is not None:
        kept, tables, rules = _from_template(template, deal_unit)
        base = kept.deal
    tranche_rows = [t.model_dump() for t in base.ordered_tranches]
    periods = base.legal_maturity_periods or len(base.require_recovery().cumulative)
    valuation, reasons = value_tape(tape, tables, base.payments_per_year, periods, rules)
    recovery = float(valuation.expected.sum()) * scale
    if recovery <= 0:
        raise ValueError(
            f"{os.path.basename(os.fspath(tape_path))}: the loan-level valuation recovers nothing"
        )
    juniors = max(len(tranche_rows) - 1, 1)
    tranches = [
        dict(t, balance=round(recovery * (SENIOR_SHARE if i == 0 else SUB_SHARE / juniors), 2))
        for i, t in enumerate(tranche_rows)
    ]
    name = os.path.splitext(os.path.basename(os.fspath(tape_path)))[0]
    kind = "mortgage" if secured >= 0.5 else "credit-card"
    methods = {m: int((valuation.method == m).sum()) for m in np.unique(valuation.method)}
    source = (
        "loan-level valuation (npl_xl.models.valuation; "
        f"{'the template' if tables else 'packaged illustrative'}"
        f" tables): "
        + ", ".join(f"{n:,} loans by {m}" for m, n in methods.items())
        + f"; {recovery / (total * scale):.2%} of principal + interest + fees"
    )
    report.derived.append(f"valuation: {source}")
    report.derived += class_lines(tape, valuation, reasons)
    notes = (
        f"Filled by npl-xl new-deal from {os.path.basename(os.fspath(tape_path))}; amounts in "
        f"{deal_unit}. Base case and timing from the loan-level valuation; tranche sizes are "
        f"SUGGESTIONS (senior {SENIOR_SHARE:.0%}, sub {SUB_SHARE:.0%} of the expected recovery); "
        + (
            f"terms, fees, structures and options from the template {os.path.basename(template)}."
            if kept
            else f"fees and reserve follow the bundled {kind} example."
        )
    )
    cumulative = valuation.cumulative_by_period(base.payments_per_year, periods)
    mix = {k: v / valuation.expected.sum() for k, v in valuation.by_class.items() if v > 0}
    if kept is None:
        fees = [f.model_dump() for f in base.fees]
        _rescale_fees(fees, EXAMPLE_UNIT, deal_unit)
        deal = base.with_changes(
            name=name,
            tranches=tranches,
            fees=fees,
            pre_default_order=None,  # the example's written orders name its own tranches
            post_default_order=None,
            reserve=dict(
                base.reserve.model_dump(),
                initial=base.reserve.initial * DEAL_UNITS[EXAMPLE_UNIT] * scale,
            ),
            notes=notes,
            recovery=dict(
                base.require_recovery().model_dump(),
                total=round(recovery, 2),
                cumulative=cumulative,
                asset_mix=mix,
                source=source,
            ),
        )
        assumptions: dict = {"Paths": 10_000}
        stress = rating_table = terms = None
    else:
        given = kept.assumptions
        deal = base.with_changes(
            name=name,
            tranches=tranches,
            notes=notes,
            triggers=kept.triggers,
            recovery={
                "total": round(recovery, 2),
                "cumulative": cumulative,
                "asset_mix": mix,
                "source": source,
                "cost_rate": given.get("CollectionCostRate", 0.0),
            },
        )
        # the tape gives the base case and its source; every other assumption is the template's
        assumptions = {"Paths": 10_000} | {
            k: v for k, v in given.items() if k not in ("TotalRecovery", "RecoverySource")
        }
        stress, rating_table = kept.stress, kept.rating_table
        terms = kept.terms | {"scorecard": kept.scorecard, "rating_basis": kept.rating_basis}
    with _replacing(beside) as made:
        if beside is not None:
            made.append(_write_link(out, tape, valuation, overwrite))
            report.derived.append(made[0].describe())
            tape.attrs["linked"] = made[0]
        lines = report.lines()
        write_deal_workbook(
            out,
            deal,
            tape=tape,
            pool_tables=pool_tables(tape, deal_unit),
            stress=stress,
            rating_table=rating_table,
            overwrite=overwrite,
            assumptions=assumptions,
            unit=deal_unit,
            terms=terms,
            intake=lines,
            valuation=(valuation, tables, rules),
            lang=lang,
        )
    return {
        "loans": len(tape),
        "pool": total * scale,
        "secured_share": secured,
        "expected_recovery": recovery,
        "unit": deal_unit,
        "intake": lines,
        "out": os.fspath(out),
        "principal": float(tape["principal"].sum()) * scale,
        "interest": float(tape["interest"].sum()) * scale,
        "fees": float(tape["fees"].sum()) * scale,
        "linked": tape.attrs.get("linked"),
    }


@contextlib.contextmanager
def _replacing(beside: str | None):
    """Write the linked file ``beside`` (None: no link) and its workbook as one: an existing file
    (replaced with --force) is kept aside until the block ends; on an error the file this run
    made (appended to the yielded list) goes and the previous one comes back."""
    if beside is None:
        yield []
        return
    previous = None
    if os.path.exists(beside):
        previous = beside + ".previous"
        os.replace(beside, previous)
    made: list = []
    try:
        yield made
    except BaseException:
        if made:
            os.unlink(beside)
        if previous is not None:
            os.replace(previous, beside)
        raise
    if previous is not None:
        os.unlink(previous)


def _write_link(out, tape, valuation: Valuation, overwrite: bool) -> Link:
    """Write the LoanTape and Valuation rows beside the workbook ``out`` (amounts in 元)."""
    from .pool_sheets import loan_values
    from .tape import sheet_frame

    frame = linked_frame(sheet_frame(tape, "元"), loan_values(tape, valuation, "元"))
    return write_linked(out, frame, overwrite=overwrite)
