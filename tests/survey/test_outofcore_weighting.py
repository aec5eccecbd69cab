"""Calibrated weights out of core (riset.survey.outofcore_weighting, issue 20.5) equal the in-memory engine to 1e-10.

Post-stratification, raking and calibration (linear, raking and logit distances, bounded) computed from one
GROUP BY of the margin variables in DuckDB or Polars give the weights of `riset.survey.weighting` on the same rows,
and the out-of-core estimators with those weights (`weights=`) give the estimates, SEs, CIs and df of
`riset.survey.estimate` on the weighted `SurveyDesign` -- whose calibration-aware SEs equal R survey
(test_weighting.py, test_replicate_weighting.py) -- for means with blanks, totals, a ratio and a proportion by
domain, on a stratified cluster design with FPC, with a second stage, and under the lonely-PSU rules. A
post-stratified total's SE is also computed by hand, and bad margins are errors naming the variable and category.
"""

import numpy as np
import pandas as pd
import pytest

duckdb = pytest.importorskip("duckdb")
pl = pytest.importorskip("polars")
ibis = pytest.importorskip("ibis")

from riset.errors import DataError, DesignError, WeightingError  # noqa: E402
from riset.survey import estimate, outofcore as scale, outofcore_weighting as ow, weighting  # noqa: E402
from riset.survey.design import SurveyDesign  # noqa: E402
from test_outofcore import _two_stage, assert_same, design_columns, duck  # noqa: E402  (shared fixtures)

DESIGN = {"strata": "h", "psu": "psu", "fpc": "fpc"}
M_JK = pd.Series({"L": 31000.0, "P": 33000.0}).rename_axis("jk")
M_UMUR = pd.Series({"17-34": 26000.0, "35-54": 23000.0, "55+": 15000.0}).rename_axis("umur")
M_KEC_JK = pd.Series({("Kota", "L"): 12000.0, ("Kota", "P"): 13000.0, ("Hulu", "L"): 10000.0, ("Hulu", "P"): 11000.0,
                      ("Hilir", "L"): 9000.0, ("Hilir", "P"): 9000.0}).rename_axis(["kec", "jk"])


def survey(n: int = 1200, seed: int = 20) -> pd.DataFrame:
    """Stratified cluster sample with FPC and unequal weights; margin variables jk, umur and kec (crossed with jk),
    domains by unit, blanks in U2."""
    rng = np.random.default_rng(seed)
    n_psu = 48
    columns, psu = design_columns(rng, n, n_psu)
    df = pd.DataFrame({
        "id": np.arange(n), **columns,
        "unit": np.array(["PKM-A", "PKM-B", "RSUD", "Dukcapil"])[rng.integers(0, 4, n)],
        "jk": np.array(["L", "P"])[rng.integers(0, 2, n)],
        "umur": np.array(["17-34", "35-54", "55+"])[rng.integers(0, 3, n)],
        "kec": np.array(["Kota", "Hulu", "Hilir"])[rng.integers(0, 3, n)],
    })
    latent = rng.normal(0, 0.5, n_psu)[psu]
    for col in ("U1", "U2", "U3"):
        df[col] = np.clip(np.round(2.8 + latent + 0.3 * (df["jk"] == "P") + rng.normal(0, 0.8, n)), 1, 4)
    df["x"] = rng.uniform(1, 3, n)
    df.loc[rng.random(n) < 0.06, "U2"] = np.nan
    return df


def source(df: pd.DataFrame, kind: str):
    if kind == "polars-lazy":
        return scale.source(pl.from_pandas(df).lazy())
    if kind == "duckdb-table":
        return scale.source(duck(df), "skm")
    if kind == "ibis-duckdb":
        return scale.source(ibis.duckdb.from_connection(duck(df)).table("skm"))
    return scale.source(ibis.polars.connect(tables={"skm": pl.from_pandas(df).lazy()}).table("skm"))


@pytest.fixture(scope="module")
def data():
    return survey()


def in_memory(design, method: str):
    if method == "poststratify":
        return weighting.poststratify(design, M_KEC_JK)
    if method == "rake":
        return weighting.rake(design, [M_KEC_JK, M_UMUR])
    bounds = {"linear": (0.3, 3.0), "raking": (-np.inf, np.inf), "logit": (0.2, 4.0)}[method]
    return weighting.calibrate(design, [M_KEC_JK, M_UMUR], calfun=method, bounds=bounds)


def out_of_core(src, method: str):
    if method == "poststratify":
        return ow.poststratify(src, M_KEC_JK, weights="w")
    if method == "rake":
        return ow.rake(src, [M_KEC_JK, M_UMUR], weights="w")
    bounds = {"linear": (0.3, 3.0), "raking": (-np.inf, np.inf), "logit": (0.2, 4.0)}[method]
    return ow.calibrate(src, [M_KEC_JK, M_UMUR], weights="w", calfun=method, bounds=bounds)


