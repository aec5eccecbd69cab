"""Charts: each returns a Figure (never shows it) with the expected bars/points, labels and reference lines."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure

from riset.present import charts
from riset.errors import DataError
from riset.skm.schemes import UNSUR_2017

KEYS = [u.key for u in UNSUR_2017]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _scatter_offsets(ax):
    return np.vstack([c.get_offsets() for c in ax.collections if isinstance(c, PathCollection)])


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [
        t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]


def test_ikm_by_unit_points_ci_and_bands():
    table = pd.DataFrame({"nama_unit": ["Puskesmas A", "RSUD", "Dukcapil"], "ikm_konversi": [90.0, 70.0, 80.0],
                          "ci_low": [88.0, 67.5, 78.0], "ci_high": [92.0, 72.5, 82.0]})
    fig = charts.ikm_by_unit(table, overall=80.5)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    points = _scatter_offsets(ax)
    # sorted by IKM, lowest at the bottom (y = 0)
    assert points[:, 0].tolist() == [70.0, 80.0, 90.0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["RSUD", "Dukcapil", "Puskesmas A"]
    ci = next(c for c in ax.collections if isinstance(c, LineCollection))
    assert [tuple(seg[:, 0]) for seg in ci.get_segments()] == [(67.5, 72.5), (78.0, 82.0), (88.0, 92.0)]
    texts = _texts(fig)
    # value labels with a decimal comma, the band names of PermenPAN-RB 14/2017, the kabupaten line
    assert "90,00" in texts and "70,00" in texts
    assert {"A Sangat Baik", "B Baik", "C Kurang Baik"} <= set(texts)
    assert "Seluruh responden 80,50" in texts  # no area name given: the generic label
    # band edges at the regulation's cut-offs
    spans = sorted((round(p.get_x(), 2), round(p.get_x() + p.get_width(), 2)) for p in ax.patches)
    assert (76.61, 88.31) in spans and (65.0, 76.61) in spans


def test_ikm_by_unit_shared_limits_shade_the_bands_over_the_whole_axis():
    # the top half of a list split over two slides: its own IKMs are all B/A, the axis is shared with the
    # bottom half; the C band must still start at the axis' left end, not at this half's lowest CI
    table = pd.DataFrame({"nama_unit": ["P", "Q"], "ikm_konversi": [90.0, 81.0], "ci_low": [88.0, 79.5],
                          "ci_high": [92.0, 82.5]})
    ax = charts.ikm_by_unit(table, limits=(65.0, 95.0)).axes[0]
    assert ax.get_xlim() == (65.0, 95.0)
    spans = sorted((round(p.get_x(), 2), round(p.get_x() + p.get_width(), 2)) for p in ax.patches)
    assert spans[0] == (65.0, 76.61)
    assert spans[-1] == (88.31, 95.0)


def test_ikm_by_unit_english_and_missing_column():
    fig = charts.ikm_by_unit(pd.DataFrame({"nama_unit": ["X"], "ikm_konversi": [77.0]}), lang="en")
    assert "B Good" in _texts(fig)
    assert fig.axes[0].get_xlabel().startswith("IKM (converted")
    with pytest.raises(DataError, match="ikm_konversi"):
        charts.ikm_by_unit(pd.DataFrame({"nama_unit": ["X"], "ikm": [3.0]}))


def test_nrr_unsur_regulation_order_and_names():
    # questionnaire order shuffled on input: the chart must show the regulation's U1..U9 top to bottom
    nrr = pd.DataFrame({"unsur": KEYS[::-1], "nrr": np.linspace(2.5, 3.8, 9)})
    fig = charts.nrr_unsur(nrr)
    ax = fig.axes[0]
    assert len(ax.patches) == 9
    labels = [t.get_text() for t in ax.get_yticklabels()][::-1]
    assert labels[0] == "U1 Persyaratan" and labels[7] == "U8 Penanganan Pengaduan, Saran dan Masukan"
    assert labels[8] == "U9 Sarana dan Prasarana"
    widths = {t.get_text(): p.get_width() + p.get_x() for t, p in zip(ax.get_yticklabels(), ax.patches)}
    assert widths["U9 Sarana dan Prasarana"] == pytest.approx(2.5)  # sarana was first in the input
    # bars coloured by the unconverted grade: 2.5 x 25 = 62.5 -> D, 3.8 x 25 = 95 -> A
    colours = {t.get_text(): matplotlib.colors.to_hex(p.get_facecolor()) for t, p in zip(ax.get_yticklabels(), ax.patches)}
    assert colours["U9 Sarana dan Prasarana"] == charts.MUTU_COLORS["D"]
    assert colours["U1 Persyaratan"] == charts.MUTU_COLORS["A"]


def test_nrr_unsur_refuses_two_groups():
    nrr = pd.DataFrame({"unsur": KEYS + KEYS, "nrr": [3.0] * 18})
    with pytest.raises(DataError, match="more than once"):
        charts.nrr_unsur(nrr)


def test_ipa_diagram_lines_at_mean_of_item_means_and_quadrant_labels():
    ipa = pd.DataFrame({"unsur": ["waktu", "perilaku", "biaya", "produk"],
                        "kinerja": [2.8, 3.6, 3.7, 3.0], "kepentingan": [3.8, 3.7, 3.0, 3.1]})
    fig = charts.ipa_diagram(ipa)
    ax = fig.axes[0]
    assert len(_scatter_offsets(ax)) == 4
    vertical = [l for l in ax.lines if len(set(l.get_xdata())) == 1]
    horizontal = [l for l in ax.lines if len(set(l.get_ydata())) == 1]
    assert vertical[0].get_xdata()[0] == pytest.approx(3.275)   # (2.8 + 3.6 + 3.7 + 3.0) / 4
    assert horizontal[0].get_ydata()[0] == pytest.approx(3.4)   # (3.8 + 3.7 + 3.0 + 3.1) / 4
    texts = _texts(fig)
    for q in ("I Prioritas Utama", "II Pertahankan Prestasi", "III Prioritas Rendah", "IV Berlebihan"):
        assert q in texts
    # waktu: important and under-performing -> quadrant I colour
    colours = [matplotlib.colors.to_hex(c) for c in ax.collections[0].get_facecolors()]
    assert colours[0] == charts.QUADRANT_COLORS["I"] and colours[2] == charts.QUADRANT_COLORS["IV"]
    assert any("U3 Waktu Penyelesaian" in t for t in texts)


def test_ipa_diagram_explicit_lines():
    ipa = pd.DataFrame({"unsur": ["waktu", "biaya"], "kinerja": [3.0, 3.5], "kepentingan": [3.5, 3.0]})
    ax = charts.ipa_diagram(ipa, x_line=3.2, y_line=3.1).axes[0]
    assert {l.get_xdata()[0] for l in ax.lines if len(set(l.get_xdata())) == 1} == {3.2}


def test_demographic_profile_one_panel_per_variable():
    profile = pd.DataFrame({"variabel": ["jenis_kelamin"] * 2 + ["kelompok_umur"] * 3,
                            "kategori": ["Laki-laki", "Perempuan", "17-24", "25-34", "35+"],
                            "n": [40, 60, 20, 30, 50], "persen": [40.0, 60.0, 20.0, 30.0, 50.0]})
    fig = charts.demographic_profile(profile)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [len(ax.patches) for ax in visible] == [2, 3]
    assert [ax.get_title(loc="left") for ax in visible] == ["Jenis kelamin", "Kelompok umur"]
    assert "60,0% (60)" in _texts(fig)


def test_driver_importance_sorted_percent_with_ci():
    drivers = pd.DataFrame({"unsur": ["biaya", "waktu", "perilaku"], "importance": [0.05, 0.45, 0.30],
                            "ci_low": [0.01, 0.35, 0.2], "ci_high": [0.1, 0.55, 0.4]})
    fig = charts.driver_importance(drivers)
    ax = fig.axes[0]
    assert [round(p.get_width(), 6) for p in ax.patches] == [5.0, 30.0, 45.0]
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "U3 Waktu Penyelesaian"
    ci = next(c for c in ax.collections if isinstance(c, LineCollection))
    assert [tuple(np.round(s[:, 0], 6)) for s in ci.get_segments()][-1] == (35.0, 55.0)
    assert "45,0%" in _texts(fig)


def test_weighting_effect_histograms_and_margins():
    rng = np.random.default_rng(1)
    weights = pd.DataFrame({"bobot_desain": rng.uniform(1, 5, 50), "bobot_akhir": rng.uniform(1, 5, 50)})
    margins = pd.DataFrame({"variabel": ["jenis_kelamin"] * 2, "kategori": ["Laki-laki", "Perempuan"],
                            "populasi": [50.0, 50.0], "sampel_tanpa_bobot": [38.0, 62.0],
                            "sampel_bobot_akhir": [50.0, 50.0]})
    fig = charts.weighting_effect(weights, margins)
    hist_ax, margin_ax = fig.axes
    n_eff = weights["bobot_desain"].sum() ** 2 / (weights["bobot_desain"] ** 2).sum()
    legend = [t.get_text() for t in hist_ax.get_legend().get_texts()]
    assert legend[0] == f"Bobot desain (n_eff = {round(n_eff)})"
    assert len(margin_ax.patches) == 2
    assert [t.get_text() for t in margin_ax.get_yticklabels()] == ["Jenis kelamin: Perempuan", "Jenis kelamin: Laki-laki"]


def test_period_comparison_one_series_per_period():
    table = pd.DataFrame({"nama_unit": ["A", "A", "B", "B", "C", "C"], "periode": ["2026-S2", "2026-S1"] * 3,
                          "ikm_konversi": [82.0, 80.0, 85.0, 84.0, 70.0, 75.0],
                          "ci_low": [80.0, 78.0, 83.0, 82.0, 68.0, 73.0], "ci_high": [84.0, 82.0, 87.0, 86.0, 72.0, 77.0]})
    fig = charts.period_comparison(table)
    ax = fig.axes[0]
    series = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert [c.get_label() for c in series] == ["2026-S1", "2026-S2"]
    assert all(len(c.get_offsets()) == 3 for c in series)
    s1 = dict(zip(np.round(series[0].get_offsets()[:, 1]).astype(int), series[0].get_offsets()[:, 0]))
    # groups ordered by mean IKM: C (72.5) at 0, A (81) at 1, B (84.5) at 2; S1 values
    assert [s1[0], s1[1], s1[2]] == [75.0, 80.0, 84.0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["C", "A", "B"]


def test_period_comparison_marks_significant_changes():
    table = pd.DataFrame({"nama_unit": ["A", "A", "B", "B", "C", "C"], "periode": ["2026-S1", "2026-S2"] * 3,
                          "ikm_konversi": [80.0, 86.0, 85.0, 84.0, 75.0, 70.0],
                          "ci_low": [78.0, 84.0, 83.0, 82.0, 73.0, 68.0], "ci_high": [82.0, 88.0, 87.0, 86.0, 77.0, 72.0]})
    change = pd.DataFrame({"nama_unit": ["A", "B", "C"],
                           "perubahan": ["naik", "tidak_berubah", "turun"]})
    ax = charts.period_comparison(table, change=change).axes[0]
    marks = {c.get_label(): c.get_offsets() for c in ax.collections if isinstance(c, PathCollection)}
    assert set(marks) == {"2026-S1", "2026-S2", "naik bermakna (p < 0,05)", "turun bermakna (p < 0,05)"}
    # order by mean IKM: C at 0, A at 1, B at 2; the marker sits just right of the group's highest CI end
    up, down = marks["naik bermakna (p < 0,05)"], marks["turun bermakna (p < 0,05)"]
    assert up[:, 1].tolist() == [1.0] and 88.0 < up[0, 0] < ax.get_xlim()[1]
    assert down[:, 1].tolist() == [0.0] and 77.0 < down[0, 0] < 80.0
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "turun bermakna (p < 0,05)" in legend
    en = charts.period_comparison(table, change=change, lang="en", level=0.9).axes[0]
    assert "significant increase (p < 0.10)" in [t.get_text() for t in en.get_legend().get_texts()]


def test_labels_from_data_are_plain_text_and_the_overall_line_names_the_area():
    table = pd.DataFrame({"nama_unit": ["Pajak $PBB$", "Loket $1 & $2"], "ikm_konversi": [80.0, 70.0],
                          "ci_low": [78.0, 68.0], "ci_high": [82.0, 72.0]})
    fig = charts.ikm_by_unit(table, overall=75.0, overall_label="Kecamatan Sukamaju")
    ax = fig.axes[0]
    fig.canvas.draw()  # mathtext would fail or render italics here
    shown = [t.get_text() for t in ax.get_yticklabels()]
    assert shown == [r"Loket \$1 & \$2", r"Pajak \$PBB\$"]
    assert any(t.get_text().startswith("Kecamatan Sukamaju 75") for t in ax.texts)
    assert not any("Kabupaten" in t.get_text() for t in ax.texts)


def test_nrr_heatmap_colours_each_cell_by_the_band_its_value_gives():
    table = pd.DataFrame({"unit": ["X", "X", "Y", "Y"], "unsur": ["waktu", "biaya", "waktu", "biaya"],
                          "nrr": [3.5324, 3.5323, 2.59, 3.0644]})
    ax = charts.nrr_heatmap(table, "unit", order=["Y", "X"]).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Y", "X"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["U3", "U4"]  # regulation order: waktu U3, biaya U4
    colours = [matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches]
    # Y: waktu 2.59 -> D, biaya 3.0644 -> B; X: waktu 3.5324 -> A, biaya 3.5323 -> B
    assert colours == [charts.MUTU_COLORS[m] for m in ("D", "B", "A", "B")]
    assert [t.get_text() for t in ax.texts] == ["2,59", "3,06", "3,53", "3,53"]


def test_widely_spread_weights_are_drawn_on_a_log_axis():
    """Issue 14.9: a few large weights (up to 40x the smallest) no longer leave the histogram mostly empty."""
    import pandas as pd

    rng = np.random.default_rng(4)
    w = np.r_[rng.uniform(20, 200, 500), [800.0, 950.0]]
    fig = charts.weighting_effect(pd.DataFrame({"bobot_desain": w, "bobot_akhir": w * 1.1}))
    assert fig.axes[0].get_xscale() == "log"
    narrow = charts.weighting_effect(pd.DataFrame({"bobot_desain": [1.0, 2.0, 3.0], "bobot_akhir": [1.5, 2.0, 2.5]}))
    assert narrow.axes[0].get_xscale() == "linear"
