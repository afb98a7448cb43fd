"""Command line: ``npl-xl``. Every command prints one clear line and exits non-zero on bad input."""

from __future__ import annotations

import sys

import click

from . import __version__


class _Group(click.Group):
    """Turn the models' ValueError into one line on stderr and exit code 2, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ValueError as exc:
            click.echo(f"npl-xl: error: {exc}", err=True)
            sys.exit(2)
        except OSError as exc:
            click.echo(f"npl-xl: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), err=True)
            sys.exit(2)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="npl-xl")
def main():
    """npl-xl: credit-rating models for non-performing-loan ABS."""


@main.command()
def demo():
    """Print each core model on the bundled example inputs (a credit-card NPL deal, 21建鑫2 figures)."""
    from .demo import run_demo

    click.echo(run_demo())


@main.command()
@click.argument("deal_file", required=False, type=click.Path(dir_okay=False))
@click.option("--example", type=click.Choice(["credit_card", "mortgage"]), help="Use a bundled example deal.")
def deal(deal_file, example):
    """Waterfall, break-even haircuts, stress ratings and tranche KMV of DEAL_FILE (JSON)."""
    from .deal import Deal, load_example
    from .demo import deal_report

    if bool(deal_file) == bool(example):
        raise click.UsageError("give a DEAL_FILE or --example, not both or neither")
    click.echo(deal_report(Deal.from_json(deal_file) if deal_file else load_example(example)))


@main.command()
@click.argument("deal_file", required=False, type=click.Path(dir_okay=False))
@click.option("--example", type=click.Choice(["credit_card", "mortgage"]), help="Use a bundled example deal.")
@click.option("--scenarios", default=10_000, show_default=True, help="Recovery scenarios.")
@click.option("--seed", default=0, show_default=True, help="Random seed (results do not depend on chunking).")
@click.option("--loans", default=1_000, show_default=True, help="Recovery units the base case is split into.")
@click.option("--rho", default=0.3, show_default=True, help="Systematic share of the recovery log-variance.")
@click.option("--sigma", default=None, type=float, help="Recovery volatility (default: the deal's).")
@click.option("--delay-beta", default=1.0, show_default=True, help="Periods of delay per unit of adverse factor.")
def simulate(deal_file, example, scenarios, seed, loans, rho, sigma, delay_beta):
    """Monte Carlo recovery scenarios through the waterfall: tranche PD, EL and ratings."""
    import numpy as np
    from tqdm import tqdm

    from .deal import Deal, load_example
    from .models import simulation

    if bool(deal_file) == bool(example):
        raise click.UsageError("give a DEAL_FILE or --example, not both or neither")
    d = Deal.from_json(deal_file) if deal_file else load_example(example)
    base = d.base_collections()
    sigma = sigma if sigma is not None else d.recovery.volatility
    if sigma is None:
        raise click.UsageError("the deal has no recovery volatility; give --sigma")
    amounts = np.full(loans, base.sum() / loans)
    with tqdm(total=1, desc="simulating", unit="chunk", disable=None) as bar:
        def progress(done, total):
            bar.total = total
            bar.update(done - bar.n)
        c = simulation.simulate_collections(amounts, base / base.sum(), rho=rho, sigma=sigma, scenarios=scenarios,
                                            seed=seed, delay_beta=delay_beta, progress=progress)
    st = simulation.tranche_statistics(d, c)
    click.echo(f"{d.name}: {scenarios:,} scenarios, seed {seed}, sigma {sigma:.0%}, rho {rho:.0%}, "
               f"{loans:,} recovery units")
    click.echo(f"  {'tranche':8s} {'PD':>8s} {'EL':>10s} {'EL s.e.':>9s} {'WAL y':>6s} {'rating (EL)':>20s} "
               f"{'rating (PD)':>22s}")
    for i, name in enumerate(st["tranches"]):
        click.echo(f"  {name:8s} {st['pd'][i]:8.3%} {st['el'][i]:10.4%} {st['el_se'][i]:9.4%} {st['wal'][i]:6.2f} "
                   f"{st['rating_el'][i].labelled():>20s} {st['rating_pd'][i].labelled():>22s}")


@main.command()
@click.argument("workbook", type=click.Path(dir_okay=False))
@click.option("--out", type=click.Path(dir_okay=False), help="Memo path (default: <deal>_memo.xlsx here, never replacing a file).")
@click.option("--paths", type=int, help="Monte Carlo scenarios (default: the workbook's).")
@click.option("--seed", type=int, help="Random seed (default: the workbook's).")
@click.option("--force", is_flag=True, help="Replace an existing --out file.")
def rate(workbook, out, paths, seed, force):
    """Rate the deal in WORKBOOK and write the rating memo (the main job)."""
    import os

    from tqdm import tqdm

    from .workbook.memo import write_memo
    from .workbook.reader import read_deal_workbook
    from .workbook.run import STEPS, rate_inputs

    with tqdm(total=len(STEPS) + 2, desc="rating", unit="step", disable=None) as bar:
        bar.set_postfix_str("reading the workbook")
        inputs = read_deal_workbook(workbook)
        bar.update()

        def step(name):
            bar.set_postfix_str(name)
            bar.update()
        run = rate_inputs(inputs, paths=paths, seed=seed, progress=step)
        bar.set_postfix_str("writing the memo")
        if out is None:
            stem = os.path.splitext(os.path.basename(workbook))[0]
            out, n = f"{stem}_memo.xlsx", 2
            while os.path.exists(out):
                out, n = f"{stem}_memo_{n}.xlsx", n + 1
        write_memo(run, out, overwrite=force)
        bar.update()
    click.echo(f"{run.inputs.deal.name}: " + ", ".join(
        f"{t.name} {r}" for t, r in zip(run.inputs.deal.ordered_tranches, run.proposed))
        + (" (illustrative stress table)" if run.stress["illustrative"] else ""))
    click.echo(f"memo written to {os.path.abspath(out)}")


@main.command("new-deal")
@click.argument("tape", type=click.Path(dir_okay=False))
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="Deal workbook to write.")
@click.option("--template", type=click.Path(dir_okay=False, exists=True),
              help="A deal workbook whose tranches, fees, stress and rating tables to use.")
@click.option("--force", is_flag=True, help="Replace an existing --out file.")
def new_deal_cmd(tape, out, template, force):
    """Fill a deal workbook from a loan TAPE (CSV or XLSX; English or Chinese headers)."""
    from .workbook.new_deal import new_deal

    s = new_deal(tape, out, template=template, overwrite=force)
    click.echo(f"{s['loans']:,} loans, principal + interest + fees {s['pool']:,.2f}, secured {s['secured_share']:.1%}; "
               f"assumed base-case recovery {s['expected_recovery']:,.2f} (replace it on the Assumptions sheet)")
    click.echo(f"deal workbook written to {s['out']}")


@main.command("synthetic-tape")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="CSV (or .xlsx) to write.")
@click.option("--loans", default=20_000, show_default=True)
@click.option("--seed", default=0, show_default=True)
@click.option("--kind", type=click.Choice(["consumer", "mortgage"]), default="consumer", show_default=True)
@click.option("--force", is_flag=True, help="Replace an existing --out file.")
def synthetic_tape_cmd(out, loans, seed, kind, force):
    """Write a seeded synthetic NPL loan tape (Chinese headers, CNY yuan) for trials and tests."""
    from .atomic import write_with
    from .workbook.tape import synthetic_tape

    tape = synthetic_tape(loans, seed=seed, kind=kind)
    if out.lower().endswith(".xlsx"):
        write_with(out, lambda p: tape.to_excel(p, index=False), overwrite=force)
    else:
        write_with(out, lambda p: tape.to_csv(p, index=False, encoding="utf-8-sig"), overwrite=force)
    click.echo(f"{loans:,} {kind} loans written to {out}")


@main.command()
@click.option("--out", default="workbook_templates", show_default=True, type=click.Path(file_okay=False))
def templates(out):
    """Rebuild the blank deal template and the two filled example workbooks."""
    from .workbook.template import build_templates

    for path in build_templates(out):
        click.echo(f"wrote {path}")


@main.group()
def excel():
    """The Excel add-in: generated VBA and the xlwings Lite files."""


@excel.command("vba")
@click.option("--out", type=click.Path(dir_okay=False), help="Write the module here instead of printing it.")
@click.option("--force", is_flag=True, help="Replace an existing --out file.")
def excel_vba(out, force):
    """The VBA module that xlwings' "Import Functions" installs for npl_xl.xl."""
    from .atomic import write_text
    from .xlharness import vba_module

    text = vba_module()
    if out:
        write_text(out, text, overwrite=force)
        click.echo(f"wrote {out}")
    else:
        click.echo(text, nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
