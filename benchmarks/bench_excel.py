"""Python-side time per Excel call, through xlwings' own conversion code (npl_xl.xlharness).

Run: ``python benchmarks/bench_excel.py``. Excludes the COM round trip (about a millisecond per call
in classic xlwings, by users' reports). Targets: scalar functions under 200 us; WATERFALL on
120 periods under 5 ms.
"""

from __future__ import annotations

import os
import platform
import timeit

import numpy as np

from npl_xl import xlharness


def main() -> None:
    call = xlharness.call
    coll = tuple((x,) for x in np.full(120, 82416.68 / 120))
    tranches = (
        ("Name", "Balance", "Coupon", "Issue price"),
        ("Senior", 41000.0, 0.033, 100.0),
        ("Sub", 10400.0, None, 110.0),
    )
    fees = (
        ("Name", "Basis", "Rate", "Amount", "Cap"),
        ("Taxes", "collections", 0.01, None, None),
        ("Trustee", "notes_balance", 0.0005, None, None),
        ("Custodian", "notes_balance", 0.0001, None, None),
        ("Agent", "fixed", None, 1.0, None),
        ("Rating", "fixed", None, 2.0, 1.5),
        ("Audit", "fixed", None, 1.0, None),
        ("Servicer", "collections", 0.05, None, None),
        ("Other", "fixed", None, 0.5, None),
    )
    options = (("payments_per_year", 12.0), ("incentive_fee_share", 0.2))
    deal = (tranches, fees)
    rng = np.random.default_rng(1)
    tape = (("loan_id", "principal (元)", "interest (元)", "fees (元)"),) + tuple(
        (f"L{i:05d}", float(p), float(p) * 0.1, 0.0)
        for i, p in enumerate(rng.lognormal(11.0, 1.0, 20_000))
    )
    par = tuple((float(x),) for x in range(1, 51))
    grp = tuple((f"g{x % 5}",) for x in range(50))
    cases = [
        ("KMV_PD", (120.0, 0.25, 80.0)),
        ("KMV_DD", (120.0, 0.25, 80.0, 2.0, 0.03, "merton")),
        ("KMV_SOLVE", (3.0, 0.8, 10.0, 0.05, 1.0)),
        ("DIVERSITY_SCORE (50 loans)", (par, grp)),
        ("ALT_DIVERSITY_SCORE (50 loans)", (par, 0.05, 0.1)),
        ("BET_LOSS", (50.0, 0.1, 0.5, 0.05, 0.2)),
        ("BET_DISTRIBUTION", (50.0, 0.1)),
        ("RATING_FROM_EL", (0.001, 3.0)),
        ("RATING_FROM_PD", (0.01, 2.0, "cn_sf")),
        ("NPLXL_VERSION", ()),
        ("WATERFALL (120 periods)", (coll, tranches, fees, options)),
        ("WATERFALL_SUMMARY (120 periods)", (coll, tranches, fees, options)),
        ("TRANCHE_KMV (120 periods)", (coll, tranches, fees, 0.25, 0.05, options)),
        ("BREAKEVEN_HAIRCUT (120 periods)", (coll, tranches, fees, "Senior", options)),
        ("KMV_VOLATILITY (120 periods)", (coll, *deal, 0.25, 0.3, 1.0, 0.001, None, options)),
        ("POOL_HERFINDAHL (20,000-loan tape)", (tape,)),
    ]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"{'function':34s} {'us/call':>10s}")
    for label, args in cases:
        name = label.split()[0]
        out = call(name, *args)
        assert not (isinstance(out, str) and out.startswith("#npl-xl")), (label, out)
        n = 3 if "BREAKEVEN" in name or "tape" in label else 20 if "(" in label else 300
        t = (
            min(timeit.repeat(lambda name=name, args=args: call(name, *args), number=n, repeat=5))
            / n
        )
        print(f"{label:34s} {t * 1e6:10.1f}")


if __name__ == "__main__":
    main()
