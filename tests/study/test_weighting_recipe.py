"""The study's weighting recipe in `weight_to_population`: population scaled within each kecamatan,
design-weighted totals of unit x periode kept (the bundled example's recipe). Targets below are computed by hand."""

import numpy as np
import pandas as pd
import pytest

from riset.survey.design import SurveyDesign
from riset.errors import WeightingError
from riset.survey.weighting import weight_to_population

# the recipe of the bundled example's study file (weighting: calibrate raking, scale kecamatan, keep unit x periode)
REPORT_RECIPE = {"margins": [["kecamatan", "jenis_kelamin"], ["kecamatan", "kelompok_umur"]], "method": "raking",
                 "scale": "kecamatan", "keep_totals": ["unit", "periode"]}

# residents: A 100 (L 30 / P 70; 17-34 40 / 35+ 60), B 200 (L 100 / P 100; 17-34 75 / 35+ 125), C: no respondents
POP = pd.DataFrame(
    [("A", "L", "17-34", 10), ("A", "L", "35+", 20), ("A", "P", "17-34", 30), ("A", "P", "35+", 40),
     ("B", "L", "17-34", 50), ("B", "L", "35+", 50), ("B", "P", "17-34", 25), ("B", "P", "35+", 75),
     ("C", "L", "17-34", 5), ("C", "P", "35+", 5)],
    columns=["kecamatan", "jenis_kelamin", "kelompok_umur", "jumlah"],
)
# design weights: 10 in A (visits 60), 20 in B (visits 120); unit x periode visits X/S1 40, Y/S2 40, X/S2 50, Y/S1 50
SAMPLE = pd.DataFrame(
    [("A", "L", "17-34", "X", "S1", 10), ("A", "L", "35+", "Y", "S2", 10), ("A", "P", "17-34", "X", "S2", 10),
     ("A", "P", "35+", "Y", "S1", 10), ("A", "P", "35+", "X", "S1", 10), ("A", "L", "17-34", "Y", "S2", 10),
     ("B", "L", "17-34", "X", "S1", 20), ("B", "L", "35+", "Y", "S1", 20), ("B", "P", "17-34", "X", "S2", 20),
     ("B", "P", "35+", "Y", "S2", 20), ("B", "P", "35+", "X", "S2", 20), ("B", "L", "35+", "Y", "S1", 20)],
    columns=["kecamatan", "jenis_kelamin", "kelompok_umur", "unit", "periode", "w"],
)
# within-kecamatan targets: A 60 x (0.3, 0.7) and (0.4, 0.6); B 120 x (0.5, 0.5) and (0.375, 0.625)
SEX = {("A", "L"): 18, ("A", "P"): 42, ("B", "L"): 60, ("B", "P"): 60}
AGE = {("A", "17-34"): 24, ("A", "35+"): 36, ("B", "17-34"): 45, ("B", "35+"): 75}
VISITS = {("X", "S1"): 40, ("Y", "S2"): 40, ("X", "S2"): 50, ("Y", "S1"): 50}


def _totals(run, columns):
    w = pd.Series(run.design.weights, index=run.design.data.index)
    return w.groupby([run.design.data[c] for c in columns]).sum().to_dict()


@pytest.fixture(scope="module")
def design():
    return SurveyDesign(SAMPLE, weights="w")


def test_report_recipe_meets_all_three_margins_and_keeps_unit_periode_visits(design):
    run = weight_to_population(design, POP, **REPORT_RECIPE)
    assert _totals(run, ["kecamatan", "jenis_kelamin"]) == pytest.approx(SEX, abs=1e-6)
    assert _totals(run, ["kecamatan", "kelompok_umur"]) == pytest.approx(AGE, abs=1e-6)
    assert _totals(run, ["unit", "periode"]) == pytest.approx(VISITS, abs=1e-6)
    assert run.design.weights.sum() == pytest.approx(180)
    assert [m.name for m in run.margins] == ["kecamatan x jenis_kelamin", "kecamatan x kelompok_umur", "unit x periode"]
    assert any("Kecamatan C (2 baris tabel penduduk) tanpa responden" in n.text("id") for n in run.notes)
    assert any("unit layanan × periode dipertahankan" in n.text("id") for n in run.notes)
    assert {n.code for n in run.notes} >= {"weighting_unused_categories", "weighting_keep_totals"}  # codes, no prose
    # raking form (calfun "raking", Deville & Sarndal 1992): log g is additive in the three margins' cells
    log_g = np.log(run.design.weights / SAMPLE["w"].to_numpy())
    cells = [SAMPLE["kecamatan"] + SAMPLE["jenis_kelamin"], SAMPLE["kecamatan"] + SAMPLE["kelompok_umur"],
             SAMPLE["unit"] + SAMPLE["periode"]]
    x = np.hstack([pd.get_dummies(c).to_numpy(float) for c in cells])  # (linear calibration misses by 0.14)
    coef = np.linalg.lstsq(x, log_g, rcond=None)[0]
    np.testing.assert_allclose(x @ coef, log_g, atol=1e-8)


def test_scale_within_poststratifies_to_hand_computed_weights(design):
    # cell A/L holds rows 1, 2, 6 (design total 30, target 18): weight 6; A/P rows 3, 4, 5 (30 -> 42): 14;
    # B/L rows 7, 8, 12 (60 -> 60): 20; B/P rows 9, 10, 11 (60 -> 60): 20
    run = weight_to_population(design, POP, [["kecamatan", "jenis_kelamin"]], method="poststratify", scale="kecamatan")
    np.testing.assert_allclose(run.design.weights, [6, 6, 14, 14, 14, 6, 20, 20, 20, 20, 20, 20])
    # scaling to the overall total instead: 180 x residents / 300 (C's 10 residents count): A/L 30 x 180/310
    overall = weight_to_population(design, POP[POP["kecamatan"] != "C"], [["kecamatan", "jenis_kelamin"]],
                                   method="poststratify", scale=True)
    np.testing.assert_allclose(overall.design.weights[:2], [30 * 180 / 300 / 3] * 2)


def test_keep_totals_alone_leaves_design_weights(design):
    # the kept totals are the design's own: with the overall composition of kecamatan they change nothing
    # when that composition already holds (A 60 / B 120 = residents 100 / 200 scaled to 180)
    run = weight_to_population(design, POP[POP["kecamatan"] != "C"], ["kecamatan"], method="rake",
                               keep_totals=["unit", "periode"])
    np.testing.assert_allclose(run.design.weights, SAMPLE["w"])


def test_scale_within_refuses_unknown_kecamatan_and_blank_columns(design):
    with pytest.raises(WeightingError, match=r"no rows for kecamatan 'B'"):
        weight_to_population(design, POP[POP["kecamatan"] != "B"], **REPORT_RECIPE)
    with pytest.raises(WeightingError, match=r"scale.*'desa'|'desa'.*not found"):
        weight_to_population(design, POP.assign(desa="x"), ["jenis_kelamin"], scale="desa")
    with pytest.raises(WeightingError, match="keep_totals"):
        weight_to_population(design, POP, ["kecamatan"], keep_totals=["loket"])
    with pytest.raises(WeightingError, match="poststratify takes one margin, got 2"):
        weight_to_population(design, POP, ["kecamatan"], method="poststratify", keep_totals=["unit"])
