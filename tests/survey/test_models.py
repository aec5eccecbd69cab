"""riset.survey.models against R survey (svyglm gaussian / quasibinomial, svyolr) and hand-checkable properties.

Golden values: tests/r/golden_models.R -> tests/data/golden/models_api.json (R survey 4.1.1, run with tight
optimizer control so that they hold the exact estimates); data: tests/data/api/*.csv (tests/r/export_api.R).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.miscmodels.ordinal_model import OrderedModel

from riset.survey.design import SurveyDesign
from riset.errors import DataError, RisetError
from riset.skm.drivers import satisfaction_formula, unsur_labels
from riset.survey import model_frame, models
from riset.survey.models import linear, logistic, ordinal
from riset.survey.replicate import ReplicateDesign
from riset.survey.weighting import poststratify

DATA = Path(__file__).resolve().parents[1] / "data"
GOLDEN = json.loads((DATA / "golden" / "models_api.json").read_text())
FIT = {"linear": linear, "logistic": logistic, "ordinal": ordinal}


def _api(name: str) -> pd.DataFrame:
    d = pd.read_csv(DATA / "api" / f"{name}.csv")
    d.columns = [c.replace(".", "_") for c in d.columns]
    d["hi700"] = (d["api00"] > 700).astype(float)
    breaks = [-np.inf, *GOLDEN["apicat_breaks"], np.inf]
    d["apicat"] = pd.cut(d["api00"], breaks, labels=["low", "mid", "high", "top"])
    return d


@pytest.fixture(scope="module")
def designs():
    clus1 = SurveyDesign(_api("apiclus1"), weights="pw", psu="dnum", fpc="fpc")
    return {
        "strat": SurveyDesign(_api("apistrat"), weights="pw", strata="stype", fpc="fpc"),
        "clus1": clus1,
        "clus2": SurveyDesign(_api("apiclus2"), weights="pw", psu="dnum", ssu="snum", fpc="fpc1", fpc2="fpc2"),
        "clus1_ps": poststratify(clus1, pd.Series({"E": 4421, "H": 755, "M": 1018}).rename_axis("stype")),
    }


@pytest.fixture(scope="module")
def jk1():
    """R's as.svrepdesign(clus1, type="JK1") replicate weights, scale and rscales, taken as given."""
    data = _api("apiclus1")
    spec = GOLDEN["jk1"]
    reps = np.array(spec["repweights"]) * data["pw"].to_numpy()[:, None]
    return ReplicateDesign(data, "pw", reps, "jk1", scale=spec["scale"], rscales=spec["rscales"], mse=spec["mse"])


def _r_name(term: str) -> str:
    """patsy column name -> R coefficient name (stype[T.H] -> stypeH)."""
    m = re.fullmatch(r"(\w+)\[T\.(.+)\]", term)
    return "(Intercept)" if term == "Intercept" else (m.group(1) + m.group(2) if m else term)


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=[c["name"] for c in GOLDEN["cases"]])
def test_matches_r_survey(case, designs, jk1):
    design = jk1 if case["design"] == "jk1" else designs[case["design"]]
    if "domain" in case:
        design = design.subset(design.data["stype"] == "E")
    fit = FIT[case["kind"]](case["formula"], design)
    order = [case["coef_names"].index(_r_name(t)) for t in fit.params.index]
    assert len(order) == len(case["coef"])
    np.testing.assert_allclose(fit.params.to_numpy(), np.array(case["coef"])[order], rtol=1e-6)
    np.testing.assert_allclose(fit.se.to_numpy(), np.array(case["se"])[order], rtol=1e-5)
    vcov = np.array(case["vcov"])[np.ix_(order, order)]
    np.testing.assert_allclose(fit.cov.to_numpy(), vcov, rtol=1e-5, atol=1e-9 * np.abs(vcov).max())
    assert fit.df_resid == case["df_resid"]
    if "t" in case:
        np.testing.assert_allclose(fit.tvalues.to_numpy(), np.array(case["t"])[order], rtol=1e-5)
        np.testing.assert_allclose(fit.pvalues.to_numpy(), np.array(case["p"])[order], rtol=1e-4, atol=1e-300)
        assert fit.n == case["n_used"]
    for test in case["tests"]:
        wald = fit.wald_test(test["terms"])
        assert (wald.df, wald.ddf) == (test["df"], test["ddf"])
        assert wald.F == pytest.approx(test["F"], rel=1e-5)
        assert wald.p == pytest.approx(test["p"], rel=1e-4)


