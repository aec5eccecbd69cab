"""Selection schemes: inclusion probabilities, Horvitz-Thompson unbiasedness, exact Brewer/Sampford pi."""

import json
from itertools import permutations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riset.errors import DesignError
from riset.survey.sampling import allocate
from riset.survey.selection import (
    DRAWS,
    _brewer_probabilities,
    exit_interview_plan,
    inclusion_probabilities,
    pps_brewer,
    pps_sampford,
    pps_systematic,
    select,
    service_calendar,
    srs,
    systematic,
    two_stage,
)

METHODS = list(DRAWS)
# R sampling 2.9: inclusionprobabilities, UPsystematicpi2, UPsampfordpi2 (tests/r/golden_sampling.R)
GOLDEN = json.loads((Path(__file__).resolve().parents[1] / "data" / "golden" / "sampling_pi.json").read_text())
N_FRAME, N_SAMPLE, DRAWS_MC = 30, 6, 2000


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(11)
    size = np.round(rng.lognormal(3, 0.8, N_FRAME)).clip(1)
    size[4] = size.sum()  # a certainty unit: n x / sum x >= 1
    y = 5 + 0.4 * size + rng.normal(0, 3, N_FRAME)
    return pd.DataFrame(
        {"id": range(N_FRAME), "x": size, "y": y, "strata": np.repeat(["A", "B", "C"], 10)},
        index=np.arange(100, 100 + N_FRAME),
    )


def test_inclusion_probabilities_with_certainty_units_hand_computed():
    # 2 x 7 / 10 = 1.4 >= 1: unit 4 is certain, the other sample place goes 1/3 each
    assert inclusion_probabilities([1, 1, 1, 7], 2) == pytest.approx([1 / 3, 1 / 3, 1 / 3, 1])
    # cascading: 3 x 50 / 110 >= 1, then 2 x 40 / 60 >= 1, then 1 x 10 / 20
    assert inclusion_probabilities([50, 40, 10, 10], 3) == pytest.approx([1, 1, 0.5, 0.5])


@pytest.mark.parametrize("method", METHODS)
def test_pi_sum_to_n_and_sample_has_n_units(frame, method):
    out = select(frame, N_SAMPLE, method, size="x", seed=5, keep_frame=True)
    assert out["pi"].sum() == pytest.approx(N_SAMPLE, abs=1e-12)
    assert out["terpilih"].sum() == N_SAMPLE
    sample = select(frame, N_SAMPLE, method, size="x", seed=5)
    assert list(sample.index) == list(out.index[out["terpilih"]])  # caller's index kept
    assert (sample["bobot_desain"] * sample["pi"]).to_numpy() == pytest.approx(1)
    if method.startswith("pps"):
        assert sample.loc[104, "pasti"] and sample.loc[104, "pi"] == 1
        expected = np.r_[np.zeros(4), 1, np.zeros(25)]
        rest = np.delete(frame["x"].to_numpy(), 4)
        expected[np.arange(N_FRAME) != 4] = (N_SAMPLE - 1) * rest / rest.sum()
        assert out["pi"].to_numpy() == pytest.approx(expected)
    else:
        assert out["pi"].to_numpy() == pytest.approx(N_SAMPLE / N_FRAME)


@pytest.mark.parametrize("method", METHODS)
def test_stratified_pi_sum_to_n_h(frame, method):
    alloc = allocate(pd.DataFrame({"strata": ["A", "B", "C"], "N": [10, 10, 10]}), 9, "equal", minimum=2)
    out = select(frame, alloc, method, size="x", strata="strata", seed=2, keep_frame=True)
    assert out.groupby("strata")["pi"].sum().to_numpy() == pytest.approx([3, 3, 3])
    assert out.groupby("strata")["terpilih"].sum().tolist() == [3, 3, 3]


