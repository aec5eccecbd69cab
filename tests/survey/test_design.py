"""SurveyDesign: Taylor-linearization variance against R survey (golden), validation, domains, calibration hook."""

import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riset.survey.design import SurveyDesign
from riset.errors import DesignError

DATA = Path(__file__).resolve().parents[1] / "data"
GOLDEN = json.loads((DATA / "golden" / "estimate.json").read_text())


@cache
def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / "api" / f"{name}.csv")


def api(name: str) -> pd.DataFrame:
    return _read(name).copy()


def _mean_se(design: SurveyDesign, column: str) -> tuple[float, float]:
    y = design.data[column].to_numpy(float)
    w = design.weights
    m = (w * y).sum() / w.sum()
    return m, float(np.sqrt(design.variance(w * (y - m) / w.sum())[0, 0]))


DESIGNS = {
    "strat": lambda: SurveyDesign(api("apistrat"), strata="stype", fpc="fpc"),
    "strat_nofpc": lambda: SurveyDesign(api("apistrat"), strata="stype", weights="pw"),
    "clus1": lambda: SurveyDesign(api("apiclus1"), psu="dnum", fpc="fpc"),
    "clus2": lambda: SurveyDesign(api("apiclus2"), psu="dnum", ssu="snum", fpc="fpc1", fpc2="fpc2"),
    "clus2_uc": lambda: SurveyDesign(api("apiclus2"), psu="dnum", weights="pw"),
    "srs": lambda: SurveyDesign(api("apisrs"), fpc="fpc"),
}


@pytest.mark.parametrize("name", DESIGNS)
def test_mean_se_and_df_match_r(name):
    design = DESIGNS[name]()
    est, se = _mean_se(design, "api00")
    gold = GOLDEN[name]["mean"]
    assert est == pytest.approx(np.atleast_1d(gold["est"])[0], rel=1e-9)
    assert se == pytest.approx(np.atleast_1d(gold["se"])[0], rel=1e-6)
    assert design.df == GOLDEN[name]["df"]


def test_fpc_as_fraction_equals_fpc_as_population_size():
    data = api("apiclus1").assign(fraction=lambda d: 15 / d["fpc"])
    _, se = _mean_se(SurveyDesign(data, psu="dnum", fpc="fraction"), "api00")
    assert se == pytest.approx(GOLDEN["clus1_frac"]["mean"]["se"], rel=1e-6)


def test_weights_default_to_inverse_sampling_fractions_like_r():
    d = SurveyDesign(api("apiclus2"), psu="dnum", ssu="snum", fpc="fpc1", fpc2="fpc2")
    np.testing.assert_allclose(d.weights, api("apiclus2")["pw"], rtol=1e-4)


@pytest.mark.parametrize("rule", ["remove", "certainty", "adjust"])
def test_lonely_psu_rules_match_r(rule):
    d = SurveyDesign(api("apiclus1"), strata="cname", psu="dnum", weights="pw", lonely_psu=rule)
    _, se = _mean_se(d, "api00")
    assert se == pytest.approx(GOLDEN["lonely"][rule]["mean"]["se"], rel=1e-6)
    assert d.df == GOLDEN["lonely"][rule]["df"]


def test_lonely_psu_fail_names_the_stratum():
    assert GOLDEN["lonely_fail"]
    with pytest.raises(DesignError, match=r"stratum .* has only one sampled PSU.*lonely_psu="):
        SurveyDesign(api("apiclus1"), strata="cname", psu="dnum", weights="pw")


@pytest.mark.parametrize("strata, shown", [(["A", "B", "A", "B", "C", "C"], "'C'"), ([7, 9, 7, 9, 40, 40], "40")])
def test_lonely_message_names_the_first_row_of_the_stratum(strata, shown):
    data = pd.DataFrame({"h": strata, "psu": [1, 2, 3, 4, 5, 5]}, index=[10, 11, 12, 13, 14, 15])
    with pytest.raises(DesignError, match=rf"stratum {shown} \('h', first in row 14\) has only one sampled PSU"):
        SurveyDesign(data, strata="h", psu="psu")


def test_second_stage_census_is_not_lonely():
    # apiclus2 has districts with one sampled school out of one (fpc2 = 1): f = 0, no variance, no error
    d = SurveyDesign(api("apiclus2"), psu="dnum", ssu="snum", fpc="fpc1", fpc2="fpc2", lonely_psu="fail")
    assert d.n == 126


