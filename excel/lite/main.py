"""npl-xl in xlwings Lite: paste this file into the Lite editor's main.py.

requirements.txt (beside this file) installs the npl-xl package; the functions below are the same
objects as in classic xlwings (module npl_xl.xl), decorated with xlwings' func/arg/ret.
"""

from npl_xl.xl import (  # noqa: F401 - re-exported for xlwings Lite to register
    KMV_PD,
    KMV_DD,
    KMV_SOLVE,
    DIVERSITY_SCORE,
    ALT_DIVERSITY_SCORE,
    BET_LOSS,
    BET_DISTRIBUTION,
    WATERFALL,
    WATERFALL_SUMMARY,
    TRANCHE_KMV,
    BREAKEVEN_HAIRCUT,
    PORTFOLIO_LOSS,
    RATING_FROM_EL,
    RATING_FROM_PD,
    NPLXL_VERSION,
)
