"""Tests between groups against R survey 4.1 (tests/r/golden_compare.R): svychisq (F, Chisq, Wald, adjWald, lincom,
saddlepoint) and svyttest on the api designs (stratified, one- and two-stage cluster, post-stratified, JK1), plus
invariants that need no R; the units' rank intervals from Holm-adjusted pairwise tests (issue 21.8)."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from hypothesis import given, settings
from hypothesis import strategies as st

from riset.errors import DataError
from riset.survey.compare import chisq, holm, rank_intervals, ttest
from riset.survey.design import SurveyDesign
from riset.survey.distributions import pchisqsum, pfsum, uniroot
from riset.survey.replicate import as_replicate
from riset.survey.weighting import poststratify

DATA = Path(__file__).resolve().parents[1] / "data"
GOLDEN = json.loads((DATA / "golden" / "compare_api.json").read_text())


def _api(name: str) -> pd.DataFrame:
    d = pd.read_csv(DATA / "api" / f"{name}.csv")
    d["hi700"] = np.where(d["api00"] > 700, "ya", "tidak")
    d["growth"] = d["api00"] - d["api99"]
    return d


@pytest.fixture(scope="module")
def designs():
    strat = SurveyDesign(_api("apistrat"), weights="pw", strata="stype", fpc="fpc")
    clus1 = SurveyDesign(_api("apiclus1"), weights="pw", psu="dnum", fpc="fpc")
    return {"strat": strat, "clus1": clus1,
            "clus2": SurveyDesign(_api("apiclus2"), weights="pw", psu="dnum", ssu="snum", fpc="fpc1", fpc2="fpc2"),
            "jk1": as_replicate(clus1, "jk1"),
            "post": poststratify(strat, pd.Series({"E": 4421, "H": 755, "M": 1018}).rename_axis("stype"))}


CASES = [(d, t, s) for d in ("strat", "clus1", "clus2", "jk1", "post")
         for t in ("chisq_sch_stype", "chisq_hi700_awards") for s in ("F", "Chisq", "Wald", "adjWald")]


def _scalar(value):
    return float(np.ravel(value)[0])


@pytest.mark.parametrize("design, table, statistic", CASES, ids=["-".join(c) for c in CASES])
def test_chisq_matches_r_svychisq(designs, design, table, statistic):
    gold = GOLDEN[design][table][statistic]
    row, col = {"chisq_sch_stype": ("sch.wide", "stype"), "chisq_hi700_awards": ("hi700", "awards")}[table]
    result = chisq(designs[design], row, col, statistic=statistic)
    assert result.statistic == pytest.approx(_scalar(gold["statistic"]), rel=1e-9)
    assert result.p_value == pytest.approx(_scalar(gold["p_value"]), rel=1e-7)
    params = gold["parameter"]
    if "ndf" in params:
        assert result.ndf == pytest.approx(params["ndf"], rel=1e-9)
        assert result.ddf == pytest.approx(params["ddf"], rel=1e-9)
    else:
        assert result.ndf == params["df"] and result.ddf is None


LINCOM = [(d, t, s) for d in ("strat", "clus1", "clus2", "jk1", "post")
          for t in ("chisq_sch_stype", "chisq_hi700_awards") for s in ("lincom", "saddlepoint")]


@pytest.mark.parametrize("design, table, statistic", LINCOM, ids=["-".join(c) for c in LINCOM])
def test_chisq_lincom_and_saddlepoint_match_r(designs, design, table, statistic):
    """R's p-value of X^2 from sum_i delta_i chi^2_1 (/ chi^2_d / d): "lincom" is CompQuadForm's davies in R
    (error bound 1e-7), riset's Imhof integral; "saddlepoint" is the same saddlepoint as R's."""
    gold = GOLDEN[design][table][statistic]
    row, col = {"chisq_sch_stype": ("sch.wide", "stype"), "chisq_hi700_awards": ("hi700", "awards")}[table]
    result = chisq(designs[design], row, col, statistic=statistic)
    assert result.statistic == pytest.approx(_scalar(gold["statistic"]), rel=1e-9)
    tolerance = {"lincom": 1e-7, "saddlepoint": 1e-12}[statistic]
    assert result.p_value == pytest.approx(_scalar(gold["p_value"]), abs=tolerance, rel=1e-7)
    if len(result.delta) > 1:  # with one design effect, lincom is the F (Taylor) or the Chisq (replicates) test
        assert result.p_value != pytest.approx(GOLDEN[design][table]["F"]["p_value"], rel=1e-4)


TTESTS = [(d, t) for d in ("strat", "clus1", "clus2", "jk1", "post")
          for t in ("ttest_growth_awards", "ttest_api00_sch_wide", "ttest_growth_one")]


@pytest.mark.parametrize("design, case", TTESTS, ids=["-".join(c) for c in TTESTS])
def test_ttest_matches_r_svyttest(designs, design, case):
    gold = GOLDEN[design][case]
    variable, group = {"ttest_growth_awards": ("growth", "awards"), "ttest_api00_sch_wide": ("api00", "sch.wide"),
                       "ttest_growth_one": ("growth", None)}[case]
    result = ttest(designs[design], variable, group)
    assert result.estimate == pytest.approx(gold["estimate"], rel=1e-9)
    assert result.statistic == pytest.approx(gold["statistic"], rel=1e-9)
    assert result.df == gold["df"]
    assert result.p_value == pytest.approx(gold["p_value"], rel=1e-7)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.floats(0.5, 5)), min_size=12, max_size=40))
def test_a_table_of_a_variable_with_a_constant_copy_shows_no_evidence_without_variation(rows):
    # a column crossed with a copy of the strata: shares are what they are; the statistic is finite, p in [0, 1]
    frame = pd.DataFrame(rows, columns=["g", "w"])
    frame["h"] = np.where(np.arange(len(frame)) % 2, "x", "y")
    if frame["g"].nunique() < 2:
        return
    result = chisq(SurveyDesign(frame, weights="w"), "g", "h")
    assert 0 <= result.p_value <= 1 and np.isfinite(result.statistic)
    assert result.table.to_numpy().sum() == pytest.approx(1.0)


def test_independent_margins_give_a_zero_statistic():
    # every row category has the same column shares: X^2 = 0, p = 1
    frame = pd.DataFrame({"a": list("xxxxyyyy"), "b": list("pqpqpqpq")})
    result = chisq(SurveyDesign(frame), "a", "b", statistic="Chisq")
    assert result.pearson == pytest.approx(0.0, abs=1e-12) and result.p_value == pytest.approx(1.0)


def test_summaries_speak_the_audience_language():
    frame = pd.DataFrame({"a": list("xxyyxyxy"), "b": list("ppqqqpqp"), "y": [1, 2, 3, 4, 2, 3, 5, 1.0]})
    design = SurveyDesign(frame)
    rao_scott = chisq(design, "a", "b")
    assert rao_scott.summary("id").splitlines()[0] == "F: 0,0000 dengan db (1; 7), p = 1,000"
    assert rao_scott.summary("en").splitlines()[0] == "F: 0.0000 on (1, 7) df, p = 1.000"
    assert chisq(design, "a", "b", statistic="Chisq").summary("en").startswith("Chisq: 0.0000 on 1 df, p = 1.000")
    t = ttest(design, "y", "a")
    assert t.summary() == "t = 0,2523 dengan db 6, p = 0,809; estimasi 0,2500" == repr(t)
    assert t.summary("en") == "t = 0.2523 on 6 df, p = 0.809; estimate 0.2500"


def test_a_t_test_needs_two_groups_and_says_so():
    frame = pd.DataFrame({"y": [1.0, 2, 3, 4], "g": ["a", "b", "c", "a"]})
    with pytest.raises(DataError, match="'g' has 3 categories; a t test compares two"):
        ttest(SurveyDesign(frame), "y", "g")
    with pytest.raises(DataError, match="statistic='fisher'"):
        chisq(SurveyDesign(frame), "g", "g", statistic="fisher")


@pytest.mark.parametrize("name", ["strat", "clus1", "jk1"])
def test_compare_means_of_two_groups_is_the_t_test_squared(designs, name):
    d = designs[name]
    from riset.survey.compare import compare_means

    two = compare_means(d, d.data["growth"], "awards")
    t = ttest(d, "growth", "awards")
    assert two.statistic == pytest.approx(t.statistic ** 2, rel=1e-9)
    assert two.table["estimate"].diff().iloc[1] == pytest.approx(t.estimate, rel=1e-12)
    assert two.ndf == 1


def test_compare_means_of_three_groups_matches_r_regtermtest_by_hand(designs):
    from riset.survey.compare import compare_means
    from riset.survey.models import linear

    d = designs["strat"]
    three = compare_means(d, d.data["api00"], "stype")
    # the Wald test of the group term of y ~ group equals the test of equal domain means
    fit = linear("api00 ~ C(stype)", d)
    wald = fit.wald_test(["C(stype)"])
    assert three.statistic == pytest.approx(wald.F, rel=1e-9) and three.ndf == 2


def test_chisqsum_tails_match_r():
    """R: pchisqsum(3, c(1,1,1), c(1.3,.4,2), lower.tail=FALSE, method=) and pFsum(..., ddf=50.5); R's
    integration is CompQuadForm's davies/farebrother (error bound 1e-7), riset's Imhof's integral."""
    a = [1.3, 0.4, 2.0]
    assert pchisqsum(3.0, a, "integration") == pytest.approx(0.456417289845304, abs=1e-9)
    assert pfsum(3.0, a, 50.5, "integration") == pytest.approx(0.467461149184185, abs=1e-7)
    assert pchisqsum(3.0, a, "saddlepoint") == pytest.approx(0.452728780318001, rel=1e-12)
    assert pfsum(3.0, a, 50.5, "saddlepoint") == pytest.approx(0.463590642725292, rel=1e-12)
    assert pchisqsum(2.0, [1.7], "integration") == pytest.approx(stats.chi2.sf(2.0 / 1.7, 1), rel=1e-10)
    assert pfsum(2.0, [1.0], 30.0, "integration") == pytest.approx(stats.f.sf(2.0, 1, 30), rel=1e-9)


