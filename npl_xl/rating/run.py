"""Layer 2.5: one rating run, every model on a deal and what the rating needs besides it.

``rate_deal(deal, setup, paths=, seed=, progress=)`` returns a :class:`RatingRun` (values only).
It is the one orchestration of a rating: the command line, the memo, the demo, the Excel macros and
surveillance all call it; the memo writer only formats what is here, so tests compare memo cells
with these values and with the Python API. Nothing here reads or writes files.
"""

from __future__ import annotations

import datetime as dt
import platform
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .. import __version__
from ..assumptions import Assumptions
from ..deal import Deal
from ..models import analysis, simulation
from ..models.analysis import StressResult, TrancheKMV
from ..models.rating import Rating, rating_from_default_probability, rating_from_expected_loss
from ..models.simulation import TrancheStatistics
from ..models.sizing import sizing_grid
from ..models.waterfall import TrancheMetrics, WaterfallResult, run_waterfall
from ..pool import PoolSummary, herfindahl, loan_weights
from .proposal import TrancheProposal, propose
from .rationale import Point, rationale
from .scorecard import Scorecard

#: grids of the KMV sensitivity tables (the 建鑫 theses' four inputs plus the recovery volatility;
# methodology §2)
#: fixed grids of the KMV sensitivity tables (the 建鑫 theses' inputs; methodology §2); the run adds
#: the recovery volatility around its calibrated value, each coupon +-1 % and the discount rate +-2
# %
SENSITIVITY_GRIDS: dict[str, list[float]] = {
    "issuance_size": [0.8, 0.9, 1.0, 1.1, 1.2],
    "recovery_rate": [0.8, 0.9, 1.0, 1.1, 1.2],
    "maturity": [0.5, 1.0, 2.0, 3.0, 5.0],
}
STEPS = (
    "base waterfall",
    "Monte Carlo recoveries",
    "break-even and stresses",
    "tranche KMV and sensitivities",
    "cash-flow BET",
    "proposed ratings and rationale",
)
#: delays (months) of the stress matrix
MATRIX_DELAYS = (0, 3, 6, 9, 12, 18, 24)


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
class StressMatrix:
    """Break-even haircut per tranche (columns) for each delay in months (rows)."""

    delays_months: tuple[int, ...]
    breakeven: np.ndarray


@dataclass(frozen=True)
class RatingSetup:
    """What a rating needs besides the deal: model ``assumptions``, the ``stress_table`` (None:
    the packaged one) before the scorecard's adjustment, the idealised-EL ``rating_table`` (None:
    the packaged one), the qualitative ``scorecard``, whether residual tranches are rated, the
    ``pool`` (None when only deal-level figures are known), and whether the Monte Carlo
    cross-check may lower a stress rating (``monte_carlo_binding``: only when the analyst set both
    the recovery volatility and a non-illustrative idealised-EL table; see
    :mod:`npl_xl.rating.proposal`)."""

    assumptions: Assumptions = field(default_factory=Assumptions)
    stress_table: pd.DataFrame | None = None
    rating_table: pd.DataFrame | None = None
    scorecard: Scorecard = field(default_factory=Scorecard)
    rate_subordinated: bool = False
    pool: PoolSummary | None = None
    monte_carlo_binding: bool = False

    def stress(self) -> pd.DataFrame:
        """The stress table the rating uses: the given (or packaged) one after the scorecard."""
        return self.scorecard.adjust(analysis.load_stress_table(self.stress_table))


@dataclass(frozen=True)
class RatingRun:
    """Results of a rating run (values only); the memo formats what is here."""

    deal: Deal
    setup: RatingSetup
    paths: int
    seed: int
    collections: np.ndarray
    base: WaterfallResult
    metrics: TrancheMetrics
    breakeven: np.ndarray
    breakeven_delay: np.ndarray
    required_haircut: np.ndarray
    #: break-even haircut with each class delayed by the proposed level's own delay (NaN for NR or
    #: below the table), and the cushion: that haircut less the haircut the level requires
    breakeven_at_rating: np.ndarray
    cushion: np.ndarray
    stress: StressResult
    stress_collections: (
        np.ndarray
    )  # (levels, periods): collections under each level of the stress table
    stress_matrix: StressMatrix
    sizing: tuple[tuple[str, float], ...]  # (rating, largest senior balance), empty for 1 tranche
    kmv: TrancheKMV
    kmv_vol: float
    kmv_vol_source: str
    kmv_ratings: tuple[Rating, ...]
    sensitivity: tuple[SensitivityGrid, ...]
    bet: BetResult
    mc: TrancheStatistics
    mc_pool_recovery: np.ndarray
    #: the Monte Carlo's loan recovery volatility and where it comes from (:func:`recovery_sigma`)
    mc_volatility: float
    mc_volatility_source: str
    proposals: tuple[TrancheProposal, ...]
    rationale: tuple[Point, ...]
    benchmark: tuple[float, float, float, float] | None
    timestamp: str
    versions: dict[str, str] = field(default_factory=dict)

    @property
    def proposed(self) -> tuple[str, ...]:
        """The proposed rating of each tranche ('NR' for a residual tranche not rated)."""
        return tuple(p.rating for p in self.proposals)


