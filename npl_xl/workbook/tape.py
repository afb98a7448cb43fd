"""Loan tapes: stratification and diversity inputs of a normalised tape, and a seeded synthetic
generator for tests and the demo. Reading and normalising a servicer's file is
:mod:`npl_xl.workbook.intake` (re-exported here).

Amounts of a normalised tape are in yuan (元); the stratification tables show them in the deal's
unit (``unit``: 元 or 万元).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..models.diversity import diversity_score
from .intake import COLUMN_ALIASES, IntakeReport, TapeError, normalise_rows, read_tape
from .intake.vocabulary import AMOUNT_COLUMNS, UNITS

__all__ = [
    "COLUMN_ALIASES",
    "TapeError",
    "IntakeReport",
    "read_tape",
    "normalise_rows",
    "pool_tables",
    "diversity_inputs",
    "PoolDiversity",
    "PoolFacts",
    "pool_facts",
    "PoolStatistics",
    "pool_statistics",
    "synthetic_tape",
    "cutoff_date",
    "sheet_frame",
]

#: days per month used for ages and overdue periods (365.25 / 12)
DAYS_PER_MONTH = 30.4375


def cutoff_date(tape: pd.DataFrame) -> dt.date:
    """The pool cut-off date: the tape's stated one (intake report), else the latest default date,
    else today."""
    report = tape.attrs.get("intake")
    if report is not None and report.cutoff:
        return report.cutoff
    if "default_date" in tape and tape["default_date"].notna().any():
        return tape["default_date"].max().date()
    return dt.date.today()


def sheet_frame(tape: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The tape as the deal workbook's LoanTape sheet stores it: amounts in ``unit`` with the unit
    in the
    header ('principal (万元)'), security as one text ('mortgage+guaranteed'), no helper columns."""
    out = tape.drop(columns=[c for c in ("total", "secured", "guaranteed") if c in tape])
    scale = 1.0 / UNITS[unit]
    for col in AMOUNT_COLUMNS:
        if col in out:
            out[col] = out[col] * scale
    if "security" in out and "guaranteed" in tape:
        extra = np.where(tape["guaranteed"] & (tape["security"] != "guaranteed"), "+guaranteed", "")
        out["security"] = out["security"].astype(str) + extra
    return out.rename(columns={c: f"{c} ({unit})" for c in AMOUNT_COLUMNS if c in out})


def _by(tape, key, scale, labels=None, bins=None, values=None) -> pd.DataFrame:
    col = tape[key] if values is None else values
    if bins is not None:
        col = pd.cut(col, bins=bins, labels=labels, right=False)
    g = tape.groupby(col, observed=True, dropna=False)["total"]
    out = pd.DataFrame({"loans": g.size(), "balance": g.sum() * scale})
    out["share"] = out["balance"] / (tape["total"].sum() * scale)
    out.index = out.index.astype(str)
    return out.rename_axis(key).reset_index()


