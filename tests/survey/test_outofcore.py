"""Out-of-core estimators (riset.survey.outofcore) equal the in-memory engine (riset.survey.estimate / riset.skm.ikm_design) to 1e-10.

Each estimator runs on the same rows held by DuckDB (connection + table, relation, Parquet file), by Polars
(LazyFrame) and by Ibis tables on the DuckDB and Polars backends (the one expression of the sufficient statistics
every backend runs; PySpark in local mode where pyspark and Java are installed), and is compared with `SurveyDesign` + `riset.survey.estimate` on the pandas frame: estimates,
SEs, CI limits, n and df. The in-memory engine is itself checked against R survey (test_estimate.py,
test_design.py, test_ikm_design.py); a hand-computed case pins the formula independently.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

duckdb = pytest.importorskip("duckdb")
pl = pytest.importorskip("polars")
ibis = pytest.importorskip("ibis")

from riset.survey import estimate, outofcore as scale  # noqa: E402
from riset.survey.design import SurveyDesign  # noqa: E402
from riset.survey.replicate import ReplicateDesign  # noqa: E402
from riset.errors import DataError, DesignError  # noqa: E402
from riset.skm.schemes import UNSUR_2017# noqa: E402
from riset.skm.ikm_design import ikm_design, ikm_outofcore  # noqa: E402

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden"
UNSUR = [f"U{j}" for j in range(1, 10)]
MAPPING = {f"U{i + 1}": u.key for i, u in enumerate(UNSUR_2017)}
COLUMNS = ["estimate", "se", "ci_low", "ci_high", "n", "df"]
DESIGN = {"weights": "w", "strata": "h", "psu": "psu", "fpc": "fpc"}


def design_columns(rng, n: int, n_psu: int) -> tuple[dict, np.ndarray]:
    """Six strata of `n_psu` PSUs (at least 2 each) over `n` rows: stratum h, PSU (codes repeat across strata only
    through h: nested ids), FPC and unequal weights; and each row's PSU number."""
    psu_stratum = np.sort(np.r_[np.repeat(np.arange(6), 2), rng.integers(0, 6, n_psu - 12)])
    psu = np.sort(np.r_[np.arange(n_psu), rng.integers(0, n_psu, n - n_psu)])
    h = psu_stratum[psu]
    n_h = np.bincount(psu_stratum)
    big_n = np.ceil(n_h * rng.uniform(1.5, 6, 6))
    return {"h": np.array(["S1", "S2", "S3", "S4", "S5", "S6"])[h], "psu": psu * 7 % 13 + 100 * h, "fpc": big_n[h],
            "w": (big_n / n_h)[h] * rng.uniform(5, 40, n_psu)[psu]}, psu


def survey(n: int = 1500, seed: int = 8) -> pd.DataFrame:
    """Stratified cluster sample with FPC, unequal weights, cross-cutting domains, blanks and one blank domain."""
    rng = np.random.default_rng(seed)
    n_psu = 60
    columns, psu = design_columns(rng, n, n_psu)
    df = pd.DataFrame({
        **columns,
        "unit": np.array(["PKM-A", "PKM-B", "RSUD", "Dukcapil"])[rng.integers(0, 4, n)],
        "jk": np.array(["Laki-laki", "Perempuan"])[rng.integers(0, 2, n)],
    })
    latent = rng.normal(0, 0.5, n_psu)[psu]
    for col in UNSUR:
        df[col] = np.clip(np.round(2.8 + latent + rng.normal(0, 0.8, n)), 1, 4)
    df["x"] = rng.uniform(1, 3, n)
    for col, rate in [("U2", 0.05), ("U9", 0.15)]:
        df.loc[rng.random(n) < rate, col] = np.nan
    return df


def duck(df: pd.DataFrame):
    con = duckdb.connect()
    con.register("frame", df)
    con.execute("CREATE TABLE skm AS SELECT * FROM frame")
    return con


