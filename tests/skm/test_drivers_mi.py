"""Driver analysis with blank answers multiply imputed: predictive mean matching, Rubin's rules, sensitivity table."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from riset.errors import DataError
from riset.skm.drivers import relative_importance
from riset.skm.drivers_mi import imputed_importance, pmm_impute, ranking_sensitivity, rubin

UNSUR = ["U1", "U2", "U3"]


def _answers(seed: int, n: int = 1000) -> pd.DataFrame:
    """Three correlated 1-4 answers and an overall item; U1 matters most."""
    rng = np.random.default_rng(seed)
    z = rng.multivariate_normal([0, 0, 0], [[1, .3, .3], [.3, 1, .3], [.3, .3, 1]], size=n)
    d = pd.DataFrame(np.clip(np.round(2.5 + 0.9 * z), 1, 4), columns=UNSUR)
    d["K1"] = 1.0 * d["U1"] + 0.5 * d["U2"] + 0.7 * d["U3"] + rng.normal(scale=0.8, size=n)
    return d


def _blank_u3_when_u1_high(d: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Missing at random: U3 is blank for 90 % of those who rate U1 3 or 4, 5 % of the others. Listwise then
    keeps few high U1, shrinking U1's variance and its share of R^2."""
    rng = np.random.default_rng(seed)
    blank = rng.random(len(d)) < np.where(d["U1"] >= 3, 0.9, 0.05)
    return d.assign(U3=d["U3"].mask(blank))


def _bootstrap(n: int, replicates: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).multinomial(n, np.full(n, 1 / n), size=replicates).T.astype(float)


def test_rubin_rules_by_hand():
    # M = 3 imputations of two estimates
    q = np.array([[1.0, 10.0], [2.0, 10.0], [3.0, 10.0]])
    u = np.array([[0.4, 1.0], [0.5, 1.0], [0.6, 1.0]])
    out = rubin(q, u, df_complete=10)
    # column 1: Q = 2, U = 0.5, B = 1, T = 0.5 + 4/3 = 1.8333; lambda = (4/3) / T = 0.72727; r = (4/3)/0.5 = 2.6667
    # nu_M = 2 / lambda^2 = 3.78125; nu_obs = 11/13 x 10 x (1 - lambda) = 2.30769; nu = 1/(1/3.78125 + 1/2.30769)
    assert out.loc[0, ["estimate", "within", "between"]].tolist() == pytest.approx([2.0, 0.5, 1.0])
    assert out.loc[0, "total"] == pytest.approx(0.5 + 4 / 3)
    nu = 1 / (1 / 3.78125 + 1 / (11 / 13 * 10 * (1 - 8 / 11)))
    assert out.loc[0, "df"] == pytest.approx(nu) and out.loc[0, "df"] == pytest.approx(1.43308, abs=1e-5)
    r = 8 / 3
    assert out.loc[0, "fmi"] == pytest.approx((r + 2 / (nu + 3)) / (r + 1))
    # Rubin (1987) without a complete-data df: (M - 1)(1 + 1/r)^2
    assert rubin(q, u)["df"][0] == pytest.approx(2 * (1 + 1 / r) ** 2)
    # column 2: no between-imputation variance -> T = U, fmi 0, Barnard-Rubin df (11/13) x 10
    assert out.loc[1, ["total", "df", "fmi"]].tolist() == pytest.approx([1.0, 110 / 13, 0.0])
    with pytest.raises(DataError, match="at least 2 imputations"):
        rubin(q[:1], u[:1])


def test_pmm_fills_only_blanks_with_observed_answers():
    d = _blank_u3_when_u1_high(_answers(1, 300), 2)
    x = d[["K1", *UNSUR]].to_numpy()
    blank = np.isnan(x)
    out = pmm_impute(x, blank, np.ones(len(x)), np.random.default_rng(0))
    assert not np.isnan(out).any()
    assert np.array_equal(out[~blank], x[~blank])
    assert set(out[blank[:, 3], 3]) <= {1.0, 2.0, 3.0, 4.0}
    few = x[:6].copy()
    few[1:, 3] = np.nan
    with pytest.raises(DataError, match="column 'U3' has only 1 answers"):
        pmm_impute(few, np.isnan(few), np.ones(6), np.random.default_rng(0), names=["K1", *UNSUR])
    # the imputations follow the relation with the other answers: high K1 -> high imputed U3
    hi = out[blank[:, 3] & (x[:, 0] > np.median(x[:, 0])), 3].mean()
    lo = out[blank[:, 3] & (x[:, 0] <= np.median(x[:, 0])), 3].mean()
    assert hi > lo + 0.3


