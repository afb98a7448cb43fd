"""The packaged stress table, calibrated on the public deals of the market dataset.

Per stress class (unsecured, sme, residential, commercial) the AAAsf stress is a haircut h and a
delay d (months) such that

1. every public AAAsf senior of the class passes it (h is the smallest break-even haircut at
   delay d over the class, rounded down to :data:`STEP`), and, among the delays that allow this,
2. d makes the stress most discriminating: the share of the class's deals whose senior, made 15
   points of base case larger than the class's largest AAAsf share, fails AAAsf, plus the share
   whose senior fails AAAsf when recoveries are cut by 30 %; ties go to the longer delay.

Lower levels scale the AAAsf stress down linearly by rating notch to none at B-sf. Pass/fail is
the product's own: the tranche's rating basis (timely interest for the senior), stresses on the
collections after closing (the cash collected before closing is not stressed), delays on the
monthly grid. The cross-validated hit rate leaves each deal out in turn, recalibrates its class
and rates the deal left out.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..models.analysis import ASSET_CLASSES, split_unstressed
from ..models.recovery import stressed_months
from ..models.waterfall import unpaid_at_maturity
from .public import PublicDeal

__all__ = [
    "DELAYS",
    "STEP",
    "HAIRCUTS",
    "LEVELS",
    "Survival",
    "ClassStress",
    "Calibration",
    "survival",
    "calibrate",
    "cross_validate",
    "stress_table",
]

#: AAAsf delays tried (months)
DELAYS = (0, 1, 2, 3, 4, 6, 9, 12, 15, 18)
#: haircut grid step
STEP = 0.005
HAIRCUTS = np.round(np.arange(0.0, 0.95 + STEP / 2, STEP), 6)
#: rating levels of the table, best first (China structured-finance scale)
LEVELS = (
    "AAAsf", "AA+sf", "AAsf", "AA-sf", "A+sf", "Asf", "A-sf", "BBB+sf", "BBBsf", "BBB-sf",
    "BB+sf", "BBsf", "BB-sf", "B+sf", "Bsf", "B-sf",
)  # fmt: skip
#: points of base case added to the class's largest AAAsf senior share in the oversized test
OVERSIZE = 0.15
#: recovery cut that must cost an AAAsf senior its rating
CUT = 0.30


@dataclass(frozen=True)
class Survival:
    """Senior break-even haircut of one deal at each of :data:`DELAYS` (NaN: fails with no
    haircut), as published (``breakeven``) and with the senior enlarged (``oversized``)."""

    deal: PublicDeal
    breakeven: np.ndarray
    oversized: np.ndarray
    oversized_share: float


def _breakevens(deal, delays=DELAYS) -> np.ndarray:
    """Senior break-even haircut per delay on the haircut grid (the first failure less a step)."""
    base = deal.base_collections()
    proj, fixed = split_unstressed(deal, base)
    c = stressed_months(
        proj,
        deal.payments_per_year,
        haircut=HAIRCUTS[:, None],
        delay_months=np.asarray(delays)[None, :],
    )  # (haircuts, delays, periods)
    h, d, n = c.shape
    unpaid = unpaid_at_maturity(deal, c.reshape(h * d, n) + fixed)[:, 0].reshape(h, d)
    ok = unpaid <= 1e-9 * deal.ordered_tranches[0].balance
    held = np.logical_and.accumulate(ok, axis=0)  # passes up to the first failure
    n_ok = held.sum(axis=0)
    return np.where(n_ok > 0, HAIRCUTS[np.maximum(n_ok - 1, 0)], np.nan)


def _resized(deal, share: float):
    """The deal with its senior set to ``share`` of the base case."""
    senior = deal.ordered_tranches[0]
    new = senior.model_copy(update={"balance": share * deal.require_recovery().total})
    return deal.model_copy(update={"tranches": [new if t is senior else t for t in deal.tranches]})


def survival(deals: list[PublicDeal], progress=None) -> list[Survival]:
    """Break-evens of every deal, and of its senior made :data:`OVERSIZE` points larger than the
    class's largest AAAsf senior share; ``progress()`` is called after each deal."""
    largest: dict[str, float] = {}
    for p in deals:
        if p.senior_rating == "AAAsf":
            largest[p.klass] = max(largest.get(p.klass, 0.0), p.senior_share)
    out = []
    for p in deals:
        share = largest.get(p.klass, p.senior_share) + OVERSIZE
        out.append(Survival(p, _breakevens(p.deal), _breakevens(_resized(p.deal, share)), share))
        if progress is not None:
            progress()
    return out


