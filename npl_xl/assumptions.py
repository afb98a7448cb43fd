"""Layer 2: what a rating run needs besides the deal: model assumptions, validated on construction.

Rates, volatilities and probabilities are decimals (0.25 = 25 %). Field names are the project's
vocabulary (:mod:`npl_xl.vocabulary`): the same word on every face.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import limits

__all__ = ["Assumptions", "DEAL_UNITS", "unit_label"]

#: currency units a deal may be stated in -> yuan per unit
DEAL_UNITS = {"元": 1.0, "万元": 1e4}


def unit_label(unit: str) -> str:
    """'万元 (CNY 10k)' / '元 (CNY)': the unit as the memo prints it."""
    return {"元": "元 (CNY)", "万元": "万元 (CNY 10k)"}.get(unit, unit)


class Assumptions(BaseModel):
    """Model assumptions of a rating run (besides the deal's own recovery total and curve)."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    recovery_vol: float | None = Field(
        None,
        gt=0,
        le=3,
        description="recovery volatility of the Monte Carlo (log standard deviation of a loan's "
        "recovery); None: the asset class's figure from the public market dataset",
    )
    discount_rate: float = Field(0.05, ge=0, le=1, description="annual decimal, for present values")
    recovery_correlation: float = Field(
        0.3, ge=0, le=1, description="systematic share of recovery variance"
    )
    delay_beta: float = Field(
        1.0, ge=0, le=24, description="periods of delay per unit of adverse factor"
    )
    unit_default_probability: float = Field(
        0.2, ge=0, le=1, description="BET: probability a recovery unit fails"
    )
    stressed_recovery: float = Field(
        0.3, ge=0, le=1, description="BET: share of base recovery a failing unit keeps"
    )
    paths: int = Field(10_000, ge=2, description="Monte Carlo scenarios")
    seed: int = Field(20_240_101, ge=0, description="Monte Carlo seed")

    @classmethod
    def from_dict(cls, data: dict) -> Assumptions:
        """Validate plain data; one line naming the field on error."""
        if "paths" in data and isinstance(data["paths"], (int, float)):
            limits.check("max_paths", data["paths"], "paths")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"]) or "assumptions"
            raise ValueError(f"{field}: {err['msg'].removeprefix('Value error, ')}") from None
