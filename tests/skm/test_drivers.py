"""Key-driver analysis: LMG/Shapley and Johnson relative weights, replicate CIs, out-of-sample check."""

from itertools import permutations
from math import factorial

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from riset.skm.drivers import (
    correlation_importance,
    johnson_weights,
    lmg_from_r2,
    out_of_sample_check,
    relative_importance,
    subset_r2,
)
from riset.errors import DataError


def _wls_r2(data, y, xs, w):
    """Weighted R^2 from an actual WLS fit (independent of the correlation-matrix shortcut)."""
    if not xs:
        return 0.0
    fit = sm.WLS(data[y], sm.add_constant(data[list(xs)]), weights=w).fit()
    resid = data[y] - fit.fittedvalues
    ybar = np.average(data[y], weights=w)
    return 1 - np.sum(w * resid**2) / np.sum(w * (data[y] - ybar) ** 2)


@pytest.fixture
def survey():
    rng = np.random.default_rng(42)
    n = 150
    x = rng.normal(size=(n, 4)) @ np.array([[1, 0.4, 0.2, 0], [0, 1, 0.3, 0.1], [0, 0, 1, 0.5], [0, 0, 0, 1]])
    d = pd.DataFrame(x, columns=["U1", "U2", "U3", "U4"])
    d["K1"] = 0.2 * d["U1"] + 1.0 * d["U2"] + 0.5 * d["U3"] + 0.05 * d["U4"] + rng.normal(size=n)
    d["w"] = rng.uniform(0.5, 3.0, size=n)
    return d


def test_two_predictors_lmg_is_average_of_both_orders(survey):
    r2_1 = _wls_r2(survey, "K1", ["U1"], survey["w"])
    r2_2 = _wls_r2(survey, "K1", ["U2"], survey["w"])
    r2_12 = _wls_r2(survey, "K1", ["U1", "U2"], survey["w"])
    ri = relative_importance(survey, "K1", ["U1", "U2"], weights="w", progress=False)
    # order (U1, U2): U1 adds r2_1; order (U2, U1): U1 adds r2_12 - r2_2
    expected_u1 = (r2_1 + (r2_12 - r2_2)) / 2
    expected_u2 = (r2_2 + (r2_12 - r2_1)) / 2
    assert ri.table["lmg"].tolist() == pytest.approx([expected_u1, expected_u2], abs=1e-12)
    assert ri.r2 == pytest.approx(r2_12, abs=1e-12)


def test_two_predictors_johnson_closed_form():
    # R_xx = [[1, r], [r, 1]]: Lambda = [[a, b], [b, a]], a = (sqrt(1+r) + sqrt(1-r))/2, b = (sqrt(1+r) - sqrt(1-r))/2
    r, ry = 0.5, np.array([0.6, 0.3])
    a, b = (np.sqrt(1 + r) + np.sqrt(1 - r)) / 2, (np.sqrt(1 + r) - np.sqrt(1 - r)) / 2
    beta = np.linalg.inv(np.array([[a, b], [b, a]])) @ ry
    eps1 = a**2 * beta[0] ** 2 + b**2 * beta[1] ** 2
    eps2 = b**2 * beta[0] ** 2 + a**2 * beta[1] ** 2
    # data with exactly this correlation structure: build y and x from a Cholesky factor
    corr = np.array([[1, 0.6, 0.3], [0.6, 1, r], [0.3, r, 1]])
    z = np.random.default_rng(0).normal(size=(500, 3))
    z = (z - z.mean(0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(z.T, bias=True))).T
    d = pd.DataFrame(z @ np.linalg.cholesky(corr).T, columns=["K1", "U1", "U2"])
    ri = relative_importance(d, "K1", ["U1", "U2"], progress=False)
    r2 = ry @ np.linalg.solve(np.array([[1, r], [r, 1]]), ry)
    assert ri.r2 == pytest.approx(r2, abs=1e-10)
    assert ri.table["johnson"].tolist() == pytest.approx([eps1, eps2], abs=1e-10)
    assert eps1 + eps2 == pytest.approx(r2, abs=1e-12)


