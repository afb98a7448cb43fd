"""The public market dataset (npl_xl.market, ``npl-xl market``): coverage, a source on every row,
every published total reproduced from its parts, validation on load, the command line, and none
of the deals reserved for out-of-sample validation."""

import dataclasses
import hashlib
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from npl_xl import market
from npl_xl.cli import main
from npl_xl.models.recovery_model import packaged_deals

DATA = Path(market.__file__).parent / "data" / "market"

#: sha256 of the 15 deal codes reserved for out-of-sample validation (issue 20): only the hashes
#: are kept, so the codes themselves never appear in the repository.
RESERVED_SHA256 = frozenset(
    {
        "08ec96feb001dd838f7f3a62b94cc38dbd0eef08d7e3b503013f754a31a17bc5",
        "203d0dd9ef8c30288525db08b4c3a4f1c3b755d6da2cf58dea58c01cb0adb9a9",
        "20897536ea659e611017acc0f3a408cb752ffa9c6589cf1b78ce65d6ad82864e",
        "3844b34d5b78596b2d8a54516a625abea19067df199621a757d93d80d6dfa342",
        "6035c291fc71a2d811b7707f1b611888d50feb4d53ee1c95cb2202c2e74a04fc",
        "665d163565c99711097b388f5e1a5658ef7939fa4cb958e735cefb0bba6dd79b",
        "6c31f72594880a9ed45a1f4cf439e3c3320a5e6bd703a099b6867007150ebf25",
        "737fd7bba654e10c0ab1d6b454ed775472689fb8204e55ab08ee70b811e684c0",
        "7bd30587c5bc7a8b8e773dff01a4993b107545e578303c90ca45fde324387ec4",
        "86bdfb5831497fbbfee9e58f68ee9b8f2c155795bbec49a28605f76cd2077945",
        "88e4dc502149cc880983ff8ad5f5d5c82a812a731903aff9c33060bf751c9bf4",
        "a3014479d5db99876a096efbcf205dd4e08e92a03b4b01fd367e1b482bb44740",
        "b35e923119d647d7f683293205175ee3bf2d94d3a58441058d4d42e226fd33c2",
        "c44ea97414b092c3a6d728adf3945e0e9d8714345e1289a291ccc47c169c8764",
        "e441b37941272d5077e66ca1c627be306a7308b816656d0c53b00467c4ec6547",
    }
)
#: anything shaped like a deal code (two digits of year, capitals, a number)
CODE_SHAPE = re.compile(r"\b\d{2}[A-Z][A-Z_]*\d{2,3}\b")


@pytest.fixture(scope="module")
def data():
    return market.load()


