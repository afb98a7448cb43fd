"""The memo's words for what the engine names in code (pool statistics, waterfall columns, steps of
a priority of payments, triggers, asset classes): each through the message catalogue, so a Chinese
memo reads in Chinese. A label the catalogue does not know is shown as it is, underscores as
spaces."""

from __future__ import annotations

import re

from ...i18n import MESSAGES, text

__all__ = ["label", "sheet_of", "cash_flow_header", "step", "kmv_source", "cap"]

#: Excel's limit on the characters of one cell
CELL_LIMIT = 32_767

#: English labels of the pool statistics (npl_xl.workbook.tape.pool_tables) -> catalogue key
_POOL = {
    "Pool totals": "pl_totals",
    "By balance": "pl_by_balance",
    "By months overdue": "pl_by_overdue",
    "By region": "pl_by_region",
    "By five-category class": "pl_by_five_category",
    "By security type": "pl_by_security",
    "By product": "pl_by_product",
    "By borrower age": "pl_by_borrower_age",
    "By legal stage": "pl_by_legal_stage",
    "By LTV": "pl_by_ltv",
    "Diversity": "pl_diversity",
    "item": "col_item",
    "value": "col_value",
    "loans": "pl_loans",
    "balance": "pl_balance",
    "share": "pl_share",
    "total": "pl_total",
    "months_overdue": "pl_months_overdue",
    "region": "pl_region",
    "five_category": "pl_five_category",
    "security": "pl_security",
    "product": "pl_product",
    "borrower_age": "pl_borrower_age",
    "legal_stage": "pl_legal_stage",
    "ltv": "pl_ltv",
    "borrowers": "pl_borrowers",
    "principal": "pl_principal",
    "interest": "pl_interest",
    "fees": "pl_fees",
    "principal + interest + fees": "pl_total_due",
    "average balance per loan": "pl_average",
    "weighted average months overdue": "pl_wa_overdue",
    "weighted average loan age, months (账龄)": "pl_wa_age",
    "cut-off date": "pl_cutoff",
    "weighted average borrower age": "pl_wa_borrower_age",
    "weighted average annual income": "pl_wa_income",
    "secured share (mortgage or pledge)": "pl_secured",
    "share with a guarantee": "pl_guaranteed",
    "largest borrower share": "pl_largest",
    "top-10 borrowers share": "pl_top10",
    "obligors": "pl_obligors",
    "groups (regions)": "pl_groups",
    "diversity score (regions, Moody's table)": "pl_diversity_score",
    "regional HHI": "pl_hhi",
    "weighted average LTV": "pl_wa_ltv",
    # the agency pool statistics (npl_xl.workbook.tape.pool_statistics)
    "By collateral type": "pl_by_collateral",
    "Agency pool statistics": "pl_agency_stats",
    "collateral_type": "pl_collateral_type",
    "regional Herfindahl index (sum of squared region shares)": "pl_hhi",
    "litigated share (sued or later)": "pl_litigated",
    "weighted average LTV (principal / appraisal value)": "pl_wa_ltv",
    "land": "v_land",
    # values: security types, asset classes, balance bands
    "mortgage": "v_mortgage",
    "pledge": "v_pledge",
    "unsecured": "v_unsecured",
    "guaranteed": "v_guaranteed",
    "guarantee": "v_guaranteed",
    "other": "v_other",
    "sme": "v_sme",
    "residential": "v_residential",
    "commercial": "v_commercial",
    "<10k": "v_lt10k",
    "10k-50k": "v_10k_50k",
    "50k-100k": "v_50k_100k",
    "100k-500k": "v_100k_500k",
    ">=500k": "v_ge500k",
    "nan": "v_unknown",
}

