"""Surveillance (跟踪评级): re-rating outstanding deals from their trustee reports.

:class:`TrusteeReport` (the reported periods), :func:`current_state` (the waterfall on the actual
collections, reconciled), :func:`reproject` (Benktander re-projection of what is left) and
:func:`surveil` (the same rating as at issuance, run from the current state).
"""

from .report import TrusteeReport
from .reproject import Reprojection, reproject
from .run import PAID_IN_FULL, SurveillanceRun, TrancheChange, remaining_deal, surveil
from .state import CurrentState, Difference, current_state

__all__ = [
    "TrusteeReport",
    "Reprojection",
    "reproject",
    "CurrentState",
    "Difference",
    "current_state",
    "SurveillanceRun",
    "TrancheChange",
    "remaining_deal",
    "surveil",
    "PAID_IN_FULL",
]
