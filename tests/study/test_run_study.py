"""The whole study pipeline on the bundled example: design-based IKM against R survey, name mapping,
calibration margins, levels, drivers against the generator's truth, and bad input."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from dataclasses import replace

from riset.errors import DataError, RisetError
from riset.present.report.text import methodology
from riset.study.config import StudyError, load_study
from riset.study.run import AREA, run_study, view

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "data" / "raw"
GOLDEN = json.loads((ROOT / "tests" / "data" / "study" / "golden_ikm.json").read_text())
U = [f"U{i}" for i in range(1, 10)]


def example(**changes):
    return replace(load_study(RAW / "studi.yaml"), **{"replicates": 20, "out_of_sample": False, **changes})


@pytest.fixture(scope="module")
def res():
    return run_study(example())


@pytest.mark.parametrize("selection, key", [(None, "kabupaten"), ({"unit": "PKM-KOTA"}, "PKM-KOTA"),
                                            ({"unit": "RSUD-RJ"}, "RSUD-RJ")])
def test_design_weighted_ikm_matches_r_survey(res, selection, key):
    # R: svydesign(ids = ~hari + id_responden, strata = ~interaction(unit, periode),
    #    fpc = ~n_hari_layanan + n_pengunjung_hari, weights = ~bobot_desain); svycontrast of svytotal (tests/r/golden_study.R)
    gold = GOLDEN[key]
    row = view(res, selection, weighting="design").ikm
    for column in ("ikm_konversi", "se", "ci_low", "ci_high"):
        assert row[column] == pytest.approx(gold[column], rel=1e-6), column
    assert row["df"] == gold["df"]


@pytest.mark.parametrize("selection, key", [(None, "kabupaten"), ({"unit": "PKM-KOTA"}, "PKM-KOTA"),
                                            ({"unit": "RSUD-RJ"}, "RSUD-RJ")])
def test_calibrated_ikm_matches_r_survey_calibrate(res, selection, key):
    # R: calibrate(design, ~ kecamatan x sex + kecamatan x age + unit x periode cells, calfun = "raking");
    # SEs after calibration use the residuals (tests/r/golden_study.R)
    gold = GOLDEN["kalibrasi"][key]
    row = view(res, selection).ikm if selection else res.area_row()
    for column in ("ikm_konversi", "se", "ci_low", "ci_high"):
        assert row[column] == pytest.approx(gold[column], rel=1e-6), column
    if selection is None:
        np.testing.assert_allclose(res.weights["bobot_akhir"].iloc[:5], GOLDEN["kalibrasi"]["bobot_pertama"], rtol=1e-6)


def test_sarana_is_questionnaire_column_u8_and_matches_r(res):
    nrr = view(res, weighting="design").nrr.set_index("unsur")
    assert nrr.loc["sarana", "kolom"] == "U8" and nrr.loc["sarana", "kode"] == "U9"
    assert nrr.loc["pengaduan", "kolom"] == "U9" and nrr.loc["pengaduan", "kode"] == "U8"
    assert nrr.loc["sarana", "nrr"] == pytest.approx(GOLDEN["kabupaten"]["nrr_sarana"], rel=1e-9)
    assert nrr.loc["sarana", "se"] == pytest.approx(GOLDEN["kabupaten"]["se_nrr_sarana"], rel=1e-6)


def test_unweighted_unit_ikm_by_hand(res):
    data = res.survey.data
    rsud = data[data["unit"] == "RSUD-RJ"]
    by_hand = 25 * rsud[U].mean().mean()            # NRR over answers given, weight exactly 1/9, x 25
    assert view(res, {"unit": "RSUD-RJ"}, weighting="none").ikm["ikm_konversi"] == pytest.approx(by_hand, rel=1e-12)


def test_calibrated_weights_reproduce_resident_shares_and_unit_totals(res):
    data = res.survey.data.assign(w0=res.weights["bobot_desain"], w1=res.weights["bobot_akhir"])
    population = pd.read_csv(RAW / "contoh_margin_penduduk.csv")
    for var in ("jenis_kelamin", "kelompok_umur"):
        pop = population.groupby(["kecamatan", var])["jumlah"].sum()
        pop_share = pop / pop.groupby(level=0).transform("sum")
        got = data.groupby(["kecamatan", var])["w1"].sum()
        got_share = got / got.groupby(level=0).transform("sum")
        np.testing.assert_allclose(got_share.loc[pop_share.index], pop_share, rtol=1e-6)
    totals = data.groupby(["unit", "periode"])[["w0", "w1"]].sum()
    np.testing.assert_allclose(totals["w1"], totals["w0"], rtol=1e-6)
    # the weighting matters: respondents are 62% women, residents 50%
    assert (data["jenis_kelamin"] == "Perempuan").mean() > 0.6
    assert data.loc[data["jenis_kelamin"] == "Perempuan", "w1"].sum() / data["w1"].sum() == pytest.approx(
        population.loc[population["jenis_kelamin"] == "Perempuan", "jumlah"].sum() / population["jumlah"].sum(), abs=0.01)


def test_levels_and_domains_agree(res):
    counts = res.ikm.groupby("level").size().to_dict()
    assert counts == {AREA: 1, "periode": 2, "opd": 4, "unit": 15, "unit_periode": 30}
    assert res.level("unit")["n_responden"].sum() == res.n == 1960
    # a unit from the `by` table and the same unit as a subset domain: same estimate and SE
    row = res.level("unit").set_index("unit").loc["SMPN2-BASRI"]
    domain = view(res, {"unit": "SMPN2-BASRI"}).ikm
    assert domain["ikm_konversi"] == pytest.approx(row["ikm_konversi"], rel=1e-12)
    assert domain["se"] == pytest.approx(row["se"], rel=1e-9)
    assert (res.ikm["ci_low"] < res.ikm["ikm_konversi"]).all() and (res.ikm["ikm_konversi"] < res.ikm["ci_high"]).all()
    assert res.ikm["p_mutu_beda"].between(0, 1).all()


def test_drivers_recover_the_generators_ordering(res):
    truth = yaml.safe_load((RAW / "contoh_kebenaran.yaml").read_text())["model_k1"]["urutan_menurut_porsi_r2"]
    assert res.drivers_table()["unsur"].head(3).tolist() == truth[:3]
    shares = res.drivers_table()
    assert shares["importance"].sum() == pytest.approx(1.0)
    assert (shares["ci_low"] <= shares["importance"]).all() and (shares["importance"] <= shares["ci_high"]).all()


def test_profile_keeps_every_respondent(res):
    for var, part in res.profile.groupby("variabel"):
        assert part["n"].sum() == 1960, var
        assert part["persen"].sum() == pytest.approx(100.0)
    women = res.profile.query("variabel == 'jenis_kelamin' and kategori == 'Perempuan'")["n"].item()
    assert women == (res.survey.data["jenis_kelamin"] == "Perempuan").sum()


def test_methodology_names_design_weighting_and_weight(res):
    text = " ".join(methodology(res, "id"))
    assert "1/9" in text and "0,11" in text and "Taylor" in text and "strata" in text and "dikalibrasi" in text
    assert "88,31–100,00 A" in text and "1/9" in " ".join(methodology(res, "en"))


def test_bad_input_is_explained(res, tmp_path):
    with pytest.raises(StudyError, match="has no studi.yaml"):
        run_study(tmp_path)
    with pytest.raises(DataError, match="no respondent matches the selection unit = TIDAK-ADA"):
        view(res, {"unit": "TIDAK-ADA"})
    with pytest.raises(RisetError, match="not available"):
        view(res, weighting="berat")


def test_other_data_without_periods_or_opd(tmp_path):
    # another agency's export: no periode / opd / nama_unit columns, one-stage design (days within unit)
    raw = pd.read_csv(RAW / "contoh_skm_responden.csv", dtype=str)
    raw.drop(columns=["periode", "opd", "nama_unit"]).to_csv(tmp_path / "jawaban.csv", index=False)
    codebook = yaml.safe_load((RAW / "contoh_skm_codebook.yaml").read_text())
    for column in ("periode", "opd", "nama_unit"):
        del codebook["columns"][column]
    (tmp_path / "codebook.yaml").write_text(yaml.safe_dump(codebook, allow_unicode=True))
    (tmp_path / "studi.yaml").write_text(yaml.safe_dump({
        "study": "SKM lain", "data": "jawaban.csv", "codebook": "codebook.yaml",
        "design": {"weights": "bobot_desain", "strata": "unit", "psu": "hari"}, "levels": ["unit"],
        "overall": "K1", "drivers": {"replicates": 20, "out_of_sample": False}}))
    other = run_study(tmp_path / "studi.yaml")
    assert other.levels() == [AREA, "unit"]
    assert not other.plan.runs("period_change") and other.plan["period_change"].reason == "no_period"
    data = other.survey.data
    rsud = data[data["unit"] == "RSUD-RJ"]
    w = rsud["bobot_desain"]
    by_hand = 25 * np.mean([(rsud[c] * w).sum() / w[rsud[c].notna()].sum() for c in U])   # weighted NRR, 1/9
    assert other.units().set_index("unit").loc["RSUD-RJ", "ikm_konversi"] == pytest.approx(by_hand, rel=1e-12)
    with pytest.raises(RisetError, match="'periode' is not an IKM level of this study"):
        other.level("periode")


PERIODE = json.loads((ROOT / "tests" / "data" / "golden" / "periode.json").read_text())["kalibrasi"]


@pytest.mark.parametrize("group", ["Kabupaten", "PKM-SMAS", "RSUD-RJ"])
def test_period_change_matches_r_on_the_calibrated_design(res, group):
    # R: svytotal of period-indicator x (y_j, a_j) on the raked design + svycontrast of IKM_S2 - IKM_S1
    # (tests/r/golden_periode.R); the raking pools both periods, so their IKMs are correlated (kov != 0)
    gold = PERIODE["kabupaten" if group == "Kabupaten" else group]
    row = res.period_change.set_index("group").loc["Kabupaten Tanjung Harapan" if group == "Kabupaten" else group]
    assert (row["periode_awal"], row["periode_akhir"]) == ("2026-S1", "2026-S2")
    assert row["ikm_awal"] == pytest.approx(gold["ikm_s1"], rel=1e-6)
    assert row["ikm_akhir"] == pytest.approx(gold["ikm_s2"], rel=1e-6)
    for column, key in (("kov", "kov"), ("selisih", "selisih"), ("se", "se"), ("t", "t"), ("p_value", "p"),
                        ("ci_low", "ci_low"), ("ci_high", "ci_high")):
        assert row[column] == pytest.approx(gold[key], rel=1e-6), column
    assert row["df"] == gold["df"]
    # the study tests units with Holm's adjustment over the 15 units: PKM-SMAS (p = 0.0496) is no longer
    # significant, the whole kabupaten (one test) is
    assert row["perubahan"] == ("naik" if group == "Kabupaten" else "tidak_berubah" if group == "PKM-SMAS" else
                                row["perubahan"])


def test_period_change_covers_every_unit_and_is_a_sheet(res):
    change = res.period_change
    assert change["level"].value_counts().to_dict() == {"unit": 15, AREA: 1}
    units = change[change["level"] == "unit"].set_index("unit")
    by_period = res.level("unit_periode").pivot(index="unit", columns="periode", values="ikm_konversi")
    expected = (by_period["2026-S2"] - by_period["2026-S1"]).loc[units.index]
    np.testing.assert_allclose(units["selisih"], expected, rtol=1e-9)
    np.testing.assert_allclose(units["ikm_akhir"] - units["ikm_awal"], expected, rtol=1e-9)
    assert units.loc["SMPN3-SMAS", "perubahan"] == "tidak_berubah"  # p = 0.057
    assert res.tables()["period_change"] is change


def test_one_period_gives_no_change_table_and_says_so(tmp_path):
    raw = pd.read_csv(RAW / "contoh_skm_responden.csv", dtype=str)
    raw[raw["periode"] == "2026-S1"].to_csv(tmp_path / "s1.csv", index=False)
    one = run_study(example(data=(replace(load_study(RAW).data[0], path=tmp_path / "s1.csv"),), levels=(("unit",),),
                            weighting=replace(load_study(RAW).weighting, method="design", margins=None, variables=(),
                                              keep_totals=()), overall=False, importance=False))
    assert one.period_change is None and one.plan["period_change"].reason == "one_period"
    assert "satu periode" in one.summary("id")


def test_profile_lists_categories_in_the_codebook_order(res):
    pendidikan = res.profile[res.profile["variabel"] == "pendidikan"]["kategori"].tolist()
    assert pendidikan == ["SD ke bawah", "SMP", "SMA/SMK", "D1-D3", "S1 ke atas", "Tidak diisi"]
    umur = res.profile[res.profile["variabel"] == "kelompok_umur"]["kategori"].tolist()
    assert umur == ["17-24", "25-34", "35-44", "45-54", "55+"]


def test_units_carry_their_rank_and_its_interval(res):
    units = res.units().sort_values("ikm_konversi", ascending=False)
    assert units["peringkat"].tolist() == list(range(1, len(units) + 1))
    assert (units["peringkat_bawah"] <= units["peringkat"]).all() and (units["peringkat"] <= units["peringkat_atas"]).all()
    # the two C units are clearly last, far from the A units at the top
    assert set(units.tail(2)["peringkat_bawah"]) >= {len(units) - 1} and units.head(1)["peringkat_atas"].item() <= 3
    from riset.present.report.content import ikm_table

    k = len(units)
    note = ikm_table(res, res.config.unit, "en").note
    assert f"Holm's adjustment over all {k * (k - 1) // 2} pairs" in note and f"to {k} − the number" in note


def test_the_driver_headline_keeps_everyone_with_the_overall_item(res):
    """Issue 14.7: a blank complaint answer usually means "never complained", and a few blanks in every other unsur
    add up; the headline keeps those respondents (every blank unsur answer imputed) and leaves out only those
    without the overall item, which is not imputed."""
    found, data = res.key_drivers, res.survey.data
    answered = data[res.overall].notna()
    assert res.drivers is found.imputed and res.drivers.n == int(answered.sum()) == 1935 and res.n == 1960
    assert res.drivers.imputed == {c: int(data.loc[answered, c].isna().sum()) for c in res.unsur_map
                                   if data.loc[answered, c].isna().any()}
    assert len(res.drivers.imputed) == len(res.unsur_map)  # on the example every unsur has a few blanks
    assert found.listwise.n == int(data[[res.overall, *res.unsur_map]].notna().all(axis=1).sum()) < res.drivers.n
    assert found.without_complaint.n < res.drivers.n and "pengaduan" not in found.without_complaint.ranking()
    # every consumer reads the headline: the chart's table, the recommendations' evidence, the exclusion note
    assert res.drivers_table()["importance"].tolist() == res.drivers.share_table()["importance"].tolist()
    evidence = res.recommendations_in("id").statistics.drop_duplicates("unsur").set_index("unsur")["bagian_r2"]
    assert evidence.to_dict() == pytest.approx(res.drivers.shares().reindex(evidence.index).to_dict())
    left_out = next(n for n in res.notes if getattr(n, "code", None) == "drivers_listwise")
    assert left_out.values == {"n": 25, "total": res.n, "detail": f"{res.overall} 25"}


def test_the_report_states_how_the_drivers_treated_blank_answers(res):
    from riset.i18n import fmt_num
    from riset.present.report.content import build_laporan
    from riset.present.report.figures import render_figures
    from riset.present.report.html import render_html

    mi = res.drivers
    complaint = next(c for c, k in res.unsur_map.items() if k == "pengaduan")
    html = render_html(build_laporan(res, render_figures(res, "id"), "id"))
    assert (f"Analisis ini memakai {fmt_num(mi.n, 0)} dari {fmt_num(res.n, 0)} responden, yaitu semua yang menjawab "
            "kepuasan keseluruhan. Sebanyak 25 responden yang tidak menjawab kepuasan keseluruhan tidak disertakan"
            ) in html
    assert (f"{fmt_num(sum(mi.imputed.values()), 0)} jawaban kosong pada 9 unsur (U8 Penanganan Pengaduan, Saran dan "
            f"Masukan: {mi.imputed[complaint]}; ") in html
    assert f"Setiap jawaban kosong diisi {mi.m} kali" in html and "aturan Rubin" in html and "missing at random" in html
    assert "Jawaban lengkap saja" in html and "disandingkan pada tabel kepekaan" in html
    assert "menurut cara memperlakukan jawaban yang kosong" in html
    text = " ".join(methodology(res, "en"))
    assert "Respondents who left one or more elements blank are kept" in text and "(U8 Handling of complaints" in text
    assert "Rubin's rules" in text and "Barnard-Rubin degrees of freedom" in text


def test_respondent_groups_are_compared_with_a_design_based_test(res):
    from riset.present.report.content import build_laporan
    from riset.present.report.figures import render_figures

    table = res.subgroups
    assert set(table["variabel"]) >= {"jenis_kelamin", "kelompok_umur", "pendidikan"}
    sex = table[table["variabel"] == "jenis_kelamin"]
    assert list(sex["kategori"]) == ["Laki-laki", "Perempuan"]  # the codebook's order
    assert (sex["p_holm"] >= sex["p_value"]).all() and sex["F"].iloc[0] > 0 and sex["ndf"].iloc[0] == 1
    edu = table[table["variabel"] == "pendidikan"]["kategori"].tolist()
    assert edu.index("SD ke bawah") < edu.index("SMP") < edu.index("SMA/SMK")
    laporan = build_laporan(res, render_figures(res, "id"), "id")
    assert "Perbedaan antarkelompok responden" in [s.title for ch in laporan.chapters for s in ch.sections]


def test_blank_complaint_answers_are_imputed_and_the_rankings_set_side_by_side(res):
    side = res.drivers_sensitivity()
    assert list(side.n) == ["imputasi", "listwise", "tanpa_pengaduan"]  # the headline first
    assert side.n == {"imputasi": res.drivers.n, "listwise": res.key_drivers.listwise.n,
                      "tanpa_pengaduan": res.key_drivers.without_complaint.n}
    table = side.table.set_index("unsur")
    listwise = res.key_drivers.listwise.share_table().set_index("unsur")
    assert table["porsi_listwise"].to_dict() == pytest.approx(listwise["importance"].to_dict())
    assert table["porsi_imputasi"].to_dict() == pytest.approx(res.drivers.shares().to_dict())
    assert table.loc["pengaduan", "peringkat_imputasi"] >= 1
    assert pd.isna(table.loc["pengaduan", "porsi_tanpa_pengaduan"])
    assert res.tables()["drivers_sensitivity"] is not None