def pool_tables(
    tape: pd.DataFrame, unit: str = "元", *, cutoff: dt.date | None = None
) -> dict[str, pd.DataFrame]:
    """Stratification tables (loans, balance = principal + interest + fees in ``unit``, share) and
    pool totals.

    Totals include the recovery drivers of the Chinese NPL recovery-rate literature (pool size,
    loans,
    average balance, weighted average months overdue, loan age, borrower age and annual income), the
    secured share and the top-10 borrower concentration. Loan age (账龄) runs from origination to
    ``cutoff`` (default :func:`cutoff_date`).
    """
    scale = 1.0 / UNITS[unit]
    total = tape["total"].sum()
    w = tape["total"] / total
    summary: dict[str, object] = {
        "loans": len(tape),
        "borrowers": int(tape["borrower_id"].nunique()),
        f"principal ({unit})": tape["principal"].sum() * scale,
        f"interest ({unit})": tape["interest"].sum() * scale,
        f"fees ({unit})": tape["fees"].sum() * scale,
        f"principal + interest + fees ({unit})": total * scale,
        f"average balance per loan ({unit})": total * scale / len(tape),
    }
    if "months_overdue" in tape:
        summary["weighted average months overdue"] = float((w * tape["months_overdue"]).sum())
    if "origination_date" in tape and tape["origination_date"].notna().any():
        cut = pd.Timestamp(cutoff or cutoff_date(tape))
        age = (cut - tape["origination_date"]).dt.days / DAYS_PER_MONTH
        ok = age.notna()
        summary["weighted average loan age, months (账龄)"] = float(
            (w[ok] * age[ok]).sum() / w[ok].sum()
        )
        summary["cut-off date"] = cut.date().isoformat()
    if "borrower_age" in tape:
        summary["weighted average borrower age"] = float((w * tape["borrower_age"]).sum())
    if "annual_income" in tape and tape["annual_income"].notna().any():
        ok = tape["annual_income"].notna()
        summary["weighted average annual income (元)"] = float(
            (w[ok] * tape["annual_income"][ok]).sum() / w[ok].sum()
        )
    if "secured" in tape:
        summary["secured share (mortgage or pledge)"] = float(w[tape["secured"].astype(bool)].sum())
    if "guaranteed" in tape:
        summary["share with a guarantee"] = float(w[tape["guaranteed"].astype(bool)].sum())
    top = _top_borrowers(tape)
    summary["largest borrower share"] = float(top[0] / total)
    summary["top-10 borrowers share"] = float(top.sum() / total)
    tables = {"Pool totals": pd.DataFrame({"item": list(summary), "value": list(summary.values())})}
    edges = [0, 1e4, 5e4, 1e5, 5e5, np.inf]
    tables["By balance (元)"] = _by(
        tape, "total", scale, ["<10k", "10k-50k", "50k-100k", "100k-500k", ">=500k"], edges
    )
    if "months_overdue" in tape:
        tables["By months overdue"] = _by(
            tape,
            "months_overdue",
            scale,
            ["0-6", "6-12", "12-24", "24-36", "36+"],
            [0, 6, 12, 24, 36, np.inf],
        )
    for key, title in (
        ("region", "By region"),
        ("five_category", "By five-category class"),
        ("security", "By security type"),
        ("product", "By product"),
        ("collateral_type", "By collateral type"),
        ("city_tier", "By city tier"),
        ("legal_stage", "By legal stage"),
    ):
        if key in tape:
            tables[title] = (
                _by(tape, key, scale).sort_values("balance", ascending=False).reset_index(drop=True)
            )
    if "borrower_age" in tape:
        tables["By borrower age"] = _by(
            tape,
            "borrower_age",
            scale,
            ["<30", "30-40", "40-50", "50-60", "60+"],
            [0, 30, 40, 50, 60, np.inf],
        )
    tables["Agency pool statistics"] = pd.DataFrame(
        pool_statistics(tape, cutoff=cutoff).rows(unit), columns=["item", "value"]
    )
    tables["Diversity"] = pd.DataFrame(diversity_inputs(tape).rows(), columns=["item", "value"])
    return tables


@dataclass(frozen=True)
class PoolDiversity:
    """Moody's diversity score of a tape with regions as groups and borrowers as obligors."""

    obligors: int
    regions: int
    diversity_score: float

    def rows(self) -> list[tuple[str, float]]:
        """(label, value) rows for the stratification tables."""
        return [
            ("obligors", self.obligors),
            ("groups (regions)", self.regions),
            ("diversity score (regions, Moody's table)", self.diversity_score),
        ]


@dataclass(frozen=True)
class PoolFacts:
    """The pool figures the rationale quotes (shares of principal + interest + fees)."""

    loans: int
    top10_share: float
    largest_region_share: float | None
    wa_months_overdue: float | None
    secured_share: float | None


def pool_facts(tape: pd.DataFrame) -> PoolFacts:
    """Concentration, overdue period and collateral of a normalised tape."""
    total = tape["total"].sum()
    w = tape["total"] / total
    top10 = float(_top_borrowers(tape).sum() / total)
    region = (
        float(tape.groupby("region")["total"].sum().max() / total) if "region" in tape else None
    )
    overdue = float((w * tape["months_overdue"]).sum()) if "months_overdue" in tape else None
    secured = float(w[tape["secured"].astype(bool)].sum()) if "secured" in tape else None
    return PoolFacts(len(tape), top10, region, overdue, secured)


