"""npl-xl in xlwings Lite: paste this file into the Lite editor's main.py.

requirements.txt (beside this file) installs xlwings and the npl-xl wheel; the functions below
are the same objects as in classic xlwings (module npl_xl.xl).
"""

from npl_xl.xl import (  # noqa: F401 - re-exported for xlwings Lite to register
    ALT_DIVERSITY_SCORE,
    BET_DISTRIBUTION,
    BET_LOSS,
    BREAKEVEN,
    BREAKEVEN_HAIRCUT,
    DIVERSITY_SCORE,
    KMV_DD,
    KMV_PD,
    KMV_SOLVE,
    MAX_TRANCHE_SIZE,
    NPLXL_VERSION,
    PORTFOLIO_LOSS,
    RATING_FROM_EL,
    RATING_FROM_PD,
    TRANCHE_KMV,
    WATERFALL,
    WATERFALL_SUMMARY,
)
