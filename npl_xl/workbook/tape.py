"""Loan tapes: read (CSV or XLSX, English or Chinese headers), validate, stratify, and a seeded
synthetic generator for tests and the demo.

Amounts stay in the tape's own unit (the synthetic tapes use CNY yuan).
"""

from __future__ import annotations

import datetime as dt
import os
import re

import numpy as np
import pandas as pd

from ..models.diversity import diversity_score

__all__ = ["COLUMN_ALIASES", "TapeError", "read_tape", "pool_tables", "diversity_inputs", "synthetic_tape"]

#: canonical column -> accepted headers (matched ignoring case, spaces, underscores and hyphens)
COLUMN_ALIASES = {
    "loan_id": ["loan_id", "loan", "loan_no", "contract_id", "借据号", "借据编号", "贷款编号", "合同号", "合同编号"],
    "borrower_id": ["borrower_id", "customer_id", "obligor", "obligor_id", "借款人编号", "客户号", "客户编号", "借款人"],
    "principal": ["principal", "balance", "outstanding_principal", "未偿本金", "本金余额", "剩余本金", "本金"],
    "interest": ["interest", "outstanding_interest", "未偿利息", "利息余额", "利息"],
    "fees": ["fees", "fee", "费用", "罚息及费用"],
    "months_overdue": ["months_overdue", "overdue_months", "逾期月数", "逾期期数"],
    "days_overdue": ["days_overdue", "overdue_days", "逾期天数"],
    "region": ["region", "province", "地区", "省份", "地域"],
    "five_category": ["five_category", "classification", "loan_class", "五级分类", "贷款分类"],
    "borrower_age": ["borrower_age", "age", "借款人年龄", "年龄"],
    "secured": ["secured", "collateral", "security", "担保方式", "是否有抵押", "抵押"],
    "origination_date": ["origination_date", "loan_date", "放款日期", "发放日期"],
    "default_date": ["default_date", "违约日期", "逾期日期"],
    "annual_income": ["annual_income", "income", "年收入"],
}
REQUIRED = ("loan_id", "principal")
_NUMERIC = ("principal", "interest", "fees", "months_overdue", "days_overdue", "borrower_age", "annual_income")
_SECURED_WORDS = {"secured", "yes", "y", "true", "1", "抵押", "质押", "保证", "有", "是", "有抵押"}
_UNSECURED_WORDS = {"unsecured", "no", "n", "false", "0", "信用", "无", "否", "无抵押"}


class TapeError(ValueError):
    """A loan tape with problems; the message is the whole report (one line per bad row)."""


def _norm(text) -> str:
    return re.sub(r"[\s_\-]+", "", str(text).strip().lower())


