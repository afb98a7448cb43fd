"""Layer 2: the deal — tranches, fees, reserve and priority of payments — validated on construction.

Amounts are in one currency unit (the examples use CNY 10k); rates are annual decimals
(0.033, not 3.3); periods are payment periods (``payments_per_year`` a year).
``Deal.from_dict`` / ``to_dict`` / ``from_json`` / ``to_json`` are the interchange format that
workbooks and the command line share. Any invalid field raises ``ValueError`` whose message
starts with the field's path, e.g. ``tranches[0].coupon: ...``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import limits

__all__ = [
    "Tranche",
    "FloatingCoupon",
    "RateIndex",
    "Trigger",
    "LiquidityFacility",
    "Guarantee",
    "ExcessSpreadAccount",
    "Fee",
    "Reserve",
    "RecoveryAssumptions",
    "Deal",
    "STEP_KINDS",
    "default_order",
    "EXAMPLES",
    "load_example",
]

#: bundled example deals: name -> file in npl_xl/examples
EXAMPLES = {"credit_card": "credit_card_21jianxin2.json", "mortgage": "mortgage_21jianxin10.json"}

#: step kinds of a priority of payments; tranche steps name the tranche after a colon
# ("interest:Senior")
STEP_KINDS = (
    "senior_fees",
    "fee",
    "reserve",
    "interest",
    "principal",
    "fixed_return",
    "incentive_fee",
    "fee_excess",
    "draw",
    "repay",
    "trap",
)

#: tests a trigger can run at each period end, and what a hit trigger does from the next period
TRIGGER_TESTS = (
    "cumulative_collections_ratio",
    "senior_interest_unpaid",
    "reserve_below_target",
    "notes_below",
)
TRIGGER_EFFECTS = ("post_default_order", "sequential_turbo", "stop_incentive_fee", "clean_up_call")

_PERCENT_HINT = "looks like a percent; give decimals (0.033 for 3.3 %)"


def _decimal_rate(v: float, upper: float = 1.0) -> float:
    if v > upper:
        raise ValueError(f"{v:g} {_PERCENT_HINT}")
    return v


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class FloatingCoupon(_Model):
    """A floating coupon: clip(index + spread, floor, cap) each period, floored at 0; the index
    is read every ``reset_periods`` periods (1, 1 + k, ...) and held in between. Annual decimals.
    """

    index: str = Field(min_length=1, description="a rate of the deal's ``rates``, e.g. LPR1Y")
    spread: float = Field(0.0, ge=-1, le=1)
    floor: float | None = Field(None, ge=0, le=1)
    cap: float | None = Field(None, ge=0, le=1)
    reset_periods: int = Field(1, ge=1)

    @model_validator(mode="after")
    def _floor_below_cap(self):
        if self.floor is not None and self.cap is not None and self.floor > self.cap:
            raise ValueError(f"floor {self.floor:g} is above cap {self.cap:g}")
        return self

    def label(self) -> str:
        """E.g. 'LPR1Y + 1.00%' (what the memo shows in a coupon column)."""
        sign = "+" if self.spread >= 0 else "-"
        return f"{self.index} {sign} {abs(self.spread):.2%}"


class RateIndex(_Model):
    """An interest-rate index of the deal: a flat ``level`` or one value per period (``path``),
    annual decimals; ``source`` says where it comes from (e.g. the LPR fixing of a date)."""

    level: float | None = Field(None, ge=-0.2, le=1)
    path: list[float] | None = Field(None, min_length=1)
    source: str = ""

    @model_validator(mode="after")
    def _one_form(self):
        if (self.level is None) == (self.path is None):
            raise ValueError("give either level (flat) or path (one rate a period)")
        if self.path is not None and any(not -0.2 <= x <= 1 for x in self.path):
            raise ValueError(f"path: rates are annual decimals in [-0.2, 1] ({_PERCENT_HINT})")
        return self


class Trigger(_Model):
    """A test run at each period end; once hit it stays hit (latches) and its ``effect`` applies
    from the next period.

    Tests: ``cumulative_collections_ratio`` (cumulative collections / cumulative base-case
    collections below ``threshold``), ``senior_interest_unpaid`` (the most senior tranche's
    interest unpaid above ``threshold`` currency units), ``reserve_below_target`` (reserve below
    ``threshold`` x its target), ``notes_below`` (notes outstanding below ``threshold`` x the
    notes issued). Effects: ``post_default_order``, ``sequential_turbo`` (schedules suspended,
    principal takes all it can; no fixed return or incentive fee), ``stop_incentive_fee``,
    ``clean_up_call`` (from the next payment date, the first on which the pool's remaining
    collections are worth at least the notes and interest outstanding, the seller buys it for that
    price and the trust ends; a call that would cost the seller money is never assumed, so a call
    cannot lift a rating).
    """

    name: str = Field(min_length=1)
    test: str
    threshold: float = Field(0.0, ge=0)
    effect: str

    @field_validator("test", "effect")
    @classmethod
    def _known(cls, v, info):
        known = TRIGGER_TESTS if info.field_name == "test" else TRIGGER_EFFECTS
        if v not in known:
            raise ValueError(
                f"unknown {info.field_name} {v!r}; {info.field_name}s are {', '.join(known)}"
            )
        return v


class _Support(_Model):
    name: str = Field(min_length=1)
    limit: float = Field(ge=0)
    covers: list[Literal["senior_fees", "senior_interest", "senior_principal"]] = Field(
        min_length=1
    )
    fee_rate: float = 0.0
    interest_rate: float = 0.0

    @field_validator("covers")
    @classmethod
    def _once(cls, v):
        if len(set(v)) != len(v):
            raise ValueError("an item appears twice")
        return v


class LiquidityFacility(_Support):
    """A revolving liquidity facility: at its ``draw:<name>`` step it lends what the items it
    covers still need after cash and the reserve, up to ``limit`` less what is drawn (not at the
    last payment date: nothing later would repay it, so it would be credit support); at
    ``repay:<name>`` it is paid its fees and interest, then what is drawn. Fees: ``fee_rate`` a year
    on the limit (commitment), ``interest_rate`` a year on what is drawn."""

    name: str = Field("LF", min_length=1)
    limit: float = Field(ge=0, description="currency units")
    covers: list[Literal["senior_fees", "senior_interest", "senior_principal"]] = Field(
        ["senior_interest"], min_length=1
    )
    fee_rate: float = Field(0.0, ge=0, le=1)
    interest_rate: float = Field(0.0, ge=0, le=1)


class Guarantee(_Support):
    """A shortfall guarantee (差额支付承诺): at ``draw:<name>`` the guarantor pays what the covered
    items still need after cash and the reserve, up to ``limit`` over the deal's life; principal is
    covered when due (scheduled amounts, the whole balance at legal maturity). What it paid is
    reimbursed at ``repay:<name>`` if the order has one."""

    name: str = Field("Guarantee", min_length=1)
    limit: float = Field(ge=0, description="most paid over the deal's life, currency units")
    covers: list[Literal["senior_fees", "senior_interest", "senior_principal"]] = Field(
        ["senior_interest", "senior_principal"], min_length=1
    )
    fee_rate: float = Field(0.0, ge=0, le=1, description="guarantee fee a year on the limit")
    interest_rate: float = Field(0.0, ge=0, le=1, description="a year on what it paid")
    rating: str | None = Field(None, description="the guarantor's rating (recorded in the memo)")


class ExcessSpreadAccount(_Support):
    """Cash trapped at ``trap:<name>`` up to ``limit`` (the target), paid out at ``draw:<name>``
    for the covered items' shortfalls; at the trust's last payment date and in every period after
    a default event its balance joins the period's cash before the first step (paid by
    priority)."""

    name: str = Field("ESA", min_length=1)
    limit: float = Field(ge=0, description="target balance, currency units")
    covers: list[Literal["senior_fees", "senior_interest", "senior_principal"]] = Field(
        ["senior_interest"], min_length=1
    )
    fee_rate: float = Field(0.0, ge=0, le=0, description="an account charges no fee")
    interest_rate: float = Field(0.0, ge=0, le=0, description="nor interest")


class Tranche(_Model):
    """A class of notes. ``seniority`` 1 is the most senior; equal ranks are not allowed."""

    name: str = Field(min_length=1)
    balance: float = Field(gt=0, description="initial principal, currency units")
    coupon: float | FloatingCoupon = Field(
        0.0, description="annual coupon, decimal (0 for a sub), or a floating coupon"
    )
    seniority: int = Field(ge=1)
    issue_price: float = Field(100.0, gt=0, le=1000, description="per 100 of principal")
    amortisation: Literal["pass_through"] | list[float] = Field(
        "pass_through", description="'pass_through' or target principal payments per period"
    )
    fixed_return: float = Field(
        0.0, ge=0, description="sub fixed return (期间收益), annual decimal"
    )
    fixed_return_base: Literal["initial", "outstanding"] = Field(
        "initial",
        description="the fixed return accrues on the initial balance or on principal outstanding",
    )
    rating_basis: Literal["timely", "ultimate"] | None = Field(
        None,
        description="what passing a stress means: 'timely' (every payment date's interest paid "
        "on that date, principal by legal maturity) or 'ultimate' (all by legal maturity); "
        "None: timely for the most senior tranche, ultimate for the others",
    )

    _rate = field_validator("fixed_return")(classmethod(lambda cls, v: _decimal_rate(v)))

    @field_validator("rating_basis", mode="before")
    @classmethod
    def _basis(cls, v, info):
        if isinstance(v, str):  # as typed in a cell: "Timely ", "ULTIMATE"
            v = v.strip().lower()
        if v is not None and v not in ("timely", "ultimate"):
            name = info.data.get("name", "?")
            raise ValueError(f"expected 'timely' or 'ultimate' for tranche {name}, got {v!r}")
        return v

    @field_validator("coupon", mode="before")
    @classmethod
    def _coupon_form(cls, v):
        if isinstance(v, dict):  # validated here so a bad key gets its own one-line message
            try:
                return FloatingCoupon.model_validate(v)
            except ValidationError as exc:
                raise ValueError(_one_line(exc, root="")) from None
        return v

    @field_validator("coupon")
    @classmethod
    def _coupon(cls, v):
        if isinstance(v, FloatingCoupon):
            return v
        if float(v) < 0:
            raise ValueError("a fixed coupon must be >= 0")
        return _decimal_rate(v)

    @property
    def floating(self) -> bool:
        """Whether the coupon floats on an index."""
        return isinstance(self.coupon, FloatingCoupon)

    @property
    def pays_interest(self) -> bool:
        """A floating coupon or a fixed coupon above 0."""
        return isinstance(self.coupon, FloatingCoupon) or self.coupon > 0

    def coupon_label(self):
        """The fixed coupon (decimal) or the floating coupon's label."""
        return self.coupon.label() if isinstance(self.coupon, FloatingCoupon) else self.coupon

    @field_validator("amortisation")
    @classmethod
    def _schedule(cls, v):
        if isinstance(v, list) and (not v or any(x < 0 for x in v)):
            raise ValueError("a schedule needs one non-negative principal amount per period")
        return v


