"""Analysis on the waterfall engine: break-even haircuts, ratings by stress, tranche KMV,
sensitivity grids and cash-flow BET.

``deal`` is any object shaped like :class:`npl_xl.deal.Deal`; ``collections`` are base-case net
collections per period (currency units, shape (periods,)). Haircuts are decimals (0.3 = 30 %
less recovered); delays are whole periods unless stated in months.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
from scipy.special import ndtr

from . import _checks as chk
from .bet import _whole_diversity, bet_scenario_expected_loss
from .kmv import distance_to_default
from .rating import Rating
from .recovery import stressed, stressed_months
from .waterfall import WaterfallResult, run_waterfall, unpaid_at_maturity

__all__ = [
    "paid_in_full",
    "breakeven",
    "breakeven_haircut",
    "breakeven_delay_months",
    "BREAKEVEN_VARIABLES",
    "load_stress_table",
    "stress_ratings",
    "tranche_kmv",
    "kmv_sensitivity",
    "bet_cashflow_expected_loss",
    "SENSITIVITY_PARAMETERS",
    "ASSET_CLASSES",
    "stress_collections",
    "asset_mix",
    "StressResult",
    "TrancheKMV",
]


@dataclass(frozen=True)
class StressResult:
    """Ratings by stress: ``ratings`` per tranche (most senior first; 'below <last level>' when
    every level fails), ``passed`` (levels, tranches) bool, the stress ``table`` used and whether it
    is ``illustrative``."""

    ratings: tuple[Rating, ...]
    passed: np.ndarray
    table: pd.DataFrame
    illustrative: bool
    #: per tranche, the levels it passes although a milder level (or the base case) fails: not
    #: counted in its rating, reported as a concern
    non_monotone: tuple[tuple[str, ...], ...] = ()
    #: per tranche, whether the base case itself pays it in full
    base_case_passed: np.ndarray | None = None


@dataclass(frozen=True)
class TrancheKMV:
    """Modified KMV per tranche (arrays, most senior first): asset value V0 and default point
    (currency units), horizon ``maturity`` (years), distance to default, default probability."""

    asset_value: np.ndarray
    default_point: np.ndarray
    maturity: np.ndarray
    distance_to_default: np.ndarray
    default_probability: np.ndarray


#: a tranche counts as paid in full when less than this share of its balance is left unpaid
PAID_TOLERANCE = 1e-9


def _base(collections) -> np.ndarray:
    c = chk.nonnegative(collections, "collections")
    if c.ndim != 1:
        raise ValueError(
            "collections: expected one base-case row of collections per period, got shape "
            f"{c.shape}"
        )
    return c


def split_unstressed(deal, collections) -> tuple[np.ndarray, np.ndarray]:
    """(projected, fixed): the base collections a stress acts on, and the cash collected between
    the cut-off date and closing (``deal.recovery.collected_before_closing`` net of costs, at the
    first payment date), which no stress touches. ``collections`` must include that cash."""
    base = _base(collections)
    rec = getattr(deal, "recovery", None)
    if rec is None or not getattr(rec, "collected_before_closing", 0.0):
        return base, np.zeros(len(base))
    fixed = rec.unstressed(len(base))
    if fixed[0] > base[0] * (1.0 + 1e-12) + 1e-9:
        raise ValueError(
            f"collections: the first period holds {base[0]:,.2f}, less than the "
            f"{fixed[0]:,.2f} collected before closing (recovery.collected_before_closing)"
        )
    return np.maximum(base - fixed, 0.0), fixed


def paid_in_full(result: WaterfallResult) -> np.ndarray:
    """Whether each tranche passes on its rating basis: all principal and interest by legal
    maturity, and for a "timely" tranche every payment date's interest on that date
    (:attr:`WaterfallResult.unpaid`): (..., tranches) bool."""
    return result.unpaid <= PAID_TOLERANCE * result.initial_balance


def breakeven_delay_months(deal, collections, *, max_months: int = 120) -> np.ndarray:
    """Longest delay (whole months, no haircut) after which each tranche is still paid in full by
    legal maturity; all delays 0..``max_months`` run as one batch. NaN where even no delay fails."""
    base, fixed = split_unstressed(deal, collections)
    delays = np.arange(int(max_months) + 1)
    ok = _paid(
        deal, stressed_months(base, deal.payments_per_year, delay_months=delays) + fixed
    )  # (delays, K)
    passes = ok.sum(axis=0)  # monotone: passes come first
    return np.where(ok[0], delays[np.maximum(passes - 1, 0)], np.nan).astype(float)


def _paid(deal, collections, rate_shift=0.0) -> np.ndarray:
    """:func:`paid_in_full` for collection scenarios, keeping only the final period in memory."""
    balance = np.array([t.balance for t in deal.ordered_tranches])
    return unpaid_at_maturity(deal, collections, rate_shift=rate_shift) <= PAID_TOLERANCE * balance


def rate_shifts(frame: pd.DataFrame):
    """The stress table's issue-rate shift per level (annual decimals), or 0.0 when none is set."""
    shift = frame["issue_rate_shift"].to_numpy(float)
    return shift if shift.any() else 0.0


