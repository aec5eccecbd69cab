"""Estimators on linearization designs against R survey golden values (tests/r/golden_estimate.R)."""

import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from riset.survey import estimate as est, weighting
from riset.survey import quantiles
from riset.survey.design import SurveyDesign
from riset.errors import DataError
from riset.survey.expression import Expression

DATA = Path(__file__).resolve().parents[1] / "data"
GOLDEN = json.loads((DATA / "golden" / "estimate.json").read_text())


@cache
def api(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / "api" / f"{name}.csv")


DESIGNS = {
    "strat": lambda: SurveyDesign(api("apistrat"), strata="stype", fpc="fpc"),
    "strat_nofpc": lambda: SurveyDesign(api("apistrat"), strata="stype", weights="pw"),
    "clus1": lambda: SurveyDesign(api("apiclus1"), psu="dnum", fpc="fpc"),
    "clus2": lambda: SurveyDesign(api("apiclus2"), psu="dnum", ssu="snum", fpc="fpc1", fpc2="fpc2"),
    "srs": lambda: SurveyDesign(api("apisrs"), fpc="fpc"),
}

COLUMNS = {"estimate": "est", "se": "se", "deff": "deff", "ci_low": "ci_low", "ci_high": "ci_high"}


def assert_golden(table: pd.DataFrame, gold: dict, columns=("estimate", "se", "deff", "ci_low", "ci_high")):
    for col in columns:
        if COLUMNS[col] not in gold:
            continue
        expected = np.atleast_1d(np.asarray(gold[COLUMNS[col]], dtype=float))
        # absolute floor: SEs that are exactly 0 in R (proportion of the stratum variable) are ~1e-9 here
        np.testing.assert_allclose(table[col].to_numpy(float), expected, rtol=1e-6, atol=1e-8, err_msg=col)


@pytest.mark.parametrize("name", DESIGNS)
def test_mean_total_ratio_match_r(name):
    d, gold = DESIGNS[name](), GOLDEN[name]
    assert_golden(est.mean(d, ["api00", "api.stu"]).table, gold["mean"])
    assert_golden(est.total(d, "api.stu").table, gold["total"])
    assert_golden(est.ratio(d, "api.stu", "enroll", na_rm=True).table, gold["ratio"])
    assert_golden(est.mean(d, "enroll", na_rm=True).table, gold["mean_narm"])


@pytest.mark.parametrize("name", DESIGNS)
def test_proportions_and_their_cis_match_r(name):
    d, gold = DESIGNS[name](), GOLDEN[name]
    assert_golden(est.proportion(d, "stype", ci="wald").table, gold["prop"])
    for ours, theirs in [("logit", "logit"), ("logit", "xlogit"), ("beta", "beta"), ("wald", "mean")]:
        table = est.proportion(d, "sch.wide", ci=ours).table.set_index("category")
        ci = gold["ciprop"][theirs]["ci"]
        assert table.loc["Yes", "estimate"] == pytest.approx(gold["ciprop"][theirs]["est"], rel=1e-9)
        assert [table.loc["Yes", "ci_low"], table.loc["Yes", "ci_high"]] == pytest.approx(ci, rel=1e-6), ours


@pytest.mark.parametrize("name", DESIGNS)
def test_woodruff_quantiles_match_r(name):
    table = quantiles.quantile(DESIGNS[name](), "api00", [0.25, 0.5, 0.9]).table
    assert_golden(table, GOLDEN[name]["quantile"], ("estimate", "se", "ci_low", "ci_high"))
    assert table["p"].tolist() == [0.25, 0.5, 0.9]


@pytest.mark.parametrize("name", DESIGNS)
def test_by_domains_match_svyby(name):
    d, gold = DESIGNS[name](), GOLDEN[name]["by"]
    table = est.by(d, "stype", est.mean, "api00").table
    assert table["stype"].tolist() == gold["levels"]
    assert_golden(table, gold, ("estimate", "se", "deff"))


@pytest.mark.parametrize("name", DESIGNS)
def test_subset_domain_matches_r_with_domain_df(name):
    d, gold = DESIGNS[name](), GOLDEN[name]["domain"]
    table = est.mean(d.subset(d.data["stype"] == "H"), "api00").table
    assert_golden(table, gold["mean"])
    assert table["df"].iloc[0] == gold["df"]
    assert_golden(est.total(d.subset(d.data["stype"] == "H"), "api.stu").table, gold["total"], ("estimate", "se"))


