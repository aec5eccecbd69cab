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
    assert "menurut Holm atas unit yang diuji" in html  # the target verdicts' rule