def test_hand_computed_stratified_variance():
    df = pd.DataFrame({"h": [1, 1, 2, 2, 2], "y": [1.0, 3.0, 2.0, 4.0, 9.0], "N": [10, 10, 6, 6, 6]})
    d = SurveyDesign(df, strata="h", fpc="N")
    # w = N/n; total variance = sum_h N_h^2 (1 - n_h/N_h) s_h^2 / n_h
    expected = 10**2 * (1 - 2 / 10) * np.var([1, 3], ddof=1) / 2 + 6**2 * (1 - 3 / 6) * np.var([2, 4, 9], ddof=1) / 3
    x = d.weights * df["y"].to_numpy()
    assert d.variance(x)[0, 0] == pytest.approx(expected, rel=1e-12)


def test_subset_keeps_full_design_and_counts_domain_df():
    d = SurveyDesign(api("apistrat"), strata="stype", fpc="fpc")
    dom = d.subset(d.data["stype"] == "H")
    assert dom.n == 50 and len(dom.data) == 200
    assert dom.df == GOLDEN["strat"]["domain"]["df"] == 49
    y = dom.data["api00"].to_numpy(float)
    w = dom.weights
    m = (w * y).sum() / w.sum()
    se = np.sqrt(dom.variance(w * (y - m) / w.sum())[0, 0])
    assert se == pytest.approx(GOLDEN["strat"]["domain"]["mean"]["se"], rel=1e-6)


def test_with_weights_applies_adjustments_in_order_and_subset_keeps_them():
    d = SurveyDesign(api("apisrs"), fpc="fpc")
    calls = []

    def centre(x):
        calls.append("centre")
        return x - x.mean(axis=0)

    def halve(x):
        calls.append("halve")
        return x / 2

    new = d.with_weights(d.weights * 1.1, adjust=centre).with_weights(d.weights * 1.1, adjust=halve)
    assert d.adjustments == () and len(new.adjustments) == 2
    x = np.arange(200.0)[:, None]
    expected = d.variance((x - x.mean()) / 2)
    np.testing.assert_allclose(new.variance(x), expected)
    assert calls == ["centre", "halve"]
    assert len(new.subset(new.data["stype"] == "E").adjustments) == 2
    np.testing.assert_allclose(new.weights, d.weights * 1.1)


def test_with_weights_refuses_weight_outside_domain():
    d = SurveyDesign(api("apisrs"), fpc="fpc")
    dom = d.subset(d.data["stype"] == "E")
    with pytest.raises(DesignError, match="outside the domain"):
        dom.with_weights(np.ones(200))


@pytest.mark.parametrize(
    "change, kwargs, message",
    [
        (lambda d: d.assign(pw=d["pw"].where(d.index != 4, 0.0)), {"weights": "pw"}, r"'pw' has value 0 in row 4"),
        (lambda d: d.assign(pw=d["pw"].where(d.index != 7, -2.0)), {"weights": "pw"}, r"row 7.*must be > 0"),
        (lambda d: d.assign(stype=d["stype"].where(d.index != 3)), {"strata": "stype"}, r"strata column 'stype' is blank in row 3"),
        (lambda d: d.assign(dnum=d["dnum"].where(d.index != 5)), {"psu": "dnum"}, r"psu column 'dnum' is blank in row 5"),
        (lambda d: d.assign(fpc=10), {"strata": "stype", "fpc": "fpc"}, r"'fpc' has value 10 in row .*sampled PSUs"),
        (lambda d: d.assign(fpc=np.where(d.index == 0, 0.5, d["fpc"])), {"fpc": "fpc", "strata": "stype"}, r"row 0"),
        (lambda d: d, {"weights": "bobot"}, r"'bobot' not found"),
        (lambda d: d, {"lonely_psu": "mean"}, r"lonely_psu='mean' is not allowed"),
        (lambda d: d, {"psu": "dnum", "ssu": "snum", "fpc": "fpc"}, r"fpc2"),
        (lambda d: d, {"ssu": "snum", "fpc": "fpc", "fpc2": "fpc"}, r"ssu .* needs `psu`"),
        (lambda d: d, {"psu": "dnum", "fpc": "fpc", "fpc2": "fpc"}, r"fpc2 .* needs both `ssu`"),
        (lambda d: d.assign(fpc=d["fpc"].astype(object).where(d.index != 8, "banyak")), {"fpc": "fpc"},
         r"column 'fpc' has value 'banyak' in row 8; must be a number"),
    ],
)
def test_invalid_designs_name_column_row_and_value(change, kwargs, message):
    with pytest.raises(DesignError, match=message):
        SurveyDesign(change(api("apistrat")), **kwargs)