#: legal stages counted as litigated (sued or later)
LITIGATED = ("已起诉", "已判决", "执行中", "拍卖中")


@dataclass(frozen=True)
class PoolStatistics:
    """The pool statistics rating agencies quote in a presale report, from a normalised tape.

    Shares are of principal + interest + fees (the claim) unless named otherwise; ``None`` (or an
    empty dict) where the tape lacks the column. LTV is principal / appraisal value, weighted by
    principal, over secured loans with an appraisal value. Amounts in 元."""

    loans: int
    borrowers: int
    balance: float
    top1_share: float
    top10_share: float
    region_hhi: float | None
    largest_region: tuple[str, float] | None
    wa_months_overdue: float | None
    wa_loan_age_months: float | None
    cutoff: dt.date | None
    five_category: dict[str, float]
    legal_stage: dict[str, float]
    litigated_share: float | None
    secured_share: float | None
    wa_ltv: float | None
    ltv_by_collateral: dict[str, float]
    ltv_by_tier: dict[str, float]
    collected: float | None
    collected_share: float | None

    def rows(self, unit: str = "元") -> list[tuple[str, object]]:
        """(label, value) rows for the Pool sheet, amounts in ``unit`` (元 or 万元)."""
        scale = 1.0 / UNITS[unit]
        out: list[tuple[str, object]] = [
            ("loans", self.loans),
            ("borrowers", self.borrowers),
            (f"balance: principal + interest + fees ({unit})", self.balance * scale),
            ("largest borrower share", self.top1_share),
            ("top-10 borrowers share", self.top10_share),
        ]
        if self.region_hhi is not None:
            out.append(
                ("regional Herfindahl index (sum of squared region shares)", self.region_hhi)
            )
        if self.largest_region is not None:
            out.append((f"largest region share ({self.largest_region[0]})", self.largest_region[1]))
        for label, value in (
            ("weighted average months overdue", self.wa_months_overdue),
            ("weighted average loan age, months (账龄)", self.wa_loan_age_months),
            ("secured share (mortgage or pledge)", self.secured_share),
            ("litigated share (sued or later)", self.litigated_share),
            ("weighted average LTV (principal / appraisal value)", self.wa_ltv),
        ):
            if value is not None:
                out.append((label, value))
        if self.cutoff is not None:
            out.append(("cut-off date", self.cutoff.isoformat()))
        out += [(f"five-category share: {k}", v) for k, v in self.five_category.items()]
        out += [(f"legal stage share: {k}", v) for k, v in self.legal_stage.items()]
        out += [(f"weighted average LTV, {k}", v) for k, v in self.ltv_by_collateral.items()]
        out += [(f"weighted average LTV, city tier {k}", v) for k, v in self.ltv_by_tier.items()]
        if self.collected is not None:
            out.append((f"recoveries since cut-off ({unit})", self.collected * scale))
            out.append(("recoveries since cut-off, share of balance", self.collected_share))
        return out


def _shares(tape: pd.DataFrame, key: str, total: float) -> dict[str, float]:
    """{value: share of the claim} by descending share; blanks as '(blank)'."""
    values = tape[key].astype(object).where(tape[key].notna(), "(blank)").astype(str)
    by = tape["total"].groupby(values).sum().sort_values(ascending=False) / total
    return {str(k): float(v) for k, v in by.items()}


def _ltv(principal: pd.Series, value: pd.Series) -> float | None:
    ok = value.notna() & (value > 0) & principal.notna()
    if not ok.any() or principal[ok].sum() <= 0:
        return None
    ltv = principal[ok] / value[ok]
    return float((principal[ok] * ltv).sum() / principal[ok].sum())