def _sha(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


# -- coverage -----------------------------------------------------------------------------------


def test_coverage_deals_originators_years_and_classes(data):
    d = data.deals
    assert len(d) >= 60
    assert d["originator"].nunique() >= 8
    assert set(range(2016, 2026)) <= set(d["year"])
    classes = set(d["asset_class"])
    for group in (
        {"credit_card"},
        {"consumer"},
        {"residential"},
        {"corporate", "sme"},
        {"commercial", "mixed"},
    ):
        assert classes & group, f"no deal of {group}"
    assert (d["originator_type"] == "amc").sum() >= 2  # asset-management companies too
    # every deal has its tranches and at least one agency's base case
    assert set(data.tranches["code"]) == set(d["code"]) == set(data.recoveries["code"])


def test_every_row_of_every_table_has_a_public_address(data):
    for name in market.TABLES:
        frame = getattr(data, name)
        assert frame["source"].str.match(r"https?://[^\s]+$").all(), name
    given_ = data.deals["collected_before_closing"].notna()
    assert data.deals.loc[given_, "collected_before_closing_source"].str.startswith("http").all()


def test_no_reserved_deal_anywhere_in_the_dataset(data):
    codes = set(data.deals["code"])
    for name in market.TABLES:
        frame = getattr(data, name)
        codes |= set(frame["code"])
        codes |= {s.rstrip("/").rsplit("/", 1)[-1] for s in frame["source"]}
    # and every code-shaped word of the data files and of the documents describing them
    root = DATA.parents[2]
    texts = [*DATA.iterdir(), root / "README.md", root / "docs" / "methodology.md"]
    for path in texts:
        codes |= set(CODE_SHAPE.findall(path.read_text(encoding="utf-8")))
    assert len(codes) > 60
    assert not {c for c in codes if _sha(c.upper()) in RESERVED_SHA256}
    assert len(RESERVED_SHA256) == 15 and all(
        re.fullmatch("[0-9a-f]{64}", h) for h in RESERVED_SHA256
    )


# -- published totals and invariants ----------------------------------------------------------


def test_tranches_add_up_to_the_notes_issued(data):
    t = data.tranches.merge(data.deals[["code", "issued_total", "subordinated_share"]], on="code")
    total = t.groupby("code")["balance"].sum()
    issued = data.deals.set_index("code")["issued_total"]
    assert ((total - issued).abs() <= 0.01).all()
    sub = t[t["class"] == "subordinated"].groupby("code")["balance"].sum()
    published = data.deals.set_index("code")["subordinated_share"]
    # published to three decimals of a percent
    assert ((sub / total - published).abs() <= 0.5e-5 + 1e-12).all()
    assert ((t["share_of_notes"] - t["balance"] / t["issued_total"]).abs() <= 0.5e-6 + 1e-12).all()


def test_base_case_over_pool_is_the_published_rate(data):
    r = data.recoveries.merge(data.deals[["code", "pool_balance"]], on="code")
    # the deal pages print each rate to three decimals of a percent
    assert (
        (r["base_case"] / r["pool_balance"] - r["base_case_rate"]).abs() <= 0.5e-5 + 1e-12
    ).all()


def test_senior_share_of_each_agency_base_case_is_plausible(data):
    shares = [(d.code, a, x) for d in market.summary(data) for a, x in d.senior_shares]
    assert len(shares) >= 120
    # Seniors are sized to a part of the base case: 45-64 % of it in the 15 public deals,
    # 48-62 % across nine CCB/ABC/ICBC deals; allow 30-80 % (interim collections, agency spread).
    out = [(c, a, round(x, 3)) for c, a, x in shares if not 0.30 <= x <= 0.80]
    assert not out
    median = pd.Series([x for *_, x in shares]).median()
    assert 0.45 <= median <= 0.62


def test_base_case_rates_by_asset_class(data):
    r = data.recoveries.merge(data.deals[["code", "asset_class"]], on="code")
    rate = r.groupby("asset_class")["base_case_rate"]
    # unsecured card pools recover a small part of principal + interest + fees, mortgage pools
    # most of it (less for recent vintages: 35-45 % in 2025 against 75-88 % in 2019-2021)
    assert rate.max()["credit_card"] < 0.30 and rate.min()["credit_card"] > 0.03
    assert rate.min()["residential"] > 0.30 and rate.max()["residential"] < 0.95
    assert rate.median()["residential"] > 2 * rate.median()["credit_card"]


def test_collections_before_closing_are_a_part_of_the_senior(data):
    d = data.deals[data.deals["collected_before_closing"].notna()]
    senior = data.tranches[data.tranches["class"] == "senior"].groupby("code")["balance"].sum()
    share = [
        v / senior[c] if unit == "万元" else v
        for c, v, unit in zip(
            d["code"], d["collected_before_closing"], d["collected_before_closing_unit"]
        )
    ]
    assert len(share) >= 8 and all(0 < x < 1 for x in share)


def test_dates_and_maturities_in_order(data):
    d = data.deals
    assert (d["cutoff_date"] <= d["closing_date"]).all()
    assert (d["closing_date"] < d["legal_maturity"]).all()
    t = data.tranches.merge(d[["code", "legal_maturity"]], on="code")
    assert (
        t["expected_maturity"].dropna() <= t.loc[t["expected_maturity"].notna(), "legal_maturity"]
    ).all()
    # the senior is expected to be repaid no later than the subordinated tranche
    by = t.pivot_table(index="code", columns="class", values="expected_maturity", aggfunc="max")
    both = by.dropna()
    assert (both["senior"] <= both["subordinated"]).all()
    wal = t.dropna(subset=["wal", "expected_life"])
    assert len(wal) >= 40 and (wal["wal"] <= wal["expected_life"]).all()


def test_ratings_on_the_scale_and_subordinated_tranches_not_rated(data):
    r = data.ratings.merge(data.tranches[["code", "tranche", "class"]], on=["code", "tranche"])
    assert set(r["rating"]) <= {"AAAsf", "AA+sf", "AAsf", "AA-sf", "A+sf", "Asf", "NR"}
    assert (r.loc[r["class"] == "subordinated", "rating"] == "NR").all()
    assert (r["class"] == "senior").sum() >= 25


def test_published_values_from_other_public_sources(data):
    # the four 建鑫 deals of the recovery benchmark (models/data/npl_deal_recoveries.csv) read the
    # same pool and base-case rate here
    bench = packaged_deals().set_index("deal")
    codes = {
        "21建鑫2": "21JIANXIN02",
        "21建鑫9": None,
        "21建鑫4": "21JIANXIN04",
        "21建鑫10": "21JIANXIN10",
    }
    deals = data.deals.set_index("code")
    rec = data.recoveries[data.recoveries["agency"] == "中债资信"].set_index("code")
    for name, code in codes.items():
        if code is None or code not in deals.index:
            continue
        assert deals.loc[code, "pool_balance"] == pytest.approx(
            bench.loc[name, "pool_wan"], abs=0.005
        )
        assert rec.loc[code, "base_case_rate"] == pytest.approx(
            bench.loc[name, "recovery_rate"], abs=5e-5
        )
    # 中誉2016-1's issuing document (max.book118.com/html/2017/0613/114865140.shtm): senior 23,478,
    # subordinated 6,622, 30,100 in all, the senior AAA at both agencies, the subordinated unrated
    z = data.deal("16ZHONGYU01")
    assert list(z.tranches["balance"]) == [23478.0, 6622.0]
    assert z.deal["issued_total"] == 30100.0
    senior = z.ratings[z.ratings["tranche"] == "16中誉1优先"]
    assert set(senior["agency"]) == {"联合资信", "中债资信"} and set(senior["rating"]) == {"AAAsf"}
    # 和萃2016-1 as reported at issue (1mt.cn/211681): 1.88 and 0.45 亿元 at 3.0 %; 1.64 亿元
    # collected before closing, 87 % of the senior
    h = data.deal("16HECUI01")
    assert list(h.tranches["balance"]) == [18800.0, 4500.0]
    assert h.tranches["coupon"].iloc[0] == pytest.approx(0.03)
    assert h.deal["collected_before_closing"] / 18800 == pytest.approx(0.87, abs=0.005)


# -- loader ----------------------------------------------------------------------------------------


def test_load_is_cached_frozen_and_returns_copies():
    market._packaged.cache_clear()
    first = market.load()
    hits = market._packaged.cache_info().hits
    first.deals.loc[0, "pool_balance"] = -1.0
    second = market.load()
    assert market._packaged.cache_info().hits == hits + 1
    assert second.deals.loc[0, "pool_balance"] > 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        second.deals = first.deals  # type: ignore[misc]


def test_deal_returns_only_its_rows_and_rejects_unknown_codes(data):
    d = market.deal("21jianxin10")
    assert d.code == "21JIANXIN10" and d.deal["name_zh"] == "建鑫2021年第十期"
    for frame in (d.tranches, d.recoveries, d.ratings, d.evidence):
        assert set(frame["code"]) == {"21JIANXIN10"}
    with pytest.raises(ValueError, match="code: unknown deal 'XX99'"):
        data.deal("XX99")


def _edit(tmp_path, table, old, new, count=1):
    folder = tmp_path / "market"
    shutil.copytree(DATA, folder)
    path = folder / f"{table}.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "table, old, new, message",
    [
        (
            "ratings",
            ",AAAsf,AAA_{sf},",
            ",AAA,AAA_{sf},",
            r"ratings\.csv line \d+, rating: expected",
        ),
        (
            "deals",
            ",https://www.absbox.com.cn/deal/21JIANXIN07\n",
            ",\n",
            r"deals\.csv line \d+, source",
        ),
        ("deals", "2021-07-29,2021-09-15", "2021-10-29,2021-09-15", r"cutoff_date: after closing"),
        (
            "deals",
            ",262513.86,",
            ",lots,",
            r"deals\.csv line \d+, pool_balance: expected a number, got 'lots'",
        ),
        ("tranches", ",0.0355,fixed,", ",3.55,fixed,", r"coupon: expected a decimal in \[0, 1\]"),
        (
            "recoveries",
            "21JIANXIN10,中债资信",
            "21JIANXIN10,中诚信国际",
            r"duplicate of an earlier row",
        ),
        (
            "evidence",
            "21JIANXIN10,",
            "NOSUCHDEAL,",
            r"evidence\.csv line \d+, code: not in deals\.csv",
        ),
        ("tranches", "str,str,str,str,int", "str,str,str,str,integer", r"second row must give"),
    ],
)
def test_validation_names_file_line_and_column(tmp_path, table, old, new, message):
    folder = _edit(tmp_path, table, old, new)
    with pytest.raises(ValueError, match=message):
        market.load(folder=folder)