@pytest.mark.parametrize("method", METHODS)
def test_horvitz_thompson_total_unbiased_monte_carlo(frame, method):
    pi = select(frame, N_SAMPLE, method, size="x", keep_frame=True)["pi"].to_numpy()
    y = frame["y"].to_numpy()
    draw, rng = DRAWS[method][0], np.random.default_rng(2026)
    picks = np.array([draw(pi, rng) for _ in range(DRAWS_MC)])
    assert (picks.sum(axis=1) == N_SAMPLE).all()
    ht = picks @ (y / pi)
    se = ht.std(ddof=1) / np.sqrt(DRAWS_MC)
    assert abs(ht.mean() - y.sum()) < 4 * se
    # first-order pi: selection frequencies within 4 binomial SE (certainty unit always in)
    freq = picks.mean(axis=0)
    tol = 4 * np.sqrt(pi * (1 - pi) / DRAWS_MC) + 1e-12
    assert (np.abs(freq - pi) <= tol).all()


def test_select_is_reproducible_and_seed_matters(frame):
    a = pps_sampford(frame, 5, "x", seed=1)
    assert a.index.equals(pps_sampford(frame, 5, "x", seed=1).index)
    assert any(not srs(frame, 5, seed=s).index.equals(srs(frame, 5, seed=0).index) for s in range(1, 4))


def _exact_brewer(pik):
    """Exact first- and second-order pi of the code's Brewer steps, by enumerating every draw order."""
    N, n = len(pik), round(pik.sum())
    pi1, pi2 = np.zeros(N), np.zeros((N, N))
    for order in permutations(range(N), n):
        prob, chosen = 1.0, np.zeros(N, dtype=bool)
        for step, k in enumerate(order, start=1):
            prob *= _brewer_probabilities(pik, chosen, step)[k]
            chosen[k] = True
        pi1[list(order)] += prob
        for k, l in permutations(order, 2):
            pi2[k, l] += prob
    return pi1, pi2


def test_brewer_first_order_pi_exactly_n_x_over_sum_x_and_all_pairs_positive():
    x = np.array([1.0, 2.0, 3.0, 5.0, 8.0, 9.0])
    pik = 3 * x / x.sum()
    pi1, pi2 = _exact_brewer(pik)
    assert pi1 == pytest.approx(pik, abs=1e-12)
    assert pi2.sum(axis=1) == pytest.approx(2 * pik, abs=1e-12)  # sum_l pi_kl = (n - 1) pi_k
    assert (pi2[~np.eye(6, dtype=bool)] > 0).all()


def test_inclusion_probabilities_match_r_sampling():
    for case in GOLDEN["inclusion"]:
        assert inclusion_probabilities(case["x"], case["n"]) == pytest.approx(case["pik"], abs=1e-12)


class _FixedStart:
    """Stands in for the random generator: the systematic start u is given."""

    def __init__(self, u):
        self.u = u

    def random(self):
        return self.u


def test_systematic_pps_joint_pi_exactly_as_r_upsystematicpi2():
    # the sample only changes where u crosses a fractional part of the cumulated pi: integrate exactly
    pik = np.array(GOLDEN["joint_pik"])
    cuts = np.unique(np.r_[0.0, np.cumsum(pik) % 1, 1.0])
    pi2 = np.zeros((6, 6))
    for lo, hi in zip(cuts[:-1], cuts[1:]):
        chosen = DRAWS["pps_systematic"][0](pik, _FixedStart((lo + hi) / 2)).astype(float)
        pi2 += (hi - lo) * np.outer(chosen, chosen)
    assert pi2 == pytest.approx(np.array(GOLDEN["systematic_pi2"]), abs=1e-12)


def test_sampford_pair_frequencies_match_r_upsampfordpi2():
    pik = np.array(GOLDEN["joint_pik"])
    exact = np.array(GOLDEN["sampford_pi2"])
    rng = np.random.default_rng(7)
    picks = np.array([DRAWS["pps_sampford"][0](pik, rng) for _ in range(DRAWS_MC)]).astype(float)
    freq2 = picks.T @ picks / DRAWS_MC
    tol = 4 * np.sqrt(exact * (1 - exact) / DRAWS_MC) + 1e-12
    assert (np.abs(freq2 - exact) <= tol).all()  # diagonal: first-order pi


