"""The rating memo a committee reads: proposals, NR, reconciliation, rationale, scorecard,
languages, printing (LibreOffice), values only."""

import os
import re
import shutil
import subprocess

import numpy as np
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from npl_xl.cli import main
from npl_xl.deal import EXAMPLES
from npl_xl.i18n import text
from npl_xl.rating import NOTCH_TOLERANCE, Scorecard, notch, propose
from npl_xl.workbook.memo import write_memo
from npl_xl.workbook.reader import read_deal_workbook
from npl_xl.workbook.run import rate_inputs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATES = os.path.join(ROOT, "workbook_templates")


@pytest.fixture(scope="module", params=list(EXAMPLES))
def rated(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param)
    src = os.path.join(TEMPLATES, f"example_{request.param}.xlsx")
    inputs = read_deal_workbook(src)
    run = rate_inputs(inputs, paths=600, seed=11)
    en, zh = folder / "memo.xlsx", folder / "memo_zh.xlsx"
    write_memo(run, en, inputs=inputs)
    write_memo(run, zh, inputs=inputs, lang="zh")
    return request.param, run, en, zh


def test_seniors_are_proposed_aaa_and_subs_are_not_rated(rated):
    _, run, en, _ = rated
    senior, sub = run.proposals
    assert senior.rating == "AAAsf" and senior.rated and senior.stress_rating == "AAAsf"
    assert sub.rating == "NR" and not sub.rated and sub.reasons[0][0] == "nr_residual"
    kmv_reason = [k for k, _ in senior.reasons if k.startswith("kmv_")]
    assert kmv_reason in (["kmv_agrees"], ["kmv_differs"])  # consistent, or the sentence says why
    ws = load_workbook(en)["Summary"]
    cells = {c.value for row in ws.iter_rows() for c in row if c.value is not None}
    assert "AAAsf" in cells and "NR" in cells
    lines = " ".join(str(v) for v in cells)
    assert "Rationale: Strengths" in lines and "How the methods were reconciled" in lines
    assert "not rated (NR)" in lines


def test_the_sizing_grid_agrees_with_the_proposal(rated):
    # a senior proposed AAAsf on the stress table is no larger than the AAAsf size, which is the
    # smallest of the grid; the memo's Stress sheet shows the run's grid
    _, run, en, _ = rated
    sizes = dict(run.sizing)
    senior = run.deal.ordered_tranches[0]
    assert senior.balance <= sizes["AAAsf"] == min(sizes.values())
    ws = load_workbook(en)["Stress"]
    title = next(
        c for r in ws.iter_rows() for c in r if str(c.value).startswith("Sizing: largest Senior")
    )
    first = [ws.cell(row=title.row + 2, column=title.column + j).value for j in range(3)]
    assert first == ["AAAsf", sizes["AAAsf"], senior.balance]


