"""Seminar dashboard (ipywidgets): choose a unit, another level of the study (OPD, kecamatan...), a period and
demographic filters, the weighting, and see the IKM with its 95% CI, the NRR bars, the IPA diagram and the
unit's actions; export the package. A study with online (QR, link) answers also shows their tables: the online
IKM beside the probability sample's and the online weights (`riset.present.report.tables.online_tables`).

The dashboard computes nothing itself: every number comes from `riset.study.run.view` (domain estimation on the
stored designs of a `StudyResults`) and every picture from `riset.present.charts`; the export button calls
`riset.present.report.write_report`. The controls follow the study file: the unit column (`unit`), the other
one-column levels (`levels`), the period (`period`) and the codebook's demographic columns. `Dasbor.update()`
is the callback the controls trigger, exposed so that tests (and reviewers without a browser) can set control
values and read the outputs.

Example
-------
>>> from riset.study.run import run_study                          # doctest: +SKIP
>>> from riset.present.widgets import dasbor                       # doctest: +SKIP
>>> d = dasbor(run_study("data/raw/studi.yaml"))                   # doctest: +SKIP
>>> d.select(unit="PKM-KOTA").ikm["ikm_konversi"], d.card.value    # doctest: +SKIP
>>> d.widget  # display in a notebook                              # doctest: +SKIP
"""

from __future__ import annotations

import html
import io
from pathlib import Path

import ipywidgets as w
import matplotlib.pyplot as plt

from riset.errors import RisetError
from riset.i18n import check_language, fmt_ci, fmt_num, fmt_pct, label, say
from riset.present import charts
from riset.present.report import write_report
from riset.present.report.tables import online_tables
from riset.skm.schemes import kinerja_label, unsur_name
from riset.study.run import StudyResults, StudyView, view

__all__ = ["ALL", "CHAR_PX", "DESCRIPTION_PX", "Dasbor", "MAX_DROPDOWN_PX", "SMALL_N", "dasbor", "online_html", "png"]

#: The value of the "(semua)" option: a string, because ipywidgets shows a dropdown whose value is None as empty.
ALL = ""
#: Below this many respondents the card warns that the IKM is very uncertain.
SMALL_N = 30


#: Width of a control's description, of one character of an option (13 px sans-serif, generous), and the widest a
#: dropdown may get (two columns of them fit a 1366 px laptop screen).
DESCRIPTION_PX, CHAR_PX, MAX_DROPDOWN_PX = 130, 8, 620
#: The dropdown's arrow and inner padding.
_ARROW_PX = 40