@pytest.mark.parametrize("name", ["strat", "clus1", "srs"])
def test_deff_with_replacement_matches_r_replace(name):
    table = est.mean(DESIGNS[name](), "api00", deff_type="wr").table
    assert table["deff"].iloc[0] == pytest.approx(np.atleast_1d(GOLDEN[name]["mean_replace"]["deff"])[0], rel=1e-6)


def test_vcov_matches_r():
    res = est.mean(DESIGNS["clus2"](), ["api00", "api99"])
    np.testing.assert_allclose(res.vcov.to_numpy().ravel(), GOLDEN["clus2"]["vcov_mean"], rtol=1e-6)


def test_kish_deff_hand_computed():
    df = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "w": [1.0, 1.0, 2.0, 4.0]})
    table = est.mean(SurveyDesign(df, weights="w"), "y").table
    assert table["deff_kish"].iloc[0] == pytest.approx(4 * (1 + 1 + 4 + 16) / 8**2)


def test_wilson_with_srs_variance_is_the_classic_wilson_interval():
    # with Var = p(1-p)/n the effective n is n, and with df = inf (normal) the Wilson score interval
    low, high = est.proportion_ci(np.array([0.3]), np.array([0.3 * 0.7 / 50]), np.inf, 50, 0.95, "wilson")
    ref = proportion_confint(15, 50, alpha=0.05, method="wilson")
    assert [low[0], high[0]] == pytest.approx(list(ref), rel=1e-9)


def test_proportion_of_category_absent_in_a_domain_is_zero_not_missing():
    df = pd.DataFrame({"g": ["a", "a", "b", "b"], "jk": ["L", "P", "P", "P"]})
    table = est.proportion(SurveyDesign(df), "jk", by="g").table
    absent = table.loc[(table["g"] == "b") & (table["category"] == "L")].iloc[0]
    assert absent["estimate"] == 0.0 and absent["ci_low"] == 0.0 and absent["ci_high"] == 0.0


def test_blank_values_raise_unless_na_rm_and_are_reported():
    d = DESIGNS["clus2"]()
    with pytest.raises(DataError, match=r"column 'enroll' is blank in row \d+ \(6 row\(s\).*na_rm=True"):
        est.mean(d, "enroll")
    res = est.mean(d, "enroll", na_rm=True)
    assert res.table["n"].iloc[0] == 120
    assert any(n.code == "rows_blank_excluded" and n.values["n"] == 6 for n in res.notes)
    assert any("6 responden" in n.text("id") for n in res.notes)


def test_non_numeric_column_is_an_error_naming_row_and_value():
    with pytest.raises(DataError, match=r"column 'stype' has value 'E' in row 0"):
        est.mean(DESIGNS["strat"](), "stype")


@pytest.mark.parametrize("statistic", [est.mean, est.total, quantiles.quantile])
def test_infinite_value_is_an_error_naming_row_and_value(statistic):
    data = api("apisrs").assign(api00=lambda d: d["api00"].astype(float))
    data.loc[7, "api00"] = -np.inf
    with pytest.raises(DataError, match=r"column 'api00' has value -inf in row 7 \(1 such row\(s\)\); a finite"):
        statistic(SurveyDesign(data, fpc="fpc"), "api00")


def test_integer_columns_are_read_without_conversion_and_give_the_float_results():
    data = api("apistrat")
    assert data["api00"].dtype.kind == "i"
    as_float = data.assign(api00=data["api00"].astype(float), enroll=data["enroll"].astype(float))
    for statistic in (est.mean, est.total):
        ints = statistic(SurveyDesign(data, strata="stype", fpc="fpc"), ["api00", "enroll"], by="stype").table
        floats = statistic(SurveyDesign(as_float, strata="stype", fpc="fpc"), ["api00", "enroll"], by="stype").table
        pd.testing.assert_frame_equal(ints, floats)
    q = quantiles.quantile(SurveyDesign(data, strata="stype", fpc="fpc"), "api00", 0.5).table
    assert q["estimate"].dtype == float


def test_blank_by_value_is_reported_not_silently_dropped():
    data = api("apisrs").copy()
    data.loc[[3, 4], "stype"] = None
    res = est.mean(SurveyDesign(data, fpc="fpc"), "api00", by="stype")
    assert res.table["n"].sum() == 198
    assert any(n.code == "domain_blank_by" and n.text("id").startswith("2 responden") for n in res.notes)


