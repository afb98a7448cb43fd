"""The stress table's asset class of each loan (unsecured, sme, residential, commercial) from its
product and purpose, its collateral and its security, by an editable rule table; and each loan's
city tier from its city.

A rule is (field, word, class): the first ``product`` rule whose word appears in the loan's product
or purpose text decides (class ``collateral|sme``: the collateral's class when the loan is secured
by a known collateral type, else sme); without one, a known collateral type decides, then the
``security`` rules (a pledge, a mortgage without collateral data), then unsecured. Every loan gets
the reason of its class; reasons starting "fallback" are weighed in the intake report.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import normalise as N
from . import vocabulary as V

__all__ = ["CLASS_RULES", "classify", "city_tiers", "rules_frame", "rules_from_frame"]

#: (field, word, asset class, why) in priority order; written to the deal workbook's ValClasses
#: table, where an analyst may edit them (docs/methodology.md, "Asset class per loan")
CLASS_RULES: tuple[tuple[str, str, str, str], ...] = (
    ("product", "信用卡", "unsecured", "credit card"),
    ("product", "消费", "unsecured", "consumer loan"),
    ("product", "商铺", "commercial", "shop"),
    ("product", "写字楼", "commercial", "office"),
    ("product", "商业用房", "commercial", "commercial property"),
    ("product", "住房按揭", "residential", "residential mortgage"),
    ("product", "个人住房", "residential", "residential mortgage"),
    ("product", "按揭", "residential", "mortgage loan"),
    ("product", "经营", "collateral|sme", "business loan: by collateral, else sme"),
    ("product", "小微", "collateral|sme", "small-business loan: by collateral, else sme"),
    ("product", "对公", "collateral|sme", "corporate loan: by collateral, else sme"),
    ("product", "流动资金", "collateral|sme", "working-capital loan: by collateral, else sme"),
    ("product", "企业", "collateral|sme", "company loan: by collateral, else sme"),
    ("product", "credit card", "unsecured", "credit card"),
    ("product", "consumer", "unsecured", "consumer loan"),
    ("product", "business", "collateral|sme", "business loan: by collateral, else sme"),
    ("collateral", "residential", "residential", "collateral type"),
    ("collateral", "commercial", "commercial", "collateral type"),
    ("collateral", "land", "commercial", "collateral type"),
    ("collateral", "equipment", "sme", "collateral type"),
    ("collateral", "equity", "sme", "collateral type"),
    (
        "security",
        "pledge",
        "sme",
        "stated mapping: a pledge (receivables, deposits, shares) -> sme",
    ),
    ("security", "mortgage", "residential", "fallback: mortgage without collateral type"),
)
CLASSES = ("unsecured", "sme", "residential", "commercial")


def rules_frame(rules=CLASS_RULES) -> pd.DataFrame:
    """The rules as the workbook's ValClasses table."""
    return pd.DataFrame(list(rules), columns=["field", "word", "asset_class", "note"])


def rules_from_frame(frame: pd.DataFrame) -> tuple[tuple[str, str, str, str], ...]:
    """Rules from a ValClasses table (checked: known fields and classes, no duplicate words)."""
    out, seen = [], set()
    for i, r in enumerate(frame.itertuples(index=False), start=1):
        field, word, cls = (str(x).strip() for x in (r[0], r[1], r[2]))
        note = "" if len(r) < 4 or r[3] is None else str(r[3])
        if field not in ("product", "collateral", "security"):
            raise ValueError(
                f"ValClasses row {i}: field {field!r}: expected product, collateral or security"
            )
        if cls not in CLASSES + ("collateral|sme",):
            raise ValueError(
                f"ValClasses row {i}: asset_class {cls!r}: expected one of "
                f"{', '.join(CLASSES)} or collateral|sme"
            )
        if (field, N.key(word)) in seen:
            raise ValueError(f"ValClasses row {i}: {field} word {word!r} appears twice")
        seen.add((field, N.key(word)))
        out.append((field, word, cls, note))
    return tuple(out)


def _one(product: str, collateral: str, security: str, rules) -> tuple[str, str]:
    """(class, reason) of one combination of product text, collateral type and security."""
    by_collateral = {w: (c, why) for f, w, c, why in rules if f == "collateral"}
    coll = by_collateral.get(collateral) if security in ("mortgage", "pledge") else None
    k = N.key(product)
    for f, word, cls, _ in rules:
        if f == "product" and k and N.key(word) in k:
            if cls == "collateral|sme":
                if coll:
                    return coll[0], f"product {word!r} secured by {collateral}"
                return "sme", f"product {word!r}"
            return cls, f"product {word!r}"
    if coll:
        return coll[0], f"collateral {collateral}"
    for f, word, cls, why in rules:
        if f == "security" and word == security:
            return cls, why if why.startswith("fallback") else f"security {security} ({why})"
    if security in ("unsecured", "guaranteed"):
        return "unsecured", f"security {security}"
    return "unsecured", "fallback: no product, collateral or security stated"


def classify(tape: pd.DataFrame, rules=CLASS_RULES) -> tuple[np.ndarray, np.ndarray]:
    """(asset class, reason) per loan of a normalised tape (one rule lookup per distinct
    combination of product text, collateral type and security)."""
    n = len(tape)

    def col(name):
        if name not in tape:
            return pd.Series("", index=tape.index)
        return tape[name].astype(object).where(tape[name].notna(), "").astype(str)

    product = col("product") + " " + col("purpose")
    combos = pd.DataFrame(
        {"p": product, "c": col("collateral_type").str.lower(), "s": col("security")}
    )
    codes, uniques = pd.MultiIndex.from_frame(combos).factorize()
    decided = [_one(p, c, s, rules) for p, c, s in uniques]
    cls = np.array([d[0] for d in decided] or [""], dtype=object)[codes] if n else np.array([])
    why = np.array([d[1] for d in decided] or [""], dtype=object)[codes] if n else np.array([])
    return cls, why


def city_tiers(city: pd.Series) -> tuple[pd.Series, dict[str, int]]:
    """City tier ('1', '2', '3') per loan from its city (tier-1 and tier-2 lists of
    :data:`~.vocabulary.CITY_TIERS`; any other named city is tier 3, a blank city stays blank);
    also {city not in the lists: loans} for the report."""
    tiers = {N.key(c): t for t, cities in V.CITY_TIERS.items() for c in cities}
    out, unlisted = {}, {}
    counts = city.value_counts()
    for u in city.dropna().unique():
        k = N.key(u)
        k = k[:-1] if k.endswith("市") and k not in tiers else k
        tier = tiers.get(k) or V.TIER_WORDS.get(k)
        if tier is None:
            tier = "3"
            unlisted[str(u)] = int(counts.get(u, 0))
        out[u] = tier
    return city.map(out).astype(object).where(city.notna(), None), unlisted


def legal_stages(values: pd.Series) -> tuple[pd.Series, dict[str, str]]:
    """The disposal-months table's stage named in each text (``vocabulary.LEGAL_STAGE_WORDS``),
    None where no stage word appears; also {text: stage} for every text that changed."""
    out, changed = {}, {}
    for u in values.dropna().unique():
        k = N.key(u)
        stage = next((s for w, s in V.LEGAL_STAGE_WORDS if w in k), None) if k else None
        out[u] = stage
        if stage and str(u) != stage:
            changed[str(u)] = stage
    return values.map(out).astype(object).where(values.notna(), None), changed
