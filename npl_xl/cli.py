"""Command line: ``npl-xl``. Every command prints one clear line and exits non-zero on bad input."""

from __future__ import annotations

import os
import sys

import click

from . import __version__
from .atomic import check_extension, install_signal_cleanup
from .cli_calibrate import calibrate
from .cli_market import market
from .cli_surveil import surveil
from .messages import cell_text
from .messages import one_line as _one_line


class _Group(click.Group):
    """Turn every failure into one line on stderr and exit code 1 (``--debug`` shows the
    traceback)."""

    def invoke(self, ctx):
        install_signal_cleanup()
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("npl-xl: interrupted", err=True)
            sys.exit(130)
        # the command line never shows a traceback unless asked
        except Exception as exc:
            if ctx.meta.get("debug"):
                raise
            click.echo(f"npl-xl: error: {cell_text(_one_line(exc))}", err=True)
            sys.exit(1)


def _set_debug(ctx, _param, value):
    ctx.meta["debug"] = bool(value)
    return value


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="npl-xl")
@click.option(
    "--debug",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_set_debug,
    help="Show the full traceback of an error.",
)
def main():
    """npl-xl: credit-rating models for non-performing-loan ABS."""


@main.command()
def demo():
    """Print each core model on the bundled example inputs (a credit-card NPL deal, 21建鑫2
    figures)."""
    from .demo import run_demo

    click.echo(run_demo())


@main.command()
@click.argument("deal_file", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--example", type=click.Choice(["credit_card", "mortgage"]), help="Use a bundled example deal."
)
@click.option(
    "--explain", is_flag=True, help="Print the priority of payments instead, as in a prospectus."
)
@click.option(
    "--lang",
    type=click.Choice(["en", "zh"]),
    default="zh",
    show_default=True,
    help="Language of --explain.",
)
def deal(deal_file, example, explain, lang):
    """Waterfall, break-even haircuts, stress ratings and tranche KMV of DEAL_FILE (JSON)."""
    from .deal import Deal, load_example
    from .demo import deal_report

    if bool(deal_file) == bool(example):
        raise click.UsageError("give a DEAL_FILE or --example, not both or neither")
    d = Deal.from_json(deal_file) if deal_file else load_example(example)
    if explain:
        from .explain import explain as explain_deal

        click.echo(explain_deal(d, lang))
        return
    click.echo(deal_report(d))


@main.command()
@click.argument("deal_file", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--example", type=click.Choice(["credit_card", "mortgage"]), help="Use a bundled example deal."
)
@click.option(
    "--paths",
    "--scenarios",
    "paths",
    default=10_000,
    show_default=True,
    help="Monte Carlo recovery scenarios (--scenarios is the old name).",
)
@click.option(
    "--seed", default=0, show_default=True, help="Random seed (results do not depend on chunking)."
)
@click.option(
    "--loans", default=1_000, show_default=True, help="Recovery units the base case is split into."
)
@click.option(
    "--recovery-correlation",
    "--rho",
    "rho",
    default=0.3,
    show_default=True,
    help="Systematic share of the recovery log-variance (--rho is the old name).",
)
@click.option(
    "--recovery-vol",
    "--sigma",
    "sigma",
    default=None,
    type=float,
    help="Recovery volatility, decimal (default: the deal's; --sigma is the old name).",
)
@click.option(
    "--delay-beta",
    default=1.0,
    show_default=True,
    help="Periods of delay per unit of adverse factor.",
)
def simulate(deal_file, example, paths, seed, loans, rho, sigma, delay_beta):
    """Monte Carlo recovery scenarios through the waterfall: tranche PD, EL and ratings."""
    import numpy as np
    from tqdm import tqdm

    from .assumptions import Assumptions
    from .deal import Deal, load_example
    from .pool import PoolSummary
    from .rating.run import RatingSetup, monte_carlo

    if bool(deal_file) == bool(example):
        raise click.UsageError("give a DEAL_FILE or --example, not both or neither")
    d = Deal.from_json(deal_file) if deal_file else load_example(example)
    sigma = sigma if sigma is not None else d.require_recovery().volatility
    if sigma is None:
        raise click.UsageError("the deal has no recovery volatility; give --recovery-vol")
    scenarios = paths
    setup = RatingSetup(
        assumptions=Assumptions.from_dict(
            {"recovery_vol": sigma, "recovery_correlation": rho, "delay_beta": delay_beta}
        ),
        pool=PoolSummary(balance=0.0, loans=loans, amounts=np.ones(loans)),
    )
    with tqdm(total=1, desc="simulating", unit="chunk", disable=None) as bar:

        def progress(done, total):
            bar.total = total
            bar.update(done - bar.n)

        st, _ = monte_carlo(d, setup, paths=scenarios, seed=seed, progress=progress)
    click.echo(
        f"{d.name}: {scenarios:,} scenarios, seed {seed}, sigma {sigma:.0%}, rho {rho:.0%}, "
        f"{loans:,} recovery units"
    )
    click.echo(
        f"  {'tranche':8s} {'PD':>8s} {'EL':>10s} {'EL s.e.':>9s} {'WAL y':>6s} "
        f"{'rating (EL)':>20s} "
        f"{'rating (PD)':>22s}"
    )
    for i, name in enumerate(st.tranches):
        click.echo(
            f"  {name:8s} {st.pd[i]:8.3%} {st.el[i]:10.4%} {st.el_se[i]:9.4%} {st.wal[i]:6.2f} "
            f"{st.rating_el[i].labelled():>20s} {st.rating_pd[i].labelled():>22s}"
        )