def test_systematic_takes_every_kth_unit_from_a_random_start():
    s = systematic(pd.DataFrame({"id": range(12)}), 4, seed=9)
    gaps = np.diff(s["id"].to_numpy())
    assert (gaps == 3).all() and s["pi"].eq(1 / 3).all()
    # implicit stratification: sorted by a column, a half sample takes one unit of every pair
    frame = pd.DataFrame({"id": range(8), "kec": list("ABCDABCD")})
    picked = systematic(frame, 4, sort_by="kec", seed=1)
    assert sorted(picked["kec"]) == list("ABCD")


def test_pps_systematic_pi_and_certainty():
    frame = pd.DataFrame({"id": range(4), "x": [1, 1, 1, 7]})
    s = pps_systematic(frame, 2, "x", seed=3)
    assert 3 in s["id"].tolist() and s.set_index("id").loc[3, "bobot_desain"] == 1
    assert s["bobot_desain"].drop(s.index[s["id"] == 3]).tolist() == [3.0]


def test_selection_errors_name_row_and_value(frame):
    bad = frame.assign(x=frame["x"].where(frame["id"] != 7, 0))
    with pytest.raises(DesignError, match=r"'x' has value 0 in row 8"):
        pps_brewer(bad, 3, "x")
    with pytest.raises(DesignError, match=r"n=11 in stratum 'A' is not possible: allowed 1 to 10"):
        srs(frame, 11, strata="strata")
    with pytest.raises(DesignError, match=r"no n given for: \['C'\]"):
        srs(frame, {"A": 2, "B": 2}, strata="strata")
    with pytest.raises(DesignError, match="strata= is not set"):
        srs(frame, {"A": 2})


# ------------------------------------------------------------------------------------------ two stages


def test_two_stage_plan_self_weighting_and_element_sample():
    desa = pd.DataFrame({"desa": list("ABCDE"), "kk": [20, 40, 60, 80, 100]})
    plan = two_stage(desa, 2, 5, psu="desa", size="kk", seed=4)
    # pi_i = 2 M_i / 300, pi_j|i = 5 / M_i -> pi = 10 / 300
    assert plan["pi"].to_numpy() == pytest.approx(10 / 300)
    assert plan["n_ssu"].tolist() == [5, 5]
    rumah = pd.DataFrame({"desa": np.repeat(desa["desa"], desa["kk"]).to_numpy(), "y": np.arange(300.0)})
    sample = two_stage(desa, 2, 5, psu="desa", size="kk", elements=rumah, seed=4)
    assert len(sample) == 10 and set(sample["desa"]) == set(plan["desa"])
    assert sample.groupby("desa").size().eq(5).all()
    assert sample.index.isin(rumah.index).all()


def test_two_stage_horvitz_thompson_unbiased_monte_carlo():
    # 600 independent replicates of one population, drawn in a single call as 600 strata
    rng = np.random.default_rng(3)
    desa = pd.DataFrame({"desa": [f"D{i}" for i in range(8)], "kk": rng.integers(4, 15, 8)})
    rumah = pd.DataFrame({"desa": np.repeat(desa["desa"], desa["kk"]).to_numpy()})
    rumah["y"] = rng.gamma(2, 10, len(rumah)) + rumah["desa"].str[1:].astype(int) * 5
    draws = 600
    reps = np.repeat(np.arange(draws), len(desa))
    psu = pd.DataFrame({"rep": reps, "desa": [f"{r}/{d}" for r, d in zip(reps, np.tile(desa["desa"], draws))],
                        "kk": np.tile(desa["kk"], draws)})
    el_reps = np.repeat(np.arange(draws), len(rumah))
    elements = pd.DataFrame({"desa": [f"{r}/{d}" for r, d in zip(el_reps, np.tile(rumah["desa"], draws))],
                             "y": np.tile(rumah["y"], draws), "rep": el_reps})
    sample = two_stage(psu, 3, 3, psu="desa", size="kk", elements=elements, strata="rep", seed=1)
    assert sample.groupby("rep").size().eq(9).all()
    ht = (sample["y"] * sample["bobot_desain"]).groupby(sample["rep"]).sum()
    assert abs(ht.mean() - rumah["y"].sum()) < 4 * ht.std(ddof=1) / np.sqrt(draws)


# ------------------------------------------------------------------------------------------ exit interviews


