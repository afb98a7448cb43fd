"""Calibration on the public market dataset: the AAAsf stress per class, the leave-one-deal-out
hit rate, and the largest AAAsf senior `npl-xl size` finds on every training deal against its
public size (ratio >= 1: the public senior passes AAAsf at its size). Prints figures; asserts
nothing.

    python benchmarks/bench_calibration.py
"""

from __future__ import annotations

import platform
import time

import numpy as np

from npl_xl.calibration import public, stress
from npl_xl.models import analysis
from npl_xl.models.sizing import max_tranche_size


def main() -> None:
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    t0 = time.perf_counter()
    built, skipped = public.build_all()
    rows = stress.survival(built)
    cal = stress.calibrate(rows, skipped)
    cv = stress.cross_validate(rows)
    print(
        f"calibration: {len(built)} deals, {len(skipped)} skipped, {time.perf_counter() - t0:.1f} s"
    )
    for cs in cal.classes.values():
        print(
            f"  {cs.klass:<12} haircut {cs.haircut:.3f} delay {cs.delay:>2} months, n {cs.n:>2}, "
            f"binding {cs.binding}"
        )
    for klass, g in cv.groupby("class"):
        print(
            f"  leave-one-out {klass:<12} hit {int(g['hit'].sum())}/{len(g)}, oversized fail "
            f"{g['oversized_fails'].mean():.0%}, 30 % cut fail {g['cut_fails'].mean():.0%}"
        )
    print(
        f"  leave-one-out all          hit {int(cv['hit'].sum())}/{len(cv)} "
        f"({cv['hit'].mean():.1%})"
        f", by rating source: "
        + ", ".join(f"{k} {int(g['hit'].sum())}/{len(g)}" for k, g in cv.groupby("rating_source"))
    )
    table = analysis.load_stress_table()
    ratios = []
    t0 = time.perf_counter()
    for p in built:
        d = p.deal
        size = max_tranche_size(d, d.base_collections(), "Senior", "AAAsf", table=table)
        ratios.append(size / d.ordered_tranches[0].balance)
    r = np.array(ratios)
    q = np.quantile(r, [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0])
    print(
        f"sizing: largest AAAsf senior / public senior over {len(r)} deals "
        f"({time.perf_counter() - t0:.1f} s)"
    )
    print("  min, p10, p25, median, p75, p90, max: " + ", ".join(f"{x:.3f}" for x in q))
    print(f"  deals below 1 (public senior fails AAAsf at its size): {int((r < 1 - 1e-9).sum())}")


if __name__ == "__main__":
    main()
