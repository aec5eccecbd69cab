"""Margins: building, checking, collapsing, scaling; property tests that raking and bounded calibration
reproduce every margin and keep g within the bounds."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riset.survey.design import SurveyDesign
from riset.errors import WeightingError
from riset.survey.margins import (check_margin, check_margins, collapse_margin, margin_from_table,
                           scale_margin)
from riset.survey.weighting import calibrate, poststratify, rake

POP = pd.DataFrame({
    "kecamatan": ["A"] * 4 + ["B"] * 4,
    "umur": ["17-34", "35-54", "55+", "17-34"] * 2,  # repeated category: counts are summed
    "jumlah": [10, 20, 30, 5, 40, 50, 60, 0],
})


def sample(**cols):
    return pd.DataFrame(cols)


def test_margin_sums_repeated_rows_in_table_order():
    m = margin_from_table(POP, ["kecamatan", "umur"])
    s = m.to_series()
    assert s[("A", "17-34")] == 15 and s[("B", "17-34")] == 40
    assert list(s.index) == [("A", "17-34"), ("A", "35-54"), ("A", "55+"), ("B", "17-34"), ("B", "35-54"),
                             ("B", "55+")]
    assert m.total == 215


def test_blank_category_in_sample_names_column_and_rows():
    data = sample(kecamatan=["A", None, "B", None])
    with pytest.raises(WeightingError, match=r"'kecamatan' is blank in 2 row\(s\) \(spreadsheet rows 3, 5\)"):
        check_margin(margin_from_table(POP, "kecamatan"), data)


def test_population_zero_with_respondents_is_an_error():
    table = pd.DataFrame({"jk": ["L", "P"], "jumlah": [0, 10]})
    with pytest.raises(WeightingError, match=r"jk='L' has population count 0 but 2 respondent"):
        check_margin(margin_from_table(table, "jk"), sample(jk=["L", "L", "P"]))


def test_zero_population_cell_without_respondents_is_dropped_and_reported():
    table = pd.DataFrame({"jk": ["L", "P", "X"], "jumlah": [5, 10, 0]})
    m = check_margin(margin_from_table(table, "jk"), sample(jk=["L", "P"]))
    assert m.to_series().to_dict() == {"L": 5.0, "P": 10.0}
    assert m.collapses[["tindakan", "sel"]].values.tolist() == [["dropped_empty", "X"]]
    assert [note.text("id") for note in m.notes] == ["Margin jk: sel X dibuang karena tanpa responden (0 responden)."]
    assert m.notes[0].text("en") == "Margin jk: cell X dropped, it has no respondents (0 respondents)."


def test_collapse_merges_empty_age_cell_with_smaller_neighbour_and_reports_it():
    # A: 17-34 has 3 respondents, 35-54 none, 55+ one -> 35-54 joins 55+ (fewer respondents); B untouched
    data = sample(kecamatan=["A"] * 4 + ["B"] * 3, umur=["17-34"] * 3 + ["55+", "17-34", "35-54", "55+"])
    m = collapse_margin(margin_from_table(POP, ["kecamatan", "umur"]), data, along="umur", min_n=1)
    s = m.to_series()
    assert s[("A", "35-54 + 55+")] == 50 and s[("A", "17-34")] == 15 and len(s) == 5
    row = m.collapses.iloc[0]
    assert (row["sel"], row["ke"], row["n_responden"]) == ("A | 35-54", "A | 55+", 0)
    assert row["tindakan"] == "collapsed"
    # the margin named by its variables' labels (a column the catalog does not know: as it is), the cells by value
    assert m.notes[0].text("id") == "Margin kecamatan × umur: sel A | 35-54 digabung ke A | 55+ (0 responden)."
    assert m.collapses["margin"].tolist() == ["kecamatan x umur"]
    d = poststratify(SurveyDesign(data), m)
    np.testing.assert_allclose(d.weights, [5, 5, 5, 50, 40, 50, 60])


def test_collapse_of_whole_group_below_min_n_is_an_error():
    data = sample(kecamatan=["A", "B", "B", "B"], umur=["17-34", "17-34", "35-54", "55+"])
    with pytest.raises(WeightingError, match=r"all of kecamatan='A' has only 1 respondent"):
        collapse_margin(margin_from_table(POP, ["kecamatan", "umur"]), data, along="umur", min_n=2)


def test_totals_disagree_names_each_margin():
    a = pd.Series({"L": 50, "P": 50}).rename_axis("jk")
    b = pd.Series({"x": 60, "y": 50}).rename_axis("kec")
    with pytest.raises(WeightingError, match=r"'jk' = 100, 'kec' = 110"):
        check_margins([a, b], sample(jk=["L", "P"], kec=["x", "y"]))


def test_scale_margin_keeps_composition():
    m = scale_margin(pd.Series({"L": 40, "P": 60}).rename_axis("jk"), 10)
    assert m.to_series().to_dict() == {"L": 4.0, "P": 6.0}


def test_series_without_index_name_is_rejected():
    with pytest.raises(WeightingError, match="name the index"):
        check_margin(pd.Series({"L": 1, "P": 2}), sample(jk=["L", "P"]))


@st.composite
def raking_problem(draw):
    """A sample with two categorical variables (every category present), positive weights, and
    population margins taken from a random positive joint table (so the totals agree)."""
    k1, k2 = draw(st.integers(2, 4)), draw(st.integers(2, 3))
    n = draw(st.integers(max(k1, k2) + 2, 40))
    a = np.array([i % k1 for i in range(n)])
    b = np.array(draw(st.lists(st.integers(0, k2 - 1), min_size=n, max_size=n)))
    b[:k2] = np.arange(k2)
    w = np.array(draw(st.lists(st.floats(0.5, 20), min_size=n, max_size=n)))
    joint = np.array(draw(st.lists(st.floats(1, 1000), min_size=k1 * k2, max_size=k1 * k2))).reshape(k1, k2)
    data = pd.DataFrame({"a": [f"a{i}" for i in a], "b": [f"b{j}" for j in b], "w": w})
    m1 = pd.Series(joint.sum(axis=1), index=[f"a{i}" for i in range(k1)]).rename_axis("a")
    m2 = pd.Series(joint.sum(axis=0), index=[f"b{j}" for j in range(k2)]).rename_axis("b")
    return data, m1, m2


def _reproduces(design, margin):
    got = pd.Series(design.weights).groupby(design.data[margin.index.name].to_numpy()).sum()
    np.testing.assert_allclose(got.reindex(margin.index).to_numpy(), margin.to_numpy(), rtol=1e-6)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raking_problem())
def test_raked_weights_reproduce_every_margin(problem):
    data, m1, m2 = problem
    d = SurveyDesign(data, weights="w")
    try:
        raked = rake(d, [m1, m2], epsilon=1e-10, maxit=300)
    except WeightingError as err:  # the sample's cells may make the margins incompatible: refuse, never return
        assert "did not converge" in str(err) or "margins are not met" in str(err)
        return
    _reproduces(raked, m1)
    _reproduces(raked, m2)
    # calibration with the raking distance solves the same problem (epsilon is relative to 1 + |total| of
    # each calibration column; b's first cell is implied by N, so its tolerance is that of N)
    cal = calibrate(d, [m1, m2], calfun="raking", maxit=100, epsilon=1e-10)
    _reproduces(cal, m1)
    _reproduces(cal, m2)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raking_problem(), st.sampled_from(["linear", "raking", "logit"]), st.floats(0.2, 0.9), st.floats(1.2, 5))
def test_bounded_calibration_respects_bounds_or_refuses(problem, calfun, lower, upper):
    data, m1, m2 = problem
    d = SurveyDesign(data, weights="w")
    try:
        cal = calibrate(d, [m1, m2], calfun=calfun, bounds=(lower, upper), maxit=100)
    except WeightingError as err:
        assert "did not converge" in str(err) or "cannot" in str(err)
        return
    g = cal.weights / d.weights
    assert g.min() >= lower - 1e-9 and g.max() <= upper + 1e-9
    _reproduces(cal, m1)
    _reproduces(cal, m2)


def test_rake_refuses_margins_the_sample_cannot_meet():
    # a0 and a2 occur only with b0, a1 only with b1: b0 must carry 4 of 6 but the margin says 3
    data = sample(a=["a0", "a1", "a2", "a0", "a1"], b=["b0", "b1", "b0", "b0", "b1"])
    m1 = pd.Series({"a0": 2.0, "a1": 2.0, "a2": 2.0}).rename_axis("a")
    m2 = pd.Series({"b0": 3.0, "b1": 3.0}).rename_axis("b")
    with pytest.raises(WeightingError, match="margins are not met|did not converge"):
        rake(SurveyDesign(data), [m1, m2], epsilon=1e-10, maxit=300)
