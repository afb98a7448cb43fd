"""Reading workbooks and tapes, and the main job, timed (best of ``--repeat``).

    python benchmarks/bench_workbook.py            # this checkout
    PYTHONPATH=/path/to/other/checkout python benchmarks/bench_workbook.py --root
    /path/to/other/checkout

The second form times another version of npl-xl on its own committed example workbook, so a
before/after pair comes from one session on one machine (figures in benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    import npl_xl
    from npl_xl.workbook.new_deal import new_deal
    from npl_xl.workbook.reader import read_deal_workbook
    from npl_xl.workbook.tape import synthetic_tape

    example = os.path.join(a.root, "workbook_templates", "example_credit_card.xlsx")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; "
        f"npl-xl from {os.path.dirname(npl_xl.__file__)}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        tape = os.path.join(tmp, "tape.csv")
        synthetic_tape(20_000, seed=1).to_csv(tape, index=False, encoding="utf-8-sig")
        out = os.path.join(tmp, "deal.xlsx")
        read = best(lambda: read_deal_workbook(example), a.repeat)
        fill = best(lambda: new_deal(tape, out, overwrite=True), a.repeat)
    print(f"read example_credit_card.xlsx (20,000-loan tape sheet):  {read:6.2f} s")
    print(f"new-deal on a 20,000-loan synthetic CSV tape:             {fill:6.2f} s")


if __name__ == "__main__":
    main()
