"""The demo run: each core model on example inputs drawn from a public credit-card NPL deal.

Figures (CNY 10k) from docs/methodology.md §6, deal 21建鑫2: senior 41,000 at 3.30 %,
agency base-case recovery 82,416.68. The volatility, pool split and default rates are
illustrative assumptions, printed as such.
"""

from __future__ import annotations

import numpy as np

from .deal import load_example
from .models import bet, diversity, kmv, rating


def run_demo() -> str:
    """Run the core models on the example inputs and return the report text."""
    lines = ["npl-xl core models on example inputs (amounts in CNY 10k)", ""]
    add = lines.append

    s = kmv.merton_solve(3.0, 0.80, 10.0, 0.05, 1.0)
    add("Merton, Hull's textbook firm (E 3, sigma_E 80 %, D 10, r 5 %, T 1):")
    add(
        f"  asset value {s.asset_value:.4f}, asset vol {s.asset_vol:.4%}, DD "
        f"{s.distance_to_default:.4f}, "
        f"PD {s.default_probability:.4%}"
    )

    v0, dp, sigma = 82_416.68, 41_000 * (1 + 0.033), 0.25
    pd_senior = kmv.kmv_pd(v0, sigma, dp, maturity=1.0)
    add(
        "KMV on the senior tranche of 21建鑫2 (V0 = base-case recovery, DP = senior principal + 1y "
        "coupon,"
    )
    add(
        f"  sigma 25 % assumed): DD {kmv.distance_to_default(v0, sigma, dp):.4f}, PD "
        f"{pd_senior:.4%}; "
        f"simple KMV DD {kmv.distance_to_default(v0, sigma, dp, method='kmv'):.4f}"
    )

    rng = np.random.default_rng(7)
    par = rng.lognormal(3.0, 1.0, 200)
    region = rng.choice(["East", "North", "South", "West", "Central"], 200)
    ds = diversity.diversity_score(par, region)
    add(
        f"Diversity score of a 200-loan pool in 5 regions (synthetic): {ds:.2f} (capped at 5.00 a "
        "group)"
    )
    ads = diversity.alternative_diversity_score(par, 0.2, diversity.default_correlation(0.2, 0.15))
    add(f"Alternative diversity score, pd 20 %, asset correlation 15 %: {ads:.2f}")

    d, p, lgd = 20, 0.2, 0.6
    el_senior = bet.bet_expected_loss(d, p, lgd, 0.25, 1.0)
    el_sub = bet.bet_expected_loss(d, p, lgd, 0.0, 0.25)
    add(
        f"BET, D {d}, pd {p:.0%}, lgd {lgd:.0%}: pool EL {bet.bet_expected_loss(d, p, lgd):.4%}, "
        f"senior [25 %, 100 %] EL {el_senior:.4%}, sub [0, 25 %] EL {el_sub:.4%}"
    )

    r_el = rating.rating_from_expected_loss(el_senior, 1.0)
    r_pd = rating.rating_from_default_probability(pd_senior, 1.0, scale="cn_sf")
    add(
        f"Ratings: senior by BET EL at 1 year -> {r_el.labelled()}; senior by KMV PD -> "
        f"{r_pd.labelled()}"
    )
    add("")
    add(deal_report(load_example("credit_card")))
    return "\n".join(lines)


def deal_report(d, *, paths: int = 2_000, seed: int = 0) -> str:
    """Waterfall, break-even, stress ratings, tranche KMV and the proposed ratings of a deal with
    recovery assumptions, as text: the rating run (:func:`npl_xl.rating.run.rate_deal`) with the
    deal's own recovery volatility and discount rate and ``paths`` Monte Carlo scenarios."""
    from .assumptions import Assumptions
    from .rating.run import RatingSetup, rate_deal

    r = d.require_recovery()
    if r.volatility is None or r.discount_rate is None:
        raise ValueError(
            "recovery: the deal needs 'volatility' and 'discount_rate' for the KMV columns"
        )
    a = Assumptions(recovery_vol=r.volatility, discount_rate=r.discount_rate)
    run = rate_deal(d, RatingSetup(assumptions=a), paths=paths, seed=seed)
    m, st, k, c = run.metrics, run.stress, run.kmv, run.collections
    lines = [
        f"{d.name}: base-case recoveries {c.sum():,.2f} over {len(c)} periods "
        f"(recovery vol {r.volatility:.0%}, discount rate {r.discount_rate:.0%}, assumptions as "
        f"documented in the deal file; {paths:,} Monte Carlo scenarios, seed {seed})",
        f"  {'tranche':8s} {'balance':>10s} {'WAL y':>6s} {'yield':>7s} {'loss':>6s} "
        f"{'break-even':>10s} {'stress rating':>20s} {'KMV DD':>7s} {'KMV PD':>8s} "
        f"{'proposed':>9s}",
    ]
    tag = " (illustrative)" if st.illustrative else ""
    for i, t in enumerate(d.ordered_tranches):
        lines.append(
            f"  {t.name:8s} {t.balance:10,.0f} {m.wal[i]:6.2f} {m.issue_yield[i]:7.2%} "
            f"{m.loss_fraction[i]:6.1%} {run.breakeven[i]:10.2%} {st.ratings[i] + tag:>20s} "
            f"{k.distance_to_default[i]:7.3f} {k.default_probability[i]:8.3%} "
            f"{run.proposed[i]:>9s}"
        )
    return "\n".join(lines)