def test_unedited_copy_loads_like_the_package(tmp_path, data):
    folder = tmp_path / "copy"
    shutil.copytree(DATA, folder)
    pd.testing.assert_frame_equal(market.load(folder=folder).deals, data.deals)


# -- command line ----------------------------------------------------------------------------------


def test_cli_list_prints_one_line_per_deal(data):
    out = CliRunner().invoke(main, ["market", "list"])
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert lines[-1] == f"{len(data.deals)} deals"
    assert len(lines) == len(data.deals) + 2
    row = next(ln for ln in lines if ln.startswith("21JIANXIN02 "))
    assert "2021" in row and "credit_card" in row and "建设银行" in row and "392,841.81" in row
    assert "中债资信 82,416.68 (20.98%)" in row and "49.7%" in row


def test_cli_list_filters():
    runner = CliRunner()
    out = runner.invoke(main, ["market", "list", "--asset-class", "residential", "--year", "2021"])
    assert out.exit_code == 0
    rows = out.output.splitlines()[1:-1]
    assert rows and all(" 2021  residential " in r for r in rows)
    out = runner.invoke(main, ["market", "list", "--originator", "招商"])
    assert all("招商银行" in r for r in out.output.splitlines()[1:-1])
    assert runner.invoke(main, ["market", "list", "--year", "1999"]).output == "no deal matches\n"
    assert runner.invoke(main, ["market", "list", "--asset-class", "cars"]).exit_code == 2