def test_summary_numbers_are_the_runs(rated):
    _, run, en, _ = rated
    ws = load_workbook(en)["Summary"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    second = next(
        i
        for i, r in enumerate(rows)
        if r[0] == "Tranche" and r[2] == "Break-even haircut at the rating's delay"
    )
    for k, t in enumerate(run.deal.ordered_tranches):
        r = rows[second + 1 + k]
        at = run.breakeven_at_rating[k]
        expected = at if np.isfinite(at) and np.isfinite(run.cushion[k]) else run.breakeven[k]
        assert r[0] == t.name and r[2] == pytest.approx(expected, rel=1e-15)
        assert r[9] == pytest.approx(run.mc.pd[k], rel=1e-15, abs=1e-300) and r[
            10
        ] == pytest.approx(run.mc.el[k], rel=1e-15, abs=1e-300)
    # the senior's cushion is the run's: its break-even haircut at its rating's delay less the
    # haircut its rating requires (mix-weighted)
    cushion = rows[second + 1][4]
    assert cushion == pytest.approx(run.cushion[0], rel=1e-15) and cushion > 0
    assert cushion == pytest.approx(run.breakeven_at_rating[0] - run.required_haircut[0])


def test_no_formula_in_any_memo_and_one_scale(rated):
    _, run, en, zh = rated
    for path in (en, zh):
        wb = load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    assert c.data_type != "f", (ws.title, c.coordinate)
                    assert not (
                        isinstance(c.value, str)
                        and c.value[:1] in ("A", "B")
                        and c.value[1:3] in ("aa", "a1")
                    )
    assert all(str(r).endswith("sf") for r in run.mc.rating_el + run.mc.rating_pd + run.kmv_ratings)


def test_english_and_chinese_memos_hold_the_same_numbers(rated):
    _, _, en, zh = rated
    a, b = load_workbook(en), load_workbook(zh)
    assert len(a.worksheets) == len(b.worksheets) and b.sheetnames[0] == "评级摘要"
    for wa, wb_ in zip(a.worksheets, b.worksheets):
        numbers_a = [
            (c.coordinate, c.value)
            for r in wa.iter_rows()
            for c in r
            if isinstance(c.value, (int, float))
        ]
        numbers_b = [
            (c.coordinate, c.value)
            for r in wb_.iter_rows()
            for c in r
            if isinstance(c.value, (int, float))
        ]
        assert numbers_a == numbers_b, wa.title


#: Latin text a Chinese memo may show: rating codes, model acronyms, file names, hashes, times
_CODES = re.compile(
    r"(?:AAA|AA|A|BBB|BB|B|CCC|CC|C)[+-]?sf|below|\b(?:KMV|OC|IC|PD|EL|BET|LTV|HHI|WAL|LPR\w*|UTC|"
    r"SHA-256|V0|MC|NR|Moody's|npl-xl|python|numpy|pandas|scipy|openpyxl)\b|[\w./-]+\.(?:xlsx|csv|md)|"
    r"[0-9a-f]{64}|[\w.]+\.[\w.]+\([^)]*\)|\b\w+\.\w+(?:\.\w+)*\b"
)
_CJK = re.compile("[\u3000-\u9fff\uff00-\uffef]")


def english_only_cells(path, tranches) -> list[tuple[str, str, str]]:
    """Cells of a memo with Latin words and no Chinese once codes, acronyms, tranche and file
    names are taken out."""
    out = []
    for ws in load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for c in row:
                if not isinstance(c.value, str) or _CJK.search(c.value):
                    continue
                rest = c.value
                for name in sorted(tranches, key=len, reverse=True):
                    rest = rest.replace(name, " ")
                if re.search("[A-Za-z]{2,}", _CODES.sub(" ", rest)):
                    out.append((ws.title, c.coordinate, c.value))
    return out


def test_the_chinese_memo_is_chinese(rated):
    name, run, en, zh = rated
    names = [t.name for t in run.deal.ordered_tranches]
    left = english_only_cells(zh, names)
    assert len(left) <= 5, left
    # the English memo counts as the control: the test sees its words
    assert len(english_only_cells(en, names)) > 100
    wb = load_workbook(zh)
    assert wb.worksheets[0]["A1"].value.startswith("评级分析报告")
    assert load_workbook(en).worksheets[0]["A1"].value.startswith("Rating analysis")
    # rationale tags name the memo's own sheets
    summary = " ".join(str(c.value) for r in wb.worksheets[0].iter_rows() for c in r if c.value)
    tags = set(re.findall(r"\[([^\]]+)\]", summary))
    assert tags and tags <= set(wb.sheetnames), tags


def _overprinted(pdf) -> list[tuple[int, str, str]]:
    """Pairs of words whose boxes overlap on a page of ``pdf`` (pdftotext -bbox)."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    box = r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    bad = []
    for n, page in enumerate(out.split("<page ")[1:], start=1):
        words = [(*map(float, w[:4]), w[4]) for w in re.findall(box, page)]
        for i, p in enumerate(words):
            for q in words[i + 1 :]:
                w = min(p[2], q[2]) - max(p[0], q[0])
                h = min(p[3], q[3]) - max(p[1], q[1])
                small = min((p[2] - p[0]) * (p[3] - p[1]), (q[2] - q[0]) * (q[3] - q[1]))
                if w > 1 and h > 1 and w * h > 0.2 * small:
                    bad.append((n, p[4], q[4]))
    return bad


@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice and poppler are not installed (.ci/run installs them)",
)
def test_both_memos_print(rated, tmp_path):
    from npl_xl.workbook.memo import build_memo
    from npl_xl.workbook.pdf import write_pdf

    name, run, en, zh = rated
    inputs = read_deal_workbook(os.path.join(TEMPLATES, f"example_{name}.xlsx"))
    for path, lang in ((en, "en"), (zh, "zh")):
        pdf = write_pdf(path, tmp_path / f"memo_{lang}.pdf")
        info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
        pages = int(next(x.split()[-1] for x in info.splitlines() if x.startswith("Pages:")))
        assert pages <= 14, (lang, pages)
        assert _overprinted(pdf) == [], lang
        full = subprocess.run(
            ["pdftotext", pdf, "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "###" not in full
        flat = "".join(full.split())
        titles = [
            c.title.tx.rich.p[0].r[0].t
            for ws in build_memo(run, inputs, lang).worksheets
            for c in ws._charts
        ]
        assert len(titles) >= 5
        for title in titles:  # every chart is printed
            assert "".join(title.split()) in flat, (lang, title)
        first = subprocess.run(
            ["pdftotext", "-f", "1", "-l", "1", pdf, "-"], capture_output=True, text=True
        ).stdout
        for key in ("proposed_ratings", "rationale", "reconciliation"):
            assert text(key, lang) in first, key
        assert "AAAsf" in first
    with pytest.raises(Exception, match="exists; pass --force"):
        write_pdf(en, tmp_path / "memo_en.pdf")


def test_rate_pdf_option(tmp_path, monkeypatch):
    from npl_xl.workbook import pdf as pdf_module

    src = os.path.join(TEMPLATES, "example_mortgage.xlsx")
    out = tmp_path / "m.xlsx"
    monkeypatch.setattr(pdf_module, "find_soffice", lambda: None)
    r = CliRunner().invoke(main, ["rate", src, "--out", str(out), "--paths", "60", "--pdf"])
    assert r.exit_code == 1 and out.exists() and not (tmp_path / "m.pdf").exists()
    last = r.output.strip().splitlines()[-1]
    assert last.startswith("Error: --pdf: LibreOffice (soffice) is not installed")
    assert "Traceback" not in r.output
    monkeypatch.undo()
    if shutil.which("soffice") is None:
        return
    r = CliRunner().invoke(
        main, ["rate", src, "--out", str(out), "--paths", "60", "--pdf", "--force"]
    )
    assert r.exit_code == 0, r.output
    assert (tmp_path / "m.pdf").read_bytes()[:5] == b"%PDF-"
    assert r.output.strip().endswith("m.pdf")


def test_a_neutral_scorecard_changes_nothing_and_a_weak_one_moves_the_stress():
    inputs = read_deal_workbook(os.path.join(TEMPLATES, "example_mortgage.xlsx"))
    neutral = rate_inputs(inputs, paths=200)
    assert Scorecard({"legal": 3, "servicer": 3}).haircut_addon == 0
    from dataclasses import replace

    weak = rate_inputs(
        replace(
            inputs, scorecard=Scorecard({"legal": 1, "commingling": 2}, {"legal": "no opinion"})
        ),
        paths=200,
    )
    # 2 + 1 points below neutral: every haircut 3 points higher
    np.testing.assert_allclose(
        weak.stress.table["haircut_residential"].iloc[0],
        neutral.stress.table["haircut_residential"].iloc[0] + 0.03,
    )
    assert notch(weak.proposals[0].stress_rating) >= notch(neutral.proposals[0].stress_rating)
    movers = [p for p in weak.rationale if p.key == "scorecard"]
    assert {p.values["factor"] for p in movers} == {"legal", "commingling"}
    assert text("scorecard", "en", **movers[0].values).startswith("Scorecard: ")
    with pytest.raises(ValueError, match="whole score from 1 to 5"):
        Scorecard({"legal": 7})


def test_rating_logic_by_hand():
    # stress AAAsf, Monte Carlo A-sf: 6 notches lower, beyond the tolerance -> A-sf proposed,
    # reason given
    p = propose(
        ["S", "J"], [0.03, 0.0], [0.0, 0.0], ["AAAsf", "BBBsf"], ["A-sf", "BBsf"], ["AAsf", "Bsf"]
    )
    assert (
        p[0].rating == "A-sf"
        and p[0].reasons[0][0] == "mc_lower"
        and p[0].reasons[0][1]["notches"] == 6
    )
    assert p[1].rating == "NR"
    # within the tolerance the stress rating stands; a residual tranche may be rated on request
    q = propose(
        ["S", "J"],
        [0.03, 0.0],
        [0.0, 0.0],
        ["AAAsf", "BBBsf"],
        ["AA-sf", "BBsf"],
        ["AAAsf", "CCCsf"],
        rate_subordinated=True,
    )
    assert q[0].rating == "AAAsf" and q[0].reasons[0] == (
        "mc_within",
        {
            "tranche": "S",
            "stress": "AAAsf",
            "mc": "AA-sf",
            "notches": 3,
            "tolerance": NOTCH_TOLERANCE,
        },
    )
    assert q[1].rating == "BBBsf" and ("kmv_differs" in [k for k, _ in q[1].reasons])
    assert notch("below B-sf") == notch("B-sf") + 1 and notch("AAAsf") == 1


def test_rate_lang_option_and_workbook_default(tmp_path):
    src = os.path.join(TEMPLATES, "example_mortgage.xlsx")
    out = tmp_path / "m.xlsx"
    r = CliRunner().invoke(main, ["rate", src, "--out", str(out), "--paths", "100", "--lang", "zh"])
    assert r.exit_code == 0, r.output
    assert load_workbook(out).sheetnames[0] == "评级摘要"
    assert "Senior AAAsf, Sub NR" in r.output


def _print_checks(wb) -> None:
    """Every chart inside its sheet's print area; every sheet fits its page width at >= 70 %."""
    from openpyxl.utils import range_boundaries

    from npl_xl.workbook.printing import MIN_SCALE, chart_extent, page_scale

    for ws in wb.worksheets:
        area = ws.print_area if isinstance(ws.print_area, str) else ws.print_area[0]
        _, _, last_col, last_row = range_boundaries(area.split("!")[1].replace("$", ""))
        for chart in ws._charts:
            row, col = chart_extent(ws, chart)
            assert row <= last_row and col <= last_col, (ws.title, chart.anchor)
        assert page_scale(ws, last_row, last_col) >= MIN_SCALE, ws.title
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage


def test_the_memo_is_laid_out_for_print(rated):
    from npl_xl.workbook.memo import build_memo

    name, run, _, _ = rated
    inputs = read_deal_workbook(os.path.join(TEMPLATES, f"example_{name}.xlsx"))
    for lang in ("en", "zh"):
        wb = build_memo(run, inputs, lang)
        _print_checks(wb)
        assert sum(len(ws._charts) for ws in wb.worksheets) >= 5
    wb = build_memo(run, inputs, "en")
    pool = wb["Pool"]
    formats = {
        pool.cell(row=r, column=1).value: pool.cell(row=r, column=2).number_format
        for r in range(1, 30)
    }
    assert formats["Loans"] == "#,##0" and formats["Borrowers"] == "#,##0"  # counts: no decimals
    assert formats["Top-10 borrowers share"] == "0.00%"
    assert formats["Average balance per loan (万元)"] == "#,##0.00"
    # a wrapped text cell's row is tall enough for its lines
    prov = wb["Provenance"]
    notes = next(r for r in prov.iter_rows() if r[0].value == "Deal notes")
    assert len(notes[1].value) > 200 and prov.row_dimensions[notes[1].row].height >= 45
    # the header row of the waterfall names columns in words
    cash = [c.value for c in wb["Cash flows"][3]]
    assert cash[:3] == ["Period", "Years", "Collections"] and "reserve_balance" not in cash


def test_thirty_tranches_give_a_memo(tmp_path):
    from dataclasses import replace

    from npl_xl.workbook.memo import build_memo

    inputs = read_deal_workbook(os.path.join(TEMPLATES, "example_credit_card.xlsx"))
    d = inputs.deal
    total = sum(t.balance for t in d.tranches)
    senior, sub = d.ordered_tranches[0], d.ordered_tranches[-1]
    n = 30
    tranches = [
        senior.model_copy(
            update={"name": f"A{k + 1}", "balance": total * 0.6 / (n - 1), "seniority": k + 1}
        )
        for k in range(n - 1)
    ] + [sub.model_copy(update={"balance": total * 0.4, "seniority": n})]
    data = d.model_dump() | {"tranches": [t.model_dump() for t in tranches]}
    data |= {"pre_default_order": None, "post_default_order": None}
    deal = type(d).model_validate(data)
    run = rate_inputs(replace(inputs, deal=deal), paths=100, seed=3)
    for lang in ("en", "zh"):
        wb = build_memo(run, inputs, lang)
        _print_checks(wb)
    out = tmp_path / "memo30.xlsx"
    write_memo(run, out, inputs=inputs)
    summary = load_workbook(out)["Summary"]
    names = {c.value for c in summary["A"]}
    assert {f"A{k}" for k in range(1, 30)} <= names


def test_a_long_message_is_cut_to_the_cell_limit(rated):
    from dataclasses import replace

    from npl_xl.workbook.memo import build_memo

    name, run, _, _ = rated
    inputs = read_deal_workbook(os.path.join(TEMPLATES, f"example_{name}.xlsx"))
    long = replace(run, deal=run.deal.model_copy(update={"notes": "x" * 40_000}))
    wb = build_memo(long, inputs, "en")
    cells = [c.value for ws in wb.worksheets for r in ws.iter_rows() for c in r]
    longest = max(len(v) for v in cells if isinstance(v, str))
    assert longest == 32_767


def test_both_memos_carry_the_sections_of_an_agency_report(rated):
    from npl_xl.workbook.memo import build_memo

    name, run, en, zh = rated
    pre, post = run.deal.orders()
    for path, lang in ((en, "en"), (zh, "zh")):
        wb = load_workbook(path)
        ov = wb[text("sheet_overview", lang)]
        cells = [c.value for r in ov.iter_rows() for c in r if c.value is not None]
        # the priority of payments before and after a default event, every step numbered
        assert text("ov_pre_default", lang) in cells and text("ov_post_default", lang) in cells
        col_a = [c.value for c in ov["A"]]
        col_b = [c.value for c in ov["B"]]
        first = col_a.index(text("ov_pre_default", lang))
        assert col_a[first + 1 : first + 1 + len(pre)] == [
            f"{i + 1}. {s}" for i, s in enumerate(_steps(pre, lang))
        ]
        assert col_b[first + 1 : first + 1 + len(post)] == [
            f"{i + 1}. {s}" for i, s in enumerate(_steps(post, lang))
        ]
        # the senior is rated on timely payment, the others on ultimate payment
        assert text("basis_timely", lang) in cells and text("basis_ultimate", lang) in cells
        for party in ("originator", "servicer", "trustee", "custodian", "lead_underwriter"):
            assert text(f"party_{party}", lang) in cells
        method = " ".join(
            str(c.value) for r in wb[text("sheet_method", lang)].iter_rows() for c in r if c.value
        )
        for key in ("title_definitions", "title_stresses", "ov_surveillance"):
            assert text(key, lang) in method
        assert "按期足额偿付" in method if lang == "zh" else "timely" in method
        recovery = " ".join(
            str(c.value) for r in wb[text("sheet_recovery", lang)].iter_rows() for c in r if c.value
        )
        assert text("title_recovery", lang) in recovery
        assert text("sheet_stress", lang) in wb.sheetnames
        stress = [c.value for c in wb[text("sheet_stress", lang)][3]]
        assert text("col_issue_rate", lang) in stress
    # the defaults the deal workbook took are listed on Provenance
    inputs = read_deal_workbook(os.path.join(TEMPLATES, f"example_{name}.xlsx"))

    class WithDefaults:
        defaults_used = (("Deal", "B7", "payments per year", 4),)

        def __getattr__(self, key):
            return getattr(inputs, key)

    wb = build_memo(run, WithDefaults(), "en")
    rows = [[c.value for c in r] for r in wb["Provenance"].iter_rows()]
    assert ["Default taken: Deal!B7 payments per year", 4] in rows
    rows = [[c.value for c in r] for r in build_memo(run, inputs, "en")["Provenance"].iter_rows()]
    assert any(r[0] == "Every optional input was given in the deal workbook" for r in rows)


def _steps(order, lang):
    from npl_xl.workbook.memo.labels import step

    return [step(s, lang) for s in order]