@dataclass(frozen=True)
class ClassStress:
    """The AAAsf stress of one class: ``haircut``, ``delay`` (months), the deals it rests on
    (``n``), the ``binding`` deal (the smallest break-even), the shares of the class failing the
    oversized and the 30 %-cut tests, and the delays that were admissible."""

    klass: str
    haircut: float
    delay: int
    n: int
    binding: str
    oversized_fail: float
    cut_fail: float
    admissible: tuple[int, ...]


def _floor(x: float) -> float:
    return float(np.floor(x / STEP + 1e-9) * STEP)


def _class_stress(klass: str, rows: list[Survival]) -> ClassStress | None:
    aaa = [r for r in rows if r.deal.senior_rating == "AAAsf"]
    if not aaa:
        return None
    be = np.array([r.breakeven for r in aaa])  # (deals, delays)
    over = np.array([r.oversized for r in aaa])
    best = None
    admissible = []
    for j, d in enumerate(DELAYS):
        if np.isnan(be[:, j]).any():
            continue
        admissible.append(d)
        h = _floor(be[:, j].min())
        over_fail = float(np.mean(~(np.nan_to_num(over[:, j], nan=-1.0) >= h)))
        cut_fail = float(np.mean(be[:, j] < CUT + (1 - CUT) * h))
        score = (over_fail + cut_fail, d)
        if best is None or score >= best[0]:
            k = int(np.argmin(be[:, j]))
            best = (score, h, d, aaa[k].deal.code, over_fail, cut_fail)
    if best is None:
        return None
    _, h, d, binding, over_fail, cut_fail = best
    return ClassStress(klass, h, d, len(aaa), binding, over_fail, cut_fail, tuple(admissible))


@dataclass(frozen=True)
class Calibration:
    """Calibrated AAAsf stresses by class, the survival rows they rest on, and the deals that
    could not be built (code, reason)."""

    classes: dict[str, ClassStress]
    rows: list[Survival]
    skipped: list[tuple[str, str]]

    def table(self) -> pd.DataFrame:
        return stress_table(self.classes)


def calibrate(rows: list[Survival], skipped=()) -> Calibration:
    """Calibrate every class on its survival rows."""
    classes = {}
    for klass in ASSET_CLASSES:
        cs = _class_stress(klass, [r for r in rows if r.deal.klass == klass])
        if cs is not None:
            classes[klass] = cs
    return Calibration(classes, rows, list(skipped))


def _passes(row: Survival, cs: ClassStress) -> tuple[bool, bool, bool]:
    """(senior passes AAAsf, oversized senior fails, 30 % cut fails) under ``cs``."""
    j = DELAYS.index(cs.delay)
    be, over = row.breakeven[j], row.oversized[j]
    ok = bool(np.isfinite(be) and be >= cs.haircut - 1e-12)
    over_fails = not (np.isfinite(over) and over >= cs.haircut - 1e-12)
    cut_fails = not (np.isfinite(be) and be >= CUT + (1 - CUT) * cs.haircut - 1e-12)
    return ok, over_fails, cut_fails