def test_lmg_equals_average_over_all_orders_of_entry(survey):
    """Brute force: p! orders, each R^2 from a real weighted fit, versus the all-subsets formula."""
    xs = ["U1", "U2", "U3", "U4"]
    cache = {}

    def r2(subset):
        key = frozenset(subset)
        if key not in cache:
            cache[key] = _wls_r2(survey, "K1", sorted(key), survey["w"])
        return cache[key]

    brute = dict.fromkeys(xs, 0.0)
    for order in permutations(xs):
        for i, x in enumerate(order):
            brute[x] += (r2(order[: i + 1]) - r2(order[:i])) / factorial(len(xs))
    ri = relative_importance(survey, "K1", xs, weights="w", progress=False)
    assert ri.table["lmg"].tolist() == pytest.approx([brute[x] for x in xs], abs=1e-10)
    assert ri.table["lmg"].sum() == pytest.approx(r2(xs), abs=1e-10)
    assert ri.table["johnson"].sum() == pytest.approx(r2(xs), abs=1e-10)
    assert ri.table["lmg_persen"].sum() == pytest.approx(100)
    assert ri.ranking() == ["U2", "U3", "U1", "U4"]


def test_subset_r2_matches_fits_for_every_subset(survey):
    xs = ["U1", "U2", "U3", "U4"]
    corr = survey[["K1", *xs]].corr().to_numpy()
    table = subset_r2(corr[1:, 1:], corr[1:, 0])
    assert len(table) == 16
    for mask in range(16):
        chosen = [x for j, x in enumerate(xs) if mask >> j & 1]
        assert table[mask] == pytest.approx(_wls_r2(survey, "K1", chosen, np.ones(len(survey))), abs=1e-10)


def test_lmg_of_uncorrelated_predictors_is_squared_correlation():
    # with orthogonal predictors every order adds r_j^2, so LMG_j = r_j^2
    assert lmg_from_r2(subset_r2(np.eye(3), np.array([0.5, 0.2, 0.1]))).tolist() == pytest.approx([0.25, 0.04, 0.01])


def test_replicate_ci_is_percentile_of_refits_on_replicate_weights(survey):
    """A hand-made replicate matrix: replicate r keeps some rows (weight x 2) and drops others (0)."""
    n = len(survey)
    keep = [np.arange(n) % 3 != r for r in range(3)] + [np.arange(n) < 100, np.arange(n) >= 50]
    reps = np.column_stack([survey["w"].to_numpy() * 2 * k for k in keep])
    ri = relative_importance(survey, "K1", ["U1", "U2", "U3"], weights="w", replicate_weights=reps, level=0.5, progress=False)
    direct = np.array(
        [relative_importance(survey[k], "K1", ["U1", "U2", "U3"], weights="w", progress=False).table["lmg"] for k in keep]
    )
    assert ri.replicates["lmg"] == pytest.approx(direct, abs=1e-10)
    assert ri.table["lmg_lo"].tolist() == pytest.approx(np.percentile(direct, 25, axis=0).tolist())
    assert ri.table["lmg_hi"].tolist() == pytest.approx(np.percentile(direct, 75, axis=0).tolist())
    assert ri.table["lmg_se"].tolist() == pytest.approx(direct.std(axis=0, ddof=1).tolist())


def test_replicate_rows_follow_listwise_deletion(survey):
    d = survey.copy()
    d.loc[[3, 7], "U2"] = np.nan
    reps = np.column_stack([d["w"].to_numpy(), d["w"].to_numpy()])
    ri = relative_importance(d, "K1", ["U1", "U2"], weights="w", replicate_weights=reps, progress=False)
    assert ri.n == len(d) - 2
    assert "2 dari 150 responden" in ri.notes[0].text("id") and "U2 2" in ri.notes[0].text("id")
    assert ri.replicates["lmg"][0] == pytest.approx(ri.table["lmg"].to_numpy())


def test_unsur_mapping_gives_regulation_names(survey):
    ri = relative_importance(survey, "K1", {"U1": "waktu", "U2": "Sarana dan Prasarana"}, progress=False)
    assert ri.table["unsur"].tolist() == ["waktu", "sarana"]
    assert ri.table["nama"].tolist() == ["Waktu Penyelesaian", "Sarana dan Prasarana"]


def test_correlation_importance_is_weighted_pearson(survey):
    t = correlation_importance(survey, "K1", ["U1", "U2"], weights="w")
    w, x, y = survey["w"], survey["U1"], survey["K1"]
    mx, my = np.average(x, weights=w), np.average(y, weights=w)
    r = np.sum(w * (x - mx) * (y - my)) / np.sqrt(np.sum(w * (x - mx) ** 2) * np.sum(w * (y - my) ** 2))
    assert t["korelasi"].iloc[0] == pytest.approx(r, abs=1e-12)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.assign(U2=3.0), "same answer for every respondent"),
        (lambda d: d.assign(U2=d["U1"] * 2), "perfectly collinear"),
        (lambda d: d.assign(U1=d["U1"].astype(object).where(d.index != 4, "bagus")), "non-numeric value 'bagus' in row 4"),
        (lambda d: d.assign(w=d["w"].where(d.index != 9, -1.0)), "weight column 'w' has value -1 in row 9"),
    ],
)
def test_bad_input_names_column_and_row(survey, change, message):
    with pytest.raises(DataError, match=message):
        relative_importance(change(survey), "K1", ["U1", "U2"], weights="w", progress=False)