@main.command()
@click.argument("workbook", type=click.Path(dir_okay=False))
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="Memo path (default: <deal>_memo.xlsx here, never replacing a file).",
)
@click.option("--paths", type=int, help="Monte Carlo scenarios (default: the workbook's).")
@click.option("--seed", type=int, help="Random seed (default: the workbook's).")
@click.option("--force", is_flag=True, help="Replace an existing --out file.")
@click.option(
    "--lang", type=click.Choice(["en", "zh"]), help="Memo language (default: the workbook's)."
)
@click.option(
    "--pdf",
    "pdf",
    is_flag=True,
    help="Also print the memo to a PDF beside it, through LibreOffice (soffice).",
)
def rate(workbook, out, paths, seed, force, lang, pdf):
    """Rate the deal in WORKBOOK and write the rating memo (the main job)."""
    from tqdm import tqdm

    from .workbook.actions import RATE_STEPS, rate_workbook

    with tqdm(total=len(RATE_STEPS), desc="rating", unit="step", disable=None) as bar:
        started: list[str] = []

        def step(name):  # a step starts: the previous one is done
            bar.update(1 if started else 0)
            started.append(name)
            bar.set_postfix_str(name)

        result = rate_workbook(
            workbook, out=out, paths=paths, seed=seed, force=force, lang=lang, progress=step
        )
        bar.update()
    for line in result.lines:
        click.echo(line)
    if pdf:
        from .workbook.pdf import PdfError, write_pdf

        try:
            memo = result.paths[0]
            click.echo(f"PDF written to {os.path.abspath(write_pdf(memo, overwrite=force))}")
        except PdfError as exc:
            raise click.ClickException(str(exc)) from None


@main.command()
@click.argument("workbook", type=click.Path(dir_okay=False))
@click.option("--tranche", help="The tranche to size (default: the most senior).")
@click.option("--rating", help="One level of the stress table (default: every level).")
def size(workbook, tranche, rating):
    """The largest balance of a tranche in WORKBOOK paid in full under each rating's stress, the
    rest moving to the next junior tranche (total notes unchanged)."""
    from .workbook.actions import size_tranche

    for line in size_tranche(workbook, tranche=tranche, rating=rating).lines:
        click.echo(line)


@main.command("new-deal")
@click.argument("tape", type=click.Path(dir_okay=False))
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False), help="Deal workbook to write (.xlsx)."
)
@click.option(
    "--template",
    type=click.Path(dir_okay=False, exists=True),
    help="A deal workbook whose tranches, fees, stress and rating tables to use.",
)
@click.option("--sheet", help="The tape's sheet (default: the sheet with a loan header).")
@click.option(
    "--encoding", help="The CSV's text encoding (default: detected; utf-8, gb18030, ...)."
)
@click.option(
    "--unit",
    multiple=True,
    help="Unit (元, 千元, 万元, ...) of amount columns whose header states none; or COLUMN=UNIT "
    "for one column (overrides its header). Repeatable.",
)
@click.option(
    "--cutoff",
    type=click.DateTime(["%Y-%m-%d"]),
    help="The pool cut-off date (YYYY-MM-DD), overriding the one the tape states.",
)
@click.option(
    "--closing",
    type=click.DateTime(["%Y-%m-%d"]),
    help="The deal's closing date (YYYY-MM-DD); the cut-off date must be before it.",
)
@click.option(
    "--deal-unit",
    type=click.Choice(["万元", "元"]),
    default="万元",
    show_default=True,
    help="Unit of every amount in the deal workbook.",
)
@click.option("--force", is_flag=True, help="Replace an existing --out file.")
@click.option(
    "--lang",
    type=click.Choice(["en", "zh"]),
    default="en",
    show_default=True,
    help="Language of the workbook's labels, headers and prompts (rate reads either).",
)
@click.option(
    "--linked-tape/--inline-tape",
    "linked",
    default=None,
    help="Keep the loans (LoanTape, Valuation rows) in a .loans.csv.gz beside the workbook, or "
    "in it (default: beside it above 100,000 loans).",
)
def new_deal_cmd(
    tape, out, template, sheet, encoding, unit, cutoff, closing, deal_unit, force, lang, linked
):
    """Fill a deal workbook from a loan TAPE (CSV or XLSX; English or Chinese headers)."""
    from .workbook.actions import new_deal_workbook

    result = new_deal_workbook(
        tape,
        out,
        template=template,
        force=force,
        sheet=sheet,
        encoding=encoding,
        unit=list(unit),
        cutoff=cutoff.date() if cutoff else None,
        closing=closing.date() if closing else None,
        deal_unit=deal_unit,
        lang=lang,
        linked=linked,
    )
    for line in result.lines:
        click.echo(line)