class Fee(_Model):
    """A tax, fee or expense of the trust.

    basis: "fixed" (``amount`` a period), "collections" (``rate`` x the period's collections) or
    "notes_balance" (``rate`` a year x notes outstanding at the start of the period).
    ``cap``: most paid a period at the fee's position; the excess is paid at the "fee_excess" step.
    position: "senior" (in the "senior_fees" step, in list order) or "subordinated" (at
    "fee_excess").
    """

    name: str = Field(min_length=1)
    basis: Literal["fixed", "collections", "notes_balance"]
    rate: float = Field(0.0, ge=0)
    amount: float = Field(0.0, ge=0)
    cap: float | None = Field(None, ge=0)
    position: Literal["senior", "subordinated"] = "senior"

    _rate = field_validator("rate")(classmethod(lambda cls, v: _decimal_rate(v)))

    @model_validator(mode="after")
    def _needs_size(self):
        if self.basis == "fixed" and self.rate:
            raise ValueError("a fixed fee takes 'amount' (a period), not 'rate'")
        if self.basis != "fixed" and self.amount:
            raise ValueError(f"a {self.basis} fee takes 'rate', not 'amount'")
        return self


class Reserve(_Model):
    """Liquidity reserve: target = ``multiple`` x (next period's senior fees + senior interest).

    It covers shortfalls of senior fees and senior interest; ``initial`` is funded at closing.
    Collection-based fees are estimated at zero in the target (next collections are unknown).
    """

    multiple: float = Field(1.5, ge=0, le=24)
    initial: float = Field(0.0, ge=0)


