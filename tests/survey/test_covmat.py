"""Estimates with their full covariance against R survey 4.1 (tests/r/golden_covmat.R): svyby(covmat = TRUE)
for means and totals, svycontrast of domain means, svyratio with two numerators and two denominators; on
stratified, one- and two-stage cluster and JK1 replicate designs."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riset.errors import DataError
from riset.survey import estimate
from riset.survey.design import SurveyDesign
from riset.survey.replicate import as_replicate

DATA = Path(__file__).resolve().parents[1] / "data"
GOLDEN = json.loads((DATA / "golden" / "covmat_api.json").read_text())


@pytest.fixture(scope="module")
def designs():
    api = {n: pd.read_csv(DATA / "api" / f"{n}.csv") for n in ("apistrat", "apiclus1", "apiclus2")}
    clus1 = SurveyDesign(api["apiclus1"], weights="pw", psu="dnum", fpc="fpc")
    return {"strat": SurveyDesign(api["apistrat"], weights="pw", strata="stype", fpc="fpc"), "clus1": clus1,
            "clus2": SurveyDesign(api["apiclus2"], weights="pw", psu="dnum", ssu="snum", fpc="fpc1", fpc2="fpc2"),
            "jk1": as_replicate(clus1, "jk1")}


def _check(result, gold):
    order = [list(result.vcov.index).index(n) for n in gold["names"]]
    np.testing.assert_allclose(result.table["estimate"].to_numpy()[order], gold["coef"], rtol=1e-12)
    np.testing.assert_allclose(result.vcov.to_numpy()[np.ix_(order, order)], np.array(gold["vcov"]), rtol=1e-9,
                               atol=1e-9 * np.abs(gold["vcov"]).max())


@pytest.mark.parametrize("name", ["strat", "clus1", "clus2", "jk1"])
def test_by_with_covmat_matches_svyby(designs, name):
    d = designs[name]
    _check(estimate.mean(d, ["api00", "api99"], by="stype", covmat=True), GOLDEN[name]["by_mean"])
    _check(estimate.total(d, "api00", by="stype", covmat=True), GOLDEN[name]["by_total"])
    # the diagonal is the table's SE
    m = estimate.mean(d, ["api00", "api99"], by="stype", covmat=True)
    np.testing.assert_allclose(np.sqrt(np.diag(m.vcov)), m.se, rtol=1e-10)


@pytest.mark.parametrize("name", ["strat", "clus1", "clus2", "jk1"])
def test_contrasts_match_svycontrast(designs, name):
    m = estimate.mean(designs[name], ["api00", "api99"], by="stype", covmat=True)
    one = estimate.contrast(m, {"E:api00": 1, "H:api00": -1})
    assert one.estimate[0] == pytest.approx(GOLDEN[name]["contrast"]["coef"], rel=1e-12)
    assert one.se[0] == pytest.approx(np.ravel(GOLDEN[name]["contrast"]["se"])[0], rel=1e-9)
    two = estimate.contrast(m, {"eh": {"E:api00": 1, "H:api00": -1}, "growth_m": {"M:api00": 1, "M:api99": -1}})
    np.testing.assert_allclose(two.estimate, GOLDEN[name]["contrasts"]["coef"], rtol=1e-12)
    np.testing.assert_allclose(two.vcov.to_numpy(), GOLDEN[name]["contrasts"]["vcov"], rtol=1e-9)


@pytest.mark.parametrize("name", ["strat", "clus1", "clus2", "jk1"])
def test_several_ratios_with_their_covariance_match_svyratio(designs, name):
    r = estimate.ratio(designs[name], ["api00", "api99"], ["meals", "api.stu"])
    assert list(r.vcov.index) == GOLDEN[name]["ratio"]["names"]
    np.testing.assert_allclose(r.estimate, GOLDEN[name]["ratio"]["coef"], rtol=1e-12)
    np.testing.assert_allclose(r.vcov.to_numpy(), GOLDEN[name]["ratio"]["vcov"], rtol=1e-9)


def test_a_contrast_of_a_domain_with_itself_is_zero_with_zero_se(designs):
    m = estimate.mean(designs["strat"], "api00", by="stype", covmat=True)
    same = estimate.contrast(m, [[1, 0, 0], [1, 0, 0]])
    assert same.estimate[0] == same.estimate[1]
    diff = estimate.contrast(m, {"E": 1})
    zero = estimate.contrast(m, np.array([1.0, 0.0, 0.0]) - np.array([1.0, 0.0, 0.0]))
    assert zero.estimate[0] == 0 and zero.se[0] == 0 and diff.se[0] > 0


def test_contrast_names_must_be_estimates(designs):
    m = estimate.mean(designs["strat"], "api00", by="stype", covmat=True)
    with pytest.raises(DataError, match="'X' are not estimates; estimates: E, H, M"):
        estimate.contrast(m, {"X": 1})
    with pytest.raises(DataError, match="no covariance matrix"):
        estimate.contrast(estimate.mean(designs["strat"], "api00", by="stype"), {"E": 1})