@main.command("synthetic-tape")
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False), help="CSV (or .xlsx) to write."
)
@click.option("--loans", default=20_000, show_default=True)
@click.option("--seed", default=0, show_default=True)
@click.option(
    "--kind", type=click.Choice(["consumer", "mortgage"]), default="consumer", show_default=True
)
@click.option("--force", is_flag=True, help="Replace an existing --out file.")
def synthetic_tape_cmd(out, loans, seed, kind, force):
    """Write a seeded synthetic NPL loan tape (Chinese headers, CNY yuan) for trials and tests."""
    from .atomic import write_with
    from .workbook.tape import synthetic_tape

    check_extension(out, (".csv", ".xlsx"), "--out")
    tape = synthetic_tape(loans, seed=seed, kind=kind)
    if out.lower().endswith(".xlsx"):
        write_with(out, lambda p: tape.to_excel(p, index=False), overwrite=force)
    else:
        write_with(
            out, lambda p: tape.to_csv(p, index=False, encoding="utf-8-sig"), overwrite=force
        )
    click.echo(f"{loans:,} {kind} loans written to {out}")


@main.command()
@click.option(
    "--out", default="workbook_templates", show_default=True, type=click.Path(file_okay=False)
)
@click.option("--force", is_flag=True, help="Replace existing workbooks in --out.")
@click.option(
    "--lang",
    type=click.Choice(["en", "zh"]),
    help="Only the English workbooks, or only the Chinese template (default: all).",
)
def templates(out, force, lang):
    """Rebuild the blank deal templates (English, Chinese) and the two filled example workbooks."""
    from .workbook.template import build_templates

    for path in build_templates(out, overwrite=force, lang=lang):
        click.echo(f"wrote {path}")


@main.group("recovery-model")
def recovery_model():
    """The deal-level recovery-rate regression (OLS, HC1 errors) of the NPL ABS literature."""


@recovery_model.command("fit")
@click.argument("data", required=False, type=click.Path(dir_okay=False, exists=True))
@click.option(
    "--features",
    help="Comma-separated feature columns (default: those of the data among the known ones).",
)
@click.option(
    "--pca", type=int, help="Reduce the features to this many principal components first."
)
def recovery_model_fit(data, features, pca):
    """Fit the recovery rate of DATA (CSV: recovery_rate and feature columns) and print
    coefficients, HC1 standard errors, R-squared and VIFs. Without DATA: the memo's benchmark,
    log base-case rate of the public market deals on asset class, secured share and vintage."""
    import pandas as pd

    from .models import recovery_model as rm

    frame = pd.read_csv(data, comment="#") if data else rm.benchmark_deals()
    target = "recovery_rate" if data else "log_rate"
    if target not in frame:
        raise ValueError(f"{data}: no recovery_rate column")
    known = rm.FEATURES if data else rm.BENCHMARK_FEATURES
    names = (
        [f.strip() for f in features.split(",")] if features else [f for f in known if f in frame]
    )
    missing = [f for f in names if f not in frame]
    if missing or not names:
        raise ValueError(
            f"--features: {', '.join(missing) or 'none'} not in the data (columns: "
            f"{', '.join(frame.columns)})"
        )
    m = rm.fit(frame[target], frame[names], names, pca_components=pca)
    what = "recovery rate" if data else "log base-case rate of the public market deals"
    click.echo(
        f"{what} on {len(m.names)} regressor(s), {m.n} deals: R2 {m.r2:.4f}, adjusted "
        f"{m.adj_r2:.4f}, residual s.d. {m.resid_var**0.5:.4f}"
    )
    if m.warning:
        click.echo(f"WARNING: {m.warning}")
    click.echo(f"  {'term':24s} {'coef':>10s} {'HC1 s.e.':>10s} {'t':>8s} {'VIF':>8s}")
    click.echo(f"  {'intercept':24s} {m.coef[0]:10.4f} {m.se[0]:10.4f} {m.coef[0] / m.se[0]:8.2f}")
    for i, name in enumerate(m.names, start=1):
        click.echo(
            f"  {name:24s} {m.coef[i]:10.4f} {m.se[i]:10.4f} {m.coef[i] / m.se[i]:8.2f} "
            f"{m.vif[i - 1]:8.2f}"
        )
    if not data and not features and not pca:
        from .calibration.evidence import benchmark_coverage

        hit, n = benchmark_coverage()
        click.echo(
            f"90 % prediction interval, leave-one-out: covers {hit} of the {n} deals of 2023-2025"
        )


