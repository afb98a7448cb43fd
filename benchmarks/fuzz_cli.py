"""Random-input fuzzing of every ``npl-xl`` command (in process, through click's own runner).

Each command gets random arguments: every option drawn with some probability, with a value of its
type or a hostile one (text for numbers, 0, negatives, 1e308, unknown choices, control characters),
and files drawn from a pool: the bundled mortgage example with one or two input cells changed to
random values (numbers of every magnitude, text, Excel error text, blanks, dates), random bytes, an
empty file, a truncated workbook, a zip that is not a workbook, small tapes (CSV) with one field,
the header or the encoding broken, trustee reports with bad rows, a folder, a missing path. Outputs
go to a fresh temporary folder per call (never into the repository).

Prints, per command: calls, successes (exit 0), clear errors (exit 1, one line ``npl-xl: error:``),
usage errors (exit 2, click's own message), internal errors (a message marked "unexpected", i.e. an
exception other than ValueError/OSError/MemoryError), escapes (another exit code, an exception out
of the command group, or an error of more than one line) and calls over 30 s of CPU. The figures go
in benchmarks/README.md.

    python benchmarks/fuzz_cli.py --seconds 60 --seed 1
"""

from __future__ import annotations

import argparse
import io
import json
import os
import pathlib
import platform
import random
import shutil
import tempfile
import time
import zipfile

import click
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell

from npl_xl.cli import main
from npl_xl.workbook.tape import synthetic_tape

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "workbook_templates" / "example_mortgage.xlsx"
#: commands not fuzzed, with the reason
SKIPPED = {
    "calibrate": "rebuilds 102 public deals per call; its inputs are packaged, --out/--check only",
    "surveil --dask": "needs a Dask scheduler (the option is left out; --batch is fuzzed)",
}
VALUES = [
    0,
    -1,
    1,
    0.5,
    -0.05,
    1e-300,
    1e308,
    -1e308,
    12,
    100,
    1e9,
    "",
    " ",
    "abc",
    "#N/A",
    "#DIV/0!",
    "#VALUE!",
    "=1+1",
    "\x1b[31mred",
    "5%",
    "1,000",
    "万元",
    "2021-02-30",
    "Timely",
    None,
]
OPTION_VALUES = ["0", "-1", "1", "2", "10", "1e308", "nan", "abc", "", "\x1b]0;x\x07", "万元", "元"]


def mutated_workbooks(rng: random.Random, n: int, folder: pathlib.Path) -> list[pathlib.Path]:
    """``n`` copies of the mortgage example, each with one or two input cells set at random."""
    wb = load_workbook(EXAMPLE)
    cells = [("Deal", f"B{r}") for r in range(3, 25)]
    cells += [("Tranches", f"{c}{r}") for c in "ABCDEFGHIJKLM" for r in (3, 4, 5)]
    cells += [("Fees", f"{c}{r}") for c in "ABCDEF" for r in (3, 4, 5)]
    cells += [("Assumptions", f"B{r}") for r in range(3, 14)]
    cells += [("Recovery", f"{c}{r}") for c in "BC" for r in range(3, 20)]
    cells += [("Structures", f"{c}{r}") for c in "ABCDEF" for r in range(3, 12)]
    originals = {
        (s, c): wb[s][c].value
        for s, c in cells
        if s in wb.sheetnames and not isinstance(wb[s][c], MergedCell)
    }
    cells = list(originals)
    values = [v for v in VALUES if not (isinstance(v, str) and "\x1b" in v)]  # xlsx holds none
    out = []
    for i in range(n):
        changed = rng.sample(cells, rng.choice((1, 1, 2)))
        for s, c in changed:
            wb[s][c].value = rng.choice(values)
        path = folder / f"mutant_{i}.xlsx"
        wb.save(path)
        for s, c in changed:
            wb[s][c].value = originals[(s, c)]
        out.append(path)
    return out