def sources(df: pd.DataFrame, tmp_path: Path):
    con = duck(df)
    parquet = tmp_path / "skm.parquet"
    pl.from_pandas(df).write_parquet(parquet)
    parts = tmp_path / "parts"  # the same rows as a folder of Parquet parts, as a large export is written
    parts.mkdir()
    half = len(df) // 2
    pl.from_pandas(df.iloc[:half]).write_parquet(parts / "part-0.parquet")
    pl.from_pandas(df.iloc[half:]).write_parquet(parts / "part-1.parquet")
    return {
        "duckdb-table": scale.source(con, table="skm"),
        "duckdb-relation": scale.source(con.sql("SELECT * FROM skm")),
        "parquet": scale.source(parquet),
        "parquet-folder": scale.source(parts),
        "polars-lazy": scale.source(pl.from_pandas(df).lazy()),
        "ibis-duckdb": scale.source(ibis.duckdb.from_connection(con).table("skm")),
        "ibis-polars": scale.source(ibis.polars.connect(tables={"skm": pl.from_pandas(df).lazy()}).table("skm")),
    }


@pytest.fixture(scope="module")
def data():
    return survey()


@pytest.fixture(scope="module")
def all_sources(data, tmp_path_factory):
    return sources(data, tmp_path_factory.mktemp("scale"))


def assert_same(out: pd.DataFrame, ref: pd.DataFrame, keys):
    merged = ref.merge(out, on=keys, suffixes=("_mem", "_ooc"), how="outer", indicator=True)
    assert (merged["_merge"] == "both").all(), merged.loc[merged["_merge"] != "both", keys]
    for col in COLUMNS:
        np.testing.assert_allclose(merged[f"{col}_ooc"].astype(float), merged[f"{col}_mem"].astype(float),
                                   rtol=1e-10, atol=0, err_msg=col)


SOURCES = ["duckdb-table", "duckdb-relation", "parquet", "parquet-folder", "polars-lazy", "ibis-duckdb", "ibis-polars"]


@pytest.mark.parametrize("kind", SOURCES)
def test_means_by_domain_equal_in_memory(data, all_sources, kind):
    d = SurveyDesign(data, **DESIGN)
    cols = [c for c in UNSUR if c not in ("U2", "U9")]
    ref = estimate.mean(d, cols, by="unit").table
    out = scale.mean(all_sources[kind], cols, by="unit", **DESIGN)
    assert len(out) == 4 * len(cols)
    assert_same(out, ref, ["unit", "variable"])


@pytest.mark.parametrize("kind", SOURCES)
def test_blank_answers_na_rm_and_two_by_columns(data, all_sources, kind):
    d = SurveyDesign(data, **DESIGN)
    ref = estimate.mean(d, ["U1", "U2", "U9"], by=["unit", "jk"], na_rm=True)
    out = scale.mean(all_sources[kind], ["U1", "U2", "U9"], by=["unit", "jk"], na_rm=True, **DESIGN)
    assert_same(out, ref.table, ["unit", "jk", "variable"])
    blank = int(data[["U1", "U2", "U9"]].isna().any(axis=1).sum())
    assert [n.text("id") for n in out.attrs["notes"]] == [
        f"{blank} responden dengan nilai kosong pada U1, U2, U9 tidak dihitung (na_rm)."]


@pytest.mark.parametrize("kind", ["duckdb-table", "polars-lazy"])
def test_total_ratio_proportion_equal_in_memory(data, all_sources, kind):
    src = all_sources[kind]
    d = SurveyDesign(data, **DESIGN)
    assert_same(scale.total(src, ["U1", "x"], by="unit", **DESIGN), estimate.total(d, ["U1", "x"], by="unit").table,
                ["unit", "variable"])
    assert_same(scale.ratio(src, "U3", "x", by="jk", **DESIGN), estimate.ratio(d, "U3", "x", by="jk").table,
                ["jk", "variable"])
    out = scale.proportion(src, "U9", by="unit", na_rm=True, **DESIGN)
    ref = estimate.proportion(d, "U9", by="unit", na_rm=True, ci="wald").table
    assert_same(out, ref, ["unit", "variable", "category"])
    assert sorted(out["category"].unique()) == ["1.0", "2.0", "3.0", "4.0"]