@recovery_model.command("volatility")
@click.argument("asset_class", required=False)
def recovery_model_volatility(asset_class):
    """The recovery volatility (log s.d. of the pool's total recovery) per asset class, estimated
    from the public market dataset: every class, or ASSET_CLASS."""
    from .models.recovery_model import recovery_volatility, volatility_table

    for cls in [asset_class] if asset_class else list(volatility_table().index):
        value, n, source = recovery_volatility(cls)
        click.echo(f"{cls}: {value:.4f} (n = {n}) {source}")


@recovery_model.command("predict")
@click.argument("workbook", type=click.Path(dir_okay=False))
def recovery_model_predict(workbook):
    """The benchmark recovery rate of the pool in WORKBOOK (its LoanTape) from the public deals,
    against
    the workbook's base case."""
    from .rating.run import recovery_benchmark
    from .workbook.reader import read_deal_workbook
    from .workbook.run import pool_of

    inputs = read_deal_workbook(workbook)
    b = recovery_benchmark(inputs.deal, pool_of(inputs))
    if b is None:
        raise ValueError(f"{workbook}: no loan tape, so no pool characteristics to predict from")
    rate, lo, hi, base = b
    click.echo(
        f"model benchmark recovery {rate:.2%} (90 % interval {lo:.2%} to {hi:.2%}) vs base case "
        f"{base:.2%}"
    )


main.add_command(market)
main.add_command(calibrate)
main.add_command(surveil)


@main.group()
def excel():
    """The Excel add-in: generated VBA and the xlwings Lite files."""


@excel.command("lite")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder for main.py and requirements.txt.",
)
@click.option(
    "--wheel-url", help="Where the npl-xl wheel is hosted (default: the package on an index)."
)
@click.option("--force", is_flag=True, help="Replace existing files.")
def excel_lite(out, wheel_url, force):
    """The xlwings Lite files: main.py (every function) and requirements.txt (xlwings and the
    wheel)."""
    from .lite import write_lite

    for path in write_lite(out, wheel_url=wheel_url, overwrite=force):
        click.echo(f"wrote {path}")


@excel.command("check")
@click.argument("workbook", type=click.Path(dir_okay=False))
def excel_check(workbook):
    """What WORKBOOK and this machine still need for the npl-xl functions and macros in classic
    Excel (add-in, module, macros, trust setting); exit 1 when something is missing."""
    from .excel_check import check_workbook

    checks = check_workbook(workbook)
    for c in checks:
        click.echo(("ok       " if c.ok else "missing  ") + c.line)
    if not all(c.ok for c in checks):
        sys.exit(1)


@excel.command("vba")
@click.option(
    "--out", type=click.Path(dir_okay=False), help="Write the module here instead of printing it."
)
@click.option("--force", is_flag=True, help="Replace an existing --out file.")
@click.option(
    "--workbook",
    default="npl-xl.xlam",
    show_default=True,
    help="The workbook the module goes into: an add-in (.xlam) or a macro workbook (.xlsm).",
)
def excel_vba(out, force, workbook):
    """The VBA module that xlwings' "Import Functions" installs for npl_xl.xl."""
    from .atomic import write_text
    from .xlharness import vba_module

    text = vba_module(workbook)
    if out:
        check_extension(out, (".bas",), "--out")
        write_text(out, text, overwrite=force)
        click.echo(f"wrote {out}")
    else:
        click.echo(text, nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
