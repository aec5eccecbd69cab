"""Design weights, weighting-class nonresponse adjustment with reported collapsing, propensity classes;
weight diagnostics (Kish deff, n_eff, margin tables) — all hand-computed."""

import numpy as np
import pandas as pd
import pytest

from riset.survey.design import SurveyDesign
from riset.errors import WeightingError
from riset.survey.nonresponse import design_weights, nonresponse_adjust, propensity_classes
from riset.survey.diagnostics import (effective_n, kish_deff, margin_comparison, margin_shares,
                                      weight_diagnostics, weight_summary)
from riset.survey.weighting import poststratify


def test_design_weights_are_inverse_probabilities():
    assert design_weights(pd.Series([0.5, 0.25, 1.0])).tolist() == [2.0, 4.0, 1.0]
    # two stages: days d/D = 5/20, visitors m/M = 4/40 -> D/d x M/m = 4 x 10
    assert design_weights(pd.Series([5 / 20]), pd.Series([4 / 40])).tolist() == pytest.approx([40.0])
    with pytest.raises(WeightingError, match=r"'pi' has value 0 in row 3.*\(0, 1\]"):
        design_weights(pd.Series([0.5, 0.0], name="pi"))


def test_weighting_class_factor_is_ratio_of_weight_sums():
    sample = pd.DataFrame({"kec": ["A", "A", "A", "B", "B"], "d": [2.0, 2, 4, 3, 3], "respon": [1, 1, 0, 1, 0]})
    res = nonresponse_adjust(sample, weights="d", responded="respon", cells=["kec"], min_respondents=1)
    # A: 8 / 4 = 2, B: 6 / 3 = 2
    assert res.data["bobot_nr"].tolist() == [4.0, 4.0, 6.0]
    assert res.cells.set_index("sel")["faktor"].to_dict() == {"A": 2.0, "B": 2.0}
    assert res.collapses.empty
    # the adjusted weights keep the full sample's weight total
    assert res.data["bobot_nr"].sum() == sample["d"].sum()


def test_small_cell_collapses_into_parent_and_is_reported():
    sample = pd.DataFrame({
        "kec": ["A"] * 5 + ["B"] * 4,
        "jk": ["L", "L", "P", "P", "P", "L", "L", "P", "P"],
        "d": [1.0] * 9,
        "respon": [1, 0, 1, 1, 0, 1, 1, 1, 1],
    })
    res = nonresponse_adjust(sample, weights="d", responded="respon", cells=["kec", "jk"], min_respondents=2)
    # A|L has 1 respondent -> A|L and A|P pooled into A: factor 5/3; B cells keep factor 1
    np.testing.assert_allclose(res.data["bobot_nr"], [5 / 3] * 3 + [1.0] * 4)
    assert res.collapses[["sel", "ke", "n_responden", "alasan"]].values.tolist() == [["A | L", "A", 1, "collapsed_parent"]]
    assert res.notes[0].text("id") == "Sel A | L (1 responden, < 2) digabung ke sel induk A."
    assert res.notes[0].text("en") == "Cell A | L (1 respondents, < 2) merged into its parent cell A."


def test_ordered_classes_collapse_with_smaller_neighbour():
    # respondents per class 1..4: 5, 1, 4, 6 -> class 2 joins class 3 (4 < 5)
    resp = [1] * 5 + [1, 0, 0] + [1] * 4 + [1] * 6
    cls = [1] * 5 + [2] * 3 + [3] * 4 + [4] * 6
    sample = pd.DataFrame({"kelas": cls, "d": 1.0, "respon": resp})
    res = nonresponse_adjust(sample, weights="d", responded="respon", cells=["kelas"], min_respondents=3,
                             ordered=True)
    assert res.collapses[["sel", "ke", "alasan"]].values.tolist() == [["2", "3", "collapsed_neighbour"]]
    assert [note.text("id") for note in res.notes] == ["Kelas 2 (1 responden, < 3) digabung ke kelas tetangga 3."]
    factors = res.cells.set_index("sel")["faktor"].to_dict()
    assert factors == {"1": 1.0, "2+3": 7 / 5, "4": 1.0}


def test_too_few_respondents_overall_is_an_error():
    sample = pd.DataFrame({"kec": ["A", "B"], "d": [1.0, 1.0], "respon": [1, 0]})
    with pytest.raises(WeightingError, match="only 1 respondent"):
        nonresponse_adjust(sample, weights="d", responded="respon", cells=["kec"], min_respondents=2)


def test_bad_response_flag_is_named():
    sample = pd.DataFrame({"kec": ["A", "B"], "d": [1.0, 1.0], "respon": [1, "ya"]})
    with pytest.raises(WeightingError, match=r"'respon' has value 'ya' in row 3"):
        nonresponse_adjust(sample, weights="d", responded="respon", cells=["kec"], min_respondents=1)


def test_propensity_classes_are_equal_sized_and_ordered_by_response_rate():
    rng = np.random.default_rng(1)
    n = 1000
    x = rng.normal(size=n)
    grp = rng.choice(["kota", "desa"], size=n)
    p = 1 / (1 + np.exp(-(0.3 + 1.5 * x + 0.8 * (grp == "kota"))))
    data = pd.DataFrame({"x": x, "grp": grp, "respon": rng.random(n) < p})
    cls = propensity_classes(data, responded="respon", covariates=["x", "grp"], n_classes=5, seed=3)
    assert cls.value_counts().tolist() == [200] * 5
    rate = data["respon"].groupby(cls).mean()
    assert rate.is_monotonic_increasing and rate.iloc[-1] - rate.iloc[0] > 0.5


def test_kish_deff_and_effective_n_by_hand():
    w = np.array([1.0, 1.0, 2.0, 4.0])
    assert kish_deff(w) == pytest.approx(4 * 22 / 64)  # = 1 + CV^2 with CV^2 = 1.5 / 4
    assert effective_n(w) == pytest.approx(64 / 22)


def test_weight_summary_and_margin_tables():
    data = pd.DataFrame({"jk": ["L", "L", "P", "P"], "w": [1.0, 3.0, 2.0, 2.0]})
    d = SurveyDesign(data, weights="w")
    margin = pd.Series({"L": 6.0, "P": 2.0}).rename_axis("jk")
    ps = poststratify(d, margin)  # L: x 6/4, P: x 2/4
    summary = weight_summary({"desain": d, "akhir": ps}, by="jk").set_index(["tahap", "kelompok"])
    assert summary.loc[("akhir", "semua"), "maks"] == 4.5
    assert summary.loc[("akhir", "semua"), "rasio_maks_min"] == 4.5
    assert summary.loc[("desain", "L"), "cv"] == pytest.approx(0.5)
    comp = margin_comparison({"desain": d, "akhir": ps}, [margin]).set_index("kategori")
    assert comp.loc["L", "desain"] == 4 and comp.loc["L", "selisih_persen_desain"] == pytest.approx(-100 / 3)
    assert comp.loc["P", "akhir"] == pytest.approx(2)
    shares = margin_shares({"desain": d, "akhir": ps}, [margin]).set_index("kategori")
    assert shares.loc["L", "populasi"] == 75 and shares.loc["L", "sampel_tanpa_bobot"] == 50
    assert shares.loc["L", "sampel_bobot_desain"] == 50 and shares.loc["L", "sampel_bobot_akhir"] == pytest.approx(75)
    diag = weight_diagnostics(d, ps, [margin])
    assert diag.weights.columns.tolist() == ["bobot_desain", "bobot_akhir"]
    np.testing.assert_allclose(diag.weights["bobot_akhir"], [1.5, 4.5, 1.0, 1.0])