@pytest.mark.parametrize("kind", ["duckdb-table", "polars-lazy"])
def test_whole_sample_without_strata_or_fpc(data, all_sources, kind):
    # without strata the PSU codes must be unique over the sample: make them so
    data2 = data.assign(psu=data["h"] + "/" + data["psu"].astype(str))
    d = SurveyDesign(data2, weights="w", psu="psu")
    src = scale.source(pl.from_pandas(data2).lazy()) if kind == "polars-lazy" else scale.source(duck(data2), "skm")
    assert_same(scale.mean(src, "U1", weights="w", psu="psu"), estimate.mean(d, "U1").table, ["variable"])


@pytest.mark.parametrize("rule", ["remove", "certainty", "adjust", "average"])
def test_lonely_psu_rules_equal_in_memory(data, rule):
    lonely = data[~((data["h"] == "S6") & (data["psu"] != data.loc[data["h"] == "S6", "psu"].iloc[0]))]
    d = SurveyDesign(lonely, lonely_psu=rule, **DESIGN)
    out = scale.mean(scale.source(pl.from_pandas(lonely)), "U1", by="unit", lonely_psu=rule, **DESIGN)
    assert_same(out, estimate.mean(d, "U1", by="unit").table, ["unit", "variable"])
    # totals: 'adjust' centres the lonely PSU at the mean PSU total (not at zero), 'average' scales up
    out = scale.total(scale.source(pl.from_pandas(lonely)), "U1", by="unit", lonely_psu=rule, **DESIGN)
    assert_same(out, estimate.total(d, "U1", by="unit").table, ["unit", "variable"])
    with pytest.raises(DesignError, match="stratum 'S6' has only one sampled PSU"):
        scale.mean(scale.source(pl.from_pandas(lonely)), "U1", **DESIGN)


@pytest.mark.parametrize("kind", ["duckdb-table", "polars-lazy"])
def test_ikm_by_unit_equals_ikm_design(kind):
    skm = pd.read_csv(GOLDEN / "ikm_design_data.csv")
    d = SurveyDesign(skm, weights="bobot", strata="unit", psu="hari", fpc="n_hari")
    ref = ikm_design(d, MAPPING, by="unit").table
    src = (scale.source(pl.from_pandas(skm).lazy()) if kind == "polars-lazy"
           else scale.source(duck(skm), "skm"))
    out = ikm_outofcore(src, MAPPING, by="unit", weights="bobot", strata="unit", psu="hari", fpc="n_hari")
    merged = ref.merge(out, on="unit", suffixes=("_mem", "_ooc"))
    assert len(merged) == 3
    for col in ["n_responden", "ikm", "ikm_se", "ikm_konversi", "se", "ci_low", "ci_high", "df", "p_mutu_beda"]:
        np.testing.assert_allclose(merged[f"{col}_ooc"], merged[f"{col}_mem"], rtol=1e-10, err_msg=col)
    assert (merged["mutu_ooc"] == merged["mutu_mem"]).all()


def test_hand_computed_stratified_cluster_mean_with_fpc():
    # stratum A: PSUs 1, 2 of N=4; stratum B: PSUs 3, 4 of N=8. T = 10, ybar = 3.2,
    # PSU sums of x = w (y - 3.2) / 10: A (-.44, -.04), B (-.36, .84)
    # V = (1 - 2/4) * 2 * (.2^2 + .2^2) + (1 - 2/8) * 2 * (.6^2 + .6^2) = 0.08 + 1.08 = 1.16
    lf = pl.LazyFrame({"h": ["A", "A", "B", "B"], "psu": [1, 2, 3, 4], "fpc": [4, 4, 8, 8],
                       "y": [1.0, 3.0, 2.0, 6.0], "w": [2.0, 2.0, 3.0, 3.0]})
    res = scale.mean(scale.source(lf), "y", weights="w", strata="h", psu="psu", fpc="fpc")
    assert res["estimate"].iloc[0] == pytest.approx(3.2, rel=1e-12)
    assert res["se"].iloc[0] ** 2 == pytest.approx(1.16, rel=1e-12)
    assert res["df"].iloc[0] == 2


