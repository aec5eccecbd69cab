"""Recommendations: impact numbers by hand (1/9 weight), ranking rule, texts in id/en, follow-up plan."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from riset.errors import DataError
from riset.skm.ikm import ikm
from riset.skm.schemes import UNSUR_2017
from riset.skm.recommend import recommend

KEYS = [u.key for u in UNSUR_2017]
MAP = {k: k for k in KEYS}


@pytest.fixture
def two_units():
    # unit A: every unsur 3 except waktu 2 and sarana 2.5 -> IKM 25.5/9 = 2.8333 (70.83, C)
    # unit B: every unsur 4 except waktu 3 -> IKM 35/9 (97.22, A)
    rows = [{**dict.fromkeys(KEYS, 3), "waktu": 2, "sarana": s, "unit": "A"} for s in (3, 2)]
    rows += [{**dict.fromkeys(KEYS, 4), "waktu": 3, "unit": "B"} for _ in range(2)]
    return ikm(pd.DataFrame(rows), MAP, by="unit")


def test_impact_to_grade_a_threshold_by_hand(two_units):
    rec = recommend(two_units, per_unit=None)
    t = rec.table.set_index(["unit", "unsur"])
    # waktu in A: (3.5324 - 2) x 1/9 x 25
    assert t.loc[("A", "waktu"), "selisih"] == pytest.approx(1.5324)
    assert t.loc[("A", "waktu"), "dampak_ikm"] == pytest.approx(1.5324 * 25 / 9)
    assert t.loc[("A", "waktu"), "ikm_baru"] == pytest.approx(25.5 / 9 * 25 + 1.5324 * 25 / 9)
    assert t.loc[("A", "sarana"), "dampak_ikm"] == pytest.approx(1.0324 * 25 / 9)
    assert t.loc[("A", "persyaratan"), "dampak_ikm"] == pytest.approx(0.5324 * 25 / 9)
    assert t.loc[("B", "waktu"), "dampak_ikm"] == pytest.approx(0.5324 * 25 / 9)
    # unit B's other unsur (4) are above the target: no recommendation
    assert len(rec.table) == 9 + 1
    assert rec.table["prioritas"].tolist() == list(range(1, 11))
    # without IPA or drivers the largest IKM gain comes first
    assert rec.table[["unit", "unsur"]].head(2).values.tolist() == [["A", "waktu"], ["A", "sarana"]]
    assert t.loc[("A", "waktu"), "mutu"] == "C" and t.loc[("A", "waktu"), "mutu_baru"] == "C"
    # cumulative: waktu then sarana in unit A -> 70.83 + (1.5324 + 1.0324) x 25/9 = 77.96, grade B
    assert t.loc[("A", "sarana"), "urutan_unit"] == 2
    assert t.loc[("A", "sarana"), "ikm_baru_kumulatif"] == pytest.approx((25.5 + 1.5324 + 1.0324) / 9 * 25)
    assert t.loc[("A", "sarana"), "mutu_baru_kumulatif"] == "B"
    assert "Bersama rekomendasi sebelumnya untuk unit ini: 77,96 (mutu B)." in t.loc[("A", "sarana"), "dampak"]
    assert t.loc[("A", "waktu"), "ikm_baru_kumulatif"] == pytest.approx(t.loc[("A", "waktu"), "ikm_baru"])


def test_target_best_unit(two_units):
    rec = recommend(two_units, target="terbaik", per_unit=2)
    t = rec.table.set_index(["unit", "unsur"])
    # sarana: A 2.5 vs best B 4 -> 1.5 x 25/9; waktu: A 2 vs best B 3 -> 25/9
    assert t.loc[("A", "sarana"), "dampak_ikm"] == pytest.approx(1.5 * 25 / 9)
    assert t.loc[("A", "sarana"), "target_nrr"] == 4.0
    assert "unit terbaik (B, NRR 4,00)" in t.loc[("A", "sarana"), "alasan"]
    assert set(rec.table["unit"]) == {"A"}  # B is the best unit on every unsur
    assert len(rec.table) == 2


def test_numeric_target_and_grade_change():
    # unit C: IKM 3.4778 (86.94, B); waktu 2.9 -> 3.5324 gives + 0.6324/9*25 = 1.7567 -> 88.70, A
    nrr = pd.DataFrame({"unit": "C", "unsur": KEYS, "nrr": [3.55 if k != "waktu" else 2.9 for k in KEYS]})
    table = pd.DataFrame({"unit": ["C"], "ikm": [31.3 / 9], "mutu": ["B"], "ci_low": [85.1], "ci_high": [88.8]})
    rec = recommend(SimpleNamespace(table=table, nrr=nrr), per_unit=1)
    row = rec.table.iloc[0]
    assert row["unsur"] == "waktu"
    assert row["ikm_baru"] == pytest.approx(31.3 / 9 * 25 + 0.6324 * 25 / 9)
    assert row["mutu_baru"] == "A"
    assert "mutu B → A" in row["dampak"] and "SK 95% 85,10–88,80" in row["alasan"]
    rec3 = recommend(SimpleNamespace(table=table, nrr=nrr), target=3.0, per_unit=None)
    assert rec3.table["unsur"].tolist() == ["waktu"]
    assert rec3.table["dampak_ikm"].iloc[0] == pytest.approx(0.1 * 25 / 9)


def test_quadrant_first_then_driver_weighted_gain():
    nrr = pd.DataFrame({"unit": "U", "unsur": ["waktu", "biaya", "sarana"], "nrr": [3.0, 2.0, 3.2],
                        "ci_low": [2.8, 1.8, 3.0], "ci_high": [3.2, 2.2, 3.6]})
    table = pd.DataFrame({"unit": ["U"], "ikm": [3.0], "mutu": ["B"]})
    quadrants = pd.DataFrame({"unit": "U", "unsur": ["waktu", "biaya", "sarana"], "kuadran": ["I", "III", "I"]})
    drivers = pd.Series({"waktu": 0.5, "biaya": 0.1, "sarana": 0.4})
    rec = recommend(SimpleNamespace(table=table, nrr=nrr), quadrants, drivers, per_unit=None)
    t = rec.table.set_index("unsur")
    # skor = dampak x p x share: waktu 0.5324*25/9*3*0.5, sarana 0.3324*25/9*3*0.4, biaya 1.5324*25/9*3*0.1
    assert t.loc["waktu", "skor"] == pytest.approx(0.5324 * 25 / 9 * 1.5)
    assert t.loc["sarana", "skor"] == pytest.approx(0.3324 * 25 / 9 * 1.2)
    # biaya has the largest gain (and skor 1.277 < waktu 2.218) but sits in quadrant III: after both quadrant I rows
    assert rec.table["unsur"].tolist() == ["waktu", "sarana", "biaya"]
    assert "seluruh SK di bawah target" in t.loc["waktu", "alasan"]
    assert "SK masih menyentuh target" in t.loc["sarana", "alasan"]
    assert "kuadran IPA I Prioritas Utama" in t.loc["waktu", "alasan"]
    assert "faktor penentu kepuasan peringkat 1 (50% dari R²)" in t.loc["waktu", "alasan"]
    assert rec.table["waktu"].tolist() == ["1–3 bulan", "3–6 bulan", "6–12 bulan"]


def test_english_and_follow_up_plan(two_units):
    data = pd.DataFrame({"unit": ["A", "B"], "nama_unit": ["Puskesmas A", "Puskesmas B"], "opd": ["Dinkes", "Dinkes"]})
    rec = recommend(two_units, unit_info=data, per_unit=1, lang="en", jadwal=["Q1", "Q2"])
    first = rec.table.iloc[0]
    assert first["nama"] == "Completion time"
    assert first["alasan"].startswith("NRR 2.00 is 1.53 below the target NRR 3.5324 (grade A)")
    assert first["dampak"] == "If its NRR reached 3.5324, the unit IKM would rise by 4.26 points to 75.09 (grade stays C)."
    plan = rec.rencana_tindak_lanjut()
    assert plan.columns.tolist() == ["prioritas", "unit", "nama", "kegiatan", "penanggung_jawab", "waktu", "indikator"]
    assert plan["penanggung_jawab"].tolist() == ["Puskesmas A (Dinkes)", "Puskesmas B (Dinkes)"]
    assert plan["waktu"].tolist() == ["Q1", "Q1"]
    md = rec.to_markdown()
    assert "| No | Unit | Element | Activity | Responsible | Time frame | Indicator |" in md
    assert md.count("\n| 1 |") == 1 and md.count("\n| 2 |") == 1


def test_kabupaten_ipa_applies_to_every_unit(two_units):
    ipa_table = pd.DataFrame({"unsur": KEYS, "kuadran": ["I" if k == "persyaratan" else "II" for k in KEYS]})
    rec = recommend(two_units, ipa_table, per_unit=1)
    assert rec.table.set_index("unit").loc["A", "unsur"] == "persyaratan"


def test_nothing_to_recommend_and_bad_input(two_units):
    nrr = pd.DataFrame({"unit": "U", "unsur": KEYS, "nrr": 4.0})
    rec = recommend(SimpleNamespace(table=pd.DataFrame({"unit": ["U"], "ikm": [4.0], "mutu": ["A"]}), nrr=nrr))
    assert rec.table.empty and "sudah mencapai target" in rec.notes[0]
    nrr.loc[nrr["unsur"] == "pengaduan", "nrr"] = np.nan
    rec = recommend(SimpleNamespace(table=pd.DataFrame({"unit": ["U"], "ikm": [4.0], "mutu": ["A"]}), nrr=nrr))
    assert rec.notes[0] == "1 unit × unsur tanpa jawaban tidak dinilai: U/pengaduan."
    with pytest.raises(DataError, match="target='Z'"):
        recommend(two_units, target="Z")
    with pytest.raises(DataError, match="outside the answer scale 1-4"):
        recommend(two_units, target=5)
    with pytest.raises(DataError, match="has no column 'opd'"):
        recommend(two_units, by="opd")
    with pytest.raises(DataError, match="`.table`"):
        recommend(pd.DataFrame())
    assert np.isfinite(recommend(two_units).table["dampak_ikm"]).all()


def test_example_study_with_design_based_ikm():
    """On the bundled example: CIs from riset.skm.ikm_design reach the text; impact is exact through 1/9."""
    from pathlib import Path

    from riset.survey.design import SurveyDesign
    from riset.skm.ikm_design import ikm_design
    from riset.skm.exports import read_codebook, read_survey
    from riset.skm.ipa import ipa

    root = Path(__file__).resolve().parents[2]
    survey = read_survey(root / "data/raw/contoh_skm_responden.csv", read_codebook(root / "data/raw/contoh_skm_codebook.yaml"))
    data, unsur = survey.data, survey.codebook.unsur_map()
    design = SurveyDesign(data, weights="bobot_desain", strata=["unit", "periode"], psu="hari", fpc="n_hari_layanan")
    result = ikm_design(design, unsur, by="unit")
    quadrants = ipa(data, unsur, survey.codebook.unsur_map("importance"), weights="bobot_desain", by="unit")
    rec = recommend(result, quadrants, unit_info=data, per_unit=1)
    assert len(rec.table) == data["unit"].nunique() - int((result.nrr.groupby("unit")["nrr"].min() >= 3.5324).sum())
    first = rec.table.iloc[0]
    nrr = result.nrr.set_index(["unit", "unsur"]).loc[(first["unit"], first["unsur"])]
    ikm_row = result.table.set_index("unit").loc[first["unit"]]
    assert first["dampak_ikm"] == pytest.approx((3.5324 - nrr["nrr"]) * 25 / 9)
    assert first["ikm_baru"] == pytest.approx(ikm_row["ikm_konversi"] + first["dampak_ikm"])
    assert first["nrr_ci_low"] == nrr["ci_low"] and first["ikm_ci_high"] == ikm_row["ci_high"]
    assert "SK 95%" in first["alasan"]
    # the generator's weakest unsur in the weakest unit (Puskesmas Sungai Mas, waktu) comes first
    assert (first["unit"], first["unsur"]) == ("PKM-SMAS", "waktu")
    assert first["penanggung_jawab"] == "Puskesmas Sungai Mas (Dinas Kesehatan)"