def cross_validate(rows: list[Survival]) -> pd.DataFrame:
    """Leave one deal out: recalibrate its class without it and test it. One row per deal:
    code, class, rating source, whether the senior gets its public AAAsf, whether its oversized
    senior fails AAAsf and whether a 30 % cut fails it, and the stress it was tested with."""
    out = []
    for i, r in enumerate(rows):
        others = [x for j, x in enumerate(rows) if j != i and x.deal.klass == r.deal.klass]
        cs = _class_stress(r.deal.klass, others)
        if cs is None:
            continue
        ok, over_fails, cut_fails = _passes(r, cs)
        out.append(
            {
                "code": r.deal.code,
                "class": r.deal.klass,
                "rating_source": r.deal.rating_source,
                "hit": ok if r.deal.senior_rating == "AAAsf" else not ok,
                "oversized_fails": over_fails,
                "cut_fails": cut_fails,
                "haircut": cs.haircut,
                "delay": cs.delay,
            }
        )
    return pd.DataFrame(out)


def stress_table(classes: dict[str, ClassStress]) -> pd.DataFrame:
    """The stress table: per level, each class's AAAsf stress scaled by (15 - notch) / 15; delays
    rounded to whole months. A class without calibration point takes the unsecured stress."""
    fallback = classes.get("unsecured") or next(iter(classes.values()))
    rows = []
    last = len(LEVELS) - 1
    for i, level in enumerate(LEVELS):
        f = (last - i) / last
        row: dict = {"rating": level}
        for c in ASSET_CLASSES:
            cs = classes.get(c, fallback)
            row[f"haircut_{c}"] = round(cs.haircut * f, 4)
            row[f"delay_{c}"] = int(np.floor(cs.delay * f + 0.5))
        row["issue_rate_shift"] = 0.0
        row["status"] = "calibrated"
        row["source"] = (
            "npl-xl calibrate: public AAAsf seniors of the market dataset pass; scaled by notch"
            if i
            else "npl-xl calibrate: public AAAsf seniors of the market dataset pass"
        )
        rows.append(row)
    return pd.DataFrame(rows)


def header(cal: Calibration, cv: pd.DataFrame) -> str:
    """The comment lines above the packaged table: what it is, the AAAsf stress per class with
    the deals it rests on, and the cross-validated hit rate."""
    about = (
        "Recovery stress by rating level and asset class for NPL ABS, calibrated by `npl-xl "
        "calibrate` on the public deals of the market dataset (npl_xl/data/market; "
        "docs/methodology.md, 'Calibration'). A tranche passes a level when, with each class's "
        "base-case recoveries after closing cut by its haircut and delayed by its delay (months, "
        "on a monthly grid), it is paid as its rating basis requires (senior: interest on every "
        "payment date, principal by legal maturity). Every public AAAsf senior passes AAAsf; the "
        "delay maximises the share of deals whose senior fails AAAsf when 15 points of base case "
        "larger than the class's largest AAAsf share, or when recoveries are cut by 30 %. Lower "
        "levels scale the AAAsf stress linearly by notch to none at B-sf. issue_rate_shift: 0 (no "
        "public per-level figure)."
    )
    lines = textwrap.wrap(about, 96)
    for cs in cal.classes.values():
        lines.append(
            f"{cs.klass}: haircut {cs.haircut:.3f}, delay {cs.delay} months, {cs.n} AAAsf seniors "
            f"(binding {cs.binding}); oversized fail {cs.oversized_fail:.0%}, 30 % cut fail "
            f"{cs.cut_fail:.0%}"
        )
    missing = [c for c in ASSET_CLASSES if c not in cal.classes]
    if missing:
        lines.append(f"{', '.join(missing)}: no public deal; the unsecured stress applies")
    if len(cv):
        lines.append(
            f"leave-one-deal-out: {cv['hit'].sum()} of {len(cv)} seniors get their public rating; "
            f"oversized seniors fail AAAsf in {cv['oversized_fails'].mean():.0%}, "
            f"30 % cuts in {cv['cut_fails'].mean():.0%}"
        )
    return "".join(f"# {x}\n" for x in lines)


def to_csv(cal: Calibration, cv: pd.DataFrame) -> str:
    """The packaged stress table's text (header and rows), byte for byte reproducible."""
    return header(cal, cv) + cal.table().to_csv(
        index=False, lineterminator="\n", float_format="%.4g"
    )
