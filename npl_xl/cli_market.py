"""Command line: ``npl-xl market list|show``, the public market dataset (:mod:`npl_xl.market`)."""

from __future__ import annotations

import click

from .market import ASSET_CLASSES, load, summary


@click.group()
def market():
    """The public dataset of Chinese NPL ABS deals (issuance terms, base cases, ratings)."""


@market.command("list")
@click.option("--asset-class", type=click.Choice(ASSET_CLASSES), help="Only this asset class.")
@click.option("--originator", help="Only originators whose name contains this (e.g. 建设银行).")
@click.option("--year", type=int, help="Only deals closed in this year.")
def market_list(asset_class, originator, year):
    """One line per deal: code, year, class, originator, pool (本息费, 万元), each agency's base
    case and rate, the senior's share of each base case, the senior's latest rating."""
    s = [
        d
        for d in summary()
        if (not asset_class or d.asset_class == asset_class)
        and (not originator or originator in d.originator)
        and (year is None or d.year == year)
    ]
    if not s:
        click.echo("no deal matches")
        return
    click.echo(
        "code               year  class        originator  pool (万元)   base case by agency "
        "(万元, rate) | senior / base case | senior rating"
    )
    for r in s:
        cases = "; ".join(f"{a} {b:,.2f} ({x:.2%})" for a, b, x in r.base_cases) or "-"
        shares = ", ".join(f"{x:.1%}" for _, x in r.senior_shares) or "-"
        rating = f"{r.senior_rating} ({r.senior_rating_by})" if r.senior_rating else "-"
        click.echo(
            f"{r.code:18s} {r.year}  {r.asset_class:12s} {_pad(r.originator, 10)}  "
            f"{r.pool_balance:12,.2f}  {cases} | {shares} | {rating}"
        )
    click.echo(f"{len(s)} deals")


@market.command("show")
@click.argument("code")
def market_show(code):
    """Every field of deal CODE (e.g. 21JIANXIN02) with the address each figure was read from."""
    d = load().deal(code)
    click.echo(f"{d.code}  {d.deal['name_zh']}")
    source = d.deal["source"]
    click.echo(f"source: {source}")
    for key, value in d.deal.items():
        field = str(key)
        if field in ("code", "name_zh", "source") or field.endswith("_source") or _blank(value):
            continue
        own = d.deal.get(f"{field}_source", "")
        click.echo(f"  {field}: {_text(value)}" + (f"  [source: {own}]" if own else ""))
    for title, frame in (
        ("tranches", d.tranches),
        ("base-case recoveries", d.recoveries),
        ("ratings", d.ratings),
        ("evidence", d.evidence),
    ):
        click.echo(f"{title}:" + ("" if len(frame) else " none published"))
        for fields in frame.drop(columns="code").to_dict("records"):
            src = fields.pop("source")
            text = ", ".join(f"{k}={_text(v)}" for k, v in fields.items() if not _blank(v))
            click.echo(f"  {text}" + ("" if src == source else f"  [source: {src}]"))


def _blank(v) -> bool:
    import pandas as pd

    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v) or v == ""


def _text(v) -> str:
    import pandas as pd

    if isinstance(v, pd.Timestamp):
        return f"{v:%Y-%m-%d}"
    if isinstance(v, float):
        return f"{v:,.6g}" if abs(v) < 1000 else f"{v:,.2f}"
    return str(v)


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` display columns (a CJK character takes two)."""
    wide = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return text + " " * max(width - wide, 0)
