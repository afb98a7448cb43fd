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