def test_rows_with_blanks_are_reported_not_silently_dropped(designs):
    fit = linear("api00 ~ ell + meals + avg_ed", designs["clus1"])
    assert (fit.n, fit.n_dropped, fit.dropped_by) == (157, 26, {"avg_ed": 26})
    assert "26 responden tidak dipakai" in fit.notes[0].text("id") and "avg_ed 26" in fit.notes[0].text("id")
    assert fit.notes[0].code == "model_rows_dropped"
    assert "26 responden tidak dipakai" in fit.summary()
    english = linear("api00 ~ ell + meals + avg_ed", designs["clus1"], lang="en")
    assert english.notes[0].text("en").startswith("26 respondents left out")


@pytest.mark.parametrize("formula", ["y ~ x + g", "y ~ x + C(g)"], ids=["direct", "patsy"])
def test_a_category_only_left_out_rows_have_is_dropped_as_r_does(formula):
    # R's model frame drops unused levels (glm: drop.unused.levels = TRUE): level "c" occurs only where y is
    # blank, so the fit is that on the answered rows -- no all-zero dummy; with "a" blank too, "b" is the reference
    df = pd.DataFrame({"y": [1.0, 2.0, 4.0, 3.0, 5.0, 7.0, np.nan, np.nan], "x": [1.0, 2, 3, 1, 2, 4, 5, 6],
                       "g": ["a", "a", "a", "b", "b", "b", "c", "c"], "psu": [1, 2, 3, 4, 5, 6, 7, 8]})
    fit = linear(formula, SurveyDesign(df, psu="psu"))
    answered = linear(formula, SurveyDesign(df.iloc[:6], psu="psu"))
    np.testing.assert_allclose(fit.params.to_numpy(), answered.params.to_numpy(), rtol=1e-12)
    assert fit.n_dropped == 2 and len(fit.params) == 3
    df.loc[:2, "y"] = np.nan
    fit = linear(formula, SurveyDesign(df, psu="psu"))
    assert list(fit.params.index) == ["Intercept", "x"]  # one level left: the category adds no column

def test_ordinal_equals_statsmodels_orderedmodel_with_equal_weights(designs):
    data = designs["clus1"].data
    fit = ordinal("apicat ~ ell + meals + mobility", SurveyDesign(data, psu="dnum"))
    om = OrderedModel(data["apicat"], data[["ell", "meals", "mobility"]], distr="logit").fit(method="bfgs", disp=False,
                                                                                              gtol=1e-8, maxiter=5000)
    thresholds = om.model.transform_threshold_params(om.params)[1:-1]
    np.testing.assert_allclose(fit.params.iloc[:3], om.params.iloc[:3], rtol=1e-5)
    np.testing.assert_allclose(fit.params.iloc[3:], thresholds, rtol=1e-5)
    assert list(fit.params.index[3:]) == ["low|mid", "mid|high", "high|top"]


def test_weighted_r2_is_squared_weighted_correlation_of_y_and_fit(designs):
    fit = linear("api00 ~ ell + meals + mobility", designs["strat"])
    w = designs["strat"].weights
    y = designs["strat"].data["api00"].to_numpy()
    cov = np.cov(y, fit.fitted, aweights=w)
    assert fit.r2 == pytest.approx(cov[0, 1] ** 2 / (cov[0, 0] * cov[1, 1]), rel=1e-10)


def test_vif_is_one_over_one_minus_r2_of_weighted_regression(designs):
    fit = linear("api00 ~ ell + meals + mobility", designs["strat"])
    data, w = designs["strat"].data, designs["strat"].weights
    aux = sm.WLS(data["meals"], sm.add_constant(data[["ell", "mobility"]]), weights=w).fit()
    table = fit.vif()
    assert table.loc["meals", "vif"] == pytest.approx(1 / (1 - aux.rsquared), rel=1e-10)
    assert list(table["multikolinear"]) == ["tidak"] * 3


