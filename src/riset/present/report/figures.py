"""Every chart of the seminar package rendered once from a study's results (PNG bytes), for the laporan (page
size) or the slides (slide size); the writers embed the same pictures.

>>> figs = render_figures(results, "id")          # doctest: +SKIP
>>> sorted(figs)                                   # doctest: +SKIP
['bobot', 'drivers', 'ikm_unit', 'ipa', 'nrr_area', 'period_units', 'profil']
"""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import pandas as pd
from PIL import Image

from riset.i18n import check_language, fmt_num, say
from riset.present import charts
from riset.present.report.content import unit_label
from riset.present.report.document import Figure
from riset.study.progress import period_order
from riset.study.run import AREA

__all__ = ["figure_from", "progress_figures", "render_figures"]


def figure_from(fig, key: str, caption: str, dpi: int = 150) -> Figure:
    """A matplotlib figure as a `Figure` block (PNG at `dpi`, white background); the figure is closed."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white", bbox_inches="tight")
    plt.close(fig)
    png = buffer.getvalue()
    width, height = Image.open(io.BytesIO(png)).size
    return Figure(key, caption, png, width, height)


def _ikm_points(results) -> tuple[pd.DataFrame, str]:
    """The area's IKM to show beside the external scores, and its label column: per period (the study's series),
    else per study (earlier studies as a series), else this study's alone."""
    progress = results.progress
    if progress.series is not None:
        return progress.series.table, results.config.period
    if progress.study_series is not None:
        return progress.study_series[progress.study_series["level"] == AREA], "studi"
    row = results.area_row()
    return pd.DataFrame([{"studi": results.config.fieldwork or results.config.title,
                          **{c: row[c] for c in ("ikm_konversi", "ci_low", "ci_high")}}]), "studi"


def progress_figures(results, lang: str | None = None) -> dict[str, Figure]:
    """The charts of the Perkembangan section (notebook 05 shows them): series (the area's IKM per period),
    series_units (each unit's), external (the external score beside the IKM), did_<i> (innovating vs comparison
    units per period) -- those whose inputs exist."""
    lang = check_language(lang)
    return {key: figure_from(fig, key, caption) for key, (fig, caption) in _progress_charts(results, lang).items()}


def _progress_charts(results, lang: str) -> dict:
    sch, config = results.scheme, results.config
    made = {}
    series = results.progress.series
    if series is not None:
        target = config.targets.area if config.targets is not None else None
        made["series"] = (charts.ikm_series(series.table, config.period, lang=lang, scheme=sch, target=target),
                          say("fig_series", lang, area=config.area.name))
    units = results.progress.series_units
    if units is not None and units.table[config.unit].nunique() > 1:
        names = {code: results.unit_name(code) for code in units.table[config.unit].unique()}
        made["series_units"] = (charts.ikm_series_units(units.table, config.unit, config.period, changes=units.changes,
                                                        names=names, lang=lang, scheme=sch),
                                say("fig_series_units", lang))
    if results.progress.external is not None:
        points, column = _ikm_points(results)
        made["external"] = (charts.external_beside_ikm(points, column, results.progress.external,
                                                       results.progress.external_zones, lang=lang, scheme=sch),
                            say("fig_external", lang, area=config.area.name))
    innovations = results.progress.innovations
    for i, (_, r) in enumerate(innovations.iterrows() if innovations is not None else (), start=1):
        groups = results.progress.innovations_series
        groups = groups[(groups["nama"] == r["nama"]) & (groups["mulai"] == r["mulai"])]
        if pd.notna(r.get("placebo_did")):  # two or more periods before the start: a pre-trend to see
            made[f"did_{i}"] = (charts.did_series(groups, config.period, r["mulai"], lang=lang, scheme=sch,
                                                  title=say("fig_did_title", lang, name=r["nama"])),
                                say("fig_did", lang, name=r["nama"]))
    return made


def render_figures(results, lang: str | None = None) -> dict[str, Figure]:
    """The charts of the laporan for the analyses that ran: profil, ikm_unit, nrr_area, nrr_heatmap, period_units,
    the Perkembangan charts (`progress_figures`), drivers, ipa, bobot (only those whose inputs exist)."""
    lang = check_language(lang)
    sch, config = results.scheme, results.config
    made = {}
    if results.profile is not None:
        made["profil"] = (charts.demographic_profile(results.profile, lang=lang), say("fig_profile", lang))
    units = results.units()
    if len(units) > 1:
        name = config.names.get(config.unit, config.unit)
        shown = units.assign(**{name: [unit_label(results, r, lang) for _, r in units.iterrows()]})  # online marked
        made["ikm_unit"] = (charts.ikm_by_unit(shown, group=name, lang=lang, scheme=sch,
                                               overall=float(results.area_row()["ikm_konversi"]),
                                               overall_label=config.area.name),
                            say("fig_ikm_unit", lang, area=config.area.name))
    made["nrr_area"] = (charts.nrr_unsur(results.nrr_of(AREA), lang=lang, scheme=sch),
                        say("fig_nrr_area", lang, area=config.area.name))
    if len(units) > 1:
        ranked = units.sort_values("ikm_konversi", ascending=False, kind="stable")
        names = {str(c): results.unit_name(c) for c in ranked[config.unit]}
        cells = results.nrr[results.nrr["level"] == config.unit]
        cells = cells.assign(nama=cells[config.unit].astype(str).map(names))
        made["nrr_heatmap"] = (charts.nrr_heatmap(cells, "nama", order=list(names.values()), lang=lang, scheme=sch),
                               say("fig_nrr_heatmap", lang))
    cross = f"{config.unit}_{config.period}" if config.unit and config.period else None
    if cross in results.levels():
        change = results.period_change
        unit_change = None if change is None else change[change["level"] == config.unit]
        order, _ = period_order(config, results.survey.data)
        made["period_units"] = (charts.period_comparison(results.level(cross), group=config.names.get(config.unit,
                                                    config.unit), lang=lang, scheme=sch, change=unit_change,
                                                    periods=order),
                                say("fig_period", lang))
    made.update(_progress_charts(results, lang))
    if results.drivers is not None:
        made["drivers"] = (charts.driver_importance(results.drivers_table(), lang=lang, scheme=sch),
                           say("fig_drivers", lang, r2=fmt_num(results.drivers.r2, 2, lang)))
    if results.ipa_result is not None:
        lines = results.ipa_result.lines.iloc[0]
        made["ipa"] = (charts.ipa_diagram(results.ipa, lang=lang, scheme=sch, x_line=float(lines["garis_kinerja"]),
                                          y_line=float(lines["garis_kepentingan"])),
                       say("fig_ipa_stated" if results.importance_map else "fig_ipa_derived", lang))
    if results.weighting_run is not None:
        made["bobot"] = (charts.weighting_effect(results.weights, results.margins, lang=lang), say("fig_weights", lang))
    return {key: figure_from(fig, key, caption) for key, (fig, caption) in made.items()}