def pool_statistics(tape: pd.DataFrame, *, cutoff: dt.date | None = None) -> PoolStatistics:
    """The agency pool statistics of a normalised tape (see :class:`PoolStatistics`); loan age is
    measured to ``cutoff`` (default :func:`cutoff_date`)."""
    claim = tape["total"]
    total = float(claim.sum())
    w = claim / total
    top = _top_borrowers(tape)
    hhi = largest = None
    if "region" in tape:
        regions = _shares(tape, "region", total)
        hhi = float(sum(v * v for v in regions.values()))
        largest = next(iter(regions.items()))
    age = cut = None
    if "origination_date" in tape and tape["origination_date"].notna().any():
        cut = cutoff or cutoff_date(tape)
        months = (pd.Timestamp(cut) - tape["origination_date"]).dt.days / DAYS_PER_MONTH
        ok = months.notna()
        age = float((w[ok] * months[ok]).sum() / w[ok].sum())
    secured = tape["secured"].astype(bool) if "secured" in tape else None
    ltv = None
    by_type: dict[str, float] = {}
    by_tier: dict[str, float] = {}
    if "appraisal_value" in tape:
        mask = secured if secured is not None else pd.Series(True, index=tape.index)
        p, v = tape["principal"][mask], tape["appraisal_value"][mask]
        ltv = _ltv(p, v)
        for key, out in (("collateral_type", by_type), ("city_tier", by_tier)):
            if key in tape:
                groups = tape[key][mask]
                for g in sorted(groups.dropna().unique(), key=str):
                    x = _ltv(p[groups == g], v[groups == g])
                    if x is not None:
                        out[str(g)] = x
    stages = _shares(tape, "legal_stage", total) if "legal_stage" in tape else {}
    collected = float(tape["collected"].fillna(0).sum()) if "collected" in tape else None
    return PoolStatistics(
        loans=len(tape),
        borrowers=int(tape["borrower_id"].nunique()),
        balance=total,
        top1_share=float(top[0] / total),
        top10_share=float(top.sum() / total),
        region_hhi=hhi,
        largest_region=largest,
        wa_months_overdue=(
            float((w * tape["months_overdue"]).sum()) if "months_overdue" in tape else None
        ),
        wa_loan_age_months=age,
        cutoff=cut,
        five_category=_shares(tape, "five_category", total) if "five_category" in tape else {},
        legal_stage=stages,
        litigated_share=(
            float(w[tape["legal_stage"].isin(LITIGATED)].sum()) if "legal_stage" in tape else None
        ),
        secured_share=float(w[secured].sum()) if secured is not None else None,
        wa_ltv=ltv,
        ltv_by_collateral=by_type,
        ltv_by_tier=by_tier,
        collected=collected,
        collected_share=collected / total if collected is not None else None,
    )


def _codes(values: pd.Series) -> tuple[np.ndarray, int]:
    """(integer code of each value, number of distinct values); blanks are one value."""
    codes, uniques = pd.factorize(values.astype(object).where(values.notna(), "(blank)"))
    return codes, len(uniques)


def _top_borrowers(tape: pd.DataFrame, k: int = 10) -> np.ndarray:
    """The ``k`` largest borrower claims (principal + interest + fees), largest first."""
    codes, n = _codes(tape["borrower_id"].astype(str))
    sums = np.bincount(codes, weights=tape["total"].to_numpy(float), minlength=n)
    top = np.partition(sums, max(n - k, 0))[max(n - k, 0) :] if n > k else sums
    return np.sort(top)[::-1]