def test_generalised_vif_of_a_category_does_not_depend_on_its_reference_level(designs):
    a = linear("api00 ~ ell + meals + stype", designs["clus1"]).vif()
    b = linear("api00 ~ ell + meals + C(stype, Treatment('M'))", designs["clus1"]).vif()
    assert a.loc["stype", "gvif"] == pytest.approx(b.loc["C(stype, Treatment('M'))", "gvif"], rel=1e-10)
    assert a.loc["stype", "df"] == 2


def test_vif_flags_near_collinear_predictors():
    rng = np.random.default_rng(1)
    x1 = rng.normal(size=200)
    df = pd.DataFrame({"x1": x1, "x2": x1 + rng.normal(scale=0.05, size=200), "x3": rng.normal(size=200)})
    df["y"] = df["x1"] + df["x3"] + rng.normal(size=200)
    table = linear("y ~ x1 + x2 + x3", SurveyDesign(df)).vif(lang="en")
    assert list(table["multicollinear"]) == ["yes", "yes", "no"]


def test_residual_checks(designs):
    fit = linear("api00 ~ ell + meals + mobility", SurveyDesign(designs["clus1"].data, psu="dnum"))
    res = fit.residuals()
    data = designs["clus1"].data
    assert res.index.equals(data.index)
    np.testing.assert_allclose(res["residual"], data["api00"] - res["fitted"])
    # equal weights: weighted moments are the ordinary (biased) moments scipy's Jarque-Bera uses
    jb = stats.jarque_bera(res["residual"])
    check = fit.normality()
    assert check["jarque_bera"] == pytest.approx(jb.statistic, rel=1e-10)
    assert check["p"] == pytest.approx(jb.pvalue, rel=1e-8)
    assert check["skewness"] == pytest.approx(stats.skew(res["residual"]), rel=1e-10)
    ok = abs(check["skewness"]) < 1 and abs(check["kurtosis"]) < 2
    assert check["verdict"] == ("kira-kira normal" if ok else "menyimpang dari normal")
    assert fit.normality("en")["verdict"] == ("roughly normal" if ok else "departs from normal")


def test_coefficient_table_uses_unsur_names_and_indonesian_headers():
    rng = np.random.default_rng(7)
    n = 120
    df = pd.DataFrame({f"U{j}": rng.integers(1, 5, n) for j in range(1, 4)})
    df["unit"] = rng.choice(["PKM-A", "PKM-B", "RSUD"], n)
    df["K1"] = (2 + df["U1"] + 0.5 * df["U3"] + rng.normal(size=n)).round()
    formula = satisfaction_formula("K1", {"U3": "waktu", "U1": "persyaratan", "U2": "prosedur"}, ["unit"])
    assert formula == "K1 ~ U1 + U2 + U3 + unit"
    unsur = {"U1": "persyaratan", "U2": "prosedur", "U3": "waktu"}
    fit = linear(formula, SurveyDesign(df), labels=unsur_labels(unsur, "id") | {"unit": "Unit layanan"})
    table = fit.to_frame()
    assert list(table.columns[:5]) == ["variabel", "koefisien", "galat_baku", "t", "p"]
    assert table.loc["U3", "variabel"] == "Waktu Penyelesaian"
    assert table.loc["unit[T.RSUD]", "variabel"] == "Unit layanan: RSUD"
    assert table.loc["Intercept", "variabel"] == "Konstanta"
    english = linear(formula, SurveyDesign(df), labels=unsur_labels(unsur, "en"))
    assert english.to_frame(lang="en").loc["U3", "variable"] == "Completion time"
    assert table.loc["U1", "signifikan"] == "ya"
    odds = logistic("I(K1 >= 6) ~ U1 + U2 + U3", SurveyDesign(df)).to_frame()
    assert odds.loc["U1", "rasio_odds"] == pytest.approx(np.exp(odds.loc["U1", "koefisien"]))


def test_ordinal_table_lists_cut_points_last_without_p(designs):
    table = ordinal("apicat ~ ell + meals + mobility", designs["clus1"]).to_frame()
    assert list(table["variabel"].iloc[3:]) == ["Ambang low|mid", "Ambang mid|high", "Ambang high|top"]
    assert table["p"].iloc[3:].isna().all() and table["p"].iloc[:3].notna().all()


