"""What a waterfall run returns: :class:`WaterfallResult` (per-period records), its per-tranche
summary :class:`TrancheMetrics`, and :func:`irr`."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from .. import _checks as chk

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


def _unpaid(principal, interest, missed, bases) -> np.ndarray:
    """Principal and interest unpaid at maturity, plus the interest missed where the basis is
    timely."""
    timely = np.array([b == "timely" for b in bases], dtype=bool)
    if bases and timely.any():
        return principal + interest + np.where(timely, missed, 0.0)
    return principal + interest
