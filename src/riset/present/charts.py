"""Publication-quality figures for an SKM seminar (matplotlib), Indonesian labels by default.

Every function takes a tidy DataFrame as the library modules return it, returns a
`matplotlib.figure.Figure` and never calls ``plt.show()`` (notebooks display the returned figure; the report
saves it). Labels go through `riset.i18n`, so ``lang="en"`` switches a chart to English; numbers on the
chart use the audience's decimal separator (``82,45``).

Charts
------
- `ikm_by_unit`        IKM (converted, 25-100) per group with 95% CI over the mutu bands A/B/C/D of
                       PermenPAN-RB 14/2017 (88.31 / 76.61 / 65.00).
- `nrr_unsur`          NRR per unsur (1-4) as bars named as in the regulation, with CIs if given.
- `ipa_diagram`        Importance-Performance Analysis Cartesian diagram (Martilla & James 1977): lines at
                       the mean of the item means, quadrants I Prioritas Utama .. IV Berlebihan.
- `demographic_profile` respondent profile, one panel per characteristic.
- `driver_importance`  relative importance of the unsur for overall satisfaction, with CIs.
- `weighting_effect` weight distribution before/after calibration and sample vs population margins.
- `ikm_series_units`   small multiples: each unit's IKM per period with CIs, significant steps coloured.
- `external_beside_ikm` the IKM series beside the yearly external (Ombudsman) score, zones by each year's rule.
- `did_series`         IKM of the innovating and the comparison units per period with CIs, the start marked
                       (the pre-period comparison behind a difference in differences).
- `period_comparison`  IKM per group in two (or more) periods, side by side with CIs; markers where the
                       change is significant (`riset.skm.ikm_design.compare_periods`).

Example
-------
>>> import pandas as pd
>>> from riset.present.charts import ikm_by_unit
>>> table = pd.DataFrame({"unit": ["A", "B"], "ikm_konversi": [82.1, 90.3],
...                       "ci_low": [80.0, 88.9], "ci_high": [84.2, 91.7]})
>>> fig = ikm_by_unit(table, group="unit")
>>> len(fig.axes[0].collections[-1].get_offsets())
2
"""

from __future__ import annotations

import math
import textwrap
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

from riset.errors import DataError
from riset.skm.schemes import DEFAULT_SCHEME, Scheme, get_scheme
from riset.skm.ikm_design import verdicts
from riset.i18n import check_language, fmt_num, label
from riset.skm.schemes import kinerja_label, unsur_name

__all__ = ["ACCENT", "demographic_profile", "did_series", "driver_importance", "external_beside_ikm", "ikm_by_unit",
           "ikm_series", "ikm_series_units", "ipa_diagram", "MUTU_COLORS", "MUTU_TEXT", "nrr_heatmap", "nrr_unsur",
           "PERIOD_COLORS", "period_comparison", "QUADRANT_COLORS", "weighting_effect", "ZONE_COLORS"]

#: Fill colours of the mutu bands (A best .. D worst): green, blue-green, amber, red, light for a background.
MUTU_COLORS = {"A": "#1a9850", "B": "#66bd63", "C": "#fdae61", "D": "#d73027"}
#: Darker shades of the mutu colours for text on a light band (readable: contrast >= 4.5 on white).
MUTU_TEXT = {"A": "#0b5a2c", "B": "#2e6b25", "C": "#9a4a00", "D": "#a3141f"}
#: Colour of points, bars and lines (one accent, so the bands carry the grade).
ACCENT = "#253494"
PERIOD_COLORS = ("#2c7fb8", "#d95f0e", "#7570b3", "#1b9e77")
QUADRANT_COLORS = {"I": "#d73027", "II": "#1a9850", "III": "#878787", "IV": "#fdae61"}

_RC = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
}


def _plain(texts) -> list[str]:
    """Labels from data as plain text: '$' escaped so matplotlib never reads '$PBB$' as mathtext."""
    return [str(t).replace("$", r"\$") for t in texts]


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{what} needs a DataFrame, got {type(frame).__name__}")
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise DataError(
            f"{what} needs column(s) {', '.join(repr(c) for c in absent)}; the table has: {', '.join(map(str, frame.columns))}"
        )
    if frame.empty:
        raise DataError(f"{what} got an empty table: nothing to draw")


def _figure(width: float, height: float, ncols: int = 1, nrows: int = 1,
            width_ratios: Sequence[float] | None = None) -> tuple[Figure, np.ndarray]:
    with plt.rc_context(_RC):
        fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), squeeze=False, layout="constrained",
                                 width_ratios=width_ratios)
    for ax in axes.flat:
        ax.set_axisbelow(True)
        for key, value in _RC.items():
            if key.startswith("axes.spines."):
                ax.spines[key.split(".")[-1]].set_visible(value)
    return fig, axes


def _num_formatter(decimals: int, lang: str) -> FuncFormatter:
    return FuncFormatter(lambda x, _pos: fmt_num(x, decimals, lang))


def _mutu_bands(ax, scheme: Scheme, lang: str, lo: float, hi: float, axis: str = "x") -> None:
    """Shade the mutu bands of the scheme between lo and hi on the given axis, each labelled."""
    uppers = [100.0] + [b.lower for b in scheme.bands[:-1]]
    for band, upper in zip(scheme.bands, uppers):
        start, end = max(band.lower, lo), min(upper, hi)
        if end <= start:
            continue
        span = ax.axvspan if axis == "x" else ax.axhspan
        span(start, end, color=MUTU_COLORS.get(band.mutu, "#cccccc"), alpha=0.13, lw=0, zorder=0)
        text = f"{band.mutu} {kinerja_label(band.mutu, lang, scheme)}"
        if axis == "x":
            ax.text((start + end) / 2, 1.005, text, transform=ax.get_xaxis_transform(), ha="center", va="bottom",
                    fontsize=8, color=MUTU_TEXT.get(band.mutu, "#555555"), fontweight="bold", clip_on=False)
        else:
            ax.text(1.005, (start + end) / 2, text, transform=ax.get_yaxis_transform(), ha="left", va="center",
                    fontsize=8, color=MUTU_TEXT.get(band.mutu, "#555555"), fontweight="bold", clip_on=False,
                    rotation=90)


def _score_limits(values: np.ndarray, scheme: Scheme) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    lo = math.floor((finite.min() - 3) / 5) * 5 if finite.size else scheme.bands[-1].lower
    hi = math.ceil((finite.max() + 2) / 5) * 5 if finite.size else 100.0
    return max(lo, 25.0), min(hi, 100.0)


