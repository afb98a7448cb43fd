"""Surveillance: one deal step by step, and a book of 20 deal workbooks locally and on a local
Dask cluster (2 worker processes).

Run: ``python benchmarks/bench_surveil.py [paths]``. Figures in benchmarks/README.md.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATES = os.path.join(ROOT, "workbook_templates")


def report(path: str, collections) -> None:
    rows = [
        f"{i + 1},{2022 + 3 * i // 12}-{3 * i % 12 + 1:02d}-26,{c:.2f}"
        for i, c in enumerate(collections)
    ]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(["期数,支付日,本期回收金额(万元)", *rows]) + "\n")


def main(paths: int = 2000) -> None:
    from npl_xl.batch import run_batch
    from npl_xl.rating.run import rate_deal
    from npl_xl.surveil import surveil
    from npl_xl.workbook.reader import read_deal_workbook
    from npl_xl.workbook.run import setup_of
    from npl_xl.workbook.surveillance_memo import write_surveillance_memo
    from npl_xl.workbook.trustee_report import read_trustee_report

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, numpy {np.__version__}, paths {paths}"
    )
    tmp = tempfile.mkdtemp()
    src = os.path.join(TEMPLATES, "example_credit_card.xlsx")
    marks = [("start", time.perf_counter())]
    inputs = read_deal_workbook(src)
    marks.append(("read the deal workbook", time.perf_counter()))
    base = inputs.deal.base_collections()
    report(os.path.join(tmp, "r.csv"), base[:4] * 0.3)
    rep = read_trustee_report(os.path.join(tmp, "r.csv"), inputs.deal, deal_unit=inputs.unit)
    marks.append(("read the trustee report", time.perf_counter()))
    setup = setup_of(inputs)
    issued = rate_deal(inputs.deal, setup, paths=paths, seed=1)
    marks.append(("issuance rating run", time.perf_counter()))
    s = surveil(
        inputs.deal,
        rep,
        setup,
        previous=dict(zip([t.name for t in inputs.deal.ordered_tranches], issued.proposed)),
        paths=paths,
        seed=1,
    )
    marks.append(("surveillance run", time.perf_counter()))
    write_surveillance_memo(s, os.path.join(tmp, "m.xlsx"), unit=inputs.unit)
    marks.append(("memo", time.perf_counter()))
    for (_, a), (name, b) in zip(marks, marks[1:]):
        print(f"{name:<28}{b - a:8.2f} s")

    book = os.path.join(tmp, "book")
    os.mkdir(book)
    for name in ("credit_card", "mortgage"):
        src = os.path.join(TEMPLATES, f"example_{name}.xlsx")
        b = read_deal_workbook(src).deal.base_collections()
        for i in range(10):
            shutil.copy(src, os.path.join(book, f"{name}_{i:02d}.xlsx"))
            report(os.path.join(book, f"{name}_{i:02d}_report.csv"), b[:4] * (0.3 + 0.07 * i))
    t = time.perf_counter()
    local, _ = run_batch(book, paths=paths, seed=1)
    print(f"{'book of 20, local':<28}{time.perf_counter() - t:8.2f} s")
    try:
        from dask.distributed import LocalCluster
    except ImportError:
        print("dask.distributed not installed: no cluster figure")
        return
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        t = time.perf_counter()
        remote, _ = run_batch(book, paths=paths, seed=1, dask=cluster.scheduler_address)
        print(
            f"{'book of 20, Dask 2 workers':<28}{time.perf_counter() - t:8.2f} s "
            f"(same table: {remote == local})"
        )
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