def test_bad_replicate_shape_and_outcome_among_predictors(survey):
    with pytest.raises(DataError, match="n x R matrix with one row per respondent \\(150 rows\\)"):
        relative_importance(survey, "K1", ["U1"], replicate_weights=np.ones((10, 3)), progress=False)
    with pytest.raises(DataError, match="outcome 'K1' is also listed"):
        relative_importance(survey, "K1", ["U1", "K1"], progress=False)


def test_out_of_sample_check_agrees_on_a_strong_linear_ordering():
    rng = np.random.default_rng(3)
    n = 600
    d = pd.DataFrame(rng.integers(1, 5, size=(n, 5)).astype(float), columns=["U1", "U2", "U3", "U4", "U5"])
    d["K1"] = 2.0 * d["U3"] + 1.2 * d["U1"] + 0.6 * d["U5"] + 0.2 * d["U2"] + rng.normal(scale=0.8, size=n)
    d["hari"] = rng.integers(0, 60, size=n)
    xs = ["U1", "U2", "U3", "U4", "U5"]
    ref = relative_importance(d, "K1", xs, progress=False)
    chk = out_of_sample_check(d, "K1", xs, reference=ref, groups="hari", n_splits=3, n_repeats=3, seed=1, progress=False)
    assert chk.table.sort_values("permutasi", ascending=False)["kolom"].head(3).tolist() == ["U3", "U1", "U5"]
    assert chk.top_overlap == 3 and chk.spearman >= 0.9 and chk.holds == "ya"
    assert chk.r2_cv > 0.7 and chk.r2_cv_linear > 0.7
    assert "bertahan di luar sampel" in chk.verdict() and "3 dari 3" in chk.verdict()
    assert "holds out of sample" in chk.verdict("en")
    again = out_of_sample_check(d, "K1", xs, reference=ref, groups="hari", n_splits=3, n_repeats=3, seed=1, progress=False)
    assert again.table["permutasi"].tolist() == chk.table["permutasi"].tolist()


def test_out_of_sample_check_says_when_ranking_does_not_hold():
    rng = np.random.default_rng(5)
    n = 600
    d = pd.DataFrame(rng.uniform(-1, 1, size=(n, 3)), columns=["U1", "U2", "U3"])
    # U1 acts through a U-shape (no linear signal), U2 linearly but weakly
    d["K1"] = 3 * d["U1"] ** 2 + 0.5 * d["U2"] + rng.normal(scale=0.3, size=n)
    ref = relative_importance(d, "K1", ["U1", "U2", "U3"], progress=False)
    chk = out_of_sample_check(d, "K1", ["U1", "U2", "U3"], reference=ref, n_splits=3, n_repeats=3, top=1, progress=False)
    assert ref.ranking()[0] == "U2"
    assert chk.table.sort_values("permutasi")["kolom"].iloc[-1] == "U1"
    assert chk.top_overlap == 0 and chk.holds != "ya"
    assert "bertahan di luar sampel" not in chk.verdict().replace("tidak bertahan", "").replace("sebagian bertahan", "")


def test_out_of_sample_check_says_it_uses_complete_answers_and_names_unsur_in_the_language():
    """Issue 14.7: the check fits on the respondents with every answer (listwise) while the study's headline may
    impute blanks, so its sentence says so; the English sentence names the unsur in English."""
    rng = np.random.default_rng(8)
    n = 300
    unsur = {"U1": "waktu", "U2": "perilaku", "U3": "biaya"}
    d = pd.DataFrame(rng.integers(1, 5, size=(n, 3)).astype(float), columns=list(unsur))
    d["K1"] = 2.0 * d["U1"] + 1.0 * d["U2"] + rng.normal(scale=0.5, size=n)
    d.loc[:19, "U3"] = np.nan
    ref = relative_importance(d, "K1", unsur, progress=False)
    chk = out_of_sample_check(d, "K1", unsur, reference=ref, n_splits=3, n_repeats=2, top=2, progress=False)
    assert chk.n == ref.n == n - 20
    words_id, words_en = chk.verdict("id"), chk.verdict("en")
    assert f"memakai {n - 20} responden yang menjawab kepuasan keseluruhan dan semua unsur (jawaban lengkap, " \
           "tanpa imputasi)" in words_id
    assert "regresi linear pada responden yang sama (jawaban lengkap)" in words_id
    assert "Waktu Penyelesaian; Perilaku Pelaksana" in words_id
    assert f"uses the {n - 20} respondents who answered overall satisfaction and every element (complete " \
           "answers, nothing imputed)" in words_en
    assert "Completion time; Staff conduct" in words_en and "Waktu" not in words_en

