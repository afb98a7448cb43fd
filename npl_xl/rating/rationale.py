"""Strengths and concerns derived from the numbers, each pointing at the memo figure it rests on.

Thresholds (docs/methodology.md §8): a pool whose ten largest borrowers hold under 5 % of the
balance is granular (over 15 %: concentrated); one region over 40 % is a concentration; a weighted
average overdue period over 24 months lowers recoveries (under 12 months helps), as the NPL
recovery-rate literature finds; half the pool secured or more supports recoveries; a cushion (the
senior's break-even haircut above the haircut its rating requires) of 10 points or more is a
strength, under 3 points a concern; a liquidity reserve and a default event that turns the
waterfall sequential protect senior interest; illustrative tables are always a concern.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Point", "rationale"]


@dataclass(frozen=True)
class Point:
    """One line of the rationale: a strength or a concern, its message key, the figures it quotes
    and the memo sheet where they are."""

    kind: str
    key: str
    values: dict
    source: str


def rationale(
    *,
    top10_share: float | None,
    largest_region_share: float | None,
    wa_months_overdue: float | None,
    secured_share: float | None,
    cushion: float | None,
    required_haircut: float | None,
    reserve_multiple: float,
    sequential_on_default: bool,
    illustrative: bool,
    movers: tuple[tuple[str, int], ...],
) -> tuple[Point, ...]:
    """The rationale of a rating run, strengths first."""
    pts = _pool_points(top10_share, largest_region_share, wa_months_overdue, secured_share)
    pts += _structure_points(cushion, required_haircut, reserve_multiple, sequential_on_default)
    if illustrative:
        pts.append(Point("concern", "illustrative", {}, "Provenance"))
    pts += [
        Point(
            "strength" if score > 3 else "concern",
            "scorecard",
            {"factor": f, "score": score},
            "Scorecard",
        )
        for f, score in movers
    ]
    return tuple(sorted(pts, key=lambda p: p.kind != "strength"))


def _pool_points(top10, region, overdue, secured) -> list[Point]:
    pts = []
    if top10 is not None and (top10 < 0.05 or top10 > 0.15):
        pts.append(
            Point(
                "strength" if top10 < 0.05 else "concern",
                "granular" if top10 < 0.05 else "concentrated",
                {"share": top10},
                "Pool",
            )
        )
    if region is not None and region > 0.40:
        pts.append(Point("concern", "region_concentration", {"share": region}, "Pool"))
    if overdue is not None and (overdue > 24 or overdue < 12):
        pts.append(
            Point(
                "concern" if overdue > 24 else "strength",
                "long_overdue" if overdue > 24 else "short_overdue",
                {"months": overdue},
                "Pool",
            )
        )
    if secured is not None:
        good = secured >= 0.5
        pts.append(
            Point(
                "strength" if good else "concern",
                "secured" if good else "unsecured",
                {"share": secured},
                "Pool",
            )
        )
    return pts


def _structure_points(cushion, required, reserve_multiple, sequential) -> list[Point]:
    pts = []
    if cushion is not None and required is not None and (cushion >= 0.10 or cushion < 0.03):
        pts.append(
            Point(
                "strength" if cushion >= 0.10 else "concern",
                "cushion" if cushion >= 0.10 else "thin_cushion",
                {"cushion": cushion, "required": required},
                "Summary",
            )
        )
    if reserve_multiple > 0:
        pts.append(Point("strength", "reserve", {"multiple": reserve_multiple}, "Cash flows"))
    else:
        pts.append(Point("concern", "no_reserve", {}, "Cash flows"))
    if sequential:
        pts.append(Point("strength", "default_event", {}, "Method"))
    return pts
