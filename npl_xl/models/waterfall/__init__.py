"""Cash-flow waterfall of an NPL ABS deal, for one scenario or vectorised over scenarios.

``run_waterfall(deal, collections)`` pays each period's collections down the deal's priority of
payments (``deal.orders()``: editable lists of steps, one before and one after a default event).
``deal`` is any object shaped like :class:`npl_xl.deal.Deal` (this layer does not import it).

One source for every run. Each payment step (fees, interest, principal, reserve, draw, repay,
trap, incentive fee, ...) is written once, in :mod:`.steps`, as a template of source lines over a
few primitives (min, max, where, pay, mask). :mod:`.compile` writes the deal's whole period loop
from its orders (accruals, trigger effects, the clean-up call, the steps, the trigger tests,
the records) and compiles it once per deal structure, in one of two dialects of the same
source: plain Python on floats for one scenario (straight-line code on locals, at the speed of a
hand-written loop), numpy on vectors for many (one pass per period over all scenarios; scenarios
after a default event run the post-default order under a 0/1 mask). :mod:`.plan` reads the deal
once (named records for triggers and supports); :mod:`.result` holds what a run returns.

Conventions (docs/methodology.md §6): interest due = balance x coupon x accrual fraction, plus
arrears; senior fees and the most senior tranche's interest draw on the liquidity reserve when
cash runs short; fixed and note-balance fees are due while notes are outstanding, collection-based
fees always; unpaid amounts carry forward; principal unpaid after the last period is the loss;
what is left after the last step is the residual, paid to the most junior tranche's holders.
Cash identity each period: collections + reserve release + call proceeds + draws and releases =
payments + reserve top-up + repayments and traps + residual.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

import numpy as np

from .compile import runner
from .plan import EPS, Support, Trigger, _Plan, _prepared, coupon_paths, rating_bases
from .result import TrancheMetrics, WaterfallResult, _unpaid, irr

__all__ = [
    "WaterfallResult",
    "TrancheMetrics",
    "run_waterfall",
    "unpaid_at_maturity",
    "rating_bases",
    "coupon_paths",
    "irr",
    "EPS",
    "RECORDS",
    "Support",
    "Trigger",
]

#: what a run records, per period (the fields of WaterfallResult a run fills)
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
        trigger_names=tuple(t.name for t in plan.triggers),
        support_names=tuple(x.name for x in plan.supports),
        senior_fee_mask=tuple(f.position == "senior" for f in plan.fees),
        rating_basis=rating_bases(deal),
        initial_balance=np.array(plan.balance0),
        coupon=cp.reshape(-1, cp.shape[-1]).mean(axis=0),
        issue_price=np.array(plan.price),
        period_times=plan.times,
        coupon_rates=cp,
        **{name: rec[name] for name in RECORDS},
    )


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


def _records(rows: Any, flags: Any, plan: _Plan, vector: bool, c: np.ndarray) -> dict:
    """The period rows split into the records, in RECORDS order.

    Many scenarios: ``rows`` the amounts (periods, columns, scenarios), ``flags`` the default
    event and trigger states (periods, lists of (scenarios,)). One scenario: ``rows`` per period
    the amounts, then the flags (as 0/1). The clean-up call's proceeds and the trust's collections
    are columns only when a call can happen (else zeros and the collections given)."""
    K, F, J = len(plan.names), len(plan.fees), len(plan.supports)
    has_call = _has_call(plan)
    if vector:
        table = np.moveaxis(rows, -1, 0)
        state = np.moveaxis(np.asarray(flags, dtype=bool), -1, 0)
    else:  # the rows' numbers read in one pass
        width = len(rows[0])
        table = np.fromiter(chain.from_iterable(rows), float, len(rows) * width)
        table = table.reshape(len(rows), width)
        split = width - 1 - len(plan.triggers)
        table, state = table[:, :split], table[:, split:] != 0.0
    names = [n for n in RECORDS if n not in _FLAGS]
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


def _has_call(plan: _Plan) -> bool:
    return any(t.effect == "clean_up_call" for t in plan.triggers)


def _run(plan: _Plan, c: np.ndarray, last_only: bool = False) -> dict:
    """The records of a run: the deal's compiled loop (:mod:`.compile`) on floats for one
    scenario, on numpy vectors for collections of shape (scenarios, periods)."""
    vector = c.ndim == 2
    cp = plan.coupon_rates
    plan.rest = _remaining(c) if _has_call(plan) else []
    if vector:
        coll = list(c.T)
        cpn = cp.tolist() if cp.ndim == 2 else [list(m) for m in cp.transpose(1, 2, 0)]
    else:
        coll, cpn = c.tolist(), cp.tolist()
    run = runner(plan, vector)
    rows, flags = run(plan, coll, cpn, last_only, c.shape[0] if vector else 0)
    return _records(rows, flags, plan, vector, c)