def ikm_by_unit(
    table: pd.DataFrame,
    group: str = "nama_unit",
    lang: str | None = None,
    scheme: str | Scheme = DEFAULT_SCHEME,
    overall: float | None = None,
    title: str | None = None,
    overall_label: str | None = None,
    limits: tuple[float, float] | None = None,
) -> Figure:
    """IKM per group (converted, 25-100) as points with 95% CI whiskers over the shaded mutu bands.

    Bands follow PermenPAN-RB 14/2017 on the converted score: 88.31-100 A Sangat Baik, 76.61-88.30 B Baik,
    65.00-76.60 C Kurang Baik, 25.00-64.99 D Tidak Baik. Groups are sorted by IKM (highest on top).

    Parameters
    ----------
    table : one row per group with columns `group`, ``ikm_konversi`` and optionally ``ci_low``/``ci_high``
        (the 95% CI on the converted scale, e.g. from `riset.skm.ikm_design`).
    overall : optional IKM of the whole area drawn as a dashed reference line, labelled `overall_label` (the
        area's name, e.g. "Kecamatan Sukamaju"; default "Seluruh responden").
    limits : optional (low, high) of the IKM axis, for charts that share one axis (a long list split over
        slides); the bands are shaded over that whole range. Default: from the groups' CIs.

    >>> import pandas as pd
    >>> fig = ikm_by_unit(pd.DataFrame({"nama_unit": ["X"], "ikm_konversi": [80.0]}))
    >>> fig.axes[0].get_yticklabels()[0].get_text()
    'X'
    """
    lang = check_language(lang)
    sch = get_scheme(scheme)
    _require(table, [group, "ikm_konversi"], "ikm_by_unit")
    data = table.sort_values("ikm_konversi", ascending=True, kind="stable").reset_index(drop=True)
    y = np.arange(len(data))
    est = data["ikm_konversi"].to_numpy(dtype=float)
    has_ci = {"ci_low", "ci_high"} <= set(data.columns)
    ends = np.concatenate([est, data["ci_low"].to_numpy(float), data["ci_high"].to_numpy(float)]) if has_ci else est
    lo, hi = limits if limits is not None else _score_limits(ends, sch)

    fig, axes = _figure(9.0, max(2.6, 0.42 * len(data) + 1.6))
    ax = axes[0, 0]
    _mutu_bands(ax, sch, lang, lo, hi)
    if has_ci:
        ax.hlines(y, data["ci_low"], data["ci_high"], color=ACCENT, lw=2.2, alpha=0.85, zorder=2)
    ax.scatter(est, y, s=46, color=ACCENT, edgecolor="white", linewidth=0.8, zorder=3)
    for yi, value, right in zip(y, est, data["ci_high"] if has_ci else est):
        ax.text(min(float(right), hi) + (hi - lo) * 0.008, yi, fmt_num(value, 2, lang), va="center", fontsize=8,
                color="#333333", zorder=4)
    if overall is not None:
        ax.axvline(overall, color="#444444", ls="--", lw=1, zorder=1)
        name = _plain([overall_label or label("seluruh", lang)])[0]
        ax.text(overall, -0.9, f"{name} {fmt_num(overall, 2, lang)}", ha="center", va="top", fontsize=8,
                color="#444444")
    ax.set_yticks(y, _plain(data[group]))
    ax.set_ylim(-1.2 if overall is not None else -0.7, len(data) - 0.3)
    ax.set_xlim(lo, hi)
    ax.xaxis.set_major_formatter(_num_formatter(0, lang))
    ax.set_xlabel(label("ikm_konversi", lang) + (f" — {label('ci95', lang)}" if has_ci else ""))
    ax.grid(axis="y", visible=False)
    ax.set_title(title or label("judul_ikm_unit", lang), pad=18, loc="left")
    return fig


def nrr_unsur(
    nrr: pd.DataFrame,
    lang: str | None = None,
    scheme: str | Scheme = DEFAULT_SCHEME,
    title: str | None = None,
) -> Figure:
    """NRR per unsur (scale 1-4) as horizontal bars, in the regulation's order (U1 .. U9), named in full.

    NRR_j = sum of answers to unsur j / number of answers (PermenPAN-RB 14/2017). The unconverted mutu
    cut-offs (3.5324 A, 3.0644 B, 2.60 C) are drawn as dotted lines so a bar's grade is visible.

    Parameters
    ----------
    nrr : one row per unsur with columns ``unsur`` (key, e.g. 'sarana') and ``nrr``; optional
        ``ci_low``/``ci_high`` (1-4 scale). One group only: filter a long `IkmResult.nrr` first.

    >>> import pandas as pd
    >>> from riset.skm.schemes import UNSUR_2017
    >>> fig = nrr_unsur(pd.DataFrame({"unsur": [u.key for u in UNSUR_2017], "nrr": [3.2] * 9}))
    >>> len(fig.axes[0].patches)
    9
    """
    lang = check_language(lang)
    sch = get_scheme(scheme)
    _require(nrr, ["unsur", "nrr"], "nrr_unsur")
    if nrr["unsur"].duplicated().any():
        dup = nrr.loc[nrr["unsur"].duplicated(), "unsur"].iloc[0]
        raise DataError(f"nrr_unsur draws one group: unsur '{dup}' appears more than once; filter the table to one group")
    order = {k: i for i, k in enumerate(sch.keys)}
    data = nrr.assign(_o=nrr["unsur"].map(order)).sort_values("_o", ascending=False).reset_index(drop=True)
    names = [unsur_name(k, lang, sch) for k in data["unsur"]]
    y = np.arange(len(data))
    values = data["nrr"].to_numpy(float)
    fig, axes = _figure(9.0, 0.45 * len(data) + 1.6)
    ax = axes[0, 0]
    colors = [MUTU_COLORS[g] for g in _grade_unconverted(values, sch)]
    ax.barh(y, values - sch.scale[0], left=sch.scale[0], color=colors, edgecolor="white", height=0.65, zorder=2)
    has_ci = {"ci_low", "ci_high"} <= set(data.columns)
    if has_ci:
        ax.hlines(y, data["ci_low"], data["ci_high"], color="#222222", lw=1.3, zorder=3)
    for yi, v, right in zip(y, values, data["ci_high"] if has_ci else values):
        ax.text(float(right) + 0.03, yi, fmt_num(v, 2, lang), va="center", fontsize=8.5, zorder=4)
    for band in sch.bands[:-1]:
        cut = band.lower / sch.conversion
        ax.axvline(cut, color=MUTU_COLORS[band.mutu], ls=":", lw=1.2, zorder=1)
        ax.text(cut, 1.005, band.mutu, transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=8,
                color=MUTU_TEXT.get(band.mutu, "#555555"), fontweight="bold")
    # what the bar colours mean: the mutu an unsur would give if every unsur scored like it
    shown = [b.mutu for b in sch.bands if b.mutu in set(_grade_unconverted(values, sch))]
    ax.legend([plt.Rectangle((0, 0), 1, 1, color=MUTU_COLORS[m]) for m in shown],
              [f"{m} {kinerja_label(m, lang, sch)}" for m in shown], loc="lower right", fontsize=8, framealpha=0.9,
              title=label("mutu", lang), title_fontsize=8)
    ax.set_yticks(y, _plain(names))
    ax.set_xlim(sch.scale[0], sch.scale[1] + 0.25)
    ax.xaxis.set_major_formatter(_num_formatter(1, lang))
    ax.set_xlabel(label("nrr", lang) + " (1–4)")
    ax.grid(axis="y", visible=False)
    ax.set_title(title or label("judul_nrr", lang), pad=16, loc="left")
    return fig