def test_ordinal_leaves_out_and_reports_levels_nobody_chose(designs):
    data = designs["strat"].data.copy()
    data["cat5"] = pd.Categorical(data["apicat"].astype(str), categories=["none", "low", "mid", "high", "top"],
                                  ordered=True)
    fit = ordinal("cat5 ~ ell + meals", SurveyDesign(data, weights="pw", strata="stype", fpc="fpc"))
    assert fit.levels == ("low", "mid", "high", "top")
    assert "Kategori none" in fit.notes[0].text("id")


# ------------------------------------------------------------------------ errors a user can act on
def test_missing_column_is_named(designs):
    with pytest.raises(DataError, match="column 'U10' in formula"):
        linear("api00 ~ ell + U10", designs["strat"])


def test_constant_column_is_named(designs):
    data = designs["strat"].data.assign(same=3.0)
    with pytest.raises(DataError, match=r"column 'same' is constant \(3\)"):
        linear("api00 ~ ell + same", SurveyDesign(data, weights="pw", strata="stype"))


@pytest.mark.parametrize("fit, outcome", [(linear, "api00"), (logistic, "hi700"), (ordinal, "apicat")])
def test_collinear_column_is_named(designs, fit, outcome):
    data = designs["strat"].data.assign(ell2=lambda d: 2 * d["ell"] + d["meals"])
    with pytest.raises(DataError, match="column 'ell2' is a linear combination"):
        fit(f"{outcome} ~ ell + meals + ell2", SurveyDesign(data, weights="pw", strata="stype"))


def test_perfect_separation_is_refused(designs):
    with pytest.raises(DataError, match="perfectly separated by column 'api00'"):
        logistic("hi700 ~ ell + api00", designs["strat"])


def test_separation_by_a_combination_of_predictors_is_refused():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"x": rng.normal(size=200), "z": rng.normal(size=200)})
    df["y3"] = np.select([df.x < -0.5, df.x < 0.5], [1, 2], 3)
    with pytest.raises(DataError, match="perfectly predicted by a combination"):
        logistic("I(x + z > 0) ~ x + z", SurveyDesign(df))
    with pytest.raises(DataError, match="ordinal model for 'y3' did not converge"):
        ordinal("y3 ~ x + z", SurveyDesign(df))


def test_logistic_needs_a_0_1_outcome(designs):
    with pytest.raises(DataError, match=r"needs a 0/1 outcome; 'api00'.*I\(K1 >= 8\)"):
        logistic("api00 ~ ell", designs["strat"])


def test_ordinal_needs_three_levels(designs):
    with pytest.raises(DataError, match="needs at least 3 ordered levels"):
        ordinal("hi700 ~ ell + meals", designs["strat"])


def test_unknown_term_in_wald_test(designs):
    fit = linear("api00 ~ ell + meals", designs["strat"])
    with pytest.raises(DataError, match="term\\(s\\) 'mobility' not in the model"):
        fit.wald_test("mobility")


def test_example_study_recovers_the_generators_drivers():
    """K1 on the 9 unsur + age group + sex on the bundled study (two-stage design, stage-1 variance)."""
    import yaml

    from riset.skm.exports import read_survey

    raw = Path(__file__).parents[2] / "data" / "raw"
    data = read_survey(raw / "contoh_skm_responden.csv", raw / "contoh_skm_codebook.yaml").data
    truth = yaml.safe_load((raw / "contoh_kebenaran.yaml").read_text())["model_k1"]
    design = SurveyDesign(data, weights="bobot_desain", strata=["unit", "periode"], psu="hari", fpc="n_hari_layanan")
    formula = satisfaction_formula("K1", truth["kolom"], ["kelompok_umur", "jenis_kelamin"])
    fit = linear(formula, design, labels=unsur_labels(truth["kolom"]))
    unsur_terms = list(fit.params.index[1:10])
    assert [truth["kolom"][c] for c in unsur_terms] == [
        "persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku", "pengaduan", "sarana"]
    ci = fit.conf_int()
    covered = [ci.loc[c, "lower"] <= truth["beta"][truth["kolom"][c]] <= ci.loc[c, "upper"] for c in unsur_terms]
    assert sum(covered) >= 8
    ranked = fit.params[unsur_terms].sort_values(ascending=False).index
    assert [truth["kolom"][c] for c in ranked[:3]] == truth["urutan_menurut_beta"][:3]
    assert fit.n_dropped == int(data[["K1", *truth["kolom"]]].isna().any(axis=1).sum())
    assert fit.to_frame().loc["U3", "variabel"] == "Waktu Penyelesaian"
    assert fit.to_frame().loc["jenis_kelamin[T.Perempuan]", "variabel"] == "Jenis kelamin: Perempuan"
    assert fit.to_frame(lang="en").loc["jenis_kelamin[T.Perempuan]", "variable"] == "Sex: Perempuan"


