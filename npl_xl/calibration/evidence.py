"""What the public market dataset says about recoveries, as the two packaged tables the models read.

- ``npl_market_recoveries.csv``: one observation per deal for the recovery benchmark
  (:func:`npl_xl.models.recovery_model.benchmark`): the agencies' base-case rates (recovery /
  principal + interest + fees) averaged in logs (their geometric mean, so each deal counts once
  however many agencies rated it), the cross-agency log standard deviation, the issue year, asset
  class and secured share.
- ``recovery_volatility.csv``: the recovery volatility per asset class
  (:func:`npl_xl.models.recovery_model.recovery_volatility`), the log standard deviation of the
  pool's total recovery around its base case. Two estimates: the cross-agency dispersion of the
  base cases of the same deal (a floor: the agencies see the same pool) and the realised-over-
  forecast ratios the surveillance reports state (log ratio, root mean square: dispersion around
  the forecast, bias included). The class's value is the larger of the two; a class with fewer
  than :data:`MIN_DEALS` deals takes the all-deal row.

Both files are generated here from ``npl_xl.market.load()`` and nowhere else:
:func:`stale_files` lists packaged files that differ from what the dataset gives now and
:func:`write_files` rewrites them (``python -m npl_xl.calibration.evidence --write``).
"""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from .. import atomic

if TYPE_CHECKING:
    import pandas as pd

    from ..market import MarketData

__all__ = [
    "OBSERVATIONS_FILE",
    "VOLATILITY_FILE",
    "MIN_DEALS",
    "MIN_RATIOS",
    "GROUPS",
    "deal_observations",
    "volatility_table",
    "packaged_text",
    "stale_files",
    "write_files",
    "benchmark_coverage",
]

OBSERVATIONS_FILE = "npl_market_recoveries.csv"
VOLATILITY_FILE = "recovery_volatility.csv"
#: fewest deals of a class for its own cross-agency estimate (else the all-deal row)
MIN_DEALS = 5
#: fewest realised-over-forecast ratios of a class for a realised estimate
MIN_RATIOS = 2
#: volatility rows: the market dataset's classes, the engine's ``unsecured`` and all deals
GROUPS: dict[str, tuple[str, ...]] = {
    "credit_card": ("credit_card",),
    "consumer": ("consumer",),
    "residential": ("residential",),
    "corporate": ("corporate",),
    "sme": ("sme",),
    "commercial": ("commercial",),
    "mixed": ("mixed",),
    "unsecured": ("credit_card", "consumer"),
    "all": (),
}
_DATASET = "npl-xl market dataset (npl_xl/data/market)"
#: secured share implied by the ``secured`` column where the share is not published
_SECURED = {"secured": 1.0, "unsecured": 0.0, "mixed": 0.5}


def _secured_share(row) -> tuple[float, str]:
    """(secured share, basis) of one ``deals`` row; NaN where neither share nor kind is stated."""
    import pandas as pd

    if not pd.isna(row["secured_share"]):
        return float(row["secured_share"]), "published"
    kind = row["secured"]
    if isinstance(kind, str) and kind in _SECURED:
        return _SECURED[kind], f"secured column ({kind})"
    return math.nan, "not stated"


def deal_observations(data: MarketData | None = None) -> pd.DataFrame:
    """One row per deal of the dataset (its order): code, year, asset_class, secured_share (NaN
    where not stated) and its basis, agencies (count), base_case_rate (geometric mean of the
    agencies' rates, decimal), log_sd (cross-agency, ddof 1; NaN for one agency), source."""
    import numpy as np
    import pandas as pd

    from .. import market

    data = data or market.load()
    rec = data.recoveries[data.recoveries["stage"] == "presale"]
    logs = np.log(rec["base_case_rate"].astype(float))
    by = logs.groupby(rec["code"])
    rows = []
    for _, d in data.deals.iterrows():
        code = d["code"]
        if code not in by.groups:
            continue
        lg = by.get_group(code)
        share, basis = _secured_share(d)
        rows.append(
            {
                "code": code,
                "year": int(d["year"]),
                "asset_class": d["asset_class"],
                "secured_share": share,
                "secured_share_basis": basis,
                "agencies": len(lg),
                "base_case_rate": float(np.exp(lg.mean())),
                "log_sd": float(lg.std(ddof=1)) if len(lg) > 1 else math.nan,
                "source": d["source"],
            }
        )
    return pd.DataFrame(rows)