def test_vectorised_domains_equal_one_subset_at_a_time():
    d = DESIGNS["clus2"]()
    table = est.mean(d, "api00", by=["stype", "both"]).table
    for _, row in table.iterrows():
        mask = (d.data["stype"] == row["stype"]) & (d.data["both"] == row["both"])
        single = est.mean(d.subset(mask), "api00").table.iloc[0]
        assert row["se"] == pytest.approx(single["se"], rel=1e-10)
        assert row["df"] == single["df"]


def test_confidence_interval_uses_t_with_design_df():
    table = est.mean(DESIGNS["clus1"](), "api00", level=0.9).table.iloc[0]
    from scipy import stats

    half = stats.t.ppf(0.95, 14) * table["se"]
    assert table["ci_high"] - table["estimate"] == pytest.approx(half)
    assert table["df"] == 14


def test_result_prints_indonesian_or_english_labels():
    res = est.mean(DESIGNS["srs"](), "api00")
    assert "Galat baku" in repr(res) and "SK 95% bawah" in repr(res) and res.summary().startswith("Rata-rata")
    assert "95% CI lower" in res.summary(lang="en")
    assert list(res.to_frame().columns) == [
        "variable", "estimate", "se", "ci_low", "ci_high", "deff", "deff_kish", "n", "df",
    ]


STYPE_COUNTS = pd.Series({"E": 4421, "H": 755, "M": 1018}).rename_axis("stype")
BY_CHUNKS = {
    **DESIGNS,
    "clus1_raked": lambda: weighting.rake(DESIGNS["clus1"](), [STYPE_COUNTS], epsilon=1e-9),
    "strat_domain": lambda: DESIGNS["strat"]().subset(api("apistrat")["sch.wide"] == "Yes"),
}


@pytest.mark.parametrize("name", BY_CHUNKS)
@pytest.mark.parametrize("statistic", [est.mean, est.total])
@pytest.mark.parametrize("by", [None, "stype"])
def test_a_column_at_a_time_equals_every_column_at_once(name, statistic, by, monkeypatch):
    """`fit_columns` copies a few columns at a time (whole columns at these sizes); forced to one column per
    block, the estimates, SEs, deffs and -- for one domain -- the covariance between columns of different blocks
    are those of the engine run on all the columns at once (`fit_mean` / `fit_smooth`)."""
    d = BY_CHUNKS[name]()
    columns = ["api00", "api99", "enroll", "api.stu"]  # enroll has blanks
    kind = "mean" if statistic is est.mean else "total"
    domain, labels, _ = est.domains(d, by)
    domain = est.drop_blank_rows(d, est.numeric_columns(d, columns), domain, columns, True, [])
    y = est._stack(est.numeric_columns(d, columns))
    if kind == "mean":
        whole = est.fit_mean(d, y, domain, len(labels))
    else:
        whole = est.fit_smooth(d, y, est.total_totals, est.total_jacobian, domain, len(labels))
    var_srs = est._var_srs(np.asarray(d.weights), whole.influence, domain, len(labels), "wor")
    monkeypatch.setattr(est, "_CHUNK_BYTES", 1)
    fit, srs = est.fit_columns(d, est.numeric_columns(d, columns), domain, len(labels), kind, "wor")
    np.testing.assert_allclose(fit.estimate, whole.estimate, rtol=1e-13)
    np.testing.assert_allclose(fit.var, whole.var, rtol=1e-12)
    np.testing.assert_allclose(fit.totals, whole.totals, rtol=1e-13)
    np.testing.assert_allclose(srs, var_srs, rtol=1e-12)
    if by is None:
        np.testing.assert_allclose(fit.vcov, whole.vcov, rtol=1e-12)
    table = statistic(d, columns, by=by, na_rm=True).table
    np.testing.assert_allclose(table["se"].to_numpy(), np.sqrt(whole.var).ravel(), rtol=1e-12)


# ------------------------------------------------------------------------------------------ variance (R svyvar)
def test_variance_of_equal_weights_is_the_sample_covariance_matrix_in_r_order():
    data = api("apisrs")
    res = est.variance(SurveyDesign(data), ["api00", "api99"])
    assert res.table["variable"].tolist() == ["api00:api00", "api99:api00", "api00:api99", "api99:api99"]
    np.testing.assert_allclose(res.estimate, np.cov(data[["api00", "api99"]].T).ravel(order="F"), rtol=1e-12)
    assert list(res.vcov.index) == res.table["variable"].tolist()
    assert res.summary("en").startswith("Variance (population)")


