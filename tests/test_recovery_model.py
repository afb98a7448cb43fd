"""The recovery-rate regression (npl_xl.models.recovery_model), the memo's benchmark refitted on the
public market dataset, and the recovery volatility per asset class (npl_xl.calibration.evidence).

Reference values are read off the packaged market dataset (npl_xl/data/market, each row with its
deal page) and worked by hand in the comments.
"""

import math

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from npl_xl.calibration import evidence
from npl_xl.cli import main
from npl_xl.models import recovery_model as rm


def test_regression_recovers_known_coefficients():
    """Synthetic deals with the literature's signs (pool size, income, loans +; overdue, loan age,
    borrower age -): the fit recovers each coefficient within three HC1 standard errors."""
    rng = np.random.default_rng(2)
    n = 400
    X = np.column_stack(
        [
            rng.normal(12, 0.8, n),
            rng.normal(8, 1, n),
            rng.normal(11, 0.4, n),
            rng.normal(20, 8, n),
            rng.normal(40, 15, n),
            rng.normal(38, 5, n),
        ]
    )
    names = [
        "log_pool_size",
        "log_loans",
        "log_wa_income",
        "wa_months_overdue",
        "wa_loan_age",
        "wa_borrower_age",
    ]
    beta = np.array([0.05, 0.02, 0.04, 0.03, -0.004, -0.002, -0.003])
    y = (
        beta[0] + X @ beta[1:] + rng.normal(0, 0.02, n) * (1 + 0.5 * rng.random(n))
    )  # heteroskedastic noise
    m = rm.fit(y, X, names)
    assert np.all(np.abs(m.coef - beta) < 3 * m.se)
    assert np.all(np.sign(m.coef[1:]) == np.sign(beta[1:]))
    assert 0 < m.r2 <= 1 and m.n == n and np.all(m.vif >= 1)
    # HC1 by hand: (X'X)^-1 X' diag(e^2) X (X'X)^-1 n / (n - k)
    d = np.column_stack([np.ones(n), X])
    e = y - d @ m.coef
    inv = np.linalg.inv(d.T @ d)
    hc1 = inv @ (d.T * e**2) @ d @ inv * n / (n - d.shape[1])
    np.testing.assert_allclose(m.se, np.sqrt(np.diag(hc1)), rtol=1e-8)
    rate, lo, hi = m.predict(X[:3])
    assert np.all(lo < rate) and np.all(rate < hi)
    pca = rm.fit(y, X, names, pca_components=3)
    assert pca.names == ("PC1", "PC2", "PC3") and pca.predict(X[:1])[0].shape == (1,)


def test_collinear_features_have_a_large_vif_and_too_few_deals_are_refused():
    rng = np.random.default_rng(3)
    a = rng.normal(size=50)
    X = np.column_stack([a, a + rng.normal(0, 0.01, 50)])
    assert rm.fit(rng.normal(size=50), X, ["a", "b"]).vif.min() > 100
    with pytest.raises(ValueError, match="4 deals for 3 coefficients"):
        deals = rm.packaged_deals()
        rm.fit(
            deals["recovery_rate"],
            deals[["secured_share", "log_pool_size"]],
            ["secured_share", "log_pool_size"],
        )


def test_benchmark_line_in_the_memo_and_the_cli(tmp_path):
    r = CliRunner().invoke(
        main, ["recovery-model", "predict", "workbook_templates/example_mortgage.xlsx"]
    )
    assert (
        r.exit_code == 0
        and "vs base case 84.57%" in r.output
        and "model benchmark recovery " in r.output
        and "(90 % interval " in r.output
    )
    r = CliRunner().invoke(main, ["recovery-model", "fit", "--features", "secured_share"])
    assert r.exit_code == 0 and "95 deals" in r.output and "WARNING" not in r.output
    memo = tmp_path / "m.xlsx"
    r = CliRunner().invoke(
        main,
        ["rate", "workbook_templates/example_mortgage.xlsx", "--out", str(memo), "--paths", "100"],
    )
    assert r.exit_code == 0, r.output
    lines = [c.value for c in load_workbook(memo).worksheets[0]["A"] if isinstance(c.value, str)]
    assert any(
        s.startswith("Model benchmark recovery") and "vs base case 84.6%" in s for s in lines
    )