def read_tape(path, *, today: dt.date | None = None) -> pd.DataFrame:
    """Read and validate a loan tape; return it with canonical column names.

    Raises :class:`TapeError` listing every bad row (missing values, duplicate loan ids,
    negative amounts, text in numeric columns, dates in the future) or the missing columns.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise TapeError(f"loan tape: no such file {path!r}")
    ext = os.path.splitext(path)[1].lower()
    if ext in (".xlsx", ".xlsm"):
        from .xlsx import check_zip

        check_zip(path)
    try:
        raw = pd.read_excel(path, dtype=object) if ext in (".xlsx", ".xlsm", ".xls") else \
            pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    except Exception as exc:  # noqa: BLE001 - any reader failure becomes one clear line
        raise TapeError(f"loan tape: cannot read {path} ({type(exc).__name__}: {exc})") from None
    return validate_tape(raw, name=os.path.basename(path), today=today)


def validate_tape(raw: pd.DataFrame, *, name: str = "loan tape", today: dt.date | None = None) -> pd.DataFrame:
    """Map headers to canonical names, convert types and check every row (see :func:`read_tape`)."""
    headers = {_norm(c): c for c in raw.columns}
    mapping = {}
    for canon, aliases in COLUMN_ALIASES.items():
        for a in aliases:
            if _norm(a) in headers:
                mapping[headers[_norm(a)]] = canon
                break
    missing = [c for c in REQUIRED if c not in mapping.values()]
    if missing:
        accepted = "; ".join(f"{c}: {', '.join(COLUMN_ALIASES[c])}" for c in missing)
        raise TapeError(f"{name}: missing column(s) {', '.join(missing)} (accepted headers - {accepted})")
    tape = raw[list(mapping)].rename(columns=mapping).copy()
    rows = np.arange(len(tape)) + 2  # the file's row numbers (header is row 1)
    problems: list[tuple[int, str]] = []
    for col in _NUMERIC:
        if col in tape:
            text = tape[col].astype(str).str.replace(",", "", regex=False).str.strip()
            num = pd.to_numeric(text.where(~tape[col].isna(), None), errors="coerce")
            bad = num.isna() & tape[col].notna() & (text != "")
            problems += [(r, f"{col} is not a number ({v!r})") for r, v in zip(rows[bad.to_numpy()], tape[col][bad])]
            tape[col] = num
    ids = tape["loan_id"].astype(str).str.strip()
    blank = tape["loan_id"].isna() | (ids == "") | (ids == "nan")
    problems += [(r, "loan_id is blank") for r in rows[blank.to_numpy()]]
    dup = ids.duplicated(keep=False) & ~blank
    problems += [(r, f"duplicate loan_id {i}") for r, i in zip(rows[dup.to_numpy()], ids[dup])]
    tape["loan_id"] = ids
    if tape["principal"].isna().any():
        problems += [(r, "principal is blank") for r in rows[tape["principal"].isna().to_numpy() &
                                                          ~np.isin(rows, [p[0] for p in problems])]]
    for col in ("principal", "interest", "fees"):
        if col in tape:
            neg = tape[col] < 0
            problems += [(r, f"{col} is negative ({v:g})") for r, v in zip(rows[neg.to_numpy()], tape[col][neg])]
    today = today or dt.date.today()
    for col in ("origination_date", "default_date"):
        if col in tape:
            d = pd.to_datetime(tape[col], errors="coerce")
            bad = d.isna() & tape[col].notna()
            problems += [(r, f"{col} is not a date ({v!r})") for r, v in zip(rows[bad.to_numpy()], tape[col][bad])]
            future = d.dt.date > today
            problems += [(r, f"{col} {v.date()} is in the future") for r, v in zip(rows[future.fillna(False).to_numpy()],
                                                                                   d[future.fillna(False)])]
            tape[col] = d
    if problems:
        problems.sort()
        shown = problems[:50]
        lines = [f"{name}: {len(problems)} problem(s) in {len({r for r, _ in problems})} row(s):"]
        lines += [f"  row {r}: {msg}" for r, msg in shown]
        if len(problems) > len(shown):
            lines.append(f"  ... and {len(problems) - len(shown)} more")
        raise TapeError("\n".join(lines))
    for col in ("interest", "fees"):
        tape[col] = tape[col].fillna(0.0) if col in tape else 0.0
    if "months_overdue" not in tape and "days_overdue" in tape:
        tape["months_overdue"] = tape["days_overdue"] / 30.4375
    if "borrower_id" not in tape:
        tape["borrower_id"] = tape["loan_id"]
    if "secured" in tape:
        words = tape["secured"].astype(str).str.strip().str.lower()
        tape["secured"] = np.where(words.isin(_SECURED_WORDS), True, np.where(words.isin(_UNSECURED_WORDS), False, None))
    tape["total"] = tape["principal"] + tape["interest"] + tape["fees"]
    return tape.reset_index(drop=True)


def _by(tape, key, labels=None, bins=None) -> pd.DataFrame:
    col = tape[key]
    if bins is not None:
        col = pd.cut(col, bins=bins, labels=labels, right=False)
    g = tape.groupby(col, observed=True, dropna=False)["total"]
    out = pd.DataFrame({"loans": g.size(), "balance": g.sum()})
    out["share"] = out["balance"] / tape["total"].sum()
    out.index = out.index.astype(str)
    return out.rename_axis(key).reset_index()


def pool_tables(tape: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Stratification tables (count, balance = principal + interest + fees, share) and pool totals."""
    total = tape["total"].sum()
    w = tape["total"] / total
    summary = {"loans": len(tape), "borrowers": tape["borrower_id"].nunique(), "principal": tape["principal"].sum(),
               "interest": tape["interest"].sum(), "fees": tape["fees"].sum(), "principal + interest + fees": total,
               "average balance": total / len(tape)}
    if "months_overdue" in tape:
        summary["weighted average months overdue"] = float((w * tape["months_overdue"]).sum())
    if "borrower_age" in tape:
        summary["weighted average borrower age"] = float((w * tape["borrower_age"]).sum())
    if "secured" in tape:
        summary["secured share"] = float(w[tape["secured"] == True].sum())  # noqa: E712 - object column
    tables = {"Pool totals": pd.DataFrame({"item": list(summary), "value": list(summary.values())})}
    edges = [0, 1e4, 5e4, 1e5, 5e5, np.inf]
    tables["By balance"] = _by(tape, "total", ["<10k", "10k-50k", "50k-100k", "100k-500k", ">=500k"], edges)
    if "months_overdue" in tape:
        tables["By months overdue"] = _by(tape, "months_overdue", ["0-6", "6-12", "12-24", "24-36", "36+"],
                                          [0, 6, 12, 24, 36, np.inf])
    for key, title in (("region", "By region"), ("five_category", "By five-category class"), ("secured", "Secured vs unsecured")):
        if key in tape:
            tables[title] = _by(tape, key).sort_values("balance", ascending=False).reset_index(drop=True)
    if "borrower_age" in tape:
        tables["By borrower age"] = _by(tape, "borrower_age", ["<30", "30-40", "40-50", "50-60", "60+"],
                                        [0, 30, 40, 50, 60, np.inf])
    div = diversity_inputs(tape)
    tables["Diversity"] = pd.DataFrame({"item": list(div), "value": list(div.values())})
    return tables


