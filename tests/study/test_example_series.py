"""The bundled example extended to four semesters with an innovation (issue 16): the generator's series, the study
run with its Perkembangan section, R goldens (tests/r/golden_example_series.R: svyby + svycontrast for the series
and the DiD of the IKM and of one unsur's NRR, svyglm with period terms) and the DiD recovering the generator's
known innovation effect."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy import stats

from riset.errors import RisetError
from riset.study import example, run_study
from riset.survey.design import SurveyDesign
from riset.survey.models import linear

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = json.loads((ROOT / "tests" / "data" / "golden" / "example_series.json").read_text())
TOL = dict(rtol=1e-8, atol=1e-10)


@pytest.fixture(scope="module")
def series(tmp_path_factory):
    folder = tmp_path_factory.mktemp("seri")
    paths = example.write_example_study(folder, example.DEFAULT_SEED, example.PERIODE_SERI, example.INOVASI_SERI)
    truth = yaml.safe_load(paths["kebenaran"].read_text(encoding="utf-8"))
    # CI budget: the design weights only (the design of the R goldens; calibration multiplies the run time),
    # without K1 and importance (drivers, IPA): the Perkembangan section uses neither
    text = paths["studi"].read_text(encoding="utf-8")
    text = re.sub(r"(?m)^weighting:\n(?:  .*\n)+", "", text)
    paths["studi"].write_text(re.sub(r"(?m)^(overall|importance|drivers):.*\n", "", text), encoding="utf-8")
    return run_study(paths["studi"]), truth


@pytest.fixture(scope="module")
def base(series):
    results, _ = series
    assert results.weighting == "design"
    return results.designs["design"]


def test_the_generator_writes_four_semesters_and_the_register(series):
    results, truth = series
    data = results.survey.data
    assert sorted(data["periode"].unique()) == list(example.PERIODE_SERI) and len(data) == GOLDEN["n"]
    assert results.config.innovations.name == example.FILE_INOVASI
    lhijau = truth["mutu_unit"]["PKM-LHIJAU"]["ikm_harapan_per_periode"]
    # the innovation lifts the unit from its start on, and only then
    assert lhijau["2025-S1"] == lhijau["2025-S2"] < lhijau["2026-S1"] == lhijau["2026-S2"]
    [innovation] = truth["inovasi"]
    assert sorted(innovation["pembanding"]) == GOLDEN["inovasi"]["pembanding"]
    assert innovation["efek_ikm_harapan"] > 3 and abs(innovation["did_harapan"] - innovation["efek_ikm_harapan"]) < 1


def test_the_series_keeps_the_bundled_unit_levels_and_study_file(series):
    # the default call still writes the bundled files byte for byte (test_example.py); the series solves the
    # unit levels on the same two 2026 semesters without innovations
    _, truth = series
    bundled = yaml.safe_load((ROOT / "data" / "raw" / example.FILES["kebenaran"]).read_text(encoding="utf-8"))
    assert {u: t["tingkat_laten"] for u, t in truth["mutu_unit"].items()} == \
        {u: t["tingkat_laten"] for u, t in bundled["mutu_unit"].items()}
    assert "inovasi" not in bundled and example.study_file() == example.STUDY_FILE


@pytest.mark.parametrize("periods, innovations, message", [
    (("2026-S2", "2026-S1"), (), "time order"),
    (("2023-S1", "2026-S1"), (), "'2023-S1' is not a semester"),
    (example.PERIODE, (example.Inovasi("PKM-X", "A", "2026-S2", ()),), "unit 'PKM-X'"),
    (example.PERIODE, (example.Inovasi("DUK-KK", "A", "2026-S1", ()),), "mulai '2026-S1'"),
    (example.PERIODE, (example.Inovasi("DUK-KK", "A", "2026-S2", (("antrean", 0.2),)),), "'antrean' is not an unsur"),
])
def test_a_bad_series_is_refused_with_its_value(periods, innovations, message):
    with pytest.raises(RisetError, match=message):
        example.make_example_study(example.DEFAULT_SEED, periods, innovations)


def test_the_study_runs_with_its_perkembangan_section(series):
    results, _ = series
    progress = results.progress
    assert progress.series.periods == list(example.PERIODE_SERI) and len(progress.series.changes) == 3
    assert len(progress.series_units.trend) == len(example.UNITS)
    row = progress.innovations.iloc[0]
    assert row["unit"] == "PKM-LHIJAU" and row["mulai"] == "2026-S1" and row["perubahan"] == "naik"
    assert not np.isnan(row["placebo_did"])


def _check(got, gold):
    np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(gold, dtype=float), **TOL)


@pytest.mark.parametrize("unit", [None, "PKM-LHIJAU", "RSUD-RJ", "SMPN1-KOTA"])
def test_series_and_trend_equal_r_svyby_and_svycontrast(series, unit):
    results, _ = series
    s = results.progress.series if unit is None else results.progress.series_units
    gold = GOLDEN["area"] if unit is None else GOLDEN["unit"][unit]
    table, changes, trend = (f if unit is None else f[f["unit"] == unit] for f in (s.table, s.changes, s.trend))
    assert table["periode"].astype(str).tolist() == gold["periode"]
    _check(table["ikm_konversi"], gold["ikm_konversi"])
    _check(table["se"], gold["se"])
    _check(changes["selisih"], gold["selisih"])
    _check(changes["se"], gold["se_selisih"])
    _check(changes["df"], gold["df_selisih"])
    _check(trend["selisih"], [gold["tren"]])
    _check(trend["se"], [gold["se_tren"]])
    _check(trend["df"], [gold["df_tren"]])


def test_did_and_placebo_equal_r_svycontrast(series):
    results, _ = series
    row = results.progress.innovations.iloc[0]
    _check([row["did"], row["se"], row["df"]], [GOLDEN["did"][k] for k in ("did", "se", "df")])
    placebo = GOLDEN["placebo"]
    p_value = 2 * stats.t.sf(abs(placebo["did"] / placebo["se"]), placebo["df"])
    _check([row["placebo_did"], row["placebo_se"], row["placebo_p_value"]], [placebo["did"], placebo["se"], p_value])


def test_did_of_an_unsur_nrr_equals_r_svycontrast(series):
    from riset.skm.schemes import resolve_unsur

    results, _ = series
    gold = GOLDEN["did_nrr"]
    key = resolve_unsur(results.unsur_map[gold["kolom"]], results.scheme).key
    row = results.progress.innovations_nrr.set_index("unsur").loc[key]
    _check([row["did"], row["se"], row["df"]], [gold["did"], gold["se"], gold["df"]])
    # the innovation's latent effect is largest on this unsur: the one the per-unsur DiD finds clearly
    assert row["perubahan"] == "naik" and row["p_holm"] < 0.001


def _twfe(results, base):
    data = base.data
    answers = data[list(results.unsur_map)]
    treated, start = GOLDEN["inovasi"]["unit"], GOLDEN["inovasi"]["mulai"]
    scored = data.assign(skor=25 * answers.mean(axis=1),
                              perlakuan=((data["unit"] == treated) & (data["periode"] >= start)).astype(float))
    design = SurveyDesign(scored, weights="bobot_desain", strata=["unit", "periode"], psu="hari", fpc="n_hari_layanan",
                        ssu="id_responden", fpc2="n_pengunjung_hari")
    domain = data["unit"].isin([treated, *GOLDEN["inovasi"]["pembanding"]]).to_numpy()
    return linear("skor ~ periode + unit + perlakuan", design.subset(domain))


def test_twfe_did_with_period_terms_equals_r_svyglm(series, base):
    results, _ = series
    fit = _twfe(results, base)
    gold = GOLDEN["svyglm"]
    assert len(fit.params) == len(gold["terms"])
    for ours, theirs in zip(fit.params.index[1:], gold["terms"][1:]):  # same terms in the same order
        assert theirs.split(")")[-1] in ours, (ours, theirs)
    _check(fit.params, gold["coef"])
    _check(np.sqrt(np.diag(fit.cov)), gold["se"])
    assert fit.df_resid == gold["df_resid"]


def test_the_did_recovers_the_known_innovation_effect_within_its_ci(series, base):
    results, truth = series
    [known] = truth["inovasi"]
    row = results.progress.innovations.iloc[0]
    assert row["ci_low"] < known["efek_ikm_harapan"] < row["ci_high"]
    assert row["ci_low"] < known["did_harapan"] < row["ci_high"]
    assert row["ci_low"] > 0  # and it is detected
    fit = _twfe(results, base)  # the regression form
    se = float(np.sqrt(fit.cov.loc["perlakuan", "perlakuan"]))
    assert abs(fit.params["perlakuan"] - known["efek_ikm_harapan"]) < stats.t.ppf(0.975, fit.df_resid) * se
    # the placebo on the semesters before the start finds nothing (parallel trends before the innovation)
    assert row["placebo_p_value"] > 0.05