def test_exit_interview_plan_quota_days_and_weights():
    units = pd.DataFrame({
        "unit": ["PKM-A", "SMP-B"], "periode": ["2026-S1", "2026-S1"], "n_hari_layanan": [150, 110],
        "pengguna_per_periode": [15000, 2200], "n_sampel": [97, 40],
    })
    plan = exit_interview_plan(units, per_day=10, seed=8)
    per_unit = plan.groupby("unit")
    assert per_unit["kuota_hari"].sum().to_dict() == {"PKM-A": 97, "SMP-B": 40}
    assert per_unit.size().to_dict() == {"PKM-A": 10, "SMP-B": 4}  # ceil(97 / 10), 40 / 10
    assert plan["kuota_hari"].max() <= 10 and per_unit["kuota_hari"].agg(lambda q: q.max() - q.min()).max() <= 1
    assert per_unit["hari_ke"].nunique().to_dict() == {"PKM-A": 10, "SMP-B": 4}
    a = plan[plan["unit"] == "PKM-A"].iloc[0]
    assert a["pi_hari"] == pytest.approx(10 / 150) and a["bobot_hari"] == pytest.approx(15)
    assert a["hari"] == f"PKM-A/2026-S1/H{a['hari_ke']:03d}"
    assert a["perkiraan_pengunjung_hari"] == 100 and a["interval_pengunjung"] == 100 // a["kuota_hari"]
    assert units.columns.tolist() == ["unit", "periode", "n_hari_layanan", "pengguna_per_periode", "n_sampel"]
    # at least 8 days: PKM-A keeps 10, SMP-B goes from 4 to 8 days of 5 interviews
    wider = exit_interview_plan(units, per_day=10, min_days=8, seed=8).groupby("unit")
    assert wider.size().to_dict() == {"PKM-A": 10, "SMP-B": 8}
    assert wider["kuota_hari"].max().to_dict() == {"PKM-A": 10, "SMP-B": 5}
    few = exit_interview_plan(units.assign(n_sampel=[97, 3]), per_day=10, min_days=8, seed=8)
    assert (few["unit"] == "SMP-B").sum() == 3  # never more days than interviews


def test_exit_interview_days_are_a_simple_random_sample():
    # 600 units with the same D = 10, d = 3, drawn independently in one plan
    units = pd.DataFrame({"unit": [f"U{i}" for i in range(600)], "n_hari_layanan": 10, "n_sampel": 6})
    plan = exit_interview_plan(units, days=3, periode=None, population=None, seed=5)
    freq = np.bincount(plan["hari_ke"] - 1, minlength=10) / 600
    # each day has pi = 3 / 10; SE = sqrt(.3 .7 / 600)
    assert np.abs(freq - 0.3).max() < 4 * np.sqrt(0.21 / 600)
    assert plan.groupby("unit")["hari_ke"].nunique().eq(3).all()


def test_exit_interview_plan_on_a_calendar():
    cal = service_calendar("2026-08-03", "2026-08-29", "Mon Tue Wed Thu Fri Sat", holidays=["2026-08-17"])
    assert len(cal) == 23 and pd.Timestamp("2026-08-17") not in cal and (cal.day_of_week < 6).all()
    units = pd.DataFrame({"unit": ["PKM-A"], "n_sampel": [30]})
    plan = exit_interview_plan(units, days=5, start="2026-08-03", end="2026-08-29",
                               weekmask="Mon Tue Wed Thu Fri Sat", holidays=["2026-08-17"],
                               service_days=None, periode=None, population=None, seed=1)
    assert plan["n_hari_layanan"].eq(23).all()
    assert [pd.Timestamp(t) for t in plan["tanggal"]] == [cal[k - 1] for k in plan["hari_ke"]]
    with pytest.raises(DesignError, match="says 20 service days but the calendar"):
        exit_interview_plan(units.assign(n_hari_layanan=20), days=5, start="2026-08-03", end="2026-08-29",
                            weekmask="Mon Tue Wed Thu Fri Sat", holidays=["2026-08-17"], seed=1)
    with pytest.raises(DesignError, match="exactly one of days="):
        exit_interview_plan(units, days=5, per_day=4, service_days=None, start="2026-08-03", end="2026-08-10")
    with pytest.raises(DesignError, match=r"row 2 repeats unit='PKM-A'"):
        exit_interview_plan(pd.concat([units, units]), days=2, service_days=None, start="2026-08-03", end="2026-08-10")
    with pytest.raises(DesignError, match="more sampled days than service days"):
        exit_interview_plan(units.assign(n_hari_layanan=3), days=5)