def test_the_packaged_deals_are_the_public_figures():
    deals = rm.packaged_deals().set_index("deal")
    assert deals.loc["21建鑫2", "recovery_rate"] == pytest.approx(82_416.68 / 392_841.81, abs=1e-4)
    assert deals.loc["21建鑫10", "recovery_rate"] == pytest.approx(
        222_016.46 / 262_513.86, abs=1e-4
    )
    np.testing.assert_allclose(deals["log_pool_size"], np.log(deals["pool_wan"]), atol=1e-6)


# --- the benchmark on the public market dataset -------------------------------------------------


def test_packaged_tables_are_what_the_market_dataset_gives():
    assert evidence.stale_files() == []


def test_one_observation_per_deal_worked_by_hand():
    obs = rm.market_deals().set_index("code")
    assert len(obs) == 102 and (obs["agencies"] == 2).all()
    # 中誉2016年第一期: 联合资信 33.821 %, 中债资信 33.888 % of the pool (recoveries.csv)
    # geometric mean sqrt(0.33821 x 0.33888) = 0.338545; log sd |ln(0.33888/0.33821)| / sqrt 2
    row = obs.loc["16ZHONGYU01"]
    assert row["base_case_rate"] == pytest.approx(math.sqrt(0.33821 * 0.33888), abs=1e-6)
    assert row["log_sd"] == pytest.approx(math.log(0.33888 / 0.33821) / math.sqrt(2), abs=1e-6)
    # its secured share is not published: the secured column says secured, so 1
    assert row["secured_share"] == 1 and row["secured_share_basis"] == "secured column (secured)"
    # deals whose collateral the dataset does not state are kept out of the fit
    assert obs["secured_share"].isna().sum() == 7 and len(rm.benchmark_deals()) == 95


def test_benchmark_fit_has_ten_deals_per_coefficient_and_the_expected_signs():
    m = rm.benchmark_model()
    assert m.names == rm.BENCHMARK_FEATURES and m.n == 95 and m.warning is None
    assert m.n / len(m.coef) >= rm.MIN_PER_COEFFICIENT
    # log(rate) = -2.0402 + 0.4933 consumer + 0.2793 residential + 1.3965 secured
    #             - 0.0583 (year - 2020); R2 0.872, residual s.d. 0.299
    np.testing.assert_allclose(m.coef, [-2.0402, 0.4933, 0.2793, 1.3965, -0.0583], atol=5e-5)
    assert m.r2 == pytest.approx(0.8721, abs=5e-5)
    assert math.sqrt(m.resid_var) == pytest.approx(0.2989, abs=5e-5)
    # secured pools recover more, later vintages less; every HC1 t-statistic beyond 2
    assert np.all(np.abs(m.coef / m.se) > 2)


def test_benchmark_interval_covers_recent_base_cases_out_of_sample():
    # each 2023-2025 deal predicted by the benchmark refitted without it: 50 of 52 inside the
    # 90 % interval (the two misses are card pools at 5.8 % and 6.0 %, just below 6.0 %)
    hit, n = evidence.benchmark_coverage(2023, 2025)
    assert (hit, n) == (50, 52) and hit / n >= 0.90


def test_leave_one_out_is_the_fit_without_that_deal():
    d = rm.benchmark_deals()
    names = list(rm.BENCHMARK_FEATURES)
    (y, mean, lo, hi) = rm.leave_one_out(d["log_rate"], d[names], names, [7])[0]
    m = rm.fit(d["log_rate"].drop(7), d[names].drop(7), names)
    rate, lower, upper = m.predict(d[names].iloc[[7]])
    assert (y, mean, lo, hi) == pytest.approx((d["log_rate"][7], rate[0], lower[0], upper[0]))