#: most scenarios one round of the break-even search runs (memory ~ scenarios x tranches)
_ROUND_SCENARIOS = 4096


def breakeven_haircut(
    deal,
    collections,
    *,
    delay: int = 0,
    delay_months: int | None = None,
    tol: float = 1e-6,
    candidates: int = 31,
) -> np.ndarray:
    """Largest recovery haircut at which each tranche is still paid in full by legal maturity.

    ``delay`` (whole periods) or ``delay_months`` (exact, on a monthly grid) is applied together
    with every haircut; see :func:`breakeven` for the search. Returns one haircut per tranche (most
    senior first); NaN where the tranche is not paid in full even with no haircut.
    """
    base, fixed = split_unstressed(deal, collections)

    def unpaid(h):
        if delay_months is None:
            return unpaid_at_maturity(deal, stressed(base, haircut=h, delay=delay) + fixed)
        c = stressed_months(base, deal.payments_per_year, haircut=h, delay_months=delay_months)
        return unpaid_at_maturity(deal, c + fixed)

    return _boundary(deal, unpaid, 0.0, 1.0, tol, candidates, first_loss=False)


#: stresses :func:`breakeven` searches
BREAKEVEN_VARIABLES = ("haircut", "delay", "issue_rate_shift")
#: the range searched for the continuous ones (delays run over every whole period)
_RANGES = {"haircut": (0.0, 1.0), "issue_rate_shift": (0.0, 1.0)}


def breakeven(
    deal,
    collections,
    variable: str = "haircut",
    tranche: str | None = None,
    *,
    first_loss: bool = False,
    tol: float = 1e-6,
):
    """Break-even stress per tranche on the engine: the largest stress it survives paid in full by
    legal maturity, or with ``first_loss`` the smallest stress at which it loses 1 currency unit
    (principal plus interest unpaid at maturity).

    ``variable``: "haircut" (share of every collection lost, 0-1), "delay" (whole periods, up to
    the number of periods) or "issue_rate_shift" (annual decimal added to every coupon, 0-1: the
    uncertain issue rate). Continuous variables are bracketed to ``tol`` by rounds of candidates
    run as one batch of scenarios; delays run all at once. Returns one value per tranche (most
    senior first), or that of ``tranche``; NaN where the zero stress already fails (break-even) or
    no stress in the range loses a unit (first loss); the range's end where even that is survived
    (a tranche without a coupon survives any issue-rate shift: 1.0).
    """
    if variable not in BREAKEVEN_VARIABLES:
        raise ValueError(
            f"variable: expected one of {', '.join(BREAKEVEN_VARIABLES)}, got {variable!r}"
        )
    names = [t.name for t in deal.ordered_tranches]
    if tranche is not None and tranche not in names:
        raise ValueError(f"tranche: {tranche!r} is not a tranche of the deal ({', '.join(names)})")
    base, fixed = split_unstressed(deal, collections)
    if variable == "delay":
        delays = np.arange(len(base) + 1)
        out = _boundary_grid(
            deal, unpaid_at_maturity(deal, stressed(base, delay=delays) + fixed), delays, first_loss
        )
    else:
        if variable == "haircut":
            unpaid = lambda x: unpaid_at_maturity(  # noqa: E731
                deal, stressed(base, haircut=x) + fixed
            )
        else:
            unpaid = lambda x: unpaid_at_maturity(deal, base + fixed, rate_shift=x)  # noqa: E731
        lo, hi = _RANGES[variable]
        out = _boundary(deal, unpaid, lo, hi, tol, 31, first_loss=first_loss)
    return out if tranche is None else float(out[names.index(tranche)])


