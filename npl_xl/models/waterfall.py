"""Cash-flow waterfall of an NPL ABS deal, vectorised over scenarios.

``run_waterfall(deal, collections)`` pays each period's collections down the deal's priority of
payments (``deal.orders()``: editable lists of steps, one before and one after a default event).
``deal`` is any object shaped like :class:`npl_xl.deal.Deal` (this layer does not import it).

The engine (:class:`_Engine`) runs collections of shape (scenarios, periods) on numpy vectors,
one pass per period over all scenarios; scenarios after a default event are masked into the
post-default order. Its one-scenario branch (Python floats) is the specification of a single run;
``run_waterfall`` executes it as a loop generated from the deal's orders (:mod:`._scalar`), which
agrees with it bit for bit. Triggers, floating coupons, a liquidity facility, guarantee and
excess-spread account are steps and states of the same loop.

Conventions (docs/methodology.md §6): interest due = balance x coupon x accrual fraction, plus
arrears; senior fees and the most senior tranche's interest draw on the liquidity reserve when
cash runs short; fixed and note-balance fees are due while notes are outstanding, collection-based
fees always; unpaid amounts carry forward; principal unpaid after the last period is the loss;
what is left after the last step is the residual, paid to the most junior tranche's holders.
Cash identity each period: collections + reserve release + call proceeds + draws and releases =
payments + reserve top-up + repayments and traps + residual.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from .. import limits
from . import _checks as chk
from ._scalar import scalar_runner

__all__ = [
    "WaterfallResult",
    "TrancheMetrics",
    "run_waterfall",
    "unpaid_at_maturity",
    "rating_bases",
    "coupon_paths",
    "irr",
]

#: tolerance (currency units) below which an unpaid amount counts as paid
EPS = 1e-7


@dataclass(frozen=True)
class WaterfallResult:
    """Per-period flows. Arrays are (periods, ...) for one scenario, (scenarios, periods, ...) for
    many.

    Per tranche (last axis = tranche, most senior first): ``interest_due`` (incl. arrears),
    ``interest_paid``, ``interest_shortfall``, ``principal_paid``, ``fixed_return_paid``,
    ``balance``
    (end of period). Per fee (last axis = fee, deal order): ``fees_paid``. Per period:
    ``collections``, ``reserve_balance`` (end), ``reserve_release``, ``reserve_topup``,
    ``incentive_fee``, ``residual``, ``default_event`` (in force during the period),
    ``capped_excess_paid`` (the excess of capped senior fees, paid at "fee_excess"; see
    :attr:`senior_fees_paid`),
    ``call_proceeds`` (the clean-up call price received). Per trigger (last axis,
    ``trigger_names``): ``trigger_states`` (in force during the period). Per facility, guarantee
    or account (last axis, ``support_names``): ``support_in`` (draws and releases into the
    waterfall), ``support_out`` (repayments with fees and interest, cash trapped),
    ``support_balance`` (drawn, or the account's balance, at the end of the period).
    ``coupon_rates`` per period and tranche; the per-tranche ``coupon`` is their average (the
    default discount rate of :meth:`metrics`). ``interest_missed`` per period and tranche: the
    largest interest left unpaid after any payment date so far (arrears after that date's
    payments; a running maximum, currency units). ``rating_basis`` per tranche ("timely" or
    "ultimate", :func:`rating_bases`): what :attr:`unpaid` counts.
    """

    tranche_names: tuple[str, ...]
    fee_names: tuple[str, ...]
    trigger_names: tuple[str, ...]
    initial_balance: np.ndarray
    coupon: np.ndarray
    issue_price: np.ndarray
    period_times: np.ndarray
    collections: np.ndarray
    interest_due: np.ndarray
    interest_paid: np.ndarray
    principal_paid: np.ndarray
    fixed_return_paid: np.ndarray
    balance: np.ndarray
    fees_paid: np.ndarray
    reserve_balance: np.ndarray
    reserve_release: np.ndarray
    reserve_topup: np.ndarray
    incentive_fee: np.ndarray
    residual: np.ndarray
    default_event: np.ndarray
    capped_excess_paid: np.ndarray
    call_proceeds: np.ndarray
    trigger_states: np.ndarray
    coupon_rates: np.ndarray
    support_names: tuple[str, ...]
    support_in: np.ndarray
    support_out: np.ndarray
    support_balance: np.ndarray
    interest_missed: np.ndarray
    senior_fee_mask: tuple[bool, ...] = ()
    rating_basis: tuple[str, ...] = ()

    @property
    def unpaid(self) -> np.ndarray:
        """What fails each tranche's rating basis, per tranche (currency units): principal and
        interest unpaid at legal maturity, plus for a "timely" tranche the largest interest
        missed on any payment date."""
        return _unpaid(
            self.balance[..., -1, :],
            self.interest_due[..., -1, :] - self.interest_paid[..., -1, :],
            self.interest_missed[..., -1, :],
            self.rating_basis,
        )

    @property
    def senior_fees_paid(self) -> np.ndarray:
        """Paid to senior fees at their positions each period: what they got less the excess over
        a cap (``capped_excess_paid``, paid below the notes)."""
        out = -self.capped_excess_paid
        for i, senior in enumerate(self.senior_fee_mask):
            if senior:
                out = out + self.fees_paid[..., i]
        return out

    @property
    def oc_ratio(self) -> np.ndarray:
        """Overcollateralisation per period and tranche: collections still to come after the
        period (the scenario's own path: the expected recovery in the base case) over the notes
        outstanding at its end, of the tranche and all senior to it; NaN once they are repaid."""
        c = self.collections
        remaining = c[..., ::-1].cumsum(axis=-1)[..., ::-1] - c
        notes = self.balance.cumsum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(notes > EPS, remaining[..., None] / notes, np.nan)

    @property
    def ic_ratio(self) -> np.ndarray:
        """Interest coverage per period and tranche: the period's collections net of senior fees
        over the interest due (with arrears) of the tranche and all senior to it; NaN where none
        is due."""
        net = self.collections - self.senior_fees_paid
        due = self.interest_due.cumsum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(due > EPS, net[..., None] / due, np.nan)

    def trigger_probability(self) -> np.ndarray:
        """Share of scenarios in which each trigger is hit at some period: (triggers,)."""
        hit = self.trigger_states.any(axis=-2)
        return hit.mean(axis=0) if hit.ndim == 2 else hit.astype(float)

    @property
    def interest_shortfall(self) -> np.ndarray:
        """Interest due but unpaid in each period (carried forward as arrears)."""
        return self.interest_due - self.interest_paid

    @property
    def loss(self) -> np.ndarray:
        """Principal unpaid at legal maturity (after the last period), per tranche."""
        return self.balance[..., -1, :]

    @property
    def loss_fraction(self) -> np.ndarray:
        """Principal loss as a fraction of the initial balance, per tranche."""
        return self.loss / self.initial_balance

    def tranche_cash_flows(self) -> np.ndarray:
        """What each tranche's holders receive each period (interest, principal, fixed return; the
        residual to the most junior tranche)."""
        cf = self.interest_paid + self.principal_paid + self.fixed_return_paid
        cf[..., -1] += self.residual
        return cf

    def table(self) -> tuple[list[str], list[list]]:
        """One scenario's flows as a header and one row per period (what WATERFALL spills)."""
        if self.collections.ndim != 1:
            raise ValueError("table: one scenario at a time")
        header = [
            "period",
            "years",
            "collections",
            "fees",
            "reserve_release",
            "reserve_topup",
            "reserve_balance",
        ]
        cols = [
            np.arange(1, len(self.collections) + 1),
            self.period_times,
            self.collections,
            self.fees_paid.sum(axis=-1),
            self.reserve_release,
            self.reserve_topup,
            self.reserve_balance,
        ]
        for k, name in enumerate(self.tranche_names):
            header += [
                f"{name} interest",
                f"{name} principal",
                f"{name} balance",
                f"{name} interest shortfall",
            ]
            cols += [
                self.interest_paid[:, k],
                self.principal_paid[:, k],
                self.balance[:, k],
                self.interest_shortfall[:, k],
            ]
        header += ["incentive_fee", "residual", "default_event"]
        rows = np.column_stack(cols + [self.incentive_fee, self.residual]).tolist()
        for row, flag in zip(rows, self.default_event.tolist()):
            row.append(flag)
        return header, rows

    def metrics(self, discount_rate=None) -> TrancheMetrics:
        """Per-tranche summary (:class:`TrancheMetrics`), arrays of shape (tranches,) or
        (scenarios, tranches).

        ``discount_rate`` (annual decimal) discounts the PV loss; default each tranche's coupon.
        """
        t = self.period_times
        prin = self.principal_paid
        total_prin = prin.sum(axis=-2)
        with np.errstate(invalid="ignore", divide="ignore"):
            wal = np.einsum("...tk,t->...k", prin, t) / total_prin
        paid_any = prin > EPS
        last = np.where(
            paid_any.any(axis=-2), (len(t) - 1) - np.argmax(paid_any[..., ::-1, :], axis=-2), -1
        )
        maturity = np.where(last >= 0, t[np.maximum(last, 0)], np.nan)
        cf = self.tranche_cash_flows()
        price = self.issue_price / 100.0 * self.initial_balance
        rate = (
            self.coupon
            if discount_rate is None
            else np.broadcast_to(chk.nonnegative(discount_rate, "discount_rate"), self.coupon.shape)
        )
        disc = (1.0 + rate)[None, :] ** -t[:, None]
        pv = np.einsum("...tk,tk->...k", cf, disc)
        return TrancheMetrics(
            total_interest=self.interest_paid.sum(axis=-2),
            total_principal=total_prin,
            loss=self.loss,
            loss_fraction=self.loss_fraction,
            interest_shortfall=self.interest_shortfall[..., -1, :],
            wal=wal,
            expected_maturity=maturity,
            issue_yield=irr(np.moveaxis(cf, -1, -2), t, price),
            pv_loss=np.maximum(0.0, 1.0 - pv / self.initial_balance),
        )


@dataclass(frozen=True)
class TrancheMetrics:
    """Per-tranche summary of a waterfall run; each field has shape (tranches,) or (scenarios,
    tranches).

    ``total_interest``, ``total_principal``, ``loss`` (principal unpaid at legal maturity; currency
    units), ``loss_fraction`` (of the initial balance), ``interest_shortfall`` (unpaid at the end),
    ``wal`` (years, over principal received; NaN if none), ``expected_maturity`` (years to the last
    principal payment), ``issue_yield`` (annual IRR at the issue price; NaN if none), ``pv_loss``
    (1 - PV of receipts over the initial balance, floored at 0).
    """

    total_interest: np.ndarray
    total_principal: np.ndarray
    loss: np.ndarray
    loss_fraction: np.ndarray
    interest_shortfall: np.ndarray
    wal: np.ndarray
    expected_maturity: np.ndarray
    issue_yield: np.ndarray
    pv_loss: np.ndarray

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """Field names in order (the columns of WATERFALL_SUMMARY)."""
        return tuple(f.name for f in fields(cls))


def irr(cash_flows, times, price, *, lo=-0.99, hi=10.0) -> np.ndarray:
    """Annual yield y with ``sum cf_t (1 + y)^-t = price``, by vectorised bisection.

    ``cash_flows`` (..., periods) received at ``times`` (years) for ``price`` paid at 0.
    Returns NaN where the yield lies outside [lo, hi] (e.g. nothing received).
    """
    cf = np.asarray(cash_flows, float)
    p = np.broadcast_to(np.asarray(price, float), cf.shape[:-1])
    log_t = np.asarray(times, float)
    a = np.full(p.shape, np.log1p(lo))
    b = np.full(p.shape, np.log1p(hi))

    def npv(x):  # decreasing in x = log(1 + y)
        return np.sum(cf * np.exp(-x[..., None] * log_t), axis=-1) - p

    ok = (npv(a) >= 0) & (npv(b) <= 0)
    for _ in range(60):
        m = 0.5 * (a + b)
        above = npv(m) > 0
        a = np.where(above, m, a)
        b = np.where(above, b, m)
    return np.where(ok, np.expm1(0.5 * (a + b)), np.nan)


# --------------------------------------------------------------------------------------------------
# the engine


def coupon_paths(deal, n_periods: int, rates=None, rate_shift=0.0) -> np.ndarray:
    """Coupon (annual decimal) of each tranche in each period: ([scenarios,] periods, tranches).

    Fixed coupons above 0 and floating indexes move by ``rate_shift`` (annual decimal, a number or
    one per scenario: the issue-rate stress). A floating coupon is clip(index + spread, floor, cap)
    with the index read at the start of each reset block and floored at 0. Index paths come from
    ``rates`` (name -> (periods,) or (scenarios, periods)), else from the deal's ``rates`` (a flat
    level or a path of exactly ``n_periods``).
    """
    n = int(n_periods)
    ts = deal.ordered_tranches
    fixed = not any(getattr(t, "floating", False) for t in ts)
    if fixed and not rates and isinstance(rate_shift, (int, float)) and math.isfinite(rate_shift):
        # fixed coupons and one shift: one row for every period
        row = [max(t.coupon + rate_shift, 0.0) if t.coupon > 0 else 0.0 for t in ts]
        return np.tile(np.array(row, float), (n, 1))
    shift = np.asarray(chk.finite(rate_shift, "rate_shift"), float)
    if shift.ndim > 1:
        raise ValueError(f"rate_shift: expected a number or one per scenario, got {shift.shape}")
    shift = shift[:, None] if shift.ndim == 1 else shift
    given = dict(rates or {})
    cols = []
    for t in ts:
        cp = t.coupon
        if not getattr(t, "floating", False):
            cols.append(np.maximum(cp + shift, 0.0) if cp > 0 else np.zeros_like(shift) + 0.0)
            continue
        if cp.index in given:
            path = chk.finite(given.pop(cp.index), f"rates.{cp.index}")
        else:
            r = deal.rates[cp.index]
            path = np.full(n, r.level) if r.level is not None else np.asarray(r.path, float)
        if path.ndim not in (1, 2) or path.shape[-1] != n:
            raise ValueError(
                f"rates.{cp.index}: expected {n} periods (a path or one path per scenario), got "
                f"shape {path.shape}"
            )
        held = path[..., (np.arange(n) // cp.reset_periods) * cp.reset_periods]
        rate = np.clip(held + shift + cp.spread, cp.floor, cp.cap)
        cols.append(np.maximum(rate, 0.0))
    if given:
        raise ValueError(f"rates: {sorted(given)[0]!r} is the index of no floating tranche")
    return np.stack(
        np.broadcast_arrays(*[np.broadcast_to(c, c.shape[:-1] + (n,)) for c in cols]), axis=-1
    )


class _Plan:
    """The deal read once into plain lists and arrays the period loop can use cheaply."""

    def __init__(self, deal, n_periods: int, coupons: np.ndarray):
        ts = deal.ordered_tranches
        self.names = tuple(t.name for t in ts)
        self.index = {t.name: k for k, t in enumerate(ts)}
        self.fee_index = {f.name: i for i, f in enumerate(deal.fees)}
        self.balance0 = [float(t.balance) for t in ts]
        self.coupon_rates = coupons
        self.price = [float(t.issue_price) for t in ts]
        self.fixed_return = [float(t.fixed_return) for t in ts]
        self.on_outstanding = [
            getattr(t, "fixed_return_base", "initial") == "outstanding" for t in ts
        ]
        self.top = [k for k, t in enumerate(ts) if t.seniority == ts[0].seniority]
        self.schedule = [
            None if t.amortisation == "pass_through" else np.cumsum(t.amortisation).tolist()
            for t in ts
        ]
        self.fees = list(deal.fees)
        self.senior_fees = [i for i, f in enumerate(self.fees) if f.position == "senior"]
        # next period's senior fees for the reserve target: fixed amounts (capped) and note-balance
        # rates
        self.target_fixed = sum(
            f.amount if f.cap is None else min(f.amount, f.cap)
            for f in self.fees
            if f.position == "senior" and f.basis == "fixed"
        )
        self.target_rate = sum(
            f.rate for f in self.fees if f.position == "senior" and f.basis == "notes_balance"
        )
        self.frac = deal.accrual_fractions(n_periods).tolist()
        self.times = deal.period_times(n_periods)
        self.reserve_multiple = float(deal.reserve.multiple)
        self.reserve0 = float(deal.reserve.initial)
        self.incentive_share = float(deal.incentive_fee_share)
        self.pre, self.post = deal.orders()
        # triggers as (name, test, threshold, effect); today's default event is one of them
        self.triggers = [(t.name, t.test, float(t.threshold), t.effect) for t in deal.triggers]
        if deal.default_event == "senior_interest":
            self.triggers.append(
                ("default_event", "senior_interest_unpaid", 0.0, "post_default_order")
            )
        # facility, guarantee and excess-spread account: (name, kind, limit, covers, fee, interest)
        self.supports: list[tuple[Any, ...]] = (
            [
                (
                    m.name,
                    kind,
                    float(m.limit),
                    tuple(m.covers),
                    float(m.fee_rate),
                    float(m.interest_rate),
                )
                for kind, m in deal.supports()
            ]
            if hasattr(deal, "supports")
            else []
        )
        self.support_index = {x[0]: j for j, x in enumerate(self.supports)}
        self.rest: list = []  # collections after each period, for a clean-up call (set per run)
        self.base_cum = None
        if any(t[1] == "cumulative_collections_ratio" for t in self.triggers):
            base = np.asarray(deal.base_collections(), float)
            if base.size != n_periods:
                raise ValueError(
                    f"triggers: cumulative_collections_ratio compares with a {base.size}-period "
                    f"base case, the collections have {n_periods} periods"
                )
            self.base_cum = np.cumsum(base).tolist()


def run_waterfall(
    deal, collections, *, rates=None, rate_shift=0.0, support_limits=None
) -> WaterfallResult:
    """Run the deal's waterfall on collections of shape (periods,) or (scenarios, periods).

    ``collections`` are net collections per period (currency units, >= 0). If the deal states
    ``legal_maturity_periods`` the number of periods must match it. ``rates`` and ``rate_shift``
    set the coupons (:func:`coupon_paths`); index paths or shifts per scenario make one scenario
    each (collections of one row are repeated for them). ``support_limits`` replaces the limit of a
    facility, guarantee or account by name (a number, or one per scenario: e.g. 0 where the
    guarantor has defaulted).
    """
    c, plan = _prepared(deal, collections, rates, rate_shift, support_limits)
    rec = _run(plan, c)
    cp = plan.coupon_rates
    return WaterfallResult(
        tranche_names=plan.names,
        fee_names=tuple(f.name for f in plan.fees),
        trigger_names=tuple(t[0] for t in plan.triggers),
        support_names=tuple(x[0] for x in plan.supports),
        senior_fee_mask=tuple(f.position == "senior" for f in plan.fees),
        rating_basis=rating_bases(deal),
        initial_balance=np.array(plan.balance0),
        coupon=cp.reshape(-1, cp.shape[-1]).mean(axis=0),
        issue_price=np.array(plan.price),
        period_times=plan.times,
        coupon_rates=cp,
        **{name: rec[name] for name in _Engine.RECORDS},
    )


def _prepared(deal, collections, rates, rate_shift, limits=None) -> tuple[np.ndarray, _Plan]:
    c = _checked(deal, collections)
    n = c.shape[-1]
    cp = coupon_paths(deal, n, rates, rate_shift)
    if cp.ndim == 3:  # coupons per scenario
        if c.ndim == 1 or c.shape[0] == 1:
            c = np.repeat(c.reshape(1, n), cp.shape[0], axis=0)
        elif cp.shape[0] == 1:
            cp = cp[0]
        elif cp.shape[0] != c.shape[0]:
            raise ValueError(
                f"rates: {cp.shape[0]} rate scenarios for {c.shape[0]} collection scenarios"
            )
    plan = _Plan(deal, n, cp)
    for name, value in (limits or {}).items():
        if name not in plan.support_index:
            raise ValueError(f"support_limits: {name!r} is no facility, guarantee or account")
        v = chk.nonnegative(value, f"support_limits.{name}")
        if v.ndim and (c.ndim != 2 or v.shape != (c.shape[0],)):
            raise ValueError(
                f"support_limits.{name}: expected a number or one per scenario, got {v.shape}"
            )
        j = plan.support_index[name]
        x = plan.supports[j]
        plan.supports[j] = (x[0], x[1], v if v.ndim else float(v), *x[3:])
    return c, plan


def _checked(deal, collections) -> np.ndarray:
    c = chk.nonnegative(collections, "collections")
    if c.ndim not in (1, 2) or c.shape[-1] == 0:
        raise ValueError(
            f"collections: expected shape (periods,) or (scenarios, periods), got {c.shape}"
        )
    n = c.shape[-1]
    limits.check("max_periods", n, "collections: periods")
    if deal.legal_maturity_periods is not None and n != deal.legal_maturity_periods:
        raise ValueError(
            f"collections: expected {deal.legal_maturity_periods} periods (to legal maturity), "
            f"got {n}"
        )
    for t in deal.ordered_tranches:
        if t.amortisation != "pass_through" and len(t.amortisation) != n:
            raise ValueError(
                f"collections: tranche {t.name} has a {len(t.amortisation)}-period schedule, "
                f"collections have {n} periods"
            )
    return c


def unpaid_at_maturity(deal, collections, *, rates=None, rate_shift=0.0) -> np.ndarray:
    """Principal plus interest still unpaid after the last period, per tranche: ([scenarios,]
    tranches); for a tranche rated on a "timely" basis (:func:`rating_bases`) plus the largest
    interest it missed on any payment date (:attr:`WaterfallResult.unpaid`).

    The same engine as :func:`run_waterfall`, keeping only the final period (memory independent of
    the number of periods): the fast path for break-even searches and stress tests.
    """
    c, plan = _prepared(deal, collections, rates, rate_shift)
    rec = _run(plan, c, last_only=True)
    return _unpaid(
        rec["balance"][..., -1, :],
        rec["interest_due"][..., -1, :] - rec["interest_paid"][..., -1, :],
        rec["interest_missed"][..., -1, :],
        rating_bases(deal),
    )


def _unpaid(principal, interest, missed, bases) -> np.ndarray:
    """Principal and interest unpaid at maturity, plus the interest missed where the basis is
    timely."""
    timely = np.array([b == "timely" for b in bases], dtype=bool)
    if bases and timely.any():
        return principal + interest + np.where(timely, missed, 0.0)
    return principal + interest


def rating_bases(deal) -> tuple[str, ...]:
    """Each tranche's rating basis, most senior first: its ``rating_basis`` when set, else
    "timely" for the most senior tranche (first in payment order) and "ultimate" for the others.

    "timely": every payment date's interest is paid in full on that date and principal by legal
    maturity; "ultimate": principal and interest by legal maturity."""
    out = []
    for k, t in enumerate(deal.ordered_tranches):
        basis = getattr(t, "rating_basis", None)
        out.append(basis if basis is not None else ("timely" if k == 0 else "ultimate"))
    return tuple(out)


class _Engine:
    """Period loop. Values are floats (one scenario) or numpy vectors (one entry per scenario)."""

    # state of the current period, set by run(): floats or (scenarios,) arrays (Any: both occur)
    t: int
    n: int
    in_post: Any
    final: Any
    turbo: Any
    stop_fee: Any
    cash: Any
    r_out: Any
    r_in: Any
    incentive: Any
    cx: Any
    fee_due: list
    fees_paid: list
    no_fees_due: list
    no_fees_paid: list
    int_paid: list
    prin_paid: list
    ret_paid: list
    defaulted: Any
    called: Any
    cum_coll: Any
    target: Any

    def __init__(self, plan: _Plan, c: np.ndarray):
        self.p = plan
        self.vector = c.ndim == 2
        S = int(c.shape[0]) if self.vector else 0
        zero = (lambda: np.zeros(S)) if self.vector else (lambda: 0.0)
        self.zero = zero
        self.false = np.zeros(S, dtype=bool) if self.vector else False
        self.mn = np.minimum if self.vector else min
        self.mx = np.maximum if self.vector else max
        # collections by period: a list of floats, or a list of (S,) columns
        self.coll = list(c.T) if self.vector else c.tolist()
        self.coll_array = c
        cp = plan.coupon_rates  # coupons by period: lists of K floats, or of K (S,) columns
        self.cpn = cp.tolist() if cp.ndim == 2 else [list(m) for m in cp.transpose(1, 2, 0)]
        # each fee's new amount in period t is A[t][i] + B[i] x (notes outstanding) + C[i] x
        # accrual x notes
        zeros = [0.0] * len(plan.fees)
        B = [f.amount if f.basis == "fixed" else 0.0 for f in plan.fees]
        self.fee_C = [f.rate if f.basis == "notes_balance" else 0.0 for f in plan.fees]
        coll_rates = [f.rate if f.basis == "collections" else 0.0 for f in plan.fees]
        self.fee_A = (
            [[r * x if r else 0.0 for r in coll_rates] for x in self.coll]
            if any(coll_rates)
            else [zeros] * len(self.coll)
        )
        self.fee_B = B
        self.capped = [
            (i, f.cap)
            for i, f in enumerate(plan.fees)
            if f.position == "senior" and f.cap is not None
        ]
        self.junior_fees = [i for i, f in enumerate(plan.fees) if f.position != "senior"]
        self.capped_senior = {i for i, _ in self.capped}
        K, F = len(plan.names), len(plan.fees)
        self.bal = [b + zero() for b in plan.balance0]
        self.int_due = [zero() for _ in range(K)]
        self.ret_due = [zero() for _ in range(K)]
        self.missed = [zero() for _ in range(K)]  # largest interest unpaid after a payment date
        self.prin_paid_cum = [zero() for _ in range(K)]
        self.fee_excess_due = [zero() for _ in range(F)]
        self.reserve = plan.reserve0 + zero()
        self.target = zero()
        self.hit = [self.false for _ in plan.triggers]
        self.called = self.false
        self.cum_coll = zero()
        J = len(plan.supports)
        self.s_in: list = []  # per period, set when the deal has supports
        self.s_out: list = []
        self.s_bal = [zero() for _ in range(J)]  # drawn (facility, guarantee) or balance (account)
        self.s_used = [zero() for _ in range(J)]  # drawn over the deal's life (a guarantee's cap)
        self.s_fee = [zero() for _ in range(J)]  # fees and interest owed
        self.by_effect = {
            e: [i for i, t in enumerate(plan.triggers) if t[3] == e]
            for e in (
                "post_default_order",
                "sequential_turbo",
                "stop_incentive_fee",
                "clean_up_call",
            )
        }
        self.only_post = all(t[3] == "post_default_order" for t in plan.triggers)
        self.turbo = self.stop_fee = False  # arrays only where a trigger can set them
        self.tests = [(getattr(self, "_" + t[1]), t[2]) for t in plan.triggers]
        self.steps = {"pre": self._compile(plan.pre), "post": self._compile(plan.post)}
        # collections still to come after each period: what the remaining pool is worth to a buyer
        self.rest = _remaining(c) if self.by_effect["clean_up_call"] else []

    def _compile(self, order):
        p = self.p
        named = {p.fee_index[s.partition(":")[2]] for s in order if s.startswith("fee:")}
        senior = [i for i in p.senior_fees if i not in named]
        args = {
            "senior_fees": (senior, len(senior) == len(p.senior_fees)),
            "fee_excess": [
                i for i, f in enumerate(p.fees) if f.position == "senior" or i not in named
            ],
        }
        out = []
        arg: Any
        for step in order:
            kind, _, name = step.partition(":")
            if kind == "fee":
                arg = p.fee_index[name]
            elif kind in ("draw", "repay", "trap"):
                arg = p.support_index[name]
            else:
                arg = p.index.get(name, args.get(kind))
            out.append((getattr(self, "_" + kind), arg))
        return out

    def _any(self, indices):
        """Whether any of these triggers is in force (bool, or a bool vector per scenario)."""
        if not indices:
            return self.false
        if not self.vector:
            return any(self.hit[i] for i in indices)
        out = self.hit[indices[0]]
        for i in indices[1:]:
            out = out | self.hit[i]
        return out

    # -- steps: each pays out of self.cash; ``act`` is None (all active) or a 0/1 mask
    # ---------------

    def _pay(self, due, act):
        pay = self.mn(due, self.cash)
        if act is not None:
            pay = pay * act
        self.cash = self.cash - pay
        return pay

    def _pay_with_reserve(self, due, act):
        """Pay from cash, then cover the shortfall from the reserve (senior fees, senior
        interest)."""
        paid = self._pay(due, act)
        if self.vector or due - paid > 0.0:
            draw = self.mn(due - paid, self.reserve)
            if act is not None:
                draw = draw * act
            self.reserve = self.reserve - draw
            self.r_out = self.r_out + draw
            paid = paid + draw
        return paid

    def _blocked(self, block, act):
        """``act`` with the scenarios where ``block`` holds switched off (None: nothing blocked)."""
        if not self.vector:
            return None if not block else 0.0
        if block is False or not block.any():
            return act
        keep = 1.0 - block
        return keep if act is None else act * keep

    def _senior_fees(self, arg, act):
        which, every = arg
        due, out = self.fee_due, self.fees_paid
        # one scenario with cash for every fee: pay them all at once
        if not self.vector and every and sum(due) <= self.cash:
            cash = self.cash
            for d in due:  # one at a time: the roundings of "fee:<name>" steps
                cash -= d
            self.cash = cash
            self.fees_paid = due if out is self.no_fees_paid else [a + b for a, b in zip(out, due)]
            self.fee_due = self.no_fees_due
            return
        due = self.fee_due = list(due)  # fresh lists: the period's records and markers keep theirs
        out = self.fees_paid = list(out)
        for i in which:
            paid = self._pay_with_reserve(due[i], act)
            due[i] = due[i] - paid
            out[i] = out[i] + paid

    def _fee(self, i, act):
        """One fee at its own position: its senior amount (the reserve covers a shortfall), or
        for a subordinated fee everything it is owed."""
        out = self.fees_paid = list(self.fees_paid)
        if self.p.fees[i].position == "senior":
            due = self.fee_due = list(self.fee_due)
            paid = self._pay_with_reserve(due[i], act)
            due[i] = due[i] - paid
        else:
            excess = self.fee_excess_due
            paid = self._pay(excess[i], act)
            excess[i] = excess[i] - paid
        out[i] = out[i] + paid

    def _fee_excess(self, which, act):
        due, out = self.fee_excess_due, self.fees_paid
        if not self.vector and (self.cash <= 0.0 or not any(due)):
            return
        out = self.fees_paid = list(out)
        for i in which:
            if self.vector or due[i] > 0.0:
                paid = self._pay(due[i], act)
                due[i] = due[i] - paid
                out[i] = out[i] + paid
                if i in self.capped_senior:  # paid below the senior fees: not a senior fee
                    self.cx = self.cx + paid

    def _reserve(self, _, act):
        p = self.p
        target: Any
        final_array = isinstance(self.final, np.ndarray)
        if (
            self.in_post is True
            or (not final_array and self.final)
            or (not self.vector and self.in_post)
        ):  # released in full
            target = 0.0
        else:
            frac = p.frac[self.t + 1] if self.t + 1 < self.n else 0.0
            bal = self.bal
            notes = sum(bal)
            cpn = self.cpn[min(self.t + 1, self.n - 1)]
            fees = p.target_fixed * (notes > EPS) + p.target_rate * frac * notes
            interest = sum([bal[k] * cpn[k] for k in p.top]) * frac
            target = p.reserve_multiple * (fees + interest)
            if final_array:
                target = np.where(self.final, 0.0, target)
        self.target = target
        if not self.vector:  # one scenario: plain comparisons
            gap = target - self.reserve
            move = gap if gap < 0.0 else (gap if gap < self.cash else self.cash)
            self.reserve += move
            self.cash -= move
            if move < 0.0:
                self.r_out = self.r_out - move
            else:
                self.r_in = self.r_in + move
            return
        release = self.mx(self.reserve - target, 0.0)
        topup = self.mn(self.mx(target - self.reserve, 0.0), self.cash)
        if act is not None:
            release, topup = release * act, topup * act
        self.reserve = self.reserve - release + topup
        self.cash = self.cash + release - topup
        self.r_out = self.r_out + release
        self.r_in = self.r_in + topup

    def _interest(self, k, act):
        due = self.int_due[k]
        paid = self._pay_with_reserve(due, act) if k in self.p.top else self._pay(due, act)
        self.int_due = list(self.int_due)  # the period's record keeps the amounts due at its start
        self.int_due[k] = due - paid
        self.int_paid[k] = self.int_paid[k] + paid

    def _principal(self, k, act):
        if not self.vector and self.cash <= 0.0:  # one scenario with no cash left: nothing to pay
            return
        sched = self.p.schedule[k]
        if sched is None or self.in_post is True:
            due = self.bal[k]
        else:
            full = self.final | self.turbo
            if not isinstance(full, np.ndarray) and full:
                due = self.bal[k]
            else:
                due = self.mn(self.mx(sched[self.t] - self.prin_paid_cum[k], 0.0), self.bal[k])
                if isinstance(full, np.ndarray):
                    due = np.where(full, self.bal[k], due)
        paid = self._pay(due, act)
        self.bal[k] = self.bal[k] - paid
        self.prin_paid_cum[k] = self.prin_paid_cum[k] + paid
        self.prin_paid[k] = self.prin_paid[k] + paid

    def _fixed_return(self, k, act):
        if not self.vector and (self.cash <= 0.0 or self.turbo):
            return
        paid = self._pay(self.ret_due[k], self._blocked(self.turbo, act))
        self.ret_due[k] = self.ret_due[k] - paid
        self.ret_paid[k] = self.ret_paid[k] + paid

    def _incentive_fee(self, _, act):
        if not self.vector and (self.cash <= 0.0 or self.stop_fee):
            return
        fee = self.p.incentive_share * self.cash
        act = self._blocked(self.stop_fee, act)
        if act is not None:
            fee = fee * act
        self.cash = self.cash - fee
        self.incentive = self.incentive + fee

    def _effects(self, has_call: bool):
        """Set this period's trigger effects; return (post-default order in force, call now)."""
        by = self.by_effect
        if self.only_post:  # the common case: the default event alone
            self.final = self.t == self.n - 1
            return self._any(by["post_default_order"]), self.false
        self.turbo = self._any(by["sequential_turbo"])
        self.stop_fee = self._any(by["stop_incentive_fee"]) | self.turbo
        call_now = self._any(by["clean_up_call"]) & ~self.called if has_call else self.false
        # the last period: legal maturity, or a call (set once the call is known to be economic)
        self.final = self.t == self.n - 1
        return self._any(by["post_default_order"]), call_now

    def _pay_period(self, defaulted, pre, post) -> None:
        """Run the period's steps: the pre-default order, or the post-default order where a
        default event is in force (masked scenario by scenario)."""
        if not self.vector:
            self.in_post = defaulted
            for fn, arg in post if defaulted else pre:
                fn(arg, None)
        elif not defaulted.any():
            self.in_post = False
            for fn, arg in pre:
                fn(arg, None)
        else:
            post_mask = defaulted.astype(float)
            self.in_post = False
            for fn, arg in pre:
                fn(arg, 1.0 - post_mask)
            self.in_post = True
            for fn, arg in post:
                fn(arg, post_mask)

    def _accrue_returns(self, frac, on_initial: list, outstanding: list) -> None:
        """Fixed returns accrue on the initial balance, or on principal outstanding."""
        ret = list(on_initial)
        for k in outstanding:
            ret[k] = self.bal[k] * self.p.fixed_return[k]
        self.ret_due = [d + r * frac for d, r in zip(self.ret_due, ret)]

    def _accrue_fees(self, frac, fee_A) -> None:
        """The period's new fees: senior amounts (capped) join ``fee_due``, the excess over a cap
        and subordinated fees join ``fee_excess_due``."""
        notes = sum(self.bal)
        accrual_notes = frac * notes
        new = [
            a + b * (notes > EPS) + r * accrual_notes
            for a, b, r in zip(fee_A, self.fee_B, self.fee_C)
        ]
        excess = self.fee_excess_due
        for i, cap in self.capped:
            capped = self.mn(new[i], cap)
            excess[i] = excess[i] + (new[i] - capped)
            new[i] = capped
        for i in self.junior_fees:
            excess[i] = excess[i] + new[i]
            new[i] = 0.0
        self.fee_due = (
            new if self.fee_due is self.no_fees_due else [d + x for d, x in zip(self.fee_due, new)]
        )

    # -- triggers
    # ------------------------------------------------------------------------------------

    # -- facility, guarantee, excess-spread account
    # ---------------------------------------------------------------

    def _covered(self, covers):
        """What the covered items need now, and the part the reserve may pay (fees, interest)."""
        p = self.p
        need: Any = 0.0
        res: Any = 0.0
        if "senior_fees" in covers:
            fees = sum([self.fee_due[i] for i in p.senior_fees])
            need, res = need + fees, res + fees
        if "senior_interest" in covers:
            interest = sum([self.int_due[k] for k in p.top])
            need, res = need + interest, res + interest
        if "senior_principal" in covers:  # when due: scheduled, or all at the last payment date
            for k in p.top:
                sched, bal = p.schedule[k], self.bal[k]
                due: Any = 0.0
                if sched is not None and self.in_post is not True:
                    due = self.mn(self.mx(sched[self.t] - self.prin_paid_cum[k], 0.0), bal)
                need = need + (
                    np.where(self.final, bal, due) if self.vector else (bal if self.final else due)
                )
        return need, res

    def _accrue_supports(self, frac, Z) -> None:
        """Commitment fees while notes are outstanding, interest on what is drawn."""
        J = len(self.p.supports)
        self.s_in, self.s_out = [Z] * J, [Z] * J
        for j, (_, _, limit, _, fee, rate) in enumerate(self.p.supports):
            if fee or rate:
                live = sum(self.bal) > EPS
                self.s_fee[j] = self.s_fee[j] + (fee * limit * live + rate * self.s_bal[j]) * frac

    def _draw(self, j, act):
        _, kind, limit, covers, _, _ = self.p.supports[j]
        need, res = self._covered(covers)
        short = self.mx(need - self.cash - self.mn(self.reserve, res), 0.0)
        if kind == "excess_spread_account":
            avail = self.s_bal[j]
        elif kind == "guarantee":
            avail = self.mx(limit - self.s_used[j], 0.0)
        else:
            avail = self.mx(limit - self.s_bal[j], 0.0)
        draw = self.mn(short, avail)
        if act is not None:
            draw = draw * act
        self.cash = self.cash + draw
        if kind == "excess_spread_account":
            self.s_bal[j] = self.s_bal[j] - draw
        else:
            self.s_bal[j] = self.s_bal[j] + draw
            self.s_used[j] = self.s_used[j] + draw
        self.s_in[j] = self.s_in[j] + draw

    def _repay(self, j, act):
        fees = self._pay(self.s_fee[j], act)
        self.s_fee[j] = self.s_fee[j] - fees
        drawn = self._pay(self.s_bal[j], act)
        self.s_bal[j] = self.s_bal[j] - drawn
        self.s_out[j] = self.s_out[j] + (fees + drawn)

    def _trap(self, j, act):
        """Trap cash up to the target; at the last payment date release the balance instead."""
        limit = self.p.supports[j][2]
        final = self.final
        release = (
            np.where(final, self.s_bal[j], 0.0)
            if self.vector
            else (self.s_bal[j] if final else 0.0)
        )
        move = self.mn(self.mx(limit - self.s_bal[j], 0.0), self.cash)
        move = np.where(final, 0.0, move) if self.vector else (0.0 if final else move)
        if act is not None:
            release, move = release * act, move * act
        self.cash = self.cash + release - move
        self.s_bal[j] = self.s_bal[j] - release + move
        self.s_in[j] = self.s_in[j] + release
        self.s_out[j] = self.s_out[j] + move

    # each test at the end of the current period: hit (bool, or a bool per scenario)

    def _senior_interest_unpaid(self, threshold):
        return sum([self.int_due[k] for k in self.p.top]) > max(threshold, EPS)

    def _notes_below(self, threshold):
        return sum(self.bal) < threshold * sum(self.p.balance0)

    def _reserve_below_target(self, threshold):
        return self.reserve < threshold * self.target - EPS

    def _cumulative_collections_ratio(self, threshold):
        assert self.p.base_cum is not None  # the plan read the base case
        base = self.p.base_cum[self.t]
        return (self.cum_coll < threshold * base) & (base > EPS)

    # -- the loop
    # ------------------------------------------------------------------------------------

    RECORDS = (
        "interest_due",
        "interest_paid",
        "principal_paid",
        "fixed_return_paid",
        "balance",
        "fees_paid",
        "reserve_balance",
        "reserve_release",
        "reserve_topup",
        "incentive_fee",
        "residual",
        "capped_excess_paid",
        "call_proceeds",
        "collections",
        "support_in",
        "support_out",
        "support_balance",
        "interest_missed",
        "default_event",
        "trigger_states",
    )

    def run(self, last_only: bool = False) -> dict:
        """Run every period; return the records named in RECORDS as arrays ([scenarios,] periods[,
        width]);
        ``last_only`` keeps the final period alone."""
        p = self.p
        call: Any
        K, F = len(p.names), len(p.fees)
        Z = self.zero()
        self.n = len(self.coll)
        pre, post = self.steps["pre"], self.steps["post"]
        by = self.by_effect
        # markers for "nothing owed / nothing paid yet" lists, so the common case skips list
        # arithmetic
        self.no_fees_due = self.fee_due = [Z] * F
        self.no_fees_paid = [Z] * F
        accrued_return = [b * r for b, r in zip(p.balance0, p.fixed_return)]
        has_return = any(accrued_return)
        outstanding = [k for k in range(K) if p.on_outstanding[k] and p.fixed_return[k]]
        has_call = bool(by["clean_up_call"])
        rows: list = []
        flags: list = []  # default event and trigger states: kept as booleans, not as floats
        for t in range(self.n):
            self.t = t
            frac = p.frac[t]
            in_force = list(self.hit)  # triggers hit at an earlier period end
            defaulted, call_now = self._effects(has_call)
            coll, fee_A = self.coll[t], self.fee_A[t]
            if has_call and np.any(self.called):
                keep = 1.0 - self.called  # after the call, collections belong to the buyer
                coll, fee_A = coll * keep, [a * keep for a in fee_A]
            self._accrue_fees(frac, fee_A)
            cpn = self.cpn[t]
            self.int_due = [d + b * cp * frac for d, b, cp in zip(self.int_due, self.bal, cpn)]
            if has_return:
                self._accrue_returns(frac, accrued_return, outstanding)
            if p.supports:
                self._accrue_supports(frac, Z)
            interest_due = self.int_due
            call = Z
            if has_call:  # the seller pays notes and interest, if the pool left is worth it
                price = sum(self.bal) + sum(self.int_due)
                call_now = call_now & (self.rest[t] >= price)
                self.final = self.final | call_now
                call = price * call_now
            self.cash = coll + call if has_call else coll
            if p.base_cum is not None:  # a collections-ratio trigger keeps count
                self.cum_coll = self.cum_coll + coll
            self.r_out = self.r_in = self.incentive = self.cx = (
                Z  # shared zero: values are replaced, never mutated
            )
            self.int_paid, self.prin_paid, self.ret_paid = [Z] * K, [Z] * K, [Z] * K
            self.fees_paid = self.no_fees_paid
            self._pay_period(defaulted, pre, post)
            self.missed = [self.mx(m, d) for m, d in zip(self.missed, self.int_due)]
            if has_call:
                self.called = self.called | call_now
            hit = self.hit
            for i, (test, threshold) in enumerate(self.tests):
                if has_call:  # once called the trust is over: no test runs again
                    cond = test(threshold)
                    hit[i] = hit[i] | (
                        cond & ~self.called if self.vector else cond and not self.called
                    )
                else:
                    hit[i] = hit[i] | test(threshold)
            if last_only and t < self.n - 1:
                continue
            rows.append(
                interest_due
                + self.int_paid
                + self.prin_paid
                + self.ret_paid
                + self.bal
                + self.fees_paid
                + [self.reserve, self.r_out, self.r_in, self.incentive, self.cash, self.cx]
                + ([call, coll] if has_call else [])
                + self.s_in
                + self.s_out
                + self.s_bal
                + self.missed
            )
            flags.append([defaulted, *in_force])
        return _records(rows, flags, p, self.vector, self.coll_array)


def _records(rows: list, flags: list, plan: _Plan, vector: bool, c: np.ndarray) -> dict:
    """The period rows (periods, columns[, scenarios]) split into the records, in RECORDS order.

    Rows hold the amounts; ``flags`` the default event and trigger states. The clean-up call's
    proceeds and the trust's collections are columns only when a call can happen (else zeros and
    the collections given)."""
    K, F, J = len(plan.names), len(plan.fees), len(plan.supports)
    has_call = any(t[3] == "clean_up_call" for t in plan.triggers)
    table = np.asarray(rows, dtype=float)  # (periods, columns[, scenarios])
    state = np.asarray(flags, dtype=bool)
    if vector:
        table, state = np.moveaxis(table, -1, 0), np.moveaxis(state, -1, 0)
    names = [n for n in _Engine.RECORDS if n not in _FLAGS]
    if not has_call:
        names = [n for n in names if n not in ("call_proceeds", "collections")]
    widths = (
        dict.fromkeys(names[:5], K)
        | {"fees_paid": F, "interest_missed": K}
        | dict.fromkeys(_SUPPORT_RECORDS, J)
    )
    out, a = {}, 0
    for name in names:
        w = widths.get(name)
        out[name] = table[..., a : a + w] if w is not None else table[..., a]
        a += 1 if w is None else w
    if not has_call:
        out["call_proceeds"] = np.zeros(table.shape[:-1])
        out["collections"] = c[..., c.shape[-1] - table.shape[-2] :].copy()
    out["default_event"], out["trigger_states"] = state[..., 0], state[..., 1:]
    return out


_FLAGS = ("default_event", "trigger_states")
_SUPPORT_RECORDS = ("support_in", "support_out", "support_balance")


def _remaining(c: np.ndarray) -> list:
    """Collections after each period (periods,) as floats, or as (scenarios,) columns."""
    rest = c[..., ::-1].cumsum(axis=-1)[..., ::-1] - c
    return rest.tolist() if rest.ndim == 1 else list(rest.T)


def _run(plan: _Plan, c: np.ndarray, last_only: bool = False) -> dict:
    """The records of a run: one scenario by the loop generated for the deal
    (:mod:`._scalar`, bit for bit the engine's one-scenario branch), many by the vector engine."""
    if c.ndim == 2:
        return _Engine(plan, c).run(last_only)
    cp = plan.coupon_rates
    plan.rest = _remaining(c) if any(t[3] == "clean_up_call" for t in plan.triggers) else []
    rows, flags = scalar_runner(plan)(plan, c.tolist(), cp.tolist(), last_only)
    return _records(rows, flags, plan, False, c)