def test_cli_show_prints_every_field_with_its_source():
    out = CliRunner().invoke(main, ["market", "show", "16HECUI01"])
    assert out.exit_code == 0, out.output
    text = out.output
    assert "source: https://absbox.com.cn/deal/16HECUI01" in text
    assert "collected_before_closing: 16,400.00  [source: http://1mt.cn/211681]" in text
    assert "pool_balance: 209,769.75" in text and "tranche=16和萃1优先" in text
    assert "agency=联合资信, stage=presale, base_case=24,186.22" in text


def test_cli_show_unknown_code_is_one_line_and_exit_1():
    out = CliRunner().invoke(main, ["market", "show", "NOPE"])
    assert out.exit_code == 1
    assert out.output.strip().count("\n") == 0 and "unknown deal 'NOPE'" in out.output
    assert "Traceback" not in out.output


@settings(max_examples=25)
@given(st.data())
def test_cli_list_returns_exactly_the_matching_deals(data, choice):
    asset_class = choice.draw(st.sampled_from(sorted(set(data.deals["asset_class"]))))
    year = choice.draw(st.sampled_from(sorted(set(data.deals["year"]))))
    out = CliRunner().invoke(
        main, ["market", "list", "--asset-class", asset_class, "--year", str(year)]
    )
    listed = (
        {ln.split()[0] for ln in out.output.splitlines()[1:-1]} if "deals" in out.output else set()
    )
    d = data.deals
    assert listed == set(d.loc[(d["asset_class"] == asset_class) & (d["year"] == year), "code"])