def test_benchmark_of_a_pool_by_hand():
    # credit card, 2025: exp(-2.0402 - 0.0583 x 5) = 9.71 %
    rate, lo, hi = rm.benchmark("credit_card", 2025)
    assert rate == pytest.approx(math.exp(-2.0402 - 0.0583 * 5), abs=5e-4)
    assert lo < rate < hi
    # the stress table's names work too: unsecured is a card pool, residential secured in full
    assert rm.benchmark("unsecured", 2025) == rm.benchmark("credit_card", 2025)
    assert rm.benchmark("residential", 2021)[2] == 1.0  # the interval is capped at 100 %
    with pytest.raises(ValueError, match="secured_share: needed for a corporate pool"):
        rm.benchmark("corporate", 2024)
    with pytest.raises(ValueError, match="asset_class: unknown 'auto'"):
        rm.benchmark("auto", 2024)
    with pytest.raises(ValueError, match="secured_share"):
        rm.benchmark("sme", 2024, 1.5)


@given(
    cls=st.sampled_from(["credit_card", "consumer", "residential", "corporate", "sme", "mixed"]),
    year=st.integers(2010, 2035),
    secured=st.floats(0, 1),
)
def test_benchmark_interval_is_ordered_and_within_one(cls, year, secured):
    rate, lo, hi = rm.benchmark(cls, year, secured)
    assert 0 < lo < rate < hi <= 1


def test_thin_fits_are_flagged_in_the_model_and_the_cli(tmp_path):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(25, 2))
    assert "8.3 per coefficient" in rm.fit(rng.normal(size=25), x, ["a", "b"]).warning
    assert rm.fit(rng.normal(size=30), rng.normal(size=(30, 2)), ["a", "b"]).warning is None  # 10
    r = CliRunner().invoke(
        main,
        [
            "recovery-model",
            "fit",
            "npl_xl/models/data/npl_deal_recoveries.csv",
            "--features",
            "secured_share",
        ],
    )
    assert r.exit_code == 0
    assert "WARNING: only 4 observations for 2 coefficients (2.0 per coefficient" in r.output


def test_the_cli_prints_the_benchmark_and_its_coverage():
    r = CliRunner().invoke(main, ["recovery-model", "fit"])
    assert r.exit_code == 0, r.output
    assert "95 deals" in r.output and "WARNING" not in r.output
    assert "covers 50 of the 52 deals of 2023-2025" in r.output


# --- recovery volatility per asset class --------------------------------------------------------


def test_card_volatility_is_the_realised_over_forecast_ratios_by_hand():
    # evidence.csv, realised / forecast on card pools: 0.941, 1.18, 0.9134, 0.9531
    # ln: -0.06081, 0.16551, -0.09058, -0.04804; mean of squares 0.010401; root 0.1020
    value, n, source = rm.recovery_volatility("credit_card")
    logs = np.log([0.941, 1.18, 0.9134, 0.9531])
    assert value == 0.1020 == pytest.approx(math.sqrt((logs**2).mean()), abs=5e-5)
    assert n == 4 and "realised/forecast" in source and "floor 0.0755 of 54 deals" in source


def test_cross_agency_dispersion_is_the_pooled_within_deal_variance():
    obs = rm.market_deals()
    t = rm.volatility_table()
    for cls in ("consumer", "corporate", "sme", "credit_card", "residential"):
        o = obs[obs["asset_class"] == cls]
        # two agencies a deal: one degree of freedom each, so the mean of the variances
        pooled = math.sqrt((o["log_sd"] ** 2).mean())
        assert t.loc[cls, "cross_agency_sd"] == pytest.approx(pooled, abs=5e-5)
        assert t.loc[cls, "cross_agency_deals"] == len(o)
    value, n, source = rm.recovery_volatility("consumer")
    assert (value, n) == (pytest.approx(0.0620), 7) and "cross-agency" in source


