"""Perkembangan (issue 16) on a four-period study with a known innovation effect: series and trend, targets,
last year's published figures, an earlier study as a series, the innovation's DiD and Ombudsman zones."""

import numpy as np
import pytest

from own_studies import progress_study
from riset.study import run_study
from riset.survey.compare import holm


@pytest.fixture(scope="module")
def res(tmp_path_factory):
    study = progress_study(tmp_path_factory.mktemp("maju"))
    return run_study(study["study"]), study


def test_the_innovation_effect_is_recovered_within_its_ci_and_the_placebo_is_null(res):
    results, study = res
    row = results.progress.innovations.iloc[0]
    assert row["nama"] == "Antrean daring" and row["unit"] == "PKM1" and row["mulai"] == "2026-S1"
    assert row["ci_low"] < study["true_did"] < row["ci_high"]
    assert abs(row["did"] - study["true_did"]) < 3 * row["se"]
    assert row["perubahan"] == "naik" and row["n_inovasi"] == 240 and row["n_pembanding"] == 240
    # two periods before the start: a placebo DiD on 2025-S1 -> 2025-S2 (parallel trends: no effect)
    assert abs(row["placebo_did"]) < 3 * row["placebo_se"]


def test_the_innovation_effect_on_each_unsur_adds_up_to_the_ikm_effect(res):
    results, study = res
    nrr = results.progress.innovations_nrr
    assert len(nrr) == 9 and set(nrr["nama"]) == {"Antrean daring"}
    # every unsur gained 3 DELTA on the 1-4 scale; with no blanks the IKM DiD is 25 x the mean NRR DiD
    assert results.progress.innovations["did"].iloc[0] == pytest.approx(25 * nrr["did"].mean(), rel=1e-10)
    assert abs(nrr["did"].mean() - study["true_did"] / 25) < 3 * nrr["se"].mean()
    assert (nrr["p_holm"] >= nrr["p_value"]).all() and (nrr["ci_low"] < nrr["did"]).all()
    assert set(nrr["perubahan"]) <= {"naik", "tidak_berubah"}


def test_the_placebo_row_has_its_ci_and_df(res):
    row = res[0].progress.innovations.iloc[0]
    assert row["placebo_ci_low"] < row["placebo_did"] < row["placebo_ci_high"] and row["placebo_df"] > 0


def test_the_groups_ikm_per_period_is_drawn_with_the_start_marked(res):
    from riset.present.charts import did_series

    results, _ = res
    groups = results.progress.innovations_series
    assert len(groups) == 2 * 4 and set(groups["kelompok"]) == {"inovasi", "pembanding"}
    # the innovating group is PKM1 alone: its IKM per period is the unit x period IKM
    cells = results.level("unit_periode").set_index(["unit", "periode"])
    mine = groups[groups["kelompok"] == "inovasi"].set_index("periode")
    for period, row in mine.iterrows():
        assert row["ikm_konversi"] == pytest.approx(cells.loc[("PKM1", period), "ikm_konversi"], rel=1e-10)
        assert row["ci_low"] < row["ikm_konversi"] < row["ci_high"]
    fig = did_series(groups, "periode", "2026-S1")
    start = [line for line in fig.axes[0].lines if line.get_linestyle() == "--"]
    assert len(start) == 1 and start[0].get_xdata()[0] == pytest.approx(1.5)


def test_series_has_every_consecutive_change_and_a_trend(res):
    results, _ = res
    area, units = results.progress.series, results.progress.series_units
    assert len(area.table) == 4 and len(area.changes) == 3 and len(area.trend) == 1
    assert len(units.changes) == 4 * 3 and len(units.trend) == 4
    pkm1 = units.trend.set_index("unit").loc["PKM1"]
    assert pkm1["selisih"] > 0 and pkm1["perubahan"] == "naik"


