"""The priority of payments as a prospectus states it (issue 21): explain(deal, lang) and
npl-xl deal --explain."""

import pytest
from click.testing import CliRunner

from npl_xl.cli import main
from npl_xl.deal import Deal
from npl_xl.explain import explain

SMALL = {
    "name": "small",
    "payments_per_year": 1,
    "tranches": [
        {"name": "A", "balance": 100, "coupon": 0.05, "seniority": 1, "amortisation": [50, 50]},
        {"name": "B", "balance": 20, "seniority": 2},
    ],
    "fees": [
        {"name": "Tax", "basis": "collections", "rate": 0.03},
        {"name": "Other", "basis": "fixed", "amount": 1, "position": "subordinated"},
    ],
    "liquidity_facility": {"limit": 5},
    "triggers": [
        {
            "name": "Turbo",
            "test": "cumulative_collections_ratio",
            "threshold": 0.8,
            "effect": "sequential_turbo",
        }
    ],
    "recovery": {"total": 150, "cumulative": [0.5, 1.0]},
}

EXPECTED = """Priority of payments: small

Before a default event
  1. Senior taxes and fees: Tax
  2. Liquidity reserve topped up to 1.5 x next period's senior fees and senior interest (the excess is released)
  3. Repay the liquidity facility LF: fees, interest, then what was drawn
  4. Draw on the liquidity facility LF for senior interest
  5. Interest on A (with arrears); the reserve covers a shortfall
  6. Scheduled principal of A (all of it at legal maturity or under a turbo trigger)
  7. Principal of B until repaid
  8. Servicer incentive fee: 0% of what remains
  9. Fees above their caps and subordinated fees
  What remains goes to the holders of B.

After a default event
  1. Senior taxes and fees: Tax
  2. Fees above their caps and subordinated fees
  3. Liquidity reserve released into the available funds
  4. Repay the liquidity facility LF: fees, interest, then what was drawn
  5. Draw on the liquidity facility LF for senior interest
  6. Interest on A (with arrears)
  7. Principal of A until repaid
  8. Principal of B until repaid
  What remains goes to the holders of B.

Triggers (tested at each period end)
  - Turbo: cumulative collections below 80% of the base case; from the next payment date it suspends principal schedules (principal takes all it can; no fixed return or incentive fee)
  - default event: senior interest left unpaid on a payment date; from the next payment date it switches to the post-default order

Rating basis
  - A: timely (interest in full on every payment date, principal by legal maturity)
  - B: ultimate (principal and interest by legal maturity)"""  # noqa: E501


def test_the_orders_the_engine_runs_numbered_as_in_a_prospectus():
    assert explain(Deal.from_dict(SMALL), "en") == EXPECTED


def test_every_step_of_a_written_order_is_listed_in_chinese():
    d = Deal.from_dict(SMALL)
    pre, post = d.orders()
    out = explain(d, "zh")
    assert out.startswith("small 支付顺序\n\n违约事件发生前\n  1. 优先支付的税费：Tax\n")
    assert f"  {len(pre)}. 超过上限的费用及次级费用\n  剩余资金分配给B持有人。" in out
    assert f"  {len(post)}. B本金，直至清偿完毕\n" in out
    assert "  - A：按时（每个支付日足额付息，法定到期日前偿还本金）" in out
    with pytest.raises(ValueError, match="lang: expected one of en, zh, got 'fr'"):
        explain(d, "fr")


def test_cli_deal_explain():
    r = CliRunner().invoke(main, ["deal", "--example", "credit_card", "--explain", "--lang", "zh"])
    assert r.exit_code == 0, r.output
    assert "违约事件发生前" in r.output and "违约事件发生后" in r.output
    assert "  8. Senior利息（含拖欠利息），不足部分由流动性储备补足" in r.output
    en = CliRunner().invoke(main, ["deal", "--example", "mortgage", "--explain", "--lang", "en"])
    assert en.exit_code == 0 and "Before a default event" in en.output
