"""Resource limits, checked before work starts (imports nothing from the package: every layer uses
it).

Each limit has a default and an environment variable that changes it (``NPL_XL_MAX_TRANCHES=500``);
a breach raises ``ValueError`` with one line naming the limit, the value and how to change it.
The table is printed in the README ("Limits").
"""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["Limit", "LIMITS", "get", "check", "check_memory", "available_memory"]


@dataclass(frozen=True)
class Limit:
    """One documented limit: ``name`` (also the key of :data:`LIMITS`), default, unit and
    meaning."""

    name: str
    default: float
    unit: str
    meaning: str

    @property
    def env(self) -> str:
        """The environment variable that overrides the default."""
        return f"NPL_XL_{self.name.upper()}"


LIMITS = {
    lim.name: lim
    for lim in (
        Limit("max_periods", 1_200, "payment periods", "periods of a deal, 100 years paid monthly"),
        Limit("max_tranches", 100, "tranches", "tranches of a deal"),
        Limit("max_fees", 200, "fees", "fees of a deal"),
        Limit("max_triggers", 100, "triggers", "triggers of a deal"),
        Limit("max_rates", 100, "rates", "floating-rate indexes of a deal"),
        Limit("max_order_steps", 2_000, "steps", "steps of one written priority of payments"),
        Limit("max_table_rows", 10_000, "rows", "rows of one input table of a deal workbook"),
        Limit("max_paths", 10_000_000, "scenarios", "Monte Carlo scenarios or paths of one run"),
        Limit(
            "max_memory_share",
            0.5,
            "of available memory",
            "share of available memory one run may plan to use",
        ),
        Limit("max_tape_rows", 2_000_000, "rows", "rows of a loan tape"),
        Limit(
            "max_linked_row_bytes",
            4_096,
            "bytes",
            "uncompressed bytes a row of a linked tape may take (new-deal writes about 300)",
        ),
        Limit(
            "max_workbook_bytes",
            400_000_000,
            "bytes",
            "uncompressed size of a workbook (all its parts)",
        ),
        Limit(
            "max_part_ratio",
            200,
            "x",
            "compression ratio of one workbook part over 1 MB (a zip bomb is ~1000x)",
        ),
        Limit(
            "max_workbook_cells",
            20_000_000,
            "cells",
            "cells of a workbook, from each sheet's dimension",
        ),
        Limit(
            "max_cell_work",
            200_000_000,
            "units",
            "work of one Excel function call (e.g. paths x names)",
        ),
    )
}


def get(name: str) -> float:
    """The limit in force: the environment variable if set (a number), else the default."""
    lim = LIMITS[name]
    raw = os.environ.get(lim.env)
    if raw is None or not raw.strip():
        return lim.default
    try:
        value = float(raw.replace("_", "").replace(",", ""))
    except ValueError:
        raise ValueError(f"{lim.env}: expected a number, got {raw!r}") from None
    if not value > 0:
        raise ValueError(f"{lim.env}: must be > 0, got {raw!r}")
    return value


def check(name: str, value: float, what: str) -> None:
    """Raise ``ValueError`` if ``value`` exceeds the limit ``name``; ``what`` says what was
    counted."""
    limit = get(name)
    if value > limit:
        lim = LIMITS[name]
        raise ValueError(
            f"{what}: {value:,.0f} exceeds the limit of {limit:,.0f} {lim.unit} ({lim.meaning}); "
            f"set {lim.env} to change it"
        )


def available_memory() -> int | None:
    """Bytes of memory available now (Linux /proc/meminfo, else POSIX sysconf), or None if
    unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return None


def check_memory(planned_bytes: float, what: str) -> None:
    """Refuse a run whose planned memory exceeds ``max_memory_share`` of available memory."""
    avail = available_memory()
    if avail is None:
        return
    share = get("max_memory_share")
    if planned_bytes > share * avail:
        lim = LIMITS["max_memory_share"]
        raise ValueError(
            f"{what}: needs about {planned_bytes / 2**30:,.1f} GiB, over {share:.0%} of the "
            f"{avail / 2**30:,.1f} GiB available; use fewer scenarios or periods, or set {lim.env}"
        )
