"""Sample size calculator widget: set control values as a user would, read the numbers it shows."""

import ipywidgets as w
import pandas as pd
import pytest

from riset.present.widgets import ukuran_sampel


def test_single_population_krejcie_morgan_and_response_rate():
    calc = ukuran_sampel()
    assert isinstance(calc.widget, w.VBox)
    calc.controls["N"].value = 500
    assert calc.result.total == 217  # by default as printed in Krejcie & Morgan's table
    calc.controls["pembulatan"].value = "up"
    assert calc.result.total == 218  # 217.47 rounded up
    calc.controls["pembulatan"].value = "nearest"
    calc.controls["respons"].value = 0.5
    assert calc.result.total_kontak == 434
    assert "Total: 217 responden</b> (dihubungi: 434)" in calc.output.value
    assert "Tingkat respons yang diharapkan 50%" in calc.output.value


def test_method_switch_sets_sensible_defaults_and_enables_the_right_controls():
    calc = ukuran_sampel()
    calc.controls["N"].value = 1000
    calc.controls["metode"].value = "cochran_mean"
    assert calc.controls["margin"].value == "2,5" and not calc.controls["sd"].disabled
    assert calc.controls["p"].disabled
    # (1.96 * 10 / 2.5)^2 = 61.46; / (1 + 61.46 / 1000) = 57.9 -> 58
    assert calc.result.total == 58
    calc.controls["skala"].value = "asli"  # SD 0.4 and margin 0.1 on 1-4: the same precision
    assert (calc.controls["sd"].value, calc.controls["margin"].value) == (0.4, "0,1")
    assert calc.result.total == 58
    calc.controls["deff"].value = 2.0  # n0 = 122.9; / (1 + 122.9 / 1000) = 109.5 -> 110
    assert calc.result.total == 110
    calc.controls["metode"].value = "slovin"
    assert calc.controls["margin"].value == "0,05" and calc.controls["kepercayaan"].disabled
    assert calc.controls["sd"].disabled


def test_units_table_gives_n_per_unit_and_total():
    units = pd.DataFrame({"unit": ["PKM-A", "SMP-B", "DUK-C"], "periode": "2026-S1",
                          "pengguna_per_periode": [14000, 300, 40]})
    calc = ukuran_sampel(units)
    assert calc.result.to_frame()["n_sampel"].tolist() == [374, 169, 36]  # K&M table: 300 -> 169, 40 -> 36
    assert calc.result.total == 579
    assert "PKM-A" in calc.output.value and "14.000" in calc.output.value and ">ya<" not in calc.output.value
    calc.controls["respons"].value = 0.9  # DUK-C: 37 / 0.9 = 41.1 -> all 40 users are approached
    assert calc.result.to_frame()["n_kontak"].tolist() == [416, 188, 40]
    assert ">ya<" in calc.output.value
    calc.controls["pakai_tabel"].value = False
    calc.controls["N"].value = 100
    assert calc.result.total == 80


def test_bad_input_shows_a_message_instead_of_a_traceback():
    calc = ukuran_sampel()
    calc.controls["metode"].value = "cochran_mean"
    calc.controls["sd"].value = 60.0  # more than half the 25-100 range
    assert calc.result is None
    assert "Masukan belum dapat dihitung" in calc.output.value and "Simpangan baku 60" in calc.output.value
    assert "sd=" not in calc.output.value
    calc.controls["sd"].value = 10.0
    assert calc.result is not None


def test_a_decimal_comma_an_own_n_and_the_default_rounding_as_a_presenter_meets_them():
    units = pd.DataFrame({"unit": ["A", "B"], "pengguna_per_periode": [1000, 500]})
    calc = ukuran_sampel(units)
    assert calc.controls["pembulatan"].index == 0  # "bawaan" shows, not an empty box
    calc.controls["metode"].value = "slovin"
    calc.controls["margin"].value = "0,07"  # typed with a comma: 0.07, not 7
    assert calc.inputs()["margin"] == pytest.approx(0.07)
    calc.controls["margin"].value = "tujuh"
    assert calc.result is None and "bukan angka" in calc.output.value
    calc.controls["margin"].value = "0,05"
    calc.controls["N"].value = 400  # an N typed by the user is used
    assert calc.controls["pakai_tabel"].value is False and calc.result.total == 200