def _paths_seed(a: Assumptions, paths: int | None, seed: int | None) -> tuple[int, int]:
    paths = int(paths if paths is not None else a.paths)
    if paths < 2:
        raise ValueError(f"paths: expected at least 2 scenarios, got {paths}")
    return paths, int(seed if seed is not None else a.seed)


def recovery_sigma(deal: Deal, a: Assumptions) -> tuple[float, str]:
    """(sigma, source): the Monte Carlo's loan recovery volatility. The analyst's
    ``recovery_vol`` when set; else the deal's asset class's dispersion v of a pool's total
    recovery, estimated on the public market dataset
    (:func:`npl_xl.models.recovery_model.recovery_volatility`), turned into a loan volatility so a
    large pool's total has that dispersion: only the systematic share rho of the variance survives
    pooling, so sigma = v / sqrt(rho) (capped at 3)."""
    if a.recovery_vol is not None:
        return float(a.recovery_vol), "the analyst's recovery volatility"
    return market_sigma(analysis.asset_mix(deal), a.recovery_correlation)


def market_sigma(mix: dict[str, float], rho: float) -> tuple[float, str]:
    """(sigma, source): the loan recovery volatility that gives a large pool of the asset ``mix``
    the dispersion v of the public market dataset, sigma = v / sqrt(rho) (capped at 3)."""
    from ..models.recovery_model import recovery_volatility

    v, n, source = recovery_volatility(mix)
    sigma = min(v / np.sqrt(max(rho, 1e-6)), 3.0)
    return sigma, (
        f"{sigma:.4f} = pool dispersion {v:.4f} of the asset class on the public market dataset "
        f"(n = {n}; {source}) / sqrt(systematic share {rho:g})"
    )