def _grade_unconverted(values: np.ndarray, sch: Scheme) -> list[str]:
    grades = []
    for v in values * sch.conversion:
        reported = math.floor(v * 100 + 0.5 + 1e-9) / 100 if np.isfinite(v) else -np.inf
        grades.append(next((b.mutu for b in sch.bands if reported >= b.lower - 1e-9), sch.bands[-1].mutu))
    return grades


def nrr_heatmap(
    nrr: pd.DataFrame,
    group: str,
    order: Sequence[str] | None = None,
    lang: str | None = None,
    scheme: str | Scheme = DEFAULT_SCHEME,
    title: str | None = None,
) -> Figure:
    """NRR of every group (rows) x unsur (columns, regulation order) as a grid of cells coloured by the mutu
    band the value would give (PermenPAN-RB 14/2017 cut-offs on the unsur scale: A >= 3.5324, B >= 3.0644,
    C >= 2.60), each with its value: where every unit is weak, and which unit is weak where.

    Parameters
    ----------
    nrr : long table with `group`, ``unsur`` and ``nrr`` (e.g. the unit rows of `StudyResults.nrr`).
    order : the groups top to bottom (e.g. by IKM); default as they come.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"unit": ["A", "A"], "unsur": ["waktu", "biaya"], "nrr": [2.5, 3.6]})
    >>> len(nrr_heatmap(t, "unit").axes[0].texts)
    2
    """
    lang = check_language(lang)
    sch = get_scheme(scheme)
    _require(nrr, [group, "unsur", "nrr"], "nrr_heatmap")
    wide = nrr.pivot_table(index=group, columns="unsur", values="nrr", aggfunc="first")
    keys = [k for k in sch.keys if k in wide.columns]
    rows = [g for g in (order if order is not None else wide.index) if g in wide.index]
    values = wide.loc[rows, keys].to_numpy(float)
    cuts = [(b.lower / sch.conversion, b.mutu) for b in sch.bands]  # highest first
    grades = [[next((m for low, m in cuts if v >= low - 1e-12), cuts[-1][1]) if np.isfinite(v) else None
               for v in line] for line in values]
    fig, axes = _figure(max(7.5, 0.75 * len(keys) + 3.5), max(2.4, 0.38 * len(rows) + 1.4))
    ax = axes[0, 0]
    for i, line in enumerate(values):
        for j, v in enumerate(line):
            colour = MUTU_COLORS.get(grades[i][j], "#eeeeee")
            ax.add_patch(plt.Rectangle((j, i), 1, 1, facecolor=colour, edgecolor="white", lw=1.5))
            ax.text(j + 0.5, i + 0.5, fmt_num(v, 2, lang) if np.isfinite(v) else "–", ha="center", va="center",
                    fontsize=8.5, color="white" if grades[i][j] in ("A", "D") else "#222222")
    ax.set_xlim(0, len(keys))
    ax.set_ylim(len(rows), 0)
    ax.set_xticks(np.arange(len(keys)) + 0.5, [sch.get(k).kode for k in keys])
    ax.set_yticks(np.arange(len(rows)) + 0.5, _plain(rows))
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    ax.grid(False)
    for side in ax.spines.values():
        side.set_visible(False)
    legend = [plt.Rectangle((0, 0), 1, 1, color=MUTU_COLORS[m]) for _, m in cuts if m in MUTU_COLORS]
    ax.legend(legend, [f"{m} ({kinerja_label(m, lang, sch)})" for _, m in cuts if m in MUTU_COLORS],
              loc="upper left", bbox_to_anchor=(0, -0.02), ncol=len(legend), frameon=False, fontsize=8)
    ax.set_title(title or label("judul_nrr_heatmap", lang), loc="left", pad=24)
    return fig


def ikm_series(
    table: pd.DataFrame,
    period: str,
    lang: str | None = None,
    scheme: str | Scheme = DEFAULT_SCHEME,
    target: float | None = None,
    title: str | None = None,
) -> Figure:
    """The area's IKM in each period (time order as given) with its 95% CI over the mutu bands, joined by a
    line, and the target as a dashed line when given: how the service moved between surveys.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"periode": ["2024", "2025", "2026"], "ikm_konversi": [76.0, 78.5, 80.1],
    ...                   "ci_low": [75.0, 77.4, 79.2], "ci_high": [77.0, 79.6, 81.0]})
    >>> len(ikm_series(t, "periode", target=80).axes[0].lines)
    2
    """
    lang = check_language(lang)
    sch = get_scheme(scheme)
    _require(table, [period, "ikm_konversi"], "ikm_series")
    x = np.arange(len(table))
    est = table["ikm_konversi"].to_numpy(float)
    has_ci = {"ci_low", "ci_high"} <= set(table.columns)
    ends = [est] + ([table["ci_low"].to_numpy(float), table["ci_high"].to_numpy(float)] if has_ci else [])
    ends += [np.array([target])] if target is not None else []
    lo, hi = _score_limits(np.concatenate(ends), sch)
    fig, axes = _figure(max(6.0, 1.2 * len(table) + 3), 4.2)
    ax = axes[0, 0]
    _series_panel(ax, table, period, sch, lang, lo, hi)
    if target is not None:
        ax.axhline(target, color="#444444", ls="--", lw=1, zorder=1)
        ax.text(x[-1] + 0.35, target, f"{label('sasaran', lang)} {fmt_num(target, 2, lang)}", va="bottom",
                ha="right", fontsize=8, color="#444444")
    ax.set_title(title or label("judul_series", lang), loc="left", pad=12)
    return fig