class Dasbor:
    """The dashboard: `controls` (data column or 'weighting' -> widget), outputs (`card`, `nrr_image`,
    `ipa_image`, `recommendations`, `status`, and `online`: the online answers' tables, empty and not shown
    without online answers), the last `view` (a `riset.study.run.StudyView`) and `widget`."""

    def __init__(self, results: StudyResults, lang: str | None = None, out_dir: str | Path = "hasil"):
        self.results = results
        self.lang = check_language(lang)
        self.out_dir = Path(out_dir)
        self.view: StudyView | None = None
        self.exported: dict[str, Path] = {}
        data = results.survey.data
        self.place_columns = _place_columns(results)
        self.filter_columns = [c for c in results.survey.codebook.columns("demographic")
                               if c in data.columns and c not in self.place_columns]
        self.controls: dict[str, w.Widget] = {}
        for column in [*self.place_columns, *self.filter_columns]:
            values = sorted(data[column].dropna().astype(str).unique())
            options = [(results.unit_name(v), v) for v in values] if column == results.unit else [(v, v) for v in values]
            self.controls[column] = w.Dropdown(description=label(column, self.lang),
                                               options=[(label("semua", self.lang), ALL), *options])
        self.controls["weighting"] = w.ToggleButtons(
            options=[(label(f"pembobotan_{k}", self.lang), k) for k in results.designs],
            value=results.weighting, description=label("bobot", self.lang))
        for control in self.controls.values():
            control.style = {"description_width": f"{DESCRIPTION_PX}px"}
            if isinstance(control, w.ToggleButtons):  # each button as wide as its own label
                control.style = {"description_width": f"{DESCRIPTION_PX}px", "button_width": "auto"}
            if isinstance(control, w.Dropdown):  # wide enough for its longest option: no name cut at 1366 px
                longest = max(len(str(text)) for text, _ in control.options)
                control.layout = w.Layout(width=f"{min(MAX_DROPDOWN_PX, DESCRIPTION_PX + _ARROW_PX + CHAR_PX * longest)}px")
        self.export_button = w.Button(description=label("ekspor_laporan", self.lang), icon="download",
                                      button_style="primary")
        self.card = w.HTML()
        self.nrr_image = w.Image(format="png", layout=w.Layout(max_width="640px"))
        self.ipa_image = w.Image(format="png", layout=w.Layout(max_width="640px"))
        self.recommendations = w.HTML()
        self.status = w.HTML()
        self.online = w.HTML(online_html(results, self.lang))
        self._quiet = False
        self.parents = _parents(results, self.place_columns)
        for name, control in self.controls.items():
            if name in self.parents:
                control.observe(lambda change, n=name: self._parent_changed(n, change["new"]), names="value")
            else:
                control.observe(lambda _change: self._changed(), names="value")
        self.export_button.on_click(lambda _button: self.export())
        self.widget = w.VBox([
            w.HBox([w.VBox([self.controls[c] for c in self.place_columns]),
                    w.VBox([self.controls[c] for c in self.filter_columns])]),
            w.HBox([self.controls["weighting"], self.export_button]),
            self.status, self.card, w.HBox([self.nrr_image, self.ipa_image]), self.recommendations,
            *([self.online] if self.online.value else []),
        ])
        self.update()

    def _changed(self) -> None:
        if not self._quiet:
            self.update()

    def _parent_changed(self, column: str, value) -> None:
        """A level that groups units (an OPD) narrows the unit list to its units; a unit no longer offered is
        cleared."""
        unit = self.controls[self.results.unit]
        data = self.results.survey.data
        codes = sorted(data.loc[data[column].astype(str) == str(value), self.results.unit].astype(str).unique()) \
            if value not in (None, ALL) else sorted(data[self.results.unit].dropna().astype(str).unique())
        keep = unit.value
        quiet, self._quiet = self._quiet, True
        try:
            unit.options = [(label("semua", self.lang), ALL), *[(self.results.unit_name(c), c) for c in codes]]
            unit.value = keep if keep in codes else ALL
        finally:
            self._quiet = quiet
        self._changed()

    def select(self, clear: bool = False, **values) -> StudyView | None:
        """Set several controls at once (e.g. ``select(unit="RSUD-RJ", weighting="none")``) and update once.
        A level that groups units is applied first, so the unit list is narrowed before a unit is chosen.
        With ``clear=True`` the controls not given go back to "(semua)" and the study's own weighting."""
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise RisetError(f"dashboard has no control {', '.join(map(repr, unknown))}; controls: "
                             f"{', '.join(self.controls)}")
        if clear:
            values = {**{n: ALL for n in self.controls}, "weighting": self.results.weighting, **values}
        self._quiet = True
        try:
            for name in sorted(values, key=lambda n: n not in self.parents):
                self.controls[name].value = ALL if values[name] is None else values[name]
        finally:
            self._quiet = False
        return self.update()

    def selection(self) -> dict[str, object]:
        """The current choice as column -> value (None = all)."""
        return {n: None if c.value == ALL else c.value for n, c in self.controls.items() if n != "weighting"}

    def update(self) -> StudyView | None:
        """Recompute the view for the current controls and refresh every output; returns the view.

        A selection with no respondents leaves the outputs empty and says why in `status` instead of raising.
        """
        lang, sch = self.lang, self.results.scheme
        try:
            current = view(self.results, self.selection(), weighting=self.controls["weighting"].value)
        except RisetError:
            self.view = None
            chosen = ", ".join(f"{label(k, lang)} = {self.results.unit_name(v) if k == self.results.unit else v}"
                               for k, v in self.selection().items() if v is not None)
            self.status.value = f"<p style='color:#b30000'>{html.escape(say('dashboard_empty', lang, selection=chosen))}</p>"
            self.card.value = self.recommendations.value = ""
            self._show_images(False)
            return None
        # everything is computed first and shown together, so the page never mixes two selections
        card = self._card(current)
        nrr_png = png(charts.nrr_unsur(current.nrr, lang=lang, scheme=sch))
        ipa_png = b""
        if current.ipa is not None:
            lines = current.ipa.lines.iloc[0]
            ipa_png = png(charts.ipa_diagram(current.ipa.table, lang=lang, scheme=sch,
                                             x_line=float(lines["garis_kinerja"]),
                                             y_line=float(lines["garis_kepentingan"])))
        advice = self._recommendations(current)
        self.view = current
        self.status.value = ""
        self.card.value, self.recommendations.value = card, advice
        self.nrr_image.value, self.ipa_image.value = nrr_png, ipa_png
        self.nrr_image.layout.display = None
        self.ipa_image.layout.display = None if ipa_png else "none"  # no IPA in this study: no empty box
        return current

    def _show_images(self, shown: bool) -> None:
        """Hide the chart boxes when there is nothing to draw (an empty image shows as a broken one)."""
        for image in (self.nrr_image, self.ipa_image):
            image.layout.display = None if shown else "none"
            if not shown:
                image.value = b""

    def _card(self, current: StudyView) -> str:
        lang, row = self.lang, current.ikm
        chosen = ", ".join(f"{label(k, lang)}: {self.results.unit_name(v) if k == self.results.unit else v}"
                           for k, v in current.selection.items()) or self.results.config.area.name
        colour = charts.MUTU_COLORS.get(str(row["mutu"]), "#555555")
        return (
            f"<div style='border-left:8px solid {colour};padding:8px 16px;background:#f7f7f7'>"
            f"<div style='font-size:13px;color:#555'>{html.escape(chosen)}</div>"
            f"<div style='font-size:28px;font-weight:bold'>IKM {fmt_num(row['ikm_konversi'], 2, lang)} "
            f"<span style='font-size:16px;font-weight:normal'>({label('ci95', lang)} "
            f"{fmt_ci(row['ci_low'], row['ci_high'], 2, lang)})</span></div>"
            f"<div>{label('mutu', lang)} <b>{row['mutu']}</b> "
            f"({html.escape(kinerja_label(row['mutu'], lang, self.results.scheme))}) · "
            f"{label('p_mutu_beda', lang)} {fmt_pct(row['p_mutu_beda'], 0, lang)} · "
            f"n = {fmt_num(row['n_responden'], 0, lang)}</div>"
            + (f"<div style='color:#b35900;margin-top:4px'>{html.escape(say('dashboard_small_n', lang, n=int(row['n_responden'])))}</div>"
               if row["n_responden"] < SMALL_N else "")
            + "</div>"
        )

    def _recommendations(self, current: StudyView, top: int = 5) -> str:
        actions = self.results.recommendations_in(self.lang).actions
        units = set(current.recommendations["unit"].astype(str)) if "unit" in current.recommendations else set()
        shown = actions[actions["unit"].astype(str).isin(units)].head(top)
        title = label("rekomendasi", self.lang)
        if shown.empty:
            return f"<h4>{title}</h4><p>–</p>"
        items = "".join(
            f"<li><b>{html.escape(str(r['nama_unit']))} — "
            f"{html.escape(unsur_name(r['unsur'], self.lang, self.results.scheme))}</b>: "
            f"{html.escape(str(r['kegiatan']))} (+{fmt_num(r['dampak'], 2, self.lang)} IKM)</li>"
            for _, r in shown.iterrows())
        return f"<h4>{title}</h4><ol>{items}</ol>"

    def export(self) -> dict[str, Path]:
        """Write the seminar package (HTML, DOCX, PDF, PPTX, XLSX) of the whole study to `out_dir`."""
        self.exported = write_report(self.results, self.out_dir, lang=self.lang)
        names = ", ".join(p.name for p in self.exported.values())
        self.status.value = (f"<p style='color:#1a7f37'>{label('ditulis_ke', self.lang)} "
                             f"{html.escape(str(self.out_dir))}: {html.escape(names)}</p>")
        return self.exported


