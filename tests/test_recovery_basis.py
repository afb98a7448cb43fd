"""Asset-class stress tables, exact delays in months, and the calibration of the packaged table."""

import numpy as np
import pandas as pd
import pytest

from npl_xl.deal import load_example
from npl_xl.models import analysis
from npl_xl.models.recovery import stressed, stressed_months


@pytest.mark.xfail(
    strict=False,
    reason="timely basis: passes once the calibrated stress table lands (issue 20)",
)
@pytest.mark.parametrize("name", ["credit_card", "mortgage"])
def test_packaged_stress_table_calibration(name):
    """Calibration inputs (docs/methodology.md §6, §8): 21建鑫2's senior is 41,000 of an 82,416.68
    base case (49.7 %), 21建鑫10's 113,000 of 222,016.46 (50.9 %); both were rated AAAsf. With the
    packaged table each passes AAAsf, and the same senior made 15 points of base recovery larger
    (64.7 % and 65.9 %, above the market's 48-62 % range) does not."""
    deal = load_example(name)
    base = deal.base_collections()
    assert analysis.stress_ratings(deal, base).ratings[0] == "AAAsf"
    tranches = [t.model_dump() for t in deal.ordered_tranches]
    tranches[0]["balance"] += 0.15 * deal.require_recovery().total
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
    # AAAsf on this quarterly deal: unsecured 40 % and 12 months (4 periods), residential 32 % and
    # 18
    np.testing.assert_allclose(
        analysis.stress_collections(only["unsecured"], base, table)[0],
        stressed(base, haircut=0.40, delay=4),
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