def _series_panel(ax, table: pd.DataFrame, period: str, sch: Scheme, lang: str, lo: float, hi: float) -> None:
    """IKM per period over the mutu bands: the 95% CI as a bar (when the table has it), the estimates joined by
    a line and printed beside their points, the periods on the x axis in the table's order."""
    x = np.arange(len(table))
    est = table["ikm_konversi"].to_numpy(float)
    _mutu_bands(ax, sch, lang, lo, hi, axis="y")
    if {"ci_low", "ci_high"} <= set(table.columns):
        ax.vlines(x, table["ci_low"], table["ci_high"], color=ACCENT, lw=2.2, alpha=0.85, zorder=2)
    ax.plot(x, est, color=ACCENT, lw=1.5, marker="o", ms=7, zorder=3)
    for xi, value in zip(x, est):
        ax.text(xi + 0.08, value, fmt_num(value, 2, lang), va="center", fontsize=8.5, color="#222222", zorder=4)
    ax.set_xticks(x, _plain(table[period].astype(str)))
    ax.set_xlim(-0.5, len(table) - 0.5)
    ax.set_ylim(lo, hi)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(_num_formatter(0, lang))
    ax.set_ylabel(label("ikm_konversi", lang))
    ax.grid(axis="x", visible=False)


def ikm_series_units(
    table: pd.DataFrame,
    group: str,
    period: str,
    changes: pd.DataFrame | None = None,
    names: dict | None = None,
    lang: str | None = None,
    scheme: str | Scheme = DEFAULT_SCHEME,
    ncols: int = 4,
    level: float = 0.95,
    title: str | None = None,
) -> Figure:
    """Small multiples: one panel per group (unit) with its IKM in each period (time order as in `table`) and 95%
    CIs over the mutu bands, on one shared scale; a step is drawn green (up) or red (down) when its consecutive
    change is significant after Holm's adjustment (`changes`: `riset.skm.trend.PeriodSeries.changes`).

    >>> import pandas as pd
    >>> t = pd.DataFrame({"unit": ["A"] * 3 + ["B"] * 3, "periode": ["1", "2", "3"] * 2,
    ...                   "ikm_konversi": [78, 79, 85, 80, 81, 82.0], "ci_low": [77, 78, 84, 79, 80, 81.0],
    ...                   "ci_high": [79, 80, 86, 81, 82, 83.0]})
    >>> c = pd.DataFrame({"unit": ["A", "A", "B", "B"], "periode_dari": ["1", "2"] * 2,
    ...                   "periode_ke": ["2", "3"] * 2, "perubahan": ["tidak_berubah", "naik"] + ["tidak_berubah"] * 2})
    >>> fig = ikm_series_units(t, "unit", "periode", changes=c)
    >>> sum(line.get_color() == MUTU_COLORS["A"] for line in fig.axes[0].lines)
    1
    """
    lang = check_language(lang)
    sch = get_scheme(scheme)
    _require(table, [group, period, "ikm_konversi", "ci_low", "ci_high"], "ikm_series_units")
    order = list(dict.fromkeys(table[period].astype(str)))
    units = list(dict.fromkeys(table[group]))
    lo, hi = _score_limits(table[["ci_low", "ci_high"]].to_numpy(float).ravel(), sch)
    ncols = max(1, min(ncols, len(units)))
    nrows = math.ceil(len(units) / ncols)
    fig, axes = _figure(2.6 * ncols + 0.8, 2.3 * nrows + 0.9, ncols=ncols, nrows=nrows)
    steps = {}
    if changes is not None:
        _require(changes, [group, "periode_dari", "periode_ke", "perubahan"], "ikm_series_units(changes=)")
        steps = {(g, str(a), str(b)): v for g, a, b, v in changes[[group, "periode_dari", "periode_ke",
                                                                   "perubahan"]].itertuples(index=False)}
    colours = {"naik": MUTU_COLORS["A"], "turun": MUTU_COLORS["D"]}
    for ax, unit in zip(axes.flat, units):
        part = table[table[group] == unit]
        x = part[period].astype(str).map({p: i for i, p in enumerate(order)}).to_numpy(float)
        y = part["ikm_konversi"].to_numpy(float)
        for band, upper in zip(sch.bands, [100.0] + [b.lower for b in sch.bands[:-1]]):
            if min(upper, hi) > max(band.lower, lo):
                ax.axhspan(max(band.lower, lo), min(upper, hi), color=MUTU_COLORS.get(band.mutu, "#cccccc"),
                           alpha=0.13, lw=0, zorder=0)
        ax.vlines(x, part["ci_low"], part["ci_high"], color=ACCENT, lw=1.8, alpha=0.8, zorder=2)
        ax.scatter(x, y, s=22, color=ACCENT, zorder=3)
        labels = part[period].astype(str).tolist()
        for j in range(1, len(x)):
            verdict = steps.get((unit, labels[j - 1], labels[j]))
            ax.plot(x[j - 1:j + 1], y[j - 1:j + 1], color=colours.get(verdict, "#777777"),
                    lw=2.4 if verdict in colours else 1.0, zorder=2.5)
        name = textwrap.shorten(str((names or {}).get(unit, unit)), 60, placeholder="…")
        ax.set_title(_plain([textwrap.fill(name, 32)])[0], fontsize=8, loc="left", fontweight="bold")
        ax.set_xticks(range(len(order)), _plain(order), fontsize=7)
        ax.set_xlim(-0.4, len(order) - 0.6)
        ax.set_ylim(lo, hi)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        ax.yaxis.set_major_formatter(_num_formatter(0, lang))
        ax.tick_params(labelsize=7)
        ax.grid(axis="x", visible=False)
    for ax in list(axes.flat)[len(units):]:
        ax.axis("off")
    keys = [plt.Line2D([], [], color=colours[v], lw=2.4, label=f"{verdicts([v], lang)[0]} (p Holm < "
                       f"{fmt_num(1 - level, 2, lang)})") for v in ("naik", "turun")]
    fig.legend(handles=keys, loc="outside lower center", ncol=2, frameon=False, fontsize=8)
    fig.suptitle(title or label("judul_series_units", lang), x=0.01, ha="left", fontsize=12, fontweight="bold")
    return fig


#: Colours of the zones of an external score (Ombudsman compliance): fill of the background and of the points.
ZONE_COLORS = {"hijau": "#1a9850", "kuning": "#e6ab02", "merah": "#d73027"}