def test_example_study_recovers_true_driver_ordering():
    """The bundled example: LMG ranking vs the generator's true ordering (data/raw/contoh_kebenaran.yaml)."""
    from pathlib import Path

    import yaml
    from scipy.stats import spearmanr

    from riset.skm.exports import read_codebook, read_survey

    root = Path(__file__).resolve().parents[2]
    cb = read_codebook(root / "data/raw/contoh_skm_codebook.yaml")
    data = read_survey(root / "data/raw/contoh_skm_responden.csv", cb).data
    truth = yaml.safe_load((root / "data/raw/contoh_kebenaran.yaml").read_text())["model_k1"]
    true_order = truth["urutan_menurut_porsi_r2"]
    for weights in (None, "bobot_desain"):
        ri = relative_importance(data, "K1", cb.unsur_map(), weights=weights, progress=False)
        order = ri.ranking()
        assert order[:3] == true_order[:3]
        rho = spearmanr([order.index(k) for k in true_order], range(len(true_order))).statistic
        assert rho > 0.9
        assert ri.ranking("johnson")[:3] == true_order[:3]
        # shares of R^2 close to the generator's expected shares (200,000 simulated respondents)
        shares = ri.shares()
        assert max(abs(shares[k] - v) for k, v in truth["porsi_r2_harapan"].items()) < 0.04


