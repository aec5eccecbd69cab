"""The survey engine's answer to bad arguments and data: a riset error naming the column, value or argument, never a
raw Python exception (IndexError, TypeError, ...) or a silently wrong number."""

import numpy as np
import pandas as pd
import pytest

from riset.errors import DataError, DesignError, WeightingError
from riset.survey import estimate as est
from riset.survey import quantiles
from riset.survey import models, replicate, weighting
from riset.survey.design import SurveyDesign

BASE = pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 6], "w": [1.0, 2, 1, 2, 1, 2], "g": ["x", "y", "x", "y", "x", "y"]})


def design(data=BASE):
    return SurveyDesign(data, weights="w")


@pytest.mark.parametrize("call, error, message", [
    (lambda: design(pd.concat([BASE, BASE[["y"]]], axis=1)), DesignError, r"duplicated column name\(s\) 'y'"),
    (lambda: SurveyDesign(BASE, weights=["w"]), DesignError, r"weights=\['w'\]: give one column name"),
    (lambda: SurveyDesign(BASE, psu=("g",)), DesignError, r"psu=\('g',\): give one column name"),
    (lambda: SurveyDesign(BASE, lonely_psu=["remove"]), DesignError, "lonely_psu=.* is not allowed"),
    (lambda: est.mean(design(), []), DataError, "no column given"),
    (lambda: est.mean(design(), "y", by=[]), DataError, "no column given"),
    (lambda: est.mean(design(BASE.assign(g=np.nan)), "y", by="g"), DataError,
     r"by column\(s\) 'g' are blank in every row"),
    (lambda: est.mean(design(), "y", level="95%"), DataError, "level=95%; a confidence level lies between 0 and 1"),
    (lambda: est.mean(design(), "y", level=True), DataError, "a confidence level lies between 0 and 1"),
    (lambda: quantiles.quantile(design(), "y", "median"), DataError, "probs='median'; give probabilities between 0 and 1"),
    (lambda: est.ratio(design(BASE.assign(x=0.0)), "y", "x"), DataError,
     "denominator 'x' has a weighted total of 0: the ratio is undefined"),
    (lambda: est.ratio(design(BASE.assign(x=[0.0, 1, 0, 1, 0, 1])), "y", "x", by="g"), DataError,
     "denominator 'x' has a weighted total of 0 in group g='x'"),
])
def test_bad_arguments_raise_a_riset_error_that_says_what_to_change(call, error, message):
    with pytest.raises(error, match=message):
        call()


SEX = pd.Series({"x": 30.0, "y": 30.0}).rename_axis("g")
MODEL = BASE.assign(x=[0.5, 1.5, 0.2, 2.0, 1.0, 0.1])


@pytest.mark.parametrize("call, error, message", [
    (lambda: models.linear("y ~ x", design(MODEL.assign(x=[0.5, 1.5, np.inf, 2.0, 1.0, 0.1]))), DataError,
     r"column 'x' has value inf in row 2 \(1 such row\(s\)\); a model needs finite numbers"),
    (lambda: models.linear("y ~ x", design(MODEL.assign(y=[1.0, 2, 3, -np.inf, 5, 6]))), DataError,
     "column 'y' has value -inf in row 3"),
    (lambda: models.linear("y ~ x", design(MODEL.assign(y=[f"{v:.3f}" for v in range(6)]))), DataError,
     r"outcome 'y' gives 6 columns \(y\[0.000\], .*\.\.\. \(6 in all\)\)"),
    (lambda: weighting.trim_weights(design(), lower="a", upper=3), WeightingError, "lower='a': a number is needed"),
    (lambda: weighting.rake(design(), [SEX], epsilon=-1), WeightingError, "epsilon=-1; the convergence tolerance"),
    (lambda: weighting.calibrate(design(), [SEX], totals={"y": "abc"}), WeightingError,
     r"totals\['y'\]='abc': a number is needed"),
    (lambda: replicate.as_replicate(SurveyDesign(BASE, psu="g"), type="bootstrap", replicates="10"), DesignError,
     "replicates='10': a number is needed"),
    (lambda: replicate.as_replicate(SurveyDesign(BASE, psu="g"), type="bootstrap", replicates=10.5), DesignError,
     "the bootstrap needs a whole number"),
    (lambda: est.contrast(est.mean(design(), ["y", "w"]), ["one", "two"]), DataError,
     r"contrast coefficients \['one', 'two'\]: give"),
    (lambda: est.proportion(design(), "y", by="g", return_replicates=True), DesignError,
     "return_replicates=True with `by` needs a replicate design"),
])
def test_bad_model_weighting_and_replicate_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_nullable_number_columns_enter_a_model_with_their_blanks_dropped():
    blank = MODEL.assign(x=pd.array([0.5, None, 0.2, 2.0, 1.0, 0.1], dtype="Float64"))
    fit = models.linear("y ~ x", design(blank))
    plain = models.linear("y ~ x", design(MODEL.drop(index=1)))
    np.testing.assert_allclose(fit.params.to_numpy(), plain.params.to_numpy(), rtol=1e-12)
    assert fit.n == 5


def test_a_column_named_by_a_number_is_one_column():
    data = BASE.rename(columns={"y": 0})
    assert est.mean(design(data), 0).estimate.tolist() == est.mean(design(), "y").estimate.tolist()


def test_every_answer_blank_with_na_rm_gives_nan_without_warnings():
    with np.errstate(all="raise"):
        table = est.mean(design(BASE.assign(y=np.nan)), "y", na_rm=True).table
    assert np.isnan(table["estimate"].iloc[0]) and table["n"].iloc[0] == 0


def test_as_replicate_of_something_else_than_a_design_says_so():
    with pytest.raises(DesignError, match="as_replicate\\(\\) converts a SurveyDesign, not DataFrame"):
        replicate.as_replicate(BASE, type="bootstrap")