def test_design_must_be_a_design_object(designs):
    from riset.errors import DesignError

    with pytest.raises(DesignError, match="design must be a riset.survey.design.SurveyDesign"):
        linear("api00 ~ ell", designs["strat"].data)


def test_default_language_follows_riset_labels(designs):
    from riset.i18n import set_language

    fit = linear("api00 ~ ell", designs["strat"])
    set_language("en")
    try:
        assert fit.to_frame().columns[0] == "variable"
        assert fit.summary().startswith("Survey-weighted linear regression")
    finally:
        set_language("id")
    assert fit.to_frame().columns[0] == "variabel"


def test_one_stage_srs_without_fpc_is_statsmodels_hc0_times_n_over_n_minus_1(designs):
    """Each row its own PSU, no strata, no FPC: V = n/(n-1) sum x_i x_i' (the scores sum to zero) = HC0 * n/(n-1)."""
    data = designs["strat"].data
    n = len(data)
    fit = linear("api00 ~ ell + meals + mobility", SurveyDesign(data))
    ols = sm.OLS(data["api00"], sm.add_constant(data[["ell", "meals", "mobility"]])).fit(cov_type="HC0")
    np.testing.assert_allclose(fit.cov.to_numpy(), ols.cov_params().to_numpy() * n / (n - 1), rtol=1e-9)
    logit = logistic("hi700 ~ ell + meals + mobility", SurveyDesign(data))
    glm = sm.GLM(data["hi700"], sm.add_constant(data[["ell", "meals", "mobility"]]),
                 family=sm.families.Binomial()).fit(cov_type="HC0", tol=1e-12)
    np.testing.assert_allclose(logit.cov.to_numpy(), glm.cov_params().to_numpy() * n / (n - 1), rtol=1e-6)


@settings(max_examples=5, deadline=None)
@given(scale=st.floats(min_value=1e-3, max_value=1e4))
def test_rescaling_all_weights_changes_nothing(scale):
    """The sandwich is invariant to the scale of the weights (R svyglm rescales them to mean 1)."""
    data = _api("apiclus1")
    base = SurveyDesign(data, weights="pw", psu="dnum", fpc="fpc")
    scaled = SurveyDesign(data.assign(pw=data["pw"] * scale), weights="pw", psu="dnum", fpc="fpc")
    for fit in (linear, logistic, ordinal):
        outcome = {linear: "api00", logistic: "hi700", ordinal: "apicat"}[fit]
        a, b = fit(f"{outcome} ~ ell + meals", base), fit(f"{outcome} ~ ell + meals", scaled)
        np.testing.assert_allclose(b.params, a.params, rtol=1e-7)
        np.testing.assert_allclose(b.se, a.se, rtol=1e-6)


