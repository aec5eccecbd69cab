"""The IKM of the bundled example at every level on its calibrated weights, out of core (issue 20.5).

The example's study file weights the two-stage design (strata unit x periode, PSU service day with its FPC, SSU
respondent with the day's visitors) to BPS margins by raking calibration: population scaled within each kecamatan,
kecamatan x jenis kelamin and kecamatan x kelompok umur, unit x periode visits kept. The same recipe
(`riset.study.run.weighting_recipe`) run out of core on a Polars LazyFrame / DuckDB table of the cleaned answers
(`riset.survey.outofcore_weighting.weight_to_population`) gives the in-memory weights, and `ikm_outofcore` with
those weights gives `ikm_design`'s IKM, SE, CI, df and P(mutu beda) on the calibrated design (itself equal to R
survey's svycontrast on a calibrated design: tests/study/test_run_study.py) to 1e-10.
"""

from pathlib import Path

import numpy as np
import pytest

pl = pytest.importorskip("polars")
duckdb = pytest.importorskip("duckdb")
ibis = pytest.importorskip("ibis")

from riset.skm.ikm_design import ikm_design, ikm_outofcore  # noqa: E402
from riset.study.config import load_study  # noqa: E402
from riset.study.run import population_table, read_study_survey, weighting_recipe  # noqa: E402
from riset.survey import outofcore as scale, outofcore_weighting as ow  # noqa: E402
from riset.survey.design import SurveyDesign  # noqa: E402
from riset.survey.weighting import weight_to_population  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "raw" / "studi.yaml"
COLUMNS = ["n_responden", "ikm", "ikm_se", "ikm_konversi", "se", "ci_low", "ci_high", "df", "p_mutu_beda"]


@pytest.fixture(scope="module")
def example():
    config = load_study(EXAMPLE)
    survey = read_study_survey(config)
    spec = config.design
    design = dict(weights=spec.weights, strata=list(spec.strata), psu=spec.psu, fpc=spec.fpc, ssu=spec.ssu,
                  fpc2=spec.fpc2, lonely_psu=spec.lonely_psu)
    assert spec.ssu and weighting_recipe(config)["method"] == "raking"  # the case this file is about
    run = weight_to_population(SurveyDesign(survey.data, **design), population_table(config), **weighting_recipe(config))
    unsur = survey.codebook.unsur_map("unsur")
    recipe = weighting_recipe(config)
    needed = ["id_responden", *(c for m in recipe["margins"] for c in m), recipe["scale"], *recipe["keep_totals"],
              *(c for level in config.levels for c in level), *unsur, spec.weights, *spec.strata, spec.psu, spec.fpc,
              spec.ssu, spec.fpc2]
    frame = survey.data[list(dict.fromkeys(needed))]
    return config, design, run, unsur, frame


@pytest.fixture(scope="module")
def calibrated(example):
    config, design, _, _, frame = example
    src = scale.source(pl.from_pandas(frame).lazy())
    return src, ow.weight_to_population(src, population_table(config), weights=design["weights"],
                                        **weighting_recipe(config))


def test_the_weights_equal_in_memory(example, calibrated):
    _, _, run, _, frame = example
    _, weights = calibrated
    con = duckdb.connect()
    con.register("skm", frame)
    out = weights.weighted(ibis.duckdb.from_connection(con).table("skm")).select("id_responden", "bobot_akhir")
    got = out.to_pandas().set_index("id_responden")["bobot_akhir"].reindex(frame["id_responden"])
    np.testing.assert_allclose(got.to_numpy(), run.design.weights, rtol=1e-12)
    assert weights.summary().split("\n")[0].endswith(run.summary().split("\n")[0])  # same Kish deff, n_eff, range


def test_ikm_at_every_level_equals_in_memory(example, calibrated):
    config, design, run, unsur, _ = example
    src, weights = calibrated
    for level in config.levels:
        by = list(level)
        mem = ikm_design(run.design, unsur, by=by).table
        ooc = ikm_outofcore(src, unsur, by=by, **dict(design, weights=weights))
        merged = mem.merge(ooc, on=by, suffixes=("_mem", "_ooc"))
        assert len(merged) == len(mem) == len(ooc)
        for col in COLUMNS:
            np.testing.assert_allclose(merged[f"{col}_ooc"], merged[f"{col}_mem"], rtol=1e-10, err_msg=f"{by} {col}")
        assert (merged["mutu_ooc"] == merged["mutu_mem"]).all()


def test_on_duckdb_and_without_the_calibration(example):
    """The same on a DuckDB table; and the calibration counts: without it (design weights) the SEs differ."""
    config, design, run, unsur, frame = example
    con = duckdb.connect()
    con.register("frame", frame)
    con.execute("CREATE TABLE skm AS SELECT * FROM frame")
    src = scale.source(con, "skm")
    weights = ow.weight_to_population(src, population_table(config), weights=design["weights"],
                                      **weighting_recipe(config))
    mem = ikm_design(run.design, unsur, by=config.unit).table
    ooc = ikm_outofcore(src, unsur, by=config.unit, **dict(design, weights=weights))
    np.testing.assert_allclose(ooc["se"], mem.set_index(config.unit).loc[ooc[config.unit], "se"], rtol=1e-10)
    plain = ikm_outofcore(src, unsur, by=config.unit, **design)
    assert not np.allclose(plain["se"], ooc["se"], rtol=1e-3)
