"""Tapes at scale: ``npl-xl new-deal`` then ``npl-xl rate`` on synthetic mortgage tapes, wall time,
CPU time (user + sys) and peak memory (max RSS) of each command, and the fitted exponent of CPU
time in loans; then, on the smallest tape's workbook, ``rate``'s CPU against reading every cell
of that workbook with openpyxl (goal <= 1.5x).

    python benchmarks/bench_tape.py [--loans 20000,100000,300000,1000000] [--kind mortgage]

Each command runs in its own process (os.wait4 gives its own CPU time and peak RSS); tapes are
written first and not timed. Above 100,000 loans new-deal keeps the loans in a linked
``.loans.csv.gz`` beside the workbook. Figures and the machine go in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np

BIN = os.path.dirname(sys.executable)


def run(args: list[str]) -> tuple[float, float, float] | None:
    """(wall s, CPU s, peak RSS GB) of one command; None (its last line printed) if it fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        print(f"  {args[1]} failed: {err.strip()[-300:]}", flush=True)
        return None
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 2**20


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--loans", default="20000,100000,300000,1000000")
    ap.add_argument("--kind", default="mortgage", choices=["mortgage", "consumer"])
    ap.add_argument("--paths", type=int, default=None, help="rate --paths (default: workbook's)")
    a = ap.parse_args()
    sizes = [int(x) for x in a.loans.split(",")]
    cli = os.path.join(BIN, "npl-xl")
    rows = []
    books = []
    with tempfile.TemporaryDirectory() as d:
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}; CPU s = user + sys of each command"
        )
        print(f"{'loans':>9} {'new-deal CPU s':>14} {'rate CPU s':>10} {'total CPU s':>11} "
              f"{'wall s':>7} {'peak GB':>8}")  # fmt: skip
        for n in sizes:
            tape = os.path.join(d, f"tape_{n}.csv")
            book = os.path.join(d, f"deal_{n}.xlsx")
            memo = os.path.join(d, f"memo_{n}.xlsx")
            subprocess.run(
                [cli, "synthetic-tape", "--out", tape, "--loans", str(n), "--kind", a.kind],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            first = run([cli, "new-deal", tape, "--out", book])
            if first is None:
                continue
            w1, c1, m1 = first
            print(f"  new-deal: {w1:.1f} s wall, {c1:.1f} s CPU, {m1:.2f} GB", flush=True)
            extra = ["--paths", str(a.paths)] if a.paths else []
            second = run([cli, "rate", book, "--out", memo, *extra])
            if second is None:
                continue
            w2, c2, m2 = second
            rows.append((n, c1 + c2))
            books.append((n, book, c2))
            print(
                f"{n:>9,} {c1:>14.1f} {c2:>10.1f} {c1 + c2:>11.1f} {w1 + w2:>7.1f} "
                f"{max(m1, m2):>8.2f}",
                flush=True,
            )
        if len(rows) > 1:
            x, y = np.log([r[0] for r in rows]), np.log([r[1] for r in rows])
            slope = np.polyfit(x, y, 1)[0]
            print(f"fitted exponent (new-deal + rate CPU ~ loans^b): b = {slope:.2f}")
        if books:
            n, book, rate_cpu = books[0]
            read = run([sys.executable, "-c", READ_ALL, book])
            if read is not None:
                print(
                    f"{n:,}-loan workbook: rate {rate_cpu:.2f} s CPU, reading every cell with "
                    f"openpyxl {read[1]:.2f} s CPU: {rate_cpu / read[1]:.2f}x (goal <= 1.5x)"
                )


#: read every cell of a workbook with openpyxl (read-only mode, values), the reference for rate
READ_ALL = """
import sys
from openpyxl import load_workbook
wb = load_workbook(sys.argv[1], read_only=True, data_only=True)
n = sum(1 for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row)
print(n)
"""


if __name__ == "__main__":
    main()