def test_fpc_varying_within_stratum_is_an_error():
    data = api("apistrat")
    data.loc[10, "fpc"] = data.loc[10, "fpc"] + 1
    other = data.index[(data["stype"] == data.loc[10, "stype"]) & (data.index != 10)][0]
    with pytest.raises(DesignError, match=rf"varies within a stratum: row 10 has {data.loc[10, 'fpc']:g}(\.0)?, "
                                          rf"row {other} has {data.loc[other, 'fpc']:g}(\.0)?;"):
        SurveyDesign(data, strata="stype", fpc="fpc")


def test_caller_frame_not_mutated_and_weights_read_only():
    data = api("apistrat")
    before = data.copy()
    d = SurveyDesign(data, strata="stype", fpc="fpc")
    d.subset(d.data["stype"] == "E")
    pd.testing.assert_frame_equal(data, before)
    with pytest.raises(ValueError):
        d.weights[0] = 1.0


def test_variance_rejects_wrong_shape():
    d = SurveyDesign(api("apisrs"), fpc="fpc")
    with pytest.raises(DesignError, match="200 rows"):
        d.variance(np.ones((10, 1)))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), lonely=st.sampled_from(["remove", "adjust"]), calibrated=st.booleans())
def test_all_domains_at_once_equal_one_masked_variance_each(seed, lonely, calibrated):
    rng = np.random.default_rng(seed)
    n = 60
    data = pd.DataFrame({"h": rng.integers(0, 4, n), "psu": rng.integers(0, 5, n), "w": rng.uniform(1, 3, n)})
    d = SurveyDesign(data, weights="w", strata="h", psu="psu", lonely_psu=lonely)
    if calibrated:
        d = d.with_weights(d.weights, adjust=lambda x: x - x.mean(axis=0))
    x = rng.normal(size=(n, 2))
    domain = rng.integers(-1, 3, n)
    expected = [np.diag(d.variance(np.where((domain == k)[:, None], x, 0.0))) for k in range(3)]
    np.testing.assert_allclose(d.variance_by(x, domain, 3), expected, rtol=1e-9, atol=1e-12)
    assert d.df_by(domain, 3).tolist() == [d.subset(domain == k).df for k in range(3)]


def test_changing_the_callers_frame_later_never_reaches_the_design():
    frame = pd.DataFrame({"y": [1.0, 2.0, 3.0], "w": [1.0, 1.0, 2.0]})
    design = SurveyDesign(frame, weights="w")
    frame.loc[0, "y"] = 100.0
    frame.loc[1, "w"] = 9.0  # in place: the design reads the weights column as a view
    frame["w"] = 5.0
    assert design.data["y"].tolist() == [1.0, 2.0, 3.0] and design.weights.tolist() == [1.0, 1.0, 2.0]


def test_integer_unit_numbers_of_any_span_give_the_same_design():
    """Stratum and PSU numbers are coded by a table of the numbers present when they span few numbers, by hashing
    otherwise: both give the same design."""
    data = api("apistrat").assign(h=lambda d: d["stype"].map({"E": 3, "H": 1, "M": 2}), unit=lambda d: d["snum"])
    wide = data.assign(h=data["h"] * 10**12, unit=data["unit"] * 10**9 - 7)
    negative = data.assign(h=data["h"] - 2, unit=data["unit"] - 10_000)  # a table shifted to the smallest number
    near, far, below = (SurveyDesign(d, strata="h", psu="unit", weights="pw", fpc="fpc")
                        for d in (data, wide, negative))
    assert _mean_se(near, "api00") == pytest.approx(_mean_se(far, "api00"), rel=1e-13)
    assert _mean_se(below, "api00") == pytest.approx(_mean_se(far, "api00"), rel=1e-13)
    assert near.df == far.df == below.df == 197