def test_errors_name_the_column_and_value(data):
    src = scale.source(pl.from_pandas(data))
    with pytest.raises(DataError, match=r"column 'U2' is blank in 84 row\(s\).*na_rm=True"):
        scale.mean(src, ["U1", "U2"], **DESIGN)
    with pytest.raises(DataError, match="'nope' not found"):
        scale.mean(src, "nope", **DESIGN)
    with pytest.raises(DesignError, match="needs `psu`"):
        scale.mean(src, "U1", weights="w", psu=None)
    bad = data.assign(fpc=np.where(data.index == 5, 999.0, data["fpc"]))
    with pytest.raises(DesignError, match="FPC column 'fpc' varies within stratum 'S1'"):
        scale.mean(scale.source(pl.from_pandas(bad)), "U1", **DESIGN)
    small = data.assign(fpc=2.0)
    with pytest.raises(DesignError, match="population of 2 PSUs"):
        scale.mean(scale.source(pl.from_pandas(small)), "U1", **DESIGN)
    neg = data.assign(w=np.where(data.index == 3, -1.0, data["w"]))
    with pytest.raises(DesignError, match="weight column 'w' has value -1"):
        scale.mean(scale.source(pl.from_pandas(neg)), "U1", **DESIGN)
    with pytest.raises(DataError, match="pandas DataFrame use riset.survey.design.SurveyDesign"):
        scale.source(data)
    empty = data.assign(U5=np.where(data["unit"] == "RSUD", np.nan, data["U5"]))
    with pytest.raises(DataError, match="'U5' has no answer in group unit='RSUD'"):
        ikm_outofcore(scale.source(pl.from_pandas(empty)), MAPPING, by="unit", **DESIGN)


def test_mean_of_means_by_hand():
    # a: (1 + 3) / 2 = 2 (row 3 blank); b: (2 + 4 + 6) / 3 = 4; average of the means (2 + 4) / 2 = 3
    lf = pl.LazyFrame({"h": [1, 1, 1], "psu": [1, 2, 3], "a": [1.0, 3.0, None], "b": [2.0, 4.0, 6.0]})
    res = scale.mean_of_means(scale.source(lf), ["a", "b"], strata="h", psu="psu")
    assert res["estimate"].iloc[0] == pytest.approx(3.0, rel=1e-12) and res["n"].iloc[0] == 3
    # scores u_i = 1/2 [a_i (y_ia - 2) / 2 + (y_ib - 4) / 3] = (-1/3, 1/2, 1/3 - 0) -> centred, n/(n-1) sum
    u = np.array([0.5 * (-1 / 2 + -2 / 3), 0.5 * (1 / 2 + 0), 0.5 * (0 + 2 / 3)])
    assert res["se"].iloc[0] ** 2 == pytest.approx(3 / 2 * ((u - u.mean()) ** 2).sum(), rel=1e-12)


@pytest.fixture(scope="module")
def spark_source(data, tmp_path_factory):
    """The sample as a Spark table (PySpark in local mode, read from Parquet so blanks are NULL), through Ibis."""
    import shutil

    pytest.importorskip("pyspark", reason="PySpark is not installed (pip install pyspark; it is in the test extra)")
    if shutil.which("java") is None:
        pytest.skip("PySpark needs Java, which is not installed (Debian: apt-get install openjdk-17-jre-headless; "
                    "`make test` installs it where it may)")
    from pyspark.sql import SparkSession

    parquet = tmp_path_factory.mktemp("spark") / "skm.parquet"
    pl.from_pandas(data).write_parquet(parquet)
    spark = (SparkSession.builder.master("local[1]").appName("riset-test").config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "2").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    spark.read.parquet(str(parquet)).createOrReplaceTempView("skm")
    yield scale.source(ibis.pyspark.connect(spark).table("skm"))
    spark.stop()