def weights_of(cw, df: pd.DataFrame) -> np.ndarray:
    """The calibrated weights as the engine computes them, in the rows' order (`CalibratedWeights.weighted`)."""
    table = ibis.duckdb.from_connection(duck(df)).table("skm")
    out = cw.weighted(table).select("id", "bobot_akhir").to_pandas().set_index("id")["bobot_akhir"]
    return out.reindex(df["id"]).to_numpy()


@pytest.mark.parametrize("method", ["poststratify", "rake", "linear", "raking", "logit"])
def test_weights_and_estimates_equal_in_memory(data, method):
    """Every method: the weights (computed in the engine) and the means with blanks by domain, a total and a ratio
    with their calibration-aware SEs equal SurveyDesign + riset.survey.weighting + riset.survey.estimate."""
    mem = in_memory(SurveyDesign(data, weights="w", **DESIGN), method)
    src = source(data, "polars-lazy")
    cw = out_of_core(src, method)
    np.testing.assert_allclose(weights_of(cw, data), mem.weights, rtol=1e-12)
    design = dict(DESIGN, weights=cw)
    assert_same(scale.mean(src, ["U1", "U2"], by="unit", na_rm=True, **design),
                estimate.mean(mem, ["U1", "U2"], by="unit", na_rm=True).table, ["unit", "variable"])
    assert_same(scale.total(src, "U1", **design), estimate.total(mem, "U1").table, ["variable"])
    assert_same(scale.ratio(src, "U3", "x", by="jk", **design), estimate.ratio(mem, "U3", "x", by="jk").table,
                ["jk", "variable"])


@pytest.mark.parametrize("kind", ["duckdb-table", "ibis-duckdb", "ibis-polars"])
def test_raking_on_every_engine(data, kind):
    """Raking (margins crossed and single) on DuckDB and the Ibis backends: means by two domain columns, a
    proportion and the IKM-style average of means, equal to in memory."""
    mem = weighting.rake(SurveyDesign(data, weights="w", **DESIGN), [M_KEC_JK, M_UMUR, M_JK])
    src = source(data, kind)
    design = dict(DESIGN, weights=ow.rake(src, [M_KEC_JK, M_UMUR, M_JK], weights="w"))
    assert_same(scale.mean(src, ["U1", "U3"], by=["unit", "kec"], **design),
                estimate.mean(mem, ["U1", "U3"], by=["unit", "kec"]).table, ["unit", "kec", "variable"])
    assert_same(scale.proportion(src, "U1", by="unit", **design),
                estimate.proportion(mem, "U1", by="unit", ci="wald").table, ["unit", "variable", "category"])
    means = scale.mean_of_means(src, ["U1", "U2", "U3"], by="unit", **design)
    ref = (estimate.mean(mem, "U1", by="unit").table["estimate"] + estimate.mean(mem, "U2", by="unit", na_rm=True)
           .table["estimate"] + estimate.mean(mem, "U3", by="unit").table["estimate"]) / 3
    np.testing.assert_allclose(means["estimate"], ref, rtol=1e-12)


@pytest.mark.parametrize("method", ["rake", "linear"])
def test_second_stage_with_calibration_equals_in_memory(data, method):
    """Two stages (SSUs of several rows): the residual scores' SSU totals come from the engine; equal to in memory
    (SurveyDesign applies the calibration residuals before both stages, as R svyrecvar)."""
    two = _two_stage(data)
    design = dict(DESIGN, ssu="ssu", fpc2="fpc2")
    mem = in_memory(SurveyDesign(two, weights="w", **design), method)
    src = source(two, "duckdb-table" if method == "rake" else "polars-lazy")
    design["weights"] = out_of_core(src, method)
    assert_same(scale.mean(src, ["U1", "U2"], by="unit", na_rm=True, **design),
                estimate.mean(mem, ["U1", "U2"], by="unit", na_rm=True).table, ["unit", "variable"])
    assert_same(scale.ratio(src, "U3", "x", **design), estimate.ratio(mem, "U3", "x").table, ["variable"])


@pytest.mark.parametrize("rule", ["remove", "certainty", "adjust", "average"])
def test_lonely_psu_rules_with_raking(data, rule):
    lonely = data[~((data["h"] == "S6") & (data["psu"] != data.loc[data["h"] == "S6", "psu"].iloc[0]))]
    mem = weighting.rake(SurveyDesign(lonely, weights="w", lonely_psu=rule, **DESIGN), [M_KEC_JK, M_UMUR])
    src = source(lonely, "polars-lazy")
    design = dict(DESIGN, weights=ow.rake(src, [M_KEC_JK, M_UMUR], weights="w"), lonely_psu=rule)
    assert_same(scale.total(src, "U1", by="unit", **design), estimate.total(mem, "U1", by="unit").table,
                ["unit", "variable"])


