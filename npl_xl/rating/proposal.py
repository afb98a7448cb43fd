"""The proposed rating per tranche: the agencies' cash-flow approach for NPL ABS, cross-checked.

1. Stress rating: the highest level of the (asset-class, scorecard-adjusted) stress table whose
   recovery haircut and delay the tranche survives, paid in full by legal maturity.
2. Cross-check: the Monte Carlo expected loss at the tranche's WAL against the idealised EL table.
   When the cross-check is more than :data:`NOTCH_TOLERANCE` notches below the stress rating and
   the Monte Carlo is binding, the lower is proposed and the reason recorded; otherwise the stress
   rating stands. The Monte Carlo is binding only when both its inputs are the analyst's own: a
   recovery volatility set for the deal and an idealised-EL table that is not illustrative (the
   rating run decides; docs/methodology.md §8). A cross-check from assumed inputs is reported,
   never binding.
3. Residual/subordinated tranches without a promised return (no coupon, no fixed return) are NR
   (not rated) unless a rating is requested; their expected yield and loss are shown instead.
4. The KMV PD is a supporting metric: when its rating differs from the proposal by more than the
   tolerance, a sentence says why (it sees one lognormal pool value, not the waterfall's timing,
   reserve and stresses).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

__all__ = ["NOTCH_TOLERANCE", "TrancheProposal", "notch", "propose", "NOT_RATED"]

#: notches the Monte Carlo cross-check may sit below the stress rating before it is proposed instead
NOTCH_TOLERANCE = 3
NOT_RATED = "NR"


@lru_cache(maxsize=1)
def _ranks() -> dict[str, int]:
    from ..models.rating import rating_scale

    scale = rating_scale()
    ranks: dict[str, int] = {}
    for code, rank in zip(scale["cn_sf"], scale["rank"]):
        ranks.setdefault(str(code), int(rank))
    return ranks


def notch(code: str) -> int:
    """Rank of a cn_sf rating (1 = AAAsf); 'below X' ranks one under X; unknown codes rank last."""
    text = str(code).removesuffix(" (illustrative)")
    if text.startswith("below "):
        return notch(text[6:]) + 1
    return _ranks().get(text, max(_ranks().values()) + 1)


@dataclass(frozen=True)
class TrancheProposal:
    """The committee view of one tranche: the proposal, each method's rating and the reasons, as
    (message key, values) pairs for :mod:`npl_xl.i18n`."""

    name: str
    rating: str
    rated: bool
    stress_rating: str
    mc_rating: str
    kmv_rating: str
    reasons: tuple[tuple[str, dict], ...]


def propose(
    names,
    coupons,
    fixed_returns,
    stress_ratings,
    mc_ratings,
    kmv_ratings,
    *,
    rate_subordinated: bool = False,
    monte_carlo_binding: bool = True,
) -> tuple[TrancheProposal, ...]:
    """One :class:`TrancheProposal` per tranche (most senior first); see the module docstring.
    ``monte_carlo_binding`` False: a Monte Carlo rating more than the tolerance below the stress
    rating is reported (reason ``mc_not_binding``) and the stress rating stands."""
    out = []
    for k, name in enumerate(names):
        stress, mc, kv = str(stress_ratings[k]), str(mc_ratings[k]), str(kmv_ratings[k])
        reasons: list[tuple[str, dict]] = []
        residual = coupons[k] == 0 and fixed_returns[k] == 0 and k > 0
        if residual and not rate_subordinated:
            reasons.append(("nr_residual", {"tranche": name}))
            out.append(TrancheProposal(name, NOT_RATED, False, stress, mc, kv, tuple(reasons)))
            continue
        gap = notch(mc) - notch(stress)
        rating = stress
        if gap > NOTCH_TOLERANCE and not monte_carlo_binding:
            reasons.append(
                (
                    "mc_not_binding",
                    {
                        "tranche": name,
                        "stress": stress,
                        "mc": mc,
                        "notches": gap,
                        "tolerance": NOTCH_TOLERANCE,
                    },
                )
            )
        elif gap > NOTCH_TOLERANCE:
            rating = mc
            reasons.append(
                (
                    "mc_lower",
                    {
                        "tranche": name,
                        "stress": stress,
                        "mc": mc,
                        "notches": gap,
                        "tolerance": NOTCH_TOLERANCE,
                    },
                )
            )
        elif gap > 0:
            reasons.append(
                (
                    "mc_within",
                    {
                        "tranche": name,
                        "stress": stress,
                        "mc": mc,
                        "notches": gap,
                        "tolerance": NOTCH_TOLERANCE,
                    },
                )
            )
        else:
            reasons.append(("stress_binding", {"tranche": name, "stress": stress, "mc": mc}))
        kmv_gap = notch(kv) - notch(rating)
        if abs(kmv_gap) > NOTCH_TOLERANCE:
            reasons.append(
                (
                    "kmv_differs",
                    {"tranche": name, "kmv": kv, "rating": rating, "notches": abs(kmv_gap)},
                )
            )
        else:
            reasons.append(("kmv_agrees", {"tranche": name, "kmv": kv}))
        out.append(TrancheProposal(name, rating, True, stress, mc, kv, tuple(reasons)))
    return tuple(out)
