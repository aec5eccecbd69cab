"""The publication sheet (lembar publikasi) of each service unit: the one-page result that PermenPAN-RB 14/2017
asks every unit to publish (IKM, mutu, number of respondents, period, NRR per unsur, the main follow-up), as
PNG and PDF, ready to print or post at the counter.

A4 portrait, drawn with matplotlib from the `StudyResults` (nothing recomputed): the IKM with its 95%
confidence interval and mutu (PermenPAN-RB 14/2017 bands, or the study's scheme), n, the fieldwork period,
the NRR of every unsur as bars on the 1-4 scale, and the unit's first actions from the recommendations. A
study without a unit column gets one sheet for the whole area. Labels from the data are plain text.

>>> paths = write_sheets(run_study("data/raw/studi.yaml"), Path("hasil/lembar_publikasi"))   # doctest: +SKIP
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from riset.i18n import check_language, fmt_ci, fmt_num, label, say
from riset.present.charts import ACCENT, MUTU_COLORS
from riset.present.report.content import report_date
from riset.skm.recommend import action_for, load_catalogue
from riset.skm.schemes import kinerja_label, unsur_name
from riset.study.run import AREA

__all__ = ["publication_sheet", "sheet_file_stem", "write_sheets"]

A4 = (8.27, 11.69)
#: Actions shown on a sheet (the unit's first ones by dampak).
SHEET_ACTIONS = 3


def publication_sheet(results, unit: str | None = None, lang: str | None = None) -> Figure:
    """The publication sheet of one unit (its code), or of the whole area when `unit` is None."""
    lang = check_language(lang)
    sch, config = results.scheme, results.config
    if unit is None:
        row, nrr, name = results.area_row(), results.nrr_of(AREA), config.area.name
    else:
        units = results.units()
        row = units.loc[units[results.unit].astype(str) == str(unit)].iloc[0]
        nrr, name = results.nrr_of(results.unit, str(unit)), results.unit_name(unit)
    fig = plt.figure(figsize=A4)
    fig.patch.set_facecolor("white")
    text = _writer(fig)
    fig.patches.append(FancyBboxPatch((0, 0.905), 1, 0.095, boxstyle="square,pad=0", transform=fig.transFigure,
                                      color=ACCENT, zorder=0))
    text(0.06, 0.965, say("pub_title", lang), size=17, weight="bold", color="white")
    text(0.06, 0.928, " · ".join(x for x in (config.organiser, config.area.name) if x), size=10, color="white")
    text(0.06, 0.885, name, size=20 if len(name) <= 42 else 15, weight="bold", color="#222222", wrap=True)
    period = config.fieldwork or report_date(results, lang)
    text(0.06, 0.818, say("pub_period", lang, period=period), size=10.5, color="#444444")

    colour = MUTU_COLORS.get(str(row["mutu"]), "#777777")
    fig.patches.append(FancyBboxPatch((0.06, 0.635), 0.88, 0.16, boxstyle="round,pad=0,rounding_size=0.01",
                                      transform=fig.transFigure, facecolor="#f4f5fa", edgecolor="#d0d3e2", zorder=0))
    text(0.09, 0.765, say("pub_ikm", lang), size=12, color="#444444")
    text(0.09, 0.692, fmt_num(row["ikm_konversi"], 2, lang), size=46, weight="bold", color=ACCENT)
    text(0.09, 0.652, f"{label('ci95', lang)} {fmt_ci(row['ci_low'], row['ci_high'], 2, lang)}", size=10,
         color="#444444")
    fig.patches.append(FancyBboxPatch((0.56, 0.665), 0.11, 0.1, boxstyle="round,pad=0,rounding_size=0.012",
                                      transform=fig.transFigure, color=colour, zorder=1))
    text(0.615, 0.715, str(row["mutu"]), size=40, weight="bold", color="white", ha="center", va="center")
    text(0.69, 0.737, say("pub_mutu", lang), size=10.5, color="#444444")
    text(0.69, 0.707, kinerja_label(row["mutu"], lang, sch), size=14, weight="bold", color="#222222")
    text(0.69, 0.667, say("pub_n", lang, n=fmt_num(row["n_responden"], 0, lang)), size=10.5, color="#444444")

    ax = fig.add_axes((0.45, 0.30, 0.46, 0.29))
    _nrr_bars(ax, nrr, lang, sch)
    text(0.06, 0.605, say("pub_nrr_title", lang), size=12.5, weight="bold", color="#222222")

    text(0.06, 0.245, say("pub_actions", lang), size=12.5, weight="bold", color="#222222")
    y = 0.215
    for number, line in enumerate(_actions(results, unit, lang), start=1):
        shown = text(0.06, y, f"{number}. {line}", size=10, color="#222222", wrap=True)
        y -= 0.0145 * (shown.get_text().count("\n") + 1) + 0.016
    text(0.06, 0.035, say("pub_footer", lang, date=report_date(results, lang)), size=7.5, color="#666666",
         wrap=True)
    return fig


#: Average width of a character of running text (DejaVu Sans), in em: wrapped text is broken into lines of
#: the page's text width (the 0.06-0.94 band) at this width, not at the figure's edge as wrap=True does.
_CHAR_EM = 0.6


def _writer(fig: Figure):
    """fig.text with the data's labels as plain text (never mathtext) and left/top alignment by default;
    `wrap=True` breaks the text into lines that stay inside the page's side margins."""
    def text(x, y, value, **style):
        value = str(value)
        if style.pop("wrap", False):
            chars = 0.88 * fig.get_figwidth() * 72 / (_CHAR_EM * style.get("size", 10))
            value = textwrap.fill(value, width=int(chars), break_on_hyphens=False)
            style.setdefault("va", "top")
        style.setdefault("ha", "left")
        style.setdefault("va", "baseline")
        return fig.text(x, y, value, parse_math=False, **style)
    return text