def _failing(deal, unpaid: np.ndarray, first_loss: bool) -> np.ndarray:
    """Whether each scenario fails each tranche: (scenarios, tranches) bool."""
    if first_loss:
        return unpaid >= 1.0
    balance = np.array([t.balance for t in deal.ordered_tranches])
    return unpaid > PAID_TOLERANCE * balance


def _boundary_grid(deal, unpaid, grid, first_loss: bool) -> np.ndarray:
    """The boundary on a grid of stresses already run (failures are monotone in the stress)."""
    fails = _failing(deal, unpaid, first_loss)
    n_ok = (~fails).sum(axis=0)  # passes come first
    if first_loss:
        return np.where(fails[-1], grid[np.minimum(n_ok, len(grid) - 1)], np.nan).astype(float)
    return np.where(~fails[0], grid[np.maximum(n_ok - 1, 0)], np.nan).astype(float)


def _boundary(deal, unpaid, lo0, hi0, tol, candidates, *, first_loss) -> np.ndarray:
    """Bracket each tranche's boundary between passing and failing stresses on [lo0, hi0].

    Each round runs up to ``candidates`` stresses per tranche as one batch of scenarios (fewer with
    many tranches, so a round stays within ``_ROUND_SCENARIOS``) and keeps the bracket where the
    tranche goes from passing to failing, until it is narrower than ``tol``. Only the final period
    is kept in memory. Returns the last passing stress (break-even) or the first failing one
    (first loss)."""
    K = len(deal.tranches)
    g = int(max(1, min(candidates, _ROUND_SCENARIOS // K)))
    ends = _failing(deal, unpaid(np.array([lo0, hi0])), first_loss)
    lo, hi = np.full(K, float(lo0)), np.full(K, float(hi0))
    steps = np.arange(1, g + 1) / (g + 1)
    rows = np.arange(K)
    while (hi - lo > tol).any():
        x = lo[:, None] + (hi - lo)[:, None] * steps[None, :]  # (K, g)
        fails = _failing(deal, unpaid(x.ravel()), first_loss)
        own = ~fails.reshape(K, g, K)[rows, :, rows]  # tranche k on its own candidates
        n_pass = own.sum(axis=1)  # passes come first (monotone)
        new_lo = np.where(n_pass > 0, x[rows, np.maximum(n_pass - 1, 0)], lo)
        new_hi = np.where(n_pass < g, x[rows, np.minimum(n_pass, g - 1)], hi)
        lo, hi = new_lo, new_hi
    if first_loss:
        return np.where(ends[0], lo0, np.where(ends[1], hi, np.nan))
    return np.where(ends[0], np.nan, np.where(ends[1], lo, hi0))


@lru_cache(maxsize=1)
def _packaged_stress():
    import pandas as pd

    with resources.files(__package__).joinpath("data/npl_stress_table.csv").open() as f:
        return pd.read_csv(f, comment="#")


#: asset classes of the stress table: unsecured consumer and credit-card loans, SME and corporate
#: loans, residential mortgages, commercial property
ASSET_CLASSES = ("unsecured", "sme", "residential", "commercial")


def load_stress_table(table=None) -> pd.DataFrame:
    """Stress table, best rating first: ``rating`` and, per asset class, ``haircut_<class>`` and
    ``delay_<class>`` (months), plus optional ``issue_rate_shift`` (annual decimal added to every
    coupon: agencies stress the issue rate, unknown when a deal is rated; 0 when not given),
    ``status`` and ``source``.

    ``table``: None (the packaged illustrative table), a DataFrame or a CSV path. A table with one
    ``haircut`` and one ``delay_months`` column applies them to every class.
    """
    if table is None:
        return _packaged_stress().copy()
    frame = pd.read_csv(table, comment="#") if not hasattr(table, "columns") else table.copy()
    frame.columns = [str(c).strip().lower().replace(" ", "_") for c in frame.columns]
    if "rating" not in frame:
        raise ValueError("stress table: missing column rating")
    per_class = [f"{kind}_{c}" for c in ASSET_CLASSES for kind in ("haircut", "delay")]
    if not set(per_class) <= set(frame.columns):
        missing = {"haircut", "delay_months"} - set(frame.columns)
        if missing:
            raise ValueError(
                f"stress table: missing column(s) {', '.join(sorted(missing))} (or the "
                f"per-class columns {', '.join(per_class[:2])}, ...)"
            )
        for c in ASSET_CLASSES:
            frame[f"haircut_{c}"], frame[f"delay_{c}"] = frame["haircut"], frame["delay_months"]
    if "issue_rate_shift" not in frame:
        frame["issue_rate_shift"] = 0.0
    names = [str(c) for c in frame.columns]
    twice = [c for c in names if names.count(c) > 1]
    if twice:
        raise ValueError(f"stress table: column {twice[0]} appears twice")
    numbers = [f"{k}_{c}" for c in ASSET_CLASSES for k in ("haircut", "delay")]
    for col in numbers + ["issue_rate_shift"]:
        try:
            frame[col] = frame[col].to_numpy(float)
        except (TypeError, ValueError):
            raise ValueError(f"stress table {col}: expected numbers in every row") from None
    for c in ASSET_CLASSES:
        chk.probability(frame[f"haircut_{c}"].to_numpy(float), f"stress table haircut_{c}")
        chk.nonnegative(frame[f"delay_{c}"].to_numpy(float), f"stress table delay_{c}")
    shift = chk.finite(frame["issue_rate_shift"].to_numpy(float), "stress table issue_rate_shift")
    if (np.abs(shift) > 1).any():
        raise ValueError(
            "stress table issue_rate_shift: give annual decimals (0.01 for 100 bp), got "
            f"{shift[np.abs(shift) > 1][0]:g}"
        )
    return frame


def stress_collections(deal, collections, table=None, *, mix=None) -> np.ndarray:
    """Collections under each level of the stress table: (levels, periods).

    The deal's base collections are split by its asset mix (``deal.recovery.asset_mix``, shares of
    base-case recovery; all unsecured when not given) and each class gets its own haircut and delay
    (months, exact on a monthly grid: :func:`npl_xl.models.recovery.stressed_months`); the cash
    collected before closing (``deal.recovery.collected_before_closing``) is in the trust already
    and is not stressed. ``mix`` ({class: share}) replaces the deal's.
    """
    base, fixed = split_unstressed(deal, collections)
    frame = load_stress_table(table)
    mix = asset_mix(deal) if mix is None else _checked_mix(mix)
    out = np.zeros((len(frame), len(base))) + fixed
    for c, share in mix.items():
        out += share * stressed_months(
            base,
            deal.payments_per_year,
            haircut=frame[f"haircut_{c}"].to_numpy(float),
            delay_months=np.rint(frame[f"delay_{c}"].to_numpy(float)),
        )
    return out


def _checked_mix(mix) -> dict[str, float]:
    unknown = set(mix) - set(ASSET_CLASSES)
    if unknown:
        raise ValueError(
            f"asset_mix: unknown asset class {sorted(unknown)[0]!r}; classes are "
            f"{', '.join(ASSET_CLASSES)}"
        )
    shares = np.array([float(x) for x in mix.values()])
    if (shares < 0).any() or abs(shares.sum() - 1.0) > 1e-6:
        raise ValueError(
            f"asset_mix: shares must be >= 0 and add up to 1, they add up to {shares.sum():.6g}"
        )
    return {k: float(x) for k, x in mix.items() if float(x) > 0}


def __getattr__(name: str):
    """``analysis.max_tranche_size`` and ``analysis.sizing_grid`` live in :mod:`.sizing` (which
    builds on this module)."""
    if name in ("max_tranche_size", "sizing_grid"):
        from . import sizing

        return getattr(sizing, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def asset_mix(deal) -> dict[str, float]:
    """The deal's recovery by asset class (shares adding up to 1); all unsecured when not stated."""
    mix = getattr(getattr(deal, "recovery", None), "asset_mix", None)
    return dict(mix) if mix else {"unsecured": 1.0}


def stress_ratings(deal, collections, *, table=None) -> StressResult:
    """Best rating per tranche whose stress (haircut and delay per asset class) it survives
    together with every milder level, paid as its rating basis requires (:func:`_paid`). A tranche
    not paid in full on the base case itself is below the table's lowest level whatever the table
    holds. All levels and the base case run as one batch of scenarios; see :class:`StressResult`.
    """
    frame = load_stress_table(table)
    scenarios = stress_collections(deal, collections, frame)
    shift = rate_shifts(frame)
    scenarios = np.vstack([scenarios, _base(collections)])
    if not np.isscalar(shift):
        shift = np.append(shift, 0.0)
    ok_all = _paid(deal, scenarios, shift)
    ok, base_ok = ok_all[:-1], ok_all[-1]
    illustrative = bool(
        "status" in frame and frame["status"].astype(str).str.contains("illustrative").any()
    )
    levels = [str(r) for r in frame["rating"]]
    ratings, non_monotone = [], []
    for k in range(ok.shape[1]):
        # milder levels come later: a level counts only if it and every milder level pass
        held = np.logical_and.accumulate(ok[::-1, k])[::-1] & base_ok[k]
        passed = np.flatnonzero(held)
        code = levels[passed[0]] if passed.size else f"below {levels[-1]}"
        ratings.append(Rating(code, "stress table", illustrative))
        non_monotone.append(tuple(levels[i] for i in np.flatnonzero(ok[:, k] & ~held)))
    return StressResult(tuple(ratings), ok, frame, illustrative, tuple(non_monotone), base_ok)


def tranche_kmv(deal, collections, *, recovery_vol, discount_rate, horizon=None) -> TrancheKMV:
    """The modified KMV for NPL tranches (Yan & Cai 2005; docs/methodology.md §2), per tranche.

    - asset value V0 = present value, continuously discounted at ``discount_rate``, of the
      collections net of the trust's taxes and fees (base-case waterfall);
    - horizon T_k = the tranche's weighted average life (base case; the last payment date if it
      receives no principal), or ``horizon`` years for every tranche;
    - default point of tranche k = principal of k and of every tranche senior to it, plus the
      coupon they are promised up to T_k, plus k's own fixed return (期间收益) accrued to T_k;
    - DD = (ln(V0/DP) + (r - sigma^2/2) T) / (sigma sqrt T) with ``recovery_vol`` as sigma and the
      same continuous rate r as drift; PD = N(-DD).
    """
    base = _base(collections)
    sigma = float(chk.positive(recovery_vol, "recovery_vol"))
    r = float(chk.nonnegative(discount_rate, "discount_rate"))
    if r > 1:
        raise ValueError(f"discount_rate: {r:g} looks like a percent; give decimals (0.05 for 5 %)")
    res = run_waterfall(deal, base)
    t = res.period_times
    net = base - res.fees_paid.sum(axis=-1)
    v0 = float(np.sum(net * np.exp(-r * t)))
    K = len(res.tranche_names)
    if horizon is None:
        wal = res.metrics().wal
        T = np.where(np.isnan(wal), t[-1], wal)
    else:
        T = np.full(K, float(chk.positive(horizon, "horizon")))
    # coupon promised each period = interest accrued in it (amount due less arrears brought in)
    arrears_in = np.vstack([np.zeros((1, K)), res.interest_shortfall[:-1]])
    promised = res.interest_due - arrears_in
    fixed = np.array([tr.fixed_return * tr.balance for tr in deal.ordered_tranches]) * np.minimum(
        T, t[-1]
    )
    dp = np.array(
        [
            res.initial_balance[: k + 1].sum()
            + promised[:, : k + 1].sum(axis=1) @ _accrued_share(t, T[k])
            + fixed[k]
            for k in range(K)
        ]
    )
    if v0 <= 0:  # fees take every collection: nothing is left for the notes, default is certain
        return TrancheKMV(np.full(K, v0), dp, T, np.full(K, -np.inf), np.ones(K))
    dd = np.asarray(distance_to_default(v0, sigma, dp, T, drift=r))
    return TrancheKMV(np.full(K, v0), dp, T, dd, ndtr(-dd))


def _accrued_share(t: np.ndarray, horizon: float) -> np.ndarray:
    """Share of each period's coupon accrued by ``horizon`` years (whole periods before it, the
    running one pro rata)."""
    start = np.concatenate([[0.0], t[:-1]])
    return np.clip((horizon - start) / np.maximum(t - start, 1e-12), 0.0, 1.0)


SENSITIVITY_PARAMETERS = (
    "issuance_size",
    "coupon",
    "recovery_rate",
    "maturity",
    "recovery_vol",
    "discount_rate",
    "fixed_return",
)


def kmv_sensitivity(
    deal, collections, parameter: str, values, *, recovery_vol, discount_rate
) -> np.ndarray:
    """Tranche PD from :func:`tranche_kmv` as one input moves, as in the 建鑫 KMV theses'
    sensitivity tables (docs/methodology.md §2).

    parameter: "issuance_size" (every tranche balance x value), "coupon" (the most senior
    tranche's coupon = value) or "coupon:<tranche>", "fixed_return:<tranche>" (that tranche's
    fixed return = value), "recovery_rate" (collections x value), "maturity" (horizon = value
    years for every tranche; the default point counts the coupons promised to that horizon),
    "recovery_vol" (sigma = value) or "discount_rate" (r = value). Returns PDs of shape
    (len(values), tranches).
    """
    kind, _, name = parameter.partition(":")
    names = [t.name for t in deal.ordered_tranches]
    if kind not in SENSITIVITY_PARAMETERS or (name and kind not in ("coupon", "fixed_return")):
        raise ValueError(
            f"parameter: expected one of {', '.join(SENSITIVITY_PARAMETERS)} (coupon and "
            f"fixed_return may name a tranche: 'coupon:Senior'), got {parameter!r}"
        )
    if kind == "fixed_return" and not name:
        name = names[-1]
    if name and name not in names:
        raise ValueError(
            f"parameter: {parameter!r} names no tranche of the deal ({', '.join(names)})"
        )
    vals = chk.vector(values, "values")
    base = _base(collections)
    out = []
    for v in vals:  # one waterfall per grid point; grids are a handful of values
        d, c, vol, rate, horizon = deal, base, recovery_vol, discount_rate, None
        if kind == "issuance_size":
            chk.positive(v, "values")
            d = deal.with_changes(
                tranches=[t.model_dump() | {"balance": t.balance * v} for t in deal.tranches]
            )
        elif kind in ("coupon", "fixed_return"):
            target = name or names[0]
            d = deal.with_changes(
                tranches=[
                    t.model_dump() | ({kind: v} if t.name == target else {}) for t in deal.tranches
                ]
            )
        elif kind == "recovery_rate":
            c = base * chk.nonnegative(v, "values")
        elif kind == "recovery_vol":
            vol = v
        elif kind == "discount_rate":
            rate = v
        elif kind == "maturity":
            horizon = v
        res = tranche_kmv(d, c, recovery_vol=vol, discount_rate=rate, horizon=horizon)
        out.append(res.default_probability)
    return np.array(out)


def bet_cashflow_expected_loss(
    deal, collections, *, diversity, pd, stressed_recovery, measure: str = "loss_fraction"
):
    """Tranche expected loss by the BET with the cash-flow engine in each default scenario.

    The pool is D equal recovery units; in scenario j, j units fail and recover only
    ``stressed_recovery`` (a share of their base amount, in [0, 1]), so collections are
    ``base x (1 - (j / D)(1 - stressed_recovery))``. Each scenario runs through the waterfall and
    the tranche loss (``measure``: "loss_fraction" of principal, or "pv_loss") is weighted by the
    binomial probability P(j). Returns expected loss per tranche (fraction of the tranche).
    """
    if measure not in ("loss_fraction", "pv_loss"):
        raise ValueError(f"measure: expected 'loss_fraction' or 'pv_loss', got {measure!r}")
    base = _base(collections)
    d = int(_whole_diversity(diversity))
    s = float(chk.probability(stressed_recovery, "stressed_recovery"))
    j = np.arange(d + 1)
    scen = base[None, :] * (1.0 - (j / d) * (1.0 - s))[:, None]
    res = run_waterfall(deal, scen)
    losses = res.metrics().pv_loss if measure == "pv_loss" else res.loss_fraction
    return np.array(
        [bet_scenario_expected_loss(d, pd, losses[:, k]) for k in range(losses.shape[1])]
    )