def test_uniroot_steps_as_r():
    """R: uniroot(function(x) x^3 - x - 1, c(0, 3), tol = 1e-3)$root, to the last digit (same iterates)."""
    assert uniroot(lambda x: x ** 3 - x - 1, 0.0, 3.0, tol=1e-3) == 1.3246796971038564
    with pytest.raises(DataError, match="opposite sign"):
        uniroot(lambda x: x * x + 1, 0.0, 1.0)


def test_rank_intervals_count_the_units_separated_after_holm():
    theta = np.array([90.0, 84.0, 83.0, 78.0, 70.0])
    vcov = np.diag([1.0, 1.5, 1.5, 2.0, 1.0]) + 0.2  # correlated estimates (one design)
    res = rank_intervals(pd.Series(theta, index=list("ABCDE")), vcov, df=40)
    pairs = res.pairs
    se = np.sqrt(vcov[0, 0] + vcov[1, 1] - 2 * vcov[0, 1])
    ab = pairs[(pairs["first"] == "A") & (pairs["second"] == "B")].iloc[0]
    assert ab["p_value"] == pytest.approx(2 * stats.t.sf(6.0 / se, 40), rel=1e-12)
    assert np.allclose(pairs["p_holm"], holm(pairs["p_value"]))
    # by hand: rank_low = 1 + units significantly above, rank_high = K - units significantly below
    separated = {(a, b) for a, b, s in zip(pairs["first"], pairs["second"], pairs["separated"]) if s}
    for i, unit in enumerate("ABCDE"):
        above = sum((other, unit) in separated for other in "ABCDE"[:i])
        below = sum((unit, other) in separated for other in "ABCDE"[i + 1:])
        assert res.table.loc[unit, ["rank_low", "rank_high"]].tolist() == [1 + above, 5 - below]
    assert res.table.loc["B", ["rank_low", "rank_high"]].tolist() == [2, 3]  # B and C not separated


