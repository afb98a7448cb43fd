"""Waterfall engine timings: one scenario of 120 periods x 2 tranches x 8 fees, and 10,000 such
scenarios.

Run: ``python benchmarks/bench_waterfall.py``. Best of several repeats.
"""

from __future__ import annotations

import os
import platform
import timeit

import numpy as np

from npl_xl.deal import Deal, load_example
from npl_xl.models import analysis
from npl_xl.models.waterfall import run_waterfall

FEES = [
    {"name": "Taxes", "basis": "collections", "rate": 0.01},
    {"name": "Trustee", "basis": "notes_balance", "rate": 0.0005},
    {"name": "Custodian", "basis": "notes_balance", "rate": 0.0001},
    {"name": "Paying agent", "basis": "fixed", "amount": 1.0},
    {"name": "Rating", "basis": "fixed", "amount": 2.0, "cap": 1.5},
    {"name": "Audit", "basis": "fixed", "amount": 1.0},
    {"name": "Servicer", "basis": "collections", "rate": 0.05},
    {"name": "Other", "basis": "fixed", "amount": 0.5, "position": "subordinated"},
]


def main() -> None:
    deal = Deal.from_dict(
        {
            "name": "bench",
            "payments_per_year": 12,
            "fees": FEES,
            "incentive_fee_share": 0.2,
            "tranches": [
                {"name": "Senior", "balance": 41000, "coupon": 0.033, "seniority": 1},
                {"name": "Sub", "balance": 10400, "seniority": 2, "issue_price": 110},
            ],
        }
    )
    one = np.full(120, 82416.68 / 120)
    many = np.random.default_rng(0).uniform(0.3, 1.5, (10_000, 120)) * one

    def best(fn, n, r=7):
        return min(timeit.repeat(fn, number=n, repeat=r)) / n

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, "
        f"numpy {np.__version__}"
    )
    print(
        "1 scenario x 120 periods x 2 tranches x 8 fees: "
        f"{best(lambda: run_waterfall(deal, one), 100) * 1e3:8.3f} ms"
    )
    print(
        "10,000 scenarios x 120 periods:                  "
        f"{best(lambda: run_waterfall(deal, many), 1, 3):8.3f} s"
    )
    ex = load_example("credit_card")
    c = ex.base_collections()
    print(
        "break-even haircuts, credit-card example:        "
        f"{best(lambda: analysis.breakeven_haircut(ex, c), 1, 3) * 1e3:8.1f} ms"
    )
    print(
        "stress ratings (16 levels), credit-card example: "
        f"{best(lambda: analysis.stress_ratings(ex, c), 3, 3) * 1e3:8.1f} ms"
    )


if __name__ == "__main__":
    main()
