"""Asset-class stress tables, exact delays in months, and the calibration of the packaged table."""

import numpy as np
import pandas as pd
import pytest

from npl_xl import market
from npl_xl.calibration import public
from npl_xl.deal import load_example
from npl_xl.models import analysis
from npl_xl.models.recovery import stressed, stressed_months


def _largest_public_senior_share(klass: str) -> float:
    """The largest senior / base case (agencies' average at issuance) among the market dataset's
    deals of a stress class: the calibration's reference for an oversized senior."""
    m = market.load()
    cases = m.recoveries[m.recoveries["stage"].isin(["presale", "initial"])]
    base = cases.groupby("code")["base_case"].mean()
    senior = m.tranches[m.tranches["class"] == "senior"].set_index("code")["balance"]
    deals = m.deals.set_index("code")
    codes = [
        c
        for c in deals.index
        if public.stress_class(deals.at[c, "asset_class"], deals.at[c, "secured"] or "") == klass
        and c in base.index
    ]
    return float((senior[codes] / base[codes]).max())


@pytest.mark.parametrize("name, klass", [("credit_card", "unsecured"), ("mortgage", "residential")])
def test_packaged_stress_table_calibration(name, klass):
    """Calibration rule (docs/methodology.md, 'Calibration'): public AAAsf seniors pass AAAsf, and
    a senior 15 points of base case larger than the class's largest public AAAsf share fails it.
    The bundled examples (21建鑫2's senior 49.7 % of its base case, 21建鑫10's 50.9 %; both AAAsf)
    pass; the same deals with the oversized senior do not."""
    deal = load_example(name)
    base = deal.base_collections()
    assert analysis.stress_ratings(deal, base).ratings[0] == "AAAsf"
    tranches = [t.model_dump() for t in deal.ordered_tranches]
    share = _largest_public_senior_share(klass) + 0.15
    assert share > tranches[0]["balance"] / deal.require_recovery().total + 0.15
    tranches[0]["balance"] = share * deal.require_recovery().total
    bigger = deal.with_changes(tranches=tranches)
    assert analysis.stress_ratings(bigger, base).ratings[0] != "AAAsf"


def test_delays_in_months_are_exact_whatever_the_frequency():
    base = np.array([10.0, 20.0, 30.0, 40.0])
    # half-yearly: 3 months moves half of each period into the next; the last half-period is lost
    np.testing.assert_allclose(stressed_months(base, 2, delay_months=3), [5, 15, 25, 35])
    # whole periods agree with the period-based stress
    np.testing.assert_allclose(stressed_months(base, 4, delay_months=6), stressed(base, delay=2))
    np.testing.assert_allclose(
        stressed_months(base, 2, haircut=0.25, delay_months=12),
        stressed(base, haircut=0.25, delay=2),
    )
    # vectorised over scenarios, haircut applied after the shift
    out = stressed_months(base, 12, haircut=[0.0, 0.5], delay_months=[0, 1])
    np.testing.assert_allclose(out, [[10, 20, 30, 40], [0, 5, 10, 15]])
    with pytest.raises(ValueError, match="delay_months: expected whole months"):
        stressed_months(base, 4, delay_months=1.5)


def test_a_mixed_pool_is_stressed_by_its_mix():
    deal = load_example("credit_card")
    base = deal.base_collections()
    table = analysis.load_stress_table()
    mixed = deal.with_changes(
        recovery=deal.recovery.model_dump() | {"asset_mix": {"unsecured": 0.5, "residential": 0.5}}
    )
    only = {
        c: deal.with_changes(recovery=deal.recovery.model_dump() | {"asset_mix": {c: 1.0}})
        for c in ("unsecured", "residential")
    }
    got = analysis.stress_collections(mixed, base, table)
    expected = 0.5 * sum(analysis.stress_collections(d, base, table) for d in only.values())
    np.testing.assert_allclose(got, expected, atol=1e-9)
    # AAAsf on this quarterly deal: the unsecured haircut and delay of the packaged table
    h, months = table.loc[0, "haircut_unsecured"], int(table.loc[0, "delay_unsecured"])
    np.testing.assert_allclose(
        analysis.stress_collections(only["unsecured"], base, table)[0],
        stressed_months(base, 4, haircut=h, delay_months=months),
        atol=1e-9,
    )


def test_one_haircut_column_still_reads_and_bad_mixes_are_named():
    legacy = pd.DataFrame(
        {"rating": ["AAsf", "Bsf"], "haircut": [0.3, 0.0], "delay_months": [6, 0]}
    )
    frame = analysis.load_stress_table(legacy)
    assert frame["haircut_residential"].tolist() == [0.3, 0.0] and frame["delay_sme"].tolist() == [
        6,
        0,
    ]
    deal = load_example("credit_card")
    with pytest.raises(ValueError, match="recovery.asset_mix: .*unknown asset class 'auto'"):
        deal.with_changes(recovery=deal.recovery.model_dump() | {"asset_mix": {"auto": 1.0}})
    with pytest.raises(ValueError, match="add up to 1, they add up to 0.9"):
        deal.with_changes(recovery=deal.recovery.model_dump() | {"asset_mix": {"sme": 0.9}})