def test_design_input_and_rao_wu_replicates(survey):
    from riset.survey.design import SurveyDesign
    from riset.survey.replicate import as_replicate

    d = survey.assign(h=np.arange(len(survey)) % 3, psu=np.arange(len(survey)) // 5)
    design = SurveyDesign(d, weights="w", strata="h", psu="psu")
    plain = relative_importance(d, "K1", ["U1", "U2"], weights="w", progress=False)
    boot = relative_importance(design, "K1", ["U1", "U2"], replicates=20, seed=11, progress=False)
    assert boot.table["lmg"].tolist() == pytest.approx(plain.table["lmg"].tolist(), abs=1e-12)
    rep = as_replicate(design, type="bootstrap", replicates=20, seed=11)
    by_matrix = relative_importance(d, "K1", ["U1", "U2"], weights="w", replicate_weights=rep.replicate_weights, progress=False)
    assert boot.table["lmg_lo"].tolist() == pytest.approx(by_matrix.table["lmg_lo"].tolist(), abs=1e-12)
    # a domain: rows outside have weight 0 and are left out (also from the note on blanks)
    d.loc[[0, 1], "U1"] = np.nan  # row 0 is in domain h = 0, row 1 is not
    design = SurveyDesign(d, weights="w", strata="h", psu="psu")
    dom = relative_importance(design.subset(d["h"].to_numpy() == 0), "K1", ["U1", "U2"], progress=False)
    assert dom.notes[0].text("id").startswith("1 dari 50 responden")
    direct = relative_importance(d[d["h"] == 0], "K1", ["U1", "U2"], weights="w", progress=False)
    assert dom.n == int((d["h"] == 0).sum()) - 1 and dom.r2 == pytest.approx(direct.r2, abs=1e-12)


def test_jackknife_design_gives_t_interval(survey):
    from scipy import stats

    from riset.survey.design import SurveyDesign
    from riset.survey.replicate import as_replicate

    d = survey.assign(psu=np.arange(len(survey)) // 10)
    jk = as_replicate(SurveyDesign(d, weights="w", psu="psu"), type="jk1")
    ri = relative_importance(jk, "K1", ["U1", "U2"], progress=False)
    reps = ri.replicates["lmg"]
    se = np.sqrt((reps.shape[0] - 1) / reps.shape[0] * ((reps - reps.mean(axis=0)) ** 2).sum(axis=0))
    assert ri.table["lmg_se"].tolist() == pytest.approx(se.tolist())
    half = stats.t.ppf(0.975, jk.df) * se
    assert ri.table["lmg_hi"].tolist() == pytest.approx((ri.table["lmg"] + half).tolist())
    with pytest.raises(DataError, match="weights come from the design"):
        relative_importance(jk, "K1", ["U1"], weights="w", progress=False)


def test_correlation_importance_refuses_a_constant_column(survey):
    with pytest.raises(DataError, match="column 'U2' has the same answer for every respondent"):
        correlation_importance(survey.assign(U2=2.0), "K1", ["U1", "U2"])


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.integers(2, 7), st.integers(0, 2**32 - 1))
def test_shares_sum_to_r2_and_are_non_negative_for_random_correlations(p, seed):
    """Property: for any valid correlation structure LMG and Johnson shares are >= 0 and add up to R^2."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(p + 1, p + 1)) + np.eye(p + 1) * rng.uniform(0.1, 2)
    cov = a @ a.T
    corr = cov / np.sqrt(np.outer(np.diag(cov), np.diag(cov)))
    rxx, rxy = corr[1:, 1:], corr[1:, 0]
    r2 = subset_r2(rxx, rxy)
    lmg, johnson = lmg_from_r2(r2), johnson_weights(rxx, rxy)
    assert lmg.sum() == pytest.approx(r2[-1], abs=1e-9)
    assert johnson.sum() == pytest.approx(r2[-1], abs=1e-9)
    assert (lmg >= -1e-12).all() and (johnson >= -1e-12).all()
    assert r2[-1] <= 1 + 1e-9


def test_weighted_lmg_and_johnson_match_r_golden_values():
    """apistrat with weights pw: LMG from R lm() fits over all 5! orders, Johnson from R cov.wt + eigen."""
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    golden = json.loads((root / "tests/data/golden/drivers_api.json").read_text())
    api = pd.read_csv(root / "tests/data/api/apistrat.csv")
    ri = relative_importance(api, golden["outcome"], golden["predictors"], weights=golden["weights"], progress=False)
    assert ri.n == golden["n"]
    assert ri.r2 == pytest.approx(golden["r2"], rel=1e-10)
    assert ri.table["lmg"].tolist() == pytest.approx(golden["lmg"], rel=1e-9)
    assert ri.table["johnson"].tolist() == pytest.approx(golden["johnson"], rel=1e-9)


def test_out_of_sample_check_accepts_a_design(survey):
    from riset.survey.design import SurveyDesign

    d = survey.assign(psu=np.arange(len(survey)) // 5)
    xs = ["U1", "U2", "U3"]
    kwargs = dict(groups="psu", n_splits=3, n_repeats=2, seed=4, progress=False)
    by_design = out_of_sample_check(SurveyDesign(d, weights="w", psu="psu"), "K1", xs, **kwargs)
    by_column = out_of_sample_check(d, "K1", xs, weights="w", **kwargs)
    assert by_design.table["permutasi"].tolist() == pytest.approx(by_column.table["permutasi"].tolist())
    assert by_design.r2_cv == pytest.approx(by_column.r2_cv)


def test_too_many_predictors_for_all_subsets():
    d = pd.DataFrame(np.random.default_rng(0).normal(size=(60, 18)), columns=[f"X{i}" for i in range(18)])
    with pytest.raises(DataError, match="17 predictors is more than 16"):
        relative_importance(d, "X0", [f"X{i}" for i in range(1, 18)], progress=False)


def test_shares_are_computed_within_each_replicate_and_rank_stability_is_reported():
    from riset.skm.drivers import RelativeImportance

    table = pd.DataFrame({"unsur": ["waktu", "biaya"], "nama": ["W", "B"], "lmg": [0.3, 0.1], "johnson": [0.3, 0.1],
                          "lmg_lo": [0.2, 0.05], "lmg_hi": [0.4, 0.15]})
    reps = np.array([[0.3, 0.1], [0.2, 0.2], [0.4, 0.1], [0.1, 0.3]])
    ri = RelativeImportance(table, r2=0.4, n=100, outcome="K1", level=0.5, replicates={"lmg": reps})
    t = ri.share_table().set_index("unsur")
    # replicate shares of waktu: .75, .5, .8, .25 -> 25th-75th percentiles .4375 and .7625
    assert t.loc["waktu", "importance"] == pytest.approx(0.75)
    assert (t.loc["waktu", "ci_low"], t.loc["waktu", "ci_high"]) == (pytest.approx(0.4375), pytest.approx(0.7625))
    # waktu ranks first in replicates 1 and 3 (and ties in 2, kept in order): 3 of 4
    assert t.loc["waktu", "stabilitas_peringkat"] == pytest.approx(0.75)


def test_quantile_mc_error_matches_the_spread_of_the_quantile_over_repeated_draws():
    from riset.skm.drivers import quantile_mc_error

    # 2,000 sets of R = 400 normal draws: the SD of their 2.5 % quantile is the true Monte Carlo SE
    # (asymptotically sqrt(q(1-q)/R) / phi(z_q) = 0.134); the order-statistic estimate must agree on average
    rng = np.random.default_rng(5)
    draws = rng.normal(size=(2000, 400))
    true_se = np.quantile(draws, 0.025, axis=1).std(ddof=1)
    estimated = np.array([quantile_mc_error(d[:, None], 0.025)[0] for d in draws])
    assert true_se == pytest.approx(0.134, rel=0.06)
    assert estimated.mean() == pytest.approx(true_se, rel=0.05)


def _design(survey):
    from riset.survey.design import SurveyDesign

    d = survey.assign(h=np.arange(len(survey)) % 3, psu=np.arange(len(survey)) // 3)
    return SurveyDesign(d, weights="w", strata="h", psu="psu")


def test_auto_replicates_raise_the_count_until_the_monte_carlo_error_meets_the_target(survey):
    design = _design(survey)
    loose = relative_importance(design, "K1", ["U1", "U2", "U3"], replicates="auto", seed=3, mc_target=0.2,
                                progress=False)
    assert len(loose.replicates["lmg"]) == 100 and loose.mc_error <= 0.2  # the pilot suffices
    tight = relative_importance(design, "K1", ["U1", "U2", "U3"], replicates="auto", seed=3, mc_target=0.01,
                                progress=False)
    count = len(tight.replicates["lmg"])
    assert count > 100 and tight.mc_error <= 0.01 and tight.mc_target == 0.01
    # the stated error is the order-statistic MC error of the share interval ends actually reported
    from riset.skm.drivers import quantile_mc_error, replicate_shares

    shares = replicate_shares(tight.replicates["lmg"])
    assert tight.mc_error >= quantile_mc_error(shares, 0.025).max() - 1e-15
    assert "0,01" not in tight.summary("id") and "di bawah 1,00 poin persen" in tight.summary("id")
    again = relative_importance(design, "K1", ["U1", "U2", "U3"], replicates="auto", seed=3, mc_target=0.01,
                                progress=False)
    assert len(again.replicates["lmg"]) == count and again.table["lmg_lo"].equals(tight.table["lmg_lo"])
    # a cap stops the search and says what was achieved
    capped = relative_importance(design, "K1", ["U1", "U2", "U3"], replicates="auto", seed=3, mc_target=0.001,
                                 max_replicates=150, progress=False)
    assert len(capped.replicates["lmg"]) == 150 and capped.mc_error > 0.001


def test_auto_replicates_from_a_function_and_bad_arguments(survey):
    rng_calls = []

    def draw(count, seed):
        rng_calls.append(count)
        return np.random.default_rng(seed).multinomial(len(survey), np.full(len(survey), 1 / len(survey)),
                                                       size=count).T.astype(float)

    ri = relative_importance(survey, "K1", ["U1", "U2"], weights="w", replicate_weights=draw, replicates="auto",
                             seed=1, mc_target=0.03, progress=False)
    assert rng_calls[0] == 100 and len(ri.replicates["lmg"]) == sum(rng_calls)
    with pytest.raises(DataError, match='replicates="auto" draws'):
        relative_importance(survey, "K1", ["U1", "U2"], weights="w", replicates="auto", progress=False)
    with pytest.raises(DataError, match="mc_target must be between 0 and 1"):
        relative_importance(_design(survey), "K1", ["U1", "U2"], replicates="auto", mc_target=2, progress=False)


def test_fixed_bootstrap_replicates_state_their_monte_carlo_error(survey):
    from riset.skm.drivers import quantile_mc_error, replicate_shares

    reps = np.random.default_rng(2).exponential(size=(len(survey), 60))
    ri = relative_importance(survey, "K1", ["U1", "U2"], weights="w", replicate_weights=reps, progress=False)
    ends = [quantile_mc_error(replicate_shares(ri.replicates[m]), q) for m in ("lmg", "johnson") for q in (.025, .975)]
    assert ri.mc_error == pytest.approx(np.max(ends)) and ri.mc_target is None
    assert "60 bootstrap replicates; Monte Carlo error" in ri.summary("en")
