"""Seminar dashboard (ipywidgets): choose a unit / OPD / periode and demographic filters, weighting on or off,
and see the IKM with its 95% CI, the NRR bars, the IPA diagram and the recommendations; export the package.

The dashboard computes nothing itself: every number comes from `riset.study.run.view` (domain estimation on the
stored designs of a `StudyResults`) and every picture from `riset.present.charts`; the export button calls
`riset.present.report.write_report`. `Dasbor.update()` is the callback the controls trigger, exposed so that tests
(and reviewers without a browser) can set control values and read the outputs.

Example
-------
>>> from riset.study.run import run_study                        # doctest: +SKIP
>>> from riset.present.widgets import dasbor                          # doctest: +SKIP
>>> d = dasbor(run_study("data/raw"))                         # doctest: +SKIP
>>> d.controls["unit"].value = "PKM-KOTA"                     # doctest: +SKIP
>>> d.view.ikm["ikm_konversi"], d.card.value                  # doctest: +SKIP
>>> d.widget  # display in a notebook                        # doctest: +SKIP
"""

from __future__ import annotations

import html
import io
from pathlib import Path

import ipywidgets as w
import matplotlib.pyplot as plt

from riset.present import charts
from riset.errors import RisetError
from riset.i18n import check_language, fmt_ci, fmt_num, fmt_pct, label
from riset.skm.schemes import kinerja_label, unsur_name
from riset.present.report import write_report
from riset.study.run import StudyResults, StudyView, view

#: Demographic filters offered when the data has them (codebook role 'demographic').
FILTERS = ("jenis_kelamin", "kelompok_umur", "pendidikan", "pekerjaan")
_WEIGHTING_LABELS = {"kalibrasi": ("Bobot kalibrasi", "Calibrated weights"),
                     "desain": ("Bobot desain", "Design weights"),
                     "tanpa": ("Tanpa bobot", "Unweighted")}


