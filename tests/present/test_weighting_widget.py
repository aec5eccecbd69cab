"""The pembobotan widget: set the controls, call the callback, read what it shows (no browser)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riset.errors import RisetError
from riset.survey.design import SurveyDesign
from riset.survey.weighting import weight_to_population
from riset.present.widgets.pembobotan import margin_options, pembobotan

POP = pd.DataFrame(
    [(k, j, u, n) for k, base in (("A", 100), ("B", 300)) for j in ("L", "P") for u, f in (("muda", 1), ("tua", 2))
     for n in [base * f]],
    columns=["kecamatan", "jenis_kelamin", "kelompok_umur", "jumlah"],
)  # A: 600, B: 1800; L = P; muda : tua = 1 : 2 in each kecamatan


@pytest.fixture(scope="module")
def design():
    rng = np.random.default_rng(7)
    n = 160
    data = pd.DataFrame({
        "id": [f"R{i:03d}" for i in range(n)],
        "kecamatan": rng.choice(["A", "B"], n),
        "jenis_kelamin": rng.choice(["L", "P"], n, p=[0.3, 0.7]),
        "kelompok_umur": rng.choice(["muda", "tua"], n),
        "w": rng.uniform(5, 15, n),
    })
    return SurveyDesign(data, weights="w")


def _share(run, column):
    w = pd.Series(run.design.weights, index=run.design.data.index)
    return (w.groupby(run.design.data[column]).sum() / w.sum()).to_dict()


def test_default_rakes_to_every_single_margin_composition(design):
    pb = pembobotan(design, POP, id_column="id")
    assert [o[0] for o in margin_options(POP)][:4] == ["kecamatan", "jenis_kelamin", "kelompok_umur",
                                                       "kecamatan × jenis_kelamin"]
    run = pb.run
    assert run is not None and "Raking" in pb.status.value
    assert _share(run, "kecamatan") == pytest.approx({"A": 0.25, "B": 0.75})
    assert _share(run, "jenis_kelamin") == pytest.approx({"L": 0.5, "P": 0.5})
    assert run.design.weights.sum() == pytest.approx(design.weights.sum())  # scaled: composition only
    assert pb.chart.value[:4] == b"\x89PNG"
    assert "Deff Kish" in pb.summary.value and "Selisih % (akhir)" in pb.margins.value


def test_poststratify_needs_one_margin_and_says_so(design):
    pb = pembobotan(design, POP)
    pb.controls["metode"].value = "poststratify"
    assert pb.update() is None
    assert "poststratify takes one margin" in pb.status.value and pb.summary.value == ""
    pb.controls["margin"].value = (("kecamatan", "jenis_kelamin", "kelompok_umur"),)
    run = pb.update()
    cells = run.design.data.groupby(["kecamatan", "jenis_kelamin", "kelompok_umur"]).size()
    assert len(cells) == 8
    assert _share(run, "kelompok_umur") == pytest.approx({"muda": 1 / 3, "tua": 2 / 3})


def test_logit_switches_bounds_on_and_keeps_g_inside(design):
    pb = pembobotan(design, POP)
    pb.controls["metode"].value = "logit"
    assert pb.controls["pakai_batas"].value
    pb.controls["batas"].value = (0.95, 1.05)
    assert pb.update() is None and "did not converge" in pb.status.value
    pb.controls["batas"].value = (0.3, 3.0)
    run = pb.update()
    g = run.design.weights / design.weights
    assert g.min() > 0.3 and g.max() < 3.0
    assert _share(run, "jenis_kelamin") == pytest.approx({"L": 0.5, "P": 0.5})


def test_strict_trimming_caps_weights_and_save_writes_ids(design, tmp_path):
    pb = pembobotan(design, POP, id_column="id", out_dir=tmp_path)
    pb.controls["pangkas"].value = True
    pb.controls["rasio_pangkas"].value = 1.5
    pb.controls["ketat"].value = True
    run = pb.update()
    w = run.design.weights
    assert w.max() <= 1.5 * w.mean() + 1e-9 and w.min() >= w.mean() / 1.5 - 1e-9
    assert "Pemangkasan bobot" in pb.status.value
    saved = pd.read_csv(pb.save())
    assert saved.columns.tolist() == ["id", "bobot_desain", "bobot_akhir"]
    assert saved["bobot_akhir"].to_numpy() == pytest.approx(w)


def test_recipe_reports_collapsed_cells():
    # no respondent in A x tua: with collapse_min_n the cell joins A x muda and the note says so
    data = pd.DataFrame({"kecamatan": ["A", "A", "B", "B", "B"], "kelompok_umur": ["muda", "muda", "muda", "tua", "tua"],
                         "w": 1.0})
    d = SurveyDesign(data, weights="w")
    run = weight_to_population(d, POP, [["kecamatan", "kelompok_umur"]], method="poststratify", collapse_min_n=1,
                               scale=False)
    assert "Margin kecamatan × kelompok umur: sel A | tua digabung ke A | muda (0 responden)." in [
        note.text("id") for note in run.notes]
    np.testing.assert_allclose(run.design.weights, [300, 300, 600, 600, 600])


def test_default_is_the_study_recipe_and_gives_the_report_weights(example_results):
    # the widget on the bundled example starts with the study file's recipe: its weights are run_study's
    from riset.study.run import population_table, weighting_recipe

    res = example_results
    recipe = weighting_recipe(res.config)
    pb = pembobotan(res.designs["design"], population_table(res.config), recipe=recipe)
    assert pb.controls["resep"].value == "laporan" and "seperti studi" in pb.controls["resep"].label.lower()
    assert pb.inputs()["scale"] == recipe["scale"] and pb.inputs()["keep_totals"] == recipe["keep_totals"]
    assert "sama dengan bobot laporan" in pb.status.value
    report = res.designs["final"].weights
    np.testing.assert_allclose(pb.run.design.weights, report, rtol=0, atol=1e-10)
    assert not np.allclose(report, res.designs["design"].weights)  # the weights did change
    pb.controls["metode"].value = "rake"  # any own choice leaves the recipe ...
    assert pb.controls["resep"].value == "atur"
    pb.controls["skala"].value = True
    assert np.abs(pb.update().design.weights - report).max() > 1  # ... and gives other weights
    pb.controls["resep"].value = "laporan"  # ... and choosing it again restores every control
    assert pb.inputs() == {"margins": recipe["margins"], "method": recipe["method"],
                           "keep_totals": recipe["keep_totals"] or None, "bounds": recipe["bounds"],
                           "trim_ratio": recipe["trim_ratio"], "strict": False, "scale": recipe["scale"],
                           "collapse_min_n": recipe["collapse_min_n"]}


def test_a_recipe_with_bounds_and_trimming_sets_those_controls(design):
    recipe = {"margins": [["kecamatan"], ["jenis_kelamin"]], "method": "logit", "bounds": (0.2, 5.0),
              "trim_ratio": 4.0, "scale": True, "keep_totals": [], "collapse_min_n": None, "count": "jumlah"}
    pb = pembobotan(design, POP, recipe=recipe)
    assert pb.inputs()["bounds"] == (0.2, 5.0) and pb.inputs()["trim_ratio"] == 4.0
    assert pb.inputs()["method"] == "logit" and pb.run is not None
    g = pb.run.design.weights / design.weights
    assert g.min() >= 0.2 - 1e-9


def test_an_unknown_recipe_key_is_refused(design):
    with pytest.raises(RisetError, match="recipe has no key 'metode'"):
        pembobotan(design, POP, recipe={"metode": "rake"})


def test_without_the_recipes_columns_the_explorer_starts_from_own_choice(design):
    pb = pembobotan(design, POP)  # no unit / periode in the data
    assert pb.controls["resep"].options == (("Atur sendiri (margin, skala, metode, batas, pemangkasan di bawah)",
                                             "atur"),)
    assert pb.inputs()["scale"] is True and pb.inputs()["keep_totals"] is None
