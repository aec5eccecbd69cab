"""The Rao-Scott working likelihood-ratio test of model terms (ModelResult.term_test(method="LRT")) against R
survey 4.1 regTermTest(method = "LRT") (tests/r/golden_lrt.R): linear and logistic svyglm fits on the api
designs (stratified, one- and two-stage cluster, JK1), F and chi-square references, the three approximations of
the p-value."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from riset.errors import DataError
from riset.survey.design import SurveyDesign
from riset.survey.models import linear, logistic, ordinal
from riset.survey.replicate import as_replicate
from riset.survey.weighting import poststratify

DATA = Path(__file__).resolve().parents[1] / "data"
GOLDEN = json.loads((DATA / "golden" / "lrt_api.json").read_text())
TERMS = {"stype": "C(stype)", "ell + meals": "ell + meals", "mobility": "mobility"}


def _api(name: str) -> pd.DataFrame:
    d = pd.read_csv(DATA / "api" / f"{name}.csv")
    d["hi700"] = (d["api00"] > 700).astype(float)
    return d


@pytest.fixture(scope="module")
def models():
    clus1 = SurveyDesign(_api("apiclus1"), weights="pw", psu="dnum", fpc="fpc")
    designs = {"strat": SurveyDesign(_api("apistrat"), weights="pw", strata="stype", fpc="fpc"), "clus1": clus1,
               "clus2": SurveyDesign(_api("apiclus2"), weights="pw", psu="dnum", ssu="snum", fpc="fpc1", fpc2="fpc2"),
               "jk1": as_replicate(clus1, "jk1")}
    rhs = "ell + meals + mobility + C(stype)"
    return {(name, kind): fit(f"{outcome} ~ {rhs}", design) for name, design in designs.items()
            for kind, fit, outcome in (("linear", linear, "api00"), ("logistic", logistic, "hi700"))}


CASES = [(d, k, t, f"{ref}_{a}") for d in ("strat", "clus1", "clus2", "jk1") for k in ("linear", "logistic")
         for t in TERMS for ref in ("F", "Chisq") for a in ("saddlepoint", "integration", "satterthwaite")]


@pytest.mark.parametrize("design, kind, terms, case", CASES, ids=["-".join(c) for c in CASES])
def test_lrt_matches_r_regtermtest(models, design, kind, terms, case):
    gold = GOLDEN[design][kind][terms][case]
    reference, approximation = case.split("_")
    result = models[design, kind].term_test(TERMS[terms], method="LRT", df=None if reference == "F" else np.inf,
                                            approximation=approximation)
    assert result.chisq == pytest.approx(gold["chisq"], rel=1e-9)
    np.testing.assert_allclose(result.lambdas, gold["lambda"], rtol=1e-9)
    assert result.df == gold["df"]
    assert result.ddf == (np.inf if gold["ddf"] == "Inf" else gold["ddf"])
    if approximation == "integration":
        # R: CompQuadForm's davies (acc = 1e-7) or farebrother; riset: Imhof's integral
        assert result.p == pytest.approx(gold["p"], abs=1e-7)
    else:
        assert result.p == pytest.approx(gold["p"], rel=1e-8, abs=1e-300)


def test_lrt_refuses_what_r_refuses(models):
    fit = models["clus1", "linear"]
    with pytest.raises(DataError, match="method='Score'"):
        fit.term_test("mobility", method="Score")
    with pytest.raises(DataError, match="at least one coefficient"):
        fit.term_test(["Intercept", "ell", "meals", "mobility", "C(stype)"], method="LRT")
    with pytest.raises(DataError, match="'ell_sq'"):
        fit.term_test("ell + ell_sq", method="LRT")


def test_lrt_of_one_linear_slope_is_its_wald_test():
    """Linear model, one slope: the deviance drop is b^2 / (X'WX)^-1_bb and lambda = V_bb / (X'WX)^-1_bb, so
    chisq / lambda is the Wald statistic b^2 / V_bb, and with one lambda Satterthwaite is exact."""
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"x": rng.normal(size=200), "z": rng.normal(size=200), "g": np.repeat(np.arange(20), 10)})
    frame["y"] = 1 + 0.3 * frame["x"] + rng.normal(size=200)
    fit = linear("y ~ x + z", SurveyDesign(frame, psu="g"))
    lrt = fit.term_test("x", method="LRT", df=np.inf, approximation="satterthwaite")
    wald = float(fit.params["x"]) ** 2 / fit.cov.loc["x", "x"]
    assert lrt.chisq / lrt.lambdas[0] == pytest.approx(wald, rel=1e-9)
    assert lrt.p == pytest.approx(stats.chi2.sf(wald, 1), rel=1e-9)


@pytest.mark.parametrize("case", ["clus1_E", "post_E"])
def test_lrt_in_a_domain_scales_the_weights_as_r(case):
    """R svyglm divides the weights by their mean over the design's rows: a domain of a Taylor design drops the
    other rows (mean over the domain), a calibrated design keeps them with weight 0 (mean over all)."""
    gold = GOLDEN[case]
    if case == "clus1_E":
        design = SurveyDesign(_api("apiclus1"), weights="pw", psu="dnum", fpc="fpc")
    else:
        design = poststratify(SurveyDesign(_api("apistrat"), weights="pw", strata="stype", fpc="fpc"),
                              pd.Series({"E": 4421, "H": 755, "M": 1018}).rename_axis("stype"))
    fit = linear("api00 ~ ell + meals + mobility", design.subset(design.data["stype"] == "E"))
    result = fit.term_test("ell + meals", method="LRT")
    assert result.chisq == pytest.approx(gold["chisq"], rel=1e-9)
    np.testing.assert_allclose(result.lambdas, gold["lambda"], rtol=1e-9)
    assert result.ddf == gold["ddf"]
    assert result.p == pytest.approx(gold["p"], rel=1e-8)


@pytest.fixture(scope="module")
def apicat():
    data = _api("apiclus1")
    data["apicat"] = pd.cut(data["api00"], [-np.inf, 600, 700, 800, np.inf], labels=["low", "mid", "high", "top"])
    return data


def test_ordinal_lrt_of_every_slope_is_against_the_category_shares(apicat):
    """Dropping every slope of an ordinal model leaves the cut-points alone, whose maximum reproduces the weighted
    category shares p_k: chisq = 2 sum_i w_i (log P(Y_i = y_i | x_i) - log p_{y_i}) with w scaled to mean 1."""
    fit = ordinal("apicat ~ ell + meals", SurveyDesign(apicat, weights="pw", psu="dnum"))
    test = fit.term_test("ell + meals", method="LRT")
    w = fit.weights / fit.weights.mean()
    shares = np.bincount(fit.y, weights=w) / w.sum()
    null = -2 * np.sum(w * np.log(shares[fit.y]))
    assert test.chisq == pytest.approx(null - fit._deviance(fit.X, fit.params.to_numpy()), rel=1e-9)
    assert test.chisq > 0 and test.df == 2 and test.ddf == fit.df_resid


def test_ordinal_lrt_does_not_depend_on_the_scale_of_the_weights(apicat):
    """Deviance and model-based covariance use the same mean-1 weights: weights times 7 change neither chisq nor
    the lambdas (R's svyolr lambdas, from the Hessian of the unscaled weights, would grow 7 times)."""
    tests = [ordinal("apicat ~ ell + meals + mobility", SurveyDesign(apicat.assign(pw=apicat["pw"] * c),
                                                                     weights="pw", psu="dnum"))
             .term_test("ell + mobility", method="LRT") for c in (1, 7)]
    assert tests[1].chisq == pytest.approx(tests[0].chisq, rel=1e-9)
    np.testing.assert_allclose(tests[1].lambdas, tests[0].lambdas, rtol=1e-8)
    assert tests[1].p == pytest.approx(tests[0].p, rel=1e-7)


def test_ordinal_lrt_names_an_unknown_term(apicat):
    fit = ordinal("apicat ~ ell + meals", SurveyDesign(apicat, weights="pw", psu="dnum"))
    with pytest.raises(DataError, match="'mobility'"):
        fit.term_test("ell + mobility", method="LRT")
