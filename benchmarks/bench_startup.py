"""Startup: ``import npl_xl.xl`` (paid at every Excel session start) against importing what it
cannot avoid, ``numpy, scipy, pandas, xlwings``, in fresh interpreters, alternating.

Run: ``python benchmarks/bench_startup.py``. Figures in benchmarks/README.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

BASELINE = "import numpy, scipy, pandas, xlwings"
UDFS = "import npl_xl.xl"


def once(statement: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], check=True)
    return time.perf_counter() - start


def main(rounds: int = 7) -> None:
    empty, base, udfs = [], [], []
    for _ in range(rounds):  # alternate, so noise hits each alike
        empty.append(once("pass"))
        base.append(once(BASELINE))
        udfs.append(once(UDFS))
    e, b, u = min(empty), min(base), min(udfs)
    print(f"machine: {os.uname().machine}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"interpreter alone:                       {e:.3f} s")
    print(f"{BASELINE}:     {b:.3f} s")
    print(f"{UDFS}:                        {u:.3f} s  ({u / b:.2f}x the baseline)")


if __name__ == "__main__":
    main()
