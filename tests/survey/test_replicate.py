"""Replicate designs (JK1, JKn, BRR, bootstrap) against R survey, and the Rao-Wu bootstrap's properties."""

import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riset.survey import estimate as est
from riset.survey import quantiles
from riset.survey.design import SurveyDesign
from riset.errors import DesignError
from riset.survey.replicate import ReplicateDesign, as_replicate, sylvester

DATA = Path(__file__).resolve().parents[1] / "data"
GOLDEN = json.loads((DATA / "golden" / "estimate.json").read_text())


@cache
def api(name: str) -> pd.DataFrame:
    data = pd.read_csv(DATA / "api" / f"{name}.csv")
    if name == "apiclus2":  # districts paired in dnum order into 20 strata of 2 PSUs (as the R script)
        rank = np.searchsorted(np.sort(data["dnum"].unique()), data["dnum"]) + 1
        data["pair"] = rank // 2 + rank % 2
    return data


REPLICATES = {
    "jk1": lambda: as_replicate(SurveyDesign(api("apiclus1"), psu="dnum", fpc="fpc"), "jk1"),
    "jk1_nofpc": lambda: as_replicate(SurveyDesign(api("apiclus1"), psu="dnum", weights="pw")),
    "jkn": lambda: as_replicate(SurveyDesign(api("apistrat"), strata="stype", fpc="fpc"), "jkn"),
    "jkn_nofpc": lambda: as_replicate(SurveyDesign(api("apistrat"), strata="stype", weights="pw")),
    "brr": lambda: as_replicate(
        SurveyDesign(api("apiclus2"), strata="pair", psu="dnum", weights="pw"), "brr",
        hadamard=np.array(GOLDEN["brr"]["hadamard"]),
    ),
    "boot": lambda: ReplicateDesign(
        api("apistrat"), "pw", pd.read_csv(DATA / "golden" / "boot_repweights.csv").to_numpy(), "bootstrap"
    ),
}


def assert_golden(table, gold, columns=("estimate", "se")):
    names = {"estimate": "est", "se": "se", "ci_low": "ci_low", "ci_high": "ci_high", "deff": "deff"}
    for col in columns:
        expected = np.atleast_1d(np.asarray(gold[names[col]], dtype=float))
        np.testing.assert_allclose(table[col].to_numpy(float), expected, rtol=1e-6, atol=1e-8, err_msg=col)


@pytest.mark.parametrize("name", REPLICATES)
def test_replicate_estimates_match_r(name):
    rep, gold = REPLICATES[name](), GOLDEN[name]
    assert rep.df == gold["df"]
    assert rep.scale == pytest.approx(gold["scale"], rel=1e-12)
    np.testing.assert_allclose(np.sort(rep.rscales), np.sort(gold["rscales"]), rtol=1e-12)
    assert_golden(est.mean(rep, ["api00", "api.stu"]).table, gold["mean"], ("estimate", "se", "deff"))
    assert_golden(est.total(rep, "api.stu").table, gold["total"])
    assert_golden(est.ratio(rep, "api.stu", "enroll", na_rm=True).table, gold["ratio"])
    assert_golden(est.proportion(rep, "stype").table, gold["prop"])


@pytest.mark.parametrize("name", REPLICATES)
def test_replicate_quantiles_domains_and_by_match_r(name):
    rep, gold = REPLICATES[name](), GOLDEN[name]
    assert_golden(quantiles.quantile(rep, "api00", [0.25, 0.5, 0.9]).table, gold["quantile"],
                  ("estimate", "se", "ci_low", "ci_high"))
    by = est.mean(rep, "api00", by="stype").table
    assert by["stype"].tolist() == gold["by"]["levels"]
    assert_golden(by, gold["by"])
    assert_golden(est.mean(rep.subset(rep.data["stype"] == "H"), "api00").table, gold["domain"])


def test_brr_with_sylvester_hadamard_reproduces_the_linear_total_variance():
    # full orthogonal balance: for a total, BRR variance = the with-replacement stratified variance exactly
    rep = as_replicate(SurveyDesign(api("apiclus2"), strata="pair", psu="dnum", weights="pw"), "brr")
    assert rep.n_replicates == 32
    assert_golden(est.total(rep, "api.stu").table, GOLDEN["brr"]["linear_total"])


def test_fay_brr_scale_and_weights():
    df = pd.DataFrame({"h": [1, 1, 2, 2], "psu": [1, 2, 3, 4], "w": [1.0, 1.0, 1.0, 1.0]})
    rep = as_replicate(SurveyDesign(df, weights="w", strata="h", psu="psu"), "brr", fay_rho=0.5)
    assert rep.scale == pytest.approx(1 / (4 * 0.25))
    assert set(np.unique(rep.replicate_weights)) == {0.5, 1.5}


