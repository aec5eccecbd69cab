"""The seminar dashboard, driven as a user would: set the controls, read the outputs."""

import importlib
from pathlib import Path

import pytest

from riset.errors import RisetError
from riset.i18n import fmt_ci, fmt_num
from riset.present.widgets import dasbor
from riset.present.widgets.dasbor import ALL

U = [f"U{i}" for i in range(1, 10)]


@pytest.fixture(scope="module")
def res(example_results):
    return example_results


@pytest.fixture(scope="module")
def shared_board(res, tmp_path_factory):
    return dasbor(res, out_dir=tmp_path_factory.mktemp("dasbor"))


@pytest.fixture
def board(shared_board):
    """The dashboard with every control back to "(semua)" (the first test sees it as built)."""
    if shared_board.view is None or shared_board.view.selection or shared_board.view.weighting != "final":
        shared_board.select(clear=True)
    return shared_board


def test_starts_on_the_whole_kabupaten(board, res):
    kab = res.area_row()
    assert board.view.ikm["ikm_konversi"] == pytest.approx(kab["ikm_konversi"], rel=1e-12)
    assert board.view.ikm["se"] == pytest.approx(kab["se"], rel=1e-9)
    assert f"IKM {fmt_num(kab['ikm_konversi'], 2)}" in board.card.value
    assert fmt_ci(kab["ci_low"], kab["ci_high"], 2) in board.card.value
    assert "Kabupaten Tanjung Harapan" in board.card.value
    assert list(board.controls)[:3] == ["unit", "opd", "periode"] and "jenis_kelamin" in board.controls
    assert board.nrr_image.value[:4] == b"\x89PNG" and board.ipa_image.value[:4] == b"\x89PNG"


def test_choosing_a_unit_shows_its_ikm_and_only_its_recommendations(board, res):
    board.controls["unit"].value = "RSUD-RJ"   # as a user would: one control, its own callback
    row = res.level("unit").set_index("unit").loc["RSUD-RJ"]
    assert board.view.ikm["ikm_konversi"] == pytest.approx(row["ikm_konversi"], rel=1e-12)
    assert board.view.ikm["n_responden"] == row["n_responden"] == 240
    assert row["nama_unit"] in board.card.value and f"<b>{row['mutu']}</b>" in board.card.value
    items = board.recommendations.value.split("<li>")[1:]
    assert items and all(row["nama_unit"] in item for item in items)
    assert set(board.view.recommendations["unit"]) == {"RSUD-RJ"}
    first = res.recommendations_in("id").actions.query("unit == 'RSUD-RJ'").iloc[0]
    assert first["kegiatan"] in items[0] and fmt_num(first["dampak"], 2) in items[0]


def test_choosing_an_opd_narrows_the_unit_list(board, res):
    board.select(clear=True, unit="DUK-KTP")
    board.controls["opd"].value = "Dinas Kesehatan"
    names = [label for label, value in board.controls["unit"].options if value != ALL]
    assert names and all(n.startswith("Puskesmas") for n in names)
    assert board.controls["unit"].value == ALL           # the Disdukcapil unit is no longer offered
    assert board.controls["unit"].index == 0             # "(semua)" shows as chosen, not as an empty box
    opd = res.level("opd").set_index("opd").loc["Dinas Kesehatan"]
    assert board.view.ikm["ikm_konversi"] == pytest.approx(opd["ikm_konversi"], rel=1e-12)


def test_weighting_off_gives_the_plain_average(board, res):
    board.select(clear=True, unit="PKM-SMAS", weighting="none")
    data = res.survey.data
    by_hand = 25 * data.loc[data["unit"] == "PKM-SMAS", U].mean().mean()
    assert board.view.weighting == "none"
    assert board.view.ikm["ikm_konversi"] == pytest.approx(by_hand, rel=1e-12)


def test_demographic_filter_counts_the_right_people(board, res):
    board.select(clear=True, jenis_kelamin="Perempuan", periode="2026-S2")
    data = res.survey.data
    expected = ((data["jenis_kelamin"] == "Perempuan") & (data["periode"] == "2026-S2")).sum()
    assert board.view.ikm["n_responden"] == expected
    assert board.view.selection == {"periode": "2026-S2", "jenis_kelamin": "Perempuan"}


def test_an_empty_selection_is_explained_not_raised(board, res):
    data = res.survey.data
    seen = set(zip(data["unit"], data["kelompok_umur"], data["pekerjaan"]))
    unit, age, job = next((u, a, j) for u in sorted(data["unit"].unique()) for a in sorted(data["kelompok_umur"].unique())
                          for j in sorted(data["pekerjaan"].dropna().unique()) if (u, a, j) not in seen)
    assert board.select(clear=True, unit=unit, kelompok_umur=age, pekerjaan=job) is None
    assert board.view is None
    assert "Tidak ada responden untuk pilihan ini" in board.status.value and board.card.value == ""
    assert board.nrr_image.layout.display == "none"  # no broken image
    board.controls["pekerjaan"].value = ALL                 # back to a valid selection
    assert board.view is not None and board.status.value == ""