class RecoveryAssumptions(_Model):
    """Base-case recoveries: expected total (currency units) collected along a cumulative curve."""

    total: float = Field(gt=0, description="expected total recovery, currency units")
    cumulative: list[float] = Field(
        min_length=1, description="cumulative share collected by each period end"
    )
    cost_rate: float = Field(
        0.0, ge=0, lt=1, description="collection cost, share of each period's recoveries"
    )
    volatility: float | None = Field(
        None, gt=0, le=3, description="recovery-value volatility (annual decimal)"
    )
    discount_rate: float | None = Field(
        None, ge=0, description="discount rate for present values (annual decimal)"
    )
    collected_before_closing: float = Field(
        0.0,
        ge=0,
        description="part of ``total`` collected between the cut-off date and closing, currency "
        "units: cash in the trust at closing, paid at the first payment date, never stressed; "
        "``cumulative`` then spreads the rest",
    )
    source: str = ""
    asset_mix: dict[str, float] | None = Field(
        None,
        description="share of base-case recovery by asset class (unsecured, sme, residential, "
        "commercial); all unsecured when not given",
    )

    @field_validator("asset_mix")
    @classmethod
    def _mix(cls, v):
        if v is None:
            return v
        from .models.analysis import ASSET_CLASSES

        unknown = set(v) - set(ASSET_CLASSES)
        if unknown:
            raise ValueError(
                f"unknown asset class {sorted(unknown)[0]!r}; classes are "
                f"{', '.join(ASSET_CLASSES)}"
            )
        if any(x < 0 for x in v.values()) or abs(sum(v.values()) - 1.0) > 1e-6:
            raise ValueError(
                f"shares must be >= 0 and add up to 1, they add up to {sum(v.values()):.6g}"
            )
        return {k: float(x) for k, x in v.items() if x > 0}

    @model_validator(mode="after")
    def _before_closing_within_total(self):
        if self.collected_before_closing > self.total:
            raise ValueError(
                f"collected_before_closing: {self.collected_before_closing:,.2f} exceeds the total "
                f"recovery {self.total:,.2f}"
            )
        return self

    def unstressed(self, n_periods: int) -> np.ndarray:
        """Collections no stress touches (periods,): the cash collected before closing, net of
        collection costs, at the first payment date."""
        out = np.zeros(n_periods)
        out[0] = self.collected_before_closing * (1.0 - self.cost_rate)
        return out

    _rate = field_validator("discount_rate")(
        classmethod(lambda cls, v: v if v is None else _decimal_rate(v))
    )


