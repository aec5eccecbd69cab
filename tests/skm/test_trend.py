"""Series of periods (consecutive changes, linear trend), targets (Holm over the units, issue 21.8), published
figures, DiD coefficients."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from riset.errors import DataError
from riset.skm.ikm_design import compare_periods
from riset.skm.schemes import UNSUR_2017
from riset.skm.trend import check_targets, compare_published, did_coefficients, period_series, trend_coefficients
from riset.survey.compare import holm
from riset.survey.design import SurveyDesign

ALL = {u.key: u.key for u in UNSUR_2017}


def three_periods(seed=4, n=30):
    rng = np.random.default_rng(seed)
    rows = []
    for t, period in enumerate(["2024", "2025", "2026"]):
        for unit in ("A", "B"):
            level = 2.6 + 0.3 * t * (unit == "A")
            answers = np.clip(np.rint(level + rng.normal(0, 0.7, size=(n, 9))), 1, 4)
            part = pd.DataFrame(answers, columns=list(ALL))
            part["periode"], part["unit"] = period, unit
            part["psu"] = [f"{unit}{period}-{i % 6}" for i in range(n)]
            rows.append(part)
    return pd.concat(rows, ignore_index=True)


def test_consecutive_changes_equal_compare_periods_for_each_pair():
    data = three_periods()
    d = SurveyDesign(data, strata="unit", psu="psu")
    series = period_series(d, ALL, "periode", by="unit")
    for a, b in (("2024", "2025"), ("2025", "2026")):
        pair = compare_periods(d, ALL, by="unit", base=a, compare=b).table.set_index("unit")
        got = series.changes[(series.changes["periode_dari"] == a)].set_index("unit")
        np.testing.assert_allclose(got["selisih"], pair["selisih"], rtol=1e-12)
        np.testing.assert_allclose(got["se"], pair["se"], rtol=1e-10)
        np.testing.assert_allclose(got["p_value"], pair["p_value"], rtol=1e-10)
    assert len(series.changes) == 4 and len(series.trend) == 2
    # Holm over the whole family of 4 changes
    from statsmodels.stats.multitest import multipletests
    np.testing.assert_allclose(series.changes["p_holm"], multipletests(series.changes["p_value"], method="holm")[1])


def test_trend_is_the_least_squares_slope_with_a_hand_checked_se():
    # SRS (no strata, every row its own PSU): domains of one design; slope = (IKM_2026 - IKM_2024) / 2
    data = three_periods()
    d = SurveyDesign(data)
    series = period_series(d, ALL, "periode")
    ikm = series.table.set_index("periode")["ikm_konversi"]
    slope = series.trend.iloc[0]
    assert slope["selisih"] == pytest.approx((ikm["2026"] - ikm["2024"]) / 2, rel=1e-12)
    # Var = sum_t c_t^2 Var_t for disjoint domains of an SRS with df n - 1: u_i = c_t (y_i - ybar_t) / n_t
    u = np.zeros(len(data))
    for c, period in zip(trend_coefficients([0, 1, 2]), ["2024", "2025", "2026"]):
        part = data["periode"] == period
        score = 25 * data.loc[part, list(ALL)].mean(axis=1)
        u[part.to_numpy()] = c * (score - score.mean()) / part.sum()
    n = len(data)
    assert slope["se"] == pytest.approx(np.sqrt(n / (n - 1) * ((u - u.mean()) ** 2).sum()), rel=1e-10)
    assert slope["perubahan"] in ("naik", "tidak_berubah")


def test_targets_met_not_met_and_the_probability():
    table = pd.DataFrame({"unit": ["A", "B", "C"], "ikm_konversi": [85.0, 78.0, 81.0], "se": [1.0, 1.0, 1.0],
                          "df": [20, 20, 20]})
    out = check_targets(table, {"A": 82, "B": 82, "C": 82}, group="unit").set_index("unit")
    assert out["status"].tolist() == ["met", "not_met", "indistinct"]
    assert out.loc["C", "p_target"] == pytest.approx(stats.t.sf(1.0, 20), rel=1e-12)
    assert np.isnan(check_targets(table, {"A": 82}, group="unit").set_index("unit").loc["B", "target"])
    assert out.loc["A", "p_value"] == pytest.approx(2 * stats.t.sf(3.0, 20), rel=1e-12)


def test_target_verdicts_use_holm_over_the_units_and_keep_the_unadjusted_p():
    # ten units 2.3 SE above the target (p = 0.028 each, 'met' by the CI) and one 5 SE above: after Holm over
    # the 11 units only the last is met; unadjusted, every unit is
    x = np.array([82.0 + 2.3] * 10 + [87.0])
    table = pd.DataFrame({"unit": [f"U{i}" for i in range(11)], "ikm_konversi": x, "se": 1.0, "df": 30})
    held = check_targets(table, 82)
    plain = check_targets(table, 82, adjust=None)
    assert held["p_value"].tolist() == plain["p_value"].tolist()
    assert held["p_value"].iloc[0] == pytest.approx(2 * stats.t.sf(2.3, 30), rel=1e-12)
    assert np.allclose(held["p_holm"], holm(held["p_value"]))
    assert held["status"].tolist() == ["indistinct"] * 10 + ["met"]
    assert plain["status"].tolist() == ["met"] * 11
    # unadjusted, the verdict is the CI rule: met when the lower limit is above the target
    low = x - stats.t.ppf(0.975, 30) * 1.0
    assert (plain["status"] == "met").tolist() == (low >= 82).tolist()
    # below the target the same way; SE 0 decides by the point; no target: untestable, not counted by Holm
    below = check_targets(table.assign(ikm_konversi=164.0 - x), 82)
    assert below["status"].tolist() == ["indistinct"] * 10 + ["not_met"]
    flat = check_targets(pd.DataFrame({"unit": ["A", "B", "C"], "ikm_konversi": [82.0, 81.0, 90.0],
                                       "se": [0.0, 0.0, 1.0], "df": 30}), {"A": 82, "B": 82}, group="unit")
    assert flat["status"].tolist() == ["met", "not_met", "untestable"] and np.isnan(flat["p_holm"].iloc[2])
    with pytest.raises(DataError, match="adjust"):
        check_targets(table, 82, adjust="bonferroni")


def test_published_comparison_kinds():
    fixed = compare_published(80.0, 1.0, 30, 78.0)
    assert fixed.kind == "fixed" and fixed.se == 1.0 and fixed.p_value == pytest.approx(2 * stats.t.sf(2.0, 30))
    independent = compare_published(80.0, 1.0, 30, 78.0, published_se=1.0)
    assert independent.se == pytest.approx(np.sqrt(2)) and independent.p_value > fixed.p_value
    from_ci = compare_published(80.0, 1.0, 30, 78.0, published_ci=(76.04, 79.96))
    assert from_ci.se == pytest.approx(np.sqrt(1 + 1), rel=1e-3)
    approx = compare_published(80.0, 1.0, 30, 78.0, published_n=100, n=400)
    assert approx.kind == "approximate" and approx.se == pytest.approx(np.sqrt(1 + 4))
    assert "perkiraan" in approx.summary("id")


def test_did_coefficients_and_trend_coefficients():
    assert did_coefficients(["inovasi|sesudah", "inovasi|sebelum", "pembanding|sesudah", "pembanding|sebelum"]).tolist() == [1, -1, -1, 1]
    assert trend_coefficients([0, 1, 2, 3]) @ np.array([1.0, 2, 3, 4]) == pytest.approx(1.0)


@pytest.mark.parametrize("unit", ["PKM-A", "PKM-B", "RSUD"])
def test_series_matches_r_svycontrast_on_svyby_with_three_periods(unit):
    # tests/r/golden_trend.R: three periods inside every PSU (correlated), two-stage design with both FPCs
    import json
    from pathlib import Path

    golden = Path(__file__).resolve().parents[1] / "data" / "golden"
    gold = json.loads((golden / "trend.json").read_text())
    data = pd.read_csv(golden / "ikm_design_data.csv").assign(periode=gold["periode"])
    keys = ["persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku", "sarana", "pengaduan"]
    design = SurveyDesign(data, weights="bobot", strata="unit", psu="hari", ssu="id_responden", fpc="n_hari",
                          fpc2="n_pengunjung")
    series = period_series(design, {f"U{i + 1}": k for i, k in enumerate(keys)}, "periode", by="unit")
    changes = series.changes[series.changes["unit"] == unit]
    trend = series.trend[series.trend["unit"] == unit].iloc[0]
    np.testing.assert_allclose(changes["selisih"], 25 * np.array(gold[unit]["estimate"][:2]), rtol=1e-9)
    np.testing.assert_allclose(changes["se"], 25 * np.array(gold[unit]["se"][:2]), rtol=1e-6)
    assert trend["selisih"] == pytest.approx(25 * gold[unit]["estimate"][2], rel=1e-9)
    assert trend["se"] == pytest.approx(25 * gold[unit]["se"][2], rel=1e-6)
    assert changes["df"].tolist() + [trend["df"]] == gold[unit]["df"]


def test_difference_in_differences_matches_r_svycontrast_on_four_domains():
    # tests/r/golden_trend.R: PKM-A innovates from P3, PKM-B compares; periods share PSUs (correlated domains)
    import json
    from pathlib import Path

    from riset.skm.ikm_design import period_fit
    from riset.skm.trend import did_coefficients

    golden = Path(__file__).resolve().parents[1] / "data" / "golden"
    gold = json.loads((golden / "trend.json").read_text())
    data = pd.read_csv(golden / "ikm_design_data.csv").assign(periode=gold["periode"])
    group = data["unit"].map({"PKM-A": "inovasi", "PKM-B": "pembanding"})
    data["did"] = (group + "|" + np.where(data["periode"] == "P3", "sesudah", "sebelum")).where(group.notna())
    keys = ["persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku", "sarana", "pengaduan"]
    design = SurveyDesign(data, weights="bobot", strata="unit", psu="hari", ssu="id_responden", fpc="n_hari",
                          fpc2="n_pengunjung")
    categories = ["inovasi|sesudah", "inovasi|sebelum", "pembanding|sesudah", "pembanding|sebelum"]
    fit = period_fit(design, {f"U{i + 1}": k for i, k in enumerate(keys)}, "did", None, periods=categories)
    row = fit.contrast(did_coefficients(categories)).frame([fit.model.k + 1], 0.95, None).iloc[0]
    assert row["selisih"] == pytest.approx(25 * gold["did"]["estimate"], rel=1e-9)
    assert row["se"] == pytest.approx(25 * gold["did"]["se"], rel=1e-6)
    assert row["df"] == gold["did"]["df"]