def test_imputation_recovers_the_complete_data_shares_where_listwise_is_biased():
    full_data = _answers(7)
    d = _blank_u3_when_u1_high(full_data, 8)
    full = relative_importance(full_data, "K1", UNSUR, progress=False).shares()
    reps = _bootstrap(len(d), 100, 9)
    listwise = relative_importance(d, "K1", UNSUR, replicate_weights=reps, progress=False)
    mi = imputed_importance(d, "K1", UNSUR, replicate_weights=reps, m=10, seed=1, progress=False)
    t = mi.table.set_index("unsur")
    assert mi.n == len(d) and mi.imputed == {"U3": int(d["U3"].isna().sum())} and listwise.n < 0.7 * len(d)
    # listwise understates U1 by about 0.1 of R^2; MI's interval covers every complete-data share
    assert full["U1"] - listwise.shares()["U1"] > 0.06
    assert ((t["ci_low"] <= full) & (full <= t["ci_high"])).all()
    assert abs(t.loc["U1", "importance"] - full["U1"]) < 0.02
    assert (t["fmi"] > 0).all() and t.loc["U3", "fmi"] > t.loc["U2", "fmi"]
    half = stats.t.ppf(0.975, t["df"]) * t["se"]
    assert np.allclose(t["ci_high"] - t["importance"], half)


def test_seeded_simulation_imputation_unbiased_listwise_biased():
    # 20 data sets; Monte Carlo SE of a mean difference = SD / sqrt(20) (about 0.005 for U1)
    diffs = []
    for s in range(20):
        full_data = _answers(100 + s)
        d = _blank_u3_when_u1_high(full_data, 200 + s)
        full = relative_importance(full_data, "K1", UNSUR, progress=False).shares().to_numpy()
        listwise = relative_importance(d, "K1", UNSUR, progress=False).shares().to_numpy()
        mi = imputed_importance(d, "K1", UNSUR, replicate_weights=_bootstrap(len(d), 20, s), m=5, seed=s,
                                progress=False).table["importance"].to_numpy()
        diffs.append(np.r_[listwise - full, mi - full])
    diffs = np.array(diffs)
    mean, mc_se = diffs.mean(axis=0), diffs.std(axis=0, ddof=1) / np.sqrt(len(diffs))
    assert mean[0] < -0.07 and mean[0] < -10 * mc_se[0]  # listwise: U1 share biased down
    assert (np.abs(mean[3:]) < 3 * mc_se[3:] + 0.005).all()  # MI: no bias beyond Monte Carlo error