def _realised(data: MarketData) -> pd.DataFrame:
    """The realised-over-forecast ratios of ``evidence.csv`` (code, asset_class, log_ratio)."""
    import numpy as np

    ev = data.evidence
    ev = ev[(ev["kind"] == "realised_vs_forecast") & (ev["unit"] == "ratio") & ev["value"].notna()]
    cls = data.deals.set_index("code")["asset_class"]
    return ev.assign(
        asset_class=ev["code"].map(cls).values,
        log_ratio=np.log(ev["value"].astype(float)).values,
    )[["code", "asset_class", "log_ratio"]]


def volatility_table(data: MarketData | None = None) -> pd.DataFrame:
    """One row per :data:`GROUPS` key: asset_class, volatility (log sd of the pool's total
    recovery), n (observations of the estimate used), estimate (``cross_agency`` or
    ``realised_vs_forecast``), both estimates with their counts, and the source."""
    import numpy as np
    import pandas as pd

    from .. import market

    data = data or market.load()
    obs = deal_observations(data)
    obs = obs[obs["agencies"] > 1]
    real = _realised(data)

    def estimates(classes: tuple[str, ...]) -> dict:
        o = obs if not classes else obs[obs["asset_class"].isin(classes)]
        r = real if not classes else real[real["asset_class"].isin(classes)]
        # pooled within-deal variance: every deal's ddof-1 variance has len-1 degrees of freedom
        dof = (o["agencies"] - 1).sum()
        cross = float(np.sqrt(((o["log_sd"] ** 2) * (o["agencies"] - 1)).sum() / dof)) if dof else 0
        rms = float(np.sqrt((r["log_ratio"] ** 2).mean())) if len(r) >= MIN_RATIOS else math.nan
        return {
            "cross_agency_sd": cross,
            "cross_agency_deals": len(o),
            "realised_sd": rms,
            "realised_ratios": len(r),
            "realised_codes": " ".join(r["code"]),
        }

    everything = estimates(())
    rows = []
    for group, classes in GROUPS.items():
        e = estimates(classes)
        fallback = e["cross_agency_deals"] < MIN_DEALS
        if fallback:
            e = dict(everything)
        use_real = e["realised_sd"] == e["realised_sd"] and e["realised_sd"] > e["cross_agency_sd"]
        name = group.replace("_", "-")
        if use_real:
            value, n, kind = e["realised_sd"], e["realised_ratios"], "realised_vs_forecast"
            text = (
                f"root mean square log of {n} realised/forecast ratios "
                f"({e['realised_codes']}; evidence.csv), above the cross-agency floor "
                f"{e['cross_agency_sd']:.4f} of {e['cross_agency_deals']} deals"
            )
        else:
            value, n, kind = e["cross_agency_sd"], e["cross_agency_deals"], "cross_agency"
            text = f"pooled cross-agency log sd of the base cases of {n} deals (recoveries.csv)" + (
                f"; realised/forecast {e['realised_sd']:.4f} from {e['realised_ratios']} "
                "ratios is lower"
                if e["realised_sd"] == e["realised_sd"]
                else ""
            )
        if fallback:
            text = f"fewer than {MIN_DEALS} {name} deals, so all deals: " + text
        rows.append(
            {
                "asset_class": group,
                "volatility": value,
                "n": n,
                "estimate": kind,
                "cross_agency_sd": e["cross_agency_sd"],
                "cross_agency_deals": e["cross_agency_deals"],
                "realised_sd": e["realised_sd"],
                "realised_ratios": e["realised_ratios"],
                "source": f"{_DATASET}: {text}",
            }
        )
    return pd.DataFrame(rows)