@settings(max_examples=200, deadline=None)
@given(x=st.lists(st.floats(0.01, 1000.0), min_size=1, max_size=40), share=st.floats(0.0, 1.0))
def test_inclusion_probabilities_sum_to_n_and_stay_proportional(x, share):
    x = np.array(x)
    n = 1 + int(share * (len(x) - 1))
    pi = inclusion_probabilities(x, n)
    assert pi.sum() == pytest.approx(n, abs=1e-9)
    assert ((pi > 0) & (pi <= 1 + 1e-12)).all()
    free = pi < 1 - 1e-9
    if free.any():  # below certainty, pi is proportional to x, and no certainty unit is smaller than a free one
        ratio = pi[free] / x[free]
        assert ratio.max() == pytest.approx(ratio.min(), rel=1e-9)
        assert (x[~free] >= x[free].max() - 1e-9).all()


def test_the_day_plan_spreads_interviews_over_the_whole_day_from_a_random_start():
    units = pd.DataFrame({"unit": ["PKM-A", "PKM-B"], "n_hari_layanan": [120, 100], "n_sampel": [48, 30],
                          "pengguna_per_periode": [12000, 3000]})
    plan = exit_interview_plan(units, days=6, periode=None, seed=3)
    k = plan["interval_pengunjung"]
    # PKM-A: 100 visitors a day, quota 8 -> every 12th; PKM-B: 30 a day, quota 5 -> every 6th
    assert k.tolist() == [12] * 6 + [6] * 6
    assert plan["mulai_acak"].between(1, k).all() and plan["mulai_acak"].nunique() > 1
    again = exit_interview_plan(units, days=6, periode=None, seed=3)
    assert plan["mulai_acak"].tolist() == again["mulai_acak"].tolist()  # seeded


def test_seeded_simulation_the_day_plan_is_unbiased_when_satisfaction_drifts_through_the_day():
    # issue 21.6: 120 service days of 100 visitors; satisfaction falls from 3.5 at opening to 2.5 at closing.
    # 300 seeded plans (6 days, quota 8 a day, k = 12 from a random start) against taking the first 8 leavers.
    # Monte Carlo SE of the mean error = SD / sqrt(300): 0.006 (plan: error -0.0003; first leavers: +0.46, +15 %).
    rng = np.random.default_rng(21)
    visitors = 100
    day_effect = rng.normal(0, 0.2, size=120)
    drift = 3.5 - np.arange(1, visitors + 1) / visitors
    y = day_effect[:, None] + drift[None, :] + rng.normal(0, 0.5, size=(120, visitors))
    truth = y.mean()
    units = pd.DataFrame({"unit": ["PKM-A"], "n_hari_layanan": [120], "n_sampel": [48],
                          "pengguna_per_periode": [120 * visitors]})
    planned, first = [], []
    for seed in range(300):
        plan = exit_interview_plan(units, days=6, periode=None, seed=seed)
        day = plan["hari_ke"].to_numpy() - 1
        k, r = plan["interval_pengunjung"].to_numpy(), plan["mulai_acak"].to_numpy()
        # the whole day from the random start (weights D/d x M_j/m_j: the mean of the day means), and the quota
        planned.append(np.mean([y[j, s - 1::kk].mean() for j, s, kk in zip(day, r, k)]))
        first.append(y[day, :8].mean())
    planned, first = np.array(planned) - truth, np.array(first) - truth
    mc_se = planned.std(ddof=1) / np.sqrt(len(planned))
    assert abs(planned.mean()) < 3 * mc_se + 0.005
    assert first.mean() > 0.4 and first.mean() > 30 * first.std(ddof=1) / np.sqrt(len(first))
