"""riset.survey.weighting against R survey 4.1 (golden values from tests/r/golden_weighting.R) and by hand.

Each golden case compares the calibrated weights and the SEs of svymean(~api00), svytotal(~enroll)
and the domain mean of api00 in comp.imp == "Yes" to 1e-6 relative. Population margins are those of
R's `apipop` (counted there, copied here).
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riset.survey.design import SurveyDesign
from riset.errors import WeightingError
from riset.survey.margins import margin_from_table
from riset.survey.weighting import calibrate, poststratify, rake, trim_weights

DATA = Path(__file__).resolve().parents[1] / "data"
GOLDEN = json.loads((DATA / "golden" / "weighting.json").read_text())["cases"]

STYPE = pd.Series({"E": 4421, "H": 755, "M": 1018}).rename_axis("stype")
SCH_WIDE = pd.Series({"No": 1072, "Yes": 5122}).rename_axis("sch.wide")
COMP_IMP = pd.Series({"No": 1712, "Yes": 4482}).rename_axis("comp.imp")
SCH_WIDE_X_COMP_IMP = pd.Series(
    [995, 77, 717, 4405],
    index=pd.MultiIndex.from_tuples([("No", "No"), ("No", "Yes"), ("Yes", "No"), ("Yes", "Yes")],
                                    names=["sch.wide", "comp.imp"]))
STYPE_X_AWARDS = pd.Series(
    [1111, 3310, 467, 288, 449, 569],
    index=pd.MultiIndex.from_product([["E", "H", "M"], ["No", "Yes"]], names=["stype", "awards"]))


@pytest.fixture(scope="module")
def clus1():
    return SurveyDesign(pd.read_csv(DATA / "api" / "apiclus1.csv"), weights="pw", psu="dnum", fpc="fpc")


@pytest.fixture(scope="module")
def strat():
    return SurveyDesign(pd.read_csv(DATA / "api" / "apistrat.csv"), weights="pw", strata="stype", fpc="fpc")


def _mean_se(design, y):
    w = design.weights
    est = np.sum(w * y) / w.sum()
    return est, float(np.sqrt(design.variance(w * (y - est) / w.sum())[0, 0]))


def summarise(design):
    """The statistics the R script reports, from `design.variance` of the usual influence values."""
    data = design.data
    api00 = data["api00"].to_numpy(float)
    enroll = data["enroll"].to_numpy(float)
    mean, se_mean = _mean_se(design, api00)
    total = float(np.sum(design.weights * enroll))
    se_total = float(np.sqrt(design.variance(design.weights * enroll)[0, 0]))
    dmean, se_dmean = _mean_se(design.subset(data["comp.imp"] == "Yes"), api00)
    return {"weights": design.weights, "mean_api00": mean, "se_mean_api00": se_mean, "total_enroll": total,
            "se_total_enroll": se_total, "domain_mean_api00": dmean, "se_domain_mean_api00": se_dmean}


def assert_matches_r(design, case):
    got, want = summarise(design), GOLDEN[case]
    np.testing.assert_allclose(got["weights"], want["weights"], rtol=1e-6)
    for key in ("mean_api00", "se_mean_api00", "total_enroll", "se_total_enroll",
                "domain_mean_api00", "se_domain_mean_api00"):
        np.testing.assert_allclose(got[key], want[key], rtol=1e-6, err_msg=f"{case}: {key}")


TOTALS = {"api99": 3914069}


@pytest.mark.parametrize(
    "case, method",
    [
        ("clus1_none", lambda d: d),
        ("clus1_poststratify_stype", lambda d: poststratify(d, STYPE)),
        ("clus1_rake_stype_schwide", lambda d: rake(d, [STYPE, SCH_WIDE], epsilon=1e-9)),
        ("clus1_rake_cross", lambda d: rake(d, [STYPE_X_AWARDS, SCH_WIDE], epsilon=1e-9)),
        ("clus1_calibrate_linear", lambda d: calibrate(d, [STYPE], totals=TOTALS)),
        ("clus1_calibrate_linear_bounds", lambda d: calibrate(d, [STYPE], totals=TOTALS, bounds=(0.6, 1.6))),
        ("clus1_calibrate_raking", lambda d: calibrate(d, [STYPE], totals=TOTALS, calfun="raking")),
        ("clus1_calibrate_raking_bounds",
         lambda d: calibrate(d, [STYPE], totals=TOTALS, calfun="raking", bounds=(0.6, 1.6))),
        ("clus1_calibrate_logit", lambda d: calibrate(d, [STYPE], totals=TOTALS, calfun="logit", bounds=(0.6, 1.6))),
        ("clus1_trim", lambda d: trim_weights(calibrate(d, [STYPE], totals=TOTALS), lower=20, upper=45)),
        ("clus1_trim_strict",
         lambda d: trim_weights(calibrate(d, [STYPE], totals=TOTALS), lower=20, upper=45, strict=True)),
    ],
)
def test_cluster_design_matches_r(clus1, case, method):
    assert_matches_r(method(clus1), case)


@pytest.mark.parametrize(
    "case, method",
    [
        ("strat_none", lambda d: d),
        ("strat_poststratify_schwide", lambda d: poststratify(d, SCH_WIDE)),
        ("strat_rake_schwide_compimp", lambda d: rake(d, [SCH_WIDE, COMP_IMP], epsilon=1e-9)),
        ("strat_rake_cross", lambda d: rake(d, [STYPE, SCH_WIDE_X_COMP_IMP], epsilon=1e-9)),
        ("strat_calibrate_linear", lambda d: calibrate(d, [SCH_WIDE], totals=TOTALS)),
    ],
)
def test_stratified_design_matches_r(strat, case, method):
    assert_matches_r(method(strat), case)


@pytest.mark.parametrize("calfun", ["linear", "raking", "logit"])
def test_bounds_are_enforced_and_totals_met(clus1, calfun):
    # unbounded linear g ranges 0.42-1.83 here, so (0.6, 1.6) must bind
    cal = calibrate(clus1, [STYPE], totals=TOTALS, calfun=calfun, bounds=(0.6, 1.6))
    g = cal.weights / clus1.weights
    assert g.min() >= 0.6 - 1e-12 and g.max() <= 1.6 + 1e-12
    assert np.isclose(g.min(), 0.6, atol=1e-3) or np.isclose(g.max(), 1.6, atol=1e-3)
    data = clus1.data
    for stype, n in STYPE.items():
        assert cal.weights[data["stype"] == stype].sum() == pytest.approx(n, rel=1e-6)
    assert np.sum(cal.weights * data["api99"]) == pytest.approx(3914069, rel=1e-6)


def test_impossible_bounds_raise_instead_of_violating(clus1):
    with pytest.raises(WeightingError, match="did not converge"):
        calibrate(clus1, [STYPE], totals=TOTALS, bounds=(0.95, 1.05))


def test_logit_needs_finite_bounds(clus1):
    with pytest.raises(WeightingError, match="logit"):
        calibrate(clus1, [STYPE], calfun="logit")


def test_rake_not_converged_is_an_error_unless_forced(clus1):
    with pytest.raises(WeightingError, match="did not converge"):
        rake(clus1, [STYPE, SCH_WIDE], epsilon=1e-12, maxit=2)
    forced = rake(clus1, [STYPE, SCH_WIDE], epsilon=1e-12, maxit=2, force=True)
    # the last margin raked is met exactly even without convergence
    assert forced.weights[clus1.data["sch.wide"] == "Yes"].sum() == pytest.approx(5122)


def test_poststratify_by_hand():
    data = pd.DataFrame({"jk": ["L", "L", "P", "P", "P"], "y": [1.0, 2, 3, 4, 5]})
    d = SurveyDesign(data, weights=None)  # weights 1
    ps = poststratify(d, pd.Series({"L": 10, "P": 30}).rename_axis("jk"))
    np.testing.assert_allclose(ps.weights, [5, 5, 10, 10, 10])
    # total of y after post-stratification: within-cell residuals y - ybar_c times the weight
    resid = np.array([-0.5, 0.5, -1, 0, 1]) * ps.weights
    assert ps.variance(ps.weights * data["y"].to_numpy())[0, 0] == pytest.approx(5 / 4 * np.sum(resid**2))


def test_margin_category_missing_from_sample_is_named(clus1):
    bad = pd.concat([STYPE, pd.Series({"K": 10}).rename_axis("stype")])
    with pytest.raises(WeightingError, match=r"stype='K'.*no respondents"):
        poststratify(clus1, bad)
    # partial=True drops it (as R) and the weights then sum to the matched cells only
    ps = poststratify(clus1, bad, partial=True)
    assert ps.weights.sum() == pytest.approx(6194)


def test_sample_category_missing_from_margin_is_named(clus1):
    with pytest.raises(WeightingError, match=r"stype='M' is in the sample \(25 respondent"):
        poststratify(clus1, STYPE.drop("M"))


def test_cross_margin_with_empty_sample_cell_is_named(clus1):
    # apiclus1 has no school with sch.wide = No and comp.imp = Yes (R's postStratify stops there too)
    with pytest.raises(WeightingError, match=r"sch.wide='No', comp.imp='Yes' has population 77 but no respondents"):
        rake(clus1, [STYPE, SCH_WIDE_X_COMP_IMP])


def test_disagreeing_margin_totals_are_an_error(clus1):
    with pytest.raises(WeightingError, match=r"totals disagree.*'stype' = 6,194.*'sch.wide' = 6,195"):
        rake(clus1, [STYPE, SCH_WIDE + pd.Series({"No": 1, "Yes": 0})])


def test_margin_from_population_table():
    table = pd.DataFrame({"kecamatan": ["A", "A", "B", "B"], "jk": ["L", "P", "L", "P"], "jumlah": [10, 20, 30, 40]})
    m = margin_from_table(table, "kecamatan")
    assert m.to_series().to_dict() == {"A": 30.0, "B": 70.0}
    with pytest.raises(WeightingError, match=r"'jumlah' has value -1 in row 3"):
        margin_from_table(table.assign(jumlah=[10, -1, 30, 40]), "jk")


def test_trim_redistributes_equally_and_keeps_total():
    d = SurveyDesign(pd.DataFrame({"w": [1.0, 2.0, 3.0, 10.0]}), weights="w")
    t = trim_weights(d, upper=6)
    # 4 trimmed from the last weight, shared equally by the other three: +4/3 each
    np.testing.assert_allclose(t.weights, [1 + 4 / 3, 2 + 4 / 3, 3 + 4 / 3, 6])
    assert t.weights.sum() == pytest.approx(16)


def test_weighting_a_domain_is_refused(clus1):
    domain = clus1.subset(clus1.data["stype"] == "E")
    with pytest.raises(WeightingError, match=r"weight 0.*weight the full design"):
        calibrate(domain, [STYPE], totals=TOTALS)


# ------------------------------------------------ calibration without N, working-model variance, unit bounds, clusters
ENROLL = 3811472  # sum of apipop$enroll


def test_ratio_calibration_by_hand(strat):
    """intercept=False, variance = x: g_i = t_x / sum_j d_j x_j for every row (the ratio estimator)."""
    cal = calibrate(strat, totals={"enroll": ENROLL}, intercept=False, variance="enroll")
    d, x = strat.weights, strat.data["enroll"].to_numpy()
    np.testing.assert_allclose(cal.weights / d, ENROLL / np.sum(d * x), rtol=1e-13)


def test_heteroskedastic_g_is_linear_in_x_over_c(strat):
    """g_i = 1 + x_i' lambda / c_i (Deville & Sarndal 1992): (g - 1) c is exactly linear in x = (1, api99, enroll),
    and the totals are met; with c = 1 it is the plain GREG g."""
    data = strat.data
    c = 1 + data["meals"].to_numpy(dtype=float)
    totals = {"api99": 3914069.0, "enroll": ENROLL}
    cal = calibrate(strat, totals=totals, population_size=6194, variance=c)
    x = np.column_stack([np.ones(len(data)), data["api99"], data["enroll"]])
    u = (cal.weights / strat.weights - 1) * c
    lam = np.linalg.lstsq(x, u, rcond=None)[0]
    np.testing.assert_allclose(x @ lam, u, atol=1e-12 * np.abs(u).max())
    np.testing.assert_allclose(cal.weights @ x, [6194, *totals.values()], rtol=1e-12)
    plain = calibrate(strat, totals=totals, population_size=6194)
    np.testing.assert_allclose(calibrate(strat, totals=totals, population_size=6194, variance=np.ones(len(data))).weights,
                               plain.weights, rtol=1e-13)


def test_unit_bounds_from_columns_hold(strat):
    """Per-row bounds from columns: g of rows with [1, 1] stays 1, the others within [0.5, 3]."""
    data = strat.data.assign(lo=0.5, hi=3.0)
    data.loc[data.index[:5], ["lo", "hi"]] = 1.0
    d = SurveyDesign(data, weights="pw", strata="stype", fpc="fpc")
    cal = calibrate(d, [STYPE], totals={"enroll": ENROLL}, bounds=("lo", "hi"), epsilon=1e-12)
    g = cal.weights / d.weights
    np.testing.assert_allclose(g[:5], 1.0, rtol=0, atol=1e-15)
    assert g.min() >= 0.5 - 1e-12 and g.max() <= 3 + 1e-12
    assert np.sum(cal.weights * data["enroll"]) == pytest.approx(ENROLL, rel=1e-12)


def test_bounds_const_bounds_the_weights(clus1):
    """bounds_const=True: the bounds are on the weights (start weights 33.85; unbounded they reach 14 to 62)."""
    cal = calibrate(clus1, [STYPE], totals=TOTALS, bounds=(21.0, 54.0), bounds_const=True, epsilon=1e-12)
    assert cal.weights.min() >= 21 - 1e-9 and cal.weights.max() <= 54 + 1e-9
    assert np.isclose(cal.weights.min(), 21) or np.isclose(cal.weights.max(), 54)


def test_aggregate_gives_one_g_per_cluster_on_a_replicate_design(clus1):
    """aggregate='dnum' on a replicate design (R aggregate.index): the weights equal those of aggregate=1 on the
    cluster design, and every replicate column is calibrated too (its totals met)."""
    from riset.survey.replicate import as_replicate
    cal = calibrate(clus1, [STYPE], totals=TOTALS, aggregate=1)
    rep = calibrate(as_replicate(clus1, "JK1"), [STYPE], totals=TOTALS, aggregate="dnum")
    np.testing.assert_allclose(rep.weights, cal.weights, rtol=1e-12)
    g = pd.Series(cal.weights / clus1.weights).groupby(clus1.data["dnum"].to_numpy()).agg(np.ptp)
    assert g.max() < 1e-12
    np.testing.assert_allclose(clus1.data["api99"].to_numpy() @ rep.replicate_weights, TOTALS["api99"], rtol=1e-10)


@pytest.mark.parametrize("kwargs, message", [
    ({"totals": {"enroll": ENROLL}, "intercept": False, "population_size": 6194}, "intercept=False"),
    ({"intercept": False}, "at least one numeric total"),
    ({"totals": {"enroll": ENROLL}, "intercept": False, "variance": "nope"}, "variance names column 'nope'"),
    ({"totals": {"enroll": ENROLL}, "intercept": False, "variance": np.r_[-1.0, np.ones(199)]},
     "variance is -1 in row 0"),
    ({"totals": {"enroll": ENROLL}, "intercept": False, "variance": np.ones(3)}, "one per row"),
    ({"totals": {"enroll": ENROLL}, "population_size": 6194, "bounds": (np.r_[2.0, np.zeros(199)], 1.5)},
     r"bounds on g in row 0 are \[2, 1.5\]"),
    ({"totals": {"enroll": ENROLL}, "population_size": 6194, "bounds": ("lo", 2.0)}, "bounds \\(lower\\) names"),
    ({"totals": {"enroll": ENROLL}, "population_size": 6194, "aggregate": 1}, "no stage-1 clusters"),
    ({"totals": {"enroll": ENROLL}, "population_size": 6194, "aggregate": "nope"}, "not found"),
])
def test_calibration_options_bad_input(strat, kwargs, message):
    with pytest.raises(WeightingError, match=message):
        calibrate(strat, **kwargs)