_HEADERS = {
    OBSERVATIONS_FILE: (
        "# One observation per public Chinese NPL ABS deal for the recovery benchmark,",
        "# generated by npl_xl.calibration.evidence from the npl-xl market dataset",
        "# (npl_xl/data/market): do not edit by hand. base_case_rate = geometric mean of",
        "# the agencies' base-case recovery / pool principal + interest + fees (decimal);",
        "# log_sd = their log standard deviation (ddof 1); secured_share as published, else",
        "# 1 / 0 / 0.5 for a secured / unsecured / mixed pool, blank when the dataset does",
        "# not say (such deals are left out of the fit). source = the deal page read.",
    ),
    VOLATILITY_FILE: (
        "# Recovery volatility per asset class: log standard deviation of a pool's total",
        "# recovery around its base case, generated by npl_xl.calibration.evidence from the",
        "# npl-xl market dataset (npl_xl/data/market): do not edit by hand. volatility = the",
        "# larger of the pooled cross-agency log sd of the same deal's base cases (a floor)",
        "# and the root mean square log realised/forecast ratio (>= 2 ratios); n =",
        "# observations of the estimate used; classes with fewer than 5 deals take the",
        "# all-deal row. See docs/methodology.md.",
    ),
}
_DIGITS = {
    "secured_share": 4,
    "base_case_rate": 6,
    "log_sd": 6,
    "volatility": 4,
    "cross_agency_sd": 4,
    "realised_sd": 4,
}


def packaged_text(name: str, data: MarketData | None = None) -> str:
    """The text of packaged file ``name`` as the dataset gives it now (header, columns, rows)."""
    import csv
    import io

    frame = (deal_observations if name == OBSERVATIONS_FILE else volatility_table)(data)
    out = io.StringIO()
    out.write("\n".join(_HEADERS[name]) + "\n")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(frame.columns)
    for row in frame.itertuples(index=False):
        w.writerow(
            [
                ""
                if isinstance(v, float) and v != v
                else f"{v:.{_DIGITS[c]}f}"
                if c in _DIGITS
                else v
                for c, v in zip(frame.columns, row)
            ]
        )
    return out.getvalue()


def benchmark_coverage(
    first_year: int = 2023, last_year: int = 2025, *, level: float = 0.90
) -> tuple[int, int]:
    """(covered, deals): how many of the benchmark's deals issued in ``first_year`` to
    ``last_year`` have their base-case rate inside the ``level`` prediction interval of the
    benchmark refitted without them (leave-one-out)."""
    import numpy as np

    from ..models import recovery_model as rm

    d = rm.benchmark_deals()
    rows = np.flatnonzero(d["year"].between(first_year, last_year).to_numpy())
    names = list(rm.BENCHMARK_FEATURES)
    r = rm.leave_one_out(d["log_rate"], d[names], names, rows, level=level)
    return int(((r[:, 2] <= r[:, 0]) & (r[:, 0] <= r[:, 3])).sum()), len(rows)


def _folder() -> Path:
    return Path(str(resources.files("npl_xl.models").joinpath("data")))


def stale_files(folder: str | Path | None = None) -> list[str]:
    """Names of the packaged files (in ``folder``, default the package's) that are missing or
    differ from what the market dataset gives now."""
    base = Path(folder) if folder else _folder()
    return [
        name
        for name in _HEADERS
        if not (base / name).is_file()
        or (base / name).read_text(encoding="utf-8") != packaged_text(name)
    ]


def write_files(folder: str | Path | None = None, *, overwrite: bool = False) -> list[Path]:
    """Write both files into ``folder`` (default: the package's data folder) atomically; an
    existing file is replaced only with ``overwrite``. Returns the paths written."""
    base = Path(folder) if folder else _folder()
    paths = []
    for name in _HEADERS:
        atomic.write_text(base / name, packaged_text(name), overwrite=overwrite)
        paths.append(base / name)
    return paths


if __name__ == "__main__":  # pragma: no cover - a maintainer's command
    import sys

    if "--write" in sys.argv:
        for p in write_files(overwrite=True):
            print(f"wrote {p}")
    else:
        stale = stale_files()
        print("stale: " + ", ".join(stale) if stale else "packaged files are current")
        sys.exit(1 if stale else 0)