def test_rao_wu_bootstrap_without_fpc_keeps_stratum_weight_totals():
    d = SurveyDesign(api("apistrat"), strata="stype", weights="pw")
    rep = as_replicate(d, "bootstrap", replicates=30, seed=1)
    # n_h - 1 draws, multiplier n_h/(n_h - 1) * count: the multipliers of a stratum sum to n_h
    multipliers = rep.replicate_weights / d.weights[:, None]
    sums = pd.DataFrame(multipliers).groupby(d.data["stype"].to_numpy()).sum()
    np.testing.assert_allclose(sums.to_numpy(), np.array([[100.0], [50.0], [50.0]]) * np.ones((1, 30)))
    assert rep.scale == pytest.approx(1 / 29)


def test_rao_wu_bootstrap_with_fpc_approximates_the_linearization_variance():
    # half of every stratum sampled (f = 0.5): the FPC shrinks the variance by 1 - f, lambda_h = sqrt(1 - f)
    data = api("apistrat").assign(N=lambda d: 2 * d.groupby("stype")["stype"].transform("size"))
    d = SurveyDesign(data, strata="stype", fpc="N")
    rep = as_replicate(d, "bootstrap", replicates=1000, seed=2026)
    linear = est.total(d, "api.stu").se[0]
    # Monte Carlo error of a 1000-replicate SE is a few percent; without the FPC the ratio would be 1.41
    assert est.total(rep, "api.stu").se[0] / linear == pytest.approx(1.0, abs=0.08)
    d_nofpc = SurveyDesign(data.assign(w=d.weights), strata="stype", weights="w")
    assert linear / est.total(d_nofpc, "api.stu").se[0] == pytest.approx(np.sqrt(0.5), rel=1e-9)


def test_bootstrap_needs_a_seed_and_is_reproducible():
    d = SurveyDesign(api("apistrat"), strata="stype", weights="pw")
    with pytest.raises(DesignError, match="seed"):
        as_replicate(d, "bootstrap")
    a = as_replicate(d, "bootstrap", replicates=5, seed=7).replicate_weights
    b = as_replicate(d, "bootstrap", replicates=5, seed=7).replicate_weights
    c = as_replicate(d, "bootstrap", replicates=5, seed=8).replicate_weights
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_many_replicates_processed_in_blocks_give_the_same_variance():
    d = SurveyDesign(api("apistrat"), strata="stype", weights="pw")
    rep = as_replicate(d, "bootstrap", replicates=250, seed=3)
    y = d.data["api00"].to_numpy(float)
    theta = (rep.replicate_weights * y[:, None]).sum(0) / rep.replicate_weights.sum(0)
    expected = np.sqrt(((theta - theta.mean()) ** 2).sum() / 249)
    assert est.mean(rep, "api00").se[0] == pytest.approx(expected, rel=1e-10)


def test_jkn_strata_taken_completely_give_no_replicates():
    df = pd.DataFrame({"h": [1, 1, 2, 2], "y": [1.0, 2.0, 3.0, 5.0], "N": [2, 2, 10, 10]})
    rep = as_replicate(SurveyDesign(df, strata="h", fpc="N"), "jkn")
    assert rep.n_replicates == 2
    np.testing.assert_allclose(rep.rscales, [0.8 * 0.5, 0.8 * 0.5])


def test_calibrated_design_is_refused_unless_fixed():
    d = SurveyDesign(api("apisrs"), fpc="fpc")
    cal = d.with_weights(d.weights, adjust=lambda x: x - x.mean(axis=0))
    with pytest.raises(DesignError, match="calibration"):
        as_replicate(cal, "jk1")
    assert as_replicate(cal, "jk1", calibrated="fixed").n_replicates == 200


@pytest.mark.parametrize(
    "build, kwargs, message",
    [
        (lambda: SurveyDesign(api("apistrat"), strata="stype", weights="pw"), {"type": "jk1"}, "without strata"),
        (lambda: SurveyDesign(api("apistrat"), strata="stype", weights="pw"), {"type": "brr"}, "exactly 2 PSUs"),
        (lambda: SurveyDesign(api("apisrs"), fpc="fpc"), {"type": "jkn"}, "needs strata"),
        (lambda: SurveyDesign(api("apisrs"), fpc="fpc"), {"type": "xyz"}, "not known"),
        (lambda: SurveyDesign(api("apiclus2"), strata="pair", psu="dnum", weights="pw"),
         {"type": "brr", "hadamard": np.ones((24, 24))}, "not a Hadamard"),
    ],
)
def test_conversion_errors_are_clear(build, kwargs, message):
    with pytest.raises(DesignError, match=message):
        as_replicate(build(), **kwargs)


def test_sylvester_columns_are_orthogonal():
    h = sylvester(16)
    assert np.array_equal(h.T @ h, 16 * np.eye(16))


def test_replicate_design_with_weights_rescales_replicates():
    rep = REPLICATES["jk1"]()
    new = rep.with_weights(rep.weights * 2)
    np.testing.assert_allclose(new.replicate_weights, rep.replicate_weights * 2)
    assert est.mean(new, "api00").se[0] == pytest.approx(est.mean(rep, "api00").se[0])


