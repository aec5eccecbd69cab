"""Weighting a replicate design re-weights every replicate column, as R does (tests/r/golden_repweight.R):
postStratify, rake and calibrate (linear; raking with bounds) on R's JK1 replicates of apiclus1."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riset.survey import estimate
from riset.survey.margins import margin_from_table
from riset.survey.replicate import ReplicateDesign
from riset.survey.weighting import calibrate, poststratify, rake

DATA = Path(__file__).resolve().parents[1] / "data"
GOLDEN = json.loads((DATA / "golden" / "repweight_api.json").read_text())
STYPE = pd.Series({"E": 4421, "H": 755, "M": 1018}).rename_axis("stype")
SCH = pd.Series({"No": 1072, "Yes": 5122}).rename_axis("sch.wide")


@pytest.fixture(scope="module")
def jk1():
    data = pd.read_csv(DATA / "api" / "apiclus1.csv")
    reps = np.array(GOLDEN["jk1_repweights"]) * data["pw"].to_numpy()[:, None]
    return ReplicateDesign(data, "pw", reps, "jk1", scale=GOLDEN["jk1_scale"], rscales=GOLDEN["jk1_rscales"])


def _weighted(jk1, how):
    if how == "post":
        return poststratify(jk1, STYPE)
    if how == "rake":
        return rake(jk1, [STYPE, SCH], epsilon=1e-6, maxit=50)
    totals = {"api99": 3914069}
    if how == "cal_linear":
        return calibrate(jk1, [STYPE], totals=totals)
    return calibrate(jk1, [STYPE], totals=totals, calfun="raking", bounds=(0.5, 3))


@pytest.mark.parametrize("how", ["post", "rake", "cal_linear", "cal_raking"])
def test_replicate_weighting_matches_r(jk1, how):
    gold = GOLDEN["jk1"][how]
    design = _weighted(jk1, how)
    m = estimate.mean(design, ["api00", "api99"])
    np.testing.assert_allclose(m.estimate, gold["mean"], rtol=1e-9)
    # api99 is a calibration total: its SE is 0 up to each iteration's stopping rule (R's and riset's differ)
    np.testing.assert_allclose(m.se, gold["mean_se"], rtol=2e-6, atol=1e-4)
    t = estimate.total(design, "enroll", na_rm=True)
    assert t.estimate[0] == pytest.approx(np.ravel(gold["total"])[0], rel=1e-9)
    assert t.se[0] == pytest.approx(np.ravel(gold["total_se"])[0], rel=1e-6)


def test_each_replicate_meets_the_margin(jk1):
    design = poststratify(jk1, STYPE)
    reps = np.asarray(design.replicate_weights)
    by_type = pd.DataFrame(reps).groupby(design.data["stype"].to_numpy()).sum()
    # a replicate that keeps some rows of a type reaches its population count exactly
    for stype, count in STYPE.items():
        row = by_type.loc[stype]
        assert np.allclose(row[row > 0], count)
