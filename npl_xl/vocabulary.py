"""One name per concept on every face: Python field, workbook label and defined name, CLI option,
Excel argument and memo title all come from (or are tested against) this table.

Imports nothing from the package, so every layer may use it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Concept", "CONCEPTS", "ASSUMPTION_CONCEPTS", "concept"]


@dataclass(frozen=True)
class Concept:
    """A named input: ``field`` is the Python keyword (and Excel argument, and CLI option with
    dashes)."""

    field: str
    label: str
    defined_name: str | None = None
    kind: type = float
    default: object = None
    help: str = ""
    target: str = (
        "assumptions"  # where a workbook value goes: "assumptions" or "recovery" (Deal.recovery)
    )
    cli: bool = False  # an option of the CLI (``--field-with-dashes``)
    excel: bool = False  # an argument of an Excel function

    @property
    def option(self) -> str:
        """The CLI option: ``--recovery-vol``."""
        return "--" + self.field.replace("_", "-")


CONCEPTS: tuple[Concept, ...] = (
    Concept(
        "total",
        "Expected total recovery (base case)",
        "TotalRecovery",
        float,
        0.0,
        "In the deal's unit; the agency base case",
        target="recovery",
    ),
    Concept(
        "cost_rate",
        "Collection cost rate",
        "CollectionCostRate",
        float,
        0.0,
        "Share of each period's recoveries (decimal)",
        target="recovery",
    ),
    Concept(
        "recovery_vol",
        "Recovery volatility",
        "RecoveryVolatility",
        float,
        0.25,
        "Annual decimal; drives the tranche KMV and the simulation",
        cli=True,
        excel=True,
    ),
    Concept(
        "discount_rate",
        "Discount rate",
        "DiscountRate",
        float,
        0.05,
        "Annual decimal, for present values",
        excel=True,
    ),
    Concept(
        "recovery_correlation",
        "Systematic share of recovery variance",
        "RecoveryCorrelation",
        float,
        0.3,
        "In [0, 1]",
        cli=True,
    ),
    Concept(
        "delay_beta",
        "Systematic delay (periods per unit of adverse factor)",
        "DelayBeta",
        float,
        1.0,
        ">= 0",
        cli=True,
    ),
    Concept(
        "unit_default_probability",
        "BET: probability a recovery unit fails",
        "UnitDefaultProbability",
        float,
        0.2,
        "Decimal",
    ),
    Concept(
        "stressed_recovery",
        "BET: share of base recovery a failing unit recovers",
        "StressedRecovery",
        float,
        0.3,
        "Decimal",
    ),
    Concept(
        "paths",
        "Monte Carlo scenarios",
        "Paths",
        int,
        10_000,
        "Default for npl-xl rate --paths",
        cli=True,
        excel=True,
    ),
    Concept(
        "seed",
        "Monte Carlo seed",
        "Seed",
        int,
        20_240_101,
        "Default for npl-xl rate --seed",
        cli=True,
        excel=True,
    ),
    Concept(
        "source",
        "Source of the recovery assumptions",
        "RecoverySource",
        str,
        "",
        "Who estimated the base case, and how",
        target="recovery",
    ),
)
#: the concepts that sit on the Assumptions sheet, in sheet order
ASSUMPTION_CONCEPTS = tuple(c for c in CONCEPTS if c.defined_name)


def concept(field: str) -> Concept:
    """The concept named ``field``."""
    for c in CONCEPTS:
        if c.field == field:
            return c
    raise KeyError(field)
