"""Layer 2.5 (pure): the proposed rating of each tranche, how the methods are reconciled, the
qualitative scorecard and the rationale a rating committee reads. No I/O; text comes from
:mod:`npl_xl.i18n` as (message key, values) pairs."""

from .proposal import NOTCH_TOLERANCE, TrancheProposal, notch, propose
from .rationale import Point, rationale
from .scorecard import FACTORS, NEUTRAL, Scorecard

__all__ = [
    "propose",
    "TrancheProposal",
    "notch",
    "NOTCH_TOLERANCE",
    "Scorecard",
    "FACTORS",
    "NEUTRAL",
    "rationale",
    "Point",
]
