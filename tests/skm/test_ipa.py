"""IPA (tingkat kesesuaian, quadrants) and CSI, checked by hand on a small table and on the example study."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from riset.i18n import label

from riset.skm.drivers import relative_importance
from riset.errors import DataError
from riset.skm.ipa import csi, csi_category, derived_importance, ipa

ROOT = Path(__file__).resolve().parents[2]
KIN = {"U1": "persyaratan", "U2": "prosedur", "U3": "waktu", "U4": "biaya"}
KEP = {"P1": "persyaratan", "P2": "prosedur", "P3": "waktu", "P4": "biaya"}


@pytest.fixture
def small():
    return pd.DataFrame({
        "U1": [4, 3, 3, 2], "P1": [3, 3, 2, 4],
        "U2": [2, 2, 1, 3], "P2": [4, 4, 3, 4],
        "U3": [4, 4, 3, 3], "P3": [4, 3, 4, 3],
        "U4": [4, 4, 4, 4], "P4": [2, 1, 2, 3],
        "unit": ["A", "A", "B", "B"], "w": [1.0, 1.0, 2.0, 4.0],
    })


def test_small_table_by_hand(small):
    # means: kinerja 3.0, 2.0, 3.5, 4.0 (line 3.125); kepentingan 3.0, 3.75, 3.5, 2.0 (line 3.0625)
    r = ipa(small, KIN, KEP)
    t = r.table.set_index("unsur")
    assert t["kinerja"].tolist() == [3.0, 2.0, 3.5, 4.0]
    assert t["kepentingan"].tolist() == [3.0, 3.75, 3.5, 2.0]
    assert r.garis_kinerja == 3.125 and r.garis_kepentingan == 3.0625
    # Tk = sum X / sum Y x 100: 12/12, 8/15, 14/14, 16/8
    assert t["tingkat_kesesuaian"].tolist() == pytest.approx([100.0, 800 / 15, 100.0, 200.0])
    assert t["kuadran"].tolist() == ["III", "I", "II", "IV"]
    assert [label(f"kuadran_{q}", "id") for q in t["kuadran"]] == [
        "III Prioritas Rendah", "I Prioritas Utama", "II Pertahankan Prestasi", "IV Berlebihan"]
    assert t["kode"].tolist() == ["U1", "U2", "U3", "U4"]


def test_csi_by_hand(small):
    # sum MIS = 12.25; WS = (3*3 + 3.75*2 + 3.5*3.5 + 2*4) / 12.25 = 36.75 / 12.25 = 3.0; CSI = 3 / 4
    c = csi(ipa(small, KIN, KEP))
    assert c.table["wf"].tolist() == pytest.approx([3 / 12.25, 3.75 / 12.25, 3.5 / 12.25, 2 / 12.25])
    assert c.table["ws"].sum() == pytest.approx(3.0)
    assert c.value == pytest.approx(0.75)
    assert c.index["kategori"].iloc[0] == "Puas"
    assert csi(ipa(small, KIN, KEP), hs=5).value == pytest.approx(0.6)


def test_weighted_and_grouped(small):
    r = ipa(small, KIN, KEP, weights="w", by="unit")
    b = r.table[r.table["unit"] == "B"].set_index("unsur")
    # unit B: rows 3 and 4 with weights 2 and 4
    assert b.loc["persyaratan", "kinerja"] == pytest.approx((2 * 3 + 4 * 2) / 6)
    assert b.loc["prosedur", "kepentingan"] == pytest.approx((2 * 3 + 4 * 4) / 6)
    line_b = r.lines.set_index("unit").loc["B"]
    assert line_b["garis_kinerja"] == pytest.approx(np.mean([14 / 6, 7 / 3, 3.0, 4.0]))
    assert line_b["garis_kepentingan"] == pytest.approx(np.mean([20 / 6, 22 / 6, 20 / 6, 16 / 6]))
    # unit B lines 2.9167 / 3.25: persyaratan (2.33, 3.33) I; waktu (3.0, 3.33) II; biaya (4.0, 2.67) IV
    assert b["kuadran"].tolist() == ["I", "I", "II", "IV"]
    cb = csi(r).index.set_index("unit")
    wf = np.array([20, 22, 20, 16]) / 78
    assert cb.loc["B", "csi"] == pytest.approx((wf @ np.array([14 / 6, 7 / 3, 3.0, 4.0])) / 4)
    with pytest.raises(DataError, match="grouped by \\['unit'\\]"):
        r.garis_kinerja


def test_point_on_a_line_counts_as_high():
    d = pd.DataFrame({"U1": [3, 3], "U2": [2, 2], "U3": [4, 4], "P1": [3, 3], "P2": [4, 4], "P3": [2, 2]})
    r = ipa(d, dict(list(KIN.items())[:3]), dict(list(KEP.items())[:3]))
    # lines: kinerja 3.0, kepentingan 3.0; persyaratan sits on both lines -> high/high -> II
    assert r.table["kuadran"].tolist() == ["II", "I", "IV"]


def test_blanks_use_the_answers_given(small):
    d = small.copy()
    d.loc[0, "U1"] = np.nan
    t = ipa(d, KIN, KEP).table.set_index("unsur")
    assert t.loc["persyaratan", "kinerja"] == pytest.approx(8 / 3)
    assert t.loc["persyaratan", "tingkat_kesesuaian"] == pytest.approx(100 * (8 / 3) / 3.0)


def test_derived_importance_has_no_tk_and_uses_its_own_line(small):
    derived = pd.Series({"persyaratan": 10.0, "prosedur": 50.0, "waktu": 30.0, "biaya": 10.0}, name="lmg")
    r = ipa(small, KIN, derived)
    t = r.table.set_index("unsur")
    assert t["tingkat_kesesuaian"].isna().all()
    assert r.garis_kepentingan == 25.0 and r.sumber == "lmg"
    assert t["kuadran"].tolist() == ["III", "I", "II", "IV"]
    assert "I Concentrate here" in r.summary("en")
    assert "tingkat kesesuaian tidak dihitung" in r.notes[0].text("id")
    as_dict = ipa(small, KIN, {"persyaratan": 10, "prosedur": 50, "waktu": 30, "biaya": 10})
    assert as_dict.table["kuadran"].tolist() == ["III", "I", "II", "IV"]


def test_derived_importance_from_drivers():
    rng = np.random.default_rng(7)
    d = pd.DataFrame(rng.integers(1, 5, size=(300, 4)).astype(float), columns=list(KIN))
    d["K1"] = 2 * d["U2"] + d["U3"] + rng.normal(size=300)
    ri = relative_importance(d, "K1", KIN, progress=False)
    imp = derived_importance(ri, "lmg")
    assert imp.sum() == pytest.approx(100)
    assert imp.idxmax() == "prosedur"
    with pytest.raises(DataError, match="method='bobot'"):
        derived_importance(ri, "bobot")


def test_csi_categories_inclusive_and_configurable():
    assert csi_category([1.0, 0.81, 0.8049, 0.66, 0.65, 0.51, 0.50, 0.345, 0.3449, 0.0]) == [
        "Sangat Puas", "Sangat Puas", "Puas", "Puas", "Cukup Puas", "Cukup Puas", "Kurang Puas", "Kurang Puas",
        "Tidak Puas", "Tidak Puas",
    ]
    assert csi_category([0.7], lang="en") == ["Satisfied"]
    assert csi_category([0.7, 0.2], bands=[(0.5, "Baik"), (0.0, "Buruk")]) == ["Baik", "Buruk"]
    with pytest.raises(DataError, match="ordered from the highest"):
        csi_category([0.5], bands=[(0.0, "a"), (0.5, "b")])


def test_errors_name_the_problem(small):
    with pytest.raises(DataError, match="only one has: biaya"):
        ipa(small, KIN, {k: v for k, v in KEP.items() if k != "P4"})
    bad = small.assign(P2=[4, 4, 7, 4])
    with pytest.raises(DataError, match="column 'P2' has value 7 in row 2"):
        ipa(bad, KIN, KEP)
    with pytest.raises(DataError, match="derived importance has no value for unsur biaya"):
        ipa(small, KIN, pd.Series({"persyaratan": 1.0, "prosedur": 2.0, "waktu": 3.0}))


def test_example_study_recovers_intended_quadrants():
    from riset.skm.exports import read_codebook, read_survey

    cb = read_codebook(ROOT / "data/raw/contoh_skm_codebook.yaml")
    data = read_survey(ROOT / "data/raw/contoh_skm_responden.csv", cb).data
    truth = yaml.safe_load((ROOT / "data/raw/contoh_kebenaran.yaml").read_text())["kepentingan"]["kuadran_ipa"]
    t = ipa(data, cb.unsur_map(), cb.unsur_map("importance")).table.set_index("unsur")
    assert {k: label(f"kuadran_{q}", "id") for k, q in t["kuadran"].items()} == truth


def test_design_input_uses_design_weights_and_domain(small):
    from riset.survey.design import SurveyDesign

    design = SurveyDesign(small, weights="w")
    by_design = ipa(design, KIN, KEP).table
    by_column = ipa(small, KIN, KEP, weights="w").table
    assert by_design["kinerja"].tolist() == pytest.approx(by_column["kinerja"].tolist())
    domain = ipa(design.subset((small["unit"] == "B").to_numpy()), KIN, KEP).table
    assert domain["kinerja"].tolist() == pytest.approx([14 / 6, 14 / 6, 3.0, 4.0])
    with pytest.raises(DataError, match="weights come from the design"):
        ipa(design, KIN, KEP, weights="w")


def test_servqual_gap_by_hand_and_equal_to_the_mean_of_the_difference():
    import numpy as np
    import pandas as pd

    from riset.skm.ipa import servqual_gap
    from riset.survey import estimate
    from riset.survey.design import SurveyDesign

    frame = pd.DataFrame({"h": list("aabbbb"), "w": [1.0, 2.0, 1.0, 1.0, 2.0, 2.0],
                          "U3": [2, 3, 4, np.nan, 3, 2], "E3": [4, 4, 3, 4, np.nan, 3]})
    design = SurveyDesign(frame, weights="w", strata="h")
    gap = servqual_gap(design, {"U3": "waktu"}, {"E3": "waktu"}).iloc[0]
    # pairs answered in rows 0, 1, 2, 5: (2-4) x1, (3-4) x2, (4-3) x1, (2-3) x2 -> (-2 - 2 + 1 - 2) / 6
    assert gap["kesenjangan"] == pytest.approx(-5 / 6) and gap["n"] == 4
    same = estimate.mean(SurveyDesign(frame.assign(d=frame["U3"] - frame["E3"]), weights="w", strata="h"), "d",
                         na_rm=True)
    assert gap["se"] == pytest.approx(same.se[0], rel=1e-12)