def test_the_larger_estimate_is_used_and_thin_classes_take_all_deals():
    t = rm.volatility_table()
    est = t[["cross_agency_sd", "realised_sd"]].max(axis=1)
    np.testing.assert_allclose(t["volatility"], est, atol=1e-9)
    assert (t["volatility"] >= t["cross_agency_sd"]).all()
    for cls in ("commercial", "mixed"):  # 0 and 2 deals
        assert rm.recovery_volatility(cls)[:2] == rm.recovery_volatility("all")[:2]
        assert "fewer than 5" in rm.recovery_volatility(cls)[2]
    assert rm.recovery_volatility("Credit card") == rm.recovery_volatility("credit_card")
    with pytest.raises(ValueError, match="asset_class: unknown 'auto'; classes are credit_card"):
        rm.recovery_volatility("auto")


def test_volatility_cli():
    r = CliRunner().invoke(main, ["recovery-model", "volatility", "residential"])
    assert r.exit_code == 0 and r.output.startswith("residential: 0.4539 (n = 2)")
    r = CliRunner().invoke(main, ["recovery-model", "volatility"])
    assert r.exit_code == 0 and len(r.output.splitlines()) == len(evidence.GROUPS)
    r = CliRunner().invoke(main, ["recovery-model", "volatility", "auto"])
    assert r.exit_code != 0 and "Traceback" not in r.output
    assert "asset_class: unknown 'auto'" in r.output


def test_regenerated_files_never_replace_a_file_unasked(tmp_path):
    written = evidence.write_files(tmp_path)
    assert evidence.stale_files(tmp_path) == []
    (tmp_path / evidence.VOLATILITY_FILE).write_text("mine", encoding="utf-8")
    with pytest.raises(ValueError, match="exists"):
        evidence.write_files(tmp_path)
    assert (tmp_path / evidence.VOLATILITY_FILE).read_text(encoding="utf-8") == "mine"
    assert evidence.stale_files(tmp_path) == [evidence.VOLATILITY_FILE]
    assert evidence.write_files(tmp_path, overwrite=True) == written


def test_mixed_pools_weight_the_classes_by_their_share_of_the_base_case():
    # 60 % unsecured, 40 % residential: volatility 0.6 x 0.1020 + 0.4 x 0.4539 = 0.24276
    value, n, source = rm.recovery_volatility({"unsecured": 0.6, "residential": 0.4})
    assert value == pytest.approx(0.6 * 0.1020 + 0.4 * 0.4539, abs=1e-9) and n == 2
    assert source == (
        "share-weighted mix of unsecured 60%: 0.1020 (n = 4); residential 40%: 0.4539 (n = 2)"
    )
    assert rm.recovery_volatility({"sme": 1.0}) == rm.recovery_volatility("sme")
    # the benchmark's class indicators are the shares; the secured share 0.6 x 0 + 0.4 x 1
    f = rm.features_of_pool({"unsecured": 0.6, "residential": 0.4}, 2021)
    assert f == {"consumer": 0.0, "residential": 0.4, "secured_share": 0.4, "vintage": 1.0}
    m = rm.benchmark_model()
    rate = rm.benchmark({"unsecured": 0.6, "residential": 0.4}, 2021)[0]
    assert rate == pytest.approx(math.exp(m.coef @ [1, 0, 0.4, 0.4, 1]))
    with pytest.raises(ValueError, match="secured_share: needed for a sme pool"):
        rm.benchmark({"unsecured": 0.5, "sme": 0.5}, 2024)
    with pytest.raises(ValueError, match="asset_class: the shares add up to 0.9, not 1"):
        rm.recovery_volatility({"unsecured": 0.6, "sme": 0.3})
    with pytest.raises(ValueError, match=r"asset_class\['sme'\]: must be >= 0"):
        rm.recovery_volatility({"unsecured": 1.5, "sme": -0.5})