class Deal(_Model):
    """An NPL ABS deal: notes, fees, reserve and the priorities of payments."""

    name: str = Field(min_length=1)
    payments_per_year: Literal[1, 2, 4, 6, 12] = 4
    tranches: list[Tranche] = Field(min_length=1)
    fees: list[Fee] = []
    reserve: Reserve = Reserve()
    incentive_fee_share: float = Field(
        0.0, ge=0, le=1, description="servicer excess incentive fee, share of the remainder"
    )
    legal_maturity_periods: int | None = Field(
        None, ge=1, description="payment periods to legal maturity"
    )
    closing_date: dt.date | None = None
    first_payment_date: dt.date | None = None
    day_count: Literal["ACT/365", "ACT/360", "30/360"] = "ACT/365"
    default_event: Literal["senior_interest", "none"] = "senior_interest"
    rates: dict[str, RateIndex] = {}
    triggers: list[Trigger] = []
    liquidity_facility: LiquidityFacility | None = None
    guarantee: Guarantee | None = None
    excess_spread_account: ExcessSpreadAccount | None = None
    pre_default_order: list[str] | None = None
    post_default_order: list[str] | None = None
    recovery: RecoveryAssumptions | None = None
    notes: str = ""

    @model_validator(mode="before")
    @classmethod
    def _within_limits(cls, data):
        """Size limits (npl_xl.limits), checked before the fields are validated one by one."""
        if isinstance(data, dict):
            for key, limit in (
                ("tranches", "max_tranches"),
                ("fees", "max_fees"),
                ("triggers", "max_triggers"),
                ("rates", "max_rates"),
                ("pre_default_order", "max_order_steps"),
                ("post_default_order", "max_order_steps"),
            ):
                items = data.get(key)
                if isinstance(items, (list, tuple, dict)):
                    limits.check(limit, len(items), key)
            n = data.get("legal_maturity_periods")
            if isinstance(n, (int, float)) and not isinstance(n, bool):
                limits.check("max_periods", n, "legal_maturity_periods")
        return data

    @model_validator(mode="after")
    def _consistent(self):
        names = [t.name for t in self.tranches]
        if len(set(names)) != len(names):
            raise ValueError("tranches: two tranches share a name")
        ranks = [t.seniority for t in self.tranches]
        if len(set(ranks)) != len(ranks):
            raise ValueError("tranches: two tranches share a seniority rank")
        if (self.closing_date is None) != (self.first_payment_date is None):
            raise ValueError("closing_date and first_payment_date go together")
        first, closing = self.first_payment_date, self.closing_date
        if closing and first and first <= closing:
            raise ValueError("first_payment_date: must be after closing_date")
        fees = [f.name for f in self.fees]
        if len(set(fees)) != len(fees):
            raise ValueError("fees: two fees share a name")
        supports = {s.name: kind for kind, s in self.supports()}
        if len(supports) != len(self.supports()):
            raise ValueError(
                "liquidity_facility, guarantee, excess_spread_account: two share a name"
            )
        for field in ("pre_default_order", "post_default_order"):
            order = getattr(self, field)
            if order is not None:
                _check_order(order, names, fees, supports, field)
                _check_draws(order, supports, field)
        self._check_structures()
        n = self.legal_maturity_periods
        for i, t in enumerate(self.tranches):
            if isinstance(t.amortisation, list) and n is not None and len(t.amortisation) != n:
                raise ValueError(
                    f"tranches[{i}].amortisation: expected {n} periods, got {len(t.amortisation)}"
                )
        return self

    def _check_structures(self) -> None:
        """Floating indexes name a rate of the deal, paths fit legal maturity, triggers can run."""
        n = self.legal_maturity_periods
        for i, t in enumerate(self.tranches):
            if isinstance(t.coupon, FloatingCoupon) and t.coupon.index not in self.rates:
                known = ", ".join(self.rates) or "none given"
                raise ValueError(
                    f"tranches[{i}].coupon.index: {t.coupon.index!r} is not one of the deal's "
                    f"rates ({known})"
                )
        for key, r in self.rates.items():
            if r.path is not None and n is not None and len(r.path) != n:
                raise ValueError(f"rates.{key}.path: expected {n} periods, got {len(r.path)}")
        triggers = [t.name for t in self.triggers]
        if len(set(triggers)) != len(triggers):
            raise ValueError("triggers: two triggers share a name")
        if self.default_event == "senior_interest" and "default_event" in triggers:
            raise ValueError(
                "triggers: 'default_event' is the name of the deal's default event; choose another"
            )
        for i, tr in enumerate(self.triggers):
            if tr.test == "cumulative_collections_ratio" and self.recovery is None:
                raise ValueError(
                    f"triggers[{i}].test: cumulative_collections_ratio compares with the base "
                    "case and needs the deal's recovery assumptions"
                )

    # -- derived views ----------------------------------------------------------------------------

    def supports(self) -> list[tuple[str, _Support]]:
        """(kind, model) for the facility, guarantee and excess-spread account the deal has."""
        kinds = ("liquidity_facility", "guarantee", "excess_spread_account")
        return [(k, getattr(self, k)) for k in kinds if getattr(self, k) is not None]

    @property
    def ordered_tranches(self) -> list[Tranche]:
        """Tranches most senior first."""
        return sorted(self.tranches, key=lambda t: t.seniority)

    def rating_bases(self) -> tuple[str, ...]:
        """Each tranche's rating basis, most senior first: its ``rating_basis``, or when not set
        "timely" for the most senior tranche and "ultimate" for the others."""
        from .models.waterfall import rating_bases

        return rating_bases(self)

    def orders(self) -> tuple[list[str], list[str]]:
        """The pre- and post-default-event priorities of payments (given or default)."""
        pre, post = default_order(self)
        return self.pre_default_order or pre, self.post_default_order or post

    def accrual_fractions(self, n_periods: int) -> np.ndarray:
        """Year fraction of each interest period: 1/payments_per_year, or from dates and day
        count."""
        if self.closing_date is None or self.first_payment_date is None:
            return np.full(n_periods, 1.0 / self.payments_per_year)
        dates = [self.closing_date] + [
            add_months(self.first_payment_date, 12 // self.payments_per_year * k)
            for k in range(n_periods)
        ]
        return np.array(
            [_year_fraction(a, b, self.day_count) for a, b in zip(dates[:-1], dates[1:])]
        )

    def period_times(self, n_periods: int) -> np.ndarray:
        """Time of each payment date from closing, in years."""
        return np.cumsum(self.accrual_fractions(n_periods))

    # -- interchange
    # --------------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: dict) -> Deal:
        """Build and validate a deal from plain data (as in the JSON files)."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ValueError(_one_line(exc)) from None

    def to_dict(self) -> dict:
        """Plain data, JSON-ready, omitting fields left at their defaults."""
        return self.model_dump(mode="json", exclude_defaults=True)

    @classmethod
    def from_json(cls, path: str | os.PathLike) -> Deal:
        """Read a deal from a JSON file."""
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except FileNotFoundError:
            raise ValueError(f"deal file: no such file {os.fspath(path)!r}") from None
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"deal file: {os.fspath(path)} is not valid JSON ({exc.msg}, line {exc.lineno})"
            ) from None
        return cls.from_dict(data)

    def to_json(self, path: str | os.PathLike, *, overwrite: bool = False) -> None:
        """Write the deal as JSON atomically; an existing file is kept unless ``overwrite``."""
        from .atomic import write_text

        write_text(
            path,
            json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n",
            overwrite=overwrite,
        )

    def require_recovery(self) -> RecoveryAssumptions:
        """The recovery assumptions; ``ValueError`` if the deal has none."""
        if self.recovery is None:
            raise ValueError(
                "recovery: the deal has no recovery assumptions (total and cumulative curve)"
            )
        return self.recovery

    def base_collections(self) -> np.ndarray:
        """Base-case net collections per period from ``recovery`` (total x curve, less collection
        costs)."""
        from .models.recovery import collections, timing_from_cumulative

        recovery = self.require_recovery()
        try:
            timing = timing_from_cumulative(recovery.cumulative)
        except ValueError as exc:
            raise ValueError(f"recovery.{exc}") from None
        n = self.legal_maturity_periods or len(timing)
        if len(timing) > n:
            raise ValueError(
                f"recovery.cumulative: {len(timing)} periods, beyond legal maturity ({n} periods)"
            )
        timing = np.pad(timing, (0, n - len(timing)))
        rest = recovery.total - recovery.collected_before_closing
        return collections(rest, timing, cost_rate=recovery.cost_rate) + recovery.unstressed(n)

    def with_changes(self, **changes) -> Deal:
        """A validated copy with top-level fields replaced (e.g. ``tranches=[...]``)."""
        data = self.model_dump()
        data.update(changes)
        return Deal.from_dict(data)


def default_order(deal: Deal) -> tuple[list[str], list[str]]:
    """docs/methodology.md §6: fees, reserve, liquidity facility repayment (fees, interest, then
    what is drawn: senior to the notes' interest), draws on the trust's account, then the
    facility, then the guarantee, interest by rank, principal by rank with the trap into the account
    before the most junior tranche's principal, guarantee reimbursement, fixed returns, incentive
    fee, uncapped fee excess; after a default event fees (with excess) first, the facility's
    repayment and the draws, each tranche's interest and principal in rank order, guarantee
    reimbursement (the same rank as before), fixed returns, no reserve top-up and no incentive fee.
    """
    ts = deal.ordered_tranches
    sup = dict(deal.supports())
    lf, g, esa = (sup.get(k) for k in ("liquidity_facility", "guarantee", "excess_spread_account"))
    draws = [f"draw:{x.name}" for x in (esa, lf, g) if x]
    repay_lf = [f"repay:{lf.name}"] if lf else []
    repay_g = [f"repay:{g.name}"] if g else []
    returns = [f"fixed_return:{t.name}" for t in ts if t.fixed_return > 0]
    pre = (
        ["senior_fees", "reserve"]
        + repay_lf
        + draws
        + [f"interest:{t.name}" for t in ts if t.pays_interest]
        + [f"principal:{t.name}" for t in ts[:-1]]
        + ([f"trap:{esa.name}"] if esa else [])
        + [f"principal:{ts[-1].name}"]
        + repay_g
        + returns
        + ["incentive_fee", "fee_excess"]
    )
    post = ["senior_fees", "fee_excess", "reserve"] + repay_lf + draws
    for t in ts:
        post += ([f"interest:{t.name}"] if t.pays_interest else []) + [f"principal:{t.name}"]
    post += repay_g + returns
    return pre, post


def _check_order(
    order: list[str], names: list[str], fees: list[str], supports: dict[str, str], field: str
) -> None:
    for step in order:
        kind, _, name = step.partition(":")
        if kind not in STEP_KINDS:
            raise ValueError(f"{field}: unknown step {step!r}; steps are {', '.join(STEP_KINDS)}")
        if kind in ("interest", "principal", "fixed_return") and name not in names:
            raise ValueError(f"{field}: step {step!r} names no tranche of the deal")
        if kind == "fee" and name not in fees:
            raise ValueError(f"{field}: step {step!r} names no fee of the deal")
        if kind in ("draw", "repay", "trap"):
            if name not in supports:
                known = ", ".join(supports) or "none"
                raise ValueError(
                    f"{field}: step {step!r} names no facility, guarantee or account of the deal "
                    f"({known})"
                )
            account = supports[name] == "excess_spread_account"
            if (kind == "trap") != account and kind != "draw":
                raise ValueError(
                    f"{field}: step {step!r}: "
                    + ("an account is trapped, not repaid" if account else "only an account traps")
                )
    if len(set(order)) != len(order):
        raise ValueError(f"{field}: a step appears twice")


def _check_draws(order: list[str], supports: dict[str, str], field: str) -> None:
    """A written-out order draws on every facility, guarantee and account of the deal (else it
    would be accepted and never pay)."""
    for name, kind in supports.items():
        if f"draw:{name}" not in order:
            raise ValueError(
                f"{field}: the {kind.replace('_', ' ')} {name!r} has no 'draw:{name}' step; add "
                "it where it pays (e.g. after 'reserve') or leave the order out for the default"
            )


_UNION_TAGS = {"float", "int", "str", "bool"}


def _one_line(exc: ValidationError, root: str = "deal") -> str:
    """The first pydantic error as 'path: message' (just the message when it has no path and
    ``root`` is empty)."""
    err = exc.errors()[0]
    path = ""
    for part in err["loc"]:
        if isinstance(part, str) and (part in _UNION_TAGS or part[:1].isupper() or "[" in part):
            continue  # the member of a union pydantic tried (float, FloatingCoupon, list[float])
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "literal_error":
        msg = f"expected {err['ctx']['expected']}, got {err['input']!r}"
    path = path or root
    return f"{path}: {msg}" if path else msg


def months_between(a: dt.date, b: dt.date) -> float:
    """Calendar months from ``a`` to ``b``: whole months by month number, plus the days' difference
    as thirtieths (2021-01-01 to 2021-06-22 is 5.7)."""
    return (b.year - a.year) * 12 + (b.month - a.month) + (b.day - a.day) / 30.0


def add_months(d: dt.date, months: int) -> dt.date:
    """``d`` moved by whole ``months`` (the day kept, or the month's last day)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    days = [
        31,
        29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ]
    return dt.date(year, month, min(d.day, days[month - 1]))


def _year_fraction(a: dt.date, b: dt.date, day_count: str) -> float:
    if day_count == "30/360":
        d1, d2 = min(a.day, 30), b.day if a.day < 30 else min(b.day, 30)
        return ((b.year - a.year) * 360 + (b.month - a.month) * 30 + d2 - d1) / 360
    return (b - a).days / (360 if day_count == "ACT/360" else 365)


def load_example(name: str = "credit_card") -> Deal:
    """A bundled example deal: "credit_card" (21建鑫2 figures) or "mortgage" (21建鑫10 figures)."""
    from importlib import resources

    if name not in EXAMPLES:
        raise ValueError(f"example: expected one of {', '.join(EXAMPLES)}, got {name!r}")
    with (
        resources.files("npl_xl").joinpath(f"examples/{EXAMPLES[name]}").open(encoding="utf-8") as f
    ):
        return Deal.from_dict(json.load(f))