def test_targets_published_series_and_external(res):
    results, _ = res
    targets = results.progress.targets
    assert set(targets["status"]) <= {"met", "not_met", "indistinct"}
    units = targets[targets["level"] == "unit"]
    assert np.allclose(units["p_holm"], holm(units["p_value"]))  # Holm over the units; the area on its own
    area = targets[targets["level"] == "area"].iloc[0]
    assert area["p_holm"] == area["p_value"]
    assert targets[targets["level"] == "unit"].set_index("unit")["target"].to_dict() == {"PKM1": 85.0, "PKM2": 78.0, "DUK": 78.0,
                                                                      "RS": 78.0}
    published = results.progress.published.set_index("group")
    assert published.loc["Kabupaten Maju", "jenis_uji"] == "approximate"
    assert published.loc["PKM1", "jenis_uji"] == "independent" and published.loc["DUK", "jenis_uji"] == "approximate"
    series = results.progress.study_series
    duk = series[(series["level"] == "unit") & (series["kode"] == "DUK")]
    assert duk["studi"].tolist() == ["2024", "SKM Kabupaten Maju 2025-2026"]  # CAPIL renamed to DUK
    assert np.isnan(duk["selisih"].iloc[0]) and not np.isnan(duk["selisih"].iloc[1])
    zones = results.progress.external.set_index("tahun")["zona"].to_dict()
    assert zones == {2019: "merah", 2021: "kuning", 2023: "hijau"}


def test_report_has_the_perkembangan_sections(res, tmp_path):
    from riset.present.report import write_report

    results, _ = res
    html = write_report(results, tmp_path)["html"].read_text(encoding="utf-8")
    for title in ("Perkembangan antar Periode", "Dibandingkan Angka 2024", "Seri Survei Tahun ke Tahun",
                  "Capaian Sasaran", "Dampak Inovasi Pelayanan", "Nilai Kepatuhan Eksternal"):
        assert title in html, title
    assert "Antrean daring" in html and "tren sejajar" in html and "kuning" in html
    assert "Selisih dari selisih NRR per unsur: inovasi Antrean daring" in html
    # consecutive changes of the area and per unit, the multiplicity stated, the units' chart
    assert "Perubahan IKM Kabupaten Maju dari periode ke periode" in html and "2025-S2 → 2026-S1" in html
    assert "Keberagaman uji: 12 perubahan berturut-turut dan 4 tren diuji" in html
    assert "IKM tiap unit layanan per periode dengan selang kepercayaan 95%" in html
    assert "sejak 2022: A ≥ 88,01 (hijau); B ≥ 78,01 (hijau)" in html  # the configured later rule, stated
    assert "dan nilai kepatuhan eksternal per tahun (kanan)" in html      # the chart beside the IKM
    assert "Plasebo (periode sebelum inovasi)" in html and "IKM unit inovasi Antrean daring dan unit pembanding" in html
    assert "menurut Holm atas unit yang diuji" in html  # the target verdicts' rule


def test_an_innovation_without_a_comparison_unit_is_refused_in_plain_words(tmp_path):
    from riset.study.config import StudyError

    study = progress_study(tmp_path)
    # RS is the only unit of its service type: nothing to compare it with
    (tmp_path / "inovasi.csv").write_text("unit,nama,mulai\nPKM1,Antrean daring,2026-S1\nRS,Rekam medis,2026-S1\n",
                                          encoding="utf-8")
    with pytest.raises(StudyError, match=r"'inovasi.csv': innovation 'Rekam medis' has no comparison unit .*RS.*"
                                         r"column pembanding \(unit codes separated by ';'"):
        run_study(study["study"])


def test_the_register_can_name_the_comparison_units(tmp_path):
    from riset.study.config import StudyError

    study = progress_study(tmp_path)
    register = tmp_path / "inovasi.csv"
    register.write_text("unit,nama,mulai,pembanding\nRS,Rekam medis,2026-S1,PKM2; DUK\n", encoding="utf-8")
    results = run_study(study["study"])
    assert results.progress.innovations.iloc[0]["n_pembanding"] == 2 * 240
    register.write_text("unit,nama,mulai,pembanding\nRS,Rekam medis,2026-S1,PKM9\n", encoding="utf-8")
    with pytest.raises(StudyError, match=r"row 2: comparison unit 'PKM9' \(column pembanding\) is not in the data"):
        run_study(study["study"])


def test_an_innovating_unit_not_surveyed_before_its_start_is_refused(tmp_path):
    import pandas as pd
    from riset.study.config import StudyError

    study = progress_study(tmp_path)
    answers = pd.read_csv(tmp_path / "jawaban.csv")
    answers[(answers["unit"] != "PKM1") | (answers["periode"] >= "2026-S1")].to_csv(tmp_path / "jawaban.csv", index=False)
    with pytest.raises(StudyError, match=r"innovation 'Antrean daring' \(mulai 2026-S1\) has no respondents in "
                                         r"'inovasi sebelum'"):
        run_study(study["study"])


