"""Where everything sits in a deal workbook: one definition shared by the writer and the reader."""

from __future__ import annotations

import datetime as dt

from ..vocabulary import ASSUMPTION_CONCEPTS

#: Deal sheet rows (from row 3): option key (as the Excel functions' options take it) ->
#: (label, kind, default, validation list or None, help). Rows 3.. are the DealOptions range.
DEAL_FIELDS = {
    "name": ("Deal name", str, "New NPL deal", None, "As it should appear in the memo"),
    "payments_per_year": ("Payments per year", int, 4, "1,2,4,12", "1, 2, 4 or 12"),
    "legal_maturity_periods": (
        "Legal maturity (periods)",
        int,
        24,
        None,
        "Payment periods to legal maturity",
    ),
    "reserve_multiple": (
        "Liquidity reserve multiple",
        float,
        1.5,
        None,
        "Target = multiple x (next period's senior fees + senior interest)",
    ),
    "reserve_initial": ("Initial reserve", float, 0.0, None, "Funded at closing (currency units)"),
    "incentive_fee_share": (
        "Servicer incentive fee share",
        float,
        0.2,
        None,
        "Share of the remainder (decimal)",
    ),
    "default_event": (
        "Default event rule",
        str,
        "senior_interest",
        "senior_interest,none",
        "senior_interest: unpaid senior interest switches to the post-default order",
    ),
}
#: Deal sheet rows below the options: key -> (label, default, validation list or None, help);
# defined name Deal_<key>
DEAL_EXTRA = {
    "unit": (
        "Currency unit",
        "万元",
        "万元,元",
        "Unit of every amount in this workbook: 万元 (CNY 10k) or 元 (CNY)",
    ),
    "notes": ("Notes", "", None, "Sources and assumptions of the deal terms"),
    "language": (
        "Memo language",
        "en",
        "en,zh",
        "Language of the rating memo: en or zh (npl-xl rate --lang)",
    ),
    "rate_subordinated": (
        "Rate residual tranches",
        "no",
        "no,yes",
        "no: tranches without a promised coupon are NR (not rated); yes: rate them",
    ),
}
#: Deal-sheet terms a blank cell may not leave to a default
REQUIRED_DEAL_FIELDS = ("payments_per_year", "legal_maturity_periods")
#: optional inputs the rating uses: key -> (label, kind, help); defined name Deal_<key>
DEAL_RATING: dict[str, tuple] = {
    "cutoff_date": ("Cut-off date", dt.date, "Pool cut-off date (封包日)"),
    "closing_date": ("Closing date", dt.date, "Closing / issue date (信托生效日)"),
    "expected_senior_maturity": (
        "Expected senior maturity (years)",
        float,
        "The structurer's expected maturity of the most senior tranche, years from closing",
    ),
    "collected_before_closing": (
        "Collected before closing",
        float,
        "Collections between the cut-off date and closing, in the deal's unit",
    ),
}
#: transaction parties (optional text): key -> (label, help); defined name Deal_<key>
DEAL_PARTIES: dict[str, tuple[str, str]] = {
    "originator": ("Originator", "发起机构: the bank or AMC selling the loans"),
    "servicer": ("Servicer", "贷款服务机构: collects the loans"),
    "trustee": ("Trustee", "受托机构: the issuing trust"),
    "custodian": ("Custodian", "资金保管机构: holds the trust's accounts"),
    "lead_underwriter": ("Lead underwriter", "主承销商"),
}
PARTIES = tuple(DEAL_PARTIES)
#: the basis a tranche is rated on: timely interest and ultimate principal, or ultimate payment
RATING_BASES = "timely,ultimate"
SCORECARD_HEADERS = ["Factor", "Description", "Score (1-5, 3 neutral)", "Comment"]

#: Assumptions sheet: defined name -> (label, kind, default, help), from the project's vocabulary
ASSUMPTION_FIELDS: dict[str, tuple] = {
    str(c.defined_name): (c.label, c.kind, c.default, c.help) for c in ASSUMPTION_CONCEPTS
}
#: Assumptions sheet defined name -> where it goes: ("recovery", field of Deal.recovery) or
#: ("assumptions", field)
ASSUMPTION_KEYS: dict[str, tuple[str, str]] = {
    str(c.defined_name): (c.target, c.field) for c in ASSUMPTION_CONCEPTS
}

TRANCHE_HEADERS = [
    "Name",
    "Balance",
    "Coupon",
    "Seniority",
    "Issue price",
    "Fixed return",
    "Fixed return base",
    "Index",
    "Spread",
    "Floor",
    "Cap",
    "Reset periods",
    "Rating basis",
]
#: the Structures sheet: floating-rate indexes, triggers, facilities / guarantee / account
RATE_HEADERS = ["Index", "Level", "Path", "Source"]
TRIGGER_HEADERS = ["Name", "Test", "Threshold", "Effect"]
SUPPORT_HEADERS = ["Kind", "Name", "Limit", "Covers", "Fee rate", "Interest rate", "Rating"]
SUPPORT_KINDS = "liquidity_facility,guarantee,excess_spread_account"
FEE_HEADERS = ["Name", "Basis", "Rate", "Amount", "Cap", "Position"]
RECOVERY_HEADERS = ["Period", "Cumulative share", "Collections"]
#: the stress table: a haircut and a delay (months) per asset class
# (npl_xl.models.analysis.ASSET_CLASSES)
STRESS_CLASSES = ("unsecured", "sme", "residential", "commercial")
STRESS_HEADERS = (
    ["Rating"]
    + [f"{k} {c}" for c in STRESS_CLASSES for k in ("Haircut", "Delay")]
    + ["Issue rate shift", "Status", "Source"]
)
MIX_HEADERS = ["Asset class", "Share of base recovery"]
ORDER_HEADERS = ["Pre-default order", "Post-default order"]

#: sheet -> Excel table name on it
TABLES = {
    "Tranches": "Tranches",
    "Fees": "Fees",
    "Recovery": "RecoveryCurve",
    "Stress": "StressTable",
    "Waterfall": "PaymentOrder",
    "Rates": "Rates",
    "Triggers": "Triggers",
    "Supports": "Supports",
    "IdealisedEL": "IdealisedEL",
    "LoanTape": "LoanTape",
    "AssetMix": "AssetMix",
    "Scorecard": "Scorecard",
    "ValCollateral": "ValCollateral",
    "ValStages": "ValStages",
    "ValCurves": "ValCurves",
    "ValFactors": "ValFactors",
    "LoanValues": "LoanValues",
}
#: older names of tables, still read
LEGACY_TABLES = {"IdealisedEL": ("RatingTable",)}
SHEETS = [
    "Deal",
    "Tranches",
    "Fees",
    "Waterfall",
    "Structures",
    "Recovery",
    "Assumptions",
    "Stress",
    "Scorecard",
    "IdealisedEL",
    "Pool",
    "LoanTape",
    "ValuationTables",
    "Valuation",
    "Results",
]
REQUIRED_SHEETS = ["Deal", "Tranches", "Fees", "Recovery", "Assumptions"]

FEE_BASES = "fixed,collections,notes_balance"
FEE_POSITIONS = "senior,subordinated"


def header_key(header):
    """A table header as the reader knows it: the English header of a Chinese one (a workbook
    written with ``--lang zh``), anything else unchanged."""
    from ..i18n.workbook import HEADER_KEYS

    return HEADER_KEYS.get(str(header).strip(), header) if header is not None else header
