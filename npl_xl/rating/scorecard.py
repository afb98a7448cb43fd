"""The qualitative scorecard: the factors agencies weigh beside the cash-flow model, and how a
score moves the stress.

Each factor is scored 1 (weak) to 5 (strong); 3 is neutral. Mapping (documented in
docs/methodology.md §8): every point below 3 adds one percentage point of haircut to every stress
level and asset class, every point above 3 takes one away (floored at 0); all-neutral scores change
nothing. The adjustment is applied before the stress rating.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = ["FACTORS", "NEUTRAL", "HAIRCUT_PER_POINT", "Scorecard"]

#: factor key -> message key of its name (npl_xl.i18n)
FACTORS = ("servicer", "collection", "legal", "commingling", "disclosure", "region")
NEUTRAL = 3
#: haircut added per point below neutral (taken away per point above)
HAIRCUT_PER_POINT = 0.01


@dataclass(frozen=True)
class Scorecard:
    """Scores 1-5 per factor (missing = neutral) and a comment each."""

    scores: dict[str, int] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        for key, score in self.scores.items():
            if key not in FACTORS:
                raise ValueError(
                    f"scorecard: unknown factor {key!r}; factors are {', '.join(FACTORS)}"
                )
            if not (isinstance(score, int) and 1 <= score <= 5):
                raise ValueError(
                    f"scorecard: {key}: expected a whole score from 1 to 5, got {score!r}"
                )

    def score(self, key: str) -> int:
        return self.scores.get(key, NEUTRAL)

    @property
    def haircut_addon(self) -> float:
        """Haircut added to every stress level (negative: taken away)."""
        return HAIRCUT_PER_POINT * sum(NEUTRAL - self.score(k) for k in FACTORS)

    @property
    def movers(self) -> tuple[str, ...]:
        """Factors scored away from neutral (the ones that move the stress)."""
        return tuple(k for k in FACTORS if self.score(k) != NEUTRAL)

    def adjust(self, table: pd.DataFrame) -> pd.DataFrame:
        """The stress table with every haircut moved by :attr:`haircut_addon` (clipped to [0,
        1])."""
        out = table.copy()
        if self.haircut_addon:
            for col in [c for c in out.columns if c.startswith("haircut")]:
                out[col] = (out[col].astype(float) + self.haircut_addon).clip(0.0, 1.0)
        return out