def test_variance_se_is_the_se_of_the_mean_of_the_scaled_squared_deviations():
    """R's linearization route: svymean of n / (n - 1) (x - xbar)^2 with xbar the design mean."""
    d = DESIGNS["clus2"]()
    xbar = est.mean(d, "api00").estimate[0]
    n = len(d.data)
    squares = d.data.assign(dev=(d.data["api00"] - xbar) ** 2 * n / (n - 1))
    via_mean = est.mean(SurveyDesign(squares, psu="dnum", ssu="snum", fpc="fpc1", fpc2="fpc2"), "dev")
    res = est.variance(d, "api00")
    np.testing.assert_allclose([res.estimate[0], res.se[0]], [via_mean.estimate[0], via_mean.se[0]], rtol=1e-11)


def test_variance_does_not_move_with_a_shift_of_the_data():
    """Centred products: adding 10^8 to a variable leaves the variance and its SE (no cancellation)."""
    data = api("apistrat").assign(api00=lambda f: f["api00"].astype(float))
    d, shifted = (SurveyDesign(f, strata="stype", fpc="fpc") for f in (data, data.assign(api00=data["api00"] + 1e8)))
    a, b = est.variance(d, "api00", by="stype"), est.variance(shifted, "api00", by="stype")
    np.testing.assert_allclose(b.estimate, a.estimate, rtol=1e-7)
    np.testing.assert_allclose(b.se, a.se, rtol=1e-7)


def test_variance_in_domains_equals_one_subset_at_a_time_and_a_one_row_domain_is_nan():
    data = api("apiclus1").copy()
    data.loc[0, "stype"] = "X"  # a domain of one row
    d = SurveyDesign(data, psu="dnum", fpc="fpc")
    table = est.variance(d, "api00", by="stype").table.set_index("stype")
    assert np.isnan(table.loc["X", ["estimate", "se"]].astype(float)).all()
    for group in ("E", "H", "M"):
        single = est.variance(d.subset(data["stype"] == group), "api00").table.iloc[0]
        assert table.loc[group, "estimate"] == pytest.approx(single["estimate"], rel=1e-12)
        assert table.loc[group, "se"] == pytest.approx(single["se"], rel=1e-10)


def test_variance_bad_input_names_column_and_row():
    d = DESIGNS["strat"]()
    with pytest.raises(DataError, match=r"column 'stype' has value 'E' in row 0"):
        est.variance(d, "stype")
    blanks = DESIGNS["clus2"]()
    with pytest.raises(DataError, match=r"column 'enroll' is blank in row \d+ \(6 row\(s\).*na_rm=True"):
        est.variance(blanks, ["api00", "enroll"])
    res = est.variance(blanks, ["api00", "enroll"], na_rm=True)
    assert res.table["n"].iloc[0] == 120 and any(n.code == "rows_blank_excluded" for n in res.notes)


# ------------------------------------------------------------------------------------------ nonlinear contrasts
def _two_means():
    d = SurveyDesign(pd.DataFrame({"a": [1.0, 2.0, 4.0, 7.0, 3.0], "b": [2.0, 2.5, 1.0, 3.0, 4.0]}))
    return est.mean(d, ["a", "b"])


@pytest.mark.parametrize("text", ["exp(a - b)", "a / b", "log(a) - log(b)", "sqrt(a) * b ** 2 - a ** b",
                                  "-a / (1 + b) + log1p(a) - expm1(-b) + log2(a) * log10(b)",
                                  "sin(a) + cos(b) * tan(a / 10) + asin(b / 10) - acos(a / 10) + atan(a)",
                                  "pnorm(a - b) + dnorm(b - a) + +a - 3", "2.5"])