def tapes(rng: random.Random, folder: pathlib.Path) -> list[pathlib.Path]:
    """A valid small tape and broken variants (field, header, encoding, rows)."""
    good = folder / "tape.csv"
    synthetic_tape(400, seed=3).to_csv(good, index=False)
    text = good.read_text(encoding="utf-8")
    lines = text.splitlines()
    out = [good]
    for i in range(12):
        rows = [line.split(",") for line in lines]
        r, c = rng.randrange(len(rows)), rng.randrange(len(rows[0]))
        rows[r][c] = str(rng.choice(VALUES))
        variant = "\n".join(",".join(row) for row in rows)
        p = folder / f"tape_{i}.csv"
        p.write_text(variant, encoding="utf-8")
        out.append(p)
    gbk = folder / "tape_gbk.csv"
    gbk.write_bytes(text.encode("gbk", errors="replace"))
    headless = folder / "tape_noheader.csv"
    headless.write_text("\n".join(lines[1:]), encoding="utf-8")
    title = folder / "tape_title.csv"
    title.write_text("资产清单（金额单位：人民币万元）\n" + text, encoding="utf-8")
    return out + [gbk, headless, title]


def deals(rng: random.Random, n: int, folder: pathlib.Path) -> list[pathlib.Path]:
    """The bundled credit-card deal (JSON) with one field of the deal, a tranche or a fee set at
    random."""
    src = ROOT / "npl_xl" / "examples" / "credit_card_21jianxin2.json"
    base = json.loads(src.read_text(encoding="utf-8"))
    out = [src]
    for i in range(n):
        d = json.loads(json.dumps(base))
        target = rng.choice([d, *d.get("tranches", []), *d.get("fees", [])])
        key = rng.choice(sorted(target))
        target[key] = rng.choice(VALUES)
        p = folder / f"deal_{i}.json"
        p.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
        out.append(p)
    return out


def reports(folder: pathlib.Path) -> list[pathlib.Path]:
    """Trustee reports: plausible, out of order, negative, non-numeric."""
    head = "期数,支付日,本期回收金额\n"
    bodies = {
        "ok": "1,2021-12-26,3000\n2,2022-03-26,2500\n",
        "order": "2,2022-03-26,2500\n1,2021-12-26,3000\n",
        "negative": "1,2021-12-26,-3000\n",
        "text": "1,2021-12-26,abc\n",
        "far": "1,2021-12-26,3000\n400,2099-01-01,1\n",
    }
    out = []
    for name, body in bodies.items():
        p = folder / f"report_{name}.csv"
        p.write_text(head + body, encoding="utf-8")
        out.append(p)
    return out


def junk(rng: random.Random, folder: pathlib.Path) -> list[pathlib.Path]:
    """Files that are not what they claim: empty, random bytes, truncated workbook, bare zip."""
    empty = folder / "empty.xlsx"
    empty.write_bytes(b"")
    noise = folder / "noise.xlsx"
    noise.write_bytes(rng.randbytes(4096))
    cut = folder / "cut.xlsx"
    cut.write_bytes(EXAMPLE.read_bytes()[:20_000])
    bare = folder / "bare.xlsx"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    bare.write_bytes(buf.getvalue())
    noise_csv = folder / "noise.csv"
    noise_csv.write_bytes(rng.randbytes(2048))
    hollow = folder / "hollow"
    hollow.mkdir()
    return [empty, noise, cut, bare, noise_csv, folder / "missing.xlsx", hollow]


def commands(group: click.Group, prefix=()) -> list[tuple[tuple[str, ...], click.Command]]:
    out = []
    for name, cmd in sorted(group.commands.items()):
        if isinstance(cmd, click.Group):
            out += commands(cmd, (*prefix, name))
        elif name not in SKIPPED:
            out.append(((*prefix, name), cmd))
    return out