def _nrr_bars(ax, nrr, lang: str, sch) -> None:
    data = nrr.sort_values("unsur", key=lambda s: s.map({k: i for i, k in enumerate(sch.keys)})).iloc[::-1]
    y = np.arange(len(data))
    values = data["nrr"].to_numpy(float)
    colours = [MUTU_COLORS[m] for m in _grades(values, sch)]
    ax.barh(y, values - sch.scale[0], left=sch.scale[0], color=colours, height=0.66, zorder=2)
    for yi, v in zip(y, values):
        ax.text(v + 0.04, yi, fmt_num(v, 2, lang), va="center", fontsize=9, zorder=3, parse_math=False)
    ax.set_yticks(y, [unsur_name(k, lang, sch) for k in data["unsur"]], fontsize=9)
    ax.set_xlim(sch.scale[0], sch.scale[1] + 0.35)
    ax.set_xticks(np.arange(sch.scale[0], sch.scale[1] + 1))
    ax.set_xlabel(label("nrr", lang), fontsize=9)
    ax.tick_params(axis="x", labelsize=9)
    ax.grid(axis="x", color="#dddddd", lw=0.6, zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _grades(values: np.ndarray, sch) -> list[str]:
    """The mutu an NRR would give if every unsur scored it (band cut-offs on the unsur scale)."""
    cuts = [(b.lower / sch.conversion, b.mutu) for b in sch.bands]  # highest band first
    return [next((m for low, m in cuts if v >= low - 1e-12), cuts[-1][1]) for v in values]


def _actions(results, unit: str | None, lang: str) -> list[str]:
    """The unit's first actions; for the whole area, the general action for the unsur most often a priority."""
    rec, sch = results.recommendations_in(lang), results.scheme
    if unit is not None:
        chosen = [(r["unsur"], r["kegiatan"], r["waktu"])
                  for _, r in rec.actions[rec.actions["unit"].astype(str) == str(unit)].head(SHEET_ACTIONS).iterrows()]
    else:
        catalogue = load_catalogue(results.config.actions, sch)
        top = rec.synthesis[rec.synthesis["n_prioritas"] > 0].head(SHEET_ACTIONS)["unsur"]
        chosen = [(k, a["kegiatan"], a["waktu"]) for k in top for a in [action_for(catalogue, "umum", k, lang, sch)]]
    lines = [say("pub_action", lang, kegiatan=kegiatan, unsur=unsur_name(k, lang, sch, code=False), waktu=waktu)
             for k, kegiatan, waktu in chosen]
    return lines or [say("pub_no_actions", lang)]


def sheet_file_stem(code) -> str:
    """A file name for a unit code: letters, digits, '-' and '_' kept, the rest '_'."""
    return "lembar_" + (re.sub(r"[^0-9A-Za-z_-]+", "_", str(code)).strip("_") or "unit")


def write_sheets(results, folder: str | Path, lang: str | None = None) -> list[Path]:
    """The publication sheet of every unit (or of the area without units) as PNG and PDF in `folder`."""
    lang = check_language(lang)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    units = results.units()
    codes = [None] if not len(units) else list(units[results.unit])
    written, stems = [], set()
    for code in codes:
        stem = sheet_file_stem(results.config.area.name if code is None else code)
        while stem in stems:  # two codes that differ only in characters a file name cannot hold
            stem += "_"
        stems.add(stem)
        fig = publication_sheet(results, code, lang)
        for suffix in (".png", ".pdf"):
            path = folder / f"{stem}{suffix}"
            fig.savefig(path, dpi=150 if suffix == ".png" else None, facecolor="white")
            written.append(path)
        plt.close(fig)
    return written