#: the waterfall table's pool-level columns (WaterfallResult.table) -> catalogue key
_CASH = {
    "period": "col_period",
    "years": "col_years",
    "collections": "cf_collections",
    "fees": "cf_fees",
    "reserve_release": "cf_reserve_release",
    "reserve_topup": "cf_reserve_topup",
    "reserve_balance": "cf_reserve_balance",
    "incentive_fee": "cf_incentive_fee",
    "residual": "cf_residual",
    "default_event": "cf_default_event",
}
_TRANCHE_COLUMNS = ("interest shortfall", "interest", "principal", "balance")

#: where a rationale point's figures are (rating.rationale's tag) -> the memo sheet's name key
_SHEETS = {
    "Summary": "sheet_summary",
    "Method": "sheet_method",
    "Scorecard": "sheet_method",
    "Overview": "sheet_overview",
    "Pool": "sheet_pool",
    "Recovery": "sheet_recovery",
    "Cash flows": "sheet_cash_flows",
    "Stress": "sheet_stress",
    "KMV": "sheet_kmv",
    "Loss distribution": "sheet_loss",
    "BET": "sheet_bet",
    "Provenance": "sheet_provenance",
}

_UNIT = re.compile(r"^(.*?) \(((?:人民币)?[千万亿]?元)\)$")
#: "<statistic>: <value>" and "<statistic>, <value>" rows of the agency pool statistics
_SHARE_OF = re.compile(
    r"^(legal stage share|five-category share|weighted average LTV)[:,] (.+)$|"
    r"^(largest region share) \((.+)\)$"
)
_SHARE_KEYS = {
    "legal stage share": "pl_legal_stage_share",
    "five-category share": "pl_five_category_share",
    "weighted average LTV": "pl_wa_ltv_of",
    "largest region share": "pl_largest_region",
}


def _known(key: str, lang: str) -> bool:
    return key in MESSAGES and lang in MESSAGES[key]


def label(words, lang: str):
    """The catalogue's words for an engine label (a unit in brackets kept); other values as
    they are."""
    if not isinstance(words, str):
        return words
    m = _UNIT.match(words)
    if m and m.group(1) in _POOL:
        return text("with_unit", lang, what=label(m.group(1), lang), unit=m.group(2))
    key = _POOL.get(words)
    if key and _known(key, lang):
        return text(key, lang)
    m = _SHARE_OF.match(words)
    if m:
        what, value = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        return text(_SHARE_KEYS[what], lang, value=label(value, lang))
    return words


def sheet_of(tag: str, lang: str) -> str:
    """The memo sheet a rationale tag points to, by the name it has in this memo."""
    key = _SHEETS.get(tag)
    return text(key, lang) if key else tag


def cash_flow_header(header: list[str], names: list[str], lang: str) -> list[str]:
    """Human column titles for the waterfall table: pool columns from the catalogue, tranche
    columns as "<tranche> <what>"."""
    out = []
    for h in header:
        if h in _CASH:
            out.append(text(_CASH[h], lang))
            continue
        for what in _TRANCHE_COLUMNS:
            name = h[: -len(what) - 1]
            if h.endswith(" " + what) and name in names:
                out.append(text("cf_tranche_" + what.replace(" ", "_"), lang, tranche=name))
                break
        else:
            out.append(h.replace("_", " "))
    return out


def step(code: str, lang: str) -> str:
    """One step of a priority of payments ("interest:Senior") in words."""
    kind, _, name = code.partition(":")
    key = f"step_{kind}"
    if not _known(key, lang):
        return code.replace("_", " ")
    return text(key, lang, name=name)


def kmv_source(source: str, lang: str) -> str:
    """The KMV volatility's source sentence (rating.run) in ``lang``."""
    m = re.fullmatch(
        r"log standard deviation (\S+) of the Monte Carlo's pool recovery \(closed form\) over "
        r"a (\S+)-year collection life: (\S+) a year",
        source,
    )
    if lang == "en" or not m:
        return source
    return text("kmv_source", lang, sd=m.group(1), life=m.group(2), sigma=m.group(3))


def cap(words: str) -> str:
    """``words`` cut to what one Excel cell holds."""
    if len(words) <= CELL_LIMIT:
        return words
    return words[: CELL_LIMIT - 1] + "…"
