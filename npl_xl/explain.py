"""The priority of payments as a structurer reads it in a prospectus, from the deal's own orders.

``explain(deal, lang)`` numbers each step of the order before and after a default event (the
orders the engine runs: :meth:`npl_xl.deal.Deal.orders`), then the triggers and what they switch,
then each tranche's rating basis. English ("en") or Chinese ("zh")."""

from __future__ import annotations

from .deal import Deal
from .i18n import text

__all__ = ["explain", "step_text"]


def explain(deal: Deal, lang: str = "zh") -> str:
    """The deal's priority of payments as numbered text (see the module docstring)."""
    text("pop_pre", lang)  # checks lang before any work
    pre, post = deal.orders()
    junior = deal.ordered_tranches[-1].name
    lines = [text("pop_title", lang, deal=deal.name), ""]
    for heading, order, in_post in (("pop_pre", pre, False), ("pop_post", post, True)):
        lines.append(text(heading, lang))
        for i, step in enumerate(order, 1):
            lines.append(f"  {i}. {step_text(deal, step, in_post, lang)}")
        lines.append("  " + text("pop_residual", lang, tranche=junior))
        lines.append("")
    triggers = [(t.name, t.test, t.threshold, t.effect) for t in deal.triggers]
    if deal.default_event == "senior_interest":
        name = text("pop_default_event", lang)
        triggers.append((name, "senior_interest_unpaid", 0.0, "post_default_order"))
    if triggers:
        lines.append(text("pop_triggers", lang))
        for name, test, threshold, effect in triggers:
            lines.append(
                "  - "
                + text(
                    "pop_trigger",
                    lang,
                    name=name,
                    test=text(_test_key(test, threshold), lang, threshold=threshold),
                    effect=text(f"pop_effect_{effect}", lang),
                )
            )
        lines.append("")
    lines.append(text("pop_bases", lang))
    for t, basis in zip(deal.ordered_tranches, deal.rating_bases()):
        lines.append("  - " + text(f"pop_basis_{basis}", lang, tranche=t.name))
    return "\n".join(lines)


def _test_key(test: str, threshold: float) -> str:
    if test == "senior_interest_unpaid" and threshold > 0:
        return "pop_test_senior_interest_unpaid_above"
    return f"pop_test_{test}"


def step_text(deal: Deal, step: str, in_post: bool, lang: str) -> str:
    kind, _, name = step.partition(":")
    ts = {t.name: t for t in deal.tranches}
    top = deal.ordered_tranches[0].name
    if kind == "senior_fees":
        named = {s.partition(":")[2] for s in deal.orders()[int(in_post)] if s.startswith("fee:")}
        fees = [f.name for f in deal.fees if f.position == "senior" and f.name not in named]
        return text("pop_senior_fees", lang, fees=text("pop_and", lang).join(fees) or "-")
    if kind == "fee":
        fee = next(f for f in deal.fees if f.name == name)
        return text(f"pop_fee_{fee.position}", lang, fee=name)
    if kind == "reserve":
        if in_post:
            return text("pop_reserve_release", lang)
        return text("pop_reserve", lang, multiple=f"{deal.reserve.multiple:g}")
    if kind == "interest":
        key = "pop_interest_reserve" if name == top and not in_post else "pop_interest"
        return text(key, lang, tranche=name)
    if kind == "principal":
        scheduled = ts[name].amortisation != "pass_through" and not in_post
        return text("pop_principal_scheduled" if scheduled else "pop_principal", lang, tranche=name)
    if kind == "fixed_return":
        return text("pop_fixed_return", lang, tranche=name)
    if kind == "incentive_fee":
        return text("pop_incentive_fee", lang, share=f"{deal.incentive_fee_share:.0%}")
    if kind == "fee_excess":
        return text("pop_fee_excess", lang)
    support_kind, support = next((k, s) for k, s in deal.supports() if s.name == name)
    label = text(f"pop_kind_{support_kind}", lang, name=name)
    if kind == "draw":
        covers = text("pop_and", lang).join(text(f"pop_cover_{c}", lang) for c in support.covers)
        return text("pop_draw", lang, support=label, covers=covers)
    if kind == "repay":
        return text("pop_repay", lang, support=label)
    return text("pop_trap", lang, support=label, limit=f"{support.limit:,.2f}")