# ------------------------------------------------------------------------------------------- period order
RELABEL = {"2025-S1": "S1-2025", "2025-S2": "S2-2025", "2026-S1": "S1-2026", "2026-S2": "S2-2026"}


@pytest.fixture(scope="module")
def relabelled(tmp_path_factory):
    """The same study with periods whose text order is not their time order, ordered by key periods."""
    import pandas as pd
    import yaml

    folder = tmp_path_factory.mktemp("urutan")
    study = progress_study(folder)
    answers = pd.read_csv(folder / "jawaban.csv")
    answers.assign(periode=answers["periode"].map(RELABEL)).to_csv(folder / "jawaban.csv", index=False)
    (folder / "inovasi.csv").write_text("unit,nama,mulai\nPKM1,Antrean daring,S1-2026\n", encoding="utf-8")
    raw = yaml.safe_load(study["study"].read_text(encoding="utf-8"))
    raw["periods"] = {"order": list(RELABEL.values()), "times": [2025.0, 2025.5, 2026.0, 2026.5]}
    study["study"].write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return run_study(study["study"]), study


def test_the_study_file_orders_the_periods_for_series_trend_and_did(relabelled, res):
    from riset.skm.trend import period_series

    results, study = relabelled
    series = results.progress.series
    assert series.periods == list(RELABEL.values()) and series.table["periode"].tolist() == list(RELABEL.values())
    assert series.changes["periode_dari"].tolist() == ["S1-2025", "S2-2025", "S1-2026"]
    # the same answers as the text-ordered study: the same changes; the trend is per year (times half a year
    # apart), twice the slope per period step
    assert series.changes["selisih"].to_numpy() == pytest.approx(res[0].progress.series.changes["selisih"], rel=1e-10)
    assert series.trend["selisih"].iloc[0] == pytest.approx(2 * res[0].progress.series.trend["selisih"].iloc[0],
                                                            rel=1e-10)
    steps = period_series(results.designs[results.weighting], results.unsur_map, "periode",
                          periods=list(RELABEL.values()))
    assert series.trend["se"].iloc[0] == pytest.approx(2 * steps.trend["se"].iloc[0], rel=1e-10)
    row, before = results.progress.innovations.iloc[0], res[0].progress.innovations.iloc[0]
    assert row["did"] == pytest.approx(before["did"], rel=1e-10) and row["n_inovasi"] == 240
    assert row["placebo_did"] == pytest.approx(before["placebo_did"], rel=1e-10)
    change = results.period_change
    assert change[change["level"] == "area"][["periode_awal", "periode_akhir"]].iloc[0].tolist() == ["S1-2025",
                                                                                                      "S2-2026"]
    from riset.present.charts import period_comparison
    from riset.present.report.content import trend_unit

    assert trend_unit(results, "id") == "per satuan waktu (waktu periode 2025,0; 2025,5; 2026,0; 2026,5)"

    fig = period_comparison(results.level("unit_periode"), group="unit", periods=list(RELABEL.values()))
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == list(RELABEL.values())


@pytest.mark.parametrize("periods, message", [
    ({"order": ["2025-S1"]}, r"key 'periods.order' is \[2025-S1\]; it must be a list of two or more"),
    ({"order": ["a", "b"], "times": [1]}, r"key 'periods.times' is \[1\]; it must be a list of 2 numbers"),
    ({"order": ["a", "b"], "times": [2, 1]}, r"key 'periods.times' is \[2, 1\]; it must be increasing numbers"),
    ({"order": ["a", "b"], "when": [2, 1]}, r"periods.when"),
])
def test_a_bad_periods_key_is_refused_in_one_line(tmp_path, periods, message):
    import yaml
    from riset.study.config import StudyError, study_from_mapping

    study = progress_study(tmp_path)
    raw = yaml.safe_load(study["study"].read_text(encoding="utf-8"))
    with pytest.raises(StudyError, match=message):
        study_from_mapping({**raw, "periods": periods}, tmp_path)
    del raw["period"]
    with pytest.raises(StudyError, match="name that column in key 'period' too"):
        study_from_mapping({**raw, "periods": {"order": ["a", "b"]}}, tmp_path)


