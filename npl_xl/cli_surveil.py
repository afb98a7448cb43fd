"""Command line: ``npl-xl surveil``, re-rating outstanding deals from their trustee reports
(:mod:`npl_xl.surveil`, :mod:`npl_xl.batch`)."""

from __future__ import annotations

import os

import click

from .atomic import OutputExistsError, check_extension


def _previous(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for v in values:
        name, sep, rating = v.partition("=")
        if not sep or not name.strip() or not rating.strip():
            raise ValueError(f"--previous: expected TRANCHE=RATING (e.g. Senior=AAAsf), got {v!r}")
        out[name.strip()] = rating.strip()
    return out


@click.command("surveil")
@click.argument("deal", required=False, type=click.Path(dir_okay=False))
@click.argument("report", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="Memo path (default: <deal>_surveillance.xlsx here, never replacing a file); with "
    "--batch, the summary table (.csv or .xlsx).",
)
@click.option(
    "--lang", type=click.Choice(["en", "zh"]), help="Memo language (default: the deal's)."
)
@click.option("--paths", type=int, help="Monte Carlo scenarios (default: the workbook's).")
@click.option("--seed", type=int, help="Random seed (default: the workbook's).")
@click.option("--report-unit", help="Amount unit of the report when it states none (元, 万元).")
@click.option(
    "--previous",
    multiple=True,
    help="A tranche's previous rating, TRANCHE=RATING (repeatable; default: the issuance run).",
)
@click.option("--force", is_flag=True, help="Replace an existing --out file.")
@click.option(
    "--batch",
    type=click.Path(file_okay=False),
    help="Re-rate every deal workbook in this folder with its NAME_report.csv/.xlsx.",
)
@click.option("--dask", "dask_address", help="With --batch: run on this Dask scheduler.")
def surveil(
    deal, report, out, lang, paths, seed, report_unit, previous, force, batch, dask_address
):
    """Re-rate DEAL (a deal workbook) from REPORT (the trustee report, CSV or XLSX; default: the
    TrusteeReport sheet of DEAL) and write the surveillance memo; or a whole folder with --batch."""
    if batch:
        if deal or report:
            raise ValueError("--batch: give the folder only, not DEAL or REPORT")
        return _batch(batch, out, lang, paths, seed, force, dask_address)
    if not deal:
        raise ValueError("DEAL: give the deal workbook (or --batch FOLDER)")
    if dask_address:
        raise ValueError("--dask: only with --batch")
    from tqdm import tqdm

    from .surveil import surveil as run_surveil
    from .workbook.reader import read_deal_workbook
    from .workbook.run import deal_of, setup_of
    from .workbook.surveillance_memo import write_surveillance_memo
    from .workbook.trustee_report import REPORT_SHEETS, read_trustee_report, report_sheet

    check_extension(deal, (".xlsx", ".xlsm"), "DEAL")
    if out is not None:
        check_extension(out, (".xlsx",), "--out")
    with tqdm(total=4, desc="surveillance", unit="step", disable=None) as bar:
        inputs = read_deal_workbook(deal)
        sheet = None
        if not report:
            sheet = report_sheet(deal)
            if sheet is None:
                raise ValueError(
                    "REPORT: give the trustee report, or add a sheet named "
                    f"{' / '.join(REPORT_SHEETS)} to {os.path.basename(deal)}"
                )
        rep = read_trustee_report(
            report or deal, inputs.deal, unit=report_unit, deal_unit=inputs.unit, sheet=sheet
        )
        bar.update()
        s = run_surveil(
            deal_of(inputs)[0],  # the deal as rated: timing fitted when the Deal sheet asks
            rep,
            setup_of(inputs),
            previous=_previous(previous),
            paths=paths,
            seed=seed,
        )
        bar.update(2)
        lang = lang or inputs.language
        kw = {"unit": inputs.unit, "lang": lang, "deal_source": f"{deal} (sha256 {inputs.sha256})"}
        if out is None:
            stem = os.path.splitext(os.path.basename(deal))[0]
            for n in range(1, 10_000):
                out = f"{stem}_surveillance.xlsx" if n == 1 else f"{stem}_surveillance_{n}.xlsx"
                if os.path.exists(out):
                    continue
                try:
                    write_surveillance_memo(s, out, **kw)
                    break
                except OutputExistsError:
                    continue
        else:
            write_surveillance_memo(s, out, overwrite=force, **kw)
        bar.update()
    p = s.projection
    click.echo(s.summary_line())
    click.echo(
        f"period {rep.periods}: collections {p.actual_to_expected:.1%} of the base case; remaining "
        f"re-projected at {p.factor:.1%} of the base case ({p.method})"
    )
    click.echo(
        "change: "
        + ", ".join(f"{c.name} {c.previous} -> {c.proposed} ({c.change})" for c in s.changes)
    )
    for line in rep.lines:  # the intake report
        click.echo(line)
    if s.state.differences:
        click.echo(
            f"{len(s.state.differences)} difference(s) with the trustee report, first: "
            + s.state.differences[0].line()
        )
    click.echo(f"memo written to {os.path.abspath(out)}")


def _batch(folder, out, lang, paths, seed, force, dask_address) -> None:
    from tqdm import tqdm

    from .batch import COLUMNS, run_batch

    if out is not None:
        check_extension(out, (".csv", ".xlsx"), "--out")
    with tqdm(desc="deals", unit="deal", disable=None) as bar:

        def tick(done, total):
            bar.total = total
            bar.update(done - bar.n)

        rows, skipped = run_batch(
            folder, paths=paths, seed=seed, lang=lang or "en", dask=dask_address, progress=tick
        )
    if not rows:
        raise ValueError(f"--batch: no deal workbook with its report in {folder}")
    import pandas as pd

    table = pd.DataFrame([[getattr(r, c) for c in COLUMNS] for r in rows], columns=list(COLUMNS))
    click.echo(table.drop(columns="reason").to_string(index=False))
    for path in skipped:
        click.echo(f"skipped {os.path.basename(path)}: no report beside it")
    if out is not None:
        _write_table(table, out, force)
        click.echo(f"table written to {os.path.abspath(out)}")


def _write_table(table, out: str, force: bool) -> None:
    from .atomic import write_text

    if out.lower().endswith(".csv"):
        write_text(out, table.to_csv(index=False), overwrite=force)
        return
    from openpyxl import Workbook

    from .workbook.printing import autofit, print_setup
    from .workbook.printing import table as put_table
    from .workbook.xlsx import save

    wb = Workbook()
    ws = wb.active
    ws.title = "Surveillance"
    put_table(ws, 1, 1, list(table.columns), table.values.tolist())
    autofit(ws)
    print_setup(ws, title_rows="1:1")
    save(wb, out, overwrite=force)
