"""npl-xl in xlwings Lite: paste this file into the Lite editor's main.py.

requirements.txt (beside this file) installs xlwings and the npl-xl wheel; the functions below
are the same objects as in classic xlwings (module npl_xl.xl); the scripts run the main jobs
on the open workbook (Lite cannot save files: the memo's sheets go into the book).
"""

import xlwings as xw

from npl_xl.workbook import macros
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
    KMV_VOLATILITY,
    MAX_TRANCHE_SIZE,
    NPLXL_VERSION,
    POOL_HERFINDAHL,
    PORTFOLIO_LOSS,
    RATING_FROM_EL,
    RATING_FROM_PD,
    TRANCHE_KMV,
    WATERFALL,
    WATERFALL_SUMMARY,
)


@xw.script
def NPLXL_RATE(book: xw.Book):
    """Rate this deal workbook; the memo's sheets are added to it."""
    macros.lite_rate(book)


@xw.script
def NPLXL_NEW_DEAL(book: xw.Book):
    """Fill this book as a deal workbook from the loan tape pasted into the active sheet."""
    macros.lite_new_deal(book)


@xw.script
def NPLXL_SIZE(book: xw.Book):
    """Size the tranche named in the selected cell (else the most senior), every level."""
    macros.lite_size(book)
