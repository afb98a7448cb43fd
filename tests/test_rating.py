"""Rating tables and the EL / PD -> rating rule."""

import numpy as np
import pandas as pd
import pytest

from npl_xl.models import rating


def test_scale_has_moodys_published_rating_factors():
    # Moody's rating factors (CLO methodology; docs/methodology.md §8)
    scale = rating.rating_scale().set_index("rating")["rating_factor"]
    expected = {
        "Aaa": 1,
        "Aa1": 10,
        "Aa2": 20,
        "Aa3": 40,
        "A1": 70,
        "A2": 120,
        "A3": 180,
        "Baa1": 260,
        "Baa2": 360,
        "Baa3": 610,
        "Ba1": 940,
        "Ba2": 1350,
        "Ba3": 1766,
        "B1": 2220,
        "B2": 2720,
        "B3": 3490,
        "Caa1": 4770,
        "Caa2": 6500,
        "Caa3": 8070,
        "Ca": 10000,
    }
    for r, f in expected.items():
        assert scale[r] == f


def test_ten_year_pd_threshold_is_rating_factor():
    # a rating factor is the 10-year idealised default probability x 10,000
    assert rating.rating_from_default_probability(0.036, 10) == "Baa2"
    assert rating.rating_from_default_probability(0.0361, 10) == "Baa3"
    assert rating.rating_from_default_probability(0.0, 10) == "Aaa"


def test_packaged_tables_are_labelled_illustrative():
    r = rating.rating_from_expected_loss(0.001, 3)
    assert r.illustrative and r.labelled().endswith("(illustrative)") and "illustrative" in repr(r)
    table = rating.load_rating_table("el")
    assert table.illustrative and all(table.sources)


def test_best_rating_whose_threshold_is_not_below():
    t = rating.load_rating_table("el")
    thr = t.thresholds(4.0)
    i = t.ratings.index("A2")
    assert rating.rating_from_expected_loss(thr[i], 4.0) == "A2"
    assert rating.rating_from_expected_loss(thr[i] * (1 + 1e-9), 4.0) == "A3"
    assert rating.rating_from_expected_loss(1.0, 4.0) == "C"


def test_horizon_interpolation_and_bounds():
    t = rating.load_rating_table("pd")
    np.testing.assert_allclose(t.thresholds(2.5), 0.5 * (t.values[:, 1] + t.values[:, 2]))
    np.testing.assert_allclose(t.thresholds(0.3), t.values[:, 0])  # below 1 year: the 1-year column
    with pytest.raises(ValueError, match="horizon_years"):
        rating.rating_from_default_probability(0.01, 11)


def test_ratings_worsen_with_loss():
    els = np.logspace(-7, 0, 200)
    ranks = rating.rating_scale().set_index("rating")["rank"]
    got = [ranks[str(r)] for r in rating.rating_from_expected_loss(els, 2.0)]
    assert np.all(np.diff(got) >= 0)


def test_chinese_sf_scale():
    assert rating.rating_from_default_probability(0.0, 1, scale="cn_sf") == "AAAsf"
    assert rating.rating_from_default_probability(0.036, 10, scale="cn_sf") == "BBBsf"


def test_user_table_as_dataframe_and_csv(tmp_path):
    frame = pd.DataFrame(
        {
            "Rating": ["AAAsf", "AAsf", "Asf"],
            "1": [0.001, 0.01, 0.05],
            "5": [0.005, 0.03, 0.2],
            "source": ["agency X 2024"] * 3,
        }
    )
    r = rating.rating_from_expected_loss(0.02, 3.0, table=frame)  # AAsf threshold at 3y = 0.02
    assert r == "AAsf" and not r.illustrative
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    assert rating.rating_from_expected_loss(0.0201, 3.0, table=path) == "Asf"
    assert rating.rating_from_expected_loss(0.9, 1.0, table=frame) == "below Asf"


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: rating.rating_from_expected_loss(1.5, 3), "el"),
        (lambda: rating.rating_from_expected_loss(np.nan, 3), "el"),
        (lambda: rating.rating_from_expected_loss(0.01, 0), "horizon_years"),
        (lambda: rating.rating_from_default_probability(-0.1, 3), "pd"),
        (lambda: rating.rating_from_expected_loss(0.01, 3, scale="sp"), "scale"),
        (lambda: rating.rating_from_expected_loss(0.01, 3, table="/no/such.csv"), "table"),
        (
            lambda: rating.rating_from_expected_loss(0.01, 3, table=pd.DataFrame({"x": [1]})),
            "rating",
        ),
        (
            lambda: rating.rating_from_expected_loss(
                0.01,
                3,
                table=pd.DataFrame({"rating": ["A", "B"], "1": [0.2, 0.1], "2": [0.3, 0.2]}),
            ),
            "best first",
        ),
    ],
)
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()
