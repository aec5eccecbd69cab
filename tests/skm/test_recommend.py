"""Recommendations: next-band targets and dampak by hand (1/9 weight), cumulative IKM, selection with complaints,
catalogue checks, service types, synthesis and priority units, both languages."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from riset.errors import CodebookError, DataError
from riset.skm.ikm import ikm
from riset.skm.recommend import load_catalogue, next_band_target, recommend, service_type
from riset.skm.schemes import UNSUR_2017

KEYS = [u.key for u in UNSUR_2017]
MAP = {k: k for k in KEYS}
A_CUT, B_CUT = 88.31 / 25, 76.61 / 25  # 3.5324, 3.0644


@pytest.fixture
def two_units():
    # unit A: every unsur 3 except waktu 2 and sarana 2.5 -> 25.5/9 = 2.8333 (70.83, C): target B (3.0644)
    # unit B: every unsur 4 except waktu 3 -> 35/9 (97.22, A): target A (3.5324)
    rows = [{**dict.fromkeys(KEYS, 3), "waktu": 2, "sarana": s, "unit": "A", "nama": "Puskesmas Kota"} for s in (3, 2)]
    rows += [{**dict.fromkeys(KEYS, 4), "waktu": 3, "unit": "B", "nama": "SMPN 1 Tanjung"} for _ in range(2)]
    frame = pd.DataFrame(rows)
    result = ikm(frame, MAP, by="unit")
    result.table["nama"] = result.table["unit"].map({"A": "Puskesmas Kota", "B": "SMPN 1 Tanjung"})
    return result


def test_targets_are_the_next_band_cut_offs():
    assert next_band_target("C") == (pytest.approx(B_CUT), "B")
    assert next_band_target("B") == (pytest.approx(A_CUT), "A")
    assert next_band_target("A") == (pytest.approx(A_CUT), "A")
    assert next_band_target("D") == (pytest.approx(2.60), "C")
    with pytest.raises(DataError, match="'E'"):
        next_band_target("E")


def test_dampak_by_hand_and_cumulative_ikm(two_units):
    rec = recommend(two_units, per_unit=3, names="nama")
    t = rec.actions.set_index(["unit", "unsur"])
    # A (grade C) aims at B: waktu 2 -> 3.0644, sarana 2.5 -> 3.0644, the 3s -> 3.0644
    assert t.loc[("A", "waktu"), "target_nrr"] == pytest.approx(B_CUT)
    assert t.loc[("A", "waktu"), "target_mutu"] == "B"
    assert t.loc[("A", "waktu"), "dampak"] == pytest.approx((B_CUT - 2) / 9 * 25)
    assert t.loc[("A", "sarana"), "dampak"] == pytest.approx((B_CUT - 2.5) / 9 * 25)
    # B (grade A) keeps A: only waktu (3) is below 3.5324
    assert t.loc[("B", "waktu"), "dampak"] == pytest.approx((A_CUT - 3) / 9 * 25)
    assert list(rec.actions.loc[rec.actions["unit"] == "B", "unsur"]) == ["waktu"]
    a = rec.actions[rec.actions["unit"] == "A"]
    assert list(a["unsur"][:2]) == ["waktu", "sarana"] and list(a["urutan"]) == [1, 2, 3]
    # cumulative: 70.83 + the dampak of the unit's actions so far
    base = 25.5 / 9 * 25
    expected = base + np.cumsum(a["dampak"].to_numpy())
    assert a["ikm_jika_tercapai"].to_numpy() == pytest.approx(expected)
    assert a["ikm_jika_tercapai"].iloc[0] == pytest.approx(base + (B_CUT - 2) / 9 * 25)
    assert list(a["mutu_jika_tercapai"]) == ["C", "C", "C"]  # 73.79, 75.30, 75.48: still C
    assert a["nama_unit"].iloc[0] == "Puskesmas Kota"


def test_priority_units_and_synthesis(two_units):
    rec = recommend(two_units, names="nama")
    p = rec.priority_units
    assert list(p["unit"]) == ["A", "B"]  # grade C before grade A
    assert list(p["n_unsur"]) == [9, 1]
    assert p["unsur"].iloc[1] == "U3"
    s = rec.synthesis.set_index("unsur")
    assert s.loc["waktu", "n_unit"] == 2 and s.loc["waktu", "n_prioritas"] == 2 and s.loc["waktu", "n_total"] == 2
    assert rec.synthesis["unsur"].iloc[0] == "waktu"
    assert len(rec.statistics) == 10  # every candidate, chosen or not


def test_an_often_complained_weak_unsur_is_added(two_units):
    complaints = pd.DataFrame({"unit": ["A", "A"], "unsur": ["pengaduan", "perilaku"], "share": [0.35, 0.05]})
    rec = recommend(two_units, complaints=complaints, per_unit=2)
    a = rec.actions[rec.actions["unit"] == "A"]
    # the first two by dampak, then pengaduan for its complaints (perilaku's 5% is below the 20% threshold)
    assert list(a["unsur"]) == ["waktu", "sarana", "pengaduan"]
    assert "often_complained" in a.set_index("unsur").loc["pengaduan", "alasan"]
    assert a.set_index("unsur").loc["pengaduan", "bagian_keluhan"] == pytest.approx(0.35)
    assert "lowest_in_unit" in a.set_index("unsur").loc["waktu", "alasan"]


def test_evidence_from_ipa_and_drivers_does_not_change_the_ranking(two_units):
    ipa = SimpleNamespace(table=pd.DataFrame({"unsur": KEYS, "kuadran": ["I"] * 9}))
    shares = pd.Series(np.linspace(1, 9, 9), index=KEYS)
    plain = recommend(two_units, per_unit=2)
    rich = recommend(two_units, ipa=ipa, drivers=shares, per_unit=2)
    assert list(plain.actions["unsur"]) == list(rich.actions["unsur"])
    assert set(rich.actions["kuadran"]) == {"I"}
    assert rich.actions["bagian_r2"].notna().all()
    assert "quadrant_I" in rich.actions["alasan"].iloc[0]


def test_actions_follow_the_service_type_and_language(two_units):
    rec = recommend(two_units, names="nama")
    t = rec.actions.set_index(["unit", "unsur"])
    assert t.loc[("A", "waktu"), "jenis_layanan"] == "puskesmas"
    assert t.loc[("B", "waktu"), "jenis_layanan"] == "sekolah"
    cat = load_catalogue()
    assert t.loc[("A", "waktu"), "kegiatan"] == cat["actions"]["puskesmas"]["waktu"][0]["kegiatan"]
    # different unsur, different actions; every field filled
    texts = rec.actions.loc[rec.actions["unit"] == "A", "kegiatan"]
    assert texts.nunique() == len(texts)
    assert rec.actions[["kegiatan", "penanggung_jawab", "waktu", "indikator"]].ne("").all().all()
    en = recommend(two_units, names="nama", lang="en").actions.set_index(["unit", "unsur"])
    assert en.loc[("A", "waktu"), "kegiatan"] == cat["actions"]["puskesmas"]["waktu"][0]["kegiatan_en"]
    assert en.loc[("A", "waktu"), "kegiatan"] != t.loc[("A", "waktu"), "kegiatan"]
    assert "waktu" in recommend(two_units).summary("id").lower()


def test_service_type_by_keyword_and_a_column():
    cat = load_catalogue()
    assert service_type("RSUD dr. Soedarso", cat) == "rumah_sakit"
    assert service_type("Disdukcapil Kab. Sanggau", cat) == "dukcapil"
    assert service_type("Kantor Arsip Daerah", cat) == "umum"


def test_service_column_is_used(two_units):
    two_units.table["jenis"] = ["perizinan", "perizinan"]
    rec = recommend(two_units, service="jenis")
    assert set(rec.actions["jenis_layanan"]) == {"perizinan"}


def test_a_study_catalogue_replaces_and_adds(tmp_path, two_units):
    own = tmp_path / "tindakan saya.yaml"
    own.write_text("types:\n  arsip: {keywords: [arsip]}\nactions:\n  arsip:\n    waktu:\n"
                   "      - {kegiatan: Digitalisasi arsip, penanggung_jawab: Kepala, waktu: 6 bulan, indikator: x}\n",
                   encoding="utf-8")
    cat = load_catalogue(own)
    assert service_type("Kantor Arsip", cat) == "arsip"
    two_units.table["nama"] = ["Kantor Arsip", "Kantor Arsip B"]
    rec = recommend(two_units, names="nama", catalogue=cat)
    t = rec.actions.set_index(["unit", "unsur"])
    assert t.loc[("A", "waktu"), "kegiatan"] == "Digitalisasi arsip"
    # an unsur the own type does not cover falls back to the general type
    assert t.loc[("A", "sarana"), "kegiatan"] == cat["actions"]["umum"]["sarana"][0]["kegiatan"]


@pytest.mark.parametrize("text, message", [
    ("actions:\n  umum:\n    waktu:\n      - {kegiatan: x, waktu: y, indikator: z}\n", "has no 'penanggung_jawab'"),
    ("actions:\n  umum:\n    antre: [{kegiatan: a, penanggung_jawab: b, waktu: c, indikator: d}]\n", "'umum.antre' is not an unsur"),
    ("actions:\n  apotek:\n    waktu: [{kegiatan: a, penanggung_jawab: b, waktu: c, indikator: d}]\n", "type 'apotek', which is not under 'types'"),
    ("types: {arsip: {keywords: arsip}}\n", "needs a list of keywords"),
    ("tindakan: []\n", "has the keys 'types' and 'actions'"),
    ("types: [a\n", "action catalogue t.yaml is not valid YAML at line"),
    ("types: {}\ntypes: {}\n", "key 'types' is given twice"),
])
def test_bad_catalogues_are_one_line_errors(tmp_path, text, message):
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CodebookError, match=message.replace("(", r"\(").replace(")", r"\)")) as err:
        load_catalogue(path)
    assert "\n" not in str(err.value)


def test_all_units_at_target_gives_a_note():
    frame = pd.DataFrame([{**dict.fromkeys(KEYS, 4), "unit": u} for u in "AB"])
    rec = recommend(ikm(frame, MAP, by="unit"))
    assert rec.actions.empty
    assert [n.code for n in rec.notes] == ["rec_all_met"]
    assert rec.summary("en")


def test_missing_unit_column_is_a_data_error(two_units):
    with pytest.raises(DataError, match="no column 'kecamatan'"):
        recommend(two_units, by="kecamatan")
    with pytest.raises(DataError, match="IKM result"):
        recommend(pd.DataFrame())


def test_every_service_type_has_its_own_complaint_action():
    """Issue 14.2: the complaints unsur (weak in most units) gets an action that fits each kind of service, not one
    generic sentence repeated in every unit."""
    from riset.skm.recommend import action_for, load_catalogue

    catalogue = load_catalogue()
    kinds = [k for k in catalogue["actions"] if k != "umum"]
    texts = {k: action_for(catalogue, k, "pengaduan")["kegiatan"] for k in kinds}
    assert len(set(texts.values())) == len(kinds), texts
    assert action_for(catalogue, "umum", "pengaduan")["kegiatan"] not in texts.values()