def test_the_same_code_on_spark_equals_in_memory(data, spark_source):
    """Issue 20.4: the one Ibis expression of the sufficient statistics runs on Spark and gives the in-memory
    numbers (means by domain with blanks, a proportion, a ratio) to 1e-10."""
    d = SurveyDesign(data, **DESIGN)
    ref = estimate.mean(d, ["U1", "U2", "U9"], by=["unit", "jk"], na_rm=True)
    assert_same(scale.mean(spark_source, ["U1", "U2", "U9"], by=["unit", "jk"], na_rm=True, **DESIGN), ref.table,
                ["unit", "jk", "variable"])
    assert_same(scale.ratio(spark_source, "U3", "x", by="jk", **DESIGN), estimate.ratio(d, "U3", "x", by="jk").table,
                ["jk", "variable"])
    out = scale.proportion(spark_source, "U9", by="unit", na_rm=True, **DESIGN)
    assert_same(out, estimate.proportion(d, "U9", by="unit", na_rm=True, ci="wald").table,
                ["unit", "variable", "category"])


def test_raked_weights_on_spark_equal_in_memory(data, spark_source):
    """Issue 20.5: raking computed from Spark's GROUP BY of the margin variables, the weight applied in Spark's
    queries (cell codes, factor arrays) and the raking residuals' PSU totals give the in-memory raked means and SEs."""
    from riset.survey import outofcore_weighting as ow, weighting

    margins = [pd.Series({"Laki-laki": 30000.0, "Perempuan": 32000.0}).rename_axis("jk"),
               pd.Series({"PKM-A": 20000.0, "PKM-B": 15000.0, "RSUD": 17000.0, "Dukcapil": 10000.0}).rename_axis("unit")]
    mem = weighting.rake(SurveyDesign(data, **DESIGN), margins)
    raked = ow.rake(spark_source, margins, weights="w")
    assert_same(scale.mean(spark_source, ["U1", "U2"], by="unit", na_rm=True, **dict(DESIGN, weights=raked)),
                estimate.mean(mem, ["U1", "U2"], by="unit", na_rm=True).table, ["unit", "variable"])


@pytest.mark.parametrize("kind", ["jk1", "jkn", "bootstrap"])
def test_replicate_weights_out_of_core_equal_in_memory(data, kind):
    """Issue 20.5: a replicate design out of core (its replicate weight columns in the source) gives the
    in-memory `ReplicateDesign`'s estimates and SEs (which equal R svrepdesign: test_replicate.py)."""
    from riset.survey.replicate import as_replicate

    # JK1 is for an unstratified design: PSUs made unique over the sample
    d = (SurveyDesign(data.assign(psu=data["h"] + "/" + data["psu"].astype(str)), weights="w", psu="psu")
         if kind == "jk1" else SurveyDesign(data, **DESIGN))
    rep = as_replicate(d, kind, replicates=30, seed=4) if kind == "bootstrap" else as_replicate(d, kind)
    cols = [f"rep{r}" for r in range(rep.n_replicates)]
    wide = pd.concat([data, pd.DataFrame(rep.replicate_weights, columns=cols, index=data.index)], axis=1)
    spec = scale.Replicates(tuple(cols), rep.type, scale=rep.scale, rscales=tuple(rep.rscales), mse=rep.mse, df=rep.df)
    src = scale.source(pl.from_pandas(wide).lazy())
    ref = estimate.mean(rep, ["U1", "U2", "U9"], by="unit", na_rm=True).table
    out = scale.mean(src, ["U1", "U2", "U9"], weights="w", by="unit", na_rm=True, replicates=spec)
    assert_same(out, ref, ["unit", "variable"])
    assert_same(scale.ratio(src, "U3", "x", weights="w", by="jk", replicates=spec),
                estimate.ratio(rep, "U3", "x", by="jk").table, ["jk", "variable"])
    skm = wide.assign(**{c: wide[c].fillna(wide[c].mean()).round() for c in UNSUR})
    mem = ikm_design(ReplicateDesign(skm, "w", cols, rep.type, scale=rep.scale, rscales=rep.rscales, df=rep.df),
                     MAPPING, by="unit").table
    ooc = ikm_outofcore(scale.source(pl.from_pandas(skm).lazy()), MAPPING, weights="w", by="unit", replicates=spec)
    merged = mem.merge(ooc, on="unit", suffixes=("_mem", "_ooc"))
    for col in ("ikm_konversi", "se", "ci_low", "ci_high"):
        np.testing.assert_allclose(merged[f"{col}_ooc"], merged[f"{col}_mem"], rtol=1e-10, err_msg=col)