def test_weights_replicate_design_and_errors():
    from riset.survey.design import SurveyDesign
    from riset.survey.replicate import as_replicate

    d = _blank_u3_when_u1_high(_answers(3, 240), 4).assign(psu=np.arange(240) // 4, w=np.linspace(1, 3, 240))
    rep = as_replicate(SurveyDesign(d, weights="w", psu="psu"), type="bootstrap", replicates=30, seed=5)
    by_design = imputed_importance(rep, "K1", UNSUR, m=3, seed=2, progress=False)
    by_frame = imputed_importance(d, "K1", UNSUR, weights="w", replicate_weights=rep.replicate_weights, m=3,
                                  seed=2, df_complete=rep.df, progress=False)
    assert by_design.table["importance"].tolist() == pytest.approx(by_frame.table["importance"].tolist())
    assert by_design.table["df"].max() <= rep.df  # Barnard-Rubin df never exceeds the complete-data df
    with pytest.raises(DataError, match="need a variance from each completed data set"):
        imputed_importance(d, "K1", UNSUR, weights="w", m=3, progress=False)
    with pytest.raises(DataError, match="'K1' are not among the predictors"):
        imputed_importance(d, "K1", UNSUR, impute=["K1"], replicate_weights=rep.replicate_weights, progress=False)
    with pytest.raises(DataError, match="weight column 'w' has value"):
        imputed_importance(d.assign(w=d["w"].mask(d.index == 5)), "K1", UNSUR, weights="w",
                           replicate_weights=rep.replicate_weights, m=2, progress=False)
    # a blank overall item is not imputed: the respondent is left out and reported
    d.loc[0, "K1"] = np.nan
    mi = imputed_importance(d, "K1", UNSUR, replicate_weights=rep.replicate_weights, m=2, seed=0, progress=False)
    assert mi.n == 239 and mi.notes[0].values["n"] == 1
    assert "Rubin" in mi.summary("en") and "U3" in repr(mi)


def test_ranking_sensitivity_side_by_side():
    d = _blank_u3_when_u1_high(_answers(11, 600), 12)
    reps = _bootstrap(len(d), 30, 1)
    main = relative_importance(d, "K1", UNSUR, replicate_weights=reps, progress=False)
    without = relative_importance(d, "K1", ["U1", "U2"], progress=False)
    mi = imputed_importance(d, "K1", UNSUR, replicate_weights=reps, m=3, seed=0, progress=False)
    out = ranking_sensitivity({"listwise": main, "tanpa_U3": without, "imputasi": mi})
    t = out.table.set_index("unsur")
    assert list(t.index) == main.share_table()["unsur"].tolist()
    assert np.isnan(t.loc["U3", "porsi_tanpa_U3"]) and pd.isna(t.loc["U3", "peringkat_tanpa_U3"])
    assert t["peringkat_imputasi"].tolist() == mi.table.set_index("unsur").loc[t.index, "peringkat"].tolist()
    assert t.loc["U1", "porsi_listwise"] == pytest.approx(main.shares()["U1"])
    assert out.spearman["listwise"] == 1.0 and out.n == {"listwise": main.n, "tanpa_U3": without.n, "imputasi": mi.n}
    assert "tanpa_U3: " in out.summary("id")


def test_imputed_analysis_answers_as_a_driver_analysis():
    """Issue 14.7: the imputed analysis can be the study's headline, so it answers what IPA, the recommendations,
    the charts and the report ask of a driver analysis (`riset.skm.drivers.DriverImportance`)."""
    from riset.skm.ipa import derived_importance

    d = _blank_u3_when_u1_high(_answers(3, 400), 4)
    mi = imputed_importance(d, "K1", {"U1": "waktu", "U2": "biaya", "U3": "pengaduan"},
                            replicate_weights=_bootstrap(len(d), 30, 5), m=3, seed=1, progress=False)
    t = mi.table.set_index("unsur")
    assert mi.methods == ("lmg",) and mi.shares().to_dict() == t["importance"].to_dict()
    assert mi.ranking("lmg") == mi.ranking() == list(t["importance"].sort_values(ascending=False).index)
    assert mi.ranking(key="kolom")[0] == t.loc[mi.ranking()[0], "kolom"]
    assert derived_importance(mi, "lmg").to_dict() == pytest.approx((100 * t["importance"]).to_dict())
    with pytest.raises(DataError, match="johnson"):
        derived_importance(mi, "johnson")
    with pytest.raises(DataError, match="pooled lmg shares, not johnson"):
        mi.shares("johnson")
    words = mi.blanks_text(len(d), "id")
    blank = int(d["U3"].isna().sum())
    assert words.startswith(f"Analisis ini memakai {mi.n} dari {len(d)} responden, yaitu semua yang menjawab "
                            "kepuasan keseluruhan. Responden yang mengosongkan unsur U8 Penanganan Pengaduan, "
                            f"Saran dan Masukan tetap ikut: {blank} jawaban kosong itu diisi dengan imputasi berganda.")
    assert "Setiap jawaban kosong diisi 3 kali" in words and "aturan Rubin" in words and "missing at random" in words
    assert "30 replikasi bootstrap" in mi.interval_text("id") and "Barnard-Rubin" in mi.interval_text("en")
    # a blank overall item leaves the respondent out; so does a blank in an unsur not imputed, and the text says so
    d.loc[:4, "K1"] = np.nan
    d.loc[5:9, "U2"] = np.nan
    only = imputed_importance(d, "K1", {"U1": "waktu", "U2": "biaya", "U3": "pengaduan"}, impute=["U3"],
                              replicate_weights=_bootstrap(len(d), 30, 5), m=2, seed=1, progress=False)
    assert only.n == len(d) - 10 and only.left_out == {"K1": 5, "U2": 5}
    assert (f"memakai {only.n} dari {len(d)} responden, yaitu semua yang menjawab kepuasan keseluruhan dan unsur "
            "selain U8 Penanganan Pengaduan, Saran dan Masukan; 10 responden tidak disertakan"
            ) in only.blanks_text(len(d))
    every = imputed_importance(d, "K1", {"U1": "waktu", "U2": "biaya", "U3": "pengaduan"},
                               replicate_weights=_bootstrap(len(d), 30, 5), m=2, seed=1, progress=False)
    assert every.n == len(d) - 5 and every.left_out == {"K1": 5} and set(every.imputed) == {"U2", "U3"}
    assert "The 5 respondents who did not answer overall satisfaction are left out" in every.blanks_text(len(d), "en")


def test_chained_pmm_fills_several_blank_columns_from_the_others_seeded():
    """Issue 14.7: the study's headline imputes every unsur with blanks, in turn (chained equations); the observed
    answers stay, every imputed value is an answer on the scale, the same seed gives the same data set, and each
    column's imputations follow its relation with the others (closer to the true answers than random draws)."""
    truth = _answers(11, 600)[["K1", *UNSUR]].to_numpy()
    rng = np.random.default_rng(12)
    x = truth.copy()
    for j in (1, 2, 3):
        x[rng.random(len(x)) < 0.2, j] = np.nan
    blank = np.isnan(x)
    assert (blank.sum(axis=1) >= 2).any()  # some respondents left several unsur blank
    out = pmm_impute(x, blank, np.ones(len(x)), np.random.default_rng(0), iterations=5)
    assert not np.isnan(out).any() and np.array_equal(out[~blank], x[~blank])
    assert set(np.unique(out[blank])) <= {1.0, 2.0, 3.0, 4.0}
    assert np.array_equal(out, pmm_impute(x, blank, np.ones(len(x)), np.random.default_rng(0), iterations=5))
    assert not np.array_equal(out, pmm_impute(x, blank, np.ones(len(x)), np.random.default_rng(1), iterations=5))
    for j in (1, 2, 3):
        rows = blank[:, j]
        assert np.corrcoef(out[rows, j], truth[rows, j])[0, 1] > 0.25, j
