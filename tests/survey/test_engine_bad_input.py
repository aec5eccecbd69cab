"""The survey engine's answer to bad arguments and data: a riset error naming the column, value or argument, never a
raw Python exception (IndexError, TypeError, ...) or a silently wrong number."""

import numpy as np
import pandas as pd
import pytest

from riset.errors import DataError, DesignError
from riset.survey import estimate as est
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
    (lambda: est.quantile(design(), "y", "median"), DataError, "probs='median'; give probabilities between 0 and 1"),
    (lambda: est.ratio(design(BASE.assign(x=0.0)), "y", "x"), DataError,
     "denominator 'x' has a weighted total of 0: the ratio is undefined"),
    (lambda: est.ratio(design(BASE.assign(x=[0.0, 1, 0, 1, 0, 1])), "y", "x", by="g"), DataError,
     "denominator 'x' has a weighted total of 0 in group g='x'"),
])
def test_bad_arguments_raise_a_riset_error_that_says_what_to_change(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_column_named_by_a_number_is_one_column():
    data = BASE.rename(columns={"y": 0})
    assert est.mean(design(data), 0).estimate.tolist() == est.mean(design(), "y").estimate.tolist()


def test_every_answer_blank_with_na_rm_gives_nan_without_warnings():
    with np.errstate(all="raise"):
        table = est.mean(design(BASE.assign(y=np.nan)), "y", na_rm=True).table
    assert np.isnan(table["estimate"].iloc[0]) and table["n"].iloc[0] == 0