def test_periods_of_the_data_and_of_the_order_must_match(tmp_path):
    import yaml
    from riset.study.config import StudyError

    study = progress_study(tmp_path)
    raw = yaml.safe_load(study["study"].read_text(encoding="utf-8"))
    raw["periods"] = {"order": ["2025-S1", "2025-S2", "2026-S1"]}
    study["study"].write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(StudyError, match=r"column 'periode' has period '2026-S2' \(240 rows\) that key periods.order"):
        run_study(study["study"])
    raw["periods"] = {"order": ["2024-S2", "2025-S1", "2025-S2", "2026-S1", "2026-S2"]}
    study["study"].write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(StudyError, match=r"key periods.order lists '2024-S2', which is not a period of column"):
        run_study(study["study"])


# ------------------------------------------------------------------------------------------- external scores
def _external(tmp_path, rows: str, external):
    import yaml
    from riset.study.config import study_from_mapping
    from riset.study.progress import external_scores

    if not (tmp_path / "studi.yaml").exists():
        progress_study(tmp_path)
    (tmp_path / "ombudsman.csv").write_text(rows, encoding="utf-8")
    raw = yaml.safe_load((tmp_path / "studi.yaml").read_text(encoding="utf-8"))
    return external_scores(study_from_mapping({**raw, "external": external}, tmp_path))


LATER = {"A": [88.01, "hijau"], "B": [78.01, "hijau"], "C": [66.01, "kuning"], "D": [55.01, "merah"], "E": [0, "merah"]}


def test_external_scores_are_zoned_by_the_rule_in_force_each_year(tmp_path):
    rows = "tahun,nilai,kategori\n2021,80.99,\n2021,81,\n2022,70,\n2023,,A\n2024,55,\n"
    table, zones = _external(tmp_path, rows, {"file": "ombudsman.csv", "categories": LATER})
    assert table["kategori"].tolist() == ["kuning", "hijau", "C", "A", "E"]
    assert table["zona"].tolist() == ["kuning", "hijau", "kuning", "hijau", "merah"]
    # the chart's background: three Ombudsman zones for 2021, the five configured categories later
    assert zones.groupby("tahun").size().to_dict() == {2021: 3, 2022: 5, 2023: 5, 2024: 5}
    b = zones[(zones["tahun"] == 2022) & (zones["kategori"] == "B")].iloc[0]
    assert (b["bawah"], b["atas"], b["zona"]) == (78.01, 88.01, "hijau")
    # a later start of the new rule keeps the Ombudsman zones for 2022
    table, _ = _external(tmp_path, rows, {"file": "ombudsman.csv", "since": 2023, "categories": LATER})
    assert table["zona"].tolist()[2] == "kuning" and table["kategori"].tolist()[2] == "kuning"


def test_without_configured_categories_only_an_entered_zone_counts(tmp_path):
    table, zones = _external(tmp_path, "tahun,nilai,kategori\n2023,84.1,B\n2024,,hijau\n", "ombudsman.csv")
    assert table["kategori"].tolist() == ["B", "hijau"]
    assert table["zona"].isna().tolist() == [True, False] and table["zona"].iloc[1] == "hijau"
    assert zones.empty


def test_external_category_contradicting_its_value_or_badly_configured_is_refused(tmp_path):
    from riset.errors import DataError
    from riset.study.config import StudyError

    with pytest.raises(DataError, match=r"year 2023: value 70 is category 'C' by the rule of that year, but kategori "
                                        r"says 'A'"):
        _external(tmp_path, "tahun,nilai,kategori\n2023,70,A\n", {"file": "ombudsman.csv", "categories": LATER})
    with pytest.raises(StudyError, match=r"key 'external.categories.B' is \[78.01, biru\]; it must be \[lowest value"):
        _external(tmp_path, "tahun,nilai\n2023,70\n", {"file": "ombudsman.csv",
                                                        "categories": {**LATER, "B": [78.01, "biru"]}})
    with pytest.raises(StudyError, match=r"external.categories.*the last one starting at 0"):
        _external(tmp_path, "tahun,nilai\n2023,70\n", {"file": "ombudsman.csv", "categories": {"A": [50, "hijau"]}})
