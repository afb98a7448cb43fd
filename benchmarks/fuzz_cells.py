"""Random-input fuzzing of every Excel function through xlwings' own conversion code (no Excel).

Each function gets ``--calls`` calls with random raw cell values as classic xlwings delivers them
(floats of every magnitude, text, booleans, blanks, omitted optionals, COM error integers classic
and Excel 365, ranges, and near-valid deal tables with one field broken). Prints, per function:
calls, messages (#npl-xl: ...), results, internal errors, non-finite results, escaped exceptions
and calls over 1 s. The test suite runs a small derandomised sample of the same idea; this script
is the large budget, recorded in benchmarks/README.md.

    python benchmarks/fuzz_cells.py --calls 20000 --seed 1
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import platform
import time

import numpy as np

from npl_xl import xlharness
from npl_xl.tables import COM_ERRORS

MODULE, _, _ = xlharness.load()
MISSING = xlharness.MISSING
NUMBERS = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    0.05,
    2.0,
    3.5,
    25.0,
    100.0,
    1e-300,
    5e-324,
    1.6e-223,
    1e-12,
    1e12,
    1e300,
    -1e300,
    1.7976931348623157e308,
    0.999999,
    1e6,
    10_000_001.0,
    2.5,
    0.3,
]
TEXTS = [
    "",
    " ",
    "abc",
    "#N/A",
    "#SPILL!",
    "=1+1",
    "merton",
    "kmv",
    "exact",
    "lhp",
    "mc",
    "cn_sf",
    "moodys",
    "Senior",
    "Sub",
    "1",
    "３",
    "\x01",
    "0.05",
    "senior_interest",
]


class Gen:
    """Random raw values shaped as COM delivers them."""

    def __init__(self, seed: int):
        self.r = np.random.default_rng(seed)

    def pick(self, seq):
        return seq[int(self.r.integers(len(seq)))]

    def number(self) -> float:
        k = self.r.random()
        if k < 0.4:
            return self.pick(NUMBERS)
        if k < 0.8:
            return float(self.r.uniform(0, 1))
        return float(10 ** self.r.uniform(-8, 8) * self.r.choice([-1, 1]))

    def scalar(self):
        k = self.r.random()
        if k < 0.55:
            return self.number()
        if k < 0.65:
            return self.pick(TEXTS)
        if k < 0.73:
            return None
        if k < 0.8:
            return bool(self.r.integers(2))
        if k < 0.9:
            return self.pick(list(COM_ERRORS))
        return MISSING

    def column(self, n=None):
        n = n or int(self.r.integers(1, 8))
        return tuple(
            (self.scalar() if self.r.random() < 0.15 else self.number(),) for _ in range(n)
        )

    def block(self):
        rows, cols = int(self.r.integers(1, 5)), int(self.r.integers(1, 5))
        return tuple(tuple(self.scalar() for _ in range(cols)) for _ in range(rows))

    def arg(self):
        k = self.r.random()
        if k < 0.6:
            return self.scalar()
        if k < 0.85:
            return self.column()
        return self.block()

    # near-valid deal inputs with one thing broken now and then
    def collections(self):
        n = int(self.r.integers(1, 9))
        return tuple(
            (float(self.r.uniform(0, 50)) if self.r.random() > 0.05 else self.scalar(),)
            for _ in range(n)
        )

    def tranches(self):
        head = ("Name", "Balance", "Coupon", "Seniority", "Issue price", "Fixed return")
        floating = self.r.random() < 0.2  # floating coupons on the index L (option rates)
        rows = [head + (("Index", "Spread", "Floor", "Cap", "Reset periods") if floating else ())]
        for k in range(int(self.r.integers(1, 4))):
            row = [
                f"T{k}",
                float(self.r.uniform(1, 100)),
                float(self.r.uniform(0, 0.08)),
                float(k + 1),
                float(self.r.uniform(90, 115)),
                float(self.r.uniform(0, 0.05)) * (self.r.random() < 0.3),
            ]
            if floating:
                on = k == 0 or self.r.random() < 0.5
                row[2] = None if on else row[2]
                row += [
                    "L" if on else None,
                    float(self.r.uniform(-0.01, 0.03)) if on else None,
                    self.pick([None, 0.0, 0.01, 0.05]) if on else None,
                    self.pick([None, 0.04, 0.08, 0.001]) if on else None,
                    self.pick([None, 1.0, 2.0, 2.5, -1.0]) if on else None,
                ]
            if self.r.random() < 0.2:
                row[int(self.r.integers(1, len(row)))] = self.scalar()
            rows.append(tuple(row))
        return tuple(rows)

    def fees(self):
        rows = [("Name", "Basis", "Rate", "Amount", "Cap", "Position")]
        for k in range(int(self.r.integers(0, 4))):
            basis = self.pick(["fixed", "collections", "notes_balance"])
            row = [
                f"F{k}",
                basis,
                float(self.r.uniform(0, 0.05)) if basis != "fixed" else None,
                float(self.r.uniform(0, 3)) if basis == "fixed" else None,
                None,
                self.pick(["senior", "subordinated"]),
            ]
            if self.r.random() < 0.2:
                row[int(self.r.integers(1, 6))] = self.scalar()
            rows.append(tuple(row))
        return tuple(rows)

    def options(self):
        if self.r.random() < 0.5:
            return MISSING
        keys = [
            "payments_per_year",
            "reserve_multiple",
            "incentive_fee_share",
            "default_event",
            "delay",
            "discount_rate",
            "legal_maturity_periods",
            "reserve_initial",
            "rates",
            "asset_mix",
            "colour",
        ]
        texts = {
            "rates": ["L=0.03", "L=0.03, M=0.02", "L=x", "L", "L=1e9"],
            "asset_mix": ["residential=0.6, unsecured=0.4", "sme=1", "moon=1", "unsecured=0.5"],
        }
        out = []
        for _ in range(int(self.r.integers(1, 4))):
            key = self.pick(keys)
            value = self.pick(texts[key]) if key in texts and self.r.random() < 0.7 else None
            out.append((key, self.scalar() if value is None else value))
        return tuple(out)

    def structures(self) -> list:
        """The Rates, Triggers, Supports and PaymentOrder blocks (each omitted, near-valid or
        broken in one cell), as the deal workbook's Results sheet passes them."""
        blocks = [
            [("Index", "Level", "Path", "Source"), ("L", 0.03, None, "LPR"), ("M", 0.02, None, "")],
            [
                ("Name", "Test", "Threshold", "Effect"),
                ("t1", "senior_interest_unpaid", 0.0, "post_default_order"),
                ("t2", "notes_below", 0.3, "clean_up_call"),
                ("t3", "cumulative_collections_ratio", 0.8, "sequential_turbo"),
            ],
            [
                ("Kind", "Name", "Limit", "Covers", "Fee rate", "Interest rate", "Rating"),
                ("liquidity_facility", "LF", 2.0, "senior_interest", 0.005, 0.04, None),
                ("guarantee", "G", 5.0, "senior_interest", 0.0, 0.0, "AAA"),
            ],
            [("Pre-default order", "Post-default order"), ("interest:T0", "interest:T0")],
        ]
        out = []
        for block in blocks:
            if self.r.random() < 0.4:
                out.append(MISSING)
                continue
            rows = [list(r) for r in block[: 1 + int(self.r.integers(0, len(block)))]]
            if self.r.random() < 0.3:
                i, j = int(self.r.integers(0, len(rows))), int(self.r.integers(0, len(rows[0])))
                rows[i][j] = self.scalar()
            out.append(tuple(tuple(r) for r in rows))
        return out