def test_replicate_weights_errors_name_the_column():
    lf = pl.LazyFrame({"y": [1.0, 2.0], "w": [1.0, 1.0], "r1": [2.0, None], "r2": [0.0, 2.0]})
    with pytest.raises(DesignError, match="replicate weight column 'r1' has a blank"):
        scale.mean(scale.source(lf), "y", weights="w", replicates=scale.Replicates(("r1", "r2"), "jk1"))
    with pytest.raises(DesignError, match="without strata, psu or fpc"):
        scale.mean(scale.source(lf), "y", weights="w", psu="y", replicates=scale.Replicates(("r1", "r2"), "jk1"))


def _two_stage(data: pd.DataFrame, seed: int = 3) -> pd.DataFrame:
    """The sample with a second stage: SSUs (households of 1-3 rows) inside each PSU, M = 1.5-4 x the sampled SSUs;
    one PSU with a single SSU."""
    rng = np.random.default_rng(seed)
    out = data.sort_values(["h", "psu"]).reset_index(drop=True)
    out["ssu"] = out.groupby(["h", "psu"]).cumcount() // rng.integers(1, 4, len(out))
    m = out.groupby(["h", "psu"])["ssu"].transform("nunique")
    out["fpc2"] = np.ceil(m * out.groupby(["h", "psu"])["w"].transform(lambda w: 1.5 + (w.iloc[0] % 2.5)))
    return out


@pytest.mark.parametrize("kind", ["duckdb-table", "polars-lazy"])
def test_second_stage_fpc_equals_in_memory(data, kind):
    """Issue 20.5: a two-stage design with both FPCs (the exit-interview design of an SKM: days, then visitors)
    out of core equals SurveyDesign(ssu=, fpc2=) -- itself equal to R svydesign with two stages
    (test_design.py) -- for means by domain, a ratio and the IKM by unit."""
    two = _two_stage(data)
    design = dict(DESIGN, ssu="ssu", fpc2="fpc2")
    d = SurveyDesign(two, **design)
    src = scale.source(pl.from_pandas(two).lazy()) if kind == "polars-lazy" else scale.source(duck(two), "skm")
    ref = estimate.mean(d, ["U1", "U2", "U9"], by="unit", na_rm=True).table
    assert_same(scale.mean(src, ["U1", "U2", "U9"], by="unit", na_rm=True, **design), ref, ["unit", "variable"])
    assert_same(scale.ratio(src, "U3", "x", by="jk", **design), estimate.ratio(d, "U3", "x", by="jk").table,
                ["jk", "variable"])
    skm = two.assign(**{c: two[c].fillna(3.0) for c in UNSUR})
    mem = ikm_design(SurveyDesign(skm, **design), MAPPING, by="unit").table
    skm_src = scale.source(pl.from_pandas(skm).lazy()) if kind == "polars-lazy" else scale.source(duck(skm), "skm")
    merged = mem.merge(ikm_outofcore(skm_src, MAPPING, by="unit", **design), on="unit", suffixes=("_mem", "_ooc"))
    for col in ("ikm_konversi", "se", "ci_low", "ci_high"):
        np.testing.assert_allclose(merged[f"{col}_ooc"], merged[f"{col}_mem"], rtol=1e-10, err_msg=col)
    one_stage = scale.mean(src, "U1", **DESIGN)["se"].iloc[0]
    assert scale.mean(src, "U1", **design)["se"].iloc[0] != pytest.approx(one_stage, rel=1e-6)  # stage 2 counts


def test_second_stage_needs_both_fpcs(data):
    src = scale.source(pl.from_pandas(_two_stage(data)).lazy())
    with pytest.raises(DesignError, match="needs `ssu`, `fpc2` and the first stage's `fpc`"):
        scale.mean(src, "U1", weights="w", strata="h", psu="psu", ssu="ssu", fpc2="fpc2")
