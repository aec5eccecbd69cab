"""riset.skm.instrument: hand-computed alpha / item-total r / r tabel, and R psych golden values.

Golden values: tests/r/golden_instrument.R -> tests/data/golden/instrument_psych.json (psych 2.2.9).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riset.errors import DataError
from riset.skm.instrument import check_instrument, cronbach_alpha, feldt_ci, kmo, r_tabel

GOLDEN = json.loads((Path(__file__).resolve().parents[1] / "data" / "golden" / "instrument_psych.json").read_text())
SMALL = pd.DataFrame({"U1": [1, 2, 3, 4, 4], "U2": [1, 3, 3, 4, 3], "U3": [2, 2, 3, 4, 4]})


def _items(key: str) -> pd.DataFrame:
    return pd.DataFrame(GOLDEN[key]).astype("float64")


def test_alpha_and_item_total_r_by_hand():
    res = check_instrument(SMALL)
    # item variances 1.7, 1.2, 1.0; variance of the total score (4, 7, 9, 12, 11) is 41.2 / 4 = 10.3
    assert res.alpha == pytest.approx(1.5 * (1 - (1.7 + 1.2 + 1.0) / 10.3), abs=1e-12)
    # U3 against the rest score U1 + U2 = (2, 5, 6, 8, 7): cross-products 8.0, squares 4 and 21.2
    assert res.items.loc["U3", "r"] == pytest.approx(8.0 / np.sqrt(4 * 21.2), abs=1e-12)
    # alpha without U3 from the 2 x 2 covariance of U1, U2 (cross-products 4.8, cov = 4.8 / 4 = 1.2)
    assert res.items.loc["U3", "alpha_if_deleted"] == pytest.approx(2 * (1 - 2.9 / (2.9 + 2 * 1.2)), abs=1e-12)
    assert cronbach_alpha(np.array([[1.0, 0.5], [0.5, 1.0]])) == pytest.approx(2 / 3)


def test_r_tabel_textbook_values():
    assert round(r_tabel(30), 3) == 0.361
    table = GOLDEN["r_tabel"]
    for n, r05, r01 in zip(table["n"], table["alpha05"], table["alpha01"]):
        assert r_tabel(int(n)) == pytest.approx(r05, rel=1e-10)
        assert r_tabel(int(n), alpha=0.01) == pytest.approx(r01, rel=1e-10)
    assert r_tabel(30, tails=1) == pytest.approx(0.306, abs=5e-4)  # one-tailed table, df = 28


@pytest.mark.parametrize("key,data_key,missing", [("complete", "items", "listwise"),
                                                   ("listwise", "items_with_na", "listwise"),
                                                   ("pairwise", "items_with_na", "pairwise")])
def test_matches_r_psych(key, data_key, missing):
    gold = GOLDEN[key]
    res = check_instrument(_items(data_key), missing=missing)
    assert res.alpha == pytest.approx(gold["alpha"], rel=1e-10)
    np.testing.assert_allclose(res.items["alpha_if_deleted"], gold["alpha_if_deleted"], rtol=1e-10)
    np.testing.assert_allclose(res.items["r"], gold["r_drop"], rtol=1e-10)
    assert res.kmo.overall == pytest.approx(gold["kmo"], rel=1e-10)
    np.testing.assert_allclose(res.kmo.msa, gold["msa"], rtol=1e-10)
    np.testing.assert_allclose(res.items["loading"], gold["loadings"], rtol=1e-8)
    np.testing.assert_allclose(res.eigenvalues, gold["eigen"], rtol=1e-10)
    assert res.variance_explained == pytest.approx(gold["variance_explained"], rel=1e-10)
    if missing == "listwise":
        np.testing.assert_allclose(res.alpha_ci, gold["feldt"], rtol=1e-10)
        chi2, df, p = res.bartlett
        assert (chi2, df) == (pytest.approx(gold["bartlett"][0], rel=1e-10), gold["bartlett"][2])
        assert p == pytest.approx(gold["bartlett"][1], rel=1e-6, abs=1e-300)


def test_verdicts_on_the_30_respondent_table():
    res = check_instrument(_items("items"))
    assert res.n == 30 and round(res.r_critical, 3) == 0.361
    # U4 (r = 0.253) and the unrelated U6 (r = 0.076) fall below r tabel 0.361
    assert res.valid_items == ["U1", "U2", "U3", "U5"]
    assert list(res.to_frame()["valid"]) == [True, True, True, False, True, False]
    assert list(res.table("id")["Validitas"]) == ["valid", "valid", "valid", "tidak valid", "valid", "tidak valid"]
    assert res.reliable and not check_instrument(_items("items"), threshold=0.80).reliable
    assert not res.one_factor  # two eigenvalues above 1 and U6 loads 0.15
    assert res.kmo.reading("id") == "baik" and res.kmo.reading("en") == "meritorious"
    assert "Alfa Cronbach = 0,781" in res.summary("id") and "Cronbach's alpha = 0.781" in res.summary("en")


def test_kmo_on_thurstone_textbook_example():
    th = GOLDEN["thurstone"]
    r = pd.DataFrame(th["r"], index=th["names"], columns=th["names"])
    result = kmo(r)
    assert round(result.overall, 2) == 0.88  # psych::KMO(Thurstone) documentation
    assert result.overall == pytest.approx(th["kmo"], rel=1e-10)
    np.testing.assert_allclose(result.msa, th["msa"], rtol=1e-10)


def test_feldt_interval_contains_alpha_and_narrows_with_n():
    lo30, hi30 = feldt_ci(0.8, 30, 6)
    lo300, hi300 = feldt_ci(0.8, 300, 6)
    assert lo30 < lo300 < 0.8 < hi300 < hi30


def test_listwise_drop_is_reported():
    res = check_instrument(_items("items_with_na"))
    assert (res.n, res.n_dropped) == (27, 3)
    assert res.notes[0].code == "instrument_listwise"
    assert res.notes[0].text("id") == "3 responden tidak dipakai (listwise) karena ada item kosong: U2 2, U6 1."
    assert "3 tidak dipakai" in res.summary("id")


def test_unsur_labels_in_table():
    res = check_instrument(SMALL.rename(columns={"U3": "Q8"}), {"U1": "persyaratan", "U2": "prosedur", "Q8": "sarana"})
    assert res.table("id").loc["Q8", "Keterangan"] == "Sarana dan Prasarana"
    assert res.table("en").loc["Q8", "Label"] == "Facilities and infrastructure"


def test_bad_input_is_named():
    with pytest.raises(DataError, match="item column\\(s\\) 'U9' not found"):
        check_instrument(SMALL, ["U1", "U9"])
    with pytest.raises(DataError, match="item 'U2' has the same answer"):
        check_instrument(SMALL.assign(U2=3))
    with pytest.raises(DataError, match="item column 'U1' has value 'bagus' in row 2"):
        check_instrument(SMALL.astype(object).assign(U1=[1, 2, "bagus", 4, 4]), ["U1", "U2", "U3"])
    with pytest.raises(DataError, match="missing='both'"):
        check_instrument(SMALL, missing="both")
