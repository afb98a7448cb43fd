"""Mutation testing of the core models: does the suite notice when the maths is broken?

A small AST mutator (no dependency): for each target file it lists every mutation point (arithmetic
and comparison operators swapped, numeric constants shifted, a unary minus dropped, and/or swapped,
a condition negated, an assignment deleted), draws ``--per-file`` of them with a fixed seed, applies
each to a copy of the package, and runs the tests that cover the file (``-x``, time-limited: a hang
counts as killed). Prints killed / survived per file and every survivor, so the equivalent ones
(mutants that cannot change any result) can be listed with their reason in benchmarks/README.md.

    python benchmarks/mutation.py --per-file 40 --seed 1              # all core files
    python benchmarks/mutation.py --files waterfall/steps --per-file 10     # one file
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
    "waterfall/steps": [
        "tests/test_worked_examples.py",
        "tests/test_waterfall.py",
        "tests/test_structures.py",
        "tests/test_analysis.py",
    ],
    "waterfall/compile": [
        "tests/test_worked_examples.py",
        "tests/test_waterfall.py",
        "tests/test_structures.py",
    ],
    "waterfall/result": ["tests/test_waterfall.py", "tests/test_structures.py"],
    "bet": ["tests/test_worked_examples.py", "tests/test_bet.py", "tests/test_analysis.py"],
    "kmv": ["tests/test_worked_examples.py", "tests/test_kmv.py", "tests/test_analysis.py"],
    "diversity": ["tests/test_worked_examples.py", "tests/test_diversity.py"],
    "analysis": [
        "tests/test_worked_examples.py",
        "tests/test_analysis.py",
        "tests/test_structures.py",
        "tests/test_recovery_basis.py",
        "tests/test_waterfall.py",
    ],
    "recovery": [
        "tests/test_recovery_basis.py",
        "tests/test_analysis.py",
        "tests/test_worked_examples.py",
    ],
    "valuation": ["tests/test_valuation.py"],
    "portfolio": ["tests/test_portfolio.py", "tests/test_worked_examples.py"],
    "sizing": ["tests/test_sizing.py"],
    "recovery_model": ["tests/test_recovery_model.py"],
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
    """One mutation: where (line) and what (a description)."""

    def __init__(self, index: int, line: int, what: str):
        self.index, self.line, self.what = index, line, what


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


def _is_number(node, skip) -> bool:
    return (
        isinstance(node, ast.Constant) and type(node.value) in (int, float) and id(node) not in skip
    )


def _replace_op(node, ops=None, k=None):
    if ops is None:
        node.op = SWAPS[type(node.op)]()
    else:
        ops[k] = SWAPS[type(ops[k])]()


def _negate(node):
    node.test = ast.UnaryOp(op=ast.Not(), operand=node.test)


def _delete(node):
    node.__class__ = ast.Pass
    node._fields = ()


def _sites(tree):
    """(line, description, apply) for every mutation point of ``tree``, in a stable order."""
    skip = _docstring_nodes(tree)
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, (ast.BinOp, ast.BoolOp)) and type(node.op) in SWAPS:
            what = f"{type(node.op).__name__} -> {SWAPS[type(node.op)].__name__}"
            yield line, what, lambda node=node: _replace_op(node)
        elif isinstance(node, ast.Compare):
            for k, op in enumerate(node.ops):
                if type(op) in SWAPS:
                    what = f"{type(op).__name__} -> {SWAPS[type(op)].__name__} #{k}"
                    yield line, what, lambda node=node, k=k: _replace_op(node, node.ops, k)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            yield line, "drop unary minus", lambda node=node: setattr(node, "op", ast.UAdd())
        elif _is_number(node, skip):
            what = f"constant {node.value!r} -> {_shift(node.value)!r}"
            yield line, what, lambda node=node: setattr(node, "value", _shift(node.value))
        elif isinstance(node, (ast.If, ast.While)):
            yield line, "negate condition", lambda node=node: _negate(node)
        elif isinstance(node, (ast.Assign, ast.AugAssign)):
            yield line, "delete assignment", lambda node=node: _delete(node)


def points(tree) -> list[Point]:
    """Every mutation point of a module, in a stable order."""
    return [Point(i, line, what) for i, (line, what, _) in enumerate(_sites(tree))]


def _shift(v):
    if v == 0:
        return 1
    if v == 1:
        return 2 if isinstance(v, int) else 1.5
    return v + 1 if isinstance(v, int) else v * 1.5


def mutate(tree, index: int):
    """A copy of ``tree`` with mutation ``index`` applied."""
    tree = copy.deepcopy(tree)
    for i, (_, _, apply) in enumerate(_sites(tree)):
        if i == index:
            apply()
            return tree
    raise IndexError(index)


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


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
            original = _read(path)
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
                _write(path, src)
                try:
                    outcome = run_tests(work, TARGETS[name], a.timeout)
                finally:
                    _write(path, original)
                if outcome.startswith("killed"):
                    killed += 1
                else:
                    survivors.append(pts[i])
            totals[name] = (killed, len(chosen), survivors, time.perf_counter() - t0)
            print(
                f"{name:10s} {killed:3d}/{len(chosen):3d} killed "
                f"({killed / max(len(chosen), 1):.0%}) "
                f"of {len(pts)} points, {totals[name][3]:.0f} s",
                flush=True,
            )
            lines = original.splitlines()
            for p in survivors:
                code = lines[p.line - 1].strip() if 0 < p.line <= len(lines) else ""
                print(f"    survived: {name}.py:{p.line}: {p.what}    | {code[:70]}", flush=True)
        k = sum(v[0] for v in totals.values())
        n = sum(v[1] for v in totals.values())
        print(f"total      {k:3d}/{n:3d} killed ({k / max(n, 1):.0%})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