def external_beside_ikm(
    ikm: pd.DataFrame,
    period: str,
    external: pd.DataFrame,
    zones: pd.DataFrame,
    lang: str | None = None,
    scheme: str | Scheme = DEFAULT_SCHEME,
    title: str | None = None,
) -> Figure:
    """Two panels side by side: the IKM in each period with its 95% CI over the mutu bands (left), and the
    agency's yearly external score (right: Ombudsman compliance, 0-100) over the zones of the rule in force that
    year -- each year's column shaded by its own rule, the point in its zone's colour. The scores are the
    team's entries; the chart does not smooth or join years measured under different rules.

    Parameters
    ----------
    ikm : `period`, ``ikm_konversi``, ``ci_low``, ``ci_high`` in time order (`riset.skm.trend.PeriodSeries.table`).
    external : ``tahun``, ``nilai`` (blank allowed), ``kategori``, ``zona`` (`riset.study.progress.external_scores`).
    zones : ``tahun``, ``kategori``, ``bawah``, ``atas``, ``zona``: the bands of each year's rule.

    >>> import pandas as pd
    >>> ikm = pd.DataFrame({"periode": ["2023", "2024"], "ikm_konversi": [78.0, 81.0], "ci_low": [77.0, 80.0],
    ...                     "ci_high": [79.0, 82.0]})
    >>> ext = pd.DataFrame({"tahun": [2021, 2023], "nilai": [62.2, 84.1], "kategori": ["kuning", "B"],
    ...                     "zona": ["kuning", "hijau"]})
    >>> bands = pd.DataFrame({"tahun": [2021, 2021, 2021, 2023, 2023],
    ...                       "kategori": ["hijau", "kuning", "merah", "B", "C"], "bawah": [81, 51, 0, 78.01, 0],
    ...                       "atas": [100, 81, 51, 100, 78.01], "zona": ["hijau", "kuning", "merah", "hijau", "kuning"]})
    >>> len(external_beside_ikm(ikm, "periode", ext, bands).axes[1].patches)
    5
    """
    lang = check_language(lang)
    sch = get_scheme(scheme)
    _require(ikm, [period, "ikm_konversi", "ci_low", "ci_high"], "external_beside_ikm")
    _require(external, ["tahun", "nilai", "kategori", "zona"], "external_beside_ikm(external=)")
    fig, axes = _figure(11.0, 4.4, ncols=2, width_ratios=(max(len(ikm), 2), max(len(external), 2)))
    left, right = axes[0, 0], axes[0, 1]
    lo, hi = _score_limits(ikm[["ci_low", "ci_high"]].to_numpy(float).ravel(), sch)
    _series_panel(left, ikm, period, sch, lang, lo, hi)
    left.set_title(label("judul_ikm_singkat", lang), loc="left", fontsize=10)

    years = external["tahun"].astype(int).tolist()
    for i, year in enumerate(years):
        for _, band in zones[zones["tahun"] == year].iterrows():
            right.add_patch(plt.Rectangle((i - 0.42, band["bawah"]), 0.84, band["atas"] - band["bawah"], lw=0,
                                          facecolor=ZONE_COLORS.get(band["zona"], "#cccccc"), alpha=0.16, zorder=0))
            if band["kategori"] != band["zona"]:  # a category of the later rule: name it inside its band
                right.text(i + 0.4, band["bawah"] + 1, str(band["kategori"]), ha="right", va="bottom", fontsize=7,
                           color="#555555", zorder=1)
    value = external["nilai"].to_numpy(float)
    colours = [ZONE_COLORS.get(z, "#777777") for z in external["zona"]]
    right.scatter(np.arange(len(years)), np.where(np.isnan(value), np.nan, value), s=70, c=colours,
                  edgecolor="white", linewidth=0.8, zorder=3)
    for i, (v, r) in enumerate(zip(value, external.itertuples())):
        zone = label(f"zona_{r.zona}", lang) if r.zona in ZONE_COLORS else "–"
        shown = zone if r.kategori in (None, r.zona) or pd.isna(r.kategori) else f"{r.kategori} ({zone})"
        if np.isfinite(v):
            y, text, align = v + 3, f"{fmt_num(v, 2, lang)}\n{shown}", "bottom"
        else:  # a category without a value: named in the middle of its band (or of the panel)
            band = zones[(zones["tahun"] == years[i]) & (zones["kategori"] == r.kategori)]
            y, text, align = float(band[["bawah", "atas"]].mean(axis=1).iloc[0]) if len(band) else 50.0, shown, "center"
        right.text(i, y, text, ha="center", va=align, fontsize=8, color=ZONE_COLORS.get(r.zona, "#444444"),
                   fontweight="bold", zorder=4)
    right.set_xticks(range(len(years)), [str(y) for y in years])
    right.set_xlim(-0.5, len(years) - 0.5)
    right.set_ylim(0, 105)
    right.yaxis.set_major_formatter(_num_formatter(0, lang))
    right.set_ylabel(label("nilai_eksternal", lang))
    right.grid(axis="x", visible=False)
    right.set_title(label("judul_eksternal_singkat", lang), loc="left", fontsize=10)
    fig.suptitle(title or label("judul_eksternal", lang), x=0.01, ha="left", fontsize=12, fontweight="bold")
    return fig


def did_series(
    table: pd.DataFrame,
    period: str,
    start,
    periods: Sequence | None = None,
    lang: str | None = None,
    scheme: str | Scheme = DEFAULT_SCHEME,
    title: str | None = None,
) -> Figure:
    """The IKM of the innovating and of the comparison units in each period with 95% CIs, the innovation's
    first period marked: the picture behind a difference in differences. Before the start the two lines
    should run in parallel (the assumption); after it the gap should widen if the innovation worked.

    Parameters
    ----------
    table : one row per group x period: ``kelompok`` ('inovasi' / 'pembanding'), `period`, ``ikm_konversi``,
        ``ci_low``, ``ci_high`` (`riset.study.progress.innovation_effects`, its third table).
    start : the innovation's first period; `periods` the periods in time order (default: as the table lists
        them).

    >>> import pandas as pd
    >>> t = pd.DataFrame({"kelompok": ["inovasi"] * 3 + ["pembanding"] * 3, "periode": ["1", "2", "3"] * 2,
    ...                   "ikm_konversi": [78, 79, 85, 80, 81, 82.0], "ci_low": [77, 78, 84, 79, 80, 81.0],
    ...                   "ci_high": [79, 80, 86, 81, 82, 83.0]})
    >>> len(did_series(t, "periode", "3").axes[0].lines)
    3
    """
    lang = check_language(lang)
    sch = get_scheme(scheme)
    _require(table, ["kelompok", period, "ikm_konversi", "ci_low", "ci_high"], "did_series")
    order = [str(p) for p in (periods if periods is not None else dict.fromkeys(table[period].astype(str)))]
    if str(start) not in order:
        raise DataError(f"did_series: start {start!r} is not one of the periods {', '.join(order)}")
    position = {p: i for i, p in enumerate(order)}
    lo, hi = _score_limits(table[["ci_low", "ci_high"]].to_numpy(float).ravel(), sch)
    fig, axes = _figure(max(6.5, 1.3 * len(order) + 3.5), 4.4)
    ax = axes[0, 0]
    _mutu_bands(ax, sch, lang, lo, hi, axis="y")
    styles = {"inovasi": (ACCENT, "o", -0.06), "pembanding": ("#d95f0e", "s", 0.06)}
    for group, (colour, marker, dodge) in styles.items():
        part = table[table["kelompok"] == group]
        part = part.assign(_x=part[period].astype(str).map(position)).sort_values("_x")
        x = part["_x"].to_numpy(float) + dodge
        ax.vlines(x, part["ci_low"], part["ci_high"], color=colour, lw=2.0, alpha=0.8, zorder=2)
        ax.plot(x, part["ikm_konversi"], color=colour, marker=marker, ms=6.5, lw=1.5, zorder=3,
                label=label(f"kelompok_{group}", lang))
    ax.axvline(position[str(start)] - 0.5, color="#444444", ls="--", lw=1, zorder=1)
    ax.text(position[str(start)] - 0.45, 1.0, label("mulai_inovasi", lang), transform=ax.get_xaxis_transform(),
            ha="left", va="top", fontsize=8.5, color="#444444")
    ax.set_xticks(range(len(order)), _plain(order))
    ax.set_xlim(-0.5, len(order) - 0.5)
    ax.set_ylim(lo, hi)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # whole points: no 77.5 shown as '78'
    ax.yaxis.set_major_formatter(_num_formatter(0, lang))
    ax.set_ylabel(label("ikm_konversi", lang))
    ax.grid(axis="x", visible=False)
    ax.legend(loc="lower left", frameon=True, fontsize=8.5)
    ax.set_title(title or label("judul_did_series", lang), loc="left", pad=12)
    return fig