def test_post_stratified_total_by_hand():
    """4 PSUs of one respondent, d = 1; population L 50, P 50: w = 50 (L) and 50/3 (P), total 50 x 2 + 50/3 x 9 = 250.
    The post-stratification residuals e_i = w_i (y_i - ybar_c): 0 | -50/3, 0, 50/3, so V = 4/3 [2 (50/3)^2] =
    20000/27 -- with the weights taken as fixed it would be 4/3 sum (w y - 62.5)^2 = 87500/27."""
    lf = pl.LazyFrame({"psu": [1, 2, 3, 4], "jk": ["L", "P", "P", "P"], "y": [2.0, 2.0, 3.0, 4.0]})
    src = scale.source(lf)
    ps = ow.poststratify(src, pd.Series({"L": 50.0, "P": 50.0}).rename_axis("jk"))
    res = scale.total(src, "y", psu="psu", weights=ps)
    assert res["estimate"].iloc[0] == pytest.approx(250.0, rel=1e-12)
    assert res["se"].iloc[0] ** 2 == pytest.approx(20000 / 27, rel=1e-12)
    frame = ps.to_frame()
    assert frame["bobot_akhir"].tolist() == pytest.approx([50.0, 50.0]) and frame["n"].tolist() == [1, 3]
    assert "Post-stratification to the margins jk" in ps.summary("en")


def test_errors_name_the_variable_and_category(data):
    src = source(data, "polars-lazy")
    with pytest.raises(WeightingError, match=r"margin 'jk': jk='P' is in the sample \(\d+ respondent\(s\)\) but not in"):
        ow.rake(src, [pd.Series({"L": 64000.0}).rename_axis("jk"), M_UMUR], weights="w")
    with pytest.raises(WeightingError, match="jk='X' has population 10 but no respondents"):
        ow.poststratify(src, pd.Series({"L": 31000.0, "P": 33000.0, "X": 10.0}).rename_axis("jk"), weights="w")
    with pytest.raises(WeightingError, match="rake did not converge: after 1 sweep"):
        ow.rake(src, [M_KEC_JK, M_UMUR], weights="w", maxit=1)
    blank = data.assign(umur=data["umur"].where(data["id"] > 2))
    with pytest.raises(WeightingError, match="margin variable 'umur' is blank in 3 row"):
        ow.rake(source(blank, "polars-lazy"), [M_KEC_JK, M_UMUR], weights="w")
    with pytest.raises(WeightingError, match="weight column 'w' has value 0"):
        ow.rake(source(data.assign(w=data["w"].where(data["id"] > 0, 0.0)), "polars-lazy"), [M_UMUR], weights="w")
    raked = ow.rake(src, [M_KEC_JK, M_UMUR], weights="w")
    other = source(data.assign(umur=data["umur"].replace({"55+": "65+"})), "polars-lazy")
    with pytest.raises(WeightingError, match=r"row\(s\) of the source fall in no cell"):
        scale.mean(other, "U1", weights=raked, **DESIGN)
    with pytest.raises(DesignError, match="calibrated weights out of core are for a Taylor design"):
        scale.mean(src, "U1", weights=raked, replicates=scale.Replicates(("w", "x"), "jk1"))
    with pytest.raises(DataError, match="weights must be a column name or calibrated weights"):
        scale.mean(src, "U1", weights=1.5, **DESIGN)


def test_weight_to_population_equals_in_memory(data):
    """The study recipe out of core: the population table scaled within each kec, unit totals kept, raking calibration."""
    population = pd.DataFrame([(k, j, u, 1000.0 + 37 * i) for i, (k, j, u) in enumerate(
        (k, j, u) for k in ("Kota", "Hulu", "Hilir", "Pantai") for j in ("L", "P") for u in ("17-34", "35-54", "55+"))],
        columns=["kec", "jk", "umur", "jumlah"])
    recipe = dict(margins=[["kec", "jk"], ["kec", "umur"]], method="raking", scale="kec", keep_totals=["unit"])
    run = weighting.weight_to_population(SurveyDesign(data, weights="w", **DESIGN), population, **recipe)
    src = source(data, "duckdb-table")
    cw = ow.weight_to_population(src, population, weights="w", **recipe)
    np.testing.assert_allclose(weights_of(cw, data), run.design.weights, rtol=1e-12)
    assert [n.code for n in cw.notes] == [n.code for n in run.notes]  # Pantai unused, scaled within kec, unit kept
    assert_same(scale.mean(src, ["U1", "U3"], by="unit", weights=cw, **DESIGN),
                estimate.mean(run.design, ["U1", "U3"], by="unit").table, ["unit", "variable"])