class Dasbor:
    """The dashboard: `controls` (name -> widget), outputs (`card`, `nrr_image`, `ipa_image`,
    `recommendations`, `status`), the last `view` (a `riset.study.run.StudyView`) and `widget` to display."""

    def __init__(self, results: StudyResults, lang: str | None = None, out_dir: str | Path = "data/processed"):
        self.results = results
        self.lang = check_language(lang)
        self.out_dir = Path(out_dir)
        self.view: StudyView | None = None
        self.exported: dict[str, Path] = {}
        data = results.survey.data
        everything = "(semua)" if self.lang == "id" else "(all)"
        self._all = everything
        units = data.assign(nama_unit=data.get("nama_unit", data["unit"]), opd=data.get("opd", ""))
        self._units = units.drop_duplicates("unit").set_index("unit")[["nama_unit", "opd"]].sort_values("nama_unit")
        self.controls: dict[str, w.Widget] = {}
        if "opd" in data.columns:
            self.controls["opd"] = w.Dropdown(description=label("opd", self.lang),
                                              options=self._options(sorted(data["opd"].unique())))
        self.controls["unit"] = w.Dropdown(description=label("unit", self.lang), options=self._unit_options(None))
        if "periode" in data.columns:
            self.controls["periode"] = w.Dropdown(description=label("periode", self.lang),
                                                  options=self._options(sorted(data["periode"].unique())))
        for column in FILTERS:
            if column in data.columns:
                values = [v for v in data[column].dropna().unique()]
                self.controls[column] = w.Dropdown(description=label(column, self.lang),
                                                   options=self._options(sorted(map(str, values))))
        self.controls["weighting"] = w.ToggleButtons(
            options=[(_WEIGHTING_LABELS[k][0 if self.lang == "id" else 1], k) for k in results.designs],
            value=results.weighting, description=label("bobot", self.lang))
        for control in self.controls.values():
            control.style = {"description_width": "130px"}
        self.export_button = w.Button(description="Ekspor laporan" if self.lang == "id" else "Export report",
                                      icon="download", button_style="primary")
        self.card = w.HTML()
        self.nrr_image = w.Image(format="png", layout=w.Layout(max_width="640px"))
        self.ipa_image = w.Image(format="png", layout=w.Layout(max_width="640px"))
        self.recommendations = w.HTML()
        self.status = w.HTML()
        self._quiet = False
        for name, control in self.controls.items():
            if name == "opd":
                control.observe(self._opd_changed, names="value")
            else:
                control.observe(lambda _change: self._changed(), names="value")
        self.export_button.on_click(lambda _button: self.export())
        filters = [c for n, c in self.controls.items() if n in FILTERS]
        places = [self.controls[n] for n in ("opd", "unit", "periode") if n in self.controls]
        self.widget = w.VBox([
            w.HBox([w.VBox(places), w.VBox(filters)]),
            w.HBox([self.controls["weighting"], self.export_button]),
            self.status,
            self.card,
            w.HBox([self.nrr_image, self.ipa_image]),
            self.recommendations,
        ])
        self.update()

    # ----------------------------------------------------------------------------------- controls
    def _options(self, values) -> list[tuple[str, object]]:
        return [(self._all, None), *[(str(v), v) for v in values]]

    def _unit_options(self, opd) -> list[tuple[str, object]]:
        units = self._units if opd is None else self._units[self._units["opd"] == opd]
        return [(self._all, None), *[(row.nama_unit, unit) for unit, row in units.iterrows()]]

    def _changed(self) -> None:
        if not self._quiet:
            self.update()

    def _opd_changed(self, change) -> None:
        unit = self.controls["unit"]
        keep = unit.value
        options = self._unit_options(change["new"])
        quiet, self._quiet = self._quiet, True
        try:
            unit.options = options
            unit.value = keep if keep in [v for _, v in options] else None
        finally:
            self._quiet = quiet
        self._changed()

    def select(self, clear: bool = False, **values) -> StudyView | None:
        """Set several controls at once (e.g. ``select(unit="RSUD-RJ", weighting="tanpa")``) and update once.

        An OPD is applied first, so the unit list is narrowed before a unit is chosen. With ``clear=True`` the
        controls not given go back to "(semua)" and the study's own weighting.
        """
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise RisetError(f"dashboard has no control {', '.join(map(repr, unknown))}; controls: {', '.join(self.controls)}")
        if clear:
            values = {**{n: None for n in self.controls}, "weighting": self.results.weighting, **values}
        self._quiet = True
        try:
            for name in sorted(values, key=lambda n: n != "opd"):
                self.controls[name].value = values[name]
        finally:
            self._quiet = False
        return self.update()

    def selection(self) -> dict[str, object]:
        """The current choice as column -> value (None = all)."""
        return {n: c.value for n, c in self.controls.items() if n != "weighting"}

    # ----------------------------------------------------------------------------------- callback
    def update(self) -> StudyView | None:
        """Recompute the view for the current controls and refresh every output; returns the view.

        A selection with no respondents (or too few to estimate) leaves the outputs empty and says why in
        `status` instead of raising.
        """
        lang = self.lang
        try:
            current = view(self.results, self.selection(), weighting=self.controls["weighting"].value)
        except RisetError as err:
            self.view = None
            self.status.value = f"<p style='color:#b30000'>{html.escape(str(err))}</p>"
            self.card.value = self.recommendations.value = ""
            self.nrr_image.value = self.ipa_image.value = b""
            return None
        self.view = current
        self.status.value = ""
        self.card.value = self._card(current)
        self.nrr_image.value = _png(charts.nrr_unsur(current.nrr, lang=lang, scheme=self.results.scheme))
        lines = current.ipa.lines.iloc[0]
        self.ipa_image.value = _png(charts.ipa_diagram(current.ipa.table, lang=lang, scheme=self.results.scheme,
                                                       x_line=float(lines["garis_kinerja"]),
                                                       y_line=float(lines["garis_kepentingan"])))
        self.recommendations.value = self._recommendations(current)
        return current

    def _card(self, current: StudyView) -> str:
        lang, row = self.lang, current.ikm
        chosen = ", ".join(f"{label(k, lang)}: {self._name(k, v)}" for k, v in current.selection.items())
        chosen = chosen or label("seluruh", lang)
        colour = charts.MUTU_COLORS.get(str(row["mutu"]), "#555555")
        return (
            f"<div style='border-left:8px solid {colour};padding:8px 16px;background:#f7f7f7'>"
            f"<div style='font-size:13px;color:#555'>{html.escape(chosen)}</div>"
            f"<div style='font-size:28px;font-weight:bold'>IKM {fmt_num(row['ikm_konversi'], 2, lang)} "
            f"<span style='font-size:16px;font-weight:normal'>({label('ci95', lang)} "
            f"{fmt_ci(row['ci_low'], row['ci_high'], 2, lang)})</span></div>"
            f"<div>{label('mutu', lang)} <b>{row['mutu']}</b> ({kinerja_label(row['mutu'], lang, self.results.scheme)}) · "
            f"{label('p_mutu_beda', lang)} {fmt_pct(row['p_mutu_beda'], 0, lang)} · "
            f"n = {fmt_num(row['n_responden'], 0, lang)}</div></div>"
        )

    def _name(self, column: str, value) -> str:
        if column == "unit" and value in self._units.index:
            return str(self._units.loc[value, "nama_unit"])
        return str(value)

    def _recommendations(self, current: StudyView, top: int = 5) -> str:
        rec = current.recommendations.head(top)
        if self.lang != "id" and not rec.empty:
            english = self.results.recommendations_in(self.lang).table.set_index(["unit", "unsur"])
            rec = english.loc[list(zip(rec["unit"], rec["unsur"]))].reset_index()
        title = label("rekomendasi", self.lang)
        if rec.empty:
            return f"<h4>{title}</h4><p>–</p>"
        items = "".join(
            f"<li><b>{html.escape(str(r['nama_unit']))} — {html.escape(unsur_name(r['unsur'], self.lang, self.results.scheme))}"
            f"</b>: {html.escape(str(r['alasan']))} {html.escape(str(r['dampak']))}</li>" for _, r in rec.iterrows())
        return f"<h4>{title}</h4><ol>{items}</ol>"

    # ----------------------------------------------------------------------------------- export
    def export(self) -> dict[str, Path]:
        """Write the seminar package (HTML, DOCX, PPTX, XLSX) of the whole study to `out_dir`."""
        self.exported = write_report(self.results, self.out_dir, lang=self.lang)
        names = ", ".join(p.name for p in self.exported.values())
        self.status.value = f"<p style='color:#1a7f37'>{'Ditulis ke' if self.lang == 'id' else 'Written to'} " \
                            f"{html.escape(str(self.out_dir))}: {html.escape(names)}</p>"
        return self.exported


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, facecolor="white")
    plt.close(fig)
    return buffer.getvalue()


def dasbor(results: StudyResults, lang: str | None = None, out_dir: str | Path = "data/processed") -> Dasbor:
    """Build the seminar dashboard on a `StudyResults`; display `.widget` in a notebook.

    The IKM card shows the domain's converted IKM with its design-based 95% CI, mutu, the probability of a
    different grade and n (PermenPAN-RB 14/2017; Lumley 2010 for domain estimation); see `Dasbor`.
    """
    return Dasbor(results, lang=lang, out_dir=out_dir)
