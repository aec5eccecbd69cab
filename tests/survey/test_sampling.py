"""Sample size (Krejcie & Morgan, Slovin, Cochran) and allocation: hand-computed values and invariants."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riset.errors import DataError, DesignError
from riset.survey.sampling import (
    KREJCIE_MORGAN_1970, METHODS, allocate, krejcie_morgan_table, method_name, read_frame, sample_size, score_sd,
)

# Krejcie & Morgan (1970) Table 1 as printed (typed from the article, independently of the module's copy).
KM_PRINTED = """
10 10 15 14 20 19 25 24 30 28 35 32 40 36 45 40 50 44 55 48 60 52 65 56 70 59 75 63 80 66 85 70 90 73
95 76 100 80 110 86 120 92 130 97 140 103 150 108 160 113 170 118 180 123 190 127 200 132 210 136
220 140 230 144 240 148 250 152 260 155 270 159 280 162 290 165 300 169 320 175 340 181 360 186
380 191 400 196 420 201 440 205 460 210 480 214 500 217 550 226 600 234 650 242 700 248 750 254
800 260 850 265 900 269 950 274 1000 278 1100 285 1200 291 1300 297 1400 302 1500 306 1600 310
1700 313 1800 317 1900 320 2000 322 2200 327 2400 331 2600 335 2800 338 3000 341 3500 346 4000 351
4500 354 5000 357 6000 361 7000 364 8000 367 9000 368 10000 370 15000 375 20000 377 30000 379
40000 380 50000 381 75000 382 1000000 384
"""
_pairs = np.array(KM_PRINTED.split(), dtype=int).reshape(-1, 2)
KM_N, KM_S = _pairs[:, 0], _pairs[:, 1]


def km_formula(N):
    return 3.841 * N * 0.25 / (0.05**2 * (N - 1) + 3.841 * 0.25)


def test_printed_table_has_90_rows_and_module_copy_matches():
    assert len(KM_N) == 90
    assert KREJCIE_MORGAN_1970 == dict(zip(KM_N.tolist(), KM_S.tolist()))


def test_krejcie_morgan_formula_rounded_to_nearest_reproduces_whole_published_table():
    got = sample_size(KM_N, rounding="nearest").to_frame()["n_sampel"].to_numpy()
    np.testing.assert_array_equal(got, KM_S)
    # and that is the default, so reviewers comparing with the regulation's table see the same numbers
    np.testing.assert_array_equal(sample_size(KM_N).to_frame()["n_sampel"].to_numpy(), KM_S)


def test_krejcie_morgan_rounded_up_is_one_more_exactly_where_the_formula_has_a_fraction_below_half():
    got = sample_size(KM_N, rounding="up").to_frame()["n_sampel"].to_numpy()
    exact = km_formula(KM_N.astype(float))
    differs = got != KM_S
    # the published table rounds to nearest: rounding up adds one wherever the fraction is in (0, 0.5)
    frac = exact - np.floor(exact)
    np.testing.assert_array_equal(differs, (frac > 1e-9) & (frac < 0.5))
    assert differs.sum() == 45
    assert (got[differs] - KM_S[differs] == 1).all()
    # the regulation's examples that survive rounding up
    lookup = dict(zip(KM_N.tolist(), got.tolist()))
    assert [lookup[N] for N in (10, 100, 200, 1000, 5000, 10000, 1000000)] == [10, 80, 132, 278, 357, 370, 384]


def test_krejcie_morgan_published_table_lookup_takes_next_larger_row_and_never_more_than_N():
    assert krejcie_morgan_table([50, 51, 9000, 9001, 12, 2_000_000]).tolist() == [44, 48, 368, 370, 12, 384]
    res = sample_size([50, 2000, 50_000], "krejcie_morgan_table")
    assert res.to_frame()["n_sampel"].tolist() == [44, 322, 381]
    with pytest.raises(DataError, match="krejcie_morgan'"):
        sample_size(100, "krejcie_morgan_table", deff=1.5)


def test_slovin_hand_computed():
    # 1000 / (1 + 1000 * 0.0025) = 285.71 -> 286; 100 / (1 + 100 * 0.01) = 50 exactly (no extra unit)
    got = sample_size([1000, 100], "slovin", margin=0.05).to_frame()["n_sampel"].tolist()
    assert got[0] == 286
    assert sample_size(100, "slovin", margin=0.1).to_frame()["n_sampel"].item() == 50


def test_cochran_proportion_hand_computed():
    z2 = 1.959963984540054**2
    n0 = z2 * 0.25 / 0.05**2  # 384.146
    res = sample_size([float("inf"), 1000], "cochran_proportion").to_frame()
    assert res["n0"].iloc[0] == pytest.approx(n0)
    assert res["n_sampel"].tolist() == [385, math.ceil(n0 / (1 + (n0 - 1) / 1000))] == [385, 278]
    # P = 0.2 at 90 %: 1.6449^2 * 0.16 / 0.0025 = 173.2 -> 174 (no fpc for an infinite population)
    assert sample_size(float("inf"), "cochran_proportion", p=0.2, confidence=0.90).to_frame()["n_sampel"].item() == 174


def test_cochran_mean_same_answer_on_both_ikm_scales():
    # (1.96 * 10 / 2)^2 = 96.04; 96.04 / (1 + 96.04 / 1000) = 87.62 -> 88
    on_25_100 = sample_size(1000, "cochran_mean", margin=2, sd=10, scale="konversi")
    on_1_4 = sample_size(1000, "cochran_mean", margin=0.08, sd=0.4, scale="asli")
    assert on_25_100.to_frame()["n_sampel"].item() == on_1_4.to_frame()["n_sampel"].item() == 88
    said = " ".join(on_25_100.assumptions("id"))
    assert "skala konversi 25-100" in said and "0,08" in said
    with pytest.raises(DataError, match=r"sd=10.0 .*scale='asli' \(1-4\)"):
        sample_size(1000, "cochran_mean", margin=0.1, sd=10, scale="asli")
    with pytest.raises(DataError, match="needs margin"):
        sample_size(1000, "cochran_mean")


def test_design_effect_applies_before_fpc_and_response_rate_inflates_contacts():
    # n0 = 3.841 * 0.25 / 0.0025 * 2 = 768.2; 768.2 / (1 + 767.2 / 1000) = 434.7 -> 435
    res = sample_size(1000, deff=2).to_frame()
    assert res["n0"].item() == pytest.approx(768.2)
    assert res["n_sampel"].item() == 435
    # 278 / 0.8 = 347.5 -> 348 contacts
    assert sample_size(1000, response_rate=0.8).to_frame()["n_kontak"].item() == 348


def test_small_units_are_censused_and_flagged():
    res = sample_size([50, 5000], response_rate=0.5)
    table = res.to_frame()
    assert table["n_sampel"].tolist() == [44, 357]  # 44.34 -> 44, as in Krejcie & Morgan's table
    assert table["n_kontak"].tolist() == [50, 714]  # 88 capped at N = 50
    assert table["sensus"].tolist() == [True, False]
    assert res.total == 401 and res.total_kontak == 764
    assert "1 unit disensus" in " ".join(res.assumptions("id"))


def test_units_table_in_table_out_without_mutation():
    units = pd.DataFrame({"unit": ["A", "B"], "pengguna_per_periode": [200, 10_000]}, index=[7, 9])
    before = units.copy()
    res = sample_size(units)
    pd.testing.assert_frame_equal(units, before)
    out = res.to_frame()
    assert out["unit"].tolist() == ["A", "B"] and out["n_sampel"].tolist() == [132, 370]
    assert out.index.tolist() == [7, 9]
    other_n = sample_size(units.assign(N=["x", "y"])).to_frame()
    assert other_n["N"].tolist() == ["x", "y"]  # an unrelated column called N is left alone
    assert "Total: 502" in repr(res)
    with pytest.raises(DataError, match=r"'pengguna_per_periode' has value 0 in row 2"):
        sample_size(pd.DataFrame({"pengguna_per_periode": [10, 0]}))
    with pytest.raises(DataError, match="method='kish'"):
        sample_size(10, "kish")


def test_assumptions_are_notes_phrased_in_either_language_with_the_same_numbers():
    res = sample_size([40, 5000], "cochran_mean", margin=2.5, sd=12.5, deff=1.5, response_rate=0.8)
    assert [note.code for note in res.notes] == [
        "sample_size_cochran_mean", "sample_size_cochran_mean_meaning", "sample_size_deff", "sample_size_fpc",
        "sample_size_response_rate", "sample_size_census", "sample_size_rounding_up"]
    assert res.notes[0].values["margin_other"] == pytest.approx(0.1)  # 2.5 points of 25-100 = 0.1 on 1-4
    said_id, said_en = res.assumptions("id"), res.assumptions("en")
    assert said_id[0].startswith("Metode: Cochran (1977) untuk rata-rata skor IKM") and "SD = 12,5" in said_id[0]
    assert said_en[0].startswith("Method: Cochran (1977) for the mean IKM score") and "SD = 12.5" in said_en[0]
    assert "d = 0,1 pada skala asli 1-4" in said_id[0] and "d = 0.1 on the original scale 1-4" in said_en[0]
    assert "Tingkat respons yang diharapkan 80%: jumlah yang dihubungi = n / 0,8" in said_id[4]
    assert "Expected response rate 80%: people to approach = n / 0.8" in said_en[4]
    summary = res.summary("en")
    assert summary.startswith("Sample size: Cochran (1977), mean (IKM score)")
    assert f"Total: {res.total} respondents (to approach: {res.total_kontak})" in summary
    assert res.summary().startswith("Ukuran sampel: Cochran (1977), rata-rata (skor IKM)")  # Indonesian by default


@pytest.mark.parametrize("method", METHODS)
def test_every_method_has_a_name_and_explains_itself_in_both_languages(method):
    kwargs = {"margin": 2, "sd": 10} if method == "cochran_mean" else {}
    res = sample_size([100, 1000], method, rounding="up" if method == "krejcie_morgan" else None, **kwargs)
    for lang in ("id", "en"):
        assert method_name(method, lang) != f"sampling_method_{method}"
        assert res.summary(lang).count("\n- ") == len(res.notes) >= 2


# ------------------------------------------------------------------------------------------ allocation


def strata(**cols):
    return pd.DataFrame({"strata": list("ABCDEFGH"[: len(next(iter(cols.values())))]), **cols})


def test_proportional_equal_neyman_optimal_hand_computed():
    assert allocate(strata(N=[500, 300, 200]), 100)["n_h"].tolist() == [50, 30, 20]
    assert allocate(strata(N=[500, 300, 200]), 99, "equal")["n_h"].tolist() == [33, 33, 33]
    # Neyman: N S = 300, 200 -> 30, 20
    assert allocate(strata(N=[100, 200], S=[3, 1]), 50, "neyman", sd="S")["n_h"].tolist() == [30, 20]
    # optimal: N S / sqrt(c) = 100, 50 -> 20, 10
    got = allocate(strata(N=[100, 100], S=[1, 1], c=[1, 4]), 30, "optimal", sd="S", cost="c")
    assert got["n_h"].tolist() == [20, 10]


def test_minimum_and_cap_are_redistributed_and_total_kept():
    # C's 20 is below the minimum 25; the other 75 go 500:300 -> 46.875, 28.125 -> 47, 28
    got = allocate(strata(N=[500, 300, 200]), 100, minimum=25)
    assert got["n_h"].tolist() == [47, 28, 25]
    assert got["n_kontinu"].tolist() == pytest.approx([46.875, 28.125, 25])
    # equal 20 each, A capped at its 5 units; 27.5 and 27.5 -> the tie goes to the first listed
    got = allocate(strata(N=[5, 100, 100]), 60, "equal")
    assert got["n_h"].tolist() == [5, 28, 27]
    assert got["keterangan"].tolist() == ["sensus", "", ""]
    # a minimum larger than the stratum takes the stratum whole
    assert allocate(strata(N=[3, 100]), 40, minimum=10)["n_h"].tolist() == [3, 37]


def test_allocation_errors_name_the_numbers():
    with pytest.raises(DesignError, match="need 60 together"):
        allocate(strata(N=[100, 100, 100]), 50, minimum=20)
    with pytest.raises(DesignError, match="can hold \\(30 units"):
        allocate(strata(N=[10, 20]), 31)
    with pytest.raises(DesignError, match="needs sd="):
        allocate(strata(N=[10, 20]), 5, "neyman")
    with pytest.raises(DesignError, match="'A' appears 2 times"):
        allocate(pd.DataFrame({"strata": ["A", "A"], "N": [1, 2]}), 2)


@settings(max_examples=150, deadline=None)
@given(
    data=st.lists(
        st.tuples(st.integers(1, 400), st.one_of(st.just(0.0), st.floats(0.01, 5.0)), st.floats(0.5, 9.0), st.integers(0, 40)),
        min_size=1, max_size=8,
    ),
    method=st.sampled_from(["equal", "proportional", "neyman", "optimal"]),
    where=st.floats(0.0, 1.0),
)
def test_allocation_keeps_total_and_bounds(data, method, where):
    N, S, c, m = (np.array(v) for v in zip(*data))
    table = pd.DataFrame({"strata": range(len(N)), "N": N, "S": S, "c": c, "m": m})
    lo = np.minimum(m, N)
    n = int(lo.sum() + round(where * (N.sum() - lo.sum())))
    if method in ("neyman", "optimal") and (S == 0).all() and n > lo.sum():
        return
    got = allocate(table, n, method, sd="S", cost="c", minimum="m")
    n_h = got["n_h"].to_numpy()
    assert n_h.sum() == n
    assert (n_h >= lo).all() and (n_h <= N).all()
    assert (np.abs(n_h - got["n_kontinu"].to_numpy()) < 1).all()
    # strata strictly inside their bounds share lambda: n_h / a_h is the same for all of them
    a = {"equal": np.ones(len(N)), "proportional": N, "neyman": N * S, "optimal": N * S / np.sqrt(c)}[method]
    x = got["n_kontinu"].to_numpy()
    inside = (x > lo + 1e-6) & (x < N - 1e-6) & (a > 0)
    if inside.sum() > 1:
        ratio = x[inside] / a[inside]
        assert ratio.max() == pytest.approx(ratio.min(), rel=1e-9)


def test_cochran_mean_with_an_sd_per_unit_from_a_previous_round():
    previous = pd.DataFrame({
        "unit": ["A"] * 3 + ["B"] * 4,
        "U1": [4, 3, 2, 3, 3, 3, None], "U2": [4, 3, None, 2, 4, 3, None],
    })
    sd = score_sd(previous, ["U1", "U2"], by="unit")
    # A: scores 100, 75, 50 -> SD 25; B: 62.5, 87.5, 75 -> SD 12.5 (the blank respondent is counted apart)
    assert sd["sd_skor"].tolist() == pytest.approx([25.0, 12.5])
    assert sd["n_responden"].tolist() == [3, 3] and sd["n_tanpa_jawaban"].tolist() == [0, 1]
    assert score_sd(previous, ["U1", "U2"], scale="asli")["sd_skor"].item() == pytest.approx(
        np.std([4, 3, 2, 2.5, 3.5, 3], ddof=1))
    units = pd.DataFrame({"unit": ["A", "B"], "pengguna_per_periode": [1000, 1000]}).merge(sd, on="unit")
    got = sample_size(units, "cochran_mean", margin=5, sd="sd_skor")
    # (1.96 * 25 / 5)^2 = 96.04 -> 87.62 -> 88; (1.96 * 12.5 / 5)^2 = 24.01 -> 23.45 -> 24
    assert got.to_frame()["n_sampel"].tolist() == [88, 24]
    assert "kolom 'sd_skor'" in " ".join(got.assumptions("id"))
    with pytest.raises(DataError, match=r"column 'sd_skor' has value 40 in row 2"):
        sample_size(units.assign(sd_skor=[10.0, 40.0]), "cochran_mean", margin=5, sd="sd_skor")
    with pytest.raises(DataError, match=r"column 'U1' has value 7 in row 1; allowed 1-4"):
        score_sd(previous.assign(U1=[4, 7, 2, 3, 3, 3, None]), ["U1", "U2"])


def test_read_frame_checks_keys_and_population(tmp_path):
    frame = read_frame(Path(__file__).resolve().parents[2] / "data" / "raw" / "contoh_kerangka_sampel.csv")
    assert len(frame) == 30 and frame.groupby("periode").size().tolist() == [15, 15]
    path = tmp_path / "kerangka.csv"
    pd.DataFrame({"unit": ["A", "A"], "periode": ["2026-S1", "2026-S1"], "pengguna_per_periode": [10, 20]}).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"row 3 repeats unit='A', periode='2026-S1'"):
        read_frame(path)
    pd.DataFrame({"unit": ["A", "B"], "periode": ["2026-S1"] * 2, "pengguna_per_periode": [10, 2.5]}).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"'pengguna_per_periode' has value 2.5 in row 3"):
        read_frame(path)