def diversity_inputs(tape: pd.DataFrame) -> dict:
    """Moody's diversity score with regions as groups and borrowers as obligors, and the obligor count.

    A borrower with loans in several regions counts in the region holding most of its balance.
    """
    borrower = tape["borrower_id"].astype(str)
    region = tape["region"].astype(str) if "region" in tape else pd.Series("pool", index=tape.index)
    by = pd.DataFrame({"b": borrower, "r": region, "v": tape["total"]}).groupby(["b", "r"])["v"].sum().reset_index()
    main = by.sort_values("v", ascending=False).drop_duplicates("b").set_index("b")["r"]
    return {"obligors": int(borrower.nunique()), "groups (regions)": int(region.nunique()),
            "diversity score (regions, Moody's table)": diversity_score(tape["total"].to_numpy(float),
                                                                          borrower.map(main).to_numpy(), borrower.to_numpy())}


PROVINCES = ["广东", "江苏", "浙江", "山东", "河南", "四川", "湖北", "湖南", "河北", "福建", "安徽", "北京", "上海", "辽宁", "陕西"]


def synthetic_tape(loans: int = 20_000, *, seed: int = 0, kind: str = "consumer",
                   as_of: dt.date = dt.date(2021, 6, 30)) -> pd.DataFrame:
    """A realistic synthetic NPL loan tape with Chinese headers (amounts in CNY yuan).

    kind "consumer" (credit-card and consumer loans, unsecured) or "mortgage" (secured). Seeded: the
    same arguments always give the same tape. Not any real deal's pool.
    """
    if kind not in ("consumer", "mortgage"):
        raise ValueError(f"kind: expected 'consumer' or 'mortgage', got {kind!r}")
    rng = np.random.default_rng(seed)
    n = int(loans)
    mortgage = kind == "mortgage"
    principal = rng.lognormal(np.log(450_000 if mortgage else 18_000), 0.6 if mortgage else 0.9, n).round(2)
    interest = (principal * rng.uniform(0.02, 0.08 if mortgage else 0.35, n)).round(2)
    fees = (principal * rng.uniform(0.0, 0.01 if mortgage else 0.08, n)).round(2)
    months = rng.gamma(2.0, 8.0, n).clip(3, 96).round(0)
    default = np.array([as_of - dt.timedelta(days=int(m * 30.4)) for m in months])
    orig = np.array([d - dt.timedelta(days=int(x)) for d, x in zip(default, rng.uniform(180, 3650 if mortgage else 1500, n))])
    n_borrowers = max(1, int(n * 0.93))
    borrowers = rng.integers(0, n_borrowers, n)  # some borrowers hold more than one loan
    home = rng.choice(PROVINCES, n_borrowers, p=rng.dirichlet(np.full(len(PROVINCES), 2.0)))
    return pd.DataFrame({
        "借据号": [f"{'MG' if mortgage else 'CC'}{i:07d}" for i in range(n)],
        "借款人编号": [f"B{b:07d}" for b in borrowers],
        "未偿本金": principal, "未偿利息": interest, "费用": fees,
        "逾期月数": months.astype(int),
        "省份": home[borrowers],
        "五级分类": rng.choice(["次级", "可疑", "损失"], n, p=[0.35, 0.45, 0.20]),
        "借款人年龄": rng.normal(44 if mortgage else 36, 9, n).clip(20, 75).round(0).astype(int),
        "担保方式": np.where(rng.uniform(size=n) < (0.97 if mortgage else 0.02), "抵押", "信用"),
        "放款日期": [d.isoformat() for d in orig], "违约日期": [d.isoformat() for d in default],
        "年收入": rng.lognormal(np.log(150_000 if mortgage else 80_000), 0.5, n).round(-2),
    })
