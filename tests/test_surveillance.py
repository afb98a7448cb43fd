"""Surveillance (跟踪评级): trustee-report intake, current state, Benktander re-projection,
re-rating from the current state, the command line."""

import os

import numpy as np
import pytest
from click.testing import CliRunner

from npl_xl.cli import main
from npl_xl.deal import load_example
from npl_xl.models.waterfall import run_waterfall
from npl_xl.surveil import PAID_IN_FULL, TrusteeReport, current_state, reproject, surveil
from npl_xl.workbook.reader import read_deal_workbook
from npl_xl.workbook.run import setup_of
from npl_xl.workbook.trustee_report import read_trustee_report

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CREDIT_CARD = os.path.join(ROOT, "workbook_templates", "example_credit_card.xlsx")
PATHS, SEED = 400, 5


def write_report(path, collections, *, title="金额单位：万元", extra=None):
    """A trustee report CSV with Chinese headers: 期数, 支付日, 本期回收金额 (+ extra columns)."""
    extra = extra or {}
    lines = [title, ",".join(["期数", "支付日", "本期回收金额", *extra])]
    for i, c in enumerate(collections):
        cells = [str(i + 1), f"{2022 + 3 * i // 12}-{3 * i % 12 + 1:02d}-26", f"{c:.2f}"]
        cells += [f"{v[i]:.2f}" for v in extra.values()]
        lines.append(",".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def credit_card():
    inputs = read_deal_workbook(CREDIT_CARD)
    return inputs, setup_of(inputs), inputs.deal.base_collections()


# -- done when: four periods at the base case keep AAAsf, at 30 % of it lose AAAsf -------------


@pytest.mark.parametrize(("share", "keeps_aaa"), [(1.0, True), (0.3, False)])
def test_four_periods_from_a_chinese_csv(credit_card, tmp_path, share, keeps_aaa):
    inputs, setup, base = credit_card
    path = write_report(tmp_path / "report.csv", base[:4] * share)
    report = read_trustee_report(path, inputs.deal, deal_unit=inputs.unit)
    np.testing.assert_allclose(report.collections, np.round(base[:4] * share, 2))
    s = surveil(inputs.deal, report, setup, paths=PATHS, seed=SEED)
    senior = s.changes[0]
    assert senior.previous == "AAAsf"  # the issuance run
    assert (senior.proposed == "AAAsf") is keeps_aaa
    assert senior.change == ("affirmed" if keeps_aaa else "downgrade")
    assert s.summary_line().startswith(f"{inputs.deal.name}: Senior {senior.proposed}, Sub NR")


# -- re-projection: Benktander by hand -------------------------------------------------------------


def test_benktander_reprojection_by_hand():
    # U0 = 100, E = 30 (p = 0.3), A = 15 (A/E = 0.5): factor = 0.3 x 0.5 + 0.7 = 0.85
    r = reproject([10.0, 20.0, 30.0, 40.0], [5.0, 10.0])
    assert r.credibility == pytest.approx(0.3)
    assert r.actual_to_expected == pytest.approx(0.5)
    assert r.factor == pytest.approx(0.85)
    np.testing.assert_allclose(r.remaining, [25.50, 34.00])
    np.testing.assert_allclose(r.by_period, [0.5, 0.5])
    o = reproject([10.0, 20.0, 30.0, 40.0], [5.0, 10.0], override_remaining=35.0)
    assert o.method == "override" and o.remaining_total == pytest.approx(35.0)
    np.testing.assert_allclose(o.remaining, [15.0, 20.0])  # the base case's shape, re-anchored


def test_on_plan_collections_change_nothing_and_late_evidence_weighs_more():
    base = np.full(10, 10.0)
    assert reproject(base, base[:3]).factor == pytest.approx(1.0)
    early = reproject(base, base[:2] * 0.5).factor  # Z = 0.2
    late = reproject(base, base[:8] * 0.5).factor  # Z = 0.8
    assert early == pytest.approx(0.9) and late == pytest.approx(0.6)


# -- current state ---------------------------------------------------------------------------------


def test_the_current_state_is_the_waterfall_on_the_actual_collections():
    deal = load_example("credit_card")
    base = deal.base_collections()
    state = current_state(deal, TrusteeReport(base[:4]))
    c = np.zeros(len(base))
    c[:4] = base[:4]
    w = run_waterfall(deal, c)
    np.testing.assert_allclose(state.balance, w.balance[3])
    assert state.reserve == pytest.approx(w.reserve_balance[3])
    assert state.differences == ()


def test_reported_balances_are_reconciled_and_used_never_silently(credit_card, tmp_path):
    inputs, setup, base = credit_card
    deal = inputs.deal
    c = np.zeros(len(base))
    c[:4] = base[:4]
    model = run_waterfall(deal, c).balance[:4, 0]
    reported = model.copy()
    reported[3] += 5.0  # five 万元 more than the model
    path = write_report(tmp_path / "r.csv", base[:4], extra={"优先档余额": reported})
    report = read_trustee_report(path, deal, deal_unit=inputs.unit)
    state = current_state(deal, report)
    assert [(d.period, d.item) for d in state.differences] == [(4, "Senior balance")]
    assert state.differences[0].reported - state.differences[0].model == pytest.approx(
        5.0, abs=0.01
    )
    assert state.balance[0] == pytest.approx(round(reported[3], 2))
    assert state.model_balance[0] == pytest.approx(model[3])


def test_a_senior_repaid_in_full_is_shown_paid():
    deal = load_example("credit_card")
    base = deal.base_collections()
    s = surveil(
        deal,
        TrusteeReport(np.r_[base[0] * 4, 0.0, 0.0, 0.0]),
        previous={"Senior": "AAAsf", "Sub": "NR"},
        paths=PATHS,
        seed=SEED,
    )
    assert s.changes[0].proposed == PAID_IN_FULL and s.changes[0].change == "paid_in_full"
    assert [t.name for t in s.remaining.tranches] == ["Sub"]


def test_the_remaining_deal_starts_at_the_last_reported_date():
    deal = load_example("credit_card")
    base = deal.base_collections()
    s = surveil(
        deal,
        TrusteeReport(base[:4] * 0.5),
        previous={"Senior": "AAAsf", "Sub": "NR"},
        paths=PATHS,
        seed=SEED,
    )
    r = s.remaining
    assert r.legal_maturity_periods == deal.legal_maturity_periods - 4
    assert r.reserve.initial == pytest.approx(s.state.reserve)
    assert r.ordered_tranches[0].balance == pytest.approx(s.state.balance[0])
    np.testing.assert_allclose(r.base_collections(), s.projection.remaining)


# -- intake ----------------------------------------------------------------------------------------


def test_english_headers_yuan_units_and_a_header_further_down(credit_card, tmp_path):
    inputs, _, base = credit_card
    lines = ["Trustee report", "", "Period,Payment date,Collections (CNY),Senior balance,Reserve"]
    lines += [f'{i + 1},2022/{3 * i + 1}/26,"{base[i] * 1e4:,.2f}",,0' for i in range(3)]
    lines += ["Total,,1,,"]
    path = tmp_path / "en.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = read_trustee_report(path, inputs.deal, deal_unit="万元")
    np.testing.assert_allclose(report.collections, base[:3], atol=1e-6)
    assert report.rows == (4, 5, 6)
    assert report.reserve is not None and report.tolerance == pytest.approx(1e-4)
    assert "header on row 3" in report.lines[0]


def test_an_override_in_the_report_replaces_the_reprojection(credit_card, tmp_path):
    inputs, setup, base = credit_card
    path = write_report(tmp_path / "o.csv", base[:4], title='"剩余回收预测覆盖：30,000"')
    report = read_trustee_report(path, inputs.deal, deal_unit=inputs.unit, unit="万元")
    assert report.override_remaining == pytest.approx(30_000)
    p = reproject(
        inputs.deal.base_collections(),
        report.collections,
        override_remaining=report.override_remaining,
    )
    assert p.method == "override" and p.remaining_total == pytest.approx(30_000)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda rows: rows.__setitem__(3, "2,2022-04-26,-5,"), "row 4, 本期回收金额: negative"),
        (
            lambda rows: rows.__setitem__(3, "2,2022-04-26,abc,"),
            "row 4, 本期回收金额: not a number",
        ),
        (
            lambda rows: rows.__setitem__(3, "2,2021-04-26,5,"),
            "row 4, 支付日: 2021-04-26 is not after",
        ),
        (lambda rows: rows.__setitem__(3, "3,2022-04-26,5,"), "row 4, 期数: expected period 2"),
        (
            lambda rows: rows.__setitem__(1, "期数,支付日,本期回收金额,夹层档余额"),
            "夹层档余额: names no tranche",
        ),
    ],
)
def test_bad_rows_stop_with_one_line_naming_row_and_column(credit_card, tmp_path, edit, message):
    inputs, _, _ = credit_card
    rows = [
        "金额单位：万元",
        "期数,支付日,本期回收金额,优先档余额",
        "1,2022-01-26,5,",
        "2,2022-04-26,5,",
    ]
    edit(rows)
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=message) as err:
        read_trustee_report(path, inputs.deal, deal_unit=inputs.unit)
    assert "\n" not in str(err.value)