DEAL_FUNCTIONS = {
    "WATERFALL",
    "WATERFALL_SUMMARY",
    "TRANCHE_KMV",
    "KMV_VOLATILITY",
    "BREAKEVEN_HAIRCUT",
    "BREAKEVEN",
    "MAX_TRANCHE_SIZE",
}


def timing_block(g: Gen, collections) -> object:
    """The Results sheet's timing block: omitted, near-valid (the total matching the collections
    net of costs, an expected senior maturity, dates as the cells hold them) or broken in a cell."""
    if g.r.random() < 0.3:
        return MISSING
    flat = [v for r in collections for v in r] if isinstance(collections, tuple) else []
    numbers = [v for v in flat if isinstance(v, float)]
    cost = g.pick([0.0, 0.05, None, 1.0])
    total = sum(numbers) / (1 - (cost or 0.0)) if numbers and cost != 1.0 else g.number()
    rows = [
        ["total_recovery", total],
        ["cost_rate", cost],
        ["collected_before_closing", g.pick([None, "", 0.0, 1.0, 2 * total])],
        ["expected_senior_maturity", g.pick([None, "", 0.0, 0.5, 2.0, 50.0])],
        ["cutoff_date", g.pick([None, "", dt.datetime(2021, 1, 1), 44197.0, "2021-01-01", "x"])],
        ["closing_date", g.pick([None, "", dt.datetime(2021, 6, 22), 44369.0, "2021-06-22"])],
    ]
    if g.r.random() < 0.3:
        i, j = int(g.r.integers(0, len(rows))), int(g.r.integers(0, 2))
        rows[i][j] = g.scalar()
    return tuple(tuple(r) for r in rows)


