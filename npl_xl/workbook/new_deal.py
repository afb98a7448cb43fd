"""``npl-xl new-deal``: a deal workbook filled from a loan tape.

The tape gives the pool (stratifications, diversity inputs, the loan tape sheet). What a tape cannot
give is marked as an assumption to replace: the base-case recovery (85 % of principal + interest +
fees for secured loans, 20 % for unsecured, the public agency base cases of shared/domain.md
section 6), the timing curve (the bundled example of the same kind), and suggested tranche sizes
(senior 50 % and sub 12 % of the expected recovery, the market's usual senior share).
With ``template``, the tranche structure, fees, stress table and rating table come from that
deal workbook instead of the bundled example.
"""

from __future__ import annotations

import os

import pandas as pd

from ..deal import load_example
from .tape import pool_tables, read_tape
from .template import write_deal_workbook
from .xlsx import open_workbook

SECURED_RATE, UNSECURED_RATE = 0.85, 0.20
SENIOR_SHARE, SUB_SHARE = 0.50, 0.12


def _from_template(template):
    """Tranche structure (without balances), fees, stress and rating tables of a deal workbook."""
    from ..tables import FEE_COLUMNS, TRANCHE_COLUMNS, records
    from . import layout as L
    from .reader import _table_rows

    wb = open_workbook(template)
    for sheet in ("Tranches", "Fees", "Stress", "RatingScale"):
        if sheet not in wb.sheetnames:
            raise ValueError(f"template: no sheet '{sheet}' in {os.path.basename(os.fspath(template))}")
    header, rows, *_ = _table_rows(wb, "Tranches", L.TABLES["Tranches"])
    columns = {k: v for k, v in TRANCHE_COLUMNS.items() if k != "balance"}
    tranches = records([[h for h in header]] + [[c if h != "Balance" else None for h, c in zip(header, r)]
                                                for r in rows], "template tranches", columns)
    for i, t in enumerate(sorted(tranches, key=lambda t: t.get("seniority", 99))):
        t.setdefault("seniority", i + 1)
    header, rows, *_ = _table_rows(wb, "Fees", L.TABLES["Fees"])
    fees = records([header] + rows, "fees", FEE_COLUMNS)
    _, rows, *_ = _table_rows(wb, "Stress", L.TABLES["Stress"])
    stress = pd.DataFrame([r[:3] for r in rows if r[0]], columns=["rating", "haircut", "delay_months"])
    header, rows, *_ = _table_rows(wb, "RatingScale", L.TABLES["RatingScale"])
    rating_table = pd.DataFrame([r for r in rows if r[0]], columns=[str(h) for h in header])
    return sorted(tranches, key=lambda t: t["seniority"]), fees, stress, rating_table


def new_deal(tape_path, out, *, template=None, overwrite: bool = False) -> dict:
    """Read and validate the tape, then write the deal workbook ``out``; returns a short summary."""
    tape = read_tape(tape_path)
    total = float(tape["total"].sum())
    secured = float((tape["total"] * (tape["secured"] == True)).sum() / total) if "secured" in tape else 0.0  # noqa: E712
    rate = SECURED_RATE * secured + UNSECURED_RATE * (1 - secured)
    recovery = rate * total
    base = load_example("mortgage" if secured >= 0.5 else "credit_card")
    stress = rating_table = None
    tranche_rows = [t.model_dump() for t in base.ordered_tranches]
    fees = [f.model_dump() for f in base.fees]
    if template is not None:
        tranche_rows, fees, stress, rating_table = _from_template(template)
    # suggested sizes: the most senior tranche SENIOR_SHARE of the recovery, the others SUB_SHARE between them
    juniors = max(len(tranche_rows) - 1, 1)
    tranches = [dict(t, balance=round(recovery * (SENIOR_SHARE if i == 0 else SUB_SHARE / juniors), 2))
                for i, t in enumerate(tranche_rows)]
    name = os.path.splitext(os.path.basename(os.fspath(tape_path)))[0]
    deal = base.with_changes(
        name=name, tranches=tranches, fees=fees,
        notes=(f"Filled by npl-xl new-deal from {os.path.basename(os.fspath(tape_path))}. Tranche sizes are "
               f"SUGGESTIONS (senior {SENIOR_SHARE:.0%}, sub {SUB_SHARE:.0%} of the expected recovery); fees, "
               f"timing curve and reserve follow the bundled {'mortgage' if secured >= 0.5 else 'credit-card'} example."),
        recovery=dict(base.recovery.model_dump(), total=round(recovery, 2),
                      source=(f"ASSUMPTION to replace: {SECURED_RATE:.0%} of principal + interest + fees for secured "
                              f"and {UNSECURED_RATE:.0%} for unsecured loans (secured share {secured:.1%})")))
    write_deal_workbook(out, deal, tape=tape.drop(columns=["total"]), pool_tables=pool_tables(tape),
                        stress=stress, rating_table=rating_table, overwrite=overwrite,
                        assumptions={"Paths": 10_000})
    return {"loans": len(tape), "pool": total, "secured_share": secured, "expected_recovery": recovery, "out": os.fspath(out)}