def argv(rng: random.Random, cmd: click.Command, pool: dict, out_dir: pathlib.Path) -> list[str]:
    """Random arguments for ``cmd``: positionals from the file pools, options at random."""
    args: list[str] = []
    for p in cmd.params:
        if isinstance(p, click.Argument):
            kinds = {"report": "report", "tape": "tape", "deal_file": "deal", "data": "data"}
            kind = kinds.get(p.name, "book")
            if isinstance(p.type, click.Path) or p.name in ("deal", "workbook", "deal_file"):
                args.append(str(rng.choice(pool[kind] + pool["junk"])))
            else:
                args.append(rng.choice(OPTION_VALUES + ["credit_card", "unsecured", "21建鑫2"]))
            continue
        if p.name in ("force", "dask_address") or rng.random() > 0.35:
            if p.name == "out":  # always a fresh place
                args += [
                    "--out",
                    str(out_dir / rng.choice(("out.xlsx", "out.csv", "out.bas", "out"))),
                ]
            continue
        opt = p.opts[0]
        if getattr(p, "is_flag", False):
            args.append(opt)
        elif isinstance(p.type, click.Choice):
            args += [opt, rng.choice([*p.type.choices, "xx"])]
        elif isinstance(p.type, click.Path):
            args += [opt, str(rng.choice(pool["book"] + pool["junk"]))]
        elif p.name in ("paths", "loans"):
            args += [opt, rng.choice(["0", "-5", "1", "7", "200", "1e9", "abc"])]
        else:
            args += [opt, rng.choice(OPTION_VALUES)]
    return args


def classify(name: tuple[str, ...], result) -> str:
    err = (result.stderr or "").strip()
    if name == ("excel", "check") and result.exit_code == 1 and "Traceback" not in result.output:
        return "clear"  # a checklist, one line per check, exit 1 when one fails (documented)
    if result.exit_code == 0:
        return "ok"
    if result.exit_code == 2:
        return "usage"
    if result.exit_code == 1 and err.startswith("npl-xl: error:") and "\n" not in err:
        return "internal" if "(unexpected;" in err else "clear"
    return "escape"


def main_(argv_=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="CPU seconds per command")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mutants", type=int, default=24, help="mutated workbooks in the pool")
    a = ap.parse_args(argv_)
    rng = random.Random(a.seed)
    work = pathlib.Path(tempfile.mkdtemp(prefix="npl_xl_fuzz_"))
    try:
        pool = {
            "book": mutated_workbooks(rng, a.mutants, work) + [EXAMPLE],
            "tape": tapes(rng, work),
            "report": reports(work),
            "deal": deals(rng, a.mutants, work),
            "data": sorted((ROOT / "npl_xl" / "models" / "data").glob("npl_*recoveries.csv")),
            "junk": junk(rng, work),
        }
        runner = CliRunner()
        print(
            f"machine: {platform.machine()}, Python {platform.python_version()}; "
            f"{a.seconds:g} CPU s per command, seed {a.seed}, {a.mutants} mutated workbooks"
        )
        head = f"{'command':22} {'calls':>6} {'ok':>5} {'clear':>6} {'usage':>6} {'internal':>8}"
        print(head + f" {'escapes':>7} {'>30 s':>6}")
        examples: list[str] = []
        for name, cmd in commands(main):
            counts = dict.fromkeys(("ok", "clear", "usage", "internal", "escape"), 0)
            slow = calls = 0
            start = time.process_time()
            while time.process_time() - start < a.seconds:
                out_dir = pathlib.Path(tempfile.mkdtemp(dir=work))
                args = [*name, *argv(rng, cmd, pool, out_dir)]
                t0 = time.process_time()
                cwd = os.getcwd()
                os.chdir(out_dir)
                try:
                    result = runner.invoke(main, args, catch_exceptions=True)
                finally:
                    os.chdir(cwd)
                slow += time.process_time() - t0 > 30
                kind = classify(name, result)
                counts[kind] += 1
                calls += 1
                if kind in ("internal", "escape") and len(examples) < 20:
                    examples.append(
                        f"{' '.join(args)!r}: {(result.stderr or result.output)[-300:]}"
                    )
                shutil.rmtree(out_dir, ignore_errors=True)
            print(
                f"{' '.join(name):22} {calls:6,} {counts['ok']:5,} {counts['clear']:6,} "
                f"{counts['usage']:6,} {counts['internal']:8,} {counts['escape']:7,} {slow:6,}",
                flush=True,
            )
        for command, reason in SKIPPED.items():
            print(f"not fuzzed: {command} ({reason})")
        for e in examples:
            print("EXAMPLE", e)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main_()