def test_replicate_design_refuses_a_linearization_adjustment():
    rep = REPLICATES["jk1"]()
    with pytest.raises(DesignError, match="replicate_weights="):
        rep.with_weights(rep.weights, adjust=lambda x: x)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"type": "jkn"}, "needs `scale`"),
        ({"type": "other", "scale": 1.0, "rscales": [1.0]}, "one value per replicate"),
        ({"type": "boot"}, "not a replicate type"),
    ],
)
def test_supplied_replicate_weights_are_validated(kwargs, message):
    data = pd.DataFrame({"w": [1.0, 2.0, 3.0]})
    with pytest.raises(DesignError, match=message):
        ReplicateDesign(data, "w", np.ones((3, 4)), **kwargs)


def test_negative_replicate_weight_names_row_and_replicate():
    reps = np.ones((3, 4))
    reps[2, 1] = -1.0
    with pytest.raises(DesignError, match=r"replicate weight 2 has value -1.0 in row 2"):
        ReplicateDesign(pd.DataFrame({"w": [1.0, 2.0, 3.0]}), "w", reps, "bootstrap")


@pytest.mark.parametrize("mse", [False, True], ids=["centred", "mse"])
def test_replicate_estimates_kept_on_request_and_a_nonlinear_contrast_is_re_estimated_on_them(mse):
    """With return_replicates=True (R return.replicates = TRUE) the estimates of a replicate design keep their
    replicate estimates, in the order of vcov, which they reproduce; a nonlinear contrast applies g to every
    replicate and takes their replicate variance (R svycontrast.svrepstat); a linear one keeps C theta_r, whose
    variance is C V C'. Without them (the default) the nonlinear contrast is the delta method J V J'."""
    rep = as_replicate(SurveyDesign(api("apistrat"), strata="stype", fpc="fpc"), "jkn", mse=mse)
    m = est.mean(rep, ["api00", "api99"], by="stype", covmat=True, return_replicates=True)
    r = m.replicates.values
    assert r.shape == (rep.n_replicates, 6)
    np.testing.assert_allclose(m.replicates.cov(m.estimate), m.vcov.to_numpy(), rtol=1e-13)
    expressions = {"E": "`E:api00` / `E:api99`", "H": "log(`H:api00`) - log(`H:api99`)"}
    growth = est.contrast(m, expressions)
    e, h = r[:, 0] / r[:, 1], np.log(r[:, 2]) - np.log(r[:, 3])
    np.testing.assert_allclose(growth.replicates.values, np.column_stack([e, h]), rtol=1e-14)
    np.testing.assert_allclose(np.diag(growth.vcov.to_numpy()),
                               rep.variance_of(growth.estimate, np.vstack([e, h])), rtol=1e-12)
    linear = est.contrast(m, {"d": {"E:api00": 1, "E:api99": -1}})
    np.testing.assert_allclose(linear.replicates.values[:, 0], r[:, 0] - r[:, 1], rtol=1e-14)
    np.testing.assert_allclose(linear.replicates.cov(linear.estimate), linear.vcov.to_numpy(), rtol=1e-10)

    default = est.mean(rep, ["api00", "api99"], by="stype", covmat=True)
    assert default.replicates is None
    np.testing.assert_allclose(default.vcov.to_numpy(), m.vcov.to_numpy(), rtol=1e-14)
    delta = est.contrast(default, expressions)
    assert delta.replicates is None
    b = dict(zip(default.vcov.index, default.estimate))
    jac = np.zeros((2, 6))
    jac[0, :2] = 1 / b["E:api99"], -b["E:api00"] / b["E:api99"] ** 2
    jac[1, 2:4] = 1 / b["H:api00"], -1 / b["H:api99"]
    np.testing.assert_allclose(delta.vcov.to_numpy(), jac @ default.vcov.to_numpy() @ jac.T, rtol=1e-12)
    assert not np.allclose(delta.vcov.to_numpy(), growth.vcov.to_numpy(), rtol=1e-6)


@pytest.mark.parametrize("name, call, k", [
    ("total", lambda d, **kw: est.total(d, ["api00", "enroll"], **kw), 2),
    ("ratio", lambda d, **kw: est.ratio(d, ["api00", "api99"], "enroll", **kw), 2),
    ("proportion", lambda d, **kw: est.proportion(d, "stype", **kw), 3),
    ("by_mean", lambda d, **kw: est.by(d, "sch.wide", est.mean, "api00", **kw), 2),
    ("by_proportion", lambda d, **kw: est.proportion(d, "awards", by="stype", **kw), 6),
])
def test_return_replicates_for_every_estimator_and_by(name, call, k):
    """total, ratio, proportion and `by` keep their replicate estimates exactly when return_replicates=True on a
    replicate design (with `by`: every domain's, whose covariance is then `vcov`, as R svyby's); estimates and
    SEs do not change."""
    rep = REPLICATES["jk1"]()
    kept, plain = call(rep, return_replicates=True), call(rep)
    assert plain.replicates is None
    assert kept.replicates.values.shape == (rep.n_replicates, k)
    np.testing.assert_allclose(kept.replicates.cov(kept.estimate), kept.vcov.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(np.sqrt(np.diag(kept.vcov.to_numpy())), kept.se, rtol=1e-12)
    pd.testing.assert_frame_equal(kept.to_frame(), plain.to_frame())
