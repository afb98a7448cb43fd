"""Engine speed before and after a change, measured in one run: each figure alternates between
the two checkouts (subprocesses, best of several), so machine noise hits both alike.

Run: ``python benchmarks/engine_before_after.py --before <old checkout>`` (the current checkout is
"after"). Figures in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

#: each case prints one time in seconds (best of its repeats); the same code runs on both sides
CASES = {
    "exact, 100 homogeneous names": """
p = np.full(100, 0.02); one = np.ones(100)
t = best(lambda: loss_distribution(p, one, one, 0.25, nodes=64), 20)""",
    "exact, 125 heterogeneous names, 15,060-unit lattice": """
rng = np.random.default_rng(0)
p, e, g = rng.uniform(0.005, 0.1, 125), rng.uniform(1, 100, 125), rng.uniform(0.2, 0.8, 125)
t = best(lambda: loss_distribution(p, e, g, 0.25, lattice=15_000, nodes=64), 5)""",
    "exact, 2,000 heterogeneous names": """
p = np.random.default_rng(2000).uniform(0.005, 0.1, 2000)
u = np.random.default_rng(2001).integers(1, 20, 2000).astype(float)
t = best(lambda: loss_distribution(p, u, np.ones(2000), 0.25, nodes=64), 2)""",
    "Monte Carlo, 125 names x 200,000 paths": """
rng = np.random.default_rng(0)
p, e, g = rng.uniform(0.005, 0.1, 125), rng.uniform(1, 100, 125), rng.uniform(0.2, 0.8, 125)
t = best(lambda: loss_distribution(p, e, g, 0.25, method="mc", paths=200_000, seed=1), 3)""",
    "waterfall, 1 scenario x 120 periods x 2 tranches x 8 fees": """
deal, one, many = bench_deal()
t = best(lambda: [run_waterfall(deal, one) for _ in range(100)], 7) / 100""",
    "waterfall, 10,000 scenarios x 120 periods": """
deal, one, many = bench_deal()
t = best(lambda: run_waterfall(deal, many), 5)""",
    "waterfall, 1 scenario, two triggers, a facility, a floater": """
deal, one, many = bench_deal(); trig = bench_triggered(deal)
t = best(lambda: [run_waterfall(trig, one) for _ in range(100)], 7) / 100""",
    "waterfall, 10,000 scenarios, two triggers, a facility, a floater": """
deal, one, many = bench_deal(); trig = bench_triggered(deal)
t = best(lambda: run_waterfall(trig, many), 5)""",
    "recovery simulation, 50,000 loans x 10,000 scenarios": """
a = np.random.default_rng(0).lognormal(0.0, 1.0, 50_000)
timing = np.full(24, 1 / 24)
t = best(lambda: simulate_collections(a, timing, rho=0.3, sigma=0.35, scenarios=10_000, seed=7,
                                      delay_beta=1.0), 2)""",
}

PRELUDE = """
import os, sys, time, json
# import npl_xl from the checkout given, not from an editable install's import hook
sys.meta_path = [f for f in sys.meta_path if "editable" not in type(f).__module__]
sys.path.insert(0, os.environ["NPL_XL_CHECKOUT"])
import numpy as np
from npl_xl.models.portfolio import loss_distribution
from npl_xl.models.simulation import simulate_collections
from npl_xl.models.waterfall import run_waterfall
import npl_xl
npl_file = npl_xl.__file__
sys.path.insert(0, os.path.join(os.environ["NPL_XL_AFTER"], "benchmarks"))
# the same deals, built by the checkout under test
from bench_waterfall import bench_deal, bench_triggered
def best(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.process_time(); fn(); times.append(time.process_time() - start)
    return min(times)
"""


#: the figure counts only if npl_xl came from the checkout asked for
CHECK = "\nassert npl_file.startswith(os.environ['NPL_XL_CHECKOUT'])\nprint(json.dumps(t))"


def measure(checkout: str, case: str) -> float:
    env = dict(os.environ, NPL_XL_CHECKOUT=checkout, NPL_XL_AFTER=ROOT)
    code = PRELUDE + CASES[case] + CHECK
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="path of the old checkout")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--only", help="run the cases whose name contains this text")
    args = parser.parse_args()
    print(f"machine: {os.uname().machine}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"{'case':55s} {'before':>9s} {'after':>9s} {'speed-up':>9s}")
    for case in CASES:
        if args.only and args.only not in case:
            continue
        before, after = [], []
        for _ in range(args.rounds):  # alternate, so noise hits both
            before.append(measure(args.before, case))
            after.append(measure(ROOT, case))
        b, a = min(before), min(after)
        print(f"{case:55s} {b:8.4f}s {a:8.4f}s {b / a:8.2f}x")


if __name__ == "__main__":
    main()
