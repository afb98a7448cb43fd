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
from npl_xl.models.waterfall import EPS, run_waterfall

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


def plain_loop(c, frac):
    """The benchmark deal's priority of payments as one plain Python loop over floats (the
    reference a hand-written spreadsheet macro would be): same steps, same records per period."""
    sen, sub, reserve, defaulted = 41000.0, 10400.0, 0.0, False
    fee_due, excess, int_due = [0.0] * 8, [0.0] * 8, 0.0
    senior = range(7)
    rows = []
    n = len(c)
    for t in range(n):
        f = frac[t]
        notes = sen + sub
        live = 1.0 if notes > EPS else 0.0
        ct = c[t]
        new = [0.01 * ct, 0.0005 * f * notes, 0.0001 * f * notes, live, 2.0 * live, live, 0.05 * ct]
        if new[4] > 1.5:
            excess[4] += new[4] - 1.5
            new[4] = 1.5
        excess[7] += 0.5 * live
        due_start = [d + x for d, x in zip(fee_due, new)] + [0.0]
        fee_due = due_start[:]
        int_due += sen * 0.033 * f
        int_start, cash = int_due, ct
        paid = [0.0] * 8
        r_out = r_in = incentive = ip = sp = bp = 0.0

        def from_reserve(short):
            nonlocal reserve, r_out
            draw = short if short < reserve else reserve
            reserve -= draw
            r_out += draw
            return draw

        for i in senior:
            pay = fee_due[i] if fee_due[i] < cash else cash
            cash -= pay
            if fee_due[i] - pay > 0.0:
                pay += from_reserve(fee_due[i] - pay)
            fee_due[i] -= pay
            paid[i] += pay
        if defaulted:
            for i in range(8):
                pay = excess[i] if excess[i] < cash else cash
                cash -= pay
                excess[i] -= pay
                paid[i] += pay
        if t == n - 1 or defaulted:
            target = 0.0
        else:
            g = frac[t + 1]
            target = 1.5 * (3.5 * live + 0.0006 * g * notes + sen * 0.033 * g)
        gap = target - reserve
        move = gap if gap < 0.0 else (gap if gap < cash else cash)
        reserve += move
        cash -= move
        if move < 0.0:
            r_out -= move
        else:
            r_in += move
        pay = int_due if int_due < cash else cash
        cash -= pay
        if int_due - pay > 0.0:
            pay += from_reserve(int_due - pay)
        int_due -= pay
        ip = pay
        sp = sen if sen < cash else cash
        cash -= sp
        sen -= sp
        bp = sub if sub < cash else cash
        cash -= bp
        sub -= bp
        if not defaulted:
            incentive = 0.2 * cash
            cash -= incentive
            for i in range(8):
                pay = excess[i] if excess[i] < cash else cash
                cash -= pay
                excess[i] -= pay
                paid[i] += pay
        was = defaulted
        defaulted = defaulted or int_due > EPS
        rows.append(
            [int_start, 0.0, ip, 0.0, sp, bp, 0.0, 0.0, sen, sub]
            + paid
            + [reserve, r_out, r_in, incentive, cash, was]
        )
    return np.asarray(rows, dtype=float)


def bench_deal():
    """The benchmark deal (monthly, 2 tranches, 8 fees), one scenario of 120 periods and 10,000
    scenarios around it (also used by engine_before_after.py)."""
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
    return deal, one, np.random.default_rng(0).uniform(0.3, 1.5, (10_000, 120)) * one


def bench_triggered(deal):
    """The benchmark deal with two triggers (a collections-ratio turbo and a clean-up call), a
    liquidity facility and a floating senior coupon (issue 12's budget; also used by
    engine_before_after.py)."""
    return deal.with_changes(
        tranches=[
            {
                "name": "Senior",
                "balance": 41000,
                "seniority": 1,
                "coupon": {"index": "L", "spread": 0.01},
            },
            {"name": "Sub", "balance": 10400, "seniority": 2, "issue_price": 110},
        ],
        rates={"L": {"level": 0.023}},
        liquidity_facility={"limit": 500, "covers": ["senior_interest"], "fee_rate": 0.005},
        recovery={"total": 82416.68, "cumulative": (np.arange(1, 121) / 120).tolist()},
        triggers=[
            {
                "name": "perf",
                "test": "cumulative_collections_ratio",
                "threshold": 0.8,
                "effect": "sequential_turbo",
            },
            {"name": "call", "test": "notes_below", "threshold": 0.1, "effect": "clean_up_call"},
        ],
    )


def main() -> None:
    deal, one, many = bench_deal()

    def best(fn, n, r=7):
        return min(timeit.repeat(fn, number=n, repeat=r)) / n

    def best_of_pair(fa, fb, n, r=15):
        a, b = [], []
        for _ in range(r):
            a.append(timeit.timeit(fa, number=n))
            b.append(timeit.timeit(fb, number=n))
        return min(a) / n, min(b) / n

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, "
        f"numpy {np.__version__}"
    )
    print(
        "1 scenario x 120 periods x 2 tranches x 8 fees: "
        f"{best(lambda: run_waterfall(deal, one), 100) * 1e3:8.3f} ms"
    )
    # the reference loop must agree with the engine before its time means anything
    frac = deal.accrual_fractions(120).tolist()
    ref, res = plain_loop(one.tolist(), frac), run_waterfall(deal, one)
    assert np.allclose(ref[:, 8:10], res.balance) and np.allclose(ref[:, 10:18], res.fees_paid)
    assert np.allclose(ref[:, 18], res.reserve_balance) and np.allclose(ref[:, 22], res.residual)
    # alternated in one set of repeats, so a noisy neighbour slows both alike
    t_loop, t_one = best_of_pair(
        lambda: plain_loop(one.tolist(), frac), lambda: run_waterfall(deal, one), 100
    )
    print(
        "same, plain Python loop of the same steps:      "
        f"{t_loop * 1e3:8.3f} ms  (engine / loop {t_one / t_loop:.2f})"
    )
    print(
        "10,000 scenarios x 120 periods:                  "
        f"{best(lambda: run_waterfall(deal, many), 1, 3):8.3f} s"
    )
    trig = bench_triggered(deal)
    print(
        "same, two triggers, a facility, a floater:       "
        f"{best(lambda: run_waterfall(trig, one), 100) * 1e3:8.3f} ms"
    )
    print(
        "10,000 such scenarios:                          "
        f"{best(lambda: run_waterfall(trig, many), 1, 3):8.3f} s"
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