def args_for(name: str, g: Gen) -> list:
    n_args = len(getattr(MODULE, name).__xlfunc__["args"])
    if name in DEAL_FUNCTIONS and g.r.random() < 0.8:
        extra = {
            "TRANCHE_KMV": [g.scalar(), g.scalar()],
            "KMV_VOLATILITY": [
                g.pick([0.25, None, 0.0, 30.0, g.scalar()]),
                g.pick([0.3, 0.0, 1.0, 1.5, g.scalar()]),
                g.pick([1.0, None, 0.0, -1.0, g.scalar()]),
                g.pick([None, 0.001, 1.0, 2.0, g.scalar()]),
                g.pick([None, g.block()]),
            ],
            "BREAKEVEN_HAIRCUT": [g.pick(["T0", "T1", 1.0, 2.0, g.scalar()])],
            "BREAKEVEN": [
                g.pick(["T0", "T1", 1.0, 2.0, g.scalar()]),
                g.pick(["haircut", "delay", "issue_rate_shift", "HAIRCUT ", g.scalar()]),
                g.pick([True, False, None, 0.0, g.scalar()]),
            ],
            "MAX_TRANCHE_SIZE": [
                g.pick(["T0", "T1", 1.0, 2.0, g.scalar()]),
                g.pick(["AAAsf", "AAsf", "Bsf", "B-sf", "AAA", g.scalar()]),
                g.pick([None, g.block()]),
            ],
        }
        collections = g.collections()
        blocks = [collections, g.tranches(), g.fees(), *extra.get(name, []), g.options()]
        return [*blocks, *g.structures(), timing_block(g, collections)][:n_args]
    if (
        g.r.random() < 0.5
    ):  # numbers of every magnitude in every position: exercises the maths, not the parsing
        n = int(g.r.integers(max(0, n_args - 3), n_args + 1))
        return [g.number() if g.r.random() < 0.85 else g.column() for _ in range(n)]
    return [g.arg() for _ in range(int(g.r.integers(0, n_args + 1)))]


def classify(out) -> str:
    if isinstance(out, str):
        if "internal error" in out:
            return "internal"
        return "message" if out.startswith("#npl-xl: ") else "result"
    values = out if isinstance(out, list) else [out]
    flat = [v for row in values for v in (row if isinstance(row, list) else [row])]
    if any(isinstance(v, float) and not math.isfinite(v) for v in flat) or out is None:
        return "nonfinite"
    return "result"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=2000, help="calls per function")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show", type=int, default=3, help="examples to print per problem kind")
    ap.add_argument("--only", nargs="*", help="these functions only (default: all)")
    a = ap.parse_args()
    print(
        f"machine: {platform.machine()}, Python {platform.python_version()}, numpy "
        f"{np.__version__}; "
        f"{a.calls:,} calls per function, seed {a.seed}"
    )
    print(
        f"{'function':22s} {'calls':>7s} {'messages':>9s} {'results':>8s} {'internal':>8s} "
        f"{'nonfinite':>9s} "
        f"{'escapes':>7s} {'over 1 s':>8s}"
    )
    totals = np.zeros(7, int)
    examples = []
    for name in MODULE.FUNCTIONS:
        if a.only and name not in a.only:
            continue
        g = Gen(a.seed * 1000 + MODULE.FUNCTIONS.index(name))
        counts = {
            "calls": 0,
            "message": 0,
            "result": 0,
            "internal": 0,
            "nonfinite": 0,
            "escape": 0,
            "slow": 0,
        }
        for _ in range(a.calls):
            args = args_for(name, g)
            t0 = time.perf_counter()
            try:
                kind = classify(xlharness.call(name, *args))
            except Exception as exc:  # counting escapes is the point
                kind = "escape"
                if len(examples) < 50:
                    examples.append((name, args, f"{type(exc).__name__}: {exc}"))
            dt = time.perf_counter() - t0
            counts["calls"] += 1
            counts[kind] += 1
            counts["slow"] += dt > 1.0
            if kind in ("internal", "nonfinite") and len(examples) < 50:
                examples.append((name, args, kind))
        row = [
            counts[k]
            for k in ("calls", "message", "result", "internal", "nonfinite", "escape", "slow")
        ]
        totals += row
        print(
            f"{name:22s} {row[0]:7,d} {row[1]:9,d} {row[2]:8,d} {row[3]:8,d} {row[4]:9,d} "
            f"{row[5]:7,d} {row[6]:8,d}"
        )
    print(
        f"{'total':22s} {totals[0]:7,d} {totals[1]:9,d} {totals[2]:8,d} {totals[3]:8,d} "
        f"{totals[4]:9,d} "
        f"{totals[5]:7,d} {totals[6]:8,d}"
    )
    for name, args, what in examples[: a.show * 5]:
        print(f"  {what}: {name}{tuple(args)!r:.300}")


if __name__ == "__main__":
    main()
