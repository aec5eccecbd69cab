"""IKM rules of PermenPAN-RB 14/2017 (and KepMenPAN 25/2004), checked against hand-computed values."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riset.errors import CodebookError, DataError
from riset.skm.ikm import ikm
from riset.skm.schemes import UNSUR_2004, UNSUR_2017, get_scheme, grade, resolve_unsur

KEYS = [u.key for u in UNSUR_2017]
# The regulation's sample questionnaire: question 8 is sarana, question 9 is pengaduan.
QUESTIONNAIRE = {f"Q{i}": k for i, k in enumerate(KEYS[:7] + ["sarana", "pengaduan"], start=1)}


def _answers(rows, columns=KEYS):
    return pd.DataFrame(rows, columns=columns)


def _identity():
    return {k: k for k in KEYS}


def _data_with_unsur_nrr(counts_per_unsur):
    """Frame whose unsur j has the given (fours, threes) counts; other cells blank."""
    n = max(a + b for a, b in counts_per_unsur)
    data = {}
    for key, (fours, threes) in zip(KEYS, counts_per_unsur):
        col = np.full(n, np.nan)
        col[:fours] = 4
        col[fours : fours + threes] = 3
        data[key] = col
    return pd.DataFrame(data)


def test_perfect_score_is_exactly_100():
    result = ikm(_answers([[4] * 9] * 5), _identity())
    row = result.table.iloc[0]
    assert row["ikm"] == pytest.approx(4.0, abs=1e-12)
    assert row["ikm_konversi"] == pytest.approx(100.0, abs=1e-12)
    assert (row["mutu"], row["kinerja"]) == ("A", "Sangat Baik")


def test_legacy_weight_reproduces_the_biased_excel_99():
    result = ikm(_answers([[4] * 9]), _identity(), legacy_weight=0.11)
    assert result.table["ikm_konversi"].iloc[0] == pytest.approx(99.00, abs=1e-9)
    assert ikm(_answers([[4] * 9]), _identity(), legacy_weight=0.111).table["ikm_konversi"].iloc[0] == pytest.approx(
        99.9, abs=1e-9
    )


def test_legacy_weight_only_accepts_known_legacy_values():
    with pytest.raises(DataError, match="legacy_weight=0.2"):
        ikm(_answers([[4] * 9]), _identity(), legacy_weight=0.2)


def test_hand_computed_three_respondents():
    rows = [
        [4, 3, 2, 4, 3, 4, 4, 1, 3],
        [3, 3, 2, 4, 3, 3, 4, 2, 3],
        [2, 3, 2, 4, 4, 4, 4, 3, 2],
    ]
    result = ikm(_answers(rows), _identity())
    # NRR: 3, 3, 2, 4, 10/3, 11/3, 4, 2, 8/3 ; sum = 27.6667 ; IKM = sum / 9 = 3.074074
    expected_nrr = [3, 3, 2, 4, 10 / 3, 11 / 3, 4, 2, 8 / 3]
    assert result.nrr["nrr"].tolist() == pytest.approx(expected_nrr)
    assert result.table["ikm"].iloc[0] == pytest.approx(sum(expected_nrr) / 9)
    assert result.table["ikm_konversi"].iloc[0] == pytest.approx(76.851852, abs=1e-6)
    assert result.table["mutu"].iloc[0] == "B"


def test_blank_answers_are_excluded_not_counted_as_zero():
    rows = [[4] * 9, [2] * 9]
    rows[1][3] = np.nan  # biaya blank for the second respondent
    result = ikm(_answers(rows), _identity())
    biaya = result.nrr.set_index("unsur").loc["biaya"]
    assert biaya["nrr"] == 4.0  # 4 / 1 answer, not (4 + 0) / 2
    assert (biaya["n_jawaban"], biaya["n_kosong"]) == (1, 1)
    assert any("1 jawaban kosong" in note.text("id") for note in result.notes)


def test_unsur_are_mapped_by_name_not_position():
    # Questionnaire order: Q8 = sarana, Q9 = pengaduan. Give sarana 4 and pengaduan 1.
    rows = [[3] * 7 + [4, 1]]
    result = ikm(_answers(rows, list(QUESTIONNAIRE)), QUESTIONNAIRE)
    nrr = result.nrr.set_index("unsur")["nrr"]
    assert nrr["sarana"] == 4 and nrr["pengaduan"] == 1
    # regulation order in the output: pengaduan (U8) before sarana (U9)
    assert result.nrr["kode"].tolist()[-2:] == ["U8", "U9"]
    assert result.nrr["unsur"].tolist()[-2:] == ["pengaduan", "sarana"]


def test_full_regulation_names_and_aliases_resolve():
    assert resolve_unsur("Penanganan Pengaduan, Saran dan Masukan").key == "pengaduan"
    assert resolve_unsur("SARANA DAN PRASARANA").key == "sarana"
    assert resolve_unsur("Sistem, Mekanisme, dan Prosedur").key == "prosedur"
    assert resolve_unsur("Biaya/Tarif").key == "biaya"


def test_question_codes_are_refused_as_unsur_names():
    with pytest.raises(CodebookError, match="question number"):
        resolve_unsur("U8")


def test_missing_and_duplicated_unsur_mapping_are_errors():
    partial = {k: k for k in KEYS[:8]}
    with pytest.raises(CodebookError, match="U9 Sarana dan Prasarana"):
        ikm(_answers([[4] * 8], KEYS[:8]), partial)
    doubled = {**_identity(), "extra": "sarana"}
    data = _answers([[4] * 9]).assign(extra=4)
    with pytest.raises(CodebookError, match="'sarana' and 'extra'"):
        ikm(data, doubled)


@pytest.mark.parametrize(
    ("score", "mutu", "kinerja"),
    [
        (100.0, "A", "Sangat Baik"),
        (88.31, "A", "Sangat Baik"),
        (88.30, "B", "Baik"),
        (76.61, "B", "Baik"),
        (76.60, "C", "Kurang Baik"),
        (65.00, "C", "Kurang Baik"),
        (64.99, "D", "Tidak Baik"),
        (25.00, "D", "Tidak Baik"),
        (83.31, "B", "Baik"),  # the template typo "83,31" must not make an A
    ],
)
def test_mutu_cut_offs_are_inclusive(score, mutu, kinerja):
    graded = grade([score])
    assert (graded["mutu"].iloc[0], graded["kinerja"].iloc[0]) == (mutu, kinerja)


def test_grade_uses_the_reported_two_decimal_score():
    # 88.3050 is reported as 88,31 -> A ; 88.3049 is reported as 88,30 -> B
    assert grade([88.3050, 88.3049])["mutu"].tolist() == ["A", "B"]


def test_boundary_88_31_and_88_30_from_answers():
    # eight unsur at NRR 3.5, the ninth at 3.7916 -> sum 31.7916 -> x 25/9 = 88.31 exactly
    at_a = _data_with_unsur_nrr([(5000, 5000)] * 8 + [(7916, 2084)])
    result = ikm(at_a, _identity())
    assert result.table["ikm_konversi"].iloc[0] == pytest.approx(88.31, abs=1e-9)
    assert result.table["mutu"].iloc[0] == "A"
    # ninth at 3.788 -> sum 31.788 -> 88.30 exactly -> B
    at_b = _data_with_unsur_nrr([(500, 500)] * 8 + [(788, 212)])
    result = ikm(at_b, _identity())
    assert result.table["ikm_konversi"].iloc[0] == pytest.approx(88.30, abs=1e-9)
    assert result.table["mutu"].iloc[0] == "B"


def test_by_group_with_two_grouping_columns():
    data = _answers([[4] * 9, [3] * 9, [2] * 9, [1] * 9]).assign(
        unit=["PKM-A", "PKM-A", "RSUD", "RSUD"], periode=["S1", "S2", "S1", "S1"]
    )
    table = ikm(data, _identity(), by=["unit", "periode"]).table
    assert table[["unit", "periode"]].values.tolist() == [["PKM-A", "S1"], ["PKM-A", "S2"], ["RSUD", "S1"]]
    assert table["ikm_konversi"].tolist() == pytest.approx([100.0, 75.0, 37.5])
    assert table["mutu"].tolist() == ["A", "C", "D"]
    assert table["n_responden"].tolist() == [1, 1, 2]


def test_survey_weights_give_weighted_nrr():
    data = _answers([[4] * 9, [2] * 9]).assign(w=[3.0, 1.0])
    result = ikm(data, _identity(), weights="w")
    assert result.table["ikm"].iloc[0] == pytest.approx((3 * 4 + 1 * 2) / 4)


def test_bad_weights_name_column_and_row():
    data = _answers([[4] * 9, [2] * 9]).assign(w=[1.0, 0.0])
    with pytest.raises(DataError, match=r"weight column 'w' has value 0 in row 1"):
        ikm(data, _identity(), weights="w")


def test_unsur_without_answers_in_a_group():
    data = _answers([[4] * 9, [2] * 9]).assign(unit=["A", "B"])
    data.loc[1, "biaya"] = np.nan
    with pytest.raises(DataError, match="unit=B has no answers for unsur 'Biaya/Tarif'"):
        ikm(data, _identity(), by="unit")
    blank = ikm(data, _identity(), by="unit", empty_unsur="nan")
    assert np.isnan(blank.table["ikm"].iloc[1]) and pd.isna(blank.table["mutu"].iloc[1])
    assert blank.table["unsur_kosong"].tolist() == ["", "biaya"]
    reweighted = ikm(data, _identity(), by="unit", empty_unsur="reweight")
    assert reweighted.table["ikm"].tolist() == pytest.approx([4.0, 2.0])
    assert any("unit=B" in note.text("id") and "U4" in note.text("id") for note in reweighted.notes)


def test_respondent_with_no_answers_is_reported():
    data = _answers([[4] * 9, [np.nan] * 9])
    result = ikm(data, _identity())
    assert result.table["n_tanpa_jawaban"].iloc[0] == 1
    assert result.table["ikm_konversi"].iloc[0] == pytest.approx(100.0)
    assert any("1 responden tidak menjawab" in note.text("id") for note in result.notes)


@pytest.mark.parametrize(("bad", "shown"), [(5, "5"), (0, "0"), (2.5, "2.5"), ("baik", "'baik'")])
def test_out_of_scale_answers_name_column_row_and_value(bad, shown):
    data = _answers([[4] * 9, [3] * 9]).astype(object)
    data.loc[1, "waktu"] = bad
    with pytest.raises(DataError, match=rf"column 'waktu' has value {shown} in row 1; allowed 1-4"):
        ikm(data, _identity())


def test_missing_group_values_are_an_error_not_dropped():
    data = _answers([[4] * 9, [3] * 9]).assign(unit=["A", None])
    with pytest.raises(DataError, match="blank in 1 row"):
        ikm(data, _identity(), by="unit")


def test_kepmenpan_2004_scheme_uses_fourteen_unsur_and_its_bands():
    scheme = get_scheme("kepmenpan25_2004")
    assert scheme.weight == 1 / 14
    keys = [u.key for u in UNSUR_2004]
    rows = [[3] * 13 + [4]]
    result = ikm(pd.DataFrame(rows, columns=keys), {k: k for k in keys}, scheme="kepmenpan25_2004")
    assert result.table["ikm"].iloc[0] == pytest.approx((13 * 3 + 4) / 14)
    assert result.table["ikm_konversi"].iloc[0] == pytest.approx(76.785714, abs=1e-6)
    assert result.table["mutu"].iloc[0] == "B"
    assert grade([81.26, 81.25, 62.51, 62.50, 43.76, 43.75], "kepmenpan25_2004")["mutu"].tolist() == [
        "A", "B", "B", "C", "C", "D",
    ]


def test_unknown_scheme_is_a_clear_error():
    with pytest.raises(CodebookError, match="unknown IKM scheme 'permenpan16_2014'"):
        get_scheme("permenpan16_2014")


def test_nrr_wide_is_in_regulation_order():
    data = _answers([[4] * 9]).assign(unit=["A"])
    wide = ikm(data, _identity(), by="unit").nrr_wide()
    assert list(wide.columns) == KEYS


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=9, max_size=9), min_size=1, max_size=30))
def test_ikm_stays_within_25_and_100(rows):
    data = pd.DataFrame(rows, columns=KEYS, dtype="float64")
    result = ikm(data, _identity(), empty_unsur="nan")
    score = result.table["ikm_konversi"].iloc[0]
    if data.notna().any().all():
        assert 25.0 - 1e-9 <= score <= 100.0 + 1e-9
        assert result.table["mutu"].iloc[0] in {"A", "B", "C", "D"}
    else:
        assert np.isnan(score)


@pytest.mark.parametrize("column", ["nama", "kode", "bobot", "unsur", "ikm", "mutu", "kinerja", "nrr", "n_responden"])
def test_grouping_column_named_like_an_output_column_is_one_clear_error(column):
    data = pd.DataFrame({u.key: [3, 4] for u in UNSUR_2017} | {column: ["A", "B"]})
    with pytest.raises(DataError, match=f"grouping column '{column}' has the name of a column"):
        ikm(data, {u.key: u.key for u in UNSUR_2017}, by=column)


def test_the_same_grouping_column_twice_is_one_clear_error():
    data = pd.DataFrame({u.key: [3, 4] for u in UNSUR_2017} | {"unit": ["A", "B"]})
    with pytest.raises(DataError, match="'unit' is given twice"):
        ikm(data, {u.key: u.key for u in UNSUR_2017}, by=["unit", "unit"])