def diversity_inputs(tape: pd.DataFrame) -> PoolDiversity:
    """Moody's diversity score with regions as groups and borrowers as obligors.

    A borrower with loans in several regions counts in the region holding most of its balance
    (the first such region in the tape on a tie). Integer codes throughout: no sort of texts.
    """
    b, n_b = _codes(tape["borrower_id"].astype(str))
    if "region" in tape:
        r, n_r = _codes(tape["region"].astype(str))
    else:
        r, n_r = np.zeros(len(tape), np.int64), 1
    amounts = tape["total"].to_numpy(float)
    pair, first = np.unique(b.astype(np.int64) * n_r + r, return_index=True)
    sums = np.bincount(np.searchsorted(pair, b.astype(np.int64) * n_r + r), weights=amounts)
    # per borrower the region of its largest balance; ties go to the pair seen first in the tape
    order = np.lexsort((first, -sums, pair // n_r))
    best = order[np.r_[True, np.diff(pair[order] // n_r) != 0]]
    main = np.empty(n_b, np.int64)
    main[pair[best] // n_r] = pair[best] % n_r
    score = diversity_score(amounts, main[b], b)
    return PoolDiversity(n_b, n_r, float(score))


PROVINCES = [
    "广东",
    "江苏",
    "浙江",
    "山东",
    "河南",
    "四川",
    "湖北",
    "湖南",
    "河北",
    "福建",
    "安徽",
    "北京",
    "上海",
    "辽宁",
    "陕西",
]


def synthetic_tape(
    loans: int = 20_000,
    *,
    seed: int = 0,
    kind: str = "consumer",
    as_of: dt.date = dt.date(2021, 6, 30),
) -> pd.DataFrame:
    """A realistic synthetic NPL loan tape with Chinese headers (amounts in CNY yuan).

    kind "consumer" (credit-card and consumer loans, unsecured) or "mortgage" (secured). Seeded: the
    same arguments always give the same tape. Not any real deal's pool.
    """
    if kind not in ("consumer", "mortgage"):
        raise ValueError(f"kind: expected 'consumer' or 'mortgage', got {kind!r}")
    rng = np.random.default_rng(seed)
    n = int(loans)
    mortgage = kind == "mortgage"
    principal = rng.lognormal(
        np.log(450_000 if mortgage else 18_000), 0.6 if mortgage else 0.9, n
    ).round(2)
    interest = (principal * rng.uniform(0.02, 0.08 if mortgage else 0.35, n)).round(2)
    fees = (principal * rng.uniform(0.0, 0.01 if mortgage else 0.08, n)).round(2)
    months = rng.gamma(2.0, 8.0, n).clip(3, 96).round(0)
    default = np.array([as_of - dt.timedelta(days=int(m * 30.4)) for m in months])
    orig = np.array(
        [
            d - dt.timedelta(days=int(x))
            for d, x in zip(default, rng.uniform(180, 3650 if mortgage else 1500, n))
        ]
    )
    n_borrowers = max(1, int(n * 0.93))
    borrowers = rng.integers(0, n_borrowers, n)  # some borrowers hold more than one loan
    home = rng.choice(PROVINCES, n_borrowers, p=rng.dirichlet(np.full(len(PROVINCES), 2.0)))
    frame = pd.DataFrame(
        {
            "借据号": [f"{'MG' if mortgage else 'CC'}{i:07d}" for i in range(n)],
            "借款人编号": [f"B{b:07d}" for b in borrowers],
            "未偿本金": principal,
            "未偿利息": interest,
            "费用": fees,
            "逾期月数": months.astype(int),
            "省份": home[borrowers],
            "五级分类": rng.choice(["次级", "可疑", "损失"], n, p=[0.35, 0.45, 0.20]),
            "借款人年龄": rng.normal(44 if mortgage else 36, 9, n)
            .clip(20, 75)
            .round(0)
            .astype(int),
            "担保方式": np.where(
                rng.uniform(size=n) < (0.97 if mortgage else 0.02), "抵押", "信用"
            ),
            "放款日期": [d.isoformat() for d in orig],
            "违约日期": [d.isoformat() for d in default],
            "年收入": rng.lognormal(np.log(150_000 if mortgage else 80_000), 0.5, n).round(-2),
        }
    )
    if (
        mortgage
    ):  # collateral data, as mortgage servicers report it (drawn after the rest: same base columns)
        frame["抵押物类型"] = rng.choice(["住宅", "商铺", "土地"], n, p=[0.9, 0.08, 0.02])
        frame["评估价值（元）"] = (principal * rng.lognormal(np.log(1.35), 0.25, n)).round(2)
        frame["诉讼阶段"] = rng.choice(
            ["未诉讼", "已起诉", "已判决", "执行中", "拍卖中"], n, p=[0.15, 0.25, 0.25, 0.25, 0.10]
        )
    return frame