@pytest.mark.parametrize("fit, outcome", [(linear, "api00"), (logistic, "hi700"), (ordinal, "apicat")])
def test_plain_formula_built_directly_equals_patsy(designs, fit, outcome, monkeypatch):
    """'y ~ a + b + text' (names of columns only) is built without patsy; written with I() and C() the same model
    goes through patsy: same rows (blank avg_ed dropped), same coefficients, SEs and column order."""
    via_patsy = fit(f"{outcome} ~ I(ell) + I(avg_ed) + C(stype)", designs["clus1"])

    def no_patsy(*args, **kwargs):
        raise AssertionError("patsy called for a plain formula")

    monkeypatch.setattr(model_frame.patsy, "dmatrix", no_patsy)
    direct = fit(f"{outcome} ~ ell + avg_ed + stype", designs["clus1"])
    assert direct.n == via_patsy.n == 157 and direct.dropped_by == {"avg_ed": 26}
    assert [c.replace("C(stype)", "stype").replace("I(", "").replace(")", "") for c in via_patsy.params.index] == \
        list(direct.params.index)
    assert [c for c in direct.params.index if c.startswith("stype")] == ["stype[T.H]", "stype[T.M]"]
    np.testing.assert_allclose(direct.params.to_numpy(), via_patsy.params.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(direct.se.to_numpy(), via_patsy.se.to_numpy(), rtol=1e-10)


@pytest.mark.parametrize("fit, outcome", [(linear, "api00"), (logistic, "hi700"), (ordinal, "apicat")])
def test_qr_in_row_blocks_equals_one_qr(designs, fit, outcome, monkeypatch):
    """The QR is taken 2^16 rows at a time (the R factors of the blocks stacked and factored again); forced to
    blocks of 7 rows (and one of 3: 157 rows) it gives the coefficients and SEs of one QR of all rows, and still
    names a collinear column."""
    whole = fit(f"{outcome} ~ ell + avg_ed + stype", designs["clus1"])
    monkeypatch.setattr(model_frame, "_QR_ROWS", 7)
    blocks = fit(f"{outcome} ~ ell + avg_ed + stype", designs["clus1"])
    np.testing.assert_allclose(blocks.params.to_numpy(), whole.params.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(blocks.se.to_numpy(), whole.se.to_numpy(), rtol=1e-10)
    data = designs["strat"].data.assign(ell2=lambda d: 2 * d["ell"] + d["meals"])
    with pytest.raises(DataError, match="column 'ell2' is a linear combination"):
        fit(f"{outcome} ~ ell + meals + ell2", SurveyDesign(data, weights="pw", strata="stype"))


# ------------------------------------------------------------------------------------------ design effects
def test_deff_is_design_variance_over_the_weighted_glm_variance(designs):
    """deff_j = (design SE / SE of the same weighted fit as a plain GLM)^2 (R svyglm(deff = TRUE); defftest.R):
    statsmodels' WLS, and its quasi-binomial GLM (Pearson scale), with the design weights; blanks left out."""
    design = designs["strat"]
    data = design.data
    fit = linear("api00 ~ ell + acs_k3", design)
    used = data[["api00", "ell", "acs_k3"]].notna().all(axis=1)
    wls = sm.WLS(data.loc[used, "api00"], sm.add_constant(data.loc[used, ["ell", "acs_k3"]]),
                 weights=data.loc[used, "pw"]).fit()
    np.testing.assert_allclose(fit.deff.to_numpy(), (fit.se.to_numpy() / wls.bse.to_numpy()) ** 2, rtol=1e-9)
    logit = logistic("hi700 ~ ell + meals", designs["clus1"])
    clus = designs["clus1"].data
    glm = sm.GLM(clus["hi700"], sm.add_constant(clus[["ell", "meals"]]), family=sm.families.Binomial(),
                 var_weights=clus["pw"] / clus["pw"].mean()).fit(scale="X2", tol=1e-13)
    np.testing.assert_allclose(logit.deff.to_numpy(), (logit.se.to_numpy() / glm.bse.to_numpy()) ** 2, rtol=1e-7)
    assert list(fit.deff.index) == list(fit.params.index)


def test_deff_of_a_replicate_design_and_not_for_an_ordinal_model(designs, jk1):
    """A replicate design: the same ratio with the replicate covariance (R gives none for svrepglm); svyolr has
    no design effects in R, nor has `ordinal`."""
    taylor, rep = linear("api00 ~ ell + meals", designs["clus1"]), linear("api00 ~ ell + meals", jk1)
    ratio = rep.deff / taylor.deff
    np.testing.assert_allclose(ratio.to_numpy(), (rep.se / taylor.se).to_numpy() ** 2, rtol=1e-12)
    with pytest.raises(RisetError, match="linear and logistic"):
        _ = ordinal("apicat ~ ell + meals", designs["clus1"]).deff


# ------------------------------------------------------------------------------------------- score test
def test_linear_score_statistic_times_dispersion_is_the_deviance_drop(designs):
    """Least squares: the efficient score U of the tested slopes at the smaller fit gives U' I_o.i^-1 U = the drop
    in weighted residual sum of squares, so score * phi * mean(w) = RSS(smaller) - RSS(full) with the raw
    weights, phi the svyvar of the residuals (R's dispersion)."""
    fit = linear("api00 ~ ell + meals + mobility", designs["clus2"])
    test = fit.score_test("meals + mobility")
    w, residual = fit.weights, fit.y - fit.fitted
    smaller = linear("api00 ~ ell", designs["clus2"])
    drop = w @ (smaller.y - smaller.fitted) ** 2 - w @ residual**2
    n = len(w)
    phi = n / (n - 1) * (w @ (residual - np.average(residual, weights=w)) ** 2) / w.sum()
    assert test.score * phi * w.mean() == pytest.approx(drop, rel=1e-9)
    assert test.chisq == pytest.approx(test.score / test.lambdas.sum(), rel=1e-12)
    assert (test.df, test.ddf) == (2, fit.df_resid)


def test_score_test_does_not_depend_on_the_scale_of_the_weights(designs):
    data = designs["clus1"].data.assign(hi=(designs["clus1"].data["api00"] > 700).astype(float))
    tests = [logistic("hi ~ ell + meals + C(stype)", SurveyDesign(data.assign(pw=data["pw"] * c), weights="pw",
                                                                   psu="dnum", fpc="fpc")).score_test("C(stype)")
             for c in (1, 7)]
    assert tests[1].score == pytest.approx(tests[0].score, rel=1e-9)
    np.testing.assert_allclose(tests[1].lambdas, tests[0].lambdas, rtol=1e-9)
    assert tests[1].p == pytest.approx(tests[0].p, rel=1e-8)


def test_score_test_result_reads_in_both_languages(designs):
    test = linear("api00 ~ ell + meals", designs["strat"]).score_test("meals")
    frame = test.to_frame()
    assert list(frame.columns) == ["terms", "chisq", "score", "df", "ddf", "p", "approximation"]
    assert frame.loc[0, "terms"] == "meals" and frame.loc[0, "approximation"] == "satterthwaite"
    assert "Working score test" in test.summary("en") and "Uji skor kerja" in repr(test)


def test_score_test_refuses_bad_input(designs):
    fit = linear("api00 ~ ell + meals", designs["strat"])
    with pytest.raises(DataError, match="'mobility'"):
        fit.score_test("meals + mobility")
    with pytest.raises(DataError, match="at least one coefficient"):
        fit.score_test(["Intercept", "ell", "meals"])
    with pytest.raises(RisetError, match="linear and logistic"):
        ordinal("apicat ~ ell + meals", designs["clus1"]).score_test("ell")


def test_predict_refuses_what_it_cannot_build_naming_the_column(designs):
    """predict() needs the formula's plain columns in newdata, numbers where the model has numbers and the fitted
    categories where it has text; it refuses an ordinal model, an expression term and an unknown scale."""
    fit = linear("api00 ~ ell + stype", designs["strat"])
    new = pd.DataFrame({"ell": [10.0, 20.0], "stype": ["E", "M"]})
    by_hand = fit.params["Intercept"] + fit.params["ell"] * new["ell"] + np.array([0.0, fit.params["stype[T.M]"]])
    np.testing.assert_allclose(fit.predict(new).estimate, by_hand, rtol=1e-12)
    with pytest.raises(DataError, match="newdata has no column 'stype'"):
        fit.predict(new[["ell"]])
    with pytest.raises(DataError, match="newdata column 'ell' has value 'ten' in row 0; a number is needed"):
        fit.predict(new.assign(ell=["ten", "20"]))
    with pytest.raises(DataError, match="newdata column 'stype' has category 'X' in row 1, which the model was not"):
        fit.predict(new.assign(stype=["E", "X"]))
    with pytest.raises(DataError, match="newdata column 'ell' is blank in row 1"):
        fit.predict(new.assign(ell=[1.0, np.nan]))
    with pytest.raises(DataError, match="scale='probability'; choose 'link'"):
        fit.predict(new, scale="probability")
    with pytest.raises(DataError, match="term 'I\\(ell \\*\\* 2\\)' is an expression"):
        linear("api00 ~ I(ell ** 2)", designs["strat"]).predict(new)
    with pytest.raises(RisetError, match="predict\\(\\) is for linear and logistic models"):
        ordinal("apicat ~ ell", designs["strat"]).predict(new)