def test_holm_rank_intervals_are_wider_than_unadjusted_ones_where_the_rule_matters():
    # two triples of units far apart; within each, neighbours are 2.5 SE of their difference apart: p = 0.015,
    # separated unadjusted, but Holm multiplies the four largest p of the 15 pairs by 4..1 -> 0.061, not separated
    step = 2.5 * np.sqrt(2)
    theta = np.array([80.0, 80.0 + step, 80.0 + 2 * step])
    theta = np.concatenate([theta, theta + 100])
    holm_ranks = rank_intervals(theta, np.eye(6), df=60).table
    plain = rank_intervals(theta, np.eye(6), df=60, adjust=None).table
    assert plain["rank_low"].tolist() == plain["rank_high"].tolist() == [6, 5, 4, 3, 2, 1]
    assert holm_ranks["rank_low"].tolist() == [5, 4, 4, 2, 1, 1]
    assert holm_ranks["rank_high"].tolist() == [6, 6, 5, 3, 3, 2]


def test_holm_rank_intervals_hold_simultaneously_when_all_units_are_equal():
    # 8 units with the same true value: every true rank interval is [1, 8]; an interval narrower than that is
    # a false separation. Holm keeps the chance of any at <= 5% (1000 draws: MC SE <= 0.7 points); unadjusted
    # tests of 28 pairs separate some pair far more often.
    rng = np.random.default_rng(21)
    k, reps = 8, 1000
    draws = rng.normal(size=(reps, k))
    any_false = {"holm": 0, None: 0}
    for x in draws:
        for rule in any_false:
            t = rank_intervals(x, np.eye(k), df=np.inf, adjust=rule).table
            any_false[rule] += bool(((t["rank_low"] > 1) | (t["rank_high"] < k)).any())
    holm_rate, plain_rate = any_false["holm"] / reps, any_false[None] / reps
    assert holm_rate <= 0.05 + 2 * np.sqrt(0.05 * 0.95 / reps)
    assert plain_rate > 0.25


def test_rank_intervals_check_their_input():
    with pytest.raises(DataError, match="vcov must be 2 x 2"):
        rank_intervals([1.0, 2.0], np.eye(3))
    with pytest.raises(DataError, match="adjust"):
        rank_intervals([1.0, 2.0], np.eye(2), adjust="bonferroni")


def test_holm_matches_statsmodels_multipletests_and_skips_blanks():
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(3)
    p = rng.uniform(size=25) ** 3
    p[[4, 17]] = np.nan
    finite = ~np.isnan(p)
    assert np.allclose(holm(p)[finite], multipletests(p[finite], method="holm")[1], rtol=0, atol=1e-15)
    assert np.isnan(holm(p)[~finite]).all() and holm([]).size == 0
