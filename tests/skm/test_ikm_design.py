"""IKM / NRR with design-based SE: R golden (svycontrast of svytotal), hand-checked cases, P(mutu beda);
change between periods (R golden svycontrast on svyby with covmat, replicate re-estimation, verdicts)."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from riset.survey import estimate as est
from riset.survey.design import SurveyDesign
from riset.errors import DataError, DesignError
from riset.skm.ikm import ikm
from riset.skm.schemes import UNSUR_2017
from riset.skm.ikm_design import compare_periods, ikm_design, p_mutu_beda
from riset.survey.replicate import as_replicate

DATA = Path(__file__).resolve().parents[1] / "data" / "golden"
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
    thetas = np.array([  # riset.skm.ikm refuses zero weights: leave the deleted PSU's rows out instead
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


# ------------------------------------------------------------------------------------ change between periods
PERIODE = json.loads((DATA / "periode.json").read_text())


def skm_two_periods() -> pd.DataFrame:
    # golden_periode.R: inside every service day the respondents alternate 2026-S1 / 2026-S2, so each PSU holds
    # both periods and the two period estimates are correlated
    return skm().assign(periode=PERIODE["periode"])


@pytest.mark.parametrize("unit", ["PKM-A", "PKM-B", "RSUD"])
def test_period_change_matches_r_svycontrast_on_svyby(unit):
    res = compare_periods(two_stage(skm_two_periods()), MAPPING)
    row = res.table.set_index("unit").loc[unit]
    gold = PERIODE[unit]
    assert (row["periode_awal"], row["periode_akhir"]) == ("2026-S1", "2026-S2")
    assert row["ikm_awal"] == pytest.approx(25 * gold["ikm_s1"], rel=1e-9)
    assert row["ikm_akhir"] == pytest.approx(25 * gold["ikm_s2"], rel=1e-9)
    assert row["se_awal"] == pytest.approx(25 * gold["ikm_se_s1"], rel=1e-6)
    assert row["kov"] == pytest.approx(625 * gold["ikm_cov"], rel=1e-6)
    assert gold["ikm_cov"] > 0  # the shared PSUs matter: ignoring the covariance would give a wrong SE
    assert row["selisih"] == pytest.approx(25 * gold["ikm_diff"], rel=1e-6)
    assert row["se"] == pytest.approx(25 * gold["ikm_diff_se"], rel=1e-6)
    assert row["t"] == pytest.approx(gold["t"], rel=1e-6)
    assert row["df"] == gold["df"]
    assert row["p_value"] == pytest.approx(gold["p"], rel=1e-6)
    assert row["ci_low"] == pytest.approx(25 * gold["ci_low"], rel=1e-6)
    assert row["ci_high"] == pytest.approx(25 * gold["ci_high"], rel=1e-6)
    assert row["perubahan"] == "tidak_berubah"
    nrr = res.nrr[res.nrr["unit"] == unit].set_index("unsur").loc[KEYS]
    np.testing.assert_allclose(nrr["selisih"], gold["nrr_diff"], rtol=1e-6)
    np.testing.assert_allclose(nrr["se"], gold["nrr_diff_se"], rtol=1e-6)
    np.testing.assert_allclose(nrr["se"], gold["nrr_ratio_diff_se"], rtol=1e-6)  # svyby(svyratio) + contrast


def test_period_change_with_separate_psus_has_zero_covariance():
    # one design, strata = unit x periode: no PSU in both periods, so Var(D) = Var(S1) + Var(S2) exactly
    data = skm_two_periods()
    data["hari"] = data["hari"] + "/" + data["periode"]
    d = SurveyDesign(data, weights="bobot", strata=["unit", "periode"], psu="hari")
    t = compare_periods(d, MAPPING).table
    np.testing.assert_allclose(t["kov"], 0.0, atol=1e-12)
    np.testing.assert_allclose(t["se"] ** 2, t["se_awal"] ** 2 + t["se_akhir"] ** 2, rtol=1e-12)
    per_period = ikm_design(d, MAPPING, by=["unit", "periode"]).table
    s2 = per_period[per_period["periode"] == "2026-S2"].set_index("unit")
    np.testing.assert_allclose(t.set_index("unit")["se_akhir"], s2.loc[t["unit"], "se"], rtol=1e-12)


def test_period_change_replicate_design_matches_manual_re_estimation():
    data = skm_two_periods()
    rep = as_replicate(SurveyDesign(data, weights="bobot", strata="unit", psu="hari"), "bootstrap", replicates=6,
                       seed=5)
    got = compare_periods(rep, MAPPING).table.set_index("unit")
    reps = rep.replicate_weights

    def change(w, keep):
        t = ikm(data.assign(w=w)[keep], MAPPING, by=["unit", "periode"], weights="w").table
        wide = t.pivot(index="unit", columns="periode", values="ikm_konversi")
        return (wide["2026-S2"] - wide["2026-S1"]).to_numpy()

    thetas = np.array([change(reps[:, r], reps[:, r] > 0) for r in range(rep.n_replicates)])
    var = rep.scale * (rep.rscales[:, None] * (thetas - thetas.mean(axis=0)) ** 2).sum(axis=0)
    np.testing.assert_allclose(got["se"].to_numpy(), np.sqrt(var), rtol=1e-9)
    np.testing.assert_allclose(got["selisih"].to_numpy(), change(data["bobot"], slice(None)), rtol=1e-9)
    assert (got["df"] == rep.df).all()


def test_period_change_verdicts_by_hand():
    # SRS of 8 (no FPC, df 7), all unsur equal: S1 answers 2,2,3,2 (IKM 56.25), S2 4,4,3,4 (IKM 93.75).
    # u_i = +-(y_i - mean_period)/4, Var(D) = 8/7 * sum (u_i)^2 = 8/7 * (0.75 + 0.75)/16 on the 1-4 scale
    data = pd.DataFrame({u.key: [2.0, 2, 3, 2, 4, 4, 3, 4] for u in UNSUR_2017})
    data["periode"] = ["S1"] * 4 + ["S2"] * 4
    res = compare_periods(SurveyDesign(data), ALL, by=None)
    row = res.table.iloc[0]
    se = 25 * np.sqrt(8 / 7 * 1.5 / 16)
    assert row["selisih"] == pytest.approx(37.5) and row["se"] == pytest.approx(se, rel=1e-12)
    assert row["p_value"] == pytest.approx(2 * stats.t.sf(37.5 / se, 7), rel=1e-9)
    assert row["perubahan"] == "naik" and row["df"] == 7
    # the other direction, and a level at which the same change is not significant
    back = compare_periods(SurveyDesign(data), ALL, by=None, base="S2", compare="S1").table.iloc[0]
    assert back["selisih"] == pytest.approx(-37.5) and back["perubahan"] == "turun"
    strict = compare_periods(SurveyDesign(data), ALL, by=None, level=1 - row["p_value"] / 2).table.iloc[0]
    assert strict["perubahan"] == "tidak_berubah"
    assert res.verdicts("en").item() == "significant increase"


def test_period_change_group_without_one_period_is_kept_and_noted():
    data = skm_two_periods()
    data = data[~((data["unit"] == "RSUD") & (data["periode"] == "2026-S2"))].reset_index(drop=True)
    res = compare_periods(two_stage(data), MAPPING)
    rsud = res.table.set_index("unit").loc["RSUD"]
    assert rsud["perubahan"] == "tidak_dapat_diuji" and np.isnan(rsud["selisih"]) and rsud["n_akhir"] == 0
    assert any("RSUD: tidak ada responden pada periode 2026-S2" in n.text("id") for n in res.notes)
    full = compare_periods(two_stage(skm_two_periods()), MAPPING).table.set_index("unit")
    assert res.table.set_index("unit").loc["PKM-A", "ikm_awal"] == pytest.approx(full.loc["PKM-A", "ikm_awal"])


def test_period_change_refuses_bad_arguments():
    d = two_stage(skm_two_periods())
    with pytest.raises(DataError, match=r"base='2025-S2' is not a period in column 'periode'.*2026-S1, 2026-S2"):
        compare_periods(d, MAPPING, base="2025-S2")
    with pytest.raises(DataError, match="both '2026-S1'"):
        compare_periods(d, MAPPING, base="2026-S1", compare="2026-S1")
    with pytest.raises(DataError, match="period column 'tahun' not found"):
        compare_periods(d, MAPPING, period="tahun")
    with pytest.raises(DataError, match="also in by"):
        compare_periods(d, MAPPING, by=["unit", "periode"])


def test_period_change_verdicts_can_use_holm_over_units():
    from statsmodels.stats.multitest import multipletests

    from riset.skm.exports import read_codebook, read_survey

    root = Path(__file__).resolve().parents[2] / "data" / "raw"
    survey = read_survey(root / "contoh_skm_responden.csv", read_codebook(root / "contoh_skm_codebook.yaml"))
    design = SurveyDesign(survey.data, weights="bobot_desain", strata=["unit", "periode"], psu="hari",
                          fpc="n_hari_layanan", ssu="id_responden", fpc2="n_pengunjung_hari")
    unsur = survey.codebook.unsur_map()
    holm_table = compare_periods(design, unsur, adjust="holm").table
    raw_table = compare_periods(design, unsur).table
    np.testing.assert_allclose(holm_table["p_holm"], multipletests(holm_table["p_value"], method="holm")[1])
    np.testing.assert_allclose(holm_table["p_value"], raw_table["p_value"])
    raw_significant = raw_table["perubahan"] != "tidak_berubah"
    holm_significant = holm_table["perubahan"] != "tidak_berubah"
    assert (raw_significant == (raw_table["p_value"] < 0.05)).all()
    assert (holm_significant == (holm_table["p_holm"] < 0.05)).all()
    # at least one unit's change is "significant" only before the adjustment for 15 tests
    assert (raw_significant & ~holm_significant).any()


# ------------------------------------------------------------------------------------ inference choices (#21)
def test_probability_of_a_different_grade_uses_the_design_df():
    # df 7: t tails are heavier than the normal's, so the risk of another grade is larger (issue 21.3)
    t7 = 1 - (stats.t.cdf((88.305 - 80) / 2, 7) - stats.t.cdf((76.605 - 80) / 2, 7))
    assert p_mutu_beda([80.0], [2.0], df=[7])[0] == pytest.approx(t7, rel=1e-12)
    res = ikm_design(two_stage(), MAPPING, by="unit").table
    np.testing.assert_allclose(res["p_mutu_beda"], p_mutu_beda(res["ikm_konversi"], res["se"], df=res["df"]))
    assert not np.allclose(res["p_mutu_beda"], p_mutu_beda(res["ikm_konversi"], res["se"]))


def test_nrr_interval_respects_the_scale_and_flat_cells_are_named():
    data = skm()
    data.loc[data["unit"] == "RSUD", "U3"] = 4  # every RSUD respondent answered 4 on waktu
    res = ikm_design(two_stage(data), MAPPING, by="unit")
    nrr = res.nrr.set_index(["unit", "unsur"])
    flat = nrr.loc[("RSUD", "waktu")]
    assert (flat["nrr"], flat["se"], flat["ci_low"], flat["ci_high"]) == (4.0, 0.0, 4.0, 4.0)
    assert any(n.code == "nrr_no_variation" and "RSUD / U3" in n.text("id") for n in res.notes)
    inner = res.nrr[res.nrr["se"] > 0]
    assert ((inner["ci_low"] > 1) & (inner["ci_low"] < inner["nrr"]) & (inner["nrr"] < inner["ci_high"])
            & (inner["ci_high"] < 4)).all()
    # the logit interval by hand for one cell
    row = nrr.loc[("PKM-A", "waktu")]
    p, sp = (row["nrr"] - 1) / 3, row["se"] / 3
    half = stats.t.ppf(0.975, row["df"]) * sp / (p * (1 - p))
    expit = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    assert row["ci_high"] == pytest.approx(1 + 3 * expit(np.log(p / (1 - p)) + half), rel=1e-12)


def test_period_change_with_reweight_compares_the_unsur_answered_in_both_periods():
    # issue 21.1: blank pengaduan (U9) of one unit in S1 only; the change must be on the 8 unsur of both
    data = skm_two_periods()
    s1_pkm_a = (data["unit"] == "PKM-A") & (data["periode"] == "2026-S1")
    data.loc[s1_pkm_a, "U9"] = np.nan
    res = compare_periods(two_stage(data), MAPPING, empty_unsur="reweight")
    row = res.table.set_index("unit").loc["PKM-A"]
    both = data.copy()
    both.loc[both["unit"] == "PKM-A", "U9"] = np.nan  # the same 8 unsur in both periods, by hand
    per = ikm_design(two_stage(both), MAPPING, by=["unit", "periode"], empty_unsur="reweight").table
    per = per[per["unit"] == "PKM-A"].set_index("periode")["ikm_konversi"]
    assert row["selisih"] == pytest.approx(per["2026-S2"] - per["2026-S1"], rel=1e-12)
    same = compare_periods(two_stage(both), MAPPING, empty_unsur="reweight").table.set_index("unit").loc["PKM-A"]
    assert row["se"] == pytest.approx(same["se"], rel=1e-10)  # the unused S2 answers do not enter the variance
    assert row["unsur_dibandingkan"] == "U1, U2, U3, U4, U5, U6, U7, U9"  # regulation codes: U8 pengaduan out
    assert any(n.code == "change_common_unsur" and "PKM-A" in n.text("id") for n in res.notes)
    assert any(n.code == "ikm_empty_unsur_reweight" for n in res.notes)  # the point-IKM note is carried too
    other = res.table.set_index("unit").loc["PKM-B"]
    plain = compare_periods(two_stage(skm_two_periods()), MAPPING).table.set_index("unit").loc["PKM-B"]
    assert other["selisih"] == pytest.approx(plain["selisih"], rel=1e-12)


INFERENCE = json.loads((DATA / "inference.json").read_text())


@pytest.mark.parametrize("unit", ["all", "PKM-A", "PKM-B", "RSUD"])
def test_grade_risk_and_nrr_interval_match_r_with_the_design_df(unit):
    # tests/r/golden_inference.R: P(different grade) with pt() on the domain's degf, the NRR interval from
    # svycontrast on the logit of (NRR - 1)/3 with qt(); units have 3-5 df, so t and normal differ
    res = ikm_design(two_stage(), MAPPING, by=None if unit == "all" else "unit")
    row = res.table.iloc[0] if unit == "all" else res.table.set_index("unit").loc[unit]
    gold = INFERENCE[unit]
    assert row["df"] == gold["df"]
    assert row["p_mutu_beda"] == pytest.approx(gold["p_mutu_beda"], rel=1e-10)
    assert row["p_mutu_beda"] != pytest.approx(gold["p_mutu_beda_normal"], rel=1e-3)
    nrr = res.nrr if unit == "all" else res.nrr[res.nrr["unit"] == unit]
    nrr = nrr.set_index("unsur").loc[INFERENCE["unsur"]]
    np.testing.assert_allclose(nrr["ci_low"], gold["nrr_ci_low"], rtol=1e-10)
    np.testing.assert_allclose(nrr["ci_high"], gold["nrr_ci_high"], rtol=1e-10)


def test_unit_rank_intervals_match_r_pairwise_svycontrast_with_holm():
    # golden_inference.R: svyby(covmat = TRUE) + svycontrast of every pairwise IKM difference, pt on the smaller
    # unit df, p.adjust(, "holm"); PKM-A vs PKM-B is separated unadjusted (p 0.027) but not after Holm
    from riset.survey.compare import rank_intervals

    gold = INFERENCE["ranks"]
    fit = ikm_design(two_stage(), MAPPING, by="unit", covmat=True)
    assert fit.table["unit"].tolist() == gold["units"]
    ranks = rank_intervals(fit.table["ikm_konversi"].to_numpy(), fit.vcov.to_numpy(), df=fit.table["df"].to_numpy())
    for column in ("diff", "se", "df", "p_value", "p_holm"):
        np.testing.assert_allclose(ranks.pairs[column], gold[column], rtol=1e-10, err_msg=column)
    assert ranks.table["rank_low"].tolist() == gold["rank_low"] and ranks.table["rank_high"].tolist() == gold["rank_high"]
    plain = rank_intervals(fit.table["ikm_konversi"].to_numpy(), fit.vcov.to_numpy(), df=fit.table["df"].to_numpy(),
                           adjust=None).table
    assert plain["rank_high"].iloc[0] < gold["rank_high"][0]