def test_nonlinear_contrast_is_the_delta_method_with_the_exact_gradient(text):
    """g(b) at the estimates and Var = J V J', the gradient J equal to central differences (error ~h^2)."""
    m = _two_means()
    b = m.estimate
    result = est.contrast(m, text)
    env = {"a": b[0], "b": b[1]}
    f = Expression(text, ["a", "b"])
    value, grad = f.evaluate(env, gradient=True)
    assert result.estimate[0] == pytest.approx(float(value), rel=1e-15)
    h = 1e-6 * np.maximum(np.abs(b), 1)
    central = [(f.evaluate({**env, n: b[j] + h[j]}) - f.evaluate({**env, n: b[j] - h[j]})) / (2 * h[j])
               for j, n in enumerate(["a", "b"])]
    np.testing.assert_allclose(grad, central, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(result.vcov.to_numpy().ravel(), grad @ m.vcov.to_numpy() @ grad, rtol=1e-14)
    assert result.se[0] == pytest.approx(np.sqrt(grad @ m.vcov.to_numpy() @ grad), rel=1e-14)


@pytest.mark.parametrize("call", [lambda d, **kw: est.mean(d, ["api00", "api99"], **kw),
                                  lambda d, **kw: est.total(d, "enroll", **kw),
                                  lambda d, **kw: est.ratio(d, "api00", "api99", **kw),
                                  lambda d, **kw: est.proportion(d, "stype", **kw)],
                         ids=["mean", "total", "ratio", "proportion"])
def test_return_replicates_is_ignored_on_a_linearization_design(call):
    """A linearization design has no replicate estimates: return_replicates=True changes nothing (R svymean,
    svytotal, svyratio take it in `...`), and a nonlinear contrast stays the delta method."""
    d = DESIGNS["clus1"]()
    asked, plain = call(d, return_replicates=True), call(d)
    assert asked.replicates is None
    pd.testing.assert_frame_equal(asked.to_frame(), plain.to_frame())
    pd.testing.assert_frame_equal(asked.vcov, plain.vcov)


def test_nonlinear_contrast_gradients_in_closed_form():
    m = _two_means()
    a, b = m.estimate
    _, g = Expression("a ** b", ["a", "b"]).evaluate({"a": a, "b": b}, gradient=True)
    np.testing.assert_allclose(g, [b * a ** (b - 1), a ** b * np.log(a)], rtol=1e-15)
    _, g = Expression("exp(a - b)", ["a", "b"]).evaluate({"a": a, "b": b}, gradient=True)
    np.testing.assert_allclose(g, [np.exp(a - b), -np.exp(a - b)], rtol=1e-15)
    several = est.contrast(m, {"q": "a / b", "d": "a - b"})
    linear = est.contrast(m, {"d": {"a": 1, "b": -1}})
    assert list(several.table["variable"]) == ["q", "d"]
    assert several.vcov.loc["d", "d"] == pytest.approx(linear.vcov.loc["d", "d"], rel=1e-14)


def test_nonlinear_contrast_with_backquoted_names_of_domains():
    d = SurveyDesign(api("apistrat"), strata="stype", fpc="fpc")
    by = est.mean(d, ["api00", "api99"], by="stype", covmat=True)
    quoted = est.contrast(by, {"r": "`E:api00` / `E:api99`"})
    ratio = est.ratio(d.subset(d.data["stype"] == "E"), "api00", "api99")
    assert quoted.estimate[0] == pytest.approx(ratio.estimate[0], rel=1e-14)
    assert quoted.se[0] == pytest.approx(ratio.se[0], rel=1e-10)  # the ratio of two domain means of one domain


@pytest.mark.parametrize("text, message", [
    ("exp(a - c)", "'c' is not an estimate; estimates: a, b"),
    ("`a:b` + a", "'a:b' is not an estimate"),
    ("a ^ 2", r"'a \^ 2' is not allowed \(powers are written \*\*\)"),
    ("__import__('os').system('true')", "is not allowed; allowed are numbers"),
    ("a.real", "'a.real' is not allowed"),
    ("abs(a)", "'abs\\(a\\)' is not allowed"),
    ("log(a, base=2)", "is not allowed"),
    ("log(a, 2)", "is not allowed"),
    ("a if b else 1", "is not allowed"),
    ("a < b", "is not allowed"),
    ("[a, b]", "is not allowed"),
    ("'a'", "is not allowed"),
    ("True + a", "'True' is not allowed"),
    ("1j * a", "'1j' is not allowed"),
    ("lambda: a", "is not allowed"),
    ("a +", "cannot be read"),
    ("a; b", "cannot be read"),
    ("`a + b", "unmatched backquote"),
])
def test_nonlinear_contrast_refuses_other_syntax_and_unknown_names(text, message):
    with pytest.raises(DataError, match=message):
        est.contrast(_two_means(), text)


def test_contrast_mixing_expressions_and_weights_is_refused():
    with pytest.raises(DataError, match="every contrast as an expression .* or every one as weights"):
        est.contrast(_two_means(), {"q": "a / b", "d": {"a": 1, "b": -1}})