def ipa_diagram(
    ipa: pd.DataFrame,
    lang: str | None = None,
    scheme: str | Scheme = DEFAULT_SCHEME,
    x_line: float | None = None,
    y_line: float | None = None,
    title: str | None = None,
) -> Figure:
    """Importance-Performance Analysis Cartesian diagram (Martilla & James 1977), as used in SKM studies.

    x = mean performance (kinerja) of each unsur, y = mean importance (kepentingan). The cross-lines sit at the
    mean of the item means (x̄ = Σ X̄_i / k, ȳ = Σ Ȳ_i / k) unless given. Quadrants: I Prioritas Utama
    (top-left: important, under-performing), II Pertahankan Prestasi (top-right), III Prioritas Rendah
    (bottom-left), IV Berlebihan (bottom-right).

    Parameters
    ----------
    ipa : one row per unsur with ``unsur`` (key), ``kinerja`` and ``kepentingan`` (item means, 1-4 scale).

    >>> import pandas as pd
    >>> fig = ipa_diagram(pd.DataFrame({"unsur": ["biaya", "waktu"], "kinerja": [3.5, 2.9],
    ...                                 "kepentingan": [3.0, 3.6]}))
    >>> len(fig.axes[0].collections[0].get_offsets())
    2
    """
    lang = check_language(lang)
    sch = get_scheme(scheme)
    _require(ipa, ["unsur", "kinerja", "kepentingan"], "ipa_diagram")
    x = ipa["kinerja"].to_numpy(float)
    y = ipa["kepentingan"].to_numpy(float)
    x_line = float(np.mean(x)) if x_line is None else float(x_line)
    y_line = float(np.mean(y)) if y_line is None else float(y_line)
    quadrant = np.where(y >= y_line, np.where(x < x_line, "I", "II"), np.where(x < x_line, "III", "IV"))

    fig, axes = _figure(12.0, 7.0, ncols=2, width_ratios=(2.6, 1.0))
    ax, key_ax = axes[0, 0], axes[0, 1]
    pad_x = max(0.15, 0.12 * (x.max() - x.min()))
    pad_y = max(0.15, 0.12 * (y.max() - y.min()))
    xlim = (min(x.min(), x_line) - pad_x, max(x.max(), x_line) + pad_x)
    ylim = (min(y.min(), y_line) - pad_y, max(y.max(), y_line) + pad_y)
    ax.scatter(x, y, s=70, c=[QUADRANT_COLORS[q] for q in quadrant], edgecolor="white", linewidth=0.8, zorder=3)
    for xi, yi, key in zip(x, y, ipa["unsur"]):
        ax.annotate(sch.get(key).kode, (xi, yi), xytext=(6, 4), textcoords="offset points", fontsize=9,
                    fontweight="bold", zorder=4)
    key_text = "\n".join(unsur_name(k, lang, sch) for k in sorted(ipa["unsur"], key=lambda k: sch.keys.index(k)))
    key_ax.axis("off")
    key_ax.text(0.0, 0.5, key_text, transform=key_ax.transAxes, ha="left", va="center", fontsize=8.5,
                linespacing=1.6, bbox={"boxstyle": "round,pad=0.5", "fc": "#f7f7f7", "ec": "#cccccc"})
    ax.axvline(x_line, color="#555555", lw=1, ls="--", zorder=1)
    ax.axhline(y_line, color="#555555", lw=1, ls="--", zorder=1)
    corners = {"I": (0.02, 0.98, "left", "top"), "II": (0.98, 0.98, "right", "top"),
               "III": (0.02, 0.02, "left", "bottom"), "IV": (0.98, 0.02, "right", "bottom")}
    for q, (cx, cy, ha, va) in corners.items():
        ax.text(cx, cy, label(f"kuadran_{q}", lang), transform=ax.transAxes, ha=ha, va=va, fontsize=10,
                fontweight="bold", color=QUADRANT_COLORS[q], alpha=0.9,
                bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": QUADRANT_COLORS[q], "alpha": 0.85})
    # the means on the lines themselves, dark on a white patch so they read against the grid
    mean_box = {"facecolor": "white", "edgecolor": "#555555", "boxstyle": "round,pad=0.25", "lw": 0.6}
    ax.text(x_line, ylim[0], f"x̄ = {fmt_num(x_line, 2, lang)}", fontsize=11, color=_INK_DARK, va="bottom", ha="center",
            fontweight="bold", bbox=mean_box, zorder=4)
    ax.text(xlim[0], y_line, f"ȳ = {fmt_num(y_line, 2, lang)}", fontsize=11, color=_INK_DARK, va="center", ha="left",
            fontweight="bold", bbox=mean_box, zorder=4)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.xaxis.set_major_formatter(_num_formatter(2, lang))
    ax.yaxis.set_major_formatter(_num_formatter(2, lang))
    ax.set_xlabel(label("kinerja_ipa", lang))
    ax.set_ylabel(label("kepentingan", lang))
    ax.set_title(title or label("judul_ipa", lang), loc="left")
    return fig


def demographic_profile(
    profile: pd.DataFrame,
    lang: str | None = None,
    title: str | None = None,
) -> Figure:
    """Respondent profile: one horizontal bar panel per characteristic, bars = percent of respondents.

    Parameters
    ----------
    profile : long table with ``variabel`` (e.g. 'jenis_kelamin'), ``kategori``, ``persen`` (0-100) and
        optionally ``n``; categories are drawn in the order given.

    >>> import pandas as pd
    >>> p = pd.DataFrame({"variabel": ["jenis_kelamin"] * 2, "kategori": ["Laki-laki", "Perempuan"],
    ...                   "persen": [45.0, 55.0]})
    >>> len(demographic_profile(p).axes[0].patches)
    2
    """
    lang = check_language(lang)
    _require(profile, ["variabel", "kategori", "persen"], "demographic_profile")
    variables = list(dict.fromkeys(profile["variabel"]))
    ncols = 2 if len(variables) > 1 else 1
    nrows = math.ceil(len(variables) / ncols)
    heights = [profile["variabel"].eq(v).sum() for v in variables]
    fig, axes = _figure(11.0, max(2.5, nrows * (0.32 * max(heights) + 1.3)), ncols=ncols, nrows=nrows)
    for ax, var in zip(axes.flat, variables):
        part = profile[profile["variabel"] == var].iloc[::-1]
        y = np.arange(len(part))
        ax.barh(y, part["persen"], color=ACCENT, alpha=0.85, height=0.65, zorder=2)
        for yi, (_, row) in zip(y, part.iterrows()):
            text = fmt_num(row["persen"], 1, lang) + "%"
            if "n" in part.columns:
                text += f" ({fmt_num(row['n'], 0, lang)})"
            ax.text(row["persen"] + 0.8, yi, text, va="center", fontsize=8)
        ax.set_yticks(y, _plain(part["kategori"]))
        ax.set_xlim(0, min(100, part["persen"].max() * 1.35 + 5))
        ax.xaxis.set_major_formatter(_num_formatter(0, lang))
        ax.set_xlabel(label("persen", lang) + " (%)")
        ax.grid(axis="y", visible=False)
        ax.set_title(label(var, lang), loc="left", fontsize=11)
    for ax in list(axes.flat)[len(variables):]:
        ax.set_visible(False)
    fig.suptitle(title or label("judul_profil", lang), x=0.01, ha="left", fontweight="bold", fontsize=13)
    return fig


def driver_importance(
    drivers: pd.DataFrame,
    lang: str | None = None,
    scheme: str | Scheme = DEFAULT_SCHEME,
    value: str = "importance",
    title: str | None = None,
) -> Figure:
    """Relative importance of each unsur for overall satisfaction (e.g. LMG/Shapley share of R²), with CI.

    Bars sorted from most to least important; ``ci_low``/``ci_high`` (e.g. design bootstrap percentiles)
    drawn as whiskers when present. Shares are shown in percent (LMG shares sum to 100% of R²;
    Lindeman, Merenda & Gold 1980; Grömping 2006).

    Parameters
    ----------
    drivers : one row per unsur with ``unsur`` (key) and `value` (a share 0-1), optional ``ci_low``/``ci_high``.

    >>> import pandas as pd
    >>> fig = driver_importance(pd.DataFrame({"unsur": ["waktu", "biaya"], "importance": [0.3, 0.1]}))
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['U4 Biaya/Tarif', 'U3 Waktu Penyelesaian']
    """
    lang = check_language(lang)
    sch = get_scheme(scheme)
    _require(drivers, ["unsur", value], "driver_importance")
    data = drivers.sort_values(value, ascending=True, kind="stable").reset_index(drop=True)
    y = np.arange(len(data))
    pct = 100 * data[value].to_numpy(float)
    fig, axes = _figure(9.0, 0.45 * len(data) + 1.6)
    ax = axes[0, 0]
    ax.barh(y, pct, color=ACCENT, alpha=0.85, height=0.65, zorder=2)
    has_ci = {"ci_low", "ci_high"} <= set(data.columns)
    right = pct
    if has_ci:
        ax.hlines(y, 100 * data["ci_low"], 100 * data["ci_high"], color="#222222", lw=1.3, zorder=3)
        right = 100 * data["ci_high"].to_numpy(float)
    for yi, v, r in zip(y, pct, right):
        ax.text(r + 0.4, yi, fmt_num(v, 1, lang) + "%", va="center", fontsize=8.5)
    ax.set_yticks(y, [unsur_name(k, lang, sch) for k in data["unsur"]])
    ax.set_xlim(0, np.nanmax(right) * 1.18 + 1)
    ax.xaxis.set_major_formatter(_num_formatter(0, lang))
    ax.set_xlabel(label("kepentingan_relatif", lang) + " (%)")
    ax.grid(axis="y", visible=False)
    ax.set_title(title or label("judul_drivers", lang), loc="left")
    return fig


_INK_DARK = "#1a1a1a"
#: Weights whose largest is more than this many times the smallest are drawn on a log axis.
LOG_WEIGHT_RATIO = 10


def weighting_effect(
    weights: pd.DataFrame,
    margins: pd.DataFrame | None = None,
    lang: str | None = None,
    before: str = "bobot_desain",
    after: str = "bobot_akhir",
    title: str | None = None,
) -> Figure:
    """Weighting diagnostics: weight distributions before/after calibration and margins vs the population.

    Left: histograms of the design weights and the final (calibrated) weights, with Kish's effective sample
    size n_eff = (Σw)² / Σw² in the legend (Kish 1965). Right (if `margins` given): for each category of each
    calibration margin, the population share and the sample share unweighted, with design weights and with
    final weights; after calibration the last must sit on the population share (Deville & Sarndal 1992).

    Parameters
    ----------
    weights : one row per respondent with columns `before` and `after`.
    margins : long table with ``variabel``, ``kategori``, ``populasi`` and any of ``sampel_tanpa_bobot``,
        ``sampel_bobot_desain``, ``sampel_bobot_akhir`` — all shares in percent.

    >>> import pandas as pd
    >>> w = pd.DataFrame({"bobot_desain": [1.0, 2.0, 3.0], "bobot_akhir": [1.5, 2.0, 2.5]})
    >>> len(weighting_effect(w).axes)
    1
    """
    lang = check_language(lang)
    _require(weights, [before, after], "weighting_effect")
    panels = 2 if margins is not None else 1
    n_rows = 0
    if margins is not None:
        _require(margins, ["variabel", "kategori", "populasi"], "weighting_effect margins")
        n_rows = len(margins)
    fig, axes = _figure(12.0 if panels == 2 else 7.0, max(4.2, 0.3 * n_rows + 1.8), ncols=panels)
    ax = axes[0, 0]
    w0, w1 = weights[before].to_numpy(float), weights[after].to_numpy(float)
    both = np.concatenate([w0, w1])
    # weights spanning more than a factor 10 (a few large ones): log-spaced bins on a log axis, so the bulk of
    # the weights is not squeezed into the first bars of an axis that runs to the largest weight
    spread = both.min() > 0 and both.max() / both.min() > LOG_WEIGHT_RATIO
    bins = np.geomspace(both.min(), both.max(), 31) if spread else np.histogram_bin_edges(both, bins=30)
    for w, key, color in ((w0, before, "#969696"), (w1, after, ACCENT)):
        n_eff = w.sum() ** 2 / (w ** 2).sum()
        ax.hist(w, bins=bins, alpha=0.6, color=color, label=f"{label(key, lang)} (n_eff = {fmt_num(n_eff, 0, lang)})",
                zorder=2)
    if spread:
        ax.set_xscale("log")
        ax.set_xlim(bins[0] / 1.05, bins[-1] * 1.05)
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel(f"{label('bobot', lang)} ({label('skala_log', lang)})")
    else:
        ax.set_xlim(0, bins[-1] * 1.02)  # the axis ends at the largest weight, not at a round number beyond it
        ax.set_xlabel(label("bobot", lang))
    ax.xaxis.set_major_formatter(_num_formatter(0, lang))
    ax.set_ylabel(label("jumlah_responden", lang))
    ax.legend(fontsize=8, frameon=False)
    ax.set_title(label("judul_bobot_sebaran", lang), loc="left", fontsize=11)
    if margins is not None:
        ax = axes[0, 1]
        data = margins.iloc[::-1].reset_index(drop=True)
        y = np.arange(len(data))
        names = [f"{label(v, lang)}: {k}" for v, k in zip(data["variabel"], data["kategori"])]
        ax.barh(y, data["populasi"], color="#d9d9d9", height=0.75, label=label("populasi", lang), zorder=2)
        series = (("sampel_tanpa_bobot", "x", "#969696"), ("sampel_bobot_desain", "s", "#fd8d3c"),
                  ("sampel_bobot_akhir", "o", ACCENT))
        for offset, (col, marker, color) in zip((0.22, 0.0, -0.22), series):  # side by side, never on top
            if col in data.columns:
                ax.scatter(data[col], y + offset, marker=marker, color=color, s=26, label=label(col, lang), zorder=3)
        ax.set_yticks(y, _plain(names), fontsize=8)
        ax.xaxis.set_major_formatter(_num_formatter(0, lang))
        ax.set_xlabel(label("persen", lang) + " (%)")
        ax.grid(axis="y", visible=False)
        ax.legend(fontsize=8, frameon=False, loc="lower right")
        ax.set_title(label("judul_bobot_margin", lang), loc="left", fontsize=11)
    fig.suptitle(title or label("judul_bobot", lang), x=0.01, ha="left", fontweight="bold", fontsize=13)
    return fig


def period_comparison(
    table: pd.DataFrame,
    group: str = "nama_unit",
    period: str = "periode",
    lang: str | None = None,
    scheme: str | Scheme = DEFAULT_SCHEME,
    title: str | None = None,
    change: pd.DataFrame | None = None,
    level: float = 0.95,
    periods: Sequence | None = None,
) -> Figure:
    """IKM per group in each period (e.g. 2026-S1 vs 2026-S2), points with 95% CI, dodged per period.

    Overlapping CIs do not by themselves mean "no difference" (nor do separate CIs mean one: the two periods
    can be correlated). Pass the test of the change, `riset.skm.ikm_design.compare_periods(...).table`, as
    `change`: groups whose change is significant get a marker right of their CIs (green ▲ naik bermakna,
    red ▼ turun bermakna) and the legend says so.

    Parameters
    ----------
    table : one row per group x period with `group`, `period`, ``ikm_konversi`` and optional ``ci_low``/``ci_high``.
    change : one row per group with `group` and ``perubahan`` (a verdict of `riset.skm.ikm_design.VERDICTS`).
    level : the confidence level of that test (the legend shows p < 1 - level).
    periods : the periods in time order (default: text order).

    >>> import pandas as pd
    >>> t = pd.DataFrame({"nama_unit": ["A", "A", "B", "B"], "periode": ["S1", "S2"] * 2,
    ...                   "ikm_konversi": [80, 82, 85, 84]})
    >>> len(period_comparison(t).axes[0].collections)
    2
    """
    lang = check_language(lang)
    sch = get_scheme(scheme)
    _require(table, [group, period, "ikm_konversi"], "period_comparison")
    periods = [str(p) for p in periods] if periods is not None else sorted(table[period].astype(str).unique())
    order = (table.groupby(group, sort=False)["ikm_konversi"].mean().sort_values(ascending=True, kind="stable").index)
    pos = {g: i for i, g in enumerate(order)}
    has_ci = {"ci_low", "ci_high"} <= set(table.columns)
    ends = table[["ikm_konversi"] + (["ci_low", "ci_high"] if has_ci else [])].to_numpy(float).ravel()
    lo, hi = _score_limits(ends, sch)
    fig, axes = _figure(9.0, max(2.8, 0.5 * len(order) + 1.8))
    ax = axes[0, 0]
    _mutu_bands(ax, sch, lang, lo, hi)
    width = 0.6 / max(len(periods), 1)
    for i, p in enumerate(periods):
        part = table[table[period].astype(str) == p]
        y = part[group].map(pos).to_numpy(float) + ((len(periods) - 1) / 2 - i) * width
        color = PERIOD_COLORS[i % len(PERIOD_COLORS)]
        if has_ci:
            ax.hlines(y, part["ci_low"], part["ci_high"], color=color, lw=2, alpha=0.85, zorder=2)
        ax.scatter(part["ikm_konversi"], y, s=36, color=color, edgecolor="white", linewidth=0.7, label=_plain([p])[0],
                   zorder=3)
    if change is not None:
        _require(change, [group, "perubahan"], "period_comparison(change=)")
        right = table.groupby(group)["ci_high" if has_ci else "ikm_konversi"].max()
        step = 0.02 * (hi - lo)  # _score_limits leaves >= 2 points right of the highest CI
        for verdict, marker, color in (("naik", "^", MUTU_COLORS["A"]), ("turun", "v", MUTU_COLORS["D"])):
            groups = [g for g in change.loc[change["perubahan"] == verdict, group] if g in pos]
            if groups:
                text = verdicts([verdict], lang)[0]
                x = np.minimum(right.loc[groups].to_numpy(float) + step, hi - step / 2)
                ax.scatter(x, [pos[g] for g in groups], marker=marker, s=60, color=color,
                           label=f"{text} (p < {fmt_num(1 - level, 2, lang)})", zorder=4)
    ax.set_yticks(np.arange(len(order)), _plain(order))
    ax.set_xlim(lo, hi)
    ax.set_ylim(-0.7, len(order) - 0.3)
    ax.xaxis.set_major_formatter(_num_formatter(0, lang))
    ax.set_xlabel(label("ikm_konversi", lang))
    ax.grid(axis="y", visible=False)
    ax.legend(title=label("periode", lang), fontsize=8, title_fontsize=8, loc="lower right", framealpha=0.9)
    ax.set_title(title or label("judul_periode", lang), pad=18, loc="left")
    return fig
