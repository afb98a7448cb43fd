"""Mutation testing of the core models: does the suite notice when the maths is broken?

A small AST mutator (no dependency): for each target file it lists every mutation point (arithmetic
and comparison operators swapped, numeric constants shifted, a unary minus dropped, and/or swapped,
a condition negated, an assignment deleted), draws ``--per-file`` of them with a fixed seed, applies
each to a copy of the package, and runs the tests that cover the file (``-x``, time-limited: a hang
counts as killed). Prints killed / survived per file and every survivor, so the equivalent ones
(mutants that cannot change any result) can be listed with their reason in benchmarks/README.md.

    python benchmarks/mutation.py --per-file 40 --seed 1              # all core files
    python benchmarks/mutation.py --files waterfall --per-file 10     # one file
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: target module -> the tests that cover it
TARGETS = {
    "waterfall": [
        "tests/test_worked_examples.py",
        "tests/test_waterfall.py",
        "tests/test_analysis.py",
    ],
    "bet": ["tests/test_worked_examples.py", "tests/test_bet.py", "tests/test_analysis.py"],
    "kmv": ["tests/test_worked_examples.py", "tests/test_kmv.py", "tests/test_analysis.py"],
    "diversity": ["tests/test_worked_examples.py", "tests/test_diversity.py"],
    "analysis": [
        "tests/test_worked_examples.py",
        "tests/test_analysis.py",
        "tests/test_waterfall.py",
    ],
}
SWAPS = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.Pow: ast.Mult,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.And: ast.Or,
    ast.Or: ast.And,
    ast.FloorDiv: ast.Mult,
    ast.Mod: ast.Mult,
}


class Point:
    """One mutation: where (line) and what (a description), applied by ``apply(tree)``."""

    def __init__(self, index: int, line: int, what: str, kind: str):
        self.index, self.line, self.what, self.kind = index, line, what, kind


def _docstring_nodes(tree) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
            and node.body
        ):
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def points(tree) -> list[Point]:
    """Every mutation point of a module, in a stable order."""
    out: list[Point] = []
    skip = _docstring_nodes(tree)
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.BinOp) and type(node.op) in SWAPS:
            out.append(
                Point(
                    len(out),
                    line,
                    f"{type(node.op).__name__} -> {SWAPS[type(node.op)].__name__}",
                    "op",
                )
            )
        elif isinstance(node, ast.Compare):
            for k, op in enumerate(node.ops):
                if type(op) in SWAPS:
                    out.append(
                        Point(
                            len(out),
                            line,
                            f"{type(op).__name__} -> {SWAPS[type(op)].__name__} #{k}",
                            "cmp",
                        )
                    )
        elif isinstance(node, ast.BoolOp):
            out.append(
                Point(
                    len(out),
                    line,
                    f"{type(node.op).__name__} -> {SWAPS[type(node.op)].__name__}",
                    "bool",
                )
            )
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            out.append(Point(len(out), line, "drop unary minus", "neg"))
        elif (
            isinstance(node, ast.Constant)
            and type(node.value) in (int, float)
            and id(node) not in skip
            and not isinstance(node.value, bool)
        ):
            out.append(
                Point(len(out), line, f"constant {node.value!r} -> {_shift(node.value)!r}", "const")
            )
        elif isinstance(node, (ast.If, ast.While)):
            out.append(Point(len(out), line, "negate condition", "if"))
        elif isinstance(node, (ast.Assign, ast.AugAssign)):
            out.append(Point(len(out), line, "delete assignment", "del"))
    return out


def _shift(v):
    if v == 0:
        return 1
    if v == 1:
        return 2 if isinstance(v, int) else 1.5
    return v + 1 if isinstance(v, int) else v * 1.5


def mutate(tree, index: int):
    """A copy of ``tree`` with mutation ``index`` applied."""
    tree = copy.deepcopy(tree)
    skip = _docstring_nodes(tree)
    k = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and type(node.op) in SWAPS:
            if k == index:
                node.op = SWAPS[type(node.op)]()
                return tree
            k += 1
        elif isinstance(node, ast.Compare):
            for j, op in enumerate(node.ops):
                if type(op) in SWAPS:
                    if k == index:
                        node.ops[j] = SWAPS[type(op)]()
                        return tree
                    k += 1
        elif isinstance(node, ast.BoolOp):
            if k == index:
                node.op = SWAPS[type(node.op)]()
                return tree
            k += 1
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            if k == index:
                node.op = ast.UAdd()
                return tree
            k += 1
        elif (
            isinstance(node, ast.Constant)
            and type(node.value) in (int, float)
            and id(node) not in skip
            and not isinstance(node.value, bool)
        ):
            if k == index:
                node.value = _shift(node.value)
                return tree
            k += 1
        elif isinstance(node, (ast.If, ast.While)):
            if k == index:
                node.test = ast.UnaryOp(op=ast.Not(), operand=node.test)
                return tree
            k += 1
        elif isinstance(node, (ast.Assign, ast.AugAssign)):
            if k == index:
                node.__class__ = ast.Pass
                node._fields = ()
                return tree
            k += 1
    raise IndexError(index)


def run_tests(workdir: str, tests: list[str], timeout: float) -> str:
    env = dict(os.environ, PYTHONPATH=workdir, HYPOTHESIS_PROFILE="ci")
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-x",
        "-q",
        "-p",
        "no:cacheprovider",
        "--no-header",
        *[os.path.join(workdir, t) for t in tests],
    ]
    try:
        r = subprocess.run(
            cmd, cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return "killed (timeout)"
    return "survived" if r.returncode == 0 else "killed"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", nargs="*", default=list(TARGETS))
    ap.add_argument("--per-file", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=300)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="npl-xl-mutation-")
    try:
        shutil.copytree(os.path.join(ROOT, "npl_xl"), os.path.join(work, "npl_xl"))
        shutil.copytree(os.path.join(ROOT, "tests"), os.path.join(work, "tests"))
        shutil.copy(os.path.join(ROOT, "pyproject.toml"), work)
        totals = {}
        for name in a.files:
            path = os.path.join(work, "npl_xl", "models", f"{name}.py")
            original = open(path, encoding="utf-8").read()
            tree = ast.parse(original)
            pts = points(tree)
            chosen = sorted(
                random.Random(f"{a.seed}:{name}").sample(range(len(pts)), min(a.per_file, len(pts)))
            )
            killed, survivors = 0, []
            t0 = time.perf_counter()
            for i in chosen:
                try:
                    src = ast.unparse(ast.fix_missing_locations(mutate(tree, i)))
                    compile(src, path, "exec")
                except (SyntaxError, ValueError, TypeError):
                    killed += 1  # a mutant that does not even compile is caught by any run
                    continue
                open(path, "w", encoding="utf-8").write(src)
                try:
                    outcome = run_tests(work, TARGETS[name], a.timeout)
                finally:
                    open(path, "w", encoding="utf-8").write(original)
                if outcome.startswith("killed"):
                    killed += 1
                else:
                    survivors.append(pts[i])
            totals[name] = (killed, len(chosen), survivors, time.perf_counter() - t0)
            print(
                f"{name:10s} {killed:3d}/{len(chosen):3d} killed ({killed / max(len(chosen), 1):.0%}) "
                f"of {len(pts)} points, {totals[name][3]:.0f} s",
                flush=True,
            )
            for p in survivors:
                print(f"    survived: {name}.py:{p.line}: {p.what}", flush=True)
        k = sum(v[0] for v in totals.values())
        n = sum(v[1] for v in totals.values())
        print(f"total      {k:3d}/{n:3d} killed ({k / max(n, 1):.0%})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
