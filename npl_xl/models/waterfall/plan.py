"""The deal read once for the period loop (:class:`_Plan`), the coupon paths, and the checks of a
run's inputs."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from ... import limits
from .. import _checks as chk

#: tolerance (currency units) below which an unpaid amount counts as paid
EPS = 1e-7


class Trigger(NamedTuple):
    """A trigger: ``test`` at each period end against ``threshold``; once hit, ``effect``."""

    name: str
    test: str
    threshold: float
    effect: str


class Support(NamedTuple):
    """A liquidity facility, guarantee or excess-spread account. ``limit`` (currency units, or one
    per scenario), ``covers`` (items it pays), ``fee_rate`` (annual, on the limit, while notes are
    outstanding) and ``interest_rate`` (annual, on what is drawn)."""

    name: str
    kind: str
    limit: Any
    covers: tuple
    fee_rate: float
    interest_rate: float


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
        out = np.empty((n, len(row)))
        out[:] = row
        return out
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
        # the deal's triggers; the default event is one of them
        self.triggers = [
            Trigger(t.name, t.test, float(t.threshold), t.effect) for t in deal.triggers
        ]
        if deal.default_event == "senior_interest":
            self.triggers.append(
                Trigger("default_event", "senior_interest_unpaid", 0.0, "post_default_order")
            )
        # facility, guarantee and excess-spread account
        self.supports: list[Support] = (
            [
                Support(
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
        self.support_index = {x.name: j for j, x in enumerate(self.supports)}
        self.accounts = [
            j for j, x in enumerate(self.supports) if x.kind == "excess_spread_account"
        ]
        self.rest: list = []  # collections after each period, for a clean-up call (set per run)
        self.base_cum = None
        if any(t.test == "cumulative_collections_ratio" for t in self.triggers):
            base = np.asarray(deal.base_collections(), float)
            if base.size != n_periods:
                raise ValueError(
                    f"triggers: cumulative_collections_ratio compares with a {base.size}-period "
                    f"base case, the collections have {n_periods} periods"
                )
            self.base_cum = np.cumsum(base).tolist()


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
        plan.supports[j] = plan.supports[j]._replace(limit=v if v.ndim else float(v))
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
