"""Lonely PSUs against R survey 4.1 (tests/r/golden_lonely.R): apiclus1 stratified by district, where some
districts have one sampled school, under every lonely_psu rule, with and without a census (certainty) stratum,
for means, totals and a domain."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riset.errors import DesignError
from riset.survey import estimate
from riset.survey.design import SurveyDesign

DATA = Path(__file__).resolve().parents[1] / "data"
GOLDEN = json.loads((DATA / "golden" / "lonely_api.json").read_text())


def _data() -> pd.DataFrame:
    d = pd.read_csv(DATA / "api" / "apiclus1.csv")
    counts = d["dnum"].value_counts()
    largest = counts[counts == counts.max()].index.astype(str).min()  # R: names(counts)[...][1], sorted as text
    d["fpc_cert"] = np.where(d["dnum"].astype(str) == largest, counts.max(), 1000)
    return d


@pytest.mark.parametrize("rule", ["remove", "certainty", "adjust", "average"])
@pytest.mark.parametrize("fpc", ["none", "cert"])
def test_lonely_rules_match_r(rule, fpc):
    gold = GOLDEN[f"{rule}_{fpc}"]
    design = SurveyDesign(_data(), weights="pw", strata="dnum", fpc=None if fpc == "none" else "fpc_cert",
                          lonely_psu=rule)
    m = estimate.mean(design, ["api00", "api99"])
    np.testing.assert_allclose(m.estimate, gold["mean"], rtol=1e-12)
    np.testing.assert_allclose(m.se, gold["mean_se"], rtol=1e-10)
    t = estimate.total(design, "enroll", na_rm=True)
    assert t.se[0] == pytest.approx(np.ravel(gold["total_se"])[0], rel=1e-10)
    e = estimate.mean(design.subset(design.data["stype"] == "E"), "api00")
    assert e.se[0] == pytest.approx(np.ravel(gold["domain_se"])[0], rel=1e-10)


def test_average_is_the_others_scaled_up():
    # strata A (2 PSUs), B (2 PSUs), C (1 PSU): the sum over A and B times 3 / 2
    frame = pd.DataFrame({"h": list("AABBC"), "y": [1.0, 3.0, 2.0, 6.0, 5.0]})
    avg = estimate.total(SurveyDesign(frame, strata="h", lonely_psu="average"), "y").se[0] ** 2
    rem = estimate.total(SurveyDesign(frame, strata="h", lonely_psu="remove"), "y").se[0] ** 2
    assert avg == pytest.approx(rem * 3 / 2, rel=1e-12)
    assert rem == pytest.approx(2 * (1 + 1) + 2 * (4 + 4), rel=1e-12)  # n/(n-1) sum (y - ybar)^2 per stratum


def test_fail_names_the_lonely_stratum():
    with pytest.raises(DesignError, match=f"stratum {GOLDEN['lonely']} .* or 'average'"):
        SurveyDesign(_data(), weights="pw", strata="dnum")