def test_export_button_writes_the_package_of_the_study(board, res, monkeypatch):
    calls = []

    def fake_write_report(results, out_dir, lang=None):
        calls.append((results, Path(out_dir), lang))
        return {"html": Path(out_dir) / "laporan_skm.html"}

    monkeypatch.setattr(importlib.import_module("riset.present.widgets.dasbor"), "write_report", fake_write_report)
    board.export_button.click()
    assert calls == [(res, board.out_dir, "id")]
    assert board.exported == {"html": board.out_dir / "laporan_skm.html"}
    assert "laporan_skm.html" in board.status.value


def test_select_refuses_an_unknown_control(board):
    with pytest.raises(RisetError, match="no control 'kabupaten'"):
        board.select(kabupaten="X")


def test_english_dashboard(res, tmp_path):
    board = dasbor(res, lang="en", out_dir=tmp_path)
    board.select(unit="RSUD-RJ")
    kab = res.level("unit").set_index("unit").loc["RSUD-RJ"]
    assert f"IKM {kab['ikm_konversi']:.2f}" in board.card.value
    assert board.controls["weighting"].options[0][0] == "Unweighted"
    assert "Recommendation" in board.recommendations.value
    first = res.recommendations_in("en").actions.query("unit == 'RSUD-RJ'").iloc[0]
    assert first["kegiatan"] in board.recommendations.value
    assert board.controls["unit"].options[0][0] == "(all)"


def test_choosing_all_again_leaves_no_control_blank(board):
    board.select(clear=True, unit="RSUD-RJ", jenis_kelamin="Perempuan")
    board.controls["unit"].value = ALL
    board.select(clear=True)
    assert all(c.index is not None for c in board.controls.values())  # ipywidgets shows None as an empty box
    assert board.view.selection == {}


def test_a_small_selection_is_flagged(board, res):
    data = res.survey.data
    counts = data.groupby(["unit", "pekerjaan"]).size()
    unit, job = counts[(counts > 2) & (counts < 30)].index[0]
    board.select(clear=True, unit=unit, pekerjaan=job)
    assert "sangat tidak pasti" in board.card.value
    board.select(clear=True, unit=unit)
    assert "sangat tidak pasti" not in board.card.value


def test_dropdowns_are_wide_enough_for_their_longest_option(board):
    """Issue 14.10: a unit or category name is not cut in a closed dropdown (8 px per character at most, after
    the description), and two columns of controls still fit a 1366 px screen."""
    from riset.present.widgets.dasbor import CHAR_PX, DESCRIPTION_PX, MAX_DROPDOWN_PX

    dropdowns = [c for c in board.controls.values() if c.__class__.__name__ == "Dropdown"]
    assert dropdowns
    for control in dropdowns:
        width = float(control.layout.width.removesuffix("px"))
        longest = max(len(str(text)) for text, _ in control.options)
        assert width >= DESCRIPTION_PX + CHAR_PX * longest or width == MAX_DROPDOWN_PX, (control.description, width)
    assert max(float(c.layout.width.removesuffix("px")) for c in dropdowns) * 2 <= 1366


def test_weighting_buttons_take_the_width_of_their_label(board):
    assert board.controls["weighting"].style.button_width == "auto"


def test_a_study_without_online_answers_shows_no_online_tables(board, res):
    assert res.online is None and board.online.value == "" and board.online not in board.widget.children


def test_a_study_with_online_answers_shows_their_tables_for_people(tmp_path):
    """Issue 17.5: the example with its QR answers: below the recommendations, the online IKM beside the
    probability sample's (headers from the catalogs, the area row named as what it covers, numbers with a decimal
    comma) and the online weights, with the note on what they are."""
    from dataclasses import replace

    from riset.study.config import load_study
    from riset.study.example import write_example_study
    from riset.present.report.tables import online_tables
    from riset.study.run import run_study

    study = write_example_study(tmp_path, online=True)["studi"]
    online = run_study(replace(load_study(study), replicates=20, out_of_sample=False))
    board = dasbor(online, out_dir=tmp_path / "hasil")
    assert board.widget.children[-1] is board.online
    html = board.online.value
    for words in ("IKM dari jawaban daring (bukan sampel probabilitas)", "IKM daring di samping IKM sampel probabilitas",
                  "<th>IKM daring (bukan sampel probabilitas)</th>", "<th>Galat baku selisih</th>", "<th>p</th>",
                  "Bobot daring", "<th>Efek desain Kish</th>", "Semua unit dan periode dengan jawaban daring",
                  "bukan sampel probabilitas"):
        assert words in html, words
    # Issue 17.5: units by their names, as in the report's online table (was '<td>RSUD-RJ</td>')
    name = online.unit_name("RSUD-RJ")
    assert name != "RSUD-RJ" and f"<td>{name}</td>" in html and f"<td>{name} / " in html and "RSUD-RJ" not in html
    english = next(iter(online_tables(online, "en").values()))
    assert name in set(english["Group"]) and not english["Group"].str.contains("RSUD-RJ").any()
    area = online.online.comparison.iloc[0]
    assert f"<td>{fmt_num(area['ikm_daring'], 3)}</td>" in html and "," in fmt_num(area["ikm_daring"], 3)
    assert not [c for c in ("ikm_daring", "se_selisih", "n_probabilitas", "deff_kish") if f">{c}<" in html]
