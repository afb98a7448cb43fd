"""Command line: ``npl-xl calibrate``, the packaged stress table from the public market dataset
(:mod:`npl_xl.calibration`)."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import click


def _packaged_text() -> str:
    return resources.files("npl_xl.models").joinpath("data/npl_stress_table.csv").read_text("utf-8")


@click.command()
@click.option("--out", type=click.Path(dir_okay=False), help="Write the table to this CSV file.")
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
@click.option(
    "--check",
    is_flag=True,
    help="Exit 1 unless the calibration reproduces the packaged table byte for byte.",
)
def calibrate(out, force, check):
    """Calibrate the stress table on the public deals of the market dataset: per asset class the
    AAAsf haircut and delay every public AAAsf senior passes, the leave-one-deal-out hit rate,
    and the table (printed, or written with --out)."""
    from tqdm import tqdm

    from .atomic import write_text
    from .calibration import public, stress

    if out and Path(out).exists() and not force:
        raise click.ClickException(f"{out} exists; add --force to replace it")
    built, skipped = public.build_all()
    with tqdm(total=len(built), desc="break-evens", unit="deal", file=sys.stderr) as bar:
        rows = stress.survival(built, progress=bar.update)
    cal = stress.calibrate(rows, skipped)
    cv = stress.cross_validate(rows)
    text = stress.to_csv(cal, cv)
    click.echo(f"{len(built)} public deals built, {len(skipped)} skipped (figures not published)")
    for _, why in skipped:
        click.echo(f"  skipped {why}")
    for cs in cal.classes.values():
        click.echo(
            f"{cs.klass:<12} AAAsf haircut {cs.haircut:.1%}, delay {cs.delay:>2} months; "
            f"{cs.n} AAAsf seniors, binding {cs.binding}; admissible delays "
            f"{', '.join(map(str, cs.admissible))}"
        )
    click.echo(
        f"leave-one-deal-out: {int(cv['hit'].sum())} of {len(cv)} seniors get their public rating "
        f"({cv['hit'].mean():.1%}); oversized seniors fail AAAsf in "
        f"{cv['oversized_fails'].mean():.1%}; a 30 % cut fails AAAsf in "
        f"{cv['cut_fails'].mean():.1%}"
    )
    if check:
        if text != _packaged_text():
            raise click.ClickException(
                "the calibration does not reproduce npl_xl/models/data/npl_stress_table.csv; "
                "run npl-xl calibrate --out npl_xl/models/data/npl_stress_table.csv --force"
            )
        click.echo("the packaged stress table is reproduced byte for byte")
    if out:
        write_text(out, text, overwrite=force)
        click.echo(f"wrote {out}")
    elif not check:
        click.echo(text, nl=False)