def monte_carlo(
    deal: Deal,
    setup: RatingSetup | None = None,
    *,
    paths: int | None = None,
    seed: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[TrancheStatistics, np.ndarray]:
    """The Monte Carlo step of a rating on its own: recovery scenarios of the deal's base case
    (:func:`npl_xl.models.simulation.simulate_collections`, the pool split by its loan weights)
    through the waterfall; the cash collected before closing is known and the same in every
    scenario. Returns the tranche statistics and each scenario's pool recovery as a share of the
    base case. ``progress(done, total)`` follows the simulation's blocks."""
    setup = setup or RatingSetup()
    a, pool = setup.assumptions, setup.pool
    paths, seed = _paths_seed(a, paths, seed)
    base_c, fixed = analysis.split_unstressed(deal, deal.base_collections())
    weights = loan_weights(pool.amounts if pool is not None else None)
    sigma, _ = recovery_sigma(deal, a)
    exact = simulation.pooled_noise(weights, sigma * np.sqrt(1.0 - a.recovery_correlation)).exact
    simulation.check_run_size(
        paths,
        len(base_c),
        len(weights),
        len(deal.tranches),
        len(deal.fees),
        exact=len(exact),
        triggers=len(deal.triggers),
    )
    sims = simulation.simulate_collections(
        base_c.sum() * weights,  # net of collection costs, as the base case
        base_c / base_c.sum(),
        rho=a.recovery_correlation,
        sigma=sigma,
        scenarios=paths,
        seed=seed,
        delay_beta=a.delay_beta,
        progress=progress,
    )
    sims = sims + fixed  # the cash collected before closing is known: the same in every scenario
    mc = simulation.tranche_statistics(deal, sims, seed=seed)
    return mc, sims.sum(axis=1) / (base_c.sum() + fixed.sum())


def rate_deal(
    deal: Deal,
    setup: RatingSetup | None = None,
    *,
    paths: int | None = None,
    seed: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> RatingRun:
    """Run every model on ``deal`` (with its recovery assumptions) and ``setup``; ``paths`` and
    ``seed`` default to the assumptions'. ``progress(step)`` is called before each of
    :data:`STEPS`."""
    tick = progress or (lambda step: None)
    setup = setup or RatingSetup()
    a, pool = setup.assumptions, setup.pool
    paths, seed = _paths_seed(a, paths, seed)
    base_c = deal.base_collections()

    tick(STEPS[0])
    base = run_waterfall(deal, base_c)
    metrics = base.metrics()

    tick(STEPS[1])
    mc, pool_recovery = monte_carlo(deal, setup, paths=paths, seed=seed)
    sigma, sigma_source = recovery_sigma(deal, a)

    tick(STEPS[2])
    table = setup.stress()
    st = analysis.stress_ratings(deal, base_c, table=table)
    stress_c = analysis.stress_collections(deal, base_c, st.table)
    matrix = StressMatrix(
        MATRIX_DELAYS,
        np.array([analysis.breakeven_haircut(deal, base_c, delay_months=m) for m in MATRIX_DELAYS]),
    )
    be, be_delay = matrix.breakeven[0], analysis.breakeven_delay_months(deal, base_c)

    tick(STEPS[3])
    kmv_vol, kmv_source = kmv_volatility(
        deal,
        base_c,
        base.period_times,
        sigma=sigma,
        rho=a.recovery_correlation,
        herfindahl=herfindahl(pool.amounts if pool is not None else None),
        delay_beta=a.delay_beta,
    )
    r = a.discount_rate
    kmv = analysis.tranche_kmv(deal, base_c, recovery_vol=kmv_vol, discount_rate=r)
    sens = tuple(
        SensitivityGrid(
            name,
            tuple(values),
            analysis.kmv_sensitivity(
                deal, base_c, name, values, recovery_vol=kmv_vol, discount_rate=r
            ),
        )
        for name, values in _grids(deal, kmv_vol, r)
    )

    tick(STEPS[4])
    ds = pool.diversity_score if pool is not None else None
    d_bet = int(np.floor(min(max(ds or 20.0, 1.0), 200.0) + 0.5))  # the BET's whole units
    bet_el = analysis.bet_cashflow_expected_loss(
        deal,
        base_c,
        diversity=d_bet,
        pd=a.unit_default_probability,
        stressed_recovery=a.stressed_recovery,
    )

    tick(STEPS[5])
    horizon = np.minimum(
        np.where(np.isfinite(metrics.wal), metrics.wal, base.period_times[-1]), 10.0
    )
    mc = replace(
        mc,
        rating_el=tuple(
            rating_from_expected_loss(e, h, table=setup.rating_table, scale="cn_sf")
            for e, h in zip(mc.el, horizon)
        ),
    )
    kmv_ratings = tuple(
        rating_from_default_probability(p, min(t, 10.0), scale="cn_sf")
        for p, t in zip(kmv.default_probability, kmv.maturity)
    )
    tranches = deal.ordered_tranches
    proposals = propose(
        [t.name for t in tranches],
        [1.0 if t.pays_interest else 0.0 for t in tranches],  # promised interest or not
        [t.fixed_return for t in tranches],
        st.ratings,
        mc.rating_el,
        kmv_ratings,
        rate_subordinated=setup.rate_subordinated,
        monte_carlo_binding=setup.monte_carlo_binding,
    )
    required = _required_haircuts(proposals, st.table, analysis.asset_mix(deal))
    at_rating = _breakeven_at_rating(deal, base_c, proposals, st.table)
    cushion = at_rating - required
    reasons = rationale(
        top10_share=pool.top10_share if pool else None,
        largest_region_share=pool.largest_region_share if pool else None,
        wa_months_overdue=pool.wa_months_overdue if pool else None,
        secured_share=pool.secured_share if pool else None,
        cushion=float(cushion[0]) if np.isfinite(cushion[0]) else None,
        required_haircut=float(required[0]) if np.isfinite(required[0]) else None,
        reserve_multiple=deal.reserve.multiple,
        sequential_on_default=deal.default_event != "none",
        illustrative=st.illustrative or any(r.illustrative for r in mc.rating_el),
        movers=tuple((f, setup.scorecard.score(f)) for f in setup.scorecard.movers),
    )
    return RatingRun(
        deal=deal,
        setup=setup,
        paths=paths,
        seed=seed,
        collections=base_c,
        base=base,
        metrics=metrics,
        breakeven=be,
        breakeven_delay=be_delay,
        required_haircut=required,
        breakeven_at_rating=at_rating,
        cushion=cushion,
        stress=st,
        stress_collections=stress_c,
        stress_matrix=matrix,
        sizing=sizing_grid(deal, base_c, deal.ordered_tranches[0].name, table=table)
        if len(deal.tranches) > 1
        else (),
        kmv=kmv,
        kmv_vol=kmv_vol,
        kmv_vol_source=kmv_source,
        kmv_ratings=kmv_ratings,
        sensitivity=sens,
        bet=BetResult(d_bet, ds, a.unit_default_probability, a.stressed_recovery, bet_el),
        mc=mc,
        mc_pool_recovery=pool_recovery,
        mc_volatility=sigma,
        mc_volatility_source=sigma_source,
        proposals=proposals,
        rationale=reasons,
        benchmark=recovery_benchmark(deal, pool),
        timestamp=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        versions={
            "npl-xl": __version__,
            "python": platform.python_version(),
            "numpy": np.__version__,
            "pandas": pd.__version__,
        },
    )


#: issue year assumed for the recovery benchmark when the deal states no closing date: the last
#: year of the market dataset
BENCHMARK_YEAR = 2025


def recovery_benchmark(
    deal: Deal, pool: PoolSummary | None
) -> tuple[float, float, float, float] | None:
    """(model rate, lower, upper, base-case rate) of the pool: the recovery-rate benchmark fitted
    on the public market dataset (asset class, issue year, secured share;
    :func:`npl_xl.models.recovery_model.benchmark`, 90 % prediction interval) against the deal's
    base case; None without the pool's balance, or when the pool's classes need a secured share
    the tape does not give."""
    from ..models.recovery_model import benchmark

    if pool is None or pool.balance <= 0:
        return None
    year = deal.closing_date.year if deal.closing_date is not None else BENCHMARK_YEAR
    try:
        rate, lo, hi = benchmark(analysis.asset_mix(deal), year, pool.secured_share)
    except ValueError:
        return None
    return rate, lo, hi, deal.require_recovery().total / pool.balance


def kmv_volatility(
    deal: Deal,
    base: np.ndarray,
    times: np.ndarray,
    *,
    sigma: float,
    rho: float,
    herfindahl: float,
    delay_beta: float,
) -> tuple[float, str]:
    """(sigma, source): the KMV asset volatility from the deal's own recovery uncertainty, the
    Monte Carlo's pool recovery dispersion in closed form
    (:func:`npl_xl.models.simulation.kmv_volatility`) for its loan volatility ``sigma``,
    systematic share ``rho``, loans' ``herfindahl`` index and ``delay_beta``, with the cash
    collected before closing known: the same for any paths and seed. The rating and the Excel
    function KMV_VOLATILITY both call it."""
    _, fixed = analysis.split_unstressed(deal, base)
    vol, sd, life = simulation.kmv_volatility(
        base,
        times,
        rho=rho,
        sigma=sigma,
        herfindahl=herfindahl,
        delay_beta=delay_beta,
        fixed=float(fixed.sum()),
    )
    return vol, (
        f"log standard deviation {sd:.1%} of the Monte Carlo's pool recovery (closed form) over a "
        f"{life:.2f}-year collection life: {vol:.1%} a year"
    )


def _grids(deal, vol: float, r: float) -> list[tuple[str, list[float]]]:
    """The sensitivity grids: volatility, the fixed grids, each coupon, the discount rate."""
    out = [("recovery_vol", [round(vol * f, 4) for f in (0.6, 0.8, 1.0, 1.2, 1.4)])]
    out += list(SENSITIVITY_GRIDS.items())
    out += [
        (f"coupon:{t.name}", [max(0.0, t.coupon + d) for d in (-0.01, -0.005, 0.0, 0.005, 0.01)])
        for t in deal.ordered_tranches
        if not t.floating and t.coupon > 0  # a floater's sensitivity is the issue-rate shift
    ]
    return out + [("discount_rate", [max(0.0, r + d) for d in (-0.02, -0.01, 0.0, 0.01, 0.02)])]


def _breakeven_at_rating(deal, base: np.ndarray, proposals, table: pd.DataFrame) -> np.ndarray:
    """Per tranche, the break-even haircut with every asset class delayed by the proposed level's
    own delay (haircut and delay commute: the level's delays are applied first, with no haircut,
    then the haircut is searched); NaN for NR or a rating below the table."""
    levels = {str(r): i for i, r in enumerate(table["rating"])}
    out = np.full(len(proposals), np.nan)
    by_level: dict[int, np.ndarray] = {}
    for k, p in enumerate(proposals):
        if not (p.rated and p.rating in levels):
            continue
        i = levels[p.rating]
        if i not in by_level:
            row = table.iloc[[i]].copy()
            for col in [c for c in row.columns if str(c).startswith("haircut_")]:
                row[col] = 0.0
            delayed = analysis.stress_collections(deal, base, row)[0]
            by_level[i] = analysis.breakeven_haircut(deal, delayed)
        out[k] = by_level[i][k]
    return out


def _required_haircuts(proposals, table, mix: dict[str, float]) -> np.ndarray:
    """The mix-weighted haircut each proposed rating requires (NaN for NR or below the table)."""
    levels = {str(r): i for i, r in enumerate(table["rating"])}
    out = np.full(len(proposals), np.nan)
    for k, p in enumerate(proposals):
        if p.rated and p.rating in levels:
            row = table.iloc[levels[p.rating]]
            out[k] = sum(share * float(row[f"haircut_{c}"]) for c, share in mix.items())
    return out
