"""IKM / NRR with design-based SE: R golden (svycontrast of svytotal), hand-checked cases, P(mutu beda)."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from riset import estimate as est
from riset.design import SurveyDesign
from riset.errors import DesignError
from riset.ikm import UNSUR_2017, ikm
from riset.ikm_design import ikm_design, p_mutu_beda
from riset.replicate import as_replicate

DATA = Path(__file__).parent / "data" / "golden"
GOLDEN = json.loads((DATA / "estimate.json").read_text())["ikm"]
KEYS = GOLDEN["unsur"]
MAPPING = {f"U{i + 1}": key for i, key in enumerate(KEYS)}  # questionnaire order: U8 sarana, U9 pengaduan
ALL = {u.key: u.key for u in UNSUR_2017}


def skm() -> pd.DataFrame:
    return pd.read_csv(DATA / "ikm_design_data.csv")


def two_stage(data=None) -> SurveyDesign:
    return SurveyDesign(skm() if data is None else data, weights="bobot", strata="unit", psu="hari",
                        ssu="id_responden", fpc="n_hari", fpc2="n_pengunjung")


@pytest.mark.parametrize("unit", ["PKM-A", "PKM-B", "RSUD"])
def test_ikm_and_nrr_se_match_r_by_unit(unit):
    res = ikm_design(two_stage(), MAPPING, by="unit")
    row = res.table.set_index("unit").loc[unit]
    gold = GOLDEN[unit]
    assert row["ikm"] == pytest.approx(gold["ikm"], rel=1e-9)
    assert row["ikm_se"] == pytest.approx(gold["ikm_se"], rel=1e-6)
    assert row["se"] == pytest.approx(25 * gold["ikm_se"], rel=1e-6)
    assert row["df"] == gold["df"]
    nrr = res.nrr[res.nrr["unit"] == unit].set_index("unsur").loc[KEYS]
    np.testing.assert_allclose(nrr["nrr"], gold["nrr"], rtol=1e-9)
    np.testing.assert_allclose(nrr["se"], gold["nrr_se"], rtol=1e-6)
    np.testing.assert_allclose(nrr["se"], gold["nrr_ratio_se"], rtol=1e-6)  # = svyratio per unsur


def test_overall_ikm_matches_r():
    row = ikm_design(two_stage(), MAPPING).table.iloc[0]
    assert row["ikm_se"] == pytest.approx(GOLDEN["all"]["ikm_se"], rel=1e-6)
    assert row["df"] == GOLDEN["all"]["df"]


def test_point_estimates_equal_riset_ikm_exactly():
    data = skm()
    res = ikm_design(two_stage(data), MAPPING, by="unit")
    plain = ikm(data, MAPPING, by="unit", weights="bobot")
    cols = ["unit", "n_responden", "n_tanpa_jawaban", "ikm", "ikm_konversi", "mutu", "kinerja", "unsur_kosong"]
    pd.testing.assert_frame_equal(res.table[cols], plain.table[cols])
    pd.testing.assert_frame_equal(res.nrr[plain.nrr.columns], plain.nrr)


def test_hand_checked_srs_with_a_missing_answer():
    answers = {u.key: [4.0, 3.0, 3.0, 2.0] for u in UNSUR_2017}
    answers["waktu"] = [4.0, 3.0, 3.0, np.nan]
    res = ikm_design(SurveyDesign(pd.DataFrame(answers)), ALL)
    # with-replacement SRS of 4 (no FPC, weights 1). 8 unsur: mean 3, Var = s^2/n = (2/3)/4.
    # waktu: ratio over 3 answers, R = 10/3, u_i = (y_i - R)/3, Var = n/(n-1) sum u_i^2.
    r = 10 / 3
    u_waktu = np.array([4 - r, 3 - r, 3 - r, 0.0]) / 3
    var_waktu = 4 / 3 * (u_waktu**2).sum()
    nrr = res.nrr.set_index("unsur")
    assert nrr.loc["waktu", "se"] == pytest.approx(np.sqrt(var_waktu), rel=1e-12)
    assert nrr.loc["persyaratan", "se"] == pytest.approx(np.sqrt(1 / 6), rel=1e-12)
    # IKM influence = (8 u_mean + u_waktu) / 9, u_mean = (y - 3)/4
    u_ikm = (8 * (np.array([4.0, 3, 3, 2]) - 3) / 4 + u_waktu) / 9
    assert res.table["ikm_se"].item() == pytest.approx(np.sqrt(4 / 3 * ((u_ikm - u_ikm.mean()) ** 2).sum()), rel=1e-12)
    assert res.table["ikm"].item() == pytest.approx((8 * 3 + r) / 9, rel=1e-12)


def test_probability_of_a_different_grade():
    # B band on the unrounded scale: [76.605, 88.305)
    expected = 1 - (stats.norm.cdf((88.305 - 80) / 2) - stats.norm.cdf((76.605 - 80) / 2))
    got = p_mutu_beda([80.0, 88.305, 95.0, 50.0, 80.0], [2.0, 1.0, 3.0, 4.0, 0.0])
    assert got[0] == pytest.approx(expected, rel=1e-12)
    assert got[1] == pytest.approx(0.5)  # exactly on the A/B edge
    assert got[2] == pytest.approx(stats.norm.cdf((88.305 - 95) / 3), rel=1e-12)  # A: only falling below counts
    assert got[3] == pytest.approx(1 - stats.norm.cdf((64.995 - 50) / 4), rel=1e-12)  # D: only rising above
    assert got[4] == 0.0


def test_replicate_design_matches_manual_re_estimation():
    d = SurveyDesign(skm(), weights="bobot", strata="unit", psu="hari")
    rep = as_replicate(d, "bootstrap", replicates=6, seed=5)
    res = ikm_design(rep, MAPPING, by="unit").table.set_index("unit")
    data = skm()
    reps = rep.replicate_weights
    thetas = np.array([  # riset.ikm refuses zero weights: leave the deleted PSU's rows out instead
        ikm(data.assign(w=reps[:, r])[reps[:, r] > 0], MAPPING, by="unit", weights="w").table["ikm"].to_numpy()
        for r in range(rep.n_replicates)
    ])  # R x units
    full = ikm(data, MAPPING, by="unit", weights="bobot").table["ikm"].to_numpy()
    var = rep.scale * (rep.rscales[:, None] * (thetas - thetas.mean(axis=0)) ** 2).sum(axis=0)
    np.testing.assert_allclose(res["ikm_se"].to_numpy(), np.sqrt(var), rtol=1e-9)
    np.testing.assert_allclose(res["ikm"].to_numpy(), full, rtol=1e-12)


def test_reweighted_empty_unsur_uses_only_answered_unsur():
    data = pd.DataFrame({u.key: [4.0, 3.0, 2.0, 4.0, 3.0, 1.0] for u in UNSUR_2017})
    data["g"] = ["a", "a", "a", "b", "b", "b"]
    data.loc[data["g"] == "b", "pengaduan"] = np.nan
    d = SurveyDesign(data)
    res = ikm_design(d, ALL, by="g", empty_unsur="reweight").table.set_index("g")
    # group b: the 8 answered unsur are identical, so IKM = their mean and its SE = the domain mean's SE
    expected = est.mean(d, "persyaratan", by="g").table.set_index("g")
    assert res.loc["b", "ikm"] == pytest.approx(expected.loc["b", "estimate"])
    assert res.loc["b", "ikm_se"] == pytest.approx(expected.loc["b", "se"], rel=1e-12)
    nan = ikm_design(d, ALL, by="g", empty_unsur="nan").table.set_index("g")
    assert np.isnan(nan.loc["b", "se"]) and np.isnan(nan.loc["b", "p_mutu_beda"])
    assert nan.loc["a", "se"] == pytest.approx(res.loc["a", "se"])


def test_domain_design_equals_by_group():
    d = two_stage()
    by_unit = ikm_design(d, MAPPING, by="unit").table.set_index("unit").loc["RSUD"]
    domain = ikm_design(d.subset(d.data["unit"] == "RSUD"), MAPPING).table.iloc[0]
    assert domain["ikm"] == by_unit["ikm"]
    assert domain["se"] == pytest.approx(by_unit["se"], rel=1e-12)


def test_negative_weights_are_refused():
    d = two_stage()
    w = d.weights.copy()
    w[3] = -1.0
    with pytest.raises(DesignError, match=r"weight -1 in row 3"):
        ikm_design(d.with_weights(w), MAPPING)


def test_ci_clipped_to_the_converted_range_and_labels_switch():
    res = ikm_design(two_stage(), MAPPING, by="unit")
    assert (res.table["ci_low"] >= 25).all() and (res.table["ci_high"] <= 100).all()
    assert (res.nrr["ci_high"] <= 4).all()
    assert "Peluang mutu berbeda" in res.summary() and "Prob. different grade" in res.summary(lang="en")
    assert "Poor" in res.summary(lang="en")
