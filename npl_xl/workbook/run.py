"""The rating run: every model on a deal workbook's inputs, gathered for the memo.

``rate_inputs(inputs, paths, seed, progress)`` returns a :class:`RatingRun`; the memo writer only
formats what is here, so tests can compare memo cells with these values and with the Python API.
"""

from __future__ import annotations

import datetime as dt
import platform
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import openpyxl
import pandas
import scipy

from .. import __version__
from ..models import analysis, simulation
from ..models.analysis import StressResult, TrancheKMV
from ..models.rating import Rating, rating_from_default_probability, rating_from_expected_loss
from ..models.simulation import TrancheStatistics
from ..models.waterfall import TrancheMetrics, WaterfallResult, run_waterfall
from .reader import WorkbookInputs

#: grids of the KMV sensitivity tables (the 建鑫 theses' four inputs plus the recovery volatility;
# methodology §2)
SENSITIVITY_GRIDS: dict[str, list[float] | None] = {
    "recovery_vol": [0.15, 0.20, 0.25, 0.30, 0.35],
    "issuance_size": [0.8, 0.9, 1.0, 1.1, 1.2],
    "recovery_rate": [0.8, 0.9, 1.0, 1.1, 1.2],
    "coupon": None,  # the senior coupon -1 % .. +1 %
    "maturity": [0.5, 1.0, 2.0, 3.0, 5.0],
}
STEPS = (
    "base waterfall",
    "break-even and stresses",
    "tranche KMV and sensitivities",
    "cash-flow BET",
    "Monte Carlo recoveries",
    "ratings",
)


@dataclass(frozen=True)
class SensitivityGrid:
    """Tranche KMV PDs as one input moves: ``pds`` has shape (len(values), tranches)."""

    parameter: str
    values: tuple[float, ...]
    pds: np.ndarray


@dataclass(frozen=True)
class BetResult:
    """Cash-flow BET: the whole-unit diversity D used (the tape's diversity score, 1-200; 20
    without a
    tape), the tape's own score, the unit default probability and stressed recovery, and the tranche
    expected losses (fraction of each tranche)."""

    diversity: int
    tape_diversity: float | None
    unit_default_probability: float
    stressed_recovery: float
    expected_loss: np.ndarray


@dataclass(frozen=True)
class RatingRun:
    """Results of a rating run (values only); the memo formats what is here."""

    inputs: WorkbookInputs
    paths: int
    seed: int
    collections: np.ndarray
    base: WaterfallResult
    metrics: TrancheMetrics
    breakeven: np.ndarray
    stress: StressResult
    stress_collections: np.ndarray
    kmv: TrancheKMV
    kmv_ratings: tuple[Rating, ...]
    sensitivity: tuple[SensitivityGrid, ...]
    bet: BetResult
    mc: TrancheStatistics
    mc_pool_recovery: np.ndarray
    proposed: tuple[Rating, ...]
    timestamp: str
    versions: dict[str, str] = field(default_factory=dict)


def rate_inputs(
    inputs: WorkbookInputs,
    *,
    paths: int | None = None,
    seed: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> RatingRun:
    """Run every model on the workbook inputs. ``progress(step)`` is called before each step."""
    tick = progress or (lambda step: None)
    deal, a = inputs.deal, inputs.assumptions
    paths = int(paths if paths is not None else a.paths)
    seed = int(seed if seed is not None else a.seed)
    if paths < 2:
        raise ValueError(f"paths: expected at least 2 scenarios, got {paths}")
    simulation.check_run_size(
        paths,
        deal.legal_maturity_periods or len(deal.require_recovery().cumulative),
        len(inputs.tape) if inputs.tape is not None else 1000,
        len(deal.tranches),
        len(deal.fees),
    )
    base_c = deal.base_collections()

    tick(STEPS[0])
    base = run_waterfall(deal, base_c)
    metrics = base.metrics()

    tick(STEPS[1])
    be = analysis.breakeven_haircut(deal, base_c)
    st = analysis.stress_ratings(deal, base_c, table=inputs.stress)
    stress_c = analysis.stress_collections(deal, base_c, st.table)[0]  # the most severe level

    tick(STEPS[2])
    vol, r = a.recovery_vol, a.discount_rate
    kmv = analysis.tranche_kmv(deal, base_c, recovery_vol=vol, discount_rate=r)
    grids = dict(SENSITIVITY_GRIDS)
    c0 = deal.ordered_tranches[0].coupon
    grids["coupon"] = [max(0.0, c0 + d) for d in (-0.01, -0.005, 0.0, 0.005, 0.01)]
    sens = tuple(
        SensitivityGrid(
            name,
            tuple(values or ()),
            analysis.kmv_sensitivity(deal, base_c, name, values, recovery_vol=vol, discount_rate=r),
        )
        for name, values in grids.items()
    )

    tick(STEPS[3])
    ds = None
    if inputs.tape is not None:
        from .tape import diversity_inputs

        ds = diversity_inputs(inputs.tape).diversity_score
    d_bet = int(np.floor(min(max(ds or 20.0, 1.0), 200.0) + 0.5))  # the BET's whole units
    bet_el = analysis.bet_cashflow_expected_loss(
        deal,
        base_c,
        diversity=d_bet,
        pd=a.unit_default_probability,
        stressed_recovery=a.stressed_recovery,
    )

    tick(STEPS[4])
    if inputs.tape is not None and len(inputs.tape):
        weights = inputs.tape["total"].to_numpy(float)
    else:
        weights = np.ones(1000)
    amounts = deal.require_recovery().total * weights / weights.sum()
    sims = simulation.simulate_collections(
        amounts,
        base_c / base_c.sum(),
        rho=a.recovery_correlation,
        sigma=vol,
        scenarios=paths,
        seed=seed,
        delay_beta=a.delay_beta,
    )
    mc = simulation.tranche_statistics(deal, sims)

    tick(STEPS[5])
    horizon = np.minimum(
        np.where(np.isfinite(metrics.wal), metrics.wal, base.period_times[-1]), 10.0
    )
    mc = replace(
        mc,
        rating_el=tuple(
            rating_from_expected_loss(e, h, table=inputs.rating_table, scale="cn_sf")
            for e, h in zip(mc.el, horizon)
        ),
    )
    kmv_ratings = tuple(
        rating_from_default_probability(p, min(t, 10.0), scale="cn_sf")
        for p, t in zip(kmv.default_probability, kmv.maturity)
    )
    return RatingRun(
        inputs=inputs,
        paths=paths,
        seed=seed,
        collections=base_c,
        base=base,
        metrics=metrics,
        breakeven=be,
        stress=st,
        stress_collections=stress_c,
        kmv=kmv,
        kmv_ratings=kmv_ratings,
        sensitivity=sens,
        bet=BetResult(d_bet, ds, a.unit_default_probability, a.stressed_recovery, bet_el),
        mc=mc,
        mc_pool_recovery=sims.sum(axis=1) / base_c.sum(),
        proposed=st.ratings,
        timestamp=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        versions={
            "npl-xl": __version__,
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "pandas": pandas.__version__,
            "openpyxl": openpyxl.__version__,
        },
    )
