"""The xlwings Lite files: ``main.py`` (re-exports every Excel function) and ``requirements.txt``
(xlwings and the npl-xl wheel), as ``npl-xl excel lite`` writes them.

xlwings Lite runs in Pyodide: it installs pure-Python wheels from a URL or a package index plus
Pyodide's own numpy, scipy, pandas and pydantic. npl-xl's wheel is pure Python; python-calamine
(used only to read workbooks) is skipped on Pyodide by its environment marker.
"""

from __future__ import annotations

import os

from . import __version__

__all__ = ["main_py", "requirements_txt", "write_lite"]

#: the Excel functions of npl_xl.xl, in documentation order (here, so Lite files are written
#: without importing xlwings; a test checks them against the decorated functions)
FUNCTIONS = (
    "KMV_PD",
    "KMV_DD",
    "KMV_SOLVE",
    "DIVERSITY_SCORE",
    "ALT_DIVERSITY_SCORE",
    "BET_LOSS",
    "BET_DISTRIBUTION",
    "WATERFALL",
    "WATERFALL_SUMMARY",
    "TRANCHE_KMV",
    "KMV_VOLATILITY",
    "POOL_HERFINDAHL",
    "BREAKEVEN_HAIRCUT",
    "BREAKEVEN",
    "MAX_TRANCHE_SIZE",
    "PORTFOLIO_LOSS",
    "RATING_FROM_EL",
    "RATING_FROM_PD",
    "NPLXL_VERSION",
)


#: the macros of npl_xl.xl (VBA Subs after "Import Functions"), in menu order
MACROS = ("NPLXL_RATE", "NPLXL_NEW_DEAL", "NPLXL_SIZE")
#: the Lite scripts: (name, npl_xl.workbook.macros function, what it does)
SCRIPTS = (
    ("NPLXL_RATE", "lite_rate", "Rate this deal workbook; the memo's sheets are added to it."),
    (
        "NPLXL_NEW_DEAL",
        "lite_new_deal",
        "Fill this book as a deal workbook from the loan tape pasted into the active sheet.",
    ),
    (
        "NPLXL_SIZE",
        "lite_size",
        "Size the tranche named in the selected cell (else the most senior), every level.",
    ),
)


def main_py() -> str:
    """The Lite editor's main.py: the Excel functions and the scripts of the main jobs."""
    names = "".join(f"    {n},\n" for n in sorted(FUNCTIONS))
    scripts = "".join(
        f'\n\n@xw.script\ndef {name}(book: xw.Book):\n    """{doc}"""\n    macros.{target}(book)\n'
        for name, target, doc in SCRIPTS
    )
    return (
        '"""npl-xl in xlwings Lite: paste this file into the Lite editor\'s main.py.\n\n'
        "requirements.txt (beside this file) installs xlwings and the npl-xl wheel; the functions "
        "below\n"
        "are the same objects as in classic xlwings (module npl_xl.xl); the scripts run the main "
        "jobs\n"
        "on the open workbook (Lite cannot save files: the memo's sheets go into the book).\n"
        '"""\n\n'
        "import xlwings as xw\n\n"
        "from npl_xl.workbook import macros\n"
        "from npl_xl.xl import (  # noqa: F401 - re-exported for xlwings Lite to "
        f"register\n{names})\n{scripts}"
    )


def requirements_txt(wheel_url: str | None = None, xlwings_version: str | None = None) -> str:
    """The Lite editor's requirements: xlwings (pinned to the tested version) and the npl-xl
    wheel's URL; without one, a comment saying where the URL goes (no unserved pin)."""
    if xlwings_version is None:
        try:
            import xlwings

            xlwings_version = xlwings.__version__
        except ImportError:
            xlwings_version = "0.37.8"
    npl = wheel_url or (
        "# npl-xl is on no package index: host its wheel (python -m build --wheel) over https and\n"
        f"# put its URL on the next line (npl-xl excel lite --wheel-url URL writes it), e.g.\n"
        f"# https://example.org/wheels/npl_xl-{__version__}-py3-none-any.whl"
    )
    return (
        "# xlwings Lite requirements (numpy, scipy, pandas and pydantic come with Pyodide)\n"
        f"xlwings=={xlwings_version}\n{npl}\n"
    )


def write_lite(folder, *, wheel_url: str | None = None, overwrite: bool = False) -> list[str]:
    """Write main.py and requirements.txt into ``folder``; returns the paths."""
    from .atomic import write_text

    if wheel_url is not None and not (
        wheel_url.startswith(("https://", "http://")) and wheel_url.endswith(".whl")
    ):
        raise ValueError(f"--wheel-url: expected an http(s) URL of a .whl file, got {wheel_url!r}")
    paths = [os.path.join(folder, "main.py"), os.path.join(folder, "requirements.txt")]
    write_text(paths[0], main_py(), overwrite=overwrite)
    write_text(paths[1], requirements_txt(wheel_url), overwrite=overwrite)
    return paths