def test_a_period_beyond_legal_maturity_is_refused(credit_card, tmp_path):
    inputs, _, base = credit_card
    n = inputs.deal.legal_maturity_periods
    path = write_report(tmp_path / "long.csv", np.ones(n))
    with pytest.raises(ValueError, match=rf"row {n + 2}, 期数: period {n} is at or beyond legal"):
        read_trustee_report(path, inputs.deal, deal_unit=inputs.unit)


def test_the_cli_refuses_a_negative_collection_without_a_traceback(tmp_path):
    inputs = read_deal_workbook(CREDIT_CARD)
    path = write_report(tmp_path / "neg.csv", [100.0, -3.0, 50.0])
    result = CliRunner().invoke(main, ["surveil", CREDIT_CARD, str(path), "--paths", "50"])
    assert result.exit_code == 1
    assert result.output.strip() == ("npl-xl: error: neg.csv row 4, 本期回收金额: negative (-3.00)")
    assert "Traceback" not in result.output
    assert inputs.deal.name  # the workbook itself was fine


def test_the_cli_prints_the_proposal_first_and_writes_the_memo(credit_card, tmp_path):
    inputs, _, base = credit_card
    path = write_report(tmp_path / "r.csv", base[:4])
    out = tmp_path / "surv.xlsx"
    args = ["surveil", CREDIT_CARD, str(path), "--out", str(out), "--paths", "300", "--seed", "2"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first.startswith(f"{inputs.deal.name}: Senior AAAsf, Sub NR")
    assert out.exists()
    again = CliRunner().invoke(main, args)  # never replaces the memo without --force
    assert again.exit_code == 1 and "exists" in again.output


def test_every_reason_and_change_has_its_text_in_both_languages():
    from npl_xl.i18n import text

    deal = load_example("credit_card")
    base = deal.base_collections()
    for c in (base[:4], base[:4] * 0.3, np.r_[base[0] * 4, 0.0, 0.0, 0.0]):
        s = surveil(deal, TrusteeReport(c), previous={"Senior": "AAsf", "Sub": "NR"}, paths=100)
        for ch in s.changes:
            for lang in ("en", "zh"):
                assert "nan" not in text(ch.reason, lang, **ch.values)
                assert text(f"surv_change_{ch.change}", lang)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dask", "tcp://x:1"], "--dask: only with --batch"),
        (["--previous", "Mezz=AAsf"], "previous: 'Mezz' is no tranche of the deal"),
        (["--previous", "Senior"], "--previous: expected TRANCHE=RATING"),
    ],
)
def test_cli_options_are_checked_in_one_line(credit_card, tmp_path, args, message):
    _, _, base = credit_card
    path = write_report(tmp_path / "r.csv", base[:2])
    result = CliRunner().invoke(main, ["surveil", CREDIT_CARD, str(path), "--paths", "50", *args])
    assert result.exit_code == 1 and message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_deal_workbook_without_a_report_sheet_asks_for_the_report():
    result = CliRunner().invoke(main, ["surveil", CREDIT_CARD])
    assert result.exit_code == 1
    assert "REPORT: give the trustee report, or add a sheet named TrusteeReport" in result.output


def test_units_in_headers_are_converted_and_conflicts_refused(credit_card, tmp_path):
    inputs, _, _ = credit_card
    path = tmp_path / "yuan.csv"
    path.write_text('期数,本期回收金额（元）\n1,"1,234,500.00"\n', encoding="utf-8")
    report = read_trustee_report(path, inputs.deal, deal_unit="万元")
    assert report.collections[0] == pytest.approx(123.45)
    conflict = tmp_path / "conflict.csv"
    conflict.write_text("金额单位：万元\n期数,本期回收金额（元）\n1,5\n", encoding="utf-8")
    with pytest.raises(ValueError, match="amount unit is ambiguous"):
        read_trustee_report(conflict, inputs.deal, deal_unit="万元")