def _place_columns(results: StudyResults) -> list[str]:
    """The study's one-column levels (unit first, the period last), those present in the data."""
    config, data = results.config, results.survey.data
    single = [lv[0] for lv in config.levels if len(lv) == 1 and lv[0] != config.period]
    ordered = [c for c in (config.unit, *single, config.period) if c]
    return [c for c in dict.fromkeys(ordered) if c in data.columns]


def _parents(results: StudyResults, columns: list[str]) -> list[str]:
    """The place columns that group whole units (every unit in one of their values), e.g. the OPD."""
    unit, data = results.unit, results.survey.data
    if not unit or unit not in columns:
        return []
    return [c for c in columns if c != unit and data.groupby(unit)[c].nunique(dropna=False).max() == 1
            and data[c].nunique() < data[unit].nunique()]


def online_html(results: StudyResults, lang: str | None = None) -> str:
    """The online answers' tables (`online_tables`: headers from the catalogs, numbers written the audience's
    way) under the report's section title, with the note on what they are; "" when the study has none."""
    tables = online_tables(results, lang)
    if not tables:
        return ""
    note = "note_online_comparison" if results.online.comparison is not None else "note_online"
    parts = [f"<h4>{html.escape(say('sec_online', lang))}</h4>"]
    for title, table in tables.items():
        parts += [f"<h5>{html.escape(title)}</h5>",
                  table.to_html(index=False, na_rep="–", border=0, float_format=lambda v: fmt_num(v, 3, lang))]
    return "".join([*parts, f"<p style='font-size:12px;color:#555'>{html.escape(say(note, lang))}</p>"])


def png(fig) -> bytes:
    """A matplotlib figure as PNG bytes (closed afterwards), for an ipywidgets Image."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, facecolor="white")
    plt.close(fig)
    return buffer.getvalue()


def dasbor(results: StudyResults, lang: str | None = None, out_dir: str | Path = "hasil") -> Dasbor:
    """Build the seminar dashboard on a `StudyResults`; display `.widget` in a notebook.

    The IKM card shows the domain's converted IKM with its design-based 95% CI, mutu, the probability of a
    different grade and n (PermenPAN-RB 14/2017; Lumley 2010 for domain estimation); see `Dasbor`.
    """
    return Dasbor(results, lang=lang, out_dir=out_dir)
