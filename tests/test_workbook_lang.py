"""The deal workbook in English or Chinese: labels, headers and prompts in the chosen language, keys
(defined names, table names, option keys) the same, so ``rate`` reads either identically."""

import os

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from npl_xl.cli import main
from npl_xl.deal import load_example
from npl_xl.i18n.workbook import HEADER_KEYS, HEADERS_ZH
from npl_xl.workbook import layout as L
from npl_xl.workbook.memo import write_memo
from npl_xl.workbook.new_deal import new_deal
from npl_xl.workbook.reader import read_deal_workbook
from npl_xl.workbook.run import rate_inputs
from npl_xl.workbook.tape import synthetic_tape
from npl_xl.workbook.template import TEMPLATE_ZH, build_workbook, write_deal_workbook

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATES = os.path.join(ROOT, "workbook_templates")
#: the sheets this module writes (the pool and valuation sheets come from the tape intake)
DEAL_SHEETS = ["Deal", "Tranches", "Fees", "Waterfall", "Structures", "Recovery", "Assumptions"]
DEAL_SHEETS += ["Stress", "Scorecard", "IdealisedEL"]


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """An English and a Chinese deal workbook filled by new-deal from the same tape."""
    folder = tmp_path_factory.mktemp("lang")
    tape = folder / "tape.csv"
    synthetic_tape(300, seed=11).to_csv(tape, index=False, encoding="utf-8-sig")
    out = {}
    for lang in ("en", "zh"):
        out[lang] = folder / f"deal_{lang}.xlsx"
        new_deal(tape, out[lang], lang=lang)
    return out


def test_zh_and_en_workbooks_read_to_the_same_inputs(pair):
    en, zh = (read_deal_workbook(pair[lang]) for lang in ("en", "zh"))
    assert en.deal == zh.deal
    assert en.assumptions == zh.assumptions
    pd.testing.assert_frame_equal(en.stress, zh.stress)
    pd.testing.assert_frame_equal(en.rating_table, zh.rating_table)
    pd.testing.assert_frame_equal(en.tape, zh.tape)
    assert en.scorecard == zh.scorecard and en.unit == zh.unit
    assert (en.language, zh.language) == ("en", "zh")  # the memo's language follows the workbook


def test_zh_and_en_workbooks_rate_to_the_same_summary(pair, tmp_path):
    summaries = []
    for lang in ("en", "zh"):
        inputs = read_deal_workbook(pair[lang])
        run = rate_inputs(inputs, paths=200)
        memo = tmp_path / f"memo_{lang}.xlsx"
        write_memo(run, memo, inputs=inputs, lang="en")
        ws = load_workbook(memo, read_only=True)["Summary"]
        rows = [list(row) for row in ws.iter_rows(values_only=True)]
        summaries.append(rows[:1] + rows[2:])  # row 2: the run's time stamp
    assert summaries[0] == summaries[1]
    assert len(summaries[0]) > 10


def test_zh_workbook_has_chinese_labels_headers_and_prompts(pair):
    wb = load_workbook(pair["zh"])
    assert wb["Deal"]["A1"].value == "交易要素"
    assert wb["Tranches"]["A2"].value == "名称" and wb["Tranches"]["B2"].value == "发行金额"
    assert wb["Fees"]["A2"].value == "费用" and wb["Recovery"]["C2"].value == "回收款"
    labels = [wb["Deal"].cell(row=r, column=3).value or "" for r in range(3, 40)]
    for word in ("发起机构", "贷款服务机构", "受托机构", "资金保管机构", "主承销商"):
        assert any(x.startswith(word) for x in labels), word
    assert wb["Assumptions"]["A3"].value.startswith("预期回收总额")
    # every validated cell of the deal sheets carries an input prompt in Chinese
    for name in DEAL_SHEETS:
        for dv in wb[name].data_validations.dataValidation:
            assert dv.showInputMessage and dv.promptTitle == "npl-xl 输入", (name, dv.sqref)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in dv.prompt), (name, dv.prompt)
    # the keys stay: option keys, defined names, table names
    assert wb["Deal"]["A3"].value == "name"
    en = load_workbook(pair["en"])
    assert set(wb.defined_names) == set(en.defined_names)
    tables = {n for ws in wb.worksheets for n in ws.tables}
    assert tables == {n for ws in en.worksheets for n in ws.tables}
    # the Results formulas follow the translated header
    assert "RecoveryCurve[回收款]" in wb["Results"]["A9"].value.text


def test_en_workbook_prompts_every_validated_cell(tmp_path):
    wb = build_workbook(load_example("credit_card"))
    for name in DEAL_SHEETS:
        for dv in wb[name].data_validations.dataValidation:
            assert dv.showInputMessage and dv.prompt, (name, dv.sqref)
            assert len(dv.prompt) <= 255 and len(dv.promptTitle) <= 32  # Excel's limits


def test_header_translation_is_one_to_one():
    assert len(set(HEADERS_ZH.values())) == len(HEADERS_ZH)
    headers = L.TRANCHE_HEADERS + L.FEE_HEADERS + L.STRESS_HEADERS + L.RATE_HEADERS
    headers += L.TRIGGER_HEADERS + L.SUPPORT_HEADERS + L.RECOVERY_HEADERS + L.ORDER_HEADERS
    headers += L.MIX_HEADERS + L.SCORECARD_HEADERS
    assert set(headers) <= set(HEADERS_ZH)
    assert all(HEADER_KEYS[HEADERS_ZH[h]] == h for h in headers)


def test_free_chinese_tranche_names_round_trip(tmp_path):
    deal = load_example("mortgage").with_changes(closing_date=None, first_payment_date=None)
    names = {"Senior": "优先A档", "Sub": "次级档"}
    deal = deal.with_changes(
        tranches=[dict(t.model_dump(), name=names[t.name]) for t in deal.tranches],
        pre_default_order=None,
        post_default_order=None,
    )
    path = tmp_path / "zh.xlsx"
    write_deal_workbook(path, deal, lang="zh")
    assert read_deal_workbook(path).deal == deal


def test_blank_zh_template_committed_and_read_like_the_english_one():
    zh = os.path.join(TEMPLATES, TEMPLATE_ZH)
    assert os.path.exists(zh)
    wb = load_workbook(zh)
    assert wb["Tranches"]["A3"].value == "优先A档" and wb["Deal"]["B13"].value == "zh"
    # the blank template is refused for the same reason in both languages, naming the same cell
    messages = []
    for path in (os.path.join(TEMPLATES, "npl_deal_template.xlsx"), zh):
        with pytest.raises(ValueError) as exc:
            read_deal_workbook(path)
        messages.append(str(exc.value).split(":")[0])
    assert messages == ["Tranches!B3", "Tranches!B3"]


def test_cli_lang_options(tmp_path):
    r = CliRunner().invoke(main, ["templates", "--out", str(tmp_path), "--lang", "zh"])
    assert r.exit_code == 0, r.output
    assert os.listdir(tmp_path) == [TEMPLATE_ZH]
    committed = load_workbook(os.path.join(TEMPLATES, TEMPLATE_ZH))
    built = load_workbook(tmp_path / TEMPLATE_ZH)
    for ws in built.worksheets:
        for row in ws.iter_rows():
            for c in row:
                other = committed[ws.title][c.coordinate].value
                assert getattr(other, "text", other) == getattr(c.value, "text", c.value)
    r = CliRunner().invoke(main, ["templates", "--out", str(tmp_path), "--lang", "fr"])
    assert r.exit_code == 2 and "fr" in r.output
