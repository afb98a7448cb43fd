"""The memo's Overview sheet, the sections an agency's NPL ABS report opens with: the transaction
and its parties, the notes and their rating basis, the priority of payments before and after a
default event; and the words on recoveries collected between the cut-off date and closing (shown
with the recovery evidence)."""

from __future__ import annotations

from ...assumptions import unit_label
from ...i18n import text
from ..printing import table
from ..xlsx import AMT, BOLD, PCT, TITLE, put
from .labels import step

#: parties of a deal, as the Deal sheet names them (fields read when the workbook has them)
PARTIES = ("originator", "servicer", "trustee", "custodian", "lead_underwriter")


def _parties(run, inputs) -> dict[str, str]:
    found = dict(inputs.parties) if inputs is not None else {}
    return {p: str(found[p]) for p in PARTIES if found.get(p)}


def basis(tranche, senior: bool) -> str:
    """The tranche's rating basis, "timely" or "ultimate" (default: timely for the most senior,
    ultimate for the others, as the Chinese agencies rate 按期足额偿付 for the senior)."""
    return tranche.rating_basis or ("timely" if senior else "ultimate")


def overview_sheet(ws, run, inputs, lang: str) -> set[int]:
    """Transaction, parties, notes and the priority of payments."""
    t = lambda key, **v: text(key, lang, **v)  # noqa: E731 - a short alias for the labels
    deal, unit = run.deal, unit_label(inputs.unit)
    put(ws["A1"], t("title_overview", deal=deal.name), font=TITLE)
    skip = {1}
    na = t("not_given")
    rec = deal.require_recovery()
    rows = [
        [t("ov_closing"), deal.closing_date.isoformat() if deal.closing_date else na],
        [
            t("ov_first_payment"),
            deal.first_payment_date.isoformat() if deal.first_payment_date else na,
        ],
        [t("ov_frequency"), t("ov_per_year", n=deal.payments_per_year)],
        [
            t("ov_legal_maturity"),
            t("ov_periods", n=deal.legal_maturity_periods) if deal.legal_maturity_periods else na,
        ],
        [t("ov_day_count"), deal.day_count],
        [t("ov_unit"), unit],
        [t("ov_recovery_total", unit=unit), rec.total],
        [t("ov_notes_total", unit=unit), sum(x.balance for x in deal.tranches)],
    ]
    parties = _parties(run, inputs)
    rows += [[t(f"party_{p}"), parties.get(p, na)] for p in PARTIES]
    put(ws.cell(row=3, column=1), t("ov_transaction"), font=BOLD)
    skip.add(3)
    row = table(ws, 4, 1, [t("col_item"), t("col_value")], rows)
    ws.cell(row=11, column=2).number_format = AMT
    ws.cell(row=12, column=2).number_format = AMT
    # the notes
    notes = sum(x.balance for x in deal.tranches)
    header = [
        t("col_tranche"),
        t("col_balance_unit", unit=unit),
        t("col_share_notes"),
        t("col_coupon"),
        t("col_basis"),
    ]
    ordered = deal.ordered_tranches
    trows = [
        [
            x.name,
            x.balance,
            x.balance / notes,
            x.coupon_label(),
            t(f"basis_{basis(x, k == 0)}"),
        ]
        for k, x in enumerate(ordered)
    ]
    put(ws.cell(row=row, column=1), t("ov_notes"), font=BOLD)
    skip.add(row)
    row = table(ws, row + 1, 1, header, trows, {header[1]: AMT, header[2]: PCT, header[3]: PCT})
    _priority(ws, row, run, lang, skip)
    return skip


def before_closing(run, inputs, lang: str) -> str:
    """What was collected between the cut-off date and closing, in words."""
    rec = run.deal.require_recovery()
    before = rec.collected_before_closing
    if not before:
        return text("before_closing_none", lang)
    unit = unit_label(inputs.unit)
    return text("before_closing_line", lang, amount=before, unit=unit, share=before / rec.total)


def _priority(ws, row: int, run, lang: str, skip: set[int]) -> int:
    """The priority of payments before and after a default event, numbered, side by side."""
    pre, post = run.deal.orders()  # short step names; the prospectus wording: deal --explain
    put(ws.cell(row=row, column=1), text("ov_priority", lang), font=BOLD)
    skip.add(row)
    n = max(len(pre), len(post))
    rows = [
        [
            f"{i + 1}. {step(pre[i], lang)}" if i < len(pre) else None,
            f"{i + 1}. {step(post[i], lang)}" if i < len(post) else None,
        ]
        for i in range(n)
    ]
    header = [text("ov_pre_default", lang), text("ov_post_default", lang)]
    return table(ws, row + 1, 1, header, rows)
