"""``npl-xl new-deal``: a deal workbook filled from a loan tape.

The tape gives the pool (stratifications, diversity inputs, the loan tape sheet, the intake report).
What a tape cannot give is marked as an assumption to replace: the base-case recovery (85 % of
principal + interest + fees for secured loans, 20 % for unsecured, near the public agency base
cases of the 建鑫 deals: docs/methodology.md), the timing curve (the bundled example of the same
kind), and
suggested tranche sizes (senior 50 % and sub 12 % of the expected recovery, the market's usual
senior share). With ``template``, the tranche structure, fees, stress table and rating table come
from that deal workbook instead of the bundled example. Every amount written is in ``deal_unit``.
"""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd

from ..assumptions import DEAL_UNITS
from ..deal import load_example
from .tape import pool_tables, read_tape
from .template import write_deal_workbook

SECURED_RATE, UNSECURED_RATE = 0.85, 0.20
SENIOR_SHARE, SUB_SHARE = 0.50, 0.12
#: the bundled example deals state amounts in 万元
EXAMPLE_UNIT = "万元"


def _from_template(template, deal_unit: str):
    """Tranche structure (without balances), fees (in ``deal_unit``), stress and rating tables of a
    deal workbook."""
    from ..tables import FEE_COLUMNS, TRANCHE_COLUMNS, records
    from . import layout as L
    from .book import Book
    from .reader import _stress

    book = Book(template)
    t = book.table(L.TABLES["Tranches"])
    columns = {k: v for k, v in TRANCHE_COLUMNS.items() if k != "balance"}
    tranches = records(
        [list(t.header)]
        + [[c if h != "Balance" else None for h, c in zip(t.header, r)] for r in t.rows],
        "template tranches",
        columns,
    )
    for i, tr in enumerate(sorted(tranches, key=lambda x: x.get("seniority", 99))):
        tr.setdefault("seniority", i + 1)
    f = book.table(L.TABLES["Fees"])
    fees = records([f.header] + f.rows, "fees", FEE_COLUMNS)
    unit = (book.named("Deal_unit")[0] if "Deal_unit" in book.names else None) or EXAMPLE_UNIT
    _rescale_fees(fees, unit, deal_unit)
    stress = _stress(book)
    r = book.table(
        book.find_table(L.TABLES["IdealisedEL"], *L.LEGACY_TABLES["IdealisedEL"])
        or L.TABLES["IdealisedEL"]
    )
    rating_table = pd.DataFrame(
        [row for row in r.rows if row[0]], columns=[str(h) for h in r.header]
    )
    return sorted(tranches, key=lambda x: x["seniority"]), fees, stress, rating_table


def _rescale_fees(fees: list[dict], unit: str, deal_unit: str) -> None:
    """Fixed fee amounts and caps from ``unit`` into ``deal_unit`` (rates are unit-free)."""
    factor = DEAL_UNITS[unit] / DEAL_UNITS[deal_unit]
    for fee in fees:
        for key in ("amount", "cap"):
            if fee.get(key) is not None:
                fee[key] = round(fee[key] * factor, 6)


def new_deal(
    tape_path,
    out,
    *,
    template=None,
    overwrite: bool = False,
    sheet: str | None = None,
    encoding: str | None = None,
    unit: str | None = None,
    deal_unit: str = "万元",
    today: dt.date | None = None,
) -> dict:
    """Read and normalise the tape, then write the deal workbook ``out``; returns a short summary
    (loans, pool and recovery in ``deal_unit``, the intake report lines, the path)."""
    if deal_unit not in DEAL_UNITS:
        raise ValueError(f"--deal-unit: expected 万元 or 元, got {deal_unit!r}")
    tape = read_tape(tape_path, sheet=sheet, encoding=encoding, unit=unit, today=today)
    report = tape.attrs["intake"]
    scale = 1.0 / DEAL_UNITS[deal_unit]
    total = float(tape["total"].sum())
    secured = float(tape.loc[tape["secured"], "total"].sum() / total) if "secured" in tape else 0.0
    rate = SECURED_RATE * secured + UNSECURED_RATE * (1 - secured)
    recovery = rate * total * scale
    base = load_example("mortgage" if secured >= 0.5 else "credit_card")
    mix = {
        "residential": SECURED_RATE * secured / rate,
        "unsecured": UNSECURED_RATE * (1 - secured) / rate,
    }
    stress = rating_table = None
    tranche_rows = [t.model_dump() for t in base.ordered_tranches]
    fees = [f.model_dump() for f in base.fees]
    _rescale_fees(fees, EXAMPLE_UNIT, deal_unit)
    if template is not None:
        tranche_rows, fees, stress, rating_table = _from_template(template, deal_unit)
    juniors = max(len(tranche_rows) - 1, 1)
    tranches = [
        dict(t, balance=round(recovery * (SENIOR_SHARE if i == 0 else SUB_SHARE / juniors), 2))
        for i, t in enumerate(tranche_rows)
    ]
    name = os.path.splitext(os.path.basename(os.fspath(tape_path)))[0]
    kind = "mortgage" if secured >= 0.5 else "credit-card"
    deal = base.with_changes(
        name=name,
        tranches=tranches,
        fees=fees,
        reserve=dict(
            base.reserve.model_dump(),
            initial=base.reserve.initial * DEAL_UNITS[EXAMPLE_UNIT] * scale,
        ),
        notes=(
            f"Filled by npl-xl new-deal from {os.path.basename(os.fspath(tape_path))}; amounts in "
            f"{deal_unit}. "
            f"Tranche sizes are SUGGESTIONS (senior {SENIOR_SHARE:.0%}, sub {SUB_SHARE:.0%} of "
            "the expected "
            f"recovery); fees, timing curve and reserve follow the bundled {kind} example."
        ),
        recovery=dict(
            base.require_recovery().model_dump(),
            total=round(recovery, 2),
            asset_mix={k: v for k, v in mix.items() if v > 0},
            source=(
                f"ASSUMPTION to replace: {SECURED_RATE:.0%} of principal + interest + fees for "
                "secured "
                f"and {UNSECURED_RATE:.0%} for unsecured loans (secured share {secured:.1%})"
            ),
        ),
    )
    lines = report.lines()
    write_deal_workbook(
        out,
        deal,
        tape=tape,
        pool_tables=pool_tables(tape, deal_unit),
        stress=stress,
        rating_table=rating_table,
        overwrite=overwrite,
        assumptions={"Paths": 10_000},
        unit=deal_unit,
        intake=lines,
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
    }
